"""The training directory (``--model_dir``): ``run.json``, resume checks, leftovers.

``run.json`` holds the config and the data's shapes of the run, what
`trainer.restore_model` needs to rebuild the model without the data, and a
``history`` of the flags changed on each resume. Before a run touches an
existing directory, `check_resume` compares the new config with it: flags
that change the networks or the data's shapes stop the run (its checkpoints
could not be restored, and overwriting ``run.json`` would orphan them);
training-only flags (learning rates, loss, step counts, logging) are
accepted and listed.

Killed runs leave partial files behind: `remove_leftovers` deletes the
temporary folders of interrupted checkpoint and export writes, and
`truncate_events` drops the TensorBoard events logged after the checkpoint a
run resumes from, so each step appears once.
"""

import dataclasses
import glob
import json
import os
import shutil
import time

import tensorflow as tf

from tfgan_zoo import jsonfile
from tfgan_zoo.config import NETWORK_FIELDS, ConfigError

RUN_FILE = "run.json"

# DataInfo fields a run cannot resume across, as run.json keys.
DATA_FIELDS = ("sample_shape", "num_classes", "input_shape", "paired")


class RunMismatchError(ConfigError):
    """The flags describe other networks, optimizers or data than the run in ``--model_dir``."""


def _is_local(path):
    return "://" not in path


def check_writable(model_dir):
    """Creates ``model_dir`` if needed; a `ConfigError` saying why when it cannot be used."""
    if not _is_local(model_dir):
        return
    if os.path.exists(model_dir) and not os.path.isdir(model_dir):
        raise ConfigError(f"--model_dir={model_dir} is a file, not a directory: choose another.")
    try:
        os.makedirs(model_dir, exist_ok=True)
    except OSError as e:
        raise ConfigError(
            f"--model_dir={model_dir} cannot be created ({e.strerror}): choose a --model_dir "
            f"on a writable file system."
        ) from None
    if not os.access(model_dir, os.W_OK):
        raise ConfigError(
            f"--model_dir={model_dir} is not writable (a read-only file system, or its "
            f"permissions): choose a --model_dir you can write to."
        )


def read_run(model_dir):
    """The parsed ``run.json`` of ``model_dir``, or None when there is none."""
    return jsonfile.read(os.path.join(model_dir, RUN_FILE))


def data_fields(info):
    """What run.json records of a `data.DataInfo`."""
    return {
        "sample_shape": list(info.sample_shape),
        "num_classes": info.num_classes,
        "input_shape": list(info.input_shape) if info.input_shape else None,
        "paired": info.paired,
        "class_names": list(info.class_names) if info.class_names else None,
    }


def changes(run, config, info):
    """``(network, training)`` lists of ``(name, old, new)`` between ``run`` and now.

    ``network`` holds the `config.NETWORK_FIELDS` flags and the data's shapes
    (names like ``data sample_shape``); ``training`` every other flag.
    """
    old, new = run["config"], config.to_dict()
    defaults = {f.name: f.default for f in dataclasses.fields(config)}
    network, training = [], []
    for name, value in new.items():
        before = old.get(name, defaults[name])  # flags added since the run: their default
        if isinstance(value, tuple):
            before = tuple(before) if before is not None else None
        if before != value:
            (network if name in NETWORK_FIELDS else training).append((name, before, value))
    now = data_fields(info)
    for name in DATA_FIELDS:
        if run.get(name) != now[name]:
            network.append((f"data {name}", run.get(name), now[name]))
    return network, training


def _flag(name):
    return name if name.startswith("data ") else f"--{name}"


def describe(changed):
    """``--g_lr 0.0002 -> 0.001; ...`` for a list of ``(name, old, new)``."""
    return "; ".join(f"{_flag(n)} {old} -> {new}" for n, old, new in changed)


def check_resume(config, info, has_checkpoint):
    """The training-only flag changes since the run in ``config.model_dir`` (may be []).

    Raises:
      RunMismatchError: the directory holds checkpoints of other networks or
        data (``has_checkpoint``); the message names each differing flag with
        both values and the two ways out.
    """
    run = read_run(config.model_dir)
    if run is None:
        return []
    network, training = changes(run, config, info)
    if network and has_checkpoint:
        raise RunMismatchError(
            f"--model_dir={config.model_dir} holds a run with other networks, optimizers or "
            f"data: "
            + "; ".join(f"{_flag(n)} was {old}, now {new}" for n, old, new in network)
            + f". Resume it with its original flags (in "
            f"{os.path.join(config.model_dir, RUN_FILE)}), or train into a new --model_dir."
        )
    return network + training


def write_run(config, info, step=0, changed=()):
    """Writes ``run.json`` atomically, appending ``changed`` flags to its history."""
    previous = read_run(config.model_dir)
    history = previous.get("history", []) if previous else []
    if previous and changed:
        history.append({
            "step": int(step),
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "changes": {n: [old, new] for n, old, new in changed},
        })  # fmt: skip
    run = {"config": config.to_dict(), **data_fields(info), "history": history}
    path = os.path.join(config.model_dir, RUN_FILE)
    tmp = f"{path}.tmp"
    with tf.io.gfile.GFile(tmp, "w") as f:
        f.write(json.dumps(run, indent=2))
    tf.io.gfile.rename(tmp, path, overwrite=True)


def remove_leftovers(checkpoint_dir, export_dir):
    """Deletes what killed writes left behind; returns the paths removed.

    Those are ``<checkpoint_dir>/ckpt-N_temp/`` (TensorFlow writes a
    checkpoint there, then merges it into ``ckpt-N.*``) and
    ``<export_dir>/.tmp-*`` (`tfgan_zoo.export` writes a version there, then
    renames it). Neither is ever a complete checkpoint or export.
    """
    patterns = [os.path.join(checkpoint_dir, "*_temp"), os.path.join(export_dir, ".tmp-*")]
    removed = []
    for path in sorted(p for pattern in patterns for p in glob.glob(pattern)):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _read_events(path):
    """The events of one file, up to a record a kill cut short."""
    events = []
    try:
        for record in tf.data.TFRecordDataset(path):
            events.append(tf.compat.v1.Event.FromString(record.numpy()))
    except tf.errors.DataLossError:
        pass
    return events


def truncate_events(log_dir, step):
    """Drops the events after ``step`` from the TensorBoard files under ``log_dir``.

    A resumed run logs again the steps between its checkpoint and the kill;
    without this TensorBoard shows those steps twice. Returns the number of
    events dropped.
    """
    dropped = 0
    for path in glob.glob(os.path.join(log_dir, "**", "*tfevents*"), recursive=True):
        if path.endswith(".tmp"):
            os.remove(path)
            continue
        events = _read_events(path)
        kept = [e for e in events if e.step <= step]
        if len(kept) == len(events):
            continue
        with tf.io.TFRecordWriter(f"{path}.tmp") as writer:
            for event in kept:
                writer.write(event.SerializeToString())
        os.replace(f"{path}.tmp", path)
        dropped += len(events) - len(kept)
    return dropped

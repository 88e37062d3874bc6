"""Starting a training run from pretrained weights (``--init_from``).

A source is one of:

- an export (a version folder, or the folder of its versions: the newest),
  such as ``saved_models/dcgan_fashion_mnist``: the generator(s) it serves
  (for a model that keeps a moving average, the average), in the order the
  export tracked their weights; the discriminator starts afresh;
- a ``.keras`` file saved by ``model.save``: every network it holds;
- a training ``--model_dir`` (its newest checkpoint): every network.

Networks are matched by name (``generator``, ``discriminator``,
``ema_generator``, CycleGAN's four) and weight by weight, by shape: a
source whose networks differ from this run's is refused with one line
naming the first weight that does not fit. A run that has a checkpoint of
its own resumes from it and ignores ``--init_from``. Optimizer state,
noise seeds and the step start afresh: the new run is step 0 of its own.
"""

import os

import numpy as np
import tensorflow as tf

from tfgan_zoo.config import ConfigError


class InitError(ConfigError):
    """The ``--init_from`` source cannot start this run; the message says why."""


def generators(model):
    """The networks an export of ``model`` holds, in its order."""
    return list(model.players()[0])


def networks(model):
    """``{name: network}`` of every network of ``model`` a source may fill."""
    names = list(model.network_args)
    if getattr(model, "ema_generator", None) is not None:
        names.append("ema_generator")
    return {name: getattr(model, name) for name in names}


def _export_path(path):
    """The SavedModel version folder of ``path`` (a version, or its base folder)."""
    if os.path.exists(os.path.join(path, "saved_model.pb")):
        return path
    versions = [v for v in os.listdir(path) if v.isdigit()] if os.path.isdir(path) else []
    if versions:
        return os.path.join(path, max(versions, key=int))
    return None


def read_source(path):
    """``(kind, weights)`` of a source: ``kind`` is ``export`` (``weights`` the
    generators' arrays, concatenated) or ``model`` (``weights`` ``{name: arrays}``).

    Raises:
      InitError: ``path`` is none of the three kinds of source.
    """
    from tfgan_zoo import rundir, trainer

    if path.endswith(".keras") and os.path.isfile(path):
        import keras

        import tfgan_zoo.models  # noqa: F401  (registers the classes)

        model = keras.saving.load_model(path)
        return "model", {n: net.get_weights() for n, net in networks(model).items()}
    if os.path.isdir(path) and rundir.read_run(path) is not None:
        model, _ = trainer.restore_model(path)
        return "model", {n: net.get_weights() for n, net in networks(model).items()}
    export = _export_path(path)
    if export:
        return "export", [v.numpy() for v in tf.saved_model.load(export).variables]
    raise InitError(
        f"--init_from={path}: not an export (a folder with saved_model.pb, or of numbered "
        f"versions), a .keras file or a training --model_dir (with run.json)."
    )


def _assign(path, what, network_list, arrays):
    """Sets the weights of ``network_list`` (in order) from ``arrays``, shape by shape."""
    weights = [w for net in network_list for w in net.weights]
    if len(weights) != len(arrays):
        raise InitError(
            f"--init_from={path}: its {what} has {len(arrays)} weights, this run's "
            f"{len(weights)}: the networks differ; train with the flags that made it."
        )
    for i, (weight, array) in enumerate(zip(weights, arrays, strict=True)):
        if tuple(weight.shape) != tuple(np.shape(array)):
            raise InitError(
                f"--init_from={path}: its {what}'s weight {i} is {tuple(np.shape(array))}, "
                f"this run's ({weight.path}) {tuple(weight.shape)}: the networks differ; "
                f"train with the flags that made it."
            )
    for weight, array in zip(weights, arrays, strict=True):
        weight.assign(array)


def initialize(model, path):
    """Fills ``model``'s networks from the source at ``path``; returns the names filled.

    Raises:
      InitError: the source is unusable or its networks do not fit.
    """
    kind, source = read_source(path)
    targets = networks(model)
    if kind == "export":
        _assign(path, "export's generator", generators(model), source)
        filled = [n for n, net in targets.items() if any(net is g for g in generators(model))]
        if "ema_generator" in targets:
            targets["ema_generator"].set_weights(model.generator.get_weights())
            filled.append("ema_generator")
        return filled
    filled = []
    for name, network in targets.items():
        arrays = source.get(name)
        if arrays is None and name == "ema_generator":
            arrays = source.get("generator")
        if arrays is None:
            continue
        _assign(path, name, [network], arrays)
        filled.append(name)
    if not filled:
        raise InitError(f"--init_from={path}: it holds none of this run's networks.")
    return filled

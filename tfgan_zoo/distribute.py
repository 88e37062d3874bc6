"""Choosing a `tf.distribute` strategy, and where each worker writes.

- ``default``: one device (TensorFlow's default strategy).
- ``mirrored``: synchronous data parallelism over this machine's GPUs (or
  ``num_devices`` logical CPU devices when there is no GPU, for testing).
- ``multi_worker``: `MultiWorkerMirroredStrategy` across the machines named
  in the ``TF_CONFIG`` environment variable.

The model, its optimizers and metrics must be created inside
``strategy.scope()``; `fit` then splits every global batch across replicas.
"""

import contextlib
import json
import os
import re

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker")


def _mirrored_devices(num_devices):
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return [f"/gpu:{i}" for i in range(num_devices or len(gpus))]
    wanted = num_devices or 1
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * wanted
        )
    except RuntimeError as e:  # already initialized: fine if it has enough devices
        if len(tf.config.list_logical_devices("CPU")) < wanted:
            raise RuntimeError(
                f"Cannot split the CPU into {wanted} devices after TensorFlow started; "
                f"create the strategy before any other TensorFlow work."
            ) from e
    return [d.name for d in tf.config.list_logical_devices("CPU")[:wanted]]


def make_strategy(name="default", num_devices=0):
    """The `tf.distribute.Strategy` called ``name`` (see module docstring).

    On CPU devices the mirrored strategy reduces through one device: with
    TF 2.21 the default collective all-reduce misorders the gradient
    all-reduces of two optimizers against synchronized batch norm's.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = _mirrored_devices(num_devices)
        cross_device_ops = None
        if "GPU" not in devices[0].upper():
            cross_device_ops = tf.distribute.ReductionToOneDevice()
        return tf.distribute.MirroredStrategy(devices, cross_device_ops=cross_device_ops)
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError(
                "--strategy=multi_worker needs the TF_CONFIG environment variable "
                '(e.g. {"cluster": {"worker": ["host1:port", "host2:port"]}, '
                '"task": {"type": "worker", "index": 0}}); see docs/distributed.md.'
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"Unknown strategy {name!r}: use one of {', '.join(STRATEGIES)}.")


def task():
    """``(type, index)`` of this process in TF_CONFIG, ``("worker", 0)`` without one."""
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    t = config.get("task", {})
    return t.get("type", "worker"), int(t.get("index", 0))


def is_chief(strategy):
    """Whether this process writes the run's outputs (checkpoints, logs, export)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    kind, index = task()
    cluster = json.loads(os.environ["TF_CONFIG"]).get("cluster", {})
    return kind == "chief" or (kind == "worker" and index == 0 and "chief" not in cluster)


def worker_dir(path, strategy):
    """``path`` for the chief; a private temporary folder beside it for other workers.

    Every worker must take part in saving a checkpoint under
    MultiWorkerMirroredStrategy, but only the chief's copy is kept.
    """
    if is_chief(strategy):
        return path
    kind, index = task()
    return os.path.join(path, f"workertemp_{kind}_{index}")


class WorkerLostError(RuntimeError):
    """Another worker of a multi-worker run stopped or became unreachable."""


# What a collective op raises when a peer dies: its sockets close (UNAVAILABLE),
# the coordination service misses its heartbeats, or the op is aborted.
PEER_ERRORS = (
    tf.errors.UnavailableError,
    tf.errors.AbortedError,
    tf.errors.DeadlineExceededError,
    tf.errors.CancelledError,
)


@contextlib.contextmanager
def peers_lost_error(strategy, checkpoint_dir):
    """Turns a lost peer under `MultiWorkerMirroredStrategy` into a `WorkerLostError`.

    Once one worker is killed every other fails in its next collective op,
    with a long gRPC traceback. The message says what happened, which of the
    chief's checkpoints in ``checkpoint_dir`` (what every worker restores)
    survives, and how to go on. Other strategies' errors pass through.
    """
    try:
        yield
    except PEER_ERRORS as e:
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            raise
        latest = tf.train.latest_checkpoint(checkpoint_dir) or "none yet"
        raise WorkerLostError(
            f"Lost contact with another worker{lost_peer(e)}. The chief's last checkpoint "
            f"is {latest}. Restart every worker with the same command and TF_CONFIG to "
            f"resume from it."
        ) from None


_NOISE = ("Graph execution error", "Detected at node", "File ", "[[", "The error could be")


def lost_peer(error):
    """``": worker 1 (host:port) stopped answering (UnavailableError: <why>)"``: the
    peer a collective op's error names (its task in TF_CONFIG's cluster) and the
    first line of the message that says what happened; only the reason when the
    error names no peer."""
    message = error.message or str(error)
    lines = [line.strip() for line in message.splitlines() if line.strip()] or [""]
    reason = next((line for line in lines if not line.startswith(_NOISE)), lines[0])
    what = f"({type(error).__name__}: {reason})"
    peer = re.search(r"/job:(\w+)/replica:\d+/task:(\d+)", message)
    if not peer:
        return f" {what}"
    kind, index = peer.group(1), int(peer.group(2))
    cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    addresses = cluster.get(kind, [])
    address = f" ({addresses[index]})" if index < len(addresses) else ""
    return f": {kind} {index}{address} stopped answering {what}"

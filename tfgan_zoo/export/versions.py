"""Versioned, atomic writing of an export: ``<base_dir>/<version>/``, its
metadata (``assets.extra/tfgan_zoo.json`` and the ``metadata`` signature) and
its TF Serving warm-up requests."""

import json
import os
import shutil
import uuid

import numpy as np
import tensorflow as tf

from tfgan_zoo import jsonfile
from tfgan_zoo.images import samples_of

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")


METADATA_FILE = os.path.join("assets.extra", "tfgan_zoo.json")


def next_version(base_dir):
    """The smallest integer greater than every numeric version in ``base_dir`` (1 if none)."""
    if not os.path.isdir(base_dir):
        return 1
    versions = [int(n) for n in os.listdir(base_dir) if n.isdigit()]
    return max(versions, default=0) + 1


def latest_version(base_dir):
    """The path of the newest numeric version under ``base_dir``, or None."""
    version = next_version(base_dir) - 1
    return os.path.join(base_dir, str(version)) if version else None


def read_metadata(export_path):
    """The ``assets.extra/tfgan_zoo.json`` of one export version (None if it has none)."""
    return jsonfile.read(os.path.join(export_path, METADATA_FILE))


def sample_shape(generator, latent_dim, num_classes=0):
    """The shape of one sample of ``generator`` (without the batch axis).

    A functional or Sequential model says it (``output_shape``); a subclassed
    one is called once on a zero ``z`` (and class 0).
    """
    try:
        shape = generator.output_shape
        shape = shape[0] if isinstance(shape, list) else shape  # samples first (`samples_of`)
        return tuple(int(d) for d in shape[1:])
    except AttributeError:  # subclassed models have no output_shape
        z = tf.zeros([1, latent_dim])
        out = generator([z, tf.zeros([1], tf.int32)] if num_classes else z, training=False)
        return tuple(int(d) for d in samples_of(out)[0].shape[1:])


def export_metadata(kind, network, **fields):
    """What a client needs to know of an export of ``network`` (a generator): the
    fields every export has, with their defaults, then ``fields`` (``step``,
    ``class_names``, ``latent_dim``, ``signatures``, ``model`` class name, ...)."""
    latent_dim, num_classes = fields.get("latent_dim", 0), fields.get("num_classes", 0)
    return {
        "kind": kind,
        "latent_dim": 0,
        "num_classes": 0,
        "class_names": None,
        "image_shape": list(sample_shape(network, latent_dim, num_classes)),
        "value_range": [-1.0, 1.0],
        "step": None,
        "ema": False,
        **fields,
    }


def metadata_endpoint(metadata):
    """The ``metadata`` signature: ``(fn, input_signature)`` returning the fields of
    `export_metadata`'s dict (``step`` -1: not recorded)."""
    text = json.dumps(metadata, sort_keys=True)

    def fn(unused):
        del unused
        return {
            "json": tf.constant(text),
            "latent_dim": tf.constant(metadata["latent_dim"], tf.int32),
            "num_classes": tf.constant(metadata["num_classes"], tf.int32),
            "class_names": tf.constant(metadata["class_names"] or [], tf.string),
            "image_shape": tf.constant(metadata["image_shape"], tf.int32),
            "step": tf.constant(-1 if metadata["step"] is None else metadata["step"], tf.int64),
        }

    return fn, [tf.TensorSpec([None], tf.int32, name="unused")]


def prediction_logs(inputs_by_signature, model_name):
    """One `PredictionLog` per signature from ``{signature: {input: tensor}}``."""
    from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2

    logs = []
    for signature, tensors in inputs_by_signature.items():
        request = predict_pb2.PredictRequest(
            model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature)
        )
        for key, value in tensors.items():
            request.inputs[key].CopyFrom(tf.make_tensor_proto(np.asarray(value)))
        logs.append(
            prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)
            )
        )
    return logs


def write_warmup(export_path, logs):
    path = os.path.join(export_path, WARMUP_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for log in logs:
            writer.write(log.SerializeToString())
    return path


def write_version(archive, base_dir, warmup, version=None, metadata=None):
    """Writes ``archive``, its warm-up requests and ``metadata`` (a dict, to
    `METADATA_FILE`) as ``<base_dir>/<version>``, atomically.

    ``warmup(model_name)`` returns the `PredictionLog` list. Returns the path.

    Raises:
      FileExistsError: ``version`` is given and already exists.
    """
    version = next_version(base_dir) if version is None else int(version)
    final = os.path.join(base_dir, str(version))
    if os.path.exists(final):
        raise FileExistsError(
            f"Export version {final} already exists; versions are never overwritten. "
            f"Leave the version unset to take the next free one."
        )
    os.makedirs(base_dir, exist_ok=True)
    tmp = os.path.join(base_dir, f".tmp-{version}-{uuid.uuid4().hex}")
    model_name = os.path.basename(os.path.normpath(base_dir))
    try:
        archive.write_out(tmp, verbose=False)
        write_warmup(tmp, warmup(model_name))
        if metadata is not None:
            with open(os.path.join(tmp, METADATA_FILE), "w") as f:
                json.dump(metadata, f, indent=2, sort_keys=True)
        os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final

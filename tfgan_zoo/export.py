"""Exporting generators as SavedModels for TensorFlow Serving.

`export_generator` writes ``<base_dir>/<version>/`` where version is the next
free integer, the layout ``tensorflow_model_server --model_base_path=<base_dir>``
watches. The SavedModel is written to a temporary directory beside it and
renamed into place, so a server never loads a half-written version, and an
existing version is never overwritten. Serving needs no project code.

Signatures (``label`` only for conditional generators, ``num_classes > 0``):

- ``serving_default``: ``z`` float32 ``[batch, latent_dim]`` (and ``label``
  int32 ``[batch]``);
- ``sample``: ``seed`` int64 ``[batch]`` (and ``label``): the latent of each
  example is drawn by a stateless RNG from its own seed, so "image 42" is the
  same image in every request and batch;
- ``sample_truncated``: ``seed`` and ``truncation`` float32 ``[batch]`` (> 0):
  the same draw squeezed into ``[-truncation, truncation]`` per coordinate
  (the truncation trick: higher fidelity, less variety).

Each returns ``images`` (float32 in [-1, 1]) and ``images_uint8`` (uint8).
Image-to-image generators (Pix2Pix, CycleGAN) are exported by
`export_translator`, with signatures that take an ``image``.
Malformed requests fail with an InvalidArgument error that says what was
wrong: the latent width and dtypes are fixed by the signatures, and labels
and truncations are range-checked.

``assets.extra/tf_serving_warmup_requests`` holds one `PredictionLog` per
signature, which TF Serving replays at load so the first real request is fast.
"""

import os
import shutil
import uuid

import keras
import numpy as np
import tensorflow as tf

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")
_UNIFORM_EPS = 1e-7


def next_version(base_dir):
    """The smallest integer greater than every numeric version in ``base_dir`` (1 if none)."""
    if not os.path.isdir(base_dir):
        return 1
    versions = [int(n) for n in os.listdir(base_dir) if n.isdigit()]
    return max(versions, default=0) + 1


def latent_from_seeds(seeds, latent_dim, truncation=None):
    """Deterministic standard-normal latents ``[batch, latent_dim]``, one per int seed.

    Row ``i`` depends on ``seeds[i]`` alone (stateless RNG, inverse normal CDF
    of uniform draws). With ``truncation`` ``[batch]``, row ``i`` is the same
    draw conditioned on ``|z| <= truncation[i]`` coordinate-wise.
    """
    seeds = tf.cast(seeds, tf.int64)
    uniform = tf.map_fn(
        lambda s: tf.random.stateless_uniform([latent_dim], tf.stack([s, tf.zeros_like(s)])),
        seeds,
        fn_output_signature=tf.float32,
    )
    uniform = tf.clip_by_value(uniform, _UNIFORM_EPS, 1.0 - _UNIFORM_EPS)
    if truncation is not None:
        low = 0.5 * tf.math.erfc(tf.cast(truncation, tf.float32) / tf.sqrt(2.0))[:, None]
        uniform = low + uniform * (1.0 - 2.0 * low)
    return tf.math.ndtri(uniform)


def _to_uint8(images):
    return tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)


def _outputs(images):
    """Every signature's outputs: ``images`` as float32 in [-1, 1] and as uint8."""
    images = tf.cast(images, tf.float32)
    return {"images": images, "images_uint8": _to_uint8(images)}


class _Signatures:
    """The serving functions of one generator; see the module docstring."""

    def __init__(self, generator, latent_dim, num_classes):
        self.generator = generator
        self.latent_dim = latent_dim
        self.num_classes = num_classes

    def _checked_label(self, label, batch):
        """``label``, usable only after its checks pass (so the error is ours)."""
        checks = [
            tf.debugging.assert_equal(
                tf.size(label), batch, message="label must hold one class id per example"
            ),
            tf.debugging.assert_non_negative(label, message="label must be >= 0"),
            tf.debugging.assert_less(
                label,
                tf.cast(self.num_classes, label.dtype),
                message=f"label out of range: this generator has {self.num_classes} classes "
                f"(0..{self.num_classes - 1})",
            ),
        ]
        with tf.control_dependencies(checks):
            return tf.identity(label)

    def generate(self, z, label=None):
        if label is None:
            images = self.generator(z, training=False)
        else:
            label = self._checked_label(label, tf.shape(z)[0])
            images = self.generator([z, label], training=False)
        return _outputs(images)

    def sample(self, seed, label=None):
        return self.generate(latent_from_seeds(seed, self.latent_dim), label)

    def sample_truncated(self, seed, truncation, label=None):
        checks = [
            tf.debugging.assert_equal(
                tf.size(truncation),
                tf.size(seed),
                message="truncation must hold one value per seed",
            ),
            tf.debugging.assert_positive(truncation, message="truncation must be > 0"),
        ]
        with tf.control_dependencies(checks):
            truncation = tf.identity(truncation)
        return self.generate(latent_from_seeds(seed, self.latent_dim, truncation), label)

    def endpoints(self):
        """``{name: (fn, input_signature)}`` for every signature."""
        z = tf.TensorSpec([None, self.latent_dim], tf.float32, name="z")
        seed = tf.TensorSpec([None], tf.int64, name="seed")
        truncation = tf.TensorSpec([None], tf.float32, name="truncation")
        if not self.num_classes:
            return {
                "serving_default": (lambda z: self.generate(z), [z]),
                "sample": (lambda seed: self.sample(seed), [seed]),
                "sample_truncated": (self.sample_truncated, [seed, truncation]),
            }
        label = tf.TensorSpec([None], tf.int32, name="label")
        return {
            "serving_default": (lambda z, label: self.generate(z, label), [z, label]),
            "sample": (lambda seed, label: self.sample(seed, label), [seed, label]),
            "sample_truncated": (
                lambda seed, truncation, label: self.sample_truncated(seed, truncation, label),
                [seed, truncation, label],
            ),
        }


def build_archive(generator, latent_dim, num_classes=0):
    """A `keras.export.ExportArchive` holding the serving signatures of ``generator``."""
    archive = keras.export.ExportArchive()
    archive.track(generator)
    for name, (fn, signature) in (
        _Signatures(generator, latent_dim, num_classes).endpoints().items()
    ):
        archive.add_endpoint(name=name, fn=fn, input_signature=signature)
    return archive


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


def warmup_requests(latent_dim, num_classes=0, model_name="generator", batch_size=2):
    """One `PredictionLog` per generator signature, each a valid request of ``batch_size``."""
    label = {"label": np.zeros([batch_size], np.int32)} if num_classes else {}
    seed = np.arange(batch_size, dtype=np.int64)
    inputs = {
        "serving_default": {"z": np.zeros([batch_size, latent_dim], np.float32), **label},
        "sample": {"seed": seed, **label},
        "sample_truncated": {
            "seed": seed,
            "truncation": np.ones([batch_size], np.float32),
            **label,
        },
    }
    return prediction_logs(inputs, model_name)


def write_warmup(export_path, logs):
    path = os.path.join(export_path, WARMUP_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for log in logs:
            writer.write(log.SerializeToString())
    return path


def write_version(archive, base_dir, warmup, version=None):
    """Writes ``archive`` and its warm-up requests as ``<base_dir>/<version>``, atomically.

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
        os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def export_generator(generator, latent_dim, base_dir, num_classes=0, version=None):
    """Exports ``generator`` under ``<base_dir>/<version>``; returns the final path.

    Args:
      generator: a Keras model; called on ``z`` or, when ``num_classes > 0``,
        on ``[z, label]``.
      latent_dim: width of ``z``.
      base_dir: the model's directory, e.g. ``saved_models/dcgan_fashion_mnist``.
      num_classes: number of classes of a conditional generator (0: unconditional).
      version: an explicit integer version; by default the next free one.

    Raises:
      FileExistsError: ``version`` is given and already exists.
    """
    return write_version(
        build_archive(generator, latent_dim, num_classes),
        base_dir,
        lambda name: warmup_requests(latent_dim, num_classes, name),
        version,
    )


def _translate(generator, image):
    """Resizes ``image`` (float in [-1, 1]) to the generator's input size and translates it."""
    height, width = generator.input_shape[1:3]
    x = tf.image.resize(image, (height, width), antialias=True)
    return _outputs(generator(tf.clip_by_value(x, -1.0, 1.0), training=False))


def _translation_endpoints(generator, name):
    """``{name: uint8 endpoint, name_float: float endpoint}`` of one generator."""
    shape = [None, None, None, generator.input_shape[-1]]

    def from_uint8(image):
        return _translate(generator, tf.cast(image, tf.float32) / 127.5 - 1.0)

    def from_float(image):
        check = tf.debugging.assert_less_equal(
            tf.reduce_max(tf.abs(image)),
            1.0,
            message=f"{name}_float takes images scaled to [-1, 1]; send uint8 pixels "
            f"(0..255) to the {name} signature instead",
        )
        with tf.control_dependencies([check]):
            return _translate(generator, tf.identity(image))

    return {
        name: (from_uint8, tf.TensorSpec(shape, tf.uint8, "image")),
        f"{name}_float": (from_float, tf.TensorSpec(shape, tf.float32, "image")),
    }


def export_translator(generators, base_dir, version=None):
    """Exports image-to-image generators under ``<base_dir>/<version>``; returns the path.

    Args:
      generators: ``{direction: keras model}``, e.g. ``{"translate": g}`` for
        Pix2Pix or ``{"a_to_b": g, "b_to_a": f}`` for CycleGAN. Each direction
        gets a signature of that name taking ``image`` uint8 ``[batch, H, W,
        C]`` (any H and W: images are resized to the generator's size) and one
        named ``<direction>_float`` taking float32 images in [-1, 1]. The
        first direction is also ``serving_default`` (uint8). All return
        ``images`` (float32 in [-1, 1]) and ``images_uint8``.
      base_dir: the model's directory.
      version: an explicit integer version; by default the next free one.

    Raises:
      FileExistsError: ``version`` is given and already exists.
    """
    archive = keras.export.ExportArchive()
    endpoints, warmup_inputs = {}, {}
    for direction, generator in generators.items():
        archive.track(generator)
        for name, (fn, spec) in _translation_endpoints(generator, direction).items():
            if not endpoints:
                endpoints["serving_default"] = (fn, spec)
            endpoints[name] = (fn, spec)
            image = np.zeros((2, *generator.input_shape[1:]), spec.dtype.as_numpy_dtype)
            warmup_inputs.setdefault("serving_default", {"image": image})
            warmup_inputs[name] = {"image": image}
    for name, (fn, spec) in endpoints.items():
        archive.add_endpoint(name=name, fn=fn, input_signature=[spec])
    return write_version(
        archive, base_dir, lambda model_name: prediction_logs(warmup_inputs, model_name), version
    )


def main(argv):
    """``python -m tfgan_zoo.export --model_dir=runs/x --export_dir=saved_models/x``."""
    from absl import app, flags

    from tfgan_zoo import trainer
    from tfgan_zoo.train import setup_logging

    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    setup_logging()
    fv = flags.FLAGS
    try:
        model, config = trainer.restore_model(fv.model_dir)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"ERROR: {e}") from None
    path = model.export_serving(fv.export_dir, fv.version)
    print(f"Exported step {int(model.g_optimizer.iterations)} of {fv.model_dir} to {path}")


def run():
    from absl import app, flags

    flags.DEFINE_string("model_dir", None, "Training directory (checkpoints and run.json).")
    flags.DEFINE_string("export_dir", None, "Export to <export_dir>/<version>/.")
    flags.DEFINE_integer("version", None, "Explicit version number (default: next free).")
    flags.mark_flags_as_required(["model_dir", "export_dir"])
    app.run(main)


if __name__ == "__main__":
    run()

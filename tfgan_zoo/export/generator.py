"""The serving signatures of a generator (``serving_default``, ``sample``,
``sample_truncated``, ``metadata``) and `export_generator`."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.export.checks import (
    after_checks,
    checked_latent,
    checked_vector,
    inference,
    signature_outputs,
)
from tfgan_zoo.export.versions import (
    export_metadata,
    metadata_endpoint,
    prediction_logs,
    sample_shape,
    write_version,
)
from tfgan_zoo.seeds import latent_from_seeds


class _Signatures:
    """The serving functions of one generator; see the module docstring."""

    def __init__(self, generator, latent_dim, num_classes, latent="normal"):
        self.generator = generator
        self.latent_dim = latent_dim
        self.shape = sample_shape(generator, latent_dim, num_classes)
        self.num_classes = num_classes
        self.latent = latent

    def _checked_label(self, label, batch):
        """``label``, usable only after its checks pass (so the error is ours)."""
        label = checked_vector(label, "label", "class id")
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
        return after_checks(label, checks)

    def generate(self, z, label=None, png=False):
        z = checked_latent(z, self.latent_dim)
        if label is None:
            images = inference(self.generator, z, self.shape)
        else:
            label = self._checked_label(label, tf.shape(z)[0])
            images = inference(self.generator, [z, label], self.shape)
        return signature_outputs(images, png and self.images)

    @property
    def images(self):
        """Whether the generator makes images (toy generators make 2-D points)."""
        return len(self.shape) == 3

    def sample(self, seed, label=None):
        seed = checked_vector(seed, "seed", "int64 seed")
        z = latent_from_seeds(seed, self.latent_dim, distribution=self.latent)
        return self.generate(z, label, png=True)

    def sample_truncated(self, seed, truncation, label=None):
        seed = checked_vector(seed, "seed", "int64 seed")
        truncation = checked_vector(truncation, "truncation", "float truncation")
        checks = [
            tf.debugging.assert_equal(
                tf.size(truncation),
                tf.size(seed),
                message="truncation must hold one value per seed",
            ),
            tf.debugging.assert_positive(truncation, message="truncation must be > 0"),
        ]
        truncation = after_checks(truncation, checks)
        z = latent_from_seeds(seed, self.latent_dim, truncation, self.latent)
        return self.generate(z, label)

    def endpoints(self):
        """``{name: (fn, input_signature)}`` for every signature."""
        # Shape unknown to the graph: TF Serving feeds any shape, and the checks of
        # rank and width (with messages) must not be folded away as statically true.
        z = tf.TensorSpec(None, tf.float32, name="z")
        seed = tf.TensorSpec(None, tf.int64, name="seed")
        truncation = tf.TensorSpec(None, tf.float32, name="truncation")
        if not self.num_classes:
            return {
                "serving_default": (lambda z: self.generate(z), [z]),
                "sample": (lambda seed: self.sample(seed), [seed]),
                "sample_truncated": (self.sample_truncated, [seed, truncation]),
            }
        label = tf.TensorSpec(None, tf.int32, name="label")
        return {
            "serving_default": (lambda z, label: self.generate(z, label), [z, label]),
            "sample": (lambda seed, label: self.sample(seed, label), [seed, label]),
            "sample_truncated": (
                lambda seed, truncation, label: self.sample_truncated(seed, truncation, label),
                [seed, truncation, label],
            ),
        }


def build_archive(generator, latent_dim, num_classes=0, metadata=None):
    """A `keras.export.ExportArchive` holding the serving signatures of ``generator``
    (and the ``metadata`` signature, given the metadata dict; its ``latent``
    field picks the noise of ``sample``)."""
    archive = keras.export.ExportArchive()
    archive.track(generator)
    latent = (metadata or {}).get("latent", "normal")
    endpoints = _Signatures(generator, latent_dim, num_classes, latent).endpoints()
    if metadata is not None:
        endpoints["metadata"] = metadata_endpoint(metadata)
    for name, (fn, signature) in endpoints.items():
        archive.add_endpoint(name=name, fn=fn, input_signature=signature)
    return archive


def generator_metadata(generator, latent_dim, num_classes=0, latent="normal", **extra):
    """`export_metadata` of a generator export; ``extra`` adds fields. An unconditional
    generator has no classes: its ``class_names`` is None (null) whatever the data's
    labels were, as its ``num_classes`` is 0."""
    if not num_classes:
        extra["class_names"] = None
    return export_metadata(
        "conditional_generator" if num_classes else "generator",
        generator,
        latent_dim=int(latent_dim),
        latent=latent,
        num_classes=int(num_classes),
        signatures=["serving_default", "sample", "sample_truncated", "metadata"],
        **extra,
    )


def warmup_requests(latent_dim, num_classes=0, model_name="generator", batch_size=2):
    """One `PredictionLog` per generator signature, each a valid request of ``batch_size``."""
    label = {"label": np.zeros([batch_size], np.int32)} if num_classes else {}
    seed = np.arange(batch_size, dtype=np.int64)
    inputs = {
        "metadata": {"unused": np.zeros([1], np.int32)},
        "serving_default": {"z": np.zeros([batch_size, latent_dim], np.float32), **label},
        "sample": {"seed": seed, **label},
        "sample_truncated": {
            "seed": seed,
            "truncation": np.ones([batch_size], np.float32),
            **label,
        },
    }
    return prediction_logs(inputs, model_name)


def export_generator(generator, latent_dim, base_dir, num_classes=0, version=None, **metadata):
    """Exports ``generator`` under ``<base_dir>/<version>``; returns the final path.

    Args:
      generator: a Keras model; called on ``z`` or, when ``num_classes > 0``,
        on ``[z, label]``.
      latent_dim: width of ``z``.
      base_dir: the model's directory, e.g. ``saved_models/dcgan_fashion_mnist``.
      num_classes: number of classes of a conditional generator (0: unconditional).
      version: an explicit integer version; by default the next free one.
      **metadata: fields of the export's metadata (`generator_metadata`), such
        as ``step`` and ``class_names``.

    Raises:
      FileExistsError: ``version`` is given and already exists.
    """
    metadata = generator_metadata(generator, latent_dim, num_classes, **metadata)
    return write_version(
        build_archive(generator, latent_dim, num_classes, metadata),
        base_dir,
        lambda name: warmup_requests(latent_dim, num_classes, name),
        version,
        metadata,
    )

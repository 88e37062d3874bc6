"""The serving signatures of image-to-image generators (Pix2Pix, CycleGAN):
uint8, float and encoded images in, and `export_translator`."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.export.checks import (
    after_checks,
    decoded_images,
    inference,
    signature_outputs,
)
from tfgan_zoo.export.versions import (
    export_metadata,
    metadata_endpoint,
    prediction_logs,
    write_version,
)
from tfgan_zoo.images import from_uint8


def _translate(generator, image, png=False):
    """Checks ``image`` (float in [-1, 1]), resizes it to the generator's input size
    and translates it."""
    height, width, channels = generator.input_shape[1:]
    shape = f"image must be [batch, height, width, {channels}]"
    image = after_checks(image, [tf.debugging.assert_rank(image, 4, message=shape)])
    grey = "; grey images: 1" if channels == 1 else ""
    image = after_checks(
        image,
        [tf.debugging.assert_equal(
            tf.shape(image)[-1], channels,
            message=f"image must have {channels} channel(s): [batch, height, width, "
            f"{channels}]{grey}",
        )],
    )  # fmt: skip
    image = tf.reshape(image, tf.concat([tf.shape(image)[:3], [channels]], 0))  # see above
    image.set_shape([None, None, None, channels])
    x = tf.image.resize(image, (height, width), antialias=True)
    x = tf.clip_by_value(x, -1.0, 1.0)
    return signature_outputs(inference(generator, x, generator.output_shape[1:]), png)


def _translation_endpoints(generator, name):
    """``{name: uint8, name_float: float32, name_png: encoded}`` endpoints of one generator.

    The image specs leave the shape unknown to the graph, so that the checks
    of rank and channels (with messages saying what was expected) are not
    folded away.
    """
    shape = None
    height, width, channels = generator.input_shape[1:]

    def from_uint8_images(image):
        return _translate(generator, from_uint8(image))

    def from_float(image):
        check = tf.debugging.assert_less_equal(
            tf.reduce_max(tf.abs(image)),
            1.0,
            message=f"{name}_float takes images scaled to [-1, 1]; send uint8 pixels "
            f"(0..255) to the {name} signature instead",
        )
        return _translate(generator, after_checks(image, [check]))

    def from_bytes(image_bytes):
        decoded = decoded_images(image_bytes, channels, (height, width))
        return signature_outputs(
            inference(generator, decoded, generator.output_shape[1:]), png=True
        )

    return {
        name: (from_uint8_images, tf.TensorSpec(shape, tf.uint8, "image")),
        f"{name}_float": (from_float, tf.TensorSpec(shape, tf.float32, "image")),
        f"{name}_png": (from_bytes, tf.TensorSpec(None, tf.string, "image_bytes")),
    }


def _warmup_input(generator, spec):
    """A valid two-example input for one translation endpoint."""
    if spec.dtype == tf.string:
        png = tf.io.encode_png(np.zeros(generator.input_shape[1:], np.uint8)).numpy()
        return np.array([png, png], dtype=object)
    return np.zeros((2, *generator.input_shape[1:]), spec.dtype.as_numpy_dtype)


def export_translator(generators, base_dir, version=None, **metadata):
    """Exports image-to-image generators under ``<base_dir>/<version>``; returns the path.

    Args:
      generators: ``{direction: keras model}``, e.g. ``{"translate": g}`` for
        Pix2Pix or ``{"a_to_b": g, "b_to_a": f}`` for CycleGAN. Each direction
        gets a signature of that name taking ``image`` uint8 ``[batch, H, W,
        C]`` (any H and W: images are resized to the generator's size) and one
        named ``<direction>_float`` taking float32 images in [-1, 1], and one
        named ``<direction>encode_pngs`` taking encoded images ``image_bytes`` string
        ``[batch]`` (PNG, JPEG, GIF or BMP; REST: ``{"b64": ...}``). The
        first direction is also ``serving_default`` (uint8). All return
        ``images`` (float32 in [-1, 1]) and ``images_uint8``; ``encode_pngs`` also
        ``png_bytes``.
      base_dir: the model's directory.
      version: an explicit integer version; by default the next free one.
      **metadata: extra fields of the export's metadata (``step``, ``model``).

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
            inputs = {spec.name: _warmup_input(generator, spec)}
            warmup_inputs.setdefault("serving_default", inputs)
            warmup_inputs[name] = inputs
    first = next(iter(generators.values()))
    metadata = export_metadata(
        "translator",
        first,
        directions=list(generators),
        input_shape=[int(d) for d in first.input_shape[1:]],
        signatures=[*endpoints, "metadata"],
        **metadata,
    )
    archive.add_endpoint("metadata", *metadata_endpoint(metadata))
    warmup_inputs["metadata"] = {"unused": np.zeros([1], np.int32)}
    for name, (fn, spec) in endpoints.items():
        archive.add_endpoint(name=name, fn=fn, input_signature=[spec])
    return write_version(
        archive,
        base_dir,
        lambda model_name: prediction_logs(warmup_inputs, model_name),
        version,
        metadata,
    )

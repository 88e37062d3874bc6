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
  same image in every request and batch; from the distribution the generator
  was trained on (metadata ``latent``: ``normal``, or ``uniform`` in [-1, 1]);
- ``sample_truncated``: ``seed`` and ``truncation`` float32 ``[batch]`` (> 0):
  the same draw squeezed into ``[-truncation, truncation]`` per coordinate
  (the truncation trick: higher fidelity, less variety).

Each returns ``images`` (float32 in [-1, 1]) and ``images_uint8`` (uint8);
``sample`` also ``png_bytes`` (one PNG per example, for web clients; REST
returns it as ``{"b64": ...}``).

- ``metadata``: takes ``unused`` int32 ``[n]`` (TF Serving's REST API needs
  an input; send ``[0]``) and returns ``json`` (every field below as one JSON
  string) and the fields ``latent_dim``, ``num_classes``, ``class_names``,
  ``image_shape`` and ``step``.

The same fields are in ``assets.extra/tfgan_zoo.json`` (`read_metadata`):
the kind of export, latent width and distribution, classes and their names, image shape,
value range, the training step and whether the weights are an EMA.
Image-to-image generators (Pix2Pix, CycleGAN) are exported by
`export_translator`, with signatures that take an ``image``.
Malformed requests fail with an InvalidArgument error that says what was
wrong: ``z`` of the wrong width or rank, or holding NaN/Inf, labels out of
range, truncations that are not positive, images with the wrong channel
count. The checks run inside the graph, since TF Serving feeds tensors
without checking their shapes against the signature.

``assets.extra/tf_serving_warmup_requests`` holds one `PredictionLog` per
signature, which TF Serving replays at load so the first real request is fast.
"""

import json
import os
import shutil
import uuid

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.data import files
from tfgan_zoo.seeds import latent_from_seeds

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")
METADATA_FILE = os.path.join("assets.extra", "tfgan_zoo.json")


def next_version(base_dir):
    """The smallest integer greater than every numeric version in ``base_dir`` (1 if none)."""
    if not os.path.isdir(base_dir):
        return 1
    versions = [int(n) for n in os.listdir(base_dir) if n.isdigit()]
    return max(versions, default=0) + 1


def _to_uint8(images):
    return tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)


def _png(images_uint8):
    """One PNG (a string) per image of ``[batch, H, W, C]`` uint8."""
    return tf.map_fn(tf.io.encode_png, images_uint8, fn_output_signature=tf.string)


def _inference(network, inputs, shape):
    """``network(inputs, training=False)`` as float32; a batch of 0 gives ``[0, *shape]``.

    The empty case is answered without calling the network: with oneDNN on
    (TF 2.21's default on x86), ``Conv2D`` on a batch of 0 returns its input
    unchanged, so a convolutional network would answer an empty request with
    the wrong shape. ``shape`` is one sample's shape.
    """
    first = tf.nest.flatten(inputs)[0]
    return tf.cond(
        tf.shape(first)[0] > 0,
        lambda: tf.cast(network(inputs, training=False), tf.float32),
        lambda: tf.zeros([0, *shape]),
    )


def _outputs(images, png=False):
    """A signature's outputs: ``images`` as float32 in [-1, 1], as uint8 and, with
    ``png``, as one PNG per image (``png_bytes``: REST sends it as ``{"b64": ...}``)."""
    images = tf.cast(images, tf.float32)
    outputs = {"images": images, "images_uint8": _to_uint8(images)}
    if png:
        outputs["png_bytes"] = _png(outputs["images_uint8"])
    return outputs


# The first bytes of the encodings tf.io.decode_image reads.
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")


_TRUNCATED = ("image_bytes holds a truncated or corrupt image file (it ends before its "
              "format's end: PNG's IEND chunk, JPEG's end-of-image marker, GIF's trailer, "
              "BMP's declared size): send whole files")  # fmt: skip
_EMPTY = "image_bytes holds an image of 0 pixels (0 wide or high): send an image with pixels"


def _whole(one):
    """Whether one encoded image ends where its format says: a PNG with its IEND
    chunk, a JPEG with its end-of-image marker (FF D9) in its last 64 bytes, a GIF
    with its trailer (';'), a BMP at least as long as its header declares. The
    decoders fail on the others with messages of their own; this names the input."""
    length = tf.strings.length(one)

    def tail(k):
        return tf.strings.substr(one, tf.maximum(length - k, 0), k)

    def starts(magic):
        return tf.equal(tf.strings.substr(one, 0, len(magic)), magic)

    last = tf.strings.bytes_split(tail(64))
    eoi = tf.reduce_any(tf.logical_and(tf.equal(last[:-1], b"\xff"), tf.equal(last[1:], b"\xd9")))
    declared = tf.io.decode_raw(tf.strings.substr(one + b"\x00" * 6, 2, 4), tf.int32)[0]
    return tf.reduce_any([
        tf.logical_and(starts(b"\x89PNG"), tf.equal(tail(8), b"IEND\xaeB`\x82")),
        tf.logical_and(starts(b"\xff\xd8\xff"), eoi),
        tf.logical_and(starts(b"GIF8"), tf.equal(tail(1), b";")),
        tf.logical_and(starts(b"BM"), declared <= length),
    ])  # fmt: skip


def _has_pixels(one):
    """Whether the header of a PNG, GIF or BMP declares a width and height above 0
    (their decoders refuse a 0 with messages of their own); True for JPEG, whose
    decoded size is checked instead."""

    def number(offset, width, dtype, little_endian):
        field = tf.strings.substr(one + b"\x00" * 32, offset, width)
        return tf.cast(tf.io.decode_raw(field, dtype, little_endian=little_endian)[0], tf.int64)

    png = tf.minimum(number(16, 4, tf.int32, False), number(20, 4, tf.int32, False))
    gif = tf.minimum(number(6, 2, tf.uint16, True), number(8, 2, tf.uint16, True))
    bmp = tf.minimum(number(18, 4, tf.int32, True), tf.abs(number(22, 4, tf.int32, True)))
    size = tf.case([(tf.equal(tf.strings.substr(one, 0, 4), b"\x89PNG"), lambda: png),
                    (tf.equal(tf.strings.substr(one, 0, 4), b"GIF8"), lambda: gif),
                    (tf.equal(tf.strings.substr(one, 0, 2), b"BM"), lambda: bmp)],
                   default=lambda: tf.constant(1, tf.int64))  # fmt: skip
    return size > 0


def _decoded(image_bytes, channels, size):
    """Encoded images (PNG, JPEG, GIF, BMP; any size) as float32 ``[batch, *size, channels]``."""
    image_bytes = _checked_vector(image_bytes, "image_bytes", "encoded image")
    known = tf.reduce_any(
        [tf.equal(tf.strings.substr(image_bytes, 0, len(m)), m) for m in _IMAGE_MAGIC], axis=0
    )
    image_bytes = _checked(
        image_bytes,
        [tf.debugging.assert_equal(
            tf.reduce_all(known), True,
            message="image_bytes must hold PNG, JPEG, GIF or BMP files (REST: "
            '{"b64": "<base64 of the file>"})',
        )],
    )  # fmt: skip

    def decode(one):
        one = _checked(one, [tf.debugging.Assert(_whole(one), [_TRUNCATED])])
        one = _checked(one, [tf.debugging.Assert(_has_pixels(one), [_EMPTY])])
        image = files.decode(one, channels)  # any colour mode to the generator's channels
        pixels = tf.debugging.Assert(tf.size(image) > 0, [_EMPTY])
        image = _checked(tf.cast(image, tf.float32), [pixels])
        image = tf.image.resize(image, size, antialias=True)
        return tf.ensure_shape(image, [*size, channels])

    images = tf.map_fn(decode, image_bytes, fn_output_signature=tf.float32)
    return tf.clip_by_value(images / 127.5 - 1.0, -1.0, 1.0)


def _checked(tensor, checks):
    """``tensor`` usable only after ``checks`` pass, so a bad request gets their message."""
    with tf.control_dependencies(checks):
        return tf.identity(tensor)


def _checked_vector(tensor, name, what):
    """``tensor`` as ``[batch]``, after a check that it holds one value per example.

    Its signature leaves the rank open, as for ``z``: a declared ``[None]``
    would make the check statically true, and TF Serving feeds any shape.
    """
    message = f"{name} must be [batch]: one {what} per example"
    checked = _checked(tensor, [tf.debugging.assert_rank(tensor, 1, message=message)])
    return tf.reshape(checked, [-1])


def _checked_latent(z, latent_dim):
    """``z`` of static shape ``[batch, latent_dim]``, after checks with clear messages.

    The rank is checked before the width, whose check would fail less clearly
    on a tensor of another rank.
    """
    shape = f"z must be [batch, {latent_dim}]"
    z = _checked(z, [tf.debugging.assert_rank(z, 2, message=shape)])
    width = tf.debugging.assert_equal(
        tf.shape(z)[-1], latent_dim,
        message=f"{shape}: this generator takes latent vectors of width {latent_dim}",
    )  # fmt: skip
    z = tf.debugging.assert_all_finite(
        _checked(z, [width]), "z holds NaN or Inf: send finite latent values"
    )
    # A reshape, not tf.ensure_shape: the function runtime checks an EnsureShape
    # against the fed shape before the assertions above run, with its own message.
    return tf.reshape(z, [-1, latent_dim])


def sample_shape(generator, latent_dim, num_classes=0):
    """The shape of one sample of ``generator`` (without the batch axis).

    A functional or Sequential model says it (``output_shape``); a subclassed
    one is called once on a zero ``z`` (and class 0).
    """
    try:
        return tuple(int(d) for d in generator.output_shape[1:])
    except AttributeError:  # subclassed models have no output_shape
        z = tf.zeros([1, latent_dim])
        out = generator([z, tf.zeros([1], tf.int32)] if num_classes else z, training=False)
        return tuple(int(d) for d in out.shape[1:])


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


def read_metadata(export_path):
    """The ``assets.extra/tfgan_zoo.json`` of one export version (None if it has none)."""
    path = os.path.join(export_path, METADATA_FILE)
    if not tf.io.gfile.exists(path):
        return None
    with tf.io.gfile.GFile(path) as f:
        return json.load(f)


def latest_version(base_dir):
    """The path of the newest numeric version under ``base_dir``, or None."""
    version = next_version(base_dir) - 1
    return os.path.join(base_dir, str(version)) if version else None


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
        label = _checked_vector(label, "label", "class id")
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
        return _checked(label, checks)

    def generate(self, z, label=None, png=False):
        z = _checked_latent(z, self.latent_dim)
        if label is None:
            images = _inference(self.generator, z, self.shape)
        else:
            label = self._checked_label(label, tf.shape(z)[0])
            images = _inference(self.generator, [z, label], self.shape)
        return _outputs(images, png and self.images)

    @property
    def images(self):
        """Whether the generator makes images (toy generators make 2-D points)."""
        return len(self.shape) == 3

    def sample(self, seed, label=None):
        seed = _checked_vector(seed, "seed", "int64 seed")
        z = latent_from_seeds(seed, self.latent_dim, distribution=self.latent)
        return self.generate(z, label, png=True)

    def sample_truncated(self, seed, truncation, label=None):
        seed = _checked_vector(seed, "seed", "int64 seed")
        truncation = _checked_vector(truncation, "truncation", "float truncation")
        checks = [
            tf.debugging.assert_equal(
                tf.size(truncation),
                tf.size(seed),
                message="truncation must hold one value per seed",
            ),
            tf.debugging.assert_positive(truncation, message="truncation must be > 0"),
        ]
        truncation = _checked(truncation, checks)
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


def _translate(generator, image, png=False):
    """Checks ``image`` (float in [-1, 1]), resizes it to the generator's input size
    and translates it."""
    height, width, channels = generator.input_shape[1:]
    shape = f"image must be [batch, height, width, {channels}]"
    image = _checked(image, [tf.debugging.assert_rank(image, 4, message=shape)])
    grey = "; grey images: 1" if channels == 1 else ""
    image = _checked(
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
    return _outputs(_inference(generator, x, generator.output_shape[1:]), png)


def _translation_endpoints(generator, name):
    """``{name: uint8, name_float: float32, name_png: encoded}`` endpoints of one generator.

    The image specs leave the shape unknown to the graph, so that the checks
    of rank and channels (with messages saying what was expected) are not
    folded away.
    """
    shape = None
    height, width, channels = generator.input_shape[1:]

    def from_uint8(image):
        return _translate(generator, tf.cast(image, tf.float32) / 127.5 - 1.0)

    def from_float(image):
        check = tf.debugging.assert_less_equal(
            tf.reduce_max(tf.abs(image)),
            1.0,
            message=f"{name}_float takes images scaled to [-1, 1]; send uint8 pixels "
            f"(0..255) to the {name} signature instead",
        )
        return _translate(generator, _checked(image, [check]))

    def from_bytes(image_bytes):
        decoded = _decoded(image_bytes, channels, (height, width))
        return _outputs(_inference(generator, decoded, generator.output_shape[1:]), png=True)

    return {
        name: (from_uint8, tf.TensorSpec(shape, tf.uint8, "image")),
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
        named ``<direction>_png`` taking encoded images ``image_bytes`` string
        ``[batch]`` (PNG, JPEG, GIF or BMP; REST: ``{"b64": ...}``). The
        first direction is also ``serving_default`` (uint8). All return
        ``images`` (float32 in [-1, 1]) and ``images_uint8``; ``_png`` also
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


if __name__ == "__main__":
    from tfgan_zoo.cli import run_export

    run_export()

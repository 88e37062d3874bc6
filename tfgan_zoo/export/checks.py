"""The checks and conversions inside the serving signatures' graphs.

TF Serving feeds tensors without checking them against a signature's
shapes, so every input is checked in the graph, with a message that says what
was wrong (`after_checks`); encoded images are checked to be whole files with
pixels before they are decoded.
"""

import tensorflow as tf

from tfgan_zoo.data import files
from tfgan_zoo.images import from_uint8, samples_of, to_uint8

# The first bytes of the encodings tf.io.decode_image reads.
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")


TRUNCATED = ("image_bytes holds a truncated or corrupt image file (it ends before its "
              "format's end: PNG's IEND chunk, JPEG's end-of-image marker, GIF's trailer, "
              "BMP's declared size): send whole files")  # fmt: skip


EMPTY = "image_bytes holds an image of 0 pixels (0 wide or high): send an image with pixels"


def encode_pngs(images_uint8):
    """One PNG (a string) per image of ``[batch, H, W, C]`` uint8."""
    return tf.map_fn(tf.io.encode_png, images_uint8, fn_output_signature=tf.string)


def inference(network, inputs, shape):
    """``network(inputs, training=False)`` as float32; a batch of 0 gives ``[0, *shape]``.

    The empty case is answered without calling the network: with oneDNN on
    (TF 2.21's default on x86), ``Conv2D`` on a batch of 0 returns its input
    unchanged, so a convolutional network would answer an empty request with
    the wrong shape. ``shape`` is one sample's shape.
    """
    first = tf.nest.flatten(inputs)[0]
    return tf.cond(
        tf.shape(first)[0] > 0,
        lambda: tf.cast(samples_of(network(inputs, training=False))[0], tf.float32),
        lambda: tf.zeros([0, *shape]),
    )


def signature_outputs(images, png=False):
    """A signature's outputs: ``images`` as float32 in [-1, 1], as uint8 and, with
    ``png``, as one PNG per image (``png_bytes``: REST sends it as ``{"b64": ...}``)."""
    images = tf.cast(images, tf.float32)
    outputs = {"images": images, "images_uint8": to_uint8(images)}
    if png:
        outputs["png_bytes"] = encode_pngs(outputs["images_uint8"])
    return outputs


def is_whole(one):
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


def has_pixels(one):
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


def decoded_images(image_bytes, channels, size):
    """Encoded images (PNG, JPEG, GIF, BMP; any size) as float32 ``[batch, *size, channels]``."""
    image_bytes = checked_vector(image_bytes, "image_bytes", "encoded image")
    known = tf.reduce_any(
        [tf.equal(tf.strings.substr(image_bytes, 0, len(m)), m) for m in IMAGE_MAGIC], axis=0
    )
    image_bytes = after_checks(
        image_bytes,
        [tf.debugging.assert_equal(
            tf.reduce_all(known), True,
            message="image_bytes must hold PNG, JPEG, GIF or BMP files (REST: "
            '{"b64": "<base64 of the file>"})',
        )],
    )  # fmt: skip

    def decode(one):
        one = after_checks(one, [tf.debugging.Assert(is_whole(one), [TRUNCATED])])
        one = after_checks(one, [tf.debugging.Assert(has_pixels(one), [EMPTY])])
        image = files.decode(one, channels)  # any colour mode to the generator's channels
        pixels = tf.debugging.Assert(tf.size(image) > 0, [EMPTY])
        image = after_checks(tf.cast(image, tf.float32), [pixels])
        image = tf.image.resize(image, size, antialias=True)
        return tf.ensure_shape(image, [*size, channels])

    images = tf.map_fn(decode, image_bytes, fn_output_signature=tf.float32)
    return tf.clip_by_value(from_uint8(images), -1.0, 1.0)


def after_checks(tensor, checks):
    """``tensor`` usable only after ``checks`` pass, so a bad request gets their message."""
    with tf.control_dependencies(checks):
        return tf.identity(tensor)


def checked_vector(tensor, name, what):
    """``tensor`` as ``[batch]``, after a check that it holds one value per example.

    Its signature leaves the rank open, as for ``z``: a declared ``[None]``
    would make the check statically true, and TF Serving feeds any shape.
    """
    message = f"{name} must be [batch]: one {what} per example"
    checked = after_checks(tensor, [tf.debugging.assert_rank(tensor, 1, message=message)])
    return tf.reshape(checked, [-1])


def checked_latent(z, latent_dim):
    """``z`` of static shape ``[batch, latent_dim]``, after checks with clear messages.

    The rank is checked before the width, whose check would fail less clearly
    on a tensor of another rank.
    """
    shape = f"z must be [batch, {latent_dim}]"
    z = after_checks(z, [tf.debugging.assert_rank(z, 2, message=shape)])
    width = tf.debugging.assert_equal(
        tf.shape(z)[-1], latent_dim,
        message=f"{shape}: this generator takes latent vectors of width {latent_dim}",
    )  # fmt: skip
    z = tf.debugging.assert_all_finite(
        after_checks(z, [width]), "z holds NaN or Inf: send finite latent values"
    )
    # A reshape, not tf.ensure_shape: the function runtime checks an EnsureShape
    # against the fed shape before the assertions above run, with its own message.
    return tf.reshape(z, [-1, latent_dim])

"""Turning samples into viewable uint8 pictures: image grids and 2-D scatter plots."""

import math

import numpy as np
import tensorflow as tf


def to_uint8(images):
    """Float images in [-1, 1] -> uint8 in [0, 255], rounded half to even; values
    outside the range are clipped. A tensor gives a tensor (usable inside a
    graph, as the serving signatures use it); anything else a NumPy array."""
    if tf.is_tensor(images):
        scaled = tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) * 127.5, 0.0, 255.0)
        return tf.cast(tf.round(scaled), tf.uint8)
    images = np.clip((np.asarray(images, np.float32) + 1.0) * 127.5, 0, 255)
    return np.round(images).astype(np.uint8)


def from_uint8(images):
    """uint8 (or float) pixel values in [0, 255] -> float32 in [-1, 1], the range
    every generator and discriminator here works in. A tensor gives a tensor;
    anything else a NumPy array."""
    if tf.is_tensor(images):
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return np.asarray(images, np.float32) / 127.5 - 1.0


def samples_of(output):
    """``(samples, extras)`` of a generator's output. A generator may return more
    than its samples, as a list with the samples first (StyleGAN's intermediate
    latent ``w``, say): the rest is ``extras`` (a tuple), which training hands to
    `GAN.generator_extra_loss`; sampling, previews and exports keep the samples."""
    if isinstance(output, (list, tuple)):
        return output[0], tuple(output[1:])
    return output, ()


def tile(images, columns=None, pad=2):
    """Tiles ``[N, H, W, C]`` float images in [-1, 1] into one uint8 ``[H', W', C]`` grid."""
    images = to_uint8(images)
    n, h, w, c = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.zeros((rows * (h + pad) + pad, columns * (w + pad) + pad, c), np.uint8)
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        y, x = pad + r * (h + pad), pad + col * (w + pad)
        grid[y : y + h, x : x + w] = image
    return grid


def scatter(points, size=256, extent=None):
    """Draws ``[N, 2]`` points as a white-on-black density image ``[size, size, 1]``.

    ``extent`` is the half-width of the square shown, centered on the origin;
    by default it fits the points.
    """
    points = np.asarray(points, np.float64)
    finite = points[np.isfinite(points).all(axis=1)]
    extent = extent or max(1e-6, 1.1 * np.abs(finite).max(initial=1.0))
    pixels = np.floor((finite + extent) / (2 * extent) * size).astype(int)
    inside = ((pixels >= 0) & (pixels < size)).all(axis=1)
    counts = np.zeros((size, size))
    np.add.at(counts, (size - 1 - pixels[inside, 1], pixels[inside, 0]), 1)
    image = 255 * np.log1p(counts) / max(np.log1p(counts).max(), 1e-12)
    return image.astype(np.uint8)[..., None]


def render(samples, columns=None):
    """A uint8 picture of generator samples: a grid for images, a scatter for points."""
    samples = np.asarray(samples)
    if samples.ndim == 4:
        return tile(samples, columns)
    if samples.ndim == 2 and samples.shape[1] == 2:
        return scatter(samples)
    raise ValueError(f"Cannot render samples of shape {samples.shape}.")


def write_png(path, image):
    """Writes a uint8 ``[H, W, C]`` array as a PNG file."""
    tf.io.write_file(path, tf.io.encode_png(image))

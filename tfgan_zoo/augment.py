"""Differentiable augmentation of discriminator inputs (DiffAugment, Zhao et al. 2020).

With little data the discriminator memorizes the real images and the
generator's gradients turn to noise. DiffAugment applies the same random,
differentiable transforms to every image the discriminator sees, real and
fake, in both its updates and the generator's, so the generator's gradient
flows back through the transform (augmenting only the reals would teach the
generator to produce augmented images). The transforms follow the authors'
TensorFlow code (``DiffAugment_tf.py``) on images in [-1, 1]:

- ``color``: brightness ``x + (u - 0.5)``, saturation (distance to the
  per-pixel channel mean x ``2u``), contrast (distance to the image mean x
  ``u + 0.5``), one ``u ~ U(0, 1)`` per image and transform. Not clipped, as
  in the authors' code: the brightness shift, then the stretches away from
  the means, take values well outside [-1, 1]: magnitudes up to 2.45 on
  Fashion-MNIST (one channel, where saturation changes nothing) and 4.14 on
  random three-channel images, at the extreme draws.
- ``translation``: shift by up to 1/8 of the height and width (integer
  pixels, both directions), filling with 0.
- ``cutout``: zero a square of half the height and width at a random centre.

Random draws are made by `draw`, before any gradient tape and sliced per
replica like the models' noise, so N replicas train as one device; `apply`
is a pure function of the images and those draws.
"""

import tensorflow as tf

POLICIES = ("color", "translation", "cutout")
# Uniform numbers each transform needs per image.
_DRAWS = {"color": 3, "translation": 2, "cutout": 2}
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def parse(policy):
    """``"color,translation"`` (or a sequence of names) -> a tuple in `POLICIES` order.

    Raises:
      ValueError: an unknown name, listing the known ones.
    """
    names = policy.split(",") if isinstance(policy, str) else list(policy or ())
    names = [n.strip() for n in names if n.strip()]
    unknown = sorted(set(names) - set(POLICIES))
    if unknown:
        raise ValueError(
            f"Unknown augmentation {', '.join(unknown)}: use any of {', '.join(POLICIES)}, "
            f"comma-separated (DiffAugment's 'color,translation,cutout')."
        )
    return tuple(p for p in POLICIES if p in names)


def draw_size(policy):
    """How many uniform numbers `apply` needs per image for ``policy``."""
    return sum(_DRAWS[p] for p in policy)


def apply(images, policy, u):
    """``images`` ``[batch, height, width, channels]`` transformed by ``policy``
    with the uniform draws ``u`` ``[batch, draw_size(policy)]``."""
    images = tf.convert_to_tensor(images)
    u = tf.cast(u, images.dtype)
    column = 0
    for name in policy:
        size = _DRAWS[name]
        images = _TRANSFORMS[name](images, u[:, column : column + size])
        column += size
    return images


def _color(x, u):
    brightness, saturation, contrast = (u[:, i, None, None, None] for i in range(3))
    x = x + (brightness - 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (saturation * 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (contrast + 0.5) + mean


def _shift(u, size, ratio):
    """Integer shifts in ``[-s, s]`` with ``s = round(size * ratio)``, from U(0, 1)."""
    s = int(size * ratio + 0.5)
    return tf.cast(tf.floor(u * (2 * s + 1)), tf.int32) - s


def _translate_axis(x, shift, axis):
    """Moves every image of ``x`` by its own ``shift`` along ``axis`` (1 or 2), with 0
    filling the vacated rows or columns (as DiffAugment's gather from a padded copy)."""
    size = x.shape[axis]
    index = tf.range(size)[None, :] - shift[:, None]  # [batch, size]: source of each target
    inside = tf.logical_and(index >= 0, index < size)
    gathered = tf.gather(x, tf.clip_by_value(index, 0, size - 1), axis=axis, batch_dims=1)
    mask_shape = [-1, size, 1, 1] if axis == 1 else [-1, 1, size, 1]
    return gathered * tf.reshape(tf.cast(inside, x.dtype), mask_shape)


def _translation(x, u):
    height, width = x.shape[1], x.shape[2]
    x = _translate_axis(x, _shift(u[:, 0], height, TRANSLATION_RATIO), axis=1)
    return _translate_axis(x, _shift(u[:, 1], width, TRANSLATION_RATIO), axis=2)


def _cutout(x, u):
    height, width = x.shape[1], x.shape[2]
    cut_h, cut_w = int(height * CUTOUT_RATIO + 0.5), int(width * CUTOUT_RATIO + 0.5)
    # Centres as in DiffAugment: offset in [0, size + (1 - cut % 2)), square from
    # offset - cut // 2, clipped to the image.
    cy = tf.cast(tf.floor(u[:, 0] * (height + 1 - cut_h % 2)), tf.int32)[:, None]
    cx = tf.cast(tf.floor(u[:, 1] * (width + 1 - cut_w % 2)), tf.int32)[:, None]
    rows, cols = tf.range(height)[None, :], tf.range(width)[None, :]
    in_rows = tf.logical_and(rows >= cy - cut_h // 2, rows < cy - cut_h // 2 + cut_h)
    in_cols = tf.logical_and(cols >= cx - cut_w // 2, cols < cx - cut_w // 2 + cut_w)
    cut = tf.logical_and(in_rows[:, :, None], in_cols[:, None, :])  # [batch, H, W]
    return x * tf.cast(tf.logical_not(cut), x.dtype)[..., None]


_TRANSFORMS = {"color": _color, "translation": _translation, "cutout": _cutout}

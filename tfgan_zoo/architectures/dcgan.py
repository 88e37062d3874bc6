"""DCGAN generator and discriminator (Radford et al. 2016) at any resolution.

The resolution is an argument, not a file: the networks halve (or double) the
spatial size until it is at most 7, so 28x28 starts from 7x7 and 32x32 or
64x64 from 4x4.
"""

import keras
from keras import layers


def upsampling_plan(resolution):
    """Returns (number of 2x stages, starting size) for a square resolution."""
    size, stages = int(resolution), 0
    while size > 7 and size % 2 == 0:
        size //= 2
        stages += 1
    if stages == 0 or size > 7:
        raise ValueError(
            f"DCGAN needs a resolution of the form s * 2^k with s <= 7 and "
            f"k >= 1 (28, 32, 64, ...), got {resolution}."
        )
    return stages, size


def _norm(kind):
    if kind == "batch":
        # Synchronized: under tf.distribute, statistics over the global batch,
        # as on one device.
        return layers.BatchNormalization(synchronized=True)
    if kind == "layer":
        return layers.LayerNormalization()
    if kind in ("none", None):
        return None
    raise ValueError(f"Unknown norm {kind!r}: use 'batch', 'layer' or 'none'.")


def _maybe(norm, x):
    return norm(x) if norm is not None else x


def dcgan_generator(latent_dim, resolution=28, channels=1, base_filters=64, norm="batch"):
    """Maps ``[batch, latent_dim]`` noise to images in [-1, 1] (tanh output)."""
    stages, size = upsampling_plan(resolution)
    filters = base_filters * 2 ** (stages - 1)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(size * size * filters, use_bias=norm == "none")(z)
    x = layers.ReLU()(_maybe(_norm(norm), x))
    x = layers.Reshape((size, size, filters))(x)
    for _ in range(stages - 1):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, 2, padding="same", use_bias=norm == "none")(x)
        x = layers.ReLU()(_maybe(_norm(norm), x))
    x = layers.Conv2DTranspose(channels, 4, 2, padding="same", activation="tanh")(x)
    return keras.Model(z, x, name="dcgan_generator")


def dcgan_discriminator(resolution=28, channels=1, base_filters=64, norm="batch"):
    """Maps images ``[batch, resolution, resolution, channels]`` to scores ``[batch, 1]``.

    Use ``norm="layer"`` or ``"none"`` with a gradient penalty: batch norm
    makes each score depend on the whole batch, which the penalty assumes not.
    """
    stages, _ = upsampling_plan(resolution)
    x_in = keras.Input((resolution, resolution, channels), name="images")
    x = x_in
    for i in range(stages):
        x = layers.Conv2D(base_filters * 2**i, 4, 2, padding="same")(x)
        if i > 0:
            x = _maybe(_norm(norm), x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    return keras.Model(x_in, layers.Dense(1)(x), name="dcgan_discriminator")

"""DCGAN generator and discriminator (Radford et al. 2016) at any resolution.

The resolution is an argument, not a file: the networks halve (or double) the
spatial size until it is at most 7, so 28x28 starts from 7x7 and 32x32 or
64x64 from 4x4. `generator_body` and `discriminator_trunk` are shared by the
conditional, auxiliary-head and autoencoder variants.
"""

import keras
from keras import layers

from tfgan_zoo.layers import SNConv2D, SNDense, maybe, normalization


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


def generator_body(h, resolution, channels, base_filters=64, norm="batch"):
    """Dense projection of ``h``, then transposed convolutions to tanh images."""
    stages, size = upsampling_plan(resolution)
    filters = base_filters * 2 ** (stages - 1)
    x = layers.Dense(size * size * filters, use_bias=norm == "none")(h)
    x = layers.ReLU()(maybe(normalization(norm), x))
    x = layers.Reshape((size, size, filters))(x)
    for _ in range(stages - 1):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, 2, padding="same", use_bias=norm == "none")(x)
        x = layers.ReLU()(maybe(normalization(norm), x))
    return layers.Conv2DTranspose(channels, 4, 2, padding="same", activation="tanh")(x)


def discriminator_trunk(x, resolution, base_filters=64, norm="batch", spectral=False):
    """Strided convolutions with LeakyReLU, flattened: the shared features phi(x).

    ``spectral=True`` spectrally normalizes every convolution (SNGAN) and
    ignores ``norm``.
    """
    stages, _ = upsampling_plan(resolution)
    for i in range(stages):
        filters = base_filters * 2**i
        if spectral:
            x = SNConv2D(filters, 4, 2)(x)
        else:
            x = layers.Conv2D(filters, 4, 2, padding="same")(x)
            if i > 0:
                x = maybe(normalization(norm), x)
        x = layers.LeakyReLU(0.2)(x)
    return layers.Flatten()(x)


def dcgan_generator(latent_dim, resolution=28, channels=1, base_filters=64, norm="batch"):
    """Maps ``[batch, latent_dim]`` noise to images in [-1, 1] (tanh output)."""
    z = keras.Input((latent_dim,), name="z")
    x = generator_body(z, resolution, channels, base_filters, norm)
    return keras.Model(z, x, name="dcgan_generator")


def dcgan_discriminator(resolution=28, channels=1, base_filters=64, norm="batch", spectral=False):
    """Maps images ``[batch, resolution, resolution, channels]`` to scores ``[batch, 1]``.

    Use ``norm="layer"`` or ``"none"`` with a gradient penalty: batch norm
    makes each score depend on the whole batch, which the penalty assumes not.
    """
    x_in = keras.Input((resolution, resolution, channels), name="images")
    phi = discriminator_trunk(x_in, resolution, base_filters, norm, spectral)
    out = SNDense(1)(phi) if spectral else layers.Dense(1)(phi)
    return keras.Model(x_in, out, name="dcgan_discriminator")

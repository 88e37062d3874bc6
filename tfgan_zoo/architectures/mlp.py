"""Multi-layer perceptrons: for low-dimensional toy data (ring8, grid25), and
EBGAN's fully-connected MNIST networks (flattened images)."""

import math

import keras
from keras import layers, ops

from tfgan_zoo.layers import Maxout


def mlp_generator(latent_dim, output_dim=2, hidden_units=128, num_layers=3):
    """ReLU MLP from ``[batch, latent_dim]`` noise to ``[batch, output_dim]``."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for _ in range(num_layers):
        x = layers.Dense(hidden_units, activation="relu")(x)
    return keras.Model(z, layers.Dense(output_dim)(x), name="mlp_generator")


def mlp_discriminator(input_dim=2, hidden_units=128, num_layers=3):
    """LeakyReLU MLP from ``[batch, input_dim]`` points to scores ``[batch, 1]``."""
    x_in = keras.Input((input_dim,), name="x")
    x = x_in
    for _ in range(num_layers):
        x = layers.Dense(hidden_units)(x)
        x = layers.LeakyReLU(0.2)(x)
    return keras.Model(x_in, layers.Dense(1)(x), name="mlp_discriminator")


def lsgan_mlp(input_dim, output_dim, hidden_units=128, num_layers=2, input_name="z",
              name="lsgan_mlp"):  # fmt: skip
    """The LSGAN authors' mixture-of-Gaussians network (xudonmao/LSGAN,
    ``stability_comparison/mixture_gaussian``, after poolio/unrolled_gan), for the
    generator (noise to point) and the discriminator (point to score) alike:
    ``num_layers`` tanh layers of ``hidden_units``, a linear output, weights
    orthogonal with gain 1.4 and zero biases (their ``slim`` defaults)."""
    init = keras.initializers.Orthogonal(gain=1.4)
    x_in = keras.Input((input_dim,), name=input_name)
    x = x_in
    for _ in range(num_layers):
        x = layers.Dense(hidden_units, activation="tanh", kernel_initializer=init)(x)
    return keras.Model(x_in, layers.Dense(output_dim, kernel_initializer=init)(x), name=name)


def pacgan_init():
    """N(0, 0.02), the weight init of PacGAN's toy and Stacked-MNIST networks."""
    return keras.initializers.RandomNormal(0.0, 0.02)


def _blocks_batch_norm():
    """Blocks' ``BatchNormalization`` defaults (epsilon 1e-4) with the 0.95
    population update of PacGAN's toy code; synchronized across replicas."""
    return layers.BatchNormalization(momentum=0.95, epsilon=1e-4, synchronized=True)


def pacgan_generator(latent_dim=2, output_dim=2, hidden_units=400, num_layers=4):
    """PacGAN's toy generator (Lin et al. 2018, the authors' code): ``num_layers``
    bias-free dense layers of ``hidden_units`` with batch norm and ReLU, then a
    linear output; weights N(0, 0.02), biases 0.

    The batch norm is Blocks' as their code sets it up: epsilon 1e-4 (Keras'
    1e-3 exceeds the first layer's initial pre-activation variance,
    2 x 0.02^2 = 8e-4, and would damp that layer), population statistics
    averaged with 0.95 a step. With packing their code averages the batch
    statistics of the m pack positions before that update; here each
    position's call updates them (0.95^m a step)."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for _ in range(num_layers):
        x = layers.Dense(hidden_units, use_bias=False, kernel_initializer=pacgan_init())(x)
        x = layers.ReLU()(_blocks_batch_norm()(x))
    out = layers.Dense(output_dim, kernel_initializer=pacgan_init())(x)
    return keras.Model(z, out, name="pacgan_generator")


def pacgan_discriminator(input_dim=2, hidden_units=200, num_layers=3, pieces=5):
    """PacGAN's toy discriminator: ``num_layers`` linear maxout layers of
    ``hidden_units`` with ``pieces`` pieces, then a linear score; weights
    N(0, 0.02), biases 0. ``input_dim`` is the packed width (m x 2 for PacGANm)."""
    x_in = keras.Input((input_dim,), name="x")
    x = x_in
    for _ in range(num_layers):
        x = Maxout(pieces)(layers.Dense(hidden_units * pieces, kernel_initializer=pacgan_init())(x))
    out = layers.Dense(1, kernel_initializer=pacgan_init())(x)
    return keras.Model(x_in, out, name="pacgan_discriminator")


def image_mlp_generator(latent_dim, sample_shape, hidden_units=400, num_layers=2):
    """EBGAN's fully-connected MNIST generator (Zhao et al. 2017, section 4.1):
    ``num_layers`` layers of ``hidden_units`` with batch norm and ReLU, a tanh
    output reshaped to ``sample_shape``."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for _ in range(num_layers):
        x = layers.Dense(hidden_units)(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Dense(math.prod(sample_shape), activation="tanh")(x)
    return keras.Model(z, layers.Reshape(sample_shape)(x), name="image_mlp_generator")


def _image_mlp_trunk(images, hidden_units, num_layers, dropout):
    """Flattened images through ``num_layers`` LeakyReLU layers of ``hidden_units``,
    batch norm after every weight layer but the first (it sees the input), and
    dropout after each when ``dropout`` > 0."""
    x = layers.Flatten()(images)
    for i in range(num_layers):
        x = layers.Dense(hidden_units)(x)
        x = layers.LeakyReLU(0.2)(layers.BatchNormalization()(x) if i else x)
        x = layers.Dropout(dropout)(x) if dropout else x
    return x


def image_mlp_discriminator(sample_shape, hidden_units=256, num_layers=2, dropout=0.0):
    """``images -> score``: the fully-connected trunk and a linear score."""
    images = keras.Input(sample_shape, name="images")
    x = _image_mlp_trunk(images, hidden_units, num_layers, dropout)
    return keras.Model(images, layers.Dense(1)(x), name="image_mlp_discriminator")


ENERGIES = ("mse", "norm")


def mlp_autoencoder_discriminator(
    sample_shape, hidden_units=256, num_layers=2, dropout=0.0, energy="mse"
):
    """``images -> [energy [batch, 1], code [batch, hidden_units]]``: EBGAN's
    fully-connected autoencoder, the same trunk as `image_mlp_discriminator` as
    its encoder and one tanh layer as its decoder.

    ``energy`` is what each image's reconstruction error is reduced to:
    ``"mse"`` (the default), the mean squared error per pixel, at most 4 for
    images in [-1, 1] whatever their size; ``"norm"``, the paper's
    ``D(x) = ||Dec(Enc(x)) - x||`` (Zhao et al. 2017, section 2.3), the L2 norm
    of the residual, up to ``2 sqrt(pixels)`` (56 at 28x28): the scale its
    margin of 10 (section 4.1) is meant for, which the mean never reaches."""
    if energy not in ENERGIES:
        raise ValueError(f"energy={energy!r}: one of {', '.join(ENERGIES)}")
    images = keras.Input(sample_shape, name="images")
    code = _image_mlp_trunk(images, hidden_units, num_layers, dropout)
    reconstruction = layers.Reshape(sample_shape)(
        layers.Dense(math.prod(sample_shape), activation="tanh")(code)
    )
    squared = ops.square(images - reconstruction)
    if energy == "mse":
        per_image = ops.mean(squared, axis=[1, 2, 3])
    else:  # the epsilon keeps the gradient finite at a perfect reconstruction
        per_image = ops.sqrt(ops.sum(squared, axis=[1, 2, 3]) + 1e-12)
    return keras.Model(images, [per_image[:, None], code], name="mlp_autoencoder_discriminator")

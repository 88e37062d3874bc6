"""DCGAN generator and discriminator (Radford et al. 2016) at any resolution.

The resolution is an argument, not a file: one size (square) or a pair
``(height, width)``. The networks halve (or double) both sides until each is
at most 7, so 28x28 starts from 7x7, 32x32 or 64x64 from 4x4 and 32x24 from
4x3. `generator_body` and `discriminator_trunk` are shared by the
conditional, auxiliary-head and autoencoder variants.
"""

import keras
from keras import layers

from tfgan_zoo.architectures.errors import ArchitectureError
from tfgan_zoo.architectures.mlp import pacgan_init
from tfgan_zoo.layers import SNConv2D, SNDense, maybe, normalization


def sides(resolution):
    """``(height, width)`` of a resolution given as one size (square) or a pair."""
    if isinstance(resolution, (tuple, list)):
        return int(resolution[0]), int(resolution[1])
    return int(resolution), int(resolution)


def upsampling_plan(resolution):
    """``(number of 2x stages, (starting height, starting width))``: the fewest stages
    k >= 1 after which both sides are at most 7, each side dividing by 2^k."""
    height, width = sides(resolution)
    stages = 1
    while height % 2**stages == 0 and width % 2**stages == 0:
        bottom = (height >> stages, width >> stages)
        if max(bottom) <= 7:
            return stages, bottom
        stages += 1
    raise ArchitectureError(
        f"DCGAN needs a resolution whose sides are s * 2^k with s <= 7 and the same k >= 1 "
        f"(28, 32, 64, 32x24, ...), got {'x'.join(map(str, sides(resolution)))}."
    )


def generator_body(h, resolution, channels, base_filters=64, norm="batch"):
    """Dense projection of ``h``, then transposed convolutions to tanh images."""
    stages, (height, width) = upsampling_plan(resolution)
    filters = base_filters * 2 ** (stages - 1)
    x = layers.Dense(height * width * filters, use_bias=norm == "none")(h)
    x = layers.ReLU()(maybe(normalization(norm), x))
    x = layers.Reshape((height, width, filters))(x)
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
    """Maps images ``[batch, height, width, channels]`` to scores ``[batch, 1]``.

    Use ``norm="layer"`` or ``"none"`` with a gradient penalty: batch norm
    makes each score depend on the whole batch, which the penalty assumes not.
    """
    x_in = keras.Input((*sides(resolution), channels), name="images")
    phi = discriminator_trunk(x_in, resolution, base_filters, norm, spectral)
    out = SNDense(1)(phi) if spectral else layers.Dense(1)(phi)
    return keras.Model(x_in, out, name="dcgan_discriminator")


def _tf1_batch_norm():
    """carpedm20's ``batch_norm``: decay 0.9, epsilon 1e-5 (synchronized, see `normalization`)."""
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True)


def halvings(resolution, stages=4):
    """Sizes after 0..``stages`` stride-2 SAME convolutions: 28 -> [28, 14, 7, 4, 2]."""
    sizes = [int(resolution)]
    for _ in range(stages):
        sizes.append(-(-sizes[-1] // 2))
    return sizes


def pacgan_dcgan_generator(latent_dim=100, resolution=28, channels=3, base_filters=64):
    """PacGAN's Stacked-MNIST generator: carpedm20's DCGAN-tensorflow, as in the
    authors' code (fjxmlzn/PacGAN ``stacked_MNIST_experiments``).

    A dense layer to ``resolution/16`` squared x 8 ``base_filters`` (2x2x512 at
    28), then four 5x5 stride-2 transposed convolutions (4x4x256, 7x7x128,
    14x14x64, 28x28x``channels``), batch norm and ReLU between, tanh output.
    Weights N(0, 0.02). Their layers before a batch norm carry biases, which the
    norm removes; ours have none (same outputs).
    """
    sizes = halvings(resolution)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(
        sizes[-1] ** 2 * base_filters * 8, use_bias=False, kernel_initializer=pacgan_init()
    )(z)
    x = layers.Reshape((sizes[-1], sizes[-1], base_filters * 8))(x)
    x = layers.ReLU()(_tf1_batch_norm()(x))
    for i, size in enumerate(reversed(sizes[:-1])):
        last = size == sizes[0]
        x = layers.Conv2DTranspose(
            channels if last else base_filters * 2 ** (2 - i),
            5,
            2,
            padding="same",
            output_padding=1 - size % 2,
            use_bias=last,
            kernel_initializer=pacgan_init(),
        )(x)
        x = layers.Activation("tanh")(x) if last else layers.ReLU()(_tf1_batch_norm()(x))
    return keras.Model(z, x, name="pacgan_dcgan_generator")


def lsgan_digit_generator(latent_dim=100, resolution=28, channels=1):
    """The LSGAN journal paper's generator for its small-variance digits
    (xudonmao/improved_LSGAN ``small_variance_datasets/arch.py``
    ``generator_digit``): a dense layer to 4x4x512, then 5x5 stride-2 transposed
    convolutions to 7x7x256, 14x14x128 and 28x28x``channels``; batch norm
    (decay 0.9, epsilon 1e-5) and ReLU between, tanh out; weights N(0, 0.02).
    Layers before a batch norm carry no bias here (the norm removes theirs)."""
    sizes = halvings(resolution, 2)  # 28 -> [28, 14, 7]
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(4 * 4 * 512, use_bias=False, kernel_initializer=pacgan_init())(z)
    x = layers.ReLU()(_tf1_batch_norm()(x))
    x = layers.Reshape((4, 4, 512))(x)
    for filters, size in ((256, sizes[2]), (128, sizes[1])):
        x = layers.Conv2DTranspose(filters, 5, 2, padding="same", output_padding=1 - size % 2,
                                   use_bias=False, kernel_initializer=pacgan_init())(x)  # fmt: skip
        x = layers.ReLU()(_tf1_batch_norm()(x))
    x = layers.Conv2DTranspose(channels, 5, 2, padding="same", output_padding=1 - sizes[0] % 2,
                               kernel_initializer=pacgan_init(), activation="tanh")(x)  # fmt: skip
    return keras.Model(z, x, name="lsgan_digit_generator")


def lsgan_digit_discriminator(resolution=28, channels=1):
    """The LSGAN journal paper's discriminator for its digits (``discriminator_digit``):
    5x5 stride-2 convolutions of 20 and 50 filters, a dense layer of 500, a
    linear score; LeakyReLU 0.2, batch norm after the second convolution and the
    dense layer (decay 0.9, epsilon 1e-5, in training mode as theirs always is);
    convolutions truncated N(0, 0.02), dense N(0, 0.02)."""
    init = keras.initializers.TruncatedNormal(0.0, 0.02)
    x_in = keras.Input((resolution, resolution, channels), name="images")
    x = layers.LeakyReLU(0.2)(
        layers.Conv2D(20, 5, 2, padding="same", kernel_initializer=init)(x_in)
    )
    x = layers.Conv2D(50, 5, 2, padding="same", use_bias=False, kernel_initializer=init)(x)
    x = layers.LeakyReLU(0.2)(_tf1_batch_norm()(x))
    x = layers.Dense(500, use_bias=False, kernel_initializer=pacgan_init())(layers.Flatten()(x))
    x = layers.LeakyReLU(0.2)(_tf1_batch_norm()(x))
    out = layers.Dense(1, kernel_initializer=pacgan_init())(x)
    return keras.Model(x_in, out, name="lsgan_digit_discriminator")


def pacgan_dcgan_discriminator(resolution=28, channels=3, base_filters=64):
    """PacGAN's Stacked-MNIST discriminator (carpedm20's DCGAN-tensorflow).

    Four 5x5 stride-2 convolutions of 1, 2, 4, 8 x ``base_filters`` (64 to 512;
    28x28 -> 2x2), LeakyReLU 0.2, batch norm after all but the first, then a
    linear score. Convolution weights truncated N(0, 0.02), the dense N(0, 0.02).
    ``channels`` is the packed count (6 for PacDCGAN2 on RGB).
    """
    x_in = keras.Input((resolution, resolution, channels), name="images")
    x = x_in
    for i in range(4):
        x = layers.Conv2D(
            base_filters * 2**i,
            5,
            2,
            padding="same",
            use_bias=i == 0,
            kernel_initializer=keras.initializers.TruncatedNormal(0.0, 0.02),
        )(x)
        if i > 0:
            x = _tf1_batch_norm()(x)
        x = layers.LeakyReLU(0.2)(x)
    out = layers.Dense(1, kernel_initializer=pacgan_init())(layers.Flatten()(x))
    return keras.Model(x_in, out, name="pacgan_dcgan_discriminator")

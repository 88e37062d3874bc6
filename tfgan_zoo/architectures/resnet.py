"""ResNet generators and discriminators of SNGAN, WGAN-GP and the projection cGAN.

Block structure of Miyato et al. 2018 (SNGAN, Appendix B.4), Miyato & Koyama
2018 (projection discriminator) and Gulrajani et al. 2017 (WGAN-GP's CIFAR
ResNet), at the widths of Mimicry's reference models (Lee & Town 2020:
``sngan_32``, ``sngan_64``, ``wgan_gp_32``, ``cgan_pd_32``):

- 32x32 (CIFAR-10): generator ``z -> dense 4x4x(4b) -> 3 up-blocks of 4b ->
  BN, ReLU, conv3x3, tanh``; discriminator ``optimized block 2b (down) ->
  block 2b (down) -> block 2b -> block 2b -> ReLU, global sum -> dense 1``.
  With ``base_filters`` b = 64: 256 generator and 128 discriminator channels,
  the papers' widths.
- 64x64: generator widths 16b (dense) -> 8b, 4b, 2b, b (4 up-blocks);
  discriminator optimized block b, then blocks 2b, 4b, 8b, 16b, all down.
- Other sizes (28x28 Fashion-MNIST): the 32x32 plan, the generator starting
  from the largest bottom size that doubles up to the resolution (7 for 28:
  2 up-blocks); the discriminator halves the size twice (28 -> 14 -> 7).

Generator block: ``BN, ReLU, upsample (nearest), conv3x3, BN, ReLU, conv3x3``
plus ``upsample, conv1x1``. Discriminator block: ``ReLU, conv3x3, ReLU,
conv3x3, [avg-pool]`` plus a ``conv1x1, [avg-pool]`` shortcut only where the
block changes the width or size (else the identity); the first (optimized)
block has no leading ReLU. Conditional generators use class-conditional batch
norm; the projection discriminator adds ``<embed(y), phi(x)>``.

Where this differs from the papers' code: kernels start from Glorot uniform
(Mimicry uses Xavier uniform with gain sqrt(2) in the residual branches);
upsampling is nearest-neighbour as in SNGAN's Chainer code (Mimicry's is too).
"""

import keras
from keras import layers, ops

from tfgan_zoo.architectures.dcgan import sides, upsampling_plan
from tfgan_zoo.layers import ConditionalBatchNorm, SNConv2D, SNDense, SNEmbedding


def plan(resolution, base_filters):
    """``(bottom size, generator widths, discriminator [(width, downsample)])``.

    The first generator width is the dense layer's; each next one is an
    up-block's output.
    """
    b = base_filters
    if sides(resolution) == (64, 64):
        downs = [(w, True) for w in (b, 2 * b, 4 * b, 8 * b, 16 * b)]
        return (4, 4), [16 * b, 8 * b, 4 * b, 2 * b, b], downs
    stages, bottom = upsampling_plan(resolution)
    blocks = [(2 * b, True), (2 * b, True), (2 * b, False), (2 * b, False)]
    return bottom, [4 * b] * (stages + 1), blocks


def _norm(x, label, num_classes):
    if num_classes:
        return ConditionalBatchNorm(num_classes)([x, label])
    return layers.BatchNormalization(synchronized=True)(x)


def _g_block(x, label, filters, num_classes):
    h = layers.ReLU()(_norm(x, label, num_classes))
    h = layers.Conv2D(filters, 3, padding="same")(layers.UpSampling2D()(h))
    h = layers.ReLU()(_norm(h, label, num_classes))
    h = layers.Conv2D(filters, 3, padding="same")(h)
    shortcut = layers.Conv2D(filters, 1)(layers.UpSampling2D()(x))
    return layers.Add()([h, shortcut])


def _conv(filters, kernel, spectral_norm):
    if spectral_norm:
        return SNConv2D(filters, kernel)
    return layers.Conv2D(filters, kernel, padding="same")


def _d_block(x, filters, downsample, first, spectral_norm):
    h = x if first else layers.ReLU()(x)
    h = _conv(filters, 3, spectral_norm)(h)
    h = _conv(filters, 3, spectral_norm)(layers.ReLU()(h))
    shortcut = x
    if first or downsample or x.shape[-1] != filters:
        shortcut = _conv(filters, 1, spectral_norm)(x)
    if downsample:
        h, shortcut = layers.AveragePooling2D(2)(h), layers.AveragePooling2D(2)(shortcut)
    return layers.Add()([h, shortcut])


def resnet_generator(latent_dim, num_classes, resolution, channels, base_filters=64):
    """``z`` (or ``[z, label]`` when ``num_classes``) ``-> images`` in [-1, 1]."""
    bottom, widths, _ = plan(resolution, base_filters)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label") if num_classes else None
    dense = layers.Dense(bottom[0] * bottom[1] * widths[0])(z)
    x = layers.Reshape((*bottom, widths[0]))(dense)
    for filters in widths[1:]:
        x = _g_block(x, label, filters, num_classes)
    x = layers.ReLU()(layers.BatchNormalization(synchronized=True)(x))
    x = layers.Conv2D(channels, 3, padding="same", activation="tanh")(x)
    inputs = [z, label] if num_classes else z
    name = "resnet_conditional_generator" if num_classes else "resnet_generator"
    return keras.Model(inputs, x, name=name)


def resnet_discriminator(resolution, channels, base_filters=64, num_classes=0, spectral_norm=True):
    """``images`` (or ``[images, label]``) ``-> score``: ``psi(phi(x))``, plus the
    projection ``<embed(y), phi(x)>`` when ``num_classes``; spectrally normalized
    unless ``spectral_norm=False`` (WGAN-GP's critic, which has no normalization)."""
    _, _, blocks = plan(resolution, base_filters)
    images = keras.Input((*sides(resolution), channels), name="images")
    x = images
    for i, (filters, downsample) in enumerate(blocks):
        x = _d_block(x, filters, downsample, first=i == 0, spectral_norm=spectral_norm)
    phi = ops.sum(layers.ReLU()(x), axis=[1, 2])  # global sum pooling
    out = (SNDense(1) if spectral_norm else layers.Dense(1))(phi)
    if not num_classes:
        return keras.Model(images, out, name="resnet_discriminator")
    label = keras.Input((), dtype="int32", name="label")
    projection = ops.sum(SNEmbedding(num_classes, phi.shape[-1])(label) * phi, axis=1,
                         keepdims=True)  # fmt: skip
    return keras.Model([images, label], layers.Add()([out, projection]),
                       name="projection_discriminator")  # fmt: skip

"""ResNet generator with conditional batch norm and a projection discriminator
with spectral normalization (Miyato & Koyama 2018, cGANs with projection
discriminator), sized for 28x28 / 32x32 images.

The discriminator's output is ``psi(phi(x)) + <embed(y), phi(x)>``: a linear
score of the features plus the inner product of a class embedding with them.
"""

import keras
from keras import layers, ops

from tfgan_zoo.architectures.dcgan import upsampling_plan
from tfgan_zoo.layers import ConditionalBatchNorm, SNConv2D, SNDense, SNEmbedding


def _g_block(x, label, filters, num_classes):
    h = layers.ReLU()(ConditionalBatchNorm(num_classes)([x, label]))
    h = layers.Conv2D(filters, 3, padding="same")(layers.UpSampling2D()(h))
    h = layers.ReLU()(ConditionalBatchNorm(num_classes)([h, label]))
    h = layers.Conv2D(filters, 3, padding="same")(h)
    shortcut = layers.Conv2D(filters, 1)(layers.UpSampling2D()(x))
    return layers.Add()([h, shortcut])


def _d_block(x, filters, downsample=True, first=False):
    h = x if first else layers.ReLU()(x)
    h = SNConv2D(filters, 3)(h)
    h = SNConv2D(filters, 3)(layers.ReLU()(h))
    shortcut = SNConv2D(filters, 1)(x)
    if downsample:
        h, shortcut = layers.AveragePooling2D(2)(h), layers.AveragePooling2D(2)(shortcut)
    return layers.Add()([h, shortcut])


def resnet_generator(latent_dim, num_classes, resolution, channels, filters=128):
    """``[z, label] -> images``: residual up-sampling blocks with class-conditional BN."""
    stages, size = upsampling_plan(resolution)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    x = layers.Reshape((size, size, filters))(layers.Dense(size * size * filters)(z))
    for _ in range(stages):
        x = _g_block(x, label, filters, num_classes)
    x = layers.ReLU()(layers.BatchNormalization(synchronized=True)(x))
    x = layers.Conv2D(channels, 3, padding="same", activation="tanh")(x)
    return keras.Model([z, label], x, name="resnet_generator")


def projection_discriminator(num_classes, resolution, channels, filters=128):
    """``[images, label] -> psi(phi(x)) + <embed(y), phi(x)>``, spectrally normalized."""
    stages, _ = upsampling_plan(resolution)
    images = keras.Input((resolution, resolution, channels), name="images")
    label = keras.Input((), dtype="int32", name="label")
    x = _d_block(images, filters, first=True)
    for i in range(1, stages + 1):
        x = _d_block(x, filters, downsample=i < stages)
    phi = ops.sum(layers.ReLU()(x), axis=[1, 2])  # global sum pooling
    projection = ops.sum(SNEmbedding(num_classes, filters)(label) * phi, axis=1, keepdims=True)
    out = layers.Add()([SNDense(1)(phi), projection])
    return keras.Model([images, label], out, name="projection_discriminator")

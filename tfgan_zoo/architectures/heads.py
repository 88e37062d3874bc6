"""DCGAN-based networks for the conditional and auxiliary-head models.

- conditional by concatenation (Mirza & Osindero 2014): the label's embedding
  is concatenated to the noise, its one-hot code to the image channels;
- conditional by projection (Miyato & Koyama 2018): the same trunk as the
  unconditional discriminator, plus the inner product of a class embedding
  with its features;
- ACGAN (Odena et al. 2017): an unconditional trunk with an adversarial head
  and a class head;
- InfoGAN (Chen et al. 2016): an adversarial head and a Q head (categorical
  logits and continuous means) on the same trunk;
- EBGAN (Zhao et al. 2017): an autoencoder whose energy is the per-example
  reconstruction error; it also returns the encoder's embedding for the
  pulling-away term.
"""

import keras
from keras import layers, ops

from tfgan_zoo.architectures.dcgan import discriminator_trunk, generator_body, sides


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class LabelChannels(layers.Layer):
    """``[batch]`` labels -> one-hot planes ``[batch, height, width, num_classes]``
    (``size``: one side, or ``(height, width)``)."""

    def __init__(self, num_classes, size, **kwargs):
        super().__init__(**kwargs)
        self.num_classes, self.size = num_classes, size

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "size": self.size}

    def call(self, labels):
        one_hot = ops.one_hot(ops.cast(labels, "int32"), self.num_classes)
        return ops.tile(one_hot[:, None, None, :], [1, *sides(self.size), 1])


def conditional_generator(latent_dim, num_classes, resolution, channels, base_filters=64,
                          norm="batch", embedding_dim=16):  # fmt: skip
    """``[z, label] -> images``: noise concatenated with a learned label embedding."""
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    h = layers.Concatenate()([z, layers.Embedding(num_classes, embedding_dim)(label)])
    x = generator_body(h, resolution, channels, base_filters, norm)
    return keras.Model([z, label], x, name="conditional_generator")


def concat_discriminator(num_classes, resolution, channels, base_filters=64, norm="batch"):
    """``[images, label] -> score``: one-hot label planes concatenated to the image."""
    images = keras.Input((*sides(resolution), channels), name="images")
    label = keras.Input((), dtype="int32", name="label")
    x = layers.Concatenate()([images, LabelChannels(num_classes, resolution)(label)])
    phi = discriminator_trunk(x, resolution, base_filters, norm)
    return keras.Model([images, label], layers.Dense(1)(phi), name="concat_discriminator")


def projection_discriminator(num_classes, resolution, channels, base_filters=64, norm="batch"):
    """``[images, label] -> psi(phi(x)) + <embed(y), phi(x)>``: the DCGAN trunk with
    the projection head, so that it differs from `concat_discriminator` and
    `acgan_discriminator` only in where the label enters."""
    images = keras.Input((*sides(resolution), channels), name="images")
    label = keras.Input((), dtype="int32", name="label")
    phi = discriminator_trunk(images, resolution, base_filters, norm)
    embedded = layers.Embedding(num_classes, phi.shape[-1], name="class_embedding")(label)
    projection = ops.sum(embedded * phi, axis=1, keepdims=True)
    out = layers.Add()([layers.Dense(1)(phi), projection])
    return keras.Model([images, label], out, name="projection_discriminator")


def acgan_discriminator(num_classes, resolution, channels, base_filters=64, norm="batch"):
    """``images -> [score, class logits]``."""
    images = keras.Input((*sides(resolution), channels), name="images")
    phi = discriminator_trunk(images, resolution, base_filters, norm)
    outputs = [layers.Dense(1, name="adversarial")(phi), layers.Dense(num_classes, name="cls")(phi)]
    return keras.Model(images, outputs, name="acgan_discriminator")


def infogan_discriminator(num_categorical, num_continuous, resolution, channels,
                          base_filters=64, norm="batch"):  # fmt: skip
    """``images -> [score, categorical logits, continuous means]`` (D and Q share the trunk)."""
    images = keras.Input((*sides(resolution), channels), name="images")
    phi = discriminator_trunk(images, resolution, base_filters, norm)
    q = layers.LeakyReLU(0.2)(layers.Dense(128)(phi))
    outputs = [
        layers.Dense(1, name="adversarial")(phi),
        layers.Dense(max(num_categorical, 1), name="q_categorical")(q),
        layers.Dense(max(num_continuous, 1), name="q_continuous")(q),
    ]
    return keras.Model(images, outputs, name="infogan_discriminator")


def autoencoder_discriminator(
    resolution, channels, base_filters=64, embedding_dim=64, norm="batch"
):
    """``images -> [energy [batch, 1], embedding [batch, embedding_dim]]``.

    The energy is the mean squared reconstruction error of each image.
    """
    images = keras.Input((*sides(resolution), channels), name="images")
    phi = discriminator_trunk(images, resolution, base_filters, norm)
    embedding = layers.Dense(embedding_dim, name="embedding")(phi)
    reconstruction = generator_body(embedding, resolution, channels, base_filters, norm)
    energy = ops.mean(ops.square(images - reconstruction), axis=[1, 2, 3])[:, None]
    return keras.Model(images, [energy, embedding], name="autoencoder_discriminator")

"""A new architecture in one file: two small MLPs for 2-D points."""

import keras

from tfgan_zoo import architectures


@architectures.register("tiny_mlp", outputs=architectures.SCORE, toy=True)
def tiny_mlp(sample_shape, latent_dim, hidden_units=16, **unused):
    """``(generator, discriminator)``: one hidden layer of ``hidden_units`` each."""
    z = keras.Input((latent_dim,), name="z")
    g = keras.layers.Dense(sample_shape[0])(keras.layers.Dense(hidden_units, "relu")(z))
    x = keras.Input(tuple(sample_shape), name="x")
    d = keras.layers.Dense(1)(keras.layers.Dense(hidden_units, "relu")(x))
    return keras.Model(z, g, name="tiny_generator"), keras.Model(x, d, name="tiny_discriminator")

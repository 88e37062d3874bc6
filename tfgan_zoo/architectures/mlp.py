"""Multi-layer perceptrons for low-dimensional toy data (ring8, grid25)."""

import keras
from keras import layers


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

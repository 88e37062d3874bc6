"""Simultaneous updates (the ALI/PacGAN code's rule): both networks step from one
forward pass, against hand-computed gradients; bad combinations are refused."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import architectures, losses, models, rng
from tfgan_zoo.config import ConfigError, TrainConfig


def sgd_gan(pack=2, **kwargs):
    keras.utils.set_random_seed(0)
    g, d = architectures.build("pacgan_mlp", (2,), 2, pack=pack)
    gan = models.GAN(g, d, 2, pack=pack, simultaneous=True, seed=5, **kwargs)
    gan.compile(keras.optimizers.SGD(10.0), keras.optimizers.SGD(10.0), jit_compile=False)
    return gan


def test_one_simultaneous_step_applies_both_gradients_taken_at_the_same_weights():
    gan = sgd_gan()
    real = tf.constant(np.random.default_rng(0).normal(size=(8, 2)), tf.float32)
    z = rng.normal((8, 2), keras.random.SeedGenerator(5))  # the model's first draw
    g_vars, d_vars = gan.generator.trainable_variables, gan.discriminator.trainable_variables
    before = [v.numpy() for v in g_vars + d_vars]
    with tf.GradientTape(persistent=True) as tape:
        calls = [gan.generator(z[k::2], training=True) for k in range(2)]  # per pack position
        fake = tf.reshape(tf.stack(calls, axis=1), (8, 2))
        real_out = gan.discriminator(tf.reshape(real, (4, 4)), training=True)
        fake_out = gan.discriminator(tf.reshape(fake, (4, 4)), training=True)
        d_loss, g_loss = losses.non_saturating(real_out, fake_out)
    grads = tape.gradient(g_loss, g_vars) + tape.gradient(d_loss, d_vars)
    for v, w in zip(g_vars + d_vars, before, strict=True):  # the hand pass moved BN statistics
        v.assign(w)
    logs = gan.train_on_batch(real, return_dict=True)
    np.testing.assert_allclose(logs["d_loss"], d_loss.numpy(), rtol=1e-6)
    np.testing.assert_allclose(logs["g_loss"], g_loss.numpy(), rtol=1e-6)
    for v, w, grad in zip(g_vars + d_vars, before, grads, strict=True):  # updates of 1e-4..0.1
        np.testing.assert_allclose(v.numpy() - w, -10.0 * grad.numpy(), rtol=1e-3, atol=1e-6)
    assert gan.g_optimizer.iterations.numpy() == gan.d_optimizer.iterations.numpy() == 1


def test_simultaneous_updates_differ_from_alternating_ones():
    real = tf.constant(np.random.default_rng(0).normal(size=(8, 2)), tf.float32)
    weights = {}
    for simultaneous in (True, False):
        keras.utils.set_random_seed(0)
        g, d = architectures.build("pacgan_mlp", (2,), 2)
        gan = models.GAN(g, d, 2, simultaneous=simultaneous, seed=5)
        gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
        gan.train_on_batch(real)
        weights[simultaneous] = gan.generator.get_weights()
    assert not all(np.allclose(a, b) for a, b in zip(*weights.values(), strict=True))


def test_simultaneous_runs_with_penalties_and_ema_and_round_trips_its_config():
    gan = sgd_gan(gp_weight=1.0, ema_decay=0.9)
    history = gan.fit(tf.random.normal((16, 2)), batch_size=8, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values()) and "gp" in history
    assert models.GAN.from_config(gan.get_config()).schedule.simultaneous


def test_simultaneous_needs_one_critic_update():
    g, d = architectures.build("pacgan_mlp", (2,), 2)
    with pytest.raises(ValueError, match="n_critic"):
        models.GAN(g, d, 2, simultaneous=True, n_critic=5)
    with pytest.raises(ConfigError, match="--simultaneous updates take n_critic=1"):
        TrainConfig(simultaneous=True, n_critic=5)

"""Several generator updates per step (``g_steps``, DCGAN-tensorflow's rule): the
updates happen, and every step-based part of training still counts steps."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_execution import scalar_steps, toy_config

from tfgan_zoo import architectures, models, trainer
from tfgan_zoo.config import ConfigError, TrainConfig


def toy_gan(g_steps, **kwargs):
    keras.utils.set_random_seed(0)
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    gan = models.GAN(g, d, 4, g_steps=g_steps, seed=3, **kwargs)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), jit_compile=False)
    return gan


def test_a_step_is_one_discriminator_update_then_g_steps_generator_updates():
    real = tf.constant(np.random.default_rng(0).normal(size=(8, 2)), tf.float32)
    gan = toy_gan(g_steps=2)
    logs = gan.train_on_batch(real, return_dict=True)

    by_hand = toy_gan(g_steps=2)  # the same updates through the hooks, one by one
    by_hand.discriminator_step(real, None)
    by_hand.generator_step(real, None)
    g_logs = by_hand.generator_step(real, None)
    for a, b in zip(gan.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(logs["g_loss"], g_logs["g_loss"].numpy(), rtol=1e-5)
    assert (int(gan.g_optimizer.iterations), int(gan.d_optimizer.iterations)) == (2, 1)
    assert int(gan.steps_done) == 1

    once = toy_gan(g_steps=1)
    once.train_on_batch(real)
    assert not np.allclose(once.generator.get_weights()[0], gan.generator.get_weights()[0])
    assert models.GAN.from_config(gan.get_config()).g_steps == 2


def test_shared_noise_feeds_the_discriminator_updates_z_to_the_generator_updates():
    """DCGAN-tensorflow's step: one z for the discriminator update and both
    generator updates (``shared_noise``)."""
    real = tf.constant(np.random.default_rng(0).normal(size=(8, 2)), tf.float32)
    gan = toy_gan(g_steps=2, shared_noise=True)
    gan.train_on_batch(real)

    by_hand = toy_gan(g_steps=2)
    _, z = by_hand.discriminator_step(real, None)
    by_hand.generator_step(real, None, z)
    by_hand.generator_step(real, None, z)
    for a, b in zip(gan.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    fresh = toy_gan(g_steps=2)
    fresh.train_on_batch(real)
    assert not np.allclose(fresh.generator.get_weights()[0], gan.generator.get_weights()[0])
    assert models.GAN.from_config(gan.get_config()).schedule.shared_noise


def test_checkpoints_scalars_and_resume_count_steps_not_generator_updates(tmp_path):
    first = trainer.train(toy_config(tmp_path, epochs=1, steps_per_epoch=30, g_steps=2,
                                     keep_checkpoints=5))  # fmt: skip
    run = tmp_path / "run"
    assert first.final_step == 30 and int(first.model.g_optimizer.iterations) == 60
    checkpoints = sorted(p for p in os.listdir(run / "checkpoints") if p.endswith(".index"))
    assert checkpoints == ["ckpt-10.index", "ckpt-20.index", "ckpt-30.index"]
    assert scalar_steps(run / "logs" / "train") == [5, 10, 15, 20, 25, 30]

    resumed = trainer.train(toy_config(tmp_path, epochs=2, steps_per_epoch=20, g_steps=2,
                                       keep_checkpoints=5))  # fmt: skip
    assert (resumed.start_step, resumed.final_step) == (30, 40)
    assert int(resumed.model.d_optimizer.iterations) == 40
    assert int(resumed.model.g_optimizer.iterations) == 80


def test_g_steps_is_checked():
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    with pytest.raises(ValueError, match="g_steps"):
        models.GAN(g, d, 4, g_steps=0)
    with pytest.raises(ValueError, match="g_steps"):
        models.GAN(g, d, 4, g_steps=2, simultaneous=True)
    with pytest.raises(ConfigError, match="--g_steps must be >= 1, got 0"):
        TrainConfig(g_steps=0)
    with pytest.raises(ConfigError, match="no --shared_noise"):
        TrainConfig(model="pix2pix", architecture="unet_patchgan", dataset="edges:mnist",
                    shared_noise=True)  # fmt: skip
    with pytest.raises(ConfigError, match="--simultaneous updates take n_critic=1 and g_steps=1"):
        TrainConfig(simultaneous=True, g_steps=2)

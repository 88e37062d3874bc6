"""Penalties on discriminators whose input gradients are known in closed form."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import penalties

W = np.array([3.0, 4.0], np.float32)  # ||w|| = 5


def linear_critic(x, training=True):
    return tf.reduce_sum(x * W, axis=1, keepdims=True)


def quadratic_critic(x, training=True):
    return tf.reduce_sum(tf.square(x), axis=1, keepdims=True)  # grad = 2x


def test_gradient_penalty_of_a_linear_critic():
    real = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    fake = real + 1.0
    gp = penalties.gradient_penalty(linear_critic, real, fake, seed=1)
    np.testing.assert_allclose(gp, (5.0 - 1.0) ** 2, rtol=1e-5)


def test_gradient_penalty_target_and_one_sided():
    """||grad|| = 5 for the linear critic: (5 / t - 1)^2, and 0 one-sided when 5 < t."""
    real = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    fake = real + 1.0
    gp = lambda **kw: float(penalties.gradient_penalty(linear_critic, real, fake, seed=1, **kw))  # noqa: E731
    np.testing.assert_allclose(gp(target=2.0), (5.0 / 2.0 - 1.0) ** 2, rtol=1e-5)
    np.testing.assert_allclose(gp(target=10.0), (5.0 / 10.0 - 1.0) ** 2, rtol=1e-5)
    np.testing.assert_allclose(gp(target=2.0, one_sided=True), 1.5**2, rtol=1e-5)
    assert gp(target=10.0, one_sided=True) == 0.0


def test_gradient_penalty_interpolates_between_real_and_fake():
    # ||grad|| = 2 ||x_hat||; with real = 0 and fake = e1, x_hat = alpha e1.
    real = np.zeros((4000, 2), np.float32)
    fake = np.tile([[1.0, 0.0]], (4000, 1)).astype(np.float32)
    gp = float(
        penalties.gradient_penalty(quadratic_critic, real, fake, seed=keras.random.SeedGenerator(3))
    )
    # alpha ~ U(0, 1): E[(2 alpha - 1)^2] = 1/3
    assert abs(gp - 1.0 / 3.0) < 0.02


def test_gradient_penalty_is_finite_where_the_gradient_is_zero():
    real = tf.zeros((2, 2))
    x = tf.Variable(tf.zeros((2, 2)))
    with tf.GradientTape() as tape:
        gp = penalties.gradient_penalty(quadratic_critic, real, x, seed=0)
    grad = tape.gradient(gp, x)
    np.testing.assert_allclose(gp, 1.0, rtol=1e-4)  # (sqrt(0 + eps) - 1)^2
    assert np.isfinite(grad.numpy()).all()


def test_r1_penalty():
    real = np.ones((5, 2), np.float32)
    np.testing.assert_allclose(penalties.r1_penalty(linear_critic, real), 25.0, rtol=1e-6)
    np.testing.assert_allclose(penalties.r1_penalty(quadratic_critic, real), 8.0, rtol=1e-6)


def test_r2_penalty_is_r1_taken_on_the_fakes():
    fake = np.full((5, 2), 2.0, np.float32)
    np.testing.assert_allclose(penalties.r2_penalty(linear_critic, fake), 25.0, rtol=1e-6)
    np.testing.assert_allclose(penalties.r2_penalty(quadratic_critic, fake), 32.0, rtol=1e-6)


def test_clip_weights():
    v = tf.Variable([-1.0, -0.005, 0.5])
    penalties.clip_weights([v], 0.01)
    np.testing.assert_allclose(v.numpy(), [-0.01, -0.005, 0.01])

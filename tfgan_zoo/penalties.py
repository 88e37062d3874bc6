"""Discriminator regularizers: gradient penalties and weight clipping.

The penalties return scalars reduced over the global batch (see
`tfgan_zoo.losses.batch_mean`), so they add to a loss directly under
`tf.distribute`. They take the critic as a callable that returns the
adversarial score alone (the models pass ``score(discriminate(x))``, so the
class logits of ACGAN or the code heads of InfoGAN add nothing to the
gradient) and compute input gradients with their own inner
`tf.GradientTape`; call them inside the outer tape that differentiates the
discriminator loss.
"""

import keras
import tensorflow as tf

from tfgan_zoo.losses import batch_mean
from tfgan_zoo.registry import Registry

# Penalties a flagfile can name (``--penalties=name=weight``), each
# ``fn(critic, real, fake) -> scalar`` on the discriminator's inputs; your own
# package adds to it with `register`. The gradient penalty, which needs the
# model's interpolation draws, is ``--gp_weight``.
PENALTIES = Registry("penalty")


def register(name, replace=False):
    """Decorator registering ``fn(critic, real, fake)`` as the penalty ``name``."""
    return lambda fn: PENALTIES.register(name, fn, replace)


def _squared_input_gradient_norm(discriminator, inputs):
    """Per-example ``||d D(inputs) / d inputs||^2`` (summed over features)."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        output = discriminator(inputs, training=True)
    grads = tape.gradient(output, inputs)  # of the sum over the batch
    axes = list(range(1, len(grads.shape)))
    return tf.reduce_sum(tf.square(grads), axis=axes)


def gradient_penalty(
    discriminator, real, fake, alpha=None, seed=None, epsilon=1e-10, target=1.0, one_sided=False
):
    """WGAN-GP penalty ``E[(||grad D(x_hat)|| / target - 1)^2]`` (Gulrajani et al. 2017).

    ``x_hat = real + alpha * (fake - real)`` with one ``alpha ~ U(0, 1)`` per
    example. ``epsilon`` sits inside the square root so the gradient of the norm
    stays finite where the input gradient is zero. ``target`` (the paper's 1;
    Progressive GAN uses 750) divides the norm, as in TF-GAN's
    ``wasserstein_gradient_penalty``. ``one_sided`` penalizes only norms above
    the target, ``max(0, ||grad|| / target - 1)^2`` (the paper's Appendix on a
    one-sided penalty; TF-GAN's ``one_sided``).

    Args:
      discriminator: callable ``D(x, training=...)`` returning the score.
      real, fake: batches of the same shape.
      alpha: the interpolation weights ``[batch, 1, ...]``; drawn from
        ``seed`` when None.
      seed: a `keras.random.SeedGenerator` (or int) for alpha.
      target: the gradient norm the penalty pulls towards.
      one_sided: penalize only norms above ``target``.
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(fake, real.dtype)
    if alpha is None:
        alpha_shape = [tf.shape(real)[0]] + [1] * (len(real.shape) - 1)
        alpha = keras.random.uniform(alpha_shape, dtype=real.dtype, seed=seed)
    interpolated = real + alpha * (fake - real)
    sq_norm = _squared_input_gradient_norm(discriminator, interpolated)
    excess = tf.sqrt(sq_norm + epsilon) / target - 1.0
    if one_sided:
        excess = tf.nn.relu(excess)
    return batch_mean(tf.square(excess))


def r1_penalty(discriminator, real):
    """R1 penalty ``E[||grad D(x)||^2]`` on real data (Mescheder et al. 2018).

    The paper's regularizer is ``gamma / 2`` times this value, so the models'
    ``r1_weight`` (``--r1_weight``) is gamma / 2: the paper's gamma = 10 is
    ``r1_weight=5``.
    """
    return batch_mean(_squared_input_gradient_norm(discriminator, tf.convert_to_tensor(real)))


def r2_penalty(discriminator, fake):
    """R2 penalty ``E[||grad D(x)||^2]`` on generated data (Mescheder et al. 2018;
    with R1, the zero-centred pair of R3GAN, Huang et al. 2024). Like R1, the
    models' ``r2_weight`` is gamma / 2."""
    return batch_mean(_squared_input_gradient_norm(discriminator, tf.convert_to_tensor(fake)))


PENALTIES.register("r1", lambda critic, real, fake: r1_penalty(critic, real))
PENALTIES.register("r2", lambda critic, real, fake: r2_penalty(critic, fake))


def clip_weights(variables, clip_value):
    """Clips every variable to ``[-clip_value, clip_value]`` in place (WGAN)."""
    for v in variables:
        v.assign(tf.clip_by_value(v, -clip_value, clip_value))

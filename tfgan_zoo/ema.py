"""An exponential moving average of a generator's weights (generator EMA).

BigGAN, StyleGAN and StudioGAN sample and report from a copy of the
generator whose weights are ``ema = decay * ema + (1 - decay) * w`` after
each generator update: the average sits nearer the centre of the region the
weights oscillate in, and its samples are usually better than the raw
generator's at the same step (Yazici et al. 2019).

Batch-norm statistics (and any other non-trainable variable) are copied from
the raw generator rather than averaged, as StyleGAN2-ADA does with its
buffers: the moving mean and variance are already averages over steps, and
they must describe the activations of weights close to the averaged ones.
Averaging them a second time would lag them further behind the weights.
"""

import keras
import tensorflow as tf


def averaged_copy(network):
    """A clone of ``network`` (same layers, new variables) holding its current weights.

    Raises:
      ValueError: the network cannot be cloned (``keras.models.clone_model``
        needs a functional or Sequential model, or a subclass with
        ``get_config``).
    """
    try:
        average = keras.models.clone_model(network)
    except Exception as e:
        raise ValueError(
            f"Generator EMA needs a copy of the generator, and keras.models.clone_model "
            f"failed on {type(network).__name__} ({type(e).__name__}: {e}). Build the "
            f"generator as a functional or Sequential model, or give it get_config()."
        ) from e
    average.set_weights(network.get_weights())
    average.trainable = False
    average.name = f"{network.name}_ema"
    return average


def update(average, network, decay):
    """``average <- decay * average + (1 - decay) * network`` for trainable
    weights; non-trainable ones (batch-norm statistics) are copied.

    ``decay`` may be a tensor (0 copies every weight). Runs in a replica
    context: every replica holds the same weights and computes the same
    average, so the mirrored copies stay equal.
    """
    rate = 1.0 - tf.cast(decay, tf.float32)
    for avg, weight in zip(average.weights, network.weights, strict=True):
        if weight.trainable:  # avg - (1 - d) (avg - w) = d avg + (1 - d) w, in two ops
            avg.assign_sub(rate * (avg - weight))
        else:
            avg.assign(weight)

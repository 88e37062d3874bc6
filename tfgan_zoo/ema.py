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
Copied, they still describe the raw weights' activations, not the average's:
`standing_statistics` recomputes them through the averaged weights (BigGAN's
"standing statistics"), for the models' ``ema_bn="recompute"``.
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


def half_life_decay(half_life, batch, images_seen, rampup=0.0):
    """StyleGAN2's per-update decay ``0.5 ** (batch / half_life)``: the average
    halves the weight of what it held every ``half_life`` images. With
    ``rampup`` the half-life is at most ``rampup * images_seen`` (StyleGAN2-ADA:
    0.05), so early on the average forgets the initial weights quickly."""
    half_life = tf.cast(half_life, tf.float32)
    if rampup:
        half_life = tf.minimum(half_life, tf.cast(images_seen, tf.float32) * rampup)
    return tf.pow(0.5, tf.cast(batch, tf.float32) / tf.maximum(half_life, 1e-8))


def standing_statistics(network, forward, batches):
    """Replaces the population statistics of every `keras.layers.BatchNormalization`
    inside ``network`` (nested ones too) by the mean of their batch statistics over
    ``batches`` training-mode calls ``forward(k)``; returns how many layers it set.

    Each call's layers see the batch statistics of the layers before them, as in
    training. Keras moves the statistics by ``momentum`` at each call; setting it
    to ``k / (k + 1)`` for call ``k`` makes them the running mean of the calls.
    """
    norms = [layer for layer in network._flatten_layers(include_self=False)
             if isinstance(layer, keras.layers.BatchNormalization)]  # fmt: skip
    saved = [(layer.momentum, layer.trainable) for layer in norms]
    try:
        for layer in norms:
            layer.trainable = True  # a frozen batch norm (the average is) ignores training=True
        for k in range(batches if norms else 0):
            for layer in norms:
                layer.momentum = k / (k + 1)
            forward(k)
    finally:
        for layer, (momentum, trainable) in zip(norms, saved, strict=True):
            layer.momentum, layer.trainable = momentum, trainable
    return len(norms)

"""A new loss in one file: the soft hinge (softplus in place of the hinge's relu)."""

import tensorflow as tf

from tfgan_zoo import losses


@losses.register("soft_hinge", generator_reads_real=False)
def soft_hinge(real_output, fake_output):
    """D: ``softplus(1 - D(x)) + softplus(1 + D(G(z)))``; G: ``-D(G(z))``."""
    g_loss = -losses.batch_mean(fake_output)
    if real_output is None:  # the generator's update: the contract of tfgan_zoo.losses
        return None, g_loss
    d_loss = losses.batch_mean(tf.nn.softplus(1.0 - real_output)) + losses.batch_mean(
        tf.nn.softplus(1.0 + fake_output)
    )
    return d_loss, g_loss

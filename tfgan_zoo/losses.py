"""Adversarial losses: pure, stateless functions on discriminator outputs.

Every loss has the signature ``loss(real_output, fake_output) -> (d_loss, g_loss)``
where the outputs are the discriminator's raw scores (logits for the
probabilistic losses) on a real and a generated batch. Both results are scalars
reduced over the GLOBAL batch with `tf.nn.compute_average_loss`: under a
`tf.distribute` strategy each replica returns ``sum / global_batch`` and the
optimizer's sum over replicas is then the true mean gradient. Outside a
strategy this is an ordinary mean.

Which scores a loss reads in the generator's update (the contract the models keep):

- The classic losses (`minimax`, `non_saturating`, `least_squares`, `wasserstein`,
  `hinge`, `energy_margin`) have a generator term of the fake scores alone and
  say so with ``generator_reads_real = False``. In the generator's update the
  models pass ``real_output=None`` and use only ``g_loss``; the loss then
  returns ``(None, g_loss)``. No real batch is scored for them.
- The relativistic losses (`rpgan`, `ragan`) compare real and fake scores in
  both terms (``generator_reads_real = True``). For them the generator's update
  scores a real batch with the discriminator as it is at that update (after
  the discriminator's own update of the step): one more forward pass, taken
  only for such losses.
- A loss callable without the attribute is treated as reading the real scores
  (correct, at the price of that forward pass); set
  ``my_loss.generator_reads_real = False`` when its generator term ignores them,
  and return ``(None, g_loss)`` for ``real_output=None``.

The real scores are constants for the generator (no gradient flows into the
discriminator from its loss).

Adding a loss: write the function and register it (`register`, also from your
own package: then ``--loss=<name>`` finds it), with a hand-computed test.
"""

import functools

import tensorflow as tf

from tfgan_zoo.registry import Registry

LOSSES = Registry("loss")


def register(name, generator_reads_real=None, replace=False):
    """Decorator registering a loss ``(real_output, fake_output) -> (d_loss, g_loss)``
    as ``name`` (what ``--loss`` and ``GAN(loss=...)`` accept). ``generator_reads_real``
    states whether its generator term reads the real scores (see the module
    docstring; unset: assumed to read them)."""

    def add(fn):
        if generator_reads_real is not None:
            fn.generator_reads_real = bool(generator_reads_real)
        return LOSSES.register(name, fn, replace)

    return add


def per_example_mean(x):
    """Averages every axis but the first, giving one value per example."""
    x = tf.convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank <= 1:
        return x
    return tf.reduce_mean(x, axis=tf.range(1, tf.rank(x)))


def batch_mean(x, global_batch_size=None):
    """Mean over the global batch of a per-example (or per-pixel) quantity."""
    x = tf.cast(per_example_mean(x), tf.float32)
    return tf.nn.compute_average_loss(x, global_batch_size=global_batch_size)


def fake_scores_only(fn):
    """Marks a loss whose generator term reads only the fake scores (see the module
    docstring): the models pass it ``real_output=None`` in the generator's update."""
    fn.generator_reads_real = False
    return fn


def generator_reads_real(loss):
    """Whether ``loss`` (a function, or a `functools.partial` of one) needs the real
    scores in its generator term; True unless it says otherwise."""
    while isinstance(loss, functools.partial):
        loss = loss.func
    return getattr(loss, "generator_reads_real", True)


def _probabilistic_d_loss(real_output, fake_output, label_smoothing):
    """Sigmoid cross-entropy of real logits against label ``1 - label_smoothing``
    and fake logits against 0: ``-(1-s) log D(x) - s log(1 - D(x)) - log(1 - D(G(z)))``."""
    real_term = (1.0 - label_smoothing) * tf.nn.softplus(-real_output)
    if label_smoothing:
        real_term += label_smoothing * tf.nn.softplus(real_output)
    return batch_mean(real_term) + batch_mean(tf.nn.softplus(fake_output))


@fake_scores_only
def minimax(real_output, fake_output, label_smoothing=0.0):
    """The original GAN game (Goodfellow et al. 2014), saturating generator.

    D minimises ``-log D(x) - log(1 - D(G(z)))``; G minimises
    ``log(1 - D(G(z)))``, whose gradient vanishes when D is confident.

    ``label_smoothing`` s > 0 is one-sided label smoothing (Salimans et al.
    2016): real samples get the target ``1 - s``, fakes keep 0; off by
    default. TF-GAN's discriminator losses take the same word for another
    number: their ``label_smoothing=s`` (default 0.25) goes to
    ``tf.losses.sigmoid_cross_entropy``, which smooths towards 1/2, so the real
    target is ``1 - s/2`` (0.875); TF-GAN's 0.25 is s = 0.125 here.
    """
    g_loss = -batch_mean(tf.nn.softplus(fake_output))
    if real_output is None:
        return None, g_loss
    return _probabilistic_d_loss(real_output, fake_output, label_smoothing), g_loss


@fake_scores_only
def non_saturating(real_output, fake_output, label_smoothing=0.0):
    """Non-saturating GAN: same D as `minimax` (with its ``label_smoothing``), G
    minimises ``-log D(G(z))``."""
    g_loss = batch_mean(tf.nn.softplus(-fake_output))
    if real_output is None:
        return None, g_loss
    return _probabilistic_d_loss(real_output, fake_output, label_smoothing), g_loss


@fake_scores_only
def least_squares(real_output, fake_output, a=0.0, b=1.0, c=1.0):
    """Least-squares GAN (Mao et al. 2017) with fake label a, real label b.

    D minimises ``1/2 (D(x) - b)^2 + 1/2 (D(G(z)) - a)^2`` and G minimises
    ``1/2 (D(G(z)) - c)^2``. The paper's Pearson-chi^2 setting is a=-1, b=1,
    c=0; the common 0/1 coding is a=0, b=1, c=1.
    """
    g_loss = 0.5 * batch_mean(tf.square(fake_output - c))
    if real_output is None:
        return None, g_loss
    d_loss = 0.5 * batch_mean(tf.square(real_output - b)) + 0.5 * batch_mean(
        tf.square(fake_output - a)
    )
    return d_loss, g_loss


@fake_scores_only
def wasserstein(real_output, fake_output):
    """Wasserstein GAN critic loss ``D(G(z)) - D(x)``; G minimises ``-D(G(z))``.

    Needs a Lipschitz constraint: weight clipping (WGAN) or a gradient penalty
    (WGAN-GP), see `tfgan_zoo.penalties`.
    """
    g_loss = -batch_mean(fake_output)
    if real_output is None:
        return None, g_loss
    return batch_mean(fake_output) - batch_mean(real_output), g_loss


@fake_scores_only
def hinge(real_output, fake_output):
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018, SNGAN).

    D minimises ``relu(1 - D(x)) + relu(1 + D(G(z)))``; G minimises ``-D(G(z))``.
    """
    g_loss = -batch_mean(fake_output)
    if real_output is None:
        return None, g_loss
    d_loss = batch_mean(tf.nn.relu(1.0 - real_output)) + batch_mean(tf.nn.relu(1.0 + fake_output))
    return d_loss, g_loss


@fake_scores_only
def energy_margin(real_output, fake_output, margin=1.0):
    """EBGAN margin loss (Zhao et al. 2017) on energies ``E`` (lower = more real).

    D minimises ``E(x) + relu(margin - E(G(z)))``; G minimises ``E(G(z))``.
    """
    g_loss = batch_mean(fake_output)
    if real_output is None:
        return None, g_loss
    return batch_mean(real_output) + batch_mean(tf.nn.relu(margin - fake_output)), g_loss


def rpgan(real_output, fake_output):
    """Relativistic pairing GAN (Jolicoeur-Martineau 2019, RSGAN; the loss of R3GAN,
    Huang et al. 2024): each fake is judged against the real of the same row.

    D minimises ``softplus(D(G(z_i)) - D(x_i))``, G minimises
    ``softplus(D(x_i) - D(G(z_i)))``, both averaged over the pairs. R3GAN adds
    zero-centred penalties on both sides: ``r1_weight`` and ``r2_weight`` (each its
    gamma / 2). Real and fake batches must be the same size; under a
    distribution strategy each replica pairs its own rows, as one device does.
    """
    real_output = tf.convert_to_tensor(real_output)
    fake_output = tf.cast(fake_output, real_output.dtype)
    return (
        batch_mean(tf.nn.softplus(fake_output - real_output)),
        batch_mean(tf.nn.softplus(real_output - fake_output)),
    )


def _global_mean(x):
    """The mean of ``x`` over the global batch (across replicas under a strategy)."""
    x = tf.cast(per_example_mean(x), tf.float32)
    total, count = tf.reduce_sum(x), tf.cast(tf.size(x), tf.float32)
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:
        total, count = context.all_reduce(tf.distribute.ReduceOp.SUM, [total, count])
    return total / count


def ragan(real_output, fake_output):
    """Relativistic average GAN (RaSGAN, Jolicoeur-Martineau 2018): each score is
    judged against the mean score of the other kind.

    With ``r = D(x) - mean D(G(z))`` and ``f = D(G(z)) - mean D(x)``, D minimises
    ``softplus(-r) + softplus(f)`` and G minimises ``softplus(-f) + softplus(r)``
    (each term averaged over its batch). The means are over the global batch:
    under a strategy the replicas all-reduce them, so training equals one device's.
    """
    real_output = tf.convert_to_tensor(real_output)
    fake_output = tf.cast(fake_output, real_output.dtype)
    real_rel = real_output - _global_mean(fake_output)
    fake_rel = fake_output - _global_mean(real_output)
    d_loss = batch_mean(tf.nn.softplus(-real_rel)) + batch_mean(tf.nn.softplus(fake_rel))
    g_loss = batch_mean(tf.nn.softplus(-fake_rel)) + batch_mean(tf.nn.softplus(real_rel))
    return d_loss, g_loss


for _name, _fn in (("minimax", minimax), ("non_saturating", non_saturating),
                   ("least_squares", least_squares), ("wasserstein", wasserstein),
                   ("hinge", hinge), ("energy_margin", energy_margin), ("rpgan", rpgan),
                   ("ragan", ragan)):  # fmt: skip
    LOSSES.register(_name, _fn)


def classification(labels, logits):
    """Softmax cross-entropy of integer ``labels``, reduced over the global batch."""
    labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    return batch_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))


def pulling_away(embeddings):
    """EBGAN's pulling-away term: mean squared cosine similarity of distinct pairs.

    ``1 / (N (N - 1)) sum_{i != j} cos(s_i, s_j)^2`` over the batch's
    embeddings. It is a statistic of the (per-replica) batch, not a
    per-example loss: under N replicas each computes it on its share and it
    is divided by N so the summed gradients average them.
    """
    s = tf.math.l2_normalize(tf.reshape(embeddings, [tf.shape(embeddings)[0], -1]), axis=1)
    n = tf.cast(tf.shape(s)[0], tf.float32)
    similarity = tf.square(tf.matmul(s, s, transpose_b=True))
    pt = (tf.reduce_sum(similarity) - tf.linalg.trace(similarity)) / (n * (n - 1.0))
    return pt / tf.cast(tf.distribute.get_strategy().num_replicas_in_sync, tf.float32)


def get(name, **kwargs):
    """Returns the loss called ``name``, with keyword arguments bound.

    Raises:
      ValueError: for an unknown name, listing the known ones.
    """
    if callable(name):
        return functools.partial(name, **kwargs) if kwargs else name
    fn = LOSSES.lookup(name)
    return functools.partial(fn, **kwargs) if kwargs else fn

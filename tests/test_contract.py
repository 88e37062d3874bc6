"""What the models compute is what they say: penalties on the adversarial score,
the networks' own losses, the real scores a loss reads, disjoint players and
lazy regularization. Each against a hand-built network with a closed form."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import architectures, config, data, losses, models, trainer
from tfgan_zoo.models.base import check_disjoint

SHAPE, LATENT, CLASSES, BATCH = (4, 4, 1), 3, 3, 4
FEATURES = int(np.prod(SHAPE))
RNG = np.random.default_rng(0)
REAL = RNG.uniform(-1, 1, (BATCH, *SHAPE)).astype(np.float32)
FAKE = RNG.uniform(-1, 1, (BATCH, *SHAPE)).astype(np.float32)
LABELS = np.array([0, 1, 2, 1], np.int32)
W = RNG.normal(size=(FEATURES, 1)).astype(np.float32)  # the score's weights
HEAD = RNG.normal(size=(FEATURES, CLASSES)).astype(np.float32)  # another head's
EMBED = RNG.normal(size=(CLASSES, FEATURES)).astype(np.float32)  # projection embeddings


def dense(units, weights, name):
    layer = keras.layers.Dense(units, name=name)
    layer.build((None, FEATURES))
    layer.set_weights([weights, np.zeros(units, np.float32)])
    return layer


def generator(input_dim, conditional=False):
    z = keras.Input((input_dim,))
    inputs = [z, keras.Input((), dtype="int32")] if conditional else z
    images = keras.layers.Reshape(SHAPE)(keras.layers.Dense(FEATURES)(z))
    return keras.Model(inputs, images)


def discriminator(kind):
    """A linear score ``w . x`` beside whatever else the model's discriminator returns;
    for projection ``w . x + <e_y, x>``."""
    x = keras.Input(SHAPE)
    h = keras.layers.Flatten()(x)
    score = dense(1, W, "score")(h)
    if kind in ("gan",):
        return keras.Model(x, score)
    if kind in ("acgan", "ebgan"):
        return keras.Model(x, [score, dense(CLASSES, HEAD, "head")(h)])
    if kind == "infogan":
        heads = [dense(CLASSES, HEAD, "q_cat")(h), dense(1, HEAD[:, :1] * 3, "q_cont")(h)]
        return keras.Model(x, [score, *heads])
    label = keras.Input((), dtype="int32")
    embedding = keras.layers.Embedding(CLASSES, FEATURES, name="embed")
    embedding.build((None,))
    embedding.set_weights([EMBED])
    e = embedding(label)
    if kind == "concat":  # the label moves the score, not its gradient in x
        return keras.Model([x, label], score + keras.ops.sum(e, axis=1, keepdims=True))
    return keras.Model([x, label], score + keras.ops.sum(e * h, axis=1, keepdims=True))


def model(kind, **kwargs):
    d = discriminator(kind)
    common = dict(gp_weight=1.0, r1_weight=1.0, r2_weight=1.0, seed=0, **kwargs)
    if kind == "gan":
        return models.GAN(generator(LATENT), d, LATENT, **common)
    if kind in ("concat", "projection"):
        return models.ConditionalGAN(generator(LATENT, True), d, LATENT, CLASSES, **common)
    if kind == "acgan":
        return models.ACGAN(generator(LATENT, True), d, LATENT, CLASSES, **common)
    if kind == "infogan":
        return models.InfoGAN(generator(LATENT + CLASSES + 1), d, LATENT, num_categorical=CLASSES,
                              num_continuous=1, **common)  # fmt: skip
    return models.EBGAN(generator(LATENT), d, LATENT, loss="energy_margin", **common)


def score_gradients(kind):
    """Each real example's gradient of the score in its input, in closed form."""
    w = np.tile(W[:, 0], (BATCH, 1))
    return w + EMBED[LABELS] if kind == "projection" else w


@pytest.mark.parametrize("kind", ["gan", "concat", "projection", "acgan", "infogan", "ebgan"])
def test_penalties_are_taken_on_the_adversarial_score_alone(kind):
    gan = model(kind)
    gan.compile()
    real, fake = tf.constant(REAL), tf.constant(FAKE)
    condition = tf.constant(LABELS) if gan.num_classes else None
    z = gan.sample_latent(BATCH)
    real_out = gan.discriminate(real, condition, training=True)
    fake_out = gan.discriminate(fake, condition, training=True)
    alpha = tf.constant(RNG.uniform(size=(BATCH, 1, 1, 1)), tf.float32)
    terms = gan.discriminator_extra_loss(real, fake, condition, real_out, fake_out,
                                         {"z": z, "alpha": alpha})  # fmt: skip
    sq_norm = np.sum(np.square(score_gradients(kind)), axis=1)
    np.testing.assert_allclose(terms["r1"], sq_norm.mean(), rtol=1e-5)
    np.testing.assert_allclose(terms["r2"], sq_norm.mean(), rtol=1e-5)  # linear in x: same
    gp = np.mean((np.sqrt(sq_norm + 1e-10) - 1.0) ** 2)
    np.testing.assert_allclose(terms["gp"], gp, rtol=1e-5)


def test_a_shared_layer_between_the_players_is_refused_with_its_name():
    shared = keras.layers.Dense(FEATURES, name="shared_dense")
    z = keras.Input((LATENT,))
    g = keras.Model(z, keras.layers.Reshape(SHAPE)(shared(keras.layers.Dense(FEATURES)(z))))
    x = keras.Input(SHAPE)
    d = keras.Model(x, keras.layers.Dense(1)(shared(keras.layers.Flatten()(x))))
    with pytest.raises(ValueError, match="share the variable 'shared_dense/kernel'"):
        models.GAN(g, d, LATENT)
    with pytest.raises(ValueError, match="shared_dense"):
        check_disjoint([g], [d])
    check_disjoint([g], [discriminator("gan")])  # separate networks pass


def toy_pair(d_kernel=None, g_kernel=None, activity=None, constant_fakes=False):
    """A Dense generator of 2-D points and a tanh MLP discriminator, the same weights
    whatever the regularizers; with ``constant_fakes`` every fake is the point b."""
    keras.utils.set_random_seed(0)
    z = keras.Input((LATENT,))
    init = "zeros" if constant_fakes else "glorot_uniform"
    bias = keras.initializers.Constant(0.7) if constant_fakes else "zeros"
    g = keras.Model(z, keras.layers.Dense(2, kernel_initializer=init, bias_initializer=bias,
                                          kernel_regularizer=g_kernel)(z))  # fmt: skip
    x = keras.Input((2,))
    hidden = keras.layers.Dense(8, activation="tanh", kernel_regularizer=d_kernel,
                                activity_regularizer=activity, name="hidden")  # fmt: skip
    return g, keras.Model(x, keras.layers.Dense(1)(hidden(x)))


def sgd_gan(g, d, **kwargs):
    gan = models.GAN(g, d, LATENT, seed=1, **kwargs)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    return gan


POINTS = RNG.normal(size=(8, 2)).astype(np.float32)


@pytest.mark.parametrize("player", ["generator", "discriminator"])
def test_an_l2_kernel_regularizer_changes_the_update_by_exactly_its_gradient(player):
    """One SGD step (rate 0.1) with ``L2(0.5)`` on one player's first kernel moves that
    kernel by exactly -0.1 * 2 * 0.5 * W more than without it; it logs 0.5 ||W||^2."""
    l2 = keras.regularizers.L2(0.5)
    regularized = sgd_gan(*toy_pair(**{f"{player[0]}_kernel": l2}))
    plain = sgd_gan(*toy_pair())
    name = f"{player[0]}_reg"
    assert set(regularized.trackers) - set(plain.trackers) == {name}
    kernel = getattr(regularized, player).trainable_weights[0]
    before = kernel.numpy()
    logs = regularized.train_on_batch(POINTS, return_dict=True)
    plain.train_on_batch(POINTS)
    np.testing.assert_allclose(logs[name], 0.5 * np.sum(np.square(before)), rtol=1e-5)
    moved = kernel.numpy() - getattr(plain, player).trainable_weights[0].numpy()
    np.testing.assert_allclose(moved, -0.1 * 2 * 0.5 * before, rtol=1e-4, atol=1e-7)


def test_activity_regularizers_count_on_both_of_the_discriminators_calls():
    """d_reg = the L1 activity penalty of the real call plus the fake call's (each
    Keras-normalized by its batch), not only the last call's."""
    gan = sgd_gan(*toy_pair(activity=keras.regularizers.L1(0.01), constant_fakes=True))
    assert "d_reg" in gan.trackers
    kernel, bias = gan.discriminator.get_layer("hidden").get_weights()
    activity = lambda x: 0.01 * np.abs(np.tanh(x @ kernel + bias)).sum() / len(x)  # noqa: E731
    expected = activity(POINTS) + activity(np.full_like(POINTS, 0.7))
    logs = gan.train_on_batch(POINTS, return_dict=True)
    np.testing.assert_allclose(logs["d_reg"], expected, rtol=1e-5)


def test_the_trainer_counts_an_architectures_own_regularizers(tmp_path):
    """An architecture whose discriminator carries an L2 kernel regularizer, trained
    by `trainer.train` from a TrainConfig: d_reg is logged and the kernel shrinks
    faster than the same run's without it (Adam at rate 0.01)."""

    def regularized_mlp(sample_shape, latent_dim, **kwargs):
        g, d = architectures.ARCHITECTURES["mlp"](sample_shape, latent_dim, **kwargs)
        for layer in d.layers:
            if isinstance(layer, keras.layers.Dense):
                layer.kernel.regularizer = keras.regularizers.L2(1.0)
        return g, d

    architectures.register("l2_mlp", toy=True)(regularized_mlp)
    norms = {}
    try:
        for arch in ("mlp", "l2_mlp"):
            run = config.TrainConfig(
                architecture=arch, dataset="ring8", batch_size=16, epochs=1, steps_per_epoch=20,
                hidden_units=8, latent_dim=4, d_lr=0.01, model_dir=str(tmp_path / arch),
                verbose=0, sample_every=20, checkpoint_every=20, log_every=20,
            )  # fmt: skip
            result = trainer.train(run)
            norms[arch] = float(tf.norm(result.model.discriminator.trainable_weights[0]))
            assert ("d_reg" in result.model.trackers) == (arch == "l2_mlp")
    finally:
        architectures.ARCHITECTURES.unregister("l2_mlp")
    assert norms["l2_mlp"] < 0.9 * norms["mlp"], norms


def probe_loss(real_output, fake_output):
    """A relativistic-style probe: D's term is RpGAN's; G's term is the mean real score
    (plus 0 x the fakes' so G has a gradient), which the logs then show."""
    return losses.rpgan(real_output, fake_output)[0], (
        losses.batch_mean(real_output) + 0.0 * losses.batch_mean(fake_output)
    )


def test_a_loss_that_reads_real_scores_gets_the_updated_discriminators():
    gan = sgd_gan(*toy_pair(), loss=probe_loss)
    assert losses.generator_reads_real(gan.loss_fn)
    before = float(tf.reduce_mean(gan.discriminator(POINTS)))
    logs = gan.train_on_batch(POINTS, return_dict=True)
    after = float(tf.reduce_mean(gan.discriminator(POINTS)))
    assert abs(after - before) > 1e-4
    np.testing.assert_allclose(logs["g_loss"], after, rtol=1e-5)


def test_classic_losses_get_no_real_scores_in_the_generator_update():
    seen = []

    @losses.fake_scores_only
    def recording(real_output, fake_output):
        seen.append(real_output is None)
        return losses.non_saturating(real_output, fake_output)

    gan = sgd_gan(*toy_pair(), loss=recording)
    logs = gan.train_on_batch(POINTS, return_dict=True)
    assert seen == [False, True]  # traced once: the D update with reals, the G update without
    reference = sgd_gan(*toy_pair())
    np.testing.assert_allclose(reference.train_on_batch(POINTS, return_dict=True)["g_loss"],
                               logs["g_loss"], rtol=1e-6)  # fmt: skip


def one_step(model, a, b):
    """The logs of one `fit` step on the pair batch ``(a, b)``."""
    pairs = tf.data.Dataset.from_tensors((a, b))
    history = model.fit(pairs, epochs=1, steps_per_epoch=1, verbose=0).history
    return {name: values[-1] for name, values in history.items()}


def translator_pair():
    keras.utils.set_random_seed(0)
    return architectures.build("unet_patchgan", SHAPE_16, 0, input_shape=SHAPE_16,
                               base_filters=4, dropout=0.0)  # fmt: skip


SHAPE_16 = (16, 16, 1)


def test_pix2pix_reads_real_scores_from_the_updated_discriminator():
    a, b = RNG.uniform(-1, 1, (2, 4, *SHAPE_16)).astype(np.float32)
    pix2pix = models.Pix2Pix(*translator_pair(), loss=probe_loss, l1_weight=0.0)
    pix2pix.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    before = float(tf.reduce_mean(pix2pix.discriminator([a, b], training=True)))
    logs = one_step(pix2pix, a, b)
    after = float(tf.reduce_mean(pix2pix.discriminator([a, b], training=True)))
    assert abs(after - before) > 1e-4
    np.testing.assert_allclose(logs["g_loss"], after, rtol=1e-4)


def test_cyclegan_reads_real_scores_of_each_domain():
    """CycleGAN updates its generators first: their loss sees each domain's reals
    scored by that domain's discriminator before its update."""
    a, b = RNG.uniform(-1, 1, (2, 4, *SHAPE_16)).astype(np.float32)
    keras.utils.set_random_seed(0)
    nets = [architectures.build("resnet_patchgan", SHAPE_16, 0, input_shape=SHAPE_16,
                                base_filters=4, num_res_blocks=1) for _ in range(2)]  # fmt: skip
    (g, d_b), (f, d_a) = nets
    cycle = models.CycleGAN(g, f, d_a, d_b, loss=probe_loss, identity_weight=0.0, seed=0)
    cycle.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    expected = [float(tf.reduce_mean(d(x, training=True))) for d, x in ((d_b, b), (d_a, a))]
    logs = one_step(cycle, a, b)
    np.testing.assert_allclose([logs["g_ab"], logs["g_ba"]], expected, rtol=1e-4)


def test_lazy_penalties_weigh_k_times_at_every_kth_discriminator_update():
    dense, lazy = model("gan"), model("gan", r1_every=4, gp_every=4)
    for gan in (dense, lazy):
        gan.compile()
    alpha = tf.constant(RNG.uniform(size=(BATCH, 1, 1, 1)), tf.float32)
    draws = {"alpha": alpha}

    def terms(gan):
        return gan.discriminator_extra_loss(REAL, FAKE, None, None, None, draws)

    reference = terms(dense)
    for update in range(6):
        lazy.d_optimizer.iterations.assign(update)
        factor = 4.0 if update % 4 == 0 else 0.0
        for name in ("r1", "r2", "gp"):
            np.testing.assert_allclose(terms(lazy)[name], factor * reference[name], rtol=1e-5)
    assert models.GAN.from_config(lazy.get_config()).penalty.r1_every == 4


def test_lazy_regularization_trains_under_xla_and_is_checked():
    gan = sgd_gan(*toy_pair(), r1_weight=1.0, r2_weight=1.0, r1_every=2)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), jit_compile=True)
    history = gan.fit(data.load("ring8", 8)[0], epochs=1, steps_per_epoch=4, verbose=0).history
    assert np.isfinite(history["r1"]).all() and history["r1"][-1] > 0
    with pytest.raises(ValueError, match="r1_every"):
        sgd_gan(*toy_pair(), r1_every=0)
    with pytest.raises(config.ConfigError, match="--r1_every must be >= 1, got 0"):
        config.TrainConfig(r1_every=0)


class CountingGAN(models.GAN):
    """Counts the discriminator calls of a traced training step."""

    def discriminate(self, x, condition, training):
        self.calls += 1
        return super().discriminate(x, condition, training)


@pytest.mark.parametrize("loss,calls", [("non_saturating", 3), ("hinge", 3), ("rpgan", 4)])
def test_only_losses_that_read_real_scores_pay_a_discriminator_pass_more(loss, calls):
    """A step is D(real) and D(fake) for the discriminator, D(fake) for the generator;
    RpGAN adds D(real) for the generator's term, the classic losses nothing."""
    g, d = toy_pair()
    gan = CountingGAN(g, d, LATENT, loss=loss, seed=1)
    gan.compile()
    gan.calls = 0
    gan.train_on_batch(POINTS)
    assert gan.calls == calls


class PathLengthGAN(models.GAN):
    """A generator returning ``[points, w]`` (StyleGAN's intermediate latent) and a
    term on ``w`` taken every second generator update, as path-length
    regularization is."""

    def generator_extra_loss(self, z, fake, condition, fake_out, extras=()):
        (w,) = extras
        return {"w_norm": self.lazily(2, lambda: tf.reduce_mean(tf.square(w)),
                                      player="generator")}  # fmt: skip

    def tracked_names(self):
        return super().tracked_names() + ["w_norm"]


def test_a_generator_returning_more_hands_it_to_the_extra_loss_at_its_interval(tmp_path):
    """The hooks a modern model needs: the extra loss sees what the generator returns
    beside its samples, at its own interval (2 x the term on every other generator
    update, 0 between); sampling, previews and the export keep the samples."""
    keras.utils.set_random_seed(0)
    z = keras.Input((LATENT,))
    w = keras.layers.Dense(4, name="mapping")(z)
    g = keras.Model(z, [keras.layers.Dense(2)(w), w])
    gan = PathLengthGAN(g, toy_pair()[1], LATENT, seed=1)
    gan.compile(keras.optimizers.SGD(0.01), keras.optimizers.SGD(0.01))
    history = gan.fit(data.load("ring8", 8)[0], epochs=4, steps_per_epoch=1, verbose=0).history
    terms = np.asarray(history["w_norm"])
    assert (terms[[0, 2]] > 0).all() and (terms[[1, 3]] == 0).all(), terms
    assert gan(tf.zeros([3, LATENT])).shape == (3, 2)
    assert gan.preview(tf.zeros([5, LATENT])).shape == (5, 2)
    from tfgan_zoo import export

    served = tf.saved_model.load(export.export_generator(g, LATENT, str(tmp_path / "g")))
    out = served.signatures["serving_default"](z=tf.zeros([2, LATENT]))
    assert out["images"].shape == (2, 2)


def test_a_registered_penalty_runs_at_its_own_interval():
    """``--penalties=name=weight@k`` (``Penalties(extra_every=...)``): the penalty
    weighs k times at every k-th discriminator update and nothing between."""
    from tfgan_zoo import penalties
    from tfgan_zoo.options import Penalties

    name = "contract_mean_score"
    penalties.PENALTIES[name] = lambda critic, real, fake: penalties.r1_penalty(critic, real)
    try:
        every, dense = (
            models.GAN(generator(LATENT), discriminator("gan"), LATENT, seed=0,
                       penalties=Penalties(extra={name: 1.0}, extra_every=intervals))
            for intervals in ({name: 3}, {})
        )  # fmt: skip
        for gan in (every, dense):
            gan.compile()
        reference = dense.discriminator_extra_loss(REAL, FAKE, None, None, None, {})
        for update in range(4):
            every.d_optimizer.iterations.assign(update)
            got = every.discriminator_extra_loss(REAL, FAKE, None, None, None, {})
            factor = 3.0 if update % 3 == 0 else 0.0
            expected = factor * reference[f"penalty_{name}"]
            np.testing.assert_allclose(got[f"penalty_{name}"], expected, rtol=1e-6)
        parsed = config.TrainConfig(penalties=f"{name}=0.5@4").penalties_group
        assert (parsed.extra, parsed.extra_every) == ({name: 0.5}, {name: 4})
    finally:
        del penalties.PENALTIES[name]

"""Generator EMA, label smoothing and gradient-penalty options (issue 13)."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_trainer import toy_config

from tfgan_zoo import architectures, data, ema, models, trainer
from tfgan_zoo.config import ConfigError, TrainConfig


def small_net():
    return keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(3), keras.layers.BatchNormalization()]
    )


def test_ema_update_averages_trainable_weights_and_copies_batchnorm_statistics():
    net = small_net()
    average = ema.averaged_copy(net)
    for a, b in zip(average.weights, net.weights, strict=True):
        np.testing.assert_array_equal(a, b)  # starts as a copy
    old = [w.numpy() for w in average.weights]
    new = [np.full(w.shape, 2.0, np.float32) for w in net.weights]
    net.set_weights(new)
    ema.update(average, net, 0.75)
    for avg, weight, before, after in zip(average.weights, net.weights, old, new, strict=True):
        expected = 0.75 * before + 0.25 * after if weight.trainable else after
        # float32 round-off of O(1) operands (one assign_sub: avg - 0.25 (avg - w)),
        # absolute where a weight near -2/3 cancels to near 0
        np.testing.assert_allclose(avg.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert sum(not w.trainable for w in net.weights) == 2  # moving mean and variance


def toy_gan(**kwargs):
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    gan = models.GAN(g, d, 4, seed=0, **kwargs)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    return gan


def test_gan_ema_follows_the_generator_from_ema_start():
    dataset = data.load("ring8", 16, seed=0)[0]
    gan = toy_gan(ema_decay=0.5, ema_start=2, ema_warmup=False)
    gan.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    for a, b in zip(gan.ema_generator.weights, gan.generator.weights, strict=True):
        np.testing.assert_array_equal(a, b)  # copies until ema_start updates are done
    before = [w.numpy() for w in gan.ema_generator.weights]
    gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
    pairs = zip(gan.ema_generator.weights, gan.generator.weights, before, strict=True)
    for avg, weight, b in pairs:
        expected = 0.5 * b + 0.5 * weight.numpy() if weight.trainable else weight.numpy()
        np.testing.assert_allclose(avg.numpy(), expected, rtol=1e-5, atol=1e-7)
    z = np.ones((3, 4), np.float32)
    np.testing.assert_allclose(gan(z), gan.ema_generator(z), atol=1e-6)  # gan(z) samples the EMA
    assert not np.allclose(gan(z), gan.generator(z))


def test_ema_warmup_follows_tensorflows_num_updates_rule():
    """Decay min(0.999, (1 + n) / (10 + n)) at the n-th averaged update: 2/11, then 3/12."""
    dataset = data.load("ring8", 16, seed=0)[0]
    gan = toy_gan(ema_decay=0.999)
    for d in (2.0 / 11.0, 3.0 / 12.0):
        before = [w.numpy() for w in gan.ema_generator.weights]
        gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
        pairs = zip(gan.ema_generator.weights, gan.generator.weights, before, strict=True)
        for avg, weight, b in pairs:
            expected = d * b + (1 - d) * weight.numpy() if weight.trainable else weight.numpy()
            np.testing.assert_allclose(avg.numpy(), expected, rtol=1e-5, atol=1e-7)


def test_half_life_decay_is_stylegan2s_with_its_rampup():
    """0.5 ** (batch / half-life); ramped up, the half-life is at most rampup x images."""
    assert float(ema.half_life_decay(10_000, 32, 10**9)) == pytest.approx(0.5 ** (32 / 10_000))
    ramped = ema.half_life_decay(10_000, 32, images_seen=3200, rampup=0.05)  # half-life 160
    assert float(ramped) == pytest.approx(0.5 ** (32 / 160))
    dataset = data.load("ring8", 16, seed=0)[0]
    gan = toy_gan(ema_half_life=64, ema_rampup=0.5)
    before = [w.numpy() for w in gan.ema_generator.weights]
    gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)  # 16 images seen: half-life 8
    d = 0.5 ** (16 / 8)
    pairs = zip(gan.ema_generator.weights, gan.generator.weights, before, strict=True)
    for avg, weight, b in pairs:
        expected = d * b + (1 - d) * weight.numpy() if weight.trainable else weight.numpy()
        np.testing.assert_allclose(avg.numpy(), expected, rtol=1e-5, atol=1e-7)
    with pytest.raises(ConfigError, match="--ema_decay and ema_half_life set one average two ways"):
        TrainConfig(architecture="mlp", dataset="ring8", ema_decay=0.9, ema_half_life=100)


def test_standing_statistics_average_the_batch_statistics_through_the_network():
    """Each batch-norm layer's population statistics become the mean of its batch
    statistics over the calls, with the layers before it in training mode."""
    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3),
                            keras.layers.BatchNormalization(), keras.layers.Dense(2),
                            keras.layers.BatchNormalization()])  # fmt: skip
    batches = [np.random.default_rng(k).normal(k, 1 + k, (50, 2)).astype(np.float32)
               for k in range(3)]  # fmt: skip
    first, second = net.layers[1], net.layers[3]
    hidden = keras.Model(net.inputs, [first.input, second.input])
    stats = [[np.asarray(t) for t in hidden(x, training=True)] for x in batches]
    assert ema.standing_statistics(net, lambda k: net(batches[k], training=True), 3) == 2
    for i, layer in enumerate((first, second)):
        np.testing.assert_allclose(layer.moving_mean, np.mean([s[i].mean(0) for s in stats], 0),
                                   rtol=1e-4, atol=1e-5)  # fmt: skip
        np.testing.assert_allclose(layer.moving_variance,
                                   np.mean([s[i].var(0) for s in stats], 0), rtol=1e-4)  # fmt: skip
        assert layer.momentum == 0.99  # restored


def test_recomputed_ema_statistics_are_used_for_samples_and_exports(tmp_path):
    config = toy_config(tmp_path, export=True, architecture="dcgan",
                        dataset="idx:../shared/data/mnist", split="test", ema_decay=0.9,
                        ema_bn="recompute", base_filters=4, epochs=1)  # fmt: skip
    result = trainer.train(config)
    model = result.model
    norms = [layer for layer in model.ema_generator._flatten_layers()
             if isinstance(layer, keras.layers.BatchNormalization)]  # fmt: skip
    raw = [layer for layer in model.generator._flatten_layers()
           if isinstance(layer, keras.layers.BatchNormalization)]  # fmt: skip
    assert norms and not np.allclose(norms[0].moving_mean, raw[0].moving_mean)
    z = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    served = tf.saved_model.load(result.export_path).signatures["serving_default"]
    np.testing.assert_allclose(served(z=tf.constant(z))["images"], model.ema_generator(z),
                               atol=1e-5)  # fmt: skip


def test_ema_off_samples_the_generator_and_bad_values_are_refused():
    gan = toy_gan()
    assert gan.ema_generator is None and gan.sampler is gan.generator
    with pytest.raises(ValueError, match="ema_decay must be in"):
        toy_gan(ema_decay=1.0)
    with pytest.raises(ConfigError, match="--ema_decay and --ema_half_life apply to the gen"):
        TrainConfig(model="pix2pix", dataset="edges:idx:x", architecture="unet_patchgan",
                    ema_decay=0.9)  # fmt: skip


def test_ema_is_checkpointed_restored_and_exported(tmp_path):
    config = toy_config(tmp_path, export=True, ema_decay=0.9)
    first = trainer.train(config)
    model = first.model
    z = np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32)
    assert not np.allclose(model.ema_generator(z), model.generator(z))
    served = tf.saved_model.load(first.export_path).signatures["serving_default"]
    np.testing.assert_allclose(served(z=tf.constant(z))["images"], model.ema_generator(z),
                               atol=1e-6)  # fmt: skip
    with open(os.path.join(first.export_path, "assets.extra", "tfgan_zoo.json")) as f:
        assert json.load(f)["ema"] is True
    restored, _ = trainer.restore_model(config.model_dir)
    for a, b in zip(restored.ema_generator.weights, model.ema_generator.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    # A resumed run starts from the saved average (nothing left to train here).
    again = trainer.train(config)
    assert again.start_step == again.final_step == 40
    for a, b in zip(again.model.ema_generator.weights, model.ema_generator.weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_label_smoothing_and_gradient_penalty_flags_reach_the_model():
    config = TrainConfig(label_smoothing=0.25)
    assert config.loss_kwargs == {"label_smoothing": 0.25}
    with pytest.raises(ConfigError, match="--label_smoothing applies to the minimax"):
        TrainConfig(label_smoothing=0.25, loss="hinge")
    with pytest.raises(ConfigError, match="--label_smoothing must be in"):
        TrainConfig(label_smoothing=1.0)
    config = TrainConfig(architecture="mlp", dataset="ring8", loss="wasserstein", gp_weight=1.0,
                         gp_target=2.0, gp_one_sided=True)  # fmt: skip
    info = data.load("ring8", 16)[1]
    gan = models.GAN.from_train_config(config, info)
    assert (gan.penalty.gp_target, gan.penalty.gp_one_sided) == (2.0, True)


class RecordingGAN(models.GAN):
    """Notes the mean of every real batch a discriminator update sees."""

    seen = []

    def discriminator_step(self, real, condition):
        self.seen.append(float(tf.reduce_mean(real)))
        return super().discriminator_step(real, condition)


def recording_gan(n_critic):
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    gan = RecordingGAN(g, d, 4, n_critic=n_critic, seed=0)
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), run_eagerly=True)
    gan.seen = []
    return gan


def test_each_critic_update_gets_a_fresh_real_batch_when_the_data_is_grouped():
    points = np.repeat(np.arange(8, dtype=np.float32), 4)[:, None] * np.ones((1, 2), np.float32)
    batches = tf.data.Dataset.from_tensor_slices(points).batch(4)  # batch k holds k
    gan = recording_gan(n_critic=2)
    gan.fit(data.critic_groups(batches, 2), epochs=1, steps_per_epoch=2, verbose=0)
    assert gan.seen == [0.0, 1.0, 2.0, 3.0]
    gan = recording_gan(n_critic=2)  # plain batches: both updates share one
    gan.fit(batches, epochs=1, steps_per_epoch=2, verbose=0)
    assert gan.seen == [0.0, 0.0, 1.0, 1.0]
    gan = recording_gan(n_critic=3)
    with pytest.raises(ValueError, match=r"holds 2 batches on axis 1 but n_critic=3"):
        gan.fit(data.critic_groups(batches, 2), epochs=1, steps_per_epoch=1, verbose=0)


def test_critic_groups_stack_batches_and_labels_on_axis_1():
    images = np.arange(12, dtype=np.float32).reshape(6, 2)
    labels = np.arange(6)
    ds = data.critic_groups(tf.data.Dataset.from_tensor_slices((images, labels)).batch(3), 2)
    x, y = next(iter(ds))
    assert x.shape == (3, 2, 2) and y.shape == (3, 2)
    np.testing.assert_array_equal(x[:, 1], images[3:])
    np.testing.assert_array_equal(y[:, 0], labels[:3])
    assert data.critic_groups(ds, 1) is ds


def test_trainer_flags_for_ema_diffaugment_smoothing_and_fresh_batches(tmp_path):
    """The new flags together on real Fashion-MNIST files, through the CLI's parser."""
    from conftest import shared_dir
    from test_trainer import parse

    config = parse(
        f"--dataset=idx:{shared_dir('fashion-mnist')}", "--base_filters=8", "--batch_size=8",
        "--epochs=1", "--steps_per_epoch=4", "--checkpoint_every=4", "--sample_every=4",
        f"--model_dir={tmp_path / 'run'}", "--verbose=0", "--ema_decay=0.99",
        "--augment_policy=color,translation,cutout", "--label_smoothing=0.25", "--n_critic=2",
    )  # fmt: skip
    result = trainer.train(config)
    assert result.final_step == 4 and int(result.model.d_optimizer.iterations) == 8
    assert result.model.augment_policy == ("color", "translation", "cutout")
    assert result.model.loss_kwargs == {"label_smoothing": 0.25}
    with open(os.path.join(result.export_path, "assets.extra", "tfgan_zoo.json")) as f:
        assert json.load(f)["ema"] is True
    with pytest.raises(ConfigError, match="--augment_policy: Unknown augmentation flip"):
        TrainConfig(augment_policy="flip")
    with pytest.raises(ConfigError, match="--augment_policy applies to image datasets"):
        TrainConfig(augment_policy="color", dataset="ring8", architecture="mlp")


def test_the_readme_snippet_of_ema_diffaugment_and_keras_saving(tmp_path):
    """README's snippet, with small networks and two steps."""
    from conftest import shared_dir

    from tfgan_zoo.options import Averaging, Feeding, Schedule

    dataset, info = data.load("idx:" + shared_dir("fashion-mnist"), batch_size=8)
    generator, discriminator = architectures.build(
        "dcgan", info.sample_shape, latent_dim=64, base_filters=8
    )
    gan = models.GAN(
        generator, discriminator, latent_dim=64, loss="hinge",
        schedule=Schedule(n_critic=5), averaging=Averaging(decay=0.999),
        feeding=Feeding(augment_policy="color,translation,cutout"),
    )  # fmt: skip
    gan.compile(
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.9),
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.9),
    )
    gan.fit(data.critic_groups(dataset, 5), epochs=1, steps_per_epoch=2, verbose=0)
    gan.save(str(tmp_path / "gan.keras"))
    gan = keras.saving.load_model(str(tmp_path / "gan.keras"))
    z = keras.random.normal((16, 64), seed=1)
    images = gan(z)
    assert images.shape == (16, 28, 28, 1)
    assert int(gan.d_optimizer.iterations) == 10  # 5 critic updates per step, as saved
    np.testing.assert_allclose(images, gan.ema_generator(z), atol=1e-6)


def test_the_overfitting_monitor_logs_d_on_training_and_held_out_images(tmp_path):
    from conftest import shared_dir

    fashion = "idx:" + shared_dir("fashion-mnist")
    config = toy_config(tmp_path, architecture="dcgan", dataset=fashion, base_filters=4,
                        epochs=1, overfit_every=10, overfit_samples=50)  # fmt: skip
    with pytest.raises(ConfigError, match="needs an image dataset with train and test splits"):
        TrainConfig(architecture="mlp", dataset="ring8", overfit_every=10)
    result = trainer.train(config)
    [monitor] = [c for c in result.callbacks if type(c).__name__ == "OverfitMonitor"]
    assert sorted(monitor.values) == [10, 20]
    values = monitor.values[20]
    assert values["d_gap"] == pytest.approx(values["d_train"] - values["d_heldout"])
    assert -1.0 <= values["ada_rt"] <= 1.0
    images, labels = monitor.train
    scores = monitor.scores(images, labels)
    assert values["ada_rt"] == pytest.approx(float(np.sign(scores).mean()))


def test_the_flat_keywords_of_earlier_versions_go_to_their_groups():
    """``GAN(..., ema_decay=..., n_critic=...)`` as before the option groups: the same
    model as the groups give; a group given both ways is refused."""
    from tfgan_zoo.options import Averaging, Penalties, Schedule

    flat = toy_gan(ema_decay=0.99, n_critic=2, gp_weight=1.0, r1_every=4)
    grouped = toy_gan(averaging=Averaging(decay=0.99), schedule=Schedule(n_critic=2),
                      penalties=Penalties(gp_weight=1.0, r1_every=4))  # fmt: skip
    for name in ("averaging", "schedule", "penalty", "feeding"):
        assert getattr(flat, name) == getattr(grouped, name)
    with pytest.raises(TypeError, match="penalties= and its flat keywords"):
        toy_gan(penalties=Penalties(gp_weight=1.0), r1_weight=1.0)


def test_evaluations_scoring_group_takes_the_keywords_of_earlier_versions():
    from tfgan_zoo.evaluation import Scoring

    assert Scoring.of(None, {"feature_kind": "inception", "inception_weights": None}) == Scoring(
        kind="inception", inception_weights=None
    )
    assert Scoring.of(Scoring(classifier_dir="x"), {}) == Scoring(classifier_dir="x")
    with pytest.raises(TypeError, match="say it once"):
        Scoring.of(Scoring(), {"classifier_split": "test"})
    with pytest.raises(TypeError, match="Unknown keywords num_classes"):
        Scoring.of(None, {"num_classes": 3})


def test_the_readme_snippet_of_wgan_gp_with_option_groups():
    """README's first Python snippet (WGAN-GP in option groups), small and short."""
    from conftest import shared_dir

    from tfgan_zoo.options import Penalties, Schedule

    dataset, info = data.load("idx:" + shared_dir("fashion-mnist"), batch_size=8)
    generator, discriminator = architectures.build(
        "dcgan", info.sample_shape, latent_dim=64, base_filters=8
    )
    gan = models.GAN(
        generator, discriminator, latent_dim=64, loss="wasserstein",
        penalties=Penalties(gp_weight=10.0), schedule=Schedule(n_critic=5),
    )  # fmt: skip
    gan.compile(
        g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        d_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
    )
    history = gan.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0).history
    assert np.isfinite(history["gp"]).all() and int(gan.d_optimizer.iterations) == 10
    assert gan(keras.random.normal((16, 64))).shape == (16, 28, 28, 1)

"""Keras saving: every model class round-trips through ``.keras`` and trains on
exactly as the original (keras-team/keras#20579 asks for this of GANs)."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_models import image_dataset, make_model
from test_translation import random_pairs, resnet_pair, unet_pair

from tfgan_zoo import architectures, data, models


def toy_gan():
    keras.utils.set_random_seed(0)
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8, pack=2)
    labels = {"a": -1.0, "b": 1.0, "c": 0.0}
    gan = models.GAN(g, d, 4, loss="least_squares", loss_kwargs=labels, gp_weight=1.0,
                     gp_target=2.0, n_critic=2, pack=2, ema_decay=0.9, seed=3)  # fmt: skip
    gan.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
    return gan, lambda: data.critic_groups(data.load("ring8", 16, seed=0)[0], 2)


def translator(name):
    keras.utils.set_random_seed(0)
    a, b = random_pairs(16)
    pairs = lambda: tf.data.Dataset.from_tensor_slices((a, b)).batch(4).repeat()  # noqa: E731
    if name == "pix2pix":
        model = models.Pix2Pix(*unet_pair(dropout=0.5), l1_weight=50.0)
    else:
        (g, d_b), (f, d_a) = resnet_pair(), resnet_pair()
        model = models.CycleGAN(g, f, d_a, d_b, pool_size=3, seed=1)
    model.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
    return model, pairs


def build(case):
    """The compiled model of ``case`` and a function giving a fresh copy of its
    data (the same batches each time: the image data reshuffles per iterator)."""
    if case == "gan_mlp_packed_ema":
        return toy_gan()
    if case in ("pix2pix", "cyclegan"):
        return translator(case)
    name, arch = case.split(":")
    info = image_dataset()[1]
    return make_model(name, arch, info.sample_shape), lambda: image_dataset()[0]


CASES = ["gan_mlp_packed_ema", "gan:dcgan", "gan:sngan", "conditional:conditional_dcgan",
         "conditional:resnet_projection", "acgan:acgan_dcgan", "ebgan:ebgan_dcgan",
         "infogan:infogan_dcgan", "pix2pix", "cyclegan"]  # fmt: skip


def test_every_model_class_has_a_case():
    classes = {type(build(case)[0]) for case in ("gan_mlp_packed_ema", "pix2pix", "cyclegan")}
    classes |= {models.MODELS[case.split(":")[0]] for case in CASES if ":" in case}
    assert classes == set(models.MODELS.values())


# Every test run: the packed EMA GAN, DCGAN, the concat cGAN and Pix2Pix; the
# other classes and architectures (5-40 s each on 2 cores) are marked slow.
SLOW = ("cyclegan", "conditional:resnet_projection", "gan:sngan", "acgan:acgan_dcgan",
        "ebgan:ebgan_dcgan", "infogan:infogan_dcgan")  # fmt: skip


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=pytest.mark.slow) if c in SLOW else c for c in CASES]
)
def test_keras_file_round_trip_continues_fit_identically(case, tmp_path):
    model, dataset = build(case)
    model.fit(dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    settings = lambda m: {k: v for k, v in m.get_config().items() if k not in m.network_args}  # noqa: E731
    assert settings(loaded) == settings(model)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for m in (model, loaded):
        m.fit(dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    for opt in ("g_optimizer", "d_optimizer"):
        saved, restored = getattr(model, opt), getattr(loaded, opt)
        assert int(restored.iterations) == int(saved.iterations) > 0
        for a, b in zip(saved.variables, restored.variables, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_summary_lists_the_networks_once_each():
    gan, _ = toy_gan()
    lines = []
    gan.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "mlp_generator" in text and "mlp_discriminator" in text
    assert "mlp_generator_ema" in text  # the averaged copy, named apart


def test_an_unregistered_loss_function_is_named_when_loading_fails(tmp_path):
    def my_loss(real, fake):
        return tf.reduce_mean(fake) - tf.reduce_mean(real), -tf.reduce_mean(fake)

    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    gan = models.GAN(g, d, 4, loss=my_loss)
    gan.compile()
    gan.save(str(tmp_path / "custom.keras"))
    with pytest.raises(Exception, match="my_loss"):
        keras.saving.load_model(str(tmp_path / "custom.keras"))


def test_a_fresh_process_loads_a_saved_model_after_importing_tfgan_zoo_models(tmp_path):
    """README's rule: Keras finds the registered classes once tfgan_zoo.models is
    imported; without it (or with a bare ``import tfgan_zoo``) loading fails."""
    import subprocess
    import sys

    from tfgan_zoo import architectures, models

    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    gan = models.GAN(g, d, 4, seed=0)
    gan.compile()
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    load = f"import keras\nkeras.saving.load_model({path!r})\nprint('loaded')"
    for first, loads in (("", False), ("import tfgan_zoo\n", False),
                         ("import tfgan_zoo.models\n", True)):  # fmt: skip
        result = subprocess.run([sys.executable, "-c", first + load], capture_output=True,
                                text=True, timeout=300)  # fmt: skip
        assert (result.returncode == 0) == loads, (first, result.stderr[-1000:])
        assert ("loaded" in result.stdout) == loads

"""Every (loss x architecture) pair and regularizer trains with plain `fit`."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import architectures, data, losses, models
from tfgan_zoo.config import ConfigError, TrainConfig


def make_gan(arch, sample_shape, loss="non_saturating", latent_dim=8, **kwargs):
    keras.utils.set_random_seed(0)
    arch_kwargs = {"hidden_units": 32} if arch == "mlp" else {"base_filters": 8, "d_norm": "layer"}
    g, d = architectures.build(arch, sample_shape, latent_dim, **arch_kwargs)
    gan = models.GAN(g, d, latent_dim, loss=loss, seed=0, **kwargs)
    gan.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
    return gan


def assert_trains(gan, dataset, steps=5):
    history = gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0).history
    for name, values in history.items():
        assert np.isfinite(values).all(), f"{name} = {values}"
    assert int(gan.g_optimizer.iterations) == steps
    assert int(gan.d_optimizer.iterations) == steps * gan.n_critic
    return history


# The CIFAR-10 ResNets (10 s a case on 2 cores) and PacGAN's Stacked-MNIST DCGAN
# (5x5 kernels, 10-15 s a case) run in every test run with the loss of their paper
# only; their other pairs are marked slow.
PAPER_LOSS = {
    "sngan_resnet": "hinge", "wgan_gp_resnet": "wasserstein", "pacgan_dcgan": "non_saturating"
}  # fmt: skip
# A loss meets an architecture only at its discriminator's score, which all of
# these return alike (`architectures.SCORE`): every loss runs on one toy and one
# image network in every test run, the other networks with the loss of their
# paper (packing with every loss: test_packing.py); the rest is marked slow.
EVERY_LOSS_ON = ("mlp", "dcgan")
OWN_LOSS = {
    **PAPER_LOSS, "pacgan_mlp": "non_saturating", "lsgan_mlp": "least_squares",
    "image_mlp": "minimax", "lsgan_digit": "least_squares", "sngan": "hinge",
}  # fmt: skip
LOSS_ARCH_CASES = [
    (loss, arch) if arch in EVERY_LOSS_ON or loss == OWN_LOSS[arch]
    else pytest.param(loss, arch, marks=pytest.mark.slow)
    for arch in models.GAN.compatible_architectures
    for loss in sorted(losses.LOSSES)
]  # fmt: skip


@pytest.mark.parametrize("loss,arch", LOSS_ARCH_CASES)
def test_every_loss_and_architecture_trains(loss, arch):
    if arch in architectures.toy_architectures():
        dataset, info = data.load("ring8", 32)
    else:
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (64, 28, 28, 1), dtype=np.uint8)
        dataset, info = data.from_arrays(images, rng.integers(0, 10, 64), 16)
    gan = make_gan(arch, info.sample_shape, loss)
    history = assert_trains(gan, dataset)
    assert set(history) == {"d_loss", "g_loss"}


@pytest.mark.parametrize(
    "kwargs,logged",
    [
        ({"gp_weight": 10.0, "n_critic": 3}, {"d_loss", "g_loss", "gp"}),
        ({"r1_weight": 1.0}, {"d_loss", "g_loss", "r1"}),
        ({"clip_value": 0.01, "n_critic": 2}, {"d_loss", "g_loss"}),
    ],
)
def test_regularized_variants_train(kwargs, logged):
    dataset, info = data.load("grid25", 32)
    gan = make_gan("mlp", info.sample_shape, "wasserstein", **kwargs)
    assert set(assert_trains(gan, dataset)) == logged


def test_weight_clipping_bounds_every_discriminator_weight():
    dataset, info = data.load("ring8", 32)
    gan = make_gan("mlp", info.sample_shape, "wasserstein", clip_value=0.01)
    assert_trains(gan, dataset, steps=3)
    for v in gan.discriminator.trainable_variables:
        assert np.abs(v.numpy()).max() <= 0.01 + 1e-7


def test_call_runs_the_generator_and_noise_is_seeded():
    _, info = data.load("ring8", 4)
    gan = make_gan("mlp", info.sample_shape)
    z = np.zeros((3, 8), np.float32)
    np.testing.assert_allclose(gan(z), gan.generator(z))
    assert gan.sample_latent(5).shape == (5, 8)


@pytest.mark.parametrize("resolution,channels", [(28, 1), (32, 3), (64, 3)])
def test_dcgan_shapes(resolution, channels):
    g, d = architectures.build("dcgan", (resolution, resolution, channels), 16, base_filters=8)
    images = g(np.zeros((2, 16), np.float32))
    assert images.shape == (2, resolution, resolution, channels)
    assert d(images).shape == (2, 1)


def test_pacgan_dcgan_follows_carpedm20_shapes():
    """PacGAN's Stacked-MNIST networks: 2x2x512 -> 4x4x256 -> 7x7x128 -> 14x14x64 ->
    28x28x3 in the generator, 64-128-256-512 convolutions to 2x2 in the
    discriminator, 5x5 kernels; packing 2 doubles the discriminator's channels."""
    g, d = architectures.build("pacgan_dcgan", (28, 28, 3), 100, pack=2)
    convs = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [tuple(c.output.shape[1:]) for c in convs] == [
        (4, 4, 256), (7, 7, 128), (14, 14, 64), (28, 28, 3)
    ]  # fmt: skip
    assert g.layers[1].kernel.shape == (100, 2 * 2 * 512)
    convs = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [tuple(c.output.shape[1:]) for c in convs] == [
        (14, 14, 64), (7, 7, 128), (4, 4, 256), (2, 2, 512)
    ]  # fmt: skip
    assert convs[0].kernel.shape == (5, 5, 6, 64)
    assert d(g(np.zeros((2, 100), np.float32)).numpy().repeat(2, -1)).shape == (2, 1)


@pytest.mark.parametrize("size", [4, 7])
def test_pacgan_dcgan_upsampling_is_tf1_deconv2d(size):
    """Each transposed convolution equals carpedm20's ``deconv2d``
    (`tf.nn.conv2d_transpose` to an explicit output shape, SAME, stride 2), also
    where the output is odd (4x4 -> 7x7)."""
    g, _ = architectures.build("pacgan_dcgan", (28, 28, 3), 100)
    conv = next(
        c for c in g.layers
        if isinstance(c, keras.layers.Conv2DTranspose) and c.output.shape[1] == size
    )  # fmt: skip
    x = np.random.default_rng(0).normal(size=(2, *conv.input.shape[1:])).astype(np.float32)
    expected = tf.nn.conv2d_transpose(
        x, conv.kernel, (2, size, size, conv.filters), strides=2, padding="SAME"
    )
    np.testing.assert_allclose(conv(x), expected, atol=1e-5)


def test_uniform_latents_in_training_previews_and_config():
    """``latent_distribution="uniform"``: the train step's noise and the fixed
    grid/FID latents are uniform in [-1, 1]; unknown names are refused."""
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    gan = models.GAN(g, d, 4, latent_distribution="uniform", seed=0)
    z = gan.sample_latent(4000).numpy()
    assert z.shape == (4000, 4) and np.abs(z).max() <= 1 and abs(z.std() - 3**-0.5) < 0.02
    grid = gan.preview_inputs(None, 256)
    assert np.abs(grid).max() <= 1 and grid.min() < -0.9 and grid.max() > 0.9
    assert gan.get_config()["feeding"]["latent_distribution"] == "uniform"
    assert np.abs(models.GAN(g, d, 4, seed=0).sample_latent(4000).numpy()).max() > 2
    with pytest.raises(ValueError, match="latent_distribution must be one of normal, uniform"):
        models.GAN(g, d, 4, latent_distribution="gaussian")
    with pytest.raises(ConfigError, match="--latent_distribution must be one of normal, uniform"):
        TrainConfig(latent_distribution="gaussian")


def test_architecture_errors_name_the_fix():
    with pytest.raises(ValueError, match="resolution"):
        architectures.build("dcgan", (30, 30, 1), 8)
    with pytest.raises(ValueError, match="architecture=mlp"):
        architectures.build("dcgan", (2,), 8)
    with pytest.raises(ValueError, match="Known: acgan_dcgan, conditional_dcgan, dcgan"):
        architectures.build("resnet9000", (2,), 8)


def test_invalid_model_arguments():
    _, info = data.load("ring8", 4)
    with pytest.raises(ValueError, match="n_critic"):
        make_gan("mlp", info.sample_shape, n_critic=0)
    g, d = architectures.build("mlp", (2,), 8)
    gan = models.GAN(g, d, 8)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two objects"):
        gan.compile(opt, opt)


MODEL_CASES = [
    (name, arch)
    for name, cls in sorted(models.MODELS.items())
    if issubclass(cls, models.GAN)  # image-to-image models: tests/test_translation.py
    for arch in cls.compatible_architectures
    if arch not in architectures.toy_architectures()
]


def image_dataset():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 28, 28, 1), dtype=np.uint8)
    return data.from_arrays(images, np.arange(32) % 4, 8)


def make_model(name, arch, sample_shape):
    """A compiled `models.MODELS[name]` on ``arch``, small, for 4 classes."""
    cls = models.MODELS[name]
    keras.utils.set_random_seed(0)
    g, d = architectures.build(
        arch, sample_shape, 8, num_classes=4, base_filters=8, info_categorical=3,
        info_continuous=2,
    )  # fmt: skip
    kwargs = {"num_classes": 4} if issubclass(cls, models.ConditionalGAN) else {}
    if cls is models.InfoGAN:
        kwargs = {"num_categorical": 3, "num_continuous": 2}
    loss = {"ebgan": "energy_margin", "conditional": "hinge"}.get(name, "non_saturating")
    gan = cls(g, d, 8, loss=loss, seed=0, **kwargs)
    gan.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
    return gan


@pytest.mark.parametrize(
    "name,arch",
    [pytest.param(*c, marks=pytest.mark.slow) if c[1] in PAPER_LOSS else c for c in MODEL_CASES],
)
def test_every_model_and_compatible_architecture_trains_and_exports(name, arch, tmp_path):
    from tfgan_zoo import export

    dataset, info = image_dataset()
    gan = make_model(name, arch, info.sample_shape)
    g = gan.generator
    history = assert_trains(gan, dataset, steps=3)
    assert {"d_loss", "g_loss"} <= set(history)
    preview = np.asarray(gan.preview(np.zeros((6, gan.generator_input_dim), np.float32)))
    assert preview.shape == (6, 28, 28, 1)

    path = export.export_generator(
        g, gan.generator_input_dim, str(tmp_path / name), gan.num_classes
    )
    served = tf.saved_model.load(path).signatures["sample"]
    inputs = {"seed": tf.constant([1, 2], tf.int64)}
    if gan.num_classes:
        inputs["label"] = tf.constant([0, 3], tf.int32)
    assert served(**inputs)["images"].shape == (2, 28, 28, 1)


# Mixed precision changes what each layer computes in: networks built only of
# layers another case has in bfloat16 (the authors' LSGAN digits, 15 CPU-s, and
# the fully connected ones) join the ResNets under -m slow.
BF16_SLOW = {*PAPER_LOSS, "lsgan_digit", "image_mlp", "ebgan_mlp"}


@pytest.mark.parametrize(
    "name,arch",
    [pytest.param(*c, marks=pytest.mark.slow) if c[1] in BF16_SLOW else c for c in MODEL_CASES],
)
def test_every_model_trains_in_mixed_bfloat16(name, arch):
    """Layers compute in bfloat16; variables, network outputs and losses stay float32."""
    from tfgan_zoo.trainer import dtype_policy

    dataset, info = image_dataset()
    with dtype_policy("mixed_bfloat16"):
        gan = make_model(name, arch, info.sample_shape)
    assert keras.config.dtype_policy().name == "float32"  # restored
    computing = [layer.compute_dtype for layer in gan.generator.layers if layer.weights]
    assert set(computing) == {"bfloat16"}
    assert {v.dtype for v in gan.trainable_variables} == {"float32"}
    outputs = [gan.generator.output, *keras.tree.flatten(gan.discriminator.output)]
    assert {o.dtype for o in outputs} == {"float32"}
    assert_trains(gan, dataset, steps=3)


RECTANGULAR = ["dcgan", "sngan", "conditional_dcgan", "acgan_dcgan", "projection_dcgan",
               "infogan_dcgan", "ebgan_dcgan", "resnet_projection", "sngan_resnet",
               "wgan_gp_resnet", "image_mlp"]  # fmt: skip


@pytest.mark.parametrize("arch", RECTANGULAR)
def test_image_architectures_take_rectangular_images(arch):
    """32x24 (height x width): the generator draws that shape and the discriminator
    takes it; the first projection starts from 4x3."""
    g, d = architectures.build(arch, (32, 24, 3), 8, num_classes=3, base_filters=4,
                               hidden_units=8)  # fmt: skip
    assert g.output_shape[1:] == (32, 24, 3)
    assert tuple(d.inputs[0].shape[1:]) == (32, 24, 3)


def test_square_only_architectures_say_so_in_one_line():
    with pytest.raises(architectures.ArchitectureError, match="square images, got 32x24"):
        architectures.build("pacgan_dcgan", (32, 24, 3), 8)
    with pytest.raises(architectures.ArchitectureError, match="same k >= 1.*30x24"):
        architectures.build("dcgan", (30, 24, 3), 8)


@pytest.mark.parametrize("energy", ["mse", "norm"])
def test_the_mlp_autoencoders_energy_is_its_reconstruction_error(energy):
    """With the decoder's weights at zero the reconstruction is tanh(0) = 0, so
    the energy is the image's own error: its mean square, or the paper's L2
    norm ``||Dec(Enc(x)) - x||``, which can reach the margin of 10."""
    from tfgan_zoo.architectures import mlp

    d = mlp.mlp_autoencoder_discriminator((4, 4, 1), hidden_units=8, energy=energy)
    decoder = [layer for layer in d.layers if isinstance(layer, keras.layers.Dense)][-1]
    decoder.set_weights([np.zeros_like(w) for w in decoder.get_weights()])
    x = np.random.default_rng(0).uniform(-1, 1, (3, 4, 4, 1)).astype(np.float32)
    expected = {"mse": np.mean(x**2, axis=(1, 2, 3)),
                "norm": np.sqrt(np.sum(x**2, axis=(1, 2, 3)))}[energy]  # fmt: skip
    np.testing.assert_allclose(np.asarray(d(x)[0])[:, 0], expected, rtol=1e-6)
    with pytest.raises(ValueError, match="energy='l1': one of mse, norm"):
        mlp.mlp_autoencoder_discriminator((4, 4, 1), energy="l1")

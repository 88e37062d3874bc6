"""DiffAugment: transforms by hand, differentiability, and models that use it."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_models import assert_trains, image_dataset

from tfgan_zoo import architectures, augment, models

X = (np.arange(2 * 8 * 8, dtype=np.float32).reshape(2, 8, 8, 1) / 64.0) - 0.9  # in [-0.9, 1.1)


def test_parse_orders_and_refuses_unknown_names():
    assert augment.parse("cutout, color") == ("color", "cutout")
    assert augment.parse("") == augment.parse(None) == ()
    with pytest.raises(ValueError, match="Unknown augmentation flip: use any of color"):
        augment.parse("color,flip")


def test_translation_by_hand():
    """8 pixels, ratio 1/8: shifts in {-1, 0, 1}; u=0 -> -1 (up), u->1 -> +1 (right)."""
    y = augment.apply(X, ("translation",), np.array([[0.0, 0.5], [0.5, 0.99]], np.float32))
    np.testing.assert_array_equal(y[0, :-1], X[0, 1:])  # moved up one row
    np.testing.assert_array_equal(y[0, -1], 0.0)  # filled with 0
    np.testing.assert_array_equal(y[1, :, 1:], X[1, :, :-1])  # moved right one column
    np.testing.assert_array_equal(y[1, :, 0], 0.0)


def test_cutout_by_hand():
    """Half the size: a 4x4 square; u=0.5 -> centre 4 (rows and columns 2..5)."""
    y = augment.apply(X, ("cutout",), np.array([[0.5, 0.5], [0.0, 0.0]], np.float32))
    np.testing.assert_array_equal(y[0, 2:6, 2:6], 0.0)
    mask = np.ones((8, 8), bool)
    mask[2:6, 2:6] = False
    np.testing.assert_array_equal(y[0][mask], X[0][mask])
    np.testing.assert_array_equal(y[1, :2, :2], 0.0)  # centre 0: clipped at the corner
    assert np.count_nonzero(y[1] == 0.0) == 4


def test_color_by_hand():
    """u = 0.5 leaves brightness, saturation and contrast unchanged; contrast u=0
    halves every pixel's distance to the image mean."""
    rgb = np.random.default_rng(0).uniform(-1, 1, (1, 4, 4, 3)).astype(np.float32)
    same = augment.apply(rgb, ("color",), np.full((1, 3), 0.5, np.float32))
    np.testing.assert_allclose(same, rgb, atol=1e-6)
    half = augment.apply(rgb, ("color",), np.array([[0.5, 0.5, 0.0]], np.float32))
    np.testing.assert_allclose(half, (rgb - rgb.mean()) * 0.5 + rgb.mean(), atol=1e-6)


@pytest.mark.parametrize("policy", [("color",), ("translation",), ("cutout",), augment.POLICIES])
def test_transforms_keep_shapes_and_ranges_and_pass_gradients(policy):
    images = tf.Variable(np.random.default_rng(1).uniform(-1, 1, (4, 16, 16, 3)), dtype="float32")
    u = np.random.default_rng(2).uniform(size=(4, augment.draw_size(policy))).astype(np.float32)
    with tf.GradientTape() as tape:
        y = augment.apply(images, policy, u)
        total = tf.reduce_sum(y * y)
    grad = tape.gradient(total, images)
    assert y.shape == images.shape
    assert np.all(np.isfinite(y)) and np.count_nonzero(grad) > 0
    if "color" not in policy:  # shifts and cutouts only move or zero pixels
        assert set(np.unique(y)) <= set(np.unique(images.numpy())) | {0.0}
    else:  # brightness moves values by at most 0.5, then saturation/contrast scale <= 2x, 1.5x
        assert np.abs(y).max() <= (1.0 + 0.5) * 2 * 1.5 * 2


def make_gan(cls=models.GAN, arch="dcgan", **kwargs):
    keras.utils.set_random_seed(0)
    g, d = architectures.build(arch, (28, 28, 1), 8, base_filters=8, num_classes=4,
                               d_norm="layer", pack=kwargs.get("pack", 1))  # fmt: skip
    extra = {"num_classes": 4} if issubclass(cls, models.ConditionalGAN) else {}
    gan = cls(g, d, 8, seed=0, augment_policy="color,translation,cutout", **extra, **kwargs)
    gan.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
    return gan


def test_generator_gradient_flows_through_the_augmentation():
    gan = make_gan()
    z = gan.sample_latent(8)
    draw = gan.augment_draw(8)
    with tf.GradientTape() as tape:
        fake = gan.augment_images(gan.generator(z, training=True), draw)
        out = gan.discriminator(fake, training=True)
    grads = tape.gradient(out, gan.generator.trainable_variables)
    assert all(g is not None for g in grads) and sum(np.count_nonzero(g) for g in grads) > 0


@pytest.mark.parametrize(
    "cls,arch,kwargs",
    [
        (models.GAN, "dcgan", {"loss": "wasserstein", "gp_weight": 10.0, "n_critic": 2}),
        (models.GAN, "dcgan", {"r1_weight": 1.0, "pack": 2}),
        (models.ConditionalGAN, "conditional_dcgan", {"loss": "hinge"}),
        (models.ACGAN, "acgan_dcgan", {}),
    ],
)
def test_models_train_with_diffaugment(cls, arch, kwargs):
    gan = make_gan(cls, arch, **kwargs)
    assert_trains(gan, image_dataset()[0], steps=2)


def test_augmentation_needs_images():
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    with pytest.raises(ValueError, match="transforms images, but the generator's samples"):
        models.GAN(g, d, 4, augment_policy="color")

"""The standard configurations (CIFAR-10 ResNets, DCGAN CelebA 64x64) run end to
end on tfds mock data: a few steps at their real resolution, and an export."""

import os

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPO
from test_trainer import parse

from tfgan_zoo import architectures, trainer

SMALL = ["--base_filters=8", "--batch_size=4", "--epochs=1", "--steps_per_epoch=2",
         "--checkpoint_every=2", "--sample_every=2", "--verbose=0"]  # fmt: skip
CONFIGS = {
    "sngan_resnet_cifar10": (32, 32, 3),
    "wgan_gp_resnet_cifar10": (32, 32, 3),
    "projection_cifar10": (32, 32, 3),
    "dcgan_celeba64": (64, 64, 3),
}


# One configuration (CelebA: unlabelled tfds data, center crop and resize to
# 64x64) runs in every test run; the ResNet ones, 30-45 s each on 2 cores, are
# marked slow.
@pytest.mark.parametrize(
    "name",
    [n if n == "dcgan_celeba64" else pytest.param(n, marks=pytest.mark.slow)
     for n in sorted(CONFIGS)],
)  # fmt: skip
def test_standard_configuration_trains_and_exports_on_mock_data(name, tmp_path, mock_tfds,
                                                                 monkeypatch):  # fmt: skip
    monkeypatch.chdir(REPO)
    config = parse(f"--flagfile=flags/{name}.flags", *SMALL, f"--model_dir={tmp_path / 'run'}",
                   f"--data_dir={tmp_path / 'tfds'}")  # fmt: skip
    result = trainer.train(config)
    assert result.final_step == 2
    assert int(result.model.d_optimizer.iterations) == 2 * config.n_critic
    served = tf.saved_model.load(result.export_path).signatures["sample"]
    inputs = {"seed": tf.constant([1, 2], tf.int64)}
    if result.model.num_classes:
        inputs["label"] = tf.constant([0, 9], tf.int32)
    images = served(**inputs)["images"].numpy()
    assert images.shape == (2, *CONFIGS[name]) and np.all(np.abs(images) <= 1.0)
    assert os.listdir(tmp_path / "run" / "samples") == ["step_0000002.png"]


@pytest.mark.parametrize("resolution", [32, 64])
def test_resnet_block_structure_matches_the_papers(resolution):
    """Mimicry's sngan_32 / sngan_64 shapes: generator widths and the
    discriminator's blocks (size after each, width), at base_filters 64."""
    g, d = architectures.build("sngan_resnet", (resolution, resolution, 3), 128, base_filters=64)
    adds = [layer.output.shape[1:] for layer in d.layers if type(layer).__name__ == "Add"]
    g_adds = [layer.output.shape[1:] for layer in g.layers if type(layer).__name__ == "Add"]
    if resolution == 32:
        assert adds == [(16, 16, 128), (8, 8, 128), (8, 8, 128), (8, 8, 128)]
        assert g_adds == [(8, 8, 256), (16, 16, 256), (32, 32, 256)]
        assert 4.2e6 < g.count_params() < 4.4e6 and 1.0e6 < d.count_params() < 1.1e6
    else:
        assert adds == [(32, 32, 64), (16, 16, 128), (8, 8, 256), (4, 4, 512), (2, 2, 1024)]
        assert g_adds == [(8, 8, 512), (16, 16, 256), (32, 32, 128), (64, 64, 64)]
    # Identity shortcuts where a block keeps width and size (SNGAN's blocks 3 and 4).
    convs_1x1 = [layer for layer in d.layers if getattr(layer, "kernel_size", None) == 1]
    assert len(convs_1x1) == (2 if resolution == 32 else 5)

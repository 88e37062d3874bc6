"""Stacked MNIST: the dataset, its mode counter, and the flagfiles."""

import dataclasses
import os

import numpy as np
import pytest
from conftest import REPO, shared_dir

from tfgan_zoo import data, export, trainer
from tfgan_zoo.data import idx, stacked
from tfgan_zoo.metrics import stacked_mnist


def test_each_image_stacks_three_digits_and_names_its_mode():
    digits = np.arange(10, dtype=np.uint8)[:, None, None, None] * np.ones((1, 2, 2, 1), np.uint8)
    images, modes = stacked.stack(digits, np.arange(10), count=500, seed=3)
    assert images.shape == (500, 2, 2, 3) and images.dtype == np.uint8
    a, b, c = images[:, 0, 0, 0], images[:, 0, 0, 1], images[:, 0, 0, 2]
    np.testing.assert_array_equal(modes, a.astype(int) * 100 + b * 10 + c)
    assert len(set(modes)) > 300  # independent draws reach many of the 1,000 modes


def test_the_stacked_dataset_loads_from_the_idx_digits(monkeypatch):
    monkeypatch.setattr(stacked, "STACKED_IMAGES", 1000)
    ds, info = data.load(f"stacked:idx:{shared_dir('mnist')}", 16, split="test")
    images, modes = next(iter(ds))
    assert images.shape == (16, 28, 28, 3) and info.sample_shape == (28, 28, 3)
    assert modes.numpy().max() < 1000 and info.num_classes > 900


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    digits, labels = idx.load_idx_dir(shared_dir("mnist"), "test")
    directory = str(tmp_path_factory.mktemp("digits"))
    return stacked_mnist.DigitClassifier.cached(directory, digits, labels), directory


@pytest.mark.slow
def test_the_digit_classifier_is_accurate_and_cached(classifier):
    model, directory = classifier
    assert model.accuracy >= 0.98, model.accuracy  # held out: the last 2,000 test digits
    again = stacked_mnist.DigitClassifier.cached(directory, None, None)  # no retraining
    assert again.accuracy == model.accuracy


@pytest.mark.slow
def test_real_stacked_images_cover_every_mode(classifier):
    model, _ = classifier
    digits, labels = idx.load_idx_dir(shared_dir("mnist"), "test")
    images, modes = stacked.stack(digits[-2000:], labels[-2000:], count=26_000, seed=1)
    predicted = model.modes(images.astype(np.float32) / 127.5 - 1.0)
    assert np.mean(predicted == modes) > 0.94  # three digits right: ~accuracy^3
    result = stacked_mnist.mode_histogram(predicted)
    assert result.modes_covered >= 995 and result.kl < 0.05, result
    collapsed = stacked_mnist.mode_histogram(np.full(26_000, 7))
    assert collapsed.modes_covered == 1 and abs(collapsed.kl - np.log(1000)) < 1e-9


@pytest.mark.parametrize("name", ["dcgan_stacked_mnist", "pacdcgan2_stacked_mnist"])
def test_the_stacked_mnist_flagfiles_train_and_export(name, tmp_path, monkeypatch):
    from test_trainer import parse

    monkeypatch.chdir(REPO)
    monkeypatch.setattr(stacked, "STACKED_IMAGES", 640)
    config = dataclasses.replace(
        parse(f"--flagfile=flags/{name}.flags"), dataset=f"stacked:idx:{shared_dir('mnist')}",
        split="test", base_filters=8, epochs=1, steps_per_epoch=10, checkpoint_every=10,
        sample_every=10, log_every=10, model_dir=str(tmp_path), verbose=0,
    )  # fmt: skip
    pack = 2 if name.startswith("pac") else 1
    assert config.latent_dim == 100 and config.pack == pack
    assert config.batch_size == 64 * pack  # the authors' code: 64 discriminator inputs
    assert config.g_steps == 2 and config.steps_per_execution == 10
    assert config.architecture == "pacgan_dcgan"  # the authors' (carpedm20's) networks
    assert config.shared_noise and config.latent_distribution == "uniform"
    result = trainer.train(config)
    assert result.final_step == 10 and os.path.isdir(result.export_path)
    assert result.model.latent_distribution == "uniform"  # their z, in training and export
    assert export.read_metadata(result.export_path)["latent"] == "uniform"
    assert int(result.model.g_optimizer.iterations) == 20


def test_the_stacked_mnist_table_counts_seeds_and_quotes_pacgan(monkeypatch):
    """`benchmarks/mode_collapse.py`'s Stacked-MNIST rows: the largest budget, how
    many seeds reached it, mean +- s.e., the worst seed and PacGAN's row; the
    curve marks a point fewer seeds reached."""
    import argparse
    import sys

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    sys.modules.pop("mode_collapse", None)
    import mode_collapse

    scores = {}
    for seed, modes in enumerate((100, 200, 300)):
        for steps in (2000, 4000):
            row = {"seed": seed, "modes": modes * steps // 4000, "kl": 1.0 + seed,
                   "classifier_accuracy": 0.9855}  # fmt: skip
            scores[("DCGAN", mode_collapse.STACKED, "dcgan", seed, steps)] = row
            other = {**row, "modes": 5}  # the other networks' rows stay out
            scores[("DCGAN", mode_collapse.STACKED, "pacgan_dcgan", seed, steps)] = other
    scores[("PacDCGAN2", mode_collapse.STACKED, "dcgan", 1, 4000)] = {
        "seed": 1, "modes": 999, "kl": 0.1, "classifier_accuracy": 0.9855
    }  # fmt: skip
    # A transcribed curve mean stands in where no per-seed row is.
    scores[("PacDCGAN2", mode_collapse.STACKED, "dcgan", "mean", 2000)] = {
        "seed": "mean", "n": 3, "modes": 812.4, "kl": 0.5, "classifier_accuracy": 0.9855
    }  # fmt: skip
    args = argparse.Namespace(
        seeds=[0, 1, 2],
        stacked_curve=[2000, 4000],
        stacked_architecture="dcgan",
        stacked_variants=list(mode_collapse.STACKED_VARIANTS),
    )
    lines = mode_collapse.stacked_table(scores, args).splitlines()
    assert "networks `dcgan`" in lines[0] and "98.55% on held-out digits" in lines[0]
    dcgan = next(line for line in lines if line.startswith("| DCGAN |"))
    assert dcgan == ("| DCGAN | 4,000 | 3 | 200.0 +- 57.7 | 2.00 +- 0.58 | 100 / 1.00 (seed 0) "
                     "| 78.9 / 4.50 | 100 / 200 |")  # fmt: skip
    pac = next(line for line in lines if line.startswith("| PacDCGAN2 |"))
    assert pac.startswith("| PacDCGAN2 | 4,000 | 1 | 999.0 +- nan |") and "1000 / 0.06" in pac
    assert pac.endswith("| 812 / 999 (n=1) |")  # a curve point short of seeds says how many
    assert lines[-4:-2] == ["- DCGAN at 4,000, seeds 0, 1, 2: 100 / 1.00, 200 / 2.00, 300 / 3.00",
                          "- PacDCGAN2 at 4,000, seeds 1: 999 / 0.10"]  # fmt: skip

"""--init_from: a run starts from an export, a .keras file or a run directory."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO
from test_trainer import toy_config

from tfgan_zoo import pretrained, trainer
from tfgan_zoo.config import TrainConfig


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A trained toy run (4 steps), with its export and a .keras file of its model."""
    root = tmp_path_factory.mktemp("source")
    result = trainer.train(toy_config(root, export=True, epochs=1, steps_per_epoch=4,
                                      checkpoint_every=4, sample_every=4, log_every=4,
                                      seed=3))  # fmt: skip
    result.model.save(str(root / "model.keras"))
    return root, result


def fresh(tmp_path, **overrides):
    """An untrained model of the source's networks (another seed)."""
    config = toy_config(tmp_path, seed=9, **overrides)
    info = trainer.data.load(config.dataset, config.batch_size)[1]
    return trainer.build_model(config, info)


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("kind", ["run", "keras", "export", "export base"])
def test_a_model_starts_from_each_kind_of_source(source, tmp_path, kind):
    root, result = source
    path = {"run": root / "run", "keras": root / "model.keras", "export": result.export_path,
            "export base": os.path.dirname(result.export_path)}[kind]  # fmt: skip
    model = fresh(tmp_path)
    assert not same(model.generator.get_weights(), result.model.generator.get_weights())
    filled = pretrained.initialize(model, str(path))
    assert same(model.generator.get_weights(), result.model.generator.get_weights())
    from_export = kind.startswith("export")
    assert filled == (["generator"] if from_export else ["generator", "discriminator"])
    assert same(model.discriminator.get_weights(),
                result.model.discriminator.get_weights()) != from_export  # fmt: skip


def test_the_moving_average_starts_where_the_generator_does(source, tmp_path):
    root, result = source
    model = fresh(tmp_path, ema_decay=0.99)
    filled = pretrained.initialize(model, str(root / "run"))
    assert filled == ["generator", "discriminator", "ema_generator"]
    assert same(model.ema_generator.get_weights(), result.model.generator.get_weights())


def test_other_networks_or_no_source_are_refused_in_one_line(source, tmp_path):
    root, _ = source
    with pytest.raises(pretrained.InitError, match=r"weight 0 is \(8, 16\), this run's .*\(8, 8\)"):
        pretrained.initialize(fresh(tmp_path, hidden_units=8), str(root / "run"))
    with pytest.raises(pretrained.InitError, match="not an export"):
        pretrained.initialize(fresh(tmp_path), str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "tfgan_zoo.train", "--dataset=ring8", "--architecture=mlp",
         "--latent_dim=8", "--hidden_units=8", "--batch_size=16", "--epochs=1",
         "--steps_per_epoch=2", "--checkpoint_every=2", "--sample_every=2", "--verbose=0",
         f"--model_dir={tmp_path / 'other'}", f"--init_from={root / 'run'}"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ERROR: --init_from=") and "the networks differ" in last


def test_the_trainer_starts_from_the_source_and_a_resume_ignores_it(source, tmp_path, caplog):
    root, result = source
    config = toy_config(tmp_path, epochs=1, steps_per_epoch=2, checkpoint_every=2,
                        sample_every=2, log_every=2, init_from=str(root / "run"),
                        g_lr=1e-12, d_lr=1e-12)  # fmt: skip
    with caplog.at_level("INFO", logger="tfgan_zoo"):
        started = trainer.train(config)
    assert "Started from" in caplog.text
    np.testing.assert_allclose(started.model.generator.get_weights()[0],
                               result.model.generator.get_weights()[0], atol=1e-6)  # fmt: skip
    caplog.clear()
    with caplog.at_level("INFO", logger="tfgan_zoo"):
        resumed = trainer.train(TrainConfig(**{**config.to_dict(), "epochs": 2}))
    assert resumed.start_step == 2 and "--init_from not used" in caplog.text

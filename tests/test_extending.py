"""docs/extending.md: a user's own package registers a loss, a penalty, an
architecture, a model and a data source, and a flagfile names them; nothing in
tfgan_zoo is edited. It trains from the command line, exports, re-exports from its
run directory, and saves and reloads as a ``.keras`` file."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf
from conftest import REPO

PACKAGE = os.path.join(REPO, "tests", "extending")
FLAGFILE = os.path.join("tests", "extending", "flags", "spread_gan_spiral.flags")


def cli(*args):
    env = {**os.environ, "PYTHONPATH": PACKAGE}
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=600)  # fmt: skip


def test_a_users_package_trains_exports_and_re_exports_from_the_command_line(tmp_path):
    run = tmp_path / "run"
    trained = cli("tfgan_zoo.train", f"--flagfile={FLAGFILE}", f"--model_dir={run}",
                  "--steps_per_epoch=20", "--sample_every=20", "--checkpoint_every=20",
                  "--log_every=20", "--verbose=0")  # fmt: skip
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert "Exported generator" in trained.stdout
    with open(run / "run.json") as f:
        config = json.load(f)["config"]
    assert (config["imports"], config["model"], config["loss"]) == ("my_gans", "spread_gan",
                                                                     "soft_hinge")  # fmt: skip
    again = cli("tfgan_zoo.export", f"--model_dir={run}", f"--export_dir={tmp_path / 'served'}")
    assert again.returncode == 0, again.stderr[-3000:]
    points = tf.saved_model.load(str(tmp_path / "served" / "1")).signatures["sample"](
        seed=tf.constant([1, 2], tf.int64)
    )["images"]
    assert points.shape == (2, 2)
    unknown = cli("tfgan_zoo.train", "--model=spread_gan", "--dataset=ring8",
                  "--architecture=mlp", f"--model_dir={tmp_path / 'x'}")  # fmt: skip
    assert unknown.returncode == 1
    assert "--model: unknown value 'spread_gan'" in unknown.stderr.strip().splitlines()[-1]


def test_a_users_model_saves_and_reloads_as_a_keras_file(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(PACKAGE)
    from tfgan_zoo import trainer
    from tfgan_zoo.config import TrainConfig

    config = TrainConfig(imports="my_gans", model="spread_gan", architecture="tiny_mlp",
                         loss="soft_hinge", penalties="r1_and_r2=0.1", dataset="spiral:2",
                         latent_dim=4, batch_size=32, epochs=1, steps_per_epoch=10,
                         sample_every=10, checkpoint_every=10, log_every=10, verbose=0,
                         model_dir=str(tmp_path / "run"))  # fmt: skip
    result = trainer.train(config)
    assert {"spread", "penalty_r1_and_r2"} <= set(result.model.trackers)
    path = str(tmp_path / "model.keras")
    result.model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded).__name__ == "SpreadGAN" and loaded.penalty.extra == {"r1_and_r2": 0.1}
    for a, b in zip(result.model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    spiral = trainer.data.load("spiral:2", 32)[0]
    history = loaded.fit(spiral, epochs=1, steps_per_epoch=2, verbose=0).history
    assert np.isfinite(history["g_loss"]).all()

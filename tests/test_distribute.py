"""tf.distribute: MirroredStrategy equals one device; multi-worker; kill and resume."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPO
from mirrored_equivalence import CASES

from tfgan_zoo import distribute
from tfgan_zoo.config import ConfigError, TrainConfig

TESTS = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def equivalence():
    result = subprocess.run(
        [sys.executable, os.path.join(TESTS, "mirrored_equivalence.py")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {row["case"]: row for row in rows}


@pytest.mark.parametrize("case", sorted(CASES))
def test_mirrored_on_two_devices_equals_one_device(equivalence, case):
    """After 3 steps with the same seeds and data, weights agree within 1e-5
    (measured: at most 8.3e-7) and every logged loss agrees."""
    row = equivalence[case]
    if not CASES[case].get("compare", True):
        # Dropout masks and the image pool (which stores the first replica's
        # fakes) are drawn per replica, so the runs differ; both must train.
        assert all(np.isfinite(list(row["two"].values()))), row
        if "pool_size" in CASES[case]:
            assert row["pool_counts"] == [CASES[case]["pool_size"]] * 2, row
        return
    assert row["max_diff"] < 1e-5, row
    assert row["one"].keys() == row["two"].keys()
    for name, value in row["one"].items():
        np.testing.assert_allclose(row["two"][name], value, rtol=1e-4, atol=1e-6)


def test_fid_metric_streams_across_replicas(equivalence):
    """`FrechetDistance` updated inside strategy.run on 2 replicas equals numpy's FID."""
    row = equivalence["fid_metric"]
    assert row["numpy"] > 1.0
    np.testing.assert_allclose(row["distributed"], row["numpy"], rtol=1e-9)


def test_kid_and_precision_recall_of_gathered_replica_features(equivalence):
    """Features computed inside strategy.run and `strategy.gather`ed score as on one device."""
    row = equivalence["gathered_metrics"]
    assert row["numpy"][0] > 0.01 and 0.0 < row["numpy"][1] < 1.0  # KID, precision
    np.testing.assert_allclose(row["distributed"], row["numpy"], rtol=1e-5)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toy_config(model_dir, **overrides):
    values = dict(
        architecture="mlp", dataset="ring8", latent_dim=8, hidden_units=16, batch_size=16,
        epochs=2, steps_per_epoch=10, checkpoint_every=5, sample_every=10,
        model_dir=str(model_dir), verbose=0,
    )  # fmt: skip
    values.update(overrides)
    return TrainConfig(**values).to_dict()


def test_two_workers_train_in_lockstep(tmp_path):
    cluster = {"worker": [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]}
    config = toy_config(tmp_path / "run", strategy="multi_worker")
    procs = []
    for index in range(2):
        tf_config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        spec = {"config": config, "out": str(tmp_path / f"worker{index}.npz")}
        procs.append(
            subprocess.Popen(
                [sys.executable, os.path.join(TESTS, "distributed_worker.py"), json.dumps(spec)],
                env=dict(os.environ, TF_CONFIG=json.dumps(tf_config)),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
        )
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out[-3000:]
    chief, worker = (np.load(tmp_path / f"worker{i}.npz") for i in range(2))
    assert int(chief["step"]) == int(worker["step"]) == 20
    assert chief["finite"] and worker["finite"]
    names = [k for k in chief.files if k.startswith("w")]
    for name in names:
        np.testing.assert_array_equal(chief[name], worker[name])
    # Only the chief writes outputs; the worker's checkpoint copy is removed.
    run = tmp_path / "run"
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-20")
    assert sorted(os.listdir(run / "checkpoints")) == sorted(
        ["checkpoint"] + [f"ckpt-{s}.{ext}" for s in (10, 15, 20)
                          for ext in ("index", "data-00000-of-00001")]
    )  # fmt: skip
    assert os.listdir(run / "export") == ["1"]


def test_a_killed_training_resumes_from_its_last_checkpoint(tmp_path):
    """SIGKILL a mirrored (2 CPU devices) run mid-epoch; the same command resumes
    from the last checkpoint and ends at the same step with finite losses."""
    run = tmp_path / "run"
    cmd = [
        sys.executable, "-m", "tfgan_zoo.train", "--flagfile=flags/ns_gan_ring8.flags",
        "--strategy=mirrored", "--num_devices=2", "--epochs=3", "--steps_per_epoch=1000",
        "--checkpoint_every=100", "--sample_every=1000", "--verbose=0", f"--model_dir={run}",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 300
    killed_after = None
    while time.time() < deadline and proc.poll() is None:
        latest = tf.train.latest_checkpoint(str(run / "checkpoints"))
        if latest and int(latest.rsplit("-", 1)[1]) >= 300:
            proc.send_signal(signal.SIGKILL)
            killed_after = int(latest.rsplit("-", 1)[1])
            break
        time.sleep(0.2)
    proc.wait(timeout=60)
    assert killed_after is not None, "training ended before it could be killed"
    assert proc.returncode == -signal.SIGKILL

    resumed = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    match = re.search(r"Resumed from .*ckpt-(\d+)", resumed.stderr)
    assert match and int(match.group(1)) >= killed_after, resumed.stderr[-2000:]
    assert "Trained to step 3000." in resumed.stdout
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-3000")


def test_strategy_errors():
    with pytest.raises(ConfigError, match="--strategy: unknown value 'tpu'"):
        TrainConfig(strategy="tpu")
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    code = "from tfgan_zoo import distribute; distribute.make_strategy('multi_worker')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "needs the TF_CONFIG environment variable" in result.stderr


def test_task_is_read_from_tf_config(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert distribute.task() == ("worker", 0)
    tf_config = {"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(tf_config))
    assert distribute.task() == ("worker", 1)

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
from conftest import REPO, shared_dir
from mirrored_equivalence import CASES

from tfgan_zoo import distribute
from tfgan_zoo.config import ConfigError, TrainConfig

TESTS = os.path.dirname(os.path.abspath(__file__))


# The MLP cases (seconds each) run in every test run, but for those whose feature
# another MLP case also has (the loss alone, the baseline, packing 4, weight
# clipping, 2 generator steps); those, the convolutional and the image-to-image
# ones (about 5 minutes on 2 cores) are marked slow.
COVERED = {"non_saturating_mlp", "hinge_mlp", "pacgan4_mlp", "wgan_clip_mlp", "g_steps2_mlp"}
FAST_CASES = sorted(
    n for n, case in CASES.items() if case["arch"].endswith("mlp") and n not in COVERED
)
SLOW_CASES = sorted(set(CASES) - set(FAST_CASES))


def run_equivalence(names):
    result = subprocess.run(
        [sys.executable, os.path.join(TESTS, "mirrored_equivalence.py"), *names],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {row["case"]: row for row in rows}


@pytest.fixture(scope="module")
def equivalence():
    return run_equivalence(FAST_CASES)


@pytest.fixture(scope="module")
def slow_equivalence():
    return run_equivalence(SLOW_CASES)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_CASES else c for c in sorted(CASES)],
)
def test_mirrored_on_two_devices_equals_one_device(request, case):
    """After 3 steps with the same seeds and data, weights agree within 1e-5
    (measured: at most 4.6e-6; the CycleGAN case, whose cycle loss x 10 makes
    large SGD steps, 3.4e-5 with TF 2.21.0 / Keras 3.15.1 / numpy 2.4.6 also
    before any change of this code, so its bar is 1e-4) and every logged loss
    agrees to float32 round-off of its sum (atol 1e-5: the hinge generator loss
    is a mean of O(1) scores that cancels to ~1e-3)."""
    fixture = "slow_equivalence" if case in SLOW_CASES else "equivalence"
    equivalence = request.getfixturevalue(fixture)
    row = equivalence[case]
    if not CASES[case].get("compare", True):
        # Dropout masks and the image pool (which stores the first replica's
        # fakes) are drawn per replica, so the runs differ; both must train.
        assert all(np.isfinite(list(row["two"].values()))), row
        if "pool_size" in CASES[case]:
            assert row["pool_counts"] == [CASES[case]["pool_size"]] * 2, row
        return
    assert row["max_diff"] < CASES[case].get("tolerance", 1e-5), row
    assert row["one"].keys() == row["two"].keys()
    for name, value in row["one"].items():
        np.testing.assert_allclose(row["two"][name], value, rtol=1e-4, atol=1e-5)


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


def worker_env(cluster, index):
    tf_config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
    return dict(os.environ, TF_CONFIG=json.dumps(tf_config))


def train_in_processes(tmp_path, name, config, workers):
    """Trains ``config`` in ``workers`` processes (1: one device, no TF_CONFIG) with
    `distributed_worker.py`; returns each process's saved ``.npz``."""
    cluster = {"worker": [f"127.0.0.1:{free_port()}" for _ in range(workers)]}
    procs = []
    for index in range(workers):
        spec = {"config": config, "out": str(tmp_path / f"{name}{index}.npz")}
        env = worker_env(cluster, index)
        if workers == 1:
            env.pop("TF_CONFIG")
        cmd = [sys.executable, os.path.join(TESTS, "distributed_worker.py"), json.dumps(spec)]
        procs.append(
            subprocess.Popen(
                cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )  # fmt: skip
        )
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0, out[-3000:]
    return [np.load(tmp_path / f"{name}{i}.npz") for i in range(workers)]


def assert_same_weights(a, b, atol=0.0):
    names = [k for k in a.files if k.startswith("w")]
    assert names and len(names) == len([k for k in b.files if k.startswith("w")])
    for name in names:
        np.testing.assert_allclose(a[name], b[name], rtol=0, atol=atol, err_msg=name)


@pytest.mark.slow  # every test run has the TFRecord-shards test's two workers
def test_two_workers_train_in_lockstep(tmp_path):
    config = toy_config(tmp_path / "run", strategy="multi_worker")
    chief, worker = train_in_processes(tmp_path, "worker", config, workers=2)
    assert int(chief["step"]) == int(worker["step"]) == 20
    assert chief["finite"] and worker["finite"]
    assert_same_weights(chief, worker)
    # Only the chief writes outputs; the worker's checkpoint copy is removed.
    run = tmp_path / "run"
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-20")
    assert sorted(os.listdir(run / "checkpoints")) == sorted(
        ["checkpoint"] + [f"ckpt-{s}.{ext}" for s in (10, 15, 20)
                          for ext in ("index", "data-00000-of-00001")]
    )  # fmt: skip
    assert os.listdir(run / "export") == ["1"]


def image_config(model_dir, case, **overrides):
    """Small image runs for the multi-worker tests (real Fashion-MNIST files).

    Layer norm / no norm and no dropout: Adam turns the round-off of batch-norm
    sums into ~1e-4 weight noise, and Keras' Dropout draws its masks per replica.
    """
    fashion = "idx:" + shared_dir("fashion-mnist")
    values = {
        "conditional": dict(model="conditional", architecture="conditional_dcgan", dataset=fashion,
                            latent_dim=16, d_norm="layer", g_norm="none", fid_every=4,
                            fid_samples=100, ema_decay=0.9, n_critic=2),
        "pix2pix": dict(model="pix2pix", architecture="unet_patchgan", dataset="edges:" + fashion,
                        resolution=16, l1_weight=100.0, dropout=0.0, d_norm="none",
                        g_norm="none", fid_every=4, fid_samples=100),
    }[case]  # fmt: skip
    values.update(
        base_filters=8, batch_size=16, epochs=2, steps_per_epoch=4, checkpoint_every=4,
        sample_every=4, model_dir=str(model_dir), verbose=0,
    )  # fmt: skip
    values.update(overrides)
    return TrainConfig(**values).to_dict()


# Both cases are slow (the conditional one 74 CPU-s); every test run has the
# TFRecord-shards test below, with generator EMA, 2 critic updates and FID.
@pytest.mark.slow
@pytest.mark.parametrize("case", ["conditional", "pix2pix"])
def test_two_workers_on_images_equal_one_device(tmp_path, case):
    """(images, labels) and (inputs, targets) batches across 2 processes (the
    conditional case with generator EMA, whose weights are compared too, and a fresh
    real batch for each of its 2 critic updates): both workers
    finish, the chief's weights equal a one-device run of the same global batch
    within the mirrored tests' 1e-5 (measured: 3e-8), and the chief alone writes
    samples, FID scalars, checkpoints and an export."""
    chief, worker = train_in_processes(
        tmp_path, "worker", image_config(tmp_path / "run", case, strategy="multi_worker"), 2
    )
    (one,) = train_in_processes(tmp_path, "one", image_config(tmp_path / "one", case), 1)
    assert_two_workers_trained_as_one(chief, worker, one, tmp_path / "run", steps=(4, 8))


def test_two_workers_on_tfrecord_shards_equal_one_device(tmp_path):
    """A folder written as 3 TFRecord shards by the converter, read by 2 workers:
    both read every shard and cut their slice of each global batch, as for the
    other datasets, so they train as one device does (a conditional model with
    generator EMA, whose weights are compared too, and a fresh real batch for
    each of its 2 critic updates); the chief alone writes samples, FID scalars,
    checkpoints and an export."""
    from own_images import make_folder

    from tfgan_zoo.data import files

    make_folder(str(tmp_path / "pets"))
    files.write_tfrecords(files.scan_folder(str(tmp_path / "pets")), str(tmp_path / "pets"), 3)

    def config(model_dir, **overrides):
        return TrainConfig(
            model="conditional", architecture="conditional_dcgan", image_size="16",
            dataset=f"tfrecord:{tmp_path}/pets-*.tfrecord", latent_dim=8, base_filters=4,
            d_norm="layer", g_norm="none", batch_size=8, epochs=2, steps_per_epoch=2,
            checkpoint_every=2, sample_every=2, ema_decay=0.9, n_critic=2, fid_every=2,
            fid_samples=16, model_dir=str(model_dir), verbose=0, **overrides,
        ).to_dict()  # fmt: skip

    chief, worker = train_in_processes(
        tmp_path, "worker", config(tmp_path / "run", strategy="multi_worker"), 2
    )
    (one,) = train_in_processes(tmp_path, "one", config(tmp_path / "one"), 1)
    assert_two_workers_trained_as_one(chief, worker, one, tmp_path / "run", steps=(2, 4))


def assert_two_workers_trained_as_one(chief, worker, one, run, steps):
    """Both workers reached the last of ``steps`` with finite losses and the chief's
    weights equal the one-device run's (the mirrored tests' 1e-5; measured 3e-8);
    the chief alone wrote samples and FID scalars at ``steps``, its checkpoint
    and an export."""
    last = steps[-1]
    assert int(chief["step"]) == int(worker["step"]) == int(one["step"]) == last
    assert chief["finite"] and worker["finite"]
    assert_same_weights(chief, worker)
    assert_same_weights(chief, one, atol=1e-5)
    assert os.listdir(run / "export") == ["1"]
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith(f"ckpt-{last}")
    assert sorted(os.listdir(run / "samples")) == [f"step_{s:07d}.png" for s in steps]
    assert not [p for p in os.listdir(run / "checkpoints") if p.startswith("workertemp")]
    assert fid_steps(run / "logs" / "train") == list(steps)  # the chief's FID monitor


def fid_steps(log_dir):
    return sorted(
        event.step
        for path in log_dir.iterdir()
        for event in tf.compat.v1.train.summary_iterator(str(path))
        for value in event.summary.value
        if value.tag == "fid"
    )


@pytest.mark.slow
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


def latest_step(checkpoint_dir):
    latest = tf.train.latest_checkpoint(str(checkpoint_dir))
    return int(latest.rsplit("-", 1)[1]) if latest else 0


@pytest.mark.slow
def test_killed_worker_of_a_multi_worker_image_run_resumes(tmp_path):
    """docs/distributed.md's multi-worker command (smaller sizes) on 2 processes: SIGKILL worker 1
    after a checkpoint; worker 0 stops with a one-line error naming the checkpoint;
    the same commands restart both, which resume from the chief's checkpoint."""
    run = tmp_path / "run"
    cmd = [
        sys.executable, "-m", "tfgan_zoo.train", "--flagfile=flags/dcgan_fashion_mnist.flags",
        "--dataset=idx:" + shared_dir("fashion-mnist"), "--strategy=multi_worker",
        f"--model_dir={run}", "--epochs=2", "--steps_per_epoch=40", "--checkpoint_every=10",
        "--sample_every=40", "--base_filters=8", "--verbose=0",
    ]  # fmt: skip
    cluster = {"worker": [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]}

    def start():
        return [
            subprocess.Popen(cmd, cwd=REPO, env=worker_env(cluster, i), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for i in range(2)
        ]  # fmt: skip

    chief, worker = start()
    deadline = time.time() + 300
    while time.time() < deadline and chief.poll() is None and latest_step(run / "checkpoints") < 10:
        time.sleep(0.2)
    killed_after = latest_step(run / "checkpoints")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=60)
    _, err = chief.communicate(timeout=300)
    assert 10 <= killed_after < 80, "training ended before it could be killed"
    assert chief.returncode != 0
    message = err.strip().splitlines()[-1]
    assert message.startswith("ERROR: Lost contact with another worker: worker 1 ("), err[-3000:]
    assert f"({cluster['worker'][1]}) stopped answering" in message
    assert "Restart every worker with the same command" in message
    kept = latest_step(run / "checkpoints")
    assert kept >= killed_after and f"ckpt-{kept}" in message

    procs = start()
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-3000:]
        match = re.search(r"Resumed from .*ckpt-(\d+)", err)
        assert match and int(match.group(1)) == kept, err[-2000:]
        assert "Trained to step 80." in out
    assert latest_step(run / "checkpoints") == 80
    assert os.listdir(run / "export") == ["1"]
    assert not [p for p in os.listdir(run / "checkpoints") if p.startswith("workertemp")]


LOST = """Graph execution error:

Detected at node CollectiveReduceV2_1 defined at (most recent call last):
  File "<string>", line 16, in <module>

Collective ops is aborted by: recvmsg:Connection reset by peer
Additional GRPC error information from remote target /job:worker/replica:0/task:1 while calling \
/tensorflow.WorkerService/RecvBuf:
:UNKNOWN:Error received from peer  {grpc_message:"recvmsg:Connection reset by peer", grpc_status:14}
The error could be from a previous operation. Restart your program to reset.
\t [[{{node CollectiveReduceV2_1}}]] [Op:__inference_multi_step_on_iterator_2366]"""


def test_a_lost_worker_is_named_with_its_address(monkeypatch):
    """The message TF 2.21 gave when worker 1 of 2 was SIGKILLed (trimmed)."""
    cluster = {"worker": ["127.0.0.1:4001", "127.0.0.1:4002"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"index": 0}}))
    error = tf.errors.UnavailableError(None, None, LOST)
    assert distribute.lost_peer(error) == (
        ": worker 1 (127.0.0.1:4002) stopped answering (UnavailableError: Collective ops is "
        "aborted by: recvmsg:Connection reset by peer)"
    )
    unnamed = tf.errors.AbortedError(None, None, "Graph execution error:\n\nDeadline exceeded")
    assert distribute.lost_peer(unnamed) == " (AbortedError: Deadline exceeded)"


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

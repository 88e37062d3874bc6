"""The trainer: flags and flagfiles, resuming, NaN handling, outputs."""

import dataclasses
import glob
import logging
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from absl import flags
from conftest import REPO, shared_dir

from tfgan_zoo import losses, trainer
from tfgan_zoo.callbacks import NonFiniteLossError
from tfgan_zoo.cli import train
from tfgan_zoo.config import ConfigError, TrainConfig

FLAGFILES = sorted(glob.glob(os.path.join(REPO, "flags", "*.flags")))


def parse(*argv):
    fv = flags.FlagValues()
    train.define_flags(fv)
    fv(["tfgan-zoo-train", *argv])
    return train.config_from_flags(fv)


def toy_config(tmp_path, **overrides):
    """A 40-step toy run for the trainer's bookkeeping (resume, checkpoints, errors).
    Without XLA: compiling the toy step costs about 3 s a run on 2 slow cores, and
    test_execution.py trains, resumes and stops on NaN with XLA (auto) itself.
    Without the export (``export=False``, about 2 s a run) unless a test asks
    for it: the flagfile, README and export tests export as users do."""
    values = dict(
        architecture="mlp", dataset="ring8", latent_dim=8, hidden_units=16, batch_size=16,
        epochs=2, steps_per_epoch=20, checkpoint_every=10, log_every=5, sample_every=10,
        model_dir=str(tmp_path / "run"), verbose=0, jit_compile="off", export=False,
    )  # fmt: skip
    values.update(overrides)
    return TrainConfig(**values)


def test_noexport_keeps_the_checkpoints_and_names_the_export_command(tmp_path):
    result = trainer.train(toy_config(tmp_path, epochs=1, steps_per_epoch=10))
    run = tmp_path / "run"
    assert result.export_path is None and not (run / "export").exists()
    assert result.export_note == (f"Not exported (--noexport): tfgan-zoo-export "
                                  f"--model_dir={run} --export_dir={run / 'export'}")  # fmt: skip
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-10")
    exported = trainer.train(toy_config(tmp_path, epochs=1, steps_per_epoch=10, export=True))
    assert exported.export_path == str(run / "export" / "1")  # the finished run, exported


def test_fit_segments():
    assert trainer.fit_segments(0, 60, 20) == [(0, 20, False)]
    assert trainer.fit_segments(40, 60, 20) == [(2, 20, False)]
    assert trainer.fit_segments(30, 60, 20) == [(1, 10, True), (2, 20, False)]
    assert trainer.fit_segments(50, 60, 20) == [(2, 10, True)]
    assert trainer.fit_segments(60, 60, 20) == []


@pytest.mark.parametrize("path", FLAGFILES, ids=os.path.basename)
def test_every_flagfile_parses_into_a_valid_config(path, monkeypatch):
    monkeypatch.chdir(REPO)
    config = parse(f"--flagfile={path}")
    name = os.path.basename(path)
    if name != "common.flags":
        assert config.model_dir == f"runs/{name[: -len('.flags')]}"
        assert config.log_every == 100  # from common.flags


def test_required_flagfiles_exist():
    names = {os.path.basename(p)[: -len(".flags")] for p in FLAGFILES}
    required = {
        "common",
        "ns_gan_ring8",
        "wgan_gp_grid25",
        "dcgan_fashion_mnist",
        "lsgan_fashion_mnist",
        "wgan_clip_fashion_mnist",
        "hinge_fashion_mnist",
        "sngan_fashion_mnist",
        "cgan_fashion_mnist",
        "lsgan_conditional_fashion_mnist",
        "projection_fashion_mnist",
        "pix2pix_edges_fashion_mnist",
        "cyclegan_mnist_fashion_mnist",
        "acgan_fashion_mnist",
        "ebgan_fashion_mnist",
        "infogan_mnist",
        "sngan_resnet_cifar10",
        "wgan_gp_resnet_cifar10",
        "projection_cifar10",
        "dcgan_celeba64",
    }
    assert required <= names


def test_later_flags_override_the_flagfile(monkeypatch):
    monkeypatch.chdir(REPO)
    config = parse("--flagfile=flags/lsgan_fashion_mnist.flags", "--epochs=1")
    assert config.epochs == 1
    assert config.loss_kwargs == {"a": -1.0, "b": 1.0, "c": 0.0}


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ["--loss=softmax"],
            "--loss: unknown value 'softmax'. Choose one of: energy_margin, hinge",
        ),
        (["--architecture=resnet"], "--architecture: unknown value 'resnet'"),
        (["--batch_size=0"], "--batch_size must be a positive integer"),
        (["--ls_labels=1,2"], "--ls_labels takes three numbers"),
        (["--ls_labels=a,b,c"], "--ls_labels takes comma-separated numbers"),
        (["--beta1=1.5"], "--beta1 must be in"),
        (["--adam_epsilon=0"], "--adam_epsilon must be > 0, got 0.0"),
        (["--toy_packs=random"], "--toy_packs: unknown value 'random'"),
        (["--d_norm=group"], "--d_norm: unknown value 'group'"),
        (["--architecture=mlp"], "--architecture=mlp works on the toy sets"),
        (["--dataset=ring8"], "use --architecture=mlp"),
        (["--model=acgan"], "--model=acgan needs --architecture in acgan_dcgan"),
        (["--lr_decay=cosine"], "--lr_decay: unknown value 'cosine'"),
        (["--dtype_policy=mixed_float16"], "needs loss scaling"),
        (["--dtype_policy=float16"], "--dtype_policy: unknown value 'float16'"),
    ],
)
def test_bad_flag_values_give_clear_errors(argv, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        parse(*argv)


def test_cli_reports_bad_values_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "tfgan_zoo.train", "--loss=softmax"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Invalid flags: --loss: unknown value 'softmax'" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_writes_checkpoints_samples_and_an_export(tmp_path):
    result = trainer.train(toy_config(tmp_path, export=True))
    run = tmp_path / "run"
    assert (result.start_step, result.final_step) == (0, 40)
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-40")
    assert sorted(os.listdir(run / "samples")) == [
        "step_0000010.png", "step_0000020.png", "step_0000030.png", "step_0000040.png"
    ]  # fmt: skip
    assert glob.glob(str(run / "logs" / "train" / "events.*"))
    exported = tf.saved_model.load(result.export_path)
    z = np.zeros((3, 8), np.float32)
    out = exported.signatures["serving_default"](z=tf.constant(z))
    np.testing.assert_allclose(out["images"], result.model.generator(z), atol=1e-6)


def test_mixed_bfloat16_run_resumes_restores_and_exports_float32(tmp_path):
    import keras

    config = TrainConfig(
        dataset="idx:" + shared_dir("mnist"), split="test", base_filters=8, batch_size=16,
        epochs=1, steps_per_epoch=4, checkpoint_every=4, sample_every=4,
        model_dir=str(tmp_path / "run"), verbose=0, dtype_policy="mixed_bfloat16",
    )  # fmt: skip
    first = trainer.train(config)
    assert keras.config.dtype_policy().name == "float32"  # left as it was
    assert first.model.generator.layers[1].compute_dtype == "bfloat16"
    resumed = trainer.train(dataclasses.replace(config, epochs=2))
    assert (resumed.start_step, resumed.final_step) == (4, 8)
    restored, restored_config = trainer.restore_model(str(tmp_path / "run"))
    assert restored_config.dtype_policy == "mixed_bfloat16"
    for a, b in zip(restored.get_weights(), resumed.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    z = np.random.default_rng(0).standard_normal((2, 64)).astype(np.float32)
    served = tf.saved_model.load(resumed.export_path).signatures["serving_default"]
    images = served(z=tf.constant(z))["images"]
    assert images.dtype == tf.float32
    np.testing.assert_allclose(images, restored.generator(z), atol=0.02)  # bfloat16: ~3 digits


def test_restore_model_at_a_kept_step_or_a_clear_error(tmp_path):
    """``restore_model(model_dir, step)`` rebuilds an earlier checkpoint the run still
    keeps (what `benchmarks/population_stats.py --steps` scores while a run goes on)."""
    trainer.train(toy_config(tmp_path))  # checkpoints at 10, 20, 30, 40; the last 3 kept
    model_dir = str(tmp_path / "run")
    latest, _ = trainer.restore_model(model_dir)
    earlier, _ = trainer.restore_model(model_dir, step=20)
    assert (int(latest.steps_done), int(earlier.steps_done)) == (40, 20)
    pairs = zip(latest.get_weights(), earlier.get_weights(), strict=True)
    assert not all(np.array_equal(a, b) for a, b in pairs)
    with pytest.raises(FileNotFoundError, match=r"No checkpoint at step 10 .*\(kept: 20, 30, 40\)"):
        trainer.restore_model(model_dir, step=10)


def optimizer_state(model):
    return [v.numpy().copy() for v in model.g_optimizer.variables + model.d_optimizer.variables]


def test_resume_continues_at_the_checkpointed_step(tmp_path, caplog):
    first = trainer.train(toy_config(tmp_path, export=True))
    saved_state = optimizer_state(first.model)
    saved_weights = [w.copy() for w in first.model.get_weights()]

    # Restoring alone (nothing left to train) gives back weights and optimizer state.
    again = trainer.train(toy_config(tmp_path, export=True))
    assert (again.start_step, again.final_step, again.history) == (40, 40, [])
    assert again.export_path is None  # already exported
    for a, b in zip(saved_weights, again.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(saved_state, optimizer_state(again.model), strict=True):
        np.testing.assert_array_equal(a, b)

    longer = trainer.train(toy_config(tmp_path, export=True, epochs=3))
    assert (longer.start_step, longer.final_step) == (40, 60)
    assert [len(h["d_loss"]) for h in longer.history] == [1]  # one epoch, not three
    assert int(longer.model.d_optimizer.iterations) == 60
    assert longer.export_path.endswith(os.path.join("export", "2"))

    # A shorter run on that directory trains nothing and says it is past its end.
    with caplog.at_level(logging.WARNING, logger="tfgan_zoo.trainer"):
        shorter = trainer.train(toy_config(tmp_path, export=True, epochs=1))
    assert (shorter.start_step, shorter.final_step, shorter.history) == (60, 60, [])
    assert "is at step 60, past this run's 20 steps" in caplog.text


def test_resume_from_the_middle_of_an_epoch(tmp_path):
    trainer.train(toy_config(tmp_path, epochs=1, steps_per_epoch=30))
    # Step 30 is in the middle of epoch 2 when an epoch is 20 steps.
    result = trainer.train(toy_config(tmp_path, epochs=3, steps_per_epoch=20))
    assert (result.start_step, result.final_step) == (30, 60)
    assert [len(h["d_loss"]) for h in result.history] == [1, 1]
    assert int(result.model.g_optimizer.iterations) == 60


def exploding_loss(after_step):
    """A non-saturating loss whose discriminator loss is infinite after ``after_step``
    steps, and the variable counting its calls (two per step)."""
    calls = tf.Variable(0)

    def loss(real_output, fake_output):
        calls.assign_add(1)
        d_loss, g_loss = losses.non_saturating(real_output, fake_output)
        return d_loss / tf.cast(calls <= 2 * after_step, tf.float32), g_loss

    return loss, calls


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    explodes_after_step_13, calls = exploding_loss(13)
    monkeypatch.setitem(losses.LOSSES, "explodes", explodes_after_step_13)
    with pytest.raises(NonFiniteLossError) as e:
        trainer.train(toy_config(tmp_path, loss="explodes", epochs=3, checkpoint_every=5))
    message = str(e.value)
    assert "stopped at step 14" in message
    assert "ckpt-10" in message and "rerun the same command to resume" in message
    run = tmp_path / "run"
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-10")
    assert not (run / "export").exists()
    assert sorted(os.listdir(run / "samples")) == ["step_0000010.png"]

    # The kept checkpoint holds finite weights, and training resumes from it.
    calls.assign(-(10**6))
    resumed = trainer.train(toy_config(tmp_path, loss="explodes", epochs=3, checkpoint_every=5))
    assert (resumed.start_step, resumed.final_step) == (10, 60)
    assert all(np.isfinite(w).all() for w in resumed.model.get_weights())


def test_a_loss_bad_before_the_first_checkpoint_says_there_is_none(tmp_path, monkeypatch):
    explodes_at_once, _ = exploding_loss(0)
    monkeypatch.setitem(losses.LOSSES, "explodes", explodes_at_once)
    with pytest.raises(NonFiniteLossError) as e:
        trainer.train(toy_config(tmp_path, loss="explodes"))
    message = str(e.value)
    assert "stopped at step 1" in message and "No checkpoint was written before it" in message
    assert "starts from step 0" in message
    assert "resume from that checkpoint" not in message and "is none" not in message


def test_dcgan_flagfile_on_real_fashion_mnist(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    config = dataclasses.replace(
        parse("--flagfile=flags/dcgan_fashion_mnist.flags"),
        dataset="idx:" + shared_dir("fashion-mnist"), split="test", base_filters=8,
        batch_size=16, epochs=1, steps_per_epoch=4, sample_every=4,
        model_dir=str(tmp_path / "run"), verbose=0,
    )  # fmt: skip
    result = trainer.train(config)
    assert result.final_step == 4
    png = tf.io.decode_png(tf.io.read_file(result.sample_path))
    assert png.shape == (8 * 30 + 2, 8 * 30 + 2, 1)


def test_fid_monitor_logs_a_falling_fid(tmp_path):
    """DCGAN on MNIST with a classifier FID every 100 steps: the FID after 300
    steps is well below the FID at step 100 (measured: 26.3, 15.4, 9.4)."""
    config = TrainConfig(
        dataset="idx:" + shared_dir("mnist"), split="test", base_filters=16, batch_size=32,
        epochs=1, steps_per_epoch=300, fid_every=100, fid_samples=500, sample_every=300,
        model_dir=str(tmp_path / "run"), verbose=0,
    )  # fmt: skip
    result = trainer.train(config)
    monitor = next(c for c in result.callbacks if type(c).__name__ == "FIDMonitor")
    print("FID by step", monitor.values)
    assert sorted(monitor.values) == [100, 200, 300]
    assert monitor.values[300] < 0.7 * monitor.values[100], monitor.values
    assert (tmp_path / "run" / "domain_classifier.keras").exists()


def test_evaluate_an_export(tmp_path):
    from tfgan_zoo import evaluation as evaluate

    config = TrainConfig(
        dataset="idx:" + shared_dir("mnist"), split="test", base_filters=8, batch_size=32,
        epochs=1, steps_per_epoch=20, model_dir=str(tmp_path / "run"), verbose=0,
    )  # fmt: skip
    result = trainer.train(config)
    scores = evaluate.evaluate(
        result.export_path, config.dataset, "test", num_samples=300,
        classifier_dir=str(tmp_path / "clf"), classifier_split="test",
    )  # fmt: skip
    assert set(scores) >= {"fid", "kid", "inception_score", "precision", "recall", "coverage"}
    assert all(np.isfinite(v) for v in scores.values())
    assert scores["fid"] > 0
    assert len(list((tmp_path / "clf").glob("*mnist_28px/domain_classifier.keras"))) == 1


def test_the_fully_connected_ebgan_trains_through_the_trainer_and_resumes(tmp_path):
    """EBGAN's MNIST grid networks (`--architecture=ebgan_mlp`): trained, sampled and
    exported by the trainer from flags, and continued from its checkpoint."""
    config = parse(
        "--model=ebgan", "--architecture=ebgan_mlp", "--loss=energy_margin",
        f"--dataset=idx:{shared_dir('mnist')}", "--split=test", "--hidden_units=32",
        "--num_layers=2", "--latent_dim=8", "--batch_size=16", "--epochs=1",
        "--steps_per_epoch=10", "--checkpoint_every=10", "--sample_every=10",
        f"--model_dir={tmp_path / 'run'}", "--verbose=0",
    )  # fmt: skip
    result = trainer.train(config)
    assert result.final_step == 10
    samples = np.asarray(result.model.generator(np.zeros((3, 8), np.float32)))
    assert samples.shape == (3, 28, 28, 1) and np.all(np.abs(samples) <= 1)
    energy, code = result.model.discriminator(samples)
    assert energy.shape == (3, 1) and code.shape == (3, 32)
    again = trainer.train(dataclasses.replace(config, epochs=2))
    assert again.final_step == 20


def test_rmsprop_trains_both_networks_and_a_run_cannot_resume_across_optimizers(tmp_path):
    """``--optimizer=rmsprop`` (LSGAN's setting for networks without batch norm):
    both networks get RMSprop at their own rates; its slots differ from Adam's, so
    resuming with the other optimizer is refused."""
    import keras

    from tfgan_zoo import rundir

    result = trainer.train(toy_config(tmp_path, epochs=1, optimizer="rmsprop", d_lr=1e-3))
    assert isinstance(result.model.g_optimizer, keras.optimizers.RMSprop)
    assert isinstance(result.model.d_optimizer, keras.optimizers.RMSprop)
    assert np.isclose(float(result.model.d_optimizer.learning_rate), 1e-3)
    with pytest.raises(rundir.RunMismatchError, match="--optimizer was rmsprop, now adam"):
        trainer.train(toy_config(tmp_path, epochs=2, d_lr=1e-3))
    with pytest.raises(ConfigError, match="optimizer"):
        toy_config(tmp_path, optimizer="sgd")


def test_a_grid_lost_between_its_checkpoint_and_a_kill_is_written_on_resume(tmp_path):
    """The checkpoint of step 20 is written before its sample grid: a run killed in
    between resumes from that checkpoint and writes the grid first, the same image."""
    first = trainer.train(toy_config(tmp_path, epochs=1))
    samples = tmp_path / "run" / "samples"
    written = (samples / "step_0000020.png").read_bytes()
    os.remove(samples / "step_0000020.png")
    resumed = trainer.train(toy_config(tmp_path, epochs=2))
    assert (first.final_step, resumed.start_step) == (20, 20)
    assert (samples / "step_0000020.png").read_bytes() == written
    assert os.path.exists(samples / "step_0000040.png")

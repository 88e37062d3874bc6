"""What a user meets re-running, extending, killing and misconfiguring a training run."""

import glob
import json
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf
from test_trainer import toy_config

from tfgan_zoo import data, export, losses, rundir, trainer
from tfgan_zoo.callbacks import NonFiniteLossError
from tfgan_zoo.config import ConfigError


def event_steps(log_dir, kind):
    """``[(tag, step), ...]`` of every event with a summary under ``log_dir/kind``."""
    pairs = []
    for path in sorted(glob.glob(os.path.join(log_dir, kind, "*tfevents*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            pairs += [(v.tag, event.step) for v in event.summary.value]
    return pairs


def scalar_values(log_dir):
    values = []
    for path in glob.glob(os.path.join(log_dir, "train", "*tfevents*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            values += [float(tf.make_ndarray(v.tensor)) for v in event.summary.value]
    return values


def test_resume_refuses_other_networks_and_touches_nothing(tmp_path):
    trainer.train(toy_config(tmp_path, epochs=1))
    run_json = (tmp_path / "run" / "run.json").read_bytes()
    with pytest.raises(rundir.RunMismatchError) as e:
        trainer.train(toy_config(tmp_path, epochs=2, latent_dim=4, hidden_units=12))
    message = str(e.value)
    assert "--latent_dim was 8, now 4" in message and "--hidden_units was 16, now 12" in message
    assert "original flags" in message and "new --model_dir" in message
    assert (tmp_path / "run" / "run.json").read_bytes() == run_json
    model, config = trainer.restore_model(str(tmp_path / "run"))  # the export path still works
    assert config.latent_dim == 8 and int(model.g_optimizer.iterations) == 20


def test_resume_accepts_training_flags_and_records_them(tmp_path, caplog):
    trainer.train(toy_config(tmp_path, epochs=1))
    with caplog.at_level("WARNING", logger="tfgan_zoo"):
        result = trainer.train(toy_config(tmp_path, epochs=2, g_lr=1e-3, loss="hinge"))
    assert (result.start_step, result.final_step) == (20, 40)
    assert (
        "--g_lr 0.0002 -> 0.001" in caplog.text and "--loss non_saturating -> hinge" in caplog.text
    )
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["config"]["g_lr"] == 1e-3
    [entry] = run["history"]
    assert entry["step"] == 20
    assert entry["changes"] == {
        "loss": ["non_saturating", "hinge"], "g_lr": [2e-4, 1e-3], "epochs": [1, 2],
    }  # fmt: skip
    assert not glob.glob(str(tmp_path / "run" / "*.tmp"))  # written atomically


def test_a_run_from_before_a_flag_existed_resumes(tmp_path):
    """run.json of an older version lacks the newer flags: they count as their defaults."""
    config = toy_config(tmp_path)
    old = config.to_dict()
    del old["pack"], old["max_loss"]
    run = {"config": old, **rundir.data_fields(data.DataInfo((2,), 0, "x"))}
    assert rundir.changes(run, config, data.DataInfo((2,), 0, "x")) == ([], [])


def test_other_data_shapes_count_as_other_networks(tmp_path):
    config = toy_config(tmp_path)
    run = {"config": config.to_dict(), "sample_shape": [28, 28, 1], "num_classes": 10,
           "input_shape": None, "paired": False}  # fmt: skip
    info = data.DataInfo((32, 32, 3), 10, "x")
    network, training = rundir.changes(run, config, info)
    assert network == [("data sample_shape", [28, 28, 1], [32, 32, 3])] and training == []


def test_a_run_killed_before_its_export_exports_on_rerun(tmp_path):
    first = trainer.train(toy_config(tmp_path, export=True, epochs=1))
    assert export.read_metadata(first.export_path)["step"] == 20
    second = trainer.train(toy_config(tmp_path, export=True, epochs=2))
    shutil.rmtree(second.export_path)  # killed after its last checkpoint, before exporting
    rerun = trainer.train(toy_config(tmp_path, export=True, epochs=2))
    assert (rerun.start_step, rerun.final_step) == (40, 40)
    assert rerun.export_path == str(tmp_path / "run" / "export" / "2")
    assert export.read_metadata(rerun.export_path)["step"] == 40
    again = trainer.train(toy_config(tmp_path, export=True, epochs=2))
    assert again.export_path is None
    assert again.export_note == f"{tmp_path / 'run' / 'export' / '2'} is current (step 40)."
    # Re-running the finished run writes its last grid no second time.
    assert again.sample_path.endswith("step_0000040.png")
    samples = event_steps(str(tmp_path / "run" / "logs"), "samples")
    assert samples.count(("samples", 40)) == 1


def diverging_loss(after_step):
    """A non-saturating loss whose generator loss is multiplied by 1e12 after ``after_step``."""
    calls = tf.Variable(0)

    def loss(real_output, fake_output):
        calls.assign_add(1)
        d_loss, g_loss = losses.non_saturating(real_output, fake_output)
        return d_loss, g_loss * tf.where(calls <= 2 * after_step, 1.0, 1e12)

    return loss


def test_a_diverging_finite_loss_stops_like_a_nan(tmp_path, monkeypatch):
    monkeypatch.setitem(losses.LOSSES, "diverges", diverging_loss(13))
    with pytest.raises(NonFiniteLossError) as e:
        trainer.train(toy_config(tmp_path, loss="diverges", epochs=3, checkpoint_every=5))
    message = str(e.value)
    assert "stopped at step 14" in message and "--max_loss=1e+06" in message
    run = tmp_path / "run"
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-10")
    assert not (run / "export").exists()
    values = scalar_values(str(run / "logs"))
    assert values and max(abs(v) for v in values) < 1e6  # the diverged values are not logged
    assert {step for _, step in event_steps(str(run / "logs"), "train")} == {5, 10}


def test_leftovers_of_killed_writes_are_removed_at_the_next_start(tmp_path, caplog):
    trainer.train(toy_config(tmp_path, export=True, epochs=1))
    run = tmp_path / "run"
    partial_checkpoint = run / "checkpoints" / "ckpt-30_temp"
    partial_export = run / "export" / ".tmp-2-0123abcd"
    for folder in (partial_checkpoint, partial_export):
        folder.mkdir()
        (folder / "part").write_text("half")
    with caplog.at_level("INFO", logger="tfgan_zoo"):
        result = trainer.train(toy_config(tmp_path, export=True, epochs=2))
    assert not partial_checkpoint.exists() and not partial_export.exists()
    assert "Removed what an interrupted run left" in caplog.text
    assert result.final_step == 40 and sorted(os.listdir(run / "export")) == ["1", "2"]


def test_tensorboard_and_progress_bar_are_continuous_after_a_kill(tmp_path, capsys):
    trainer.train(toy_config(tmp_path, epochs=2, checkpoint_every=10, sample_every=10))
    checkpoints = str(tmp_path / "run" / "checkpoints")
    # As if killed at step 35: ckpt-40 was never written.
    for path in glob.glob(os.path.join(checkpoints, "ckpt-40*")):
        os.remove(path)
    tf.compat.v1.train.update_checkpoint_state(checkpoints, os.path.join(checkpoints, "ckpt-30"))
    capsys.readouterr()
    result = trainer.train(toy_config(tmp_path, epochs=3, verbose=1, checkpoint_every=10))
    assert (result.start_step, result.final_step) == (30, 60)
    logs = str(tmp_path / "run" / "logs")
    for kind in ("train", "samples"):
        pairs = event_steps(logs, kind)
        assert len(pairs) == len(set(pairs)), f"duplicate steps in {kind}"
    assert sorted({s for _, s in event_steps(logs, "train")}) == list(range(5, 65, 5))
    out = capsys.readouterr().out
    assert "Epoch 2/3" in out and "Epoch 3/3" in out and "Epoch 2/2" not in out


def test_an_unusable_model_dir_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match="is a file, not a directory"):
        trainer.train(toy_config(tmp_path, model_dir=str(tmp_path / "file")))
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # root ignores chmod
    with pytest.raises(ConfigError, match="is not writable"):
        trainer.train(toy_config(tmp_path))


def test_truncate_events_survives_a_record_cut_short(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path / "train"))
    with writer.as_default():
        for step in (5, 10, 15):
            tf.summary.scalar("loss", float(step), step=step)
    writer.close()
    [path] = glob.glob(str(tmp_path / "train" / "*tfevents*"))
    with open(path, "ab") as f:
        f.write(b"\x12\x00\x00")  # a kill in the middle of a record
    assert rundir.truncate_events(str(tmp_path), 10) == 1
    assert event_steps(str(tmp_path), "train") == [("loss", 5), ("loss", 10)]


def test_an_offline_tfds_download_fails_fast_and_cleans_up(tmp_path, monkeypatch):
    import socket

    import tensorflow_datasets as tfds

    monkeypatch.setitem(data.catalog.LOCAL_COPIES, "fashion_mnist", ())

    def no_network(*args, **kwargs):
        raise OSError("Name or service not known")

    def must_not_download(self, *args, **kwargs):
        raise AssertionError("download_and_prepare was called without a network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", must_not_download)
    with pytest.raises(FileNotFoundError) as e:
        data.load("fashion_mnist", 8, data_dir=str(tmp_path))
    assert "no network: cannot connect to fashion-mnist" in str(e.value)
    assert "idx:<dir>" in str(e.value)  # the fixes are still listed
    # The CycleGAN sets probe the network first too (they retried for 222 s).
    with pytest.raises(FileNotFoundError) as e:
        data.load("cycle_gan/horse2zebra", 1, data_dir=str(tmp_path))
    assert "no network: cannot connect to efrosgans.eecs.berkeley.edu" in str(e.value)
    assert "--dataset=folder:<dir>" in str(e.value)
    assert not list((tmp_path / "downloads").glob("*.tmp.*"))


def test_a_failed_download_leaves_no_partial_files(tmp_path):
    class Builder:
        data_dir_root = str(tmp_path)

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "kept.tmp.old").write_text("")  # not ours: left alone
    with pytest.raises(OSError), data.catalog.removing_partial_downloads(Builder()):
        (downloads / "file.gz.tmp.1f2e").write_text("partial")
        (downloads / "extracted.tmp.9a").mkdir()
        raise OSError("connection reset")
    assert sorted(os.listdir(downloads)) == ["kept.tmp.old"]


def test_idx_copies_of_mnist_and_fashion_mnist_name_their_classes():
    from conftest import shared_dir

    _, info = data.load(f"idx:{shared_dir('fashion-mnist')}", 8, split="test")
    assert info.class_names[0] == "T-shirt/top" and len(info.class_names) == 10
    _, info = data.load(f"idx:{shared_dir('mnist')}", 8, split="test")
    assert info.class_names == tuple("0123456789")


def test_the_trainer_exports_class_names_and_step(tmp_path):
    from conftest import shared_dir

    config = toy_config(
        tmp_path, export=True, model="conditional", architecture="conditional_dcgan",
        dataset=f"idx:{shared_dir('fashion-mnist')}", split="test", base_filters=8,
        epochs=1, steps_per_epoch=2, checkpoint_every=2, log_every=2, sample_every=2,
    )  # fmt: skip
    result = trainer.train(config)
    grid = tf.io.decode_png(tf.io.read_file(result.sample_path))
    assert grid.shape[:2] == (8 * 28 + 9 * 2, 10 * 28 + 11 * 2)  # a column per class
    metadata = export.read_metadata(result.export_path)
    assert metadata["class_names"][9] == "Ankle boot" and metadata["step"] == 2
    assert metadata["kind"] == "conditional_generator" and metadata["num_classes"] == 10
    served = tf.saved_model.load(result.export_path).signatures["metadata"]
    out = served(unused=tf.constant([0]))
    assert out["class_names"].numpy()[0] == b"T-shirt/top" and int(out["step"]) == 2
    assert np.array_equal(out["image_shape"].numpy(), [28, 28, 1])


def test_a_learning_rate_changed_on_resume_is_the_one_in_effect(tmp_path):
    """The checkpoint holds Adam's learning-rate variable; the new flag must win."""
    trainer.train(toy_config(tmp_path, epochs=1, g_lr=1e-3, d_lr=1e-3))
    result = trainer.train(toy_config(tmp_path, epochs=2, g_lr=5e-4, d_lr=2e-4))
    assert float(result.model.g_optimizer.learning_rate) == pytest.approx(5e-4)
    assert float(result.model.d_optimizer.learning_rate) == pytest.approx(2e-4)
    model, _ = trainer.restore_model(str(tmp_path / "run"))  # the step-40 checkpoint
    assert float(model.g_optimizer.learning_rate) == pytest.approx(5e-4)
    # A schedule has no rate variable, so its optimizers cannot restore these: refused.
    with pytest.raises(rundir.RunMismatchError, match="--lr_decay was none, now linear"):
        trainer.train(toy_config(tmp_path, epochs=3, lr_decay="linear"))


def test_a_scheduled_run_resumes_on_the_schedule_of_its_new_flags(tmp_path):
    trainer.train(toy_config(tmp_path, epochs=1, lr_decay="linear"))
    result = trainer.train(toy_config(tmp_path, epochs=4, g_lr=1e-4, lr_decay="linear"))
    schedule = result.model.g_optimizer._learning_rate
    assert float(schedule(20)) == pytest.approx(1e-4 * 0.75)  # 20 of 80 steps, from 1e-4

"""XLA and steps_per_execution: same training either way, step-exact callbacks."""

import dataclasses
import os

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPO, shared_dir
from test_trainer import exploding_loss, parse
from test_trainer import toy_config as trainer_toy_config

from tfgan_zoo import data, losses, trainer
from tfgan_zoo.callbacks import NonFiniteLossError
from tfgan_zoo.config import ConfigError, TrainConfig


def toy_config(tmp_path, **overrides):
    """`test_trainer.toy_config` with 5 steps an execution and XLA (auto)."""
    return trainer_toy_config(tmp_path, **{"jit_compile": "auto", "steps_per_execution": 5,
                                           **overrides})  # fmt: skip


def scalar_steps(log_dir, tag="d_loss"):
    return sorted(
        event.step
        for path in log_dir.iterdir()
        for event in tf.compat.v1.train.summary_iterator(str(path))
        for value in event.summary.value
        if value.tag == tag
    )


def test_execution_flags_are_checked():
    with pytest.raises(ConfigError, match="--jit_compile: unknown value 'yes'"):
        TrainConfig(jit_compile="yes")
    with pytest.raises(ConfigError, match="--steps_per_execution must be a positive"):
        TrainConfig(steps_per_execution=0)
    with pytest.raises(ConfigError, match="--checkpoint_every=500 is not a multiple of"):
        TrainConfig(steps_per_execution=300, steps_per_epoch=600, log_every=300,
                    sample_every=600)  # fmt: skip
    with pytest.raises(ConfigError, match="--jit_compile=on does not run under --strategy=mirr"):
        TrainConfig(jit_compile="on", strategy="mirrored")
    with pytest.raises(ConfigError, match="--steps_per_execution > 1 does not run under --str"):
        TrainConfig(steps_per_execution=10, strategy="multi_worker")
    TrainConfig(steps_per_execution=100)  # the defaults' step counts are multiples of 100


def test_auto_picks_xla_per_architecture_on_cpu():
    assert tf.config.list_physical_devices("GPU") == []
    on, why = trainer.resolve_jit_compile(TrainConfig(architecture="mlp", dataset="ring8"))
    assert on and "mlp measured faster" in why
    on, why = trainer.resolve_jit_compile(TrainConfig(architecture="dcgan"))
    assert not on and "dcgan not measured faster" in why
    on, why = trainer.resolve_jit_compile(
        TrainConfig(architecture="dcgan", steps_per_execution=10, steps_per_epoch=100)
    )
    assert on and "steps_per_execution > 1" in why
    on, why = trainer.resolve_jit_compile(
        TrainConfig(architecture="pacgan_dcgan", steps_per_execution=10, steps_per_epoch=100)
    )
    assert not on and "pacgan_dcgan measured slower" in why
    on, why = trainer.resolve_jit_compile(
        TrainConfig(architecture="mlp", dataset="ring8", strategy="mirrored")
    )
    assert not on and "off under --strategy=mirrored" in why
    assert trainer.resolve_jit_compile(TrainConfig(jit_compile="on"))[0]


def test_callbacks_fire_at_their_steps_with_several_steps_per_execution(tmp_path):
    """5 steps per execution: checkpoints every 10, samples every 10, scalars every 5
    and a resume from the middle of an epoch land on exactly those steps."""
    first = trainer.train(toy_config(tmp_path, epochs=1, steps_per_epoch=30, keep_checkpoints=5))
    run = tmp_path / "run"
    assert first.final_step == 30
    checkpoints = sorted(p for p in os.listdir(run / "checkpoints") if p.endswith(".index"))
    assert checkpoints == ["ckpt-10.index", "ckpt-20.index", "ckpt-30.index"]
    assert sorted(os.listdir(run / "samples")) == [f"step_00000{s}.png" for s in (10, 20, 30)]
    assert scalar_steps(run / "logs" / "train") == [5, 10, 15, 20, 25, 30]

    # Step 30 is the middle of epoch 2 with 20-step epochs.
    resumed = trainer.train(toy_config(tmp_path, epochs=3, steps_per_epoch=20, keep_checkpoints=5))
    assert (resumed.start_step, resumed.final_step) == (30, 60)
    assert int(resumed.model.g_optimizer.iterations) == 60
    assert scalar_steps(run / "logs" / "train") == list(range(5, 61, 5))
    checkpoints = sorted(int(p[5:-6]) for p in os.listdir(run / "checkpoints") if "index" in p)
    assert checkpoints == [20, 30, 40, 50, 60]


def test_documented_toy_command_with_steps_per_execution(tmp_path, monkeypatch):
    """docs/training.md's `--flagfile=flags/ns_gan_ring8.flags --steps_per_execution=100`,
    smaller: XLA (auto for the MLP) and 100 steps per call reach the step count."""
    monkeypatch.chdir(REPO)
    config = dataclasses.replace(
        parse("--flagfile=flags/ns_gan_ring8.flags", "--steps_per_execution=100"),
        epochs=1, steps_per_epoch=300, sample_every=300, model_dir=str(tmp_path / "run"),
        verbose=0,
    )  # fmt: skip
    assert trainer.resolve_jit_compile(config)[0]
    result = trainer.train(config)
    assert result.final_step == 300
    assert tf.train.latest_checkpoint(str(tmp_path / "run" / "checkpoints")).endswith("ckpt-300")
    assert all(np.isfinite(v).all() for h in result.history for v in h.values())


def test_nan_step_is_exact_with_several_steps_per_execution(tmp_path, monkeypatch):
    """The loss turns NaN in step 14 of executions of 5 steps (11-15): the error names
    step 14, and the checkpoint of step 10 is the last one kept."""
    explodes_after_step_13, _ = exploding_loss(13)
    monkeypatch.setitem(losses.LOSSES, "explodes", explodes_after_step_13)
    config = toy_config(tmp_path, loss="explodes", epochs=3, checkpoint_every=5)
    with pytest.raises(NonFiniteLossError, match="stopped at step 14") as e:
        trainer.train(config)
    assert "ckpt-10" in str(e.value)
    run = tmp_path / "run"
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-10")
    assert sorted(os.listdir(run / "samples")) == ["step_0000010.png"]
    assert not (run / "export").exists()


FASHION = "idx:" + os.path.join("{shared}", "fashion-mnist")
JIT_CASES = {
    "gan_mlp": dict(architecture="mlp", dataset="ring8", hidden_units=16),
    "wgan_gp_mlp": dict(architecture="mlp", dataset="ring8", hidden_units=16,
                        loss="wasserstein", gp_weight=10.0, n_critic=2),
    "conditional": dict(model="conditional", architecture="conditional_dcgan"),
    "acgan": dict(model="acgan", architecture="acgan_dcgan"),
    "ebgan": dict(model="ebgan", architecture="ebgan_dcgan", loss="energy_margin",
                  d_norm="none"),
    "infogan": dict(model="infogan", architecture="infogan_dcgan"),
    "pix2pix": dict(model="pix2pix", architecture="unet_patchgan", dataset="edges:" + FASHION,
                    resolution=16, dropout=0.0),
    "cyclegan": dict(model="cyclegan", architecture="resnet_patchgan", loss="least_squares",
                     dataset=f"unpaired:{FASHION},{FASHION}", resolution=16, num_res_blocks=1,
                     g_norm="instance", d_norm="instance", pool_size=0, identity_weight=0.0),
}  # fmt: skip


# The image models' cases take 10-25 s each on 2 cores; the MLP cases and the
# conditional DCGAN run in every test run.
SLOW_JIT_CASES = ("cyclegan", "pix2pix", "infogan", "acgan", "ebgan")


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_JIT_CASES else c
     for c in sorted(JIT_CASES)],
)  # fmt: skip
def test_xla_trains_as_the_default(case):
    """3 steps of every model class with jit_compile on and off: the same losses to
    float tolerance (random draws are XLA-compiled either way, `tfgan_zoo.rng`).
    Every model, so every `train_step`, compiles (each takes 5-75 s here). CycleGAN
    runs without its image pool: when two images of a batch pick one slot, which
    is stored is up to the scatter, and XLA's pick differs."""
    values = dict(dataset=FASHION, split="test", latent_dim=8, base_filters=4, batch_size=8)
    values.update(JIT_CASES[case])
    shared = os.path.dirname(shared_dir("fashion-mnist"))
    values["dataset"] = values["dataset"].replace("{shared}", shared)
    histories = {}
    for jit in ("off", "on"):
        config = TrainConfig(**values, jit_compile=jit)
        tf.keras.utils.set_random_seed(0)  # before the pipeline: its shuffle reads it
        dataset, info = data.load(config.dataset, config.batch_size, split=config.split,
                                  resolution=config.resolution)  # fmt: skip
        model = trainer.build_model(config, info)
        assert model.jit_compile == (jit == "on")
        history = model.fit(dataset, epochs=1, steps_per_epoch=3, verbose=0).history
        histories[jit] = {name: values[-1] for name, values in history.items()}
    assert histories["on"].keys() == histories["off"].keys()
    for name, value in histories["off"].items():
        assert np.isfinite(value)
        np.testing.assert_allclose(histories["on"][name], value, rtol=1e-4, atol=1e-5,
                                   err_msg=name)  # fmt: skip


def test_a_fused_execution_trains_as_keras_loop_and_one_step_per_call():
    """XLA with 5 steps per execution: one compiled program an execution
    (`AdversarialModel.make_train_function`) gives the weights of Keras' loop of
    compiled steps and of one step per call, bit for bit; only the iterator's
    reads and one program call are left outside XLA."""
    import sys

    import keras

    from tfgan_zoo import architectures, models

    def trained(spe, fused=True):
        keras.utils.set_random_seed(0)
        g, d = architectures.build("mlp", (2,), 4, hidden_units=16)
        gan = models.GAN(g, d, 4, seed=3, gp_weight=1.0, n_critic=2, ema_decay=0.9)
        gan.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5),
                    jit_compile=True, steps_per_execution=spe)  # fmt: skip
        if not fused:
            gan.fuses_execution = lambda: False
        dataset = data.critic_groups(data.load("ring8", 16, seed=0)[0], 2)
        history = gan.fit(dataset, epochs=1, steps_per_epoch=10, verbose=0).history
        return gan, history

    fused, history = trained(5)
    assert fused.fuses_execution() and int(fused.steps_done) == 10
    g, d = architectures.build("dcgan", (28, 28, 1), 8, base_filters=4)
    convolutional = models.GAN(g, d, 8)
    convolutional.compile(jit_compile=True, steps_per_execution=5)
    assert convolutional.has_convolutions() and not fused.has_convolutions()
    assert not convolutional.fuses_execution()  # on a CPU: XLA's loop made DCGAN 12x slower
    for other in (trained(5, fused=False)[0], trained(1)[0]):
        for a, b in zip(fused.get_weights(), other.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
    import throughput

    dataset = data.critic_groups(data.load("ring8", 16, seed=0)[0], 2)
    assert throughput.outside_ops(fused, dataset) == {"IteratorGetNext": 5, "Pack": 1,
                                                      "XLA program": 1}  # fmt: skip
    assert np.isfinite(history["d_loss"]).all()

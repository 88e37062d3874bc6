"""PacGAN packing (Lin et al. 2018): layout, penalties on packs, errors, pack=1."""

import collections

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import architectures, data, losses, models, trainer
from tfgan_zoo.config import ConfigError, TrainConfig


def toy_gan(pack, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    g, d = architectures.build("mlp", (2,), 4, pack=pack, hidden_units=8)
    gan = models.GAN(g, d, 4, pack=pack, seed=seed, **kwargs)
    gan.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
    return gan


def test_packs_put_consecutive_samples_side_by_side():
    gan = toy_gan(pack=2)
    x = np.arange(8, dtype=np.float32).reshape(4, 2)  # samples [0,1], [2,3], [4,5], [6,7]
    np.testing.assert_array_equal(gan.pack_samples(x), [[0, 1, 2, 3], [4, 5, 6, 7]])
    images = np.arange(2 * 3 * 3 * 2, dtype=np.float32).reshape(2, 3, 3, 2)
    packed = gan.pack_samples(images).numpy()
    assert packed.shape == (1, 3, 3, 4)
    np.testing.assert_array_equal(packed[0, ..., :2], images[0])  # channels 0-1: sample 0
    np.testing.assert_array_equal(packed[0, ..., 2:], images[1])  # channels 2-3: sample 1


def test_the_packed_discriminator_takes_packs():
    g, d = architectures.build("dcgan", (28, 28, 1), 8, pack=4, base_filters=8)
    assert d.input_shape == (None, 28, 28, 4) and g.output_shape == (None, 28, 28, 1)
    g, d = architectures.build("pacgan_mlp", (2,), 2, pack=3)
    assert d.input_shape == (None, 6)


def test_each_pack_position_is_generated_by_a_call_of_its_own():
    """As in PacGAN's code: with pack=3 the batch-normalized generator is called on
    rows 0, 3, 6, ... then 1, 4, 7, ... then 2, 5, 8, ... of z (each call its own
    batch statistics), and pack k holds sample k of every call."""
    keras.utils.set_random_seed(0)
    g, d = architectures.build("pacgan_mlp", (2,), 2, pack=3)
    gan = models.GAN(g, d, 2, pack=3, seed=0)
    z = np.random.default_rng(0).normal(size=(12, 2)).astype(np.float32)
    calls = [g(z[k::3], training=True).numpy() for k in range(3)]
    fakes = gan.generated(tf.constant(z), None)[0].numpy()
    for k in range(3):
        np.testing.assert_allclose(fakes[k::3], calls[k], atol=1e-6)
    packs = gan.pack_samples(fakes).numpy()
    np.testing.assert_allclose(packs[1], np.concatenate([c[1] for c in calls]), atol=1e-6)
    assert np.abs(fakes - g(z, training=True).numpy()).max() > 1e-3  # one call differs
    np.testing.assert_allclose(gan.generate(z, None, training=False), g(z), atol=1e-6)
    with pytest.raises(ValueError, match="A batch of 10 samples .* packs of 3"):
        gan.generated(tf.constant(z[:10]), None)


def test_without_batch_statistics_the_calls_equal_one_call():
    gan = toy_gan(pack=4)
    z = np.random.default_rng(1).normal(size=(16, 4)).astype(np.float32)
    np.testing.assert_allclose(gan.generated(tf.constant(z), None)[0], gan.generator(z), atol=1e-6)


def test_pack_1_trains_exactly_as_without_packing():
    points = data.load("ring8", 16, seed=0)[0]
    reference = toy_gan(pack=1, gp_weight=1.0)
    keras.utils.set_random_seed(0)
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8)
    unpacked = models.GAN(g, d, 4, seed=0, gp_weight=1.0)
    unpacked.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
    for model in (reference, unpacked):
        model.fit(points, epochs=1, steps_per_epoch=3, verbose=0)
    for a, b in zip(reference.get_weights(), unpacked.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = tf.constant(np.ones((4, 2), np.float32))
    assert reference.pack_samples(x) is x


@pytest.mark.parametrize("loss", sorted(losses.LOSSES))
@pytest.mark.parametrize("penalty", ["none", "gp_weight", "r1_weight"])
def test_packed_gan_trains_with_every_loss_and_penalty(loss, penalty):
    extra = {} if penalty == "none" else {penalty: 1.0}
    gan = toy_gan(pack=2, loss=loss, **extra)
    history = gan.fit(data.load("ring8", 16, seed=0)[0], epochs=1, steps_per_epoch=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values()), history.history


def test_the_gradient_penalty_interpolates_packs():
    gan = toy_gan(pack=4, gp_weight=1.0)
    draws = gan.discriminator_draws(tf.zeros([16, 2]))
    assert draws["alpha"].shape == (4, 1) and draws["z"].shape == (16, 4)


def test_batches_that_do_not_divide_into_packs_are_refused():
    with pytest.raises(ConfigError, match="--batch_size=10 does not divide into packs of --pack=4"):
        TrainConfig(architecture="mlp", dataset="ring8", batch_size=10, pack=4)
    gan = toy_gan(pack=4)
    with pytest.raises(ValueError, match="A batch of 6 samples .* packs of 4"):
        gan.pack_samples(tf.zeros([6, 2]))


def test_only_the_unconditional_gan_packs():
    with pytest.raises(ConfigError, match="--pack=2 needs --model=gan"):
        TrainConfig(model="conditional", architecture="conditional_dcgan", pack=2)
    g, d = architectures.build("dcgan", (28, 28, 1), 8, base_filters=8)
    with pytest.raises(ValueError, match="EBGAN does not pack"):
        models.EBGAN(g, d, 8, pack=2)


def test_a_fixed_toy_training_set_is_reshuffled_every_pass():
    ds = data.GaussianMixture(np.zeros((1, 2)), 1.0).dataset(10, seed=0, num_points=40)
    batches = [b.numpy() for b in ds.take(8)]
    first, second = np.concatenate(batches[:4]), np.concatenate(batches[4:])
    key = lambda a: sorted(map(tuple, a))  # noqa: E731
    assert key(first) == key(second)  # the same 40 points on every pass ...
    assert not np.array_equal(first, second)  # ... in another order


def packs_of_a_pass(ds, pack, batches):
    return [tuple(map(tuple, p)) for b in ds.take(batches) for p in b.numpy().reshape(-1, pack, 2)]


def test_fixed_toy_packs_are_drawn_once_with_replacement_and_reshuffled():
    """PacGAN's GaussianPackingMixture: 40 tuples of 3 points of the 40-point set."""
    mixture = data.GaussianMixture(np.zeros((1, 2)), 1.0)
    points = set(map(tuple, mixture.sample_numpy(40, seed=0)))
    ds = mixture.dataset(12, seed=0, num_points=40, fixed_packs=3)
    first, second = packs_of_a_pass(ds, 3, 10), packs_of_a_pass(ds.skip(10), 3, 10)
    assert len(first) == 40 and sorted(first) == sorted(second)  # the same 40 tuples ...
    assert first != second  # ... in another order
    members = collections.Counter(x for p in first for x in p)
    assert set(members) <= points
    assert len(set(members.values())) > 1  # drawn with replacement: uneven counts, not 3 each
    consecutive = packs_of_a_pass(mixture.dataset(12, seed=0, num_points=40), 3, 10)
    assert sorted(consecutive) != sorted(first)
    resampled = [p[0] for p in packs_of_a_pass(mixture.dataset(10, 0, 40, fixed_packs=1), 1, 4)]
    assert set(resampled) <= points and len(set(resampled)) < 40
    with pytest.raises(ValueError, match="batch_size=10 does not divide into packs of 3"):
        mixture.dataset(10, seed=0, num_points=40, fixed_packs=3)


def test_a_run_trains_on_fixed_packs_with_the_adam_epsilon_asked_for(tmp_path, monkeypatch):
    """docs/training.md's two options on a pacgan flagfile, at 4 steps."""
    from absl import flags
    from conftest import REPO

    from tfgan_zoo.cli import train

    monkeypatch.chdir(REPO)
    fv = flags.FlagValues()
    train.define_flags(fv)
    fv(["train", "--flagfile=flags/pacgan2_ring8.flags", "--toy_packs=fixed",
        "--adam_epsilon=1e-8", "--epochs=1", "--steps_per_epoch=4", "--checkpoint_every=4",
        "--log_every=4", "--sample_every=4", f"--model_dir={tmp_path / 'run'}",
        "--steps_per_execution=1", "--verbose=0"])  # fmt: skip
    result = trainer.train(train.config_from_flags(fv))
    assert result.final_step == 4
    assert result.model.g_optimizer.epsilon == result.model.d_optimizer.epsilon == 1e-8
    with pytest.raises(ConfigError, match="--toy_packs=fixed draws its packs from a fixed"):
        TrainConfig(architecture="mlp", dataset="ring8", pack=2, toy_packs="fixed")


@pytest.mark.slow  # 50 s
def test_the_mode_collapse_benchmark_runs_scores_and_resumes(tmp_path):
    """docs/benchmarks.md's command at a small budget: one PacGAN2 run on ring8, then resumed;
    then `population_stats.py` on it, and refusing a step whose checkpoint is not kept."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    cmd = [sys.executable, os.path.join(REPO, "benchmarks", "mode_collapse.py"), "--seeds", "0",
           "--curve", "1000", "--variants", "PacGAN2", "--datasets", "ring8",
           "--work_dir", str(tmp_path), "--scores", str(tmp_path / "s.jsonl"),
           "--plots", str(tmp_path)]  # fmt: skip
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "0/1 points done" in first.stdout and "PacGAN2 ring8 seed 0 @ 1000" in first.stdout
    row = next(line for line in first.stdout.splitlines() if line.startswith("| PacGAN2 | ring8"))
    assert "7.9 +- 0.1 / 95.6% / 0.07" in row  # the published row beside ours
    seed_line = next(line for line in first.stdout.splitlines() if line.startswith("- PacGAN2"))
    modes = seed_line.split(": ")[1].split(" / ")[0]  # one seed: its modes are the mean's
    assert seed_line.startswith("- PacGAN2 ring8 at 1,000, seeds 0: ") and f"| {modes}.0 +- " in row
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=900)
    assert "1/1 points done; 0 to go" in again.stdout and row in again.stdout
    refresh = [sys.executable, os.path.join(REPO, "benchmarks", "population_stats.py"),
               "--seeds", "0", "--steps", "1000", "--variants", "PacGAN2", "--datasets", "ring8",
               "--work_dir", str(tmp_path)]  # fmt: skip
    refreshed = subprocess.run(refresh, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    scored = row.split(" | ")[4]  # the modes cell of the run's score ...
    assert f"| PacGAN2 | ring8 | 1,000 | 1 | {scored} -> " in refreshed.stdout  # ... again
    wrong = [arg if arg != "1000" else "2000" for arg in refresh]
    wrong_step = subprocess.run(wrong, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert wrong_step.returncode != 0 and "No checkpoint at step 2000" in wrong_step.stderr
    assert "(kept: 1000)" in wrong_step.stderr


def test_the_documented_and_default_mode_collapse_curves_are_accepted(tmp_path):
    """docs/benchmarks.md's full command and the default ``--curve`` pass the script's checks
    (a curve of 2,500 once did not); ``--table_only`` trains nothing; a misspelt
    variant is refused by name."""
    import os
    import re
    import subprocess
    import sys

    from conftest import REPO

    with open(os.path.join(REPO, "docs", "benchmarks.md")) as f:
        pattern = r"`nice python benchmarks/mode_collapse\.py ([^`]*)`"
        documented = re.search(pattern, f.read()).group(1)
    script = os.path.join(REPO, "benchmarks", "mode_collapse.py")
    for args in (documented.replace("--write", "").split(), []):
        cmd = [sys.executable, script, *args, "--table_only", "--work_dir", str(tmp_path),
               "--scores", str(tmp_path / "none.jsonl")]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "| method | data | 2,000 | 5,000 | 10,000 |" in result.stdout
    typo = [sys.executable, script, "--stacked_variants", "DCGAN,PacDCGAN3", "--table_only"]
    result = subprocess.run(typo, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode != 0
    assert "unknown PacDCGAN3: choose from DCGAN, PacDCGAN2" in result.stderr

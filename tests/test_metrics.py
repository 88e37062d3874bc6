"""Mode coverage against cases whose answer is known."""

import dataclasses
import math

import numpy as np
import pytest

from tfgan_zoo.data.toy import grid25, ring8
from tfgan_zoo.metrics import mode_coverage


def test_ring8_modes_are_eight_distinct_points_on_the_unit_circle():
    means = ring8().means
    assert len(means) == 8
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0)
    dists = np.linalg.norm(means[:, None] - means[None], axis=-1)
    assert dists[~np.eye(8, dtype=bool)].min() > 0.7  # 2 sin(pi / 8) = 0.765


def test_grid25_modes():
    means = grid25().means
    assert len(np.unique(means, axis=0)) == 25
    assert set(means.ravel()) == {-4.0, -2.0, 0.0, 2.0, 4.0}


def test_real_samples_cover_every_mode():
    for toy in (ring8(), grid25()):
        result = mode_coverage(toy.sample_numpy(20_000, seed=1), toy.means, toy.std)
        assert result.modes_covered == len(toy.means)
        # within 3 std in 2-D: 1 - exp(-9 / 2) = 98.9%
        assert abs(result.high_quality_fraction - (1 - math.exp(-4.5))) < 0.005
        assert result.reverse_kl < 0.01


def test_collapsed_samples():
    toy = ring8()
    samples = np.tile(toy.means[3], (100, 1))
    result = mode_coverage(samples, toy.means, toy.std)
    assert result.modes_covered == 1
    assert result.high_quality_fraction == 1.0
    np.testing.assert_allclose(result.reverse_kl, math.log(8))  # KL(delta || uniform)
    assert result.counts[3] == 100


def test_two_modes_half_each_and_off_mode_samples():
    toy = ring8()
    samples = np.concatenate([np.tile(toy.means[0], (50, 1)), np.tile(toy.means[1], (50, 1)),
                              np.zeros((100, 2))])  # fmt: skip
    result = mode_coverage(samples, toy.means, toy.std)
    assert result.modes_covered == 2
    assert result.high_quality_fraction == 0.5
    np.testing.assert_allclose(result.reverse_kl, math.log(4))


def test_no_high_quality_samples():
    toy = ring8()
    result = mode_coverage(np.zeros((10, 2)), toy.means, toy.std)
    assert result.modes_covered == 0
    assert result.reverse_kl == math.inf


# Image metrics on features.

from conftest import shared_dir  # noqa: E402

from tfgan_zoo import metrics  # noqa: E402
from tfgan_zoo.metrics import features as features_lib  # noqa: E402


def test_streaming_moments_match_numpy():
    x = np.random.default_rng(0).normal(size=(1000, 5)) * [1, 2, 3, 4, 5]
    m = metrics.Moments()
    for batch in np.array_split(x, 7):
        m.update(batch)
    np.testing.assert_allclose(m.mean, x.mean(0))
    np.testing.assert_allclose(m.covariance, np.cov(x, rowvar=False), rtol=1e-9, atol=1e-12)


def test_fid_of_a_set_with_itself_is_zero():
    x = np.random.default_rng(1).normal(size=(5000, 16))
    a, b = metrics.Moments().update(x), metrics.Moments().update(x)
    assert abs(metrics.fid(a, b)) < 1e-6


def test_frechet_distance_closed_form():
    mu1, mu2 = np.array([0.0, 1.0]), np.array([2.0, 1.0])
    s1, s2 = np.diag([1.0, 4.0]), np.diag([9.0, 1.0])
    # ||mu||^2 = 4; per dimension s1 + s2 - 2 sqrt(s1 s2): 1 + 9 - 6 = 4, 4 + 1 - 4 = 1
    np.testing.assert_allclose(metrics.frechet_distance(mu1, s1, mu2, s2), 9.0, rtol=1e-9)
    rotation = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    np.testing.assert_allclose(  # invariant to a common rotation
        metrics.frechet_distance(rotation @ mu1, rotation @ s1 @ rotation.T, rotation @ mu2,
                                 rotation @ s2 @ rotation.T), 9.0, rtol=1e-9)  # fmt: skip
    rng = np.random.default_rng(2)
    a = metrics.Moments().update(rng.normal(mu1, [1.0, 2.0], size=(200_000, 2)))
    b = metrics.Moments().update(rng.normal(mu2, [3.0, 1.0], size=(200_000, 2)))
    assert abs(metrics.fid(a, b) - 9.0) < 0.1


def test_kid_matches_the_closed_form_for_1d_gaussians():
    def e_kernel(m1, s1, m2, s2):  # E[(x y + 1)^3] for independent Gaussians (d = 1)
        ex1, ex2, ex3 = m1, m1**2 + s1**2, m1**3 + 3 * m1 * s1**2
        ey1, ey2, ey3 = m2, m2**2 + s2**2, m2**3 + 3 * m2 * s2**2
        return ex3 * ey3 + 3 * ex2 * ey2 + 3 * ex1 * ey1 + 1

    (m1, s1), (m2, s2) = (0.0, 1.0), (0.5, 0.8)
    expected = e_kernel(m1, s1, m1, s1) + e_kernel(m2, s2, m2, s2) - 2 * e_kernel(m1, s1, m2, s2)
    rng = np.random.default_rng(3)
    x, y = rng.normal(m1, s1, (20_000, 1)), rng.normal(m2, s2, (20_000, 1))
    mean, std = metrics.kid(x, y, subsets=20, subset_size=2000)
    assert abs(mean - expected) < 0.1 * expected, (mean, expected)
    same, _ = metrics.kid(x, rng.normal(m1, s1, (20_000, 1)), subsets=20, subset_size=2000)
    assert abs(same) < 0.05 * expected


def test_inception_score_extremes():
    confident = np.eye(10)[np.arange(1000) % 10]
    np.testing.assert_allclose(metrics.inception_score(confident)[0], 10.0, rtol=1e-6)
    collapsed = np.tile(np.eye(10)[3], (1000, 1))
    np.testing.assert_allclose(metrics.inception_score(collapsed)[0], 1.0, rtol=1e-6)
    uniform = np.full((1000, 10), 0.1)
    np.testing.assert_allclose(metrics.inception_score(uniform)[0], 1.0, rtol=1e-6)


def test_intra_class_fid_by_hand():
    """1-D features: class 0 real [0, 2] vs fake [1, 3] is (2 - 1)^2 + 2 + 2 - 2 sqrt(4)
    = 1; class 1 real [10, 12] vs fake [10, 14] is 1 + 2 + 8 - 2 sqrt(16) = 3."""
    real, real_labels = np.array([[0.0], [2.0], [10.0], [12.0]]), np.array([0, 0, 1, 1])
    fake, fake_labels = np.array([[1.0], [3.0], [10.0], [14.0]]), np.array([0, 0, 1, 1])
    result = metrics.intra_class_fid(real, real_labels, fake, fake_labels)
    np.testing.assert_allclose([result["per_class"][0], result["per_class"][1]], [1.0, 3.0])
    np.testing.assert_allclose(result["intra_fid"], 2.0)


def test_intra_class_fid_sees_the_wrong_class_where_fid_does_not():
    """Real images with their labels swapped: the pooled FID is 0, each class's is
    (11 - 1)^2 = 100; a class with no generated sample is an error."""
    real, labels = np.array([[0.0], [2.0], [10.0], [12.0]]), np.array([0, 0, 1, 1])
    pooled = metrics.fid(metrics.Moments().update(real), metrics.Moments().update(real))
    assert abs(pooled) < 1e-9
    swapped = metrics.intra_class_fid(real, labels, real, 1 - labels)
    np.testing.assert_allclose(swapped["intra_fid"], 100.0)
    with pytest.raises(ValueError, match="class 1"):
        metrics.intra_class_fid(real, labels, real[:2], labels[:2])


def test_modified_inception_score_by_hand():
    """I' = E_x KL(p(y) || p(y|x)). Two samples [0.5, 0.5] and [0.9, 0.1]: p(y) =
    [0.7, 0.3]; confident samples of 10 equally frequent classes: 0.1 ln 0.1 + 0.9
    ln(0.1 / 1e-12) (the clip); one class only: 0."""
    two = metrics.modified_inception_score([[0.5, 0.5], [0.9, 0.1]])
    first = 0.7 * math.log(0.7 / 0.5) + 0.3 * math.log(0.3 / 0.5)
    second = 0.7 * math.log(0.7 / 0.9) + 0.3 * math.log(0.3 / 0.1)
    np.testing.assert_allclose(two, (first + second) / 2, rtol=1e-12)
    confident = np.eye(10)[np.arange(1000) % 10]
    by_hand = 0.1 * math.log(0.1) + 0.9 * math.log(0.1 / 1e-12)
    np.testing.assert_allclose(metrics.modified_inception_score(confident), by_hand, rtol=1e-9)
    collapsed = np.tile(np.eye(10)[3], (1000, 1))
    assert abs(metrics.modified_inception_score(collapsed)) < 1e-9


def test_precision_recall_density_coverage():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(500, 4))
    same = metrics.precision_recall(real, real)
    assert same.precision == same.recall == same.coverage == 1.0
    far = metrics.precision_recall(real, real + 100.0)
    assert far.precision == far.recall == far.density == far.coverage == 0.0
    # fakes collapsed onto one real point: precise, no recall, tiny coverage
    collapsed = metrics.precision_recall(real, np.tile(real[:1], (500, 1)))
    assert collapsed.precision == 1.0 and collapsed.recall < 0.05 and collapsed.coverage < 0.05


def test_precision_recall_hand_computed():
    # k=1 on a line. Real balls: 0 -> 1, 1 -> 1, 3 -> 2; fake balls: 0.5 -> 9.5, 10 -> 9.5.
    # Fake 0.5 lies in the balls of reals 0 and 1, fake 10 in none; every real lies
    # in the ball of fake 0.5.
    real, fake = np.array([[0.0], [1.0], [3.0]]), np.array([[0.5], [10.0]])
    got = metrics.precision_recall(real, fake, k=1)
    assert got.precision == 0.5
    assert got.recall == 1.0
    assert got.density == 1.0  # (2 + 0) balls / 2 fakes / k
    np.testing.assert_allclose(got.coverage, 2 / 3)


@pytest.mark.parametrize("block_size", [1, 7, 64, 10_000])
def test_precision_recall_does_not_depend_on_block_size(block_size):
    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(300, 8)), rng.normal(0.3, 1.2, size=(250, 8))
    whole = metrics.precision_recall(real, fake, k=3, block_size=10_000)
    blocked = metrics.precision_recall(real, fake, k=3, block_size=block_size)
    assert 0.0 < whole.precision < 1.0 and 0.0 < whole.recall < 1.0
    np.testing.assert_allclose(dataclasses.astuple(blocked), dataclasses.astuple(whole))


def test_reservoir_holds_everything_up_to_capacity_in_order():
    rows = np.arange(30.0).reshape(15, 2)
    reservoir = metrics.Reservoir(20)
    for batch in np.array_split(rows, 4):
        reservoir.update(batch, batch[:, 0].astype(int))
    features, ids = reservoir.sample()
    np.testing.assert_array_equal(features, rows)
    np.testing.assert_array_equal(ids, rows[:, 0].astype(int))
    # storage grows with the stream, not to the capacity up front
    assert len(metrics.Reservoir(10**12).update(rows).rows[0]) == 15


def test_reservoir_sample_is_uniform():
    # Every row of a 100-row stream is kept with probability 10/100.
    n, capacity, trials = 100, 10, 2000
    counts = np.zeros(n)
    for seed in range(trials):
        reservoir = metrics.Reservoir(capacity, seed=seed)
        for batch in np.array_split(np.arange(n), 7):
            reservoir.update(batch)
        (kept,) = reservoir.sample()
        assert len(set(kept)) == capacity
        counts[kept] += 1
    expected = trials * capacity / n  # 200 per row, binomial sd ~13.4
    assert np.abs(counts - expected).max() < 5 * np.sqrt(expected * (1 - capacity / n))
    # early and late rows alike: the first and last thirds hold the same share
    assert abs(counts[:33].sum() - counts[-33:].sum()) < 0.05 * counts[:33].sum()


def test_compare_bounds_the_rows_it_keeps_but_fid_sees_every_image():
    rng = np.random.default_rng(6)
    real, fake = rng.normal(size=(300, 3)), rng.normal(0.5, 1.0, size=(300, 3))

    def extractor(batch):
        logits = np.concatenate([batch, -batch], 1)
        return batch, np.exp(logits) / np.exp(logits).sum(1, keepdims=True)

    def run(max_samples):
        split = lambda x: np.array_split(x, 6)  # noqa: E731
        return metrics.compare(extractor, split(real), split(fake), max_samples=max_samples)

    bounded, whole = run(100), run(10_000)
    assert bounded["real_images"] == bounded["generated_images"] == 300
    expected_fid = metrics.fid(metrics.Moments().update(real), metrics.Moments().update(fake))
    np.testing.assert_allclose([bounded["fid"], whole["fid"]], expected_fid, rtol=1e-12)
    assert whole["precision"] == metrics.precision_recall(real, fake).precision
    assert bounded["kid"] != whole["kid"]  # from 100 sampled rows, not all 300


def test_inception_extractor_shapes_with_random_weights():
    extractor = features_lib.InceptionExtractor(weights=None)
    feats, probs = extractor(np.zeros((2, 28, 28, 1), np.float32))
    assert feats.shape == (2, 2048) and probs.shape == (2, 1000)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)


@pytest.fixture(scope="module")
def fashion():
    from tfgan_zoo.data import idx

    directory = shared_dir("fashion-mnist")
    return idx.load_idx_dir(directory, "train"), idx.load_idx_dir(directory, "test")


def batches(images, size=500):
    x = images.astype(np.float32) / 127.5 - 1.0
    return (x[i : i + size] for i in range(0, len(x), size))


def test_real_test_split_scores_far_better_than_shuffled_pixels(fashion, tmp_path):
    """Measured (classifier features, 2000 images each): test vs train FID 0.29,
    KID 0.012, IS 6.0, recall 0.90; shuffled pixels FID 74, KID 3.8, IS 1.3,
    recall 0.002."""
    (train_x, train_y), (test_x, _) = fashion
    extractor = features_lib.ClassifierExtractor.cached(
        str(tmp_path), train_x[:10_000], train_y[:10_000], epochs=2
    )
    assert (tmp_path / features_lib.CLASSIFIER_FILE).exists()
    rng = np.random.default_rng(0)
    shuffled = np.stack([rng.permutation(img.ravel()).reshape(img.shape) for img in test_x[:2000]])
    real = metrics.compare(extractor, batches(train_x[:2000]), batches(test_x[:2000]))
    bad = metrics.compare(extractor, batches(train_x[:2000]), batches(shuffled))
    print("real", real, "\nshuffled", bad)
    assert real["fid"] * 10 < bad["fid"]
    assert real["kid"] * 10 < bad["kid"]
    # Shuffled pixels land in a small feature region near some real images
    # (measured precision 0.70), but cover almost none of the real data.
    assert real["recall"] > 0.8 > 0.1 > bad["recall"]
    assert real["coverage"] > 0.8 > 0.1 > bad["coverage"]
    assert real["inception_score"] > bad["inception_score"]
    # The cached classifier is reused, not retrained.
    again = features_lib.ClassifierExtractor.cached(str(tmp_path), None, None)
    probe = test_x[:4] / 127.5 - 1
    np.testing.assert_allclose(again(probe)[0], extractor(probe)[0], atol=1e-5)


def test_keras_fid_metric_matches_numpy_in_batches_and_resets():
    import tensorflow as tf

    from tfgan_zoo.metrics.streaming import FrechetDistance

    rng = np.random.default_rng(3)
    real = rng.normal(0.0, 1.0, (300, 4))
    fake = rng.normal(0.3, 2.0, (200, 4))
    metric = FrechetDistance(4)
    update = tf.function(metric.update_state)
    for i in range(0, 300, 100):
        update(real[i : i + 100], fake[i * 2 // 3 : (i + 100) * 2 // 3])
    expected = metrics.fid(metrics.Moments().update(real), metrics.Moments().update(fake))
    np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-9)
    metric.reset_state()
    metric.update_state(real, real)
    assert abs(float(metric.result())) < 1e-9

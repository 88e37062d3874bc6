"""Mode coverage against cases whose answer is known."""

import math

import numpy as np

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

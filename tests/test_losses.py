"""Losses against values computed by hand from their formulas."""

import math

import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import losses

REAL = np.array([[2.0], [-1.0]], np.float32)
FAKE = np.array([[0.5], [-3.0]], np.float32)


def softplus(x):
    return math.log1p(math.exp(x))


def mean(xs):
    return sum(xs) / len(xs)


def test_minimax():
    d, g = losses.minimax(REAL, FAKE)
    # -log sigmoid(r) = softplus(-r); -log(1 - sigmoid(f)) = softplus(f)
    expected_d = mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)])
    expected_g = -mean([softplus(0.5), softplus(-3.0)])  # log(1 - D(G(z)))
    np.testing.assert_allclose(d, expected_d, rtol=1e-6)
    np.testing.assert_allclose(g, expected_g, rtol=1e-6)


def test_non_saturating():
    d, g = losses.non_saturating(REAL, FAKE)
    expected_d = mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)])
    np.testing.assert_allclose(d, expected_d, rtol=1e-6)
    np.testing.assert_allclose(g, mean([softplus(-0.5), softplus(3.0)]), rtol=1e-6)


@pytest.mark.parametrize("loss", [losses.minimax, losses.non_saturating])
def test_one_sided_label_smoothing(loss):
    """Real targets 0.75 (TF-GAN's default smoothing), fakes still 0, G unchanged."""
    d, g = loss(REAL, FAKE, label_smoothing=0.25)
    sigmoid = lambda x: 1.0 / (1.0 + math.exp(-x))  # noqa: E731
    bce = lambda y, x: -(y * math.log(sigmoid(x)) + (1 - y) * math.log(1 - sigmoid(x)))  # noqa: E731
    expected_d = mean([bce(0.75, 2.0), bce(0.75, -1.0)]) + mean([bce(0.0, 0.5), bce(0.0, -3.0)])
    np.testing.assert_allclose(d, expected_d, rtol=1e-6)
    np.testing.assert_allclose(g, loss(REAL, FAKE)[1], rtol=1e-6)
    np.testing.assert_allclose(loss(REAL, FAKE, label_smoothing=0.0), loss(REAL, FAKE))


def test_minimax_and_non_saturating_generator_gradients_differ_where_d_is_confident():
    fake = tf.constant([[-8.0]])
    grads = []
    for fn in (losses.minimax, losses.non_saturating):
        with tf.GradientTape() as tape:
            tape.watch(fake)
            _, g = fn(tf.constant([[8.0]]), fake)
        grads.append(float(tape.gradient(g, fake)[0, 0]))
    assert abs(grads[0]) < 1e-3  # saturates
    assert abs(grads[1]) > 0.99  # does not


@pytest.mark.parametrize("a,b,c", [(0.0, 1.0, 1.0), (-1.0, 1.0, 0.0)])
def test_least_squares(a, b, c):
    d, g = losses.least_squares(REAL, FAKE, a=a, b=b, c=c)
    expected_d = 0.5 * mean([(2 - b) ** 2, (-1 - b) ** 2]) + 0.5 * mean(
        [(0.5 - a) ** 2, (-3 - a) ** 2]
    )
    expected_g = 0.5 * mean([(0.5 - c) ** 2, (-3 - c) ** 2])
    np.testing.assert_allclose(d, expected_d, rtol=1e-6)
    np.testing.assert_allclose(g, expected_g, rtol=1e-6)


def test_least_squares_paper_labels_by_name():
    fn = losses.get("least_squares", a=-1.0, b=1.0, c=0.0)
    d, g = fn(REAL, FAKE)
    # D: 0.5*mean((2-1)^2, (-1-1)^2) + 0.5*mean((0.5+1)^2, (-3+1)^2) = 1.25 + 1.5625
    np.testing.assert_allclose(d, 2.8125, rtol=1e-6)
    np.testing.assert_allclose(g, 0.5 * mean([0.25, 9.0]), rtol=1e-6)


def test_wasserstein():
    d, g = losses.wasserstein(REAL, FAKE)
    np.testing.assert_allclose(d, mean([0.5, -3.0]) - mean([2.0, -1.0]), rtol=1e-6)  # -1.75
    np.testing.assert_allclose(g, -mean([0.5, -3.0]), rtol=1e-6)


def test_hinge():
    d, g = losses.hinge(REAL, FAKE)
    # relu(1-2)=0, relu(1+1)=2; relu(1+0.5)=1.5, relu(1-3)=0
    np.testing.assert_allclose(d, 1.0 + 0.75, rtol=1e-6)
    np.testing.assert_allclose(g, 1.25, rtol=1e-6)


def test_patch_outputs_average_per_example_first():
    real = np.ones((2, 3, 3, 1), np.float32)
    fake = np.zeros((2, 3, 3, 1), np.float32)
    d, _ = losses.wasserstein(real, fake)
    np.testing.assert_allclose(d, -1.0)


def test_batch_mean_divides_by_the_global_batch():
    """A replica holding 2 of 4 examples returns their sum / 4, not their mean."""
    np.testing.assert_allclose(losses.batch_mean([1.0, 3.0], global_batch_size=4), 1.0)
    np.testing.assert_allclose(losses.batch_mean([1.0, 3.0]), 2.0)


def test_energy_margin():
    real_energy = np.array([[0.2], [0.4]], np.float32)
    fake_energy = np.array([[0.5], [3.0]], np.float32)
    d, g = losses.energy_margin(real_energy, fake_energy, margin=1.0)
    # D: mean(0.2, 0.4) + mean(relu(1 - 0.5), relu(1 - 3)) = 0.3 + 0.25
    np.testing.assert_allclose(d, 0.55, rtol=1e-6)
    np.testing.assert_allclose(g, 1.75, rtol=1e-6)


def test_classification():
    logits = np.log(np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]], np.float32))
    np.testing.assert_allclose(
        losses.classification([0, 2], logits), -(math.log(0.5) + math.log(0.8)) / 2, rtol=1e-6
    )


def test_pulling_away():
    orthogonal = np.eye(3, dtype=np.float32)
    np.testing.assert_allclose(losses.pulling_away(orthogonal), 0.0, atol=1e-7)
    same = np.ones((4, 3), np.float32)
    np.testing.assert_allclose(losses.pulling_away(same), 1.0, rtol=1e-6)
    # two pairs at 60 degrees: cos^2 = 1/4 for both ordered pairs
    pair = np.array([[1.0, 0.0], [0.5, math.sqrt(3) / 2]], np.float32)
    np.testing.assert_allclose(losses.pulling_away(pair), 0.25, rtol=1e-5)


def test_unknown_loss_lists_known_ones():
    with pytest.raises(ValueError, match="Unknown loss .*Known: .*hinge.*non_saturating"):
        losses.get("softmax_gan")


def test_rpgan_pairs_each_fake_with_the_real_of_its_row():
    d, g = losses.rpgan(REAL, FAKE)
    # D: softplus(f_i - r_i); G: softplus(r_i - f_i)
    np.testing.assert_allclose(d, mean([softplus(0.5 - 2.0), softplus(-3.0 + 1.0)]), rtol=1e-6)
    np.testing.assert_allclose(g, mean([softplus(2.0 - 0.5), softplus(-1.0 + 3.0)]), rtol=1e-6)


def test_ragan_judges_each_score_against_the_other_kinds_mean():
    d, g = losses.ragan(REAL, FAKE)
    mean_real, mean_fake = mean([2.0, -1.0]), mean([0.5, -3.0])
    real_rel = [2.0 - mean_fake, -1.0 - mean_fake]
    fake_rel = [0.5 - mean_real, -3.0 - mean_real]
    expected_d = mean([softplus(-r) for r in real_rel]) + mean([softplus(f) for f in fake_rel])
    expected_g = mean([softplus(-f) for f in fake_rel]) + mean([softplus(r) for r in real_rel])
    np.testing.assert_allclose(d, expected_d, rtol=1e-6)
    np.testing.assert_allclose(g, expected_g, rtol=1e-6)


CLASSIC = ["minimax", "non_saturating", "least_squares", "wasserstein", "hinge", "energy_margin"]


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_each_loss_says_whether_its_generator_term_reads_the_real_scores(name):
    """The classic losses' generator terms read the fakes alone: given None for the
    real scores they return (None, the same g_loss). The relativistic ones read both."""
    loss = losses.get(name)
    assert losses.generator_reads_real(loss) == (name not in CLASSIC)
    if name in CLASSIC:
        d, g = loss(None, FAKE)
        assert d is None
        np.testing.assert_allclose(g, loss(REAL, FAKE)[1], rtol=1e-6)
    else:
        other_real = REAL + 1.0
        assert not np.isclose(loss(REAL, FAKE)[1], loss(other_real, FAKE)[1])


def test_bound_arguments_keep_the_contract_and_user_losses_default_to_reading_reals():
    assert not losses.generator_reads_real(losses.get("least_squares", a=-1.0, b=1.0, c=0.0))
    assert losses.generator_reads_real(lambda real, fake: (real, fake))

"""Spectral normalization as in the paper, and conditional batch norm."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import architectures
from tfgan_zoo.layers import ConditionalBatchNorm, Maxout, SNConv2D, SNDense, SNEmbedding


def top_singular_value(kernel):
    return np.linalg.svd(np.reshape(kernel, (-1, kernel.shape[-1])), compute_uv=False)[0]


def test_sn_dense_divides_by_the_top_singular_value_and_keeps_the_kernel():
    keras.utils.set_random_seed(0)
    layer = SNDense(5)
    x = tf.random.normal((4, 7))
    layer(x)
    kernel = layer.kernel.numpy().copy()
    for _ in range(50):  # power iterations converge
        y = layer(x, training=True)
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel)  # never overwritten
    expected = x.numpy() @ (kernel / top_singular_value(kernel)) + layer.bias.numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


def test_u_only_moves_in_training():
    layer = SNConv2D(3, 3)
    x = tf.random.normal((2, 8, 8, 2))
    layer(x)
    u = layer.u.numpy().copy()
    layer(x, training=False)
    np.testing.assert_array_equal(layer.u.numpy(), u)
    layer(x, training=True)
    assert not np.array_equal(layer.u.numpy(), u)
    normalized = layer.normalized_kernel(False).numpy()
    assert abs(top_singular_value(normalized) - 1.0) < 0.2  # one iteration from a random u


def test_gradient_flows_through_sigma_unlike_keras_spectral_normalization():
    """The paper differentiates W / sigma(W); Keras's layer overwrites the kernel with
    W / sigma and differentiates that kernel alone, a different (and, per
    tensorflow/addons#2414, divergent) update."""
    keras.utils.set_random_seed(1)
    x = tf.random.normal((4, 6))
    ours = SNDense(3, use_bias=False)
    ours(x)
    for _ in range(50):
        ours(x, training=True)
    w = tf.Variable(ours.kernel.numpy())
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(ours(x, training=True)))
    grad = tape.gradient(loss, ours.kernel).numpy()
    with tf.GradientTape() as tape:  # the paper's W / sigma(W), exact sigma
        sigma = tf.linalg.svd(w, compute_uv=False)[0]
        reference = tf.reduce_sum(tf.square(x @ (w / sigma)))
    np.testing.assert_allclose(grad, tape.gradient(reference, w), rtol=1e-3, atol=1e-5)

    theirs = keras.layers.SpectralNormalization(keras.layers.Dense(3, use_bias=False))
    theirs(x)
    before = theirs.layer.kernel.numpy().copy()
    theirs(x, training=True)
    assert not np.allclose(theirs.layer.kernel.numpy(), before)  # the stored kernel changed


def test_sn_embedding_rows():
    layer = SNEmbedding(4, 3)
    out = layer(tf.constant([0, 3, 3]))
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out[1], out[2])


def test_conditional_batch_norm_uses_per_class_scale_and_offset():
    layer = ConditionalBatchNorm(3)
    x = tf.random.normal((6, 4, 4, 2))
    labels = tf.constant([0, 1, 2, 0, 1, 2])
    layer([x, labels])
    layer.gamma.embeddings.assign(np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]], np.float32))
    layer.beta.embeddings.assign(np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0]], np.float32))
    y = layer([x, labels], training=True).numpy()
    mean, variance = tf.nn.moments(x, [0, 1, 2])
    normalized = ((x - mean) / tf.sqrt(variance + 1e-3)).numpy()
    np.testing.assert_allclose(y[0], normalized[0], atol=1e-4)
    np.testing.assert_allclose(y[1], 2 * normalized[1], atol=1e-4)
    np.testing.assert_allclose(y[2], 5.0, atol=1e-4)


def test_maxout_by_hand():
    x = np.array([[1.0, -2.0, 3.0, 0.5, -1.0, -4.0], [0.0, 0.0, -1.0, 7.0, 2.0, 2.5]], np.float32)
    # Groups of 3 consecutive features: [1, -2, 3], [0.5, -1, -4] and [0, 0, -1], [7, 2, 2.5].
    np.testing.assert_array_equal(Maxout(3)(x), [[3.0, 0.5], [0.0, 7.0]])
    # Groups of 2: [1, -2], [3, 0.5], [-1, -4] and [0, 0], [-1, 7], [2, 2.5].
    np.testing.assert_array_equal(Maxout(2)(x), [[1.0, 3.0, -1.0], [0.0, 7.0, 2.5]])
    with pytest.raises(ValueError, match="6 features do not split into 4"):
        Maxout(4)(x)


def test_pacgan_toy_networks_match_the_authors_sizes():
    g, d = architectures.build("pacgan_mlp", (2,), 2)
    dense = [layer for layer in g.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [400, 400, 400, 400, 2]
    assert [layer.use_bias for layer in dense] == [False] * 4 + [True]
    norms = [layer for layer in g.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert [(n.epsilon, n.momentum) for n in norms] == [(1e-4, 0.95)] * 4  # Blocks' in their code
    dense = [layer for layer in d.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [1000, 1000, 1000, 1]
    assert [layer.output.shape[-1] for layer in d.layers if "maxout" in layer.name] == [200] * 3
    assert d(g(np.zeros((5, 2), np.float32))).shape == (5, 1)
    assert abs(float(np.std(dense[1].kernel.numpy())) - 0.02) < 0.002


def test_reflection_padding_equals_tf_pad_and_takes_an_empty_batch():
    import tensorflow as tf

    from tfgan_zoo.layers import ReflectionPad2D

    x = np.random.default_rng(0).standard_normal((2, 7, 6, 3)).astype(np.float32)
    for pad in (1, 3):
        expected = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="REFLECT")
        np.testing.assert_array_equal(ReflectionPad2D(pad)(x), expected)
    assert ReflectionPad2D(2)(np.zeros((0, 7, 6, 3), np.float32)).shape == (0, 11, 10, 3)

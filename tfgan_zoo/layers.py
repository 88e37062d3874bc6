"""Layers the architectures share: normalization by name, spectral normalization,
conditional batch norm, reflection padding and maxout."""

import keras
import tensorflow as tf
from keras import layers

NORMS = ("batch", "instance", "layer", "none")


def normalization(kind):
    """A normalization layer by name (``"none"``: None).

    ``batch`` is synchronized: under tf.distribute its statistics are taken
    over the global batch, as on one device. ``instance`` normalizes each
    channel of each image (CycleGAN; a group norm with one channel per group).
    """
    if kind == "batch":
        return layers.BatchNormalization(synchronized=True)
    if kind == "instance":
        return layers.GroupNormalization(groups=-1, epsilon=1e-5)
    if kind == "layer":
        return layers.LayerNormalization()
    if kind in ("none", None):
        return None
    raise ValueError(f"Unknown norm {kind!r}: use one of {', '.join(NORMS)}.")


def maybe(layer, x):
    """``layer(x)``, or ``x`` when ``layer`` is None."""
    return layer(x) if layer is not None else x


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ReflectionPad2D(layers.Layer):
    """Pads height and width by mirroring the border (no zero edges; CycleGAN).

    ``tf.pad(mode="REFLECT")`` by slices: the same values, but an empty batch
    passes (MirrorPad refuses any dimension of size 0, the batch's too).
    """

    def __init__(self, pad, **kwargs):
        super().__init__(**kwargs)
        self.pad = int(pad)

    def call(self, x):
        p = self.pad
        if not p:
            return x
        x = tf.concat([tf.reverse(x[:, 1 : p + 1], [1]), x, tf.reverse(x[:, -p - 1 : -1], [1])], 1)
        return tf.concat(
            [tf.reverse(x[:, :, 1 : p + 1], [2]), x, tf.reverse(x[:, :, -p - 1 : -1], [2])], 2
        )

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        grow = lambda n: None if n is None else n + 2 * self.pad  # noqa: E731
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "pad": self.pad}


class _SpectralNormalized(layers.Layer):
    """Base of `SNDense` / `SNConv2D`: the kernel is used as ``W / sigma(W)``.

    As in Miyato et al. 2018: ``sigma`` is estimated by one power iteration
    per training call, on a persistent non-trainable vector ``u``; the
    forward pass divides the kernel by it, and gradients reach ``W`` through
    ``W / sigma(W)`` with ``u``, ``v`` held constant. The stored kernel is
    never overwritten. `keras.layers.SpectralNormalization` instead assigns
    the normalized kernel back to the variable on every training call (see
    tensorflow/addons#2414), so the optimizer then updates ``W / sigma`` and
    the gradient ignores sigma's dependence on W; `tests/test_layers.py`
    shows the difference. This is the paper's formulation.
    """

    def __init__(self, power_iterations=1, **kwargs):
        super().__init__(**kwargs)
        self.power_iterations = power_iterations

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}

    def _build_u(self, rows):
        self.u = self.add_weight(
            shape=(1, rows),
            initializer=keras.initializers.RandomNormal(),
            trainable=False,
            name="sn_u",
            aggregation="only_first_replica",
        )

    def normalized_kernel(self, training):
        w = tf.reshape(self.kernel, [-1, self.kernel.shape[-1]])  # [fan_in, out]
        u = tf.convert_to_tensor(self.u)
        for _ in range(self.power_iterations):
            v = tf.math.l2_normalize(tf.matmul(u, w))  # [1, out]
            u = tf.math.l2_normalize(tf.matmul(v, w, transpose_b=True))  # [1, fan_in]
        u, v = tf.stop_gradient(u), tf.stop_gradient(v)
        if training:
            self.u.assign(u)
        sigma = tf.squeeze(tf.matmul(tf.matmul(u, w), v, transpose_b=True))
        return self.kernel / sigma


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SNDense(_SpectralNormalized):
    """A dense layer with a spectrally normalized kernel."""

    def __init__(self, units, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = use_bias

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel"
        )
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self._build_u(input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias}

    def call(self, x, training=False):
        y = tf.matmul(x, self.normalized_kernel(training))
        return y + self.bias if self.use_bias else y


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SNConv2D(_SpectralNormalized):
    """A 2-D convolution ('same' padding) with a spectrally normalized kernel."""

    def __init__(self, filters, kernel_size, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides = filters, kernel_size, strides

    def build(self, input_shape):
        k = self.kernel_size
        self.kernel = self.add_weight(
            shape=(k, k, input_shape[-1], self.filters), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
        self._build_u(k * k * input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides}  # fmt: skip

    def call(self, x, training=False):
        y = tf.nn.conv2d(x, self.normalized_kernel(training), self.strides, "SAME")
        return y + self.bias


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SNEmbedding(_SpectralNormalized):
    """A class embedding ``[batch] -> [batch, dim]`` with a spectrally normalized table.

    The projection discriminator's ``<embed(y), phi(x)>`` term uses it.
    """

    def __init__(self, num_classes, dim, **kwargs):
        super().__init__(**kwargs)
        self.num_classes, self.dim = num_classes, dim

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(self.num_classes, self.dim), initializer="glorot_uniform", name="kernel"
        )
        self._build_u(self.num_classes)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "dim": self.dim}

    def call(self, labels, training=False):
        return tf.gather(self.normalized_kernel(training), tf.cast(labels, tf.int32))


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConditionalBatchNorm(layers.Layer):
    """Batch norm whose scale and offset are looked up per class (de Vries et al. 2017).

    Call on ``[x, labels]``. Statistics are synchronized across replicas.
    """

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.norm = layers.BatchNormalization(center=False, scale=False, synchronized=True)

    def build(self, input_shape):
        channels = input_shape[0][-1]
        self.gamma = layers.Embedding(self.num_classes, channels, embeddings_initializer="ones")
        self.beta = layers.Embedding(self.num_classes, channels, embeddings_initializer="zeros")

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}

    def call(self, inputs, training=False):
        x, labels = inputs
        gamma = self.gamma(labels)[:, None, None, :]
        beta = self.beta(labels)[:, None, None, :]
        return self.norm(x, training=training) * gamma + beta


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Maxout(layers.Layer):
    """Maxout (Goodfellow et al. 2013): the largest of ``pieces`` groups of features.

    The last axis, of ``units * pieces`` features, is split into ``units``
    consecutive groups of ``pieces``; each output is its group's maximum. A
    `Dense` of ``units * pieces`` followed by this is a linear maxout layer
    (Blocks' ``LinearMaxout``, used by PacGAN's toy discriminator).
    """

    def __init__(self, pieces, **kwargs):
        super().__init__(**kwargs)
        self.pieces = int(pieces)

    def call(self, x):
        features = x.shape[-1]
        if features % self.pieces:
            raise ValueError(f"Maxout: {features} features do not split into {self.pieces}.")
        grouped = keras.ops.reshape(x, (-1, features // self.pieces, self.pieces))
        return keras.ops.max(grouped, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // self.pieces)

    def get_config(self):
        return {**super().get_config(), "pieces": self.pieces}

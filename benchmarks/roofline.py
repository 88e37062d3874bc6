"""How much of the machine's arithmetic a training step uses.

FLOPs are counted from the layers, not from XLA: the matrix products of
every Dense, Conv2D and Conv2DTranspose layer (the spectral-norm ones too),
2 FLOPs per multiply-add, recorded while the networks run on one example.
Element-wise work (activations, normalization, Adam) is left out: it is
small beside the products and memory-bound. A training step is counted as

- each discriminator update: the generator's forward pass and the
  discriminator's forward and backward passes on the real and the fake batch
  (``F_G + 2 x 3 F_D`` per example);
- each generator update: the generator's forward and backward pass and the
  discriminator's forward pass and its backward pass to the input only
  (``3 F_G + 2 F_D``),

a backward pass costing twice its forward pass. The machine's peak is
measured in the same process: the best of several large float32 matrix
products and convolutions.
"""

import time

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.layers import SNConv2D, SNDense

PRODUCTS = (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose, SNDense,
            SNConv2D)  # fmt: skip


def layer_flops(layer, input_shape, output_shape):
    """Forward FLOPs of one example through ``layer`` (0 for layers without a
    matrix product); shapes include the batch axis."""
    if not isinstance(layer, PRODUCTS):
        return 0
    kernel = next(w for w in layer.weights if "kernel" in w.path and len(w.shape) in (2, 4))
    if len(kernel.shape) == 2:  # Dense: in x out at every position of the input
        return 2 * int(np.prod(kernel.shape)) * int(np.prod(input_shape[1:-1], dtype=int))
    kh, kw = kernel.shape[:2]
    channels = int(kernel.shape[2]) * int(kernel.shape[3])  # cin x cout, either layout
    if isinstance(layer, keras.layers.Conv2DTranspose):  # one kernel per input pixel
        return 2 * kh * kw * channels * int(input_shape[1]) * int(input_shape[2])
    return 2 * kh * kw * channels * int(output_shape[1]) * int(output_shape[2])


def forward_flops(networks, run):
    """``{network name: forward FLOPs of one example}`` of ``networks`` (Keras
    models) while ``run()`` calls them on a batch of one."""
    counts = {net.name: 0 for net in networks}
    spied = []
    for net in networks:
        for layer in net._flatten_layers(include_self=False):
            if isinstance(layer, PRODUCTS):
                call = layer.call

                def spy(*args, _layer=layer, _call=call, _net=net.name, **kwargs):
                    out = _call(*args, **kwargs)
                    counts[_net] += layer_flops(_layer, args[0].shape, out.shape)
                    return out

                layer.call = spy
                spied.append(layer)
    try:
        run()
    finally:
        for layer in spied:
            del layer.call
    return counts


def step_flops(model, batch_size):
    """FLOPs of one training step of a `tfgan_zoo.models.GAN` (or translator) at
    ``batch_size`` (the module docstring's rule); also the per-example forward
    FLOPs ``(F_G, F_D)``."""
    g, d = model.generator, model.discriminator
    if hasattr(model, "generator_input_dim"):  # generator models

        def run():
            z = tf.zeros([1, model.generator_input_dim])
            condition = tf.zeros([1], tf.int32) if model.num_classes else None
            fake = model.generate(z, condition, training=False)
            fakes = tf.tile(fake, [model.pack] + [1] * (len(fake.shape) - 1))
            model.discriminate(model.pack_samples(fakes), condition, training=False)

    else:  # Pix2Pix: the generator translates an input, the discriminator sees pairs

        def run():
            x = tf.zeros([1, *g.input_shape[1:]])
            model.discriminator([x, g(x, training=False)], training=False)

    counts = forward_flops([g, d], run)
    f_g, f_d = counts[g.name], counts[d.name]
    per_example = (getattr(model, "n_critic", 1) * (f_g + 6 * f_d)
                   + getattr(model, "g_steps", 1) * (3 * f_g + 2 * f_d))  # fmt: skip
    return batch_size * per_example, (f_g, f_d)


def _best_seconds(fn, repeats):
    fn()  # warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measured_peak(repeats=5, size=2048, tiny=False):
    """``{"matmul": FLOP/s, "conv": FLOP/s}``: the best of ``repeats`` float32
    products of two ``size`` x ``size`` matrices, and of a 3x3 convolution of
    16 x 64 x 64 x 128 images to 128 channels (smaller with ``tiny``)."""
    n = 256 if tiny else size
    a, b = tf.random.normal([n, n]), tf.random.normal([n, n])
    matmul = _best_seconds(lambda: tf.linalg.matmul(a, b).numpy(), repeats)
    batch, side, ch = (2, 16, 32) if tiny else (16, 64, 128)
    x, k = tf.random.normal([batch, side, side, ch]), tf.random.normal([3, 3, ch, ch])
    conv = _best_seconds(lambda: tf.nn.conv2d(x, k, 1, "SAME").numpy(), repeats)
    return {"matmul": 2 * n**3 / matmul, "conv": 2 * batch * side * side * 9 * ch * ch / conv}


def pipeline_images_per_second(dataset, batch_size, batches=50):
    """Images/s of iterating ``dataset`` alone (nothing trains), after a warm-up batch."""
    iterator = iter(dataset)
    next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        tf.nest.map_structure(lambda t: t.numpy(), next(iterator))
    return batches * batch_size / (time.perf_counter() - start)


def bottleneck(fraction, pipeline_rate, step_rate):
    """The biggest gap, named: the input pipeline, overheads, or the arithmetic."""
    if pipeline_rate < 1.2 * step_rate:
        return "input-bound (the pipeline alone barely keeps up)"
    if fraction >= 0.5:
        return "compute-bound"
    if fraction < 0.1:
        return "overhead-bound (small ops: dispatch, element-wise work, memory traffic)"
    return "memory- or overhead-bound (between)"

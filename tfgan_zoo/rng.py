"""Random draws of the train steps: the same numbers with and without XLA.

TensorFlow's stateless random ops give other numbers inside an XLA cluster
than outside it, even with the algorithm fixed (XLA's Philox is its own
implementation), so ``jit_compile=True`` would train on other noise than the
default. These samplers always run XLA-compiled: inside a compiled train
step they are inlined, outside it they are one small XLA computation. Either
way the numbers, and so training, are the same (tested to float tolerance).
Seeds come from a `keras.random.SeedGenerator`, as in `keras.random`.
"""

import numpy as np
import tensorflow as tf


def _seed(seed_generator):
    """The next seed of ``seed_generator`` as the int32 pair the stateless ops take
    (cast as `keras.random` casts it)."""
    seed = seed_generator.next()
    if seed.dtype != tf.int32:
        seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), tf.int32)
    return seed


@tf.function(jit_compile=True)
def _normal(shape, seed, dtype):
    return tf.random.stateless_normal(shape, seed, dtype=dtype, alg="philox")


@tf.function(jit_compile=True)
def _uniform(shape, seed, minval, maxval, dtype):
    return tf.random.stateless_uniform(shape, seed, minval, maxval, dtype=dtype, alg="philox")


def _shape(shape):
    return tf.stack([tf.cast(n, tf.int32) for n in shape])


def normal(shape, seed_generator, dtype="float32"):
    """Standard normal draws of ``shape``, like `keras.random.normal`."""
    return _normal(_shape(shape), _seed(seed_generator), tf.as_dtype(dtype))


def uniform(shape, seed_generator, minval=0.0, maxval=1.0, dtype="float32"):
    """Uniform draws in ``[minval, maxval)``, like `keras.random.uniform`."""
    dtype = tf.as_dtype(dtype)
    minval, maxval = tf.constant(minval, dtype), tf.constant(maxval, dtype)
    return _uniform(_shape(shape), _seed(seed_generator), minval, maxval, dtype)


def randint(shape, minval, maxval, seed_generator, dtype="int32"):
    """Integers in ``[minval, maxval)``, like `keras.random.randint`."""
    return uniform(shape, seed_generator, minval, maxval, dtype)


LATENTS = ("normal", "uniform")


def latent(shape, seed_generator, distribution="normal"):
    """Generator noise of ``shape``: standard normal, or uniform in [-1, 1) (DCGAN's
    z, and PacGAN's Stacked-MNIST code)."""
    if distribution == "uniform":
        return uniform(shape, seed_generator, -1.0, 1.0)
    return normal(shape, seed_generator)


def fixed_latents(seed, shape, distribution="normal"):
    """The same noise as `latent` describes, as a float32 numpy array drawn from an
    int ``seed`` (sample grids, FID and benchmarks score fixed latents)."""
    gen = np.random.default_rng(seed)
    z = gen.uniform(-1.0, 1.0, shape) if distribution == "uniform" else gen.standard_normal(shape)
    return z.astype(np.float32)

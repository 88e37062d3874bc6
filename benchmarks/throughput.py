"""Images/s of tfgan_zoo's DCGAN `fit` against a hand-written Keras 3 GAN `train_step`.

Both train the same networks (the same builders, same seeds) with the same
non-saturating loss, batch size and data pipeline; they run alternately in
one process, several rounds, and the table gives the median images/s and
the ratio ours / hand-written (goal: >= 0.97). Run from the repository root:

    python benchmarks/throughput.py [--steps 60] [--rounds 10] [--batch_size 64]
        [--dtype_policies float32,mixed_bfloat16]

With several dtype policies, each gets its rows (both models build under it),
so float32 and mixed precision images/s are measured side by side.

Wall-clock times on a 2-core VM are quantized by CPU throttling; the table
also gives the ratio of images per CPU-second, which is steadier.
"""

import argparse
import statistics
import time

import keras
import tensorflow as tf

from tfgan_zoo import architectures, data, models
from tfgan_zoo.trainer import dtype_policy


class HandWrittenGAN(keras.Model):
    """The keras-io DCGAN pattern, written out by hand."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.seed_generator = keras.random.SeedGenerator(0)
        self.d_tracker = keras.metrics.Mean(name="d_loss")
        self.g_tracker = keras.metrics.Mean(name="g_loss")
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        batch = tf.shape(real)[0]
        z = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self.bce(tf.ones_like(real_logits), real_logits) + self.bce(
                tf.zeros_like(fake_logits), fake_logits
            )
        d_vars = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars, strict=True))
        z = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = self.bce(tf.ones_like(fake_logits), fake_logits)
        g_vars = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars, strict=True))
        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {"d_loss": self.d_tracker.result(), "g_loss": self.g_tracker.result()}


def build(kind, latent_dim, steps_per_execution, policy="float32"):
    keras.utils.set_random_seed(0)
    with dtype_policy(policy):
        g, d = architectures.build("dcgan", (28, 28, 1), latent_dim)
    adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5)  # noqa: E731
    if kind == "tfgan_zoo":
        model = models.GAN(g, d, latent_dim, seed=0)
        model.compile(adam(), adam(), steps_per_execution=steps_per_execution)
    else:
        model = HandWrittenGAN(g, d, latent_dim)
        model.compile(adam(), adam(), steps_per_execution=steps_per_execution)
    return model


def images_per_second(model, dataset, steps, batch_size):
    """(wall-clock images/s, images per CPU-second of this process) of one `fit`."""
    before = int(model.g_optimizer.iterations.numpy())
    start, cpu_start = time.perf_counter(), time.process_time()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    done = int(model.g_optimizer.iterations.numpy()) - before
    if done != steps:
        raise RuntimeError(f"{type(model).__name__} ran {done} generator steps, not {steps}")
    return steps * batch_size / seconds, steps * batch_size / cpu_seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--dataset", default="idx:../shared/data/fashion-mnist")
    parser.add_argument("--dtype_policies", default="float32")
    args = parser.parse_args()
    # A fixed set of real batches in memory: each fit call makes a new iterator,
    # and refilling the 60k-image shuffle buffer would dominate the timing.
    batches = [x for x, _ in data.load(args.dataset, args.batch_size)[0].take(20)]
    dataset = tf.data.Dataset.from_tensor_slices(tf.stack(batches)).repeat()
    devices = [d.device_type for d in tf.config.list_logical_devices()]
    print(f"TF {tf.__version__}, Keras {keras.__version__}, devices {devices}, "
          f"batch {args.batch_size}, {args.steps} steps x {args.rounds} rounds")  # fmt: skip
    print(
        "| dtype policy | steps_per_execution | tfgan_zoo images/s | hand-written images/s "
        "| ratio | ratio of images per CPU-second |"
    )
    print("|---|---|---|---|---|---|")
    for policy in args.dtype_policies.split(","):
        for spe in (1, 10):
            pair = {kind: build(kind, 64, spe, policy) for kind in ("tfgan_zoo", "hand-written")}
            for model in pair.values():  # trace and warm up
                images_per_second(model, dataset, 20, args.batch_size)
            rates = {kind: [] for kind in pair}
            for _ in range(args.rounds):
                for kind, model in pair.items():
                    rates[kind].append(
                        images_per_second(model, dataset, args.steps, args.batch_size)
                    )
            ours, theirs = (statistics.median(r[0] for r in rates[k]) for k in pair)
            ours_cpu, theirs_cpu = (statistics.median(r[1] for r in rates[k]) for k in pair)
            print(
                f"| {policy} | {spe} | {ours:.0f} | {theirs:.0f} | {ours / theirs:.3f} "
                f"| {ours_cpu / theirs_cpu:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

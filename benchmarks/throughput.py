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

With ``--execution``, it measures instead how the trainer's `--jit_compile`
and `--steps_per_execution` change a training step of four networks (the
PacGAN toy networks, DCGAN 28x28, the ResNet projection cGAN 32x32, the
Pix2Pix U-Net), each combination against the default `fit` in alternating
rounds, and what ``--jit_compile=auto`` picks for each here. For the PacGAN
toy networks the same rounds also time a hand-written XLA step and a
hand-written 100-step loop compiled whole (`hand_written_xla_loops`):

    python benchmarks/throughput.py --execution [--rounds 5] [--networks pacgan_toy,dcgan28]

``--networks pacgan_dcgan_stacked`` times PacGAN's Stacked-MNIST networks
(carpedm20's DCGAN, two generator updates a step; seconds a step here).

With ``--roofline``, per network (the PacGAN toy networks, DCGAN 28x28, the
ResNet projection cGAN 32x32, the Pix2Pix U-Net) and with XLA off and on: the
FLOPs of a training step counted from the layers (`roofline`), the GFLOP/s
reached as a fraction of the peak measured in the same process, the input
pipeline alone against the images a step consumes, and the biggest gap:

    python benchmarks/throughput.py --roofline --rounds 3

With ``--serving``, images/s of an export's ``serving_default`` and ``sample``
signatures at batch 1, 8 and 64 against the same generator called directly
(goal: >= 0.95 at batch 64):

    python benchmarks/throughput.py --serving --rounds 5

With ``--toy_gap``, the PacGAN toy step (XLA, 100 steps per execution) with the
per-step non-finite check and the rng module's nested XLA draws switched off in
turn (patches of this process only, applied while the step is traced), beside
a hand-written XLA loop:

    python benchmarks/throughput.py --toy_gap --rounds 5

With ``--objectives``, what the relativistic losses and the zero-centred
penalties add to a DCGAN step: RpGAN's extra discriminator pass on the reals,
R1 dense and lazy (every 16th update, StyleGAN2), R3GAN's RpGAN + R1 + R2:

    python benchmarks/throughput.py --objectives --rounds 5

With ``--overhead``, the CPU proxy of the GPU gap: networks so small (the toy
networks, and DCGAN 28x28 at 4 filters and batch 8) that the per-step fixed
cost is the step, with XLA and 10 steps per execution: the trainer's fused
execution (`AdversarialModel.make_train_function`: one compiled program an
execution) and Keras' own loop (a compiled step per iteration of a
``tf.while_loop``) against the hand-written XLA loop, timed in alternating
rounds; and, read off the traced graphs, the ops each path runs outside the
compiled program:

    python benchmarks/throughput.py --overhead --rounds 5

``--execution``, ``--essentials`` and ``--objectives`` append their rows to ``--scores``
(``benchmarks/scores/throughput.jsonl``, committed); with ``--table_only`` they
time nothing and print the latest rows of each network from it, with a bar
chart of the step-time ratios (``benchmarks/plots/throughput_<table>.png``):

    python benchmarks/throughput.py --execution --table_only
"""

import argparse
import dataclasses
import datetime
import os
import statistics
import time

import keras
import numpy as np
import tensorflow as tf
from records import SCORES, append_score, load_scores, save_figure

from tfgan_zoo import architectures, data, models, trainer
from tfgan_zoo.config import TrainConfig
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

    @property
    def steps_done(self):
        """Training steps taken, as the library's models count them: one generator
        update per step here, so `seconds_per_step` can check either model."""
        return self.g_optimizer.iterations

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
    seconds, cpu_seconds = seconds_per_step(model, dataset, steps)
    return batch_size / seconds, batch_size / cpu_seconds


def _in_memory(dataset, batches=20):
    """``batches`` batches of ``dataset`` kept in memory and repeated: each `fit` call
    makes a new iterator, and refilling a shuffle buffer would dominate the timing."""
    return tf.data.Dataset.from_tensor_slices(
        tf.nest.map_structure(lambda *xs: tf.stack(xs), *list(dataset.take(batches)))
    ).repeat()


def _random_images(shape, num_classes, batch_size):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (20 * batch_size, *shape), dtype=np.uint8)
    return data.from_arrays(images, rng.integers(0, num_classes, len(images)), batch_size)


# name: (TrainConfig fields, data loader, steps_per_execution, steps per round)
NETWORKS = {
    "pacgan_toy": (
        dict(architecture="pacgan_mlp", dataset="grid25", latent_dim=2, batch_size=100,
             g_lr=1e-4, d_lr=1e-4, beta1=0.8),
        lambda config: data.load("grid25", config.batch_size), 100, 200,
    ),
    "dcgan28": (
        dict(architecture="dcgan", dataset="idx:../shared/data/fashion-mnist", batch_size=64),
        lambda config: data.load(config.dataset, config.batch_size), 10, 20,
    ),
    "pacgan_dcgan_stacked": (
        dict(architecture="pacgan_dcgan", dataset="stacked:idx:../shared/data/mnist",
             split="test", latent_dim=100, batch_size=64, g_steps=2, g_lr=2e-4, d_lr=2e-4,
             beta1=0.5),
        lambda config: data.load(config.dataset, config.batch_size, split=config.split), 10, 10,
    ),
    "sngan28": (
        dict(architecture="sngan", dataset="idx:../shared/data/fashion-mnist", loss="hinge",
             n_critic=5, batch_size=64, beta1=0.0, beta2=0.9),
        lambda config: data.load(config.dataset, config.batch_size), 10, 10,
    ),
    "resnet_projection32": (
        dict(model="conditional", architecture="resnet_projection", dataset="cifar10",
             loss="hinge", batch_size=64),
        lambda config: _random_images((32, 32, 3), 10, config.batch_size), 10, 10,
    ),
    "dcgan64": (
        dict(architecture="dcgan", dataset="celeb_a", batch_size=64),
        lambda config: _random_images((64, 64, 3), 1, config.batch_size), 10, 20,
    ),
    "sngan_resnet32": (
        dict(architecture="sngan_resnet", dataset="cifar10", loss="hinge", batch_size=64,
             beta1=0.0, beta2=0.9),
        lambda config: _random_images((32, 32, 3), 1, config.batch_size), 10, 10,
    ),
    "pix2pix_unet": (
        dict(model="pix2pix", architecture="unet_patchgan", batch_size=32,
             dataset="edges:idx:../shared/data/fashion-mnist"),
        lambda config: data.load(config.dataset, config.batch_size), 10, 10,
    ),
}  # fmt: skip

ROOFLINE = ("pacgan_toy", "dcgan28", "resnet_projection32", "pix2pix_unet")

# PacGAN's Stacked-MNIST networks take seconds a step on 2 CPU cores: only on request;
# the 64x64 and ResNet networks are the GPU suite's (benchmarks/device_suite.py).
DEFAULT_EXECUTION = ["pacgan_toy", "dcgan28", "sngan28", "resnet_projection32", "pix2pix_unet"]

COMBINATIONS = {  # label: (jit_compile, uses the network's steps_per_execution)
    "default fit": ("off", False),
    "XLA": ("on", False),
    "steps_per_execution": ("off", True),
    "steps_per_execution + XLA": ("on", True),
}


def clocked(run, steps):
    """(wall-clock, CPU) seconds per step of ``run()``, which trains ``steps`` steps
    (CPU time of this process, all threads)."""
    start, cpu_start = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - start) / steps, (time.process_time() - cpu_start) / steps


def seconds_per_step(model, dataset, steps):
    """(wall-clock, CPU) seconds per training step of one `fit` of ``steps`` steps."""
    before = int(model.steps_done.numpy())
    per_step = clocked(lambda: model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0),
                       steps)  # fmt: skip
    done = int(model.steps_done.numpy()) - before
    if done != steps:
        raise RuntimeError(f"{type(model).__name__} ran {done} training steps, not {steps}")
    return per_step


def alternating(timers, rounds, steps):
    """``{label: [(wall, CPU) seconds per step, one per round]}``: every timer run
    for ``steps`` steps in each of ``rounds`` rounds, in turn."""
    times = {label: [] for label in timers}
    for _ in range(rounds):
        for label, timer in timers.items():
            times[label].append(timer(steps))
    return times


def timing_rows(name, variants, rounds, extra=None):
    """Per variant of network ``name`` (label: TrainConfig overrides; the first is the
    baseline), ms/step and the ratio to the baseline, measured in alternating rounds;
    printed as table rows and returned as dicts.

    ``extra(config, info, dataset, steps_per_execution)`` may add timers of its own
    (label: a function of ``steps`` giving (wall, CPU) seconds per step), measured in
    the same rounds.
    """
    fields, load, spe, steps = NETWORKS[name]
    timers, dataset = {}, None
    for label, overrides in variants.items():
        config = TrainConfig(
            **{**fields, "steps_per_epoch": steps * 10, "log_every": spe, "sample_every": spe,
               "checkpoint_every": spe, **overrides}
        )  # fmt: skip
        if dataset is None:
            raw, info = load(config)
            dataset = _in_memory(data.critic_groups(raw, config.n_critic))
        keras.utils.set_random_seed(0)
        model = trainer.build_model(config, info)
        timers[label] = lambda steps, m=model, ds=dataset: seconds_per_step(m, ds, steps)
        timers[label](config.steps_per_execution)  # trace, compile, warm up
    for label, timer in (extra(config, info, dataset, spe) if extra else {}).items():
        timer(spe)
        timers[label] = timer
    times = alternating(timers, rounds, steps)
    wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    base = next(iter(variants))
    rows = []
    for label in timers:
        rows.append({"network": name, "combination": label, "seconds": wall[label],
                     "cpu_seconds": cpu[label], "ratio": wall[label] / wall[base],
                     "images_per_second": fields["batch_size"] / wall[label]})  # fmt: skip
        print(
            f"| {name} | {label} | {1000 * wall[label]:.1f} | {1000 * cpu[label]:.1f} "
            f"| {wall[label] / wall[base]:.2f} | {cpu[label] / cpu[base]:.2f} |",
            flush=True,
        )
    return rows


def hand_written_xla_loops(config, info, dataset, spe):
    """The issue-15 reference: the same networks, loss (non-saturating) and Adam
    trained by a hand-written ``tf.function(jit_compile=True)`` step, without
    Keras' `fit`: called once per step from Python, and looped
    ``steps_per_execution`` times inside one compiled call (which Keras'
    ``steps_per_execution`` does not do: it calls the compiled step once per
    batch from a `tf.while_loop`)."""
    keras.utils.set_random_seed(0)
    g, d = architectures.build(
        config.architecture, info.sample_shape, config.latent_dim, **config.architecture_kwargs
    )  # the trainer's widths too
    g_opt, d_opt = (keras.optimizers.Adam(lr, config.beta1, config.beta2)
                    for lr in (config.g_lr, config.d_lr))  # fmt: skip
    g_opt.build(g.trainable_variables)
    d_opt.build(d.trainable_variables)
    batches = tf.stack([x[0] if isinstance(x, tuple) else x for x in dataset.take(20)])
    n, z_shape = batches.shape[0], (batches.shape[1], config.latent_dim)
    ns = lambda logits, label: tf.reduce_mean(  # noqa: E731
        tf.nn.sigmoid_cross_entropy_with_logits(tf.fill(tf.shape(logits), label), logits)
    )

    def update(optimizer, network, tape, loss):
        weights = network.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))

    def step(real):
        with tf.GradientTape() as tape:
            fake = g(tf.random.normal(z_shape), training=True)
            loss = ns(d(real, training=True), 1.0) + ns(d(fake, training=True), 0.0)
        update(d_opt, d, tape, loss)
        with tf.GradientTape() as tape:
            loss = ns(d(g(tf.random.normal(z_shape), training=True), training=True), 1.0)
        update(g_opt, g, tape, loss)
        return loss

    one = tf.function(step, jit_compile=True)

    @tf.function(jit_compile=True)
    def many(start, count):
        loss = tf.constant(0.0)
        for i in tf.range(count):
            loss = step(batches[(start + i) % n])
        return loss

    def timed(run):
        return lambda steps: clocked(lambda: run(steps).numpy(), steps)

    def one_per_call(steps):
        for i in range(steps):
            loss = one(batches[i % n])
        return loss

    return {
        "hand-written XLA step, one per call": timed(one_per_call),
        f"hand-written XLA loop, {spe} steps per call": timed(
            lambda steps: [many(tf.constant(i), spe) for i in range(0, steps, spe)][-1]
        ),
    }


HAND_WRITTEN = {"pacgan_toy": hand_written_xla_loops}

TABLE_HEAD = (
    "| network | combination | ms/step (wall) | ms/step (CPU) | step-time ratio (wall) "
    "| step-time ratio (CPU) |\n|---|---|---|---|---|---|"
)


def execution_table(networks, rounds):
    """Per network, each combination's ms/step and its ratio to the default `fit`."""
    print(TABLE_HEAD)
    rows = []
    for name in networks:
        spe = NETWORKS[name][2]
        variants = {
            label: {"jit_compile": jit, "steps_per_execution": spe if uses_spe else 1}
            for label, (jit, uses_spe) in COMBINATIONS.items()
        }
        rows += timing_rows(name, variants, rounds, HAND_WRITTEN.get(name))
        auto = trainer.resolve_jit_compile(TrainConfig(**NETWORKS[name][0]))[1]
        print(f"| {name} | `--jit_compile=auto`: {auto} | | | | |", flush=True)
    return rows


ESSENTIALS = {  # label: TrainConfig overrides, on top of the network's defaults
    "plain": {},
    "generator EMA 0.999": {"ema_decay": 0.999},
    "generator EMA, half-life 10,000 images": {"ema_half_life": 10_000, "ema_rampup": 0.05},
    "DiffAugment translation,cutout": {"augment_policy": "translation,cutout"},
    "DiffAugment color,translation,cutout": {"augment_policy": "color,translation,cutout"},
}


GAMMA_HALF = 0.025  # R3GAN's CIFAR-10 gamma / 2, the flagfile's weights
OBJECTIVES = {  # label: TrainConfig overrides, on top of the network's defaults
    "non-saturating": {},
    "RpGAN (reals scored again for G)": {"loss": "rpgan"},
    "R1 every update": {"r1_weight": GAMMA_HALF},
    "R1 every 16th update": {"r1_weight": GAMMA_HALF, "r1_every": 16},
    "RpGAN + R1 + R2": {"loss": "rpgan", "r1_weight": GAMMA_HALF, "r2_weight": GAMMA_HALF},
    "RpGAN + R1 + R2, every 16th": {"loss": "rpgan", "r1_weight": GAMMA_HALF,
                                    "r2_weight": GAMMA_HALF, "r1_every": 16},
}  # fmt: skip


def objectives_table(networks, rounds):
    """What the relativistic losses and the (lazy) zero-centred penalties add to a step."""
    print(TABLE_HEAD)
    return [row for name in networks for row in timing_rows(name, OBJECTIVES, rounds)]


def essentials_table(networks, rounds):
    """What generator EMA and DiffAugment add to a training step (default execution)."""
    print(TABLE_HEAD)
    return [row for name in networks for row in timing_rows(name, ESSENTIALS, rounds)]


def stored_timings(path, table, networks, plots, baseline=None):
    """``--table_only``: the latest rows of ``table`` per network and combination
    from the score file, as the timed run prints them, and a bar chart of both
    ratios to each network's baseline: the combination whose label starts with
    ``baseline``, else the first (as each timed table takes it)."""
    rows = [r for (t, network, _), r in load_scores(path, ("table", "network", "combination"))
            .items() if t == table and (not networks or network in networks)]  # fmt: skip
    print(TABLE_HEAD)
    groups = {}
    for row in rows:
        groups.setdefault(row["network"], []).append(row)
    for name, group in groups.items():
        base = next((r for r in group if baseline and r["combination"].startswith(baseline)),
                    group[0])  # fmt: skip
        for r in group:
            r["cpu_ratio"] = r["cpu_seconds"] / base["cpu_seconds"]
            r["ratio"] = r["seconds"] / base["seconds"]
            print(
                f"| {name} | {r['combination']} | {1000 * r['seconds']:.1f} "
                f"| {1000 * r['cpu_seconds']:.1f} | {r['ratio']:.2f} | {r['cpu_ratio']:.2f} |"
            )
    print(f"\nTimed on {', '.join(sorted({r['date'] for r in rows}))}.")
    if plots and groups:
        print(f"Plot: {plot_timings(groups, os.path.join(plots, f'throughput_{table}.png'))}")


def plot_timings(groups, path):
    """One panel per network: each combination's step time as a ratio to the
    baseline, wall and CPU side by side, a line at 1 (no change)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(3, len(groups))
    rows = -(-len(groups) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 2.8 * rows), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for ax in axes.flat[len(groups) :]:
        ax.axis("off")
    for ax, (name, group) in zip(axes.flat, groups.items(), strict=False):
        y = np.arange(len(group))
        ax.barh(y - 0.2, [r["ratio"] for r in group], 0.4, label="wall", color="tab:blue")
        ax.barh(y + 0.2, [r["cpu_ratio"] for r in group], 0.4, label="CPU", color="tab:orange")
        ax.axvline(1.0, color="gray", lw=0.8)
        ax.set_yticks(y, [r["combination"] for r in group], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("step time / baseline", fontsize=8)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", ncol=2, fontsize=8, frameon=False)
    return save_figure(fig, path)


def record_timings(path, table, rows):
    today = datetime.date.today().isoformat()
    for row in rows:
        append_score(path, {"table": table, **row, "date": today})


def roofline_table(networks, rounds, tiny=False):
    """Per network: FLOPs of a training step (`roofline.step_flops`), its time with
    XLA off and on, the GFLOP/s reached as a fraction of this process's measured
    peak, and the input pipeline alone against what the step consumes."""
    import roofline

    peak = roofline.measured_peak(tiny=tiny)
    best = max(peak.values())
    print(f"Measured peak: matmul {peak['matmul'] / 1e9:.1f} GFLOP/s, "
          f"convolution {peak['conv'] / 1e9:.1f} GFLOP/s (float32, best of 5)\n")  # fmt: skip
    print(
        "| network | MFLOP/step | XLA | ms/step (wall) | GFLOP/s | fraction of peak "
        "| pipeline images/s | step images/s | biggest gap |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for name in networks:
        fields, load, _, steps = NETWORKS[name]
        steps = 2 if tiny else steps
        config = TrainConfig(**{**fields, "steps_per_epoch": steps * 10})
        raw, info = load(config)
        pipeline = roofline.pipeline_images_per_second(raw, config.batch_size, 3 if tiny else 50)
        dataset = _in_memory(data.critic_groups(raw, config.n_critic), 2 if tiny else 20)
        for jit in ("off", "on"):
            keras.utils.set_random_seed(0)
            model = trainer.build_model(dataclasses.replace(config, jit_compile=jit), info)
            flops, _ = roofline.step_flops(model, config.batch_size)
            seconds_per_step(model, dataset, 1)  # trace, compile, warm up
            wall = statistics.median(seconds_per_step(model, dataset, steps)[0]
                                     for _ in range(rounds))  # fmt: skip
            rate, consumed = flops / wall, config.batch_size / wall
            gap = roofline.bottleneck(rate / best, pipeline, consumed)
            rows.append({"network": name, "xla": jit == "on", "flops": flops, "seconds": wall,
                         "fraction": rate / best, "pipeline": pipeline, "consumed": consumed,
                         "gap": gap})  # fmt: skip
            print(f"| {name} | {flops / 1e6:,.1f} | {jit} | {1000 * wall:.1f} | {rate / 1e9:.2f} "
                  f"| {rate / best:.3f} | {pipeline:,.0f} | {consumed:,.0f} | {gap} |",
                  flush=True)  # fmt: skip
    return {"peak": peak, "rows": rows}


def _plain_draws():
    """The rng module's draws as plain stateless ops (not nested XLA functions)."""
    from tfgan_zoo import rng

    def normal(shape, seed, dtype):
        return tf.random.stateless_normal(shape, seed, dtype=dtype, alg="philox")

    def uniform(shape, seed, minval, maxval, dtype):
        return tf.random.stateless_uniform(shape, seed, minval, maxval, dtype=dtype,
                                           alg="philox")  # fmt: skip

    return [(rng, "_normal", normal), (rng, "_uniform", uniform)]


def _no_bad_step_check():
    """`AdversarialModel.log` without the per-step non-finite check and its all-reduce."""
    from tfgan_zoo.models import base

    return [(base.AdversarialModel, "log",
             lambda self, values: base.log_values(self.trackers, values))]  # fmt: skip


def toy_gap_table(rounds):
    """The PacGAN toy step with XLA and 100 steps per execution, with the always-on
    per-step pieces switched off one at a time (benchmark-only patches, applied
    while the step is traced), beside a hand-written XLA loop: what each costs."""
    variants = {"as trained": [], "without the non-finite check": _no_bad_step_check(),
                "rng draws inlined": _plain_draws(),
                "both": _no_bad_step_check() + _plain_draws()}  # fmt: skip
    fields, load, spe, steps = NETWORKS["pacgan_toy"]
    config = TrainConfig(**{**fields, "jit_compile": "on", "steps_per_execution": spe,
                            "steps_per_epoch": steps * 10, "log_every": spe,
                            "sample_every": spe, "checkpoint_every": spe})  # fmt: skip
    raw, info = load(config)
    dataset = _in_memory(raw)
    timers = {}
    for label, patches in variants.items():
        keras.utils.set_random_seed(0)
        model = trainer.build_model(config, info)
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
        for owner, name, value in patches:
            setattr(owner, name, value)
        try:
            seconds_per_step(model, dataset, spe)  # traced with the patches
        finally:
            for owner, name, value in saved:
                setattr(owner, name, value)
        timers[label] = lambda steps, m=model: seconds_per_step(m, dataset, steps)
    for label, timer in hand_written_xla_loops(config, info, dataset, spe).items():
        timer(spe)
        timers[label] = timer
    times = alternating(timers, rounds, steps)
    print(
        "| pacgan_toy, XLA + 100 steps per execution | ms/step (wall) | ms/step (CPU) "
        "| CPU ratio to as trained |\n|---|---|---|---|"
    )
    base = statistics.median(t[1] for t in times["as trained"])
    rows = []
    for label, values in times.items():
        wall, cpu = (statistics.median(t[i] for t in values) for i in (0, 1))
        rows.append({"combination": label, "seconds": wall, "cpu_seconds": cpu,
                     "cpu_ratio": cpu / base})  # fmt: skip
        print(f"| {label} | {1000 * wall:.1f} | {1000 * cpu:.1f} | {cpu / base:.2f} |", flush=True)
    return rows


OVERHEAD_NETWORKS = {  # name: (NETWORKS entry, TrainConfig overrides: tiny width and batch)
    "pacgan_toy": ("pacgan_toy", {}),
    "dcgan28_tiny": ("dcgan28", {"base_filters": 4, "batch_size": 8}),
}


def outside_ops(model, dataset):
    """``{op type: count}`` that one execution of ``model``'s train function runs
    outside its compiled programs: the ops of the traced outer graph and of the
    functions it calls (loop bodies, branches), not descending into a function
    XLA compiles (each counts as one ``XLA program`` call)."""
    import collections

    model.make_train_function(force=True)
    fn = model.train_function
    if not isinstance(fn, tf.types.experimental.PolymorphicFunction):
        fn = next(c.cell_contents for c in fn.__closure__ or ()
                  if isinstance(c.cell_contents, tf.types.experimental.PolymorphicFunction)
                  and "multi_step" in c.cell_contents.__name__)  # fmt: skip
    graph = fn.get_concrete_function(iter(dataset)).graph
    library = graph._functions
    counts = collections.Counter()

    def walk(ops):
        for op in ops:
            called = [op.get_attr(a).name for a in ("f", "body", "cond", "then_branch",
                                                    "else_branch")
                      if a in op.node_def.attr]  # fmt: skip
            compiled = [n for n in called if n in library
                        and library[n].definition.attr["_XlaMustCompile"].b]  # fmt: skip
            if compiled:
                counts["XLA program"] += 1
                continue
            counts[op.type] += 1
            for name in called:
                if name in library:
                    walk(library[name].graph.get_operations())

    walk(graph.get_operations())
    skip = ("Placeholder", "Const", "Identity", "NoOp", "StatefulPartitionedCall",
            "PartitionedCall")  # fmt: skip
    return {op: n for op, n in sorted(counts.items()) if op not in skip}


def overhead_table(rounds):
    """The trainer's XLA execution (fused, and Keras' loop) against a hand-written
    XLA loop on networks whose step is mostly fixed cost; the ops outside XLA."""
    rows = []
    print("| network | combination | ms/step (wall) | ms/step (CPU) | ratio to the hand-written "
          "loop (wall) | (CPU) |\n|---|---|---|---|---|---|")  # fmt: skip
    for name, (base, overrides) in OVERHEAD_NETWORKS.items():
        fields, load, _, steps = NETWORKS[base]
        spe = 10
        config = TrainConfig(**{**fields, **overrides, "jit_compile": "on",
                                "steps_per_execution": spe, "steps_per_epoch": steps * 10,
                                "log_every": spe, "sample_every": spe,
                                "checkpoint_every": spe})  # fmt: skip
        raw, info = load(config)
        dataset = _in_memory(raw)
        timers, listings = {}, {}
        for label, fused in (("trainer, fused execution", True), ("trainer, Keras' loop", False)):
            keras.utils.set_random_seed(0)
            model = trainer.build_model(config, info)
            model.fuses_execution = lambda fused=fused: fused  # also convolutions on a CPU
            listings[label] = outside_ops(model, dataset)
            timers[label] = lambda n, m=model, ds=dataset: seconds_per_step(m, ds, n)
        hand = hand_written_xla_loops(config, info, dataset, spe)
        loop = f"hand-written XLA loop, {spe} steps per call"
        timers[loop] = hand[loop]
        for timer in timers.values():  # trace, compile and warm up (two executions)
            timer(2 * spe)
        times = alternating(timers, rounds, max(steps, 2 * spe) // spe * spe)
        wall = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
        cpu = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
        for label in timers:
            rows.append({"network": name, "combination": label, "seconds": wall[label],
                         "cpu_seconds": cpu[label], "ratio": wall[label] / wall[loop],
                         "cpu_ratio": cpu[label] / cpu[loop],
                         "outside_ops": listings.get(label)})  # fmt: skip
            print(f"| {name} | {label} | {1000 * wall[label]:.2f} | {1000 * cpu[label]:.2f} "
                  f"| {wall[label] / wall[loop]:.2f} | {cpu[label] / cpu[loop]:.2f} |",
                  flush=True)  # fmt: skip
        for label, ops in listings.items():
            print(f"  {name}, {label}: ops outside XLA per execution of {spe} steps: {ops}")
    return rows


def serving_table(rounds, batches=(1, 8, 64), calls=20):
    """Images/s of an export's ``serving_default`` (latents in) and ``sample`` (seeds
    in, latents drawn in the graph, PNGs encoded) against the same DCGAN generator
    called directly as a compiled function, alternating in one process."""
    import tempfile

    from tfgan_zoo import export

    keras.utils.set_random_seed(0)
    g, _ = architectures.build("dcgan", (28, 28, 1), 64)
    path = export.export_generator(g, 64, tempfile.mkdtemp())
    signatures = tf.saved_model.load(path).signatures
    direct = tf.function(lambda z: g(z, training=False))
    print(
        "| batch | direct images/s | serving_default images/s | ratio | sample images/s | ratio |"
    )
    print("|---|---|---|---|---|---|")
    rows = []
    for batch in batches:
        z = tf.random.normal([batch, 64])
        seeds = tf.range(batch, dtype=tf.int64)
        runs = {
            "direct": lambda z=z: direct(z).numpy(),
            "serving_default": lambda z=z: signatures["serving_default"](z=z)["images"].numpy(),
            "sample": lambda s=seeds: signatures["sample"](seed=s)["images"].numpy(),
        }
        for fn in runs.values():
            fn()  # trace and warm up
        rates = {name: [] for name in runs}
        for _ in range(rounds):
            for name, fn in runs.items():
                start = time.perf_counter()
                for _ in range(calls):
                    fn()
                rates[name].append(batch * calls / (time.perf_counter() - start))
        rate = {name: statistics.median(r) for name, r in rates.items()}
        rows.append({"batch": batch, **rate})
        print(f"| {batch} | {rate['direct']:,.0f} | {rate['serving_default']:,.0f} "
              f"| {rate['serving_default'] / rate['direct']:.2f} | {rate['sample']:,.0f} "
              f"| {rate['sample'] / rate['direct']:.2f} |", flush=True)  # fmt: skip
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--dataset", default="idx:../shared/data/fashion-mnist")
    parser.add_argument("--dtype_policies", default="float32")
    parser.add_argument("--execution", action="store_true", help="XLA / steps per execution")
    parser.add_argument(
        "--essentials", action="store_true", help="the cost of generator EMA and DiffAugment"
    )
    parser.add_argument(
        "--overhead", action="store_true",
        help="the CPU proxy of the per-step overhead: tiny networks, the trainer against a "
        "hand-written XLA loop, and the ops outside the compiled program",
    )  # fmt: skip
    parser.add_argument(
        "--objectives", action="store_true",
        help="the cost of RpGAN, R1 and lazy R1/R2 (R3GAN's objective)",
    )  # fmt: skip
    parser.add_argument(
        "--roofline", action="store_true",
        help="FLOPs per step, fraction of the measured peak, the input pipeline alone",
    )  # fmt: skip
    parser.add_argument(
        "--networks", default=None,
        help="default: all but pacgan_dcgan_stacked (--essentials: dcgan28,sngan28)",
    )  # fmt: skip
    parser.add_argument(
        "--serving", action="store_true",
        help="an export's signatures against the generator called directly",
    )  # fmt: skip
    parser.add_argument(
        "--toy_gap", action="store_true",
        help="what the per-step non-finite check and the rng draws cost in the toy XLA loop",
    )  # fmt: skip
    parser.add_argument("--scores", default=os.path.join(SCORES, "throughput.jsonl"),
                        help="the timed tables' rows (committed)")  # fmt: skip
    parser.add_argument("--table_only", action="store_true",
                        help="the timed tables: print --scores, time nothing")  # fmt: skip
    parser.add_argument("--plots", default=os.path.join(os.path.dirname(SCORES), "plots"),
                        help="where --table_only draws its chart (empty: none)")  # fmt: skip
    args = parser.parse_args()
    if args.toy_gap:
        toy_gap_table(args.rounds)
        return
    if args.overhead:
        if args.table_only:
            stored_timings(args.scores, "overhead", None, args.plots,
                           baseline="hand-written XLA loop")  # fmt: skip
            return
        record_timings(args.scores, "overhead", overhead_table(args.rounds))
        return
    if args.serving:
        serving_table(args.rounds)
        return
    if args.roofline:
        roofline_table((args.networks or ",".join(ROOFLINE)).split(","), args.rounds)
        return
    if args.execution or args.essentials or args.objectives:
        name = ("essentials" if args.essentials else "objectives" if args.objectives
                else "execution")  # fmt: skip
        if args.table_only:
            networks = args.networks.split(",") if args.networks else None
            stored_timings(args.scores, name, networks, args.plots)
            return
        devices = [d.device_type for d in tf.config.list_logical_devices()]
        print(f"TF {tf.__version__}, Keras {keras.__version__}, devices {devices}, "
              f"{args.rounds} rounds")  # fmt: skip
        default = {"essentials": "dcgan28,sngan28", "objectives": "dcgan28"}.get(
            name, ",".join(DEFAULT_EXECUTION)
        )
        table = {"essentials": essentials_table, "objectives": objectives_table}.get(
            name, execution_table
        )
        record_timings(args.scores, name, table((args.networks or default).split(","), args.rounds))
        return
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

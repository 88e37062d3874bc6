"""The GAN paper's saturation claim: the minimax generator loss stops giving gradients
once the discriminator wins, the non-saturating one does not.

Goodfellow et al. (2014, section 3): "Early in learning, when G is poor, D can
reject samples with high confidence ... log(1 - D(G(z))) saturates"; hence the
non-saturating loss -log D(G(z)). Arjovsky & Bottou (2017, figure 2) measured
it: a trained DCGAN's generator held fixed, a discriminator trained from
scratch against it, and the norm of the minimax generator's gradient
collapsing as the discriminator trains.

Protocol (fixed before the runs): ``flags/dcgan_fashion_mnist.flags`` with
``--base_filters=32`` trains a generator per seed; its checkpoints at
``--g_steps`` are held fixed. Against each, a discriminator of the same
architecture, freshly initialised (seed), trains alone for ``--d_iterations``
Adam(2e-4, 0.5) updates on real batches of 64 and fresh fakes. At each point
of `D_POINTS`, the generator's gradient norm (global L2 over its weights) of
both generator losses is measured on the same 256 latents (seed 1234),
generator and discriminator in training mode, as in a training step.

Rule: the claim holds at a generator checkpoint when, on every seed, the
minimax gradient norm at the last measured iteration is below 1/100 of its
value before the discriminator trained (iteration 0) and below 1/10 of the
non-saturating norm at that iteration.

Resumable: one JSON line per (seed, generator step) in ``--scores``
(``benchmarks/scores/claim_saturation.jsonl``); generators train in
``--work_dir``. ``--table_only`` rebuilds the table and plot from the scores.

    nice python benchmarks/claim_saturation.py --seeds 0,1,2,3,4 --write
"""

import argparse
import dataclasses
import datetime
import os
import sys
import time

import numpy as np
from records import (
    REPO,
    add_run_arguments,
    append_score,
    load_scores,
    mean_se,
    parse_flagfile,
    run_and_tabulate,
    save_figure,
)

FASHION = os.path.join(REPO, "..", "shared", "data", "fashion-mnist")
D_POINTS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
KEY = ("seed", "g_steps")
SECTION = "## Claim: the minimax generator loss saturates"
PROBE = 256


def generator_config(seed, steps, args):
    config = parse_flagfile("dcgan_fashion_mnist", f"--dataset=idx:{FASHION}",
                             f"--base_filters={args.base_filters}")  # fmt: skip
    return dataclasses.replace(
        config, seed=seed, epochs=steps // config.steps_per_epoch, checkpoint_every=500,
        keep_checkpoints=100, sample_every=500, log_every=100, steps_per_execution=10,
        verbose=0, model_dir=os.path.join(args.work_dir, f"generator_seed{seed}"),
    )  # fmt: skip


def gradient_norms(generator, discriminator, z):
    """``(minimax, non-saturating)``: the global norms of both generator losses'
    gradients with respect to the generator's weights."""
    import tensorflow as tf

    from tfgan_zoo import losses

    norms = []
    for loss in (losses.minimax, losses.non_saturating):
        with tf.GradientTape() as tape:
            fake_out = discriminator(generator(z, training=True), training=True)
            _, g_loss = loss(tf.zeros_like(fake_out), fake_out)
        grads = tape.gradient(g_loss, generator.trainable_variables)
        norms.append(float(tf.linalg.global_norm(grads)))
    return norms


def train_discriminator_against(generator, seed, iterations, args):
    """A fresh discriminator trained against the fixed ``generator``; returns the
    gradient norms at each point of `D_POINTS` up to ``iterations``."""
    import keras
    import tensorflow as tf

    from tfgan_zoo import architectures, data, losses

    keras.utils.set_random_seed(seed)
    dataset, info = data.load(f"idx:{FASHION}", 64, seed=seed)
    _, discriminator = architectures.build("dcgan", info.sample_shape, generator.input_shape[-1],
                                           base_filters=args.base_filters)  # fmt: skip
    optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
    optimizer.build(discriminator.trainable_variables)
    z_probe = tf.random.stateless_normal([PROBE, generator.input_shape[-1]], [1234, 0])
    latent = keras.random.SeedGenerator(seed)

    @tf.function
    def step(real):
        z = keras.random.normal([64, generator.input_shape[-1]], seed=latent)
        fake = generator(z, training=True)
        with tf.GradientTape() as tape:
            d_loss, _ = losses.minimax(discriminator(real, training=True),
                                       discriminator(fake, training=True))  # fmt: skip
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        optimizer.apply_gradients(zip(grads, discriminator.trainable_variables, strict=True))
        return d_loss

    points, batches, done = {}, iter(dataset), 0
    for point in [p for p in D_POINTS if p <= iterations]:
        while done < point:
            step(next(batches)[0])
            done += 1
        points[point] = gradient_norms(generator, discriminator, z_probe)
    return points


def run(args):
    from tfgan_zoo import trainer

    done = load_scores(args.scores, KEY)
    todo = [(seed, g) for g in args.g_steps for seed in args.seeds if (seed, g) not in done]
    print(f"{len(done)} done; {len(todo)} to go", flush=True)
    started = time.time()
    for i, (seed, g_steps) in enumerate(todo):
        config = generator_config(seed, max(args.g_steps), args)
        trainer.train(dataclasses.replace(config, epochs=g_steps // config.steps_per_epoch))
        model, _ = trainer.restore_model(config.model_dir, step=g_steps)
        points = train_discriminator_against(model.generator, seed, args.d_iterations, args)
        append_score(args.scores, {
            "seed": seed, "g_steps": g_steps, "d_iterations": sorted(points),
            "minimax": [points[p][0] for p in sorted(points)],
            "non_saturating": [points[p][1] for p in sorted(points)],
            "base_filters": args.base_filters,
            "date": datetime.date.today().isoformat(),
        })  # fmt: skip
        mm, ns = points[max(points)]
        print(f"[{i + 1}/{len(todo)}] seed {seed}, generator at {g_steps}: after "
              f"{max(points)} D iterations minimax {mm:.3g}, non-saturating {ns:.3g}; "
              f"{(time.time() - started) / 60:.1f} min", flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def holds(row):
    """The rule, on one seed: the minimax norm fell 100-fold from iteration 0 and is
    below a tenth of the non-saturating one at the last iteration."""
    mm, ns = row["minimax"], row["non_saturating"]
    return mm[-1] < mm[0] / 100 and mm[-1] < ns[-1] / 10


def log_cell(values):
    mean, se = mean_se(np.log10(values).tolist())
    return f"{mean:.1f} +- {se:.1f}"


def table(scores, args):
    lines = [
        f"Seeds {', '.join(map(str, args.seeds))}: log10 of the generator's gradient norm "
        "(mean +- s.e. over seeds) before the fresh discriminator trained and after its last "
        "iteration; the rule (minimax fell >= 100x and is < 1/10 of non-saturating) per seed.",
        "",
        "| generator at | D iterations | minimax: before -> after | non-saturating: before -> "
        "after | minimax / non-saturating after (worst seed) | seeds where the rule holds |",
        "|---|---|---|---|---|---|",
    ]
    for g_steps in args.g_steps:
        rows = [scores[k] for s in args.seeds if (k := (s, g_steps)) in scores]
        if not rows:
            continue
        last = rows[0]["d_iterations"][-1]
        ratios = [(r["minimax"][-1] / r["non_saturating"][-1], r["seed"]) for r in rows]
        worst = max(ratios)
        lines.append(
            f"| {g_steps:,} steps | {last:,} | {log_cell([r['minimax'][0] for r in rows])} -> "
            f"{log_cell([r['minimax'][-1] for r in rows])} | "
            f"{log_cell([r['non_saturating'][0] for r in rows])} -> "
            f"{log_cell([r['non_saturating'][-1] for r in rows])} | "
            f"{worst[0]:.2g} (seed {worst[1]}) | {sum(map(holds, rows))} of {len(rows)} |"
        )
    return "\n".join(lines)


def plot(scores, args, path):
    """Gradient norm (log scale) against discriminator iterations: mean of log10
    over seeds with a standard-error band, thin lines per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(args.g_steps), figsize=(5 * len(args.g_steps), 3.8),
                             squeeze=False, constrained_layout=True)  # fmt: skip
    for ax, g_steps in zip(axes[0], args.g_steps, strict=True):
        rows = [scores[k] for s in args.seeds if (k := (s, g_steps)) in scores]
        for key, color in (("minimax", "tab:red"), ("non_saturating", "tab:blue")):
            for r in rows:
                ax.plot(np.maximum(r["d_iterations"], 0.5), r[key], color=color, lw=0.5,
                        alpha=0.4)  # fmt: skip
            if rows:
                x = np.maximum(rows[0]["d_iterations"], 0.5)
                logs = np.log10([r[key] for r in rows])
                mean = logs.mean(0)
                se = logs.std(0, ddof=1) / np.sqrt(len(rows)) if len(rows) > 1 else 0 * mean
                ax.plot(x, 10**mean, color=color, lw=2, label=key.replace("_", "-"))
                ax.fill_between(x, 10 ** (mean - se), 10 ** (mean + se), color=color, alpha=0.2)
        ax.set(xscale="log", yscale="log", xlabel="discriminator iterations (0 at 0.5)",
               ylabel="generator gradient norm",
               title=f"generator at {g_steps:,} steps")  # fmt: skip
        ax.legend(fontsize=8)
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "claim_saturation", "0,1,2,3,4")
    parser.add_argument("--g_steps", default="1000,5000", help="generator checkpoints")
    parser.add_argument("--d_iterations", type=int, default=2000)
    parser.add_argument(
        "--base_filters", type=int, default=32, help="the protocol's 32; fewer to try it quickly"
    )
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.g_steps = sorted(int(s) for s in args.g_steps.split(","))
    if any(s % 500 for s in args.g_steps) or args.d_iterations not in D_POINTS:
        sys.exit(f"--g_steps: multiples of 500; --d_iterations: one of {D_POINTS}")
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "claim saturation")
    if args.plots and scores:
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'claim_saturation.png'))}")


if __name__ == "__main__":
    main()

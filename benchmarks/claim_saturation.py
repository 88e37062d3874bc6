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

Rule (v1, fixed 2026-12-03 before the 2,000-iteration runs): the claim holds
at a generator checkpoint when, on every seed, the minimax gradient norm at
the last measured iteration is below 1/100 of its value before the
discriminator trained (iteration 0) and below 1/10 of the non-saturating norm
at that iteration. It defines no other verdict: where it fails, the claim does
not hold by it (seeds 0-4: it failed on all five, `holds`).

Rule v2 (fixed 2026-12-06, before the runs it reads: ``--d_iterations 5000
--seeds 0,1,2,3,4,5,6,7,8,9 --g_steps 1000``, scores in
``claim_saturation_d5000.jsonl``; `judgement_v2`): per seed, r = the minimax
norm after 5,000 discriminator iterations / its norm at iteration 0.

- Primary test: one-sided exact sign test over the 10 seeds that
  log10 r < -2 (the norm fell more than 100-fold); alpha 0.05; the smallest p
  this design can reach is 1/1024.
- **holds** if that p < 0.05; **contradicted** if the one-sided sign test that
  log10 r > 0 (the norm grew) gives p < 0.05; **does not hold** if neither and
  the one-sided sign test that log10 r > -2 (it fell less than 100-fold) gives
  p < 0.05; otherwise **not seen at this scale**. Effect size: the median r;
  the minimax / non-saturating ratio at 5,000 is reported, not judged.

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


def judgement_v2(scores, seeds=range(10), g_steps=1000, iterations=5000):
    """Rule v2 of the module docstring on the seeds scored so far; None before any."""
    import statistics

    from stats import ALPHA, sign_test, smallest_p

    rows = [scores[(s, g_steps)] for s in seeds if (s, g_steps) in scores
            and scores[(s, g_steps)]["d_iterations"][-1] >= iterations]  # fmt: skip
    if not rows:
        return None
    logs = [float(np.log10(r["minimax"][r["d_iterations"].index(iterations)] / r["minimax"][0]))
            for r in rows]  # fmt: skip
    p, wins, n = sign_test([-2 - x for x in logs], "greater")
    grew = sign_test(logs, "greater")[0]
    less = sign_test([x + 2 for x in logs], "greater")[0]
    verdict = ("holds" if p < ALPHA else "contradicted" if grew < ALPHA
               else "does not hold" if less < ALPHA else "not seen at this scale")  # fmt: skip
    return {"verdict": verdict, "p": p, "wins": wins, "n": len(rows), "p_less": less,
            "fell_less": sum(x > -2 for x in logs),
            "median_ratio": 10 ** statistics.median(logs),
            "smallest_p": smallest_p("sign", n=len(rows))}  # fmt: skip


def log_cell(values):
    mean, se = mean_se(np.log10(values).tolist())
    return f"{mean:.1f} +- {se:.1f}"


def table(scores, args):
    lines = [
        f"Seeds {', '.join(map(str, args.seeds))}: log10 of the generator's gradient norm "
        "(mean +- s.e. over seeds) before the fresh discriminator trained and after its last "
        "iteration; rule v1 (minimax fell >= 100x and is < 1/10 of non-saturating) per seed."
        + v2_line(scores, args),
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


def v2_line(scores, args):
    """Rule v2's verdict sentence, for the 5,000-iteration runs."""
    if args.d_iterations != 5000 or not (judged := judgement_v2(scores, args.seeds)):
        return ""
    from stats import p_text

    fall = 1 / judged["median_ratio"]
    return (f" Rule v2 (fixed before these runs): **{judged['verdict']}**: the minimax norm "
            f"fell more than 100-fold on {judged['wins']} of {judged['n']} seeds (sign test, "
            f"one-sided, p = {p_text(judged['p'])}; smallest reachable "
            f"{p_text(judged['smallest_p'])}); it fell less on {judged['fell_less']} "
            f"(p = {p_text(judged['p_less'])}); median fall {fall:.1f}x.")  # fmt: skip


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
    if args.d_iterations == 5000 and args.scores.endswith("claim_saturation.jsonl"):
        args.scores = args.scores.replace(".jsonl", "_d5000.jsonl")  # rule v2's runs
    if any(s % 500 for s in args.g_steps) or args.d_iterations not in D_POINTS:
        sys.exit(f"--g_steps: multiples of 500; --d_iterations: one of {D_POINTS}")
    block = "claim saturation v2" if args.d_iterations == 5000 else "claim saturation"
    scores = run_and_tabulate(args, KEY, run, table, SECTION, block)
    if args.plots and scores:
        name = "claim_saturation_d5000.png" if args.d_iterations == 5000 else "claim_saturation.png"
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, name))}")


if __name__ == "__main__":
    main()

"""Mode collapse under PacGAN's protocols: toy mixtures and Stacked MNIST.

Toy: GAN, PacGAN2, PacGAN4 on ring8 and grid25. Each run trains a flagfile
of ``flags/pacgan{1,2,4}_{ring8,grid25}.flags`` (the authors' networks,
optimiser, batch and 100,000-point training set) for one seed, and is scored
at every point of ``--curve`` (update counts) on 2,500 samples: modes
covered, % high-quality samples, reverse KL (PacGAN's definitions,
`tfgan_zoo.metrics.mode_coverage`). PacGAN trains 400,000 updates;
``--curve`` sets the budget actually spent, and the curve shows whether more
updates would still change a row.

Stacked MNIST (``--stacked_curve``, off by default): DCGAN and PacDCGAN2
(``flags/{dcgan,pacdcgan2}_stacked_mnist.flags``) on digits of ``--digits``
(the IDX test split offline), scored on 26,000 samples with a digit
classifier trained once on the same digits (its held-out accuracy is printed
with the table). ``--stacked_architecture`` picks the networks: the
flagfiles' ``pacgan_dcgan`` (the authors'; seconds a step on 2 CPU cores, a
GPU's work) or ``dcgan``, our 2-layer DCGAN (a step with two generator
updates and XLA took ~0.27 s with two runs sharing 2 CPU cores, so PacGAN's
100,000 updates are still hours per run). Scores and run directories are
kept per architecture.

Resumable: every run keeps its checkpoints in ``--work_dir`` (outside the
work tree by default) and every scored point goes to ``--scores``
(``benchmarks/scores/mode_collapse.jsonl``, committed); re-running the same
command skips what is done and continues interrupted runs from their
checkpoints, and ``--table_only`` rebuilds the tables from the scores alone.
A progress line per scored point gives the runs done and an estimate of the
time left. ``--write`` replaces the tables in `benchmarks/RESULTS.md` (its
``<!-- begin mode_collapse toy -->`` and ``stacked`` blocks), not the prose
around them, and leaves a block with no scores as it is.

Rows with ``"seed": "mean"`` are curve means transcribed from RESULTS.md
after the per-seed scores behind them were lost with an uncommitted
``runs/``; the curves use them where no per-seed rows exist.

    nice python benchmarks/mode_collapse.py --seeds 0,1,2,3,4 --curve 2000,5000,10000
"""

import argparse
import dataclasses
import datetime
import os
import statistics
import sys
import time

import numpy as np
from records import (
    REPO,
    RESULTS,
    RUNS,
    SCORES,
    append_score,
    load_scores,
    mean_se,
    parse_flagfile,
    save_figure,
    write_table,
)

VARIANTS = {"GAN": 1, "PacGAN2": 2, "PacGAN4": 4}
DATASETS = ("ring8", "grid25")
STACKED = "stacked_mnist"
STACKED_VARIANTS = {"DCGAN": "dcgan_stacked_mnist", "PacDCGAN2": "pacdcgan2_stacked_mnist"}
SAMPLES = 2500
TOY_ARCHITECTURE = "pacgan_mlp"  # the toy flagfiles' networks
KEY = ("variant", "dataset", "architecture", "seed", "steps")

# PacGAN (Lin et al. 2018) Table 1: modes (mean +- s.e.), HQ %, reverse KL; 10 trials.
PUBLISHED = {
    ("GAN", "ring8"): "6.3 +- 0.5 / 98.2% / 0.45",
    ("PacGAN2", "ring8"): "7.9 +- 0.1 / 95.6% / 0.07",
    ("PacGAN4", "ring8"): "7.8 +- 0.1 / 95.9% / 0.07",
    ("GAN", "grid25"): "17.3 +- 0.8 / 94.8% / 0.70",
    ("PacGAN2", "grid25"): "23.8 +- 0.7 / 91.3% / 0.13",
    ("PacGAN4", "grid25"): "24.8 +- 0.2 / 93.6% / 0.04",
}
# PacGAN's Stacked-MNIST table (VEEGAN's setting): modes / KL, 10 runs.
PUBLISHED_STACKED = {"DCGAN": "78.9 / 4.50", "PacDCGAN2": "1000 / 0.06"}


def flagfile_config(variant, dataset, seed, steps, args):
    """The config of the run's flagfile, trained for ``steps`` updates in ``--work_dir``
    (Stacked MNIST on ``--stacked_architecture``, named in the run's directory)."""
    if dataset == STACKED:
        name = STACKED_VARIANTS[variant]
        extra = [f"--dataset=stacked:{args.digits}", f"--split={args.digits_split}",
                 f"--architecture={args.stacked_architecture}"]  # fmt: skip
    else:
        name, extra = f"pacgan{VARIANTS[variant]}_{dataset}", []
    config = parse_flagfile(name, *extra)
    run_name = f"{name}_{config.architecture}" if dataset == STACKED else name
    return dataclasses.replace(
        config,
        seed=seed,
        epochs=steps // config.steps_per_epoch,
        model_dir=os.path.join(args.work_dir, f"{run_name}_seed{seed}"),
        verbose=0,
    )


def latents(model, count):
    from tfgan_zoo import rng

    return rng.fixed_latents(123, (count, model.latent_dim), model.latent_distribution)


def score(model, dataset, classifier=None):
    """The row of one scored point: toy mode coverage of 2,500 points, or the
    Stacked-MNIST modes of 26,000 images."""
    from tfgan_zoo import metrics
    from tfgan_zoo.data import TOY_SETS
    from tfgan_zoo.metrics import stacked_mnist

    if dataset == STACKED:
        z = latents(model, stacked_mnist.SAMPLES)
        images = np.concatenate([model.generator(z[i : i + 1000], training=False).numpy()
                                 for i in range(0, len(z), 1000)])  # fmt: skip
        result = stacked_mnist.mode_histogram(classifier.modes(images))
        return str(result), {"modes": result.modes_covered, "kl": result.kl,
                             "classifier_accuracy": classifier.accuracy}  # fmt: skip
    toy = TOY_SETS[dataset]()
    points = model.generator(latents(model, SAMPLES), training=False).numpy()
    result = metrics.mode_coverage(points, toy.means, toy.std)
    return str(result), {
        "modes": result.modes_covered, "hq": result.high_quality_fraction,
        "rkl": result.reverse_kl, "counts": result.counts,
    }  # fmt: skip


def digit_classifier(args):
    """The Stacked-MNIST mode counter, trained on ``--digits`` once and cached."""
    from tfgan_zoo.data import image_source, to_arrays
    from tfgan_zoo.metrics import stacked_mnist

    source, _, _ = image_source(args.digits, args.digits_split)
    digits, labels = to_arrays(source)
    return stacked_mnist.DigitClassifier.cached(
        os.path.join(args.work_dir, "digit_classifier"), digits, labels
    )


def run(args):
    from tfgan_zoo import trainer

    os.makedirs(args.work_dir, exist_ok=True)
    path = args.scores
    done = load_scores(path, KEY)
    todo = [
        (variant, dataset, TOY_ARCHITECTURE, seed, steps)
        for dataset in args.datasets
        for variant in args.variants
        for seed in args.seeds
        for steps in args.curve
    ] + [
        (variant, STACKED, args.stacked_architecture, seed, steps)
        for seed in args.seeds
        for variant in args.stacked_variants
        for steps in args.stacked_curve
    ]
    remaining = [key for key in todo if key not in done]
    print(f"{len(todo) - len(remaining)}/{len(todo)} points done; {len(remaining)} to go",
          flush=True)  # fmt: skip
    increments = [
        steps - max([k[-1] for k in done if k[:-1] == key[:-1] and k[-1] < steps]
                    + [k[-1] for k in remaining[:i] if k[:-1] == key[:-1]], default=0)
        for i, key in enumerate(remaining)
        for steps in [key[-1]]
    ]  # fmt: skip
    classifier = digit_classifier(args) if args.stacked_curve else None
    if classifier:
        print(f"Digit classifier: {100 * classifier.accuracy:.2f}% held out", flush=True)
    started, trained = time.time(), 0
    for i, (variant, dataset, architecture, seed, steps) in enumerate(remaining):
        config = flagfile_config(variant, dataset, seed, steps, args)
        result = trainer.train(config)
        if result.final_step != steps:
            sys.exit(
                f"{config.model_dir} is at step {result.final_step}, not {steps}: its score "
                "would be mislabelled. Score it at its own step, or move it away."
            )
        coverage, values = score(result.model, dataset, classifier)
        trained += result.final_step - result.start_step
        row = {
            "variant": variant, "dataset": dataset, "architecture": architecture, "seed": seed,
            "steps": steps, **values,
            "date": datetime.date.today().isoformat(),
        }  # fmt: skip
        append_score(path, row)
        elapsed = time.time() - started
        left = elapsed / max(trained, 1) * sum(increments[i + 1 :])
        print(f"[{i + 1}/{len(remaining)}] {variant} {dataset} seed {seed} @ {steps} "
              f"({architecture}): {coverage}; "
              f"{elapsed / 60:.1f} min so far, ~{left / 60:.0f} min left", flush=True)  # fmt: skip
    return load_scores(path, KEY)


def seed_list(rows):
    """``seeds 0, 1, 2``: which seeds a per-seed line holds, in its order."""
    return "seeds " + ", ".join(str(r["seed"]) for r in rows)


def table(scores, args):
    """The markdown section: rows at the largest budget every seed reached, beside
    the published ones, then curves (``n=`` where fewer seeds were scored)."""
    lines = [
        "| method | data | updates | seeds | modes (mean +- s.e.) | HQ % | reverse KL "
        "| worst seed (modes / HQ / rKL) | PacGAN Table 1 (400k updates, 10 trials) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    per_seed = []
    for dataset in args.datasets:
        for variant in args.variants:
            key = (variant, dataset, TOY_ARCHITECTURE)
            scored = [s for s in args.curve if all((*key, seed, s) in scores
                                                   for seed in args.seeds)]  # fmt: skip
            if not scored:
                continue
            last = max(scored)
            rows = [scores[(*key, s, last)] for s in args.seeds
                    if (*key, s, last) in scores]  # fmt: skip
            if not rows:
                continue
            modes, modes_se = mean_se([r["modes"] for r in rows])
            hq, hq_se = mean_se([100 * r["hq"] for r in rows])
            kl, kl_se = mean_se([min(r["rkl"], 99.0) for r in rows])
            worst = min(rows, key=lambda r: (r["modes"], r["hq"]))
            lines.append(
                f"| {variant} | {dataset} | {last:,} | {len(rows)} | {modes:.1f} +- {modes_se:.1f} "
                f"| {hq:.1f} +- {hq_se:.1f} | {kl:.2f} +- {kl_se:.2f} "
                f"| {worst['modes']} / {100 * worst['hq']:.1f}% / {worst['rkl']:.2f} "
                f"(seed {worst['seed']}) | {PUBLISHED[(variant, dataset)]} |"
            )
            per_seed.append(
                f"- {variant} {dataset} at {last:,}, {seed_list(rows)}: "
                + ", ".join(f"{r['modes']} / {100 * r['hq']:.1f} / {r['rkl']:.2f}" for r in rows)
            )
    lines += [
        "",
        "<details><summary>Per seed, and the curve</summary>",
        "",
        "Per seed, in the order listed: modes / HQ % / reverse KL",
        "",
        *per_seed,
    ]
    lines += ["", "Curve (mean over seeds: modes / HQ % / reverse KL at each update count):", "",
              "| method | data | " + " | ".join(f"{s:,}" for s in args.curve) + " |",
              "|---|---|" + "---|" * len(args.curve)]  # fmt: skip
    for dataset in args.datasets:
        for variant in args.variants:
            cells = []  # toy curves
            for steps in args.curve:
                mean, n = curve_point(scores, (variant, dataset, TOY_ARCHITECTURE), steps, args)
                cells.append(
                    f"{mean['modes']:.1f} / {100 * mean['hq']:.1f} / {mean['rkl']:.2f}{n}"
                    if mean
                    else "-"
                )
            lines.append(f"| {variant} | {dataset} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", "</details>"])


METRICS = ("modes", "hq", "rkl", "kl")


def curve_point(scores, key, steps, args):
    """``(means, n_mark)`` of ``key`` = (variant, dataset, architecture) at ``steps``:
    the means of its per-seed rows, or else its transcribed ``"mean"`` row;
    ``n_mark`` is `` (n=k)`` when fewer than ``--seeds`` lie behind them.
    ``(None, "")`` when the point was not scored."""
    rows = [scores[k] for s in args.seeds if (k := (*key, s, steps)) in scores]
    if rows:
        means = {m: statistics.mean(r[m] for r in rows) for m in METRICS if m in rows[0]}
        if "rkl" in means:
            means["rkl"] = statistics.mean(min(r["rkl"], 99.0) for r in rows)
        n = len(rows)
    elif (mean := scores.get((*key, "mean", steps))) is not None:
        means, n = mean, mean["n"]
    else:
        return None, ""
    return means, "" if n == len(args.seeds) else f" (n={n})"


def stacked_table(scores, args):
    """Stacked-MNIST rows of ``--stacked_architecture`` at the largest budget, and their
    curve; the digit classifier's held-out accuracy is the one its scores record."""
    from tfgan_zoo.metrics import stacked_mnist

    last, arch = max(args.stacked_curve), args.stacked_architecture
    accuracies = {r["classifier_accuracy"] for k, r in scores.items() if k[1:3] == (STACKED, arch)}
    accuracy = ", ".join(f"{100 * a:.2f}%" for a in sorted(accuracies))
    lines = [
        f"Stacked MNIST, networks `{arch}`, {stacked_mnist.SAMPLES:,} samples, digit classifier "
        f"{accuracy or 'n/a'} on held-out digits:",
        "",
        "| method | updates | seeds | modes (mean +- s.e.) | KL (mean +- s.e.) | worst seed | "
        "PacGAN (100k updates, 10 runs) | curve: " + ", ".join(f"{s:,}" for s in args.stacked_curve)
        + " |",
        "|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    per_seed = []
    for variant in args.stacked_variants:
        rows = [scores[k] for s in args.seeds if (k := (variant, STACKED, arch, s, last)) in scores]
        if not rows:
            continue
        modes, modes_se = mean_se([r["modes"] for r in rows])
        kl, kl_se = mean_se([r["kl"] for r in rows])
        worst = min(rows, key=lambda r: r["modes"])
        curve = []
        for steps in args.stacked_curve:
            mean, n = curve_point(scores, (variant, STACKED, arch), steps, args)
            curve.append(f"{mean['modes']:.0f}{n}" if mean else "-")
        lines.append(
            f"| {variant} | {last:,} | {len(rows)} | {modes:.1f} +- {modes_se:.1f} "
            f"| {kl:.2f} +- {kl_se:.2f} "
            f"| {worst['modes']} / {worst['kl']:.2f} (seed {worst['seed']}) "
            f"| {PUBLISHED_STACKED[variant]} | {' / '.join(curve)} |"
        )
        per_seed.append(
            f"- {variant} at {last:,}, {seed_list(rows)}: "
            + ", ".join(f"{r['modes']} / {r['kl']:.2f}" for r in rows)
        )
    return "\n".join([*lines, "", "<details><summary>Per seed</summary>", "",
                      "Per seed, in the order listed: modes / KL", "", *per_seed, "",
                      "</details>"])  # fmt: skip


SECTION = "## Mode collapse under PacGAN's protocol"


def published_values(text):
    """``"6.3 +- 0.5 / 98.2% / 0.45"`` -> ``{"modes": 6.3, "hq": 0.982, "rkl": 0.45}``
    (Stacked MNIST's ``"78.9 / 4.50"`` -> modes and kl)."""
    parts = [p.strip() for p in text.split("/")]
    if len(parts) == 2:
        return {"modes": float(parts[0]), "kl": float(parts[1])}
    return {"modes": float(parts[0].split()[0]), "hq": float(parts[1].rstrip("%")) / 100,
            "rkl": float(parts[2])}  # fmt: skip


def plot_curves(scores, args, panels, path):
    """One panel per ``(title, key, metric, steps, published)``: the mean over
    seeds against updates (a standard-error band where per-seed scores exist,
    transcribed means otherwise), thin lines per seed, the published value as a
    dashed line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = 2
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11, 3.2 * rows), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for ax, (title, series, metric, steps) in zip(axes.flat, panels, strict=False):
        for label, key, published in series:
            points = [(s, *curve_point(scores, key, s, args)) for s in steps]
            points = [(s, m[metric]) for s, m, _ in points if m]
            if not points:
                continue
            scale = 100 if metric == "hq" else 1
            (line,) = ax.plot([s for s, _ in points], [scale * v for _, v in points],
                              lw=2, label=label)  # fmt: skip
            color = line.get_color()
            for seed in args.seeds:
                own = [(s, scores[k][metric]) for s in steps
                       if (k := (*key, seed, s)) in scores]  # fmt: skip
                if len(own) > 1:
                    ax.plot(*zip(*[(s, scale * v) for s, v in own], strict=True), lw=0.5,
                            color=color, alpha=0.4)  # fmt: skip
                elif own:
                    ax.scatter(own[0][0], scale * own[0][1], s=8, color=color, alpha=0.6)
            banded = [(s, [scores[k][metric] for seed in args.seeds
                           if (k := (*key, seed, s)) in scores]) for s in steps]  # fmt: skip
            banded = [(s, v) for s, v in banded if len(v) > 1]
            if banded:
                xs = [s for s, _ in banded]
                m = np.array([np.mean(v) for _, v in banded]) * scale
                e = np.array([mean_se(v)[1] for _, v in banded]) * scale
                ax.fill_between(xs, m - e, m + e, color=color, alpha=0.2)
            if published is not None and metric in published:
                ax.axhline(scale * published[metric], color=color, ls="--", lw=1,
                           label=f"{label}, published")  # fmt: skip
        ax.set(title=title, xlabel="updates", xscale="log")
        ax.set_ylabel({"modes": "modes covered", "hq": "high-quality samples (%)",
                       "rkl": "reverse KL", "kl": "KL to uniform"}[metric])  # fmt: skip
        if ax.lines:
            ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    return save_figure(fig, path, dpi=100)


def plots(scores, args):
    """The toy and Stacked-MNIST curve figures in ``--plots``; returns their paths."""
    written = []
    if args.curve and any(k[1] in args.datasets for k in scores):
        panels = [
            (f"{dataset}: {name}", [(variant, (variant, dataset, TOY_ARCHITECTURE),
                                     published_values(PUBLISHED[(variant, dataset)]))
                                    for variant in args.variants], metric, args.curve)
            for dataset in args.datasets for metric, name in
            (("modes", "modes"), ("hq", "HQ"), ("rkl", "reverse KL"))
        ]  # fmt: skip
        path = os.path.join(args.plots, "mode_collapse.png")
        written.append(plot_curves(scores, args, panels, path))
    arch = args.stacked_architecture
    if args.stacked_curve and any(k[1:3] == (STACKED, arch) for k in scores):
        panels = [
            (f"Stacked MNIST ({arch}): {metric}",
             [(v, (v, STACKED, arch), published_values(PUBLISHED_STACKED[v]))
              for v in args.stacked_variants], metric, args.stacked_curve)
            for metric in ("modes", "kl")
        ]  # fmt: skip
        path = os.path.join(args.plots, f"mode_collapse_stacked_{arch}.png")
        written.append(plot_curves(scores, args, panels, path))
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--curve", default="2000,5000,10000", help="update counts to score at")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--stacked_curve", default="", help="Stacked MNIST update counts")
    parser.add_argument("--stacked_variants", default=",".join(STACKED_VARIANTS))
    parser.add_argument(
        "--stacked_architecture", default="pacgan_dcgan",
        help="Stacked-MNIST networks: the flagfiles' pacgan_dcgan (the authors'), or dcgan",
    )  # fmt: skip
    parser.add_argument("--digits", default="idx:../shared/data/mnist")
    parser.add_argument("--digits_split", default="test")
    parser.add_argument("--scores", default=os.path.join(SCORES, "mode_collapse.jsonl"))
    parser.add_argument("--work_dir", default=os.path.join(RUNS, "mode_collapse"))
    parser.add_argument("--write", action="store_true", help="update --results")
    parser.add_argument("--results", default=RESULTS, help="the page --write updates")
    parser.add_argument("--plots", default=os.path.join(REPO, "benchmarks", "plots"),
                        help="folder of the curve figures (empty: none)")  # fmt: skip
    parser.add_argument(
        "--table_only", action="store_true", help="tabulate the scores so far, train nothing"
    )
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.curve = sorted(int(s) for s in args.curve.split(",") if s)
    args.stacked_curve = sorted(int(s) for s in args.stacked_curve.split(",") if s)
    args.variants = [s for s in args.variants.split(",") if s]
    args.datasets = [s for s in args.datasets.split(",") if s]
    args.stacked_variants = [s for s in args.stacked_variants.split(",") if s]
    for given, known in [(args.variants, VARIANTS), (args.datasets, DATASETS),
                         (args.stacked_variants, STACKED_VARIANTS)]:  # fmt: skip
        if unknown := [name for name in given if name not in known]:
            sys.exit(f"unknown {', '.join(unknown)}: choose from {', '.join(known)}")
    for steps in args.curve:
        if steps % 1000:
            sys.exit(f"--curve points must be multiples of 1000 (the flagfiles' epoch): {steps}")
    for steps in args.stacked_curve:
        if steps % 2000:
            sys.exit(f"--stacked_curve points must be multiples of 2000: {steps}")
    scores = load_scores(args.scores, KEY) if args.table_only else run(args)
    blocks = []
    if args.curve:
        toy = [k for k in scores if k[0] in args.variants and k[1] in args.datasets]
        blocks.append(("mode_collapse toy", table(scores, args), toy))
    if args.stacked_curve:
        stacked = [k for k in scores if k[1] == STACKED and k[2] == args.stacked_architecture]
        blocks.append(("mode_collapse stacked", stacked_table(scores, args), stacked))
    for block, text, scored in blocks:
        print(text + "\n")
        if args.write:
            write_table(SECTION, block, text, scored, args.results)
    if args.plots:
        for path in plots(scores, args):
            print(f"Plot: {path}")


if __name__ == "__main__":
    main()

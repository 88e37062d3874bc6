"""Generator EMA and DiffAugment measured as curves, where they can matter.

EMA: ``flags/dcgan_fashion_mnist.flags`` (non-saturating DCGAN) and
``flags/sngan_fashion_mnist.flags`` (spectral norm, hinge, 5 critic updates a
step; ``--lr_decay=none`` so the raw weights are not annealed, ``--base_filters
32`` for time) train with ``--ema_decay=0.999`` (warm-up on). At every point
of ``--ema_curve`` the raw generator, the average with the raw generator's
batch-norm statistics (``copy``) and the average with its own standing
statistics (``recompute``) are scored on the same latents.

DiffAugment: the DCGAN flagfile (``--base_filters 32`` for time) on 100%, 10%
and 1% of the Fashion-MNIST training images (subsets drawn once with seed 0,
written as IDX files to ``--work_dir``), without DiffAugment and with the
authors' two policies (``translation,cutout``, their BigGAN setting, and
``color,translation,cutout``), scored at every point of ``--augment_curve``
with the discriminator's overfitting measured beside (mean score on 1,000 of
its training images and 1,000 test images, and ADA's r_t). These runs keep an
EMA of the generator too (0.999; it changes nothing in the raw training), so
EMA is also measured where little data makes the raw FID stop falling. Beside
them, the FID of each subset's training images themselves: what a generator
that copied its training set would score.

Rules, fixed before the runs:
- DiffAugment's goal (FID <= 0.7x without it) is judged per data fraction and
  policy at the step where the unaugmented run's mean FID is lowest and at
  every later step, on the mean of the per-seed ratios.
- EMA's goal (<= 0.9x raw where raw FID has flattened) is judged at the
  points where the raw mean FID is no more than 5% below the previous point's
  ("flattened"), on the mean of the per-seed ratios, with either batch-norm
  mode.

Scores: classifier FID (`tfgan_zoo.metrics.features.ClassifierExtractor`,
trained once on 20,000 Fashion-MNIST training images; not Inception) between
``--fid_samples`` generated images and as many test images. Runs go to
``--work_dir`` (outside the work tree) and keep their checkpoints; every
scored point is one JSON line in ``--scores``
(``benchmarks/scores/essentials.jsonl``, committed). Points are taken
breadth first (every run to the first point, then the next), so an
interrupted command re-run continues each run from its checkpoint and the
curves grow evenly. ``--table_only`` rebuilds the tables and plots from the
scores alone; ``--write`` puts the tables in `benchmarks/RESULTS.md`.

    nice python benchmarks/essentials.py --seeds 0,1,2 --write
"""

import argparse
import dataclasses
import datetime
import itertools
import os
import statistics
import sys
import time

import numpy as np
from records import (
    REPO,
    add_run_arguments,
    append_score,
    classifier_fid,
    classifier_fid_setup,
    load_scores,
    mean_se,
    mean_se_text,
    parse_flagfile,
    save_figure,
    write_table,
)

FASHION = os.path.join(REPO, "..", "shared", "data", "fashion-mnist")
FULL = 60_000
# run name: (flagfile, extra flags, training images)
EMA_RUNS = {
    "DCGAN": ("dcgan_fashion_mnist", ["--ema_decay=0.999"], FULL),
    "SNGAN": ("sngan_fashion_mnist", ["--ema_decay=0.999", "--lr_decay=none",
                                      "--base_filters=32"], FULL),
}  # fmt: skip
POLICIES = {"none": "", "tc": "translation,cutout", "ctc": "color,translation,cutout"}
FRACTIONS = {"100%": FULL, "10%": 6_000, "1%": 600}
AUGMENT_RUNS = {
    f"{fraction} {policy}": ("dcgan_fashion_mnist",
                             ["--base_filters=32", "--ema_decay=0.999"]
                             + ([f"--augment_policy={p}"] if p else []),
                             images)
    for fraction, images in FRACTIONS.items()
    for policy, p in POLICIES.items()
    if fraction != "100%" or policy == "none"
}  # fmt: skip
KEY = ("run", "seed", "steps")
SECTION = "## Generator EMA and DiffAugment"
OVERFIT_SAMPLES = 1000


def subset_dir(args, images):
    """The dataset of ``images`` Fashion-MNIST training images (all: the shared copy;
    fewer: drawn once with seed 0 and written as IDX files to the work directory)."""
    from tfgan_zoo.data import idx

    if images == FULL:
        return FASHION
    directory = os.path.join(args.work_dir, f"fashion_mnist_{images}")
    if not os.path.exists(os.path.join(directory, "train-labels-idx1-ubyte.gz")):
        x, y = idx.load_idx_dir(FASHION, "train")
        keep = np.sort(np.random.default_rng(0).choice(len(x), images, replace=False))
        os.makedirs(directory, exist_ok=True)
        idx.write_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"), x[keep, ..., 0])
        idx.write_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"), y[keep])
    return directory


def runs(args):
    """The runs the curves and ``--runs`` select, by name."""
    chosen = {**(EMA_RUNS if args.ema_curve else {}),
              **(AUGMENT_RUNS if args.augment_curve else {})}  # fmt: skip
    return {name: spec for name, spec in chosen.items() if not args.runs or name in args.runs}


def curve(name, args):
    return args.ema_curve if name in EMA_RUNS else args.augment_curve


def config_of(name, seed, steps, args):
    flagfile, extra, images = runs(args)[name]
    config = parse_flagfile(flagfile, *extra, f"--dataset=idx:{subset_dir(args, images)}")
    return dataclasses.replace(
        config, seed=seed, epochs=steps // config.steps_per_epoch, checkpoint_every=500,
        sample_every=500, log_every=100, verbose=0, steps_per_execution=10, keep_checkpoints=2,
        model_dir=os.path.join(args.work_dir, f"{name.replace(' ', '_').replace('%', 'pc')}"
                                              f"_seed{seed}"),
    )  # fmt: skip


def fid_of(network, model, setup):
    sample = lambda z: network(z, training=False)  # noqa: E731
    return classifier_fid(sample, model.generator_input_dim, *setup)


def overfitting(model, train_images, test_images):
    """D's mean score on its training images and on test images, and ADA's r_t."""
    train = np.asarray(model.critic_scores(train_images)).reshape(-1)
    test = np.asarray(model.critic_scores(test_images)).reshape(-1)
    return {"d_train": float(train.mean()), "d_heldout": float(test.mean()),
            "ada_rt": float(np.sign(train).mean())}  # fmt: skip


def score(name, model, setup, args):
    """The values of one scored point."""
    from tfgan_zoo.evaluation import real_batches

    values = {"fid": fid_of(model.generator, model, setup)}
    if model.ema_generator is not None:
        values["fid_ema_copy"] = fid_of(model.ema_generator, model, setup)
        copied = model.averaging  # for this score only: training copies them again
        model.averaging = dataclasses.replace(copied, bn="recompute")
        model.prepare_sampler()
        model.averaging = copied
        values["fid_ema_recompute"] = fid_of(model.ema_generator, model, setup)
    if name in AUGMENT_RUNS:
        images = runs(args)[name][2]
        train, _ = real_batches(f"idx:{subset_dir(args, images)}", "train", OVERFIT_SAMPLES)
        test, _ = real_batches(f"idx:{FASHION}", "test", OVERFIT_SAMPLES, seed=4)
        values.update(overfitting(model, train, test))
    return values


def memorizer_fid(fraction, setup, args):
    """FID of the training images themselves: what a generator that reproduced its
    training set exactly would score (all of a subset's images; ``--fid_samples``
    drawn with seed 3 from the full set)."""
    from tfgan_zoo import metrics
    from tfgan_zoo.data import idx

    x, _ = idx.load_idx_dir(subset_dir(args, FRACTIONS[fraction]), "train")
    if fraction == "100%":
        x = x[np.random.default_rng(3).choice(len(x), args.fid_samples, replace=False)]
    images = x.astype(np.float32) / 127.5 - 1.0
    extractor, real = setup
    chunks = lambda a: np.array_split(a, max(1, len(a) // 500))  # noqa: E731
    return metrics.compare(extractor, chunks(real), chunks(images))["fid"]


def todo_list(args):
    """Breadth first: every run to a curve point before any goes past it."""
    points = sorted({s for name in runs(args) for s in curve(name, args)})
    return [(name, seed, steps) for steps in points for name in runs(args)
            if steps in curve(name, args) for seed in args.seeds]  # fmt: skip


def run(args):
    from tfgan_zoo import trainer

    done = load_scores(args.scores, KEY)
    todo = todo_list(args)
    remaining = [key for key in todo if key not in done]
    print(f"{len(todo) - len(remaining)}/{len(todo)} points done; {len(remaining)} to go",
          flush=True)  # fmt: skip
    missing = (
        [f for f in FRACTIONS if (f"{f} real", 0, 0) not in done] if args.augment_curve else []
    )
    if not remaining and not missing:
        return done
    setup = classifier_fid_setup("idx:" + FASHION, args.fid_samples)
    for fraction in missing:
        append_score(args.scores, {"run": f"{fraction} real", "seed": 0, "steps": 0,
                                   "fid": memorizer_fid(fraction, setup, args),
                                   "fid_samples": args.fid_samples,
                                   "date": datetime.date.today().isoformat()})  # fmt: skip
    started = time.time()
    for i, (name, seed, steps) in enumerate(remaining):
        result = trainer.train(config_of(name, seed, steps, args))
        if result.final_step != steps:
            sys.exit(f"{name} seed {seed} is at step {result.final_step}, not {steps}.")
        row = {"run": name, "seed": seed, "steps": steps,
               **score(name, result.model, setup, args), "fid_samples": args.fid_samples,
               "date": datetime.date.today().isoformat()}  # fmt: skip
        append_score(args.scores, row)
        elapsed = time.time() - started
        print(f"[{i + 1}/{len(remaining)}] {name} seed {seed} @ {steps}: "
              + ", ".join(f"{k} {v:.3g}" for k, v in row.items() if isinstance(v, float))
              + f"; {elapsed / 60:.1f} min so far", flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def at(scores, name, steps, args):
    return [scores[k] for s in args.seeds if (k := (name, s, steps)) in scores]


def ratio_cell(rows, key, base="fid"):
    """``mean ratio (worst seed's, seed s)`` of ``key`` over ``base``, per seed."""
    ratios = [(r[key] / r[base], r["seed"]) for r in rows]
    worst = max(ratios)
    return f"{statistics.mean(r for r, _ in ratios):.2f} ({worst[0]:.2f}, seed {worst[1]})"


def n_mark(rows, args):
    return "" if len(rows) == len(args.seeds) else f" (n={len(rows)})"


def label(name):
    """How tables and plots name a run: its network and width, then its data and policy."""
    return {"DCGAN": "DCGAN 64", "SNGAN": "SNGAN 32"}.get(name, f"DCGAN 32, {name}")


def long_label(name):
    """The plots' legend name: `label` with the policy spelled out."""
    if name in EMA_RUNS:
        return label(name)
    fraction, policy = name.split(" ", 1)
    return f"DCGAN 32, {fraction} of the images, {POLICIES[policy] or 'no augmentation'}"


def with_ema(scores, name, steps, args):
    return [r for r in at(scores, name, steps, args) if "fid_ema_copy" in r]


def complete(scores, name, seeds, needs="fid"):
    """``{steps: rows}`` of run ``name`` at the scored points every seed reached
    (with ``needs`` in each row)."""
    steps = sorted({k[2] for k in scores if k[0] == name})
    points = {s: [scores.get((name, seed, s), {}) for seed in seeds] for s in steps}
    return {s: rows for s, rows in points.items() if all(needs in r for r in rows)}


def mean_ratio(rows, key, base="fid"):
    return statistics.mean(r[key] / r[base] for r in rows)


def ema_judgement(scores, name, seeds):
    """The EMA rule on one run: the points where the raw mean FID fell by less than
    5% since the previous one, and there the better mean EMA / raw ratio of the
    two batch-norm modes; also both modes' ratios at every point (``modes``) and
    the best raw point, for the issue's reading points; None before two complete
    points."""
    points = complete(scores, name, seeds, "fid_ema_copy")
    if len(points) < 2:
        return None
    means = {s: statistics.mean(r["fid"] for r in rows) for s, rows in points.items()}
    steps = sorted(means)
    flat = [b for a, b in itertools.pairwise(steps) if means[b] >= 0.95 * means[a]]
    modes = {s: [mean_ratio(points[s], k) for k in ("fid_ema_copy", "fid_ema_recompute")]
             for s in steps}  # fmt: skip
    ratios = {s: min(modes[s]) for s in flat}
    best = min(ratios, key=ratios.get) if ratios else None
    return {"name": name, "last": steps[-1], "flat": flat, "at": best,
            "ratio": ratios.get(best), "met": bool(ratios) and ratios[best] <= 0.9,
            "best_raw": min(steps, key=means.get), "modes": modes}  # fmt: skip


def ema_ratios_text(j):
    """The issue's two fixed reading points, whatever the rule found: EMA / raw
    (copied, recomputed statistics) at the best raw point and at the end."""

    def pair(steps):
        copied, recomputed = j["modes"][steps]
        return f"{copied:.2f} copied, {recomputed:.2f} recomputed"

    if j["best_raw"] == j["last"]:
        return f"At the best raw point, which is the end ({j['last']:,}): {pair(j['last'])}."
    return (f"At the best raw point ({j['best_raw']:,}): {pair(j['best_raw'])}; "
            f"at the end ({j['last']:,}): {pair(j['last'])}.")  # fmt: skip


def ema_verdict(scores, name, args):
    if not (j := ema_judgement(scores, name, args.seeds)):
        return None
    if not j["flat"]:
        return (f"{label(name)}: raw FID still falls more than 5% per point up to "
                f"{j['last']:,} steps (not flattened): the goal cannot be judged. "
                + ema_ratios_text(j))  # fmt: skip
    return (
        f"{label(name)}: raw FID flattened at {', '.join(f'{s:,}' for s in j['flat'])} steps; "
        f"the better EMA / raw ratio there is {j['ratio']:.2f} (at {j['at']:,}): "
        f"goal {'met' if j['met'] else 'not met'}. " + ema_ratios_text(j)
    )


def ema_table(scores, args):
    lines = [
        f"EMA 0.999, seeds {', '.join(map(str, args.seeds))}; classifier FID on "
        f"{args.fid_samples:,} samples (mean +- s.e.); ratios EMA / raw per seed: mean "
        "(worst seed). Goal: <= 0.9 where raw FID has flattened.",
        "",
        "| network | steps | raw FID | EMA, copied BN | ratio | EMA, recomputed BN | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for name in {**EMA_RUNS, **AUGMENT_RUNS}:
        for steps in curve(name, args):
            rows = with_ema(scores, name, steps, args)
            if rows:
                lines.append(
                    f"| {label(name)} | {steps:,}{n_mark(rows, args)} "
                    f"| {mean_se_text([r['fid'] for r in rows])} "
                    f"| {mean_se_text([r['fid_ema_copy'] for r in rows])} "
                    f"| {ratio_cell(rows, 'fid_ema_copy')} "
                    f"| {mean_se_text([r['fid_ema_recompute'] for r in rows])} "
                    f"| {ratio_cell(rows, 'fid_ema_recompute')} |"
                )
        if verdict := ema_verdict(scores, name, args):
            verdicts.append(f"- {verdict}")
    return "\n".join(lines + ([""] + verdicts if verdicts else []))


def augment_judgement(scores, fraction, policy, seeds):
    """The DiffAugment rule on one fraction and policy: the step where the
    unaugmented run's mean FID is lowest, the mean per-seed ratio there and at
    every later step both reached, and the first step meeting the goal."""
    base = complete(scores, f"{fraction} none", seeds)
    augmented = complete(scores, f"{fraction} {policy}", seeds)
    if not base or not augmented:
        return None
    best = min(base, key=lambda s: statistics.mean(r["fid"] for r in base[s]))
    later = [s for s in sorted(augmented) if s >= best and s in base]
    ratios = {}
    for s in later:
        paired = {r["seed"]: r["fid"] for r in base[s]}
        ratios[s] = statistics.mean(r["fid"] / paired[r["seed"]] for r in augmented[s])
    met = [s for s in later if ratios[s] <= 0.7]
    return {"run": f"{fraction} {policy}", "best": best, "ratios": ratios,
            "met": met[0] if met else None}  # fmt: skip


def augment_verdict(scores, fraction, policy, args):
    if not (j := augment_judgement(scores, fraction, policy, args.seeds)):
        return None
    if not j["ratios"]:
        return (f"{fraction}, {POLICIES[policy]}: without it the FID is lowest at {j['best']:,} "
                "steps, which the runs with it have not all reached: not judged yet.")  # fmt: skip
    return (f"{fraction}, {POLICIES[policy]}: without it the FID is lowest at {j['best']:,} "
            "steps; ratio " + ", ".join(f"{r:.2f} at {s:,}" for s, r in j["ratios"].items())
            + (f": goal met at {j['met']:,}." if j["met"] else ": goal not met."))  # fmt: skip


def augment_table(scores, args):
    lines = [
        f"DCGAN (32 filters), seeds {', '.join(map(str, args.seeds))}; classifier FID on "
        f"{args.fid_samples:,} samples (mean +- s.e.); D's mean score on its training "
        "images minus on test images (gap), and ADA's r_t. Ratio: FID with DiffAugment / "
        "without, per seed, mean (worst seed). Goal: <= 0.7 at 10% or 1%.",
        "",
        "| data | steps | none: FID / gap / r_t | translation,cutout: FID / ratio "
        "| color,translation,cutout: FID / ratio |",
        "|---|---|---|---|---|",
    ]
    for fraction in FRACTIONS:
        for steps in args.augment_curve:
            base = at(scores, f"{fraction} none", steps, args)
            if not base:
                continue
            gap = [r["d_train"] - r["d_heldout"] for r in base]
            cells = [f"{mean_se_text([r['fid'] for r in base])} / {statistics.mean(gap):.2f} / "
                     f"{statistics.mean(r['ada_rt'] for r in base):.2f}"]  # fmt: skip
            for policy in ("tc", "ctc"):
                rows = at(scores, f"{fraction} {policy}", steps, args)
                paired = {r["seed"]: r for r in base}
                both = [{**r, "base": paired[r["seed"]]["fid"]}
                        for r in rows if r["seed"] in paired]  # fmt: skip
                cells.append(f"{mean_se_text([r['fid'] for r in rows])} / "
                             f"{ratio_cell(both, 'fid', 'base')}" if both else "-")  # fmt: skip
            lines.append(
                f"| {fraction} | {steps:,}{n_mark(base, args)} | " + " | ".join(cells) + " |"
            )
    if copies := [
        f"{f} {scores[k]['fid']:.2f}" for f in FRACTIONS if (k := (f"{f} real", 0, 0)) in scores
    ]:
        lines += ["", "The training images themselves (what a generator that copied them would "
                  f"score): {', '.join(copies)}."]  # fmt: skip
    verdicts = [f"- {v}" for fraction in FRACTIONS if fraction != "100%" for policy in ("tc", "ctc")
                if (v := augment_verdict(scores, fraction, policy, args))]  # fmt: skip
    return "\n".join(lines + ([""] + verdicts if verdicts else []))


def draw(ax, points, value, **style):
    """Mean of ``value(row)`` over seeds with a standard-error band, and a thin line
    per seed, at the ``[(steps, rows), ...]`` that have rows."""
    points = [(s, rows) for s, rows in points if rows]
    if not points:
        return
    steps = [s for s, _ in points]
    values = [[value(r) for r in rows] for _, rows in points]
    means = np.array([np.mean(v) for v in values])
    ses = np.array([mean_se(v)[1] if len(v) > 1 else 0.0 for v in values])
    (line,) = ax.plot(steps, means, marker="o", markersize=3, **style)
    ax.fill_between(steps, means - ses, means + ses, alpha=0.15, color=line.get_color())
    for seed in {r["seed"] for _, rows in points for r in rows}:
        mine = [(s, value(r)) for s, rows in points for r in rows if r["seed"] == seed]
        ax.plot(*zip(*mine, strict=True), color=line.get_color(), linewidth=0.5, alpha=0.4,
                linestyle=style.get("linestyle", "-"))  # fmt: skip


def plot(scores, args, path):
    """Against steps: EMA (left: the averaged generator's FID, batch-norm
    statistics recomputed, over the raw generator's, per seed; the tables also
    give the copied statistics), DiffAugment's FID (middle) and the
    discriminator's overfitting (right: mean score on its training images minus
    on test images), per data fraction and policy; one colour per run in every
    panel, means with a standard-error band, thin lines per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), constrained_layout=True)
    names = {**EMA_RUNS, **AUGMENT_RUNS}
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {name: cycle[i % len(cycle)] for i, name in enumerate(names)}
    for name in names:
        points = [(s, with_ema(scores, name, s, args)) for s in curve(name, args)]
        draw(axes[0], points, lambda r: r["fid_ema_recompute"] / r["fid"],
             label=long_label(name), color=colour[name])  # fmt: skip
    axes[0].axhline(1.0, color="grey", linewidth=0.8)
    axes[0].axhline(0.9, color="black", linestyle="--", linewidth=0.8, label="EMA goal (0.9)")
    for name in AUGMENT_RUNS:
        points = [(s, at(scores, name, s, args)) for s in args.augment_curve]
        draw(axes[1], points, lambda r: r["fid"], color=colour[name])
        draw(axes[2], points, lambda r: r["d_train"] - r["d_heldout"], color=colour[name])
    titles = ("Generator EMA", "DiffAugment", "Discriminator overfitting")
    ylabels = ("FID of the EMA generator / raw (lower is better)",
               "classifier FID (lower is better)", "D(train) - D(test images)")  # fmt: skip
    for ax, title, ylabel in zip(axes, titles, ylabels, strict=True):
        ax.set(xlabel="generator steps", ylabel=ylabel, title=title)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8, frameon=False)
    axes[1].set_yscale("log")
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "essentials", "0,1,2")
    parser.add_argument("--ema_curve", default="2000,5000,10000,20000")
    parser.add_argument(
        "--augment_curve",
        default="1000,2000,3000,4000,6000,8000,10000,12000,14000,16000,18000,20000",
    )
    parser.add_argument("--fid_samples", type=int, default=5000)
    parser.add_argument("--runs", default="", help="only these runs (comma-separated names)")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.ema_curve = sorted(int(s) for s in args.ema_curve.split(",") if s)
    args.augment_curve = sorted(int(s) for s in args.augment_curve.split(",") if s)
    args.runs = [name for name in args.runs.split(",") if name]
    if unknown := [n for n in args.runs if n not in {**EMA_RUNS, **AUGMENT_RUNS}]:
        sys.exit(f"unknown runs {unknown}: choose from {', '.join({**EMA_RUNS, **AUGMENT_RUNS})}")
    if any(s % 500 for s in args.ema_curve + args.augment_curve):
        sys.exit("curve points must be multiples of 500 (the flagfiles' epoch)")
    scores = load_scores(args.scores, KEY) if args.table_only else run(args)
    blocks = [
        ("essentials ema", ema_table, EMA_RUNS, args.ema_curve),
        ("essentials diffaugment", augment_table, AUGMENT_RUNS, args.augment_curve),
    ]
    for block, table, names, points in blocks:
        if not points:
            continue
        text = table(scores, args)
        print(text + "\n")
        if args.write:
            write_table(SECTION, block, text, [k for k in scores if k[0] in names], args.results)
    if args.plots and scores:
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'essentials.png'))}")


if __name__ == "__main__":
    main()

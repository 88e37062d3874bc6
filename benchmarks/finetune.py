"""Fine-tuning from a zoo model: does a DCGAN pretrained on Fashion-MNIST learn
digits from few images faster than one trained from scratch?

The target classes are held out of the pretrained model's data entirely: the
ten MNIST digits (`../shared/data/mnist`, the 10,000-image test split, all
this machine has), 1% (100 images) and 10% (1,000 images) of it, drawn once
with seed 0. Both arms train `flags/dcgan_fashion_mnist.flags` on the subset
(``--dataset=idx:<subset>``), ``--steps`` steps at batch 64, the same seeds;
the pretrained arm adds ``--init_from=saved_models/dcgan_fashion_mnist`` (the
committed export: its generator, the discriminator fresh, as a user who
downloaded the zoo would start). Scored every ``--every`` steps: classifier
FID of 5,000 samples against 5,000 of the digits (seed 2) in the features of
a digit classifier trained on all 10,000 (`records.classifier_fid_setup`'s kind; the
subsets are drawn from the same images, so a generator that copied its 100
images would score well too: the table gives the subsets' own FID).

The rule, fixed 2026-12-06 before any run:

- Pairs: (fraction, seed) for fractions 1% and 10% and seeds 0, 1, 2: six
  pairs, FID at the last step.
- Primary test: one-sided exact sign test that the pretrained arm's FID is
  lower than the scratch arm's, ties dropped; alpha 0.05; the smallest p this
  design can reach is 1/64 (0.016: all six pairs agree).
- Verdict: **holds** if p < 0.05; **contradicted** if the opposite one-sided
  test gives p < 0.05; otherwise **not seen at this scale**. Effect size: the
  median ratio pretrained / scratch FID (reported, not judged), and the same
  at the earlier points.

Resumable: one JSON line per (fraction, start, seed) in ``--scores``
(``benchmarks/scores/finetune.jsonl``); ``--table_only`` rebuilds the table
and the plot:

    nice python benchmarks/finetune.py --seeds 0,1,2 --write
"""

import argparse
import datetime
import math
import os
import statistics
import time

import numpy as np
from records import (
    CLASSIFIERS,
    REPO,
    add_run_arguments,
    append_score,
    classifier_fid,
    curve_text,
    load_scores,
    mean_se_text,
    parse_flagfile,
    plot_runs,
    run_and_tabulate,
    save_figure,
    score_checkpoints,
    scored_every,
)
from stats import p_text, paired_sign, smallest_p

KEY = ("fraction", "start", "seed")
SECTION = "## Fine-tuning from a zoo model"
MNIST = os.path.join(os.path.dirname(REPO), "shared", "data", "mnist")
PRETRAINED = os.path.join("saved_models", "dcgan_fashion_mnist")
FRACTIONS = {"1%": 100, "10%": 1_000}
STARTS = ("scratch", "pretrained")
SAMPLES = 5_000


def subset_dir(args, images):
    """``images`` digits of the MNIST test split, drawn once with seed 0 and
    written as a training split of IDX files under ``--work_dir``."""
    from tfgan_zoo.data import idx

    directory = os.path.join(args.work_dir, f"mnist_{images}")
    if not os.path.exists(os.path.join(directory, "train-labels-idx1-ubyte.gz")):
        x, y = idx.load_idx_dir(MNIST, "test")
        keep = np.sort(np.random.default_rng(0).choice(len(x), images, replace=False))
        os.makedirs(directory, exist_ok=True)
        idx.write_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"), x[keep, ..., 0])
        idx.write_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"), y[keep])
    return directory


def config_for(fraction, start, seed, args):
    extra = [*args.flags.split(), f"--dataset=idx:{subset_dir(args, FRACTIONS[fraction])}"]
    if start == "pretrained":
        extra.append(f"--init_from={args.pretrained}")
    config = parse_flagfile("dcgan_fashion_mnist", *extra)
    name = f"{fraction.rstrip('%')}pc_{start}_seed{seed}"
    return scored_every(config, args.steps, args.every, seed=seed, log_every=args.every,
                        steps_per_execution=math.gcd(10, args.every),
                        model_dir=os.path.join(args.work_dir, name))  # fmt: skip


def fid_setup(args):
    """The digit classifier's extractor (trained on the 10,000 digits; committed
    under benchmarks/classifiers, as a classifier trained on another machine
    differs) and the digits' features' reference set."""
    from tfgan_zoo.data import idx
    from tfgan_zoo.metrics.features import ClassifierExtractor

    x, y = idx.load_idx_dir(MNIST, "test")
    extractor = ClassifierExtractor.cached(os.path.join(CLASSIFIERS, "mnist-test"), x, y)
    real = x[np.sort(np.random.default_rng(2).choice(len(x), SAMPLES, replace=False))]
    return extractor, real.astype(np.float32) / 127.5 - 1.0


def subset_fid(images, extractor, real):
    """The FID of the subset itself: what a generator copying it would score."""
    from tfgan_zoo.data import idx

    x, _ = idx.load_idx_dir(images, "train")
    picks = np.random.default_rng(0).integers(0, len(x), len(real))
    chunks = iter(np.array_split(x[picks].astype(np.float32) / 127.5 - 1.0, len(real) // 500))
    return classifier_fid(lambda z: next(chunks), 1, extractor, real)


def run(args):
    from tfgan_zoo import trainer

    done = load_scores(args.scores, KEY)
    todo = [(f, start, s) for s in args.seeds for f in FRACTIONS for start in STARTS
            if (f, start, s) not in done]  # fmt: skip
    print(f"{len(done)} done; {len(todo)} to go", flush=True)
    if not todo:
        return done
    extractor, real = fid_setup(args)
    started = time.time()
    for i, (fraction, start, seed) in enumerate(todo):
        if (fraction, start, seed) in load_scores(args.scores, KEY):
            continue
        config = config_for(fraction, start, seed, args)
        trainer.train(config)
        points = score_checkpoints(
            config,
            lambda model: {
                "fid": classifier_fid(model.preview, model.generator_input_dim, extractor, real)
            },
        )
        own = subset_fid(config.dataset.split(":", 1)[1], extractor, real)
        append_score(args.scores, {"fraction": fraction, "start": start, "seed": seed,
                                   **points, "subset_fid": own, "source": start == "pretrained"
                                   and args.pretrained or "", "date":
                                   datetime.date.today().isoformat()})  # fmt: skip
        elapsed = (time.time() - started) / 60
        print(f"[{i + 1}/{len(todo)}] {fraction} {start} seed {seed}: FID "
              f"{[round(v, 2) for v in points['fid']]}; {elapsed:.1f} min, "
              f"~{elapsed / (i + 1) * (len(todo) - i - 1):.0f} min left", flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def pairs(scores, seeds, point=-1):
    """``[(fraction, seed, scratch FID, pretrained FID)]`` at scored ``point``."""
    return [(f, s, scores[(f, "scratch", s)]["fid"][point],
             scores[(f, "pretrained", s)]["fid"][point])
            for f in FRACTIONS for s in seeds
            if (f, "scratch", s) in scores and (f, "pretrained", s) in scores]  # fmt: skip


def judgement(scores, seeds):
    """The rule of the module docstring; None before any pair."""
    paired = pairs(scores, seeds)
    if not paired:
        return None
    return {**paired_sign([scratch - pre for _, _, scratch, pre in paired]), "pairs": len(paired),
            "ratio": statistics.median(pre / scratch for _, _, scratch, pre in paired),
            "smallest_p": smallest_p("sign", n=len(paired))}  # fmt: skip


def table(scores, args):
    judged = judgement(scores, args.seeds)
    head = "not tested yet"
    if judged:
        head = (f"**{judged['verdict']}**; FID lower from the pretrained model in "
                f"{judged['wins']} of {judged['n']} untied pairs of {judged['pairs']} (sign test, "
                f"one-sided, p = {p_text(judged['p'])}; smallest reachable "
                f"{p_text(judged['smallest_p'])}); median ratio pretrained / scratch "
                f"{judged['ratio']:.2f}")  # fmt: skip
    lines = [
        f"MNIST digits (held out of the pretrained model's data), seeds "
        f"{', '.join(map(str, args.seeds))}, {args.steps:,} steps of "
        f"`flags/dcgan_fashion_mnist.flags`; classifier FID of {SAMPLES:,} samples against "
        f"{SAMPLES:,} of the digits (mean +- s.e.). Verdict by the rule fixed before the "
        f"runs: {head}.",
        "",
        f"| digits | start | runs | FID | worst seed | mean FID every {args.every:,} steps "
        "| the subset's own FID |",
        "|---|---|---|---|---|---|---|",
    ]
    for fraction, images in FRACTIONS.items():
        for start in STARTS:
            rows = [scores[k] for s in args.seeds if (k := (fraction, start, s)) in scores]
            if not rows:
                continue
            worst = max(rows, key=lambda r: r["fid"][-1])
            lines.append(
                f"| {fraction} ({images:,}) | {start} | {len(rows)} "
                f"| {mean_se_text([r['fid'][-1] for r in rows])} "
                f"| {worst['fid'][-1]:.2f} (seed {worst['seed']}) | {curve_text(rows, 'fid')} "
                f"| {rows[0]['subset_fid']:.2f} |"
            )
    return "\n".join(lines)


def plot(scores, args, path):
    """FID against steps per fraction: scratch and pretrained, runs thin, means thick."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(FRACTIONS), figsize=(10, 3.8), constrained_layout=True)
    for ax, fraction in zip(axes, FRACTIONS, strict=True):
        for start, color in zip(STARTS, ("tab:gray", "tab:blue"), strict=True):
            rows = [scores[k] for s in args.seeds if (k := (fraction, start, s)) in scores]
            plot_runs(ax, rows, "fid", color, start)
        ax.set(title=f"{fraction} of the digits", xlabel="steps", ylabel="classifier FID",
               yscale="log")  # fmt: skip
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "finetune", "0,1,2")
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--every", type=int, default=250, help="steps between scored points")
    parser.add_argument("--pretrained", default=PRETRAINED, help="the --init_from source")
    parser.add_argument("--flags", default="", help="flags added to both arms' flagfile "
                        "(tests: a tiny network matching a tiny --pretrained)")  # fmt: skip
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.steps % args.every:
        raise SystemExit("--steps must be a multiple of --every")
    os.chdir(REPO)
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "finetune")
    if args.plots and scores:
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'finetune.png'))}")


if __name__ == "__main__":
    main()

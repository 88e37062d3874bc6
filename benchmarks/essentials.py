"""Generator EMA and DiffAugment against the same runs without them (issue 13's goals).

EMA: ``flags/dcgan_fashion_mnist.flags`` (non-saturating DCGAN) and
``flags/sngan_fashion_mnist.flags`` (spectral norm, hinge, n_critic 5) train
with ``--ema_decay=0.999``; at the last step the raw generator and its moving
average are both scored, so the ratio compares them at the same step.

DiffAugment: the DCGAN flagfile on 10% of Fashion-MNIST (``--subset`` training
images, drawn once with a fixed seed and written as IDX files to the work
directory), with and without ``--augment_policy=color,translation,cutout``.

Scores: classifier FID (`tfgan_zoo.metrics.features.ClassifierExtractor`,
trained once on 20,000 Fashion-MNIST training images; not Inception) between
``--fid_samples`` generated images and as many test images. Every run is one
JSON line in ``--scores`` (``benchmarks/scores/essentials.jsonl``, committed;
``--table_only`` rebuilds the table from it); re-running the same command
skips finished runs, whose directories stay in ``--work_dir``. Runs train
with 10 steps per execution (and so XLA, ``--jit_compile=auto``), which
halves a DCGAN step's wall time on 2 CPU cores and trains the same
(tests/test_execution.py). ``--write`` puts the table in
`benchmarks/RESULTS.md` (its ``essentials`` block), not the prose around it.

    nice python benchmarks/essentials.py --seeds 0,1,2 --steps 3000
"""

import argparse
import dataclasses
import datetime
import os
import statistics
import sys
import time

import numpy as np
from absl import flags
from records import (
    REPO,
    add_run_arguments,
    append_score,
    classifier_fid,
    classifier_fid_setup,
    load_scores,
    mean_se,
    run_and_tabulate,
)

from tfgan_zoo import trainer
from tfgan_zoo.cli.train import config_from_flags, define_flags
from tfgan_zoo.data import idx

FASHION = os.path.join(REPO, "..", "shared", "data", "fashion-mnist")
POLICY = "color,translation,cutout"
# run name: (flagfile, extra flags, "subset" when it trains on the 10% subset)
RUNS = {
    "dcgan_ema": ("dcgan_fashion_mnist", ["--ema_decay=0.999"], False),
    "sngan_ema": ("sngan_fashion_mnist", ["--ema_decay=0.999"], False),
    "dcgan_subset": ("dcgan_fashion_mnist", [], True),
    "dcgan_subset_diffaugment": ("dcgan_fashion_mnist", [f"--augment_policy={POLICY}"], True),
}
KEY = ("run", "seed", "steps")
SECTION = "## Generator EMA and DiffAugment"


def subset_dir(args):
    """``--subset`` Fashion-MNIST training images as IDX files (drawn with seed 0)."""
    directory = os.path.join(args.work_dir, f"fashion_mnist_{args.subset}")
    if not os.path.exists(os.path.join(directory, "train-labels-idx1-ubyte.gz")):
        x, y = idx.load_idx_dir(FASHION, "train")
        keep = np.sort(np.random.default_rng(0).choice(len(x), args.subset, replace=False))
        os.makedirs(directory, exist_ok=True)
        idx.write_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"), x[keep, ..., 0])
        idx.write_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"), y[keep])
    return directory


def config_of(name, seed, args):
    flagfile, extra, subset = RUNS[name]
    dataset = "idx:" + (subset_dir(args) if subset else FASHION)
    fv = flags.FlagValues()
    define_flags(fv)
    fv(["essentials", f"--flagfile={os.path.join(REPO, 'flags', flagfile + '.flags')}",
        *extra, f"--dataset={dataset}"])  # fmt: skip
    config = config_from_flags(fv)
    return dataclasses.replace(
        config, seed=seed, epochs=1, steps_per_epoch=args.steps, checkpoint_every=args.steps,
        sample_every=args.steps, log_every=100, verbose=0, steps_per_execution=10,
        model_dir=os.path.join(args.work_dir, f"{name}_seed{seed}"),
    )  # fmt: skip


def fid_of(network, model, extractor, real):
    sample = lambda z: network(z, training=False)  # noqa: E731
    return classifier_fid(sample, model.generator_input_dim, extractor, real)


def run(args):
    path = args.scores
    done = load_scores(path, KEY)
    # Seed by seed, the SNGAN runs (5 D updates per step, ~3x a DCGAN run) last.
    todo = sorted(((name, seed, args.steps) for seed in args.seeds for name in RUNS),
                  key=lambda key: (key[0] == "sngan_ema", key[1]))  # fmt: skip
    remaining = [key for key in todo if key not in done]
    print(f"{len(todo) - len(remaining)}/{len(todo)} runs done; {len(remaining)} to go", flush=True)
    if not remaining:
        return done
    extractor, real = classifier_fid_setup("idx:" + FASHION, args.fid_samples)
    started = time.time()
    for i, (name, seed, steps) in enumerate(remaining):
        result = trainer.train(config_of(name, seed, args))
        model = result.model
        row = {"run": name, "seed": seed, "steps": steps,
               "fid": fid_of(model.generator, model, extractor, real),
               "date": datetime.date.today().isoformat()}  # fmt: skip
        if model.ema_generator is not None:
            row["fid_ema"] = fid_of(model.ema_generator, model, extractor, real)
        append_score(path, row)
        elapsed = time.time() - started
        print(f"[{i + 1}/{len(remaining)}] {name} seed {seed}: {row}; {elapsed / 60:.1f} min so "
              f"far, ~{elapsed / (i + 1) * (len(remaining) - i - 1) / 60:.0f} min left",
              flush=True)  # fmt: skip
    return load_scores(path, KEY)


def cell(values):
    mean, se = mean_se(values)
    return f"{mean:.2f} +- {se:.2f}"


def table(scores, args):
    at = lambda name: [scores[k] for s in args.seeds if (k := (name, s, args.steps)) in scores]  # noqa: E731
    lines = [
        f"Seeds {', '.join(map(str, args.seeds))}, {args.steps:,} generator steps, classifier FID "
        f"on {args.fid_samples:,} samples (mean +- standard error; ratio per seed, then "
        "its mean and the worst seed's).",
        "",
        "| comparison | without | with | ratio with / without (mean) | worst seed's ratio "
        "| goal | n |",
        "|---|---|---|---|---|---|---|",
    ]
    pairs = [
        ("DCGAN NS, EMA 0.999 vs raw generator", at("dcgan_ema"), "fid", at("dcgan_ema"),
         "fid_ema", "<= 0.85"),
        ("SNGAN hinge, EMA 0.999 vs raw generator", at("sngan_ema"), "fid", at("sngan_ema"),
         "fid_ema", "<= 0.85"),
        (f"DCGAN on {args.subset:,} images, DiffAugment vs none", at("dcgan_subset"), "fid",
         at("dcgan_subset_diffaugment"), "fid", "<= 0.7"),
    ]  # fmt: skip
    for label, base_rows, base_key, rows, key, goal in pairs:
        seeds = sorted({r["seed"] for r in base_rows} & {r["seed"] for r in rows})
        if not seeds:
            continue
        base = {r["seed"]: r[base_key] for r in base_rows}
        other = {r["seed"]: r[key] for r in rows}
        ratios = [other[s] / base[s] for s in seeds]
        worst = max(ratios)
        lines.append(
            f"| {label} | {cell([base[s] for s in seeds])} | {cell([other[s] for s in seeds])} "
            f"| {statistics.mean(ratios):.2f} | {worst:.2f} "
            f"(seed {seeds[ratios.index(worst)]}) | {goal} | {len(seeds)} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "essentials", "0,1,2")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--subset", type=int, default=6000, help="DiffAugment's training images")
    parser.add_argument("--fid_samples", type=int, default=2000)
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.steps % 100:
        sys.exit(f"--steps must be a multiple of 100 (the flagfiles log every 100): {args.steps}")
    run_and_tabulate(args, KEY, run, table, SECTION, "essentials")


if __name__ == "__main__":
    main()

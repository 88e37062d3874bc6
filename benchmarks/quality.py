"""Sample quality of every unconditional loss under the project's own protocol.

Toy cells: modes covered / % high-quality samples / reverse KL on ring8 and
grid25 (VEEGAN / PacGAN definitions, 2,500 samples), MLP networks, batch 256,
Adam 1e-3. Image cells: classifier FID on Fashion-MNIST after a fixed step
budget (DCGAN networks of 32 filters, batch 64; features of
`tfgan_zoo.metrics.features.ClassifierExtractor`, not Inception, so the
numbers are comparable among rows of this table only; the classifier is
trained once and committed under ``benchmarks/classifiers/``, so every row of
the column is scored with it on any machine). Every cell is the
mean +- standard error over seeds, with the worst seed beside it.

Resumable: each finished run appends a line to ``--scores``
(``benchmarks/scores/quality.jsonl``, committed); re-running the same command
skips what is done, and ``--table_only`` rebuilds the table from it. Runs go seed by seed, so an
interrupted image column still has every loss at the seeds it reached (the
table says ``n=`` where fewer than all seeds were scored). Two processes can share
the score file (``--seeds 3`` beside ``--seeds 4``): each skips what the other
finished. ``--write``
replaces this table in `benchmarks/RESULTS.md` (its ``quality`` block), not
the prose around it. Run from the
repository root:

    nice python benchmarks/quality.py --seeds 0,1,2,3,4 --toy_steps 12000 --image_steps 3000

``--variants "RpGAN;R3GAN"`` runs some rows only (the others keep their scores).

R3GAN's claim, and its rule (fixed 2026-12-06, before any run of the rows it reads):

- Claim (Huang et al. 2024, "The GAN is dead; long live the GAN!", section 2):
  the relativistic pairing loss with zero-centred R1 and R2 penalties trains
  stably without tricks, where the classic GAN loss with the same penalties
  loses modes.
- Design: the rows ``R3GAN`` (rpgan + R1 + R2) and ``NS + R1 + R2``
  (non-saturating loss, the same penalties, optimiser and networks), on ring8
  and grid25, seeds 0-4: 10 configurations paired by (dataset, seed). Gamma is
  R3GAN's CIFAR-10 value 0.05 (``r1_weight = r2_weight = 0.025``), Adam with
  their beta1 0 and initial beta2 0.9; not tuned here.
- Primary test: one-sided exact sign test on the paired reverse-KL differences
  (NS + R1 + R2 minus R3GAN), ties dropped; alpha 0.05; the smallest p this
  design can reach is 1/1024 (0.001).
- Verdict: ``holds`` if p < 0.05 with R3GAN lower; ``contradicted`` if the
  opposite one-sided test gives p < 0.05; otherwise ``not seen at this scale``.
  Effect size: the median paired difference in reverse KL, and modes covered.
- Secondary, not in the verdict: classifier FID on Fashion-MNIST after the
  image budget, the same sign test over the seeds (5 seeds: smallest p 0.031).
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time

import numpy as np
from records import (
    CLASSIFIERS,
    add_run_arguments,
    append_score,
    classifier_fid,
    classifier_fid_setup,
    load_scores,
    mean_se_text,
    run_and_tabulate,
    save_figure,
)
from stats import p_text, paired_sign, smallest_p

R3GAN_GAMMA = 0.05  # R3GAN's CIFAR-10 preset (its gamma_scheduler base value)
ZERO_CENTRED = {"r1_weight": R3GAN_GAMMA / 2, "r2_weight": R3GAN_GAMMA / 2,
                "beta1": 0.0, "beta2": 0.9}  # fmt: skip

# name: (TrainConfig overrides shared by toy and image runs, image-only overrides)
VARIANTS = {
    "minimax": ({"loss": "minimax"}, {}),
    "non-saturating": ({"loss": "non_saturating"}, {}),
    "LSGAN (0,1,1)": ({"loss": "least_squares"}, {}),
    "WGAN (clip 0.01)": (
        {"loss": "wasserstein", "clip_value": 0.01, "n_critic": 5, "beta1": 0.0, "beta2": 0.9},
        {"d_norm": "none", "g_lr": 5e-5, "d_lr": 5e-5},
    ),
    "WGAN-GP": (
        {"loss": "wasserstein", "gp_weight": 0.1, "n_critic": 5, "beta1": 0.5, "beta2": 0.9},
        {"gp_weight": 10.0, "d_norm": "layer", "g_lr": 1e-4, "d_lr": 1e-4},
    ),
    "hinge": ({"loss": "hinge"}, {"d_norm": "layer"}),
    "RpGAN": ({"loss": "rpgan"}, {}),
    "RaGAN": ({"loss": "ragan"}, {}),
    "NS + R1 + R2": ({"loss": "non_saturating", **ZERO_CENTRED}, {"d_norm": "none"}),
    "R3GAN": ({"loss": "rpgan", **ZERO_CENTRED}, {"d_norm": "none"}),
    "EBGAN": (
        None,
        {
            "model": "ebgan",
            "architecture": "ebgan_dcgan",
            "loss": "energy_margin",
            "d_norm": "none",
        },
    ),
}
TOY = ("ring8", "grid25")
IMAGE = "fashion_mnist"
IMAGE_FILTERS = 32  # the claims' DCGAN width: the image column fits this machine's budget
KEY = ("variant", "part", "seed")
SECTION = "## Every loss on ring8 and grid25"


def trained(steps, seed, settings):
    """The model the trainer trains from ``settings`` (`TrainConfig` fields) for
    one epoch of ``steps`` from ``seed``, in a fresh temporary directory, with
    samples, checkpoints and logs only at its end.

    tfgan_zoo, and TensorFlow with it, is imported here, on the first run, so
    that ``--table_only`` (and `summary.py`, which reads this module's rules)
    starts without them.
    """
    from tfgan_zoo import trainer
    from tfgan_zoo.config import TrainConfig

    config = TrainConfig(
        epochs=1, steps_per_epoch=steps, model_dir=tempfile.mkdtemp(), verbose=0, seed=seed,
        sample_every=steps, checkpoint_every=steps, log_every=steps, **settings,
    )  # fmt: skip
    return trainer.train(config).model


def toy_scores(common, dataset, steps, seed):
    from tfgan_zoo import metrics
    from tfgan_zoo.data import TOY_SETS

    model = trained(steps, seed, {
        "architecture": "mlp", "dataset": dataset, "latent_dim": 16, "batch_size": 256,
        "g_lr": 1e-3, "d_lr": 1e-3, "steps_per_execution": 100, **common,
    })  # fmt: skip
    toy = TOY_SETS[dataset]()
    z = np.random.default_rng(123).standard_normal((2500, 16)).astype(np.float32)
    result = metrics.mode_coverage(model.generator(z).numpy(), toy.means, toy.std)
    return {"modes": result.modes_covered, "hq": result.high_quality_fraction,
            "rkl": min(result.reverse_kl, 99.0)}  # fmt: skip


def image_scores(overrides, steps, seed, extractor, real, dataset):
    model = trained(steps, seed, {
        "dataset": dataset, "base_filters": IMAGE_FILTERS, "batch_size": 64,
        "steps_per_execution": 10, **overrides,
    })  # fmt: skip
    return {"fid": classifier_fid(model.preview, model.generator_input_dim, extractor, real)}


def todo_list(args):
    """(variant, part, seed) of ``--variants``, seed by seed so every row grows evenly."""
    names = [n for n in VARIANTS if n in args.variants]
    todo = []
    for seed in args.seeds:
        for name in names:
            common = VARIANTS[name][0]
            todo += [(name, part, seed) for part in TOY if common is not None and args.toy_steps]
    for seed in args.seeds:
        todo += [(name, IMAGE, seed) for name in names if args.image_steps]
    return todo


def r3gan_judgement(scores, seeds, metric="rkl", parts=TOY):
    """The R3GAN rule of the module docstring on ``scores``: a dict with the verdict,
    p, the pairs and the median paired difference (NS + R1 + R2 minus R3GAN);
    None until both rows have a paired configuration."""
    diffs = [scores[("NS + R1 + R2", part, s)][metric] - scores[("R3GAN", part, s)][metric]
             for part in parts for s in seeds
             if ("R3GAN", part, s) in scores and ("NS + R1 + R2", part, s) in scores]  # fmt: skip
    if not diffs:
        return None
    return {**paired_sign(diffs), "pairs": len(diffs),
            "median": statistics.median(diffs),
            "smallest_p": smallest_p("sign", n=len(diffs))}  # fmt: skip


def r3gan_lines(scores, args):
    """The verdict line under the table (and the secondary FID line)."""
    lines = []
    toy = r3gan_judgement(scores, args.seeds)
    if toy:
        lines.append(
            f"R3GAN's claim by its rule (in `benchmarks/quality.py`): **{toy['verdict']}**; "
            f"reverse KL lower with R3GAN than with NS + R1 + R2 in {toy['wins']} of "
            f"{toy['n']} untied pairs of {toy['pairs']} (sign test, one-sided, p = "
            f"{p_text(toy['p'])}; smallest reachable {p_text(toy['smallest_p'])}); median "
            f"difference {toy['median']:.2f}."
        )
    image = r3gan_judgement(scores, args.seeds, "fid", (IMAGE,))
    if image and args.image_steps:
        lines.append(
            f"Secondary (not in the verdict): FID lower with R3GAN in {image['wins']} of "
            f"{image['n']} seeds (p = {p_text(image['p'])}); median difference "
            f"{image['median']:.2f}."
        )
    return lines


def run(args):
    path = args.scores
    done = load_scores(path, KEY)
    todo = todo_list(args)
    remaining = [key for key in todo if key not in done]
    print(f"{len(todo) - len(remaining)}/{len(todo)} runs done; {len(remaining)} to go", flush=True)
    extractor = real = None
    started = time.time()
    for i, (name, part, seed) in enumerate(remaining):
        if (name, part, seed) in load_scores(path, KEY):
            continue  # another process sharing the score file ran it meanwhile
        common, image_overrides = VARIANTS[name]
        run_start = time.time()
        if part in TOY:
            values = toy_scores(common, part, args.toy_steps, seed)
        else:
            if extractor is None:
                extractor, real = classifier_fid_setup(args.dataset, args.fid_samples,
                                                       cache=args.classifier)  # fmt: skip
            image_common = {k: v for k, v in (common or {}).items() if k != "gp_weight"}
            values = image_scores({**image_common, **image_overrides}, args.image_steps, seed,
                                  extractor, real, args.dataset)  # fmt: skip
        row = {"variant": name, "part": part, "seed": seed, **values,
               "steps": args.image_steps if part == IMAGE else args.toy_steps,
               "seconds": round(time.time() - run_start, 1),
               "date": datetime.date.today().isoformat()}  # fmt: skip
        append_score(path, row)
        elapsed = time.time() - started
        left = elapsed / (i + 1) * (len(remaining) - i - 1)
        print(f"[{i + 1}/{len(remaining)}] {name} {part} seed {seed}: {values}; "
              f"{elapsed / 60:.1f} min so far, ~{left / 60:.0f} min left (rough)",
              flush=True)  # fmt: skip
    return load_scores(path, KEY)


def toy_cell(rows, seeds):
    modes = mean_se_text([r["modes"] for r in rows], 1)
    hq = mean_se_text([100 * r["hq"] for r in rows], 1, "%")
    kl = mean_se_text([r["rkl"] for r in rows])
    worst = min(rows, key=lambda r: (r["modes"], r["hq"]))
    n = "" if len(rows) == len(seeds) else f" (n={len(rows)})"
    return (f"{modes} / {hq} / {kl}{n} | {worst['modes']} / {100 * worst['hq']:.1f}% / "
            f"{worst['rkl']:.2f} (seed {worst['seed']})")  # fmt: skip


def fid_cell(rows, seeds):
    worst = max(rows, key=lambda r: r["fid"])
    n = "" if len(rows) == len(seeds) else f" (n={len(rows)})"
    fid = mean_se_text([r["fid"] for r in rows])
    return f"{fid}{n} | {worst['fid']:.2f} (seed {worst['seed']})"


def table(scores, args):
    image = (f"Fashion-MNIST: {args.image_steps:,} steps of DCGAN ({IMAGE_FILTERS} filters), "
             f"batch 64, classifier FID between "
             f"{args.fid_samples:,} generated and {args.fid_samples:,} test images. "
             if args.image_steps else "")  # fmt: skip
    lines = [
        f"Seeds {', '.join(map(str, args.seeds))}; toy: {args.toy_steps:,} steps. {image}"
        "Cells: mean +- standard error over seeds (`n=` where fewer seeds were scored), then "
        "the worst seed.",
        "",
        "| loss | ring8 modes / HQ / rKL | worst | grid25 modes / HQ / rKL | worst "
        + ("| F-MNIST FID | worst |" if args.image_steps else "|"),
        "|---|---|---|---|---|" + ("---|---|" if args.image_steps else ""),
    ]
    for name, (common, _) in VARIANTS.items():
        if common is None and not args.image_steps:
            continue  # an image-only model, and no image column
        cells, scored = [], False
        for part in TOY:
            rows = [scores[k] for s in args.seeds if (k := (name, part, s)) in scores]
            cells.append(toy_cell(rows, args.seeds) if rows else "n/a | -")
            scored |= bool(rows)
        if args.image_steps:
            rows = [scores[k] for s in args.seeds if (k := (name, IMAGE, s)) in scores]
            cells.append(fid_cell(rows, args.seeds) if rows else "- | -")
            scored |= bool(rows)
        if not scored:
            continue  # a loss with no run in any column (EBGAN, not in the image runs)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    verdicts = r3gan_lines(scores, args)
    return "\n".join(lines + ([""] + verdicts if verdicts else []))


def plot(scores, args, path):
    """Every seed's modes, HQ % and reverse KL per loss (dots), the mean as a bar:
    the spread the table's standard errors summarise."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, (common, _) in VARIANTS.items() if common is not None]
    metrics_ = (("modes", "modes covered", 1), ("hq", "HQ %", 100), ("rkl", "reverse KL", 1))
    fig, axes = plt.subplots(len(TOY), len(metrics_), figsize=(13, 6.5), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for row, part in zip(axes, TOY, strict=True):
        for ax, (key, label, scale) in zip(row, metrics_, strict=True):
            for i, name in enumerate(names):
                values = [scale * scores[k][key] for s in args.seeds
                          if (k := (name, part, s)) in scores]  # fmt: skip
                if values:
                    ax.bar(i, np.mean(values), color="lightgray", width=0.6)
                    ax.scatter(np.full(len(values), i) + np.linspace(-0.15, 0.15, len(values)),
                               values, s=12, color="tab:blue", zorder=3)  # fmt: skip
            ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
            ax.set_title(f"{part}: {label}", fontsize=10)
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "quality", "0,1,2,3,4")
    parser.add_argument("--toy_steps", type=int, default=12000, help="0 skips the toy columns")
    parser.add_argument("--image_steps", type=int, default=3000, help="0 skips the FID column")
    parser.add_argument("--fid_samples", type=int, default=5000)
    parser.add_argument("--dataset", default="idx:../shared/data/fashion-mnist")
    parser.add_argument(
        "--classifier", default="",
        help="folder of the FID classifier, trained there when absent; default "
        "benchmarks/classifiers/<the dataset's folder name>, committed, so the image "
        "column is scored with one classifier whatever machine runs it",
    )  # fmt: skip
    parser.add_argument("--variants", default=";".join(VARIANTS),
                        help="rows to run, separated by ';' (default: all)")  # fmt: skip
    args = parser.parse_args()
    dataset_name = os.path.basename(args.dataset.split(":", 1)[-1].rstrip("/"))
    args.classifier = args.classifier or os.path.join(CLASSIFIERS, dataset_name)
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.variants = args.variants.split(";")
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        sys.exit(f"unknown --variants {sorted(unknown)}; known: {', '.join(VARIANTS)}")
    for steps in (args.toy_steps, args.image_steps):
        if steps % 100:
            sys.exit(f"step budgets must be multiples of 100 (steps per execution): {steps}")
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "quality")
    if args.plots and args.toy_steps and scores:
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'quality.png'))}")


if __name__ == "__main__":
    main()

"""The projection discriminator's claim: conditioning by projection gives better
class-conditional samples than by concatenation or an auxiliary classifier.

Miyato & Koyama (arXiv 1802.05637, Table 1) train the same ResNet networks on
CIFAR-10 and CIFAR-100 with the label entering the discriminator three ways
(AC-GAN, concatenation, projection) and report projection best in Inception
score, intra-class FID and FID (CIFAR-10: IS 8.62, FID 17.5).

Protocol here: Fashion-MNIST 28x28 (all 60,000 training images), the DCGAN
conditional generator (label embedding concatenated to z) and one DCGAN
discriminator trunk for all three; only the discriminator's head differs:
``conditional_dcgan`` (one-hot label planes concatenated to the image),
``projection_dcgan`` (``psi(phi(x)) + <embed(y), phi(x)>``) and ``acgan_dcgan``
(adversarial and class heads, class weight 1). Everything else is
``flags/cgan_fashion_mnist.flags`` / ``flags/acgan_fashion_mnist.flags``:
non-saturating loss, Adam 2e-4 (beta1 0.5), batch 64, z 64-D, 3,000 steps
(their 6 x 500), ``--base_filters=32`` for time. Differences from the paper:
not ResNets with conditional batch norm and spectral norm, not hinge loss, not
5 D steps per G step, not 450,000 D updates; Fashion-MNIST, not CIFAR; a
classifier's features (`records.classifier_fid_setup`, trained on 20,000
training images), not Inception's.

Scoring, fixed before the runs: at every ``--every`` steps, ``--samples``
generated images (an equal number of each class, latents of seed 0) against
the 10,000 test images: intra-class FID (`metrics.intra_class_fid`: per-class
FID averaged over the 10 classes), FID, the classifier's Inception score, and
its accuracy on the requested classes. The claim **holds** when projection's
mean intra-class FID at the last step is below both others' and below
concatenation's on at least 4 of 5 seeds (80% of seeds, paired); **holds
partly** when its mean is below concatenation's only; **contradicted** when
concatenation's is below projection's on 80% of seeds; otherwise **not seen at this scale**.

The rule above is the first one, kept as it was; the table gives its verdict
beside the one of `summary.py`'s rule form (2026-12-06), which replaced it and
has no "holds partly".

Resumable: one JSON line per (conditioning, seed) in ``--scores``
(``benchmarks/scores/claim_projection.jsonl``); runs train in ``--work_dir``.
``--table_only`` rebuilds the table and the plot from the scores:

    nice python benchmarks/claim_projection.py --seeds 0,1,2,3,4 --write
"""

import argparse
import datetime
import os
import time

import numpy as np
from records import (
    REPO,
    add_run_arguments,
    append_score,
    curve_text,
    features_and_probabilities,
    load_scores,
    mean_se_text,
    parse_flagfile,
    plot_runs,
    run_and_tabulate,
    save_figure,
    score_checkpoints,
    scored_every,
)

KEY = ("conditioning", "seed")
SECTION = "## Claim: projection beats concatenation and AC-GAN"
FASHION = os.path.join(REPO, "..", "shared", "data", "fashion-mnist")
# conditioning: (flagfile, extra flags)
VARIANTS = {
    "projection": ("cgan_fashion_mnist", ["--architecture=projection_dcgan"]),
    "concat": ("cgan_fashion_mnist", []),
    "AC-GAN": ("acgan_fashion_mnist", []),
}
NUM_CLASSES = 10


def config_for(name, seed, args):
    """The variant's flagfile at ``--steps`` with ``--base_filters``, a checkpoint
    kept every ``--every`` steps, in ``--work_dir``."""
    flagfile, extra = VARIANTS[name]
    config = parse_flagfile(flagfile, *extra, f"--base_filters={args.base_filters}",
                             f"--dataset=idx:{args.data}")  # fmt: skip
    return scored_every(
        config, args.steps, args.every, seed=seed, log_every=100, steps_per_execution=10,
        model_dir=os.path.join(args.work_dir, f"{name.replace('-', '').lower()}_{seed}"),
    )  # fmt: skip


def scores_of(generate, latent_dim, setup, samples):
    """Intra-class FID, FID, classifier IS and accuracy of ``generate([z, labels])``."""
    from tfgan_zoo import metrics

    extractor, real_features, real_labels = setup
    labels = np.arange(samples, dtype=np.int32) % NUM_CLASSES
    z = np.random.default_rng(0).standard_normal((samples, latent_dim)).astype(np.float32)
    fake = np.concatenate([np.asarray(generate([z[i : i + 500], labels[i : i + 500]]))
                           for i in range(0, samples, 500)])  # fmt: skip
    features, probabilities = features_and_probabilities(extractor, fake)
    intra = metrics.intra_class_fid(real_features, real_labels, features, labels)
    real_moments, fake_moments = metrics.Moments(), metrics.Moments()
    overall = metrics.fid(real_moments.update(real_features), fake_moments.update(features))
    return {
        "intra_fid": intra["intra_fid"],
        "fid": overall,
        "is": metrics.inception_score(probabilities)[0],
        "accuracy": float(np.mean(probabilities.argmax(1) == labels)),
    }


def fid_setup(args):
    """(classifier extractor, features and labels of the 10,000 test images)."""
    from records import classifier_fid_setup

    from tfgan_zoo.evaluation import real_batches

    extractor, _ = classifier_fid_setup("idx:" + args.data, 500)
    real, labels = real_batches("idx:" + args.data, "test", args.real_samples, seed=2)
    return extractor, features_and_probabilities(extractor, real)[0], labels


def run(args):
    from tfgan_zoo import trainer

    done = load_scores(args.scores, KEY)
    todo = [(name, s) for s in args.seeds for name in VARIANTS if (name, s) not in done]
    print(f"{len(done)} done; {len(todo)} to go", flush=True)
    if not todo:
        return done
    setup = fid_setup(args)
    started = time.time()
    for i, (name, seed) in enumerate(todo):
        config = config_for(name, seed, args)
        trainer.train(config)
        dim = config.latent_dim
        points = score_checkpoints(config, lambda model, dim=dim: scores_of(
            lambda zl: model.generator(zl, training=False), dim, setup, args.samples))  # fmt: skip
        append_score(args.scores, {"conditioning": name, "seed": seed, **points,
                                   "samples": args.samples,
                                   "date": datetime.date.today().isoformat()})  # fmt: skip
        print(f"[{i + 1}/{len(todo)}] {name} seed {seed}: intra-FID "
              f"{[round(v, 2) for v in points['intra_fid']]}, accuracy "
              f"{points['accuracy'][-1]:.3f}; {(time.time() - started) / 60:.1f} min",
              flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def rows_of(scores, name, args):
    return [scores[k] for s in args.seeds if (k := (name, s)) in scores]


def verdict(scores, args):
    """The rule of the module docstring, at the last scored step."""
    rows = {name: rows_of(scores, name, args) for name in VARIANTS}
    if not all(rows.values()):
        return "not tested yet"
    mean = {name: np.mean([r["intra_fid"][-1] for r in rs]) for name, rs in rows.items()}
    concat = {r["seed"]: r["intra_fid"][-1] for r in rows["concat"]}
    paired = [(r["intra_fid"][-1], concat[r["seed"]]) for r in rows["projection"]
              if r["seed"] in concat]  # fmt: skip
    wins = sum(p < c for p, c in paired)
    if mean["projection"] < min(mean["concat"], mean["AC-GAN"]) and wins >= 0.8 * len(paired):
        return "holds"
    if mean["projection"] < mean["concat"]:
        return "holds partly"
    if len(paired) - wins >= 0.8 * len(paired):
        return "contradicted"
    return "not seen at this scale"


def table(scores, args):
    import summary

    lines = [
        f"Fashion-MNIST, DCGAN ({args.base_filters} filters), seeds "
        f"{', '.join(map(str, args.seeds))}, {args.steps:,} steps; {args.samples:,} generated "
        f"images against the {args.real_samples:,} test images in a classifier's features "
        f"(mean +- s.e.).",
        "",
        summary.block_verdict(
            summary.projection_row({k: v for k, v in scores.items() if k[-1] in args.seeds}),
            verdict(scores, args),
        ),
        "",
        "| conditioning | runs | intra-class FID | FID | classifier IS | accuracy on the "
        "requested class | worst seed (intra-FID) | mean intra-FID every "
        f"{args.every:,} steps |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in VARIANTS:
        rows = rows_of(scores, name, args)
        if not rows:
            continue
        worst = max(rows, key=lambda r: r["intra_fid"][-1])
        curve = curve_text(rows, "intra_fid")
        lines.append(
            f"| {name} | {len(rows)} | {mean_se_text([r['intra_fid'][-1] for r in rows])} "
            f"| {mean_se_text([r['fid'][-1] for r in rows])} "
            f"| {mean_se_text([r['is'][-1] for r in rows])} "
            f"| {mean_se_text([100 * r['accuracy'][-1] for r in rows], 1, '%')} "
            f"| {worst['intra_fid'][-1]:.2f} (seed {worst['seed']}) | {curve} |"
        )
    return "\n".join(lines)


def plot(scores, args, path):
    """Intra-class FID against steps (every run thin, the mean thick) and the
    last step's accuracy per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    for i, (name, color) in enumerate(zip(VARIANTS, ("tab:blue", "tab:orange", "tab:green"),
                                          strict=True)):  # fmt: skip
        rows = rows_of(scores, name, args)
        if not rows:
            continue
        plot_runs(axes[0], rows, "intra_fid", color, name)
        accuracy = [100 * r["accuracy"][-1] for r in rows]
        axes[1].scatter(np.full(len(rows), i), accuracy, color=color, alpha=0.7)
        axes[1].plot([i - 0.25, i + 0.25], [np.mean(accuracy)] * 2, color=color, lw=2)
    axes[0].set(xlabel="steps", ylabel="intra-class FID (lower is better)", yscale="log")
    axes[0].set_yticks([3, 4, 6, 10, 20, 40], labels=["3", "4", "6", "10", "20", "40"])
    axes[0].yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes[0].legend(fontsize=8)
    axes[1].set(xticks=range(len(VARIANTS)), xticklabels=list(VARIANTS),
                ylabel="accuracy on the requested class (%)",
                title=f"at {args.steps:,} steps, every seed")  # fmt: skip
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "claim_projection", "0,1,2,3,4")
    parser.add_argument("--steps", type=int, default=3_000, help="the flagfiles' 3,000")
    parser.add_argument("--every", type=int, default=1_000, help="steps between scored points")
    parser.add_argument("--base_filters", type=int, default=32)
    parser.add_argument("--samples", type=int, default=5_000, help="generated images scored")
    parser.add_argument("--real_samples", type=int, default=10_000, help="test images")
    parser.add_argument("--data", default=FASHION, help="a folder of Fashion-MNIST IDX files")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.steps % args.every or args.every % 10 or args.samples % (10 * NUM_CLASSES):
        raise SystemExit("--steps: a multiple of --every, itself a multiple of 10; "
                         "--samples: a multiple of 100")  # fmt: skip
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "claim projection")
    if args.plots and scores:
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'claim_projection.png'))}")


if __name__ == "__main__":
    main()

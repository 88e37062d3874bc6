"""EBGAN's claim over a grid of fully-connected MNIST GANs: the distribution of
a modified inception score (I') is better for EBGANs than for GANs.

Zhao et al. (arXiv 1609.03126, section 4.1, their Figure 2) train a GAN and an
EBGAN for every setting of a grid (layers and units of G and D, dropout in D,
Adam or SGD for each network, learning rate) and plot the histograms of I' =
E_x KL(p(y) || p(y|x)) (`metrics.modified_inception_score`) of both: EBGAN's
mass lies at higher scores. Their grid is `GRID` here.

Protocol here: a seeded random subset of the grid (``--configs``
configurations drawn with seed 0, the same for both losses), each trained once
as a GAN (non-saturating loss, `architectures.mlp.image_mlp_discriminator`)
and once as an EBGAN (margin loss, margin 1, no pulling-away term,
`mlp_autoencoder_discriminator`: the same trunk as its encoder and one tanh
layer as its decoder), on the 10,000 MNIST images of ``../shared/data/mnist``
(the original test split, all we have), batch 64, z 64-D normal, ``--steps``
steps, the configuration's index as its seed. The generator: batch norm and
ReLU after each hidden layer, a tanh output; the discriminator: LeakyReLU(0.2),
batch norm after every weight layer but the first, dropout 0.5 after each when
the configuration has it; Adam with beta1 0.5; SGD without momentum.
Differences: the widths are the paper's times ``--width_scale`` (0.25: G 100
to 800, D 32 to 256 units) and 1,000 steps (6.4 passes over the images), for
time; 10,000 images, not 60,000; their code is not public, so z, the margin,
Adam's betas and the decoder are ours.

Scoring, fixed before the runs: I' of 5,000 samples of the last step, with
the digit classifier of `records` (`features.train_classifier` on the same
10,000 images, 3 epochs); a run whose samples are not finite scores 0. The
claim **holds** when EBGAN's median I' is higher than the GAN's and EBGAN
scores higher on more of the paired configurations with a two-sided sign test
p < 0.05; **holds partly** when one of the two is true without the other (or
the majority is not significant); **contradicted** when the GAN's median is
higher and it wins the sign test at p < 0.05; otherwise **not seen at this scale**.

Resumable: one JSON line per (loss, configuration) in ``--scores``
(``benchmarks/scores/claim_ebgan.jsonl``). ``--table_only`` rebuilds the table
and the histograms from the scores:

    nice python benchmarks/claim_ebgan.py --configs 60 --write
"""

import argparse
import datetime
import itertools
import math
import os
import time

import numpy as np
from records import (
    REPO,
    add_run_arguments,
    append_score,
    features_and_probabilities,
    load_scores,
    run_and_tabulate,
    save_figure,
)

KEY = ("loss", "config")
SECTION = "## Claim: EBGAN beats the GAN over a grid of settings"
MNIST = os.path.join(REPO, "..", "shared", "data", "mnist")
GRID = {
    "g_layers": (2, 3, 4, 5),
    "d_layers": (2, 3, 4, 5),
    "g_units": (400, 800, 1600, 3200),
    "d_units": (128, 256, 512, 1024),
    "dropout": (True, False),
    "d_optimizer": ("adam", "sgd"),
    "g_optimizer": ("adam", "sgd"),
    "lr": (0.01, 0.001, 0.0001),
}
LOSSES = ("EBGAN", "GAN")
LATENT_DIM = 64
SAMPLES = 5000


def configurations(count):
    """The first ``count`` settings of `GRID` in one shuffled order (seed 0): a
    larger ``count`` keeps the smaller one's configurations under the same
    indices, so the scores of a run with fewer stay valid."""
    grid = list(itertools.product(*GRID.values()))
    order = np.random.default_rng(0).permutation(len(grid))[:count]
    return [dict(zip(GRID, grid[i], strict=True)) for i in order]


def optimizer(name, lr):
    import keras

    return keras.optimizers.Adam(lr, beta_1=0.5) if name == "adam" else keras.optimizers.SGD(lr)


def build(loss, setting, width_scale, seed, paper=False):
    """The compiled GAN or EBGAN of one grid setting.

    ``paper=True`` is `claim_ebgan_paper`'s protocol: a layer count counts every
    weight layer (G's output, the GAN's score, the EBGAN's decoder), the energy
    is the residual's L2 norm and the margin 10; otherwise this script's v1
    (hidden layers counted, the decoder on top, mean squared energy, margin 1)."""
    import keras

    from tfgan_zoo import models
    from tfgan_zoo.architectures import mlp

    keras.utils.set_random_seed(seed)
    shape = (28, 28, 1)
    hidden = -1 if paper else 0
    generator = mlp.image_mlp_generator(
        LATENT_DIM, shape, hidden_units=round(setting["g_units"] * width_scale),
        num_layers=setting["g_layers"] + hidden,
    )  # fmt: skip
    d_sizes = {
        "hidden_units": round(setting["d_units"] * width_scale),
        "num_layers": setting["d_layers"] + hidden,
        "dropout": 0.5 if setting["dropout"] else 0.0,
    }
    if loss == "EBGAN":
        energy, margin = ("norm", 10.0) if paper else ("mse", 1.0)
        discriminator = mlp.mlp_autoencoder_discriminator(shape, **d_sizes, energy=energy)
        model = models.EBGAN(generator, discriminator, LATENT_DIM, loss="energy_margin",
                             loss_kwargs={"margin": margin}, pt_weight=0.0,
                             seed=seed)  # fmt: skip
    else:
        model = models.GAN(generator, mlp.image_mlp_discriminator(shape, **d_sizes), LATENT_DIM,
                           loss="non_saturating", seed=seed)  # fmt: skip
    model.compile(g_optimizer=optimizer(setting["g_optimizer"], setting["lr"]),
                  d_optimizer=optimizer(setting["d_optimizer"], setting["lr"]),
                  jit_compile=True, steps_per_execution=10)  # fmt: skip
    return model


def classifier(args):
    from tfgan_zoo import images
    from tfgan_zoo.evaluation import real_batches
    from tfgan_zoo.metrics.features import ClassifierExtractor, train_classifier

    x, y = real_batches("idx:" + args.data, "test", 10_000, seed=1)
    extractor = ClassifierExtractor(train_classifier(images.to_uint8(x), y))
    return extractor, x


def i_prime_of(images, extractor):
    """I' of ``images`` under the digit classifier."""
    from tfgan_zoo import metrics

    return metrics.modified_inception_score(features_and_probabilities(extractor, images)[1])


def samples(generator):
    """`SAMPLES` samples of latents of seed 0, or None when they are not finite."""
    z = np.random.default_rng(0).standard_normal((SAMPLES, LATENT_DIM)).astype(np.float32)
    fake = np.concatenate([np.asarray(generator(z[i : i + 500], training=False))
                           for i in range(0, SAMPLES, 500)])  # fmt: skip
    return fake if np.all(np.isfinite(fake)) else None


def i_prime(generator, extractor):
    """I' of `samples`; 0 when they are not finite."""
    fake = samples(generator)
    return 0.0 if fake is None else i_prime_of(fake, extractor)


def run(args):
    import keras

    from tfgan_zoo import data

    done = load_scores(args.scores, KEY)
    settings = configurations(args.configs)
    todo = [(loss, i) for i in range(args.configs) for loss in LOSSES if (loss, i) not in done]
    print(f"{len(done)} done; {len(todo)} to go", flush=True)
    if not todo:
        return done
    extractor, real = classifier(args)
    real_score = i_prime_of(real[:SAMPLES], extractor)
    print(f"I' of {SAMPLES:,} real images: {real_score:.2f}", flush=True)
    started = time.time()
    for n, (loss, i) in enumerate(todo):
        dataset, _ = data.load("idx:" + args.data, 64, split="test", seed=i)
        model = build(loss, settings[i], args.width_scale, seed=i)
        model.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0,
                  callbacks=[keras.callbacks.TerminateOnNaN()])  # fmt: skip
        score = i_prime(model.generator, extractor)
        append_score(args.scores, {"loss": loss, "config": i, **settings[i], "i_prime": score,
                                   "steps": args.steps, "width_scale": args.width_scale,
                                   "date": datetime.date.today().isoformat()})  # fmt: skip
        elapsed = (time.time() - started) / 60
        print(f"[{n + 1}/{len(todo)}] {loss} config {i} {settings[i]}: I' {score:.2f}; "
              f"{elapsed:.1f} min, ~{elapsed / (n + 1) * (len(todo) - n - 1):.0f} min left",
              flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def paired(scores, args):
    """``[(EBGAN's I', GAN's I')]`` of the configurations both losses finished."""
    both = [i for i in range(args.configs) if ("EBGAN", i) in scores and ("GAN", i) in scores]
    return [(scores[("EBGAN", i)]["i_prime"], scores[("GAN", i)]["i_prime"]) for i in both]


def sign_test(wins, losses):
    """Two-sided p of ``wins`` against ``losses`` under a fair coin (ties dropped)."""
    n = wins + losses
    if not n:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


def verdict(scores, args):
    pairs = paired(scores, args)
    if not pairs:
        return "not tested yet", 1.0
    ebgan, gan = np.transpose(pairs)
    wins, losses = int(np.sum(ebgan > gan)), int(np.sum(ebgan < gan))
    p = sign_test(wins, losses)
    higher_median = np.median(ebgan) > np.median(gan)
    if higher_median and wins > losses and p < 0.05:
        return "holds", p
    if not higher_median and losses > wins and p < 0.05:
        return "contradicted", p
    return ("holds partly" if higher_median or wins > losses else "not seen at this scale"), p


def table(scores, args):
    pairs = paired(scores, args)
    result, p = verdict(scores, args)
    lines = [
        f"{len(pairs)} of {args.configs} grid configurations (seeded subset of the paper's "
        f"6,144, widths x{args.width_scale}, {args.steps:,} steps on MNIST's 10,000 test "
        f"images), each trained once per loss; I' of {SAMPLES:,} samples. Verdict by the rule "
        f"fixed before the runs: **{result}** (sign test p = {p:.2g}).",
        "",
        "| loss | runs | median I' | quartiles | mean | runs with I' < 1 | configurations "
        "where it scores higher |",
        "|---|---|---|---|---|---|---|",
    ]
    if not pairs:
        return "\n".join(lines)
    columns = np.transpose(pairs)
    for loss, values, other in ((LOSSES[0], columns[0], columns[1]),
                                (LOSSES[1], columns[1], columns[0])):  # fmt: skip
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        lines.append(
            f"| {loss} | {len(values)} | {median:.2f} | {q1:.2f} - {q3:.2f} "
            f"| {np.mean(values):.2f} | {int(np.sum(values < 1))} "
            f"| {int(np.sum(values > other))} of {len(values)} |"
        )
    return "\n".join(lines)


def plot(scores, args, path):
    """`plot_pairs` of this script's scores."""
    return plot_pairs(paired(scores, args), path)


def plot_pairs(pairs, path):
    """Histograms of I' for both losses (the paper's Figure 2, on our subset), and
    each configuration's EBGAN score against its GAN score; ``pairs`` are
    ``[(EBGAN's I', GAN's I')]``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = np.array(pairs)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    bins = np.linspace(0, max(1.0, pairs.max()), 25)
    for column, (loss, color) in enumerate(zip(LOSSES, ("tab:blue", "tab:red"), strict=True)):
        axes[0].hist(pairs[:, column], bins=bins, alpha=0.55, color=color,
                     label=f"{loss} ({len(pairs)} runs)")  # fmt: skip
    axes[0].set(xlabel="I' (higher is better)", ylabel="runs")
    axes[0].legend(fontsize=8)
    axes[1].scatter(pairs[:, 1], pairs[:, 0], s=14, alpha=0.7)
    axes[1].plot(bins[[0, -1]], bins[[0, -1]], color="gray", lw=0.8, label="equal I'")
    axes[1].set(xlabel="GAN's I'", ylabel="EBGAN's I' (same configuration)")
    axes[1].legend(fontsize=8, loc="lower right")
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "claim_ebgan", seeds=None)  # a configuration's index seeds it
    parser.add_argument("--configs", type=int, default=60, help="grid configurations")
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--width_scale", type=float, default=0.25, help="x the paper's widths")
    parser.add_argument("--data", default=MNIST, help="a folder of MNIST IDX files")
    args = parser.parse_args()
    if args.steps % 10:
        raise SystemExit("--steps: a multiple of 10 (steps per execution)")
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "claim ebgan")
    if args.plots and paired(scores, args):
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'claim_ebgan.png'))}")


if __name__ == "__main__":
    main()

"""Sample quality of every unconditional loss, as a markdown table.

Toy rows: modes covered / % high-quality samples / reverse KL on ring8 and
grid25 (VEEGAN / PacGAN definitions), mean over seeds, MLP networks. Image
rows: classifier FID on Fashion-MNIST after a fixed step budget (DCGAN
networks; features of `tfgan_zoo.metrics.features.ClassifierExtractor`, not
Inception, so the numbers are comparable among rows of this table only).
Run from the repository root; budgets are flags so a quick run is possible:

    python benchmarks/quality.py --toy_steps 12000 --image_steps 3000 --seeds 3
"""

import argparse
import statistics
import tempfile
import time

import numpy as np

from tfgan_zoo import images, metrics, trainer
from tfgan_zoo.config import TrainConfig
from tfgan_zoo.evaluation import real_batches
from tfgan_zoo.metrics.features import ClassifierExtractor, train_classifier

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


def toy_row(common, dataset, steps, seeds):
    results = []
    for seed in range(seeds):
        config = TrainConfig(
            **{"architecture": "mlp", "dataset": dataset, "latent_dim": 16, "batch_size": 256,
               "g_lr": 1e-3, "d_lr": 1e-3, "epochs": 1, "steps_per_epoch": steps,
               "model_dir": tempfile.mkdtemp(), "verbose": 0, "seed": seed,
               "sample_every": steps, "checkpoint_every": steps, **common}
        )  # fmt: skip
        model = trainer.train(config).model
        toy = trainer.data.TOY_SETS[dataset]()
        z = np.random.default_rng(123).standard_normal((2500, 16)).astype(np.float32)
        results.append(metrics.mode_coverage(model.generator(z).numpy(), toy.means, toy.std))
    modes = statistics.mean(r.modes_covered for r in results)
    hq = 100 * statistics.mean(r.high_quality_fraction for r in results)
    kl = statistics.mean(min(r.reverse_kl, 99.0) for r in results)
    return f"{modes:.1f} / {hq:.1f}% / {kl:.2f}"


def image_fid(overrides, steps, extractor, real, dataset):
    config = TrainConfig(
        **{"dataset": dataset, "batch_size": 64, "epochs": 1, "steps_per_epoch": steps,
           "model_dir": tempfile.mkdtemp(), "verbose": 0, "sample_every": steps,
           "checkpoint_every": steps, **overrides}
    )  # fmt: skip
    model = trainer.train(config).model
    z = np.random.default_rng(0).standard_normal((len(real), model.generator_input_dim))
    fake = [model.preview(z[i : i + 500].astype(np.float32)) for i in range(0, len(z), 500)]
    scores = metrics.compare(extractor, np.array_split(real, len(real) // 500), fake)
    return scores["fid"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--toy_steps", type=int, default=12000)
    parser.add_argument("--image_steps", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--fid_samples", type=int, default=5000)
    parser.add_argument("--dataset", default="idx:../shared/data/fashion-mnist")
    args = parser.parse_args()
    train_x, train_y = real_batches(args.dataset, "train", 20_000, seed=1)
    extractor = ClassifierExtractor(train_classifier(images.to_uint8(train_x), train_y))
    real, _ = real_batches(args.dataset, "test", args.fid_samples, seed=2)
    print(
        f"toy: {args.toy_steps} steps, {args.seeds} seeds; Fashion-MNIST: "
        f"{args.image_steps} steps, classifier FID on {args.fid_samples} test images"
    )
    print("| loss | ring8 modes / HQ / rKL | grid25 modes / HQ / rKL | F-MNIST FID | minutes |")
    print("|---|---|---|---|---|")
    for name, (common, image_overrides) in VARIANTS.items():
        start = time.time()
        ring = grid = "n/a (image-only model)"
        if common is not None:
            ring = toy_row(common, "ring8", args.toy_steps, args.seeds)
            grid = toy_row(common, "grid25", args.toy_steps, args.seeds)
        image_common = {k: v for k, v in (common or {}).items() if k != "gp_weight"}
        fid = image_fid({**image_common, **image_overrides}, args.image_steps, extractor, real,
                        args.dataset)  # fmt: skip
        minutes = (time.time() - start) / 60
        print(f"| {name} | {ring} | {grid} | {fid:.2f} | {minutes:.1f} |", flush=True)


if __name__ == "__main__":
    main()

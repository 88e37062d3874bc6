"""Toy runs scored as `mode_collapse.py` scores them, and again after the
batch-norm refresh PacGAN's code runs before it measures.

PacGAN's toy code (fjxmlzn/PacGAN, ``pacgan_task.py``) updates the
generator's population statistics once a training step, from the m pack
positions' batch statistics averaged (new = 0.95 old + 0.05 batch), and its
end-of-epoch monitoring pass (``DataStreamMonitoring(..., updates=bn_updates)``
over 5,000 training points in batches of 100) applies the same update 50 more
times with the weights frozen; the samples its metrics score are drawn after
that pass. Our training updates the statistics once per pack position's call
and `mode_collapse.py` scores the checkpoint as it is. This script measures
what that difference is worth: each run's checkpoint at ``--steps`` in
``--work_dir`` (the latest, or an earlier one the run still keeps), scored as
it is, then after those 50 refresh updates (each from ``pack`` calls of 100
samples, their statistics averaged; Blocks averages standard deviations where
Keras keeps variances, about 0.3% apart for batches of 100). The runs are not
changed.

    python benchmarks/population_stats.py --seeds 0,1,2,3,4 --steps 50000
"""

import argparse
import os
import sys

import keras
import numpy as np
from mode_collapse import DATASETS, VARIANTS, flagfile_config, score
from records import RUNS, mean_se

from tfgan_zoo import trainer

REFRESH_BATCHES, BATCH, MOMENTUM = 50, 100, 0.95  # PacGAN's monitoring pass


def refresh_population_statistics(model, seed=0):
    """Applies PacGAN's monitoring-pass update to the generator's batch-norm
    population statistics: ``REFRESH_BATCHES`` times, the batch statistics of
    ``model.pack`` training-mode calls of ``BATCH`` latent vectors, averaged,
    moved into the population ones with ``MOMENTUM``."""
    generator = model.generator
    norms = [layer for layer in generator.layers
             if isinstance(layer, keras.layers.BatchNormalization)]  # fmt: skip
    norm_inputs = keras.Model(generator.inputs, [layer.input for layer in norms])
    gen = np.random.default_rng(seed)
    for _ in range(REFRESH_BATCHES):
        # Keras' own training-mode update moves them too: start from a copy.
        population = [(layer.moving_mean.numpy(), layer.moving_variance.numpy()) for layer in norms]
        moments = []
        for _ in range(model.pack):
            z = gen.standard_normal((BATCH, model.latent_dim)).astype(np.float32)
            xs = norm_inputs(z, training=True)
            moments.append([(np.mean(x, 0), np.var(x, 0)) for x in map(np.asarray, xs)])
        for i, (layer, (old_mean, old_var)) in enumerate(zip(norms, population, strict=True)):
            mean = np.mean([m[i][0] for m in moments], 0)
            var = np.mean([m[i][1] for m in moments], 0)
            layer.moving_mean.assign(MOMENTUM * old_mean + (1 - MOMENTUM) * mean)
            layer.moving_variance.assign(MOMENTUM * old_var + (1 - MOMENTUM) * var)


def scored_and_refreshed(run_dir, dataset, steps):
    """The scores of ``run_dir``'s checkpoint at ``steps``, as it is and refreshed."""
    try:
        model, _ = trainer.restore_model(run_dir, step=steps)
    except FileNotFoundError as error:
        sys.exit(str(error))
    before = score(model, dataset)[1]
    refresh_population_statistics(model)
    return before, score(model, dataset)[1]


def cells(rows, key, scale, fmt):
    """``mean +- se -> mean +- se`` of ``key`` before and after over ``rows``."""
    sides = [[scale * min(row[i][key], 99.0) for row in rows] for i in (0, 1)]
    return " -> ".join("{:{f}} +- {:{f}}".format(*mean_se(side), f=fmt) for side in sides)


HEADER = (
    "| method | data | updates | seeds | modes: scored -> refreshed | HQ %: scored -> refreshed "
    "| reverse KL: scored -> refreshed | HQ change per seed (points) |\n"
    "|---|---|---|---|---|---|---|---|"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument(
        "--steps",
        type=int,
        required=True,
        help="the update to score: the latest checkpoint or one still kept",
    )
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--work_dir", default=os.path.join(RUNS, "mode_collapse"))
    args = parser.parse_args()
    print(HEADER)
    for dataset in args.datasets.split(","):
        for variant in args.variants.split(","):
            rows = [
                scored_and_refreshed(
                    flagfile_config(variant, dataset, seed, args.steps, args).model_dir,
                    dataset,
                    args.steps,
                )
                for seed in map(int, args.seeds.split(","))
            ]
            change = ", ".join(f"{100 * (b['hq'] - a['hq']):+.1f}" for a, b in rows)
            print(
                f"| {variant} | {dataset} | {args.steps:,} | {len(rows)} | "
                f"{cells(rows, 'modes', 1, '.1f')} | {cells(rows, 'hq', 100, '.1f')} | "
                f"{cells(rows, 'rkl', 1, '.2f')} | {change} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

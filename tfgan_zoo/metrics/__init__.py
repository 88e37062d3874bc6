"""Quality metrics for generated samples.

`compare(extractor, real_batches, fake_batches)` runs an extractor of
`tfgan_zoo.metrics.features` over batches of real and generated images and
returns FID, KID (mean, std), Inception Score (mean, std), precision, recall,
density and coverage. `mode_coverage` scores 2-D toy samples. `FrechetDistance`
is FID as a `keras.metrics.Metric`, updated in-graph and inside tf.distribute.
"""

import numpy as np

from tfgan_zoo.metrics.distances import (
    Moments,
    Reservoir,
    fid,
    frechet_distance,
    inception_score,
    intra_class_fid,
    kid,
    mmd2_unbiased,
    modified_inception_score,
    precision_recall,
)
from tfgan_zoo.metrics.mode_coverage import ModeCoverage, mode_coverage
from tfgan_zoo.metrics.streaming import FrechetDistance


def feature_moments(extractor, batches):
    """`Moments` of the extractor's features over an iterable of image batches."""
    moments = Moments()
    for batch in batches:
        moments.update(extractor(batch)[0])
    return moments


def compare(extractor, real_batches, fake_batches, k=3, kid_subset_size=1000, max_samples=50_000):
    """All image metrics between two streams of float image batches in [-1, 1].

    FID uses every image, through running moments. KID, IS, precision/recall
    and density/coverage use all images up to ``max_samples`` per side and a
    uniform random sample of ``max_samples`` beyond (`Reservoir`), so memory
    stays bounded however long the streams are.
    """
    real_moments, fake_moments = Moments(), Moments()
    real_rows, fake_rows = Reservoir(max_samples, seed=0), Reservoir(max_samples, seed=1)
    for batch in real_batches:
        features, _ = extractor(batch)
        real_moments.update(features)
        real_rows.update(features.astype(np.float32))
    for batch in fake_batches:
        features, probabilities = extractor(batch)
        fake_moments.update(features)
        fake_rows.update(features.astype(np.float32), probabilities)
    (real_features,), (fake_features, fake_probabilities) = real_rows.sample(), fake_rows.sample()
    kid_mean, kid_std = kid(real_features, fake_features, subset_size=kid_subset_size)
    is_mean, is_std = inception_score(fake_probabilities)
    manifold = precision_recall(real_features, fake_features, k)
    return {
        "fid": fid(real_moments, fake_moments),
        "kid": kid_mean,
        "kid_std": kid_std,
        "inception_score": is_mean,
        "inception_score_std": is_std,
        "precision": manifold.precision,
        "recall": manifold.recall,
        "density": manifold.density,
        "coverage": manifold.coverage,
        "real_images": real_rows.seen,
        "generated_images": fake_rows.seen,
    }


__all__ = [
    "FrechetDistance",
    "ModeCoverage",
    "Moments",
    "Reservoir",
    "compare",
    "feature_moments",
    "fid",
    "frechet_distance",
    "inception_score",
    "intra_class_fid",
    "kid",
    "mmd2_unbiased",
    "modified_inception_score",
    "mode_coverage",
    "precision_recall",
]

"""Mode coverage on Gaussian-mixture toy data, as VEEGAN and PacGAN define it.

A generated sample is *high quality* when it lies within 3 standard
deviations of its nearest mode. A mode is *covered* when it is the nearest
mode of at least one high-quality sample. The reverse KL divergence compares
the histogram of high-quality samples over modes, ``q``, with the uniform
distribution ``p`` of the data: ``KL(q || p) = sum_k q_k log(q_k / p_k)``.
"""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class ModeCoverage:
    modes_covered: int
    num_modes: int
    high_quality_fraction: float
    reverse_kl: float
    counts: tuple

    def __str__(self):
        return (
            f"{self.modes_covered}/{self.num_modes} modes, "
            f"{100 * self.high_quality_fraction:.1f}% high quality, "
            f"reverse KL {self.reverse_kl:.3f}"
        )


def mode_coverage(samples, means, std, threshold=3.0):
    """Scores ``samples [N, D]`` against a mixture with ``means [K, D]`` and ``std``.

    Returns a `ModeCoverage`; ``reverse_kl`` is ``inf`` when no sample is of
    high quality.
    """
    samples = np.asarray(samples, np.float64)
    means = np.asarray(means, np.float64)
    dist = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1)
    nearest = dist.argmin(axis=1)
    high_quality = dist[np.arange(len(samples)), nearest] <= threshold * std
    counts = np.bincount(nearest[high_quality], minlength=len(means))
    total = counts.sum()
    if total == 0:
        reverse_kl = float("inf")
    else:
        q = counts / total
        nz = q > 0
        reverse_kl = float(np.sum(q[nz] * np.log(q[nz] * len(means))))
    return ModeCoverage(
        modes_covered=int((counts > 0).sum()),
        num_modes=len(means),
        high_quality_fraction=float(high_quality.mean()) if len(samples) else 0.0,
        reverse_kl=reverse_kl,
        counts=tuple(int(c) for c in counts),
    )

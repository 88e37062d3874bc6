"""Sample-quality metrics on feature vectors: FID, KID, IS, precision/recall, density/coverage.

All take features (or class probabilities) as numpy arrays produced by an
extractor in `tfgan_zoo.metrics.features`. FID only needs running sums, kept
by `Moments`, so any number of batches fits in memory. KID, IS and the
k-nearest-neighbour metrics need the rows themselves; a `Reservoir` keeps a
uniform random sample of at most a fixed number of them. The kNN metrics never
build an N x N distance matrix: `precision_recall` works through the points a
block of rows at a time, so its memory grows as ``block_size * N`` rather than
``N^2`` (at 50,000 samples one full float64 distance matrix is 20 GB).
"""

import dataclasses

import numpy as np


class Moments:
    """Streaming mean and covariance of feature batches (float64 sums)."""

    def __init__(self):
        self.n, self.sum, self.outer = 0, None, None

    def update(self, features):
        f = np.asarray(features, np.float64).reshape(len(features), -1)
        if self.sum is None:
            self.sum = np.zeros(f.shape[1])
            self.outer = np.zeros((f.shape[1], f.shape[1]))
        self.n += len(f)
        self.sum += f.sum(0)
        self.outer += f.T @ f
        return self

    @property
    def mean(self):
        return self.sum / self.n

    @property
    def covariance(self):
        mean = self.mean
        return (self.outer - self.n * np.outer(mean, mean)) / (self.n - 1)


class Reservoir:
    """A uniform random sample of at most ``capacity`` rows of a stream of batches.

    Vitter's Algorithm R: row ``t`` of the stream (0-based) is kept if
    ``t < capacity``, otherwise it replaces slot ``j ~ U{0..t}`` when
    ``j < capacity``, so that after ``n`` rows every row is held with
    probability ``capacity / n``. Up to ``capacity`` rows it simply holds
    them all, in order. ``update`` takes several aligned arrays (features and
    class probabilities of the same images) and keeps their rows together.
    """

    def __init__(self, capacity, seed=0):
        self.capacity, self.seen, self.rows = int(capacity), 0, None
        self.rng = np.random.default_rng(seed)

    def update(self, *arrays):
        if self.rows is None:
            self.rows = [np.empty((0, *a.shape[1:]), a.dtype) for a in arrays]
        if len(arrays) != len(self.rows):
            raise ValueError(f"Reservoir holds {len(self.rows)} arrays; got {len(arrays)}.")
        index = self.seen + np.arange(len(arrays[0]))
        slots = np.where(index < self.capacity, index, self.rng.integers(0, index + 1))
        keep = slots < self.capacity
        self._grow(min(self.capacity, self.seen + len(index)))
        for store, array in zip(self.rows, arrays, strict=True):
            store[slots[keep]] = array[keep]  # a repeated slot keeps the later row, as in order
        self.seen += len(index)
        return self

    def _grow(self, size):
        """Room for ``size`` rows, doubling so that filling up copies each row O(1) times."""
        held = len(self.rows[0])
        if size > held:
            new = min(self.capacity, max(size, 2 * held))
            self.rows = [
                np.concatenate([rows, np.empty((new - held, *rows.shape[1:]), rows.dtype)])
                for rows in self.rows
            ]

    def sample(self):
        """The held rows: one array per array given to `update`."""
        return [rows[: min(self.seen, self.capacity)] for rows in self.rows]


def _sqrtm_psd(matrix):
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """``||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))`` between two Gaussians.

    ``Tr((S1 S2)^(1/2))`` is computed as the trace of the square root of the
    symmetric ``S1^(1/2) S2 S1^(1/2)``, which has the same eigenvalues.
    """
    root1 = _sqrtm_psd(sigma1)
    cross = _sqrtm_psd(root1 @ sigma2 @ root1)
    diff = np.asarray(mu1) - np.asarray(mu2)
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(cross))


def fid(moments_a, moments_b):
    """Fréchet Inception (or classifier) Distance between two `Moments`."""
    return frechet_distance(
        moments_a.mean, moments_a.covariance, moments_b.mean, moments_b.covariance
    )


def intra_class_fid(real_features, real_labels, fake_features, fake_labels):
    """Per-class FID averaged over the classes (Miyato & Koyama 2018's intra-class
    FID): ``{"intra_fid": mean, "per_class": {label: FID}}``.

    Each class's generated features are compared with the real features of the
    same class only, so a conditional generator that draws good images of the
    wrong class scores badly here while its overall FID can stay low. Every
    class of ``real_labels`` must have generated samples.
    """
    real_labels, fake_labels = np.asarray(real_labels), np.asarray(fake_labels)
    per_class = {}
    for label in np.unique(real_labels):
        if not np.any(fake_labels == label):
            raise ValueError(f"No generated samples of class {label}: generate every class.")
        real = Moments().update(np.asarray(real_features)[real_labels == label])
        fake = Moments().update(np.asarray(fake_features)[fake_labels == label])
        per_class[int(label)] = fid(real, fake)
    return {"intra_fid": float(np.mean(list(per_class.values()))), "per_class": per_class}


def polynomial_kernel(x, y):
    """``(x . y / d + 1)^3``, the kernel of KID (Bińkowski et al. 2018)."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x, y):
    """Unbiased squared MMD between feature sets ``x`` and ``y`` with `polynomial_kernel`."""
    m, n = len(x), len(y)
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    return float(
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        - 2 * kxy.mean()
    )


def kid(real, fake, subsets=10, subset_size=1000, seed=0):
    """Kernel Inception Distance: mean and std of unbiased MMD^2 over random subsets.

    Subsets hold ``subset_size`` rows, or half the smaller set when that is
    fewer: subsets of every row would all be equal and give a std of 0.
    """
    real, fake = np.asarray(real), np.asarray(fake)
    size = min(subset_size, min(len(real), len(fake)) // 2)
    rng = np.random.default_rng(seed)
    values = [
        mmd2_unbiased(
            real[rng.choice(len(real), size, replace=False)].astype(np.float64),
            fake[rng.choice(len(fake), size, replace=False)].astype(np.float64),
        )
        for _ in range(subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def inception_score(probabilities, splits=10):
    """``exp(E_x KL(p(y|x) || p(y)))``, mean and std over ``splits`` (Salimans et al. 2016)."""
    p = np.asarray(probabilities, np.float64)
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(marginal + 1e-12))).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def modified_inception_score(probabilities, eps=1e-12):
    """EBGAN's I' (Zhao et al. 2017, section 4.1): ``E_x KL(p(y) || p(y|x))``,
    the inception score's divergence with its arguments swapped and no exp.

    Like the inception score it is high when each sample's class is certain
    and the classes are varied, but it grows without bound as ``p(y|x)`` puts
    less mass on classes the marginal ``p(y)`` holds, so it separates
    confident generators more sharply. Probabilities are clipped at ``eps``
    (the log of 0 is not finite).
    """
    p = np.clip(np.asarray(probabilities, np.float64), eps, None)
    marginal = p.mean(0, keepdims=True)
    return float((marginal * (np.log(marginal) - np.log(p))).sum(1).mean())


def _pairwise_distances(a, b):
    sq = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(sq, 0, None))


def _row_blocks(n, block_size):
    return (slice(start, min(start + block_size, n)) for start in range(0, n, block_size))


def _knn_radii(x, k, block_size):
    """Distance from each point of ``x`` to its k-th nearest other point."""
    radii = np.empty(len(x))
    for rows in _row_blocks(len(x), block_size):
        d = _pairwise_distances(x[rows], x)
        radii[rows] = np.partition(d, k, axis=1)[:, k]  # column 0 is the point itself
    return radii


@dataclasses.dataclass(frozen=True)
class Manifold:
    precision: float
    recall: float
    density: float
    coverage: float


def precision_recall(real, fake, k=3, block_size=1024):
    """Precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020).

    Each real (fake) point's ball reaches its k-th nearest real (fake)
    neighbour. Precision: fakes inside some real ball; recall: reals inside
    some fake ball; density: mean number of real balls holding a fake, over
    k; coverage: real balls holding at least one fake.

    Distances are computed ``block_size`` rows at a time; the result does not
    depend on it.
    """
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    real_radii = _knn_radii(real, k, block_size)
    fake_radii = _knn_radii(fake, k, block_size)
    fake_in_real_balls = np.zeros(len(fake), np.int64)
    real_in_fake_ball = np.zeros(len(real), bool)
    real_ball_has_fake = np.zeros(len(real), bool)
    for rows in _row_blocks(len(real), block_size):
        d = _pairwise_distances(real[rows], fake)  # [real rows, fake]
        inside_real = d <= real_radii[rows, None]
        fake_in_real_balls += inside_real.sum(0)
        real_ball_has_fake[rows] = inside_real.any(1)
        real_in_fake_ball[rows] = (d <= fake_radii[None, :]).any(1)
    return Manifold(
        precision=float((fake_in_real_balls > 0).mean()),
        recall=float(real_in_fake_ball.mean()),
        density=float(fake_in_real_balls.mean() / k),
        coverage=float(real_ball_has_fake.mean()),
    )

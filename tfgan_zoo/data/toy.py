"""Gaussian-mixture toy sets of the PacGAN / VEEGAN mode-collapse benchmarks.

- ``ring8``: 8 Gaussians with std 0.01 whose means sit at angles
  ``2 pi k / 8`` on the unit circle (8 distinct modes; note that
  ``linspace(0, 2 pi, 8)`` would put two of them on the same point).
- ``grid25``: 25 Gaussians with std 0.05 on the grid ``{-4, -2, 0, 2, 4}^2``.

Points are not rescaled: the mode-coverage metric uses the same coordinates.
"""

import dataclasses

import numpy as np
import tensorflow as tf


@dataclasses.dataclass(frozen=True)
class GaussianMixture:
    """An equal-weight mixture of isotropic Gaussians."""

    means: np.ndarray
    std: float

    def sample_numpy(self, n, seed=0):
        rng = np.random.default_rng(seed)
        idx = rng.integers(len(self.means), size=n)
        return (self.means[idx] + self.std * rng.standard_normal((n, 2))).astype(np.float32)

    def dataset(self, batch_size, seed=0, num_points=0, fixed_packs=0):
        """An endless `tf.data.Dataset` of ``[batch_size, 2]`` float32 batches.

        Batch ``i`` is drawn with the stateless seed ``(seed, i)``, so the
        stream is the same on every run and on every worker. With
        ``num_points``, batches come instead from one fixed training set of
        that many points (`sample_numpy` with ``seed``), reshuffled on every
        pass, as PacGAN trains (100,000 points, 1,000 batches of 100 per pass).

        ``fixed_packs=m`` (with ``num_points``) reproduces how PacGAN's code
        (``GaussianPackingMixture``) forms the real packs: ``num_points``
        tuples of ``m`` points, each position drawn once, with replacement,
        from the training set; the tuples are reshuffled on every pass and
        each batch holds ``batch_size / m`` of them, members consecutive, the
        order a packed discriminator reads. Without it a pack is ``m``
        consecutive points of the reshuffled set, so its members change every
        pass. ``fixed_packs=1`` is their unpacked GAN's data: one resample
        with replacement (about 63% of the points distinct).
        """
        if num_points:
            points = self.sample_numpy(num_points, seed)
            if fixed_packs:
                if batch_size % fixed_packs:
                    raise ValueError(
                        f"batch_size={batch_size} does not divide into packs of {fixed_packs}."
                    )
                ids = np.random.default_rng([seed, 1]).integers(
                    num_points, size=(num_points, fixed_packs)
                )
                points = points[ids]
            ds = tf.data.Dataset.from_tensor_slices(points)
            ds = ds.shuffle(num_points, seed=seed, reshuffle_each_iteration=True).repeat()
            if fixed_packs:
                ds = ds.batch(batch_size // fixed_packs, drop_remainder=True)
                ds = ds.map(lambda packs: tf.reshape(packs, [batch_size, 2]))
            else:
                ds = ds.batch(batch_size, drop_remainder=True)
            return ds.prefetch(tf.data.AUTOTUNE)
        means = tf.constant(self.means, tf.float32)

        def draw(i):
            seeds = tf.random.experimental.stateless_split(
                tf.stack([tf.cast(seed, tf.int64), i]), 2
            )
            idx = tf.random.stateless_uniform(
                [batch_size], seeds[0], maxval=len(self.means), dtype=tf.int32
            )
            noise = tf.random.stateless_normal([batch_size, 2], seeds[1])
            return tf.gather(means, idx) + self.std * noise

        return tf.data.Dataset.counter().map(draw).prefetch(tf.data.AUTOTUNE)


def ring8():
    angles = 2 * np.pi * np.arange(8) / 8
    return GaussianMixture(np.stack([np.cos(angles), np.sin(angles)], 1), 0.01)


def grid25():
    ticks = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
    return GaussianMixture(np.array([(x, y) for x in ticks for y in ticks]), 0.05)


TOY_SETS = {"ring8": ring8, "grid25": grid25}

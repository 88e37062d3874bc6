"""Stacked MNIST (Metz et al. 2017; VEEGAN, PacGAN): 1,000 modes from 10 digits.

Each image stacks three independently drawn MNIST digits as its red, green
and blue channels, so its mode is the 3-digit number ``100 a + 10 b + c``.
PacGAN's protocol draws 128,000 such images from MNIST's training digits.
"""

import numpy as np

STACKED_IMAGES = 128_000
PREFIX = "stacked:"


def stack(digits, labels, count=None, seed=0):
    """``(images [count, H, W, 3] uint8, modes [count])`` from ``digits [N, H, W, 1]``.

    The channels of image ``i`` are digits drawn uniformly with replacement
    (``seed`` fixes the draw); ``modes[i]`` is their labels read as a
    3-digit number. ``count`` defaults to `STACKED_IMAGES`.
    """
    digits, labels = np.asarray(digits), np.asarray(labels, np.int64)
    if digits.ndim != 4 or digits.shape[-1] != 1:
        raise ValueError(f"Stacked MNIST stacks grey digits [N, H, W, 1], got {digits.shape}.")
    count = STACKED_IMAGES if count is None else count
    picks = np.random.default_rng(seed).integers(len(digits), size=(count, 3))
    images = np.concatenate([digits[picks[:, k]] for k in range(3)], axis=-1)
    modes = labels[picks[:, 0]] * 100 + labels[picks[:, 1]] * 10 + labels[picks[:, 2]]
    return images, modes

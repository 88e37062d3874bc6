"""A new data source in one file: ``--dataset=spiral:<turns>``, 2-D points on a spiral."""

import numpy as np
import tensorflow as tf

from tfgan_zoo import data


@data.register_source("spiral")
def spiral(turns, batch_size, seed=0, **unused):
    """Endless batches of points on an Archimedean spiral of ``turns`` turns."""
    t = np.random.default_rng(seed).uniform(0, 1, 100_000).astype(np.float32)
    angle = 2 * np.pi * float(turns) * t
    points = np.stack([t * np.cos(angle), t * np.sin(angle)], 1) * 2
    ds = tf.data.Dataset.from_tensor_slices(points).shuffle(10_000, seed=seed).repeat()
    return ds.batch(batch_size, drop_remainder=True), data.DataInfo((2,), 0, f"spiral:{turns}")

"""FID as a `keras.metrics.Metric`: streaming, in-graph, and usable inside tf.distribute.

`FrechetDistance` keeps the running sums of `tfgan_zoo.metrics.Moments` (count,
sum, sum of outer products, in float64) as metric variables. Keras creates
metric variables as sync-on-read with SUM aggregation, so under a
`tf.distribute` strategy each replica adds its own share of a batch inside
``strategy.run`` and `result()` reads the sums over all replicas: the FID of
everything seen, exactly as on one device. `update_state` runs in a
`tf.function` as well as eagerly.

```python
fid = FrechetDistance(feature_dim)          # inside strategy.scope()
@tf.function
def step(real_images, fake_images):
    strategy.run(lambda r, f: fid.update_state(extract(r), extract(f)),
                 args=(real_images, fake_images))
for real, fake in distributed_batches:
    step(real, fake)
print(float(fid.result()))
```

KID and the k-nearest-neighbour metrics compare feature matrices, not
sums; gather the features (``strategy.gather``) and use `tfgan_zoo.metrics`.
"""

import keras
import tensorflow as tf


def _sqrtm_psd(matrix):
    values, vectors = tf.linalg.eigh((matrix + tf.transpose(matrix)) / 2)
    return (vectors * tf.sqrt(tf.maximum(values, 0.0))) @ tf.transpose(vectors)


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """The TensorFlow twin of `tfgan_zoo.metrics.frechet_distance` (same formula)."""
    root1 = _sqrtm_psd(sigma1)
    cross = _sqrtm_psd(root1 @ sigma2 @ root1)
    diff = mu1 - mu2
    return (
        tf.reduce_sum(diff * diff)
        + tf.linalg.trace(sigma1)
        + tf.linalg.trace(sigma2)
        - 2.0 * tf.linalg.trace(cross)
    )


class FrechetDistance(keras.metrics.Metric):
    """Streaming Fréchet distance between real and generated feature vectors.

    ``update_state(real_features, fake_features)`` takes ``[batch, dim]``
    features of each side (the batches may differ in size); `result()` is
    the FID between all features seen so far, as float64.

    Args:
      dim: width of the feature vectors.
    """

    def __init__(self, dim, name="fid", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dim = int(dim)
        self.sums = {}
        for side in ("real", "fake"):
            self.sums[side] = (
                self.add_variable((), "zeros", "float64", name=f"{side}_count"),
                self.add_variable((self.dim,), "zeros", "float64", name=f"{side}_sum"),
                self.add_variable((self.dim, self.dim), "zeros", "float64", name=f"{side}_outer"),
            )

    def _add(self, side, features):
        f = tf.cast(tf.reshape(features, [-1, self.dim]), tf.float64)
        count, total, outer = self.sums[side]
        count.assign_add(tf.cast(tf.shape(f)[0], tf.float64))
        total.assign_add(tf.reduce_sum(f, 0))
        outer.assign_add(tf.matmul(f, f, transpose_a=True))

    def update_state(self, real_features, fake_features, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("FrechetDistance takes no sample_weight.")
        self._add("real", real_features)
        self._add("fake", fake_features)

    def _moments(self, side):
        count, total, outer = (tf.convert_to_tensor(v) for v in self.sums[side])
        mean = total / count
        covariance = (outer - count * mean[:, None] * mean[None, :]) / (count - 1.0)
        return mean, covariance

    def result(self):
        return frechet_distance(*self._moments("real"), *self._moments("fake"))

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}

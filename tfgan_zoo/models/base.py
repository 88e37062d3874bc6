"""What every adversarial model shares with Keras' `fit`, whatever its networks."""

import keras


class AdversarialModel(keras.Model):
    """A `keras.Model` whose networks and optimizers are built before `fit`.

    Subclasses build their networks in the constructor, their optimizers in
    `compile`, and log through ``self.trackers`` (a dict of
    `keras.metrics.Mean`), which `metrics` exposes so Keras resets them each
    epoch.
    """

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Skips Keras' symbolic build, which these models do not need.

        Under a distribution strategy, Keras 3 builds a model before `fit` by
        taking one batch, reducing it across replicas and tracing ``call`` on
        it. Here there is nothing to build (the networks and optimizers
        already are), ``call`` takes generator inputs rather than a data
        batch, and the reduction fails under `MultiWorkerMirroredStrategy`
        for any nested batch such as ``(images, labels)``: TF 2.21 cannot
        all-reduce a tuple of `PerReplica` values across workers
        (keras-team/keras#20329 reports the same failure for dict inputs).
        """

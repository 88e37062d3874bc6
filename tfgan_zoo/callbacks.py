"""Keras callbacks for GAN training: checkpoints, NaN guard, scalars, samples.

Every callback counts in training steps (the model's ``steps_done``), so a
resumed run continues the same step axis in TensorBoard and in file names.
"""

import math
import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import images as images_lib


def _scalar(value):
    """A logged value as a float (MultiWorkerMirroredStrategy logs shape-[1] arrays)."""
    return float(np.mean(value))


def _all_finite(logs):
    return all(math.isfinite(_scalar(v)) for v in (logs or {}).values())


class StepCallback(keras.callbacks.Callback):
    """Calls `on_step(step, logs)` whenever the global step crosses a multiple of ``every``."""

    def __init__(self, every):
        super().__init__()
        self.every = int(every)
        self._epoch_start = 0
        self._last = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = int(self.model.steps_done.numpy())
        self._last = self._epoch_start

    def on_train_batch_end(self, batch, logs=None):
        step = self._epoch_start + batch + 1
        if step // self.every > self._last // self.every:
            self.on_step(step, logs or {})
        self._last = step

    def on_step(self, step, logs):
        raise NotImplementedError


class NonFiniteLossError(RuntimeError):
    """Training produced a NaN or infinite loss."""


class NanGuard(keras.callbacks.Callback):
    """Stops training at the first bad step: a NaN/Inf loss, or one past ``max_loss``.

    The model's `bad_step` metric (`models.base.FirstBadStep`) records the
    step exactly, also when callbacks run only every ``steps_per_execution``
    steps. ``bad`` is then ``(step, {name: logged value}, diverged)``: the
    logged values are the epoch means at the stop, ``diverged`` says whether
    the values were finite but too large.
    """

    def __init__(self):
        super().__init__()
        self.bad = None

    @property
    def max_loss(self):
        return getattr(self.model, "max_loss", None)

    def on_train_batch_end(self, batch, logs=None):
        if self.bad is not None:
            return
        logs = logs or {}
        recorded = getattr(self.model, "bad_step", None)
        step = int(recorded.result()) if recorded is not None else 0
        if not step and _all_finite(logs):
            return
        step = step or int(self.model.steps_done.numpy())
        values = {k: _scalar(v) for k, v in logs.items()}
        nonfinite = {k: v for k, v in values.items() if not math.isfinite(v)}
        self.bad = (step, nonfinite or values, not nonfinite)
        self.model.stop_training = True


def _healthy(model, logs):
    """Whether a callback may write now: finite logs, and no stop requested (by
    `NanGuard`, which runs first)."""
    return _all_finite(logs) and not model.stop_training


class Checkpointer(StepCallback):
    """Saves a `tf.train.CheckpointManager` every ``every`` steps, never after a NaN."""

    def __init__(self, manager, every):
        super().__init__(every)
        self.manager = manager

    def on_step(self, step, logs):
        if _healthy(self.model, logs):
            self.manager.save(checkpoint_number=step)


class ScalarLogger(StepCallback):
    """Writes the logged losses to TensorBoard every ``every`` steps."""

    def __init__(self, log_dir, every):
        super().__init__(every)
        self.writer = tf.summary.create_file_writer(os.path.join(log_dir, "train"))

    def on_step(self, step, logs):
        if not _healthy(self.model, logs):
            return  # a NaN or a diverged value in TensorBoard would hide the curve before it
        with self.writer.as_default(step=step):
            for name, value in logs.items():
                tf.summary.scalar(name, _scalar(value))
        self.writer.flush()


class SampleGrid(StepCallback):
    """Writes a PNG of ``model.preview(inputs)`` for fixed inputs every ``every`` steps.

    The inputs are a noise batch for GANs, a batch of image pairs for the
    translators (`model.preview_inputs`). Images are tiled into a grid of
    ``model.preview_columns`` columns (default: square); 2-D toy points are
    drawn as a density plot. The PNGs go to ``<out_dir>/step_<step>.png`` and
    to TensorBoard.
    """

    def __init__(self, out_dir, log_dir, every, inputs):
        super().__init__(every)
        self.out_dir = out_dir
        self.writer = tf.summary.create_file_writer(os.path.join(log_dir, "samples"))
        self.inputs = inputs
        self.paths = {}  # step -> PNG written in this run

    def path(self, step):
        return os.path.join(self.out_dir, f"step_{step:07d}.png")

    def write(self, step):
        """Writes the grid of ``step`` (once per run); returns the PNG's path."""
        if step in self.paths:
            return self.paths[step]
        self.model.prepare_sampler()
        samples = np.asarray(self.model.preview(self.inputs))
        grid = images_lib.render(samples, getattr(self.model, "preview_columns", None))
        os.makedirs(self.out_dir, exist_ok=True)
        path = self.path(step)
        images_lib.write_png(path, grid)
        with self.writer.as_default(step=step):
            tf.summary.image("samples", grid[None])
        self.writer.flush()
        self.paths[step] = path
        return path

    def on_step(self, step, logs):
        if _healthy(self.model, logs):
            self.write(step)


class FIDMonitor(StepCallback):
    """Computes FID of generated images against real images every ``every`` steps.

    The real images' feature moments are computed once; each check feeds the
    fixed ``inputs`` (latent vectors, or a translator's input images) through
    `model.fid_images` in chunks. The value goes to TensorBoard (``fid``) and
    to `values`.
    """

    def __init__(self, extractor, real_images, inputs, every, log_dir, batch_size=250):
        super().__init__(every)
        from tfgan_zoo.metrics import feature_moments

        self.extractor, self.batch_size, self.inputs = extractor, batch_size, inputs
        self.real = feature_moments(extractor, self._chunks(real_images))
        self.writer = tf.summary.create_file_writer(os.path.join(log_dir, "train"))
        self.values = {}

    def _chunks(self, array):
        return (array[i : i + self.batch_size] for i in range(0, len(array), self.batch_size))

    def fid(self):
        from tfgan_zoo.metrics import feature_moments, fid

        self.model.prepare_sampler()
        images = (np.asarray(self.model.fid_images(x)) for x in self._chunks(self.inputs))
        return fid(self.real, feature_moments(self.extractor, images))

    def on_step(self, step, logs):
        if not _healthy(self.model, logs):
            return
        self.values[step] = value = self.fid()
        with self.writer.as_default(step=step):
            tf.summary.scalar("fid", value)
        self.writer.flush()


class OverfitMonitor(StepCallback):
    """Measures how far the discriminator has memorized its training images.

    Every ``every`` steps: its mean score on ``train`` images (ones it trains
    on) and on ``heldout`` images of the same distribution it never sees, and
    ADA's overfitting heuristic ``r_t = E[sign(D(train))]`` (Karras et al.
    2020: 0 when D cannot tell, toward 1 as it memorizes). A growing gap
    between the two means, or ``r_t`` near 1, is the overfitting DiffAugment
    and ADA answer. Logged to TensorBoard (``d_train``, ``d_heldout``,
    ``d_gap``, ``ada_rt``) and kept in `values`.

    ``train`` and ``heldout`` are ``(images, labels)``; the model's
    ``critic_scores(images, labels)`` gives the scores.
    """

    def __init__(self, train, heldout, every, log_dir, batch_size=250):
        super().__init__(every)
        self.train, self.heldout, self.batch_size = train, heldout, batch_size
        self.writer = tf.summary.create_file_writer(os.path.join(log_dir, "train"))
        self.values = {}

    def scores(self, images, labels):
        chunks = range(0, len(images), self.batch_size)
        return np.concatenate([
            np.asarray(self.model.critic_scores(images[i : i + self.batch_size],
                                                labels[i : i + self.batch_size])).reshape(-1)
            for i in chunks
        ])  # fmt: skip

    def measure(self):
        train, heldout = self.scores(*self.train), self.scores(*self.heldout)
        return {"d_train": float(train.mean()), "d_heldout": float(heldout.mean()),
                "d_gap": float(train.mean() - heldout.mean()),
                "ada_rt": float(np.sign(train).mean())}  # fmt: skip

    def on_step(self, step, logs):
        if not _healthy(self.model, logs):
            return
        self.values[step] = values = self.measure()
        with self.writer.as_default(step=step):
            for name, value in values.items():
                tf.summary.scalar(name, value)
        self.writer.flush()

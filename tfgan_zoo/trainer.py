"""Building and training a model from a `TrainConfig`, resumably.

`train(config)` loads the data, builds the networks and the model, restores
the latest checkpoint in ``model_dir`` if there is one, runs `fit` for the
remaining steps with progress bar, TensorBoard scalars, sample grids and
checkpoints, and exports the generator. Re-running the same config after an
interruption continues at the checkpointed step with the optimizer state it
had; re-running a finished run trains nothing and exports only if no export
exists yet.
"""

import contextlib
import dataclasses
import logging
import os
import shutil

import keras
import tensorflow as tf

from tfgan_zoo import architectures, callbacks, data, distribute, export, models, pretrained, rundir
from tfgan_zoo.config import ConfigError, TrainConfig

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TrainResult:
    """What a call to `train` did."""

    model: keras.Model
    start_step: int
    final_step: int
    export_path: str
    sample_path: str
    history: list
    callbacks: list = dataclasses.field(default_factory=list)
    export_note: str = ""  # when nothing was exported: which export is current


class ConstantThenLinear(keras.optimizers.schedules.LearningRateSchedule):
    """``lr`` for the first ``constant_steps``, then linearly to 0 at ``total_steps``."""

    def __init__(self, lr, total_steps, constant_steps=0):
        self.lr, self.total_steps, self.constant_steps = lr, total_steps, constant_steps

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        decay_steps = max(self.total_steps - self.constant_steps, 1)
        fraction = tf.clip_by_value((step - self.constant_steps) / decay_steps, 0.0, 1.0)
        return self.lr * (1.0 - fraction)

    def get_config(self):
        return {
            "lr": self.lr,
            "total_steps": self.total_steps,
            "constant_steps": self.constant_steps,
        }


def _optimizer(lr, decay_steps, config):
    """``config.optimizer`` at rate ``lr``, decayed over ``decay_steps`` updates when
    ``config.lr_decay`` says so."""
    if config.lr_decay == "linear" and config.decay_start:
        lr = ConstantThenLinear(lr, decay_steps, int(config.decay_start * decay_steps))
    elif config.lr_decay == "linear":
        lr = keras.optimizers.schedules.PolynomialDecay(lr, decay_steps, 0.0, power=1.0)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(lr, rho=0.9, epsilon=config.adam_epsilon)
    return keras.optimizers.Adam(lr, config.beta1, config.beta2, config.adam_epsilon)


@contextlib.contextmanager
def dtype_policy(name):
    """Sets the global Keras dtype policy for the layers built inside; restores it after."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def resolve_jit_compile(config):
    """Whether ``config`` XLA-compiles the train step, and why (for the log).

    ``auto`` follows `benchmarks/RESULTS.md`: on with a GPU; on a CPU off
    for the architectures XLA made slower even then (`Architecture.xla_on_cpu`
    ``"slower"``), on with ``steps_per_execution > 1`` (faster by the clock for
    the other networks measured) and otherwise for the architectures XLA made
    faster (``"faster"``);
    never under a distribution strategy, where TF 2.21 cannot compile Keras'
    distributed step.
    """
    if config.jit_compile != "auto":
        return config.jit_compile == "on", f"--jit_compile={config.jit_compile}"
    if config.strategy != "default":
        return False, f"auto: off under --strategy={config.strategy}"
    if tf.config.list_physical_devices("GPU"):
        return True, "auto: on (GPU)"
    measured = architectures.ARCHITECTURES.lookup(config.architecture).xla_on_cpu
    if measured == "slower":
        return False, f"auto: off (CPU; {config.architecture} measured slower with XLA)"
    if config.steps_per_execution > 1:
        return True, "auto: on (CPU; with steps_per_execution > 1 XLA measured faster)"
    if measured == "faster":
        return True, f"auto: on (CPU; {config.architecture} measured faster with XLA)"
    return False, f"auto: off (CPU; {config.architecture} not measured faster with XLA)"


def build_model(config, info, jit_compile=None):
    """The compiled model for ``config`` and data described by `data.DataInfo` ``info``.

    Its layers take ``config.dtype_policy``; the global policy is left as it was.
    ``jit_compile`` defaults to `resolve_jit_compile`'s choice.
    """
    with dtype_policy(config.dtype_policy):
        model = models.get(config.model).from_train_config(config, info)
    model.compile(
        g_optimizer=_optimizer(config.g_lr, config.total_steps * config.g_steps, config),
        d_optimizer=_optimizer(config.d_lr, config.total_steps * config.n_critic, config),
        jit_compile=resolve_jit_compile(config)[0] if jit_compile is None else jit_compile,
        steps_per_execution=config.steps_per_execution,
    )
    return model


def apply_learning_rates(model, config):
    """Sets both optimizers' constant learning rates to ``config``'s.

    A checkpoint holds each Adam's learning-rate variable, so a restore brings
    back the rate the run was trained with: without this, ``--g_lr``/``--d_lr``
    changed on resume (what the divergence message advises) would be recorded
    and ignored. A schedule (``--lr_decay``) holds no variable: it is rebuilt
    from the config and needs nothing here. Adam's betas and epsilon are not
    checkpointed either.
    """
    for optimizer, lr in ((model.g_optimizer, config.g_lr), (model.d_optimizer, config.d_lr)):
        if isinstance(optimizer.learning_rate, keras.Variable):  # not a schedule
            optimizer.learning_rate = lr


def _checkpoint(model):
    return tf.train.Checkpoint(
        model=model, g_optimizer=model.g_optimizer, d_optimizer=model.d_optimizer
    )


def run_data_info(run, source):
    """The `data.DataInfo` a ``run.json`` recorded."""
    input_shape, class_names = run.get("input_shape"), run.get("class_names")
    return data.DataInfo(
        tuple(run["sample_shape"]),
        run["num_classes"],
        source,
        input_shape=tuple(input_shape) if input_shape else None,
        paired=run.get("paired", False),
        class_names=tuple(class_names) if class_names else None,
    )


def export_model(model, base_dir, version=None, class_names=None):
    """Exports ``model``'s generator(s), recording its training step; returns the path."""
    step = int(model.steps_done.numpy())
    names = list(class_names) if class_names else None
    return model.export_serving(base_dir, version, step=step, class_names=names)


def export_if_stale(model, base_dir, class_names=None):
    """Exports unless the newest export under ``base_dir`` holds this training step.

    Returns ``(path or None, note)``: the new export, or a note naming the
    current one. Exports written before the step was recorded count as stale.
    """
    step = int(model.steps_done.numpy())
    latest = export.latest_version(base_dir)
    exported = (export.read_metadata(latest) or {}).get("step") if latest else None
    if exported is not None and exported >= step:
        return None, f"{latest} is current (step {exported})."
    return export_model(model, base_dir, class_names=class_names), ""


def restore_model(model_dir, step=None):
    """Rebuilds the model of a training directory at its latest checkpoint, or at
    ``step``'s when that one is still kept (a run that has gone on keeps its last
    ``--keep_checkpoints``), so an earlier step can be measured again.

    Returns ``(model, config)``.

    Raises:
      FileNotFoundError: ``model_dir`` holds no run.json or no checkpoint, or none
        at ``step`` (the message lists the steps kept).
    """
    run = rundir.read_run(model_dir)
    if run is None:
        raise FileNotFoundError(
            f"{os.path.join(model_dir, rundir.RUN_FILE)} not found: is {model_dir!r} a "
            f"training --model_dir?"
        )
    checkpoints = os.path.join(model_dir, "checkpoints")
    path = tf.train.latest_checkpoint(checkpoints)
    if path is None:
        raise FileNotFoundError(f"No checkpoint in {checkpoints}: train first.")
    if step is not None:
        path = os.path.join(checkpoints, f"ckpt-{step}")
        if not tf.io.gfile.exists(path + ".index"):
            kept = tf.train.get_checkpoint_state(checkpoints).all_model_checkpoint_paths
            steps = sorted(int(p.rsplit("-", 1)[1]) for p in kept)
            raise FileNotFoundError(
                f"No checkpoint at step {step} in {checkpoints} (kept: "
                f"{', '.join(map(str, steps))}); a run keeps its last --keep_checkpoints."
            )
    config = TrainConfig.from_dict(run["config"])
    model = build_model(config, run_data_info(run, model_dir))
    _checkpoint(model).restore(path).assert_existing_objects_matched()
    return model, config


def _fid_monitor(config, model, info, inputs, log_dir):
    """A `callbacks.FIDMonitor` of the images made from ``inputs`` against real images
    of `config.fid_domain` (resized to the generated images' size), with a
    classifier cached in model_dir."""
    from tfgan_zoo import images as images_lib
    from tfgan_zoo.evaluation import real_batches
    from tfgan_zoo.metrics.features import ClassifierExtractor

    real, labels = real_batches(
        config.fid_domain, config.split, config.fid_samples, data_dir=config.data_dir or None,
        seed=1, size=info.sample_shape[:2],
    )  # fmt: skip
    extractor = ClassifierExtractor.cached(config.model_dir, images_lib.to_uint8(real), labels)
    return callbacks.FIDMonitor(extractor, real, inputs, config.fid_every, log_dir)


def _overfit_monitor(config, info, log_dir):
    """A `callbacks.OverfitMonitor` of ``--overfit_samples`` images of the training
    split against as many of the other one, at the training images' size."""
    from tfgan_zoo.evaluation import real_batches

    heldout = "test" if config.split == "train" else "train"
    sets = [real_batches(config.dataset, split, config.overfit_samples, seed=3,
                         data_dir=config.data_dir or None, size=info.sample_shape[:2])
            for split in (config.split, heldout)]  # fmt: skip
    return callbacks.OverfitMonitor(*sets, config.overfit_every, log_dir)


def fixed_inputs(config, model, info, dataset):
    """The inputs of the sample grids and of the FID monitor (None when it is off).

    Every worker draws them, though only the chief uses them: translators take
    them from ``dataset``, and each new iterator over it advances its shuffle
    seed. Workers that opened different numbers of iterators would each cut
    their share from a differently shuffled global batch, and N workers would
    no longer train as one device.
    """
    preview = model.preview_inputs(
        dataset, 2000 if info.toy else model.preview_samples, config.seed
    )
    fid_inputs = None
    if config.fid_every and not info.toy:
        fid_inputs = model.fid_inputs(dataset, config.fid_samples, config.seed)
    return preview, fid_inputs


def fit_segments(start_step, total_steps, steps_per_epoch):
    """The `fit` calls that run steps ``start_step..total_steps`` on the epoch grid.

    Returns ``[(initial_epoch, steps_per_epoch, one_epoch), ...]``: a short
    first call finishes a partly done epoch (``one_epoch``: stop after it),
    then whole epochs follow. Every call passes the run's total epochs to
    `fit`, so the progress bar counts "Epoch 2/4, 3/4, ..." across a resume.
    """
    segments = []
    epoch, done = divmod(start_step, steps_per_epoch)
    total_epochs = -(-total_steps // steps_per_epoch)
    if done and start_step < total_steps:
        segments.append((epoch, steps_per_epoch - done, True))
        epoch += 1
    if epoch < total_epochs:
        segments.append((epoch, steps_per_epoch, False))
    return segments


class _StopAfterEpoch(keras.callbacks.Callback):
    """Ends `fit` after its first epoch (the remainder of a resumed epoch)."""

    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


def _prepare_model_dir(config, info, chief, checkpoint_dir, has_checkpoint):
    """Checks ``model_dir`` before anything is written; returns the flag changes.

    Raises `config.ConfigError` for an unusable directory and
    `rundir.RunMismatchError` for checkpoints of other networks or data.
    """
    if chief:
        rundir.check_writable(config.model_dir)
    changed = rundir.check_resume(config, info, has_checkpoint)
    if chief:
        removed = rundir.remove_leftovers(checkpoint_dir, config.resolved_export_dir)
        if removed:
            log.info("Removed what an interrupted run left: %s", ", ".join(removed))
    return changed


def _stopped_error(nan_guard, manager):
    step, values, diverged = nan_guard.bad
    what = (
        f"a loss passed --max_loss={nan_guard.max_loss:g} (diverging)"
        if diverged
        else "non-finite loss"
    )
    fix = "Lower --g_lr/--d_lr, add a penalty (--gp_weight) or change --loss"
    if manager.latest_checkpoint:
        kept = (
            f"The last good checkpoint is {manager.latest_checkpoint}; nothing after it was "
            f"saved or exported. {fix}, then rerun the same command to resume from that "
            f"checkpoint (or use a new --model_dir to start over)."
        )
    else:
        kept = (
            f"No checkpoint was written before it, so nothing was saved or exported. {fix}, "
            f"then rerun the command: it starts from step 0."
        )
    return callbacks.NonFiniteLossError(f"Training stopped at step {step}: {what} {values}. {kept}")


def load_data(config, replicas):
    """``(dataset, info)``: the run's data (`data.load`), after checking that each
    replica's share of a batch divides into packs."""
    if config.pack > 1 and config.batch_size % (config.pack * replicas):
        raise ConfigError(
            f"--batch_size={config.batch_size} over {replicas} replicas gives "
            f"{config.batch_size // replicas} samples each, which do not divide into packs of "
            f"--pack={config.pack}: make the batch size a multiple of {config.pack * replicas}."
        )
    options = data.LoadOptions(
        split=config.split,
        data_dir=config.data_dir or None,
        seed=config.seed,
        resolution=config.resolution,
        direction=config.direction,
        augment=config.augment,
        toy_points=config.toy_points,
        toy_packs=config.pack if config.toy_packs == "fixed" else 0,
        images=config.image_options,
        pairs=models.is_translator(config.model),
    )
    return data.load(config.dataset, config.batch_size, options)


def resume(config, model, checkpoint_dir, latest, strategy):
    """``(checkpoint, manager, start step)``: ``model`` restored from ``latest``
    (its optimizers and step too) or, in a new run, filled from ``--init_from``."""
    checkpoint = _checkpoint(model)
    manager = tf.train.CheckpointManager(
        checkpoint, distribute.worker_dir(checkpoint_dir, strategy), config.keep_checkpoints
    )
    if latest:
        checkpoint.restore(latest).assert_existing_objects_matched()
        apply_learning_rates(model, config)
        log.info("Resumed from %s%s", latest, " (--init_from not used: the run resumes)"
                 if config.init_from else "")  # fmt: skip
    elif config.init_from:
        filled = pretrained.initialize(model, config.init_from)
        log.info("Started from %s (%s)", config.init_from, ", ".join(filled))
    start = int(model.steps_done.numpy())
    if start > config.total_steps:
        log.warning(
            "%s is at step %d, past this run's %d steps: nothing to train, and the model "
            "returned is that step's (a new --model_dir trains from scratch).",
            config.model_dir, start, config.total_steps,
        )  # fmt: skip
    return checkpoint, manager, start


@dataclasses.dataclass
class _Callbacks:
    """The callbacks of a run, and the two `finish` reads after `fit`."""

    all: list
    nan_guard: callbacks.NanGuard
    grid: callbacks.SampleGrid = None  # the chief's


def training_callbacks(config, model, info, dataset, manager, chief, resumed_at):
    """The run's callbacks: the non-finite guard and checkpoints everywhere; on the
    chief, scalars, sample grids and the monitors asked for. ``resumed_at`` is the
    step a resumed run restarts from (None for a new run): a grid lost between that
    checkpoint and its picture is drawn again."""
    log_dir = os.path.join(config.model_dir, "logs")
    preview, fid_inputs = fixed_inputs(config, model, info, dataset)
    nan_guard = callbacks.NanGuard()
    chosen = _Callbacks([nan_guard, callbacks.Checkpointer(manager, config.checkpoint_every)],
                        nan_guard)  # fmt: skip
    if not chief:
        return chosen
    grid = callbacks.SampleGrid(
        os.path.join(config.model_dir, "samples"), log_dir, config.sample_every, preview
    )
    grid.set_model(model)
    chosen.grid = grid
    chosen.all += [callbacks.ScalarLogger(log_dir, config.log_every), grid]
    if resumed_at and resumed_at % config.sample_every == 0:
        if not os.path.exists(grid.path(resumed_at)):
            grid.write(resumed_at)  # killed between this checkpoint and its grid
    if fid_inputs is not None:
        chosen.all.append(_fid_monitor(config, model, info, fid_inputs, log_dir))
    if config.overfit_every:
        chosen.all.append(_overfit_monitor(config, info, log_dir))
    return chosen


def fit_to_the_end(config, model, dataset, chosen, start):
    """`fit` from step ``start`` to ``config.total_steps`` (`fit_segments`), each
    discriminator update on a fresh batch; stops early on a non-finite loss.
    Returns the histories."""
    train_data = data.critic_groups(dataset, config.n_critic)
    total_epochs = -(-config.total_steps // config.steps_per_epoch)
    history = []
    for initial_epoch, steps, one_epoch in fit_segments(
        start, config.total_steps, config.steps_per_epoch
    ):
        h = model.fit(
            train_data,
            initial_epoch=initial_epoch,
            epochs=total_epochs,
            steps_per_epoch=steps,
            callbacks=chosen.all + ([_StopAfterEpoch()] if one_epoch else []),
            verbose=config.verbose,
            shuffle=False,  # the pipeline shuffles
        )
        history.append(h.history)
        if chosen.nan_guard.bad:
            break
    return history


def finish(config, model, info, manager, chosen, chief, start, history):
    """After `fit`: the error of a non-finite stop, else the last checkpoint, and
    on the chief the last grid and the export (when stale, unless ``--noexport``);
    a `TrainResult`."""
    final = int(model.steps_done.numpy())
    if chosen.nan_guard.bad:
        raise _stopped_error(chosen.nan_guard, manager)
    if manager.latest_checkpoint != os.path.join(manager.directory, f"ckpt-{final}"):
        manager.save(checkpoint_number=final)
    if not chief:
        shutil.rmtree(manager.directory, ignore_errors=True)
        return TrainResult(model, start, final, None, None, history, chosen.all)
    sample_path = chosen.grid.path(final)
    if final > start or not os.path.exists(sample_path):  # a finished run's grid is written
        sample_path = chosen.grid.write(final)
    export_dir = config.resolved_export_dir
    if config.export:
        export_path, note = export_if_stale(model, export_dir, info.class_names)
    else:
        command = f"tfgan-zoo-export --model_dir={config.model_dir} --export_dir={export_dir}"
        export_path, note = None, f"Not exported (--noexport): {command}"
    log.info("Step %d. Samples: %s. %s", final, sample_path,
             f"Exported generator: {export_path}" if export_path else note)  # fmt: skip
    return TrainResult(model, start, final, export_path, sample_path, history, chosen.all, note)


def train(config):
    """Trains (or resumes training) as ``config`` says; returns a `TrainResult`.

    The steps: `load_data`, the run directory checked (`_prepare_model_dir`),
    `build_model` in the strategy's scope, `resume`, the run recorded
    (`rundir.write_run`), `training_callbacks`, `fit_to_the_end`, `finish`.

    Raises:
      config.ConfigError: ``model_dir`` is unusable, or holds a run of other
        networks or data (`rundir.RunMismatchError`). Nothing was written.
      callbacks.NonFiniteLossError: a loss became NaN or infinite, or passed
        ``max_loss``. Checkpoints and exports written before that step are
        kept; nothing after it is written.
      distribute.WorkerLostError: under multi-worker training, another worker
        stopped; the checkpoints written so far are kept.
    """
    strategy = distribute.make_strategy(config.strategy, config.num_devices)
    chief = distribute.is_chief(strategy)
    keras.utils.set_random_seed(config.seed)
    replicas = strategy.num_replicas_in_sync
    dataset, info = load_data(config, replicas)
    checkpoint_dir = os.path.join(config.model_dir, "checkpoints")
    latest = tf.train.latest_checkpoint(checkpoint_dir)  # the chief's, for every worker
    changed = _prepare_model_dir(config, info, chief, checkpoint_dir, latest is not None)
    log.info("Data: %s, samples of shape %s", info.source, info.sample_shape)
    if replicas > 1:
        log.info("%d replicas, %s", replicas, type(strategy).__name__)
    jit, why = resolve_jit_compile(config)
    log.info("XLA %s; %d steps per execution", why, config.steps_per_execution)
    with strategy.scope():
        model = build_model(config, info, jit)
    _, manager, start = resume(config, model, checkpoint_dir, latest, strategy)
    if chief:
        if changed and latest:
            log.warning(
                "Resuming at step %d with changed flags: %s", start, rundir.describe(changed)
            )
        rundir.write_run(config, info, start, changed)
        rundir.truncate_events(os.path.join(config.model_dir, "logs"), start)
    chosen = training_callbacks(config, model, info, dataset, manager, chief,
                                resumed_at=start if latest else None)  # fmt: skip
    with distribute.peers_lost_error(strategy, checkpoint_dir):
        history = fit_to_the_end(config, model, dataset, chosen, start)
    return finish(config, model, info, manager, chosen, chief, start, history)

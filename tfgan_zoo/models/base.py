"""What every adversarial model shares with Keras' `fit`, whatever its networks."""

import keras
import tensorflow as tf

from tfgan_zoo import losses


class FirstBadStep(keras.metrics.Metric):
    """The first training step with a logged value that was not finite or whose
    magnitude passed ``max_loss`` (0: none yet).

    The epoch-mean logs a callback sees turn NaN with the first bad step but
    do not say which step it was, a diverging loss of 1e16 is finite, and
    with ``steps_per_execution > 1`` callbacks run only every few steps. This
    metric remembers the step. Each replica's verdict is summed across
    replicas first, so all agree and the first replica's copy is the answer.
    It is no entry of the model's `metrics`, so `fit` does not reset it
    between epochs.
    """

    def __init__(self, max_loss=None, name="first_bad_step"):
        super().__init__(name=name)
        self.max_loss = max_loss
        self.step = self.add_variable(
            (), "zeros", dtype="int64", aggregation="only_first_replica", name="step"
        )

    def update_state(self, values, step):
        """``values`` are one replica's partial losses (sums over its share of the batch)."""
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        values = [tf.cast(v, tf.float32) * replicas for v in values]
        good = [tf.reduce_all(tf.math.is_finite(v)) for v in values]
        if self.max_loss:
            good += [tf.reduce_all(tf.abs(v) <= self.max_loss) for v in values]
        bad = tf.cast(tf.logical_not(tf.reduce_all(good)), tf.float32)
        if context is not None:
            bad = context.all_reduce(tf.distribute.ReduceOp.SUM, bad)
        first = tf.logical_and(bad > 0, tf.equal(self.step, 0))
        self.step.assign(tf.where(first, tf.cast(step, tf.int64), self.step))

    def result(self):
        return tf.convert_to_tensor(self.step)

    def reset_state(self):
        self.step.assign(0)


def log_values(trackers, values):
    """Updates the `keras.metrics.Mean` ``trackers`` with ``values``; returns the logs.

    Losses are partial sums over this replica's share of the global batch;
    scaled by the number of replicas, the metric's cross-replica mean is the
    true loss.
    """
    strategy = tf.distribute.get_strategy()
    scale = tf.cast(strategy.num_replicas_in_sync, tf.float32)
    for name, value in values.items():
        trackers[name].update_state(value * scale)
    logs = {name: t.result() for name, t in trackers.items()}
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        # Keras 3.15 concatenates the workers' logs, which needs rank >= 1.
        logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs


SEED_STATE = "seed_generator_state"


def weight_losses(network):
    """The penalties of ``network``'s weight regularizers (``kernel_regularizer`` and
    the like), one per regularized trainable weight."""
    return [v.regularizer(v) for v in network.trainable_weights
            if getattr(v, "regularizer", None) is not None]  # fmt: skip


def call_losses(network):
    """The losses ``network``'s latest call added: activity regularizers and
    ``add_loss``. Keras clears them at every outer call, so a player that calls its
    network twice in one update (the discriminator on reals, then on fakes) reads
    them after each call. `keras.Model.losses` lists them before the weight
    regularizers' penalties, which it appends last."""
    losses = network.losses
    return losses[: len(losses) - len(weight_losses(network))]


def has_own_losses(network):
    """Whether ``network`` regularizes itself: a weight regularizer, an activity
    regularizer on a layer, or a loss left by ``add_loss`` in a call so far."""
    layers = network._flatten_layers(include_self=True)
    return bool(network.losses) or any(
        getattr(layer, "activity_regularizer", None) is not None for layer in layers
    )


def regularization(networks, calls):
    """The player's regularization loss: its networks' weight penalties plus the call
    losses ``calls``, divided by the replicas (each replica adds its share, the
    summed gradient is the regularizer's, as Keras' `compute_loss` scales them);
    None when there is none."""
    terms = [t for n in networks for t in weight_losses(n)] + list(calls)
    if not terms:
        return None
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return tf.add_n([tf.cast(t, tf.float32) for t in terms]) / replicas


def check_disjoint(generators, discriminators):
    """Raises ValueError naming a variable that a generator and a discriminator
    share: a layer object reused in both would be trained by both optimizers."""
    owned = {id(v): v for network in generators for v in network.weights}
    for network in discriminators:
        for v in network.weights:
            if id(v) in owned:
                raise ValueError(
                    f"The generator and the discriminator share the variable {v.path!r}, "
                    f"so both optimizers would train it: build each network from its own "
                    f"layers (a layer object used in both networks shares its weights)."
                )


class ArchitecturesFor:
    """``Model.compatible_architectures``: the registered architectures whose
    discriminators return what the model reads (its ``discriminator_output``), so
    an architecture registered later, by a user's package too, is taken at once."""

    def __get__(self, instance, owner):
        from tfgan_zoo import architectures

        return architectures.for_outputs(owner.discriminator_output)


class AdversarialModel(keras.Model):
    """A `keras.Model` whose networks and optimizers are built before `fit`.

    Subclasses build their networks in the constructor and call `set_loss` and
    `make_trackers` there, build their optimizers in `compile` (calling this class's), and
    end `train_step` with ``return self.log(values)``.

    Keras saving: ``model.save("gan.keras")`` and
    ``keras.saving.load_model("gan.keras")`` round-trip the networks, the
    settings, both optimizers with their state and the random-seed state, so
    a loaded model continues `fit` as the original would. Subclasses list
    their network arguments in ``network_args`` and add their other
    constructor arguments to `get_config`.

    Args:
      max_loss: a logged loss whose magnitude passes this counts as diverged,
        like a NaN (`bad_step` records the step; the trainer's `NanGuard`
        stops there). None or 0: only non-finite values count.
    """

    network_args = ()  # constructor arguments that are Keras models
    discriminator_output = None  # what its discriminator returns (`architectures.SCORE`, ...)
    compatible_architectures = ArchitecturesFor()
    g_steps = 1  # generator optimizer updates per training step

    def __init__(self, max_loss=1e6, **kwargs):
        super().__init__(**kwargs)
        self.max_loss = float(max_loss) if max_loss else None

    def set_loss(self, loss, loss_kwargs):
        """Binds ``loss`` (a name in `tfgan_zoo.losses.LOSSES` or a loss callable)
        and its keyword arguments as ``loss_fn``, keeping both for `get_config`."""
        self.loss_name, self.loss_kwargs = loss, dict(loss_kwargs or {})
        self.loss_fn = losses.get(loss, **self.loss_kwargs)

    def get_config(self):
        """The constructor arguments: networks serialized, the loss by name (a
        callable must be registered with ``keras.saving.register_keras_serializable``),
        settings as given."""
        config = {"name": self.name, "trainable": self.trainable, "max_loss": self.max_loss}
        for name in self.network_args:
            config[name] = keras.saving.serialize_keras_object(getattr(self, name))
        loss = self.loss_name
        if not isinstance(loss, str):
            loss = keras.saving.serialize_keras_object(loss)
        return {**config, "loss": loss, "loss_kwargs": self.loss_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in cls.network_args:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        if not isinstance(config["loss"], str):
            config["loss"] = keras.saving.deserialize_keras_object(config["loss"])
        return cls(**config)

    def seed_states(self):
        """The state variables of every `keras.random.SeedGenerator` in the model:
        the noise's and those of its layers (dropout)."""
        return [sg.state for layer in self._flatten_layers(include_self=True)
                for sg in layer._seed_generators]  # fmt: skip

    def save_own_variables(self, store):
        """Keras' own variables, and the random seeds' states: Keras saves no
        `SeedGenerator` state, and without them a loaded model would draw the
        noise (and dropout masks) of step 0 again."""
        super().save_own_variables(store)
        for i, state in enumerate(self.seed_states()):
            store[f"{SEED_STATE}_{i}"] = state.numpy()

    def load_own_variables(self, store):
        own = {}
        states = self.seed_states()
        for key in store.keys():
            if key.startswith(SEED_STATE):
                states[int(key.rsplit("_", 1)[1])].assign(store[key])
            else:
                own[key] = store[key]
        super().load_own_variables(own)

    def players(self):
        """``(generators, discriminators)``: the networks each optimizer trains."""
        raise NotImplementedError

    def check_players(self):
        """Raises ValueError when the players share a variable (`check_disjoint`)."""
        check_disjoint(*self.players())

    def reg_names(self):
        """``g_reg`` / ``d_reg`` for the players whose networks regularize themselves
        (`has_own_losses`): what `log_regularization` logs."""
        generators, discriminators = self.players()
        names = []
        if any(has_own_losses(n) for n in generators):
            names.append("g_reg")
        if any(has_own_losses(n) for n in discriminators):
            names.append("d_reg")
        return names

    def with_regularization(self, name, total, networks, calls, logs):
        """``total`` plus the player's `regularization` (logged as ``name`` in ``logs``
        when the model tracks it; always counted)."""
        reg = regularization(networks, calls)
        if reg is None:
            return total
        if name in self.trackers:
            logs[name] = reg
        return total + reg

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        """Keeps both optimizers and the execution settings for `get_compile_config`;
        subclasses set ``g_optimizer``/``d_optimizer`` and build them.

        Raises:
          ValueError: the optimizers are one object, or the players share a variable.
        """
        self.check_players()
        super().compile(**kwargs)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two objects.")
        names = ("steps_per_execution", "jit_compile", "run_eagerly")
        self._execution = {k: kwargs[k] for k in names if k in kwargs}

    def get_compile_config(self):
        if not self.compiled:
            return {}
        serialize = keras.saving.serialize_keras_object
        return {"g_optimizer": serialize(self.g_optimizer),
                "d_optimizer": serialize(self.d_optimizer), **self._execution}  # fmt: skip

    def compile_from_config(self, config):
        """Compiles with the saved optimizers (their state is loaded after this)."""
        config = dict(config)
        optimizers = [keras.saving.deserialize_keras_object(config.pop(name))
                      for name in ("g_optimizer", "d_optimizer")]  # fmt: skip
        self.compile(*optimizers, **config)

    def prepare_sampler(self):
        """Readies the network that samples before grids, FID and exports use it
        (`GAN.prepare_sampler`: the EMA's standing statistics); nothing here."""

    @property
    def steps_done(self):
        """Training steps done (a tensor): the generator optimizer's update count
        over ``g_steps``. The one step axis of checkpoints, callbacks, scalars and
        exports; it is saved with the optimizer, so a resumed run continues it."""
        return self.g_optimizer.iterations // self.g_steps

    def fit(self, x=None, *args, shuffle=None, **kwargs):
        """`keras.Model.fit`, not asking Keras to shuffle a `tf.data.Dataset`.

        Keras cannot shuffle a dataset (the pipelines of `tfgan_zoo.data`
        shuffle themselves) and warns when ``shuffle=True``, its default, is
        passed with one. Arrays are shuffled as Keras does by default.
        """
        if shuffle is None:
            shuffle = not isinstance(x, tf.data.Dataset)
        return super().fit(x, *args, shuffle=shuffle, **kwargs)

    def make_trackers(self, names):
        """A `keras.metrics.Mean` per logged value (``self.trackers``, what `metrics`
        lists and `fit` resets each epoch), and the `FirstBadStep` (``bad_step``)."""
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self.bad_step = FirstBadStep(self.max_loss)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def log(self, values):
        """Logs this step's ``values`` (see `log_values`), noting the step if any is not
        finite or passes ``max_loss``; the step is `steps_done` after it."""
        self.bad_step.update_state(list(values.values()), self.steps_done)
        return log_values(self.trackers, values)

    def fuses_execution(self):
        """Whether `make_train_function` compiles a whole execution into one XLA program:
        with ``jit_compile``, ``steps_per_execution > 1``, graph mode and one device
        (XLA fails under the distribution strategies anyway, see `TrainConfig`).

        On a CPU alone, only for networks without convolutions: there XLA ran a
        DCGAN 28x28 step (64 filters, batch 64) 12 times slower inside the
        program's loop than compiled alone (20 s against 1.6 s for 10 steps, TF
        2.21), while the PacGAN toy MLPs ran at 0.94x a hand-written XLA loop
        (docs/benchmarks.md)."""
        strategy = tf.distribute.get_strategy()
        if not (self.jit_compile and self.steps_per_execution > 1 and not self.run_eagerly
                and not tf.distribute.has_strategy()
                and strategy.num_replicas_in_sync == 1):  # fmt: skip
            return False
        accelerated = any(tf.config.list_logical_devices(kind) for kind in ("GPU", "TPU"))
        return accelerated or not self.has_convolutions()

    def has_convolutions(self):
        """Whether a network holds a kernel of rank 3 or more (a convolution's; dense
        kernels and embeddings have rank 2)."""
        generators, discriminators = self.players()
        networks = [*generators, *discriminators]
        return any(len(w.shape) >= 3 for network in networks for w in network.weights)

    def make_train_function(self, force=False):
        """Keras' train function, or with `fuses_execution` one XLA program per
        execution.

        Keras runs the ``steps_per_execution`` steps of an execution in a
        ``tf.while_loop`` of conditionals and optionals around a compiled step:
        one XLA launch, a ``get_next`` and a branch per step, the per-step
        overhead that made the trainer's GPU step 1.5-5.6x a hand-written XLA
        loop's (benchmarks/RESULTS.md, GPU suite). Here the execution's batches are
        fetched together and stacked, and one compiled program loops over them:
        every step still updates the trackers, the non-finite check
        (`FirstBadStep`, which records its exact step) and the seeds in the graph;
        the logs are read once, after the last step. Callbacks run between
        executions, as before.
        """
        if self.train_function is not None and not force:
            return self.train_function
        if not self.fuses_execution():
            return super().make_train_function(force)
        steps = self.steps_per_execution

        @tf.function(jit_compile=True, reduce_retracing=True)
        def run_steps(batches):
            for i in tf.range(steps):
                self.train_step(tf.nest.map_structure(lambda b, i=i: b[i], batches))
            return {name: tracker.result() for name, tracker in self.trackers.items()}

        @tf.function(reduce_retracing=True)
        def one_execution(iterator):
            batches = [iterator.get_next() for _ in range(steps)]
            return run_steps(tf.nest.map_structure(lambda *xs: tf.stack(xs), *batches))

        self.train_function = one_execution
        return self.train_function

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

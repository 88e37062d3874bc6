"""The base adversarial model: a `keras.Model` whose `train_step` plays the game."""

import typing

import keras
import tensorflow as tf

from tfgan_zoo import architectures, augment, ema, export, losses, options, penalties, rng
from tfgan_zoo.images import samples_of
from tfgan_zoo.models.base import AdversarialModel, call_losses
from tfgan_zoo.penalties import PENALTIES

STANDING_BATCHES, STANDING_BATCH = 32, 64  # BigGAN accumulates 16 batches of its size


class Generated(typing.NamedTuple):
    """A training update's fakes (`GAN.generated`)."""

    samples: tf.Tensor
    calls: list  # the losses the generator's calls added
    extras: tuple = ()  # what else the generator returned (`images.samples_of`)


def option_of(group, name):
    """A read-only attribute for the option ``name`` of the model's option group
    ``group`` (`tfgan_zoo.options`), which hooks read under the short name."""
    return property(lambda self: getattr(getattr(self, group), name),
                    doc=f"``self.{group}.{name}``.")  # fmt: skip


def draw_for_replica(sampler, shape):
    """``sampler(shape)`` for this replica's share of a global draw.

    Every replica draws the same global batch (the seed state is mirrored)
    and keeps its own rows, the rows the input pipeline gave it. So noise,
    and with it training, is the same on N replicas as on one device.
    """
    ctx = tf.distribute.get_replica_context()
    replicas, replica = ctx.num_replicas_in_sync, ctx.replica_id_in_sync_group
    batch = shape[0]
    draws = sampler((batch * replicas, *shape[1:]))
    return draws[replica * batch : (replica + 1) * batch]


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class GAN(AdversarialModel):
    """A generator and a discriminator trained against each other with `fit`.

    One `train_step` does ``n_critic`` discriminator updates, each with fresh
    noise, then ``g_steps`` generator updates (one by default). Each
    discriminator update gets a fresh real batch when the dataset yields
    ``n_critic`` of them per step (`critic_batch`), else they share one. With
    ``pack=m`` (PacGAN, Lin et al. 2018) the discriminator judges packs of m
    samples instead of single ones: m consecutive real samples, or m fakes,
    concatenated on the last axis (`pack_samples`). The loss is
    any function of `tfgan_zoo.losses` (or a callable of the same signature);
    a gradient penalty, R1 and R2 penalties and weight clipping are switched on
    by their weights, so WGAN is ``loss="wasserstein", clip_value=0.01``,
    WGAN-GP is ``loss="wasserstein", gp_weight=10.0`` and R3GAN's objective is
    ``loss="rpgan", r1_weight=g/2, r2_weight=g/2``. Every penalty is taken on the
    adversarial score alone (`score`), not on other heads of the discriminator.
    The networks' own losses (weight and activity regularizers, ``add_loss``)
    are added to their player's loss, as Keras' ``compute_loss`` adds
    ``sum(model.losses)``, and logged as ``g_reg`` / ``d_reg``.

    ```python
    gan = GAN(generator, discriminator, latent_dim=64, loss="hinge")
    gan.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    gan.fit(dataset, epochs=10)
    images = gan(keras.random.normal((16, 64)))
    ```

    Subclasses (conditional models, auxiliary heads) override the small
    hooks `unpack`, `generate`, `discriminate`, `discriminator_draws`,
    `discriminator_extra_loss` and `generator_extra_loss` rather than
    `train_step`.

    Args:
      generator: a model mapping ``[batch, latent_dim]`` to samples; one
        without weights yet is built by `build_networks`.
      discriminator: a model mapping samples to scores ``[batch, 1]``.
      latent_dim: width of the noise vector.
      loss: a name in `tfgan_zoo.losses.LOSSES` or a loss callable;
        ``loss_kwargs=`` (a keyword) binds arguments to it (e.g. LSGAN labels).
      schedule: `options.Schedule` (or its dict): ``n_critic``, ``g_steps``,
        ``simultaneous``, ``shared_noise``.
      penalties: `options.Penalties`: ``gp_weight`` (with ``gp_target``,
        ``gp_one_sided``, ``gp_every``), ``r1_weight``, ``r2_weight``,
        ``r1_every``, ``extra`` registered penalties, ``clip_value``.
      averaging: `options.Averaging`: the generator EMA (``decay`` or
        ``half_life``, ``start``, ``warmup``, ``rampup``, ``bn``).
      feeding: `options.Feeding`: ``latent_distribution``, ``seed``, ``pack``,
        ``augment_policy``.
      **kwargs: `keras.Model`'s, ``loss_kwargs``, and the flat keywords of
        earlier versions (``gp_weight=10.0``, ``ema_decay=0.999``, ...), which
        go to their groups (`options.split_flat`).
    """

    num_classes = 0  # conditional subclasses set the number of classes
    preview_classes = 0  # models whose previews cycle through classes: their number
    supports_packing = True  # subclasses whose discriminators see labels or codes: False
    discriminator_output = architectures.SCORE
    network_args = ("generator", "discriminator")

    @classmethod
    def model_kwargs(cls, config, num_classes):
        """Constructor arguments of this model class taken from a `TrainConfig`."""
        return {}

    @classmethod
    def from_train_config(cls, config, info):
        """The (uncompiled) model a `TrainConfig` describes, for data of `DataInfo` ``info``."""
        generator, discriminator = architectures.build(
            config.architecture,
            info.sample_shape,
            config.latent_dim,
            pack=config.pack,
            num_classes=info.num_classes,
            **config.architecture_kwargs,
        )
        return cls(
            generator,
            discriminator,
            config.latent_dim,
            loss=config.loss,
            loss_kwargs=config.loss_kwargs,
            schedule=config.schedule,
            penalties=config.penalties_group,
            averaging=config.averaging,
            feeding=config.feeding,
            max_loss=config.max_loss,
            **cls.model_kwargs(config, info.num_classes),
        )

    def __init__(self, generator, discriminator, latent_dim, loss="non_saturating", *,
                 schedule=None, penalties=None, averaging=None, feeding=None,
                 **kwargs):  # fmt: skip
        loss_kwargs = kwargs.pop("loss_kwargs", None)
        given = {"schedule": schedule, "penalties": penalties, "averaging": averaging,
                 "feeding": feeding}  # fmt: skip
        groups = options.split_flat(kwargs, given)
        super().__init__(**kwargs)
        self.schedule, self.penalty = groups["schedule"], groups["penalties"]
        self.averaging, self.feeding = groups["averaging"], groups["feeding"]
        if self.feeding.pack > 1 and not self.supports_packing:
            raise ValueError(
                f"{type(self).__name__} does not pack (only GAN does): its discriminator "
                f"sees labels or codes beside each sample; got pack={self.feeding.pack}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.set_loss(loss, loss_kwargs)
        self.seed_generator = keras.random.SeedGenerator(self.feeding.seed)
        self.build_networks()
        self.check_players()
        self.make_trackers(self.tracked_names())
        self.sample_shape = export.sample_shape(generator, self.generator_input_dim,
                                                self.num_classes)  # fmt: skip
        self.ema_generator = ema.averaged_copy(generator) if self.averaging.on else None
        self.augment_policy = augment.parse(self.feeding.augment_policy)
        if self.augment_policy and len(self.sample_shape) != 3:
            raise ValueError(
                f"augment_policy={','.join(self.augment_policy)} transforms images, but the "
                f"generator's samples have shape {self.sample_shape}."
            )
        self.built = True

    pack = option_of("feeding", "pack")
    latent_distribution = option_of("feeding", "latent_distribution")
    n_critic = option_of("schedule", "n_critic")
    g_steps = option_of("schedule", "g_steps")

    def build_networks(self):
        """Builds networks that have no weights yet by calling them once.

        A `keras.Sequential` without a `keras.Input`, or a subclassed model
        never called, has no variables, so `compile` could not build the
        optimizers for them. They are called on a zero ``z`` (and class 0)
        and, the discriminator, on the generator's output.

        Raises:
          ValueError: calling them failed; the message says how to build them.
        """
        if self.generator.built and self.discriminator.built:
            return
        z = tf.zeros([1, self.generator_input_dim])
        condition = tf.zeros([1], tf.int32) if self.num_classes else None
        try:
            fake = samples_of(self.generate(z, condition, training=False))[0]
            fakes = tf.tile(fake, [self.pack] + [1] * (len(fake.shape) - 1))
            self.discriminate(self.pack_samples(fakes), condition, training=False)
        except Exception as e:
            inputs = f"z [1, {self.generator_input_dim}]" + (
                " and a label" if self.num_classes else ""
            )
            raise ValueError(
                f"{type(self).__name__}: the generator or the discriminator has no weights yet "
                f"and calling them on {inputs} failed ({type(e).__name__}: {e}). Build them "
                f"first: start a keras.Sequential with keras.Input(shape=...), or call the "
                f"network once on a batch."
            ) from e

    def tracked_names(self):
        """Names of the values `train_step` logs, in display order."""
        names = ["d_loss", "g_loss"]
        for name in ("gp", "r1", "r2"):
            if getattr(self.penalty, f"{name}_weight"):
                names.append(name)
        return names + [f"penalty_{n}" for n in self.penalty.extra] + self.reg_names()

    def players(self):
        return [self.generator], [self.discriminator]

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "schedule": self.schedule.to_dict(),
            "penalties": self.penalty.to_dict(),
            "averaging": self.averaging.to_dict(),
            "feeding": self.feeding.to_dict(),
        }

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Sets (and builds) the generator and discriminator optimizers.

        Call it inside ``strategy.scope()`` when training distributed. Both
        default to ``Adam(2e-4, beta_1=0.5)`` (DCGAN).
        """
        super().compile(
            g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5),
            d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5),
            **kwargs,
        )
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def call(self, z, training=False):
        """Runs the generator on latent vectors ``z``: the EMA generator (when on)
        in inference, the trained one when ``training``."""
        network = self.generator if training else self.sampler
        return samples_of(network(z, training=training))[0]

    @property
    def sampler(self):
        """The generator that samples, previews, FID and exports use: the moving
        average when ``ema_decay`` is on, else the trained generator."""
        return self.generator if self.ema_generator is None else self.ema_generator

    def update_ema(self, batch):
        """Moves the average towards the generator, after a step's generator updates
        of ``batch`` samples each (the global batch).

        The decay is 0 (a copy) until ``ema_start`` generator updates are done,
        then ``ema_decay``, or with ``ema_warmup`` the smaller of it and
        ``(1 + n) / (10 + n)`` after ``n`` averaged updates; or, with
        ``ema_half_life``, StyleGAN2's ``0.5 ** (batch / half-life)`` (ramped up
        with ``ema_rampup``).
        """
        if self.ema_generator is None:
            return
        n = tf.cast(self.g_optimizer.iterations - self.averaging.start, tf.float32)
        if self.averaging.half_life:
            seen = tf.cast(self.g_optimizer.iterations, tf.float32) * tf.cast(batch, tf.float32)
            decay = ema.half_life_decay(
                self.averaging.half_life, batch, seen, self.averaging.rampup
            )
        else:
            decay = tf.constant(self.averaging.decay, tf.float32)
            if self.averaging.warmup:
                decay = tf.minimum(decay, (1.0 + n) / (10.0 + n))
        ema.update(self.ema_generator, self.generator, tf.where(n > 0, decay, 0.0))

    def prepare_sampler(self):
        """Readies the sampler before sample grids, FID and exports: with
        ``ema_bn="recompute"`` the average's batch-norm statistics become its own
        standing statistics, over `STANDING_BATCHES` batches of fixed latents
        (seed 0) through the averaged weights (`tfgan_zoo.ema.standing_statistics`)."""
        if self.ema_generator is None or self.averaging.bn != "recompute":
            return
        shape = (STANDING_BATCHES * STANDING_BATCH, self.generator_input_dim)
        z = rng.fixed_latents(0, shape, self.latent_distribution)
        ema.standing_statistics(
            self.ema_generator,
            lambda k: self.preview(z[k * STANDING_BATCH : (k + 1) * STANDING_BATCH], True),
            STANDING_BATCHES,
        )

    @property
    def generator_input_dim(self):
        """Width of the generator's (and the export's) ``z`` input."""
        return self.latent_dim

    @property
    def preview_columns(self):
        """Grid width: one column per class when previews cycle through classes
        (each row then runs through all of them); else square."""
        return self.preview_classes or None

    @property
    def preview_samples(self):
        return 8 * self.preview_classes if self.preview_classes else 64

    def preview_inputs(self, dataset, num_samples, seed=0):
        """The fixed inputs of sample grids: ``num_samples`` latent vectors."""
        shape = (num_samples, self.generator_input_dim)
        return rng.fixed_latents(seed, shape, self.latent_distribution)

    def preview(self, z, training=False):
        """Samples for a fixed ``z`` batch, for sample grids (inference mode;
        ``training`` for `prepare_sampler`'s batch statistics)."""
        return samples_of(self.sampler(z, training=training))[0]

    def critic_scores(self, images, labels=None):
        """The discriminator's adversarial scores of real ``images`` (with their
        ``labels`` for conditional models), in inference mode: what
        `callbacks.OverfitMonitor` compares between training and held-out images.
        Packed models score packs of consecutive images."""
        condition = None if labels is None or not self.num_classes else labels
        images = self.pack_samples(tf.convert_to_tensor(images))
        if condition is not None and self.pack == 1:
            condition = tf.convert_to_tensor(condition)
        return self.score(self.discriminate(images, condition, training=False))

    def fid_inputs(self, dataset, num_samples, seed=0):
        """The fixed generator inputs FID is measured on: latent vectors, as for grids."""
        return self.preview_inputs(dataset, num_samples, seed)

    def fid_images(self, inputs):
        """The images FID scores for a chunk of `fid_inputs`: the samples."""
        return self.preview(inputs)

    def export_serving(self, base_dir, version=None, **metadata):
        """Exports the generator for TF Serving (see `tfgan_zoo.export`); returns the path.

        ``metadata`` adds fields to the export's metadata (``step``, ``class_names``).
        """
        self.prepare_sampler()
        return export.export_generator(
            self.sampler, self.generator_input_dim, base_dir, self.num_classes, version,
            model=type(self).__name__, ema=self.ema_generator is not None,
            latent=self.latent_distribution, **metadata,
        )  # fmt: skip

    def sample_latent(self, batch_size):
        """Draws ``[batch_size, latent_dim]`` noise of ``latent_distribution``."""
        return draw_for_replica(
            lambda shape: rng.latent(shape, self.seed_generator, self.latent_distribution),
            (batch_size, self.latent_dim),
        )

    def pack_samples(self, x):
        """``[B, ..., C] -> [B / pack, ..., pack * C]``: each row holds ``pack``
        consecutive samples side by side (PacGAN), sample ``k`` of a pack in
        features (or channels) ``k * C .. (k + 1) * C - 1``. The identity for
        ``pack=1``.

        Under a distribution strategy this packs each replica's share of the
        batch, whose rows are consecutive rows of the global batch: packs are
        the same as on one device when the share divides by ``pack``.

        Raises:
          ValueError: the (per-replica) batch does not divide by ``pack``.
        """
        if self.pack == 1:
            return x
        batch = x.shape[0]
        if batch is not None and batch % self.pack:
            raise ValueError(
                f"A batch of {batch} samples (per replica) does not divide into packs of "
                f"{self.pack}: make the batch size a multiple of pack x replicas."
            )
        rank, tail = len(x.shape), list(x.shape[1:])
        grouped = tf.reshape(x, [-1, self.pack, *tail])  # [B/m, m, ..., C]
        grouped = tf.transpose(grouped, [0, *range(2, rank), 1, rank])  # [B/m, ..., m, C]
        return tf.reshape(grouped, [-1, *tail[:-1], self.pack * tail[-1]])

    # Hooks for subclasses.

    def critic_batch(self, real, condition, k):
        """The real batch (and condition) of discriminator update ``k``.

        A dataset whose elements hold ``n_critic`` batches stacked on axis 1
        (``[batch, n_critic, ...]``, `tfgan_zoo.data.critic_groups`; the
        trainer's pipeline when ``n_critic > 1``) gives every update a fresh
        real batch, as WGAN-GP's Algorithm 1 does. A dataset of plain batches
        gives every update the same one.
        """
        if real.shape.rank != len(self.sample_shape) + 2:
            return real, condition
        if real.shape[1] != self.n_critic:
            raise ValueError(
                f"The real batch {real.shape} holds {real.shape[1]} batches on axis 1 but "
                f"n_critic={self.n_critic}: group the dataset with "
                f"tfgan_zoo.data.critic_groups(dataset, {self.n_critic})."
            )
        return real[:, k], None if condition is None else condition[:, k]

    def unpack(self, data):
        """Splits a dataset element into (real batch, condition or None)."""
        if isinstance(data, (tuple, list)):
            return data[0], None
        return data, None

    def generate(self, z, condition, training):
        """The generator's output for ``z`` (one call): its samples, or a list with
        the samples first and what else it returns (`images.samples_of`)."""
        return self.generator(z, training=training)

    def generated(self, z, condition):
        """The samples of a training update and the losses the generator's calls
        added (`call_losses`: activity regularizers, ``add_loss``).

        When packing, one generator call per pack position (rows ``k, k + pack,
        ...`` of ``z``), interleaved back so that every pack holds one sample of
        each call. PacGAN's code generates each position of its packs with a call
        of its own (toy and Stacked MNIST), so a batch-normalized generator
        normalizes each position's samples apart; without batch statistics this
        is one call's output, in pieces. A `Generated`: the samples, those losses
        and what else the generator returned (``extras``; packed models: none).
        """
        if self.pack == 1:
            samples, extras = samples_of(self.generate(z, condition, training=True))
            return Generated(samples, call_losses(self.generator), extras)
        if z.shape[0] is not None and z.shape[0] % self.pack:
            self.pack_samples(z)  # raises the one-line error naming both numbers
        fakes, calls = [], []
        for k in range(self.pack):
            fakes.append(samples_of(self.generate(z[k :: self.pack], condition, training=True))[0])
            calls += call_losses(self.generator)
        return Generated(tf.reshape(tf.stack(fakes, axis=1), [-1, *fakes[0].shape[1:]]), calls)

    def judged(self, x, condition):
        """The discriminator's output for its inputs ``x`` in training, and the losses
        its call added (`call_losses`)."""
        return self.discriminate(x, condition, training=True), call_losses(self.discriminator)

    def discriminate(self, x, condition, training):
        return self.discriminator(x, training=training)

    def score(self, output):
        """The adversarial score in a discriminator output (heads may add more)."""
        return output

    def augment_draw(self, batch_size):
        """The DiffAugment draws of ``batch_size`` images (None when off), made
        before the tape like the noise."""
        if not self.augment_policy:
            return None
        return draw_for_replica(
            lambda shape: rng.uniform(shape, self.seed_generator),
            (batch_size, augment.draw_size(self.augment_policy)),
        )

    def augment_images(self, images, draw):
        """``images`` as the discriminator sees them: DiffAugment-ed when on."""
        if draw is None:
            return images
        return augment.apply(images, self.augment_policy, draw)

    def discriminator_draws(self, real):
        """The random draws of one discriminator update, as a dict.

        ``z`` is the noise of the fake batch; ``alpha`` the gradient-penalty
        interpolation weights; ``augment_real``/``augment_fake`` DiffAugment's.
        They are drawn before the gradient tape opens: a seed-generator update
        inside the tape misorders MirroredStrategy's gradient all-reduces (seen
        with TF 2.21 / Keras 3.15).
        """
        draws = {"z": self.sample_latent(tf.shape(real)[0])}
        if self.penalty.gp_weight:  # one weight per discriminator input (per pack)
            draws["alpha"] = draw_for_replica(
                lambda shape: rng.uniform(shape, self.seed_generator),
                [tf.shape(real)[0] // self.pack] + [1] * (len(real.shape) - 1),
            )
        if self.augment_policy:
            draws["augment_real"] = self.augment_draw(tf.shape(real)[0])
            draws["augment_fake"] = self.augment_draw(tf.shape(real)[0])
        return draws

    def critic(self, condition):
        """The discriminator as the penalties see it: ``x -> score(discriminate(x))``,
        the adversarial score alone (other heads' gradients are not penalized)."""
        return lambda x, training: self.score(self.discriminate(x, condition, training))

    def lazily(self, every, penalty, player="discriminator"):
        """``penalty()`` at every ``every``-th update of ``player``, times ``every``,
        and 0 at the others (StyleGAN2's lazy regularization: R1 every 16
        discriminator updates, path length every 4 generator updates);
        ``penalty()`` always when ``every`` is 1. The count is the player's
        optimizer's updates so far, so the first update is penalized and a
        resumed run keeps the rhythm."""
        if every == 1:
            return penalty()
        optimizer = self.g_optimizer if player == "generator" else self.d_optimizer
        due = tf.equal(optimizer.iterations % every, 0)
        return tf.cond(due, lambda: float(every) * penalty(), lambda: tf.constant(0.0))

    def discriminator_extra_loss(self, real, fake, condition, real_out, fake_out, draws):
        """Extra discriminator loss terms as a dict ``{name: weighted value}``.

        ``real`` and ``fake`` are the discriminator's inputs (packs, when packing).
        The penalties (GP, R1, R2) are taken on the adversarial score (`critic`).
        """
        terms = {}
        critic = self.critic(condition)
        if self.penalty.gp_weight:
            chosen = self.penalty
            terms["gp"] = chosen.gp_weight * self.lazily(chosen.gp_every, lambda: (
                penalties.gradient_penalty(critic, real, fake, alpha=draws["alpha"],
                                           target=chosen.gp_target, one_sided=chosen.gp_one_sided)
            ))  # fmt: skip
        if self.penalty.r1_weight:
            terms["r1"] = self.penalty.r1_weight * self.lazily(
                self.penalty.r1_every, lambda: penalties.r1_penalty(critic, real)
            )
        if self.penalty.r2_weight:
            terms["r2"] = self.penalty.r2_weight * self.lazily(
                self.penalty.r1_every, lambda: penalties.r2_penalty(critic, fake)
            )
        for name, weight in self.penalty.extra.items():
            every = self.penalty.extra_every.get(name, 1)
            terms[f"penalty_{name}"] = weight * self.lazily(
                every, lambda name=name: PENALTIES[name](critic, real, fake)
            )
        return terms

    def generator_extra_loss(self, z, fake, condition, fake_out):
        """Extra generator loss terms as a dict ``{name: weighted value}``.

        A generator that returns more than its samples (`images.samples_of`:
        StyleGAN's intermediate latent ``w`` for path-length regularization)
        hands the rest to this hook as ``extras``: give the override an
        ``extras`` parameter to read it. A term taken at its own interval uses
        ``self.lazily(every, term, player="generator")``."""
        return {}

    def generator_extras(self, z, fake, condition, fake_out, extras):
        """`generator_extra_loss`, with ``extras`` passed only when the generator
        returned some (so overrides without the parameter keep working)."""
        more = {"extras": extras} if extras else {}
        return self.generator_extra_loss(z, fake, condition, fake_out, **more)

    # The game.

    def discriminator_inputs(self, real, fake, draws):
        """(real, fake) as the discriminator sees them: augmented, then packed."""
        real = self.pack_samples(self.augment_images(real, draws.get("augment_real")))
        return real, self.pack_samples(self.augment_images(fake, draws.get("augment_fake")))

    @staticmethod
    def with_extra(loss, extra):
        """``loss`` plus the extra terms ``extra`` (a dict of weighted values)."""
        return loss + tf.add_n(list(extra.values())) if extra else loss

    def apply_discriminator_update(self, tape, total):
        variables = self.discriminator.trainable_variables
        grads = tape.gradient(total, variables)
        self.d_optimizer.apply_gradients(zip(grads, variables, strict=True))
        if self.penalty.clip_value:
            penalties.clip_weights(variables, self.penalty.clip_value)

    def apply_generator_update(self, tape, total):
        variables = self.generator.trainable_variables
        grads = tape.gradient(total, variables)
        self.g_optimizer.apply_gradients(zip(grads, variables, strict=True))

    def discriminator_step(self, real, condition):
        draws = self.discriminator_draws(real)
        fake = self.generated(draws["z"], condition).samples  # no generator update here
        real, fake = self.discriminator_inputs(real, fake, draws)
        with tf.GradientTape() as tape:
            real_out, real_calls = self.judged(real, condition)
            fake_out, fake_calls = self.judged(fake, condition)
            d_loss, _ = self.loss_fn(self.score(real_out), self.score(fake_out))
            extra = self.discriminator_extra_loss(real, fake, condition, real_out, fake_out, draws)
            logs = {"d_loss": d_loss, **extra}
            calls = real_calls + fake_calls
            total = self.with_regularization("d_reg", self.with_extra(d_loss, extra),
                                             [self.discriminator], calls, logs)  # fmt: skip
        self.apply_discriminator_update(tape, total)
        return logs, draws["z"]

    def real_scores(self, real, condition):
        """The scores the discriminator, as it is now, gives the real batch, for a loss
        whose generator term reads them (`tfgan_zoo.losses.generator_reads_real`);
        None for the others, which read only the fake scores. Augmented (with draws
        of their own) and packed as in the discriminator's update; constants for
        the generator."""
        if not losses.generator_reads_real(self.loss_fn):
            return None
        seen = self.pack_samples(self.augment_images(real, self.augment_draw(tf.shape(real)[0])))
        return tf.stop_gradient(self.score(self.discriminate(seen, condition, training=True)))

    def generator_step(self, real, condition, z=None):
        """One generator update on noise ``z`` (default: fresh), for the real batch
        ``real`` of the step's last discriminator update (scored again only for
        losses that read real scores: `real_scores`)."""
        batch_size = tf.shape(real)[0]
        z = self.sample_latent(batch_size) if z is None else z
        augment_draw = self.augment_draw(batch_size)
        real_score = self.real_scores(real, condition)
        with tf.GradientTape() as tape:
            fake, calls, extras = self.generated(z, condition)
            seen = self.pack_samples(self.augment_images(fake, augment_draw))
            fake_out = self.discriminate(seen, condition, training=True)
            _, g_loss = self.loss_fn(real_score, self.score(fake_out))
            extra = self.generator_extras(z, fake, condition, fake_out, extras)
            logs = {"g_loss": g_loss, **extra}
            total = self.with_regularization("g_reg", self.with_extra(g_loss, extra),
                                             [self.generator], calls, logs)  # fmt: skip
        self.apply_generator_update(tape, total)
        return logs

    def simultaneous_step(self, real, condition):
        """Both updates from one forward pass: the gradients of the discriminator's
        and the generator's losses at the same weights, on the same fakes, then
        both applied. This is the ALI/PacGAN code's ``ali_algorithm`` (one Blocks
        `GradientDescent` over both networks' parameters).
        """
        draws = self.discriminator_draws(real)
        with tf.GradientTape(persistent=True) as tape:
            fake, g_calls, extras = self.generated(draws["z"], condition)
            real_in, fake_in = self.discriminator_inputs(real, fake, draws)
            real_out, real_calls = self.judged(real_in, condition)
            fake_out, fake_calls = self.judged(fake_in, condition)
            d_loss, g_loss = self.loss_fn(self.score(real_out), self.score(fake_out))
            d_extra = self.discriminator_extra_loss(
                real_in, fake_in, condition, real_out, fake_out, draws
            )
            g_extra = self.generator_extras(draws["z"], fake, condition, fake_out, extras)
            logs = {"d_loss": d_loss, **d_extra, "g_loss": g_loss, **g_extra}
            d_total = self.with_regularization("d_reg", self.with_extra(d_loss, d_extra),
                                               [self.discriminator], real_calls + fake_calls,
                                               logs)  # fmt: skip
            g_total = self.with_regularization("g_reg", self.with_extra(g_loss, g_extra),
                                               [self.generator], g_calls, logs)  # fmt: skip
        g_variables = self.generator.trainable_variables
        g_grads = tape.gradient(g_total, g_variables)  # before the D update: same weights
        self.apply_discriminator_update(tape, d_total)
        self.g_optimizer.apply_gradients(zip(g_grads, g_variables, strict=True))
        return logs

    def train_step(self, data):
        """``g_steps`` generator updates after ``n_critic`` discriminator updates
        (or both at once, ``simultaneous``), then the generator's moving average
        (when on). The step logs the last generator update's losses.

        The generator's updates use the last critic update's real batch: its labels
        in conditional models, and, for losses that read real scores
        (relativistic ones), its scores by the updated discriminator.
        """
        real, condition = self.unpack(data)
        if self.schedule.simultaneous:
            logs = self.simultaneous_step(*self.critic_batch(real, condition, 0))
        else:
            for k in range(self.n_critic):
                real_k, condition_k = self.critic_batch(real, condition, k)
                d_logs, z = self.discriminator_step(real_k, condition_k)
            z = z if self.schedule.shared_noise else None
            for _ in range(self.g_steps):
                g_logs = self.generator_step(real_k, condition_k, z)
            logs = {**d_logs, **g_logs}
        replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        self.update_ema(tf.shape(real)[0] * replicas)
        return self.log(logs)

"""The base adversarial model: a `keras.Model` whose `train_step` plays the game."""

import keras
import tensorflow as tf

from tfgan_zoo import architectures, augment, ema, export, losses, penalties, rng
from tfgan_zoo.models.base import AdversarialModel, call_losses
from tfgan_zoo.penalties import PENALTIES

EMA_BN = ("copy", "recompute")
STANDING_BATCHES, STANDING_BATCH = 32, 64  # BigGAN accumulates 16 batches of its size


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
      latent_distribution: ``"normal"`` (standard normal noise) or
        ``"uniform"`` (uniform in [-1, 1], DCGAN's and PacGAN's Stacked-MNIST
        code's); training, sample grids, FID and the export's ``sample``
        signatures all draw from it.
      loss: a name in `tfgan_zoo.losses.LOSSES` or a loss callable.
      loss_kwargs: keyword arguments bound to the loss (e.g. LSGAN labels).
      n_critic: discriminator updates per generator update.
      g_steps: generator updates per `train_step`, each on fresh noise, after
        the discriminator updates. DCGAN-tensorflow (carpedm20), on which
        PacGAN's Stacked-MNIST code is built, runs two "to make sure that
        d_loss does not go to zero". 1: the papers' rule.
      shared_noise: the generator updates of a step reuse the noise of its
        last discriminator update, as DCGAN-tensorflow feeds one ``batch_z``
        to a step's three updates; False (the papers' algorithms): fresh
        noise for every update.
      gp_weight: weight of the WGAN-GP gradient penalty (0 disables it).
      gp_target: the norm the gradient penalty pulls towards (1 in WGAN-GP).
      gp_one_sided: penalize only gradient norms above ``gp_target``.
      r1_weight: weight of the R1 penalty on real data (0 disables it); it is
        the R1 paper's gamma / 2.
      r2_weight: weight of the R2 penalty on generated data (0 disables it),
        gamma / 2 as for R1 (R3GAN uses the same gamma for both).
      r1_every: lazy regularization (StyleGAN2): R1 and R2 are taken at every
        ``r1_every``-th discriminator update only, with their weights times
        ``r1_every``, so on average they weigh as much as dense penalties at a
        fraction of the cost (StyleGAN2: 16). 1: every update.
      gp_every: the same for the gradient penalty.
      penalties: ``{name: weight}`` of more penalties from
        `tfgan_zoo.penalties.PENALTIES` (a user's own included), each
        ``fn(critic, real, fake)`` on the adversarial score, logged as
        ``penalty_<name>``.
      clip_value: clip discriminator weights to this magnitude after each
        discriminator update (WGAN); None disables clipping.
      pack: samples per discriminator input (PacGAN); the discriminator must
        take the packed shape (``architectures.build(..., pack=m)``) and the
        batch (per replica) must divide by it. Penalties are computed on
        packs (one interpolation weight per pack). 1: no packing. Only the
        unconditional `GAN` packs (``supports_packing``).
      ema_decay: keep an exponential moving average of the generator's
        weights with this decay (e.g. 0.999), updated after every step's
        generator update(s) (`tfgan_zoo.ema`). Sample grids, FID, ``gan(z)`` and exports
        then use the average (``sampler``). 0: off.
      ema_start: generator updates before averaging starts; until then the
        average copies the weights (BigGAN's ``ema_start``).
      ema_warmup: use the decay ``min(ema_decay, (1 + n) / (10 + n))`` after
        ``n`` averaged updates, the rule of TensorFlow's
        ``tf.train.ExponentialMovingAverage(num_updates=n)``: early on the
        average forgets the random initial weights quickly, instead of keeping
        ``ema_decay ** n`` of them (13% after 2,000 updates at 0.999).
      ema_half_life: instead of ``ema_decay``, StyleGAN2's convention: a
        half-life in images (its ``ema_kimg`` x 1000), the decay
        ``0.5 ** (batch / ema_half_life)`` per generator update, so it does not
        depend on the batch size (`tfgan_zoo.ema.half_life_decay`). 0: off.
      ema_rampup: with ``ema_half_life``, the half-life is at most this
        fraction of the images seen so far (StyleGAN2-ADA: 0.05); 0: none.
      ema_bn: the average's batch-norm statistics: ``"copy"`` (the raw
        generator's, every step, as StyleGAN2-ADA copies buffers; free) or
        ``"recompute"`` (BigGAN's standing statistics through the averaged
        weights, from fresh latents, before every sample grid, FID and export:
        `prepare_sampler`). ``copy`` is the default: it costs nothing and is
        what StyleGAN2 does; ``recompute`` is for a measured gain.
      augment_policy: DiffAugment transforms applied to every image the
        discriminator sees, real and fake, in both updates (`tfgan_zoo.augment`):
        any of ``"color,translation,cutout"``. Images only; penalties are
        computed on the augmented inputs. None or "": off.
      simultaneous: update both networks at once from one forward pass
        (`simultaneous_step`), as the Blocks/Theano code of ALI and PacGAN
        does, instead of a discriminator update followed by a generator update
        on fresh noise through the updated discriminator. Needs ``n_critic=1``.
      seed: seed of the noise `keras.random.SeedGenerator`.
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
            latent_distribution=config.latent_distribution,
            loss=config.loss,
            loss_kwargs=config.loss_kwargs,
            n_critic=config.n_critic,
            g_steps=config.g_steps,
            shared_noise=config.shared_noise,
            gp_weight=config.gp_weight,
            gp_target=config.gp_target,
            gp_one_sided=config.gp_one_sided,
            r1_weight=config.r1_weight,
            r2_weight=config.r2_weight,
            r1_every=config.r1_every,
            penalties=config.penalty_weights,
            gp_every=config.gp_every,
            clip_value=config.clip_value or None,
            pack=config.pack,
            ema_decay=config.ema_decay,
            ema_start=config.ema_start,
            ema_warmup=config.ema_warmup,
            ema_half_life=config.ema_half_life,
            ema_rampup=config.ema_rampup,
            ema_bn=config.ema_bn,
            augment_policy=config.augment_policy,
            simultaneous=config.simultaneous,
            seed=config.seed,
            max_loss=config.max_loss,
            **cls.model_kwargs(config, info.num_classes),
        )

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        loss="non_saturating",
        loss_kwargs=None,
        n_critic=1,
        g_steps=1,
        gp_weight=0.0,
        gp_target=1.0,
        gp_one_sided=False,
        r1_weight=0.0,
        r2_weight=0.0,
        r1_every=1,
        gp_every=1,
        penalties=None,
        clip_value=None,
        pack=1,
        ema_decay=0.0,
        ema_start=0,
        ema_warmup=True,
        ema_half_life=0,
        ema_rampup=0.0,
        ema_bn="copy",
        augment_policy=None,
        simultaneous=False,
        latent_distribution="normal",
        shared_noise=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if n_critic < 1 or (simultaneous and n_critic != 1):
            raise ValueError(
                f"n_critic must be >= 1 (and 1 with simultaneous updates), got {n_critic}."
            )
        if g_steps < 1 or (simultaneous and g_steps != 1):
            raise ValueError(
                f"g_steps must be >= 1 (and 1 with simultaneous updates), got {g_steps}."
            )
        self.simultaneous = bool(simultaneous)
        if pack < 1 or (pack > 1 and not self.supports_packing):
            raise ValueError(
                f"pack must be >= 1, and {type(self).__name__} does not pack (only GAN "
                f"does), got pack={pack}."
            )
        self.pack = int(pack)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        if latent_distribution not in rng.LATENTS:
            raise ValueError(
                f"latent_distribution must be one of {', '.join(rng.LATENTS)}, "
                f"got {latent_distribution!r}."
            )
        self.latent_distribution = latent_distribution
        self.set_loss(loss, loss_kwargs)
        self.n_critic = int(n_critic)
        self.g_steps = int(g_steps)
        self.shared_noise = bool(shared_noise)
        self.gp_weight = float(gp_weight)
        self.gp_target = float(gp_target)
        self.gp_one_sided = bool(gp_one_sided)
        self.r1_weight, self.r2_weight = float(r1_weight), float(r2_weight)
        if r1_every < 1 or gp_every < 1:
            raise ValueError(f"r1_every and gp_every must be >= 1, got {r1_every} and {gp_every}.")
        self.r1_every, self.gp_every = int(r1_every), int(gp_every)
        self.penalties = {name: float(w) for name, w in (penalties or {}).items()}
        for name in self.penalties:
            PENALTIES.lookup(name)
        self.clip_value = clip_value
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.build_networks()
        self.check_players()
        self.make_trackers(self.tracked_names())
        self.sample_shape = export.sample_shape(generator, self.generator_input_dim,
                                                self.num_classes)  # fmt: skip
        if not 0 <= ema_decay < 1 or ema_start < 0 or ema_half_life < 0 or ema_rampup < 0:
            raise ValueError(
                f"ema_decay must be in [0, 1) and ema_start, ema_half_life and ema_rampup "
                f">= 0, got {ema_decay}, {ema_start}, {ema_half_life}, {ema_rampup}."
            )
        if ema_bn not in EMA_BN:
            raise ValueError(f"ema_bn must be one of {', '.join(EMA_BN)}, got {ema_bn!r}.")
        self.ema_decay, self.ema_start = float(ema_decay), int(ema_start)
        self.ema_warmup = bool(ema_warmup)
        self.ema_half_life, self.ema_rampup = int(ema_half_life), float(ema_rampup)
        self.ema_bn = ema_bn
        averaging = ema_decay or ema_half_life
        self.ema_generator = ema.averaged_copy(generator) if averaging else None
        self.augment_policy = augment.parse(augment_policy)
        if self.augment_policy and len(self.sample_shape) != 3:
            raise ValueError(
                f"augment_policy={','.join(self.augment_policy)} transforms images, but the "
                f"generator's samples have shape {self.sample_shape}."
            )
        self.built = True

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
            fake = self.generate(z, condition, training=False)
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
        if self.gp_weight:
            names.append("gp")
        if self.r1_weight:
            names.append("r1")
        if self.r2_weight:
            names.append("r2")
        return names + [f"penalty_{n}" for n in self.penalties] + self.reg_names()

    def players(self):
        return [self.generator], [self.discriminator]

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "latent_distribution": self.latent_distribution,
            "n_critic": self.n_critic,
            "g_steps": self.g_steps,
            "shared_noise": self.shared_noise,
            "gp_weight": self.gp_weight,
            "gp_target": self.gp_target,
            "gp_one_sided": self.gp_one_sided,
            "r1_weight": self.r1_weight,
            "r2_weight": self.r2_weight,
            "r1_every": self.r1_every,
            "gp_every": self.gp_every,
            "penalties": self.penalties,
            "clip_value": self.clip_value,
            "pack": self.pack,
            "ema_decay": self.ema_decay,
            "ema_start": self.ema_start,
            "ema_warmup": self.ema_warmup,
            "ema_half_life": self.ema_half_life,
            "ema_rampup": self.ema_rampup,
            "ema_bn": self.ema_bn,
            "augment_policy": ",".join(self.augment_policy),
            "simultaneous": self.simultaneous,
            "seed": self.seed,
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
        return (self.generator if training else self.sampler)(z, training=training)

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
        n = tf.cast(self.g_optimizer.iterations - self.ema_start, tf.float32)
        if self.ema_half_life:
            seen = tf.cast(self.g_optimizer.iterations, tf.float32) * tf.cast(batch, tf.float32)
            decay = ema.half_life_decay(self.ema_half_life, batch, seen, self.ema_rampup)
        else:
            decay = tf.constant(self.ema_decay, tf.float32)
            if self.ema_warmup:
                decay = tf.minimum(decay, (1.0 + n) / (10.0 + n))
        ema.update(self.ema_generator, self.generator, tf.where(n > 0, decay, 0.0))

    def prepare_sampler(self):
        """Readies the sampler before sample grids, FID and exports: with
        ``ema_bn="recompute"`` the average's batch-norm statistics become its own
        standing statistics, over `STANDING_BATCHES` batches of fixed latents
        (seed 0) through the averaged weights (`tfgan_zoo.ema.standing_statistics`)."""
        if self.ema_generator is None or self.ema_bn != "recompute":
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
        return self.sampler(z, training=training)

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
        """The generator's samples for ``z`` (one call)."""
        return self.generator(z, training=training)

    def generated(self, z, condition):
        """The samples of a training update and the losses the generator's calls
        added (`call_losses`: activity regularizers, ``add_loss``).

        When packing, one generator call per pack position (rows ``k, k + pack,
        ...`` of ``z``), interleaved back so that every pack holds one sample of
        each call. PacGAN's code generates each position of its packs with a call
        of its own (toy and Stacked MNIST), so a batch-normalized generator
        normalizes each position's samples apart; without batch statistics this
        is one call's output, in pieces.
        """
        if self.pack == 1:
            return self.generate(z, condition, training=True), call_losses(self.generator)
        if z.shape[0] is not None and z.shape[0] % self.pack:
            self.pack_samples(z)  # raises the one-line error naming both numbers
        fakes, calls = [], []
        for k in range(self.pack):
            fakes.append(self.generate(z[k :: self.pack], condition, training=True))
            calls += call_losses(self.generator)
        return tf.reshape(tf.stack(fakes, axis=1), [-1, *fakes[0].shape[1:]]), calls

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
        if self.gp_weight:  # one weight per discriminator input (per pack)
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

    def lazily(self, every, penalty):
        """``penalty()`` at every ``every``-th discriminator update, times ``every``,
        and 0 at the others (StyleGAN2's lazy regularization); ``penalty()`` always
        when ``every`` is 1. The count is the discriminator optimizer's updates so
        far, so the first update is penalized and a resumed run keeps the rhythm."""
        if every == 1:
            return penalty()
        due = tf.equal(self.d_optimizer.iterations % every, 0)
        return tf.cond(due, lambda: float(every) * penalty(), lambda: tf.constant(0.0))

    def discriminator_extra_loss(self, real, fake, condition, real_out, fake_out, draws):
        """Extra discriminator loss terms as a dict ``{name: weighted value}``.

        ``real`` and ``fake`` are the discriminator's inputs (packs, when packing).
        The penalties (GP, R1, R2) are taken on the adversarial score (`critic`).
        """
        terms = {}
        critic = self.critic(condition)
        if self.gp_weight:
            terms["gp"] = self.gp_weight * self.lazily(self.gp_every, lambda: (
                penalties.gradient_penalty(critic, real, fake, alpha=draws["alpha"],
                                           target=self.gp_target, one_sided=self.gp_one_sided)
            ))  # fmt: skip
        if self.r1_weight:
            terms["r1"] = self.r1_weight * self.lazily(
                self.r1_every, lambda: penalties.r1_penalty(critic, real)
            )
        if self.r2_weight:
            terms["r2"] = self.r2_weight * self.lazily(
                self.r1_every, lambda: penalties.r2_penalty(critic, fake)
            )
        for name, weight in self.penalties.items():
            terms[f"penalty_{name}"] = weight * PENALTIES[name](critic, real, fake)
        return terms

    def generator_extra_loss(self, z, fake, condition, fake_out):
        """Extra generator loss terms as a dict ``{name: weighted value}``."""
        return {}

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
        if self.clip_value:
            penalties.clip_weights(variables, self.clip_value)

    def apply_generator_update(self, tape, total):
        variables = self.generator.trainable_variables
        grads = tape.gradient(total, variables)
        self.g_optimizer.apply_gradients(zip(grads, variables, strict=True))

    def discriminator_step(self, real, condition):
        draws = self.discriminator_draws(real)
        fake, _ = self.generated(draws["z"], condition)  # no generator update here
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
            fake, calls = self.generated(z, condition)
            seen = self.pack_samples(self.augment_images(fake, augment_draw))
            fake_out = self.discriminate(seen, condition, training=True)
            _, g_loss = self.loss_fn(real_score, self.score(fake_out))
            extra = self.generator_extra_loss(z, fake, condition, fake_out)
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
            fake, g_calls = self.generated(draws["z"], condition)
            real_in, fake_in = self.discriminator_inputs(real, fake, draws)
            real_out, real_calls = self.judged(real_in, condition)
            fake_out, fake_calls = self.judged(fake_in, condition)
            d_loss, g_loss = self.loss_fn(self.score(real_out), self.score(fake_out))
            d_extra = self.discriminator_extra_loss(
                real_in, fake_in, condition, real_out, fake_out, draws
            )
            g_extra = self.generator_extra_loss(draws["z"], fake, condition, fake_out)
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
        if self.simultaneous:
            logs = self.simultaneous_step(*self.critic_batch(real, condition, 0))
        else:
            for k in range(self.n_critic):
                real_k, condition_k = self.critic_batch(real, condition, k)
                d_logs, z = self.discriminator_step(real_k, condition_k)
            z = z if self.shared_noise else None
            for _ in range(self.g_steps):
                g_logs = self.generator_step(real_k, condition_k, z)
            logs = {**d_logs, **g_logs}
        replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        self.update_ema(tf.shape(real)[0] * replicas)
        return self.log(logs)

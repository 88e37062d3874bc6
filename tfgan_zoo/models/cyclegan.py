"""Unpaired image-to-image translation: CycleGAN (Zhu et al. 2017)."""

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import architectures, options, rng
from tfgan_zoo.models.gan import draw_for_replica
from tfgan_zoo.models.pix2pix import ImageTranslator, l1


class ImagePool(keras.layers.Layer):
    """A history of generated images the discriminator also learns from (Shrivastava et al.).

    `query` returns, per image, either the image itself or (with probability
    1/2 once the pool is full) a stored older image, which the new one then
    replaces; while the pool fills, images are stored and passed through.
    This damps the oscillation of the generator/discriminator game.

    Batches are handled at once: two images of a batch that pick the same
    slot both return its old content and one of them is stored. Under
    tf.distribute the pool is mirrored and holds the first replica's images
    (``aggregation="only_first_replica"``); every replica draws from it.
    """

    def __init__(self, size, image_shape, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.images = self.add_weight(
            shape=(max(self.size, 1), *image_shape),
            initializer="zeros",
            trainable=False,
            name="images",
            aggregation="only_first_replica",
        )
        self.count = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            name="count",
            aggregation="only_first_replica",
        )

    def draws(self, batch_size, seed_generator):
        """The random choices of one `query`, drawn outside any gradient tape."""

        def uniform(shape):
            return rng.uniform(shape, seed_generator)

        def slots(shape):
            return rng.randint(shape, 0, max(self.size, 1), seed_generator)

        return {
            "swap": draw_for_replica(uniform, [batch_size]) > 0.5,
            "slot": draw_for_replica(slots, [batch_size]),
        }

    def query(self, images, draws):
        """The images the discriminator sees in place of ``images``; updates the pool."""
        images = tf.stop_gradient(images)
        if self.size == 0:
            return images
        batch = tf.shape(images)[0]
        count = tf.convert_to_tensor(self.count)
        fill_slot = count + tf.range(batch)
        filling = fill_slot < self.size
        swap = tf.logical_and(tf.logical_not(filling), draws["swap"])
        slot = tf.cast(draws["slot"], tf.int32)
        out = tf.where(swap[:, None, None, None], tf.gather(self.images, slot), images)
        write = tf.logical_or(filling, swap)
        targets = tf.boolean_mask(tf.where(filling, fill_slot, slot), write)
        self.images.assign(
            tf.tensor_scatter_nd_update(
                self.images, targets[:, None], tf.boolean_mask(images, write)
            )
        )
        self.count.assign(tf.minimum(count + batch, self.size))
        return out


@dataclasses.dataclass(frozen=True)
class CycleOptions:
    """CycleGAN's own weights: the cycle-consistency L1 (10 in the paper), the
    identity L1 as a fraction of it (0.5), and the image pool's size (50; 0 for
    none). Their flat keywords (``cycle_weight=``, ...) are also accepted."""

    cycle_weight: float = 10.0
    identity_weight: float = 0.5
    pool_size: int = 50


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class CycleGAN(ImageTranslator):
    """Two generators, ``G: A -> B`` and ``F: B -> A``, and a critic per domain.

    The generators minimise the adversarial loss of both directions (least
    squares in the paper), ``cycle_weight`` times the cycle-consistency L1
    ``|F(G(a)) - a| + |G(F(b)) - b|`` (10 in the paper), and
    ``identity_weight * cycle_weight`` times the identity L1 ``|G(b) - b| +
    |F(a) - a|`` (0.5 in the paper; needs the same channels in A and B).
    Each discriminator is trained on real images against fakes drawn through
    an `ImagePool` of ``pool_size`` (50), with its loss halved. The three
    weights come as a `CycleOptions` (``cycle=``) or as flat keywords.

    ```python
    g, d_b = architectures.build("resnet_patchgan", shape_b, 0, input_shape=shape_a)
    f, d_a = architectures.build("resnet_patchgan", shape_a, 0, input_shape=shape_b)
    model = CycleGAN(g, f, d_a, d_b, loss="least_squares")
    model.compile()
    model.fit(unpaired)  # (images of A, images of B) batches in [-1, 1]
    ```
    """

    discriminator_output = architectures.PATCHES
    network_args = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")

    def __init__(self, generator_ab, generator_ba, discriminator_a, discriminator_b,
                 loss="least_squares", loss_kwargs=None, cycle=None, seed=None,
                 **kwargs):  # fmt: skip
        cycle = options.group_or_flat(CycleOptions, cycle, kwargs, key="cycle")
        cycle_weight, pool_size = cycle.cycle_weight, cycle.pool_size
        self.identity_weight = float(cycle.identity_weight)
        super().__init__(loss, loss_kwargs, **kwargs)
        self.generator_ab, self.generator_ba = generator_ab, generator_ba
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b
        self.cycle_weight = float(cycle_weight)
        shape_a, shape_b = generator_ab.input_shape[1:], generator_ba.input_shape[1:]
        if self.identity_weight and shape_a[-1] != shape_b[-1]:
            raise ValueError(
                f"The identity loss needs the same channels in both domains, got {shape_a} "
                f"and {shape_b}: set identity_weight=0 (--identity_weight=0)."
            )
        self.pool_a = ImagePool(pool_size, shape_a, name="pool_a")
        self.pool_b = ImagePool(pool_size, shape_b, name="pool_b")
        self.pool_size, self.seed = int(pool_size), seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.set_networks({"a_to_b": generator_ab, "b_to_a": generator_ba},
                          [discriminator_a, discriminator_b])  # fmt: skip

    def get_config(self):
        return {**super().get_config(), "cycle_weight": self.cycle_weight,
                "identity_weight": self.identity_weight, "pool_size": self.pool_size,
                "seed": self.seed}  # fmt: skip

    @property
    def generator(self):
        """The A -> B generator (what `call` and the default export use)."""
        return self.generator_ab

    @classmethod
    def from_train_config(cls, config, info):
        def pair(target_shape, input_shape):
            return architectures.build(
                config.architecture,
                target_shape,
                0,
                input_shape=input_shape,
                **config.architecture_kwargs,
            )

        generator_ab, discriminator_b = pair(info.sample_shape, info.input_shape)
        generator_ba, discriminator_a = pair(info.input_shape, info.sample_shape)
        return cls(
            generator_ab,
            generator_ba,
            discriminator_a,
            discriminator_b,
            loss=config.loss,
            loss_kwargs=config.loss_kwargs,
            cycle=CycleOptions(
                cycle_weight=config.cycle_weight,
                identity_weight=config.identity_weight,
                pool_size=config.pool_size,
            ),
            seed=config.seed,
            max_loss=config.max_loss,
        )

    def tracked_names(self):
        names = ["d_a", "d_b", "g_ab", "g_ba", "cycle"]
        return names + ["identity"] if self.identity_weight else names

    def generator_losses(self, a, b, real_scores, calls):
        """The generators' loss terms (unweighted) and the fakes they made;
        ``real_scores`` are ``(D_a(a), D_b(b))`` for a loss whose generator term
        reads them, else ``(None, None)``; the generators' call losses go to
        ``calls``."""
        g, f = self.generator_ab, self.generator_ba
        fake_b, fake_a = self.called(g, a, calls), self.called(f, b, calls)
        out_b = self.discriminator_b(fake_b, training=True)
        out_a = self.discriminator_a(fake_a, training=True)
        terms = {
            "g_ab": self.loss_fn(real_scores[1], out_b)[1],
            "g_ba": self.loss_fn(real_scores[0], out_a)[1],
            "cycle": l1(self.called(f, fake_b, calls), a) + l1(self.called(g, fake_a, calls), b),
        }
        if self.identity_weight:
            terms["identity"] = l1(self.called(g, b, calls), b) + l1(self.called(f, a, calls), a)
        return terms, fake_a, fake_b

    def discriminator_loss(self, discriminator, real, fake, calls):
        """Half the adversarial loss of one discriminator (as in the paper); its
        call losses go to ``calls``."""
        real_out = self.called(discriminator, real, calls)
        return 0.5 * self.loss_fn(real_out, self.called(discriminator, fake, calls))[0]

    def train_step(self, data):
        """One update of both generators, then one of both discriminators (on pooled fakes)."""
        a, b = data
        real_scores = (self.real_scores(self.discriminator_a, a),
                       self.real_scores(self.discriminator_b, b))  # fmt: skip
        g_calls, d_calls = [], []
        with tf.GradientTape() as tape:
            g_terms, fake_a, fake_b = self.generator_losses(a, b, real_scores, g_calls)
            logs = dict(g_terms)
            total = g_terms["g_ab"] + g_terms["g_ba"] + self.cycle_weight * g_terms["cycle"]
            if self.identity_weight:
                total += self.identity_weight * self.cycle_weight * g_terms["identity"]
            total = self.with_regularization("g_reg", total, self.generators.values(),
                                             g_calls, logs)  # fmt: skip
        self.minimize(tape, total, self.generator_variables(), self.g_optimizer)

        draws_a = self.pool_a.draws(tf.shape(a)[0], self.seed_generator)
        draws_b = self.pool_b.draws(tf.shape(b)[0], self.seed_generator)
        pooled_a = self.pool_a.query(fake_a, draws_a)
        pooled_b = self.pool_b.query(fake_b, draws_b)
        with tf.GradientTape() as tape:
            d_a = self.discriminator_loss(self.discriminator_a, a, pooled_a, d_calls)
            d_b = self.discriminator_loss(self.discriminator_b, b, pooled_b, d_calls)
            logs.update(d_a=d_a, d_b=d_b)
            total = self.with_regularization("d_reg", d_a + d_b, self.discriminators, d_calls,
                                             logs)  # fmt: skip
        self.minimize(tape, total, self.discriminator_variables(), self.d_optimizer)
        return self.log(logs)

    def preview_images(self, a, b):
        """Columns a, G(a), F(G(a)), b, F(b), G(F(b))."""
        fake_b = self.generator_ab(a, training=False)
        fake_a = self.generator_ba(b, training=False)
        rec_a = self.generator_ba(fake_b, training=False)
        rec_b = self.generator_ab(fake_a, training=False)
        return [a, np.asarray(fake_b), np.asarray(rec_a), b, np.asarray(fake_a), np.asarray(rec_b)]

    def cycle_error(self, a, b):
        """Mean absolute cycle reconstruction error ``(|F(G(a)) - a|, |G(F(b)) - b|)``."""
        rec_a = self.generator_ba(self.generator_ab(a, training=False), training=False)
        rec_b = self.generator_ab(self.generator_ba(b, training=False), training=False)
        return float(tf.reduce_mean(tf.abs(rec_a - a))), float(tf.reduce_mean(tf.abs(rec_b - b)))

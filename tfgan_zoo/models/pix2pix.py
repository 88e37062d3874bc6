"""Image-to-image translation with paired data: Pix2Pix (Isola et al. 2017)."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import architectures, export
from tfgan_zoo import losses as losses_lib
from tfgan_zoo.models.base import AdversarialModel, call_losses


def l1(x, y):
    """Mean absolute difference, reduced over the global batch."""
    return losses_lib.batch_mean(tf.abs(x - y))


def _rgb_if_mixed(*images):
    """The image batches with one channel count (grey ones tiled to RGB when any is RGB)."""
    channels = max(int(x.shape[-1]) for x in images)
    return [np.repeat(x, channels // x.shape[-1], axis=-1) for x in images]


class ImageTranslator(AdversarialModel):
    """What the image-to-image models share: optimizers, logs, previews, export.

    Subclasses call `set_networks` with ``generators`` (``{direction: model}``,
    exported in that order) and ``discriminators``, and define ``tracked_names``
    and ``train_step``. The dataset yields ``(inputs, targets)`` image batches in
    [-1, 1]. As in `GAN`, the networks' own losses (regularizers, ``add_loss``)
    count in their player's loss (``g_reg`` / ``d_reg``), and a loss whose
    generator term reads real scores gets them from the discriminator as it is
    at the generator's update (`real_scores`); the others get None.
    """

    supports_packing = False
    num_classes = 0
    preview_samples = 12

    def __init__(self, loss, loss_kwargs=None, **kwargs):
        super().__init__(**kwargs)
        self.set_loss(loss, loss_kwargs)

    def set_networks(self, generators, discriminators):
        """Sets the networks (``generators``: ``{direction: model}``), checks that the
        players share no variable, and makes the trackers."""
        self.generators, self.discriminators = generators, discriminators
        self.check_players()
        self.make_trackers(self.tracked_names() + self.reg_names())
        self.built = True

    def players(self):
        return list(self.generators.values()), list(self.discriminators)

    def called(self, network, inputs, calls):
        """``network(inputs)`` in training, adding the losses the call added to ``calls``."""
        output = network(inputs, training=True)
        calls += call_losses(network)
        return output

    def real_scores(self, discriminator, real):
        """``discriminator``'s scores of ``real`` as it is now, for a loss whose
        generator term reads them; None for the others (see `tfgan_zoo.losses`)."""
        if not losses_lib.generator_reads_real(self.loss_fn):
            return None
        return tf.stop_gradient(discriminator(real, training=True))

    def generator_variables(self):
        return [v for g in self.generators.values() for v in g.trainable_variables]

    def discriminator_variables(self):
        return [v for d in self.discriminators for v in d.trainable_variables]

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Sets and builds the optimizers of all generators and of all discriminators.

        One optimizer spans the generators and one the discriminators (as in
        the reference implementations; Adam is per-parameter, so this equals
        one optimizer per network). Both default to ``Adam(2e-4, beta_1=0.5)``.
        """
        networks = [*self.generators.values(), *self.discriminators]
        if not all(n.built for n in networks):
            raise ValueError(
                f"{type(self).__name__}: a generator or discriminator has no weights yet, so "
                f"its optimizer cannot be built. Start each keras.Sequential with keras.Input("
                f"shape=(height, width, channels)), or call each network once on a batch."
            )
        super().compile(
            g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5),
            d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5),
            **kwargs,
        )
        self.g_optimizer.build(self.generator_variables())
        self.d_optimizer.build(self.discriminator_variables())

    def call(self, images, training=False):
        """Translates ``images`` with the first generator."""
        return next(iter(self.generators.values()))(images, training=training)

    def minimize(self, tape, loss, variables, optimizer):
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables, strict=True))

    def preview_inputs(self, dataset, num_samples, seed=0):
        """The fixed inputs of sample grids: the first ``num_samples`` pairs of ``dataset``."""
        inputs, targets = [], []
        for a, b in dataset:
            inputs.append(np.asarray(a))
            targets.append(np.asarray(b))
            if sum(map(len, inputs)) >= num_samples:
                break
        return np.concatenate(inputs)[:num_samples], np.concatenate(targets)[:num_samples]

    preview_columns = 6

    def preview(self, pairs):
        """Images for a grid: per example, the columns `preview_images` returns."""
        columns = _rgb_if_mixed(*self.preview_images(*pairs))
        return np.stack(columns, axis=1).reshape(-1, *columns[0].shape[1:])

    def fid_inputs(self, dataset, num_samples, seed=0):
        """The fixed inputs FID is measured on: the input images of `preview_inputs`."""
        return self.preview_inputs(dataset, num_samples, seed)[0]

    def fid_images(self, inputs):
        """The images FID scores: translations by the first generator (Pix2Pix's, or
        CycleGAN's ``a_to_b``), into the dataset's target domain."""
        generator = next(iter(self.generators.values()))
        return generator(inputs, training=False)

    def export_serving(self, base_dir, version=None, **metadata):
        """Exports the generators for TF Serving (`tfgan_zoo.export.export_translator`).

        ``metadata`` adds fields to the export's metadata (``step``).
        """
        metadata.pop("class_names", None)  # translators take and make images, not classes
        return export.export_translator(
            self.generators, base_dir, version, model=type(self).__name__, **metadata
        )


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Pix2Pix(ImageTranslator):
    """Conditional GAN for paired translation: ``G(input) ~ target``.

    The discriminator judges ``[input, image]`` pairs patch by patch; the
    generator minimises the adversarial loss plus ``l1_weight`` times the L1
    distance to the target (100 in the paper). As in the paper the
    discriminator's loss is halved, and the generator's only noise is its
    dropout (off at inference, so exports are deterministic).

    ```python
    g, d = architectures.build("unet_patchgan", (256, 256, 3), 0, input_shape=(256, 256, 3))
    model = Pix2Pix(g, d)
    model.compile()
    model.fit(pairs)  # (inputs, targets) batches in [-1, 1]
    ```
    """

    discriminator_output = architectures.PAIRED_PATCHES
    network_args = ("generator", "discriminator")

    def __init__(self, generator, discriminator, loss="non_saturating", loss_kwargs=None,
                 l1_weight=100.0, **kwargs):  # fmt: skip
        self.l1_weight = float(l1_weight)
        super().__init__(loss, loss_kwargs, **kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.set_networks({"translate": generator}, [discriminator])

    def get_config(self):
        return {**super().get_config(), "l1_weight": self.l1_weight}

    @classmethod
    def from_train_config(cls, config, info):
        if not info.paired:
            raise ValueError(
                f"Pix2Pix needs paired data (inputs matched to targets), but {info.source} "
                f"is unpaired: use --model=cyclegan, or a paired dataset (edges:..., or "
                f"folder: with side-by-side images)."
            )
        generator, discriminator = architectures.build(
            config.architecture,
            info.sample_shape,
            0,
            input_shape=info.input_shape,
            **config.architecture_kwargs,
        )
        return cls(
            generator,
            discriminator,
            loss=config.loss,
            loss_kwargs=config.loss_kwargs,
            l1_weight=config.l1_weight,
            max_loss=config.max_loss,
        )

    def tracked_names(self):
        return ["d_loss", "g_loss", "l1"]

    def train_step(self, data):
        """One discriminator update on ``G(input)``, then one generator update.

        The generator runs once; its loss uses the updated discriminator.
        """
        inputs, targets = data
        g_calls, d_calls = [], []
        with tf.GradientTape() as g_tape:
            fake = self.called(self.generator, inputs, g_calls)
            with g_tape.stop_recording():
                with tf.GradientTape() as d_tape:
                    real_out = self.called(self.discriminator, [inputs, targets], d_calls)
                    fake_out = self.called(self.discriminator, [inputs, fake], d_calls)
                    d_loss = 0.5 * self.loss_fn(real_out, fake_out)[0]
                    logs = {"d_loss": d_loss}
                    d_total = self.with_regularization(
                        "d_reg", d_loss, [self.discriminator], d_calls, logs
                    )
                self.minimize(d_tape, d_total, self.discriminator_variables(), self.d_optimizer)
                real_scores = self.real_scores(self.discriminator, [inputs, targets])
            fake_out = self.discriminator([inputs, fake], training=True)
            _, g_loss = self.loss_fn(real_scores, fake_out)
            distance = l1(fake, targets)
            logs.update(g_loss=g_loss, l1=distance)
            total = self.with_regularization("g_reg", g_loss + self.l1_weight * distance,
                                             [self.generator], g_calls, logs)  # fmt: skip
        self.minimize(g_tape, total, self.generator_variables(), self.g_optimizer)
        return self.log(logs)

    preview_columns = 9

    def preview_images(self, inputs, targets):
        """Columns input, translation, target."""
        return inputs, np.asarray(self.generator(inputs, training=False)), targets

"""InfoGAN (Chen et al. 2016): interpretable latent codes."""

import keras
import tensorflow as tf

from tfgan_zoo import architectures, losses, rng
from tfgan_zoo.models.gan import GAN, draw_for_replica


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class InfoGAN(GAN):
    """A GAN whose generator input holds codes that a Q head must recover.

    The generator's input is ``[noise (latent_dim), one-hot categorical code
    (num_categorical), continuous codes ~ U(-1, 1) (num_continuous)]``. The
    discriminator outputs ``[score, categorical logits, continuous means]``,
    Q sharing its trunk. The mutual-information lower bound, as the loss
    ``CE(c, Q_cat) + 1/2 ||c_cont - Q_mean||^2`` (a unit-variance Gaussian Q),
    is added to both players' losses with weight ``info_weight``.
    """

    discriminator_output = architectures.SCORE_AND_CODES
    supports_packing = False  # its discriminator also predicts codes

    def __init__(self, *args, num_categorical=10, num_continuous=2, info_weight=1.0, **kwargs):
        self.num_categorical = int(num_categorical)
        self.num_continuous = int(num_continuous)
        self.info_weight = float(info_weight)
        super().__init__(*args, **kwargs)

    @classmethod
    def model_kwargs(cls, config, num_classes):
        return {
            "num_categorical": config.info_categorical,
            "num_continuous": config.info_continuous,
            "info_weight": config.info_weight,
        }

    def get_config(self):
        return {**super().get_config(), "num_categorical": self.num_categorical,
                "num_continuous": self.num_continuous, "info_weight": self.info_weight}  # fmt: skip

    @property
    def generator_input_dim(self):
        return self.latent_dim + self.num_categorical + self.num_continuous

    def tracked_names(self):
        return super().tracked_names() + ["d_info", "g_info"]

    def codes(self, categories, continuous, noise):
        return tf.concat([noise, tf.one_hot(categories, self.num_categorical), continuous], 1)

    def sample_latent(self, batch_size):
        def draw(shape):
            batch = shape[0]
            noise = rng.latent(
                (batch, self.latent_dim), self.seed_generator, self.latent_distribution
            )
            categories = rng.randint((batch,), 0, self.num_categorical, self.seed_generator)
            continuous = rng.uniform((batch, self.num_continuous), self.seed_generator, -1.0, 1.0)
            return self.codes(categories, continuous, noise)

        return draw_for_replica(draw, (batch_size, self.generator_input_dim))

    @property
    def preview_classes(self):
        return self.num_categorical

    def preview(self, z, training=False):
        """Sample ``i`` takes category ``i % num_categorical``, so each column of a
        `preview_columns`-wide grid is one category; continuous codes are 0."""
        z = tf.convert_to_tensor(z)
        n = tf.shape(z)[0]
        categories = tf.range(n) % self.num_categorical
        continuous = tf.zeros((n, self.num_continuous))
        codes = self.codes(categories, continuous, z[:, : self.latent_dim])
        return self.sampler(codes, training=training)

    def score(self, output):
        return output[0]

    def information_loss(self, z, output):
        categories = tf.argmax(z[:, self.latent_dim : self.latent_dim + self.num_categorical], 1)
        continuous = z[:, self.latent_dim + self.num_categorical :]
        loss = losses.classification(categories, output[1])
        if self.num_continuous:
            loss += 0.5 * losses.batch_mean(
                tf.reduce_sum(tf.square(continuous - output[2]), axis=1)
            )
        return self.info_weight * loss

    def discriminator_extra_loss(self, real, fake, condition, real_out, fake_out, draws):
        terms = super().discriminator_extra_loss(real, fake, condition, real_out, fake_out, draws)
        return {**terms, "d_info": self.information_loss(draws["z"], fake_out)}

    def generator_extra_loss(self, z, fake, condition, fake_out):
        return {"g_info": self.information_loss(z, fake_out)}

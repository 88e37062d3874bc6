"""Class-conditional GANs: conditioning by concatenation or projection, and ACGAN."""

import keras
import tensorflow as tf

from tfgan_zoo import architectures, losses
from tfgan_zoo.models.gan import GAN


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConditionalGAN(GAN):
    """A GAN whose generator and discriminator both see the class label.

    The dataset yields ``(images, labels)``; fakes are generated for the real
    batch's labels. The networks take ``[z, label]`` and ``[images, label]``:
    with ``architecture="conditional_dcgan"`` the label is concatenated (Mirza
    & Osindero 2014), with ``"resnet_projection"`` or ``"projection_dcgan"``
    the discriminator projects it onto its features (Miyato & Koyama 2018).
    Exports take a ``label``.
    """

    discriminator_output = architectures.CONDITIONAL_SCORE
    supports_packing = False  # the discriminator sees the label

    def __init__(self, generator, discriminator, latent_dim, num_classes, **kwargs):
        self.num_classes = int(num_classes)
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    @classmethod
    def model_kwargs(cls, config, num_classes):
        return {"num_classes": num_classes}

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}

    def unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError("A conditional model needs a dataset of (images, labels).")
        labels = tf.cast(data[1], tf.int32)
        if labels.shape.rank == 2 and labels.shape[1] == 1:  # [batch, 1]
            labels = labels[:, 0]
        return data[0], labels

    def generate(self, z, labels, training):
        return self.generator([z, labels], training=training)

    def discriminate(self, x, labels, training):
        return self.discriminator([x, labels], training=training)

    @property
    def preview_classes(self):
        return self.num_classes

    def preview(self, z, training=False):
        """Sample ``i`` shows class ``i % num_classes``: each grid column is one class."""
        z = tf.convert_to_tensor(z)
        labels = tf.range(tf.shape(z)[0]) % self.num_classes
        return self.sampler([z, labels], training=training)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ACGAN(ConditionalGAN):
    """Auxiliary-classifier GAN (Odena et al. 2017).

    The discriminator does not see the label; it outputs ``[score, class
    logits]``. It also minimises the class cross-entropy on real and fake
    images; the generator minimises it on its fakes (``class_weight`` each).
    """

    discriminator_output = architectures.SCORE_AND_CLASSES

    def __init__(self, *args, class_weight=1.0, **kwargs):
        self.class_weight = float(class_weight)
        super().__init__(*args, **kwargs)

    @classmethod
    def model_kwargs(cls, config, num_classes):
        return {"num_classes": num_classes, "class_weight": config.class_weight}

    def get_config(self):
        return {**super().get_config(), "class_weight": self.class_weight}

    def tracked_names(self):
        return super().tracked_names() + ["d_class", "g_class"]

    def discriminate(self, x, labels, training):
        return self.discriminator(x, training=training)

    def score(self, output):
        return output[0]

    def discriminator_extra_loss(self, real, fake, labels, real_out, fake_out, draws):
        terms = super().discriminator_extra_loss(real, fake, labels, real_out, fake_out, draws)
        class_loss = losses.classification(labels, real_out[1]) + losses.classification(
            labels, fake_out[1]
        )
        return {**terms, "d_class": self.class_weight * class_loss}

    def generator_extra_loss(self, z, fake, labels, fake_out):
        return {"g_class": self.class_weight * losses.classification(labels, fake_out[1])}

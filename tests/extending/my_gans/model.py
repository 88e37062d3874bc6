"""A new model in one file (and a flagfile): a GAN whose generator is also pushed to
spread its samples, through the hook `GAN.generator_extra_loss`."""

import keras
import tensorflow as tf

from tfgan_zoo import models


@models.register("spread_gan")
@keras.saving.register_keras_serializable(package="my_gans")
class SpreadGAN(models.GAN):
    """The GAN game plus ``spread_weight`` times minus the mean per-feature standard
    deviation of the fakes (a crude pull against collapse)."""

    def __init__(self, *args, spread_weight=0.1, **kwargs):
        self.spread_weight = float(spread_weight)
        super().__init__(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "spread_weight": self.spread_weight}

    def tracked_names(self):
        return super().tracked_names() + ["spread"]

    def generator_extra_loss(self, z, fake, condition, fake_out):
        return {"spread": -self.spread_weight * tf.reduce_mean(tf.math.reduce_std(fake, 0))}

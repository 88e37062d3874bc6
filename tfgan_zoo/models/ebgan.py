"""Energy-based GAN (Zhao et al. 2017)."""

import keras

from tfgan_zoo import architectures, losses
from tfgan_zoo.models.gan import GAN


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class EBGAN(GAN):
    """The discriminator is an autoencoder; its energy is the reconstruction error.

    Use ``loss="energy_margin"``: D minimises ``E(x) + relu(m - E(G(z)))`` and
    G minimises ``E(G(z))``. The pulling-away term on the encoder's embedding
    of the fakes (generator loss only, weight ``pt_weight``) pushes the
    generator towards varied samples.
    """

    discriminator_output = architectures.ENERGY
    supports_packing = False  # its autoencoder discriminator reconstructs each sample

    def __init__(self, *args, pt_weight=0.1, **kwargs):
        self.pt_weight = float(pt_weight)
        super().__init__(*args, **kwargs)

    @classmethod
    def model_kwargs(cls, config, num_classes):
        return {"pt_weight": config.pt_weight}

    def get_config(self):
        return {**super().get_config(), "pt_weight": self.pt_weight}

    def tracked_names(self):
        return super().tracked_names() + (["pt"] if self.pt_weight else [])

    def score(self, output):
        return output[0]

    def generator_extra_loss(self, z, fake, condition, fake_out):
        if not self.pt_weight:
            return {}
        return {"pt": self.pt_weight * losses.pulling_away(fake_out[1])}

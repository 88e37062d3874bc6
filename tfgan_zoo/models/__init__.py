"""Adversarial models by name. Adding a training algorithm: a `GAN` (or
`ImageTranslator`) subclass in its own module, an entry in `MODELS`, a flagfile
and a test. The trainer needs of a model only ``from_train_config``,
``compile(g_optimizer, d_optimizer)``, ``preview_inputs``/``preview`` and
``export_serving``."""

from tfgan_zoo.models.conditional import ACGAN, ConditionalGAN
from tfgan_zoo.models.cyclegan import CycleGAN
from tfgan_zoo.models.ebgan import EBGAN
from tfgan_zoo.models.gan import GAN
from tfgan_zoo.models.infogan import InfoGAN
from tfgan_zoo.models.pix2pix import ImageTranslator, Pix2Pix

MODELS = {
    "gan": GAN,
    "conditional": ConditionalGAN,
    "acgan": ACGAN,
    "ebgan": EBGAN,
    "infogan": InfoGAN,
    "pix2pix": Pix2Pix,
    "cyclegan": CycleGAN,
}


def get(name):
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}. Known: {', '.join(sorted(MODELS))}.")
    return MODELS[name]


__all__ = [
    "ACGAN",
    "EBGAN",
    "GAN",
    "MODELS",
    "ConditionalGAN",
    "CycleGAN",
    "ImageTranslator",
    "InfoGAN",
    "Pix2Pix",
    "get",
]

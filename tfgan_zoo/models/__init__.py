"""Adversarial models by name. Adding a training algorithm: a `GAN` subclass in
its own module, an entry in `MODELS`, a flagfile and a test."""

from tfgan_zoo.models.conditional import ACGAN, ConditionalGAN
from tfgan_zoo.models.ebgan import EBGAN
from tfgan_zoo.models.gan import GAN
from tfgan_zoo.models.infogan import InfoGAN

MODELS = {
    "gan": GAN,
    "conditional": ConditionalGAN,
    "acgan": ACGAN,
    "ebgan": EBGAN,
    "infogan": InfoGAN,
}


def get(name):
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}. Known: {', '.join(sorted(MODELS))}.")
    return MODELS[name]


__all__ = ["ACGAN", "EBGAN", "GAN", "MODELS", "ConditionalGAN", "InfoGAN", "get"]

"""Adversarial models by name. Adding a training algorithm: a `GAN` subclass in
its own module, an entry in `MODELS`, a flagfile and a test."""

from tfgan_zoo.models.gan import GAN

MODELS = {"gan": GAN}


def get(name):
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}. Known: {', '.join(sorted(MODELS))}.")
    return MODELS[name]


__all__ = ["GAN", "MODELS", "get"]

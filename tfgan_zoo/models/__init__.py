"""Adversarial models by name. Adding a training algorithm, here or in your own
package: a `GAN` (or `ImageTranslator`) subclass registered with `register` (and
with ``keras.saving.register_keras_serializable`` to load from ``.keras``), a
flagfile and a test. Of a model the trainer and its callbacks use
``from_train_config``, ``compile(g_optimizer=..., d_optimizer=...)``, ``fit``,
``steps_done`` and ``prepare_sampler`` (`AdversarialModel`), the previews
(``preview_inputs``, ``preview``, ``preview_samples``, ``preview_columns``),
``fid_inputs``/``fid_images``, ``export_serving`` and, for the overfitting
monitor, ``critic_scores``; `GAN` and `ImageTranslator` define them all, so a
subclass overrides only what differs. The architectures a model takes are those
whose discriminators return its ``discriminator_output``."""

from tfgan_zoo.models.conditional import ACGAN, ConditionalGAN
from tfgan_zoo.models.cyclegan import CycleGAN
from tfgan_zoo.models.ebgan import EBGAN
from tfgan_zoo.models.gan import GAN
from tfgan_zoo.models.infogan import InfoGAN
from tfgan_zoo.models.pix2pix import ImageTranslator, Pix2Pix
from tfgan_zoo.registry import Registry

MODELS = Registry("model")


def register(name, replace=False):
    """Decorator registering a model class as ``name`` (what ``--model`` accepts)."""
    return lambda cls: MODELS.register(name, cls, replace)


for _name, _cls in (("gan", GAN), ("conditional", ConditionalGAN), ("acgan", ACGAN),
                    ("ebgan", EBGAN), ("infogan", InfoGAN), ("pix2pix", Pix2Pix),
                    ("cyclegan", CycleGAN)):  # fmt: skip
    MODELS.register(_name, _cls)


def get(name):
    return MODELS.lookup(name)


def is_translator(name):
    """Whether the model ``name`` translates images (trains on image-to-image data)."""
    return name in MODELS and issubclass(MODELS[name], ImageTranslator)


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
    "is_translator",
    "register",
]

"""Generator/discriminator pairs by name.

`build(name, sample_shape, latent_dim, **kwargs)` returns ``(generator,
discriminator)`` for samples of ``sample_shape`` (``(2,)`` for toy points,
``(H, W, C)`` for images). Builders take the keyword arguments they need
(``num_classes``, ``base_filters``, ...) and ignore the rest. Adding an
architecture, here or in your own package: a builder registered with
`register`, saying what its discriminator returns (`Architecture.outputs`);
every model that reads that output then takes it.
"""

import dataclasses

import keras

from tfgan_zoo.architectures import heads, resnet, translation
from tfgan_zoo.architectures.dcgan import (
    dcgan_discriminator,
    dcgan_generator,
    lsgan_digit_discriminator,
    lsgan_digit_generator,
    pacgan_dcgan_discriminator,
    pacgan_dcgan_generator,
)
from tfgan_zoo.architectures.errors import ArchitectureError
from tfgan_zoo.architectures.mlp import (
    image_mlp_discriminator,
    image_mlp_generator,
    lsgan_mlp,
    mlp_autoencoder_discriminator,
    mlp_discriminator,
    mlp_generator,
    pacgan_discriminator,
    pacgan_generator,
)
from tfgan_zoo.registry import Registry


def _image(name, sample_shape, square=False):
    """``(resolution, channels)`` of images of ``sample_shape``: the resolution is one
    side for square images, else ``(height, width)``; ``square`` refuses the latter."""
    if len(sample_shape) != 3:
        raise ArchitectureError(
            f"The {name} architecture takes images (H, W, C), got shape "
            f"{tuple(sample_shape)}; --architecture=mlp is for toy points."
        )
    height, width, channels = (int(d) for d in sample_shape)
    if height == width:
        return height, channels
    if square:
        raise ArchitectureError(
            f"The {name} architecture takes square images, got {height}x{width}: set "
            f"--image_size (your own images) or --resolution to a square size."
        )
    return (height, width), channels


def _classes(name, num_classes):
    if num_classes < 2:
        raise ArchitectureError(
            f"The {name} architecture is class-conditional and needs a labelled dataset of "
            f"two or more classes (a folder: dataset has one class per subfolder), got "
            f"{num_classes}: add classes, or train an unconditional model (--model=gan)."
        )
    return num_classes


def _flat_dim(name, sample_shape):
    """The width of the flat samples the toy networks take, or a clear error."""
    if len(sample_shape) != 1:
        raise ArchitectureError(
            f"The {name} architecture takes flat samples such as (2,), got shape "
            f"{tuple(sample_shape)}; use --architecture=dcgan for images."
        )
    return sample_shape[0]


def _mlp(sample_shape, latent_dim, hidden_units=128, num_layers=3, **unused):
    dim = _flat_dim("mlp", sample_shape)
    return (
        mlp_generator(latent_dim, dim, hidden_units, num_layers),
        mlp_discriminator(dim, hidden_units, num_layers),
    )


def _lsgan_mlp(sample_shape, latent_dim, hidden_units=128, num_layers=2, **unused):
    """The LSGAN paper's mixture-of-Gaussians networks (`mlp.lsgan_mlp`), sized by
    ``--hidden_units``/``--num_layers`` (the paper's: 128 and 2)."""
    dim = _flat_dim("lsgan_mlp", sample_shape)
    sizes = {"hidden_units": hidden_units, "num_layers": num_layers}
    return (
        lsgan_mlp(latent_dim, dim, input_name="z", name="lsgan_mlp_generator", **sizes),
        lsgan_mlp(dim, 1, input_name="x", name="lsgan_mlp_discriminator", **sizes),
    )


def _image_mlp(discriminator_fn):
    """A builder: EBGAN's fully-connected image generator with ``discriminator_fn``'s
    discriminator (a score, or an autoencoder's energy), both ``--num_layers``
    layers of ``--hidden_units`` (EBGAN's grid sizes them apart: `mlp`'s builders)."""

    def build(sample_shape, latent_dim, hidden_units=256, num_layers=2, **unused):
        _image("image_mlp", sample_shape)
        sizes = {"hidden_units": hidden_units, "num_layers": num_layers}
        return (
            image_mlp_generator(latent_dim, tuple(sample_shape), **sizes),
            discriminator_fn(tuple(sample_shape), **sizes),
        )

    return build


def _pacgan_mlp(sample_shape, latent_dim, **unused):
    """PacGAN's toy networks at the authors' sizes (4 x 400 generator, 3 x 200 x 5
    maxout discriminator); ``--hidden_units``/``--num_layers`` do not apply."""
    dim = _flat_dim("pacgan_mlp", sample_shape)
    return pacgan_generator(latent_dim, dim), pacgan_discriminator(dim)


def _dcgan(sample_shape, latent_dim, base_filters=64, g_norm="batch", d_norm="batch", **unused):
    res, ch = _image("dcgan", sample_shape)
    return (
        dcgan_generator(latent_dim, res, ch, base_filters, g_norm),
        dcgan_discriminator(res, ch, base_filters, d_norm),
    )


def _pacgan_dcgan(sample_shape, latent_dim, base_filters=64, **unused):
    """PacGAN's Stacked-MNIST networks (carpedm20's DCGAN-tensorflow: 5x5 kernels,
    up to 8 x ``base_filters``); ``--g_norm``/``--d_norm`` do not apply."""
    res, ch = _image("pacgan_dcgan", sample_shape, square=True)
    return (
        pacgan_dcgan_generator(latent_dim, res, ch, base_filters),
        pacgan_dcgan_discriminator(res, ch, base_filters),
    )


def _lsgan_digit(sample_shape, latent_dim, **unused):
    """The LSGAN journal paper's networks for its small-variance digits (28x28 only;
    ``--base_filters``/``--g_norm``/``--d_norm`` do not apply)."""
    res, ch = _image("lsgan_digit", sample_shape, square=True)
    if res != 28:
        raise ArchitectureError(f"lsgan_digit is the paper's 28x28 network, got {res}x{res}.")
    return lsgan_digit_generator(latent_dim, res, ch), lsgan_digit_discriminator(res, ch)


def _sngan(sample_shape, latent_dim, base_filters=64, g_norm="batch", **unused):
    res, ch = _image("sngan", sample_shape)
    return (
        dcgan_generator(latent_dim, res, ch, base_filters, g_norm),
        dcgan_discriminator(res, ch, base_filters, spectral=True),
    )


def _conditional_pair(name, discriminator_fn):
    """A builder: the conditional DCGAN generator with ``discriminator_fn``'s discriminator."""

    def build(sample_shape, latent_dim, num_classes=0, base_filters=64, g_norm="batch",
              d_norm="batch", **unused):  # fmt: skip
        res, ch = _image(name, sample_shape)
        n = _classes(name, num_classes)
        return (
            heads.conditional_generator(latent_dim, n, res, ch, base_filters, g_norm),
            discriminator_fn(n, res, ch, base_filters, d_norm),
        )

    return build


def _infogan(sample_shape, latent_dim, info_categorical=10, info_continuous=2, base_filters=64,
             g_norm="batch", d_norm="batch", **unused):  # fmt: skip
    res, ch = _image("infogan_dcgan", sample_shape)
    codes = latent_dim + info_categorical + info_continuous
    return (
        dcgan_generator(codes, res, ch, base_filters, g_norm),
        heads.infogan_discriminator(
            info_categorical, info_continuous, res, ch, base_filters, d_norm
        ),
    )


def _ebgan(sample_shape, latent_dim, base_filters=64, g_norm="batch", d_norm="batch", **unused):
    res, ch = _image("ebgan_dcgan", sample_shape)
    return (
        dcgan_generator(latent_dim, res, ch, base_filters, g_norm),
        heads.autoencoder_discriminator(res, ch, base_filters, norm=d_norm),
    )


def _resnet_projection(sample_shape, latent_dim, num_classes=0, base_filters=64, **unused):
    res, ch = _image("resnet_projection", sample_shape)
    n = _classes("resnet_projection", num_classes)
    return (
        resnet.resnet_generator(latent_dim, n, res, ch, base_filters),
        resnet.resnet_discriminator(res, ch, base_filters, num_classes=n),
    )


def _resnet(name, spectral_norm):
    """An unconditional ResNet pair: SNGAN's (spectral norm) or WGAN-GP's critic."""

    def build(sample_shape, latent_dim, base_filters=64, **unused):
        res, ch = _image(name, sample_shape)
        return (
            resnet.resnet_generator(latent_dim, 0, res, ch, base_filters),
            resnet.resnet_discriminator(res, ch, base_filters, spectral_norm=spectral_norm),
        )

    return build


def _translation_shapes(name, sample_shape, input_shape):
    """(resolution, input channels, output channels) of an image-to-image pair."""
    res, out_ch = _image(name, sample_shape, square=True)
    if input_shape is None:
        raise ArchitectureError(
            f"The {name} architecture translates images: it needs an image-to-image "
            f"dataset (edges:, unpaired:, folder: or cycle_gan/...)."
        )
    in_res, in_ch = _image(name, input_shape, square=True)
    if in_res != res:
        raise ArchitectureError(
            f"{name}: input images are {in_res}x{in_res} but targets {res}x{res}; "
            f"set --resolution to bring both to one size."
        )
    return res, in_ch, out_ch


def _unet_patchgan(sample_shape, latent_dim, input_shape=None, base_filters=64, g_norm="batch",
                   d_norm="batch", dropout=0.5, **unused):  # fmt: skip
    res, in_ch, out_ch = _translation_shapes("unet_patchgan", sample_shape, input_shape)
    return (
        translation.unet_generator(res, in_ch, out_ch, base_filters, g_norm, dropout),
        translation.patchgan_discriminator(
            res, out_ch, base_filters, d_norm, condition_channels=in_ch
        ),
    )


def _resnet_patchgan(sample_shape, latent_dim, input_shape=None, base_filters=64,
                     g_norm="instance", d_norm="instance", num_res_blocks=9,
                     **unused):  # fmt: skip
    res, in_ch, out_ch = _translation_shapes("resnet_patchgan", sample_shape, input_shape)
    return (
        translation.resnet_translator(res, in_ch, out_ch, base_filters, g_norm, num_res_blocks),
        translation.patchgan_discriminator(res, out_ch, base_filters, d_norm),
    )


# What a discriminator returns, for `Architecture.outputs` and the models'
# ``discriminator_output``: a model takes the architectures that return what it reads.
SCORE = "score"  # D(x): one score per sample (GAN)
CONDITIONAL_SCORE = "conditional score"  # D([x, label]) (ConditionalGAN)
SCORE_AND_CLASSES = "score and class logits"  # [score, logits] (ACGAN)
SCORE_AND_CODES = "score and code heads"  # [score, categorical logits, means] (InfoGAN)
ENERGY = "energy and embedding"  # [energy, embedding] (EBGAN)
PAIRED_PATCHES = "patch scores of pairs"  # D([input, image]) (Pix2Pix)
PATCHES = "patch scores"  # D(image), one domain (CycleGAN)


@dataclasses.dataclass(frozen=True)
class Architecture:
    """A registered pair of networks: ``build(sample_shape, latent_dim, **kwargs)``
    returning ``(generator, discriminator)`` (builders take the keyword arguments
    they need and ignore the rest), what its discriminator ``outputs``, whether it
    is for the 2-D ``toy`` sets, and what XLA did to its CPU step
    (``xla_on_cpu``: ``"faster"``, ``"slower"`` or None: `trainer.resolve_jit_compile`)."""

    build: object
    outputs: str = SCORE
    toy: bool = False
    xla_on_cpu: str = None

    def __call__(self, *args, **kwargs):
        return self.build(*args, **kwargs)


ARCHITECTURES = Registry("architecture")


def register(name, outputs=SCORE, toy=False, xla_on_cpu=None, replace=False):
    """Decorator registering a builder as the architecture ``name`` (what
    ``--architecture`` and `build` accept); see `Architecture` for the rest."""

    def add(fn):
        ARCHITECTURES.register(name, Architecture(fn, outputs, toy, xla_on_cpu), replace)
        return fn

    return add


def toy_architectures():
    """The names of the architectures for the toy sets."""
    return tuple(name for name, spec in ARCHITECTURES.items() if spec.toy)


def for_outputs(outputs):
    """The names of the architectures whose discriminators return ``outputs``."""
    return tuple(name for name, spec in ARCHITECTURES.items() if spec.outputs == outputs)


# XLA on a CPU (`trainer.resolve_jit_compile`), measured by benchmarks/throughput.py
# --execution (benchmarks/RESULTS.md): faster for the MLPs by CPU time and by the
# clock; the DCGAN not faster by the clock; the ResNet projection and U-Net faster
# in one round, not yet enough to switch them (their compile takes 20-70 s); slower
# for PacGAN's Stacked-MNIST DCGAN (2.7x the CPU time) even with steps per execution.
for _name, _fn, _spec in (
    ("mlp", _mlp, dict(toy=True, xla_on_cpu="faster")),
    ("pacgan_mlp", _pacgan_mlp, dict(toy=True, xla_on_cpu="faster")),
    ("lsgan_mlp", _lsgan_mlp, dict(toy=True, xla_on_cpu="faster")),
    ("image_mlp", _image_mlp(image_mlp_discriminator), {}),
    ("ebgan_mlp", _image_mlp(mlp_autoencoder_discriminator), dict(outputs=ENERGY)),
    ("dcgan", _dcgan, {}),
    ("pacgan_dcgan", _pacgan_dcgan, dict(xla_on_cpu="slower")),
    ("lsgan_digit", _lsgan_digit, {}),
    ("sngan", _sngan, {}),
    ("conditional_dcgan", _conditional_pair("conditional_dcgan", heads.concat_discriminator),
     dict(outputs=CONDITIONAL_SCORE)),
    ("acgan_dcgan", _conditional_pair("acgan_dcgan", heads.acgan_discriminator),
     dict(outputs=SCORE_AND_CLASSES)),
    ("projection_dcgan", _conditional_pair("projection_dcgan", heads.projection_discriminator),
     dict(outputs=CONDITIONAL_SCORE)),
    ("infogan_dcgan", _infogan, dict(outputs=SCORE_AND_CODES)),
    ("ebgan_dcgan", _ebgan, dict(outputs=ENERGY)),
    ("resnet_projection", _resnet_projection, dict(outputs=CONDITIONAL_SCORE)),
    ("sngan_resnet", _resnet("sngan_resnet", spectral_norm=True), {}),
    ("wgan_gp_resnet", _resnet("wgan_gp_resnet", spectral_norm=False), {}),
    ("unet_patchgan", _unet_patchgan, dict(outputs=PAIRED_PATCHES)),
    ("resnet_patchgan", _resnet_patchgan, dict(outputs=PATCHES)),
):  # fmt: skip
    ARCHITECTURES.register(_name, Architecture(_fn, **_spec))


def float32_outputs(model):
    """``model`` with its outputs cast to float32 (the model itself when they already are).

    Under a mixed precision policy the layers compute in bfloat16, but images,
    logits and everything losses and penalties are computed from stay float32.
    """
    if all(o.dtype == "float32" for o in model.outputs):
        return model
    cast = keras.tree.map_structure(
        lambda o: keras.layers.Activation("linear", dtype="float32")(o), model.output
    )
    return keras.Model(model.input, cast, name=model.name)


def packed_shape(sample_shape, pack):
    """The shape of ``pack`` samples side by side on the last axis (PacGAN)."""
    return (*sample_shape[:-1], sample_shape[-1] * pack)


def build(name, sample_shape, latent_dim, pack=1, **kwargs):
    """Builds the (generator, discriminator) pair called ``name``.

    With ``pack > 1`` the discriminator takes packs of that many samples,
    concatenated on the last axis (features of vectors, channels of images;
    see `models.GAN`): the family's own discriminator for the packed shape.
    Layers take the current Keras dtype policy (`keras.config.dtype_policy`);
    the networks' outputs are float32 in any case (`float32_outputs`).
    """
    try:
        builder = ARCHITECTURES.lookup(name)
    except ValueError as e:
        raise ArchitectureError(str(e)) from None
    generator, discriminator = builder(tuple(sample_shape), latent_dim, **kwargs)
    if pack > 1:
        _, discriminator = builder(packed_shape(tuple(sample_shape), pack), latent_dim, **kwargs)
    return float32_outputs(generator), float32_outputs(discriminator)


__all__ = [
    "ARCHITECTURES",
    "Architecture",
    "ArchitectureError",
    "build",
    "for_outputs",
    "register",
    "toy_architectures",
    "packed_shape",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
    "pacgan_discriminator",
    "pacgan_generator",
]

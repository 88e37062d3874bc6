"""Generator/discriminator pairs by name.

`build(name, sample_shape, latent_dim, **kwargs)` returns ``(generator,
discriminator)`` for samples of ``sample_shape`` (``(2,)`` for toy points,
``(H, W, C)`` for images). Builders take the keyword arguments they need
(``num_classes``, ``base_filters``, ...) and ignore the rest. Adding an
architecture: its builders in a module and an entry in `ARCHITECTURES`.
"""

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


# Architectures whose train step `jit_compile="auto"` XLA-compiles on a CPU at one
# step per execution: the MLPs, measured faster by CPU time and by the clock
# (benchmarks/throughput.py --execution; benchmarks/RESULTS.md). The DCGAN was
# not faster by the clock; the ResNet projection and U-Net networks were in one
# round, not yet enough to switch them (and their XLA compile takes 20-70 s).
XLA_FASTER_ON_CPU = ("mlp", "pacgan_mlp", "lsgan_mlp")

# Architectures XLA made slower on a CPU even with steps_per_execution > 1:
# PacGAN's Stacked-MNIST DCGAN, 2.7x the CPU time of the default step
# (benchmarks/throughput.py --execution --networks pacgan_dcgan_stacked).
XLA_SLOWER_ON_CPU = ("pacgan_dcgan",)

# Architectures for the 2-D toy sets (ring8, grid25).
TOY_ARCHITECTURES = ("mlp", "pacgan_mlp", "lsgan_mlp")

ARCHITECTURES = {
    "mlp": _mlp,
    "pacgan_mlp": _pacgan_mlp,
    "lsgan_mlp": _lsgan_mlp,
    "image_mlp": _image_mlp(image_mlp_discriminator),
    "ebgan_mlp": _image_mlp(mlp_autoencoder_discriminator),
    "dcgan": _dcgan,
    "pacgan_dcgan": _pacgan_dcgan,
    "lsgan_digit": _lsgan_digit,
    "sngan": _sngan,
    "conditional_dcgan": _conditional_pair("conditional_dcgan", heads.concat_discriminator),
    "acgan_dcgan": _conditional_pair("acgan_dcgan", heads.acgan_discriminator),
    "projection_dcgan": _conditional_pair("projection_dcgan", heads.projection_discriminator),
    "infogan_dcgan": _infogan,
    "ebgan_dcgan": _ebgan,
    "resnet_projection": _resnet_projection,
    "sngan_resnet": _resnet("sngan_resnet", spectral_norm=True),
    "wgan_gp_resnet": _resnet("wgan_gp_resnet", spectral_norm=False),
    "unet_patchgan": _unet_patchgan,
    "resnet_patchgan": _resnet_patchgan,
}


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
    if name not in ARCHITECTURES:
        raise ArchitectureError(
            f"Unknown architecture {name!r}. Known: {', '.join(sorted(ARCHITECTURES))}."
        )
    builder = ARCHITECTURES[name]
    generator, discriminator = builder(tuple(sample_shape), latent_dim, **kwargs)
    if pack > 1:
        _, discriminator = builder(packed_shape(tuple(sample_shape), pack), latent_dim, **kwargs)
    return float32_outputs(generator), float32_outputs(discriminator)


__all__ = [
    "ARCHITECTURES",
    "ArchitectureError",
    "build",
    "packed_shape",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
    "pacgan_discriminator",
    "pacgan_generator",
]

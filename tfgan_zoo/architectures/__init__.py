"""Generator/discriminator pairs by name.

`build(name, sample_shape, latent_dim, **kwargs)` returns ``(generator,
discriminator)`` for samples of ``sample_shape`` (``(2,)`` for toy points,
``(H, W, C)`` for images). Adding an architecture: one module with the two
builders and one entry in `ARCHITECTURES`.
"""

from tfgan_zoo.architectures.dcgan import dcgan_discriminator, dcgan_generator
from tfgan_zoo.architectures.mlp import mlp_discriminator, mlp_generator


def _mlp(sample_shape, latent_dim, hidden_units=128, num_layers=3, **unused):
    if len(sample_shape) != 1:
        raise ValueError(
            f"The mlp architecture takes flat samples such as (2,), got shape "
            f"{tuple(sample_shape)}; use --architecture=dcgan for images."
        )
    (dim,) = sample_shape
    return (
        mlp_generator(latent_dim, dim, hidden_units, num_layers),
        mlp_discriminator(dim, hidden_units, num_layers),
    )


def _dcgan(sample_shape, latent_dim, base_filters=64, g_norm="batch", d_norm="batch", **unused):
    if len(sample_shape) != 3 or sample_shape[0] != sample_shape[1]:
        raise ValueError(
            f"The dcgan architecture takes square images (H, W, C), got shape "
            f"{tuple(sample_shape)}; use --architecture=mlp for toy points."
        )
    resolution, _, channels = sample_shape
    return (
        dcgan_generator(latent_dim, resolution, channels, base_filters, g_norm),
        dcgan_discriminator(resolution, channels, base_filters, d_norm),
    )


ARCHITECTURES = {"mlp": _mlp, "dcgan": _dcgan}


def build(name, sample_shape, latent_dim, **kwargs):
    """Builds the (generator, discriminator) pair called ``name``."""
    if name not in ARCHITECTURES:
        raise ValueError(
            f"Unknown architecture {name!r}. Known: {', '.join(sorted(ARCHITECTURES))}."
        )
    return ARCHITECTURES[name](tuple(sample_shape), latent_dim, **kwargs)


__all__ = [
    "ARCHITECTURES",
    "build",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
]

"""tfgan_zoo: GANs for TensorFlow 2 / Keras 3, trained with ``model.fit``.

```python
import tfgan_zoo

generator, discriminator = tfgan_zoo.architectures.build("dcgan", (28, 28, 1), 64)
gan = tfgan_zoo.models.GAN(generator, discriminator, latent_dim=64, loss="hinge")
```

Submodules load on first use (`models`, `losses`, `architectures`, `data`,
`penalties`, `layers`, `metrics`, `export`, `evaluation`, `trainer`, ...), so
``import tfgan_zoo`` stays fast and the command lines can quiet TensorFlow
before it loads.
"""

import importlib
import sys

if sys.argv[:1] == ["-m"]:  # python -m tfgan_zoo.<command>: quiet TensorFlow before it loads
    from tfgan_zoo.quiet import quiet_tensorflow

    quiet_tensorflow()

__version__ = "0.1.0"

_SUBMODULES = (
    "architectures", "callbacks", "config", "data", "distribute", "evaluation", "export",
    "images", "layers", "losses", "metrics", "models", "penalties", "rng", "rundir", "sampling",
    "seeds", "trainer",
)  # fmt: skip


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_SUBMODULES])


__all__ = list(_SUBMODULES)

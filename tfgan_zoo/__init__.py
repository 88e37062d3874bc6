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


def _quiet_python_m():
    """``python -m tfgan_zoo.export`` (or ``.data.make_tfrecords``) imports its
    package, and TensorFlow with it, before the command can quiet it: quiet it
    here. The plain command modules (``train``, ``sample``, ``evaluate``) quiet
    it themselves, ``sample`` only after its flags parse, so its ``--help`` and
    flag errors answer without loading TensorFlow."""
    argv = getattr(sys, "orig_argv", [])
    plain = {"tfgan_zoo.train", "tfgan_zoo.sample", "tfgan_zoo.evaluate"}
    if sys.argv[:1] == ["-m"] and not any(
        a == "-m" and b in plain for a, b in zip(argv, argv[1:], strict=False)
    ):
        from tfgan_zoo.quiet import quiet_tensorflow

        quiet_tensorflow()


_quiet_python_m()

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

"""Quieting TensorFlow's C++ start-up lines, for the command lines (`tfgan_zoo.cli`)
and ``python -m tfgan_zoo.<command>``, which call it before TensorFlow loads."""

import os
import sys


def quiet_tensorflow():
    """Hides TensorFlow's C++ log lines unless the user set ``TF_CPP_MIN_LOG_LEVEL``.

    On a CPU-only machine every command would otherwise start with
    "Could not find cuda drivers" (twice, printed while ``tensorflow``
    imports, whatever the log level), the CPU-instructions banner and
    "failed call to cuInit". Python errors still surface as exceptions;
    ``TF_CPP_MIN_LOG_LEVEL=0`` shows everything. Call it before anything
    imports tensorflow.
    """
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ or "tensorflow" in sys.modules:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)

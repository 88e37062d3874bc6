"""The command lines: ``train``, ``export``, ``evaluate``, ``sample`` and ``make_tfrecords``.

A thin layer over the library, which never imports it: only the ``python -m``
entry modules (``train.py``, ``sample.py``, ``evaluate.py``,
``export/__main__.py``, ``data/make_tfrecords.py``), which hold nothing else, do. Each command reads
absl flags, calls the library and answers a user's error (a bad flag, a
missing file, a run that cannot resume) with one line on stderr and exit
status 1, never a traceback. ``python -m tfgan_zoo.train``, ``python -m
tfgan_zoo.evaluate``, ``python -m tfgan_zoo.export``, ``tfgan-zoo-train`` and
``tfgan-zoo-export`` all land here.
"""

import contextlib
import logging
import sys

from tfgan_zoo.quiet import quiet_tensorflow


def setup_logging():
    """Shows tfgan_zoo's INFO messages (time-stamped) and hides absl's and TensorFlow's
    below ERROR (tensorflow-datasets warns through absl about the folders it probes,
    which the one-line error that follows says better)."""
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.ERROR)
    ours = logging.getLogger("tfgan_zoo")
    if not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    ours.propagate = False


def start(argv):
    """What every command's ``main`` does first: refuse stray arguments, set up logging."""
    from absl import app

    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    setup_logging()


def user_errors():
    """The exception types that are the user's to fix, with messages that say how."""
    from tfgan_zoo.architectures import ArchitectureError
    from tfgan_zoo.callbacks import NonFiniteLossError
    from tfgan_zoo.config import ConfigError
    from tfgan_zoo.data import DataError
    from tfgan_zoo.distribute import WorkerLostError

    # DataError and ConfigError are ValueErrors; OSError covers missing,
    # unreadable and unwritable files.
    return (ConfigError, DataError, ArchitectureError, OSError, NonFiniteLossError,
            WorkerLostError)  # fmt: skip


@contextlib.contextmanager
def one_line_errors():
    """Turns a user error raised inside into ``ERROR: <message>`` and exit status 1.

    On a terminal the line starts a line of its own: an error raised during
    ``fit`` (a lost worker, a NaN) would otherwise be printed after Keras'
    progress bar, which ends its line only when an epoch ends.
    """
    try:
        yield
    except user_errors() as e:
        message = str(e)
        if isinstance(e, OSError) and e.filename and e.strerror:
            message = f"{e.strerror}: {e.filename}"
        if sys.stdout.isatty():
            sys.stdout.write("\n")
            sys.stdout.flush()
        sys.exit(f"ERROR: {message}")


def help_requested(argv):
    """Whether ``argv`` asks for help (absl's own --help exits with status 1)."""
    return any(a in ("-h", "--help", "-?", "--helpshort") for a in argv[1:])


def parse_flags(argv):
    """absl's flag parsing, with a bad flag (unknown, unparsable, missing, or a
    ``--flagfile`` that cannot be opened) as one ``ERROR:`` line and exit status 1
    instead of absl's two-line ``FATAL Flags parsing error``."""
    from absl import flags

    try:
        return flags.FLAGS(argv)
    except flags.Error as e:
        lines = [line.strip().rstrip(".") for line in str(e).removeprefix("ERROR:: ").splitlines()]
        sys.exit(f"ERROR: {'; '.join(line for line in lines if line)} (--help lists the flags)")


def run_app(main, flag_values, module_name, usage=""):
    """``absl.app.run(main)``, but ``--help`` prints ``usage`` (the positional
    arguments and examples) and this command's flags and exits 0, and a bad flag is
    one line (`parse_flags`). TensorFlow loads (quietly) only once the flags
    parse, so a command whose modules need no TensorFlow (``sample``) answers
    ``--help`` and a bad flag without loading it."""
    from absl import app

    if help_requested(sys.argv):
        if usage:
            print(usage.strip() + "\n")
        print(flag_values.module_help(module_name) or "No flags.")
        print("\nFlags may also come from --flagfile=<file>; --helpfull lists absl's own too.")
        sys.exit(0)

    def quiet_main(argv):
        quiet_tensorflow()
        return main(argv)

    app.run(quiet_main, flags_parser=parse_flags)


def run_train():
    """Console-script entry point ``tfgan-zoo-train`` (and ``python -m tfgan_zoo.train``)."""
    quiet_tensorflow()
    from tfgan_zoo.cli import train

    train.run()


def run_export():
    """Console-script entry point ``tfgan-zoo-export`` (and ``python -m tfgan_zoo.export``)."""
    quiet_tensorflow()
    from tfgan_zoo.cli import export

    export.run()


def run_sample():
    """Entry point of ``python -m tfgan_zoo.sample`` (and ``tfgan-zoo-sample``)."""
    from tfgan_zoo.cli import sample

    sample.run()


def run_make_tfrecords():
    """Entry point of ``python -m tfgan_zoo.data.make_tfrecords``."""
    from tfgan_zoo.cli import make_tfrecords

    make_tfrecords.run()


def run_evaluate():
    """Entry point of ``python -m tfgan_zoo.evaluate`` (and ``tfgan-zoo-evaluate``)."""
    quiet_tensorflow()
    from tfgan_zoo.cli import evaluate

    evaluate.run()

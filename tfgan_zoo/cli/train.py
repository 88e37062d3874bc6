"""``tfgan-zoo-train --flagfile=flags/<name>.flags``: train, resume and export.

Every `tfgan_zoo.config.TrainConfig` field is a flag of the same name and
default. Flagfiles start with ``--flagfile=flags/common.flags`` and hold only
what differs from it; later flags override earlier ones, so
``--flagfile=flags/dcgan_fashion_mnist.flags --epochs=2`` works.
"""

import dataclasses
import sys

from absl import flags

from tfgan_zoo import cli, trainer
from tfgan_zoo.config import ConfigError, TrainConfig


def define_flags(flag_values=flags.FLAGS):
    """Defines one flag per `TrainConfig` field on ``flag_values``."""
    for field in dataclasses.fields(TrainConfig):
        help_text = field.metadata["help"]
        default = field.default
        if isinstance(default, bool):
            flags.DEFINE_boolean(field.name, default, help_text, flag_values=flag_values)
        elif isinstance(default, int):
            flags.DEFINE_integer(field.name, default, help_text, flag_values=flag_values)
        elif isinstance(default, float):
            flags.DEFINE_float(field.name, default, help_text, flag_values=flag_values)
        elif isinstance(default, tuple):
            flags.DEFINE_list(
                field.name, [str(v) for v in default], help_text, flag_values=flag_values
            )
        else:
            flags.DEFINE_string(field.name, default, help_text, flag_values=flag_values)


def config_from_flags(flag_values=flags.FLAGS):
    """The frozen `TrainConfig` holding the parsed flag values.

    Raises:
      ConfigError: a value is invalid; the message names the flag.
    """
    values = {}
    for field in dataclasses.fields(TrainConfig):
        value = flag_values[field.name].value
        if isinstance(field.default, tuple):
            try:
                value = tuple(float(v) for v in value)
            except ValueError:
                raise ConfigError(
                    f"--{field.name} takes comma-separated numbers, got {','.join(value)!r}."
                ) from None
        values[field.name] = value
    return TrainConfig(**values)


def main(argv):
    cli.start(argv)
    try:
        config = config_from_flags()
    except ConfigError as e:
        sys.exit(f"Invalid flags: {e}")
    with cli.one_line_errors():
        result = trainer.train(config)
    print(f"Trained to step {result.final_step}.")
    if result.sample_path:
        print(f"Samples: {result.sample_path}")
    if result.export_path:
        print(f"Exported generator: {result.export_path}")
    elif result.export_note:
        print(result.export_note)


def run():
    define_flags()
    cli.run_app(main, flags.FLAGS, __name__)

"""``python -m tfgan_zoo.export``: re-exports a run's generator (`tfgan_zoo.cli.export`)."""

from tfgan_zoo.cli import run_export

run_export()

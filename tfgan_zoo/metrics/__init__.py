"""Quality metrics for generated samples."""

from tfgan_zoo.metrics.mode_coverage import ModeCoverage, mode_coverage

__all__ = ["ModeCoverage", "mode_coverage"]

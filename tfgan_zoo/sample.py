"""``python -m tfgan_zoo.sample``: pictures from an export (`tfgan_zoo.cli.sample`).

The library functions live in `tfgan_zoo.sampling`.
"""

if __name__ == "__main__":
    from tfgan_zoo.cli import run_sample

    run_sample()

"""``python -m tfgan_zoo.evaluate``: the evaluation command line (`tfgan_zoo.cli.evaluate`).

The library functions live in `tfgan_zoo.evaluation`.
"""

if __name__ == "__main__":
    from tfgan_zoo.cli import run_evaluate

    run_evaluate()

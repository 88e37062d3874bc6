"""``python -m tfgan_zoo.train``: the training command line (`tfgan_zoo.cli.train`)."""

if __name__ == "__main__":
    from tfgan_zoo.cli import run_train

    run_train()

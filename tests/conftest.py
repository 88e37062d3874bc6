import os
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(REPO), "shared", "data")


def shared_dir(name):
    """Path of a dataset in ../shared/data, or skip when this checkout has none."""
    path = os.path.join(SHARED_DATA, name)
    if not os.path.isdir(path):
        pytest.skip(f"{path} not found: the real-data tests need ../shared/data")
    return path


@pytest.fixture
def mock_tfds(monkeypatch):
    """Enters `tfds.testing.mock_data` (8 fake examples), which fakes the download of
    any tensorflow-datasets builder. The network probe of `tfgan_zoo.data` that
    precedes a download is turned off: it would find no network here and skip
    the faked download."""
    import tensorflow_datasets as tfds

    from tfgan_zoo import data

    monkeypatch.setattr(data.catalog, "unreachable_host", lambda builder, timeout=5.0: None)
    with tfds.testing.mock_data(num_examples=8):
        yield


# Committed outputs a test must never rewrite (a benchmark run without --plots
# once drew its tiny figure over the committed one).
COMMITTED_OUTPUTS = ("benchmarks/plots", "benchmarks/RESULTS.md", "saved_models", "docs", "flags")


def committed_outputs_status():
    """``git status`` of `COMMITTED_OUTPUTS`; None outside a git checkout."""
    try:
        return subprocess.run(
            ["git", "status", "--porcelain", "--", *COMMITTED_OUTPUTS],
            cwd=REPO, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None


@pytest.fixture(scope="session", autouse=True)
def committed_outputs_are_left_alone():
    """Fails the run (at teardown) when a test changed a committed figure, page,
    export or flagfile of the checkout: tests write into their temporary folders."""
    before = committed_outputs_status()
    yield
    after = committed_outputs_status()
    assert after == before, f"a test changed committed files:\n{after}"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: convergence checks and runs of 40 s or more (CI and the README run -m 'not slow')",
    )

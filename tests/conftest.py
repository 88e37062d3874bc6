import os

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


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "slow: convergence checks and runs of 40 s or more (CI and the README run -m 'not slow')",
    )

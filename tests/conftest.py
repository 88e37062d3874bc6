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


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: convergence checks that take a minute or more")

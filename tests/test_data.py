"""Data sources: toy sets, local IDX files, tensorflow-datasets, and their errors."""

import gzip
import os

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from conftest import shared_dir

from tfgan_zoo import data
from tfgan_zoo.data import DataError, idx

write_idx = idx.write_idx


@pytest.fixture
def idx_dir(tmp_path):
    rng = np.random.default_rng(0)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (20, 28, 28)))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", rng.integers(0, 10, 20))
    return tmp_path


def test_toy_batches_are_deterministic_and_endless():
    ds, info = data.load("grid25", 16, seed=3)
    assert info.sample_shape == (2,) and info.toy is not None
    first = [b.numpy() for b in ds.take(3)]
    again = [b.numpy() for b in data.load("grid25", 16, seed=3)[0].take(3)]
    np.testing.assert_array_equal(first, again)
    assert first[0].shape == (16, 2)
    assert not np.array_equal(first[0], first[1])


def test_real_fashion_mnist_idx():
    ds, info = data.load("idx:" + shared_dir("fashion-mnist"), 32, split="train")
    assert info.sample_shape == (28, 28, 1) and info.num_classes == 10
    images, labels = next(iter(ds))
    assert images.shape == (32, 28, 28, 1) and labels.shape == (32,)
    assert images.numpy().min() >= -1.0 and images.numpy().max() <= 1.0
    assert images.numpy().min() == -1.0  # background pixels are 0


def test_real_mnist_has_only_a_test_split():
    x, y = idx.load_idx_dir(shared_dir("mnist"), "test")
    assert x.shape == (10_000, 28, 28, 1) and y.shape == (10_000,)
    assert sorted(set(y.tolist())) == list(range(10))
    with pytest.raises(FileNotFoundError, match=r"holds the splits \['test'\]"):
        idx.load_idx_dir(shared_dir("mnist"), "train")


def test_all_split_concatenates(idx_dir):
    x, _ = idx.load_idx_dir(str(idx_dir), "all")
    assert len(x) == 20


def test_truncated_idx_file_is_reported(idx_dir):
    path = idx_dir / "t10k-images-idx3-ubyte.gz"
    raw = gzip.open(path).read()
    with gzip.open(path, "wb") as f:
        f.write(raw[:-100])
    with pytest.raises(DataError, match="truncated or corrupt.*Re-download"):
        data.load(f"idx:{idx_dir}", 4, split="test")


def test_garbage_idx_file_is_reported(idx_dir):
    (idx_dir / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="Cannot read IDX file"):
        data.load(f"idx:{idx_dir}", 4, split="test")


def test_missing_directory():
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.load("idx:/nonexistent/dir", 4)


def test_unknown_dataset_name():
    with pytest.raises(DataError, match="Unknown dataset 'no_such_set'.*ring8"):
        data.load("no_such_set", 4)


def test_tfds_by_name(tmp_path, mock_tfds):
    ds, info = data.load("mnist", 4, data_dir=str(tmp_path))
    images, labels = next(iter(ds))
    assert info.source.startswith("tfds:mnist")
    assert images.shape == (4, 28, 28, 1) and labels.shape == (4,)


@pytest.mark.parametrize(
    "name", ["ring8", "idx", "mnist", "edges:idx", "unpaired:idx,idx", "cycle_gan/horse2zebra"]
)
def test_every_pipeline_is_sharded_by_data_across_workers(name, idx_dir, tmp_path, mock_tfds):
    """Multi-worker training splits each global batch, as one device would see it;
    the AUTO default would give each worker other tfds record files."""
    name = name.replace("idx", f"idx:{idx_dir}")
    ds, _ = data.load(name, 4, split="test", data_dir=str(tmp_path), resolution=16)
    policy = ds.options().experimental_distribute.auto_shard_policy
    assert policy == tf.data.experimental.AutoShardPolicy.DATA


def test_local_copy_is_used_when_tfds_is_not_prepared(idx_dir, tmp_path, monkeypatch):
    monkeypatch.setitem(data.catalog.LOCAL_COPIES, "fashion_mnist", ("/nonexistent", str(idx_dir)))
    ds, info = data.load("fashion_mnist", 4, split="test", data_dir=str(tmp_path / "tfds"))
    assert info.source == f"idx:{idx_dir}"
    assert next(iter(ds))[0].shape == (4, 28, 28, 1)


def test_no_source_lists_what_was_tried(tmp_path, monkeypatch):
    monkeypatch.setitem(data.catalog.LOCAL_COPIES, "fashion_mnist", ("/nonexistent",))

    def offline(self, *args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", offline)
    with pytest.raises(FileNotFoundError) as e:
        data.load("fashion_mnist", 4, data_dir=str(tmp_path))
    message = str(e.value)
    assert "\n" not in message
    assert "not prepared in" in message
    assert "/nonexistent: not present" in message
    assert "no network" in message
    assert "idx:../shared/data/fashion-mnist" in message and "dataset-fashion-mnist" in message
    monkeypatch.setattr(data.catalog, "unreachable_host", lambda builder, timeout=5.0: "no network")
    with pytest.raises(FileNotFoundError) as e:
        data.load("cifar10", 4, data_dir=str(tmp_path))
    message = str(e.value)
    assert "dataset-fashion-mnist" not in message and "idx:" not in message
    assert "--dataset=folder:<dir>" in message and "\n" not in message


def test_from_arrays_checks_shape():
    with pytest.raises(DataError, match=r"\[N, H, W, C\]"):
        data.from_arrays(np.zeros((4, 28, 28), np.uint8), np.zeros(4), 2)


def test_images_render_and_scatter(tmp_path):
    from tfgan_zoo import images

    grid = images.render(np.zeros((5, 8, 8, 3), np.float32))
    # 5 images of 8x8 with 2-pixel padding: 3 columns, 2 rows
    assert grid.shape == (2 * 10 + 2, 3 * 10 + 2, 3) and grid.dtype == np.uint8
    points = images.render(np.array([[0.0, 0.0], [1.0, 1.0], [np.nan, 0.0]]))
    assert points.shape == (256, 256, 1) and points.max() == 255
    images.write_png(os.path.join(tmp_path, "x.png"), grid)
    assert (tmp_path / "x.png").read_bytes()[:4] == b"\x89PNG"


def test_no_data_submodule_imports_the_package_it_belongs_to():
    """``tfgan_zoo/data/__init__.py`` imports its submodules; none of them imports
    a name of the package back (the cycle issue 49 found between __init__ and
    translation), only sibling modules."""
    import ast

    folder = os.path.dirname(data.__file__)
    modules = {name[:-3] for name in os.listdir(folder) if name.endswith(".py")}
    for name in sorted(modules - {"__init__"}):
        with open(os.path.join(folder, name + ".py")) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "tfgan_zoo":
                assert "data" not in [a.name for a in node.names], name
            if isinstance(node, ast.ImportFrom) and node.module == "tfgan_zoo.data":
                assert {a.name for a in node.names} <= modules, (name, node.names)


def test_load_takes_its_options_by_name():
    with pytest.raises(TypeError, match="options is a LoadOptions"):
        data.load("ring8", 4, "test")
    by_group = data.load("grid25", 4, data.LoadOptions(seed=3))[0]
    by_name = data.load("grid25", 4, seed=3)[0]
    np.testing.assert_array_equal(next(iter(by_group)), next(iter(by_name)))

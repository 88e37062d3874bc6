"""Readers for the IDX format of MNIST and Fashion-MNIST (gzipped or not)."""

import gzip
import os

import numpy as np


class DataError(ValueError):
    """A dataset is missing, corrupt or unknown; the message says how to fix it."""


_SPLIT_PREFIX = {"train": "train", "test": "t10k"}

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
MNIST_CLASSES = tuple(str(d) for d in range(10))


def known_class_names(directory):
    """The class names of a directory of MNIST or Fashion-MNIST IDX files, by its name.

    IDX files hold no names; a directory named like ``fashion-mnist`` or
    ``mnist`` gets that dataset's, anything else None.
    """
    name = os.path.basename(os.path.normpath(directory)).lower().replace("_", "-")
    if "fashion" in name:
        return FASHION_MNIST_CLASSES
    if "mnist" in name:
        return MNIST_CLASSES
    return None


_DTYPES = {0x08: np.uint8}


def read_idx(path):
    """Reads one IDX file into a numpy array.

    Raises:
      DataError: when the file is not a valid unsigned-byte IDX file (a
        corrupt or truncated download, or a different file).
    """
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise DataError(f"Cannot read IDX file {path}: {e}. Re-download it.") from e
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise DataError(f"{path} is not an unsigned-byte IDX file (bad magic number).")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataError(
            f"{path} is truncated or corrupt: the header says shape {shape} "
            f"({expected} bytes) but the file holds {len(data)} bytes. Re-download it."
        )
    return np.frombuffer(data, _DTYPES[data[2]], offset=header).reshape(shape)


def write_idx(path, array):
    """Writes ``array`` as an unsigned-byte IDX file (gzipped when ``path`` ends in .gz)."""
    array = np.asarray(array)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def _find(directory, prefix, kind):
    for name in (f"{prefix}-{kind}", f"{prefix}-{kind}.gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    return None


def available_splits(directory):
    """The splits ('train', 'test') whose image and label files exist."""
    return [
        split
        for split, prefix in _SPLIT_PREFIX.items()
        if _find(directory, prefix, "images-idx3-ubyte")
        and _find(directory, prefix, "labels-idx1-ubyte")
    ]


def load_idx_dir(directory, split="train"):
    """Loads ``(images [N, H, W, 1] uint8, labels [N] int64)`` of one split.

    ``split`` is 'train', 'test' or 'all' (both concatenated).
    """
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"IDX directory {directory!r} does not exist.")
    if split not in (*_SPLIT_PREFIX, "all"):
        raise DataError(f"Unknown split {split!r}: use 'train', 'test' or 'all'.")
    found = available_splits(directory)
    wanted = found if split == "all" else [s for s in found if s == split]
    if not wanted:
        raise FileNotFoundError(
            f"No {split!r} split in {directory}: it holds the splits {found or 'none'} "
            f"(files like train-images-idx3-ubyte.gz / t10k-images-idx3-ubyte.gz). "
            f"Use one of those splits."
        )
    images, labels = [], []
    for s in wanted:
        prefix = _SPLIT_PREFIX[s]
        x = read_idx(_find(directory, prefix, "images-idx3-ubyte"))
        y = read_idx(_find(directory, prefix, "labels-idx1-ubyte"))
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise DataError(f"{directory}: {s} images {x.shape} and labels {y.shape} do not match.")
        images.append(x[..., None])
        labels.append(y.astype(np.int64))
    return np.concatenate(images), np.concatenate(labels)

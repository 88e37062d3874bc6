"""Image datasets by name: ``idx:<dir>``, ``stacked:<digits>`` and any
tensorflow-datasets name, with local copies and a one-line error when tfds
cannot load it (no network, say)."""

import contextlib
import os
import shutil
import socket
import urllib.parse

import tensorflow as tf

from tfgan_zoo.data import idx, stacked
from tfgan_zoo.data.common import DataInfo, array_source, to_arrays
from tfgan_zoo.data.idx import DataError
from tfgan_zoo.data.toy import TOY_SETS

LOCAL_COPIES = {
    "fashion_mnist": ("/usr/share/datasets/fashion-mnist",),
    "mnist": ("/usr/share/datasets/mnist",),
}


def image_source(name, split="train", data_dir=None):
    """An image dataset as an unbatched, unshuffled source.

    Returns ``(dataset of (uint8 image, label), DataInfo, shuffle buffer
    size)`` for ``idx:<dir>`` or a tensorflow-datasets name (with the local
    fallbacks of `load`).

    Raises:
      DataError / FileNotFoundError: with every source tried and how to fix it.
    """
    if name in TOY_SETS:
        raise DataError(f"{name!r} is a toy set of 2-D points, not an image dataset.")
    if name.startswith(stacked.PREFIX):
        source, _, _ = image_source(name[len(stacked.PREFIX) :], split, data_dir)
        images, modes = stacked.stack(*to_arrays(source))
        return array_source(images, modes, f"{name} ({len(images)} stacked images)")
    if name.startswith("idx:"):
        directory = name[len("idx:") :]
        images, labels = idx.load_idx_dir(directory, split)
        return array_source(images, labels, name, idx.known_class_names(directory))

    builder = tfds_builder(name, data_dir)
    if builder.is_prepared():
        return tfds_source(builder, split)
    tried = [f"tensorflow-datasets {name!r}: not prepared in {builder.data_dir}"]
    for directory in LOCAL_COPIES.get(name, ()):
        if os.path.isdir(directory):
            images, labels = idx.load_idx_dir(directory, split)
            return array_source(
                images, labels, f"idx:{directory}", idx.known_class_names(directory)
            )
        tried.append(f"local copy {directory}: not present")
    unreachable = unreachable_host(builder)
    if unreachable:
        tried.append(f"tensorflow-datasets download: {unreachable}")
    else:
        try:
            with removing_partial_downloads(builder):
                builder.download_and_prepare()
            return tfds_source(builder, split)
        except Exception as e:  # no network, checksum, disk: report them all alike
            tried.append(f"tensorflow-datasets download into {builder.data_dir}: {e}")
    raise FileNotFoundError(
        f"Could not load dataset {name!r}: tried {'; '.join(tried)}. Fix: {offline_fix(name)}"
    )


# Offline copies a user can point at or install, per tensorflow-datasets name.
IDX_COPIES = {"fashion_mnist": "../shared/data/fashion-mnist", "mnist": "../shared/data/mnist"}
APT_PACKAGES = {"fashion_mnist": "dataset-fashion-mnist"}


def offline_fix(name):
    """How to get ``name`` without tensorflow-datasets' download, in one sentence."""
    fixes = ["run once with network access (tensorflow-datasets downloads into --data_dir)"]
    if name in IDX_COPIES:
        fixes.append(f"point --dataset=idx:<dir> at its IDX files (e.g. idx:{IDX_COPIES[name]})")
    else:
        fixes.append("point --dataset=folder:<dir> at a copy of its images")
    if name in APT_PACKAGES:
        fixes.append(f"`apt-get install {APT_PACKAGES[name]}`")
    return ", or ".join(fixes) + "."


def tfds_builder(name, data_dir):
    """The tensorflow-datasets builder of ``name``, or a DataError naming what is accepted."""
    import tensorflow_datasets as tfds

    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise DataError(
            f"Unknown dataset {name!r}: not a toy set ({', '.join(TOY_SETS)}), not "
            f"idx:<dir>, and not a tensorflow-datasets name (see tfds.list_builders())."
        ) from None


def tfds_source(builder, split):
    """``(image, label)`` pairs of a tfds image dataset; datasets without a
    ``label`` feature (``celeb_a``) get label 0 and ``num_classes`` 0."""
    features = builder.info.features
    labelled = "label" in features
    ds = builder.as_dataset(split=split, as_supervised=labelled)
    if not labelled:
        ds = ds.map(lambda example: (example["image"], tf.constant(0, tf.int64)))
    info = DataInfo(
        tuple(features["image"].shape),
        features["label"].num_classes if labelled else 0,
        f"tfds:{builder.name} in {builder.data_dir}",
        class_names=tuple(features["label"].names) if labelled else None,
    )
    return ds, info, 10_000


def unreachable_host(builder, timeout=5.0):
    """Why ``builder``'s downloads cannot start (no network), or None.

    One TCP connection to the first download host (or to the proxy in
    ``https_proxy``/``http_proxy``) within ``timeout`` seconds. Without it,
    tensorflow-datasets retries each file for minutes before failing.
    """
    urls = sorted(getattr(builder, "url_infos", None) or ())
    if not urls:
        return None  # nothing known to probe: let tensorflow-datasets try
    proxy = next((os.environ[k] for k in PROXY_VARIABLES if os.environ.get(k)), None)
    target = urllib.parse.urlsplit(proxy or urls[0])
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        socket.create_connection((target.hostname, port), timeout=timeout).close()
    except OSError as e:
        return f"no network: cannot connect to {target.hostname}:{port} ({e})"
    return None


PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY")


@contextlib.contextmanager
def removing_partial_downloads(builder):
    """Removes the ``downloads/*.tmp.*`` files a failed download leaves behind."""
    downloads = os.path.join(builder.data_dir_root, "downloads")
    before = set(os.listdir(downloads)) if os.path.isdir(downloads) else set()
    try:
        yield
    except Exception:
        if os.path.isdir(downloads):
            for name in set(os.listdir(downloads)) - before:
                if ".tmp." in name:
                    path = os.path.join(downloads, name)
                    shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        raise

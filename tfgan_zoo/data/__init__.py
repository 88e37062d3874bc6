"""Training data as endless, batched `tf.data` pipelines.

`load(name, batch_size, ...)` accepts:

- a toy set: ``ring8`` or ``grid25`` (embedded, no files);
- ``idx:<dir>``: MNIST-format IDX files in a local directory, e.g.
  ``idx:../shared/data/fashion-mnist``;
- ``stacked:<digits>``: Stacked MNIST (`tfgan_zoo.data.stacked`), 128,000
  RGB images of three digits from ``<digits>`` (``mnist``, or
  ``idx:../shared/data/mnist`` with ``split="test"``), labelled with their
  3-digit mode;
- your own images: ``folder:<dir>`` (image files, class subfolders) or
  ``tfrecord:<glob>`` (`tf.train.Example` shards), see `tfgan_zoo.data.files`;
- any tensorflow-datasets image dataset by name (``mnist``,
  ``fashion_mnist``, ``cifar10``, ...) with an optional ``data_dir``. When
  tfds cannot load it (no network, say), known local copies are tried, such
  as Debian's ``dataset-fashion-mnist`` package;
- an image-to-image dataset (``edges:``, ``unpaired:``, ``cycle_gan/...``,
  or ``folder:`` with ``pairs=True``; see `tfgan_zoo.data.translation`).

Images come out as float32 in [-1, 1] with their integer labels:
``(images [B, H, W, C], labels [B])``; toy sets give points ``[B, 2]``;
image-to-image datasets give ``(inputs [B, H, W, C], targets [B, H, W, C'])``.
"""

import contextlib
import dataclasses
import os
import shutil
import socket
import urllib.parse

import numpy as np
import tensorflow as tf

from tfgan_zoo.data import files, idx, stacked, translation
from tfgan_zoo.data.files import ImageOptions
from tfgan_zoo.data.idx import DataError
from tfgan_zoo.data.toy import TOY_SETS, GaussianMixture
from tfgan_zoo.images import from_uint8
from tfgan_zoo.registry import Registry

# Data sources of other schemes (``--dataset=<scheme>:<rest>``), registered by a
# user's package with `register_source`.
SOURCES = Registry("data source")


def register_source(scheme, replace=False):
    """Decorator registering a loader for ``--dataset=<scheme>:<rest>``: called as
    ``fn(rest, batch_size=, split=, data_dir=, seed=, resolution=)``, it returns
    ``(dataset, DataInfo)`` as `load` does (batches of images in [-1, 1], and
    labels, or toy points)."""
    return lambda fn: SOURCES.register(scheme, fn, replace)


LOCAL_COPIES = {
    "fashion_mnist": ("/usr/share/datasets/fashion-mnist",),
    "mnist": ("/usr/share/datasets/mnist",),
}


@dataclasses.dataclass(frozen=True)
class DataInfo:
    """What a loaded dataset holds and where it came from."""

    sample_shape: tuple
    num_classes: int
    source: str
    toy: GaussianMixture = None
    input_shape: tuple = None  # image-to-image datasets: the shape of the inputs
    paired: bool = False  # image-to-image datasets: inputs and targets correspond
    class_names: tuple = None  # the labels' names, where the dataset says them


def _batched(ds, batch_size, seed, shuffle_buffer):
    ds = ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size, drop_remainder=True)
    ds = ds.map(lambda x, y: (from_uint8(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _array_source(images, labels, source, class_names=None):
    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise DataError(
            f"Expected uint8 images of shape [N, H, W, C], got {images.dtype} {images.shape}."
        )
    num_classes = int(np.max(labels)) + 1 if len(labels) else 0
    ds = tf.data.Dataset.from_tensor_slices((images, np.asarray(labels, np.int64)))
    info = DataInfo(images.shape[1:], num_classes, source, class_names=class_names)
    return ds, info, len(images)


def from_arrays(images, labels, batch_size, seed=0, source="arrays"):
    """Pipeline over in-memory uint8 images ``[N, H, W, C]`` and labels ``[N]``."""
    ds, info, size = _array_source(images, labels, source)
    return _batched(ds, batch_size, seed, size), info


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


def _tfds_source(builder, split):
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


def center_square(images):
    """The central square of an image ``[H, W, C]`` or a batch ``[..., H, W, C]``
    (numpy or tensor; height and width known)."""
    height, width = images.shape[-3], images.shape[-2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return images[..., top : top + side, left : left + side, :]


def resized(source, info, resolution):
    """An image source center-cropped to a square and resized to ``resolution``
    (area averaging when shrinking, as for CelebA's 178x218 -> 64x64)."""
    height, width, channels = info.sample_shape

    def resize(image, label):
        square = center_square(tf.ensure_shape(image, info.sample_shape))
        method = "area" if min(height, width) >= resolution else "bilinear"
        out = tf.image.resize(square, [resolution, resolution], method=method)
        return tf.cast(tf.clip_by_value(tf.round(out), 0, 255), tf.uint8), label

    shape = (resolution, resolution, channels)
    return source.map(resize, num_parallel_calls=tf.data.AUTOTUNE), dataclasses.replace(
        info, sample_shape=shape, source=f"{info.source}, {resolution}x{resolution}"
    )


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


def to_arrays(source):
    """The ``(images, labels)`` numpy arrays of an unbatched image source (`image_source`)."""
    images, labels = [], []
    for x, y in source.batch(10_000):
        images.append(x.numpy())
        labels.append(y.numpy())
    return np.concatenate(images), np.concatenate(labels)


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
        return _array_source(images, modes, f"{name} ({len(images)} stacked images)")
    if name.startswith("idx:"):
        directory = name[len("idx:") :]
        images, labels = idx.load_idx_dir(directory, split)
        return _array_source(images, labels, name, idx.known_class_names(directory))

    builder = tfds_builder(name, data_dir)
    if builder.is_prepared():
        return _tfds_source(builder, split)
    tried = [f"tensorflow-datasets {name!r}: not prepared in {builder.data_dir}"]
    for directory in LOCAL_COPIES.get(name, ()):
        if os.path.isdir(directory):
            images, labels = idx.load_idx_dir(directory, split)
            return _array_source(
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
            return _tfds_source(builder, split)
        except Exception as e:  # no network, checksum, disk: report them all alike
            tried.append(f"tensorflow-datasets download into {builder.data_dir}: {e}")
    raise FileNotFoundError(
        f"Could not load dataset {name!r}: tried {'; '.join(tried)}. Fix: {_offline_fix(name)}"
    )


# Offline copies a user can point at or install, per tensorflow-datasets name.
IDX_COPIES = {"fashion_mnist": "../shared/data/fashion-mnist", "mnist": "../shared/data/mnist"}
APT_PACKAGES = {"fashion_mnist": "dataset-fashion-mnist"}


def _offline_fix(name):
    """How to get ``name`` without tensorflow-datasets' download, in one sentence."""
    fixes = ["run once with network access (tensorflow-datasets downloads into --data_dir)"]
    if name in IDX_COPIES:
        fixes.append(f"point --dataset=idx:<dir> at its IDX files (e.g. idx:{IDX_COPIES[name]})")
    else:
        fixes.append("point --dataset=folder:<dir> at a copy of its images")
    if name in APT_PACKAGES:
        fixes.append(f"`apt-get install {APT_PACKAGES[name]}`")
    return ", or ".join(fixes) + "."


def shard_by_data(ds):
    """``ds`` split across workers batch by batch, never file by file.

    `MultiWorkerMirroredStrategy` then gives worker ``i`` the ``i``-th slice of
    every global batch, as `MirroredStrategy` gives replica ``i``, so N workers
    train on the batches one device would. (Its default, AUTO, shards
    tensorflow-datasets' record files: each worker would read other images.)
    """
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options)


def critic_groups(ds, n_critic):
    """``ds``'s batches in groups of ``n_critic``, stacked on axis 1: elements of
    ``[batch, n_critic, ...]`` (labels ``[batch, n_critic]``).

    A `tfgan_zoo.models.GAN` given such elements trains every one of its
    ``n_critic`` discriminator updates on a fresh real batch ``[:, k]``, as
    Algorithm 1 of WGAN-GP (Gulrajani et al. 2017) and the SNGAN and
    projection-discriminator setups do. The batch stays on axis 0, so a
    distribution strategy still gives replica ``i`` the ``i``-th slice of
    every one of the ``n_critic`` batches, the rows one device would use.
    """
    if n_critic == 1:
        return ds
    swap = lambda t: tf.experimental.numpy.swapaxes(t, 0, 1)  # noqa: E731
    grouped = ds.batch(n_critic, drop_remainder=True)
    return grouped.map(lambda *xs: tf.nest.map_structure(swap, xs if len(xs) > 1 else xs[0]))


def load(name, batch_size, split="train", data_dir=None, seed=0, resolution=0,
         direction="a_to_b", augment=False, toy_points=0, toy_packs=0, images=None,
         pairs=False):  # fmt: skip
    """Returns ``(dataset, DataInfo)`` for the dataset ``name``; see module doc.

    ``resolution`` center-crops and resizes images (`resized`; for
    image-to-image datasets see `tfgan_zoo.data.translation.load`; for
    ``folder:`` and ``tfrecord:`` it is the square size when ``images.size`` is
    unset), ``direction`` and ``augment`` apply to image-to-image datasets,
    ``toy_points`` and ``toy_packs`` to the toy sets (`GaussianMixture.dataset`'s
    ``num_points`` and ``fixed_packs``: the size of PacGAN's fixed real packs, 0
    for none), ``images`` (an `ImageOptions`) to ``folder:`` and ``tfrecord:``.
    ``pairs=True`` reads ``folder:`` as image-to-image data (Pix2Pix, CycleGAN).
    Every pipeline is sharded by data under multi-worker training (`shard_by_data`).

    Raises:
      DataError / FileNotFoundError: with every source tried and how to fix it.
    """
    if batch_size < 1:
        raise DataError(f"batch_size must be >= 1, got {batch_size}.")
    scheme, _, rest = name.partition(":")
    if rest and scheme in SOURCES:
        ds, info = SOURCES[scheme](rest, batch_size=batch_size, split=split, data_dir=data_dir,
                                   seed=seed, resolution=resolution)  # fmt: skip
    elif name in TOY_SETS:
        toy = TOY_SETS[name]()
        ds = toy.dataset(batch_size, seed, toy_points, toy_packs)
        info = DataInfo((2,), 0, f"toy:{name}", toy)
    elif translation.is_translation(name) or (pairs and name.startswith(files.FOLDER)):
        ds, info = translation.load(
            name, batch_size, split, data_dir, seed, resolution, direction, augment
        )
    elif files.is_file_dataset(name):
        ds, info = _own_images(name, batch_size, seed, resolution, images or ImageOptions())
    else:
        source, info, size = image_source(name, split, data_dir)
        if resolution and tuple(info.sample_shape[:2]) != (resolution, resolution):
            source, info = resized(source, info, resolution)
        ds = _batched(source, batch_size, seed, size)
    return shard_by_data(ds), info


def _own_images(name, batch_size, seed, resolution, options):
    """The batches and `DataInfo` of a ``folder:`` or ``tfrecord:`` dataset."""
    if resolution and not options.size:
        options = dataclasses.replace(options, size=(resolution, resolution))
    found = files.scan(name, options)
    source, shape = files.source(found, options, seed)
    ds = source.batch(batch_size, drop_remainder=True)
    ds = ds.map(lambda x, y: (from_uint8(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    classes = f", {found.num_classes} classes" if found.num_classes else ", unlabelled"
    info = DataInfo(shape, found.num_classes, f"{found.source} ({found.count} images{classes})",
                    class_names=found.class_names)  # fmt: skip
    return ds.prefetch(tf.data.AUTOTUNE), info


__all__ = [
    "ImageOptions",
    "DataError",
    "DataInfo",
    "center_square",
    "critic_groups",
    "GaussianMixture",
    "TOY_SETS",
    "from_arrays",
    "image_source",
    "load",
    "shard_by_data",
    "to_arrays",
]

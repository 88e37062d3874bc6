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

import dataclasses

import tensorflow as tf

from tfgan_zoo.data import catalog, files, translation
from tfgan_zoo.data.catalog import image_source
from tfgan_zoo.data.common import (
    DataInfo,
    LoadOptions,
    batched,
    center_square,
    from_arrays,
    resized,
    shard_by_data,
    to_arrays,
)
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


def load(name, batch_size, options=None, **legacy):
    """Returns ``(dataset, DataInfo)`` for the dataset ``name``; see module doc.

    ``options`` is a `LoadOptions` (split, data_dir, seed, resolution, and what
    applies to image-to-image, toy and own-image data); its fields may also be
    given as keywords (``load("mnist", 64, split="test")``). Every pipeline is
    sharded by data under multi-worker training (`shard_by_data`).

    Raises:
      DataError / FileNotFoundError: with every source tried and how to fix it.
    """
    if options is not None and not isinstance(options, LoadOptions):
        raise TypeError(
            f"load(name, batch_size, options): options is a LoadOptions, got {options!r}; "
            "give split, data_dir, seed, ... by name."
        )
    options = dataclasses.replace(options or LoadOptions(), **legacy)
    if batch_size < 1:
        raise DataError(f"batch_size must be >= 1, got {batch_size}.")
    ds, info = source_of(name, options)(name, batch_size, options)
    return shard_by_data(ds), info


def source_of(name, options):
    """The loader of ``name``, ``fn(name, batch_size, options) -> (dataset, DataInfo)``:
    the one dispatch on a dataset's name (a registered scheme first)."""
    scheme, _, rest = name.partition(":")
    if rest and scheme in SOURCES:
        return _registered
    if name in TOY_SETS:
        return _toy
    if translation.is_translation(name) or (options.pairs and name.startswith(files.FOLDER)):
        return _image_pairs
    if files.is_file_dataset(name):
        return _own_images
    return _named_images


def _registered(name, batch_size, options):
    scheme, _, rest = name.partition(":")
    return SOURCES[scheme](rest, batch_size=batch_size, split=options.split,
                           data_dir=options.data_dir, seed=options.seed,
                           resolution=options.resolution)  # fmt: skip


def _toy(name, batch_size, options):
    toy = TOY_SETS[name]()
    ds = toy.dataset(batch_size, options.seed, options.toy_points, options.toy_packs)
    return ds, DataInfo((2,), 0, f"toy:{name}", toy)


def _image_pairs(name, batch_size, options):
    return translation.load(name, batch_size, split=options.split, data_dir=options.data_dir,
                            seed=options.seed, resolution=options.resolution,
                            direction=options.direction, augment=options.augment)  # fmt: skip


def _named_images(name, batch_size, options):
    """``idx:``, ``stacked:`` and tensorflow-datasets names (`catalog.image_source`)."""
    source, info, size = image_source(name, options.split, options.data_dir)
    resolution = options.resolution
    if resolution and tuple(info.sample_shape[:2]) != (resolution, resolution):
        source, info = resized(source, info, resolution)
    return batched(source, batch_size, options.seed, size), info


def _own_images(name, batch_size, options):
    """The batches and `DataInfo` of a ``folder:`` or ``tfrecord:`` dataset."""
    images = options.images or ImageOptions()
    if options.resolution and not images.size:
        images = dataclasses.replace(images, size=(options.resolution, options.resolution))
    found = files.scan(name, images)
    source, shape = files.source(found, images, options.seed)
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
    "LoadOptions",
    "catalog",
    "center_square",
    "critic_groups",
    "GaussianMixture",
    "TOY_SETS",
    "from_arrays",
    "image_source",
    "load",
    "register_source",
    "shard_by_data",
    "source_of",
    "to_arrays",
]

"""What every data source shares: `DataInfo`, in-memory sources, batching,
resizing and the multi-worker sharding of a pipeline."""

import dataclasses

import numpy as np
import tensorflow as tf

from tfgan_zoo.data.idx import DataError
from tfgan_zoo.data.toy import GaussianMixture
from tfgan_zoo.images import from_uint8


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


@dataclasses.dataclass(frozen=True)
class LoadOptions:
    """How `tfgan_zoo.data.load` reads a dataset, beside its name and batch size.

    ``resolution`` center-crops and resizes images (`resized`; for
    image-to-image datasets see `tfgan_zoo.data.translation.load`; for
    ``folder:`` and ``tfrecord:`` it is the square size when ``images.size`` is
    unset); ``direction`` and ``augment`` apply to image-to-image datasets;
    ``toy_points`` and ``toy_packs`` to the toy sets (`GaussianMixture.dataset`'s
    ``num_points`` and ``fixed_packs``: the size of PacGAN's fixed real packs, 0
    for none); ``images`` (an `ImageOptions`) to ``folder:`` and ``tfrecord:``;
    ``pairs=True`` reads ``folder:`` as image-to-image data (Pix2Pix, CycleGAN).
    """

    split: str = "train"
    data_dir: str = None
    seed: int = 0
    resolution: int = 0
    direction: str = "a_to_b"
    augment: bool = False
    toy_points: int = 0
    toy_packs: int = 0
    images: object = None
    pairs: bool = False


def batched(ds, batch_size, seed, shuffle_buffer):
    ds = ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size, drop_remainder=True)
    ds = ds.map(lambda x, y: (from_uint8(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def array_source(images, labels, source, class_names=None):
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
    ds, info, size = array_source(images, labels, source)
    return batched(ds, batch_size, seed, size), info


def to_arrays(source):
    """The ``(images, labels)`` numpy arrays of an unbatched image source (`image_source`)."""
    images, labels = [], []
    for x, y in source.batch(10_000):
        images.append(x.numpy())
        labels.append(y.numpy())
    return np.concatenate(images), np.concatenate(labels)


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

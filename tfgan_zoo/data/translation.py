"""Image-to-image datasets: batches of ``(inputs, targets)`` for Pix2Pix and CycleGAN.

Dataset names:

- ``edges:<image dataset>``: paired. The input is an edge map (Sobel
  magnitude, thresholded: black lines on white, like edges2shoes) of each
  image of the dataset, the target the image itself; e.g.
  ``edges:idx:../shared/data/fashion-mnist`` or ``edges:fashion_mnist``.
- ``unpaired:<dataset A>,<dataset B>``: unpaired. Two image datasets,
  shuffled independently; e.g.
  ``unpaired:idx:../shared/data/mnist,idx:../shared/data/fashion-mnist``.
- ``folder:<dir>``: image files (PNG, JPEG, BMP, GIF). Unpaired when the
  folder holds ``<split>A/`` and ``<split>B/`` (the CycleGAN archives:
  trainA, testB, ...), ``<split>/A/`` and ``<split>/B/``, or ``A/`` and
  ``B/``; paired when ``<split>/`` (or the folder itself) holds side-by-side
  images, input on the left and target on the right (the pix2pix archives:
  facades/train/1.jpg, ...).
- ``cycle_gan/<config>``: tensorflow-datasets' CycleGAN sets (unpaired; e.g.
  ``cycle_gan/horse2zebra``), splits ``<split>A`` and ``<split>B``.

Images are float32 in [-1, 1], resized to ``resolution`` x ``resolution``
when it is set (bilinear, antialiased) and otherwise kept at their size
(folder images, which may differ in size, go to the first image's height).
``direction="b_to_a"`` swaps inputs and targets (the facades archive has the
photo on the left, for instance).
"""

import os

import numpy as np
import tensorflow as tf

from tfgan_zoo.data import catalog
from tfgan_zoo.data.common import DataInfo
from tfgan_zoo.data.files import image_kind
from tfgan_zoo.data.idx import DataError
from tfgan_zoo.images import from_uint8

PREFIXES = ("edges:", "unpaired:", "folder:", "cycle_gan/")  # what Pix2Pix and CycleGAN take
_PAIRS_ONLY = ("edges:", "unpaired:", "cycle_gan/")  # folder: also holds single images
DIRECTIONS = ("a_to_b", "b_to_a")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def is_translation(name):
    """Whether ``name`` can only be an image-to-image dataset (``folder:`` can be
    either: `tfgan_zoo.data.load` reads it as pairs when asked to)."""
    return name.startswith(_PAIRS_ONLY)


def labelled_domains(name, direction="a_to_b"):
    """``(input domain, output domain)``: the labelled image datasets behind an
    image-to-image name, None where there is none (edge maps, folders).

    ``edges:<X>`` has X for its targets, ``unpaired:<A>,<B>`` has A and B;
    quality metrics train their domain classifiers on these.
    """
    if name.startswith("edges:"):
        domains = (None, name.removeprefix("edges:"))
    elif name.startswith("unpaired:"):
        a, _, b = name.removeprefix("unpaired:").partition(",")
        domains = (a, b)
    else:
        domains = (None, None)
    return domains[::-1] if direction == "b_to_a" else domains


def edge_map(image, threshold=0.25):
    """Black-on-white edges ``[H, W, 1]`` uint8 of one uint8 image ``[H, W, C]``.

    A pixel is an edge when its Sobel gradient magnitude exceeds
    ``threshold`` times the image's largest one.
    """
    x = tf.cast(image, tf.float32) / 255.0
    if x.shape[-1] == 3:
        x = tf.image.rgb_to_grayscale(x)
    grad = tf.image.sobel_edges(x[None])[0]  # [H, W, 1, 2]
    magnitude = tf.norm(grad, axis=-1)
    edges = magnitude > threshold * tf.reduce_max(magnitude)
    return tf.cast(tf.where(edges, 0, 255), tf.uint8)


def _to_float(image, resolution):
    x = from_uint8(image)
    if resolution:
        x = tf.image.resize(x, (resolution, resolution), antialias=True)
        x = tf.clip_by_value(x, -1.0, 1.0)
    return x


def _shape(shape, resolution):
    return (resolution, resolution, shape[-1]) if resolution else tuple(shape)


def _images_only(name, split, data_dir):
    ds, info, size = catalog.image_source(name, split, data_dir)
    return ds.map(lambda image, label: image), info, size


def _edges(source, split, data_dir):
    images, info, size = _images_only(source, split, data_dir)
    pairs = images.map(lambda x: (edge_map(x), x), num_parallel_calls=tf.data.AUTOTUNE)
    return pairs, (*info.sample_shape[:2], 1), info.sample_shape, size


def _unpaired(sources, split, data_dir):
    names = sources.split(",")
    if len(names) != 2 or not all(names):
        raise DataError(
            f"unpaired: takes two image datasets separated by a comma, e.g. "
            f"unpaired:idx:<dir A>,idx:<dir B>; got {sources!r}."
        )
    (a, info_a, size_a), (b, info_b, size_b) = (_images_only(n, split, data_dir) for n in names)
    return (a, size_a, info_a.sample_shape), (b, size_b, info_b.sample_shape)


def _image_files(directory):
    files = sorted(
        os.path.join(directory, n)
        for n in os.listdir(directory)
        if n.lower().endswith(IMAGE_SUFFIXES)
    )
    if not files:
        raise DataError(f"{directory} holds no image files ({', '.join(IMAGE_SUFFIXES)}).")
    for path in files:
        if not image_kind(path):
            raise DataError(
                f"{path} is not a PNG, JPEG, BMP or GIF image (corrupt or mislabelled); "
                f"remove or replace it."
            )
    return files


def _decoder(files):
    """A function decoding one file to uint8 ``[H, W, C]`` and the shape of the first image."""
    first = tf.io.decode_image(tf.io.read_file(files[0]), expand_animations=False)
    channels = 1 if first.shape[-1] == 1 else 3

    def decode(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels, expand_animations=False)
        image.set_shape([None, None, channels])
        return image

    return decode, (*first.shape[:2], channels)


def _file_source(files):
    decode, shape = _decoder(files)
    return tf.data.Dataset.from_tensor_slices(files).map(decode), len(files), shape


def _folder(directory, split):
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"folder: {directory!r} does not exist.")
    for a, b in ((f"{split}A", f"{split}B"), (f"{split}/A", f"{split}/B"), ("A", "B")):
        dir_a, dir_b = os.path.join(directory, a), os.path.join(directory, b)
        if os.path.isdir(dir_a) and os.path.isdir(dir_b):
            return "unpaired", (_image_files(dir_a), _image_files(dir_b))
    for candidate in (os.path.join(directory, split), directory):
        if os.path.isdir(candidate) and any(
            n.lower().endswith(IMAGE_SUFFIXES) for n in os.listdir(candidate)
        ):
            return "paired", _image_files(candidate)
    raise FileNotFoundError(
        f"folder:{directory} has neither {split}A/ and {split}B/, {split}/A/ and {split}/B/, "
        f"A/ and B/ (unpaired), nor side-by-side images in {split}/ or in itself (paired)."
    )


def _side_by_side(files):
    decode, (h, w, c) = _decoder(files)
    if w % 2:
        raise DataError(
            f"{files[0]} is {w} pixels wide: side-by-side pairs need an even width "
            f"(input on the left half, target on the right)."
        )

    def split_pair(path):
        image = decode(path)
        half = tf.shape(image)[1] // 2
        return image[:, :half], image[:, half:]

    ds = tf.data.Dataset.from_tensor_slices(files).map(split_pair)
    shape = (h, w // 2, c)
    return ds, shape, shape, len(files)


def _cycle_gan(name, split, data_dir):
    builder = catalog.tfds_builder(name, data_dir)
    if not builder.is_prepared():
        try:
            unreachable = catalog.unreachable_host(builder)  # fail in seconds, not minutes
            if unreachable:
                raise OSError(unreachable)
            with catalog.removing_partial_downloads(builder):
                builder.download_and_prepare()
        except Exception as e:  # no network, checksum, disk: report them all alike
            raise FileNotFoundError(
                f"Could not load {name!r}: not prepared in {builder.data_dir}, and the "
                f"download failed: {e}\nFixes: run once with network access so "
                f"tensorflow-datasets can download into --data_dir, or unzip the CycleGAN "
                f"archive (trainA/, trainB/, testA/, testB/) and use --dataset=folder:<dir>."
            ) from None
    shape = tuple(builder.info.features["image"].shape)
    sides = []
    for side in "AB":
        ds = builder.as_dataset(split=f"{split}{side}", as_supervised=True)
        sides.append((ds.map(lambda image, label: image), 1000, shape))
    return sides


def _raw(name, split, data_dir):
    """``("paired", ds of (a, b), shape_a, shape_b, size)`` or ``("unpaired", side_a, side_b)``."""
    if name.startswith("edges:"):
        return ("paired", *_edges(name[len("edges:") :], split, data_dir))
    if name.startswith("unpaired:"):
        return ("unpaired", *_unpaired(name[len("unpaired:") :], split, data_dir))
    if name.startswith("cycle_gan/"):
        return ("unpaired", *_cycle_gan(name, split, data_dir))
    kind, files = _folder(name[len("folder:") :], split)
    if kind == "paired":
        return ("paired", *_side_by_side(files))
    return ("unpaired", *map(_file_source, files))


def jitter(images, seed, scale=286 / 256):
    """The papers' augmentation of one image (or channel-stacked pair) ``[H, W, C]``:
    resized up by ``scale``, cropped back at a random place, flipped with p = 1/2."""
    height, width, channels = images.shape
    big = (round(height * scale), round(width * scale))
    images = tf.image.resize(images, big)
    images = tf.image.random_crop(images, (height, width, channels), seed=seed)
    return tf.image.random_flip_left_right(images, seed=seed)


def _augmented(ds, paired, seed):
    if paired:  # the same crop and flip for both images of a pair

        def both(a, b):
            stacked = jitter(tf.concat([a, b], -1), seed)
            return stacked[..., : a.shape[-1]], stacked[..., a.shape[-1] :]

        return ds.map(both, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.map(
        lambda a, b: (jitter(a, seed), jitter(b, seed + 1)), num_parallel_calls=tf.data.AUTOTUNE
    )


def load(name, batch_size, split="train", data_dir=None, seed=0, resolution=0,
         direction="a_to_b", augment=False):  # fmt: skip
    """``(dataset of (inputs, targets) batches, DataInfo)`` for an image-to-image name.

    ``augment=True`` applies `jitter` (the same to both images of a pair).

    Raises:
      DataError / FileNotFoundError: what is missing or malformed, and the fix.
    """
    if direction not in DIRECTIONS:
        raise DataError(f"Unknown direction {direction!r}: use a_to_b or b_to_a.")
    if resolution < 0:
        raise DataError(f"resolution must be >= 0, got {resolution}.")
    kind, *rest = _raw(name, split, data_dir)
    if kind == "paired":
        ds, shape_a, shape_b, size = rest
    else:
        (a, size_a, shape_a), (b, size_b, shape_b) = rest
    if name.startswith("folder:") and not resolution:
        resolution = shape_a[0]  # files may differ in size: all go to the first one's height
    to_float = lambda a, b: (_to_float(a, resolution), _to_float(b, resolution))  # noqa: E731
    if kind == "paired":
        ds = ds.shuffle(min(size, 10_000), seed=seed, reshuffle_each_iteration=True).repeat()
    else:
        a = a.shuffle(min(size_a, 10_000), seed=seed, reshuffle_each_iteration=True).repeat()
        b = b.shuffle(min(size_b, 10_000), seed=seed + 1, reshuffle_each_iteration=True).repeat()
        ds = tf.data.Dataset.zip((a, b))
    ds = ds.map(to_float, num_parallel_calls=tf.data.AUTOTUNE)
    shape_a, shape_b = _shape(shape_a, resolution), _shape(shape_b, resolution)
    if direction == "b_to_a":
        ds = ds.map(lambda a, b: (b, a))
        shape_a, shape_b = shape_b, shape_a
    if not resolution and shape_a[:2] != shape_b[:2]:
        raise DataError(
            f"{name}: inputs are {shape_a[0]}x{shape_a[1]} and targets "
            f"{shape_b[0]}x{shape_b[1]}: set --resolution to resize both."
        )
    ds = ds.map(lambda a, b: (tf.ensure_shape(a, shape_a), tf.ensure_shape(b, shape_b)))
    if augment:
        ds = _augmented(ds, kind == "paired", seed)
    ds = ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
    info = DataInfo(shape_b, 0, f"{name} ({kind})", input_shape=shape_a, paired=kind == "paired")
    return ds, info


def examples(name, count, split="test", data_dir=None, resolution=0, direction="a_to_b", seed=0):
    """``count`` ``(inputs, targets)`` of a dataset as numpy arrays, drawn with ``seed``.

    For held-out evaluation (``split="test"``) and fixed preview batches.
    """
    ds, _ = load(name, count, split, data_dir, seed, resolution, direction)
    a, b = next(iter(ds))
    return np.asarray(a), np.asarray(b)

"""Your own images: ``folder:<dir>`` and ``tfrecord:<glob>`` for the generator models.

- ``folder:<dir>``: image files found recursively, recognised by their first
  bytes (PNG, JPEG, BMP, GIF: its first frame), whatever their names. The
  non-hidden subfolders that hold images are the classes (sorted names, as
  `keras.utils.image_dataset_from_directory` orders them), each image labelled
  with the subfolder it lies under; a folder without such subfolders is
  unlabelled. Every image is decoded once at the start (`scan_folder`):
  unreadable or corrupt files are skipped, counted and the first few named
  (``strict=True``: the first one is an error).
- ``tfrecord:<glob>``: `tf.train.Example` records with the encoded image under
  ``image/encoded`` and, optionally, its class id under ``image/class/label``
  and class name under ``image/class/text`` (the keys are `ImageOptions.keys`).
  ``python -m tfgan_zoo.data.make_tfrecords <folder> <prefix> --shards N``
  writes a folder as such shards (`write_tfrecords`), with a sidecar
  ``<prefix>.json`` holding what the folder's scan found (its first image's
  shape, whether every image is grey, the class names), so the shards train
  on the same data as the folder. Records without a sidecar are decoded once
  at the start to find whether every image is grey.

Images are streamed: the file list (or the records) is shuffled, then decoded
in parallel, converted to ``channels`` (RGBA and palette images lose their
alpha, grey images become RGB or RGB images grey) and brought to ``size`` by
``resize``; nothing holds the whole set in memory unless ``cache="memory"``.
``cache=<dir>`` writes the decoded images there on the first pass and reads
them back after, keyed by the files and options, so a changed option never
reads a stale cache.
"""

import dataclasses
import glob
import hashlib
import json
import logging
import os
import re

import numpy as np
import tensorflow as tf

from tfgan_zoo.data.idx import DataError

log = logging.getLogger(__name__)

FOLDER, TFRECORD = "folder:", "tfrecord:"
RESIZE = ("center_crop", "pad", "stretch")
KEYS = ("image/encoded", "image/class/label", "image/class/text")
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif",
          b"GIF89a": "gif", b"BM": "bmp"}  # fmt: skip
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
_NAMED = 5  # skipped files named in the log


@dataclasses.dataclass(frozen=True)
class ImageOptions:
    """How ``folder:`` and ``tfrecord:`` images become training batches.

    Attributes:
      size: ``(height, width)``; None: the first image's.
      resize: ``center_crop`` (crop to the aspect of ``size``, then resize),
        ``pad`` (resize to fit inside, pad with black) or ``stretch``.
      channels: 1 or 3; 0: 1 when every image is grey, otherwise 3.
      strict: the first unreadable image is an error rather than skipped.
      cache: ``""`` (decode every pass), ``"memory"`` or a directory.
      keys: the `tf.train.Example` keys of the encoded image, the class id
        and the class name.
    """

    size: tuple = None
    resize: str = "center_crop"
    channels: int = 0
    strict: bool = False
    cache: str = ""
    keys: tuple = KEYS


def parse_size(text):
    """``"64"`` -> (64, 64), ``"64x48"`` -> (64, 48) (height x width), ``""`` -> None."""
    if not text:
        return None
    parts = text.lower().split("x")
    try:
        size = tuple(int(p) for p in parts)
    except ValueError:
        size = ()
    if len(parts) == 1:
        size *= 2
    if len(size) != 2 or min(size) < 1:
        raise DataError(f"image size {text!r}: give one number (square) or HxW, e.g. 64x48.")
    return size


def is_file_dataset(name):
    return name.startswith((FOLDER, TFRECORD))


def image_kind(path):
    """``png``, ``jpeg``, ``gif`` or ``bmp`` by the file's first bytes; None for other files."""
    with open(path, "rb") as f:
        head = f.read(8)
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


def decode(contents, channels):
    """Encoded image bytes -> uint8 ``[H, W, channels]`` (GIF: the first frame)."""
    image = tf.io.decode_image(contents, channels=0, expand_animations=False)
    color = tf.shape(image)[-1] >= 3
    if channels == 1:
        image = tf.cond(color, lambda: tf.image.rgb_to_grayscale(image[..., :3]),
                        lambda: image[..., :1])  # fmt: skip
    else:
        image = tf.cond(color, lambda: image[..., :3],
                        lambda: tf.image.grayscale_to_rgb(image[..., :1]))  # fmt: skip
    image.set_shape([None, None, channels])
    return image


def fit(image, size, resize):
    """A uint8 image brought to ``size`` = (height, width) by the ``resize`` policy."""
    height, width = size
    if resize == "center_crop":
        shape = tf.cast(tf.shape(image)[:2], tf.float32)
        scale = tf.maximum(height / shape[0], width / shape[1])
        crop = tf.cast(tf.round([height / scale, width / scale]), tf.int32)
        crop = tf.minimum(tf.maximum(crop, 1), tf.shape(image)[:2])
        top, left = (tf.shape(image)[0] - crop[0]) // 2, (tf.shape(image)[1] - crop[1]) // 2
        image = tf.image.crop_to_bounding_box(image, top, left, crop[0], crop[1])
    if resize == "pad":
        out = tf.image.resize_with_pad(tf.cast(image, tf.float32), height, width, antialias=True)
    else:
        out = tf.image.resize(tf.cast(image, tf.float32), size, antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(out), 0, 255), tf.uint8)


@dataclasses.dataclass(frozen=True)
class Scan:
    """What `scan_folder` or `scan_tfrecords` found."""

    source: str
    files: tuple  # the image files (folders) or record files (TFRecords)
    labels: tuple  # one per image (folders); empty for TFRecords
    class_names: tuple  # None: unlabelled
    count: int
    shape: tuple  # the first image's (height, width, channels)
    grey: bool  # every image has one channel (or grey and alpha)
    skipped: tuple = ()  # (path, why) of files that are not usable images

    @property
    def num_classes(self):
        return len(self.class_names) if self.class_names else 0


def _candidates(directory):
    """Every non-hidden file under ``directory``, sorted."""
    found = []
    for root, dirs, files in os.walk(directory, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(root, f) for f in sorted(files) if not f.startswith(".")]
    return found


def decodable(paths):
    """``{path: decoded shape}`` of the files that decode; decoded in parallel."""
    ds = tf.data.Dataset.from_tensor_slices(list(paths) or [""])
    ds = ds.map(lambda p: (p, tf.shape(decode_any(tf.io.read_file(p)))),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)  # fmt: skip
    ds = ds.ignore_errors()
    return {p.decode(): tuple(int(d) for d in s) for p, s in ds.as_numpy_iterator()}


def decode_any(contents):
    """The image as stored: uint8 ``[H, W, C]``, C from 1 to 4."""
    return tf.io.decode_image(contents, channels=0, expand_animations=False)


def report_skipped(source, skipped, strict=False):
    """Logs the unusable files ``skipped`` (``[(path, why)]``) of ``source``, the first
    few named; with ``strict``, raises DataError for the first instead."""
    if not skipped:
        return
    if strict:
        path, why = skipped[0]
        raise DataError(f"{path}: {why}. Remove or replace it (or drop --strict_images to skip).")
    named = "; ".join(f"{path} ({why})" for path, why in skipped[:_NAMED])
    more = f" and {len(skipped) - _NAMED} more" if len(skipped) > _NAMED else ""
    log.warning("%s: skipped %d unusable file(s): %s%s", source, len(skipped), named, more)


def usable_images(paths):
    """``(images, skipped, shapes)`` of candidate files ``paths``: the files that are
    images by their first bytes and decode, ``[(path, why)]`` for those that are
    not (named like images, or images that do not decode), and the decoded shapes."""
    images, skipped = [], []
    for path in paths:
        if image_kind(path):
            images.append(path)
        elif path.lower().endswith(_IMAGE_SUFFIXES):
            skipped.append((path, "not a PNG, JPEG, BMP or GIF file, whatever its name says"))
    shapes = decodable(images)
    skipped += [(p, "corrupt or truncated: it does not decode") for p in images if p not in shapes]
    return [p for p in images if p in shapes], skipped, shapes


def scan_folder(directory, strict=False):
    """The images under ``directory``, their labels and classes, each decoded once.

    Raises:
      FileNotFoundError: ``directory`` does not exist.
      DataError: it holds no usable image, or (``strict``) an unusable one.
    """
    source = f"{FOLDER}{directory}"
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{source}: {directory!r} is not a directory.")
    files, skipped, shapes = usable_images(_candidates(directory))
    if not files:
        found = f"; {len(skipped)} unusable file(s), e.g. {skipped[0][0]}" if skipped else ""
        raise DataError(
            f"{source} holds no PNG, JPEG, BMP or GIF image (searched recursively){found}."
        )
    report_skipped(source, skipped, strict)
    top = lambda p: os.path.relpath(p, directory).split(os.sep)[0]  # noqa: E731
    classes = sorted({top(p) for p in files if os.sep in os.path.relpath(p, directory)})
    labels = ()
    if classes:
        loose = [p for p in files if os.sep not in os.path.relpath(p, directory)]
        if loose:
            log.warning("%s: %d image(s) beside the class subfolders are not used, e.g. %s",
                        source, len(loose), loose[0])  # fmt: skip
            files = [p for p in files if p not in set(loose)]
        labels = tuple(classes.index(top(p)) for p in files)
    return Scan(
        source, tuple(files), labels, tuple(classes) or None, len(files), shapes[files[0]],
        all(shapes[p][-1] <= 2 for p in files), tuple(skipped),
    )  # fmt: skip


def _features(keys):
    image, label, text = keys
    return {
        image: tf.io.FixedLenFeature([], tf.string),
        label: tf.io.FixedLenFeature([], tf.int64, default_value=-1),
        text: tf.io.FixedLenFeature([], tf.string, default_value=""),
    }


SIDECAR_FORMAT = "tfgan_zoo tfrecords 1"
_SHARD = re.compile(r"-\d{5}-of-\d{5}\.tfrecord$")


def sidecar_path(prefix):
    """Where `write_tfrecords` describes the shards of ``prefix``."""
    return f"{prefix}.json"


def read_sidecar(files):
    """The sidecar all of ``files`` share (their ``<prefix>.json``), or None: files
    not named as `write_tfrecords` names shards, of several prefixes, or none."""
    prefixes = {_SHARD.sub("", f) for f in files if _SHARD.search(f)}
    if len(prefixes) != 1 or not all(_SHARD.search(f) for f in files):
        return None
    path = sidecar_path(prefixes.pop())
    try:
        with open(path) as f:
            sidecar = json.load(f)
    except (OSError, ValueError):
        return None
    return sidecar if sidecar.get("format") == SIDECAR_FORMAT else None


def _record_shapes(files, image_key):
    """The decoded shape of every record's image (records that do not decode are
    left out, as training skips them)."""
    ds = tf.data.TFRecordDataset(list(files))
    feature = {image_key: tf.io.FixedLenFeature([], tf.string)}
    ds = ds.map(lambda r: tf.shape(decode_any(tf.io.parse_single_example(r, feature)[image_key])),
                num_parallel_calls=tf.data.AUTOTUNE)  # fmt: skip
    return [tuple(int(d) for d in s) for s in ds.ignore_errors().as_numpy_iterator()]


def _keys_held(files):
    """What the first record holds, for an error message: its keys and their kinds."""
    try:
        record = next(iter(tf.data.TFRecordDataset(list(files)).take(1))).numpy()
        example = tf.train.Example.FromString(record)
    except Exception:  # not a tf.train.Example: say so rather than fail again
        return "the first record is not a tf.train.Example"
    held = [f"{k} ({v.WhichOneof('kind')})" for k, v in sorted(example.features.feature.items())]
    return "the first record holds " + (", ".join(held) or "no features")


def _count_records(files, keys, source):
    """``(count, unlabelled, class names or None)`` of the records of ``files``,
    read once without decoding the images."""
    image_key, label_key, text_key = keys
    features = _features(keys)
    wanted = {label_key: features[label_key], text_key: features[text_key]}
    count, unlabelled, classes, names = 0, 0, set(), {}
    try:
        for records in tf.data.TFRecordDataset(list(files)).batch(4096).as_numpy_iterator():
            parsed = tf.io.parse_example(records, wanted)
            labels, texts = parsed[label_key].numpy(), parsed[text_key].numpy()
            unlabelled += int(np.sum(labels < 0))
            for label, text in zip(labels[labels >= 0], texts[labels >= 0], strict=True):
                classes.add(int(label))
                if text:
                    names.setdefault(int(label), text.decode())
            if not count:  # the image key must parse too
                tf.io.parse_example(records[:1], {image_key: features[image_key]})
            count += len(records)
    except tf.errors.InvalidArgumentError:
        raise DataError(
            f"{source}: a record lacks {image_key!r} or is not a tf.train.Example "
            f"({_keys_held(files)}); set --tfrecord_keys to the keys your records use "
            f"(image, class id, class name)."
        ) from None
    except tf.errors.DataLossError:
        raise DataError(f"{source}: a file is truncated or not a TFRecord file.") from None
    class_names = tuple(names.get(i, str(i)) for i in range(max(classes) + 1)) if classes else None
    return count, unlabelled, class_names


def scan_tfrecords(pattern, keys=KEYS):
    """The record files matching ``pattern``, their count, classes and first image.

    Reads every record once (not decoding the images) to count them and find
    the labels and class names. The shape and whether every image is grey come
    from the converter's sidecar when the files have one (so the shards train
    as their folder does), else from decoding every record once.

    Raises:
      FileNotFoundError: no file matches.
      DataError: no record holds ``keys[0]``, or only some hold a label.
    """
    source = f"{TFRECORD}{pattern}"
    files = tuple(sorted(glob.glob(pattern)))
    if not files:
        raise FileNotFoundError(f"{source}: no file matches {pattern!r}.")
    count, unlabelled, class_names = _count_records(files, keys, source)
    if not count:
        raise DataError(f"{source}: the files hold no record.")
    if unlabelled and unlabelled < count:
        raise DataError(
            f"{source}: {unlabelled} of {count} records have no {keys[1]!r}: label all or none."
        )
    sidecar = read_sidecar(files)
    if sidecar and sidecar.get("count") == count and list(sidecar.get("keys", [])) == list(keys):
        shape, grey = tuple(sidecar["shape"]), bool(sidecar["grey"])
    else:
        shapes = _record_shapes(files, keys[0])
        if not shapes:
            raise DataError(f"{source}: no record's {keys[0]!r} decodes as an image.")
        shape, grey = shapes[0], all(s[-1] <= 2 for s in shapes)
    return Scan(source, files, (), class_names, count, shape, grey)


def scan(name, options):
    """`scan_folder` or `scan_tfrecords` of a ``folder:`` or ``tfrecord:`` name."""
    if name.startswith(FOLDER):
        return scan_folder(name[len(FOLDER) :], options.strict)
    return scan_tfrecords(name[len(TFRECORD) :], options.keys)


def _cache_path(found, options, size, channels):
    """A cache file prefix in ``options.cache``, named by the files and the options."""
    key = repr((found.files, found.labels, options.keys, size, channels, options.resize))
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    os.makedirs(options.cache, exist_ok=True)
    prefix = os.path.join(options.cache, f"images-{digest}")
    if not os.path.exists(prefix + ".index"):  # a pass cut short: start the cache again
        for partial in glob.glob(glob.escape(prefix) + "*"):
            os.remove(partial)
    return prefix


def source(found, options, seed):
    """``(dataset of (uint8 image, label), (height, width, channels))``: `Scan` ``found``
    shuffled (every pass anew, by ``seed``), decoded and fitted, endless."""
    size = options.size or found.shape[:2]
    channels = options.channels or (1 if found.grey else 3)
    shape = (*size, channels)
    prepare = lambda contents, label: (  # noqa: E731
        tf.ensure_shape(fit(decode(contents, channels), size, options.resize), shape),
        label,
    )
    shuffle = min(found.count, 10_000)
    if found.source.startswith(FOLDER):
        labels = np.asarray(found.labels or [0] * found.count, np.int64)
        ds = tf.data.Dataset.from_tensor_slices((list(found.files), labels))
        if not options.cache:  # shuffle the names, not the images
            ds = ds.shuffle(found.count, seed=seed, reshuffle_each_iteration=True)
            shuffle = 0
        ds = ds.map(lambda path, label: (tf.io.read_file(path), label))
    else:
        image_key, label_key, _ = options.keys
        features = _features(options.keys)
        ds = tf.data.Dataset.from_tensor_slices(list(found.files))
        ds = ds.shuffle(len(found.files), seed=seed, reshuffle_each_iteration=True)
        ds = ds.interleave(tf.data.TFRecordDataset, cycle_length=4)  # in a fixed order
        wanted = {k: features[k] for k in (image_key, label_key)}
        ds = ds.map(lambda record: tf.io.parse_single_example(record, wanted))
        ds = ds.map(lambda e: (e[image_key], tf.maximum(e[label_key], 0)))
    ds = ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    if found.source.startswith(TFRECORD) and not options.strict:
        ds = ds.ignore_errors(log_warning=True)
    if options.cache:
        ds = ds.cache("" if options.cache == "memory" else _cache_path(found, options, size,
                                                                          channels))  # fmt: skip
    if shuffle:
        ds = ds.shuffle(shuffle, seed=seed, reshuffle_each_iteration=True)
    return ds.repeat(), shape


def _bytes(value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def write_tfrecords(found, prefix, shards, keys=KEYS, seed=0):
    """Writes the images of a folder `Scan` as ``shards`` TFRecord files
    ``<prefix>-00000-of-0000N.tfrecord`` (the files' own bytes, their labels and
    class names), dealt round-robin in an order shuffled by ``seed``, and the
    sidecar ``<prefix>.json`` (`sidecar_path`): the scan's first image shape,
    whether every image is grey, the class names, the count and the keys.
    Returns the shards' paths."""
    if shards < 1:
        raise DataError(f"--shards must be >= 1, got {shards}.")
    image_key, label_key, text_key = keys
    paths = [f"{prefix}-{i:05d}-of-{shards:05d}.tfrecord" for i in range(shards)]
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    order = np.random.default_rng(seed).permutation(found.count)
    writers = [tf.io.TFRecordWriter(p + ".tmp") for p in paths]
    try:
        for n, i in enumerate(order):
            with open(found.files[i], "rb") as f:
                feature = {image_key: _bytes(f.read())}
            if found.class_names:
                label = found.labels[i]
                feature[label_key] = tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))
                feature[text_key] = _bytes(found.class_names[label].encode())
            example = tf.train.Example(features=tf.train.Features(feature=feature))
            writers[n % shards].write(example.SerializeToString())
    finally:
        for writer in writers:
            writer.close()
    for path in paths:
        os.replace(path + ".tmp", path)
    sidecar = {"format": SIDECAR_FORMAT, "count": found.count, "shape": list(found.shape),
               "grey": found.grey, "class_names": list(found.class_names or []) or None,
               "keys": list(keys), "source": found.source}  # fmt: skip
    with open(sidecar_path(prefix) + ".tmp", "w") as f:
        json.dump(sidecar, f, indent=1)
    os.replace(sidecar_path(prefix) + ".tmp", sidecar_path(prefix))
    return paths

"""Pictures from an export: grids, class rows, interpolations, truncation sweeps,
translations.

The library behind ``python -m tfgan_zoo.sample`` (`tfgan_zoo.cli.sample`).
It loads an export with TensorFlow alone and calls its serving signatures, as
a client would: no Keras and none of the training code, so any machine that
can serve the model can draw from it. Every picture is deterministic by seed:
image ``i`` of a grid comes from seed ``seed + i`` through the ``sample``
signature, the image a server returns for that seed.
"""

import os

import numpy as np
import tensorflow as tf

from tfgan_zoo import images as images_lib
from tfgan_zoo.data import files
from tfgan_zoo.seeds import latent_from_seeds

METADATA_FILE = os.path.join("assets.extra", "tfgan_zoo.json")
_LABEL_WIDTH = 8  # pixels per character of a row label


class SampleError(ValueError):
    """The export or the request cannot make this picture; the message says why."""


def resolve_version(path):
    """``path`` itself when it is a SavedModel, else its newest numeric version."""
    if tf.io.gfile.exists(os.path.join(path, "saved_model.pb")):
        return path
    if tf.io.gfile.isdir(path):
        versions = sorted(int(n) for n in tf.io.gfile.listdir(path) if n.strip("/").isdigit())
        if versions:
            return os.path.join(path, str(versions[-1]))
    raise SampleError(
        f"{path} is not an export: give a version folder (saved_models/<name>/<n>) or the "
        f"folder holding the versions."
    )


class Export:
    """One export version: its serving signatures and its metadata."""

    def __init__(self, path):
        import json

        self.path = resolve_version(path)
        self.signatures = tf.saved_model.load(self.path).signatures
        with tf.io.gfile.GFile(os.path.join(self.path, METADATA_FILE)) as f:
            self.metadata = json.load(f)

    @property
    def kind(self):
        return self.metadata["kind"]

    @property
    def num_classes(self):
        return self.metadata.get("num_classes", 0)

    def require(self, *kinds, use=""):
        if self.kind not in kinds:
            hint = f"; {use}" if use else ""
            raise SampleError(
                f"this needs a {' or '.join(kinds)} export, and {self.path} is a "
                f"{self.kind!r} export{hint}."
            )

    def labels(self, label, count):
        """``count`` int32 labels for a conditional export (``label``: an id or a class
        name; None cycles through the classes), or None for an unconditional one."""
        if not self.num_classes:
            if label is not None:
                raise SampleError(f"{self.path} is unconditional: it takes no --label.")
            return None
        names = self.metadata.get("class_names") or []
        if label is None:
            return tf.range(count, dtype=tf.int32) % self.num_classes
        if str(label) in names:
            label = names.index(str(label))
        try:
            label = int(label)
        except ValueError:
            raise SampleError(
                f"--label={label!r} is no class of {self.path}: "
                f"{', '.join(names) or f'0..{self.num_classes - 1}'}."
            ) from None
        if not 0 <= label < self.num_classes:
            raise SampleError(
                f"--label={label}: {self.path} has classes 0..{self.num_classes - 1}."
            )
        return tf.fill([count], tf.constant(label, tf.int32))

    def sample(self, seeds, label=None, truncation=None):
        """Images (float32 in [-1, 1]) of the int ``seeds`` through ``sample`` or
        ``sample_truncated``."""
        inputs = {"seed": tf.constant(seeds, tf.int64)}
        labels = self.labels(label, len(seeds))
        if labels is not None:
            inputs["label"] = labels
        if truncation is None:
            return self.signatures["sample"](**inputs)["images"].numpy()
        inputs["truncation"] = tf.fill([len(seeds)], float(truncation))
        return self.signatures["sample_truncated"](**inputs)["images"].numpy()

    def generate(self, z, labels=None):
        inputs = {"z": tf.constant(z, tf.float32)}
        if labels is not None:
            inputs["label"] = labels
        return self.signatures["serving_default"](**inputs)["images"].numpy()


def picture(samples, columns):
    """uint8 grid of images, or a scatter plot of 2-D points (toy exports)."""
    samples = np.asarray(samples)
    if samples.ndim == 2:
        return images_lib.scatter(samples)
    return images_lib.tile(samples, columns)


def with_row_labels(grid, labels, row_height, pad=2):
    """``grid`` with ``labels`` written left of its rows (white on black)."""
    from PIL import Image, ImageDraw

    width = _LABEL_WIDTH * max(len(str(label)) for label in labels) + 2 * pad
    canvas = Image.new("RGB", (width + grid.shape[1], grid.shape[0]))
    canvas.paste(Image.fromarray(grid.squeeze(-1) if grid.shape[-1] == 1 else grid), (width, 0))
    draw = ImageDraw.Draw(canvas)
    for row, label in enumerate(labels):
        y = pad + row * (row_height + pad) + max(row_height // 2 - 6, 0)
        draw.text((pad, y), str(label), fill=(255, 255, 255))
    out = np.asarray(canvas)
    return out[..., :1] if grid.shape[-1] == 1 else out


def grid(export, rows, columns, seed=0, label=None):
    """``rows x columns`` samples of seeds ``seed, seed + 1, ...``."""
    export.require("generator", "conditional_generator", use="`translate` draws from translators")
    return picture(export.sample(list(range(seed, seed + rows * columns)), label), columns)


def classes(export, columns, seed=0):
    """One row per class, the same ``columns`` seeds in every row, labelled with the
    class names."""
    export.require("conditional_generator", use="use `grid` for an unconditional generator")
    names = export.metadata.get("class_names") or [str(i) for i in range(export.num_classes)]
    seeds = list(range(seed, seed + columns))
    rows = [export.sample(seeds, label=i) for i in range(export.num_classes)]
    images = np.concatenate(rows)
    return with_row_labels(picture(images, columns), names, images.shape[1])


def truncation(export, values, columns, seed=0, label=None):
    """One row per truncation value, the same seeds in every row: less variety and
    higher fidelity as the value falls."""
    export.require("generator", "conditional_generator")
    seeds = list(range(seed, seed + columns))
    images = np.concatenate([export.sample(seeds, label, truncation=v) for v in values])
    return with_row_labels(picture(images, columns), [f"{v:g}" for v in values], images.shape[1])


def slerp(a, b, t):
    """Spherical interpolation (for normal latents, whose mass lies near a sphere)."""
    cos = np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def interpolate(export, seeds, steps, label=None):
    """``(frames, grid)``: ``steps`` images from each seed to the next (slerp for
    normal latents, lerp for uniform ones), one grid row per pair of seeds; the
    animation's frames pass each seed once."""
    export.require("generator", "conditional_generator")
    if len(seeds) < 2 or steps < 2:
        raise SampleError("interpolate needs two or more --seeds and --steps >= 2.")
    distribution = export.metadata.get("latent", "normal")
    z = latent_from_seeds(seeds, export.metadata["latent_dim"], distribution=distribution)
    z = z.numpy()
    mix = slerp if distribution == "normal" else (lambda a, b, t: (1 - t) * a + t * b)
    path = np.stack([mix(z[i], z[i + 1], t) for i in range(len(seeds) - 1)
                     for t in np.linspace(0.0, 1.0, steps)])  # fmt: skip
    images = export.generate(path, export.labels(label, len(path)))
    # The animation passes each inner seed once: a row's last image is the next row's first.
    frames = [image for i, image in enumerate(images) if i < steps or i % steps]
    return np.stack(frames), picture(images, steps)


def translate(export, paths, direction=None):
    """``[(path, input image, output image)]`` (uint8) of image files through a translator
    export's ``<direction>_png`` signature (any size: the export resizes)."""
    export.require("translator", use="use `grid` or `classes` for generators")
    directions = export.metadata.get("directions", [])
    direction = direction or directions[0]
    if direction not in directions:
        raise SampleError(f"--direction={direction}: {export.path} has {', '.join(directions)}.")
    fn = export.signatures[f"{direction}_png"]
    results = []
    for path in paths:
        with open(path, "rb") as f:
            contents = f.read()
        output = fn(image_bytes=tf.constant([contents]))["images_uint8"].numpy()[0]
        image = files.decode(contents, output.shape[-1])
        image = tf.image.resize(image, output.shape[:2], antialias=True)
        results.append((path, np.asarray(tf.cast(tf.round(image), tf.uint8)), output))
    return results


def image_files(path):
    """The image files (by content) of a folder, recursively, or ``[path]`` for a file."""
    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        raise SampleError(f"--input={path} is neither an image file nor a folder.")
    candidates = sorted(os.path.join(root, name) for root, _, names in os.walk(path)
                        for name in names)  # fmt: skip
    usable, skipped, _ = files.usable_images(candidates)
    files.report_skipped(f"--input={path}", skipped)
    if not usable:
        raise SampleError(f"--input={path} holds no PNG, JPEG, BMP or GIF image that decodes.")
    return usable


def scaled(image, scale):
    """``image`` enlarged ``scale`` times (nearest neighbour: pixels stay sharp)."""
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1) if scale > 1 else image


def write(path, image=None, frames=None, scale=1, duration_ms=80):
    """Writes a uint8 picture as PNG, or ``frames`` (float images) as an animated GIF
    or WebP (by ``path``'s extension). Returns ``path``."""
    from PIL import Image

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    ext = os.path.splitext(path)[1].lower()
    if frames is not None and ext in (".gif", ".webp"):
        pictures = [scaled(images_lib.to_uint8(f), scale) for f in frames]
        pictures = [Image.fromarray(p.squeeze(-1) if p.shape[-1] == 1 else p) for p in pictures]
        pictures[0].save(path, save_all=True, append_images=pictures[1:], loop=0,
                         duration=duration_ms)  # fmt: skip
        return path
    if ext != ".png":
        raise SampleError(f"--out={path}: write a .png (or, for interpolate, .gif or .webp).")
    image = scaled(image, scale)
    Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image).save(path)
    return path

"""Exporting generators as SavedModels laid out for TensorFlow Serving.

`export_generator(generator, latent_dim, base_dir)` writes
``<base_dir>/<version>/`` where version is the next free integer, the layout
that ``tensorflow_model_server --model_base_path=<base_dir>`` watches. The
SavedModel is written to a temporary directory beside it and renamed into
place, so a server never sees a half-written version, and an existing version
is never overwritten.

Signature ``serving_default``: input ``z`` float32 ``[batch, latent_dim]`` ->
outputs ``images`` (float32 in [-1, 1]) and ``images_uint8`` (uint8).
"""

import os
import shutil
import uuid

import keras
import tensorflow as tf


def next_version(base_dir):
    """The smallest integer greater than every numeric version in ``base_dir`` (1 if none)."""
    if not os.path.isdir(base_dir):
        return 1
    versions = [int(n) for n in os.listdir(base_dir) if n.isdigit()]
    return max(versions, default=0) + 1


def _to_uint8(images):
    return tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)


def _outputs(images):
    images = tf.cast(images, tf.float32)
    return {"images": images, "images_uint8": _to_uint8(images)}


def build_archive(generator, latent_dim):
    """A `keras.export.ExportArchive` with the serving signatures of ``generator``."""
    archive = keras.export.ExportArchive()
    archive.track(generator)

    def serve(z):
        return _outputs(generator(z, training=False))

    archive.add_endpoint(
        name="serving_default",
        fn=serve,
        input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="z")],
    )
    return archive


def write_versioned(archive, base_dir, version=None):
    """Writes ``archive`` to ``<base_dir>/<version>`` atomically; returns the path."""
    version = next_version(base_dir) if version is None else int(version)
    final = os.path.join(base_dir, str(version))
    if os.path.exists(final):
        raise FileExistsError(
            f"Export version {final} already exists; versions are never overwritten. "
            f"Leave --version unset to take the next free one."
        )
    os.makedirs(base_dir, exist_ok=True)
    tmp = os.path.join(base_dir, f".tmp-{version}-{uuid.uuid4().hex}")
    try:
        archive.write_out(tmp, verbose=False)
        os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def export_generator(generator, latent_dim, base_dir, version=None):
    """Exports ``generator`` for TF Serving under ``<base_dir>/<version>``; returns the path."""
    return write_versioned(build_archive(generator, latent_dim), base_dir, version)

"""JSON files read through `tf.io.gfile`, so a run directory or an export can
live on any file system TensorFlow reads (a local path, ``gs://``, ...)."""

import json

import tensorflow as tf


def read(path):
    """The parsed JSON file at ``path``, or None when there is none: a run
    directory before its first run, an export written before its metadata was."""
    if not tf.io.gfile.exists(path):
        return None
    with tf.io.gfile.GFile(path) as f:
        return json.load(f)

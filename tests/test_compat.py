"""What users saved with an older tfgan_zoo still works: `.keras` files load, draw
what they drew then and train on; exports serve what they served then.

The files under ``tests/compat/<version>/`` were written by that version with
``tests/compat/write_compat.py`` (its commit in ``written_by.json``) and are never
rewritten: a change that breaks them fails here.
"""

import json
import os
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import models  # noqa: F401  (registers the classes Keras loads)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "compat"))
import write_compat  # noqa: E402

VERSIONS = sorted(
    os.path.join(write_compat.__file__.rsplit(os.sep, 1)[0], v)
    for v in os.listdir(os.path.dirname(write_compat.__file__))
    if v.startswith("v")
)


def recorded(version):
    return np.load(os.path.join(version, "outputs.npz"))


def test_every_version_says_what_wrote_it():
    assert VERSIONS
    for version in VERSIONS:
        with open(os.path.join(version, "written_by.json")) as f:
            assert len(json.load(f)["commit"]) == 40


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(write_compat.MODELS))
def test_old_keras_files_load_draw_the_same_and_train_on(version, name):
    model = keras.saving.load_model(os.path.join(version, f"{name}.keras"))
    drawn = write_compat.model_output(model, write_compat.model_inputs(model))
    np.testing.assert_allclose(drawn, recorded(version)[name], rtol=0, atol=1e-5)
    steps = int(model.g_optimizer.iterations)
    keras.utils.set_random_seed(0)
    dataset = write_compat.MODELS[name]()[1]
    history = model.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values()), history
    assert int(model.g_optimizer.iterations) == steps + model.g_steps


@pytest.mark.parametrize("version", VERSIONS)
def test_old_exports_serve_the_same_images(version):
    expected = recorded(version)
    cgan = tf.saved_model.load(os.path.join(version, "cgan_export", "1"))
    sampled = cgan.signatures["sample"](
        seed=tf.constant([0, 1, 42], tf.int64), label=tf.constant([0, 1, 3], tf.int32)
    )
    np.testing.assert_array_equal(sampled["images_uint8"].numpy(), expected["cgan_export_sample"])
    cycle = tf.saved_model.load(os.path.join(version, "cyclegan_export", "1"))
    image = tf.constant(np.arange(2 * 16 * 16, dtype=np.uint8).reshape(2, 16, 16, 1))
    translated = cycle.signatures["serving_default"](image=image)["images_uint8"].numpy()
    np.testing.assert_array_equal(translated, expected["cyclegan_export_a_to_b"])

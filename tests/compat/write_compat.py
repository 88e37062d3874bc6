"""Writes the compatibility test data: `.keras` files and exports as a given version
of tfgan_zoo wrote them, with the outputs they gave at that time.

`tests/test_compat.py` loads every file written here by an older version and checks
that today's code gives the recorded outputs and still trains and serves. Run it
once per data version, never over an existing folder (old files are the point):

    python tests/compat/write_compat.py tests/compat/v0_1
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import architectures, data, models

Z_SEED = 7


def latent(n, width):
    return np.random.default_rng(Z_SEED).normal(size=(n, width)).astype(np.float32)


def image_batches():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 16, 16, 1), dtype=np.uint8)
    return data.from_arrays(images, rng.integers(0, 4, 32), 8)


def toy_gan():
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8, pack=2)
    gan = models.GAN(g, d, 4, loss="least_squares", loss_kwargs={"a": -1.0, "b": 1.0, "c": 0.0},
                     gp_weight=1.0, gp_target=2.0, n_critic=2, pack=2, ema_decay=0.9,
                     ema_warmup=False, seed=3)  # fmt: skip
    return gan, data.critic_groups(data.load("ring8", 16, seed=0)[0], 2)


def acgan():
    dataset, info = image_batches()
    g, d = architectures.build("acgan_dcgan", info.sample_shape, 8, num_classes=info.num_classes,
                               base_filters=4)  # fmt: skip
    gan = models.ACGAN(g, d, 8, info.num_classes, loss="hinge", r1_weight=0.5, ema_half_life=100,
                       ema_rampup=0.05, augment_policy="translation,cutout", class_weight=0.5,
                       seed=1)  # fmt: skip
    return gan, dataset


def infogan():
    dataset, info = image_batches()
    g, d = architectures.build("infogan_dcgan", info.sample_shape, 8, base_filters=4,
                               info_categorical=3, info_continuous=1)  # fmt: skip
    gan = models.InfoGAN(g, d, 8, num_categorical=3, num_continuous=1, info_weight=0.5, seed=2)
    return gan, dataset


def cyclegan():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-1, 1, (2, 8, 16, 16, 1)).astype(np.float32)
    pairs = tf.data.Dataset.from_tensor_slices((a, b)).batch(4).repeat()
    shape = (16, 16, 1)
    g, d_b = architectures.build("resnet_patchgan", shape, 0, input_shape=shape, base_filters=4,
                                 num_res_blocks=1)  # fmt: skip
    f, d_a = architectures.build("resnet_patchgan", shape, 0, input_shape=shape, base_filters=4,
                                 num_res_blocks=1)  # fmt: skip
    return models.CycleGAN(g, f, d_a, d_b, pool_size=3, seed=1), pairs


def conditional():
    dataset, info = image_batches()
    g, d = architectures.build("conditional_dcgan", info.sample_shape, 8,
                               num_classes=info.num_classes, base_filters=4)  # fmt: skip
    gan = models.ConditionalGAN(g, d, 8, info.num_classes, loss="non_saturating", seed=4)
    return gan, dataset


MODELS = {"gan_toy": toy_gan, "acgan": acgan, "infogan": infogan, "cyclegan": cyclegan}


def model_inputs(model):
    """The fixed inputs whose outputs are recorded for ``model``."""
    if isinstance(model, models.CycleGAN):
        return np.random.default_rng(Z_SEED).uniform(-1, 1, (2, 16, 16, 1)).astype(np.float32)
    z = latent(4, model.generator_input_dim)
    if model.num_classes:
        return z, np.arange(4, dtype=np.int32) % model.num_classes
    return z


def model_output(model, inputs):
    """What the model draws for ``inputs``: the sampler's (or first generator's) output."""
    if isinstance(model, models.CycleGAN):
        return np.asarray(model(inputs))
    if isinstance(inputs, tuple):
        return np.asarray(model.sampler(list(inputs), training=False))
    return np.asarray(model(inputs))


def main(out_dir):
    if os.path.exists(out_dir):
        sys.exit(f"{out_dir} exists: compatibility data is never rewritten.")
    os.makedirs(out_dir)
    keras.utils.set_random_seed(0)
    outputs, record = {}, {}
    for name, make in MODELS.items():
        keras.utils.set_random_seed(0)
        model, dataset = make()
        model.compile(keras.optimizers.Adam(1e-3, 0.5), keras.optimizers.Adam(1e-3, 0.5))
        model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
        model.save(os.path.join(out_dir, f"{name}.keras"))
        outputs[name] = model_output(model, model_inputs(model))
    keras.utils.set_random_seed(0)
    model, dataset = conditional()
    model.compile()
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    export = model.export_serving(os.path.join(out_dir, "cgan_export"), step=2,
                                  class_names=["a", "b", "c", "d"])  # fmt: skip
    loaded = tf.saved_model.load(export)
    seeds = tf.constant([0, 1, 42], tf.int64)
    labels = tf.constant([0, 1, 3], tf.int32)
    sampled = loaded.signatures["sample"](seed=seeds, label=labels)
    outputs["cgan_export_sample"] = sampled["images_uint8"].numpy()
    keras.utils.set_random_seed(0)
    model, dataset = cyclegan()
    model.compile()
    model.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
    export = model.export_serving(os.path.join(out_dir, "cyclegan_export"), step=1)
    loaded = tf.saved_model.load(export)
    image = tf.constant(np.arange(2 * 16 * 16, dtype=np.uint8).reshape(2, 16, 16, 1))
    outputs["cyclegan_export_a_to_b"] = loaded.signatures["serving_default"](image=image)[
        "images_uint8"
    ].numpy()
    np.savez_compressed(os.path.join(out_dir, "outputs.npz"), **outputs)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True)
    record = {"commit": commit.stdout.strip(), "tensorflow": tf.__version__,
              "keras": keras.__version__, "z_seed": Z_SEED}  # fmt: skip
    with open(os.path.join(out_dir, "written_by.json"), "w") as f:
        json.dump(record, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])

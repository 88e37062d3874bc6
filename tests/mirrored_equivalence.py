"""Trains each case on one device and under MirroredStrategy on 2 logical CPUs.

Run as a script (the CPU must be split before TensorFlow starts); prints one
JSON line per case with the largest weight difference and both runs' logs.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tfgan_zoo import architectures, data, distribute, models  # noqa: E402

CASES = {
    "non_saturating_mlp": dict(arch="mlp"),
    "non_saturating_dcgan": dict(arch="dcgan", d_norm="layer", g_norm="none"),
    "wgan_gp_dcgan": dict(arch="dcgan", d_norm="layer", loss="wasserstein", gp_weight=10.0,
                          n_critic=2),
    "wgan_clip_mlp": dict(arch="mlp", loss="wasserstein", clip_value=0.05, n_critic=2),
    "hinge_mlp": dict(arch="mlp", loss="hinge"),
    "hinge_spectral_norm": dict(arch="sngan", loss="hinge", n_critic=2, g_norm="none"),
    "r1_mlp": dict(arch="mlp", r1_weight=1.0),
    # Relativistic losses: RaGAN all-reduces the batch means; R3GAN's objective with
    # lazy R1/R2 (taken at updates 0 and 2 of 3). The output bias cancels in RaGAN's
    # differences, so its gradient is round-off, which Adam would scale up: SGD.
    "ragan_mlp_sgd": dict(arch="mlp", loss="ragan", optimizer="sgd"),
    "r3gan_lazy_mlp": dict(arch="mlp", loss="rpgan", r1_weight=0.5, r2_weight=0.5,
                           r1_every=2),
    # PacGAN: each replica packs its share of the batch (8 of 16 samples).
    "pacgan4_mlp": dict(arch="mlp", pack=4),
    "simultaneous_pacgan2_mlp": dict(arch="mlp", pack=2, simultaneous=True),
    "g_steps2_mlp": dict(arch="mlp", g_steps=2),
    "shared_noise_g_steps2_mlp": dict(arch="mlp", g_steps=2, shared_noise=True),
    # One generator call per pack position: synchronized batch norm per position.
    "pacgan2_batchnorm_mlp_sgd": dict(arch="pacgan_mlp", pack=2, optimizer="sgd"),
    "pacgan2_wgan_gp_dcgan": dict(arch="dcgan", d_norm="layer", g_norm="none",
                                  loss="wasserstein", gp_weight=10.0, pack=2),
    # Adam turns float round-off in batch-norm sums into 1e-4 weight noise; SGD
    # shows that synchronized batch norm itself matches one device.
    "batchnorm_dcgan_sgd": dict(arch="dcgan", optimizer="sgd"),
    # Image-to-image: without dropout (Pix2Pix) and image pool (CycleGAN),
    # whose draws are per replica; `pool_size` is checked separately.
    "pix2pix_batchnorm_sgd": dict(arch="unet_patchgan", optimizer="sgd"),
    "cyclegan_instance_norm_sgd": dict(arch="resnet_patchgan", pool_size=0, optimizer="sgd",
                                       tolerance=1e-4),
    "cyclegan_pool_runs": dict(arch="resnet_patchgan", pool_size=4, compare=False),
    "pix2pix_dropout_runs": dict(arch="unet_patchgan", dropout=0.5, compare=False, steps=20),
    # A fresh real batch per critic update (the trainer's pipeline, `critic_groups`).
    "fresh_batches_wgan_clip_mlp": dict(arch="mlp", loss="wasserstein", clip_value=0.05,
                                        n_critic=2, grouped=True),
    # DiffAugment: its draws, like the noise, are cut from one global draw.
    "diffaugment_wgan_gp_dcgan": dict(arch="dcgan", d_norm="layer", g_norm="none",
                                      loss="wasserstein", gp_weight=10.0,
                                      augment_policy="color,translation,cutout"),
    # Generator EMA: the averaged weights are among the compared ones.
    "ema_mlp": dict(arch="mlp", ema_decay=0.9),
    "ema_batchnorm_dcgan_sgd": dict(arch="dcgan", optimizer="sgd", ema_decay=0.5),
    # Several steps per call of the compiled loop (--steps_per_execution).
    "steps_per_execution_mlp": dict(arch="mlp", steps=6, steps_per_execution=3),
    "steps_per_execution_batchnorm_sgd": dict(arch="dcgan", optimizer="sgd", steps=4,
                                              steps_per_execution=2),
}  # fmt: skip


TRANSLATORS = ("unet_patchgan", "resnet_patchgan")


def dataset(arch, n_critic=1):
    if arch in architectures.toy_architectures():
        return data.critic_groups(data.load("ring8", 16, seed=0)[0], n_critic)
    rng = np.random.default_rng(0)
    if arch in TRANSLATORS:
        pairs = rng.uniform(-1, 1, (2, 64, 16, 16, 1)).astype(np.float32)
        return tf.data.Dataset.from_tensor_slices(tuple(pairs)).batch(16).repeat()
    images = rng.uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices(images).batch(16).repeat()


def translator(arch, d_norm, g_norm, dropout=0.0, **kwargs):
    shape = (16, 16, 1)
    arch_kwargs = dict(input_shape=shape, base_filters=8, num_res_blocks=1, dropout=dropout)
    norms = {} if arch == "unet_patchgan" else {"g_norm": "instance", "d_norm": "instance"}
    g, d = architectures.build(arch, shape, 0, **arch_kwargs, **norms)
    if arch == "unet_patchgan":
        return models.Pix2Pix(g, d, **kwargs)
    f, d_a = architectures.build(arch, shape, 0, **arch_kwargs, **norms)
    return models.CycleGAN(g, f, d_a, d, loss="least_squares", seed=0, **kwargs)


def train(strategy, arch, optimizer="adam", d_norm="batch", g_norm="batch", steps=3,
          compare=True, steps_per_execution=1, tolerance=None, grouped=False,
          **kwargs):  # fmt: skip
    keras.utils.set_random_seed(0)
    shape, arch_kwargs = (2,), {"hidden_units": 16}
    if arch not in architectures.toy_architectures():
        shape, arch_kwargs = (28, 28, 1), {"base_filters": 8, "d_norm": d_norm, "g_norm": g_norm}
    with strategy.scope():
        if arch in TRANSLATORS:
            gan = translator(arch, d_norm, g_norm, **kwargs)
        else:
            g, d = architectures.build(arch, shape, 8, pack=kwargs.get("pack", 1), **arch_kwargs)
            gan = models.GAN(g, d, 8, seed=0, **kwargs)
        make = {
            "adam": lambda: keras.optimizers.Adam(1e-3, 0.5),
            "sgd": lambda: keras.optimizers.SGD(1e-2),
        }[optimizer]
        gan.compile(make(), make(), steps_per_execution=steps_per_execution)
    data_n_critic = kwargs.get("n_critic", 1) if grouped else 1
    history = gan.fit(
        dataset(arch, data_n_critic), epochs=1, steps_per_epoch=steps, verbose=0
    ).history
    return gan, {k: float(v[-1]) for k, v in history.items()}


def fid_row():
    """FID of two feature sets streamed through `FrechetDistance` on 2 replicas."""
    from tfgan_zoo.metrics import Moments, fid
    from tfgan_zoo.metrics.streaming import FrechetDistance

    rng = np.random.default_rng(0)
    real = rng.normal(0.0, 1.0, (96, 5)).astype(np.float32)
    fake = rng.normal(0.5, 1.5, (96, 5)).astype(np.float32)
    strategy = distribute.make_strategy("mirrored", 2)
    with strategy.scope():
        metric = FrechetDistance(5)
    batches = tf.data.Dataset.from_tensor_slices((real, fake)).batch(16)

    @tf.function
    def step(r, f):
        strategy.run(metric.update_state, args=(r, f))

    for r, f in strategy.experimental_distribute_dataset(batches):
        step(r, f)
    expected = fid(Moments().update(real), Moments().update(fake))
    return {"case": "fid_metric", "distributed": float(metric.result()), "numpy": expected}


def gathered_row():
    """KID and precision/recall of features computed per replica and gathered."""
    from tfgan_zoo import metrics

    rng = np.random.default_rng(1)
    real = rng.normal(0.0, 1.0, (96, 5)).astype(np.float32)
    fake = rng.normal(0.5, 1.5, (96, 5)).astype(np.float32)
    strategy = distribute.make_strategy("mirrored", 2)
    batches = tf.data.Dataset.from_tensor_slices((real, fake)).batch(16)

    @tf.function
    def extract(r, f):
        per_replica = strategy.run(lambda r, f: (tf.tanh(r), tf.tanh(f)), args=(r, f))
        return [strategy.gather(x, axis=0) for x in per_replica]

    gathered = [extract(r, f) for r, f in strategy.experimental_distribute_dataset(batches)]
    real_f, fake_f = (np.concatenate([g[i].numpy() for g in gathered]) for i in (0, 1))

    def scores(r, f):
        pr = metrics.precision_recall(r, f)
        return [metrics.kid(r, f)[0], pr.precision, pr.recall, pr.density, pr.coverage]

    return {
        "case": "gathered_metrics",
        "distributed": scores(real_f, fake_f),
        "numpy": scores(np.tanh(real), np.tanh(fake)),
    }


def main(names):
    print(json.dumps(fid_row()))
    print(json.dumps(gathered_row()))
    for name in names:
        one, one_logs = train(tf.distribute.get_strategy(), **CASES[name])
        mirrored = distribute.make_strategy("mirrored", 2)
        assert mirrored.num_replicas_in_sync == 2
        two, two_logs = train(mirrored, **CASES[name])
        diff = max(
            float(np.abs(a - b).max())
            for a, b in zip(one.get_weights(), two.get_weights(), strict=True)
        )
        row = {"case": name, "max_diff": diff, "one": one_logs, "two": two_logs}
        if hasattr(two, "pool_a"):
            row["pool_counts"] = [int(two.pool_a.count.numpy()), int(two.pool_b.count.numpy())]
        print(json.dumps(row))


if __name__ == "__main__":
    main(sys.argv[1:] or list(CASES))

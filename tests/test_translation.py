"""Pix2Pix and CycleGAN: networks, image-to-image data, the image pool, training, export."""

import json
import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from conftest import shared_dir

from tfgan_zoo import architectures, data, images, models, trainer
from tfgan_zoo.architectures import translation as nets
from tfgan_zoo.config import ConfigError, TrainConfig
from tfgan_zoo.data import DataError
from tfgan_zoo.data import translation as translation_data
from tfgan_zoo.models.cyclegan import ImagePool

SHAPE = (16, 16, 1)


def unet_pair(**kwargs):
    return architectures.build(
        "unet_patchgan", SHAPE, 0, input_shape=SHAPE, base_filters=8, **kwargs
    )


def resnet_pair(in_shape=SHAPE, out_shape=SHAPE):
    return architectures.build(
        "resnet_patchgan", out_shape, 0, input_shape=in_shape, base_filters=8, num_res_blocks=1
    )


def random_pairs(n=32, shape=SHAPE, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(-1, 1, (2, n, *shape)).astype(np.float32)
    return a, b


# Networks.


def test_unet_depth_skips_and_shapes():
    g = nets.unet_generator(256, 3, 3, base_filters=64)
    assert g.output_shape == (None, 256, 256, 3)
    # Pix2Pix's U-Net-256: eight halvings to 1x1 and about 54.4M parameters
    # (the reference implementation reports 54.414M).
    assert nets.unet_levels(256) == 8
    assert 54.0e6 < g.count_params() < 54.8e6
    concatenations = [layer for layer in g.layers if isinstance(layer, keras.layers.Concatenate)]
    assert len(concatenations) == 7
    assert nets.unet_levels(28) == 2  # 28 -> 14 -> 7


def test_unet_skip_connection_carries_the_input_edge():
    """With the bottleneck zeroed, the output still depends on the input through the skips."""
    g = nets.unet_generator(16, 1, 1, base_filters=4, norm="none", dropout=0.0)
    x = np.zeros((1, 16, 16, 1), np.float32)
    y = x.copy()
    y[0, 2, 2, 0] = 1.0
    assert not np.allclose(g(x), g(y))


def test_patchgan_gives_a_map_of_patch_logits_and_sees_the_condition():
    d = nets.patchgan_discriminator(256, 3, condition_channels=3)
    assert d.output_shape == (None, 32, 32, 1)
    assert 2.7e6 < d.count_params() < 2.8e6  # the reference 70x70 PatchGAN: 2.769M
    small = nets.patchgan_discriminator(16, 1, 8, condition_channels=1)
    image = np.zeros((1, 16, 16, 1), np.float32)
    assert small.output_shape[1:3] == (2, 2)
    assert not np.allclose(small([image, image]), small([image + 1, image]))


def test_resnet_translator_shapes_and_errors():
    g = nets.resnet_translator(28, 1, 3, base_filters=8, num_blocks=2)
    assert g.output_shape == (None, 28, 28, 3)
    with pytest.raises(ValueError, match="divisible by 4"):
        nets.resnet_translator(30, 1, 1)
    with pytest.raises(ValueError, match="divisible by 4"):
        nets.unet_generator(30, 1, 1)
    with pytest.raises(ValueError, match="image-to-image dataset"):
        architectures.build("unet_patchgan", SHAPE, 0)
    with pytest.raises(ValueError, match="--resolution"):
        architectures.build("unet_patchgan", SHAPE, 0, input_shape=(32, 32, 1))


# Data.


def test_edges_task_pairs_an_edge_map_with_its_garment():
    directory = shared_dir("fashion-mnist")
    ds, info = data.load(f"edges:idx:{directory}", 8, split="test")
    assert info.paired and info.input_shape == (28, 28, 1) and info.sample_shape == (28, 28, 1)
    edges, garments = (np.asarray(t) for t in next(iter(ds)))
    assert set(np.unique(edges)) <= {-1.0, 1.0}  # black lines on white
    assert 0.02 < np.mean(edges < 0) < 0.5
    # Edges lie where the garment changes: the background far from it has none.
    near_garment = tf.nn.max_pool2d((garments > -0.99).astype(np.float32), 5, 1, "SAME")
    far = np.asarray(near_garment) == 0
    assert far.mean() > 0.1 and np.all(edges[far] > 0)


def test_edge_map_of_a_square():
    image = np.zeros((16, 16, 1), np.uint8)
    image[4:12, 4:12] = 255
    edges = np.asarray(translation_data.edge_map(image))[..., 0]
    assert edges[8, 8] == 255 and edges[0, 0] == 255  # flat regions: white
    assert edges[4, 8] == 0 and edges[8, 11] == 0  # the square's border: black


def test_unpaired_sets_resolution_and_direction():
    mnist, fashion = shared_dir("mnist"), shared_dir("fashion-mnist")
    name = f"unpaired:idx:{mnist},idx:{fashion}"
    ds, info = data.load(name, 4, split="test", resolution=32)
    assert not info.paired and info.input_shape == info.sample_shape == (32, 32, 1)
    a, b = next(iter(ds))
    assert a.shape == b.shape == (4, 32, 32, 1)
    assert -1.0 <= float(tf.reduce_min(a)) and float(tf.reduce_max(a)) <= 1.0
    # MNIST digits are thin strokes, garments large shapes: the mean brightness tells them apart.
    a1, b1 = translation_data.examples(name, 64, seed=1)
    a2, b2 = translation_data.examples(name, 64, seed=1, direction="b_to_a")
    np.testing.assert_array_equal(a1, b2)
    assert np.mean(a1) < np.mean(b1)
    with pytest.raises(DataError, match="two image datasets"):
        data.load(f"unpaired:idx:{mnist}", 4, split="test")


def write_png(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    images.write_png(path, array)


def test_folder_unpaired_and_side_by_side_layouts(tmp_path):
    rng = np.random.default_rng(0)
    for side in "AB":
        for i in range(3):
            write_png(
                str(tmp_path / "cyc" / f"train{side}" / f"{i}.png"),
                rng.integers(0, 255, (20, 20, 3), dtype=np.uint8),
            )
    ds, info = data.load(f"folder:{tmp_path / 'cyc'}", 2, pairs=True, resolution=16)
    assert not info.paired and info.input_shape == (16, 16, 3)
    assert next(iter(ds))[0].shape == (2, 16, 16, 3)

    pair = np.concatenate([np.zeros((8, 8, 1), np.uint8), np.full((8, 8, 1), 255, np.uint8)], 1)
    for i in range(2):
        write_png(str(tmp_path / "p2p" / "train" / f"{i}.png"), pair)
    ds, info = data.load(f"folder:{tmp_path / 'p2p'}", 2, pairs=True)
    assert info.paired and info.input_shape == info.sample_shape == (8, 8, 1)
    a, b = (np.asarray(t) for t in next(iter(ds)))
    np.testing.assert_allclose(a, -1.0)
    np.testing.assert_allclose(b, 1.0)
    a, b = (np.asarray(t) for t in next(iter(data.load(f"folder:{tmp_path / 'p2p'}", 2, pairs=True,
                                                        direction="b_to_a")[0])))  # fmt: skip
    np.testing.assert_allclose(a, 1.0)


def test_folder_errors_name_the_file_and_the_fix(tmp_path):
    write_png(str(tmp_path / "odd" / "train" / "0.png"), np.zeros((8, 9, 1), np.uint8))
    with pytest.raises(DataError, match="even width"):
        data.load(f"folder:{tmp_path / 'odd'}", 1, pairs=True)
    (tmp_path / "bad" / "train").mkdir(parents=True)
    (tmp_path / "bad" / "train" / "0.jpg").write_bytes(b"not an image at all")
    with pytest.raises(DataError, match="0.jpg is not a PNG, JPEG"):
        data.load(f"folder:{tmp_path / 'bad'}", 1, pairs=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="trainA/ and trainB/"):
        data.load(f"folder:{tmp_path / 'empty'}", 1, pairs=True)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.load(f"folder:{tmp_path / 'missing'}", 1, pairs=True)


def test_tfds_cycle_gan_config(tmp_path, monkeypatch):
    monkeypatch.setattr(data.catalog, "unreachable_host", lambda builder: None)  # a network, mocked
    with tfds.testing.mock_data(num_examples=4):
        ds, info = data.load("cycle_gan/horse2zebra", 2, data_dir=str(tmp_path), resolution=32)
        a, b = next(iter(ds))
    assert not info.paired and a.shape == b.shape == (2, 32, 32, 3)


# The image pool.


def test_image_pool_fills_then_swaps():
    pool = ImagePool(3, (1, 1, 1))
    first = np.array([[1.0], [2.0]], np.float32)[..., None, None]
    never = {"swap": tf.constant([True, True]), "slot": tf.constant([0, 0])}
    np.testing.assert_array_equal(pool.query(first, never), first)  # filling: passed through
    second = np.array([[3.0], [4.0]], np.float32)[..., None, None]
    swap = {"swap": tf.constant([False, True]), "slot": tf.constant([2, 0])}
    out = np.asarray(pool.query(second, swap)).ravel()
    # Slot 2 was free: 3 is stored and returned. The pool was then full: 4
    # swaps with slot 0, returning the stored 1.
    np.testing.assert_array_equal(out, [3.0, 1.0])
    np.testing.assert_array_equal(np.asarray(pool.images).ravel(), [4.0, 2.0, 3.0])
    assert int(pool.count.numpy()) == 3
    keep = {"swap": tf.constant([False, False]), "slot": tf.constant([1, 1])}
    np.testing.assert_array_equal(pool.query(first, keep), first)
    np.testing.assert_array_equal(np.asarray(pool.images).ravel(), [4.0, 2.0, 3.0])
    off = ImagePool(0, (1, 1, 1))
    np.testing.assert_array_equal(off.query(first, never), first)


def test_image_pool_swaps_about_half_once_full():
    pool = ImagePool(50, SHAPE)
    seeds = keras.random.SeedGenerator(0)
    fakes = np.ones((50, *SHAPE), np.float32)
    pool.query(-fakes, pool.draws(50, seeds))
    out = np.asarray(pool.query(fakes, pool.draws(50, seeds)))
    assert 0.3 < np.mean(out[:, 0, 0, 0] < 0) < 0.7  # old (negative) images returned


# Training.


def test_pix2pix_trains_with_fit_and_logs_l1():
    g, d = unet_pair()
    model = models.Pix2Pix(g, d)
    model.compile()
    history = model.fit(tf.data.Dataset.from_tensor_slices(random_pairs()).batch(8), epochs=2,
                        verbose=0).history  # fmt: skip
    assert set(history) == {"d_loss", "g_loss", "l1"}
    assert all(np.isfinite(v).all() for v in history.values())
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 8


def test_pix2pix_l1_term_pulls_towards_the_target():
    """The generator learns a fixed pair, ``b = -a`` (measured: L1 0.52 -> 0.19 in 150 steps)."""
    a, _ = random_pairs(8)
    b = -a
    g, d = unet_pair(dropout=0.0, g_norm="none")
    model = models.Pix2Pix(g, d, l1_weight=100.0)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    start = float(np.abs(np.asarray(g(a)) - b).mean())
    model.fit(tf.data.Dataset.from_tensors((a, b)).repeat(), steps_per_epoch=150, verbose=0)
    assert float(np.abs(np.asarray(g(a)) - b).mean()) < 0.6 * start


def test_cyclegan_trains_with_fit_and_logs_every_term():
    g, d_b = resnet_pair()
    f, d_a = resnet_pair()
    model = models.CycleGAN(g, f, d_a, d_b, pool_size=4, seed=0)
    model.compile()
    history = model.fit(tf.data.Dataset.from_tensor_slices(random_pairs()).batch(8), verbose=0)
    assert set(history.history) == {"d_a", "d_b", "g_ab", "g_ba", "cycle", "identity"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    assert int(model.pool_a.count.numpy()) == 4


TRANSLATOR_CASES = [
    (name, arch)
    for name, cls in sorted(models.MODELS.items())
    if issubclass(cls, models.ImageTranslator)
    for arch in cls.compatible_architectures
]


@pytest.mark.parametrize(
    "name,arch",
    [pytest.param(*c, marks=pytest.mark.slow) if c[0] == "cyclegan" else c
     for c in TRANSLATOR_CASES],
)  # fmt: skip
def test_every_translator_and_architecture_builds_from_its_config(name, arch, tmp_path):
    config = TrainConfig(model=name, architecture=arch, dataset="folder:x", base_filters=8,
                         num_res_blocks=1, model_dir=str(tmp_path))  # fmt: skip
    info = data.DataInfo(SHAPE, 0, "arrays", input_shape=SHAPE, paired=True)
    model = trainer.build_model(config, info)
    ds = tf.data.Dataset.from_tensor_slices(random_pairs(16)).batch(8)
    history = model.fit(ds, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert int(model.g_optimizer.iterations) == 2
    path = model.export_serving(str(tmp_path / "export"))
    served = tf.saved_model.load(path).signatures["serving_default"]
    image = np.zeros((1, *SHAPE), np.uint8)
    assert served(image=tf.constant(image))["images_uint8"].shape == (1, *SHAPE)


def test_cyclegan_identity_needs_matching_channels():
    g, d_b = resnet_pair(SHAPE, (16, 16, 3))
    f, d_a = resnet_pair((16, 16, 3), SHAPE)
    with pytest.raises(ValueError, match="identity_weight=0"):
        models.CycleGAN(g, f, d_a, d_b)
    model = models.CycleGAN(g, f, d_a, d_b, identity_weight=0.0)
    assert "identity" not in model.tracked_names()


def test_cyclegan_takes_its_weights_as_a_group_or_flat():
    from tfgan_zoo.models.cyclegan import CycleOptions

    networks = (*resnet_pair(SHAPE, SHAPE), *resnet_pair(SHAPE, SHAPE))
    g, d_b, f, d_a = networks
    grouped = models.CycleGAN(g, f, d_a, d_b, cycle=CycleOptions(3.0, 0.0, 4))
    flat = models.CycleGAN(g, f, d_a, d_b, cycle_weight=3.0, identity_weight=0.0, pool_size=4)
    keys = ("cycle_weight", "identity_weight", "pool_size")
    assert [grouped.get_config()[k] for k in keys] == [flat.get_config()[k] for k in keys]
    assert [grouped.get_config()[k] for k in keys] == [3.0, 0.0, 4]
    with pytest.raises(TypeError, match="say it once"):
        models.CycleGAN(g, f, d_a, d_b, cycle=CycleOptions(), pool_size=4)


def test_config_pairs_models_with_their_datasets(tmp_path):
    common = dict(model_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="do not go together"):
        TrainConfig(model="pix2pix", architecture="unet_patchgan", **common)
    with pytest.raises(ConfigError, match="do not go together"):
        TrainConfig(dataset="edges:fashion_mnist", **common)
    with pytest.raises(ConfigError, match="unet_patchgan"):
        TrainConfig(model="pix2pix", dataset="edges:fashion_mnist", **common)
    with pytest.raises(ConfigError, match="--direction"):
        TrainConfig(model="cyclegan", architecture="resnet_patchgan", dataset="cycle_gan/x",
                    direction="up", **common)  # fmt: skip
    config = TrainConfig(model="pix2pix", architecture="unet_patchgan", dataset="folder:x",
                         **common)  # fmt: skip
    unpaired = data.DataInfo(SHAPE, 0, "folder:x", input_shape=SHAPE, paired=False)
    with pytest.raises(ValueError, match="needs paired data"):
        trainer.build_model(config, unpaired)
    pix2pix = dict(model="pix2pix", architecture="unet_patchgan", fid_every=10, **common)
    with pytest.raises(ConfigError, match="--fid_every needs a labelled dataset"):
        TrainConfig(dataset="folder:x", **pix2pix)
    with pytest.raises(ConfigError, match="--fid_every needs a labelled dataset"):
        TrainConfig(dataset="edges:fashion_mnist", direction="b_to_a", **pix2pix)  # into edges
    assert TrainConfig(dataset="edges:fashion_mnist", **pix2pix).fid_domain == "fashion_mnist"
    cyclegan = dict(pix2pix, model="cyclegan", architecture="resnet_patchgan")
    config = TrainConfig(dataset="unpaired:mnist,fashion_mnist", direction="b_to_a", **cyclegan)
    assert config.fid_domain == "mnist"


@pytest.mark.slow  # 36 s; the generators' FID monitor runs in test_trainer.py
def test_fid_monitor_follows_a_pix2pix_run(tmp_path):
    """Measured: FID of translated held-out edge maps 8.66 at step 50, 1.57 at 300."""
    config = TrainConfig(
        model="pix2pix", architecture="unet_patchgan", l1_weight=100, split="test",
        dataset="edges:idx:" + shared_dir("fashion-mnist"), resolution=16, base_filters=8,
        batch_size=16, epochs=1, steps_per_epoch=300, fid_every=50, fid_samples=500,
        sample_every=300, model_dir=str(tmp_path), verbose=0,
    )  # fmt: skip
    monitor = next(c for c in trainer.train(config).callbacks if type(c).__name__ == "FIDMonitor")
    assert sorted(monitor.values) == [50, 100, 150, 200, 250, 300]
    assert monitor.values[300] < 0.5 * monitor.values[50], monitor.values


def test_constant_then_linear_schedule():
    schedule = trainer.ConstantThenLinear(2e-4, 100, 50)
    values = [float(schedule(step)) for step in (0, 50, 75, 100, 150)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-10)


# Export.


@pytest.fixture(scope="module")
def cyclegan():
    keras.utils.set_random_seed(0)
    g, d_b = resnet_pair()
    f, d_a = resnet_pair()
    model = models.CycleGAN(g, f, d_a, d_b, seed=0)
    model.compile()
    return model


@pytest.fixture(scope="module")
def cyclegan_export(cyclegan, tmp_path_factory):
    return cyclegan.export_serving(str(tmp_path_factory.mktemp("saved_models") / "cyclegan"))


FRESH_TRANSLATOR_CLIENT = """
import json, sys
BLOCKED = ("keras", "tf_keras", "tfgan_zoo")
for name in BLOCKED:
    sys.modules[name] = None
import numpy as np
import tensorflow as tf

model = tf.saved_model.load(sys.argv[1])
image = np.load(sys.argv[2])
out = {name: model.signatures[name](image=tf.constant(image))["images"].numpy()
       for name in ("serving_default", "a_to_b", "b_to_a")}
np.savez(sys.argv[3], **out)
print(json.dumps(sorted(model.signatures.keys())))
print(json.dumps([m for m, mod in sys.modules.items() if m.split(".")[0] in BLOCKED and mod]))
"""


def test_cyclegan_export_serves_both_directions_without_keras(cyclegan, cyclegan_export,
                                                              tmp_path):  # fmt: skip
    import subprocess
    import sys

    image = np.random.default_rng(3).integers(0, 256, (2, *SHAPE), dtype=np.uint8)
    np.save(tmp_path / "image.npy", image)
    (tmp_path / "client.py").write_text(FRESH_TRANSLATOR_CLIENT)
    result = subprocess.run(
        [sys.executable, str(tmp_path / "client.py"), cyclegan_export,
         str(tmp_path / "image.npy"), str(tmp_path / "out.npz")],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    signatures, loaded = map(json.loads, result.stdout.strip().splitlines()[-2:])
    assert signatures == [
        "a_to_b", "a_to_b_float", "a_to_b_png", "b_to_a", "b_to_a_float", "b_to_a_png",
        "metadata", "serving_default",
    ]  # fmt: skip
    assert loaded == []
    out = np.load(tmp_path / "out.npz")
    x = image.astype(np.float32) / 127.5 - 1.0
    np.testing.assert_allclose(out["a_to_b"], cyclegan.generator_ab(x), atol=1e-5)
    np.testing.assert_allclose(out["b_to_a"], cyclegan.generator_ba(x), atol=1e-5)
    np.testing.assert_array_equal(out["serving_default"], out["a_to_b"])


def test_translator_signatures_resize_check_and_warm_up(cyclegan, cyclegan_export):
    import serving_double
    from tensorflow_serving.apis import prediction_log_pb2

    from tfgan_zoo import export

    served = serving_double.Model(os.path.dirname(cyclegan_export))
    big = np.random.default_rng(6).integers(0, 256, (1, 40, 40, 1), dtype=np.uint8)
    out = served.predict("b_to_a", {"image": big})  # any size: resized to 16x16
    assert out["images"].shape == (1, 16, 16, 1) and out["images_uint8"].dtype == np.uint8
    small = tf.image.resize(big.astype(np.float32) / 127.5 - 1.0, (16, 16), antialias=True)
    np.testing.assert_allclose(out["images"], cyclegan.generator_ba(small), atol=1e-5)
    x = np.random.default_rng(4).uniform(-1, 1, (3, *SHAPE)).astype(np.float32)
    out = served.predict("a_to_b_float", {"image": x})
    np.testing.assert_allclose(out["images"], cyclegan.generator_ab(x), atol=1e-5)
    with pytest.raises(serving_double.ServingError, match=r"scaled to \[-1, 1\]; send uint8"):
        served.predict("a_to_b_float", {"image": x * 255})
    with pytest.raises(serving_double.ServingError, match=r"image must have 1 channel\(s\)"):
        served.predict("a_to_b", {"image": np.zeros((1, 16, 16, 3), np.uint8)})
    with pytest.raises(serving_double.ServingError, match=r"image must be \[batch, height"):
        served.predict("a_to_b", {"image": np.zeros((16, 16, 1), np.uint8)})

    records = tf.data.TFRecordDataset(os.path.join(cyclegan_export, export.WARMUP_FILE))
    logs = [prediction_log_pb2.PredictionLog.FromString(r.numpy()) for r in records]
    assert len(logs) == 8
    for log in logs:
        request = log.predict_log.request
        inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
        outputs = served.predict(request.model_spec.signature_name, inputs)
        if request.model_spec.signature_name != "metadata":
            assert outputs["images"].shape == (2, *SHAPE)


def test_translators_take_and_give_encoded_images_over_rest(cyclegan, cyclegan_export):
    """A web client's round trip: PNG/JPEG as {"b64": ...} in, PNG bytes out."""
    import base64

    import serving_double
    from test_export import post

    image = np.random.default_rng(8).integers(0, 256, (24, 20, 1), dtype=np.uint8)
    png = tf.io.encode_png(image).numpy()
    jpeg = tf.io.encode_jpeg(image, quality=100).numpy()
    server, port = serving_double.start_rest(serving_double.Model(os.path.dirname(cyclegan_export)))
    try:
        body = {
            "signature_name": "a_to_b_png",
            "instances": [{"b64": base64.b64encode(b).decode()} for b in (png, jpeg)],
        }
        status, answer = post(port, body)
        assert status == 200, answer
        rows = answer["predictions"]
        out = tf.io.decode_png(base64.b64decode(rows[0]["png_bytes"]["b64"])).numpy()
        expected = tf.image.resize(image[None].astype(np.float32) / 127.5 - 1.0, SHAPE[:2],
                                   antialias=True)  # fmt: skip
        want = cyclegan.generator_ab(expected).numpy()[0]
        assert out.shape == SHAPE
        assert np.abs(out.astype(int) - np.asarray(rows[0]["images_uint8"])).max() == 0
        np.testing.assert_allclose(rows[0]["images"], want, atol=1e-5)
        status, answer = post(port, {"signature_name": "a_to_b_png", "instances": ["not a png"]})
        assert status == 400 and "PNG, JPEG, GIF or BMP" in answer["error"]
        # json_tensor.cc JsonDecodeBase64Object (line 386): a 400, not a dropped connection.
        bad = {"signature_name": "a_to_b_png", "instances": [{"b64": "!!!not base64"}]}
        status, answer = post(port, bad)
        assert status == 400 and "Unable to base64 decode" in answer["error"]
        # TF Serving keeps uint8 JSON values of 256 and more, cast (300 -> 44): no error.
        wrapped = {"signature_name": "a_to_b", "instances": [np.full(SHAPE, 300).tolist()]}
        same = {"signature_name": "a_to_b", "instances": [np.full(SHAPE, 44).tolist()]}
        assert post(port, wrapped) == post(port, same)
    finally:
        server.shutdown()


def test_every_translator_signature_answers_an_empty_batch_and_checks_image_bytes(
    cyclegan_export,
):
    signatures = tf.saved_model.load(cyclegan_export).signatures
    empty = {"": tf.zeros([0, *SHAPE], tf.uint8), "_float": tf.zeros([0, *SHAPE]),
             "_png": tf.constant([], tf.string)}  # fmt: skip
    for direction in ("a_to_b", "b_to_a"):
        for suffix, batch in empty.items():
            key = "image_bytes" if suffix == "_png" else "image"
            out = signatures[direction + suffix](**{key: batch})
            assert out["images"].shape == (0, *SHAPE), direction + suffix
    png = tf.io.encode_png(np.zeros(SHAPE, np.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"image_bytes must be \[batch\]"):
        signatures["a_to_b_png"](image_bytes=tf.stack([[png]]))


def test_generator_evaluation_refuses_a_translator_export_clearly(cyclegan_export):
    from tfgan_zoo import evaluation as evaluate

    with pytest.raises(ValueError, match="not a generator export .*evaluate_translator"):
        evaluate.generated_batches(cyclegan_export, 4)


def test_evaluate_a_pix2pix_export_on_held_out_edges(tmp_path):
    from tfgan_zoo import evaluation as evaluate

    keras.utils.set_random_seed(1)
    g, d = unet_pair()
    model = models.Pix2Pix(g, d)
    path = model.export_serving(str(tmp_path / "pix2pix"))
    dataset = "edges:idx:" + shared_dir("fashion-mnist")
    # The same held-out pairs (drawn before anything reseeds the global RNG),
    # translated by the Keras generator itself.
    edges, garments = translation_data.examples(dataset, 300, "test", resolution=16)
    expected = np.abs(model.generator(edges, training=False) - garments).mean()
    scores = evaluate.evaluate_translator(
        path, dataset, "test", num_samples=300, classifier_dir=str(tmp_path / "clf"),
        classifier_split="test",
    )  # fmt: skip
    assert list(scores) == ["translate"]
    scores = scores["translate"]
    assert scores["generated_images"] == scores["real_images"] == 300
    assert all(np.isfinite(v) for v in scores.values()) and scores["fid"] > 0
    np.testing.assert_allclose(scores["l1"], expected, rtol=1e-4)
    # <classifier_dir>/<domain>_<size>px, each run of other characters one "_"
    # (a checkout under ~/.cache gives "root_cache", not "root__cache").
    fashion_dir = re.sub(r"[^A-Za-z0-9]+", "_", "idx:" + shared_dir("fashion-mnist")).strip("_")
    assert (tmp_path / "clf" / f"{fashion_dir}_16px" / "domain_classifier.keras").exists()
    # garment -> edges: edge maps have no labels for a domain classifier
    with pytest.raises(ValueError, match="use --features=inception"):
        evaluate.evaluate_translator(path, dataset, num_samples=50, direction="b_to_a")


@pytest.mark.slow
def test_evaluate_a_cyclegan_export_scores_both_directions(cyclegan_export, tmp_path):
    from tfgan_zoo import evaluation as evaluate

    dataset = f"unpaired:idx:{shared_dir('mnist')},idx:{shared_dir('fashion-mnist')}"
    scores = evaluate.evaluate_translator(
        cyclegan_export, dataset, "test", num_samples=200, classifier_dir=str(tmp_path),
        classifier_split="test",
    )  # fmt: skip
    assert sorted(scores) == ["a_to_b", "b_to_a"]
    for direction in scores.values():
        assert "l1" not in direction  # unpaired: there is no true target
        assert all(np.isfinite(v) for v in direction.values())
    assert len(list(tmp_path.glob("*_16px/domain_classifier.keras"))) == 2  # digits, garments
    inception = evaluate.evaluate_translator(
        cyclegan_export, dataset, "test", num_samples=20, feature_kind="inception",
        inception_weights=None,
    )  # fmt: skip
    assert inception["a_to_b"]["generated_images"] == 20


def test_pix2pix_export_is_deterministic_and_takes_image(tmp_path):
    g, d = unet_pair()
    model = models.Pix2Pix(g, d)
    path = model.export_serving(str(tmp_path / "pix2pix"))
    loaded = tf.saved_model.load(path)
    assert sorted(loaded.signatures) == [
        "metadata",
        "serving_default",
        "translate",
        "translate_float",
        "translate_png",
    ]
    image = np.random.default_rng(5).integers(0, 256, (2, *SHAPE), dtype=np.uint8)
    first = loaded.signatures["serving_default"](image=tf.constant(image))["images"]
    second = loaded.signatures["translate"](image=tf.constant(image))["images"]
    np.testing.assert_array_equal(first, second)  # dropout is off at inference


# The trainer.


@pytest.mark.slow
def test_train_resume_restore_and_export_a_cyclegan(tmp_path):
    mnist, fashion = shared_dir("mnist"), shared_dir("fashion-mnist")
    values = dict(
        model="cyclegan", architecture="resnet_patchgan", loss="least_squares",
        dataset=f"unpaired:idx:{mnist},idx:{fashion}", split="test", resolution=16,
        g_norm="instance", d_norm="instance", base_filters=8, num_res_blocks=1, pool_size=4,
        batch_size=4, epochs=1, steps_per_epoch=6, checkpoint_every=3, sample_every=6,
        model_dir=str(tmp_path / "run"), verbose=0, lr_decay="linear", decay_start=0.5,
        fid_every=6, fid_samples=40,
    )  # fmt: skip
    first = trainer.train(TrainConfig(**values))
    assert first.final_step == 6 and os.path.exists(first.sample_path)
    monitor = next(c for c in first.callbacks if type(c).__name__ == "FIDMonitor")
    assert list(monitor.values) == [6] and np.isfinite(monitor.values[6])
    grid = tf.io.decode_png(tf.io.read_file(first.sample_path))
    assert grid.shape[1] == 6 * 16 + 7 * 2  # six columns: a, G(a), F(G(a)), b, F(b), G(F(b))
    resumed = trainer.train(TrainConfig(**{**values, "epochs": 2}))
    assert (resumed.start_step, resumed.final_step) == (6, 12)
    assert int(resumed.model.pool_a.count.numpy()) == 4  # the pool was checkpointed
    restored, _ = trainer.restore_model(str(tmp_path / "run"))
    for a, b in zip(restored.get_weights(), resumed.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    served = tf.saved_model.load(resumed.export_path).signatures["b_to_a_float"]
    x = np.zeros((1, 16, 16, 1), np.float32)
    np.testing.assert_allclose(
        served(image=tf.constant(x))["images"], restored.generator_ba(x), atol=1e-5
    )


@pytest.mark.parametrize("name", ["pix2pix", pytest.param("cyclegan", marks=pytest.mark.slow)])
def test_translators_train_in_mixed_bfloat16(name, tmp_path):
    mnist, fashion = shared_dir("mnist"), shared_dir("fashion-mnist")
    values = {
        "pix2pix": dict(architecture="unet_patchgan", dataset=f"edges:idx:{fashion}"),
        "cyclegan": dict(
            architecture="resnet_patchgan", loss="least_squares", num_res_blocks=1,
            dataset=f"unpaired:idx:{mnist},idx:{fashion}", g_norm="instance",
            d_norm="instance", pool_size=4,
        ),
    }[name]  # fmt: skip
    config = TrainConfig(
        model=name, split="test", resolution=16, base_filters=8, batch_size=4, epochs=1,
        steps_per_epoch=3, sample_every=3, model_dir=str(tmp_path), verbose=0,
        dtype_policy="mixed_bfloat16", **values,
    )  # fmt: skip
    result = trainer.train(config)
    for logs in result.history:
        assert all(np.isfinite(v).all() for v in logs.values()), logs
    generator = next(iter(result.model.generators.values()))
    assert generator.layers[-2].compute_dtype == "bfloat16"  # the last layer is the cast
    signature = next(iter(result.model.generators)) + "_float"
    served = tf.saved_model.load(result.export_path).signatures[signature]
    x = np.random.default_rng(0).uniform(-1, 1, (2, *SHAPE)).astype(np.float32)
    out = served(image=tf.constant(x))["images"]
    assert out.dtype == tf.float32
    # bfloat16 keeps ~3 significant digits and graph and eager round differently.
    # Measured: mean 2e-4, max 1e-3 (pix2pix); mean 5e-3, max 0.04 (cyclegan).
    diff = np.abs(out - generator(x))
    assert diff.mean() < 0.01 and diff.max() < 0.1


def test_augment_jitters_both_images_of_a_pair_alike(tmp_path):
    rng = np.random.default_rng(7)
    for i in range(4):
        half = rng.integers(0, 255, (16, 16, 1), dtype=np.uint8)
        write_png(str(tmp_path / "train" / f"{i}.png"), np.concatenate([half, half], 1))
    plain = data.load(f"folder:{tmp_path}", 4, pairs=True, seed=1)[0]
    jittered = data.load(f"folder:{tmp_path}", 4, pairs=True, seed=1, augment=True)[0]
    (a0, b0), (a1, b1) = (next(iter(ds)) for ds in (plain, jittered))
    np.testing.assert_allclose(a1, b1, atol=1e-6)  # one crop and flip for the pair
    assert a1.shape == a0.shape and not np.allclose(a0, a1)
    with pytest.raises(ConfigError, match="--augment"):
        TrainConfig(augment=True, model_dir=str(tmp_path))


def broken_images():
    """Files whose first bytes look like an image but that do not decode, and a 0x0 one."""
    import io

    from PIL import Image

    image = np.random.default_rng(0).integers(0, 255, (12, 10, 3), np.uint8)
    png = tf.io.encode_png(image).numpy()
    jpeg = tf.io.encode_jpeg(image).numpy()
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "GIF")
    gif = buffer.getvalue()
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "BMP")
    bmp = buffer.getvalue()
    empty_bmp = bytearray(bmp[:54])
    empty_bmp[18:26] = (0).to_bytes(4, "little") * 2  # width and height 0
    empty_bmp[2:6] = (54).to_bytes(4, "little")
    return {
        "truncated PNG": png[: len(png) // 2],
        "truncated JPEG": jpeg[: len(jpeg) // 2],
        "GIF8 and junk": b"GIF89a" + b"\x00junk" * 8,
        "BM and junk": b"BM" + b"\x00junk" * 8,
        "truncated GIF": gif[: len(gif) // 2],
        "truncated BMP": bmp[: len(bmp) // 2],
        "0x0 BMP": bytes(empty_bmp),
        "0x0 PNG": png[:16] + b"\x00" * 4 + png[20:],  # IHDR width 0 (its CRC no longer fits)
        "0x0 GIF": gif[:6] + b"\x00\x00" + gif[8:],  # logical screen width 0
    }


@pytest.mark.parametrize("kind", list(broken_images()))
def test_a_broken_image_file_is_refused_naming_the_input(cyclegan_export, kind):
    """Files whose first bytes pass for an image but which do not decode (or hold no
    pixel): the export answers with the input's name and what is wrong, not the
    decoder's own message ("Invalid PNG...", "non-zero size")."""
    signature = tf.saved_model.load(cyclegan_export).signatures["a_to_b_png"]
    whole = tf.io.encode_png(np.zeros(SHAPE, np.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
        signature(image_bytes=tf.constant([whole.numpy(), broken_images()[kind]]))
    message = raised.value.message
    assert "image_bytes" in message, message
    assert ("0 pixels" in message) if kind.startswith("0x0") else ("truncated" in message), message

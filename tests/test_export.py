"""The serving contract of exported generators, checked as a TF Serving client would."""

import base64
import json
import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request

import grpc
import keras
import numpy as np
import pytest
import serving_double
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2, prediction_service_pb2_grpc

from tfgan_zoo import architectures, export

LATENT = 8


@pytest.fixture(scope="module")
def generator():
    keras.utils.set_random_seed(0)
    g, _ = architectures.build("dcgan", (28, 28, 1), LATENT, base_filters=8)
    return g


@pytest.fixture(scope="module")
def conditional_generator():
    keras.utils.set_random_seed(1)
    z = keras.Input((LATENT,))
    label = keras.Input((), dtype="int32")
    h = keras.layers.Concatenate()([z, keras.layers.Embedding(3, 4)(label)])
    h = keras.layers.Dense(16, activation="tanh")(h)
    return keras.Model([z, label], keras.layers.Reshape((4, 4, 1))(h))


@pytest.fixture(scope="module")
def base_dir(generator, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("saved_models") / "dcgan")
    export.export_generator(generator, LATENT, base)
    return base


@pytest.fixture(scope="module")
def conditional_base_dir(conditional_generator, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("saved_models") / "cgan")
    export.export_generator(conditional_generator, LATENT, base, num_classes=3)
    return base


@pytest.fixture(scope="module")
def grpc_stub(base_dir, conditional_base_dir):
    servers, stubs = [], {}
    for name, path in (("dcgan", base_dir), ("cgan", conditional_base_dir)):
        server, port = serving_double.start_grpc(serving_double.Model(path))
        servers.append(server)
        stubs[name] = prediction_service_pb2_grpc.PredictionServiceStub(
            grpc.insecure_channel(f"127.0.0.1:{port}")
        )
    yield stubs
    for server in servers:
        server.stop(None)


def test_versions_are_numbered_atomic_and_never_overwritten(generator, tmp_path, monkeypatch):
    base = str(tmp_path / "gen")
    assert export.export_generator(generator, LATENT, base).endswith(os.sep + "1")
    assert export.export_generator(generator, LATENT, base).endswith(os.sep + "2")
    with pytest.raises(FileExistsError, match="never overwritten"):
        export.export_generator(generator, LATENT, base, version=1)

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(export.versions, "write_warmup", broken)
    with pytest.raises(OSError, match="disk full"):
        export.export_generator(generator, LATENT, base)
    assert sorted(os.listdir(base)) == ["1", "2"]  # no half-written version, no temp dir
    assert tf.saved_model.contains_saved_model(os.path.join(base, "2"))


FRESH_CLIENT = textwrap.dedent(
    """
    import json, sys

    # As if keras and tfgan_zoo were not installed: any import of them fails.
    BLOCKED = ("keras", "tf_keras", "tfgan_zoo")
    for name in BLOCKED:
        sys.modules[name] = None
    import numpy as np
    import tensorflow as tf

    model = tf.saved_model.load(sys.argv[1])
    z = np.load(sys.argv[2])
    out = {
        "default": model.signatures["serving_default"](z=tf.constant(z)),
        "sample": model.signatures["sample"](seed=tf.constant([3, 42, 3], tf.int64)),
        "single": model.signatures["sample"](seed=tf.constant([42], tf.int64)),
        "loose": model.signatures["sample_truncated"](
            seed=tf.constant([3, 42, 3], tf.int64), truncation=tf.fill([3], 1e6)),
        "tight": model.signatures["sample_truncated"](
            seed=tf.constant([3, 42, 3], tf.int64), truncation=tf.fill([3], 0.5)),
    }
    np.savez(sys.argv[3], **{f"{k}_{o}": v[o].numpy() for k, v in out.items() for o in v})
    loaded = [m for m, mod in sys.modules.items() if m.split(".")[0] in BLOCKED and mod]
    print(json.dumps(loaded))
    """
)


def test_a_fresh_process_without_keras_serves_both_signatures(generator, base_dir, tmp_path):
    z = np.random.default_rng(0).standard_normal((4, LATENT)).astype(np.float32)
    np.save(tmp_path / "z.npy", z)
    script = tmp_path / "client.py"
    script.write_text(FRESH_CLIENT)
    result = subprocess.run(
        [sys.executable, str(script), os.path.join(base_dir, "1"), str(tmp_path / "z.npy"),
         str(tmp_path / "out.npz")],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []  # no keras, no tfgan_zoo
    out = np.load(tmp_path / "out.npz")

    np.testing.assert_allclose(out["default_images"], generator(z), atol=1e-5)
    expected_uint8 = np.round((np.clip(generator(z), -1, 1) + 1) * 127.5).astype(np.uint8)
    assert out["default_images_uint8"].shape == (4, 28, 28, 1)
    assert np.abs(out["default_images_uint8"].astype(int) - expected_uint8).max() <= 1

    seeds_z = export.latent_from_seeds(tf.constant([3, 42, 3], tf.int64), LATENT)
    np.testing.assert_allclose(out["sample_images"], generator(seeds_z), atol=1e-5)
    np.testing.assert_array_equal(out["sample_images"][0], out["sample_images"][2])
    assert not np.array_equal(out["sample_images"][0], out["sample_images"][1])
    np.testing.assert_allclose(out["single_images"][0], out["sample_images"][1], atol=1e-6)
    np.testing.assert_allclose(out["loose_images"], out["sample_images"], atol=1e-4)
    assert not np.allclose(out["tight_images"], out["sample_images"], atol=1e-3)


def test_every_generator_signature_answers_an_empty_batch(base_dir, conditional_base_dir):
    """A batch of 0 gives 0 images of the right shape, every output an empty batch
    of its kind (`export.checks.inference`: oneDNN's Conv2D returns its input for it)."""
    dcgan = tf.saved_model.load(export.latest_version(base_dir)).signatures
    cgan = tf.saved_model.load(export.latest_version(conditional_base_dir)).signatures
    seed, label = tf.zeros([0], tf.int64), tf.zeros([0], tf.int32)
    calls = [
        (dcgan["serving_default"](z=tf.zeros([0, LATENT])), (28, 28, 1)),
        (dcgan["sample"](seed=seed), (28, 28, 1)),
        (dcgan["sample_truncated"](seed=seed, truncation=tf.zeros([0])), (28, 28, 1)),
        (cgan["serving_default"](z=tf.zeros([0, LATENT]), label=label), (4, 4, 1)),
        (cgan["sample"](seed=seed, label=label), (4, 4, 1)),
    ]
    for out, shape in calls:
        assert out["images"].shape == (0, *shape)
        assert out["images_uint8"].shape == (0, *shape)
        assert out["images_uint8"].dtype == tf.uint8
        if "png_bytes" in out:
            assert out["png_bytes"].shape == (0,)


def test_latent_from_seeds():
    z = export.latent_from_seeds(tf.range(4000, dtype=tf.int64), 16).numpy()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    t = export.latent_from_seeds(tf.range(4000, dtype=tf.int64), 16, tf.fill([4000], 0.5))
    t = t.numpy()
    assert np.abs(t).max() <= 0.5 + 1e-5
    # same draw, squeezed: the sign of every coordinate is kept
    np.testing.assert_array_equal(np.sign(t), np.sign(z))


def test_uniform_latents_from_seeds():
    """``latent="uniform"`` exports draw z uniform in [-1, 1] (DCGAN's noise): the
    same uniform draws as the normal rows, mapped linearly; truncation scales them."""
    seeds = tf.range(4000, dtype=tf.int64)
    z = export.latent_from_seeds(seeds, 16, distribution="uniform").numpy()
    assert np.abs(z).max() <= 1 and abs(z.mean()) < 0.02 and abs(z.std() - 3**-0.5) < 0.02
    normal = export.latent_from_seeds(seeds, 16).numpy()
    np.testing.assert_array_equal(np.sign(z), np.sign(normal))
    t = export.latent_from_seeds(seeds, 16, tf.fill([4000], 0.5), "uniform").numpy()
    np.testing.assert_allclose(t, 0.5 * z, atol=1e-6)
    wide = export.latent_from_seeds(seeds, 16, tf.fill([4000], 3.0), "uniform").numpy()
    np.testing.assert_allclose(wide, z, atol=1e-6)


def test_a_uniform_latent_export_samples_uniform_z(generator, tmp_path):
    """The `sample` signatures of an export recorded as ``latent: uniform`` feed the
    generator uniform z, and the metadata says so."""
    path = export.export_generator(generator, LATENT, str(tmp_path / "u"), latent="uniform")
    assert export.read_metadata(path)["latent"] == "uniform"
    loaded = tf.saved_model.load(path)
    seeds = tf.constant([3, 42], tf.int64)
    z = export.latent_from_seeds(seeds, LATENT, distribution="uniform")
    out = loaded.signatures["sample"](seed=seeds)["images"]
    np.testing.assert_allclose(out, generator(z), atol=1e-5)
    tight = loaded.signatures["sample_truncated"](seed=seeds, truncation=tf.constant([0.5, 0.5]))
    np.testing.assert_allclose(tight["images"], generator(0.5 * z), atol=1e-5)


def cli_show(path):
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "saved_model_cli"), "show", "--all",
         "--dir", path],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def signature_block(text, name):
    start = text.index(f"signature_def['{name}']")
    end = text.find("signature_def[", start + 1)
    return text[start : end if end > 0 else len(text)]


def tensor_info(kind, name, dtype, shape):
    """saved_model_cli's description of one input or output."""
    return f"{kind}['{name}'] tensor_info:\n        dtype: {dtype}\n        shape: {shape}"


def test_saved_model_cli_lists_the_signatures(base_dir, conditional_base_dir):
    text = cli_show(os.path.join(base_dir, "1"))
    images = [
        tensor_info("outputs", "images", "DT_FLOAT", "(-1, 28, 28, 1)"),
        tensor_info("outputs", "images_uint8", "DT_UINT8", "(-1, 28, 28, 1)"),
    ]

    def open_shape(name, dtype):
        return f"inputs['{name}'] tensor_info:\n        dtype: {dtype}\n        shape: unknown_rank"

    # Input shapes are left open so that the in-graph checks of them say what was expected.
    seed, truncation = open_shape("seed", "DT_INT64"), open_shape("truncation", "DT_FLOAT")
    png = tensor_info("outputs", "png_bytes", "DT_STRING", "(-1)")
    expected = {
        "serving_default": [open_shape("z", "DT_FLOAT"), *images],
        "sample": [seed, *images, png],
        "sample_truncated": [seed, truncation, *images],
        "metadata": [
            tensor_info("inputs", "unused", "DT_INT32", "(-1)"),
            tensor_info("outputs", "json", "DT_STRING", "()"),
            tensor_info("outputs", "latent_dim", "DT_INT32", "()"),
        ],
    }
    for name, infos in expected.items():
        block = signature_block(text, name)
        for info in infos:
            assert info in block, (name, info)
        assert "Method name is: tensorflow/serving/predict" in block

    text = cli_show(os.path.join(conditional_base_dir, "1"))
    for name in ("serving_default", "sample", "sample_truncated"):
        assert open_shape("label", "DT_INT32") in signature_block(text, name)


def predict_request(signature, **inputs):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "generator"
    request.model_spec.signature_name = signature
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    return request


def test_grpc_predict(grpc_stub, generator):
    z = np.random.default_rng(1).standard_normal((3, LATENT)).astype(np.float32)
    response = grpc_stub["dcgan"].Predict(predict_request("serving_default", z=z), timeout=60)
    images = tf.make_ndarray(response.outputs["images"])
    np.testing.assert_allclose(images, generator(z), atol=1e-5)
    assert tf.make_ndarray(response.outputs["images_uint8"]).dtype == np.uint8
    response = grpc_stub["dcgan"].Predict(
        predict_request("sample", seed=np.array([7, 8], np.int64)), timeout=60
    )
    assert tf.make_ndarray(response.outputs["images"]).shape == (2, 28, 28, 1)


INVALID, PRECONDITION = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION


@pytest.mark.parametrize(
    "stub,signature,inputs,code,message",
    [
        ("dcgan", "serving_default", {"z": np.zeros((2, 5), np.float32)}, INVALID,
         "z must be [batch, 8]: this generator takes latent vectors of width 8"),
        ("dcgan", "serving_default", {"z": np.zeros(8, np.float32)}, INVALID,
         "z must be [batch, 8]"),
        ("dcgan", "serving_default", {"z": np.full((2, LATENT), np.nan, np.float32)}, INVALID,
         "z holds NaN or Inf"),
        ("dcgan", "serving_default", {"z": np.zeros((2, LATENT), np.int32)}, INVALID,
         "Expects arg[0] to be float but int32 is provided"),
        ("dcgan", "sample", {"seed": np.zeros(2, np.float32)}, INVALID,
         "to be int64 but float is provided"),
        ("dcgan", "no_such_signature", {"z": np.zeros((2, LATENT), np.float32)}, PRECONDITION,
         'Serving signature key "no_such_signature" not found.'),
        ("dcgan", "sample", {"seed": np.zeros(2, np.int64), "label": np.zeros(2, np.int32)},
         INVALID, "input size does not match signature: 2!=1"),
        # TensorFlow's cc/saved_model/util.cc GetInputValues: the right count, another name.
        ("dcgan", "sample", {"seeds": np.zeros(2, np.int64)}, INVALID,
         "Signature input alias: seed(feed name: "),
        ("dcgan", "sample_truncated",
         {"seed": np.zeros(2, np.int64), "truncation": np.zeros(2, np.float32)}, INVALID,
         "truncation must be > 0"),
        ("cgan", "serving_default",
         {"z": np.zeros((2, LATENT), np.float32), "label": np.array([0, 3], np.int32)}, INVALID,
         "label out of range: this generator has 3 classes"),
        ("cgan", "sample", {"seed": np.zeros(2, np.int64), "label": np.array([-1, 0], np.int32)},
         INVALID, "label must be >= 0"),
        ("cgan", "sample", {"seed": np.zeros(2, np.int64), "label": np.array([0], np.int32)},
         INVALID, "one class id per example"),
        ("dcgan", "sample", {"seed": np.zeros((2, 1), np.int64)}, INVALID,
         "seed must be [batch]: one int64 seed per example"),
        ("dcgan", "sample", {"seed": np.int64(3)}, INVALID, "seed must be [batch]"),
        ("dcgan", "sample_truncated", {"seed": np.zeros(2, np.int64),
                                       "truncation": np.float32(1.0)}, INVALID,
         "truncation must be [batch]: one float truncation per example"),
        ("cgan", "sample", {"seed": np.zeros(2, np.int64), "label": np.zeros((2, 1), np.int32)},
         INVALID, "label must be [batch]: one class id per example"),
    ],
)  # fmt: skip
def test_bad_requests_get_clear_errors_and_the_server_survives(
    grpc_stub, stub, signature, inputs, code, message
):
    with pytest.raises(grpc.RpcError) as e:
        grpc_stub[stub].Predict(predict_request(signature, **inputs), timeout=60)
    assert e.value.code() == code
    assert message in e.value.details()
    ok = grpc_stub[stub].Predict(
        predict_request("sample", seed=np.array([1], np.int64), label=np.array([2], np.int32))
        if stub == "cgan"
        else predict_request("sample", seed=np.array([1], np.int64)),
        timeout=60,
    )
    assert "images" in ok.outputs


def test_output_filter_trims_the_grpc_response(grpc_stub):
    request = predict_request("sample", seed=np.arange(4, dtype=np.int64))
    request.output_filter.append("images_uint8")
    response = grpc_stub["dcgan"].Predict(request, timeout=60)
    assert list(response.outputs) == ["images_uint8"]
    request.output_filter.append("nope")
    with pytest.raises(grpc.RpcError, match="output tensor alias not found"):
        grpc_stub["dcgan"].Predict(request, timeout=60)
    request.output_filter[:] = ["images", "images"]  # predict_util.cc lines 145-148
    with pytest.raises(grpc.RpcError, match="duplicate output tensor alias: images"):
        grpc_stub["dcgan"].Predict(request, timeout=60)
    request.output_filter[:] = []
    request.model_spec.name = "other"  # basic_manager.cc:139
    with pytest.raises(grpc.RpcError) as e:
        grpc_stub["dcgan"].Predict(request, timeout=60)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    assert "Servable not found for request: Latest(other)" in e.value.details()


def test_conditional_labels_change_the_images(grpc_stub):
    seeds = np.array([5, 5, 5], np.int64)
    response = grpc_stub["cgan"].Predict(
        predict_request("sample", seed=seeds, label=np.array([0, 1, 2], np.int32)), timeout=60
    )
    images = tf.make_ndarray(response.outputs["images"])
    assert images.shape == (3, 4, 4, 1)
    assert not np.allclose(images[0], images[1]) and not np.allclose(images[1], images[2])


def post(port, body):
    return post_raw(port, json.dumps(body).encode())


def test_rest_row_and_column_forms(base_dir, conditional_base_dir):
    server, port = serving_double.start_rest(serving_double.Model(base_dir))
    cserver, cport = serving_double.start_rest(serving_double.Model(conditional_base_dir))
    try:
        z = np.zeros((2, LATENT)).tolist()
        status, rows = post(port, {"instances": z})
        assert status == 200 and len(rows["predictions"]) == 2
        assert np.array(rows["predictions"][0]["images"]).shape == (28, 28, 1)
        status, cols = post(port, {"inputs": {"z": z}})
        assert status == 200 and np.array(cols["outputs"]["images_uint8"]).shape == (2, 28, 28, 1)
        np.testing.assert_allclose(
            [p["images"] for p in rows["predictions"]], cols["outputs"]["images"], atol=1e-6
        )
        status, seeds = post(port, {"signature_name": "sample", "instances": [1, 2, 3]})
        assert status == 200 and len(seeds["predictions"]) == 3

        rows_body = {"signature_name": "sample", "instances": [{"seed": 4, "label": 1}] * 2}
        status, rows = post(cport, rows_body)
        assert status == 200 and np.array(rows["predictions"][1]["images"]).shape == (4, 4, 1)
        cols_body = {"signature_name": "sample", "inputs": {"seed": [4, 4], "label": [1, 1]}}
        status, cols = post(cport, cols_body)
        assert status == 200
        np.testing.assert_allclose(
            [p["images"] for p in rows["predictions"]], cols["outputs"]["images"], atol=1e-6
        )
        bad_label = {"signature_name": "sample", "inputs": {"seed": [4], "label": [9]}}
        status, error = post(cport, bad_label)
        assert status == 400 and "label out of range" in error["error"]

        # What TF Serving's JSON parser refuses before the model runs.
        for target, body, message in [
            (port, {"signature_name": "sample", "instances": [1.5]}, "is not of expected type"),
            (cport, {"signature_name": "sample", "inputs": {"seed": [4], "label": [3.7]}},
             "is not of expected type"),
            (port, {"signature_name": "sample", "instances": []}, "No values in 'instances'"),
            (port, {"signature_name": "nope", "instances": [1]},
             'Serving signature name: "nope" not found in signature def'),  # GetInfoMap
            (port, {"signature_name": "sample", "instances": [{"seed": 1, "label": 0}]},
             "does not have named input: label"),
        ]:  # fmt: skip
            status, error = post(target, body)
            assert status == 400 and message in error["error"], (body, error)

        status, answer = post(port, {"signature_name": "sample", "instances": [7]})
        png = base64.b64decode(answer["predictions"][0]["png_bytes"]["b64"])
        decoded = tf.io.decode_png(png).numpy()
        np.testing.assert_array_equal(decoded, answer["predictions"][0]["images_uint8"])
    finally:
        server.shutdown()
        cserver.shutdown()


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def post_raw(port, data, path="/v1/models/generator:predict"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_rest_refuses_what_tf_serving_refuses(base_dir, conditional_base_dir):
    """Answers of tensorflow/serving 9d981c5c, file and line cited per case."""
    server, port = serving_double.start_rest(serving_double.Model(base_dir))
    cserver, cport = serving_double.start_rest(serving_double.Model(conditional_base_dir))
    try:
        cases = [
            # json_tensor.cc AddValueToTensor (lines 303-318): IsInt / IsInt64 ranges.
            (cport, {"signature_name": "sample", "inputs": {"seed": [1], "label": [2**40]}},
             "Type: Number is not of expected type: int32"),
            (port, {"signature_name": "sample", "instances": [2**63]},
             "is not of expected type: int64"),
            (port, {"signature_name": "sample", "instances": [2**64]},
             "is not of expected type: int64"),
            # json_tensor.cc FillSignature (lines 505-517, FormatSignatureError 280-284).
            (port, {"signature_name": 3, "instances": [1]},
             "'signature_name' key must be a string value."),
            # json_tensor.cc ParseJson, line 499.
            (port, [1, 2], "Is not object"),
        ]  # fmt: skip
        for target, body, message in cases:
            status, answer = post_raw(target, json.dumps(body).encode())
            assert status == 400 and message in answer["error"], (body, answer)
        # A uint8 past 255 but within int32 is kept and cast (no error), one past int32 is not.
        assert post(port, {"signature_name": "sample", "instances": [1]})[0] == 200
        # basic_manager.cc:139 through http_server.cc ToHTTPStatusCode (line 60): 404.
        status, answer = post_raw(port, b'{"instances": [1]}', "/v1/models/other:predict")
        assert status == 404 and "Servable not found for request: Latest(other)" in answer["error"]
        status, answer = post_raw(port, b'{"signature_name": "sample", "instances": [1]}',
                                  "/v1/models/generator/versions/7:predict")  # fmt: skip
        assert status == 404 and "Specific(generator, 7)" in answer["error"]
        status, answer = get(port, "/v1/models/other/metadata")
        assert status == 404 and "Latest(other)" in answer["error"]
        # http_rest_api_handler.cc ProcessModelStatusRequest (lines 180-202).
        status, answer = get(port, "/v1/models/generator")
        assert status == 200 and answer == {"model_version_status": [{
            "version": "1", "state": "AVAILABLE",
            "status": {"error_code": "OK", "error_message": ""},
        }]}  # fmt: skip
        assert get(port, "/v1/models/generator/versions/1")[0] == 200
    finally:
        server.shutdown()
        cserver.shutdown()


def test_warmup_requests_parse_and_replay(base_dir, conditional_base_dir):
    for path, has_label in ((base_dir, False), (conditional_base_dir, True)):
        records = list(tf.data.TFRecordDataset(os.path.join(path, "1", export.WARMUP_FILE)))
        logs = [prediction_log_pb2.PredictionLog.FromString(r.numpy()) for r in records]
        signatures = sorted(log.predict_log.request.model_spec.signature_name for log in logs)
        assert signatures == ["metadata", "sample", "sample_truncated", "serving_default"]
        model = serving_double.Model(path)
        for log in logs:
            request = log.predict_log.request
            if request.model_spec.signature_name != "metadata":
                assert ("label" in request.inputs) == has_label
            inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
            outputs = model.predict(request.model_spec.signature_name, inputs)
            if request.model_spec.signature_name != "metadata":
                assert outputs["images"].shape[0] == 2


def test_export_cli_rebuilds_the_trained_generator(tmp_path):
    from test_trainer import toy_config

    from tfgan_zoo import trainer

    result = trainer.train(toy_config(tmp_path, epochs=1))
    target = str(tmp_path / "saved_models" / "ring8")
    cmd = [sys.executable, "-m", "tfgan_zoo.export", f"--model_dir={tmp_path / 'run'}"]
    ok = subprocess.run(cmd + [f"--export_dir={target}"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert f"Exported step 20 of {tmp_path / 'run'} to {target}/1" in ok.stdout
    z = np.random.default_rng(2).standard_normal((5, 8)).astype(np.float32)
    served = tf.saved_model.load(os.path.join(target, "1")).signatures["serving_default"]
    images = served(z=tf.constant(z))["images"]
    np.testing.assert_allclose(images, result.model.generator(z), atol=1e-6)

    bad = subprocess.run(
        cmd[:-1] + [f"--model_dir={tmp_path}", f"--export_dir={target}"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "run.json not found: is" in bad.stderr and "Traceback" not in bad.stderr


def test_a_client_learns_what_the_export_holds(conditional_generator, tmp_path):
    """The metadata file, the `metadata` signature over REST, and GET .../metadata."""
    base = str(tmp_path / "cgan")
    names = ["cat", "dog", "owl"]
    path = export.export_generator(
        conditional_generator, LATENT, base, num_classes=3, step=1234, class_names=names
    )
    expected = {
        "kind": "conditional_generator", "latent_dim": LATENT, "num_classes": 3,
        "class_names": names, "image_shape": [4, 4, 1], "value_range": [-1.0, 1.0],
        "step": 1234, "ema": False, "latent": "normal",
    }  # fmt: skip
    metadata = export.read_metadata(path)
    assert {k: metadata[k] for k in expected} == expected

    server, port = serving_double.start_rest(serving_double.Model(base))
    try:
        status, answer = post(port, {"signature_name": "metadata", "inputs": {"unused": [0]}})
        assert status == 200, answer
        outputs = answer["outputs"]
        assert json.loads(outputs["json"]) == metadata
        assert (outputs["latent_dim"], outputs["num_classes"], outputs["step"]) == (LATENT, 3, 1234)
        assert outputs["class_names"] == names and outputs["image_shape"] == [4, 4, 1]
        url = f"http://127.0.0.1:{port}/v1/models/generator/metadata"
        with urllib.request.urlopen(url, timeout=60) as response:
            signature_defs = json.loads(response.read())["metadata"]["signature_def"]
        # http_rest_api_util.cc ToJsonString: proto field names, defaults printed.
        z = signature_defs["signature_def"]["serving_default"]["inputs"]["z"]
        assert z["dtype"] == "DT_FLOAT" and z["tensor_shape"]["unknown_rank"] is True
        assert signature_defs["signature_def"]["metadata"]["method_name"] == (
            "tensorflow/serving/predict"
        )
    finally:
        server.shutdown()


def test_an_unconditional_export_lists_no_class_names(tmp_path):
    """Trained on labelled data, an unconditional generator still has no classes:
    num_classes 0 and class_names null agree, in the file and the signature."""
    keras.utils.set_random_seed(0)
    z = keras.Input((LATENT,))
    generator = keras.Model(z, keras.layers.Reshape((4, 4, 1))(keras.layers.Dense(16)(z)))
    path = export.export_generator(generator, LATENT, str(tmp_path / "gan"),
                                   class_names=["cat", "dog"])  # fmt: skip
    metadata = export.read_metadata(path)
    assert (metadata["num_classes"], metadata["class_names"]) == (0, None)
    outputs = tf.saved_model.load(path).signatures["metadata"](unused=tf.constant([0]))
    assert json.loads(outputs["json"].numpy().decode())["class_names"] is None
    assert list(outputs["class_names"].numpy()) == []


def http(port, method, path, body=None, headers=None, chunked=False):
    """One raw HTTP request: ``(status, response text)``."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if chunked:
            connection.putrequest(method, path)
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            for i in range(0, len(body), 7):
                piece = body[i : i + 7]
                connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            connection.send(b"0\r\n\r\n")
        else:
            connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_rest_routes_paths_methods_and_labels_as_tf_serving_does(base_dir, tmp_path):
    """http_server.cc, http_rest_api_handler.cc and http_rest_api_util.cc of
    tensorflow/serving 9d981c5c: malformed paths, other methods, labels, classify
    and regress, query strings, %-encoded names, chunked bodies, status wording."""
    import shutil

    shutil.copytree(base_dir, tmp_path / "copy")
    served = serving_double.Model(str(tmp_path / "copy"), name="my gen", labels={"stable": 1})
    server, port = serving_double.start_rest(served)
    body = json.dumps({"signature_name": "sample", "instances": [1, 2]}).encode()
    try:
        assert http(port, "GET", "/healthz") == (404, "")  # outside /v1/: no handler
        malformed = [("POST", "/v1/models/my%20gen:explode"), ("GET", "/v1/foo"),
                     ("PUT", "/v1/models/my%20gen"), ("DELETE", "/v1/models/x")]  # fmt: skip
        for method, path in malformed:
            status, text = http(port, method, path, b"{}")
            assert status == 400, (method, path, text)
            assert json.loads(text)["error"] == f"Malformed request: {method} {path}"
        status, text = http(port, "POST", "/v1/models/my%20gen:predict?x=1", body)
        assert status == 200 and len(json.loads(text)["predictions"]) == 2
        assert http(port, "POST", "/v1/models/my%20gen/labels/stable:predict", body)[0] == 200
        status, text = http(port, "POST", "/v1/models/my%20gen/labels/canary:predict", body)
        assert status == 400
        assert json.loads(text)["error"] == "Unrecognized servable version label: canary"
        assert http(port, "POST", "/v1/models/my%20gen:predict", body, chunked=True)[0] == 200
        examples = json.dumps({"examples": [{"x": [1.0]}]}).encode()
        status, text = http(port, "POST", "/v1/models/my%20gen:classify", examples)
        assert status == 400 and "No classification inputs found in SignatureDef" in text
        status, text = http(port, "POST", "/v1/models/my%20gen:regress", examples)
        assert status == 400 and json.loads(text)["error"] == "Expected one output Tensor."
        status, text = http(port, "POST", "/v1/models/my%20gen:regress", b'{"x": 1}')
        assert status == 400 and "key 'examples' is expected and was not found" in text
        assert http(port, "OPTIONS", "/v1/models/my%20gen:predict") == (400, "")
        assert http(port, "OPTIONS", "/v1/models/my%20gen:predict",
                    headers={"Origin": "https://example.com"}) == (200, "")  # fmt: skip
        status, text = http(port, "GET", "/v1/models/other")
        assert (status, json.loads(text)["error"]) == (
            404,
            "Could not find any versions of model other",
        )
        status, text = http(port, "GET", "/v1/models/my%20gen/versions/7")
        assert (status, json.loads(text)["error"]) == (
            404,
            "Could not find version 7 of model my gen",
        )
        status, text = http(port, "GET", "/v1/models")
        assert (status, json.loads(text)["error"]) == (400, "Missing model name in request.")
        assert http(port, "GET", "/v1/models/my%20gen/labels/stable/metadata")[0] == 200
    finally:
        server.shutdown()


def test_rest_json_errors_and_floats_are_tf_serving_s(base_dir, conditional_base_dir):
    """json_tensor.cc: rapidjson's parse errors with their offsets, FormatError's
    "JSON Value: ..." prefix, per-instance sizes and names, a b64 object that is not
    a string, and WriteDecimal's shortest round-trip floats."""
    server, port = serving_double.start_rest(serving_double.Model(base_dir))
    cserver, cport = serving_double.start_rest(serving_double.Model(conditional_base_dir))
    try:
        cases = [
            (port, b'{"instances": [1,}', "JSON Parse error: Invalid value. at offset: 17"),
            (port, b'{"instances": [1 2]}',
             "JSON Parse error: Missing a comma or ']' after an array element. at offset: 17"),
            (port, b'{"instances" 1}',
             "JSON Parse error: Missing a colon after a name of object member. at offset: 13"),
            (port, b"", "JSON Parse error: The document is empty"),
            (port, b'{"signature_name": "sample", "instances": 3}',
             'JSON Value: {"signature_name":"sample","instances":3} Expecting \'instances\' to '
             "be an list/array"),
            (port, b'{"instances": [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2]]}',
             "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: "
             "Expecting tensor size: 8 but got: 2"),
            (port, b'{"inputs": [[1, 2], [3]]}',
             "Encountered list at unexpected size: 1 at level: 1 expected size: 2"),
            (cport, b'{"signature_name": "sample", "instances": [{"seed": 1, "lable": 0}]}',
             "Failed to process element: 0 key: lable of 'instances' list. Error: "
             "INVALID_ARGUMENT: JSON object: does not have named input: lable"),
        ]  # fmt: skip
        for target, data, message in cases:
            status, text = http(target, "POST", "/v1/models/generator:predict", data)
            assert status == 400 and json.loads(text)["error"] == message, (data, text)
        assert (
            http(port, "POST", "/v1/models/generator:predict", b'{"inputs": [[0]]} trailing')[0]
            != 404
        )  # kParseStopWhenDoneFlag: what follows the value is not parsed
    finally:
        server.shutdown()
        cserver.shutdown()
    with pytest.raises(serving_double.ServingError, match="not formatted correctly for base64"):
        serving_double.json_tensor([{"b64": 5}], object)
    assert [serving_double.write_decimal(np.float32(v)) for v in (0.2, 1.0, 9e6, 1 / 3, -0.5)] == [
        "0.2", "1.0", "9e+06", "0.333333343", "-0.5"]  # fmt: skip
    assert serving_double.write_decimal(np.float32("nan")) == "NaN"

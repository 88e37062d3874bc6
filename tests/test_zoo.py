"""The pretrained zoo in ``saved_models/``: its exports serve their recorded outputs in
a process without Keras or tfgan_zoo, every model is served at once from
``models.config`` over REST and gRPC, and ``benchmarks/zoo.py`` runs at a tiny budget."""

import json
import os
import re
import subprocess
import sys
import urllib.request

import numpy as np
import pytest
import serving_double
import tensorflow as tf
from conftest import REPO, shared_dir

SAVED = os.path.join(REPO, "saved_models")
ZOO = ["dcgan_fashion_mnist", "cgan_fashion_mnist", "infogan_mnist",
       "pix2pix_edges_fashion_mnist", "ns_gan_ring8"]  # fmt: skip


def test_every_zoo_model_is_committed_with_its_card_and_the_folder_is_small():
    configured = [m.name for m in serving_double.models_from_config(
        os.path.join(SAVED, "models.config"), SAVED)]  # fmt: skip
    assert configured == ZOO
    with open(os.path.join(SAVED, "README.md")) as f:
        table = f.read()
    total = 0
    for name in ZOO:
        folder = os.path.join(SAVED, name)
        assert {"README.md", "golden.json", "samples.png", "1"} <= set(os.listdir(folder))
        assert f"[{name}]({name}/README.md)" in table
        total += sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(folder)
                     for f in fs)  # fmt: skip
    assert total < 30e6, f"saved_models/ holds {total / 1e6:.1f} MB"


GOLDEN = """
import json, os, sys
for blocked in ("keras", "tfgan_zoo", "tensorflow_datasets"):
    sys.modules[blocked] = None
sys.path.insert(0, os.path.join({repo!r}, "benchmarks"))
import zoo
same = {{}}
for name in {names!r}:
    folder = os.path.join({repo!r}, "saved_models", name)
    with open(os.path.join(folder, "golden.json")) as f:
        record = json.load(f)
    images = zoo.golden(os.path.join(folder, record["version"]), zoo.ZOO[name])
    same[name] = images == record["sha256"]
print(json.dumps(same))
"""


@pytest.fixture(scope="module")
def golden():
    """``{name: whether its export gave the recorded images}``, from one process
    without Keras or tfgan_zoo (one TensorFlow start for the five exports)."""
    code = GOLDEN.format(repo=REPO, names=ZOO)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ZOO)
def test_a_committed_export_serves_its_recorded_images_without_keras_or_tfgan_zoo(golden, name):
    """Fixed seeds (and for Pix2Pix fixed edge maps) give the uint8 images whose
    sha256 was recorded when the export was written: a change that breaks an old
    export fails here."""
    assert golden[name] is True


def request_of(model):
    """``(signature, inputs)`` of a two-example request to one zoo model."""
    if "translate" in model.signatures:
        return "serving_default", {"image": np.full((2, 28, 28, 1), 255, np.uint8)}
    inputs = {"seed": np.array([1, 2], np.int64)}
    if "label" in model.signatures["sample"].inputs:
        inputs["label"] = np.array([0, 9], np.int32)
    return "sample", inputs


def test_every_zoo_model_is_served_at_once_from_models_config_over_rest_and_grpc():
    import grpc
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    models = serving_double.models_from_config(os.path.join(SAVED, "models.config"), SAVED)
    rest, rest_port = serving_double.start_rest(models)
    server, grpc_port = serving_double.start_grpc(models)
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        for model in models:
            signature, inputs = request_of(model)
            body = {"signature_name": signature,
                    "inputs": {k: v.tolist() for k, v in inputs.items()}}  # fmt: skip
            request = urllib.request.Request(
                f"http://127.0.0.1:{rest_port}/v1/models/{model.name}:predict",
                data=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=60) as response:
                rows = np.asarray(json.loads(response.read())["outputs"]["images_uint8"])
            grpc_request = predict_pb2.PredictRequest()
            grpc_request.model_spec.name = model.name
            grpc_request.model_spec.signature_name = signature
            for key, value in inputs.items():
                grpc_request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
            grpc_request.output_filter.append("images_uint8")
            answer = stub.Predict(grpc_request, timeout=60)
            np.testing.assert_array_equal(tf.make_ndarray(answer.outputs["images_uint8"]), rows)
            assert rows.shape[0] == 2, model.name
        channel.close()
    finally:
        rest.shutdown()
        server.stop(None)


def test_the_readme_draws_from_a_committed_model_before_any_training(tmp_path):
    """README's first command after install: a grid from saved_models/."""
    out = tmp_path / "grid.png"
    result = subprocess.run([sys.executable, "-m", "tfgan_zoo.sample", "grid",
                             "--export_dir=saved_models/dcgan_fashion_mnist", f"--out={out}"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.stat().st_size > 0
    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    assert readme.index("--export_dir=saved_models/dcgan_fashion_mnist") < readme.index(
        "python -m tfgan_zoo.train"
    )


@pytest.mark.slow
def test_the_zoo_script_trains_scores_exports_and_describes_at_a_tiny_budget(tmp_path):
    args = [sys.executable, os.path.join("benchmarks", "zoo.py"), "--tiny", "--models",
            "ns_gan_ring8,cgan_fashion_mnist", "--work_dir", str(tmp_path / "runs"),
            "--scores", str(tmp_path / "zoo.jsonl"), "--classifier_dir", str(tmp_path / "cls"),
            "--saved_models", str(tmp_path / "saved")]  # fmt: skip
    first = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=1200)
    assert first.returncode == 0, first.stderr[-3000:]
    for name in ("ns_gan_ring8", "cgan_fashion_mnist"):
        folder = tmp_path / "saved" / name
        assert sorted(os.listdir(folder)) == ["1", "README.md", "golden.json", "samples.png"]
        assert "golden sha256" in (folder / "README.md").read_text()
    again = subprocess.run(args + ["--table_only"], capture_output=True, text=True, cwd=REPO,
                           timeout=600)  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert not os.path.exists(tmp_path / "saved" / "cgan_fashion_mnist" / "2")  # never a rewrite
    assert '"cgan_fashion_mnist"' in (tmp_path / "saved" / "models.config").read_text()


def test_the_cards_fine_tuning_command_starts_from_the_committed_export(tmp_path):
    """The dcgan card's ``--init_from`` command, at two steps: it starts from the zoo's
    generator (the log says so) and writes a checkpoint of its own."""
    data = shared_dir("fashion-mnist")
    run = tmp_path / "finetuned"
    result = subprocess.run(
        [sys.executable, "-m", "tfgan_zoo.train", "--flagfile=flags/dcgan_fashion_mnist.flags",
         f"--dataset=idx:{data}", "--ema_decay=0.999",
         "--init_from=saved_models/dcgan_fashion_mnist", f"--model_dir={run}", "--epochs=1",
         "--steps_per_epoch=2", "--checkpoint_every=2", "--sample_every=2", "--verbose=0"],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Started from" in result.stderr and "saved_models/dcgan_fashion_mnist" in result.stderr
    assert any(name.startswith("ckpt") for name in os.listdir(run / "checkpoints"))


def test_the_readme_table_quotes_the_model_cards_numbers():
    """README's short zoo table is written by hand: each score it quotes must stand
    in the generated table of saved_models/README.md (from zoo.jsonl)."""

    def rows(path):
        with open(path) as f:
            return {
                m.group(1): m.group(0) for m in re.finditer(r"^\| \[(\w+)\]\(.*$", f.read(), re.M)
            }

    short = rows(os.path.join(REPO, "README.md"))
    full = rows(os.path.join(SAVED, "README.md"))
    assert sorted(short) == sorted(ZOO)
    for name, row in short.items():
        quoted = [part.strip() for part in row.split("|")[3].split(",")]
        assert all(part and part in full[name] for part in quoted), (name, quoted)

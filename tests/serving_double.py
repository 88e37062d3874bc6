"""A test double of TensorFlow Serving's PredictionService, backed by a SavedModel.

The real ``tensorflow_model_server`` binary cannot be installed here, so the
tests check the serving contract from the client's side: requests built with
the real `tensorflow-serving-api` protos, sent over real gRPC (or REST JSON in
both of TF Serving's forms) to this servicer on 127.0.0.1, which does what the
server does with a SavedModel: pick the signature, check input names and
dtypes, run it, and answer INVALID_ARGUMENT on a bad request. Not a product
feature.
"""

import json
import os
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc


class BadRequest(Exception):
    pass


class Model:
    """The latest version under a TF Serving ``--model_base_path``."""

    def __init__(self, base_path):
        versions = [int(v) for v in os.listdir(base_path) if v.isdigit()]
        self.version = max(versions)
        self.saved_model = tf.saved_model.load(os.path.join(base_path, str(self.version)))

    def signature(self, name):
        name = name or "serving_default"
        if name not in self.saved_model.signatures:
            raise BadRequest(f"Serving signature name: '{name}' not found in signature def")
        return self.saved_model.signatures[name]

    def predict(self, signature_name, inputs):
        """Runs a signature on ``{name: np.ndarray}``; returns ``{name: np.ndarray}``."""
        fn = self.signature(signature_name)
        specs = fn.structured_input_signature[1]
        if set(inputs) != set(specs):
            raise BadRequest(f"Request inputs {sorted(inputs)} != expected {sorted(specs)}")
        tensors = {}
        for key, spec in specs.items():
            value = np.asarray(inputs[key])
            if value.dtype != spec.dtype.as_numpy_dtype:
                raise BadRequest(f"Expects arg '{key}' to be {spec.dtype.name} but {value.dtype}")
            if not spec.shape.is_compatible_with(value.shape):
                raise BadRequest(f"Input '{key}' has shape {value.shape}, expected {spec.shape}")
            tensors[key] = tf.constant(value)
        try:
            return {k: v.numpy() for k, v in fn(**tensors).items()}
        except tf.errors.InvalidArgumentError as e:
            raise BadRequest(e.message) from None


class PredictionServicer(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, model):
        self.model = model

    def Predict(self, request, context):
        inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
        try:
            outputs = self.model.predict(request.model_spec.signature_name, inputs)
        except BadRequest as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(e))
        response = predict_pb2.PredictResponse()
        response.model_spec.CopyFrom(request.model_spec)
        response.model_spec.version.value = self.model.version
        for key, value in outputs.items():
            response.outputs[key].CopyFrom(tf.make_tensor_proto(value))
        return response


def start_grpc(model):
    """Serves ``model`` on a free 127.0.0.1 port; returns (server, port)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
        PredictionServicer(model), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def rest_to_inputs(body, fn):
    """TF Serving's REST request forms -> ``{name: np.ndarray}``.

    Row form ``{"instances": [...]}``: a list of rows, each a value (one-input
    signatures) or ``{name: value}``. Column form ``{"inputs": ...}``: a value
    (one input) or ``{name: batch}``.
    """
    specs = fn.structured_input_signature[1]
    names = sorted(specs)

    def cast(name, value):
        return np.asarray(value, dtype=specs[name].dtype.as_numpy_dtype)

    if "instances" in body:
        rows = body["instances"]
        if len(names) == 1 and not (rows and isinstance(rows[0], dict)):
            return {names[0]: cast(names[0], rows)}
        return {n: cast(n, [row[n] for row in rows]) for n in names}
    if "inputs" in body:
        columns = body["inputs"]
        if not isinstance(columns, dict):
            columns = {names[0]: columns}
        return {n: cast(n, columns[n]) for n in columns}
    raise BadRequest('Missing "instances" or "inputs" key')


def outputs_to_rest(outputs, row_form):
    """Answers in the form of the request: ``predictions`` rows or ``outputs`` columns."""
    if not row_form:
        return {"outputs": {k: v.tolist() for k, v in outputs.items()}}
    batch = len(next(iter(outputs.values())))
    return {"predictions": [{k: v[i].tolist() for k, v in outputs.items()} for i in range(batch)]}


def start_rest(model):
    """Serves ``POST /v1/models/<name>[:predict]`` on 127.0.0.1; returns (server, port)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            try:
                fn = model.signature(body.get("signature_name"))
                outputs = model.predict(body.get("signature_name"), rest_to_inputs(body, fn))
                status, answer = 200, outputs_to_rest(outputs, "instances" in body)
            except (BadRequest, KeyError, ValueError, TypeError) as e:
                status, answer = 400, {"error": str(e)}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]

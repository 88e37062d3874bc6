"""A test double of TensorFlow Serving, backed by a SavedModel. Not a product feature.

The real ``tensorflow_model_server`` binary cannot be installed here, so the
tests check the serving contract from the client's side: requests built with
the real `tensorflow-serving-api` protos, sent over real gRPC (or REST JSON in
both of TF Serving's forms) to this server on 127.0.0.1.

It behaves as tensorflow/serving does (commit 9d981c5c, 2026-07-30), and the
comments cite the lines followed:

- The SavedModel is loaded into a TF1 session and run by feeding the
  signature's tensors, as TF Serving's SavedModelBundle does: no shape
  check before running (a wrong shape gets whatever error the graph
  raises), dtype errors from the session itself.
- ``core/basic_manager.cc:139``: a model name or version it does not serve is
  NOT_FOUND "Servable not found for request: Latest(name)" (or
  ``Specific(name, version)``), over gRPC and REST alike.
- ``servables/tensorflow/predict_util.cc`` (RunPredict, PreProcessPrediction):
  unknown signature -> FAILED_PRECONDITION (gRPC); too many or too few inputs
  (VerifyRequestInputsSize), an unknown or repeated ``output_filter`` alias ->
  INVALID_ARGUMENT; an input of the right count but another name ->
  INVALID_ARGUMENT from TensorFlow's ``cc/saved_model/util.cc`` GetInputValues.
- ``model_servers/http_rest_api_handler.cc``: REST looks the signature up
  first (GetInfoMap, lines 228-242: INVALID_ARGUMENT "Serving signature
  name: ... not found in signature def"); ``GET /v1/models/<name>[/versions/
  <v>]`` is the model status (ProcessModelStatusRequest, lines 180-202).
- ``util/json_tensor.cc`` (ParseJson, FillSignature, AddValueToTensor,
  JsonDecodeBase64Object, MakeJsonFromTensors): the body must be an object
  ("Is not object"), ``signature_name`` a string; integers are checked for
  their type's range (IsInt for int32/uint8, IsInt64 for int64: 2**40 is no
  int32) and numbers per dtype (1.5 is no int); ``{"b64": ...}`` that does
  not decode is "Unable to base64 decode"; empty ``instances`` is an error;
  string outputs named ``*_bytes`` come back as ``{"b64": ...}``.
- ``model_servers/http_rest_api_util.cc`` ToJsonString: metadata with proto
  field names (``signature_def``) and default-valued fields printed; model
  status with its ``json_name``s.
- ``model_servers/http_server.cc`` (ToHTTPStatusCode, line 46): INVALID_ARGUMENT
  and FAILED_PRECONDITION -> HTTP 400, NOT_FOUND -> 404.
"""

import base64
import json
import os
import re
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import numpy as np
import tensorflow as tf
from google.protobuf import json_format
from tensorflow_serving.apis import get_model_metadata_pb2, predict_pb2, prediction_service_pb2_grpc


class ServingError(Exception):
    """A request TF Serving would refuse: ``code`` is a `grpc.StatusCode`."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def invalid(message):
    return ServingError(grpc.StatusCode.INVALID_ARGUMENT, message)


# TensorFlow error codes are gRPC's.
GRPC_CODES = {code.value[0]: code for code in grpc.StatusCode}


class Model:
    """The newest version under a TF Serving ``--model_base_path``, in a TF1 session."""

    def __init__(self, base_path, name="generator"):
        self.name = name
        self.version = max(int(v) for v in os.listdir(base_path) if v.isdigit())
        self.input_names = {}
        self.graph = tf.Graph()
        self.session = tf.compat.v1.Session(graph=self.graph)
        with self.graph.as_default():
            meta = tf.compat.v1.saved_model.loader.load(
                self.session, ["serve"], os.path.join(base_path, str(self.version))
            )
        self.signatures = dict(meta.signature_def)

    def check_servable(self, name, version=None):
        """basic_manager.cc:139: a model name or version not served is NOT_FOUND."""
        if name != self.name or version not in (None, self.version):
            request = f"Latest({name})" if version is None else f"Specific({name}, {version})"
            raise ServingError(
                grpc.StatusCode.NOT_FOUND, f"Servable not found for request: {request}"
            )

    def rest_signature(self, name):
        """http_rest_api_handler.cc GetInfoMap (lines 228-242): REST finds the
        signature before parsing the inputs; an unknown one is INVALID_ARGUMENT."""
        name = name or "serving_default"
        if name not in self.signatures:
            raise invalid(f'Serving signature name: "{name}" not found in signature def')
        return self.signatures[name]

    def signature(self, name):
        """predict_util.cc RunPredict: an unknown key is FAILED_PRECONDITION."""
        name = name or "serving_default"
        if name not in self.signatures:
            raise ServingError(
                grpc.StatusCode.FAILED_PRECONDITION, f'Serving signature key "{name}" not found.'
            )
        return self.signatures[name]

    def predict(self, signature_name, inputs, output_filter=()):
        """Runs a signature on ``{alias: np.ndarray}``; returns ``{alias: np.ndarray}``."""
        signature = self.signature(signature_name)
        expected = set(signature.inputs)
        if len(inputs) != len(expected):  # predict_util.cc VerifyRequestInputsSize, lines 51-71
            raise invalid(
                f"input size does not match signature: {len(inputs)}!={len(expected)} "
                f"len({{{','.join(sorted(inputs))}}}) != len({{{','.join(sorted(expected))}}}). "
                f"Sent extra: {{{','.join(sorted(set(inputs) - expected))}}}. "
                f"Missing but required: {{{','.join(sorted(expected - set(inputs)))}}}."
            )
        for alias, info in signature.inputs.items():  # TF cc/saved_model/util.cc GetInputValues
            if alias not in inputs:
                raise invalid(
                    f"Signature input alias: {alias}(feed name: {info.name}) not found in request "
                    f"and no default value provided. Inputs expected to be in the request "
                    f"{{{','.join(sorted(inputs))}}}, or default input alias set: "
                )
        aliases = list(output_filter) or list(signature.outputs)
        seen = set()
        for alias in aliases:  # predict_util.cc PreProcessPrediction, lines 136-152
            if alias not in signature.outputs:
                raise invalid(
                    f"output tensor alias not found in signature: {alias} Outputs expected to "
                    f"be in the set {{{','.join(sorted(signature.outputs))}}}."
                )
            if alias in seen:
                raise invalid(f"duplicate output tensor alias: {alias}")
            seen.add(alias)
        feeds = {
            self.graph.get_tensor_by_name(signature.inputs[k].name).ref(): np.asarray(v)
            for k, v in inputs.items()
        }
        fetches = [self.graph.get_tensor_by_name(signature.outputs[a].name) for a in aliases]
        try:
            # Session.run would check shapes against the placeholders in Python,
            # which the C++ session TF Serving uses does not: feed like it does.
            values = self.session._do_run(None, [], fetches, feeds, None, None)
        except tf.errors.OpError as e:
            message = e.message.removeprefix("Graph execution error:").strip()  # Python's
            raise ServingError(GRPC_CODES[e.error_code], message) from None
        return dict(zip(aliases, values, strict=True))

    def metadata(self):
        """``GetModelMetadata``'s ``signature_def`` field as JSON: get_model_metadata_impl.cc,
        printed as http_rest_api_util.cc ToJsonString does (lines 147-200): proto field
        names, fields at their defaults included."""
        signature_map = get_model_metadata_pb2.SignatureDefMap()
        for name, signature in self.signatures.items():
            signature_map.signature_def[name].CopyFrom(signature)
        as_json = json_format.MessageToDict(
            signature_map, preserving_proto_field_name=True,
            always_print_fields_with_no_presence=True,
        )  # fmt: skip
        return {
            "model_spec": {"name": self.name, "signature_name": "", "version": str(self.version)},
            "metadata": {"signature_def": as_json},
        }

    def status(self):
        """GetModelStatus as REST prints it (get_model_status_impl.cc lines 75-110;
        http_rest_api_util.cc ToJsonString, lines 133-145)."""
        return {"model_version_status": [{
            "version": str(self.version), "state": "AVAILABLE",
            "status": {"error_code": "OK", "error_message": ""},
        }]}  # fmt: skip


class PredictionServicer(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, model):
        self.model = model

    def Predict(self, request, context):
        inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
        spec = request.model_spec
        try:
            self.model.check_servable(spec.name, spec.version.value if spec.HasField("version")
                                      else None)  # fmt: skip
            outputs = self.model.predict(
                request.model_spec.signature_name, inputs, request.output_filter
            )
        except ServingError as e:
            context.abort(e.code, str(e))
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


_NUMPY = {
    tf.float32.as_datatype_enum: np.float32,
    tf.float64.as_datatype_enum: np.float64,
    tf.int32.as_datatype_enum: np.int32,
    tf.int64.as_datatype_enum: np.int64,
    tf.uint8.as_datatype_enum: np.uint8,
    tf.string.as_datatype_enum: object,
}


# DataTypeString of each dtype, and the integer range rapidjson's IsInt / IsInt64
# accept for it (json_tensor.cc AddValueToTensor, lines 288-343).
_TYPE_NAMES = {np.float32: "float", np.float64: "double", np.int32: "int32", np.int64: "int64",
               np.uint8: "uint8", object: "string"}  # fmt: skip
_INT_RANGES = {np.int32: 2**31, np.uint8: 2**31, np.int64: 2**63}


def _json_type(value):
    """json_tensor.cc JsonTypeString."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "True" if value else "False"
    return {dict: "Object", list: "Array", str: "String"}.get(type(value), "Number")


def type_error(value, dtype):
    """json_tensor.cc TypeError, lines 262-267."""
    return invalid(f"JSON Value: {json.dumps(value)} Type: {_json_type(value)} is not of "
                   f"expected type: {_TYPE_NAMES[dtype]}")  # fmt: skip


def json_value(value, dtype):
    """One JSON scalar as TF Serving converts it (json_tensor.cc AddValueToTensor)."""
    if dtype is object:
        if isinstance(value, dict) and set(value) == {"b64"}:  # IsValBase64Object
            encoded = value["b64"]
            try:  # JsonDecodeBase64Object, line 386; absl accepts unpadded input
                return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
            except (ValueError, TypeError):
                raise invalid("Unable to base64 decode") from None
        if not isinstance(value, str):
            raise type_error(value, dtype)
        return value.encode()
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if dtype in (np.float32, np.float64):
        if not (is_int or isinstance(value, float)):  # IsNumber
            raise type_error(value, dtype)
        return value
    bound = _INT_RANGES[dtype]
    if not is_int or not -bound <= value < bound:  # IsInt, IsInt64: the value must fit
        raise type_error(value, dtype)
    return value


def json_tensor(value, dtype):
    """A JSON (nested) list as a tensor of ``dtype``. Integers are stored in the
    proto's int_val and cast to the dtype by Tensor::FromProto, so a uint8 of
    300 arrives as 44, as on the real server."""
    if isinstance(value, list):
        parts = [json_tensor(v, dtype) for v in value]
        shapes = {p.shape for p in parts}
        if len(shapes) > 1:
            raise invalid("Expecting tensors of the same shape in a JSON list")
        return np.stack(parts) if parts else np.zeros([0], dtype)
    converted = json_value(value, dtype)
    if dtype is object:
        return np.array(converted, dtype=object)
    return np.array(converted).astype(dtype)


def rest_to_inputs(body, signature):
    """json_tensor.cc FillPredictRequestFromJson: both request forms -> ``{alias: array}``."""
    names = sorted(signature.inputs)
    dtypes = {n: _NUMPY[signature.inputs[n].dtype] for n in names}
    if "instances" in body and "inputs" in body:
        raise invalid("Not formatted correctly expecting only one of 'inputs' or 'instances'")
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list):
            raise invalid("Expecting 'instances' to be an list/array")
        if not rows:
            raise invalid("No values in 'instances' array")
        objects = isinstance(rows[0], dict) and set(rows[0]) != {"b64"}
        if not objects and len(names) > 1:
            raise invalid(
                "instances is a plain list, but expecting list of objects as multiple "
                "input tensors required as per tensorinfo_map"
            )
        if not objects:
            return {names[0]: json_tensor(rows, dtypes[names[0]])}
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or set(row) != set(names):
                raise invalid(
                    f"Failed to process element: {i} of 'instances' list. JSON object: "
                    f"{json.dumps(row)} keys must be equal to: {','.join(names)}"
                )
        return {n: json_tensor([row[n] for row in rows], dtypes[n]) for n in names}
    if "inputs" in body:
        columns = body["inputs"]
        if not isinstance(columns, dict) or set(columns) == {"b64"}:
            if len(names) > 1:
                raise invalid(
                    "inputs is a plain value/list, but expecting an object as multiple "
                    "input tensors required as per tensorinfo_map"
                )
            columns = {names[0]: columns}
        for name in names:
            if name not in columns:
                raise invalid(f"Missing named input: {name} in 'inputs' object.")
        return {n: json_tensor(columns[n], dtypes[n]) for n in names}
    raise invalid("Missing 'inputs' or 'instances' key")


def _json_output(name, value):
    """json_tensor.cc IsNamedTensorBytes: string outputs named *_bytes are base64."""
    value = np.asarray(value, dtype=object if isinstance(value, bytes) else None)
    if value.dtype == object:
        as_bytes = name.endswith("_bytes")

        def encode(b):
            return {"b64": base64.b64encode(b).decode()} if as_bytes else b.decode()

        return np.vectorize(encode, otypes=[object])(value).tolist() if value.ndim else (
            encode(value.item())
        )  # fmt: skip
    return value.tolist()


def outputs_to_rest(outputs, row_form):
    """json_tensor.cc MakeJsonFromTensors: ``predictions`` rows or ``outputs`` columns;
    a single output is given bare, not as an object."""
    if not row_form:
        columns = {k: _json_output(k, v) for k, v in outputs.items()}
        return {"outputs": next(iter(columns.values())) if len(columns) == 1 else columns}
    batch = None
    for name, value in outputs.items():  # MakeRowFormatJsonFromTensors, lines 975-998
        if not np.ndim(value):
            raise invalid(f"Tensor name: {name} has no shape information ")
        if batch is not None and len(value) != batch:
            raise invalid(
                f"Tensor name: {name} has inconsistent batch size: {len(value)} expecting: {batch}"
            )
        batch = len(value)
    rows = [{k: _json_output(k, v[i]) for k, v in outputs.items()} for i in range(batch)]
    if len(outputs) == 1:
        rows = [next(iter(r.values())) for r in rows]
    return {"predictions": rows}


HTTP_STATUS = {  # http_server.cc ToHTTPStatusCode
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.NOT_FOUND: 404,
}


# http_rest_api_util.cc lines 31-34 (labels are not served here).
PREDICT_PATH = re.compile(r"/v1/models/([^/:]+)(?:/versions/(\d+))?:predict", re.I)
STATUS_PATH = re.compile(r"/v1/models/([^/:]+)(?:/versions/(\d+))?(/metadata)?", re.I)


def start_rest(model):
    """Serves TF Serving's REST API for ``model`` on 127.0.0.1; returns (server, port).

    ``POST /v1/models/<name>:predict`` and ``GET /v1/models/<name>/metadata``.
    """

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            """http_rest_api_util.cc kModelStatusApiRegex (line 34): model status, or
            with ``/metadata`` the signatures; anything else is malformed."""
            match = STATUS_PATH.fullmatch(self.path)
            try:
                if not match:
                    raise ServingError(grpc.StatusCode.NOT_FOUND,
                                       f"Malformed request: GET {self.path}")  # fmt: skip
                name, version, metadata = match.groups()
                model.check_servable(name, int(version) if version else None)
                self.answer(200, model.metadata() if metadata else model.status())
            except ServingError as e:
                self.answer(HTTP_STATUS.get(e.code, 500), {"error": str(e)})

        def do_POST(self):
            try:
                match = PREDICT_PATH.fullmatch(self.path)
                if not match:
                    raise ServingError(grpc.StatusCode.NOT_FOUND,
                                       f"Malformed request: POST {self.path}")  # fmt: skip
                name, version = match.groups()
                try:
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                except json.JSONDecodeError as e:
                    raise invalid(f"JSON Parse error: {e}") from None
                if not isinstance(body, dict):  # json_tensor.cc ParseJson, line 499
                    raise invalid(f"JSON Value: {json.dumps(body)} Is not object")
                signature_name = body.get("signature_name", "")
                if not isinstance(signature_name, str):  # FillSignature, lines 505-517
                    raise invalid(f"JSON Value: {json.dumps(body)} not formatted correctly. "
                                  "'signature_name' key must be a string value.")  # fmt: skip
                model.check_servable(name, int(version) if version else None)
                inputs = rest_to_inputs(body, model.rest_signature(signature_name))
                outputs = model.predict(signature_name, inputs)
                self.answer(200, outputs_to_rest(outputs, "instances" in body))
            except ServingError as e:
                self.answer(HTTP_STATUS.get(e.code, 500), {"error": str(e)})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]

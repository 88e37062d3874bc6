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
  and FAILED_PRECONDITION -> HTTP 400, NOT_FOUND -> 404; paths outside ``/v1/``
  get the HTTP server's bare 404 (the dispatcher takes only kPathRegex), a path
  or method it cannot parse is 400 "Malformed request", OPTIONS is the CORS
  preflight (lines 170-177).
- ``model_servers/http_rest_api_util.cc`` ParseModelInfo: ``/versions/<n>`` or
  ``/labels/<label>``, ``:predict``, ``:classify`` or ``:regress``, the model
  name and label %-decoded; the query string is not part of the path.
- ``util/json_tensor.cc`` WriteDecimal: floats as the shortest text that
  round-trips (absl's six digits, else nine for float32), not float64 repr;
  responses and errors through rapidjson's PrettyWriter.
"""

import base64
import json
import os
import re
import threading
import urllib.parse
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

    def __init__(self, base_path, name="generator", labels=None):
        self.name = name
        self.labels = dict(labels or {})  # version label -> version (a model config's)
        self.version = max(int(v) for v in os.listdir(base_path) if v.isdigit())
        self.input_names = {}
        self.graph = tf.Graph()
        self.session = tf.compat.v1.Session(graph=self.graph)
        with self.graph.as_default():
            meta = tf.compat.v1.saved_model.loader.load(
                self.session, ["serve"], os.path.join(base_path, str(self.version))
            )
        self.signatures = dict(meta.signature_def)

    def check_servable(self, name, version=None, label=None):
        """basic_manager.cc:139: a model name or version not served is NOT_FOUND; a
        version label is looked up first (server_core.cc GetModelVersionForLabel,
        lines 873-892): one the model config does not give is INVALID_ARGUMENT."""
        if label is not None:
            if name != self.name or label not in self.labels:
                raise invalid(f"Unrecognized servable version label: {label}")
            version = self.labels[label]
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

    def status(self, name, version=None):
        """GetModelStatus as REST prints it (get_model_status_impl.cc lines 75-110;
        http_rest_api_util.cc ToJsonString, lines 133-145); a version label is not
        looked up there, so it lists every version."""
        if name != self.name:
            raise ServingError(grpc.StatusCode.NOT_FOUND,
                               f"Could not find any versions of model {name}")  # fmt: skip
        if version not in (None, self.version):
            raise ServingError(grpc.StatusCode.NOT_FOUND,
                               f"Could not find version {version} of model {name}")  # fmt: skip
        return {"model_version_status": [{
            "version": str(self.version), "state": "AVAILABLE",
            "status": {"error_code": "OK", "error_message": ""},
        }]}  # fmt: skip


def chooser(models):
    """``name -> Model`` over one `Model` or several (a model config's): the model of
    that name, or the first, whose checks then refuse the unknown name as TF Serving
    does."""
    models = list(models) if isinstance(models, (list, tuple)) else [models]
    return lambda name: next((m for m in models if m.name == name), models[0])


def models_from_config(path, root):
    """The `Model`s a TF Serving ``--model_config_file`` names (its ``config`` entries'
    ``name`` and ``base_path``), the base paths' ``/models`` mount read as ``root``."""
    with open(path) as f:
        text = f.read()
    entries = re.findall(r'name:\s*"([^"]+)"\s*base_path:\s*"([^"]+)"', text)
    return [Model(os.path.join(root, os.path.relpath(base, "/models")), name=name)
            for name, base in entries]  # fmt: skip


class PredictionServicer(prediction_service_pb2_grpc.PredictionServiceServicer):
    def __init__(self, models):
        self.pick = chooser(models)

    def Predict(self, request, context):
        inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
        spec = request.model_spec
        model = self.pick(spec.name)
        try:
            model.check_servable(spec.name, spec.version.value if spec.HasField("version")
                                 else None)  # fmt: skip
            outputs = model.predict(request.model_spec.signature_name, inputs,
                                    request.output_filter)  # fmt: skip
        except ServingError as e:
            context.abort(e.code, str(e))
        response = predict_pb2.PredictResponse()
        response.model_spec.CopyFrom(request.model_spec)
        response.model_spec.version.value = model.version
        for key, value in outputs.items():
            response.outputs[key].CopyFrom(tf.make_tensor_proto(value))
        return response


def start_grpc(model):
    """Serves ``model`` (or a list of models) on a free 127.0.0.1 port; returns
    (server, port)."""
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

# rapidjson's GetParseError_En texts for the errors Python's json module reports.
_PARSE_ERRORS = {
    "Expecting value": "Invalid value.",
    "Expecting property name enclosed in double quotes": "Missing a name for object member.",
    "Expecting ':' delimiter": "Missing a colon after a name of object member.",
    "Unterminated string starting at": "Missing a closing quotation mark in string.",
    "Invalid \\escape": "Invalid escape character in string.",
    "Invalid \\uXXXX escape": "Incorrect hex digit after \\u escape in string.",
    "Invalid control character at": "Invalid encoding in string.",
}


def _innermost_bracket(text, end):
    """The innermost '[' or '{' still open at ``end`` of JSON ``text`` (outside strings)."""
    stack, in_string, escaped = [], False, False
    for c in text[:end]:
        if in_string:
            escaped, in_string = (False, True) if escaped else (c == "\\", c != '"')
        elif c == '"':
            in_string = True
        elif c in "[{":
            stack.append(c)
        elif c in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def parse_json(data):
    """json_tensor.cc ParseJson (lines 471-500): rapidjson with kParseStopWhenDoneFlag
    (what follows the first value is ignored) and NaN/Infinity allowed; its error
    texts, "at offset: N"."""
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise invalid("JSON Parse error: The document is empty")
    start = len(text) - len(text.lstrip())
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except json.JSONDecodeError as e:
        if e.msg == "Expecting ',' delimiter":
            inner = _innermost_bracket(text, e.pos)
            message = ("Missing a comma or '}' after an object member." if inner == "{"
                       else "Missing a comma or ']' after an array element.")  # fmt: skip
        else:
            message = next((v for k, v in _PARSE_ERRORS.items() if e.msg.startswith(k)),
                           "Unspecific syntax error.")  # fmt: skip
        raise invalid(f"JSON Parse error: {message} at offset: {e.pos}") from None


def debug_string(value):
    """json_tensor.cc JsonValueToDebugString: rapidjson's compact Writer."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def format_error(doc, *parts):
    """json_tensor.cc FormatError (lines 274-278): "JSON Value: <doc> <parts>"."""
    return invalid(f"JSON Value: {debug_string(doc)} {''.join(parts)}")


def _json_type(value):
    """json_tensor.cc JsonTypeString."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "True" if value else "False"
    return {dict: "Object", list: "Array", str: "String"}.get(type(value), "Number")


def type_error(value, dtype):
    """json_tensor.cc TypeError, lines 262-267."""
    return invalid(f"JSON Value: {debug_string(value)} Type: {_json_type(value)} is not of "
                   f"expected type: {_TYPE_NAMES[dtype]}")  # fmt: skip


def is_base64_object(value):
    """json_tensor.cc IsValBase64Object (lines 358-371): one key, "b64", a string."""
    return isinstance(value, dict) and set(value) == {"b64"} and isinstance(value["b64"], str)


def decode_base64_object(value):
    """json_tensor.cc JsonDecodeBase64Object (lines 376-392)."""
    if not is_base64_object(value):
        raise invalid(f"JSON Value: {debug_string(value)} not formatted correctly for base64 "
                      f"data")  # fmt: skip
    encoded = value["b64"]
    try:  # absl::Base64Unescape accepts unpadded input
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (ValueError, TypeError):
        raise invalid("Unable to base64 decode") from None


def json_value(value, dtype):
    """One JSON scalar as TF Serving converts it (json_tensor.cc AddValueToTensor, and
    FillTensorProto's objects: base64 for strings, a type error otherwise)."""
    if isinstance(value, dict):
        return decode_base64_object(value) if dtype is object else _raise(type_error(value, dtype))
    if dtype is object:
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


def _raise(error):
    raise error


def dense_shape(value):
    """json_tensor.cc GetDenseTensorShape: the sizes of the first elements, nested."""
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return shape


def json_tensor(value, dtype):
    """json_tensor.cc GetDenseTensorShape + FillTensorProto (lines 394-436): a JSON value
    as a tensor of ``dtype``, its shape read from the first elements and every list
    checked against it. Integers are stored in the proto's int_val and cast to the
    dtype by Tensor::FromProto, so a uint8 of 300 arrives as 44, as on the real server."""
    shape, flat = dense_shape(value), []

    def fill(v, level):
        if not isinstance(v, list):
            if level != len(shape):
                raise invalid(
                    f"JSON Value: {debug_string(v)} found at incorrect level: {level + 1} in "
                    f"the JSON DOM. Expected at level: {len(shape)}"
                )
            flat.append(json_value(v, dtype))
            return
        if level >= len(shape):
            raise invalid(f"Encountered list at unexpected level: {level} expected < {len(shape)}")
        if len(v) != shape[level]:
            raise invalid(f"Encountered list at unexpected size: {len(v)} at level: {level} "
                          f"expected size: {shape[level]}")  # fmt: skip
        for item in v:
            fill(item, level + 1)

    fill(value, 0)
    if dtype is object:
        return np.array(flat, dtype=object).reshape(shape)
    return np.array(flat).astype(dtype).reshape(shape)


def _status_text(error):
    """absl::Status::ToString of an INVALID_ARGUMENT error."""
    return f"INVALID_ARGUMENT: {error}"


def _instance_item(item, name, dtypes, shapes):
    """json_tensor.cc AddInstanceItem (lines 442-470): one instance's value of input
    ``name``, of the size and shape of the first instance's."""
    if name not in dtypes:
        raise invalid(f"JSON object: does not have named input: {name}")
    tensor = json_tensor(item, dtypes[name])
    if name in shapes:
        first = shapes[name]
        if int(np.prod(first)) != tensor.size:
            raise invalid(f"Expecting tensor size: {int(np.prod(first))} but got: {tensor.size}")
        if list(first) != list(tensor.shape):
            raise invalid(f"Expecting shape [{','.join(map(str, first))}] but got: "
                          f"[{','.join(map(str, tensor.shape))}]")  # fmt: skip
    shapes.setdefault(name, tensor.shape)
    return tensor


def rest_to_inputs(body, signature):
    """json_tensor.cc FillPredictRequestFromJson (lines 672-716), FillTensorMapFromInstancesList
    (519-609) and FillTensorMapFromInputsMap (611-650): both forms -> ``{alias: array}``."""
    names = sorted(signature.inputs)
    dtypes = {n: _NUMPY[signature.inputs[n].dtype] for n in names}
    if "instances" in body and "inputs" in body:
        raise format_error(body, "Not formatted correctly expecting only one of 'inputs' or "
                           "'instances' keys to exist ")  # fmt: skip
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list):
            raise format_error(body, "Expecting 'instances' to be an list/array")
        if not rows:
            raise format_error(body, "No values in 'instances' array")
        if not isinstance(rows[0], dict) and len(names) > 1:
            raise invalid(
                "instances is a plain list, but expecting list of objects as multiple "
                "input tensors required as per tensorinfo_map"
            )
        objects = isinstance(rows[0], dict) and not is_base64_object(rows[0])
        columns, shapes = {}, {}
        for i, row in enumerate(rows):
            is_object = isinstance(row, dict) and not is_base64_object(row)
            if objects and not is_object:
                raise invalid(f"Expecting object but got list at item {i} of input list")
            if not objects and is_object:
                raise invalid(f"Expecting value/list but got object at item {i} of input list")
            items = row.items() if objects else [(names[0], row)]
            for name, item in items:
                try:
                    columns.setdefault(name, []).append(_instance_item(item, name, dtypes, shapes))
                except ServingError as e:
                    key = f" key: {name}" if objects else ""
                    raise invalid(f"Failed to process element: {i}{key} of 'instances' list. "
                                  f"Error: {_status_text(e)}") from None  # fmt: skip
            if objects and set(row) != set(names):
                raise invalid(
                    f"Failed to process element: {i} of 'instances' list. JSON object: "
                    f"{debug_string(row)} keys must be equal to: {','.join(names)}"
                )
        return {n: np.stack(columns[n]) for n in names}
    if "inputs" in body:
        columns = body["inputs"]
        if not isinstance(columns, dict) or is_base64_object(columns):
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


def write_decimal(value):
    """json_tensor.cc WriteDecimal (lines 124-169): absl::StrCat's six digits when they
    round-trip, else max_digits10 (9 for float, 17 for double); '.0' added to whole
    numbers; NaN, Infinity, -Infinity."""
    if np.isnan(value):
        return "NaN"
    if np.isinf(value):
        return "-Infinity" if value < 0 else "Infinity"
    kind = type(value) if isinstance(value, np.floating) else np.float64
    text = f"{float(value):g}"
    if kind(text) != value:
        text = f"{float(value):.{9 if kind is np.float32 else 17}g}"
    return text if "." in text or "e" in text else text + ".0"


class PrettyWriter:
    """rapidjson's PrettyWriter (indent 4), with its kFormatSingleLineArray option: what
    TF Serving writes responses and errors with (json_tensor.cc MakeJsonFromStatus,
    MakeRowFormatJsonFromTensors, MakeColumnarFormatJsonFromTensors)."""

    def __init__(self):
        self.parts, self.levels, self.single_line = [], [], False

    def _prefix(self):
        if not self.levels:
            return
        level = self.levels[-1]
        if level["count"]:
            if level["array"]:
                self.parts.append(", " if self.single_line else ",")
            else:
                self.parts.append("," if level["count"] % 2 == 0 else ": ")
        if not (self.single_line and level["array"]):
            if level["array"] or level["count"] % 2 == 0:
                self.parts.append("\n" + "    " * len(self.levels))
        level["count"] += 1

    def value(self, text):
        self._prefix()
        self.parts.append(text)

    def start(self, array):
        self._prefix()
        self.parts.append("[" if array else "{")
        self.levels.append({"array": array, "count": 0})

    def end(self):
        level = self.levels.pop()
        if level["count"] and not (self.single_line and level["array"]):
            self.parts.append("\n" + "    " * len(self.levels))
        self.parts.append("]" if level["array"] else "}")

    def key(self, name):
        self.value(json.dumps(name, ensure_ascii=False))

    def tensor(self, name, value):
        """json_tensor.cc AddTensorValues: nested arrays of a tensor's values; string
        outputs named ``*_bytes`` as ``{"b64": ...}`` (IsNamedTensorBytes)."""
        if isinstance(value, np.ndarray) and value.ndim:
            self.start(array=True)
            for item in value:
                self.tensor(name, item)
            self.end()
        elif isinstance(value, (bytes, np.bytes_)):
            if name.endswith("_bytes"):
                self.start(array=False)
                self.key("b64")
                self.value(json.dumps(base64.b64encode(bytes(value)).decode()))
                self.end()
            else:
                self.value(json.dumps(bytes(value).decode(errors="replace"), ensure_ascii=False))
        elif isinstance(value, (np.floating, float)):
            self.value(write_decimal(value))
        else:
            self.value(str(int(value)))

    def text(self):
        return "".join(self.parts)


def outputs_to_rest(outputs, row_form):
    """json_tensor.cc MakeRowFormatJsonFromTensors (lines 974-1018) or
    MakeColumnarFormatJsonFromTensors (1020-1040): ``predictions`` rows or ``outputs``
    columns, a single output bare; returns the response text."""
    outputs = {k: np.asarray(v, dtype=object) if isinstance(v, bytes) else np.asarray(v)
               for k, v in sorted(outputs.items())}  # fmt: skip
    writer = PrettyWriter()
    writer.start(array=False)
    objects = len(outputs) > 1
    if not row_form:
        writer.key("outputs")
        if objects:
            writer.start(array=False)
        for name, value in outputs.items():
            if objects:
                writer.key(name)
            writer.tensor(name, value[()] if value.ndim == 0 else value)
        if objects:
            writer.end()
        writer.end()
        return writer.text()
    batch = None
    for name, value in outputs.items():
        if not value.ndim:
            raise invalid(f"Tensor name: {name} has no shape information ")
        if batch is not None and len(value) != batch:
            raise invalid(
                f"Tensor name: {name} has inconsistent batch size: {len(value)} expecting: {batch}"
            )
        batch = len(value)
    writer.key("predictions")
    writer.start(array=True)
    for i in range(batch):
        if objects:
            writer.start(array=False)
        writer.single_line = True
        for name, value in outputs.items():
            if objects:
                writer.key(name)
            writer.tensor(name, value[i])
        writer.single_line = False
        if objects:
            writer.end()
    writer.end()
    writer.end()
    return writer.text()


def error_json(message):
    """json_tensor.cc MakeJsonFromStatus (lines 1129-1139): ``{"error": ...}``, pretty."""
    writer = PrettyWriter()
    writer.start(array=False)
    writer.key("error")
    writer.value(json.dumps(message, ensure_ascii=False))
    writer.end()
    return writer.text()


HTTP_STATUS = {  # http_server.cc ToHTTPStatusCode (lines 46-87)
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.UNIMPLEMENTED: 501,
}

# http_rest_api_handler.h kPathRegex: the requests the REST handler takes at all.
PATH = re.compile(r"/v1/.*", re.I)
# http_rest_api_util.cc lines 31-34.
PREDICT_PATH = re.compile(
    r"/v1/models/([^/:]+)(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?:(classify|regress|predict)",
    re.I,
)
STATUS_PATH = re.compile(
    r"/v1/models(?:/([^/:]+))?(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?(?:/(metadata))?", re.I
)


def model_info(method, path):
    """http_rest_api_util.cc ParseModelInfo (lines 89-130): ``(name, version, label,
    action)`` of a path, the name and label %-decoded (curl_easy_unescape), or None
    when the path does not parse (a "Malformed request")."""
    match = {"POST": PREDICT_PATH, "GET": STATUS_PATH}.get(method)
    match = match and match.fullmatch(path)
    if not match:
        return None
    name, version, label, action = match.groups()
    return (urllib.parse.unquote(name or ""), int(version) if version else None,
            urllib.parse.unquote(label) if label else None, (action or "").lower())  # fmt: skip


def classify_or_regress(model, action, name, version, label, data):
    """http_rest_api_handler.cc ProcessClassifyRequest / ProcessRegressRequest: the
    request's JSON (json_tensor.cc FillClassifyRegressRequestFromJson, lines 818-860),
    the servable, then the signature's checks (classifier.cc / regressor.cc
    GetClassificationSignatureDef / PreProcessClassification, PreProcessRegression),
    which a generator's predict signatures fail."""
    doc = parse_json(data)
    if not isinstance(doc, dict):
        raise format_error(doc, "Is not object")
    signature_name = doc.get("signature_name", "")
    if not isinstance(signature_name, str):
        raise invalid(f"JSON Value: {debug_string(doc)} not formatted correctly. "
                      "'signature_name' key must be a string value.")  # fmt: skip
    examples = doc.get("examples")
    if "examples" not in doc:
        raise format_error(doc, "When method is classify, key 'examples' is expected and was "
                           "not found")  # fmt: skip
    if not isinstance(examples, list):
        raise format_error(doc, "Expecting 'examples' value to be an list/array")
    if not examples:
        raise format_error(doc, "'examples' value is an empty array")
    for example in examples:
        if not isinstance(example, dict):
            raise invalid(f"Example must be JSON object but got JSON {_json_type(example)}")
    model.check_servable(name, version, label)
    key = signature_name or "serving_default"
    if key not in model.signatures:
        raise invalid(f"No signature was found with the name: {key}")
    signature = model.signatures[key]
    if len(signature.inputs) != 1:
        raise invalid("Expected one input Tensor.")
    if action == "classify":
        if len(signature.outputs) not in (1, 2):
            raise invalid(f"Expected one or two output Tensors, found {len(signature.outputs)}")
        if "inputs" not in signature.inputs:
            raise invalid(f"No classification inputs found in SignatureDef: {signature}")
        raise invalid('Expected classification signature outputs to contain at least one of '
                      f'"classes" or "scores". Signature was: {signature}')  # fmt: skip
    if len(signature.outputs) != 1:
        raise invalid("Expected one output Tensor.")
    raise invalid(f"No regression inputs found in SignatureDef: {signature}")


def start_rest(model):
    """Serves TF Serving's REST API for ``model`` (or a list of models) on 127.0.0.1;
    returns (server, port).

    http_server.cc RestApiRequestDispatcher: paths outside ``/v1/`` get the HTTP
    server's bare 404; the others go to http_rest_api_handler.cc ProcessRequest,
    which answers whatever it cannot parse with 400 "Malformed request: <METHOD>
    <path>". The path is the URI's path, without its query string (net_http's
    uri_path), and a body may come chunked (evhttp reads both).
    """

    pick = chooser(model)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, text):
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if not size:
                        while self.rfile.readline().strip():  # trailers
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def handle_any(self):
            data = self.body()
            path = urllib.parse.urlsplit(self.path).path
            if not PATH.fullmatch(path):
                self.answer(404, "")
                return
            if self.command == "OPTIONS":  # http_server.cc lines 170-177: CORS preflight
                origin = re.search(r"https?://", self.headers.get("Origin", ""))
                self.answer(200 if origin else 400, "")
                return
            try:
                self.answer(200, self.process(path, data))
            except ServingError as e:
                self.answer(HTTP_STATUS.get(e.code, 500), error_json(str(e)))

        def process(self, path, data):
            info = model_info(self.command, path)
            if info is None:
                raise invalid(f"Malformed request: {self.command} {path}")
            name, version, label, action = info
            model = pick(name)
            if self.command == "GET":
                if not name:  # ProcessModelStatusRequest / ProcessModelMetadataRequest
                    raise invalid("Missing model name in request.")
                if action == "metadata":
                    model.check_servable(name, version, label)
                    return json.dumps(model.metadata(), indent=1)
                return json.dumps(model.status(name, version), indent=1)
            if action in ("classify", "regress"):
                return classify_or_regress(model, action, name, version, label, data)
            body = parse_json(data)
            if not isinstance(body, dict):  # json_tensor.cc ParseJson, line 499
                raise format_error(body, "Is not object")
            signature_name = body.get("signature_name", "")
            if not isinstance(signature_name, str):  # FillSignature, lines 505-517
                raise invalid(f"JSON Value: {debug_string(body)} not formatted correctly. "
                              "'signature_name' key must be a string value.")  # fmt: skip
            model.check_servable(name, version, label)
            inputs = rest_to_inputs(body, model.rest_signature(signature_name))
            outputs = model.predict(signature_name, inputs)
            return outputs_to_rest(outputs, "instances" in body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = handle_any

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]

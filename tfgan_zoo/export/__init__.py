"""Exporting generators as SavedModels for TensorFlow Serving.

`export_generator` writes ``<base_dir>/<version>/`` where version is the next
free integer, the layout ``tensorflow_model_server --model_base_path=<base_dir>``
watches. The SavedModel is written to a temporary directory beside it and
renamed into place, so a server never loads a half-written version, and an
existing version is never overwritten. Serving needs no project code.

Signatures (``label`` only for conditional generators, ``num_classes > 0``):

- ``serving_default``: ``z`` float32 ``[batch, latent_dim]`` (and ``label``
  int32 ``[batch]``);
- ``sample``: ``seed`` int64 ``[batch]`` (and ``label``): the latent of each
  example is drawn by a stateless RNG from its own seed, so "image 42" is the
  same image in every request and batch; from the distribution the generator
  was trained on (metadata ``latent``: ``normal``, or ``uniform`` in [-1, 1]);
- ``sample_truncated``: ``seed`` and ``truncation`` float32 ``[batch]`` (> 0):
  the same draw squeezed into ``[-truncation, truncation]`` per coordinate
  (the truncation trick: higher fidelity, less variety).

Each returns ``images`` (float32 in [-1, 1]) and ``images_uint8`` (uint8);
``sample`` also ``png_bytes`` (one PNG per example, for web clients; REST
returns it as ``{"b64": ...}``).

- ``metadata``: takes ``unused`` int32 ``[n]`` (TF Serving's REST API needs
  an input; send ``[0]``) and returns ``json`` (every field below as one JSON
  string) and the fields ``latent_dim``, ``num_classes``, ``class_names``,
  ``image_shape`` and ``step``.

The same fields are in ``assets.extra/tfgan_zoo.json`` (`read_metadata`):
the kind of export, latent width and distribution, classes and their names, image shape,
value range, the training step and whether the weights are an EMA.
Image-to-image generators (Pix2Pix, CycleGAN) are exported by
`export_translator`, with signatures that take an ``image``.
Malformed requests fail with an InvalidArgument error that says what was
wrong: ``z`` of the wrong width or rank, or holding NaN/Inf, labels out of
range, truncations that are not positive, images with the wrong channel
count. The checks run inside the graph, since TF Serving feeds tensors
without checking their shapes against the signature.

``assets.extra/tf_serving_warmup_requests`` holds one `PredictionLog` per
signature, which TF Serving replays at load so the first real request is fast.
"""

from tfgan_zoo.export.generator import (
    build_archive,
    export_generator,
    generator_metadata,
    warmup_requests,
)
from tfgan_zoo.export.translator import export_translator
from tfgan_zoo.export.versions import (
    METADATA_FILE,
    WARMUP_FILE,
    export_metadata,
    latest_version,
    metadata_endpoint,
    next_version,
    prediction_logs,
    read_metadata,
    sample_shape,
    write_version,
    write_warmup,
)
from tfgan_zoo.seeds import latent_from_seeds

__all__ = [
    "METADATA_FILE",
    "WARMUP_FILE",
    "build_archive",
    "export_generator",
    "export_metadata",
    "export_translator",
    "generator_metadata",
    "latent_from_seeds",
    "latest_version",
    "metadata_endpoint",
    "next_version",
    "prediction_logs",
    "read_metadata",
    "sample_shape",
    "warmup_requests",
    "write_version",
    "write_warmup",
]

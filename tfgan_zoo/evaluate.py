"""Scores an exported generator against real data.

``python -m tfgan_zoo.evaluate --export_dir=saved_models/<name>/<version>
--dataset=idx:../shared/data/fashion-mnist`` draws ``--num_samples`` images
through the export's ``sample`` signature (seeds 0..N-1; labels cycling
through the classes for conditional models), takes as many real images of
``--split``, and prints FID, KID, IS, precision/recall and density/coverage as
JSON. ``--features=classifier`` (default) uses a domain classifier trained
on ``--classifier_split`` and cached in ``--classifier_dir``;
``--features=inception`` uses InceptionV3 (``--inception_weights``: imagenet,
a local .h5 path, or none for random weights).
"""

import json
import math

import numpy as np
import tensorflow as tf

from tfgan_zoo import data, images, metrics
from tfgan_zoo.metrics import features


def real_batches(dataset, split, num_samples, batch_size=250, data_dir=None, seed=0):
    """``(image batches, label batches)`` of ``num_samples`` real images in [-1, 1]."""
    ds, _ = data.load(dataset, batch_size, split, data_dir, seed)
    xs, ys = [], []
    for x, y in ds.take(math.ceil(num_samples / batch_size)):
        xs.append(x.numpy())
        ys.append(y.numpy())
    return np.concatenate(xs)[:num_samples], np.concatenate(ys)[:num_samples]


def generated_batches(export_path, num_samples, batch_size=250, num_classes=None):
    """Batches from the export's ``sample`` signature for seeds ``0..num_samples-1``.

    Raises:
      ValueError: the export has no ``sample`` signature (not a generator export).
    """
    signatures = tf.saved_model.load(export_path).signatures
    if "sample" not in signatures:
        raise ValueError(
            f"{export_path} has no 'sample' signature (it has {', '.join(sorted(signatures))}): "
            f"evaluate scores generator exports; image-to-image exports are not supported yet."
        )
    sample = signatures["sample"]
    conditional = "label" in sample.structured_input_signature[1]

    def batches():
        for start in range(0, num_samples, batch_size):
            seeds = tf.range(start, min(start + batch_size, num_samples), dtype=tf.int64)
            inputs = {"seed": seeds}
            if conditional:
                inputs["label"] = tf.cast(seeds % num_classes, tf.int32)
            yield sample(**inputs)["images"].numpy()

    return batches()


def evaluate(export_path, dataset, split="test", num_samples=2000, feature_kind="classifier",
             classifier_dir="runs/classifiers", classifier_split="train", data_dir=None,
             inception_weights="imagenet"):  # fmt: skip
    """The metrics dict of `tfgan_zoo.metrics.compare` for one export."""
    real, labels = real_batches(dataset, split, num_samples, data_dir=data_dir)
    num_classes = int(labels.max()) + 1
    fake = generated_batches(export_path, num_samples, num_classes=num_classes)
    if feature_kind == "inception":
        extractor = features.InceptionExtractor(inception_weights)
    else:
        train_x, train_y = real_batches(
            dataset, classifier_split, 20_000, data_dir=data_dir, seed=1
        )
        extractor = features.ClassifierExtractor.cached(
            classifier_dir, images.to_uint8(train_x), train_y
        )
    return metrics.compare(extractor, np.array_split(real, max(1, len(real) // 250)), fake)


def main(argv):
    from absl import app, flags

    from tfgan_zoo.train import setup_logging

    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
    setup_logging()
    f = flags.FLAGS
    weights = None if f.inception_weights == "none" else f.inception_weights
    try:
        result = evaluate(
            f.export_dir, f.dataset, f.split, f.num_samples, f.features, f.classifier_dir,
            f.classifier_split, f.data_dir or None, weights,
        )  # fmt: skip
    except (ValueError, OSError) as e:  # DataError is a ValueError
        raise SystemExit(f"ERROR: {e}") from None
    print(json.dumps(result, indent=2))


def run():
    from absl import app, flags

    flags.DEFINE_string(
        "export_dir", None, "A SavedModel version folder (saved_models/<name>/<n>)."
    )
    flags.DEFINE_string("dataset", None, "Real data: idx:<dir> or a tensorflow-datasets name.")
    flags.DEFINE_string("split", "test", "Split of the real images to compare with.")
    flags.DEFINE_string("data_dir", "", "tensorflow-datasets data_dir.")
    flags.DEFINE_integer("num_samples", 2000, "Generated (and real) images to score.")
    flags.DEFINE_enum("features", "classifier", ["classifier", "inception"], "Feature extractor.")
    flags.DEFINE_string("classifier_dir", "runs/classifiers", "Cache of the domain classifier.")
    flags.DEFINE_string("classifier_split", "train", "Split the domain classifier trains on.")
    flags.DEFINE_string("inception_weights", "imagenet", "imagenet, a local file, or none.")
    flags.mark_flags_as_required(["export_dir", "dataset"])
    app.run(main)


if __name__ == "__main__":
    run()

"""``python -m tfgan_zoo.evaluate --export_dir=... --dataset=...``: scores an export.

Prints the metrics of `tfgan_zoo.evaluation.evaluate` (or, for an
image-to-image export, `evaluate_translator`) as JSON.
"""

import json
import sys

import tensorflow as tf
from absl import flags

from tfgan_zoo import cli, evaluation


def define_flags():
    flags.DEFINE_string(
        "export_dir", None, "A SavedModel version folder (saved_models/<name>/<n>)."
    )
    flags.DEFINE_string(
        "dataset", None,
        "Real data: idx:<dir>, folder:<dir>, tfrecord:<glob> or a tensorflow-datasets name; "
        "for an image-to-image export the pairs it was trained on: edges:<images> or "
        "unpaired:<A>,<B>.",
    )  # fmt: skip
    flags.DEFINE_string("split", "test", "Split of the real images to compare with.")
    flags.DEFINE_string("data_dir", "", "tensorflow-datasets data_dir.")
    flags.DEFINE_integer("num_samples", 2000, "Generated (and real) images to score.")
    flags.DEFINE_enum("features", "classifier", ["classifier", "inception"], "Feature extractor.")
    flags.DEFINE_string("classifier_dir", "runs/classifiers", "Cache of the domain classifier.")
    flags.DEFINE_string("classifier_split", "train", "Split the domain classifier trains on.")
    flags.DEFINE_string("inception_weights", "imagenet", "imagenet, a local file, or none.")
    flags.DEFINE_enum(
        "direction", "a_to_b", ["a_to_b", "b_to_a"], "Image-to-image exports: as in training."
    )
    flags.mark_flags_as_required(["export_dir", "dataset"])


def main(argv):
    cli.start(argv)
    f = flags.FLAGS
    weights = None if f.inception_weights == "none" else f.inception_weights
    scoring = evaluation.Scoring(
        kind=f.features,
        classifier_dir=f.classifier_dir,
        classifier_split=f.classifier_split,
        inception_weights=weights,
    )
    args = (f.export_dir, f.dataset, f.split, f.num_samples, scoring, f.data_dir or None)
    with cli.one_line_errors():
        try:
            signatures = tf.saved_model.load(f.export_dir).signatures
        except OSError as e:
            raise OSError(f"--export_dir={f.export_dir} is not a SavedModel: {e}") from None
        try:
            if evaluation.translator_directions(signatures):
                result = evaluation.evaluate_translator(*args, direction=f.direction)
            else:
                result = evaluation.evaluate(*args)
        except ValueError as e:  # the wrong kind of export, no labelled domain, bad data
            sys.exit(f"ERROR: {e}")
    print(json.dumps(result, indent=2))


def run():
    define_flags()
    cli.run_app(main, flags.FLAGS, __name__)

"""Scores an exported generator against real data.

The library behind ``python -m tfgan_zoo.evaluate`` (`tfgan_zoo.cli.evaluate`):
``python -m tfgan_zoo.evaluate --export_dir=saved_models/<name>/<version>
--dataset=idx:../shared/data/fashion-mnist`` draws ``--num_samples`` images
through the export's ``sample`` signature (seeds 0..N-1; labels cycling
through the classes for conditional models), takes as many real images of
``--split``, and prints FID, KID, IS, precision/recall and density/coverage as
JSON. ``--features=classifier`` (default) uses a domain classifier trained
on ``--classifier_split`` and cached in ``--classifier_dir``;
``--features=inception`` uses InceptionV3 (``--inception_weights``: imagenet,
a local .h5 path, or none for random weights).

An image-to-image export (Pix2Pix, CycleGAN) is scored per direction instead:
its outputs for ``--num_samples`` held-out inputs of the image-to-image
``--dataset`` (``--direction`` as in training) against the real images of the
domain it translates into, and for paired data the mean L1 to the targets.
"""

import dataclasses
import math
import os
import re

import numpy as np
import tensorflow as tf

from tfgan_zoo import data, images, metrics, options
from tfgan_zoo.data import DataError, translation
from tfgan_zoo.metrics import features


def real_batches(dataset, split, num_samples, batch_size=250, data_dir=None, seed=0, size=None):
    """``(images, labels)``: ``num_samples`` real images in [-1, 1] and their labels.

    ``size=(height, width)`` resizes the images (antialiased) when they differ,
    center-cropping non-square images to a square first when ``size`` is square.
    """
    ds, _ = data.load(dataset, batch_size, split=split, data_dir=data_dir, seed=seed)
    xs, ys = [], []
    for x, y in ds.take(math.ceil(num_samples / batch_size)):
        xs.append(x.numpy())
        ys.append(y.numpy())
    x, y = np.concatenate(xs)[:num_samples], np.concatenate(ys)[:num_samples]
    if size is not None and x.shape[1:3] != tuple(size):
        if size[0] == size[1]:  # a square target: center-crop first, as `data.resized`
            x = data.center_square(x)
        x = tf.image.resize(x, size, antialias=True).numpy()
    return x, y


def generated_batches(export_path, num_samples, batch_size=250, num_classes=None):
    """Batches from the export's ``sample`` signature for seeds ``0..num_samples-1``.

    Raises:
      ValueError: the export has no ``sample`` signature (not a generator export).
    """
    signatures = tf.saved_model.load(export_path).signatures
    if "sample" not in signatures:
        raise ValueError(
            f"{export_path} has no 'sample' signature (it has {', '.join(sorted(signatures))}): "
            f"it is not a generator export (image-to-image exports: `evaluate_translator`)."
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


@dataclasses.dataclass(frozen=True)
class Scoring:
    """The feature space the metrics are taken in: a domain classifier trained on
    ``classifier_split`` of the dataset (cached under ``classifier_dir``), or
    Inception (``kind="inception"``, with ``inception_weights``: "imagenet", a
    file, or None for random weights, which tests use)."""

    kind: str = "classifier"
    classifier_dir: str = "runs/classifiers"
    classifier_split: str = "train"
    inception_weights: str = "imagenet"

    @classmethod
    def of(cls, scoring, legacy):
        """``scoring``, or one made of the keywords of earlier versions (``feature_kind``
        and the three others) passed to `evaluate`; any other keyword is refused."""
        scoring = options.group_or_flat(cls, scoring, legacy, key="scoring",
                                        renamed={"feature_kind": "kind"})  # fmt: skip
        if legacy:
            raise TypeError(f"Unknown keywords {', '.join(legacy)}: see evaluation.Scoring.")
        return scoring


def evaluate(export_path, dataset, split="test", num_samples=2000, scoring=None, data_dir=None,
             **legacy):  # fmt: skip
    """The metrics dict of `tfgan_zoo.metrics.compare` for one export."""
    scoring = Scoring.of(scoring, legacy)
    real, labels = real_batches(dataset, split, num_samples, data_dir=data_dir)
    num_classes = int(labels.max()) + 1
    fake = generated_batches(export_path, num_samples, num_classes=num_classes)
    if scoring.kind == "inception":
        extractor = features.InceptionExtractor(scoring.inception_weights)
    else:
        extractor = domain_classifier(dataset, scoring.classifier_dir, scoring.classifier_split,
                                      data_dir)  # fmt: skip
    return metrics.compare(extractor, np.array_split(real, max(1, len(real) // 250)), fake)


def translator_directions(signatures):
    """The directions of an image-to-image export: ``["translate"]`` or ``["a_to_b", "b_to_a"]``."""
    return [name.removesuffix("_float") for name in sorted(signatures) if name.endswith("_float")]


def domain_classifier(domain, classifier_dir, split="train", data_dir=None, resolution=None):
    """A `ClassifierExtractor` for images of the labelled dataset ``domain``.

    Trained on ``split`` (resized to ``resolution`` when set) and cached in
    ``<classifier_dir>/<domain>_<size>px``, so each dataset and size gets its
    own classifier.
    """
    size = (resolution, resolution) if resolution else None
    try:
        x, y = real_batches(domain, split, 20_000, data_dir=data_dir, seed=1, size=size)
    except (DataError, FileNotFoundError) as e:
        raise type(e)(
            f"The domain classifier trains on --classifier_split={split}: {e} "
            f"Set it with --classifier_split."
        ) from None
    folder = f"{re.sub(r'[^A-Za-z0-9]+', '_', domain).strip('_')}_{x.shape[1]}px"
    return features.ClassifierExtractor.cached(
        os.path.join(classifier_dir, folder), images.to_uint8(x), y
    )


def _translate(signature, source, batch_size=250):
    return np.concatenate([
        signature(image=tf.constant(source[i : i + batch_size]))["images"].numpy()
        for i in range(0, len(source), batch_size)
    ])  # fmt: skip


def evaluate_translator(export_path, dataset, split="test", num_samples=1000, scoring=None,
                        data_dir=None, direction="a_to_b", **legacy):  # fmt: skip
    """``{direction: metrics}`` for an image-to-image export.

    Each direction translates ``num_samples`` inputs of ``split`` and is
    scored with `tfgan_zoo.metrics.compare` against the real images of its
    output domain (CycleGAN's ``b_to_a`` maps the targets back to the
    inputs); on paired data ``l1`` is the mean absolute difference from the
    true targets, in [-1, 1] units. Classifier features need a labelled
    output domain (``edges:<X>`` has X, ``unpaired:<A>,<B>`` has A and B).
    Keep ``num_samples`` within the split's size: beyond it the data
    pipeline repeats images.

    Raises:
      ValueError: not an image-to-image export, or no labelled domain for
        ``Scoring(kind="classifier")``.
    """
    scoring = Scoring.of(scoring, legacy)
    signatures = tf.saved_model.load(export_path).signatures
    directions = translator_directions(signatures)
    if not directions:
        raise ValueError(f"{export_path} is not an image-to-image export (no *_float signature).")
    resolution = signatures[f"{directions[0]}_float"].structured_outputs["images"].shape[1]
    ds, info = data.load(dataset, num_samples, split=split, data_dir=data_dir,
                         resolution=resolution, direction=direction, pairs=True)  # fmt: skip
    inputs, targets = (np.asarray(x) for x in next(iter(ds)))
    input_domain, output_domain = translation.labelled_domains(dataset, direction)
    inception = None
    if scoring.kind == "inception":
        inception = features.InceptionExtractor(scoring.inception_weights)

    def extractor(domain, name):
        if inception is not None:
            return inception
        if domain is None:
            raise ValueError(
                f"{dataset}: the {name} outputs have no labelled dataset to train a domain "
                f"classifier on; use --features=inception."
            )
        return domain_classifier(domain, scoring.classifier_dir, scoring.classifier_split,
                                 data_dir, resolution)  # fmt: skip

    def chunks(x):
        return np.array_split(x, max(1, len(x) // 250))

    results = {}
    for name in directions:
        forward = name != "b_to_a"
        source, real = (inputs, targets) if forward else (targets, inputs)
        outputs = _translate(signatures[f"{name}_float"], source)
        domain = output_domain if forward else input_domain
        results[name] = metrics.compare(extractor(domain, name), chunks(real), chunks(outputs))
        if info.paired:
            results[name]["l1"] = float(np.abs(outputs - real).mean())
    return results

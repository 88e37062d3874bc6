"""Feature extractors for the sample-quality metrics.

An extractor maps float images in [-1, 1] ``[batch, H, W, C]`` to
``(features [batch, d], class probabilities [batch, classes])``.

- `InceptionExtractor`: `keras.applications.InceptionV3` pool features (2048)
  and ImageNet class probabilities, on images resized to 299x299 (grayscale
  repeated to RGB). ``weights="imagenet"`` downloads Keras's weights when
  online; a path loads a local copy; ``None`` gives random weights (tests).
  Keras's ImageNet weights are not the 2015 TF graph behind published FIDs:
  numbers are comparable among runs of this library only.
- `ClassifierExtractor`: a small CNN trained on the real training split
  (MNIST, Fashion-MNIST), cached in a directory: penultimate features and its
  class probabilities, the usual offline "classifier FID" and classifier IS
  for MNIST-like data.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.images import from_uint8

CLASSIFIER_FILE = "domain_classifier.keras"


class InceptionExtractor:
    def __init__(self, weights="imagenet"):
        base = keras.applications.InceptionV3(include_top=True, weights=weights)
        pooled = base.get_layer("avg_pool").output
        self.model = keras.Model(base.input, [pooled, base.output])

    def __call__(self, images):
        images = tf.convert_to_tensor(images, tf.float32)
        if images.shape[-1] == 1:
            images = tf.repeat(images, 3, axis=-1)
        images = tf.image.resize(images, (299, 299))  # [-1, 1] is Inception's own range
        features, probabilities = self.model(images, training=False)
        return np.asarray(features), np.asarray(probabilities)


def build_classifier(input_shape, num_classes, feature_dim=128):
    """The domain classifier: ``images -> [features, logits]``."""
    images = keras.Input(input_shape)
    x = keras.layers.Conv2D(32, 3, 2, activation="relu")(images)
    x = keras.layers.Conv2D(64, 3, 2, activation="relu")(x)
    features = keras.layers.Dense(feature_dim, activation="relu", name="features")(
        keras.layers.Flatten()(x)
    )
    logits = keras.layers.Dense(num_classes, name="logits")(features)
    return keras.Model(images, [features, logits], name="domain_classifier")


def train_classifier(images, labels, epochs=3, seed=0):
    """Trains the domain classifier on uint8 ``images`` and integer ``labels``."""
    keras.utils.set_random_seed(seed)
    model = build_classifier(images.shape[1:], int(np.max(labels)) + 1)
    logits_only = keras.Model(model.input, model.outputs[1])  # shares the layers
    logits_only.compile(
        "adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
    )
    x = from_uint8(images)
    logits_only.fit(x, labels, epochs=epochs, batch_size=128, verbose=0)
    return model


class ClassifierExtractor:
    def __init__(self, model):
        self.model = model

    @classmethod
    def cached(cls, directory, images, labels, epochs=3):
        """Loads ``<directory>/domain_classifier.keras``, training and saving it first if absent."""
        path = os.path.join(directory, CLASSIFIER_FILE)
        if os.path.exists(path):
            return cls(keras.models.load_model(path, compile=False))
        model = train_classifier(images, labels, epochs)
        os.makedirs(directory, exist_ok=True)
        model.save(path)
        return cls(model)

    def __call__(self, images):
        features, logits = self.model(tf.convert_to_tensor(images, tf.float32), training=False)
        return np.asarray(features), np.asarray(tf.nn.softmax(logits))

"""Mode counting on Stacked MNIST (VEEGAN's and PacGAN's protocol).

A digit classifier labels each channel of a generated image; the three
digits give its mode (one of 1,000). Scored over 26,000 samples: the number
of modes covered, and the KL divergence ``KL(q || uniform)`` of the mode
histogram ``q`` to the uniform distribution of the data.

The classifier is trained once per digit source and cached (with its
held-out accuracy) in a directory; ``DigitClassifier.cached`` reports the
accuracy so each table can state it.
"""

import dataclasses
import json
import os

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.images import from_uint8

NUM_MODES = 1000
SAMPLES = 26_000
MODEL_FILE = "digit_classifier.keras"
INFO_FILE = "digit_classifier.json"


@dataclasses.dataclass(frozen=True)
class StackedModes:
    modes_covered: int
    kl: float
    counts: tuple

    def __str__(self):
        return f"{self.modes_covered}/{NUM_MODES} modes, KL {self.kl:.2f}"


def _network():
    """A small CNN that reaches ~99% on MNIST in a few epochs."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ], name="digit_classifier")  # fmt: skip


class DigitClassifier:
    """Labels grey digits ``[N, 28, 28, 1]`` in [-1, 1]; ``accuracy`` is its held-out one."""

    def __init__(self, model, accuracy):
        self.model, self.accuracy = model, accuracy

    @classmethod
    def train(cls, digits, labels, held_out=2000, epochs=8, seed=0):
        """Trains on uint8 ``digits`` but the last ``held_out``, scored on those."""
        keras.utils.set_random_seed(seed)
        model = _network()
        model.compile(
            keras.optimizers.Adam(1e-3),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        x, y = from_uint8(np.asarray(digits)), np.asarray(labels)
        model.fit(x[:-held_out], y[:-held_out], epochs=epochs, batch_size=128, verbose=0)
        accuracy = float(np.mean(np.argmax(model.predict(x[-held_out:], verbose=0), -1)
                                 == y[-held_out:]))  # fmt: skip
        return cls(model, accuracy)

    @classmethod
    def cached(cls, directory, digits, labels, **kwargs):
        """Loads the classifier of ``directory``, training and saving it first if absent."""
        model_path, info_path = (
            os.path.join(directory, MODEL_FILE),
            os.path.join(directory, INFO_FILE),
        )
        if os.path.exists(model_path) and os.path.exists(info_path):
            with open(info_path) as f:
                accuracy = json.load(f)["held_out_accuracy"]
            return cls(keras.models.load_model(model_path, compile=False), accuracy)
        classifier = cls.train(digits, labels, **kwargs)
        os.makedirs(directory, exist_ok=True)
        classifier.model.save(model_path)
        with open(info_path, "w") as f:
            json.dump({"held_out_accuracy": classifier.accuracy}, f)
        return classifier

    def digits(self, images, batch_size=1000):
        """Predicted digit of every ``[N, 28, 28, 1]`` image in [-1, 1]."""
        out = [
            np.argmax(self.model(tf.constant(images[i : i + batch_size]), training=False), -1)
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(out)

    def modes(self, images):
        """The mode ``100 a + 10 b + c`` of every stacked ``[N, 28, 28, 3]`` image in [-1, 1]."""
        images = np.asarray(images, np.float32)
        channels = np.transpose(images, (0, 3, 1, 2))[..., None].reshape(-1, 28, 28, 1)
        a, b, c = self.digits(channels).reshape(-1, 3).T
        return a * 100 + b * 10 + c


def mode_histogram(modes):
    """`StackedModes` of predicted ``modes``: coverage and KL to uniform."""
    counts = np.bincount(np.asarray(modes, np.int64), minlength=NUM_MODES)
    q = counts / counts.sum()
    nz = q > 0
    kl = float(np.sum(q[nz] * np.log(q[nz] * NUM_MODES)))
    return StackedModes(int(nz.sum()), kl, tuple(int(c) for c in counts))

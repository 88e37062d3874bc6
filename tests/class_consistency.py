"""Shared by the class-consistency tests: a real-data classifier, and agreement."""

import keras
import numpy as np

from tfgan_zoo.data import idx


def mnist(shared_dir):
    images, labels = idx.load_idx_dir(shared_dir, "test")
    return images, labels


def train_classifier(images, labels, epochs=2, seed=0):
    """A small CNN trained on real images scaled to [-1, 1]; ~98% on MNIST."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(images.shape[1:]),
            keras.layers.Conv2D(32, 3, 2, activation="relu"),
            keras.layers.Conv2D(64, 3, 2, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile("adam", loss, metrics=["accuracy"])
    x = images.astype(np.float32) / 127.5 - 1.0
    model.fit(x, labels, epochs=epochs, batch_size=128, verbose=0)
    return model


def agreement(classifier, generator_fn, num_classes=10, per_class=50):
    """Fraction of generated samples the classifier assigns to the requested class."""
    labels = np.repeat(np.arange(num_classes), per_class).astype(np.int32)
    images = np.asarray(generator_fn(labels))
    predicted = classifier.predict(images, verbose=0).argmax(axis=1)
    return float((predicted == labels).mean())

"""tfgan_zoo: the maintained GAN zoo for TensorFlow 2 / Keras 3."""

from setuptools import find_packages, setup

setup(
    name="tfgan_zoo",
    version="0.1.0",
    description="Classic GAN objectives as Keras 3 models trained with model.fit.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["tfgan_zoo", "tfgan_zoo.*"]),
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.0",
        "tensorflow-datasets>=4.9",
        "importlib_resources",  # imported by tensorflow-datasets without declaring it
        "numpy",
        "absl-py",
        "tensorboard",  # tf.summary needs it; TensorFlow no longer installs it
        "tensorflow-serving-api",  # PredictionLog protos for the exports' warm-up requests
        "pillow",  # the sample command's pictures, labels and animations; the tests' images
    ],
    # pytest-xdist: CI's two test processes; matplotlib: the benchmarks' plots
    extras_require={"test": ["pytest", "pytest-xdist", "ruff==0.17.6", "matplotlib"]},
    entry_points={
        "console_scripts": [
            "tfgan-zoo-train=tfgan_zoo.cli:run_train",
            "tfgan-zoo-export=tfgan_zoo.cli:run_export",
            "tfgan-zoo-evaluate=tfgan_zoo.cli:run_evaluate",
            "tfgan-zoo-sample=tfgan_zoo.cli:run_sample",
        ]
    },
)

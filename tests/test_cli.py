"""The command lines as a user runs them: help, quiet output, one-line errors."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import REPO

BIN = os.path.dirname(sys.executable)
NOISE = ("cuInit", "cuda", "cpu_feature_guard", "absl::InitializeLog", "deprecat")


def run(*argv, timeout=300):
    return run_all(list(argv), timeout=timeout)[0]


def run_all(*commands, timeout=300):
    """Runs the commands side by side (each spends seconds starting Python and
    TensorFlow on one core); returns their `subprocess.CompletedProcess`es."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    started = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=REPO, env=env) for c in commands]  # fmt: skip
    done = []
    for command, process in zip(commands, started, strict=True):
        out, err = process.communicate(timeout=timeout)
        done.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return done


def assert_one_line_error(result, *fragments):
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ERROR: "), result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in last, last


def test_help_lists_the_choices_and_exits_0():
    result, export = run_all([sys.executable, "-m", "tfgan_zoo.train", "--help"],
                             [os.path.join(BIN, "tfgan-zoo-export"), "--help"])  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    text = " ".join(result.stdout.split())  # absl wraps the lines
    assert "one of acgan, conditional, cyclegan, ebgan, gan, infogan, pix2pix" in text
    assert "hinge" in text and "resnet_projection" in text
    assert "tfgan_zoo.models.MODELS" not in text
    assert export.returncode == 0 and "--export_dir" in export.stdout, export.stderr


def test_a_cpu_run_prints_no_tensorflow_noise(tmp_path):
    result = run(
        os.path.join(BIN, "tfgan-zoo-train"), "--dataset=ring8", "--architecture=mlp",
        "--epochs=1", "--steps_per_epoch=2", "--log_every=1", "--sample_every=2",
        "--checkpoint_every=2", f"--model_dir={tmp_path / 'run'}", "--verbose=0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    for noise in NOISE:
        assert noise not in result.stderr, result.stderr
    assert "Exported generator:" in result.stdout
    # Resuming reads the TensorBoard events back, without deprecated readers.
    again = run(*result.args[:-1], "--epochs=2", "--verbose=0")
    assert again.returncode == 0 and "Trained to step 4" in again.stdout, again.stderr[-2000:]
    for noise in NOISE:
        assert noise not in again.stderr, again.stderr


def test_user_errors_are_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    file_dir, no_export = run_all(
        [sys.executable, "-m", "tfgan_zoo.train", "--dataset=ring8", "--architecture=mlp",
         f"--model_dir={tmp_path / 'file'}"],
        [sys.executable, "-m", "tfgan_zoo.evaluate", f"--export_dir={tmp_path}/nope",
         "--dataset=ring8"],
    )  # fmt: skip
    assert_one_line_error(file_dir, "is a file, not a directory")
    assert_one_line_error(no_export, "is not a SavedModel")


def test_export_cli_refuses_an_existing_version_in_one_line(tmp_path):
    from test_trainer import toy_config

    from tfgan_zoo import trainer

    trainer.train(toy_config(tmp_path, export=True, epochs=1))
    refused, result = run_all(
        [os.path.join(BIN, "tfgan-zoo-export"), f"--model_dir={tmp_path / 'run'}",
         f"--export_dir={tmp_path / 'run' / 'export'}", "--version=1"],
        [sys.executable, "-m", "tfgan_zoo.export", f"--model_dir={tmp_path / 'run'}",
         f"--export_dir={tmp_path / 'export'}"],
    )  # fmt: skip
    assert_one_line_error(refused, "already exists; versions are never overwritten")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Exported step 20" in result.stdout
    for noise in NOISE:
        assert noise not in result.stderr, result.stderr


def test_bad_flags_and_a_missing_flagfile_are_one_line(tmp_path):
    missing, bogus, bare = run_all(
        [sys.executable, "-m", "tfgan_zoo.train", f"--flagfile={tmp_path}/nope.flags"],
        [os.path.join(BIN, "tfgan-zoo-train"), "--bogus=1"],
        [sys.executable, "-m", "tfgan_zoo.export"],
    )  # fmt: skip
    assert_one_line_error(missing, "Unable to open flagfile", "nope.flags")
    assert len(missing.stderr.strip().splitlines()) == 1 and "FATAL" not in missing.stderr
    assert_one_line_error(bogus, "Unknown command line flag 'bogus'", "--help")
    assert_one_line_error(bare, "--model_dir must have a value", "--export_dir must")


def test_import_tfgan_zoo_reaches_the_library():
    import tfgan_zoo

    assert tfgan_zoo.models.GAN and tfgan_zoo.losses.LOSSES and tfgan_zoo.data.load
    assert "architectures" in dir(tfgan_zoo)
    with pytest.raises(AttributeError):
        tfgan_zoo.nothing_here  # noqa: B018


class SubclassedDiscriminator(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x, training=False):
        return self.out(self.hidden(x))


def test_networks_without_weights_are_built_from_the_latent_width():
    """A Sequential without an Input and a subclassed model: built in the constructor."""
    from tfgan_zoo import models

    generator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
    gan = models.GAN(generator, SubclassedDiscriminator(), latent_dim=4, seed=0)
    gan.compile()
    points = np.random.default_rng(0).standard_normal((64, 2)).astype("float32")
    history = gan.fit(points, batch_size=16, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


class SubclassedGenerator(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(2)

    def call(self, z, training=False):
        return self.out(self.hidden(z))


def test_subclassed_networks_train_on_grouped_batches_and_export(tmp_path):
    """Subclassed models have no output_shape: the sample shape comes from a call."""
    import tensorflow as tf

    from tfgan_zoo import data, models

    gan = models.GAN(SubclassedGenerator(), SubclassedDiscriminator(), latent_dim=4,
                     n_critic=2, seed=0)  # fmt: skip
    assert gan.sample_shape == (2,)
    gan.compile()
    dataset = data.critic_groups(data.load("ring8", batch_size=16)[0], 2)
    history = gan.fit(dataset, epochs=1, steps_per_epoch=3, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    path = gan.export_serving(str(tmp_path / "export"))
    points = tf.saved_model.load(path).signatures["sample"](seed=tf.range(5, dtype=tf.int64))
    assert points["images"].shape == (5, 2)


def test_networks_that_cannot_be_built_are_refused_with_a_fix():
    from tfgan_zoo import models

    wrong = keras.Sequential([keras.layers.Reshape((3, 3))])  # 4 values cannot be 3x3
    with pytest.raises(ValueError, match="keras.Input"):
        models.GAN(wrong, SubclassedDiscriminator(), latent_dim=4)
    unbuilt = keras.Sequential([keras.layers.Conv2D(1, 3, padding="same")])
    pix2pix = models.Pix2Pix(unbuilt, keras.Sequential([keras.layers.Conv2D(1, 3)]))
    with pytest.raises(ValueError, match=r"keras.Input\(shape=\(height, width, channels\)\)"):
        pix2pix.compile()


def test_fit_on_a_dataset_as_the_readme_shows_gives_no_shuffle_warning(recwarn):
    from tfgan_zoo import architectures, data, models

    dataset, info = data.load("ring8", batch_size=16)
    generator, discriminator = architectures.build("mlp", info.sample_shape, latent_dim=4)
    gan = models.GAN(generator, discriminator, latent_dim=4)
    gan.compile()
    gan.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    assert not [w for w in recwarn if "shuffle" in str(w.message)]


def test_help_shows_positional_arguments_and_the_pictures_with_examples():
    sample, records, evaluate = run_all(
        [sys.executable, "-m", "tfgan_zoo.sample", "--help"],
        [sys.executable, "-m", "tfgan_zoo.data.make_tfrecords", "--help"],
        [os.path.join(BIN, "tfgan-zoo-evaluate"), "--help"],
    )
    assert sample.returncode == 0, sample.stderr[-2000:]
    assert sample.stdout.startswith("Usage: python -m tfgan_zoo.sample <picture>")
    for picture in ("grid", "classes", "interpolate", "truncation", "translate"):
        assert f"python -m tfgan_zoo.sample {picture} --export_dir=" in sample.stdout, picture
    assert records.returncode == 0, records.stderr[-2000:]
    assert "<folder> <out_prefix>" in records.stdout and "--shards" in records.stdout
    assert evaluate.returncode == 0 and "--export_dir" in evaluate.stdout, evaluate.stderr
    text = " ".join(evaluate.stdout.split())
    assert "edges:<images>" in text and "unpaired:<A>,<B>" in text


def test_the_sample_commands_help_and_a_nonsense_size_load_no_tensorflow(tmp_path):
    """``python -m tfgan_zoo.sample --help`` and a bad flag answer before TensorFlow
    loads (a fraction of a second where loading it takes seconds), the bad flag in
    one line; a sitecustomize reports at exit whether TensorFlow was loaded."""
    report = "import atexit, sys\natexit.register(lambda: print('tensorflow' in sys.modules))\n"
    (tmp_path / "sitecustomize.py").write_text(report)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), REPO])
    for args in (["--help"], ["grid", "--export_dir=x", f"--out={tmp_path / 'a.png'}",
                              "--rows=0"]):  # fmt: skip
        result = subprocess.run([sys.executable, "-m", "tfgan_zoo.sample", *args], env=env,
                                cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
        assert result.stdout.splitlines()[-1] == "False", (args, result.stdout, result.stderr)
    assert_one_line_error(result, "--rows=0", "not a positive integer")
    assert "--rows=0: 0 is not a positive integer" in result.stderr


@pytest.mark.parametrize("flag", ["--rows=0", "--rows=-1", "--columns=-3", "--scale=0",
                                  "--scale=-2", "--steps=0"])  # fmt: skip
def test_the_sample_command_refuses_nonsense_sizes_naming_the_flag(flag, tmp_path):
    from absl import flags

    from tfgan_zoo.cli import sample

    fv = flags.FlagValues()
    sample.define_flags(fv)
    with pytest.raises(flags.IllegalFlagValueError, match=flag.split("=")[0]):
        fv(["tfgan-zoo-sample", "--export_dir=x", f"--out={tmp_path / 'a.png'}", flag])


def test_missing_data_and_a_refused_resume_are_one_line_on_stderr(tmp_path):
    """docs/training.md's promise: a user's error is one line on stderr, with no
    tensorflow-datasets warning before it and no log line of the run it stops."""
    offline = (
        "import sys\n"
        "from tfgan_zoo.cli import quiet_tensorflow\n"
        "quiet_tensorflow()\n"
        "from tfgan_zoo import data\n"
        "data.catalog.unreachable_host = lambda builder, timeout=5.0: 'no network (test)'\n"
        f"sys.argv = ['tfgan-zoo-train', '--dataset=cifar10', '--data_dir={tmp_path}/tfds',\n"
        f"            '--model_dir={tmp_path}/cifar']\n"
        "from tfgan_zoo.cli import run_train\n"
        "run_train()\n"
    )
    toy = [sys.executable, "-m", "tfgan_zoo.train", "--dataset=ring8", "--architecture=mlp",
           "--epochs=1", "--steps_per_epoch=2", "--checkpoint_every=2", "--sample_every=2",
           "--log_every=2", "--verbose=0", f"--model_dir={tmp_path / 'toy'}"]  # fmt: skip
    missing, first = run_all([sys.executable, "-c", offline], toy)
    assert first.returncode == 0, first.stderr[-2000:]
    refused = run(*toy, "--hidden_units=8")
    for result, fragment in ((missing, "Could not load dataset 'cifar10'"),
                             (refused, "hidden_units")):  # fmt: skip
        assert_one_line_error(result, fragment)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr


def test_an_error_during_fit_starts_its_own_line_on_a_terminal(monkeypatch):
    """Keras' progress bar leaves its line open on a terminal: the one-line error
    (a lost worker, say) is printed after a newline, not on the bar's line."""
    import io

    from tfgan_zoo import cli
    from tfgan_zoo.distribute import WorkerLostError

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    terminal.write("20/500 ━━━━━━━━━━━━━━━━━━━━ 12s 25ms/step - d_loss: 1.37")
    monkeypatch.setattr(sys, "stdout", terminal)
    with pytest.raises(SystemExit, match="^ERROR: Lost contact"):
        with cli.one_line_errors():
            raise WorkerLostError("Lost contact with another worker.")
    assert terminal.getvalue().endswith("d_loss: 1.37\n")


def test_the_library_never_imports_the_command_lines():
    """Only the ``python -m`` entry modules, which hold nothing but the call, import
    `tfgan_zoo.cli`; the library (export included) does not."""
    import ast
    import glob

    entries = {"train.py", "sample.py", "evaluate.py", os.path.join("export", "__main__.py"),
               os.path.join("data", "make_tfrecords.py")}  # fmt: skip
    root = os.path.join(REPO, "tfgan_zoo")
    importers = set()
    for path in glob.glob(os.path.join(root, "**", "*.py"), recursive=True):
        name = os.path.relpath(path, root)
        if name.startswith("cli" + os.sep):
            continue
        for node in ast.walk(ast.parse(open(path).read())):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(m.startswith("tfgan_zoo.cli") for m in modules):
                importers.add(name)
    assert importers == entries
    for name in entries:
        tree = ast.parse(open(os.path.join(root, name)).read())
        assert sum(not isinstance(n, ast.Expr) for n in tree.body) <= 2, name

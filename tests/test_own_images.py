"""A user's own images: folders and TFRecords in, pictures out (the sample command)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPO
from own_images import make_folder
from PIL import Image

from tfgan_zoo import data, trainer
from tfgan_zoo.config import ConfigError, TrainConfig
from tfgan_zoo.data import DataError, ImageOptions, files

BIN = os.path.dirname(sys.executable)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("own") / "pets"
    return root, make_folder(str(root))


def run(*argv, timeout=300, env=None):
    return subprocess.run(list(argv), capture_output=True, text=True, cwd=REPO,
                          timeout=timeout, env=env)  # fmt: skip


def test_a_folder_of_mixed_images_is_scanned_with_its_classes(folder, caplog):
    root, made = folder
    with caplog.at_level("WARNING"):
        found = files.scan_folder(str(root))
    assert found.class_names == ("cats", "dogs") and found.num_classes == 2
    assert found.count == len(made["cats"]) + len(made["dogs"]) == 12
    for path, label in zip(found.files, found.labels, strict=True):
        assert path in made[found.class_names[label]]  # labels are the subfolders' names
    assert sorted(os.path.basename(p) for p, _ in found.skipped) == ["bad.jpg", "truncated.png"]
    assert "skipped 2 unusable file(s)" in caplog.text and "bad.jpg" in caplog.text
    assert "README.txt" not in caplog.text  # not an image, not counted
    with pytest.raises(DataError, match="bad.jpg: not a PNG, JPEG, BMP or GIF"):
        files.scan_folder(str(root), strict=True)


def test_folder_images_come_out_in_the_asked_size_channels_and_range(folder):
    root, _ = folder
    for resize in files.RESIZE:
        for channels in (1, 3):
            options = ImageOptions(size=(16, 12), resize=resize, channels=channels)
            ds, info = data.load(f"folder:{root}", 6, images=options)
            x, y = (t.numpy() for t in next(iter(ds)))
            assert x.shape == (6, 16, 12, channels) and info.sample_shape == (16, 12, channels)
            assert x.dtype == np.float32 and -1.0 <= x.min() and x.max() <= 1.0
            assert set(y) <= {0, 1}
    # Default: the first image's size; a square --resolution stands for --image_size.
    _, info = data.load(f"folder:{root}", 2)
    assert info.sample_shape == files.scan_folder(str(root)).shape[:2] + (3,)
    _, info = data.load(f"folder:{root}", 2, resolution=8)
    assert info.sample_shape == (8, 8, 3)


def test_center_crop_pad_and_stretch_by_hand():
    image = np.zeros((4, 8, 1), np.uint8)
    image[:, 2:6] = 200  # a bright middle square between dark sides
    crop = files.fit(image, (4, 4), "center_crop").numpy()[..., 0]
    assert (crop == 200).all()  # only the middle square is kept
    pad = files.fit(image, (8, 8), "pad").numpy()[..., 0]
    assert (pad[:2] == 0).all() and (pad[-2:] == 0).all() and pad[2:6].mean() > 90
    stretch = files.fit(image, (4, 4), "stretch").numpy()[..., 0]
    assert stretch[:, 0].max() < 100 and stretch[:, 1:3].min() > 100


def test_unlabelled_empty_and_missing_folders(tmp_path):
    flat = tmp_path / "flat"
    make_folder(str(flat), classes=(), per_class=3)
    found = files.scan_folder(str(flat))
    assert found.class_names is None and found.count == 3
    _, info = data.load(f"folder:{flat}", 2)
    assert info.num_classes == 0
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no PNG, JPEG, BMP or GIF image"):
        data.load(f"folder:{tmp_path / 'empty'}", 2)
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        data.load(f"folder:{tmp_path / 'missing'}", 2)


def test_the_decoded_images_are_cached_once_and_read_back(folder, tmp_path):
    root, _ = folder
    options = ImageOptions(size=(8, 8), cache=str(tmp_path / "cache"))
    first = next(iter(data.load(f"folder:{root}", 12, seed=3, images=options)[0]))
    [index] = [p for p in os.listdir(tmp_path / "cache") if p.endswith(".index")]
    again = next(iter(data.load(f"folder:{root}", 12, seed=3, images=options)[0]))
    np.testing.assert_array_equal(first[0], again[0])
    other = ImageOptions(size=(8, 8), channels=1, cache=str(tmp_path / "cache"))
    assert next(iter(data.load(f"folder:{root}", 2, images=other)[0]))[0].shape[-1] == 1
    assert len([p for p in os.listdir(tmp_path / "cache") if p.endswith(".index")]) == 2


def own_config(tmp_path, dataset, **overrides):
    values = dict(model="conditional", architecture="conditional_dcgan", dataset=dataset,
                  image_size="16", latent_dim=8, base_filters=4, batch_size=4, epochs=1,
                  steps_per_epoch=4, checkpoint_every=4, sample_every=4, log_every=2,
                  model_dir=str(tmp_path / "run"), verbose=0)  # fmt: skip
    values.update(overrides)
    return TrainConfig(**values)


def test_the_trainer_trains_on_a_folder_and_exports_its_class_names(folder, tmp_path):
    root, _ = folder
    result = trainer.train(own_config(tmp_path, f"folder:{root}"))
    assert result.final_step == 4
    metadata = json.loads(open(os.path.join(result.export_path, "assets.extra",
                                            "tfgan_zoo.json")).read())  # fmt: skip
    assert metadata["class_names"] == ["cats", "dogs"] and metadata["image_shape"] == [16, 16, 3]
    with pytest.raises(ConfigError, match="--image_size, --channels apply to your own images"):
        TrainConfig(dataset="fashion_mnist", image_size="32", channels=1)
    with pytest.raises(ConfigError, match="--resize: unknown value 'squash'"):
        TrainConfig(dataset=f"folder:{root}", resize="squash")


@pytest.mark.parametrize(
    "model,architecture", [("gan", "dcgan"), ("conditional", "conditional_dcgan")]
)
def test_a_folder_trains_at_a_rectangular_size_and_draws_it(folder, tmp_path, model,
                                                              architecture):  # fmt: skip
    """--image_size=32x24 (height x width) end to end: training, the export's
    image shape, and a grid drawn by the sample command."""
    root, _ = folder
    config = own_config(tmp_path, f"folder:{root}", image_size="32x24", model=model,
                        architecture=architecture, steps_per_epoch=2, checkpoint_every=2,
                        sample_every=2)  # fmt: skip
    result = trainer.train(config)
    assert result.final_step == 2
    assert result.model.generator.output_shape[1:] == (32, 24, 3)
    export = os.path.dirname(result.export_path)
    sampled = tf.saved_model.load(result.export_path).signatures["sample"]
    inputs = {"seed": tf.constant([1, 2], tf.int64)}
    if model == "conditional":
        inputs["label"] = tf.constant([0, 1], tf.int32)
    assert sampled(**inputs)["images_uint8"].shape == (2, 32, 24, 3)
    args = ["grid", f"--export_dir={export}", "--rows=2", "--columns=3",
            f"--out={tmp_path / 'g.png'}"]  # fmt: skip
    grid = run_in_process("tfgan_zoo.sample", args)
    assert Image.open(grid[0]).size[1] / Image.open(grid[0]).size[0] == pytest.approx(
        2 * 32 / (3 * 24), rel=0.1
    )


def test_a_folder_of_one_class_is_refused_for_a_conditional_model_in_one_line(tmp_path):
    make_folder(str(tmp_path / "one"), classes=("only",), per_class=2)
    result = run(sys.executable, "-m", "tfgan_zoo.train", "--model=conditional",
                 "--architecture=conditional_dcgan", f"--dataset=folder:{tmp_path / 'one'}",
                 "--image_size=16", f"--model_dir={tmp_path / 'run'}")  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ERROR: ") and "two or more classes" in last and "got 1" in last
    assert "--model=gan" in last


@pytest.fixture(scope="module")
def shards(folder, tmp_path_factory):
    root, _ = folder
    prefix = tmp_path_factory.mktemp("records") / "pets"
    result = run(sys.executable, "-m", "tfgan_zoo.data.make_tfrecords", str(root), str(prefix),
                 "--shards", "3")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Wrote 12 images (2 classes: cats, dogs) to 3 shards" in result.stdout
    assert f"--dataset=tfrecord:{prefix}-*.tfrecord" in result.stdout
    return f"{prefix}-*.tfrecord"


def test_the_converter_writes_shards_that_load_like_the_folder(shards, folder):
    found = files.scan_tfrecords(shards)
    assert len(found.files) == 3 and found.count == 12
    assert found.class_names == ("cats", "dogs")
    ds, info = data.load(f"tfrecord:{shards}", 12, images=ImageOptions(size=(8, 8)))
    x, y = next(iter(ds))
    assert x.shape == (12, 8, 8, 3) and sorted(y.numpy()) == [0] * 6 + [1] * 6
    assert info.class_names == ("cats", "dogs")


def test_shards_of_a_mostly_grey_folder_train_in_colour_as_the_folder_does(tmp_path):
    """Five grey PNGs and one colour JPEG: the folder trains at 3 channels, and so do
    its shards, with the converter's sidecar and (decoding every record) without."""
    from own_images import save

    rng = np.random.default_rng(0)
    for i in range(5):
        save(str(tmp_path / "mixed" / f"{i}.png"), rng.integers(0, 255, (12, 10), np.uint8), "PNG")
    save(str(tmp_path / "mixed" / "5.jpg"), rng.integers(0, 255, (20, 16, 3), np.uint8), "JPEG")
    folder_scan = files.scan_folder(str(tmp_path / "mixed"))
    paths = files.write_tfrecords(folder_scan, str(tmp_path / "rec" / "mixed"), 2)
    feature = {files.KEYS[0]: tf.io.FixedLenFeature([], tf.string)}
    record = next(iter(tf.data.TFRecordDataset(paths[:1])))
    first = files.decode_any(tf.io.parse_single_example(record, feature)[files.KEYS[0]])
    assert first.shape[-1] == 1  # the case the first record alone got wrong
    pattern = str(tmp_path / "rec" / "mixed-*.tfrecord")
    for with_sidecar in (True, False):
        if not with_sidecar:
            os.remove(files.sidecar_path(str(tmp_path / "rec" / "mixed")))
        record_scan = files.scan_tfrecords(pattern)
        assert (record_scan.grey, record_scan.count) == (False, 6)
        if with_sidecar:  # the folder's first image, so the default size agrees too
            assert record_scan.shape == folder_scan.shape
        for name in (f"folder:{tmp_path / 'mixed'}", f"tfrecord:{pattern}"):
            _, info = data.load(name, 2, images=ImageOptions(size=(8, 8)))
            assert info.sample_shape == (8, 8, 3), name


def test_tfrecords_with_other_keys_or_broken_files_get_clear_errors(tmp_path, shards):
    with pytest.raises(DataError, match="set --tfrecord_keys") as raised:
        files.scan_tfrecords(shards, keys=("img", "image/class/label", "image/class/text"))
    message = str(raised.value)
    assert (
        "holds image/class/label (int64_list), image/class/text (bytes_list), "
        "image/encoded (bytes_list)" in message
    )
    assert "function_node" not in message and "{{" not in message
    (tmp_path / "junk.tfrecord").write_bytes(b"\x00" * 40)
    with pytest.raises(DataError, match="truncated or not a TFRecord"):
        files.scan_tfrecords(str(tmp_path / "junk.tfrecord"))
    with pytest.raises(FileNotFoundError, match="no file matches"):
        files.scan_tfrecords(str(tmp_path / "none-*.tfrecord"))


BLOCKED = ("keras", "tensorflow_datasets", "tfgan_zoo.models", "tfgan_zoo.trainer",
           "tfgan_zoo.architectures", "tfgan_zoo.callbacks", "tfgan_zoo.losses",
           "tfgan_zoo.config", "tfgan_zoo.rng", "tfgan_zoo.export")  # fmt: skip


def sample(*args):
    """The sample command in a process where Keras and the training code cannot load."""
    code = (
        "import sys\n"
        f"for name in {BLOCKED!r}:\n"
        "    sys.modules[name] = None\n"
        f"sys.argv = ['tfgan-zoo-sample', *{list(args)!r}]\n"
        "from tfgan_zoo.cli import run_sample\n"
        "run_sample()\n"
    )
    return run(sys.executable, "-c", code)


@pytest.fixture(scope="module")
def conditional_export(folder, tmp_path_factory):
    root, _ = folder
    tmp = tmp_path_factory.mktemp("cond")
    return trainer.train(own_config(tmp, f"folder:{root}", image_size="8")).export_path


def png_size(path):
    with Image.open(path) as image:
        return image.size


def test_the_sample_command_draws_grids_classes_and_truncations_without_keras(
    conditional_export, tmp_path
):
    out = tmp_path / "grid.png"
    result = sample("grid", f"--export_dir={os.path.dirname(conditional_export)}",
                    f"--out={out}", "--rows=2", "--columns=3", "--scale=2")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert png_size(out) == (2 * (3 * 10 + 2), 2 * (2 * 10 + 2))  # 8-pixel images, 2 apart
    again = tmp_path / "again.png"
    assert sample("grid", f"--export_dir={conditional_export}", f"--out={again}", "--rows=2",
                  "--columns=3", "--scale=2").returncode == 0  # fmt: skip
    assert out.read_bytes() == again.read_bytes()  # deterministic by seed
    classes = tmp_path / "classes.png"
    assert sample("classes", f"--export_dir={conditional_export}", f"--out={classes}",
                  "--columns=4").returncode == 0  # fmt: skip
    width, height = png_size(classes)
    assert height == 2 * 10 + 2 and width > 4 * 10 + 2  # a row per class, labels at the left
    truncation = tmp_path / "truncation.png"
    result = sample("truncation", f"--export_dir={conditional_export}", f"--out={truncation}",
                    "--truncations=0.5,1,2", "--columns=2", "--label=dogs")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert png_size(truncation)[1] == 3 * 10 + 2


def test_the_sample_command_interpolates_into_a_gif(conditional_export, tmp_path):
    gif = tmp_path / "walk.gif"
    result = sample("interpolate", f"--export_dir={conditional_export}", f"--out={gif}",
                    "--seeds=0,5,9", "--steps=4", "--label=1")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    with Image.open(gif) as image:
        assert image.n_frames == 2 * 3 + 1 and image.size == (8, 8)  # seed 5 shown once


def test_the_sample_command_refuses_the_wrong_export_kind_in_one_line(tmp_path):
    run_dir = tmp_path / "toy"
    export = trainer.train(TrainConfig(architecture="mlp", dataset="ring8", latent_dim=4,
                                       hidden_units=8, batch_size=8, epochs=1, steps_per_epoch=2,
                                       model_dir=str(run_dir), verbose=0)).export_path  # fmt: skip
    from tfgan_zoo.sampling import SampleError

    wrong = ["classes", f"--export_dir={export}", f"--out={tmp_path / 'x.png'}"]
    result = sample(*wrong)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("ERROR: ")
    assert "needs a conditional_generator export" in result.stderr
    with pytest.raises(SampleError, match="needs a translator export"):  # in this process
        run_in_process("tfgan_zoo.sample", ["translate", *wrong[1:], f"--input={tmp_path}"])
    with pytest.raises(SampleError, match="is not an export"):
        run_in_process("tfgan_zoo.sample", ["grid", f"--export_dir={tmp_path / 'nope'}",
                                            f"--out={tmp_path / 'y.png'}"])  # fmt: skip
    points = tmp_path / "points.png"
    assert sample("grid", f"--export_dir={export}", f"--out={points}").returncode == 0
    assert png_size(points) == (256, 256)  # toy points: a scatter plot


def test_the_sample_command_translates_a_folder(tmp_path, folder):
    from test_translation import resnet_pair

    from tfgan_zoo import models

    (g, d_b), (f, d_a) = resnet_pair(), resnet_pair()
    cyclegan = models.CycleGAN(g, f, d_a, d_b, seed=0)
    cyclegan.compile()
    export = cyclegan.export_serving(str(tmp_path / "cyclegan"))
    root, made = folder
    grid = tmp_path / "pairs.png"
    result = sample("translate", f"--export_dir={export}", f"--out={grid}",
                    f"--input={root / 'cats'}")  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "skipped 1 unusable file(s)" in result.stderr and "bad.jpg (not a PNG" in result.stderr
    assert png_size(grid)[1] > png_size(grid)[0]  # 6 rows of input | output
    out_dir = tmp_path / "translated"
    result = sample("translate", f"--export_dir={export}", f"--out={out_dir}",
                    f"--input={root / 'dogs'}")  # fmt: skip
    assert result.returncode == 0 and "truncated.png (corrupt or truncated" in result.stderr
    assert sorted(os.listdir(out_dir)) == sorted(
        os.path.splitext(os.path.basename(p))[0] + ".png" for p in made["dogs"]
    )


def test_the_entry_point_is_installed():
    result = run(os.path.join(BIN, "tfgan-zoo-sample"), "--help")
    assert result.returncode == 0 and "--export_dir" in result.stdout


def test_the_image_decoder_converts_every_colour_mode():
    import io

    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 10
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, "PNG")
    rgb = files.decode(buffer.getvalue(), 3).numpy()
    assert rgb.shape == (4, 4, 3) and (rgb[..., 0] == 200).all()  # alpha dropped
    grey = files.decode(buffer.getvalue(), 1).numpy()
    assert grey.shape == (4, 4, 1) and abs(int(grey[0, 0, 0]) - round(0.2989 * 200)) <= 1
    buffer = io.BytesIO()
    Image.fromarray(np.full((4, 4), 77, np.uint8)).save(buffer, "BMP")
    assert (files.decode(buffer.getvalue(), 3).numpy() == 77).all()
    assert tf.io.decode_image(buffer.getvalue()).shape == (4, 4, 1)


SHORT = ["--epochs=1", "--steps_per_epoch=2", "--batch_size=4", "--base_filters=4",
         "--image_size=16", "--sample_every=2", "--checkpoint_every=2", "--log_every=2",
         "--verbose=0"]  # fmt: skip


def readme_commands(*headings):
    """The ``python -m tfgan_zoo...`` lines of README's sh blocks under ``headings``."""
    import re

    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    commands = []
    for heading in headings:
        start = readme.index(heading)
        section = readme[start : readme.find("\n## ", start + 1)]
        for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
            commands += [line for line in block.splitlines() if line.startswith("python -m")]
    return commands


def run_in_process(module, args):
    """``python -m <module> <args>`` for the train and sample commands, in this
    process (their own flag parsers; a Python start costs ~8 s a command).
    Returns the trainer's result or the paths the sample command wrote."""
    from absl import flags
    from test_trainer import parse

    from tfgan_zoo.cli import sample

    if module == "tfgan_zoo.train":
        return trainer.train(parse(*args))
    assert module == "tfgan_zoo.sample", module
    fv = flags.FlagValues()
    sample.define_flags(fv)
    fv(["tfgan-zoo-sample", *args[1:]])
    return sample.draw(args[0], fv)


def run_readme_command(command, tmp_path, replace):
    """One README command with its paths moved under ``tmp_path`` (``runs/``,
    ``data/``, ``--out``), ``replace``'s placeholders filled, and the training
    budget cut to ``SHORT``."""
    import shlex

    for placeholder, path in replace.items():
        command = command.replace(placeholder, path)
    args = [a.replace("runs/", f"{tmp_path}/runs/").replace("data/my", f"{tmp_path}/data/my")
            for a in shlex.split(command)]  # fmt: skip
    args = [a if not a.startswith("--out=") else f"--out={tmp_path / a[6:]}" for a in args]
    module, args = args[2], args[3:]
    if module == "tfgan_zoo.train":
        own = any(a.startswith(("--dataset=folder:", "--dataset=tfrecord:")) for a in args)
        short = [a for a in SHORT if own or not a.startswith("--image_size")]
        result = run_in_process(module, [*args, *short])
        assert result.final_step == 2, command
    elif module == "tfgan_zoo.sample":
        assert os.path.getsize(run_in_process(module, args)[0]) > 0, command
    else:  # the converter, as a user starts it
        result = run(sys.executable, "-m", module, *args)
        assert result.returncode == 0, (command, result.stderr[-2000:])


def test_the_readme_commands_for_own_images_and_pictures_run(tmp_path, folder, monkeypatch):
    """README's own-image and picture commands, as written but for paths and
    budget: trained on a test folder for 2 steps, drawn from those exports."""
    from test_translation import resnet_pair

    from tfgan_zoo import models

    monkeypatch.chdir(REPO)
    root, made = folder
    (g, d_b), (f, d_a) = resnet_pair(), resnet_pair()
    translator = models.CycleGAN(g, f, d_a, d_b, seed=0)
    translator.compile()
    translator.export_serving(str(tmp_path / "runs" / "pix2pix_edges_fashion_mnist" / "export"))
    commands = readme_commands("## Your own images", "## Pictures from an export")
    assert len(commands) == 9
    places = {"path/to/images": str(root), "path/to/edges": os.path.dirname(made["cats"][0])}
    for command in commands:
        run_readme_command(command, tmp_path, places)
    for out in ("grid.png", "classes.png", "walk.gif", "truncation.png", "pairs.png"):
        assert (tmp_path / out).stat().st_size > 0


def test_the_readme_gallery_commands_run(tmp_path, folder, monkeypatch):
    """README's gallery, as written but for paths and budget: each flagfile on its
    offline data for 2 steps, then its picture drawn from the export."""
    from conftest import shared_dir

    for name in ("fashion-mnist", "mnist"):
        shared_dir(name)  # skips without the offline data
    monkeypatch.chdir(REPO)
    root, made = folder
    commands = readme_commands("## Gallery")
    assert [c.split()[2] for c in commands] == ["tfgan_zoo.train", "tfgan_zoo.sample",
                                                 "tfgan_zoo.sample"] + ["tfgan_zoo.train",
                                                 "tfgan_zoo.sample"] * 3  # fmt: skip
    places = {"path/to/garments": str(root), "path/to/edges": os.path.dirname(made["cats"][0])}
    for command in commands:
        run_readme_command(command, tmp_path, places)
    for out in ("dcgan_fashion_mnist", "dcgan_interpolation", "cgan_folder_classes",
                "infogan_mnist", "pix2pix_edges"):  # fmt: skip
        assert (tmp_path / f"{out}.png").stat().st_size > 0

"""The pretrained exports in ``saved_models/``: trained, scored, chosen, exported, described.

Each zoo model is a flagfile of ``flags/`` on the offline data of
``../shared/data``, trained once (seed 0) to its budget with a checkpoint
every ``every`` steps, all kept. Every checkpoint is exported to a scratch
folder and scored by what a user runs, ``python -m tfgan_zoo.evaluate``
(`tfgan_zoo.evaluation`: classifier FID and KID of ``SAMPLES`` images against as
many test images; for Pix2Pix its translations of held-out edge maps; for the
toy, PacGAN's mode coverage of 2,500 points), both the generator's moving
average and its raw weights when it keeps one. The best point (lowest FID,
or for the toy most modes then lowest reverse KL) becomes
``saved_models/<name>/<version>/``, a new version folder, never a rewrite;
its model card (``saved_models/<name>/README.md``) and the table of
``saved_models/README.md`` are written from the committed scores
(``benchmarks/scores/zoo.jsonl``), and its sample grid by
``python -m tfgan_zoo.sample`` from the committed export.

The point is chosen on the test split's FID, so a card's FID is the best of
its curve, not an unbiased estimate; each card also gives the last point's.

Resumable: training continues from ``--work_dir`` (outside the work tree),
a scored point is not scored again, and an export made from the chosen point
is not made again. ``--table_only`` trains and scores nothing: it rewrites
the cards and the table from the scores (and the grids from the exports).

    nice python benchmarks/zoo.py                        # everything left to do
    nice python benchmarks/zoo.py --models dcgan_fashion_mnist
    python benchmarks/zoo.py --table_only
"""

import argparse
import dataclasses
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

from records import REPO, RUNS, SCORES, append_score, load_scores, parse_flagfile

FASHION = "idx:../shared/data/fashion-mnist"
MNIST = "idx:../shared/data/mnist"
SAMPLES = 5000
TOY_SAMPLES = 2500
SAVED = os.path.join(REPO, "saved_models")
KEY = ("model", "steps", "weights")
FASHION_LICENCE = "Fashion-MNIST (Zalando Research), MIT licence"
MNIST_LICENCE = (
    "MNIST (LeCun, Cortes and Burges), the 10,000-image test split; the data set is "
    "distributed without a stated licence (tensorflow-datasets lists it as CC BY-SA 3.0)"
)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One zoo model: its flagfile and the flags added to it, the budget, and how it
    is scored (``dataset``/``split`` of `tfgan_zoo.evaluation`, or the toy set)."""

    flagfile: str
    flags: tuple
    steps: int
    every: int
    what: str
    data: str
    dataset: str = FASHION
    split: str = "test"
    classifier_split: str = "train"
    toy: str = ""
    translator: bool = False
    samples: int = SAMPLES  # generated (and real) images scored; the toy's: TOY_SAMPLES


ZOO = {
    "dcgan_fashion_mnist": Entry(
        "dcgan_fashion_mnist", (f"--dataset={FASHION}", "--ema_decay=0.999"), 10000, 2500,
        "DCGAN (non-saturating loss), 28x28 grey", FASHION_LICENCE,
    ),
    "cgan_fashion_mnist": Entry(
        "cgan_fashion_mnist", (f"--dataset={FASHION}", "--ema_decay=0.999"), 10000, 2500,
        "conditional GAN (label concatenated), 10 classes with their names", FASHION_LICENCE,
    ),
    "infogan_mnist": Entry(
        "infogan_mnist", (f"--dataset={MNIST}", "--split=test", "--ema_decay=0.999"), 10000,
        2500, "InfoGAN: 10-way categorical and 2 continuous codes, 28x28 digits",
        MNIST_LICENCE, dataset=MNIST, classifier_split="test",
    ),
    "pix2pix_edges_fashion_mnist": Entry(
        "pix2pix_edges_fashion_mnist", (f"--dataset=edges:{FASHION}", "--base_filters=32"),
        6000, 1500, "Pix2Pix: edge map -> garment, 28x28 grey", FASHION_LICENCE,
        dataset=f"edges:{FASHION}", translator=True,
    ),
    "ns_gan_ring8": Entry(
        "ns_gan_ring8", (), 24000, 3000, "non-saturating GAN on 8 Gaussians on a ring (2-D)",
        "ring8, drawn by tfgan_zoo.data.toy (no licence needed)", toy="ring8",
        samples=TOY_SAMPLES,
    ),
}  # fmt: skip


def tiny(entry):
    """``--tiny``: the same entry at a test's size (two scored points of a few
    steps, small networks and batches, 200 samples)."""
    every = 10
    small = ("--batch_size=8",) if entry.toy else ("--batch_size=8", "--base_filters=4")
    return dataclasses.replace(entry, flags=entry.flags + small, steps=2 * every, every=every,
                               samples=200)  # fmt: skip


def train_config(name, entry, work_dir):
    """The entry's flagfile and flags, trained to its budget with every checkpoint kept."""
    config = parse_flagfile(entry.flagfile, *entry.flags)
    return dataclasses.replace(
        config, epochs=entry.steps // entry.every, steps_per_epoch=entry.every,
        checkpoint_every=entry.every, sample_every=entry.every, keep_checkpoints=1000,
        model_dir=os.path.join(work_dir, name), export_dir=os.path.join(work_dir, name, "end"),
        verbose=0,
    )  # fmt: skip


def export_point(model, weights, base_dir, class_names):
    """Exports the generator of ``weights`` ("ema" or "raw") at the model's step."""
    from tfgan_zoo import export

    step = int(model.steps_done.numpy())
    names = list(class_names) if class_names else None
    if weights == "ema" or getattr(model, "ema_generator", None) is None:
        return model.export_serving(base_dir, step=step, class_names=names)
    return export.export_generator(
        model.generator, model.generator_input_dim, base_dir, model.num_classes, step=step,
        class_names=names, model=type(model).__name__, ema=False,
        latent=model.latent_distribution,
    )  # fmt: skip


def score_export(path, entry, classifier_dir):
    """The scores of one export: the evaluation's, or the toy's mode coverage."""
    from tfgan_zoo import evaluation, metrics
    from tfgan_zoo.data import TOY_SETS

    if entry.toy:
        batches = evaluation.generated_batches(path, entry.samples)
        import numpy as np

        points = np.concatenate(list(batches)).reshape(-1, 2)
        toy = TOY_SETS[entry.toy]()
        result = metrics.mode_coverage(points, toy.means, toy.std)
        return {"modes": result.modes_covered, "hq": result.high_quality_fraction,
                "rkl": min(result.reverse_kl, 99.0), "num_samples": entry.samples}  # fmt: skip
    scoring = evaluation.Scoring(
        classifier_dir=classifier_dir, classifier_split=entry.classifier_split
    )
    common = dict(split=entry.split, scoring=scoring)
    if entry.translator:
        result = evaluation.evaluate_translator(path, entry.dataset, num_samples=entry.samples,
                                                **common)["translate"]  # fmt: skip
    else:
        result = evaluation.evaluate(path, entry.dataset, num_samples=entry.samples, **common)
    keep = ("fid", "kid", "precision", "recall", "l1", "classifier_is")
    return {**{k: float(v) for k, v in result.items() if k in keep},
            "num_samples": entry.samples}  # fmt: skip


def class_names_of(model_dir):
    """The class names the run's data had (its run.json)."""
    with open(os.path.join(model_dir, "run.json")) as f:
        return json.load(f).get("class_names")


def weights_of(model):
    return ("ema", "raw") if getattr(model, "ema_generator", None) is not None else ("raw",)


def run(name, entry, args):
    """Trains what is left of ``name`` and scores its unscored checkpoints."""
    from tfgan_zoo import trainer

    config = train_config(name, entry, args.work_dir)
    started = time.time()
    result = trainer.train(config)
    print(f"{name}: trained to step {result.final_step} ({(time.time() - started) / 60:.1f} min "
          f"this call)", flush=True)  # fmt: skip
    done = load_scores(args.scores, KEY)
    class_names = class_names_of(config.model_dir)
    for step in range(entry.every, entry.steps + 1, entry.every):
        model, _ = trainer.restore_model(config.model_dir, step=step)
        for weights in weights_of(model):
            if (name, step, weights) in done:
                continue
            began = time.time()
            with tempfile.TemporaryDirectory() as scratch:
                path = export_point(model, weights, scratch, class_names)
                values = score_export(path, entry, args.classifier_dir)
            append_score(args.scores, {
                "model": name, "steps": step, "weights": weights, **values,
                "seconds": round(time.time() - began, 1),
                "date": datetime.date.today().isoformat(),
            })  # fmt: skip
            print(f"{name} step {step} {weights}: {values}", flush=True)


def best(rows, entry):
    """The chosen point of a model's rows: lowest FID, or (toy) most modes, lowest rKL."""
    if entry.toy:
        return max(rows, key=lambda r: (r["modes"], -r["rkl"]))
    return min(rows, key=lambda r: r["fid"])


def export_best(name, entry, rows, args):
    """``saved_models/<name>/<v>``: the chosen point, exported once (a new version
    folder, never a rewrite); returns the version folder."""
    from tfgan_zoo import export, trainer

    chosen = best(rows, entry)
    base = os.path.join(args.saved_models, name)
    for version in sorted(os.listdir(base) if os.path.isdir(base) else [], reverse=True):
        meta = export.read_metadata(os.path.join(base, version)) if version.isdigit() else None
        if (
            meta
            and meta.get("step") == chosen["steps"]
            and meta.get("ema") == (chosen["weights"] == "ema")
        ):
            return os.path.join(base, version)
    config = train_config(name, entry, args.work_dir)
    model, _ = trainer.restore_model(config.model_dir, step=chosen["steps"])
    return export_point(model, chosen["weights"], base, class_names_of(config.model_dir))


def version_size(path):
    """Bytes of one export version folder."""
    return sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path)
               for f in files)  # fmt: skip


GOLDEN_SEEDS = [0, 1, 2, 42]


def golden(path, entry):
    """The sha256 of what the export serves for `GOLDEN_SEEDS` (uint8 images of
    ``sample``; a translator's ``translate`` of the recorded edge maps; the toy's
    points rounded to 4 decimals): the compatibility test's record."""
    import hashlib

    import numpy as np
    import tensorflow as tf

    signatures = tf.saved_model.load(path).signatures
    seeds = tf.constant(GOLDEN_SEEDS, tf.int64)
    if entry.translator:
        out = signatures["serving_default"](image=tf.constant(golden_inputs()))["images_uint8"]
        data = out.numpy().tobytes()
    elif entry.toy:
        data = np.round(signatures["sample"](seed=seeds)["images"].numpy(), 4).tobytes()
    else:
        inputs = {"seed": seeds}
        if "label" in signatures["sample"].structured_input_signature[1]:
            inputs["label"] = tf.constant([0, 1, 2, 3], tf.int32)
        data = signatures["sample"](**inputs)["images_uint8"].numpy().tobytes()
    return hashlib.sha256(data).hexdigest()


def golden_inputs():
    """Four fixed 28x28 edge maps (uint8): the translator's golden inputs."""
    import numpy as np

    rng = np.random.default_rng(0)
    edges = np.full((4, 28, 28, 1), 255, np.uint8)
    for i in range(4):
        top, left = rng.integers(4, 10, 2)
        edges[i, top : top + 14, left] = edges[i, top : top + 14, left + 10] = 0
        edges[i, top, left : left + 11] = edges[i, top + 14, left : left + 11] = 0
    return edges


def draw_grid(name, entry, version):
    """The card's picture, by the sample command from the committed export."""
    from tfgan_zoo import export

    folder = os.path.relpath(os.path.dirname(version), REPO)
    out, export_dir = os.path.join(folder, "samples.png"), folder  # the newest version
    base = [sys.executable, "-m", "tfgan_zoo.sample"]
    if entry.translator:
        inputs = os.path.join(folder, "edges")
        os.makedirs(inputs, exist_ok=True)
        from PIL import Image

        for i, edge in enumerate(golden_inputs()):
            Image.fromarray(edge[..., 0]).save(os.path.join(inputs, f"edge_{i}.png"))
        args = ["translate", f"--export_dir={export_dir}", f"--input={inputs}", "--scale=3"]
    elif (export.read_metadata(version) or {}).get("kind") == "conditional_generator":
        args = ["classes", f"--export_dir={export_dir}", "--columns=8", "--scale=2"]
    else:
        args = ["grid", f"--export_dir={export_dir}", "--rows=4", "--columns=8", "--scale=2"]
    subprocess.run([*base, *args, f"--out={out}"], check=True, cwd=REPO, capture_output=True)
    return out, "python -m tfgan_zoo.sample " + " ".join([*args, f"--out={out}"])


def command_of(entry):
    """The training command of a zoo model, as a user types it."""
    extra = " ".join(entry.flags)
    return (
        f"python -m tfgan_zoo.train --flagfile=flags/{entry.flagfile}.flags {extra} "
        f"--epochs={entry.steps // entry.every} --steps_per_epoch={entry.every} "
        f"--checkpoint_every={entry.every} --keep_checkpoints=1000"
    ).replace("  ", " ")


def metric_text(row, entry):
    if entry.toy:
        hq, rkl = 100 * row["hq"], row["rkl"]
        return f"{row['modes']} of 8 modes, {hq:.1f}% high quality, reverse KL {rkl:.3f}"
    text = f"classifier FID {row['fid']:.2f}, KID {row['kid']:.3f}"
    return text + (f", L1 {row['l1']:.3f}" if "l1" in row else "")


def card(name, entry, rows, version, picture, sample_command):
    """``saved_models/<name>/README.md`` from the scores."""
    from tfgan_zoo import export

    chosen, last = best(rows, entry), max(rows, key=lambda r: (r["steps"], r["weights"] == "ema"))
    meta = export.read_metadata(version)
    rel = os.path.relpath(version, REPO)
    base = os.path.dirname(rel)
    evaluate = (f"python -m tfgan_zoo.evaluate --export_dir={rel} --dataset={entry.dataset} "
                f"--split={entry.split} --classifier_split={entry.classifier_split} "
                f"--num_samples={entry.samples}")  # fmt: skip
    weights = "the moving average (EMA 0.999)" if chosen["weights"] == "ema" else "raw weights"
    lines = [
        f"# {name}",
        "",
        f"{entry.what}, trained here by the project's own flagfile.",
        "",
        "```sh",
        sample_command,
        "```",
        "",
        f"![samples]({os.path.basename(picture)})",
        "",
        "| | |",
        "|---|---|",
        f"| export | `{rel}`: step {chosen['steps']:,}, {weights} |",
        f"| scores ({chosen['num_samples']:,} samples"
        + ("" if entry.toy else " against as many test images")
        + f") | {metric_text(chosen, entry)}; at the last point ({last['steps']:,}, "
        f"{last['weights']}): {metric_text(last, entry)} |",
        f"| chosen | the best of {len(rows)} scored points (every {entry.every:,} steps, EMA "
        "and raw), on the test split's scores: the best of a curve, not a held-out estimate |",
        f"| data | {entry.data} |",
        "| seed | 0 |",
        f"| signatures | {', '.join(meta.get('signatures', []))} |",
        f"| size | {version_size(version) / 1e6:.1f} MB |",
        f"| golden sha256 | `{golden(version, entry)[:16]}...` (recorded in `golden.json`) |",
        "",
        "Trained with:",
        "",
        "```sh",
        command_of(entry),
        "```",
        "",
    ]
    if not entry.toy:
        lines += ["Scored with (the card's number):", "", "```sh", evaluate, "```", ""]
    lines += [
        "Fine-tune from it (`--init_from`, any flags that build the same networks):",
        "",
        "```sh",
        f"python -m tfgan_zoo.train --flagfile=flags/{entry.flagfile}.flags "
        f"{' '.join(entry.flags)} --init_from={base} --model_dir=runs/{name}_finetuned",
        "```",
        "",
    ]
    with open(os.path.join(os.path.dirname(version), "README.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(os.path.dirname(version), "golden.json"), "w") as f:
        json.dump(
            {
                "version": os.path.basename(version),
                "seeds": GOLDEN_SEEDS,
                "sha256": golden(version, entry),
            },
            f,
            indent=1,
        )
    return chosen


def models_config(names, root):
    """``saved_models/models.config``: TF Serving's model config naming every model,
    its base path as the docker command mounts the folder (``/models``)."""
    lines = ["model_config_list {"]
    for name in names:
        lines += [
            "  config {",
            f'    name: "{name}"',
            f'    base_path: "/models/{name}"',
            '    model_platform: "tensorflow"',
            "  }",
        ]
    lines.append("}")
    with open(os.path.join(root, "models.config"), "w") as f:
        f.write("\n".join(lines) + "\n")


def write_cards(args, names):
    """Every scored model's export (made once), card, picture and the table."""
    scores = load_scores(args.scores, KEY)
    done = []
    for name in names:
        rows = [r for k, r in scores.items() if k[0] == name]
        entry = args.zoo[name]
        expected = len(range(entry.every, entry.steps + 1, entry.every))
        if len({r["steps"] for r in rows}) < expected:
            print(f"{name}: {len(rows)} points scored, not all of its curve: no export yet")
            continue
        version = export_best(name, entry, rows, args)
        picture, command = draw_grid(name, entry, version)
        chosen = card(name, entry, rows, version, picture, command)
        done.append((name, entry, chosen, version, command))
    if done:
        table(done, args.saved_models)
        models_config([name for name, *_ in done], args.saved_models)
    return done


def table(done, root):
    """The table of ``saved_models/README.md`` (its ``zoo`` block)."""
    from records import write_section

    lines = ["| model | what | scores | size | draw |", "|---|---|---|---|---|"]
    for name, entry, chosen, version, command in done:
        lines.append(
            f"| [{name}]({name}/README.md) | {entry.what} | {metric_text(chosen, entry)} "
            f"| {version_size(version) / 1e6:.1f} MB | `{command}` |"
        )
    readme = os.path.join(root, "README.md")
    if not os.path.exists(readme):
        with open(readme, "w") as f:
            f.write("# Pretrained models\n")
    write_section("# Pretrained models", "zoo", "\n".join(lines),
                  "python benchmarks/zoo.py --table_only",
                  path=os.path.join(root, "README.md"))  # fmt: skip
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(ZOO))
    parser.add_argument("--scores", default=os.path.join(SCORES, "zoo.jsonl"))
    parser.add_argument("--work_dir", default=os.path.join(RUNS, "zoo"))
    parser.add_argument("--classifier_dir", default=os.path.join(RUNS, "classifiers"))
    parser.add_argument("--saved_models", default=SAVED, help="where the exports and cards go")
    parser.add_argument("--table_only", action="store_true", help="train and score nothing")
    parser.add_argument("--tiny", action="store_true", help="a test's sizes (never --saved_models' "
                        "default: give another)")  # fmt: skip
    args = parser.parse_args()
    if args.tiny and os.path.abspath(args.saved_models) == SAVED:
        sys.exit("--tiny writes test exports: give --saved_models another folder")
    args.zoo = {n: tiny(e) for n, e in ZOO.items()} if args.tiny else ZOO
    names = args.models.split(",")
    unknown = set(names) - set(ZOO)
    if unknown:
        sys.exit(f"unknown --models {sorted(unknown)}; known: {', '.join(ZOO)}")
    os.chdir(REPO)  # the flagfiles' and the data's relative paths
    for name in names:
        if not args.table_only:
            run(name, args.zoo[name], args)
    write_cards(args, names)
    print("done", flush=True)


if __name__ == "__main__":
    main()

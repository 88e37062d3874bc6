"""Helpers shared by the long benchmarks: resumable score files and table cells.

Each benchmark appends one JSON line per finished run (or scored point) to
its score file, ``benchmarks/scores/<name>.jsonl`` by default: committed, so
every table and plot regenerates with ``--table_only`` on a fresh clone, and
an interrupted command re-run with the same arguments skips what is done.
Run directories (checkpoints) go to ``--work_dir``, outside the work tree by
default (``~/.cache/tfgan_zoo/runs/<name>``), where a later session on the
same machine can resume them.
"""

import dataclasses
import json
import math
import os
import shlex
import statistics
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCORES = os.path.join(REPO, "benchmarks", "scores")
CLASSIFIERS = os.path.join(REPO, "benchmarks", "classifiers")
RUNS = os.path.join(os.path.expanduser("~"), ".cache", "tfgan_zoo", "runs")


def load_scores(path, key_fields):
    """The rows of ``path`` keyed by the tuple of ``key_fields``; {} when absent."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {tuple(r[k] for k in key_fields): r for r in rows}


def append_score(path, row):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(row) + "\n")


def mean_se(values):
    """Mean and standard error (nan for a single value)."""
    mean = statistics.mean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return mean, se


def mean_se_text(values, digits=2, unit=""):
    """``mean +- s.e.`` to ``digits`` places; one value alone when there is one
    (tables mark such cells ``n=1``), never ``+- nan``."""
    mean, se = mean_se(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}{unit}"
    return f"{mean:.{digits}f} +- {se:.{digits}f}{unit}"


RESULTS = os.path.join(REPO, "benchmarks", "RESULTS.md")


def command_line():
    """This process's command, quoted so that it can be pasted back into a shell."""
    return "python " + shlex.join(sys.argv)


def write_section(heading, block, text, command, path=RESULTS):
    """Puts ``text``, made by ``command``, in ``block`` of the ``heading``
    section of ``path``: the lines from ``<!-- begin NAME -->`` to
    ``<!-- end NAME -->`` are replaced, so the prose written around a table
    (protocol, per-seed values, the reading of it) survives a re-run. A
    section without the block gets it at its end; a missing section is
    appended with it.
    """
    with open(path) as f:
        content = f.read()
    start = content.find(heading)
    if start < 0:
        content = content.rstrip() + "\n\n"
        start = end = len(content)
        section = f"{heading}\n\n"
    else:
        end = content.find("\n## ", start + 1) + 1 or len(content)
        section = content[start:end]
    begin, finish = f"<!-- begin {block} -->", f"<!-- end {block} -->"
    marked = f"{begin}\n`{command}`:\n\n{text.strip()}\n\n{finish}"
    b = section.find(begin)
    e = section.find(finish, b) if b >= 0 else -1
    if e >= 0:
        section = section[:b] + marked + section[e + len(finish) :]
    else:
        gap = "\n" if end < len(content) else ""  # a blank line before the next section
        section = section.rstrip() + f"\n\n{marked}\n{gap}"
    with open(path, "w") as f:
        f.write(content[:start] + section + content[end:])


def write_table(heading, block, text, scored, path=RESULTS):
    """``--write``'s one way into RESULTS.md: `write_section`, unless no score
    lies behind ``text`` (``scored`` is empty), when the block is left as it
    is and this says so. An empty score file (a typo in ``--scores``, a
    ``--seeds`` with no runs) must never blank a committed table."""
    if not scored:
        print(f"No scores for the {block!r} block: RESULTS.md keeps it as it is.")
        return False
    write_section(heading, block, text, command_line(), path)
    return True


def add_run_arguments(parser, name, seeds):
    """The flags every resumable benchmark shares; ``name`` names its score file
    and its default work directory. ``seeds=None``: no ``--seeds`` (a benchmark
    that seeds each run from something else)."""
    if seeds is not None:
        parser.add_argument("--seeds", default=seeds)
    parser.add_argument(
        "--scores", default=os.path.join(SCORES, f"{name}.jsonl"),
        help="the score file: read by --table_only, appended to by runs (committed)",
    )  # fmt: skip
    parser.add_argument(
        "--work_dir", default=os.path.join(RUNS, name),
        help="run directories and caches (checkpoints; not committed)",
    )  # fmt: skip
    parser.add_argument("--write", action="store_true", help="update --results")
    parser.add_argument("--results", default=RESULTS, help="the page --write updates")
    parser.add_argument("--table_only", action="store_true", help="tabulate, train nothing")
    parser.add_argument(
        "--plots", default=os.path.join(REPO, "benchmarks", "plots"),
        help="folder of the figures, for the scripts that draw them (empty: none)",
    )  # fmt: skip


def run_and_tabulate(args, key, run, table, heading, block):
    """Runs what is left (``run(args)``, unless ``--table_only``), prints
    ``table(scores, args)`` and, with ``--write``, puts it in ``block`` of the
    ``heading`` section (`write_table`: never from no scores); returns the scores."""
    scores = load_scores(args.scores, key) if args.table_only else run(args)
    text = table(scores, args)
    print(text)
    if args.write:
        write_table(heading, block, text, scores, args.results)
    return scores


def parse_flagfile(flagfile, *extra):
    """The `TrainConfig` the training command makes of ``flags/<flagfile>.flags``
    followed by the ``extra`` flags."""
    from absl import flags

    from tfgan_zoo.cli.train import config_from_flags, define_flags

    fv = flags.FlagValues()
    define_flags(fv)
    fv(["benchmark", f"--flagfile={os.path.join(REPO, 'flags', flagfile + '.flags')}", *extra])
    return config_from_flags(fv)


def scored_every(config, steps, every, **changes):
    """``config`` trained for ``steps`` steps with a checkpoint every ``every``
    steps, each kept for `score_checkpoints`, quietly; ``changes`` as
    `dataclasses.replace`'s (the seed, the run directory, ...)."""
    return dataclasses.replace(
        config, epochs=steps // every, steps_per_epoch=every, checkpoint_every=every,
        sample_every=every, keep_checkpoints=100, verbose=0, **changes,
    )  # fmt: skip


def score_checkpoints(config, score):
    """``{"steps": [...], name: [...]}``: ``score(model)`` (a dict of values) of
    the run's model at each checkpoint of a `scored_every` run."""
    from tfgan_zoo import trainer

    every = config.steps_per_epoch
    points = {"steps": []}
    for step in range(every, config.epochs * every + 1, every):
        model, _ = trainer.restore_model(config.model_dir, step=step)
        points["steps"].append(step)
        for name, value in score(model).items():
            points.setdefault(name, []).append(value)
    return points


def features_and_probabilities(extractor, images, chunk=500):
    """The extractor's features and class probabilities of ``images``, ``chunk``
    images a call."""
    pairs = [extractor(images[i : i + chunk]) for i in range(0, len(images), chunk)]
    return np.concatenate([f for f, _ in pairs]), np.concatenate([p for _, p in pairs])


def curve_text(rows, key):
    """The mean of ``key`` over ``rows`` at each scored point, ``"a / b / c"``: a
    table cell of the runs' curve."""
    return " / ".join(f"{np.mean(v):.1f}" for v in np.transpose([r[key] for r in rows]))


def plot_runs(ax, rows, key, color, label, clip=None, center="mean"):
    """Each run's ``key`` against its ``steps`` thin and their ``center`` (``"mean"``
    or ``"median"``) thick, labelled ``"<label>, <center> of <n>"``; values above
    ``clip`` are drawn at it. A median is the line to show where a few capped or
    diverged runs would set the mean."""
    curves = [np.minimum(r[key], clip) if clip else r[key] for r in rows]
    for r, values in zip(rows, curves, strict=True):
        ax.plot(r["steps"], values, color=color, lw=0.6, alpha=0.35)
    if rows:
        middle = np.median(curves, 0) if center == "median" else np.mean(curves, 0)
        single = len(rows[0]["steps"]) == 1  # one scored point: a line would not show
        ax.plot(rows[0]["steps"], middle, color=color, lw=2, marker="o" if single else None,
                label=f"{label}, {center} of {len(rows)}")  # fmt: skip


def save_figure(fig, path, dpi=110):
    """Writes a matplotlib figure to ``path`` (making its folder) and closes it."""
    import matplotlib.pyplot as plt

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def classifier_fid_setup(dataset, fid_samples, cache=None):
    """``(extractor, real)``: the FID feature extractor of the quality tables (a
    classifier trained on 20,000 training images of ``dataset``) and
    ``fid_samples`` test images to compare generated ones with.

    ``cache``: a folder for the trained classifier (`ClassifierExtractor.cached`),
    loaded when it is there. Training is the same in every process of one
    machine but not across machines (another CPU, other oneDNN kernels: the
    fine-tuning benchmark's subset FID moved 0.93 -> 0.90), so a table filled
    over several sessions keeps its classifier committed under
    `CLASSIFIERS`."""
    from tfgan_zoo import images
    from tfgan_zoo.evaluation import real_batches
    from tfgan_zoo.metrics.features import ClassifierExtractor, train_classifier

    train_x, train_y = real_batches(dataset, "train", 20_000, seed=1)
    if cache:
        extractor = ClassifierExtractor.cached(cache, images.to_uint8(train_x), train_y)
    else:
        extractor = ClassifierExtractor(train_classifier(images.to_uint8(train_x), train_y))
    real, _ = real_batches(dataset, "test", fid_samples, seed=2)
    return extractor, real


def classifier_fid(sample, input_dim, extractor, real):
    """FID between ``real`` and ``sample(z)`` for as many fixed latent vectors
    (seed 0, width ``input_dim``), in chunks of 500."""
    from tfgan_zoo import metrics

    z = np.random.default_rng(0).standard_normal((len(real), input_dim)).astype(np.float32)
    fake = [np.asarray(sample(z[i : i + 500])) for i in range(0, len(z), 500)]
    return metrics.compare(extractor, np.array_split(real, len(real) // 500), fake)["fid"]

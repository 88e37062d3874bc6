"""Helpers shared by the long benchmarks: resumable score files and table cells.

Each benchmark appends one JSON line per finished run to a ``scores.jsonl`` in
its work directory, so an interrupted command re-run with the same arguments
skips what is done.
"""

import json
import math
import os
import statistics
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_scores(path, key_fields):
    """The rows of ``path`` keyed by the tuple of ``key_fields``; {} when absent."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {tuple(r[k] for k in key_fields): r for r in rows}


def append_score(path, row):
    with open(path, "a") as f:
        f.write(json.dumps(row) + "\n")


def mean_se(values):
    """Mean and standard error (nan for a single value)."""
    mean = statistics.mean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return mean, se


def write_section(heading, text, command):
    """Replace (or append) the ``heading`` section of `benchmarks/RESULTS.md`."""
    path = os.path.join(REPO, "benchmarks", "RESULTS.md")
    with open(path) as f:
        content = f.read()
    body = f"{heading}: `{command}`\n\n{text}\n"
    start = content.find(heading)
    if start < 0:
        content = content.rstrip() + "\n\n" + body
    else:
        end = content.find("\n## ", start + 1)
        content = content[:start] + body + (content[end + 1 :] if end > 0 else "")
    with open(path, "w") as f:
        f.write(content)


def add_run_arguments(parser, seeds, work_dir):
    """The flags every resumable benchmark shares."""
    parser.add_argument("--seeds", default=seeds)
    parser.add_argument("--work_dir", default=work_dir)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--table_only", action="store_true", help="tabulate, train nothing")


def run_and_tabulate(args, key, run, table, heading):
    """Runs what is left (``run(args)``, unless ``--table_only``), prints
    ``table(scores, args)`` and, with ``--write``, puts it under ``heading``."""
    path = os.path.join(args.work_dir, "scores.jsonl")
    scores = load_scores(path, key) if args.table_only else run(args)
    text = table(scores, args)
    print(text)
    if args.write:
        write_section(heading, text, "python " + " ".join(sys.argv))


def classifier_fid_setup(dataset, fid_samples):
    """``(extractor, real)``: the FID feature extractor of the quality tables (a
    classifier trained on 20,000 training images of ``dataset``) and
    ``fid_samples`` test images to compare generated ones with."""
    from tfgan_zoo import images
    from tfgan_zoo.evaluation import real_batches
    from tfgan_zoo.metrics.features import ClassifierExtractor, train_classifier

    train_x, train_y = real_batches(dataset, "train", 20_000, seed=1)
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

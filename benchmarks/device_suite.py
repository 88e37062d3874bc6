"""The first thing to run when a GPU is lent: one command, one JSON, one RESULTS.md block.

On the device machine, after the pieces of ``benchmarks/device_pack.sh`` have
arrived (docs/benchmarks.md; the image has no TensorFlow), with the MNIST files
copied into the ignored ``.device_data/mnist`` and carried:

    . benchmarks/device_env.sh; python3 benchmarks/device_suite.py --minutes 8 \\
        --digits idx:.device_data/mnist --out $OUT/device_suite.json

and here, with that JSON copied to ``benchmarks/scores/device_suite.json``:

    python benchmarks/device_suite.py --table_only --write

``--tiny`` runs the same code on a CPU (the toy networks' timings, a step of
each Stacked-MNIST run, small scoring) in about a minute and a half (CI runs it).

Parts, in order, within ``--minutes``:

1. Step time and images/s of DCGAN 64x64, the ResNet 32x32 SNGAN and the
   PacGAN toy networks under float32, mixed_bfloat16, XLA and steps per
   execution (+ XLA), each against a hand-written XLA step and loop on the
   same networks (`throughput.timing_rows`, `throughput.hand_written_xla_loops`).
2. The toy networks' gap to the hand-written loop, taken apart
   (`throughput.toy_gap_table`): the step without the per-step non-finite check,
   with the rng draws inlined, and both. The first lease found the trainer's
   best toy step 5.6x the hand-written loop's on the GPU, level with it on a CPU.
3. MirroredStrategy across every visible GPU against one (DCGAN 64x64, the
   same per-GPU batch): images/s and the scaling ratio; skipped with one GPU.
4. With the time left, Stacked MNIST DCGAN and PacDCGAN2 on the authors'
   ``pacgan_dcgan`` networks (the flagfiles) toward PacGAN's 100,000 updates,
   the two runs in turns of ``--chunk`` updates, each scored at the end on
   26,000 samples with a digit classifier trained on ``--digits``.

A run longer than a lease: after every chunk the two runs' directories (their
last checkpoint) are packed into ``--stacked_state_out`` (``$OUT/stacked_state``:
they come home with the report) as xz pieces of at most ``--piece_mib`` MiB.
Copied into ``.device_data/stacked_state/`` here and carried to the next lease
(a piece a call, as the TensorFlow pieces travel), ``--stacked_state_in``
unpacks them and the runs continue where they stopped; ``--parts stacked``
spends a lease on them alone. The table gives each run's updates of 100,000.
"""

import argparse
import dataclasses
import glob
import io
import json
import os
import sys
import tarfile
import time

from records import REPO, RESULTS, write_table

SECTION = "## GPU suite"
NETWORKS = ("dcgan64", "sngan_resnet32", "pacgan_toy")
# --tiny: PacGAN's Stacked-MNIST networks at an eighth of their width, batch 8
# (the full ones take seconds a step on a CPU).
TINY_STACKED = {"base_filters": 8, "batch_size": 8}


def variants(spe):
    """The combinations of part 1, each a TrainConfig override."""
    return {
        "float32": {"jit_compile": "off"},
        "mixed_bfloat16": {"jit_compile": "off", "dtype_policy": "mixed_bfloat16"},
        "XLA": {"jit_compile": "on"},
        f"steps_per_execution {spe} + XLA": {"jit_compile": "on", "steps_per_execution": spe},
    }


def shrink_toy_networks():
    """--tiny: the same code on small toy networks, 2 steps a round and 2 per
    execution. Set once before any part: the steps and toy-gap parts both read them."""
    import throughput

    fields, load, _, _ = throughput.NETWORKS["pacgan_toy"]
    small = {"batch_size": 8, "base_filters": 4, "hidden_units": 16}
    throughput.NETWORKS["pacgan_toy"] = ({**fields, **small}, load, 2, 2)


def steps_part(args):
    import throughput

    rows = []
    print(throughput.TABLE_HEAD)
    for name in NETWORKS[-1:] if args.tiny else NETWORKS:  # --tiny: the toy networks
        spe = throughput.NETWORKS[name][2]
        rows += throughput.timing_rows(name, variants(spe), args.rounds,
                                       throughput.hand_written_xla_loops)  # fmt: skip
    return rows


def gap_part(args):
    """Part 2: the toy step with its always-on per-step pieces switched off."""
    import throughput

    return throughput.toy_gap_table(args.rounds)


def mirrored_part(args):
    import tensorflow as tf
    import throughput

    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) < 2:
        return {"skipped": f"{len(gpus)} GPU visible: nothing to scale across"}
    from tfgan_zoo import trainer
    from tfgan_zoo.config import TrainConfig

    fields, load, _, steps = throughput.NETWORKS["dcgan64"]
    rates = {}
    for replicas in (1, len(gpus)):
        config = TrainConfig(**{**fields, "batch_size": 64 * replicas, "steps_per_epoch": steps,
                                "strategy": "mirrored" if replicas > 1 else "default"})  # fmt: skip
        raw, info = load(config)
        dataset = throughput._in_memory(raw)
        strategy = tf.distribute.get_strategy()
        if replicas > 1:
            strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            model = trainer.build_model(config, info, jit_compile=False)
        throughput.seconds_per_step(model, dataset, 2)
        wall = min(throughput.seconds_per_step(model, dataset, steps)[0] for _ in range(3))
        rates[replicas] = config.batch_size / wall
    one, all_ = rates[1], rates[len(gpus)]
    return {"gpus": len(gpus), "images_per_second_one": one, "images_per_second_all": all_,
            "scaling": all_ / one}  # fmt: skip


STATE = "stacked_state.tar.xz"


def restore_state(state_dir, work_dir):
    """Unpacks the pieces of an earlier lease's Stacked-MNIST runs into ``work_dir``;
    returns whether there were any."""
    pieces = sorted(glob.glob(os.path.join(state_dir or "", STATE + ".*")))
    if not pieces:
        return False
    data = b"".join(open(p, "rb").read() for p in pieces)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:xz") as archive:
        archive.extractall(work_dir, filter="data")
    return True


def save_state(run_dirs, work_dir, state_dir, piece_mib):
    """Packs ``run_dirs`` (relative to ``work_dir``) into ``state_dir`` as pieces of at
    most ``piece_mib`` MiB, replacing the pieces of an earlier chunk."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as archive:
        for run_dir in run_dirs:
            archive.add(os.path.join(work_dir, run_dir), arcname=run_dir)
    data, size = buffer.getvalue(), piece_mib << 20
    os.makedirs(state_dir, exist_ok=True)
    for old in glob.glob(os.path.join(state_dir, STATE + ".*")):
        os.remove(old)
    for i in range(0, len(data), size):
        path = os.path.join(state_dir, f"{STATE}.{i // size:02d}")
        with open(path + ".tmp", "wb") as f:
            f.write(data[i : i + size])
        os.replace(path + ".tmp", path)


def stacked_part(args, deadline):
    """Both Stacked-MNIST runs in turns until the time for scoring is all that is left."""
    import mode_collapse

    from tfgan_zoo import trainer
    from tfgan_zoo.data import image_source, to_arrays
    from tfgan_zoo.metrics import stacked_mnist

    args.stacked_architecture, args.digits_split = "pacgan_dcgan", "test"
    digits, labels = to_arrays(image_source(args.digits, args.digits_split)[0])
    if args.tiny:
        digits, labels = digits[:2500], labels[:2500]
    classifier = stacked_mnist.DigitClassifier.cached(
        os.path.join(args.work_dir, "digit_classifier"), digits, labels,
        held_out=500 if args.tiny else 2000, epochs=1 if args.tiny else 8,
    )  # fmt: skip
    import tensorflow as tf

    def run_config(variant, target):
        config = mode_collapse.flagfile_config(variant, mode_collapse.STACKED, 0, 100_000, args)
        return dataclasses.replace(
            config, steps_per_epoch=args.chunk, epochs=target // args.chunk,
            checkpoint_every=args.chunk, sample_every=args.chunk, log_every=args.chunk,
            keep_checkpoints=1, steps_per_execution=min(config.steps_per_execution, args.chunk),
            **TINY_STACKED if args.tiny else {},
        )  # fmt: skip

    restore_state(args.stacked_state_in, args.work_dir)
    reached = {}
    for variant in mode_collapse.STACKED_VARIANTS:
        latest = tf.train.latest_checkpoint(os.path.join(run_config(variant, args.chunk)
                                                         .model_dir, "checkpoints"))  # fmt: skip
        reached[variant] = int(latest.rsplit("-", 1)[1]) if latest else 0
    started_at = dict(reached)
    per_step = {}
    while True:
        variant = min(reached, key=reached.get)
        target = reached[variant] + args.chunk
        needed = per_step.get(variant, 0) * args.chunk + args.score_seconds
        late = time.time() + needed > deadline
        tiny_done = args.tiny and target > started_at[variant] + args.chunk
        if target > 100_000 or tiny_done or (late and not args.tiny):
            break  # --tiny trains each run one chunk a lease, whatever the time
        config = run_config(variant, target)
        started = time.time()
        result = trainer.train(config)
        per_step[variant] = (time.time() - started) / max(result.final_step - result.start_step, 1)
        reached[variant] = result.final_step
        if args.stacked_state_out:
            runs = [os.path.basename(run_config(v, args.chunk).model_dir) for v in reached
                    if reached[v]]  # fmt: skip
            save_state(runs, args.work_dir, args.stacked_state_out, args.piece_mib)
    rows = []
    for variant, steps in reached.items():
        if not steps:
            continue
        model, _ = trainer.restore_model(run_config(variant, steps).model_dir)
        z = mode_collapse.latents(model, args.samples)
        images = model.generator.predict(z, batch_size=1000, verbose=0)
        result = stacked_mnist.mode_histogram(classifier.modes(images))
        rows.append({"variant": variant, "updates": steps,
                     "this_lease": steps - started_at[variant], "modes": result.modes_covered,
                     "kl": result.kl, "seconds_per_step": per_step.get(variant)})  # fmt: skip
    return {"classifier_accuracy": classifier.accuracy, "rows": rows}


def table(report):
    lines = [
        f"{report['device']}, TF {report['tensorflow']}; {report['minutes']:.1f} minutes.",
        "",
        "| network | combination | ms/step | images/s | ratio to float32 |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r['network']} | {r['combination']} | {1000 * r['seconds']:.2f} "
              f"| {r['images_per_second']:,.0f} | {r['ratio']:.2f} |"
              for r in report.get("steps", [])]  # fmt: skip
    if report.get("toy_gap"):
        lines += [
            "",
            "PacGAN toy networks, XLA and steps per execution, per-step pieces off:",
            "",
            "| combination | ms/step | CPU ratio to as trained |",
            "|---|---|---|",
        ]
        lines += [f"| {r['combination']} | {1000 * r['seconds']:.2f} | {r['cpu_ratio']:.2f} |"
                  for r in report["toy_gap"]]  # fmt: skip
    mirrored = report.get("mirrored", {"skipped": "not reached (the run ended first)"})
    scaling = mirrored.get("skipped") or (
        f"{mirrored['gpus']} GPUs {mirrored['images_per_second_all']:,.0f} images/s against "
        f"one {mirrored['images_per_second_one']:,.0f} (x{mirrored['scaling']:.2f})"
    )
    lines += ["", f"MirroredStrategy: {scaling}"]
    if "stacked" not in report:
        return "\n".join(lines + ["", "Stacked MNIST: not reached (the run ended first)."])
    stacked = report["stacked"]
    lines += ["", f"Stacked MNIST (`pacgan_dcgan`, seed 0, classifier "
              f"{100 * stacked['classifier_accuracy']:.2f}%):", ""]  # fmt: skip
    lines += [f"- {r['variant']}: {r['updates']:,} of 100,000 updates"
              + (f" ({r['this_lease']:,} in this lease)" if r.get("this_lease", r["updates"])
                 != r["updates"] else "") + f", {r['modes']} modes, KL {r['kl']:.2f}"
              for r in stacked["rows"]] or ["- no update fitted in the time"]  # fmt: skip
    return "\n".join(lines)


COMMITTED = os.path.join(REPO, "benchmarks", "scores", "device_suite.json")


def report_path(out, tiny, work_dir):
    """Where the report goes: ``out`` when given; else a --tiny run's goes to
    ``work_dir`` (a test of the code must not replace the committed GPU results)
    and a real run's to the committed file."""
    if out:
        return out
    return os.path.join(work_dir, "device_suite_tiny.json") if tiny else COMMITTED


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--tiny", action="store_true", help="the same code on a CPU, < 1 min")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--digits", default="idx:../shared/data/mnist")
    parser.add_argument("--chunk", type=int, default=2000, help="Stacked-MNIST updates a turn")
    parser.add_argument("--work_dir", default=os.path.join("/tmp", "tfgan_zoo_device_suite"))
    parser.add_argument("--out", "--scores", default=None,
                        help="the report (default: the committed benchmarks/scores/"
                        "device_suite.json; with --tiny, device_suite_tiny.json in --work_dir, "
                        "so a CPU check never replaces the GPU results)")  # fmt: skip
    parser.add_argument("--parts", default="steps,toy_gap,mirrored,stacked",
                        help="the parts to run, comma-separated (a lease for the Stacked-MNIST "
                        "runs alone: stacked)")  # fmt: skip
    parser.add_argument("--stacked_state_in", default=os.path.join(".device_data",
                                                                   "stacked_state"),
                        help="an earlier lease's Stacked-MNIST pieces, carried in")  # fmt: skip
    parser.add_argument(
        "--stacked_state_out",
        default="",
        help="where the runs' pieces go after every chunk ($OUT/stacked_state)",
    )
    parser.add_argument("--piece_mib", type=int, default=60)
    parser.add_argument("--table_only", action="store_true", help="tabulate --out, run nothing")
    parser.add_argument("--write", action="store_true", help="put the block in --results")
    parser.add_argument("--results", default=RESULTS)
    parser.add_argument("--plots", help="accepted like every benchmark's; this one draws none")
    args = parser.parse_args()
    args.out = report_path(args.out, args.tiny, args.work_dir)
    if args.table_only:
        if not os.path.exists(args.out):  # a typo in --out must never blank the committed block
            write_table(SECTION, "device suite", "", [], args.results)
            return
        with open(args.out) as f:
            report = json.load(f)
    else:
        started = time.time()
        deadline = started + 60 * args.minutes
        if args.tiny:
            args.rounds, args.chunk = 1, 2
            shrink_toy_networks()
        args.samples, args.score_seconds = (200, 5) if args.tiny else (26_000, 60)
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        report = {"device": f"{len(gpus)} GPU(s)" if gpus else "CPU only",
                  "tensorflow": tf.__version__, "tiny": args.tiny}  # fmt: skip
        report["seconds"] = {}
        parts = {"steps": lambda: steps_part(args),
                 "toy_gap": lambda: gap_part(args),
                 "mirrored": lambda: mirrored_part(args),
                 "stacked": lambda: stacked_part(args, deadline)}  # fmt: skip
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        chosen = args.parts.split(",")
        for part, run in ((p, r) for p, r in parts.items() if p in chosen):
            began = time.time()
            report[part] = run()
            report["seconds"][part] = round(time.time() - began, 1)
            report["minutes"] = (time.time() - started) / 60
            with open(args.out, "w") as f:  # after each part: a lease can end mid-suite
                json.dump(report, f, indent=1)
    text = table(report)
    print(text)
    if args.write:
        if report.get("tiny"):
            sys.exit("a --tiny report is a test of the code, not a result: not written")
        write_table(SECTION, "device suite", text, [report], args.results)


if __name__ == "__main__":
    main()

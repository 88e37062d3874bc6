"""Training step time of this tree against an earlier commit, side by side: does a
change slow the step down? (Issue 49's "no slowdown", ratio within 1.03.)

    nice python benchmarks/versus.py --base b2fbe0a --rounds 8

``--base`` is checked out once as a git worktree under ``--work_dir``
(``~/.cache/tfgan_zoo/runs/versus/trees``, outside the work tree). Each round runs
one child process per tree and network, the trees' order alternating from round to
round (base first, then this tree first), so a drift of the machine's speed falls on
both alike. A child is this file with ``--child``, run with the tree's library first
on ``sys.path``: the same timing code (`throughput.py`'s networks, in-memory batches
and `seconds_per_step`) measures both libraries, through what both have
(`TrainConfig`, `trainer.build_model`, `data.load`, `data.critic_groups`).

A child times one network, one combination after the other (the default `fit`; XLA
with the network's steps per execution): it builds the model, traces and warms it
up, and times ``--repeats`` `fit` calls of the network's steps, giving the median
CPU seconds a step (this process, all threads; CPU time is steadier than wall time
on a shared 2-core machine). One at a time, because CPU time counts every thread:
timed in turn in one process, the toy's default `fit` measured 1.10x the base's
beside this tree's fused XLA program and 0.89-0.98x timed alone, in 3 alternating
pairs (2026-12-07). Ratio: per round, this tree's time over the base's; the table
gives the median of the rounds' ratios, the sign test's interval of that median with
at least 95% coverage (`stats.median_interval`: for 12 rounds the 3rd-lowest to the
3rd-highest ratio, for 20 the 6th), and each tree's median ms a step. The verdict for
a case: **no slowdown** when the interval's upper end is at most ``--within``;
**slower** when its lower end is above it; else **unresolved** (also with fewer than
6 rounds, too few for 95%; more rounds narrow the interval). ``--threads 1``
runs each child on one TensorFlow thread pinned to the last CPU: in 2 pairs the DCGAN
ratios spread by about 5% that way, against up to 14% with the default threads; the
table reads the rows of the latest head and thread setting.

Rows are appended to ``--scores`` (``benchmarks/scores/versus.jsonl``, one line per
child run); ``--table_only`` prints the table from it, and ``--write`` puts it in
RESULTS.md (the ``versus`` block of its Speed section):

    python benchmarks/versus.py --base b2fbe0a --table_only --write
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

from records import REPO, add_run_arguments, append_score, write_table
from stats import ALPHA, median_interval

COMBINATIONS = {  # label: (jit_compile, uses the network's steps per execution)
    "default fit": ("off", False),
    "XLA + steps per execution": ("on", True),
}


def child_timings(network, repeats):
    """``{combination: median CPU seconds a step}`` of ``network`` (a network of
    `throughput.NETWORKS`, timed as its tables time it), with the library first on
    ``sys.path`` (the tree under test)."""
    from throughput import seconds_per_step

    timings, inputs = {}, None
    for label in COMBINATIONS:
        model, inputs, steps = built(network, label, inputs)
        timings[label] = statistics.median(
            seconds_per_step(model, inputs[0], steps)[1] for _ in range(repeats)
        )
    return timings


def built(network, label, inputs=None):
    """``network`` (of `throughput.NETWORKS`) built for combination ``label``, traced
    and warmed up; its ``inputs`` (in-memory batches and the data's info: loaded
    here once, then passed back for the next combination) and its timed steps."""
    import keras
    from throughput import NETWORKS, _in_memory, seconds_per_step

    from tfgan_zoo import data, trainer
    from tfgan_zoo.config import TrainConfig

    fields, load, spe, steps = NETWORKS[network]
    jit, uses_spe = COMBINATIONS[label]
    config = TrainConfig(**fields, jit_compile=jit, steps_per_execution=spe if uses_spe else 1,
                         steps_per_epoch=steps * 10, log_every=spe, sample_every=spe,
                         checkpoint_every=spe)  # fmt: skip
    if inputs is None:
        raw, info = load(config)[:2]
        inputs = (_in_memory(data.critic_groups(raw, config.n_critic)), info)
    keras.utils.set_random_seed(0)
    model = trainer.build_model(config, inputs[1])
    seconds_per_step(model, inputs[0], spe)  # trace, compile, warm up
    return model, inputs, steps


def child_work(network):
    """``{combination: work}`` of ``network``, where the time of a step can differ
    between two trees whose rounds are noisy: the train step's graph (its op count
    and a digest of its sorted op types, nested functions included) and the Python
    function calls a step of `fit` makes (cProfile's count over ``2n`` steps less
    that over ``n``, divided by ``n``). Both are counts, the same in every run."""
    import cProfile
    import hashlib
    import pstats

    import tensorflow as tf
    from throughput import seconds_per_step

    work, inputs = {}, None
    for label in COMBINATIONS:
        model, inputs, steps = built(network, label, inputs)
        dataset = inputs[0]
        spec = dataset.element_spec
        graph = tf.function(model.train_step).get_concrete_function(spec).graph.as_graph_def()
        types = sorted([n.op for n in graph.node]
                       + [n.op for f in graph.library.function for n in f.node_def])  # fmt: skip
        calls = []
        for n in (steps, 2 * steps):
            profile = cProfile.Profile()
            profile.runcall(seconds_per_step, model, dataset, n)
            calls.append(pstats.Stats(profile).total_calls)
        work[label] = {"ops": len(types),
                       "op_types": hashlib.sha1(" ".join(types).encode()).hexdigest()[:12],
                       "python_calls_per_step": (calls[1] - calls[0]) / steps}  # fmt: skip
    return work


def rev_parse(ref):
    """The full commit id of ``ref`` in this repository."""
    return subprocess.run(["git", "-C", REPO, "rev-parse", ref], check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def worktree(base, trees):
    """The path of a worktree of commit ``base`` under ``trees``, made once."""
    sha = rev_parse(base)
    path = os.path.join(trees, sha[:12])
    if not os.path.isdir(os.path.join(path, "tfgan_zoo")):
        os.makedirs(trees, exist_ok=True)
        subprocess.run(["git", "-C", REPO, "worktree", "add", "--detach", path, sha], check=True,
                       capture_output=True)  # fmt: skip
    return path, sha


def run_child(tree, network, repeats, threads=0, work=False):
    """One child process timing ``network`` with ``tree``'s library (``work``: counting
    its work, `child_work`); ``threads`` > 0: that many TensorFlow threads, pinned to
    the last CPUs (0: TensorFlow's default)."""
    env = {**os.environ, "PYTHONPATH": tree, "TF_CPP_MIN_LOG_LEVEL": "2"}
    pin = None
    if threads:
        env.update(TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS="1")
        cpus = sorted(os.sched_getaffinity(0))[-threads:]
        pin = lambda: os.sched_setaffinity(0, cpus)  # noqa: E731
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", network, "--repeats", str(repeats),
         *(["--work"] if work else [])],
        cwd=REPO, env=env, check=True, capture_output=True, text=True, preexec_fn=pin,
    )  # fmt: skip
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    if os.path.realpath(answer["library"]) != os.path.realpath(tree):
        raise RuntimeError(f"the child imported tfgan_zoo from {answer['library']}, not {tree}")
    return answer["work" if work else "timings"]


def measure_work(args):
    """One child per tree and network counting its work (`child_work`), appended to
    ``--scores`` (``versus_work.jsonl``)."""
    base_tree, base_sha = worktree(args.base, os.path.join(args.work_dir, "trees"))
    head = rev_parse("HEAD")
    for network in args.networks.split(","):
        for which, tree in (("base", base_tree), ("this", REPO)):
            work = run_child(tree, network, args.repeats, args.threads, work=True)
            append_score(args.scores, {"base": base_sha, "head": head, "tree": which,
                                       "network": network, "work": work,
                                       "date": datetime.date.today().isoformat()})  # fmt: skip


def work_table(args):
    """The ``--work`` table of ``--scores`` for ``--base`` (the latest head counted),
    as Markdown text, and the rows it reads."""
    base_sha, rows = rows_of_base(args)
    if not rows:
        return "", rows
    rows = [r for r in rows if r["head"] == rows[-1]["head"]]
    work = {(r["network"], r["tree"]): r["work"] for r in rows}
    lines = [
        f"{rows[-1]['head'][:7]} against {base_sha[:7]} ({rows[-1]['date']}): the train step's "
        "graph (ops, nested functions included; same: the same multiset of op types) and "
        "the Python calls a step of `fit` makes (cProfile).",
        "",
        "| network | combination | graph ops base / this | same op types? "
        "| Python calls a step base / this |",
        "|---|---|---|---|---|",
    ]
    for network in dict.fromkeys(r["network"] for r in rows):
        if (network, "base") not in work or (network, "this") not in work:
            continue
        for label in COMBINATIONS:
            base, this = work[network, "base"][label], work[network, "this"][label]
            same = "yes" if base["op_types"] == this["op_types"] else "no"
            lines.append(f"| {network} | {label} | {base['ops']} / {this['ops']} | {same} "
                         f"| {base['python_calls_per_step']:g} / "
                         f"{this['python_calls_per_step']:g} |")  # fmt: skip
    return "\n".join(lines), rows


def rows_of_base(args):
    """``--base``'s full commit id and the rows of ``--scores`` measured against it."""
    base_sha = rev_parse(args.base)
    if not os.path.exists(args.scores):
        return base_sha, []
    with open(args.scores) as f:
        return base_sha, [r for r in map(json.loads, f) if r["base"] == base_sha]


def measure(args):
    """``--rounds`` rounds, each tree's children in alternating order, appended to
    ``--scores`` as they finish (an interrupted run keeps its finished rounds)."""
    base_tree, base_sha = worktree(args.base, os.path.join(args.work_dir, "trees"))
    head = rev_parse("HEAD")
    trees = {"base": base_tree, "this": REPO}
    for round_ in range(args.rounds):
        order = ["base", "this"] if round_ % 2 == 0 else ["this", "base"]
        for network in args.networks.split(","):
            for which in order:
                timings = run_child(trees[which], network, args.repeats, args.threads)
                row = {"base": base_sha, "head": head, "tree": which, "round": round_,
                       "threads": args.threads,
                       "network": network, "cpu_seconds": timings,
                       "date": datetime.date.today().isoformat()}  # fmt: skip
                append_score(args.scores, row)
                print(f"round {round_ + 1}/{args.rounds} {network} {which}: "
                      + ", ".join(f"{k} {1000 * v:.1f} ms" for k, v in timings.items()),
                      flush=True)  # fmt: skip


def table(args):
    """The table of the rows in ``--scores`` for ``--base`` (the latest head measured),
    as Markdown text, and the rows it reads."""
    base_sha, rows = rows_of_base(args)
    if not rows:
        return "", rows
    head, threads = rows[-1]["head"], rows[-1].get("threads", 0)
    rows = [r for r in rows if r["head"] == head and r.get("threads", 0) == threads]
    lines = [
        f"{head[:7]} against {base_sha[:7]} ({rows[-1].get('date', '')}"
        + (f", {threads} thread{'s' * (threads > 1)} pinned" if threads else "")
        + "): CPU ms a step, "
        "ratio this / base per round; interval: the sign test's 95% interval of the median "
        "ratio (`stats.median_interval`; 6 rounds at least).",
        "",
        "| network | combination | rounds | base ms | this ms | median ratio | interval "
        f"| within {args.within}? |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for network in dict.fromkeys(r["network"] for r in rows):  # in the order measured
        for label in COMBINATIONS:
            per = {}
            for r in rows:
                if r["network"] == network and label in r["cpu_seconds"]:
                    per.setdefault(r["round"], {})[r["tree"]] = r["cpu_seconds"][label]
            pairs = [p for p in per.values() if len(p) == 2]
            if not pairs:
                continue
            ratios = [p["this"] / p["base"] for p in pairs]
            low, high, coverage = median_interval(ratios)
            verdict = ("unresolved" if coverage < 1 - ALPHA else "no slowdown"
                       if high <= args.within else "slower" if low > args.within
                       else "unresolved")  # fmt: skip
            base_ms = 1000 * statistics.median(p["base"] for p in pairs)
            this_ms = 1000 * statistics.median(p["this"] for p in pairs)
            ratio = statistics.median(ratios)
            lines.append(f"| {network} | {label} | {len(pairs)} | {base_ms:.1f} | {this_ms:.1f} "
                         f"| {ratio:.3f} | {low:.3f}-{high:.3f} | {verdict} |")  # fmt: skip
    return "\n".join(lines), rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_arguments(parser, "versus", seeds=None)  # --work_dir holds the base's worktree
    parser.add_argument("--base", default="b2fbe0a", help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3, help="timed fits per combination")
    parser.add_argument("--networks", default="dcgan28,pacgan_toy",
                        help="networks of throughput.py's NETWORKS")  # fmt: skip
    parser.add_argument("--within", type=float, default=1.03, help="the allowed ratio")
    parser.add_argument("--threads", type=int, default=0,
                        help="the children's TensorFlow threads, pinned to as many CPUs "
                        "(0: TensorFlow's default, unpinned)")  # fmt: skip
    parser.add_argument("--work", action="store_true",
                        help="count each tree's work instead of timing it (`child_work`): "
                        "one child per tree and network, rows in versus_work.jsonl")  # fmt: skip
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.work and args.scores == parser.get_default("scores"):
        args.scores = os.path.join(os.path.dirname(args.scores), "versus_work.jsonl")
    if args.child:
        import tfgan_zoo

        answer = ({"work": child_work(args.child)} if args.work
                  else {"timings": child_timings(args.child, args.repeats)})  # fmt: skip
        print(json.dumps({"library": os.path.dirname(os.path.dirname(tfgan_zoo.__file__)),
                          **answer}))  # fmt: skip
        return
    if not args.table_only:
        (measure_work if args.work else measure)(args)
    text, rows = (work_table if args.work else table)(args)
    print(text)
    if args.write:
        write_table("## Speed", "versus work" if args.work else "versus", text, rows,
                    args.results)  # fmt: skip
    elif not rows:
        sys.exit(f"no rows for {args.base} in {args.scores}: run without --table_only")


if __name__ == "__main__":
    main()

"""EBGAN's grid claim under the paper's own protocol: a GAN and an EBGAN per
grid setting, margin 10, the energy a norm, a budget fixed by a pilot.

Zhao et al. (arXiv 1609.03126, section 4.1, figure 2) train a GAN and an
EBGAN for every setting of their grid of fully-connected MNIST networks and
show that EBGAN's histogram of I' = E_x KL(p(y) || p(y|x)) lies at higher
scores. `claim_ebgan` tested that with its own choices (margin 1, a per-pixel
mean squared energy, a decoder layer added on top); this script follows the
paper where it says how:

- The energy is ``D(x) = ||Dec(Enc(x)) - x||`` (section 2.3), the L2 norm of
  the residual (`mlp_autoencoder_discriminator(energy="norm")`), and the
  margin m = 10, untuned (section 4.1); no pulling-away term.
- nLayerD counts the encoder's and the decoder's layers together: an EBGAN
  with nLayerD = L has L - 1 encoder layers and one decoder layer. That the
  generator's nLayerG and the GAN's nLayerD likewise count their output layer
  (L - 1 hidden layers each) is our reading.
- As in `claim_ebgan`: the paper's grid (`claim_ebgan.GRID`, 6,144 settings)
  in one seeded order, widths x0.25 (G 100 to 800 units, D 32 to 256) for
  time, the 10,000 MNIST test images (all we have), batch 64, z 64-D normal,
  Adam with beta1 0.5, SGD without momentum, the configuration's index as its
  seed; I' of 5,000 samples under the digit classifier (3 epochs on the same
  images), its probabilities clipped at 1e-12 (the paper states no clipping;
  a float32 softmax gives exact zeros, whose log is not finite); a run whose
  samples are not finite scores 0.

Budget, fixed by a pilot before the grid (``--pilot``; scores in
``claim_ebgan_pilot.jsonl``, not judged): the configurations at positions
1,000-1,007 of the seeded order (never among the grid's), each trained once
per loss for 10,000 steps and scored at 1,000, 3,000 and 10,000. A run
**draws digits** when at least half of its 5,000 samples get a top class
probability of 0.9 or more from the digit classifier and those confident
samples fall in at least 8 of the 10 classes. The grid's budget is the
smallest of the three step counts at which at least one pilot configuration
of each loss draws digits; 10,000 if none does (the table then says so).

Rule (v2 of the EBGAN row; fixed 2026-12-07, before any run of this script):

- Pairs: the first 60 configurations of the seeded order (`claim_ebgan`'s
  60), each trained once per loss at the budget; I' at the last step.
- Primary test: one-sided exact sign test that EBGAN's I' is higher than the
  GAN's on the same configuration, ties dropped; alpha 0.05; the smallest p
  this design can reach is 2^-60 (8.7e-19).
- **holds** if p < 0.05; **contradicted** if the opposite one-sided test
  gives p < 0.05; otherwise **not seen at this scale**. Effect size: both
  losses' median I' and the median paired difference. The runs that draw
  digits, per loss, are reported, not judged.

Resumable: one JSON line per (loss, configuration) in ``--scores``
(``benchmarks/scores/claim_ebgan_paper.jsonl``) and in the pilot's file.
``--table_only`` rebuilds the table from both:

    nice python benchmarks/claim_ebgan_paper.py --pilot
    nice python benchmarks/claim_ebgan_paper.py --write

On two cores, two lanes (``--lane 0/2`` and ``--lane 1/2``, each on its own
core) split the configurations by parity; ``--table_only --write`` then
tabulates both.
"""

import argparse
import datetime
import os
import statistics
import time

import numpy as np
from claim_ebgan import LOSSES, MNIST, build, classifier, configurations, plot_pairs, samples
from records import (
    REPO,
    SCORES,
    add_run_arguments,
    append_score,
    features_and_probabilities,
    load_scores,
    run_and_tabulate,
)
from stats import p_text, paired_sign, smallest_p

KEY = ("loss", "config")
SECTION = "## Claim: EBGAN beats the GAN over a grid of settings"
PILOT_START = 1_000
PILOT_POINTS = (1_000, 3_000, 10_000)
CONFIDENT = 0.9


def sample_scores(generator, extractor):
    """``{"i_prime", "confident", "classes"}`` of `claim_ebgan.samples` (latents of
    seed 0): I', the share of samples whose top class probability is at least
    `CONFIDENT`, and how many classes those fall in; zeros when the samples
    are not finite."""
    from tfgan_zoo import metrics

    fake = samples(generator)
    if fake is None:
        return {"i_prime": 0.0, "confident": 0.0, "classes": 0}
    probabilities = features_and_probabilities(extractor, fake)[1]
    sure = probabilities.max(1) >= CONFIDENT
    return {
        "i_prime": metrics.modified_inception_score(probabilities),
        "confident": float(sure.mean()),
        "classes": len(set(probabilities.argmax(1)[sure].tolist())),
    }


def draws_digits(scores):
    """The pilot's criterion on one scored point."""
    return scores["confident"] >= 0.5 and scores["classes"] >= 8


def pilot_configs(args):
    return range(PILOT_START, PILOT_START + args.pilot_configs)


def pilot_points(args):
    """`PILOT_POINTS` in ``--unit``s of steps (1,000: the protocol; fewer in tests)."""
    return tuple(p // 1_000 * args.unit for p in PILOT_POINTS)


def train_and_score(loss, index, points, extractor, args):
    """One run of configuration ``index`` to ``points[-1]`` steps, scored at each
    of ``points`` (multiples of ``--unit``): ``{"steps": [...], name: [...]}``."""
    import keras

    from tfgan_zoo import data

    setting = configurations(index + 1)[index]
    model = build(loss, setting, args.width_scale, seed=index, paper=True)
    scored = {"steps": []}

    def score():
        scored["steps"].append(points[len(scored["steps"])])
        for name, value in sample_scores(model.generator, extractor).items():
            scored.setdefault(name, []).append(value)

    class AtPoints(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) * args.unit in points:
                score()

    dataset, _ = data.load("idx:" + args.data, 64, split="test", seed=index)
    model.fit(dataset, epochs=points[-1] // args.unit, steps_per_epoch=args.unit, verbose=0,
              callbacks=[AtPoints(), keras.callbacks.TerminateOnNaN()])  # fmt: skip
    while len(scored["steps"]) < len(points):  # stopped on a NaN: score what is left
        score()
    return setting, scored


def budget(pilot, args):
    """``(steps, reached)``: the grid's budget by the pilot rule, and whether a
    pilot configuration of each loss drew digits at it; None before the pilot
    is complete."""
    if any((loss, i) not in pilot for loss in LOSSES for i in pilot_configs(args)):
        return None
    for n, steps in enumerate(pilot_points(args)):
        if all(any(draws_digits(at(pilot[(loss, i)], n)) for i in pilot_configs(args))
               for loss in LOSSES):  # fmt: skip
            return steps, True
    return pilot_points(args)[-1], False


def at(row, n):
    """A run's scores at its ``n``-th scored point."""
    return {k: row[k][n] for k in ("i_prime", "confident", "classes")}


def run(args):
    pilot = load_scores(args.pilot_scores, KEY)
    if args.pilot:
        path, points, todo = args.pilot_scores, pilot_points(args), list(pilot_configs(args))
    else:
        fixed = budget(pilot, args)
        if fixed is None:
            raise SystemExit("the pilot is not complete: run with --pilot first (the budget "
                             "comes from it)")  # fmt: skip
        path, points, todo = args.scores, (fixed[0],), list(range(args.configs))
    done = load_scores(path, KEY)
    todo = [(loss, i) for i in todo for loss in LOSSES
            if (loss, i) not in done and in_lane(i, args.lane)]  # fmt: skip
    print(f"{len(done)} done; {len(todo)} to go, {points[-1]:,} steps each", flush=True)
    if todo:
        extractor, _ = classifier(args)
    started = time.time()
    for n, (loss, i) in enumerate(todo):
        setting, scored = train_and_score(loss, i, points, extractor, args)
        append_score(path, {"loss": loss, "config": i, **setting, **scored,
                            "width_scale": args.width_scale,
                            "date": datetime.date.today().isoformat()})  # fmt: skip
        elapsed = (time.time() - started) / 60
        last = {k: round(v[-1], 2) for k, v in scored.items()}
        print(f"[{n + 1}/{len(todo)}] {loss} config {i}: {last}; {elapsed:.1f} min, "
              f"~{elapsed / (n + 1) * (len(todo) - n - 1):.0f} min left", flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def lane(text):
    """``--lane``'s type: ``"k/n"`` as ``(k, n)``, one of n lanes (0 <= k < n)."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        k, n = -1, 0
    if not 0 <= k < n:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give k/n with 0 <= k < n, e.g. 0/2 and 1/2 for two lanes"
        )
    return k, n


def in_lane(index, lane):
    """Whether configuration ``index`` is run by lane ``(k, n)`` (index % n == k):
    n processes, one per core, share one score file and never train the same
    pair; which lane ran a pair changes nothing in it (its seed is its index)."""
    k, n = lane
    return index % n == k


def paired(scores, configs):
    """``[(EBGAN's I', GAN's I')]`` at the last step, of the configurations both
    losses finished."""
    both = [i for i in range(configs) if ("EBGAN", i) in scores and ("GAN", i) in scores]
    return [(scores[("EBGAN", i)]["i_prime"][-1], scores[("GAN", i)]["i_prime"][-1]) for i in both]


def judgement(scores, configs=60):
    """The rule of the module docstring on the configurations both losses
    finished; None before any."""
    pairs = paired(scores, configs)
    if not pairs:
        return None
    differences = [e - g for e, g in pairs]
    return {**paired_sign(differences), "pairs": len(pairs),
            "smallest_p": smallest_p("sign", n=configs),
            "medians": [statistics.median(column) for column in zip(*pairs, strict=True)],
            "median_difference": statistics.median(differences)}  # fmt: skip


def pilot_text(pilot, args):
    fixed = budget(pilot, args)
    counts = []
    for loss in LOSSES:
        rows = [pilot[(loss, i)] for i in pilot_configs(args) if (loss, i) in pilot]
        if rows:
            counts.append(f"{loss} " + ", ".join(
                f"{sum(draws_digits(at(r, n)) for r in rows)} of {len(rows)} at {steps:,}"
                for n, steps in enumerate(pilot_points(args))))  # fmt: skip
    counts = "; ".join(counts)
    n = args.pilot_configs
    if fixed is None:
        return f"Pilot ({n} configurations a loss): not complete ({counts or 'no runs'})."
    steps, reached = fixed
    outcome = "" if reached else "no step count met the criterion for both losses: "
    return (
        f"Pilot ({n} configurations a loss), runs drawing digits: {counts}. "
        f"Budget: {outcome}{steps:,} steps."
    )


def table(scores, args):
    pilot = load_scores(args.pilot_scores, KEY)
    judged = judgement(scores, args.configs)
    head = "not tested yet"
    if judged and judged["pairs"] < args.configs:  # a partial grid is not judged
        head = (f"not judged until all {args.configs} pairs are run ({judged['pairs']} so far: "
                f"EBGAN's I' higher on {judged['wins']} of {judged['n']} untied)")  # fmt: skip
    elif judged:
        head = (f"**{judged['verdict']}**; EBGAN's I' higher on {judged['wins']} of "
                f"{judged['n']} untied configurations of {judged['pairs']} (sign test, "
                f"one-sided, p = {p_text(judged['p'])}; smallest reachable "
                f"{p_text(judged['smallest_p'])}); median I' EBGAN "
                f"{judged['medians'][0]:.2f}, GAN {judged['medians'][1]:.2f}")  # fmt: skip
    lines = [pilot_text(pilot, args), "",
             f"The paper's protocol (margin 10, energy ||Dec(Enc(x)) - x||, layer counts "
             f"with the output layer), {args.configs} configurations, widths x{args.width_scale}. "
             f"Verdict by the rule fixed before the runs: {head}."]  # fmt: skip
    if judged:
        lines += ["", "| loss | runs | median I' | quartiles | runs drawing digits |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for loss in LOSSES:
            rows = [scores[(loss, i)] for i in range(args.configs) if (loss, i) in scores]
            values = [r["i_prime"][-1] for r in rows]
            q1, median, q3 = np.percentile(values, [25, 50, 75])
            drawing = sum(draws_digits(at(r, -1)) for r in rows)
            lines.append(f"| {loss} | {len(rows)} | {median:.2f} | {q1:.2f} - {q3:.2f} "
                         f"| {drawing} |")  # fmt: skip
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "claim_ebgan_paper", seeds=None)
    parser.add_argument("--pilot", action="store_true", help="run the budget's pilot")
    parser.add_argument("--configs", type=int, default=60, help="(the rule: 60)")
    parser.add_argument("--pilot_configs", type=int, default=8, help="(the rule: 8)")
    parser.add_argument("--unit", type=int, default=1_000,
                        help="steps per thousand of the protocol's (tests: fewer)")  # fmt: skip
    parser.add_argument("--pilot_scores", default=os.path.join(SCORES, "claim_ebgan_pilot.jsonl"))
    parser.add_argument(
        "--lane",
        type=lane,
        default="0/1",
        help="k/n: run only configurations i with i %% n == k (one lane a core)",
    )
    parser.add_argument("--width_scale", type=float, default=0.25, help="x the paper's widths")
    parser.add_argument("--data", default=MNIST, help="a folder of MNIST IDX files")
    args = parser.parse_args()
    os.chdir(REPO)
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "claim ebgan paper")
    if args.plots and (pairs := paired(scores, args.configs)):
        print(f"Plot: {plot_pairs(pairs, os.path.join(args.plots, 'claim_ebgan_paper.png'))}")


if __name__ == "__main__":
    main()

"""The LSGAN paper's stability claim on a mixture of Gaussians: least squares
learns the ring of Gaussians where the sigmoid cross-entropy GAN collapses.

Mao et al. (arXiv 1611.04076, section 4.2.1; 1712.06391) train an LSGAN and a
regular GAN on a 2-D mixture of eight Gaussians on a circle and show (their
figure of the two runs' samples every 5,000 steps) the regular GAN's samples
gathered around one mode at a time while the LSGAN's cover the mixture.

Protocol (``flags/lsgan_ring8.flags`` and ``flags/lsgan_ring8_sigmoid.flags``,
from their code: xudonmao/LSGAN, ``stability_comparison/mixture_gaussian``
``ls.py`` / ``sig.py`` / ``batch_cmp.sh``, after poolio/unrolled_gan): both
networks 2 tanh layers of 128 units with a linear output, orthogonal weights
(gain 1.4) and zero biases (``--architecture=lsgan_mlp``); z 256-D standard
normal; batch 512 of fresh mixture samples a step; Adam beta1 0.5, epsilon 1e-8,
generator lr 1e-3, discriminator lr 1e-4; both networks updated at once from
one forward pass (``--simultaneous``); 35,000 steps; LSGAN with a, b, c = 0, 1,
1, the GAN with the non-saturating generator loss; 10 trials of each.
Differences: `ring8`'s eight equal modes (their ``linspace(0, 2 pi, 9)``
places two of nine components on the same point, so one mode has twice the
others' weight); losses averaged over the batch where theirs sum (Adam is
invariant to the scale).

Scoring, fixed before the runs: at every 5,000 steps, 2,500 samples (latents
of seed 123) scored as PacGAN scores ring8 (HQ: within 3 std of a mode; a mode
is covered by one HQ sample; reverse KL of the HQ histogram). A run
*collapses* when it covers fewer than 8 modes at 35,000 steps. The claim
**holds** when fewer LSGAN runs than GAN runs collapse and LSGAN's mean reverse
KL at 35,000 is lower; **holds partly** when one of the two is true;
**contradicted** when LSGAN collapses more often and its reverse KL is higher;
otherwise **not seen at this scale** (e.g. neither collapses).

The rule above is the first one, kept as it was; the table gives its verdict
beside the one of `summary.py`'s rule form (2026-12-06), which replaced it and
has no "holds partly".

The codings (their claim that a, b, c = (-1, 1, 0) and (0, 1, 1) behave
alike): ``--variants "LSGAN (-1,1,0)"`` trains the same LSGAN with the other
coding, scored the same way; the rule, fixed before its runs, is
`codings_verdict`'s.

Resumable: one JSON line per (loss, seed) in ``--scores``
(``benchmarks/scores/claim_lsgan.jsonl``); runs train in ``--work_dir``.
Two processes can share the score file (``--seeds 0,1,2,3,4`` beside
``--seeds 9,8,7,6,5``): each skips what the other finished. ``--table_only``
rebuilds the table and the plot from the scores:

    nice python benchmarks/claim_lsgan.py --seeds 0,1,2,3,4,5,6,7,8,9 --write
"""

import argparse
import datetime
import os
import time

import numpy as np
from records import (
    add_run_arguments,
    append_score,
    curve_text,
    load_scores,
    mean_se_text,
    parse_flagfile,
    plot_runs,
    run_and_tabulate,
    save_figure,
    score_checkpoints,
    scored_every,
)

KEY = ("loss", "seed")
SECTION = "## Claim: least squares is more stable than the sigmoid GAN"
# run name: (flagfile, extra flags, run directory prefix)
VARIANTS = {
    "LSGAN (0,1,1)": ("lsgan_ring8", [], "least_squares"),
    "GAN (non-saturating)": ("lsgan_ring8_sigmoid", [], "non_saturating"),
    "LSGAN (-1,1,0)": ("lsgan_ring8", ["--ls_labels=-1,1,0"], "least_squares_m110"),
}
LOSSES = ("LSGAN (0,1,1)", "GAN (non-saturating)")  # the stability rule's pair
CODINGS = ("LSGAN (0,1,1)", "LSGAN (-1,1,0)")  # the codings rule's pair
PROBE = 2500


def config_for(loss, seed, args):
    """The variant's flagfile (``flags/lsgan_ring8*.flags``) at ``--steps``, scored
    every ``--every`` steps, in ``--work_dir``, every checkpoint kept."""
    flagfile, extra, prefix = VARIANTS[loss]
    return scored_every(
        parse_flagfile(flagfile, *extra), args.steps, args.every, seed=seed,
        log_every=args.every, model_dir=os.path.join(args.work_dir, f"{prefix}_{seed}"),
    )  # fmt: skip


def scores_along(config):
    """Modes, HQ fraction and reverse KL of the run's checkpoint after each epoch."""
    from tfgan_zoo import metrics
    from tfgan_zoo.data import TOY_SETS

    toy = TOY_SETS["ring8"]()
    z = np.random.default_rng(123).standard_normal((PROBE, config.latent_dim)).astype("float32")

    def score(model):
        result = metrics.mode_coverage(model.generator(z).numpy(), toy.means, toy.std)
        return {"modes": result.modes_covered, "hq": result.high_quality_fraction,
                "rkl": min(result.reverse_kl, 99.0)}  # fmt: skip

    return score_checkpoints(config, score)


def run(args):
    from tfgan_zoo import trainer

    done = load_scores(args.scores, KEY)
    todo = [(loss, s) for s in args.seeds for loss in args.variants if (loss, s) not in done]
    print(f"{len(done)} done; {len(todo)} to go", flush=True)
    started = time.time()
    for i, (loss, seed) in enumerate(todo):
        if (loss, seed) in load_scores(args.scores, KEY):
            continue  # another process sharing the score file ran it meanwhile
        config = config_for(loss, seed, args)
        trainer.train(config)
        points = scores_along(config)
        append_score(args.scores, {"loss": loss, "seed": seed, **points,
                                   "date": datetime.date.today().isoformat()})  # fmt: skip
        print(f"[{i + 1}/{len(todo)}] {loss} seed {seed}: modes {points['modes']}, reverse KL "
              f"{points['rkl'][-1]:.2f}; {(time.time() - started) / 60:.1f} min",
              flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def rows_of(scores, loss, args):
    return [scores[k] for s in args.seeds if (k := (loss, s)) in scores]


def collapsed(row):
    """The rule's collapse: fewer than 8 modes covered at the last step."""
    return row["modes"][-1] < 8


def verdict(scores, args):
    """The rule of the module docstring, from the last step of every scored run."""
    ls, gan = (rows_of(scores, loss, args) for loss in LOSSES)
    if not ls or not gan:
        return "not tested yet"
    ls_collapsed, gan_collapsed = (sum(map(collapsed, rows)) for rows in (ls, gan))
    ls_kl, gan_kl = (float(np.mean([r["rkl"][-1] for r in rows])) for rows in (ls, gan))
    fewer = ls_collapsed < gan_collapsed
    if fewer and ls_kl < gan_kl:
        return "holds"
    if ls_collapsed > gan_collapsed and ls_kl > gan_kl:
        return "contradicted"
    return "holds partly" if fewer or ls_kl < gan_kl else "not seen at this scale"


def codings_verdict(scores, args):
    """The codings rule (fixed before their runs): (0, 1, 1) and (-1, 1, 0) behave
    **alike** when their collapse counts differ by at most 2 of 10 runs and their
    mean final modes by at most two standard errors of the difference;
    otherwise they **differ**."""
    a, b = (rows_of(scores, loss, args) for loss in CODINGS)
    if not a or not b:
        return "not tested yet"
    modes = [[r["modes"][-1] for r in rows] for rows in (a, b)]
    se = [np.std(m, ddof=1) / np.sqrt(len(m)) if len(m) > 1 else 0.0 for m in modes]
    close = abs(np.mean(modes[0]) - np.mean(modes[1])) <= 2 * np.hypot(*se)
    counts = abs(sum(map(collapsed, a)) / len(a) - sum(map(collapsed, b)) / len(b)) <= 0.2
    return "alike" if close and counts else "differ"


def table(scores, args):
    import summary

    judged = {k: v for k, v in scores.items() if k[1] in args.seeds}
    lines = [
        f"Seeds {', '.join(map(str, args.seeds))}; ring8 scored at {args.steps:,} steps on "
        f"{PROBE:,} samples (mean +- s.e.); collapsed: fewer than 8 modes.",
        "",
        "Stability: " + summary.block_verdict(summary.lsgan_row(judged), verdict(scores, args)),
    ]
    if rows_of(scores, CODINGS[1], args):
        lines += ["", "The codings: " + summary.block_verdict(
            summary.lsgan_codings_row(judged), codings_verdict(scores, args))]  # fmt: skip
    lines += [
        "",
        "| loss | runs | modes | HQ % | reverse KL | collapsed runs | worst seed (modes / HQ / "
        f"rKL) | mean modes every {args.every:,} steps |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for loss in VARIANTS:
        rows = rows_of(scores, loss, args)
        if not rows:
            continue
        worst = min(rows, key=lambda r: (r["modes"][-1], -r["rkl"][-1]))
        curve = curve_text(rows, "modes")
        lines.append(
            f"| {loss} | {len(rows)} | {mean_se_text([r['modes'][-1] for r in rows], 1)} "
            f"| {mean_se_text([100 * r['hq'][-1] for r in rows], 1)} "
            f"| {mean_se_text([r['rkl'][-1] for r in rows])} "
            f"| {sum(map(collapsed, rows))} of {len(rows)} "
            f"| {worst['modes'][-1]} / {100 * worst['hq'][-1]:.1f}% / {worst['rkl'][-1]:.2f} "
            f"(seed {worst['seed']}) | {curve} |"
        )
    return "\n".join(lines)


def plot(scores, args, path):
    """Modes and reverse KL against steps: every run thin, the median thick (a run
    with no high-quality sample has reverse KL capped at 99, which would set a
    mean); reverse KL on a log scale, capped runs on the dotted line at 99."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), constrained_layout=True)
    for loss, color in zip(VARIANTS, ("tab:blue", "tab:red", "tab:green"), strict=True):
        rows = rows_of(scores, loss, args)
        for ax, key in zip(axes, ("modes", "rkl"), strict=True):
            plot_runs(ax, rows, key, color, loss, center="median")
    axes[0].set(xlabel="steps", ylabel="modes covered (of 8)", ylim=(-0.3, 8.3))
    axes[1].set(xlabel="steps", ylabel="reverse KL (log)", yscale="log")
    axes[1].axhline(99.0, color="grey", ls=":", lw=1, label="cap: no high-quality sample")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "claim_lsgan", "0,1,2,3,4,5,6,7,8,9")
    parser.add_argument("--steps", type=int, default=35_000, help="the paper's 35,000")
    parser.add_argument("--every", type=int, default=5_000, help="steps between scored points")
    parser.add_argument(
        "--variants", default=";".join(LOSSES),
        help=f"the runs to train, ';'-separated: {'; '.join(VARIANTS)}",
    )  # fmt: skip
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.variants = [v.strip() for v in args.variants.split(";") if v.strip()]
    if unknown := [v for v in args.variants if v not in VARIANTS]:
        raise SystemExit(f"unknown --variants {unknown}: choose from {'; '.join(VARIANTS)}")
    if args.steps % args.every or args.every % 100:
        raise SystemExit("--steps: a multiple of --every, itself a multiple of 100")
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "claim lsgan")
    if args.plots and scores:
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'claim_lsgan.png'))}")


if __name__ == "__main__":
    main()

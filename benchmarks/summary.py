"""RESULTS.md's first screen: one row per claim tested here, from the committed scores.

Each row gives our number, the published one, a verdict by the rule written
beside it (fixed with the benchmark, before its runs) and the budget. A claim
with no scores yet says so. It only tabulates (``--table_only`` is its only
mode); ``--write`` puts the table in the ``summary`` block of
`benchmarks/RESULTS.md`, and leaves it as it is when no claim has scores:

    python benchmarks/summary.py --table_only --write
"""

import argparse
import math
import os
import statistics

from records import RESULTS, SCORES, load_scores, mean_se, write_table

SECTION = "## Summary"


def _scores(name, key):
    return load_scores(os.path.join(SCORES, f"{name}.jsonl"), key)


def _seeds(n):
    return f"{n} seed{'s' if n != 1 else ''}"


def _at_last(scores, key_prefix, seeds=range(5)):
    """The rows of ``key_prefix`` (all key fields but seed and steps) at the largest
    step every seed reached."""
    steps = sorted({k[-1] for k in scores if k[: len(key_prefix)] == key_prefix})
    full = [s for s in steps if all((*key_prefix, seed, s) in scores for seed in seeds)]
    if not full:
        return None, []
    return full[-1], [scores[(*key_prefix, seed, full[-1])] for seed in seeds]


def _apart(a, b):
    """Whether the means of ``a`` and ``b`` differ by more than two standard errors
    of their difference."""
    (ma, sa), (mb, sb) = mean_se(a), mean_se(b)
    return abs(ma - mb) > 2 * math.hypot(sa, sb)


def packing_row(scores, dataset, published):
    """Rule: holds when PacGAN4 covers more modes and has a lower reverse KL than the
    GAN, each by more than two standard errors of the difference."""
    steps, gan = _at_last(scores, ("GAN", dataset, "pacgan_mlp"))
    _, pac = _at_last(scores, ("PacGAN4", dataset, "pacgan_mlp"))
    if not gan or not pac:
        return None
    modes = [[r["modes"] for r in rows] for rows in (pac, gan)]
    rkl = [[r["rkl"] for r in rows] for rows in (pac, gan)]
    more = statistics.mean(modes[0]) > statistics.mean(modes[1]) and _apart(*modes)
    lower = statistics.mean(rkl[0]) < statistics.mean(rkl[1]) and _apart(*rkl)
    verdict = ("holds" if more and lower else "holds partly" if more or lower
               else "not seen at this scale")  # fmt: skip
    ours = (f"PacGAN4 {statistics.mean(modes[0]):.1f} modes / rKL {statistics.mean(rkl[0]):.2f}; "
            f"GAN {statistics.mean(modes[1]):.1f} / {statistics.mean(rkl[1]):.2f}")  # fmt: skip
    return (f"Packing covers more modes ({dataset}; PacGAN, Table 1)", ours, published,
            verdict, f"{steps:,} updates ({steps / 4000:.1f}% of 400,000), 5 seeds")  # fmt: skip


def stacked_row(scores):
    """Rule: holds when PacDCGAN2 covers more modes than DCGAN by more than two
    standard errors; not seen at this scale when neither collapses."""
    steps, dcgan = _at_last(scores, ("DCGAN", "stacked_mnist", "dcgan"))
    _, pac = _at_last(scores, ("PacDCGAN2", "stacked_mnist", "dcgan"))
    if not dcgan or not pac:
        return None
    modes = [[r["modes"] for r in rows] for rows in (pac, dcgan)]
    better = statistics.mean(modes[0]) > statistics.mean(modes[1]) and _apart(*modes)
    verdict = "holds" if better else "not seen at this scale"
    ours = f"PacDCGAN2 {statistics.mean(modes[0]):.1f}, DCGAN {statistics.mean(modes[1]):.1f}"
    return ("Packing recovers Stacked-MNIST modes (PacGAN)", ours, "1000 against 78.9",
            verdict, f"{steps:,} updates ({steps / 1000:g}% of 100,000), 2-layer networks, "
            "5 seeds")  # fmt: skip


def saturation_row(scores):
    """The rule of `claim_saturation.holds`, on every seed and generator checkpoint."""
    from claim_saturation import holds

    rows = list(scores.values())
    if not rows:
        return None
    held = sum(map(holds, rows))
    ratio = statistics.mean(r["non_saturating"][-1] / r["minimax"][-1] for r in rows)
    fall = statistics.mean(r["minimax"][0] / r["minimax"][-1] for r in rows)
    verdict = ("holds" if held == len(rows) else "holds partly" if held else
               "holds partly" if ratio > 10 else "not seen at this scale")  # fmt: skip
    ours = (
        f"after {rows[0]['d_iterations'][-1]:,} D iterations the minimax norm is "
        f"{ratio:.0f}x below the non-saturating one, {fall:.1f}x below its start"
    )
    return ("The minimax generator loss saturates (GAN, section 3)", ours,
            "norm collapses as D trains (Arjovsky & Bottou, fig. 2)",
            f"{verdict} (rule met on {held} of {len(rows)})",
            f"Fashion-MNIST DCGAN, {_seeds(len({r['seed'] for r in rows}))}")  # fmt: skip


def essentials_rows(scores):
    """EMA and DiffAugment by the rules of `essentials` (its docstring): EMA <= 0.9x
    raw where raw FID has flattened; DiffAugment <= 0.7x without it, at 10% or 1%
    of the data, from the step where the unaugmented run is best."""
    import essentials

    seeds = (0, 1, 2)
    rows = []
    names = {**essentials.EMA_RUNS, **essentials.AUGMENT_RUNS}
    if ema := [j for name in names if (j := essentials.ema_judgement(scores, name, seeds))]:
        judged = sorted((j for j in ema if j["flat"]), key=lambda j: j["ratio"])
        ours = (f"best {essentials.label(judged[0]['name'])}: {judged[0]['ratio']:.2f}x raw at "
                f"{judged[0]['at']:,} steps; raw FID flattened in {len(judged)} of {len(ema)} "
                "runs" if judged else "raw FID still falling in every run")  # fmt: skip
        verdict = "holds" if judged and judged[0]["met"] else "not reached at this budget"
        budget = f"up to {max(j['last'] for j in ema):,} steps, {_seeds(len(seeds))}"
        rows.append(("Generator EMA lowers FID once raw FID flattens (BigGAN, StyleGAN practice)",
                     ours, "-", verdict, budget))  # fmt: skip
    augment = [j for fraction in ("10%", "1%") for policy in ("tc", "ctc")
               if (j := essentials.augment_judgement(scores, fraction, policy, seeds))
               and j["ratios"]]  # fmt: skip
    if augment:
        ratio, step, run = min((r, s, j["run"]) for j in augment for s, r in j["ratios"].items())
        fraction, policy = run.split()
        rows.append(("DiffAugment helps with little data (Zhao et al. 2020)",
                     f"best {fraction} {essentials.POLICIES[policy]}: {ratio:.2f}x without it "
                     f"at {step:,} steps", "10% CIFAR-10: FID 2.5x lower",
                     "holds" if ratio <= 0.7 else "not reached at this budget",
                     f"up to {max(max(j['ratios']) for j in augment):,} steps, DCGAN 32 "
                     f"filters, {_seeds(len(seeds))}"))  # fmt: skip
    return rows


def lsgan_row(scores):
    """`claim_lsgan.verdict` over the seeds scored so far (runs are per loss and seed)."""
    import argparse

    import claim_lsgan

    seeds = sorted({seed for _, seed in scores})
    if not seeds:
        return ("Least squares is more stable than the sigmoid GAN (LSGAN, mixture of "
                "Gaussians)", "-", "-", "not tested yet", "-")  # fmt: skip
    args = argparse.Namespace(seeds=seeds)
    ls, gan = (claim_lsgan.rows_of(scores, loss, args) for loss in claim_lsgan.LOSSES)
    cell = [f"{sum(map(claim_lsgan.collapsed, rows))} of {len(rows)} collapsed, reverse KL "
            f"{statistics.mean(r['rkl'][-1] for r in rows):.2f}" for rows in (ls, gan)]  # fmt: skip
    steps = max(r["steps"][-1] for r in scores.values())
    return ("Least squares is more stable than the sigmoid GAN (LSGAN, mixture of Gaussians)",
            f"LSGAN {cell[0]}; GAN {cell[1]}", "GAN collapses to one mode, LSGAN covers the "
            "ring (their figure)", claim_lsgan.verdict(scores, args)
            + ("" if min(len(ls), len(gan)) >= 10 else " (interim)"),
            f"{steps:,} steps (the paper's 35,000), {len(ls)} + {len(gan)} runs")  # fmt: skip


def projection_row(scores):
    """`claim_projection.verdict` over the seeds scored so far."""
    import argparse

    import claim_projection

    claim = "Projection beats concatenation and AC-GAN (Miyato & Koyama, Table 1)"
    seeds = sorted({seed for _, seed in scores})
    if not seeds:
        return (claim, "-", "-", "not tested yet", "-")
    args = argparse.Namespace(seeds=seeds)
    rows = {name: claim_projection.rows_of(scores, name, args)
            for name in claim_projection.VARIANTS}  # fmt: skip
    ours = "intra-class FID " + ", ".join(
        f"{name} {statistics.mean(r['intra_fid'][-1] for r in rs):.2f}"
        for name, rs in rows.items() if rs
    )  # fmt: skip
    steps = max(r["steps"][-1] for r in scores.values())
    runs = min(len(rs) for rs in rows.values())
    return (claim, ours, "CIFAR-10: projection best in IS, intra-class FID and FID (IS 8.62, "
            "FID 17.5)", claim_projection.verdict(scores, args) + ("" if runs >= 5 else
                                                                   " (interim)"),
            f"Fashion-MNIST DCGAN, {steps:,} steps, {_seeds(runs)}")  # fmt: skip


def lsgan_codings_row(scores):
    """`claim_lsgan.codings_verdict`: alike is the paper's claim (holds), differ
    contradicts it."""
    import argparse

    import claim_lsgan

    claim = "LSGAN's codings (-1, 1, 0) and (0, 1, 1) behave alike (LSGAN)"
    args = argparse.Namespace(seeds=sorted({seed for _, seed in scores}))
    rows = [claim_lsgan.rows_of(scores, loss, args) for loss in claim_lsgan.CODINGS]
    if not all(rows):
        return (claim, "-", "-", "not tested yet", "-")
    cells = [f"{name} {sum(map(claim_lsgan.collapsed, r))} of {len(r)} collapsed, "
             f"{statistics.mean(x['modes'][-1] for x in r):.1f} modes"
             for name, r in zip(claim_lsgan.CODINGS, rows, strict=True)]  # fmt: skip
    verdict = {"alike": "holds", "differ": "contradicted"}
    return (claim, "; ".join(cells), "the two codings give similar results (their text)",
            verdict[claim_lsgan.codings_verdict(scores, args)]
            + ("" if min(map(len, rows)) >= 10 else " (interim)"),
            f"ring8, 35,000 steps, {len(rows[0])} + {len(rows[1])} runs")  # fmt: skip


def lsgan_architectures_row(scores):
    """`claim_lsgan_architectures.verdict` over the seeds scored so far."""
    import argparse

    import claim_lsgan_architectures as claim

    name = "Least squares trains difficult architectures (LSGAN: no batch norm)"
    seeds = sorted({seed for *_, seed in scores})
    if not seeds:
        return (name, "-", "-", "not tested yet", "-")
    args = argparse.Namespace(seeds=seeds)
    cells, runs = [], []
    for setting in claim.SETTINGS:
        rows = {loss: claim.rows_of(scores, setting, loss, args) for loss in claim.LOSSES[setting]}
        runs += [len(r) for r in rows.values()]
        cells.append(f"{setting}: failed LSGAN {sum(map(claim.failed, rows['LSGAN']))} of "
                     f"{len(rows['LSGAN'])}, GAN {sum(map(claim.failed, rows['GAN']))} of "
                     f"{len(rows['GAN'])}")  # fmt: skip
    steps = max(r["steps"][-1] for r in scores.values())
    return (name, "; ".join(cells), "the GAN collapses or fails in both, LSGAN trains (LSUN "
            "samples)", claim.verdict(scores, args) + ("" if min(runs) >= 5 else " (interim)"),
            f"Fashion-MNIST DCGAN, {steps:,} steps, {_seeds(min(runs))}")  # fmt: skip


def ebgan_row(scores):
    """`claim_ebgan.verdict` over the configurations both losses finished."""
    import argparse

    import claim_ebgan

    claim = "EBGANs score better than GANs over a grid of settings (EBGAN, 4.1)"
    args = argparse.Namespace(configs=max((i + 1 for _, i in scores), default=0))
    pairs = claim_ebgan.paired(scores, args)
    if not pairs:
        return (claim, "-", "-", "not tested yet", "-")
    ebgan, gan = zip(*pairs, strict=True)
    result, p = claim_ebgan.verdict(scores, args)
    any_row = next(iter(scores.values()))
    return (claim, f"median I' EBGAN {statistics.median(ebgan):.2f}, GAN "
            f"{statistics.median(gan):.2f}; EBGAN higher in {sum(e > g for e, g in pairs)} of "
            f"{len(pairs)}; I' >= 1 in {sum(e >= 1 for e in ebgan)} EBGAN runs, "
            f"{sum(g >= 1 for g in gan)} GAN runs",
            "EBGAN's I' histogram lies above the GAN's (their figure 2)",
            f"{result} (sign test p = {p:.2g})" + ("" if len(pairs) >= 60 else " (interim)"),
            f"{len(pairs)} of 6,144 configurations, widths x{any_row['width_scale']:g}, "
            f"{any_row['steps']:,} steps")  # fmt: skip


def table():
    mode_collapse = _scores("mode_collapse", ("variant", "dataset", "architecture", "seed",
                                              "steps"))  # fmt: skip
    rows = [
        saturation_row(_scores("claim_saturation", ("seed", "g_steps"))),
        packing_row(mode_collapse, "grid25", "PacGAN4 24.8 / 0.04; GAN 17.3 / 0.70"),
        packing_row(mode_collapse, "ring8", "PacGAN4 7.8 / 0.07; GAN 6.3 / 0.45"),
        stacked_row(mode_collapse),
        *essentials_rows(_scores("essentials", ("run", "seed", "steps"))),
        lsgan_row(_scores("claim_lsgan", ("loss", "seed"))),
        lsgan_codings_row(_scores("claim_lsgan", ("loss", "seed"))),
        lsgan_architectures_row(_scores("claim_lsgan_architectures", ("setting", "loss", "seed"))),
        ebgan_row(_scores("claim_ebgan", ("loss", "config"))),
        projection_row(_scores("claim_projection", ("conditioning", "seed"))),
    ]
    lines = ["| claim | ours | published | verdict | budget |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows if row]
    return "\n".join(lines), [row for row in rows if row and row[1] != "-"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update --results")
    parser.add_argument("--results", default=RESULTS)
    parser.add_argument("--table_only", action="store_true", help="the default: nothing trains")
    args = parser.parse_args()
    text, scored = table()
    print(text)
    if args.write:
        write_table(SECTION, "summary", text, scored, args.results)


if __name__ == "__main__":
    main()

"""The LSGAN paper's claim on difficult architectures: least squares still
trains where the sigmoid cross-entropy GAN fails.

Mao et al. (arXiv 1611.04076, section 4.2; 1712.06391) train both losses on
LSUN with two architectures that are hard for GANs, and show samples: without
batch norm in the generator (Adam), and without batch norm in either network
(RMSProp). The regular GAN collapses or fails in both; LSGAN trains.

Protocol (their code: xudonmao/LSGAN, ``stability_comparison/BN_G_*_adam`` and
``BN_GD_*_rms``): the DCGAN of ``flags/dcgan_fashion_mnist.flags`` with
``--g_norm=none`` (Adam 2e-4, beta1 0.5; LSGAN a, b, c = 0, 1, 1) or with
``--g_norm=none --d_norm=none --optimizer=rmsprop`` (RMSProp 2e-4; LSGAN a, b,
c = -1, 1, 0), each against the GAN with the non-saturating generator loss
(their ``sigmoid_cross_entropy_with_logits`` against ones); z uniform in
[-1, 1], the same draw for a step's D and G updates (``--shared_noise``);
batch 64. Differences: Fashion-MNIST 28x28, not LSUN bedrooms 64x64; 32 base
filters, not 64; z 64-D, not 1,024-D; 3,000 steps, not theirs (their loop runs
until stopped).

Scoring, fixed before the runs: every ``--every`` steps, 5,000 samples (z of
seed 0) in the classifier's features of `records.classifier_fid_setup`:
classifier FID against 5,000 test images, and the classes the classifier
finds in at least 2% of the samples. A run **fails** when, at the last step,
its FID is above 20 (four times a working DCGAN's, about 5 at 2,000 steps) or
fewer than 8 of the 10 classes are found. The claim **holds** when LSGAN fails
in fewer runs than the GAN in both settings; **holds partly** in one of them
(and not in more runs in the other); **contradicted** when it fails in more
runs in both; otherwise **not seen at this scale**.

The rule above is the first one, kept as it was; the table gives its verdict
beside the one of `summary.py`'s rule form (2026-12-06), which replaced it and
has no "holds partly".

Resumable: one JSON line per (setting, loss, seed) in ``--scores``
(``benchmarks/scores/claim_lsgan_architectures.jsonl``); processes given
different ``--seeds`` can share it. ``--table_only``
rebuilds the table, the plot and the sample grids' figure from the scores and
the runs' samples:

    nice python benchmarks/claim_lsgan_architectures.py --seeds 0,1,2,3,4 --write
"""

import argparse
import datetime
import os
import time

import numpy as np
from records import (
    REPO,
    add_run_arguments,
    append_score,
    classifier_fid_setup,
    curve_text,
    features_and_probabilities,
    load_scores,
    mean_se_text,
    parse_flagfile,
    plot_runs,
    run_and_tabulate,
    save_figure,
    score_checkpoints,
    scored_every,
)

KEY = ("setting", "loss", "seed")
SECTION = "## Claim: least squares trains difficult architectures"
FASHION = os.path.join(REPO, "..", "shared", "data", "fashion-mnist")
COMMON = ["--base_filters=32", "--latent_distribution=uniform", "--shared_noise"]
SETTINGS = {
    "no BN in G, Adam": ["--g_norm=none"],
    "no BN, RMSProp": ["--g_norm=none", "--d_norm=none", "--optimizer=rmsprop"],
}
LOSSES = {
    "no BN in G, Adam": {"LSGAN": ["--loss=least_squares", "--ls_labels=0,1,1"],
                         "GAN": ["--loss=non_saturating"]},
    "no BN, RMSProp": {"LSGAN": ["--loss=least_squares", "--ls_labels=-1,1,0"],
                       "GAN": ["--loss=non_saturating"]},
}  # fmt: skip
FAIL_FID = 20.0
MIN_CLASSES = 8
CLASS_SHARE = 0.02


def config_for(setting, loss, seed, args):
    """``flags/dcgan_fashion_mnist.flags`` with the setting's and the loss's flags."""
    config = parse_flagfile("dcgan_fashion_mnist", *COMMON, *SETTINGS[setting],
                             *LOSSES[setting][loss], f"--dataset=idx:{args.data}")  # fmt: skip
    return scored_every(
        config, args.steps, args.every, seed=seed, log_every=100, steps_per_execution=10,
        model_dir=run_dir(setting, loss, seed, args),
    )  # fmt: skip


def run_dir(setting, loss, seed, args):
    """Where one run trains, under ``--work_dir``."""
    return os.path.join(
        args.work_dir, f"{setting.replace(',', '').replace(' ', '_')}_{loss}_{seed}"
    )


def latents(count, dim):
    return np.random.default_rng(0).uniform(-1, 1, (count, dim)).astype(np.float32)


def fid_setup(args):
    """(classifier extractor, `Moments` of its features of ``--samples`` test images)."""
    from tfgan_zoo import metrics

    extractor, real = classifier_fid_setup("idx:" + args.data, args.samples)
    return extractor, metrics.Moments().update(features_and_probabilities(extractor, real)[0])


def score(model, setup):
    """Classifier FID and the classes found in at least `CLASS_SHARE` of the model's
    samples (as many as the test images of ``setup``)."""
    from tfgan_zoo import metrics

    extractor, real = setup
    z = latents(real.n, model.generator_input_dim)
    fake = np.concatenate([np.asarray(model.generator(z[i : i + 500], training=False))
                           for i in range(0, len(z), 500)])  # fmt: skip
    if not np.all(np.isfinite(fake)):
        return {"fid": float("inf"), "classes": 0}
    features, probabilities = features_and_probabilities(extractor, fake)
    shares = np.bincount(probabilities.argmax(1), minlength=10) / len(z)
    fid = metrics.fid(real, metrics.Moments().update(features))
    return {"fid": fid, "classes": int(np.sum(shares >= CLASS_SHARE))}


def failed(row):
    """The rule's failure, at the last scored step."""
    return not row["fid"][-1] <= FAIL_FID or row["classes"][-1] < MIN_CLASSES


def run(args):
    from tfgan_zoo import trainer

    done = load_scores(args.scores, KEY)
    todo = [(setting, loss, s) for s in args.seeds for setting in SETTINGS
            for loss in LOSSES[setting] if (setting, loss, s) not in done]  # fmt: skip
    print(f"{len(done)} done; {len(todo)} to go", flush=True)
    if not todo:
        return done
    setup = fid_setup(args)
    started = time.time()
    for i, (setting, loss, seed) in enumerate(todo):
        if (setting, loss, seed) in load_scores(args.scores, KEY):
            continue  # another process sharing the score file ran it meanwhile
        config = config_for(setting, loss, seed, args)
        generator = trainer.train(config).model.generator
        points = score_checkpoints(config, lambda model: score(model, setup))
        if seed == args.seeds[0]:
            np.save(os.path.join(config.model_dir, "grid.npy"),
                    np.asarray(generator(latents(64, config.latent_dim))))  # fmt: skip
        append_score(args.scores, {"setting": setting, "loss": loss, "seed": seed, **points,
                                   "date": datetime.date.today().isoformat()})  # fmt: skip
        print(f"[{i + 1}/{len(todo)}] {setting}, {loss}, seed {seed}: FID "
              f"{[round(v, 2) for v in points['fid']]}, classes {points['classes']}; "
              f"{(time.time() - started) / 60:.1f} min", flush=True)  # fmt: skip
    return load_scores(args.scores, KEY)


def rows_of(scores, setting, loss, args):
    return [scores[k] for s in args.seeds if (k := (setting, loss, s)) in scores]


def verdict(scores, args):
    """The rule of the module docstring."""
    fewer = more = 0
    for setting in SETTINGS:
        ls, gan = (rows_of(scores, setting, loss, args) for loss in ("LSGAN", "GAN"))
        if not ls or not gan:
            return "not tested yet"
        ls_failed, gan_failed = sum(map(failed, ls)), sum(map(failed, gan))
        fewer += ls_failed < gan_failed
        more += ls_failed > gan_failed
    if fewer == len(SETTINGS):
        return "holds"
    if more == len(SETTINGS):
        return "contradicted"
    return "holds partly" if fewer and not more else "not seen at this scale"


def table(scores, args):
    import summary

    judged = summary.lsgan_architectures_row(
        {k: v for k, v in scores.items() if k[-1] in args.seeds}
    )
    lines = [
        f"Fashion-MNIST DCGAN (32 filters), seeds {', '.join(map(str, args.seeds))}, "
        f"{args.steps:,} steps; classifier FID of {args.samples:,} samples (mean +- s.e.; "
        f"non-finite samples count as failed). A run fails with FID > {FAIL_FID:g} or fewer "
        f"than {MIN_CLASSES} classes in >= {CLASS_SHARE:.0%} of its samples.",
        "",
        summary.block_verdict(judged, verdict(scores, args)),
        "",
        f"| setting | loss | runs | FID | classes found | failed runs | worst seed (FID / "
        f"classes) | mean FID every {args.every:,} steps |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for setting in SETTINGS:
        for loss in LOSSES[setting]:
            rows = rows_of(scores, setting, loss, args)
            if not rows:
                continue
            finite = [r["fid"][-1] for r in rows if np.isfinite(r["fid"][-1])]
            worst = max(rows, key=lambda r: (failed(r), r["fid"][-1]))
            curve = curve_text(rows, "fid")
            lines.append(
                f"| {setting} | {loss} | {len(rows)} "
                f"| {mean_se_text(finite) if finite else '-'} "
                f"| {mean_se_text([r['classes'][-1] for r in rows], 1)} "
                f"| {sum(map(failed, rows))} of {len(rows)} "
                f"| {worst['fid'][-1]:.2f} / {worst['classes'][-1]} (seed {worst['seed']}) "
                f"| {curve} |"
            )
    return "\n".join(lines)


def plot(scores, args, path):
    """FID against steps per setting (every run thin, the mean thick)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(SETTINGS), figsize=(10, 3.6), constrained_layout=True)
    for ax, setting in zip(axes, SETTINGS, strict=True):
        for loss, color in zip(LOSSES[setting], ("tab:blue", "tab:red"), strict=True):
            plot_runs(ax, rows_of(scores, setting, loss, args), "fid", color, loss, clip=1e3)
        ax.axhline(FAIL_FID, color="gray", ls="--", lw=0.8, label=f"fails above FID {FAIL_FID:g}")
        ax.set(title=setting, xlabel="steps", ylabel="classifier FID", yscale="log")
        ax.legend(fontsize=8)
    return save_figure(fig, path)


def sample_figure(args, path):
    """The first seed's 64 samples at the last step, per setting and loss (from the
    runs' ``grid.npy``); None when the runs are not on this machine."""
    panels = [(f"{setting}: {loss}", os.path.join(run_dir(setting, loss, args.seeds[0], args),
                                                   "grid.npy"))
              for setting in SETTINGS for loss in LOSSES[setting]]  # fmt: skip
    if not all(os.path.exists(p) for _, p in panels):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tfgan_zoo import images

    fig, axes = plt.subplots(1, len(panels), figsize=(3 * len(panels), 3.3),
                             constrained_layout=True)  # fmt: skip
    for ax, (title, grid_path) in zip(axes, panels, strict=True):
        x = images.to_uint8(np.load(grid_path))[..., 0]
        ax.imshow(x.reshape(8, 8, 28, 28).transpose(0, 2, 1, 3).reshape(224, 224), cmap="gray")
        ax.set(title=title, xticks=[], yticks=[])
        ax.title.set_fontsize(8)
    return save_figure(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser, "claim_lsgan_architectures", "0,1,2,3,4")
    parser.add_argument("--steps", type=int, default=3_000)
    parser.add_argument("--every", type=int, default=1_000, help="steps between scored points")
    parser.add_argument("--samples", type=int, default=5_000, help="scored, and test images")
    parser.add_argument("--data", default=FASHION, help="a folder of Fashion-MNIST IDX files")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.steps % args.every or args.every % 10 or args.samples % 500:
        raise SystemExit("--steps: a multiple of --every, itself a multiple of 10; "
                         "--samples: a multiple of 500")  # fmt: skip
    scores = run_and_tabulate(args, KEY, run, table, SECTION, "claim lsgan architectures")
    if args.plots and scores:
        print(f"Plot: {plot(scores, args, os.path.join(args.plots, 'claim_lsgan_arch.png'))}")
        samples = sample_figure(args, os.path.join(args.plots, "claim_lsgan_arch_samples.png"))
        if samples:
            print(f"Plot: {samples}")


if __name__ == "__main__":
    main()

"""docs/benchmarks.md's benchmark commands at tiny budgets: they run, resume and tabulate."""

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO


def run(*args, timeout=1200):
    cmd = [sys.executable, *args]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_quality_benchmark_runs_resumes_and_reports_the_worst_seed(tmp_path):
    args = [os.path.join("benchmarks", "quality.py"), "--seeds", "0,1", "--toy_steps", "200",
            "--image_steps", "0", "--work_dir", str(tmp_path), "--scores",
            str(tmp_path / "q.jsonl"), "--plots", str(tmp_path)]  # fmt: skip
    first = run(*args)
    assert "0/40 runs done; 40 to go" in first  # 10 losses x ring8, grid25 x 2 seeds
    row = next(line for line in first.splitlines() if line.startswith("| hinge |"))
    assert row.count("(seed ") == 2 and " +- " in row  # ring8 and grid25 worst seeds
    assert "40/40 runs done; 0 to go" in run(*args)
    assert (tmp_path / "quality.png").stat().st_size > 0


@pytest.mark.slow
def test_essentials_benchmark_scores_ema_and_diffaugment_curves(tmp_path):
    args = [os.path.join("benchmarks", "essentials.py"), "--seeds", "0", "--ema_curve", "500",
            "--augment_curve", "500", "--runs", "DCGAN,1% none,1% tc", "--fid_samples", "500",
            "--work_dir", str(tmp_path), "--scores", str(tmp_path / "s.jsonl"),
            "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0/3 points done" in out
    assert any(line.startswith("| DCGAN 64 | 500 |") for line in out.splitlines()), out
    assert any(line.startswith("| 1% | 500 |") for line in out.splitlines()), out
    assert "3/3 points done; 0 to go" in run(*args)
    assert (tmp_path / "essentials.png").stat().st_size > 0


def test_essentials_tables_pair_seeds_and_plot_from_scores(tmp_path, monkeypatch):
    """Ratios per seed (the mean and the worst), `n=` for a point short of seeds, a
    plot from the scores alone."""
    import argparse

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import essentials

    scores = {}
    for seed, fid in enumerate((10.0, 20.0)):
        scores[("DCGAN", seed, 2000)] = {"seed": seed, "fid": fid, "fid_ema_copy": fid * 1.1,
                                         "fid_ema_recompute": fid * 0.8}  # fmt: skip
        scores[("1% none", seed, 1000)] = {"seed": seed, "fid": fid, "d_train": 1.0,
                                           "d_heldout": 0.5, "ada_rt": 0.9}  # fmt: skip
    scores[("1% tc", 1, 1000)] = {"seed": 1, "fid": 10.0, "d_train": 0.1, "d_heldout": 0.1,
                                  "ada_rt": 0.0}  # fmt: skip
    args = argparse.Namespace(seeds=[0, 1], ema_curve=[2000], augment_curve=[1000],
                              fid_samples=100)  # fmt: skip
    ema = essentials.ema_table(scores, args).splitlines()[-1]
    assert ema == ("| DCGAN 64 | 2,000 | 15.00 +- 5.00 | 16.50 +- 5.50 | 1.10 (1.10, seed 1) "
                   "| 12.00 +- 4.00 | 0.80 (0.80, seed 1) |")  # fmt: skip
    augment = essentials.augment_table(scores, args).splitlines()[-1]
    assert augment.startswith("| 1% | 1,000 | 15.00 +- 5.00 / 0.50 / 0.90 |")
    assert "| 10.00 / 0.50 (0.50, seed 1) | - |" in augment  # seed 1's pair only, no "+- nan"
    assert os.path.getsize(essentials.plot(scores, args, str(tmp_path / "p.png"))) > 0


def test_essentials_verdicts_follow_the_rules_fixed_before_the_runs(monkeypatch):
    """DiffAugment: ratios from the unaugmented run's best step on; EMA: only at
    points where the raw FID fell by less than 5%."""
    import argparse

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import essentials

    args = argparse.Namespace(seeds=[0, 1, 2], ema_curve=[], augment_curve=[1000, 2000, 3000])
    scores = {}
    # without DiffAugment: mean FID 20, 10 (best), 12; with it: 18, 8, 6
    for steps, (none, tc) in {1000: (20, 18), 2000: (10, 8), 3000: (12, 6)}.items():
        for seed, scale in ((0, 0.9), (1, 1.0), (2, 1.1)):
            scores[("1% none", seed, steps)] = {
                "seed": seed,
                "fid": none * scale,
                "fid_ema_copy": none * scale * 0.8,
                "fid_ema_recompute": none * scale * 0.85,
            }
            scores[("1% tc", seed, steps)] = {"seed": seed, "fid": tc * scale}
    verdict = essentials.augment_verdict(scores, "1%", "tc", args)
    assert verdict == (
        "1%, translation,cutout: without it the FID is lowest at 2,000 steps; "
        "ratio 0.80 at 2,000, 0.50 at 3,000: goal met at 3,000."
    )
    assert essentials.augment_verdict(scores, "1%", "ctc", args) is None  # no runs
    # 20 -> 10 falls by half; 10 -> 12 rises: flattened at 3,000 only, ratio 0.8 there
    assert essentials.ema_verdict(scores, "1% none", args) == (
        "DCGAN 32, 1% none: raw FID flattened at 3,000 steps; the better EMA / raw "
        "ratio there is 0.80 (at 3,000): goal met. At the best raw point (2,000): "
        "0.80 copied, 0.85 recomputed; at the end (3,000): 0.80 copied, 0.85 recomputed."
    )
    import summary  # the summary's rows follow the same rules

    # Three seeds cannot reach p < 0.05 with a sign test (1/8 at best): the summary's
    # one rule form says not seen, where the goal rules above say met.
    rows = summary.essentials_rows(scores)
    assert [(r["ours"], r["published"], r["verdict"]) for r in rows] == [
        ("best DCGAN 32, 1% none: 0.80x raw at 3,000 steps; raw FID flattened in 1 of 1 runs",
         "-", "not seen at this scale"),
        ("best 1% translation,cutout: 0.50x without it at 3,000 steps",
         "10% CIFAR-10: FID 2.5x lower", "not seen at this scale"),
    ]  # fmt: skip
    assert rows[0]["test"] == "sign, EMA / raw < 0.9 (3 of 3), p = 0.12; smallest reachable 0.12"
    for seed in (0, 1, 2):  # with DiffAugment only to 1,000: short of the best step
        del scores[("1% tc", seed, 2000)], scores[("1% tc", seed, 3000)]
    assert essentials.augment_verdict(scores, "1%", "tc", args).endswith("not judged yet.")
    del scores[("1% none", 1, 3000)]  # a point short of a seed is not judged
    assert "still falls more than 5% per point up to 2,000" in essentials.ema_verdict(
        scores, "1% none", args
    )


@pytest.mark.slow
def test_throughput_essentials_prints_ratios_to_the_plain_step(tmp_path):
    out = run(os.path.join("benchmarks", "throughput.py"), "--essentials", "--networks",
              "dcgan28", "--rounds", "1", "--scores", str(tmp_path / "t.jsonl"))  # fmt: skip
    rows = [line for line in out.splitlines() if line.startswith("| dcgan28 |")]
    assert [r.split("|")[2].strip() for r in rows] == [
        "plain", "generator EMA 0.999", "generator EMA, half-life 10,000 images",
        "DiffAugment translation,cutout", "DiffAugment color,translation,cutout",
    ]  # fmt: skip
    assert rows[0].split("|")[5].strip() == "1.00"


@pytest.mark.slow
def test_throughput_execution_times_the_toy_networks_beside_hand_written_xla_loops(tmp_path):
    out = run(os.path.join("benchmarks", "throughput.py"), "--execution", "--networks",
              "pacgan_toy", "--rounds", "1", "--scores", str(tmp_path / "t.jsonl"))  # fmt: skip
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| pacgan_toy |")]
    assert [r[2].strip() for r in rows[:6]] == [
        "default fit", "XLA", "steps_per_execution", "steps_per_execution + XLA",
        "hand-written XLA step, one per call", "hand-written XLA loop, 100 steps per call",
    ]  # fmt: skip
    assert rows[0][6].strip() == "1.00" and all(float(r[4]) > 0 for r in rows[:6])
    assert "`--jit_compile=auto`: auto: on" in rows[6][2]


@pytest.mark.slow
def test_throughput_default_compares_images_per_second_with_the_hand_written_gan():
    out = run(os.path.join("benchmarks", "throughput.py"), "--steps", "10", "--rounds", "1")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| float32 |")]
    assert [r[2].strip() for r in rows] == ["1", "10"]  # steps_per_execution
    assert all(float(r[3]) > 0 and float(r[4]) > 0 and float(r[5]) > 0 for r in rows)


def test_write_section_replaces_only_its_block_and_keeps_the_prose(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import records

    path = tmp_path / "RESULTS.md"
    path.write_text(
        "## A: `cmd a`\n\nProtocol prose.\n\n<!-- begin t -->\n`old`:\n\n| old |\n\n"
        "<!-- end t -->\n\nReading prose.\n\n## B: `cmd b`\n\nB text.\n"
    )
    records.write_section("## A", "t", "| new |", "python x.py", path=path)
    assert path.read_text() == (
        "## A: `cmd a`\n\nProtocol prose.\n\n<!-- begin t -->\n`python x.py`:\n\n| new |\n\n"
        "<!-- end t -->\n\nReading prose.\n\n## B: `cmd b`\n\nB text.\n"
    )
    records.write_section("## A", "u", "| second |", "python y.py", path=path)
    text = path.read_text()
    assert "| new |" in text and "Reading prose.\n\n<!-- begin u -->\n`python y.py`:\n\n" in text
    assert text.index("<!-- end u -->") < text.index("## B")  # appended inside section A
    assert text.endswith("<!-- end u -->\n\n## B: `cmd b`\n\nB text.\n")
    records.write_section("## B", "b", "B table", "python b.py", path=path)  # at the end
    assert (
        path.read_text()
        == text + "\n<!-- begin b -->\n`python b.py`:\n\nB table\n\n<!-- end b -->\n"
    )
    records.write_section("## C", "c", "C table", "python c.py", path=path)  # a new section
    assert path.read_text().endswith(
        "<!-- end b -->\n\n## C\n\n<!-- begin c -->\n`python c.py`:\n\nC table\n\n<!-- end c -->\n"
    )


@pytest.mark.parametrize(
    "script, blocks",
    [("quality", ["quality"]), ("essentials", ["essentials ema", "essentials diffaugment"]),
     ("mode_collapse", ["mode_collapse toy", "mode_collapse stacked"]),
     ("claim_saturation", ["claim saturation"]), ("claim_lsgan", ["claim lsgan"]),
     ("claim_projection", ["claim projection"]), ("claim_ebgan", ["claim ebgan"]),
     ("claim_lsgan_architectures", ["claim lsgan architectures"]),
     ("summary", ["summary"])],
)  # fmt: skip
def test_each_benchmark_writes_into_a_marked_block_of_its_results_section(script, blocks):
    """``--write`` finds its section and blocks in RESULTS.md, so it replaces the
    tables there rather than appending a second section or erasing the prose."""
    with open(os.path.join(REPO, "benchmarks", script + ".py")) as f:
        source = f.read()
    heading = source.split('SECTION = "', 1)[1].split('"', 1)[0]
    with open(os.path.join(REPO, "benchmarks", "RESULTS.md")) as f:
        results = f.read()
    start = results.index(f"\n{heading}\n") + 1
    section = results[start : results.find("\n## ", start + 1)]
    for block in blocks:
        assert f'"{block}"' in source
        begin = section.index(f"<!-- begin {block} -->")
        assert section.index(f"<!-- end {block} -->") > begin


def test_population_refresh_is_pacgans_monitoring_update(monkeypatch):
    """One refresh batch: population = 0.95 population + 0.05 x the mean of the
    m pack positions' batch statistics, for every batch norm of the generator."""
    import keras
    import numpy as np

    from tfgan_zoo import architectures, models

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import population_stats

    monkeypatch.setattr(population_stats, "REFRESH_BATCHES", 1)
    g, d = architectures.build("pacgan_mlp", (2,), 2, pack=2)
    gan = models.GAN(g, d, 2, pack=2, seed=0)
    norms = [layer for layer in g.layers if isinstance(layer, keras.layers.BatchNormalization)]
    z = np.random.default_rng(0).standard_normal((2 * 100, 2)).astype(np.float32)
    inputs = keras.Model(g.inputs, [layer.input for layer in norms])
    positions = [[np.asarray(x) for x in inputs(z[k * 100 : (k + 1) * 100], training=True)]
                 for k in (0, 1)]  # fmt: skip
    for i, layer in enumerate(norms):  # after the calls above, which move them too
        layer.moving_mean.assign(np.full(layer.moving_mean.shape, 0.5 + i, np.float32))
        layer.moving_variance.assign(np.full(layer.moving_variance.shape, 3.0, np.float32))
    population_stats.refresh_population_statistics(gan)
    for i, layer in enumerate(norms):
        batch_mean = np.mean([p[i].mean(0) for p in positions], 0)
        batch_var = np.mean([p[i].var(0) for p in positions], 0)
        np.testing.assert_allclose(layer.moving_mean, 0.95 * (0.5 + i) + 0.05 * batch_mean,
                                   rtol=1e-5, atol=1e-6)  # fmt: skip
        np.testing.assert_allclose(layer.moving_variance, 0.95 * 3.0 + 0.05 * batch_var,
                                   rtol=1e-5, atol=1e-6)  # fmt: skip


def committed_blocks():
    """``[(block, command, text)]`` of every generated block in RESULTS.md."""
    import re

    with open(os.path.join(REPO, "benchmarks", "RESULTS.md")) as f:
        results = f.read()
    pattern = r"<!-- begin (.+?) -->\n`(python benchmarks/.+?)`:\n\n(.*?)\n\n<!-- end \1 -->"
    return re.findall(pattern, results, flags=re.S)


@pytest.mark.parametrize("block, command, text", committed_blocks(), ids=lambda v: v[:20])
def test_each_committed_table_regenerates_from_the_committed_scores(block, command, text, tmp_path):
    """The block's own command (``--table_only``: trains nothing) prints the block
    from ``benchmarks/scores/``, on a fresh clone as here."""
    import shlex

    assert "--table_only" in command
    args = [a for a in shlex.split(command)[1:] if a != "--write"]
    plots = [] if "summary.py" in command else ["--plots", str(tmp_path)]
    out = run(*args, *plots, timeout=300)
    assert text.strip() in out, out[-3000:]
    plots = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("Plot: ")]
    assert all(os.path.dirname(p) == str(tmp_path) and os.path.getsize(p) for p in plots)


@pytest.mark.parametrize("block, command, text", committed_blocks(), ids=lambda v: v[:20])
def test_write_with_no_scores_leaves_a_committed_table_as_it_is(block, command, text, tmp_path):
    import shlex
    import shutil

    results = tmp_path / "RESULTS.md"
    shutil.copy(os.path.join(REPO, "benchmarks", "RESULTS.md"), results)
    before = results.read_text()
    if "summary.py" in command:
        pytest.skip("the summary reads every committed score file; it has no --scores")
    args = shlex.split(command)[1:]
    args += [flag for flag in ("--table_only", "--write") if flag not in args]
    args += ["--scores", str(tmp_path / "typo.jsonl"), "--results", str(results),
             "--work_dir", str(tmp_path), "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args, timeout=300)
    assert f"No scores for the {block!r} block: RESULTS.md keeps it as it is." in out
    assert results.read_text() == before
    assert os.listdir(tmp_path) == ["RESULTS.md"]  # nothing trained, no classifier either


@pytest.mark.slow  # 55 CPU-s of the fast suite's 25 min on 2 cores (2026-12-08)
def test_the_saturation_claim_runs_resumes_and_plots(tmp_path):
    """docs/benchmarks.md's command at a tiny budget (4 filters, 500 generator
    steps, 5 discriminator iterations): a row per seed, resumed, plotted."""
    from conftest import shared_dir

    shared_dir("fashion-mnist")
    args = [os.path.join("benchmarks", "claim_saturation.py"), "--seeds", "0", "--g_steps",
            "500", "--d_iterations", "5", "--base_filters", "4", "--work_dir", str(tmp_path),
            "--scores", str(tmp_path / "s.jsonl"), "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0 done; 1 to go" in out and "| 500 steps | 5 |" in out and "of 1 |" in out
    assert (tmp_path / "claim_saturation.png").stat().st_size > 0
    assert "1 done; 0 to go" in run(*args)


@pytest.mark.slow  # 47 CPU-s of the fast suite's 25 min on 2 cores (2026-12-08)
def test_the_lsgan_claim_runs_resumes_and_plots(tmp_path):
    """docs/benchmarks.md's command at a tiny budget: both losses, one seed, scored
    at each point, resumed, plotted."""
    args = [os.path.join("benchmarks", "claim_lsgan.py"), "--seeds", "0", "--steps", "200",
            "--every", "100", "--work_dir", str(tmp_path), "--scores",
            str(tmp_path / "s.jsonl"), "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0 done; 2 to go" in out and "mean modes every 100 steps" in out
    assert any(line.startswith("| LSGAN (0,1,1) | 1 |") for line in out.splitlines()), out
    assert (tmp_path / "claim_lsgan.png").stat().st_size > 0
    assert "2 done; 0 to go" in run(*args)


def test_the_lsgan_claims_verdict_follows_its_rule(monkeypatch):
    """Collapse = fewer than 8 modes at the last point; holds = fewer LSGAN collapses
    and a lower mean reverse KL; one of the two = holds partly."""
    import argparse

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import claim_lsgan

    def runs(loss, modes, rkl):
        return {(loss, s): {"seed": s, "modes": [m], "rkl": [k], "hq": [0.9], "steps": [1]}
                for s, (m, k) in enumerate(zip(modes, rkl, strict=True))}  # fmt: skip

    ls, gan = claim_lsgan.LOSSES
    args = argparse.Namespace(seeds=[0, 1])
    both = {**runs(ls, [8, 8], [0.1, 0.2]), **runs(gan, [8, 5], [0.1, 0.9])}
    assert claim_lsgan.verdict(both, args) == "holds"
    kl_only = {**runs(ls, [8, 5], [0.1, 0.2]), **runs(gan, [8, 5], [0.1, 0.9])}
    assert claim_lsgan.verdict(kl_only, args) == "holds partly"
    worse = {**runs(ls, [5, 5], [0.9, 0.9]), **runs(gan, [8, 8], [0.1, 0.1])}
    assert claim_lsgan.verdict(worse, args) == "contradicted"
    same = {**runs(ls, [8, 8], [0.1, 0.1]), **runs(gan, [8, 8], [0.1, 0.1])}
    assert claim_lsgan.verdict(same, args) == "not seen at this scale"

    other = claim_lsgan.CODINGS[1]
    args = argparse.Namespace(seeds=list(range(10)))
    base = runs(ls, [8, 8, 8, 5, 5, 3, 8, 2, 8, 6], [0.1] * 10)
    alike = {**base, **runs(other, [8, 8, 5, 5, 8, 3, 8, 1, 8, 7], [0.1] * 10)}
    assert claim_lsgan.codings_verdict(alike, args) == "alike"
    fewer = {**base, **runs(other, [8] * 10, [0.1] * 10)}  # 5 collapses against 0
    assert claim_lsgan.codings_verdict(fewer, args) == "differ"


@pytest.mark.slow  # 54 s of the fast suite's 15.6 min on 2 cores (2026-12-07)
def test_the_lsgan_architectures_claim_runs_resumes_and_plots(tmp_path):
    """docs/benchmarks.md's command at a tiny budget (20 steps, one seed): both
    settings, both losses, scored twice, resumed, plotted with the sample grids."""
    from conftest import shared_dir

    args = [os.path.join("benchmarks", "claim_lsgan_architectures.py"), "--seeds", "0",
            "--steps", "20", "--every", "10", "--samples", "500", "--data",
            shared_dir("fashion-mnist"),
            "--work_dir", str(tmp_path), "--scores", str(tmp_path / "s.jsonl"), "--plots",
            str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0 done; 4 to go" in out and "mean FID every 10 steps" in out
    assert "| no BN, RMSProp | LSGAN | 1 |" in out and "| no BN in G, Adam | GAN | 1 |" in out
    assert (tmp_path / "claim_lsgan_arch.png").stat().st_size > 0
    assert (tmp_path / "claim_lsgan_arch_samples.png").stat().st_size > 0
    assert "4 done; 0 to go" in run(*args)


def test_the_lsgan_architectures_claims_failures_and_verdict(monkeypatch):
    """A run fails with FID above 20, non-finite samples or fewer than 8 classes;
    holds = fewer LSGAN failures in both settings."""
    import argparse

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import claim_lsgan_architectures as claim

    assert not claim.failed({"fid": [30.0, 19.9], "classes": [3, 8]})
    assert claim.failed({"fid": [20.1], "classes": [10]})
    assert claim.failed({"fid": [float("inf")], "classes": [0]})
    assert claim.failed({"fid": [5.0], "classes": [7]})

    def runs(setting, loss, fids):
        return {(setting, loss, s): {"seed": s, "fid": [f], "classes": [10]}
                for s, f in enumerate(fids)}  # fmt: skip

    adam, rms = claim.SETTINGS
    args = argparse.Namespace(seeds=[0, 1])
    good, bad = [5, 5], [50, 50]
    both = {**runs(adam, "LSGAN", good), **runs(adam, "GAN", bad),
            **runs(rms, "LSGAN", good), **runs(rms, "GAN", bad)}  # fmt: skip
    assert claim.verdict(both, args) == "holds"
    one = {**both, **runs(rms, "GAN", good)}
    assert claim.verdict(one, args) == "holds partly"
    worse = {**runs(adam, "LSGAN", bad), **runs(adam, "GAN", good),
             **runs(rms, "LSGAN", bad), **runs(rms, "GAN", good)}  # fmt: skip
    assert claim.verdict(worse, args) == "contradicted"
    assert claim.verdict({**both, **runs(rms, "LSGAN", bad)}, args) == "holds partly"
    mixed = {**both, **runs(rms, "LSGAN", bad), **runs(rms, "GAN", good)}
    assert claim.verdict(mixed, args) == "not seen at this scale"


@pytest.mark.slow  # 58 s of the fast suite's 15.6 min on 2 cores (2026-12-07)
def test_the_projection_claim_runs_resumes_and_plots(tmp_path):
    """docs/benchmarks.md's command at a tiny budget (8 filters, 20 steps): the three
    conditionings on one seed, each scored twice, resumed, plotted."""
    from conftest import shared_dir

    args = [os.path.join("benchmarks", "claim_projection.py"), "--seeds", "0", "--steps", "20",
            "--every", "10", "--base_filters", "8", "--samples", "200", "--real_samples",
            "500", "--data", shared_dir("fashion-mnist"), "--work_dir", str(tmp_path),
            "--scores", str(tmp_path / "s.jsonl"), "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0 done; 3 to go" in out and "mean intra-FID every 10 steps" in out
    for name in ("projection", "concat", "AC-GAN"):
        assert any(line.startswith(f"| {name} | 1 |") for line in out.splitlines()), out
    assert (tmp_path / "claim_projection.png").stat().st_size > 0
    assert "3 done; 0 to go" in run(*args)


def test_the_projection_claims_verdict_follows_its_rule(monkeypatch):
    """Holds: projection's mean intra-FID below both others' and below concat's on
    80% of seeds; below concat's in mean only: holds partly; concat below on 80%:
    contradicted."""
    import argparse

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import claim_projection

    def runs(name, values):
        return {(name, s): {"seed": s, "intra_fid": [v]} for s, v in enumerate(values)}

    args = argparse.Namespace(seeds=list(range(5)))
    acgan = runs("AC-GAN", [9] * 5)
    holds = {**runs("projection", [1, 1, 1, 1, 5]), **runs("concat", [2] * 5), **acgan}
    assert claim_projection.verdict(holds, args) == "holds"
    by_mean = {**runs("projection", [1, 1, 1, 3, 3]), **runs("concat", [2] * 5), **acgan}
    assert claim_projection.verdict(by_mean, args) == "holds partly"
    worse = {**runs("projection", [3, 3, 3, 3, 1]), **runs("concat", [2] * 5), **acgan}
    assert claim_projection.verdict(worse, args) == "contradicted"
    mixed = {**runs("projection", [3, 3, 3, 1, 1]), **runs("concat", [2] * 5), **acgan}
    assert claim_projection.verdict(mixed, args) == "not seen at this scale"


@pytest.mark.slow  # 75 CPU-s of the fast suite's 25 min on 2 cores (2026-12-08)
def test_the_ebgan_claim_runs_resumes_and_plots(tmp_path):
    """docs/benchmarks.md's command at a tiny budget (one grid configuration at 5% of
    the paper's widths, 20 steps): both losses trained and scored, resumed, plotted."""
    from conftest import shared_dir

    args = [os.path.join("benchmarks", "claim_ebgan.py"), "--configs", "1", "--steps", "20",
            "--width_scale", "0.05", "--data", shared_dir("mnist"), "--scores",
            str(tmp_path / "s.jsonl"), "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0 done; 2 to go" in out and "1 of 1 grid configurations" in out
    assert any(line.startswith("| EBGAN | 1 |") for line in out.splitlines()), out
    assert (tmp_path / "claim_ebgan.png").stat().st_size > 0
    assert "2 done; 0 to go" in run(*args)


def test_the_ebgan_claims_grid_sign_test_and_verdict(monkeypatch):
    """The configurations are the same seeded subset of the paper's 6,144 every time;
    the sign test's p by hand; the verdict by its rule."""
    import argparse

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import claim_ebgan

    assert len(list(__import__("itertools").product(*claim_ebgan.GRID.values()))) == 6144
    drawn = claim_ebgan.configurations(60)
    assert drawn == claim_ebgan.configurations(60) and len({str(c) for c in drawn}) == 60
    assert claim_ebgan.configurations(80)[:60] == drawn
    assert claim_ebgan.sign_test(6, 0) == 2 / 64  # 2 x P(0 of 6 the other way)
    assert claim_ebgan.sign_test(3, 3) == 1.0

    def runs(ebgan, gan):
        rows = {("EBGAN", i): {"i_prime": v} for i, v in enumerate(ebgan)}
        return {**rows, **{("GAN", i): {"i_prime": v} for i, v in enumerate(gan)}}

    args = argparse.Namespace(configs=8)
    assert claim_ebgan.verdict(runs([5] * 8, [1] * 8), args)[0] == "holds"
    assert claim_ebgan.verdict(runs([1] * 8, [5] * 8), args)[0] == "contradicted"
    unclear = runs([5, 5, 5, 1, 1, 1, 1, 1], [2] * 8)
    assert claim_ebgan.verdict(unclear, args)[0] == "not seen at this scale"
    assert claim_ebgan.verdict(runs([5, 5, 5, 5, 5, 1, 1, 1], [2] * 8), args)[0] == "holds partly"


@pytest.mark.slow
def test_the_ebgan_claim_under_the_papers_protocol_pilots_then_runs_the_grid(tmp_path):
    """docs/benchmarks.md's two commands at a tiny budget (steps in units of 10, one
    pilot and one grid configuration): the grid refuses to start before the pilot,
    the pilot scores three points, the grid trains at the budget the pilot fixed."""
    from conftest import shared_dir

    args = [os.path.join("benchmarks", "claim_ebgan_paper.py"), "--unit", "10",
            "--configs", "1", "--pilot_configs", "1", "--data", shared_dir("mnist"),
            "--scores", str(tmp_path / "grid.jsonl"),
            "--pilot_scores", str(tmp_path / "pilot.jsonl"), "--plots", str(tmp_path)]  # fmt: skip
    refused = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True)
    assert refused.returncode != 0 and "run with --pilot first" in refused.stderr
    out = run(*args, "--pilot")
    assert "0 done; 2 to go, 100 steps each" in out
    pilot = [json.loads(line) for line in (tmp_path / "pilot.jsonl").read_text().splitlines()]
    assert [r["steps"] for r in pilot] == [[10, 30, 100]] * 2
    assert {r["config"] for r in pilot} == {1000}
    assert "0 done; 0 to go" in run(*args, "--lane", "1/2")  # configuration 0 is lane 0's
    out = run(*args, "--lane", "0/2")
    assert "0 done; 2 to go, 100 steps each" in out  # no digits at 100 steps: the last point
    assert any(line.startswith("| EBGAN | 1 |") for line in out.splitlines()), out
    assert (tmp_path / "claim_ebgan_paper.png").stat().st_size > 0


def test_the_ebgan_paper_rule_budget_and_verdict(monkeypatch):
    """The pilot's criterion and budget, and the rule's one-sided sign test, by hand."""
    import argparse

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import claim_ebgan_paper as paper

    args = argparse.Namespace(pilot_configs=2, unit=1000)
    assert paper.pilot_points(args) == (1000, 3000, 10000)
    assert paper.draws_digits({"confident": 0.5, "classes": 8})
    assert not paper.draws_digits({"confident": 0.49, "classes": 10})
    assert not paper.draws_digits({"confident": 0.9, "classes": 7})

    def row(confident):
        return {"i_prime": [1, 1, 1], "confident": confident, "classes": [10, 10, 10]}

    never, late, early = row([0, 0, 0]), row([0, 0, 0.6]), row([0.6, 0.6, 0.6])
    pilot = {("EBGAN", 1000): never, ("EBGAN", 1001): late, ("GAN", 1000): early}
    assert paper.budget(pilot, args) is None  # ("GAN", 1001) missing
    assert paper.budget({**pilot, ("GAN", 1001): never}, args) == (10000, True)
    assert paper.budget({**pilot, ("EBGAN", 1001): early, ("GAN", 1001): never}, args) == (
        1000, True)  # fmt: skip
    nothing = {(loss, i): never for loss in ("EBGAN", "GAN") for i in (1000, 1001)}
    assert paper.budget(nothing, args) == (10000, False)

    def runs(ebgan, gan):
        scored = lambda v: {"i_prime": [v], "confident": [0.0], "classes": [0]}  # noqa: E731
        rows = {("EBGAN", i): scored(v) for i, v in enumerate(ebgan)}
        return {**rows, **{("GAN", i): scored(v) for i, v in enumerate(gan)}}

    judged = paper.judgement(runs([5] * 5 + [1], [1] * 6), configs=6)  # one tie: 5 of 5
    assert judged == {**judged, "verdict": "holds", "p": 1 / 32, "wins": 5, "n": 5,
                      "pairs": 6, "smallest_p": 1 / 64, "medians": [5, 1]}  # fmt: skip
    assert paper.judgement(runs([1] * 6, [5] * 6), configs=6)["verdict"] == "contradicted"
    unclear = paper.judgement(runs([5, 5, 5, 1, 1, 1], [2] * 6), configs=6)
    assert unclear["verdict"] == "not seen at this scale" and unclear["p"] == 42 / 64
    assert paper.judgement({}, configs=6) is None
    lanes = [[i for i in range(7) if paper.in_lane(i, paper.lane(f"{k}/2"))] for k in (0, 1)]
    assert lanes == [[0, 2, 4, 6], [1, 3, 5]]
    assert all(paper.in_lane(i, paper.lane("0/1")) for i in range(7))
    for bad in ("2/2", "1/0", "-1/2", "x", "1/2/3", ""):
        with pytest.raises(argparse.ArgumentTypeError, match="0 <= k < n"):
            paper.lane(bad)
    monkeypatch.setattr(paper, "load_scores", lambda *a: nothing)  # the pilot's file
    table = argparse.Namespace(configs=6, pilot_configs=2, unit=1000, pilot_scores="",
                               width_scale=0.25)  # fmt: skip
    partial = paper.table(runs([5] * 5, [1] * 5), table)
    assert "not judged until all 6 pairs are run (5 so far" in partial and "**" not in partial
    assert "**holds**; EBGAN's I' higher on 5 of 5" in paper.table(runs([5] * 5 + [1], [1] * 6),
                                                                    table)  # fmt: skip


def test_the_summary_judges_ebgan_by_the_papers_protocol_once_its_grid_is_complete(monkeypatch):
    """Until all 60 pairs of `claim_ebgan_paper` are in, the summary row is the first
    protocol's; then it is the paper protocol's rule, test and budget."""
    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import summary

    def scored(i_prime):
        return {"i_prime": [i_prime], "steps": [10000], "confident": [0.0], "classes": [1]}

    first = {(loss, i): {"i_prime": v, "steps": 1000, "width_scale": 0.25}
             for i in range(4) for loss, v in (("EBGAN", 2.0), ("GAN", 1.0))}  # fmt: skip
    grid = {(loss, i): scored(v if i % 3 or loss == "GAN" else 0.1)
            for i in range(60) for loss, v in (("EBGAN", 3.0), ("GAN", 0.2))}  # fmt: skip
    partial = summary.ebgan_row(first, {k: v for k, v in grid.items() if k[1] < 59})
    assert "not the paper's protocol" in partial["verdict"] and partial["n"] == "4 configurations"
    complete = summary.ebgan_row(first, grid)  # EBGAN higher on 40 of 60, lower on 20
    assert complete["verdict"] == "holds" and complete["n"] == "60 configurations"
    assert complete["test"].startswith("sign, p = 0.0067") and "447fea5" in complete["rule"]
    assert "margin 10" in complete["budget"] and "10,000 steps" in complete["budget"]


def test_timings_are_kept_as_scores_and_charted_without_timing(tmp_path, monkeypatch):
    """``--execution`` rows go to the score file; ``--table_only`` prints the latest
    row per combination with ratios to the network's first, and draws the bars."""
    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import throughput

    path = str(tmp_path / "t.jsonl")
    throughput.record_timings(path, "execution", [
        {"network": "n", "combination": "default fit", "seconds": 0.2, "cpu_seconds": 0.4},
        {"network": "n", "combination": "XLA", "seconds": 0.3, "cpu_seconds": 0.3},
    ])  # fmt: skip
    throughput.record_timings(path, "execution", [
        {"network": "n", "combination": "XLA", "seconds": 0.1, "cpu_seconds": 0.2},  # re-timed
    ])  # fmt: skip
    out = run(os.path.join("benchmarks", "throughput.py"), "--execution", "--table_only",
              "--scores", path, "--plots", str(tmp_path))  # fmt: skip
    assert "| n | default fit | 200.0 | 400.0 | 1.00 | 1.00 |" in out
    assert "| n | XLA | 100.0 | 200.0 | 0.50 | 0.50 |" in out and "| n | XLA | 300.0" not in out
    assert (tmp_path / "throughput_execution.png").stat().st_size > 0


def test_flops_of_dense_and_convolution_layers_by_hand(monkeypatch):
    """2 FLOPs per multiply-add, per example: Dense 4 -> 3 is 24; a 3x3 Conv2D of
    5x5x2 to 8 channels ('same') is 2 x 9 x 2 x 8 x 25 = 7,200; a 3x3 transposed
    convolution of 3x3x2 to 4 channels, stride 2, is 2 x 9 x 2 x 4 x 9 = 1,296."""
    import keras
    import numpy as np

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import roofline

    from tfgan_zoo import architectures, models

    def count(layer, shape):
        net = keras.Sequential([keras.Input(shape), layer])
        x = np.zeros((1, *shape), np.float32)
        return roofline.forward_flops([net], lambda: net(x))[net.name]

    assert count(keras.layers.Dense(3), (4,)) == 24
    assert count(keras.layers.Conv2D(8, 3, padding="same"), (5, 5, 2)) == 7200
    assert count(keras.layers.Conv2D(8, 3, strides=2), (5, 5, 2)) == 2 * 9 * 2 * 8 * 4
    assert count(keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same"), (3, 3, 2)) == 1296
    # A step: n_critic x (F_G + 6 F_D) + g_steps x (3 F_G + 2 F_D), per example.
    g, d = architectures.build("mlp", (2,), 4, hidden_units=8, num_layers=1)
    gan = models.GAN(g, d, 4, n_critic=2)
    f_g, f_d = 2 * (4 * 8 + 8 * 2), 2 * (2 * 8 + 8 * 1)
    assert roofline.step_flops(gan, 16) == (16 * (2 * (f_g + 6 * f_d) + 3 * f_g + 2 * f_d),
                                            (f_g, f_d))  # fmt: skip


@pytest.mark.slow  # 124 s of the fast suite's 15.6 min on 2 cores (2026-12-07)
def test_the_device_suite_runs_tiny_on_a_cpu(tmp_path):
    """The GPU suite's own code at tiny sizes: every part reports, and a tiny report
    is refused as a result."""
    import json

    from conftest import shared_dir

    out = tmp_path / "suite.json"
    args = [os.path.join("benchmarks", "device_suite.py"), "--tiny", "--work_dir",
            str(tmp_path), "--out", str(out), "--digits", "idx:" + shared_dir("mnist"),
            "--stacked_state_in", "", "--stacked_state_out", str(tmp_path / "state")]  # fmt: skip
    text = run(*args, timeout=900)
    # The next lease: the Stacked-MNIST runs continue from the pieces that came home.
    later = run(args[0], "--tiny", "--parts", "stacked", "--work_dir", str(tmp_path / "next"),
                "--out", str(tmp_path / "next.json"), "--digits", "idx:" + shared_dir("mnist"),
                "--stacked_state_in", str(tmp_path / "state"), timeout=900)  # fmt: skip
    assert "- DCGAN: 4 of 100,000 updates (2 in this lease)" in later
    report = json.loads(out.read_text())
    combos = {(r["network"], r["combination"]) for r in report["steps"]}
    assert ("pacgan_toy", "mixed_bfloat16") in combos and ("pacgan_toy", "XLA") in combos
    assert ("pacgan_toy", "hand-written XLA step, one per call") in combos
    assert "skipped" in report["mirrored"]  # one device here
    gaps = [r["combination"] for r in report["toy_gap"]]
    assert gaps[:4] == ["as trained", "without the non-finite check", "rng draws inlined", "both"]
    assert [r["variant"] for r in report["stacked"]["rows"]] == ["DCGAN", "PacDCGAN2"]
    assert "| pacgan_toy | float32 |" in text and "Stacked MNIST (`pacgan_dcgan`" in text
    assert "| without the non-finite check |" in text
    refused = subprocess.run([sys.executable, args[0], "--table_only", "--out", str(out),
                              "--write"], capture_output=True, text=True, cwd=REPO)  # fmt: skip
    assert refused.returncode != 0 and "not a result" in refused.stderr
    # The JSON is written after each part, so a lease that ends mid-suite still tabulates.
    partial = {key: report[key] for key in ("device", "tensorflow", "tiny", "minutes", "steps")}
    out.write_text(json.dumps(partial))
    text = run(args[0], "--table_only", "--out", str(out))
    assert "| pacgan_toy | XLA |" in text and "Stacked MNIST: not reached" in text


def test_the_device_pack_travels_a_piece_a_call_and_unpacks_after_the_last(tmp_path):
    """benchmarks/device_pack.sh on small wheels (its download is the only step left
    out), then benchmarks/device_env.sh as the device calls run it: a piece a call,
    the unpacking once the last has come, the carried site first on every path."""
    import shutil
    import zipfile

    if not (shutil.which("xz") and shutil.which("unzip")):
        pytest.skip("needs xz and unzip")
    wheels, repo, root = tmp_path / "wheels", tmp_path / "repo", tmp_path / "root"
    wheels.mkdir()
    repo.mkdir()
    library = os.urandom(50_000)  # incompressible: several 20 KiB pieces
    with zipfile.ZipFile(wheels / "tensorflow-0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("tensorflow/__init__.py", "")
        wheel.writestr("tensorflow/include/header.h", "")
        wheel.writestr("tensorflow/python/profiler/internal/_pywrap_profiler_plugin.so", "")
    with zipfile.ZipFile(wheels / "nvidia_cusolver_cu12-0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("nvidia/cusolver/lib/libcusolver.so.11", library)
        wheel.writestr("nvidia/cusolver/lib/libcusolverMg.so.11", library)
    packed = subprocess.run(
        ["sh", os.path.join(REPO, "benchmarks", "device_pack.sh")], check=True, text=True,
        capture_output=True, env={**os.environ, "WHEELS": str(wheels), "PIECE_SIZE": "20K",
                                  "PIECES": str(tmp_path / "pieces"),
                                  "STAGE": str(tmp_path / "stage")},
    ).stdout  # fmt: skip
    pieces = sorted((tmp_path / "pieces").iterdir())
    assert f"DEVICE_PIECES={len(pieces)}" in packed and len(pieces) >= 3
    script = f"export DEVICE_PIECES={len(pieces)} DEVICE_ROOT={root}; "
    script += f'. {REPO}/benchmarks/device_env.sh; echo "$PYTHONPATH|$LD_LIBRARY_PATH"'
    said = []
    for piece in pieces:
        (repo / ".gpu").mkdir(exist_ok=True)
        shutil.copy(piece, repo / ".gpu" / piece.name)
        said.append(subprocess.run(["bash", "-c", script], cwd=repo, check=True,
                                   capture_output=True, text=True).stdout)  # fmt: skip
    assert "pieces here: 1 of" in said[0] and "unpacked" not in said[0]
    assert f"pieces here: {len(pieces)} of {len(pieces)}" in said[-1]
    assert "unpacked into" in said[-1]
    site = root / "tfgan_zoo_site" / "site"
    assert (site / "nvidia/cusolver/lib/libcusolver.so.11").read_bytes() == library
    assert not (site / "nvidia/cusolver/lib/libcusolverMg.so.11").exists()
    assert not (site / "tensorflow/include").exists()
    plugin = site / "tensorflow/python/profiler/internal/_pywrap_profiler_plugin"
    assert plugin.with_suffix(".py").exists() and not plugin.with_suffix(".so").exists()
    python_path, library_path = said[-1].splitlines()[-1].split("|")
    assert python_path == f"{site}:{repo}"
    assert library_path.startswith(f"{site}/nvidia/cusolver/lib:")


def test_a_tiny_device_suite_never_writes_the_committed_report():
    sys.path.insert(0, os.path.join(REPO, "benchmarks"))
    import device_suite

    assert device_suite.report_path(None, True, "/tmp/w") == "/tmp/w/device_suite_tiny.json"
    assert device_suite.report_path(None, False, "/tmp/w") == device_suite.COMMITTED
    assert device_suite.report_path("x.json", True, "/tmp/w") == "x.json"


def test_the_exact_tests_against_hand_computed_values(monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import math

    import stats

    assert stats.sign_test([1, 1, 1, 1, 1]) == (1 / 32, 5, 5)
    assert stats.sign_test([1, -1, 0, 2]) == (0.5, 2, 3)  # P(X >= 2 of 3) = (3 + 1) / 8
    assert stats.sign_test([-1, -2], "less") == (0.25, 2, 2)
    # 5 of 5 against 0 of 5: one table of C(10, 5) = 252 as extreme.
    assert math.isclose(stats.fisher_exact(5, 5, 0, 5), 1 / 252)
    # 3 of 4 against 1 of 4, 4 events: (C(4,3) C(4,1) + C(4,4) C(4,0)) / C(8,4)
    assert math.isclose(stats.fisher_exact(3, 4, 1, 4), (4 * 4 + 1) / 70)
    assert stats.permutation_test([3, 4, 5], [0, 1, 2]) == 1 / 20  # only the observed split
    assert stats.smallest_p("sign", n=10) == 1 / 1024
    assert math.isclose(stats.smallest_p("fisher", a=5, b=5), 1 / 252)
    # 12 values: k = 3 covers 1 - 2 (1 + 12 + 66) / 4096; k = 4 would cover only 85.4%.
    low, high, covered = stats.median_interval([12, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6])
    assert (low, high) == (3, 10) and math.isclose(covered, 1 - 2 * 79 / 4096)
    assert stats.median_interval([5, 1, 3, 2, 4, 6]) == (1, 6, 1 - 2 / 64)  # 6: the ends
    low, high, covered = stats.median_interval([2, 1, 3])
    assert (low, high) == (1, 3) and covered == 0.75  # too few for 95%


def test_the_r3gan_rule_follows_its_sign_test(monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import quality

    def scores(ns, r3):
        rows = {}
        for (part, seed), (a, b) in zip([(p, s) for p in quality.TOY for s in range(5)],
                                        zip(ns, r3, strict=True), strict=True):  # fmt: skip
            rows[("NS + R1 + R2", part, seed)] = {"rkl": a}
            rows[("R3GAN", part, seed)] = {"rkl": b}
        return rows

    lower = quality.r3gan_judgement(scores([1.0] * 10, [0.5] * 10), range(5))
    assert lower["verdict"] == "holds" and lower["p"] == 1 / 1024 and lower["median"] == 0.5
    higher = quality.r3gan_judgement(scores([0.5] * 10, [1.0] * 10), range(5))
    assert higher["verdict"] == "contradicted"
    mixed = quality.r3gan_judgement(scores([1.0, 0.5] * 5, [0.5, 1.0] * 5), range(5))
    assert mixed["verdict"] == "not seen at this scale" and mixed["smallest_p"] == 1 / 1024


def test_the_small_variance_rule_follows_its_fisher_test(monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import claim_lsgan_small_variance as claim

    def runs(loss, digits):
        return {(loss, s): {"seed": s, "digits": [d], "confident": [0.9]}
                for s, d in enumerate(digits)}  # fmt: skip

    ls, gan = claim.LOSSES
    holds_runs = {**runs(ls, [10] * 5), **runs(gan, [3, 1, 2, 9, 1])}
    holds = claim.judgement(holds_runs, range(5))
    assert holds["verdict"] == "holds" and abs(holds["p"] - 1 / 252) < 1e-12
    opposite = claim.judgement({**runs(ls, [1] * 5), **runs(gan, [10] * 5)}, range(5))
    assert opposite["verdict"] == "contradicted"
    near = claim.judgement({**runs(ls, [10, 10, 10, 10, 9]), **runs(gan, [1, 1, 1, 10, 10])},
                           range(5))  # fmt: skip
    assert near["verdict"] == "not seen at this scale"  # 3 of 5 against 1 of 5: p = 0.26
    assert near["complete"] and not claim.judgement(runs(ls, [1]) | runs(gan, [10]),
                                                    range(5))["complete"]  # fmt: skip
    table = __import__("argparse").Namespace(seeds=range(5), steps=1000, every=1000,
                                             dataset="times.shift.rotate")  # fmt: skip
    partial = claim.table({**runs(ls, [1]), **runs(gan, [10, 10])}, table)
    assert (
        "not judged until 5 + 5 runs are in (1 + 2 so far; collapsed: GAN 0 of 2, LSGAN 1 of 1)"
        in partial
    )
    assert "**" not in partial and "**holds**" in claim.table(holds_runs, table)
    assert claim.coverage(__import__("numpy").eye(10)[[0] * 30 + [1] * 19]) == (1, 1.0)


@pytest.mark.slow
def test_the_small_variance_claim_runs_on_the_authors_data(tmp_path):
    """docs/benchmarks.md's command at a tiny budget: the archive unpacked, both
    losses trained, scored, resumed."""
    from conftest import shared_dir

    data = os.path.join(shared_dir("lsgan-small-variance"), "data.tar.gz")
    args = [os.path.join("benchmarks", "claim_lsgan_small_variance.py"), "--seeds", "0",
            "--steps", "4", "--every", "2", "--checkpoint_every", "1", "--data", data,
            "--work_dir", str(tmp_path), "--scores", str(tmp_path / "s.jsonl"),
            "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0 done; 2 to go" in out and "| GAN (sigmoid) | 1 |" in out
    assert "2 done; 0 to go" in run(*args)
    rows = (tmp_path / "s.jsonl").read_text().splitlines()
    assert all("resumed_from" not in r for r in rows)
    kept = os.listdir(tmp_path / "least_squares_0" / "checkpoints")
    assert sorted(n for n in kept if n.endswith(".index")) == [
        f"ckpt-{i}.index" for i in (1, 2, 3, 4)
    ]
    (tmp_path / "s.jsonl").write_text(rows[0] + "\n")  # the other run's row lost
    assert "1 done; 1 to go" in run(*args)
    assert json.loads((tmp_path / "s.jsonl").read_text().splitlines()[1])["resumed_from"] == 4


def test_the_saturation_rule_v2_follows_its_sign_test(monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import claim_saturation

    def scores(falls):
        row = {"d_iterations": [0, 5000], "non_saturating": [1.0, 100.0]}
        return {(s, 1000): {**row, "seed": s, "minimax": [1.0, 1.0 / f]}
                for s, f in enumerate(falls)}  # fmt: skip

    holds = claim_saturation.judgement_v2(scores([1000] * 10))
    assert holds["verdict"] == "holds" and holds["p"] == 1 / 1024
    assert claim_saturation.judgement_v2(scores([0.5] * 10))["verdict"] == "contradicted"
    assert claim_saturation.judgement_v2(scores([3] * 10))["verdict"] == "does not hold"
    mixed = claim_saturation.judgement_v2(scores([1000, 3] * 5))
    assert mixed["verdict"] == "not seen at this scale" and mixed["smallest_p"] == 1 / 1024


def test_results_page_is_short_outside_its_folded_blocks():
    """RESULTS.md is a readers' page: under 450 lines outside ``<details>`` blocks
    (long tables and protocols fold), every fold closed, and no verdict word
    outside the summary's four except a first rule's, quoted as such."""
    import re

    with open(os.path.join(REPO, "benchmarks", "RESULTS.md")) as f:
        lines = f.read().splitlines()
    depth = shown = 0
    for line in lines:
        depth += line.count("<details")
        shown += depth == 0
        depth -= line.count("</details>")
        assert depth >= 0
    assert depth == 0 and shown < 450, shown
    verdicts = {"holds", "contradicted", "does not hold", "not seen at this scale"}
    judged = [re.findall(r"\*\*([^*]+)\*\*", line.split("erdict", 1)[1])
              for line in lines if "erdict" in line]  # fmt: skip
    assert judged and all(set(words) <= verdicts for words in judged), judged
    assert all('"holds partly"' in line for line in lines if "holds partly" in line)


@pytest.mark.slow  # 84 s of the fast suite's 15.6 min on 2 cores (2026-12-07)
def test_the_finetune_benchmark_starts_one_arm_from_an_export(tmp_path):
    """docs/benchmarks.md's fine-tuning command at a tiny budget: a 4-filter DCGAN
    exported by the training command is the pretrained source; both arms train on
    the digit subsets, are scored and resume; the pretrained arm logs its source."""
    from conftest import shared_dir

    fashion = shared_dir("fashion-mnist")
    shared_dir("mnist")
    pre = tmp_path / "pre"
    subprocess.run([sys.executable, "-m", "tfgan_zoo.train",
                    "--flagfile=flags/dcgan_fashion_mnist.flags", "--base_filters=4",
                    f"--dataset=idx:{fashion}", "--epochs=1", "--steps_per_epoch=2",
                    f"--model_dir={pre}", "--verbose=0"], cwd=REPO, check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    args = [os.path.join("benchmarks", "finetune.py"), "--seeds", "0", "--steps", "2",
            "--every", "1", "--pretrained", str(pre / "export"), "--flags=--base_filters=4",
            "--work_dir", str(tmp_path / "work"), "--scores", str(tmp_path / "s.jsonl"),
            "--plots", str(tmp_path)]  # fmt: skip
    out = run(*args)
    assert "0 done; 4 to go" in out and "| 1% (100) | pretrained | 1 |" in out, out[-2000:]
    assert "untied pairs of 2 (sign test" in out, out[-2000:]
    rows = [json.loads(line) for line in open(tmp_path / "s.jsonl")]
    assert {r["source"] for r in rows} == {"", str(pre / "export")}
    assert "4 done; 0 to go" in run(*args)


def test_versus_judges_each_case_by_the_interval_of_its_round_ratios(tmp_path):
    """benchmarks/versus.py --table_only: per case the median of the rounds' ratios
    this / base, the sign test's 95% interval of it (8 rounds: the lowest to the
    highest), and the verdict by --within (no slowdown / slower / unresolved; always
    unresolved with fewer than 6 rounds)."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    ratios = {
        "default fit": [0.97, 0.99, 1.0, 1.01, 0.98, 1.02, 0.96, 1.0],
        "XLA + steps per execution": [1.1, 1.2, 1.15, 1.12, 1.3, 1.11, 1.14, 1.13],
    }
    rows = []
    for round_ in range(8):
        for tree in ("base", "this"):
            seconds = {label: 0.1 * (r[round_] if tree == "this" else 1.0)
                       for label, r in ratios.items()}  # fmt: skip
            rows.append({"base": head, "head": head, "tree": tree, "round": round_,
                         "network": "dcgan28", "cpu_seconds": seconds})  # fmt: skip
    rows.append({**rows[0], "round": 8})  # an unpaired round is left out
    scores = tmp_path / "versus.jsonl"
    scores.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = run(os.path.join("benchmarks", "versus.py"), "--base", "HEAD", "--table_only",
              "--scores", str(scores))  # fmt: skip
    assert "| dcgan28 | default fit | 8 | 100.0 | 99.5 | 0.995 | 0.960-1.020 | no slowdown |" in out
    assert "| XLA + steps per execution | 8 | 100.0 | 113.5 | 1.135 | 1.100-1.300 | slower |" in out
    loose = run(os.path.join("benchmarks", "versus.py"), "--base", "HEAD", "--table_only",
                "--scores", str(scores), "--within", "1.005")  # fmt: skip
    assert "| 0.995 | 0.960-1.020 | unresolved |" in loose
    scores.write_text("".join(json.dumps(r) + "\n" for r in rows if r["round"] < 5))
    few = run(os.path.join("benchmarks", "versus.py"), "--base", "HEAD", "--table_only",
              "--scores", str(scores))  # fmt: skip
    assert "| dcgan28 | default fit | 5 |" in few and "slower" not in few
    assert "no slowdown" not in few and few.count("unresolved") == 2
    missing = subprocess.run([sys.executable, os.path.join("benchmarks", "versus.py"), "--base",
                              "HEAD", "--table_only", "--scores", str(tmp_path / "none.jsonl")],
                             cwd=REPO, capture_output=True, text=True)  # fmt: skip
    assert missing.returncode != 0 and "run without --table_only" in missing.stderr


def test_versus_work_table_compares_graphs_and_python_calls(tmp_path):
    """benchmarks/versus.py --work --table_only: per network and combination both
    trees' op counts, whether their op types match, and their Python calls a step,
    from the latest head's rows."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip

    def work(ops, digest, calls):
        one = {"ops": ops, "op_types": digest, "python_calls_per_step": calls}
        return {"default fit": one, "XLA + steps per execution": {**one, "ops": ops + 1}}

    rows = [{"base": head, "head": "old", "tree": "this", "network": "toy", "date": "d",
             "work": work(1, "x", 9.0)},
            {"base": head, "head": head, "tree": "base", "network": "toy", "date": "d",
             "work": work(10, "a", 150.0)},
            {"base": head, "head": head, "tree": "this", "network": "toy", "date": "d",
             "work": work(10, "b", 150.5)}]  # fmt: skip
    scores = tmp_path / "versus_work.jsonl"
    scores.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = run(os.path.join("benchmarks", "versus.py"), "--base", "HEAD", "--work",
              "--table_only", "--scores", str(scores))  # fmt: skip
    assert "| toy | default fit | 10 / 10 | no | 150 / 150.5 |" in out
    assert "| toy | XLA + steps per execution | 11 / 11 | no |" in out
    assert "9 /" not in out and "/ 9 " not in out  # the older head's row is not read


@pytest.mark.slow  # four child processes of TensorFlow: about three minutes
def test_versus_times_both_trees_in_child_processes(tmp_path):
    """docs/benchmarks.md's versus commands at one round of the toy: the base's worktree
    is made under --work_dir, each child imports its own tree's library, and the rows
    land in --scores; with --work both trees (here one commit) count the same work."""
    scores = tmp_path / "v.jsonl"
    out = run(os.path.join("benchmarks", "versus.py"), "--base", "HEAD", "--rounds", "1",
              "--networks", "pacgan_toy", "--repeats", "1", "--work_dir", str(tmp_path),
              "--scores", str(scores))  # fmt: skip
    rows = [json.loads(line) for line in scores.read_text().splitlines()]
    assert [r["tree"] for r in rows] == ["base", "this"]
    assert all(set(r["cpu_seconds"]) == {"default fit", "XLA + steps per execution"} for r in rows)
    assert "| pacgan_toy | default fit | 1 |" in out
    work = run(os.path.join("benchmarks", "versus.py"), "--base", "HEAD", "--work",
               "--networks", "pacgan_toy", "--work_dir", str(tmp_path),
               "--scores", str(tmp_path / "w.jsonl"))  # fmt: skip
    # The same commit on both sides: the same graph and the same Python calls.
    assert "| pacgan_toy | default fit | 2275 / 2275 | yes |" in work, work
    (base_row, this_row) = [json.loads(x) for x in (tmp_path / "w.jsonl").read_text().splitlines()]
    assert base_row["work"] == this_row["work"]
    (tree,) = os.listdir(tmp_path / "trees")
    subprocess.run(["git", "worktree", "remove", "--force", str(tmp_path / "trees" / tree)],
                   cwd=REPO, check=True)  # fmt: skip


def test_the_fid_classifier_of_a_table_is_trained_once_into_its_folder(tmp_path, monkeypatch):
    """With ``cache=`` the classifier is saved there and later calls load it: a
    table filled over several sessions (machines) keeps one classifier."""
    import numpy as np

    from tfgan_zoo import evaluation
    from tfgan_zoo.metrics import features

    monkeypatch.syspath_prepend(os.path.join(REPO, "benchmarks"))
    import records

    rng = np.random.default_rng(0)

    def real_batches(dataset, split, num_samples, seed=0):
        x = rng.uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
        return x, np.arange(64) % 10

    trained = []
    train = features.train_classifier
    monkeypatch.setattr(evaluation, "real_batches", real_batches)
    monkeypatch.setattr(features, "train_classifier",
                        lambda x, y, *_: trained.append(1) or train(x, y, epochs=1))  # fmt: skip
    first, _ = records.classifier_fid_setup("idx:x", 8, cache=str(tmp_path))
    again, _ = records.classifier_fid_setup("idx:x", 8, cache=str(tmp_path))
    assert trained == [1] and (tmp_path / features.CLASSIFIER_FILE).exists()
    probe = rng.uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    np.testing.assert_array_equal(first(probe)[0], again(probe)[0])

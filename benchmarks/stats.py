"""The exact tests the claims' rules name: sign, Fisher and permutation.

Every claim's rule (in its script's docstring, committed before its runs)
names one of these as its primary test, alpha = 0.05, and the smallest p its
design can reach (`smallest_p`), so a design that cannot reach 0.05 is seen
before it is run. All are exact (no normal approximations) and one-sided in
the direction the claim predicts unless a rule says otherwise; pure Python,
so a fresh clone re-derives every verdict without SciPy.
"""

import itertools
import math
import random

ALPHA = 0.05


def sign_test(differences, alternative="greater"):
    """One-sided exact sign test on paired ``differences`` (ties, exact zeros,
    dropped): p = P(X >= wins) for X ~ Binomial(n, 1/2), where wins counts the
    positive differences (``alternative="greater"``) or the negative ones
    (``"less"``). Returns ``(p, wins, n)``."""
    nonzero = [d for d in differences if d != 0]
    n = len(nonzero)
    wins = sum((d > 0) if alternative == "greater" else (d < 0) for d in nonzero)
    p = sum(math.comb(n, k) for k in range(wins, n + 1)) / 2**n if n else 1.0
    return p, wins, n


def two_sided_verdict(p, p_opposite):
    """holds / contradicted / not seen from the claim's one-sided p and the opposite's."""
    return "holds" if p < ALPHA else "contradicted" if p_opposite < ALPHA else (
        "not seen at this scale")  # fmt: skip


def paired_sign(differences):
    """The paired claims' rule form: one-sided exact sign tests that ``differences``
    are positive (the claim, ``p``) and negative (``p_opposite``), and the verdict
    `two_sided_verdict` gives: ``{"verdict", "p", "p_opposite", "wins", "n"}``."""
    p, wins, n = sign_test(differences, "greater")
    p_opposite = sign_test(differences, "less")[0]
    return {"verdict": two_sided_verdict(p, p_opposite), "p": p, "p_opposite": p_opposite,
            "wins": wins, "n": n}  # fmt: skip


def fisher_exact(a_events, a_total, b_events, b_total):
    """One-sided Fisher exact test that group A has the larger share of events:
    p = P(X >= a_events) for X hypergeometric with the 2x2 table's margins."""
    events, total = a_events + b_events, a_total + b_total
    denominator = math.comb(total, a_total)
    top = min(events, a_total)
    return sum(math.comb(events, k) * math.comb(total - events, a_total - k)
               for k in range(a_events, top + 1)) / denominator  # fmt: skip


def permutation_test(a, b, statistic=None, draws=20000, seed=0):
    """One-sided two-sample permutation test that ``a`` is larger than ``b``:
    the share of relabellings whose statistic (default: mean(a) - mean(b)) is
    at least the observed one. Exact (every relabelling) up to 20,000 of them,
    else ``draws`` random relabellings from a fixed seed (the +1 correction
    keeps p above 0)."""
    statistic = statistic or (lambda x, y: sum(x) / len(x) - sum(y) / len(y))
    pooled, observed = list(a) + list(b), statistic(a, b)
    n = len(a)
    if math.comb(len(pooled), n) <= 20000:
        splits = itertools.combinations(range(len(pooled)), n)
        count = total = 0
        for chosen in splits:
            chosen = set(chosen)
            x = [v for i, v in enumerate(pooled) if i in chosen]
            y = [v for i, v in enumerate(pooled) if i not in chosen]
            count += statistic(x, y) >= observed - 1e-12
            total += 1
        return count / total
    rng = random.Random(seed)
    count = 0
    for _ in range(draws):
        rng.shuffle(pooled)
        count += statistic(pooled[:n], pooled[n:]) >= observed - 1e-12
    return (count + 1) / (draws + 1)


def median_interval(values, coverage=1 - ALPHA):
    """The sign test's distribution-free interval of the median of ``values``:
    ``(low, high, achieved)``, the k-th lowest and k-th highest values for the
    largest k whose coverage ``1 - 2 P(X <= k - 1)``, X ~ Binomial(n, 1/2), is at
    least ``coverage`` (12 values: the 3rd of each end, 96.1%; 20: the 6th,
    95.9%). With too few values for ``coverage`` (fewer than 6 for 95%): the
    lowest and highest, with the ``achieved`` coverage below it."""
    ordered, n = sorted(values), len(values)

    def covers(k):
        return 1 - 2 * sum(math.comb(n, j) for j in range(k)) / 2**n

    k = 1
    while k < n // 2 and covers(k + 1) >= coverage:  # coverage falls as k grows
        k += 1
    return ordered[k - 1], ordered[n - k], covers(k)


def smallest_p(test, **design):
    """The smallest p a design can reach: ``sign`` with ``n`` pairs (1 / 2^n);
    ``fisher`` with group sizes ``a`` and ``b`` (every event in A);
    ``permutation`` with sample sizes ``a`` and ``b`` (1 / C(a + b, a))."""
    if test == "sign":
        return 0.5 ** design["n"]
    if test == "fisher":
        return 1 / math.comb(design["a"] + design["b"], design["a"])
    if test == "permutation":
        return 1 / math.comb(design["a"] + design["b"], design["a"])
    raise ValueError(f"unknown test {test!r}")


def p_text(p):
    """p as the summary prints it (two significant digits)."""
    return f"{p:.2g}"

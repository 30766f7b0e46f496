#!/usr/bin/env python3
"""Reference numbers for src/analysis/stats.rs.

Rerun with:  python3 tests/reference/stats_reference.py
Needs:       pip install scipy statsmodels   (made with scipy 1.17.1, statsmodels 0.15.0)

Every number printed here is pasted into the `#[cfg(test)]` block of
src/analysis/stats.rs; the Rust tests name the call that produced each one.
"""
import math

import numpy as np
import scipy
from scipy.stats import norm, poisson

try:
    import statsmodels
    from statsmodels.stats.multitest import multipletests
except ImportError:  # pragma: no cover - fallback documented in the tests
    statsmodels = None
    multipletests = None

print(f"# scipy {scipy.__version__}, statsmodels "
      f"{statsmodels.__version__ if statsmodels else 'n/a'}, numpy {np.__version__}")

# ---------------------------------------------------------------------------
# 1. Poisson upper tail P(X >= k | mu) = scipy.stats.poisson.sf(k - 1, mu)
# ---------------------------------------------------------------------------
print("\n## poisson_upper_tail: scipy.stats.poisson.sf(k - 1, mu)")
TAIL_CASES = [
    (1, 1e-20), (2, 1e-12), (1, 0.5), (3, 0.1), (5, 2.0), (10, 10.0), (15, 10.0), (30, 5.0),
    (50, 20.0), (120, 100.0), (1000, 900.0), (1300, 1000.0),
    (10_003_000, 10_000_000.0),
]
for k, mu in TAIL_CASES:
    print(f"({k}, {mu!r}, {float(poisson.sf(k - 1, mu))!r}),")

# Cross-check with 40-digit arithmetic (mpmath), summing the pmf from k up.
# For large means scipy's sf loses accuracy (at mu ~ 2.9e6 it is off by ~2e-3
# relative), so the large-mean test values come from here.
try:
    import mpmath as mp
except ImportError:  # pragma: no cover
    mp = None


def mp_upper_tail(k, mu):
    mp.mp.dps = 40
    mu = mp.mpf(mu)
    term = mp.exp(k * mp.log(mu) - mu - mp.loggamma(k + 1))
    total, j = mp.mpf(0), k
    while True:
        total += term
        j += 1
        term = term * mu / j
        if term < total * mp.mpf(10) ** -30:
            return total


if mp is not None:
    print("\n## poisson_upper_tail, mpmath 40-digit pmf sum (k, mu, mp, scipy sf)")
    for k, mu in [(30, 5.0), (2_904_941, 2_897_006.9250400215), (10_030_001, 1e7)]:
        print(f"({k}, {mu!r}, {float(mp_upper_tail(k, mu))!r}, {float(poisson.sf(k - 1, mu))!r}),")

# ---------------------------------------------------------------------------
# 2. Rising test: mean of previous windows, then the same tail
# ---------------------------------------------------------------------------
print("\n## rising_p_value: previous [2, 3, 4] -> mean 3, observed 8")
print(f"scipy.stats.poisson.sf(7, 3.0) = {float(poisson.sf(7, 3.0))!r}")

# ---------------------------------------------------------------------------
# 3. Benjamini-Hochberg
# ---------------------------------------------------------------------------
print("\n## benjamini_hochberg")
P = [0.01, 0.04, 0.03, 0.04, float("nan"), 0.20, 0.001, 0.5, 0.04]
finite_idx = [i for i, p in enumerate(P) if not math.isnan(p)]
finite_p = [P[i] for i in finite_idx]
if multipletests is not None:
    # statsmodels does not accept NaN: test the finite ones, NaN passes through.
    q_finite = multipletests(finite_p, alpha=0.05, method="fdr_bh")[1]
    tool = "statsmodels.stats.multitest.multipletests(p_finite, alpha=0.05, method='fdr_bh')[1]"
else:
    from scipy.stats import false_discovery_control
    q_finite = false_discovery_control(finite_p, method="bh")
    tool = "scipy.stats.false_discovery_control(p_finite, method='bh')"
q = [float("nan")] * len(P)
for i, qi in zip(finite_idx, q_finite):
    q[i] = float(qi)
print(f"p = {P}")
print(f"{tool} ->")
print(f"q = {q!r}")

# ---------------------------------------------------------------------------
# 4. Exact Poisson funnel limits with Spiegelhalter's interpolation
#    (Stat Med 2005, Appendix A.1.1, written there for the binomial; the same
#    construction on a Poisson(E) count):
#      r_p   = smallest r with F(r) >= p         (= scipy.stats.poisson.ppf(p, E))
#      alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))
#      limit = r_p - alpha                       (count scale; ratio scale / E)
# ---------------------------------------------------------------------------
def spiegelhalter_limit(p, expected):
    r = poisson.ppf(p, expected)
    f_r = poisson.cdf(r, expected)
    f_rm1 = poisson.cdf(r - 1, expected) if r >= 1 else 0.0
    alpha = (f_r - p) / (f_r - f_rm1)
    return max(float(r - alpha), 0.0), float(r)


print("\n## funnel limits (count scale): level, E, lower, upper, ppf(lo), ppf(hi)")
for expected in (10.0, 100.0, 0.5):
    for level in (0.95, 0.998):
        lo_p = (1.0 - level) / 2.0
        hi_p = 1.0 - lo_p
        lo, r_lo = spiegelhalter_limit(lo_p, expected)
        hi, r_hi = spiegelhalter_limit(hi_p, expected)
        # Bracket check against scipy's non-interpolated quantile:
        # r_p - 1 < limit <= r_p  (lower limit may be clamped at 0).
        assert r_hi - 1 < hi <= r_hi, (expected, level, hi, r_hi)
        assert lo <= r_lo and (lo == 0.0 or r_lo - 1 < lo), (expected, level, lo, r_lo)
        print(f"({level}, {expected}, {lo!r}, {hi!r}, {r_lo!r}, {r_hi!r}),")

# ---------------------------------------------------------------------------
# 5. Overdispersion (Spiegelhalter 2005 Stat Med section 3.2 / QSHC 2005)
#    y_i = O_i/E_i, target 1, s_i = 1/sqrt(E_i)  =>  z_i = (O_i - E_i)/sqrt(E_i)
#    winsorise at the 10% / 90% quantiles (linear interpolation, R type 7 =
#    numpy's default), phi = mean(zw^2),
#    tau2 = (I*phi - (I-1)) / (sum w - sum w^2 / sum w), w_i = E_i,
#    only if I*phi > I - 1.
# ---------------------------------------------------------------------------
def quantile_type7(sorted_x, q):
    """Hand-written R type-7 quantile, cross-checked against numpy below."""
    n = len(sorted_x)
    h = (n - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_x[lo] + (h - lo) * (sorted_x[hi] - sorted_x[lo])


def overdispersion(observed, expected, winsor):
    z = [(o - e) / math.sqrt(e) for o, e in zip(observed, expected)]
    zs = sorted(z)
    lo = quantile_type7(zs, winsor)
    hi = quantile_type7(zs, 1.0 - winsor)
    assert math.isclose(lo, float(np.quantile(z, winsor)), rel_tol=1e-12)
    assert math.isclose(hi, float(np.quantile(z, 1.0 - winsor)), rel_tol=1e-12)
    zw = [min(max(v, lo), hi) for v in z]
    n = len(z)
    phi = sum(v * v for v in zw) / n
    w = list(expected)
    denom = sum(w) - sum(x * x for x in w) / sum(w)
    tau2 = (n * phi - (n - 1)) / denom if n * phi > n - 1 else None
    return z, lo, hi, phi, tau2


print("\n## overdispersion (winsor 0.10)")
OBS = [2.0, 15.0, 30.0, 8.0, 50.0, 12.0, 5.0, 40.0, 20.0, 25.0]
EXP = [10.0, 12.0, 20.0, 10.0, 25.0, 15.0, 8.0, 22.0, 18.0, 20.0]
z, lo, hi, phi, tau2 = overdispersion(OBS, EXP, 0.10)
print(f"observed = {OBS}")
print(f"expected = {EXP}")
print(f"z = {z!r}")
print(f"winsor limits = ({lo!r}, {hi!r})")
print(f"phi = {phi!r}")
print(f"tau2 = {tau2!r}")

OBS2 = [10.0, 11.0, 9.0, 20.0, 21.0, 19.0]
EXP2 = [10.0, 10.0, 10.0, 20.0, 20.0, 20.0]
_, _, _, phi2, tau2_2 = overdispersion(OBS2, EXP2, 0.10)
print(f"under-dispersed set {OBS2} / {EXP2}: phi = {phi2!r}, tau2 = {tau2_2!r}")

# ---------------------------------------------------------------------------
# 6. Random-effects widened upper limit E * (1 + z * sqrt(1/E + tau2))
# ---------------------------------------------------------------------------
print("\n## funnel_upper_with_tau: E * (1 + z * sqrt(1/E + tau2)), z = norm.ppf(0.975 / 0.999)")
z95, z998 = float(norm.ppf(0.975)), float(norm.ppf(0.999))
print(f"z95 = {z95!r}, z998 = {z998!r}")
for expected in (10.0, 100.0):
    for level, zz in ((0.95, z95), (0.998, z998)):
        print(f"({level}, {expected}, {tau2!r}, "
              f"{expected * (1.0 + zz * math.sqrt(1.0 / expected + tau2))!r}),")

# ---------------------------------------------------------------------------
# 7. Expected counts from margins, 2x3 table worked by hand
# ---------------------------------------------------------------------------
print("\n## expected_from_margins")
T = [[10, 20, 30], [5, 15, 20]]
rows = [sum(r) for r in T]
cols = [sum(c) for c in zip(*T)]
tot = sum(rows)
print(f"rows = {rows}, cols = {cols}, total = {tot}")
print([[rows[i] * cols[j] / tot for j in range(3)] for i in range(2)])

# ---------------------------------------------------------------------------
# 8. funnel_level classifications (strictly above a limit = outside).
#    With tau2 the limit used is max(exact limit, widened limit): the
#    random-effects adjustment only ever widens the funnel.
# ---------------------------------------------------------------------------
def level_of(observed, expected, tau2=None):
    limits = {}
    for level, zz in ((0.95, z95), (0.998, z998)):
        p = 1.0 - (1.0 - level) / 2.0
        exact, _ = spiegelhalter_limit(p, expected)
        if tau2 is not None:
            exact = max(exact, expected * (1.0 + zz * math.sqrt(1.0 / expected + tau2)))
        limits[level] = exact
    if observed > limits[0.998]:
        return "Alarm"
    if observed > limits[0.95]:
        return "Warning"
    return "Inside"


print("\n## funnel_level (observed, expected, tau2, level)")
for obs, e, t in [(16, 10.0, None), (17, 10.0, None), (20, 10.0, None), (21, 10.0, None),
                  (3, 0.5, None), (4, 0.5, None), (119, 100.0, None), (120, 100.0, None),
                  (132, 100.0, None), (21, 10.0, tau2), (22, 10.0, tau2), (28, 10.0, tau2)]:
    print(f"({obs}, {e}, {t!r}, {level_of(obs, e, t)}),")

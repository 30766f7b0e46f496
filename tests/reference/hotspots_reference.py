"""Reference numbers for analysis::hotspots::tests (scipy/statsmodels).

A crafted quarter (2025Q2): two units, one domain (市场监管), three error types.
unit×error_type counts:  U1: E1=15, E2=1, E3=1   U2: E1=1, E2=4, E3=5
Expected from margins, one-sided exact Poisson p = P(X >= k), BH over the
11 non-empty cells of the three kinds. Run: python3 tests/reference/hotspots_reference.py
"""
from scipy.stats import poisson
from statsmodels.stats.multitest import multipletests

ue = {("U1", "E1"): 15, ("U1", "E2"): 1, ("U1", "E3"): 1,
      ("U2", "E1"): 1, ("U2", "E2"): 4, ("U2", "E3"): 5}
rows = {"U1": 17, "U2": 10}
cols = {"E1": 16, "E2": 5, "E3": 6}
T = 27
cells = []
for (u, e), k in ue.items():
    mu = rows[u] * cols[e] / T
    cells.append(("unit×error_type", u, e, k, mu, poisson.sf(k - 1, mu)))
for e, k in cols.items():
    cells.append(("domain×error_type", "D", e, k, k, poisson.sf(k - 1, k)))
for u, k in rows.items():
    cells.append(("unit×domain", u, "D", k, k, poisson.sf(k - 1, k)))
q = multipletests([c[5] for c in cells], method="fdr_bh")[1]
for c, qq in zip(cells, q):
    print(c[0], c[1], c[2], "count", c[3], "expected", repr(c[4]), "p", repr(float(c[5])), "q", repr(float(qq)))

# With enforcement volume: U1 and U2 each 1000 actions in 市场监管 (one error
# type E1). Counts U1=34, U2=10 → rate 44/2000, expected 22 each; the domain
# cell 44 vs 44. Funnel limits: exact Poisson with Spiegelhalter interpolation.
print("-- with volume")
def limit(E, p):
    r = int(poisson.ppf(p, E))
    F = poisson.cdf
    alpha = (F(r, E) - p) / (F(r, E) - F(r - 1, E))
    return r - alpha
cells = [("unit×error_type", "U1", 34, 22.0), ("unit×error_type", "U2", 10, 22.0),
         ("domain×error_type", "D", 44, 44.0),
         ("unit×domain", "U1", 34, 22.0), ("unit×domain", "U2", 10, 22.0)]
ps = [poisson.sf(k - 1, mu) for (_, _, k, mu) in cells]
q = multipletests(ps, method="fdr_bh")[1]
for c, p, qq in zip(cells, ps, q):
    print(c, "p", repr(float(p)), "q", repr(float(qq)),
          "upper95", limit(c[3], 0.975), "upper99.8", limit(c[3], 0.999))

//! Statistical primitives for risk-point detection: exact Poisson tail tests, Benjamini–Hochberg q-values, exact Poisson funnel limits with Spiegelhalter's interpolation, random-effects overdispersion and expected counts from table margins.
//!
//! Every function here is total: it never panics, whatever the input (empty
//! slices, zeros, NaN, infinities, counts near `u64::MAX`). Invalid inputs
//! give NaN (or `None`), as documented on each function.
//!
//! References:
//! - D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional
//!   performance", Statistics in Medicine 24:1185–1202 (Appendix A.1.1 for the
//!   interpolated exact limits, section 3.2 for over-dispersion).
//! - D. J. Spiegelhalter (2005), "Handling over-dispersion of performance
//!   indicators", Quality and Safety in Health Care 14:347–351.
//! - Y. Benjamini and Y. Hochberg (1995), "Controlling the false discovery
//!   rate", JRSS B 57:289–300.

use statrs::function::beta::checked_beta_reg;
use statrs::function::erf::{erfc, erfc_inv};
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};

/// Two-sided level of the inner ("warning") funnel limits.
pub const WARNING_LEVEL: f64 = 0.95;
/// Two-sided level of the outer ("alarm") funnel limits.
pub const ALARM_LEVEL: f64 = 0.998;
/// Default winsorisation of z-scores (each tail) for the overdispersion estimate.
pub const DEFAULT_WINSOR: f64 = 0.10;

/// Above this gamma shape (i.e. count), the regularised incomplete gamma is
/// evaluated with the Wilson–Hilferty approximation instead of statrs' series /
/// continued fraction, whose iteration count grows like sqrt(shape) and whose
/// accuracy degrades for very large arguments. The approximation error is
/// O(1/shape), far below anything that matters at this size.
const ASYMPTOTIC_SHAPE: f64 = 1e7;
/// Below this Poisson mean statrs rounds P(a, x) to 0 (it treats x as zero),
/// so the leading terms of the series are summed here instead.
const TINY_MEAN: f64 = 1e-10;
/// Above this expected count the exact quantile search is replaced by the
/// normal approximation (counts are no longer exactly representable in f64
/// beyond 2^53 and the discreteness is irrelevant anyway).
const MAX_EXACT_EXPECTED: f64 = 1e15;
/// Safety bound on the step search for a Poisson quantile.
const MAX_QUANTILE_STEPS: usize = 10_000;

/// Standard normal CDF, accurate in both tails (via `erfc`).
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile for `q` in (0, 1); NaN outside.
fn normal_quantile(q: f64) -> f64 {
    if !(q > 0.0 && q < 1.0) {
        return f64::NAN;
    }
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * q)
}

/// Wilson–Hilferty: the z-score such that P(Gamma(a, 1) <= x) ≈ Φ(z).
fn wilson_hilferty_z(a: f64, x: f64) -> f64 {
    ((x / a).cbrt() - 1.0 + 1.0 / (9.0 * a)) * 3.0 * a.sqrt()
}

/// Series for P(a, x) when x is tiny: x^a e^-x / Γ(a+1) · Σ_n x^n / ((a+1)…(a+n)).
fn lower_gamma_tiny_x(a: f64, x: f64) -> f64 {
    let lead = (a * x.ln() - x - ln_gamma(a + 1.0)).exp();
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut denom = a;
    for _ in 0..50 {
        denom += 1.0;
        term *= x / denom;
        sum += term;
        if term <= sum * 1e-17 {
            break;
        }
    }
    lead * sum
}

/// Lower regularised incomplete gamma P(a, x) for a >= 1 and finite x > 0.
fn lower_reg_gamma(a: f64, x: f64) -> f64 {
    if x < TINY_MEAN {
        return lower_gamma_tiny_x(a, x);
    }
    if a > ASYMPTOTIC_SHAPE {
        return normal_cdf(wilson_hilferty_z(a, x));
    }
    checked_gamma_lr(a, x).unwrap_or(f64::NAN)
}

/// Upper regularised incomplete gamma Q(a, x) = 1 - P(a, x) for a >= 1 and
/// finite x > 0, computed without cancellation where Q is the small side.
fn upper_reg_gamma(a: f64, x: f64) -> f64 {
    if x < TINY_MEAN {
        return 1.0 - lower_gamma_tiny_x(a, x);
    }
    if a > ASYMPTOTIC_SHAPE {
        return normal_cdf(-wilson_hilferty_z(a, x));
    }
    checked_gamma_ur(a, x).unwrap_or(f64::NAN)
}

/// P(X >= k) for X ~ Poisson(mu), exact.
///
/// Uses P(X >= k) = P(k, mu), the lower regularised incomplete gamma function
/// (statrs), which is evaluated directly (series for mu <= k), so far-tail
/// values such as P(X >= 30 | 5) ≈ 2.8e-14 keep full relative accuracy; it is
/// never formed as `1 - cdf`.
///
/// Conventions: non-finite `mu` → NaN (also for k = 0); k = 0 → 1.0;
/// mu <= 0 → 0.0 for k >= 1. For k > 10^7 the Wilson–Hilferty approximation
/// is used (error O(1/k)).
pub fn poisson_upper_tail(k: u64, mu: f64) -> f64 {
    if !mu.is_finite() {
        return f64::NAN;
    }
    if k == 0 {
        return 1.0;
    }
    if mu <= 0.0 {
        return 0.0;
    }
    lower_reg_gamma(k as f64, mu).clamp(0.0, 1.0)
}

/// P(X <= r) for X ~ Poisson(mu) with finite mu > 0, as Q(r + 1, mu).
fn poisson_cdf(r: u64, mu: f64) -> f64 {
    upper_reg_gamma(r as f64 + 1.0, mu).clamp(0.0, 1.0)
}

/// Smallest r >= 0 with P(X <= r) >= p for X ~ Poisson(mu), finite mu > 0,
/// p in (0, 1). Starts from the Cornish–Fisher approximation and steps.
/// `None` if the search does not settle (only conceivable for extreme mu).
fn poisson_quantile(p: f64, mu: f64) -> Option<u64> {
    let z = normal_quantile(p);
    let guess = mu + z * mu.sqrt() + (z * z - 1.0) / 6.0;
    // Saturating float → int cast; the guess is finite here.
    let mut r = if guess.is_finite() && guess > 0.0 {
        guess.floor() as u64
    } else {
        0
    };
    for _ in 0..MAX_QUANTILE_STEPS {
        if poisson_cdf(r, mu) < p {
            r = r.checked_add(1)?;
        } else if r > 0 && poisson_cdf(r - 1, mu) >= p {
            r -= 1;
        } else {
            return Some(r);
        }
    }
    None
}

/// z for the upper quantile of a two-sided `level` (0.95 → 1.959964,
/// 0.998 → 3.090232); NaN unless 0 < level < 1.
pub fn two_sided_z(level: f64) -> f64 {
    if !(level > 0.0 && level < 1.0) {
        return f64::NAN;
    }
    normal_quantile(0.5 + level / 2.0)
}

/// Exact Poisson funnel limit at cumulative probability `p`, count scale.
///
/// Spiegelhalter (2005) Appendix A.1.1 interpolation, applied to X ~ Poisson(E):
/// r_p = smallest r with F(r) >= p;
/// α = (F(r_p) − p) / (F(r_p) − F(r_p − 1))  (F(−1) = 0);
/// limit = r_p − α, clamped at 0.
fn poisson_funnel_limit(expected: f64, p: f64) -> f64 {
    if !(expected.is_finite() && p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    if expected <= 0.0 {
        // Point mass at 0: r_p = 0, α = 1 − p, limit −(1 − p) → clamped to 0.
        return 0.0;
    }
    let normal = || (expected + normal_quantile(p) * expected.sqrt()).max(0.0);
    if expected > MAX_EXACT_EXPECTED {
        return normal();
    }
    let Some(r) = poisson_quantile(p, expected) else {
        return normal();
    };
    let f_r = poisson_cdf(r, expected);
    let f_prev = if r == 0 {
        0.0
    } else {
        poisson_cdf(r - 1, expected)
    };
    let mass = f_r - f_prev;
    let alpha = if mass > 0.0 && mass.is_finite() {
        ((f_r - p) / mass).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (r as f64 - alpha).max(0.0)
}

/// Upper funnel limit (count scale) for an observed count whose expectation is
/// `expected`, at two-sided `level` (0.95 → p = 0.975, 0.998 → p = 0.999):
/// exact Poisson quantile with Spiegelhalter's interpolation, r_p − α (see the
/// module docs). A count strictly above it lies outside the funnel.
///
/// `expected <= 0` → 0.0; non-finite `expected` or a level outside (0, 1) → NaN.
/// For expected > 1e15 the normal approximation E + z·sqrt(E) is returned.
pub fn poisson_funnel_upper(expected: f64, level: f64) -> f64 {
    if !(level > 0.0 && level < 1.0) {
        return f64::NAN;
    }
    poisson_funnel_limit(expected, 0.5 + level / 2.0)
}

/// Lower funnel limit (count scale) at two-sided `level` (0.95 → p = 0.025,
/// 0.998 → p = 0.001), same construction as [`poisson_funnel_upper`]; clamped
/// at 0, so it is 0 for small expected counts.
pub fn poisson_funnel_lower(expected: f64, level: f64) -> f64 {
    if !(level > 0.0 && level < 1.0) {
        return f64::NAN;
    }
    poisson_funnel_limit(expected, 0.5 - level / 2.0)
}

/// Over-dispersion estimate for ratio indicators (Spiegelhalter 2005).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overdispersion {
    /// Dispersion factor φ = mean of the squared winsorised z-scores.
    pub phi: f64,
    /// Additive random-effects variance τ² on the ratio (O/E) scale; > 0.
    pub tau2: f64,
}

/// Intermediate sums shared by [`overdispersion_phi`] and [`overdispersion`].
struct Dispersion {
    phi: f64,
    cells: usize,
    sum_w: f64,
    sum_w2: f64,
}

/// R type-7 (linear interpolation) quantile of an ascending, non-empty slice.
fn quantile_type7(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn dispersion(observed: &[f64], expected: &[f64], winsor: f64) -> Option<Dispersion> {
    let mut z = Vec::with_capacity(observed.len().min(expected.len()));
    let mut sum_w = 0.0;
    let mut sum_w2 = 0.0;
    for (&o, &e) in observed.iter().zip(expected) {
        if !(e > 0.0 && e.is_finite() && o.is_finite()) {
            continue;
        }
        // y = O/E, target 1, s = 1/sqrt(E): z = (y − 1)/s = (O − E)/sqrt(E).
        let zi = (o - e) / e.sqrt();
        if !zi.is_finite() {
            continue;
        }
        z.push(zi);
        // w = 1/s² = E.
        sum_w += e;
        sum_w2 += e * e;
    }
    if z.is_empty() {
        return None;
    }
    let winsor = if winsor.is_nan() {
        0.0
    } else {
        winsor.clamp(0.0, 0.5)
    };
    let mut sorted = z.clone();
    sorted.sort_by(f64::total_cmp);
    let lo = quantile_type7(&sorted, winsor);
    let hi = quantile_type7(&sorted, 1.0 - winsor);
    let cells = z.len();
    let phi = z
        .iter()
        .map(|&v| {
            let w = v.max(lo).min(hi);
            w * w
        })
        .sum::<f64>()
        / cells as f64;
    Some(Dispersion {
        phi,
        cells,
        sum_w,
        sum_w2,
    })
}

/// Dispersion factor φ alone (also when there is no over-dispersion), for
/// reporting; `None` when no cell is usable. See [`overdispersion`].
pub fn overdispersion_phi(observed: &[f64], expected: &[f64], winsor: f64) -> Option<f64> {
    dispersion(observed, expected, winsor).map(|d| d.phi)
}

/// Over-dispersion of ratio indicators y_i = O_i/E_i around the target 1 with
/// s_i = 1/sqrt(E_i) (Spiegelhalter 2005, Stat Med §3.2; QSHC 2005).
///
/// z_i = (O_i − E_i)/sqrt(E_i); the z-scores are winsorised at `winsor` in each
/// tail (values below the `winsor` quantile / above the `1 − winsor` quantile,
/// R type-7 linear-interpolation quantiles, are set to those quantiles);
/// φ = mean(z_w²). If I·φ > I − 1 (more variation than Poisson allows):
/// τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw) with w_i = 1/s_i² = E_i; else `None`.
///
/// Pairs are taken up to the shorter slice; cells with E_i <= 0, non-finite
/// E_i or O_i are skipped. `winsor` is clamped to [0, 0.5] (NaN → 0). `None`
/// also when fewer than two cells remain or the result is not finite.
pub fn overdispersion(observed: &[f64], expected: &[f64], winsor: f64) -> Option<Overdispersion> {
    let d = dispersion(observed, expected, winsor)?;
    if d.cells < 2 {
        return None;
    }
    let i = d.cells as f64;
    let excess = i * d.phi - (i - 1.0);
    if excess.is_nan() || excess <= 0.0 {
        return None;
    }
    let denom = d.sum_w - d.sum_w2 / d.sum_w;
    if !(denom > 0.0 && denom.is_finite()) {
        return None;
    }
    let tau2 = excess / denom;
    (tau2.is_finite() && tau2 > 0.0).then_some(Overdispersion { phi: d.phi, tau2 })
}

/// Upper funnel limit on the count scale widened by the additive random-effects
/// variance τ² (normal approximation on the ratio scale):
/// E · (1 + z_level · sqrt(1/E + τ²)), z_level = 1.959964 (0.95) / 3.090232 (0.998).
///
/// `expected <= 0` → 0.0; negative τ² is treated as 0; non-finite inputs or a
/// level outside (0, 1) → NaN.
pub fn funnel_upper_with_tau(expected: f64, level: f64, tau2: f64) -> f64 {
    let z = two_sided_z(level);
    if !expected.is_finite() || !tau2.is_finite() || z.is_nan() {
        return f64::NAN;
    }
    if expected <= 0.0 {
        return 0.0;
    }
    expected * (1.0 + z * (1.0 / expected + tau2.max(0.0)).sqrt())
}

/// Upper limit actually used for classification at `level`: the exact
/// interpolated Poisson limit, or, with a finite τ² > 0, the larger of that and
/// the τ²-widened limit (the random-effects adjustment only ever widens the
/// funnel; at small E the normal-approximation limit can fall below the exact
/// one).
pub fn funnel_upper_limit(expected: f64, level: f64, tau2: Option<f64>) -> f64 {
    let exact = poisson_funnel_upper(expected, level);
    match tau2 {
        Some(t) if t.is_finite() && t > 0.0 => {
            let widened = funnel_upper_with_tau(expected, level, t);
            if exact.is_nan() || widened.is_nan() {
                f64::NAN
            } else {
                exact.max(widened)
            }
        }
        _ => exact,
    }
}

/// Position of a cell relative to the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FunnelLevel {
    /// Not above the 95% upper limit.
    Inside,
    /// Above the 95% upper limit, not above the 99.8% one.
    Warning,
    /// Above the 99.8% upper limit.
    Alarm,
}

/// Classify an observed count: `Alarm` if strictly above the 99.8% upper
/// limit, `Warning` if strictly above the 95% one, else `Inside`. Limits come
/// from [`funnel_upper_limit`] (τ² used when `Some` finite and > 0). A
/// non-finite `expected` cannot be assessed and gives `Inside`.
pub fn funnel_level(observed: u64, expected: f64, tau2: Option<f64>) -> FunnelLevel {
    let o = observed as f64;
    if o > funnel_upper_limit(expected, ALARM_LEVEL, tau2) {
        FunnelLevel::Alarm
    } else if o > funnel_upper_limit(expected, WARNING_LEVEL, tau2) {
        FunnelLevel::Warning
    } else {
        FunnelLevel::Inside
    }
}

/// Benjamini–Hochberg q-values in input order.
///
/// With the m non-NaN p-values ranked ascending (ties broken by input
/// position), q_i = min over j with rank_j >= rank_i of m·p_j/rank_j, capped at
/// 1; tied p-values therefore get identical q-values. NaN inputs stay NaN and
/// do not count in m. p-values outside [0, 1] are clamped into it first.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut q = vec![f64::NAN; p.len()];
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let m = order.len();
    if m == 0 {
        return q;
    }
    let clamped = |i: usize| p[i].clamp(0.0, 1.0);
    order.sort_by(|&a, &b| clamped(a).total_cmp(&clamped(b)).then(a.cmp(&b)));
    let mut running = 1.0_f64;
    for (pos, &i) in order.iter().enumerate().rev() {
        let value = m as f64 * clamped(i) / (pos + 1) as f64;
        running = running.min(value);
        q[i] = running;
    }
    q
}

/// Expected counts under independence of rows and columns:
/// e_ij = row_i · col_j / total, all 0 when the grand total is 0.
///
/// The result has one row per input row and as many columns as the longest
/// input row (missing cells of ragged rows count as 0). Sums are taken in
/// u128, so huge counts do not overflow.
pub fn expected_from_margins(table: &[Vec<u64>]) -> Vec<Vec<f64>> {
    let ncol = table.iter().map(Vec::len).max().unwrap_or(0);
    let rows: Vec<u128> = table
        .iter()
        .map(|r| r.iter().map(|&v| u128::from(v)).sum())
        .collect();
    let mut cols = vec![0_u128; ncol];
    for row in table {
        for (c, &v) in cols.iter_mut().zip(row) {
            *c += u128::from(v);
        }
    }
    let total: u128 = rows.iter().sum();
    rows.iter()
        .map(|&r| {
            cols.iter()
                .map(|&c| {
                    if total == 0 {
                        0.0
                    } else {
                        r as f64 * c as f64 / total as f64
                    }
                })
                .collect()
        })
        .collect()
}

/// Rising test: one-sided Poisson p-value P(X >= observed | mean of the
/// previous windows' counts). `None` when there is no previous window.
/// A previous mean of 0 gives p = 0 for any observed count > 0.
pub fn rising_p_value(observed: u64, previous: &[u64]) -> Option<f64> {
    if previous.is_empty() {
        return None;
    }
    let sum: u128 = previous.iter().map(|&v| u128::from(v)).sum();
    let mean = sum as f64 / previous.len() as f64;
    Some(poisson_upper_tail(observed, mean))
}

/// P(X >= k) for X ~ Binomial(n, pi), exact: I_pi(k, n − k + 1) (the
/// regularised incomplete beta function), never formed as `1 - cdf`.
///
/// k = 0 → 1.0; k > n → 0.0; pi <= 0 → 0.0 for k >= 1; pi >= 1 → 1.0;
/// non-finite pi → NaN.
pub fn binomial_upper_tail(k: u64, n: u64, pi: f64) -> f64 {
    if !pi.is_finite() {
        return f64::NAN;
    }
    if k == 0 {
        return 1.0;
    }
    if k > n || pi <= 0.0 {
        return 0.0;
    }
    if pi >= 1.0 {
        return 1.0;
    }
    checked_beta_reg(k as f64, (n - k + 1) as f64, pi)
        .map(|p| p.clamp(0.0, 1.0))
        .unwrap_or(f64::NAN)
}

/// P(X >= k) for a count whose mean is `mean` and whose rate ratio varies
/// between cells with the additive variance `tau2` (Spiegelhalter 2005):
/// the Poisson–gamma (negative binomial) mixture with Var(X) = mean +
/// tau2 · mean², i.e. size r = 1/tau2, P(X = j) = Γ(j + r)/(Γ(r) j!) ·
/// (1 − q)^r q^j with q = mean/(mean + r).
///
/// Summed in log space: below mean + one standard deviation as 1 − P(X < k)
/// (the result is not small there), above it as the upper tail itself from
/// P(X = k) on (terms fall geometrically), so far tails keep their relative
/// accuracy. `tau2` <= 0, not finite, or negligible (tau2 · mean < 1e-9)
/// gives the exact Poisson tail ([`poisson_upper_tail`]).
pub fn poisson_gamma_upper_tail(k: u64, mean: f64, tau2: f64) -> f64 {
    if !(tau2.is_finite() && tau2 > 0.0 && mean.is_finite()) || tau2 * mean < 1e-9 {
        return poisson_upper_tail(k, mean);
    }
    if k == 0 {
        return 1.0;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    let r = 1.0 / tau2;
    let q = mean / (mean + r);
    let ln_q = q.ln();
    let ln_p0 = r * (-q).ln_1p();
    let sd = (mean + mean * mean * tau2).sqrt();
    let kf = k as f64;
    if kf <= mean + sd {
        let mut ln_pmf = ln_p0;
        let mut below = 0.0;
        for j in 0..k {
            below += ln_pmf.exp();
            let j = j as f64;
            ln_pmf += ((j + r) / (j + 1.0)).ln() + ln_q;
        }
        return (1.0 - below).clamp(0.0, 1.0);
    }
    let ln_pk = ln_gamma(kf + r) - ln_gamma(r) - ln_gamma(kf + 1.0) + ln_p0 + kf * ln_q;
    let (mut term, mut sum, mut j) = (1.0_f64, 0.0_f64, kf);
    for _ in 0..MAX_TAIL_TERMS {
        sum += term;
        term *= (j + r) / (j + 1.0) * q;
        j += 1.0;
        if term < sum * 1e-17 {
            break;
        }
    }
    (ln_pk.exp() * sum).clamp(0.0, 1.0)
}

/// Safety bound on the terms summed for a negative binomial tail.
const MAX_TAIL_TERMS: usize = 10_000_000;

#[cfg(test)]
mod tail_tests {
    use super::*;

    #[test]
    fn binomial_and_poisson_gamma_tails_match_hand_sums() {
        // P(X >= 3 | n = 5, 0.2) = 1 − (0.8^5 + 5·0.2·0.8^4 + 10·0.04·0.8^3) = 0.05792
        let p = binomial_upper_tail(3, 5, 0.2);
        assert!((p - 0.05792).abs() < 1e-12, "{p}");
        assert_eq!(binomial_upper_tail(0, 5, 0.2), 1.0);
        assert_eq!(binomial_upper_tail(6, 5, 0.2), 0.0);
        // With tau2 → 0 the mixture is the Poisson tail.
        let a = poisson_gamma_upper_tail(10, 4.0, 1e-12);
        let b = poisson_upper_tail(10, 4.0);
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        // Direct sums of the negative binomial pmf (lgamma, Python):
        for (k, mean, tau2, want) in [
            (10, 4.0, 1e-3, 0.008264888125761502),
            (10, 4.0, 0.05, 0.015385985355095463),
            (25, 3.4, 0.2026, 5.456986422002138e-07),
            (12, 5.0, 0.2, 0.0384063720703126),
            (200, 100.0, 0.01, 2.6465546025799167e-09),
            (3000, 2000.0, 0.001, 9.846487025040162e-31),
        ] {
            let got = poisson_gamma_upper_tail(k, mean, tau2);
            assert!(
                ((got - want) / want).abs() < 1e-8,
                "{k} {mean} {tau2}: {got} vs {want}"
            );
        }
        // r = 1 (tau2 = 1) is geometric with P(X >= k) = (mean/(mean+1))^k:
        // mean 3, k = 4 → 0.75^4.
        let g = poisson_gamma_upper_tail(4, 3.0, 1.0);
        assert!((g - 0.75f64.powi(4)).abs() < 1e-12, "{g}");
        // Over-dispersion widens: the same count is less surprising.
        assert!(poisson_gamma_upper_tail(12, 5.0, 0.2) > poisson_upper_tail(12, 5.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_rel(actual: f64, expected: f64, rel: f64, what: &str) {
        let err = if expected == 0.0 {
            actual.abs()
        } else {
            ((actual - expected) / expected).abs()
        };
        assert!(
            err <= rel,
            "{what}: got {actual:e}, expected {expected:e} (rel err {err:e})"
        );
    }

    // All reference numbers below are printed by
    // tests/reference/stats_reference.py (scipy 1.17.1, statsmodels 0.15.0).

    /// scipy.stats.poisson.sf(k - 1, mu)
    const TAIL_REF: &[(u64, f64, f64)] = &[
        (1, 1e-20, 9.999999999999992e-21),
        (2, 1e-12, 4.999999999996667e-25),
        (1, 0.5, 0.3934693402873665),
        (3, 0.1, 0.00015465307026467172),
        (5, 2.0, 0.052653017343711125),
        (10, 10.0, 0.5420702855281478),
        (15, 10.0, 0.08345847293466284),
        (30, 5.0, 2.817517615577943e-14),
        (50, 20.0, 1.2458926079719434e-08),
        (120, 100.0, 0.02823039396486565),
        (1000, 900.0, 0.0005499022657117818),
        (1300, 1000.0, 6.887086665430308e-20),
    ];

    #[test]
    fn upper_tail_matches_scipy() {
        for &(k, mu, want) in TAIL_REF {
            assert_rel(
                poisson_upper_tail(k, mu),
                want,
                1e-9,
                &format!("P(X>={k}|{mu})"),
            );
        }
    }

    #[test]
    fn upper_tail_large_means_match_mpmath() {
        // scipy.stats.poisson.sf(10_003_000 - 1, 1e7) (this one scipy gets
        // right; mpmath agrees to 16 digits). k > 1e7: Wilson–Hilferty path.
        assert_rel(
            poisson_upper_tail(10_003_000, 1e7),
            0.1714297333575784,
            1e-8,
            "P(X>=10003000|1e7)",
        );
        // 40-digit mpmath pmf sums (mp_upper_tail in the reference script);
        // scipy.stats.poisson.sf is itself ~2e-3 off for these two.
        assert_rel(
            poisson_upper_tail(2_904_941, 2_897_006.9250400215),
            1.5877086564417344e-06,
            1e-7,
            "P(X>=2904941|2.9e6)",
        );
        assert_rel(
            poisson_upper_tail(10_030_001, 1e7),
            1.2436218693136419e-21,
            1e-4,
            "P(X>=10030001|1e7)",
        );
        let mid = poisson_upper_tail(1_000_000_000_000_000_000, 1e18);
        assert!((mid - 0.5).abs() < 0.01, "{mid}");
        assert_eq!(poisson_upper_tail(u64::MAX, 5.0), 0.0);
        assert_eq!(poisson_upper_tail(5, 1e300), 1.0);
        let v = poisson_upper_tail(u64::MAX, 1e300);
        assert!((0.0..=1.0).contains(&v), "{v}");
    }

    #[test]
    fn upper_tail_edge_cases() {
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        assert_eq!(poisson_upper_tail(0, 0.0), 1.0);
        assert_eq!(poisson_upper_tail(0, -2.0), 1.0);
        assert_eq!(poisson_upper_tail(1, 0.0), 0.0);
        assert_eq!(poisson_upper_tail(7, -1.0), 0.0);
        assert!(poisson_upper_tail(3, f64::NAN).is_nan());
        assert!(poisson_upper_tail(3, f64::INFINITY).is_nan());
        assert!(poisson_upper_tail(0, f64::NAN).is_nan());
        // Monotone in k for a fixed mean.
        let mut prev = 1.0;
        for k in 0..200 {
            let v = poisson_upper_tail(k, 37.5);
            assert!(v <= prev, "k={k}");
            prev = v;
        }
    }

    #[test]
    fn rising_p_value_uses_previous_mean() {
        // previous [2, 3, 4] → mean 3; scipy.stats.poisson.sf(7, 3.0)
        assert_rel(
            rising_p_value(8, &[2, 3, 4]).unwrap(),
            0.01190450385635739,
            1e-9,
            "rising",
        );
        assert_eq!(rising_p_value(8, &[]), None);
        assert_eq!(rising_p_value(0, &[0, 0]), Some(1.0));
        assert_eq!(rising_p_value(1, &[0, 0]), Some(0.0));
        assert!(rising_p_value(u64::MAX, &[u64::MAX, u64::MAX]).is_some());
    }

    #[test]
    fn benjamini_hochberg_matches_statsmodels() {
        let nan = f64::NAN;
        let p = [0.01, 0.04, 0.03, 0.04, nan, 0.20, 0.001, 0.5, 0.04];
        // statsmodels.stats.multitest.multipletests(p_finite, alpha=0.05,
        // method='fdr_bh')[1] on the 8 finite values, NaN re-inserted.
        let want = [
            0.04,
            0.05333333333333334,
            0.05333333333333334,
            0.05333333333333334,
            nan,
            0.2285714285714286,
            0.008,
            0.5,
            0.05333333333333334,
        ];
        let q = benjamini_hochberg(&p);
        assert_eq!(q.len(), p.len());
        for (i, (&got, &w)) in q.iter().zip(&want).enumerate() {
            if w.is_nan() {
                assert!(got.is_nan(), "index {i}");
            } else {
                assert_rel(got, w, 1e-12, &format!("q[{i}]"));
            }
        }
        // Ties get bit-identical q-values.
        assert_eq!(q[1].to_bits(), q[3].to_bits());
        assert_eq!(q[1].to_bits(), q[8].to_bits());
    }

    #[test]
    fn benjamini_hochberg_edge_cases() {
        assert!(benjamini_hochberg(&[]).is_empty());
        let all_nan = benjamini_hochberg(&[f64::NAN, f64::NAN]);
        assert!(all_nan.iter().all(|q| q.is_nan()));
        assert_eq!(benjamini_hochberg(&[0.3]), vec![0.3]);
        // Capped at 1, out-of-range inputs clamped.
        assert_eq!(benjamini_hochberg(&[0.9, 0.95]), vec![0.95, 0.95]);
        assert_eq!(benjamini_hochberg(&[1.7, -0.2]), vec![1.0, 0.0]);
        // q is monotone in p.
        let p = [0.2, 0.001, 0.03, 0.8, 0.0001, 0.049, 0.05];
        let q = benjamini_hochberg(&p);
        for a in 0..p.len() {
            for b in 0..p.len() {
                if p[a] <= p[b] {
                    assert!(q[a] <= q[b]);
                }
                assert!(q[a] >= p[a]);
            }
        }
    }

    /// Spiegelhalter-interpolated exact Poisson limits, computed in Python by
    /// r = scipy.stats.poisson.ppf(p, E); alpha = (cdf(r) - p)/(cdf(r) - cdf(r-1));
    /// limit = max(r - alpha, 0). Columns: level, E, lower, upper,
    /// scipy ppf at the lower p, scipy ppf at the upper p.
    const FUNNEL_REF: &[(f64, f64, f64, f64, f64, f64)] = &[
        (0.95, 10.0, 3.775187947688402, 16.15995067334478, 4.0, 17.0),
        (
            0.998,
            10.0,
            1.2205293158961346,
            20.66200083599499,
            2.0,
            21.0,
        ),
        (
            0.95,
            100.0,
            80.36633712174712,
            119.5808948521173,
            81.0,
            120.0,
        ),
        (
            0.998,
            100.0,
            70.06528426484392,
            131.8047503976241,
            71.0,
            132.0,
        ),
        (0.95, 0.5, 0.0, 1.8600259114609996, 0.0, 2.0),
        (0.998, 0.5, 0.0, 3.4758589809003664, 0.0, 4.0),
    ];

    #[test]
    fn funnel_limits_match_python_reference() {
        for &(level, e, lo, hi, ppf_lo, ppf_hi) in FUNNEL_REF {
            let got_lo = poisson_funnel_lower(e, level);
            let got_hi = poisson_funnel_upper(e, level);
            assert_rel(got_lo, lo, 1e-9, &format!("lower E={e} level={level}"));
            assert_rel(got_hi, hi, 1e-9, &format!("upper E={e} level={level}"));
            // Non-interpolated bracket from scipy.stats.poisson.ppf:
            // ppf − 1 < limit <= ppf (the lower limit may be clamped at 0).
            assert!(ppf_hi - 1.0 < got_hi && got_hi <= ppf_hi);
            assert!(got_lo <= ppf_lo && (got_lo == 0.0 || ppf_lo - 1.0 < got_lo));
            // The internal quantile agrees with scipy's ppf.
            let p_hi = 0.5 + level / 2.0;
            let p_lo = 0.5 - level / 2.0;
            assert_eq!(poisson_quantile(p_hi, e), Some(ppf_hi as u64));
            assert_eq!(poisson_quantile(p_lo, e), Some(ppf_lo as u64));
        }
    }

    #[test]
    fn funnel_limits_edge_cases() {
        assert_eq!(poisson_funnel_upper(0.0, 0.95), 0.0);
        assert_eq!(poisson_funnel_lower(-3.0, 0.998), 0.0);
        assert!(poisson_funnel_upper(f64::NAN, 0.95).is_nan());
        assert!(poisson_funnel_upper(f64::INFINITY, 0.95).is_nan());
        assert!(poisson_funnel_upper(10.0, 1.0).is_nan());
        assert!(poisson_funnel_upper(10.0, 0.0).is_nan());
        assert!(poisson_funnel_lower(10.0, f64::NAN).is_nan());
        // Large expected counts: close to the normal approximation with the
        // Cornish–Fisher skewness term.
        for e in [1e6_f64, 1e8, 1e12] {
            let z = two_sided_z(0.998);
            let approx = e + z * e.sqrt() + (z * z - 1.0) / 6.0;
            let got = poisson_funnel_upper(e, 0.998);
            assert!((got - approx).abs() < 1.5, "E={e}: {got} vs {approx}");
        }
        let huge = poisson_funnel_upper(1e300, 0.95);
        assert!(huge.is_finite() && huge >= 1e300);
        // Upper limits widen with the level and exceed E; lower stay below.
        for e in [0.01, 0.3, 1.0, 2.5, 7.0, 33.0, 250.0, 4000.0] {
            let (l95, u95) = (poisson_funnel_lower(e, 0.95), poisson_funnel_upper(e, 0.95));
            let (l998, u998) = (
                poisson_funnel_lower(e, 0.998),
                poisson_funnel_upper(e, 0.998),
            );
            assert!(
                l998 <= l95 && l95 <= e && l95 <= u95 && u95 <= u998,
                "E={e}"
            );
            if e >= 1.0 {
                assert!(e <= u95, "E={e}");
            }
        }
    }

    #[test]
    fn z_values() {
        // scipy.stats.norm.ppf(0.975), scipy.stats.norm.ppf(0.999)
        assert_rel(two_sided_z(0.95), 1.959963984540054, 1e-12, "z95");
        assert_rel(two_sided_z(0.998), 3.090232306167813, 1e-12, "z998");
        assert!(two_sided_z(1.5).is_nan());
    }

    const OBS: [f64; 10] = [2.0, 15.0, 30.0, 8.0, 50.0, 12.0, 5.0, 40.0, 20.0, 25.0];
    const EXP: [f64; 10] = [10.0, 12.0, 20.0, 10.0, 25.0, 15.0, 8.0, 22.0, 18.0, 20.0];
    /// Python, by hand: z = (O-E)/sqrt(E), winsorised at the type-7 10%/90%
    /// quantiles (-1.2075763674153095, 3.9538516049608883; equal to
    /// numpy.quantile), phi = mean(zw^2), tau2 = (I phi - (I-1)) /
    /// (sum E - sum E^2 / sum E).
    const PHI_REF: f64 = 4.116567814668669;
    const TAU2_REF: f64 = 0.22637936586037966;

    #[test]
    fn overdispersion_matches_hand_computation() {
        let od = overdispersion(&OBS, &EXP, 0.10).expect("overdispersed");
        assert_rel(od.phi, PHI_REF, 1e-12, "phi");
        assert_rel(od.tau2, TAU2_REF, 1e-12, "tau2");
        assert_rel(
            overdispersion_phi(&OBS, &EXP, DEFAULT_WINSOR).unwrap(),
            PHI_REF,
            1e-12,
            "phi alone",
        );
        // Cells with E <= 0 or non-finite values are skipped.
        let mut o = OBS.to_vec();
        let mut e = EXP.to_vec();
        o.extend([5.0, f64::NAN, 3.0, 4.0]);
        e.extend([0.0, 3.0, -1.0, f64::INFINITY]);
        assert_eq!(overdispersion(&o, &e, 0.10), Some(od));
    }

    #[test]
    fn overdispersion_absent_or_degenerate() {
        let o = [10.0, 11.0, 9.0, 20.0, 21.0, 19.0];
        let e = [10.0, 10.0, 10.0, 20.0, 20.0, 20.0];
        // Python: phi = 0.04095177968644246, I*phi <= I-1 → no tau2.
        assert_eq!(overdispersion(&o, &e, 0.10), None);
        assert_rel(
            overdispersion_phi(&o, &e, 0.10).unwrap(),
            0.04095177968644246,
            1e-12,
            "phi",
        );
        assert_eq!(overdispersion(&[], &[], 0.10), None);
        assert_eq!(overdispersion_phi(&[], &[], 0.10), None);
        assert_eq!(overdispersion(&[50.0], &[1.0], 0.10), None);
        assert_eq!(overdispersion(&[1.0, 2.0], &[0.0, -1.0], 0.10), None);
        // Mismatched lengths use the common prefix; odd winsor values are clamped.
        assert!(overdispersion(&OBS, &EXP[..4], f64::NAN).is_some());
        assert_eq!(
            overdispersion_phi(&OBS, &EXP, 7.0),
            overdispersion_phi(&OBS, &EXP, 0.5)
        );
        let big = [f64::MAX, 1.0, f64::MAX];
        let _ = overdispersion(&big, &big, 0.1);
    }

    #[test]
    fn widened_limits_match_python() {
        // E * (1 + z * sqrt(1/E + tau2)), z = scipy.stats.norm.ppf(0.975 / 0.999)
        let cases = [
            (0.95, 10.0, 21.19720006911063),
            (0.998, 10.0, 27.654380215721254),
            (0.95, 100.0, 195.2912168048262),
            (0.998, 100.0, 250.24357538560542),
        ];
        for (level, e, want) in cases {
            assert_rel(
                funnel_upper_with_tau(e, level, TAU2_REF),
                want,
                1e-12,
                &format!("tau limit E={e} level={level}"),
            );
        }
        assert_eq!(funnel_upper_with_tau(0.0, 0.95, 0.2), 0.0);
        assert!(funnel_upper_with_tau(10.0, 0.95, f64::NAN).is_nan());
        assert!(funnel_upper_with_tau(f64::NAN, 0.95, 0.1).is_nan());
        assert!(funnel_upper_with_tau(10.0, 2.0, 0.1).is_nan());
        // The combined limit never falls below the exact one.
        let exact = poisson_funnel_upper(1.0, 0.998);
        assert_eq!(funnel_upper_limit(1.0, 0.998, Some(1e-6)), exact);
        assert_eq!(funnel_upper_limit(1.0, 0.998, Some(f64::NAN)), exact);
    }

    #[test]
    fn funnel_level_classifications() {
        use FunnelLevel::*;
        // Printed by the Python reference (strictly above a limit = outside).
        let cases: [(u64, f64, Option<f64>, FunnelLevel); 12] = [
            (16, 10.0, None, Inside),
            (17, 10.0, None, Warning),
            (20, 10.0, None, Warning),
            (21, 10.0, None, Alarm),
            (3, 0.5, None, Warning),
            (4, 0.5, None, Alarm),
            (119, 100.0, None, Inside),
            (120, 100.0, None, Warning),
            (132, 100.0, None, Alarm),
            (21, 10.0, Some(TAU2_REF), Inside),
            (22, 10.0, Some(TAU2_REF), Warning),
            (28, 10.0, Some(TAU2_REF), Alarm),
        ];
        for (o, e, t, want) in cases {
            assert_eq!(funnel_level(o, e, t), want, "O={o} E={e} tau2={t:?}");
        }
        assert_eq!(funnel_level(0, 0.0, None), Inside);
        assert_eq!(funnel_level(1, 0.0, None), Alarm);
        assert_eq!(funnel_level(5, f64::NAN, None), Inside);
        assert_eq!(funnel_level(u64::MAX, 1e300, Some(0.5)), Inside);
        assert!(Inside < Warning && Warning < Alarm);
    }

    #[test]
    fn expected_from_margins_2x3_by_hand() {
        // rows 60, 40; columns 15, 35, 50; total 100:
        // e = [[60*15, 60*35, 60*50], [40*15, 40*35, 40*50]] / 100
        let e = expected_from_margins(&[vec![10, 20, 30], vec![5, 15, 20]]);
        assert_eq!(e, vec![vec![9.0, 21.0, 30.0], vec![6.0, 14.0, 20.0]]);
    }

    #[test]
    fn expected_from_margins_edge_cases() {
        assert!(expected_from_margins(&[]).is_empty());
        assert_eq!(
            expected_from_margins(&[vec![0, 0], vec![0, 0]]),
            vec![vec![0.0, 0.0], vec![0.0, 0.0]]
        );
        assert_eq!(
            expected_from_margins(&[vec![], vec![]]),
            vec![Vec::<f64>::new(), Vec::<f64>::new()]
        );
        // Ragged rows are padded with zeros: rows 4, 4; columns 6, 2; total 8.
        assert_eq!(
            expected_from_margins(&[vec![2, 2], vec![4]]),
            vec![vec![3.0, 1.0], vec![3.0, 1.0]]
        );
        let huge = expected_from_margins(&[vec![u64::MAX, u64::MAX], vec![u64::MAX, 0]]);
        assert!(huge.iter().flatten().all(|v| v.is_finite() && *v > 0.0));
    }

    #[test]
    fn nothing_panics_on_odd_inputs() {
        let means = [
            0.0,
            -1.0,
            1e-300,
            1e-12,
            0.3,
            1.0,
            9.99e6,
            1.0001e7,
            1e9,
            1e15,
            1e16,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let counts = [0_u64, 1, 2, 10_000_000, 10_000_001, 1 << 53, u64::MAX];
        let levels = [0.95, 0.998, 0.0, 1.0, 1e-300, 1.0 - 1e-16, f64::NAN];
        for &mu in &means {
            for &k in &counts {
                let v = poisson_upper_tail(k, mu);
                assert!(v.is_nan() || (0.0..=1.0).contains(&v), "k={k} mu={mu}: {v}");
                let _ = funnel_level(k, mu, Some(mu));
                let _ = funnel_level(k, mu, None);
            }
            for &level in &levels {
                let _ = poisson_funnel_upper(mu, level);
                let _ = poisson_funnel_lower(mu, level);
                let _ = funnel_upper_with_tau(mu, level, mu);
            }
        }
        let _ = benjamini_hochberg(&means);
        let _ = overdispersion(&means, &means, 0.1);
        let _ = overdispersion(
            &means,
            &means.iter().rev().copied().collect::<Vec<_>>(),
            0.1,
        );
    }
}

//! Did the warnings work? (issue 21) The statistics of a before/after
//! comparison of a warned cell's rate of established errors per exposure:
//! an exact conditional test of one cell, the Mantel–Haenszel rate ratio
//! pooled over cells, and the warned cells' ratio against the same change in
//! comparison cells (regression to the mean makes flagged cells fall anyway).
//! Pure functions of counts; the review gathers the counts.

use statrs::distribution::{Beta, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

/// One cell's established errors and exposure (enforcement actions, or
/// cases when no volume is given) before and after its notice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeforeAfter {
    pub before: u64,
    pub exposure_before: f64,
    pub after: u64,
    pub exposure_after: f64,
}

/// A rate ratio (after ÷ before) with its 95 % interval and two-sided p.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateRatio {
    pub ratio: f64,
    pub low: f64,
    pub high: f64,
    pub p_value: f64,
    /// Standard error of ln(ratio) (pooled estimates; NaN for the exact test).
    pub se_log: f64,
}

/// What a rate ratio says, in the review's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The interval lies below 1.
    Improved,
    /// The interval holds 1.
    NoClearChange,
    /// The interval lies above 1.
    Worsened,
}

impl Verdict {
    pub fn of(r: &RateRatio) -> Verdict {
        if r.high < 1.0 {
            Verdict::Improved
        } else if r.low > 1.0 {
            Verdict::Worsened
        } else {
            Verdict::NoClearChange
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Improved => "改善",
            Verdict::NoClearChange => "未见明显变化",
            Verdict::Worsened => "恶化",
        }
    }
}

const Z_975: f64 = 1.959_963_984_540_054;

fn ln_binomial_pmf(k: u64, n: u64, p: f64) -> f64 {
    let (k, n) = (k as f64, n as f64);
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
        + if k > 0.0 { k * p.ln() } else { 0.0 }
        + if n - k > 0.0 {
            (n - k) * (1.0 - p).ln()
        } else {
            0.0
        }
}

/// Two-sided exact binomial p-value: the probability of every outcome no
/// more likely than the one observed (the "minlike" rule of R's binom.test
/// and SciPy's binomtest).
fn binomial_two_sided(x: u64, n: u64, p: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 {
        return if (p <= 0.0 && x == 0) || (p >= 1.0 && x == n) {
            1.0
        } else {
            0.0
        };
    }
    let observed = ln_binomial_pmf(x, n, p);
    let slack = (1.0 + 1e-7f64).ln();
    let total: f64 = (0..=n)
        .map(|k| ln_binomial_pmf(k, n, p))
        .filter(|l| *l <= observed + slack)
        .map(f64::exp)
        .sum();
    total.min(1.0)
}

/// Clopper–Pearson 95 % interval of a binomial proportion x / n.
fn clopper_pearson(x: u64, n: u64) -> (f64, f64) {
    let beta = |a: f64, b: f64, q: f64| {
        Beta::new(a, b)
            .map(|d| d.inverse_cdf(q))
            .unwrap_or(f64::NAN)
    };
    let (xf, nf) = (x as f64, n as f64);
    let low = if x == 0 {
        0.0
    } else {
        beta(xf, nf - xf + 1.0, 0.025)
    };
    let high = if x == n {
        1.0
    } else {
        beta(xf + 1.0, nf - xf, 0.975)
    };
    (low, high)
}

/// The exact conditional test of one cell: given the total x₁ + x₂, the
/// errors after follow Binomial(x₁ + x₂, E₂ / (E₁ + E₂)) when the rate has
/// not changed. The ratio's interval maps the Clopper–Pearson interval of
/// that proportion π to π / (1 − π) · E₁ / E₂. None without errors or
/// exposure on either side.
pub fn conditional_rate_ratio(c: &BeforeAfter) -> Option<RateRatio> {
    let n = c.before + c.after;
    if n == 0 || c.exposure_before <= 0.0 || c.exposure_after <= 0.0 {
        return None;
    }
    let p0 = c.exposure_after / (c.exposure_before + c.exposure_after);
    let (lo, hi) = clopper_pearson(c.after, n);
    let scale = c.exposure_before / c.exposure_after;
    let ratio_of = |pi: f64| {
        if pi >= 1.0 {
            f64::INFINITY
        } else {
            pi / (1.0 - pi) * scale
        }
    };
    let ratio = if c.before == 0 {
        f64::INFINITY
    } else {
        (c.after as f64 / c.exposure_after) / (c.before as f64 / c.exposure_before)
    };
    Some(RateRatio {
        ratio,
        low: ratio_of(lo),
        high: ratio_of(hi),
        p_value: binomial_two_sided(c.after, n, p0),
        se_log: f64::NAN,
    })
}

/// The Mantel–Haenszel rate ratio over cells (strata), with the
/// Greenland–Robins variance of its logarithm and a z-test of ratio 1.
/// None when no cell has an error on each side's weight.
pub fn mantel_haenszel(cells: &[BeforeAfter]) -> Option<RateRatio> {
    let (mut num, mut den, mut var_num) = (0.0, 0.0, 0.0);
    for c in cells {
        // a cell without exposure on one side has no rate there (the exact
        // test refuses it too)
        if c.exposure_before <= 0.0 || c.exposure_after <= 0.0 {
            continue;
        }
        let t = c.exposure_before + c.exposure_after;
        num += c.after as f64 * c.exposure_before / t;
        den += c.before as f64 * c.exposure_after / t;
        var_num += c.exposure_before * c.exposure_after * (c.before + c.after) as f64 / (t * t);
    }
    if num <= 0.0 || den <= 0.0 {
        return None;
    }
    let ratio = num / den;
    let se = (var_num / (num * den)).sqrt();
    Some(from_log(ratio.ln(), se))
}

fn from_log(ln_ratio: f64, se: f64) -> RateRatio {
    let z = ln_ratio / se;
    let p_value = statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2);
    RateRatio {
        ratio: ln_ratio.exp(),
        low: (ln_ratio - Z_975 * se).exp(),
        high: (ln_ratio + Z_975 * se).exp(),
        p_value,
        se_log: se,
    }
}

/// The warned cells' pooled ratio against the comparison cells' (two
/// independent sets of cells): the change beyond what cells flagged alike
/// but not warned show.
pub fn ratio_of_ratios(warned: &RateRatio, comparison: &RateRatio) -> RateRatio {
    from_log(
        warned.ratio.ln() - comparison.ratio.ln(),
        (warned.se_log.powi(2) + comparison.se_log.powi(2)).sqrt(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(before: u64, eb: f64, after: u64, ea: f64) -> BeforeAfter {
        BeforeAfter {
            before,
            exposure_before: eb,
            after,
            exposure_after: ea,
        }
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    // Expected values from SciPy 1.17.1, computed apart from this code:
    //   binomtest(x2, x1 + x2, e2 / (e1 + e2)).pvalue,
    //   beta.ppf(0.025, x2, n − x2 + 1), beta.ppf(0.975, x2 + 1, n − x2)
    //   mapped to π / (1 − π) · e1 / e2.
    #[test]
    fn one_cell_against_scipy() {
        let r = conditional_rate_ratio(&cell(20, 1000.0, 8, 1000.0)).unwrap();
        assert!(close(r.ratio, 0.4, 1e-12));
        assert!(close(r.low, 0.152_387_735_237_550_75, 1e-6), "{r:?}");
        assert!(close(r.high, 0.948_058_205_046_435_9, 1e-6), "{r:?}");
        assert!(close(r.p_value, 0.035_698_138_177_394_87, 1e-6), "{r:?}");
        assert_eq!(Verdict::of(&r), Verdict::Improved);

        let r = conditional_rate_ratio(&cell(10, 500.0, 12, 800.0)).unwrap();
        assert!(close(r.ratio, 0.75, 1e-12));
        assert!(close(r.low, 0.296_971_357_961_121_45, 1e-6), "{r:?}");
        assert!(close(r.high, 1.937_926_342_068_189_8, 1e-6), "{r:?}");
        assert!(close(r.p_value, 0.516_710_155_274_718_6, 1e-6), "{r:?}");
        assert_eq!(Verdict::of(&r), Verdict::NoClearChange);

        let r = conditional_rate_ratio(&cell(5, 300.0, 9, 300.0)).unwrap();
        assert!(close(r.p_value, 0.423_950_195_312_5, 1e-6), "{r:?}");
        assert!(close(r.high, 6.837_087_032_370_058, 1e-6), "{r:?}");
        // nothing to compare
        assert!(conditional_rate_ratio(&cell(0, 100.0, 0, 100.0)).is_none());
        assert!(conditional_rate_ratio(&cell(3, 0.0, 1, 100.0)).is_none());
    }

    // Mantel–Haenszel over the three cells above, by hand from the
    // Greenland–Robins formulas (SciPy only for the arithmetic):
    //   RR = Σ x2·e1/T ÷ Σ x1·e2/T = 0.703 092 783 505 154 6,
    //   SE(ln RR) = 0.253 380 565 866 467 46, 95 % CI 0.427 892 … 1.155 289.
    #[test]
    fn pooled_over_cells_by_hand() {
        let cells = [
            cell(20, 1000.0, 8, 1000.0),
            cell(10, 500.0, 12, 800.0),
            cell(5, 300.0, 9, 300.0),
        ];
        let r = mantel_haenszel(&cells).unwrap();
        assert!(close(r.ratio, 0.703_092_783_505_154_6, 1e-12), "{r:?}");
        assert!(close(r.se_log, 0.253_380_565_866_467_46, 1e-9), "{r:?}");
        assert!(close(r.low, 0.427_892_536_815_033_1, 1e-9), "{r:?}");
        assert!(close(r.high, 1.155_288_815_964_360_6, 1e-9), "{r:?}");
        assert_eq!(Verdict::of(&r), Verdict::NoClearChange);
        // one cell alone: the pooled ratio is its own
        let one = mantel_haenszel(&cells[..1]).unwrap();
        assert!(close(one.ratio, 0.4, 1e-12));
        assert!(mantel_haenszel(&[cell(0, 10.0, 0, 10.0)]).is_none());
        // a cell with no exposure after adds nothing
        let with_gap = mantel_haenszel(&[cells[0], cell(12, 800.0, 0, 0.0)]).unwrap();
        assert!(close(with_gap.ratio, 0.4, 1e-12));
    }

    #[test]
    fn warned_cells_are_judged_against_the_comparison_cells() {
        // both halve: no change beyond regression to the mean
        let w = mantel_haenszel(&[cell(40, 1000.0, 20, 1000.0)]).unwrap();
        let c = mantel_haenszel(&[cell(80, 2000.0, 40, 2000.0)]).unwrap();
        let d = ratio_of_ratios(&w, &c);
        assert!(close(d.ratio, 1.0, 1e-12));
        assert_eq!(Verdict::of(&d), Verdict::NoClearChange);
        // ln-scale variances add: se² = (1/40 + 1/20)·… by the formula
        assert!(close(
            d.se_log,
            (w.se_log.powi(2) + c.se_log.powi(2)).sqrt(),
            1e-12
        ));
    }
}

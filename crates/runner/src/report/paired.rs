//! Paired statistics for "A vs B" comparisons: per-seed differences A − B of one metric (both
//! methods run on the same seed's data), their mean, a 95% t interval over seeds and the sign
//! count, and a verdict word that says "matches" only when the interval covers zero or the
//! |mean| is below a stated practical threshold. Pure: no IO, no rows, only numbers.
//!
//! The verdict words assume a metric where lower is better (log loss); a difference above zero
//! is "worse".

use std::collections::BTreeMap;

/// The practical threshold for test log loss: a paired mean difference smaller than this in
/// absolute value "matches" even when the interval excludes zero. Every table that uses it says
/// it in its header.
pub const LOG_LOSS_PRACTICAL_THRESHOLD: f64 = 0.0005;

/// Two-sided 97.5% quantiles of Student's t for 1 to 30 degrees of freedom.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom (None for df = 0): the table
/// up to 30, beyond it the Cornish-Fisher expansion around the normal quantile (error < 1e-4).
pub fn t_quantile_975(df: usize) -> Option<f64> {
    if df == 0 {
        return None;
    }
    if let Some(t) = T_975.get(df - 1) {
        return Some(*t);
    }
    let (z, v) = (1.959_963_985, df as f64);
    let z3 = z * z * z;
    let z5 = z3 * z * z;
    let z7 = z5 * z * z;
    Some(
        z + (z3 + z) / (4.0 * v)
            + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
            + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v * v * v),
    )
}

/// Paired differences A − B over the seeds both have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Seeds with a finite value for both.
    pub n: usize,
    /// Mean difference (NaN when n = 0).
    pub mean: f64,
    /// Half width of the 95% t interval (None with fewer than two seeds).
    pub half_width: Option<f64>,
    /// Seeds where A − B > 0 (A worse, for a lower-is-better metric).
    pub worse: usize,
    /// Seeds where A − B < 0.
    pub better: usize,
}

impl Paired {
    /// The paired statistics of `a` against `b`, matched by seed.
    pub fn of(a: &BTreeMap<u64, f64>, b: &BTreeMap<u64, f64>) -> Self {
        let diffs: Vec<f64> = a
            .iter()
            .filter_map(|(seed, x)| Some(x - b.get(seed)?))
            .filter(|d| d.is_finite())
            .collect();
        Self::of_differences(&diffs)
    }

    /// The statistics of differences already paired.
    pub fn of_differences(diffs: &[f64]) -> Self {
        let n = diffs.len();
        let mean = if n == 0 { f64::NAN } else { diffs.iter().sum::<f64>() / n as f64 };
        let half_width = t_quantile_975(n.saturating_sub(1)).map(|t| {
            let var = diffs.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / (n - 1) as f64;
            t * (var / n as f64).sqrt()
        });
        let worse = diffs.iter().filter(|d| **d > 0.0).count();
        let better = diffs.iter().filter(|d| **d < 0.0).count();
        Self { n, mean, half_width, worse, better }
    }

    /// The 95% interval, when there are two seeds or more.
    pub fn interval(&self) -> Option<(f64, f64)> {
        self.half_width.map(|h| (self.mean - h, self.mean + h))
    }

    /// "matches" when the interval covers zero or |mean| < `threshold`; otherwise "worse" or
    /// "better" (lower is better); "-" with no seed. One seed has no interval, so it matches
    /// only below the threshold.
    pub fn verdict(&self, threshold: f64) -> &'static str {
        if self.n == 0 || !self.mean.is_finite() {
            return "-";
        }
        let covers_zero = self.interval().is_some_and(|(lo, hi)| lo <= 0.0 && 0.0 <= hi);
        if covers_zero || self.mean.abs() < threshold {
            "matches"
        } else if self.mean > 0.0 {
            "worse"
        } else {
            "better"
        }
    }

    /// The interval in words: `[+0.00020, +0.00040]`, or "one seed, no interval".
    pub fn interval_text(&self) -> String {
        match (self.n, self.interval()) {
            (0, _) => "-".to_string(),
            (_, Some((lo, hi))) => format!("[{lo:+.5}, {hi:+.5}]"),
            (_, None) => "one seed, no interval".to_string(),
        }
    }

    /// The sign count in words: "3 of 3 seeds worse" (or better, or "0 of 3 seeds differ").
    pub fn signs_text(&self) -> String {
        self.signs_text_as("worse", "better")
    }

    /// The sign count with the words of a quantity where neither sign is better: `above` for
    /// A − B > 0, `below` for A − B < 0 ("2 of 3 seeds above").
    pub fn signs_text_as(&self, above: &str, below: &str) -> String {
        if self.n == 0 {
            "-".to_string()
        } else if self.worse >= self.better && self.worse > 0 {
            format!("{} of {} seeds {above}", self.worse, self.n)
        } else if self.better > 0 {
            format!("{} of {} seeds {below}", self.better, self.n)
        } else {
            format!("0 of {} seeds differ", self.n)
        }
    }

    /// One phrase: mean, interval, sign count and verdict against `threshold`.
    pub fn sentence(&self, threshold: f64) -> String {
        if self.n == 0 {
            return "no seed in common".to_string();
        }
        format!(
            "{:+.5} (95% interval {}; {}): {}",
            self.mean,
            self.interval_text(),
            self.signs_text(),
            self.verdict(threshold)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn t_quantiles_of_small_and_large_df() {
        assert_eq!(t_quantile_975(0), None);
        assert_eq!(t_quantile_975(1), Some(12.706));
        assert_eq!(t_quantile_975(2), Some(4.303));
        assert_eq!(t_quantile_975(9), Some(2.262));
        // Published values: df 40 → 2.021, 60 → 2.000, 120 → 1.980.
        for (df, t) in [(40, 2.021), (60, 2.000), (120, 1.980)] {
            assert!((t_quantile_975(df).unwrap() - t).abs() < 1e-3, "df {df}");
        }
    }

    #[test]
    fn three_seeds_give_mean_interval_and_signs() {
        let a = BTreeMap::from([(1, 0.5003), (2, 0.5004), (3, 0.5005)]);
        let b = BTreeMap::from([(1, 0.5), (2, 0.5), (3, 0.5), (4, 0.1)]);
        let p = Paired::of(&a, &b);
        assert_eq!(p.n, 3);
        assert!(close(p.mean, 0.0004));
        // sd of (3, 4, 5)e-4 is 1e-4; half width 4.303 * 1e-4 / sqrt(3).
        assert!(close(p.half_width.unwrap(), 4.303 * 1e-4 / 3f64.sqrt()));
        assert_eq!((p.worse, p.better), (3, 0));
        assert_eq!(p.signs_text(), "3 of 3 seeds worse");
        // The interval excludes zero, the mean is below 0.0005: matches only by the threshold.
        assert_eq!(p.verdict(0.0005), "matches");
        assert_eq!(p.verdict(0.0001), "worse");
    }

    #[test]
    fn differences_one_two_three() {
        let p = Paired::of_differences(&[1.0, 2.0, 3.0]);
        assert_eq!(p.n, 3);
        assert!(close(p.mean, 2.0));
        // sd 1, so the half width is t(2) / sqrt(3).
        let half = 4.303 / 3f64.sqrt();
        let (lo, hi) = p.interval().unwrap();
        assert!(close(lo, 2.0 - half) && close(hi, 2.0 + half), "{lo} {hi}");
        assert_eq!(p.interval_text(), format!("[{:+.5}, {:+.5}]", 2.0 - half, 2.0 + half));
        // The interval [-0.48, 4.48] covers zero.
        assert_eq!(p.verdict(0.0005), "matches");
        assert_eq!(p.signs_text_as("above", "below"), "3 of 3 seeds above");
        assert_eq!(
            p.sentence(0.0005),
            format!("+2.00000 (95% interval {}; 3 of 3 seeds worse): matches", p.interval_text())
        );
    }

    #[test]
    fn a_clear_improvement_is_better_and_equal_seeds_do_not_differ() {
        let p = Paired::of_differences(&[-0.002, -0.0021, -0.0019]);
        assert_eq!(p.verdict(0.0005), "better");
        assert_eq!(p.signs_text(), "3 of 3 seeds better");
        let zero = Paired::of_differences(&[0.0, 0.0]);
        assert_eq!(zero.signs_text(), "0 of 2 seeds differ");
        assert_eq!(zero.verdict(0.0005), "matches");
    }

    #[test]
    fn seeds_missing_on_one_side_or_not_finite_are_left_out() {
        let a = BTreeMap::from([(1, 0.4), (2, f64::NAN), (5, 0.3)]);
        let b = BTreeMap::from([(1, 0.5), (2, 0.5), (3, 0.5)]);
        let p = Paired::of(&a, &b);
        assert_eq!(p.n, 1);
        assert!(close(p.mean, -0.1));
        assert_eq!(Paired::of(&a, &BTreeMap::new()).sentence(0.0005), "no seed in common");
    }

    #[test]
    fn an_interval_over_zero_matches_and_one_seed_has_none() {
        let p = Paired::of_differences(&[0.01, -0.01, 0.003]);
        assert_eq!(p.verdict(0.0), "matches");
        assert_eq!(p.signs_text(), "2 of 3 seeds worse");
        let one = Paired::of_differences(&[-0.002]);
        assert_eq!(one.interval(), None);
        assert_eq!(one.interval_text(), "one seed, no interval");
        assert_eq!(one.verdict(0.0005), "better");
        assert_eq!(one.verdict(0.01), "matches");
        assert_eq!(Paired::of_differences(&[]).verdict(0.1), "-");
    }
}

//! Numeric column -> bucket index, by sorted boundaries; fitted by quantiles or uniform width on
//! the training values, or fixed a priori (the synthetic generator's unit-interval bins).
//!
//! A value `v` falls in bucket `#{b in boundaries : b <= v}` (TensorFlow's `bucketized_column`
//! rule), so `n` boundaries make `n + 1` buckets: `(-inf, b_0)`, `[b_0, b_1)`, ...,
//! `[b_{n-1}, +inf)`. Quantiles never collapse silently: a value that several quantiles fall on
//! (a mass point, e.g. the zeros of a mostly-zero column) gets a bucket of its own and the other
//! boundaries are spread over the remaining values (see [`Bucketizer::quantile`]); a column with
//! too few distinct values can still end with fewer buckets than asked, which the loader reports.
//!
//! A bucketizer may carry a last, `#missing` bucket for missing values (NaN), used when the schema
//! declares missing-value markers.

use crate::error::{invalid, FeaturesError};

/// Label of the bucket of missing values.
pub const MISSING_LABEL: &str = "#missing";

/// Sorted, distinct boundaries and the readable label of each bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucketizer {
    boundaries: Vec<f64>,
    labels: Vec<String>,
    /// Whether the last bucket holds missing values (NaN).
    missing_bucket: bool,
}

impl Bucketizer {
    /// Buckets from explicit boundaries (sorted ascending, finite; duplicates are merged). The
    /// outer buckets are open: `(-inf, b_0)` and `[b_last, +inf)`.
    pub fn from_boundaries(mut boundaries: Vec<f64>) -> Result<Self, FeaturesError> {
        if let Some(bad) = boundaries.iter().find(|b| !b.is_finite()) {
            return Err(invalid("boundaries", format!("must be finite, got {bad}")));
        }
        if boundaries.windows(2).any(|w| w[0] > w[1]) {
            return Err(invalid("boundaries", "must be sorted ascending"));
        }
        boundaries.dedup();
        Ok(Self::with_domain(boundaries, f64::NEG_INFINITY, f64::INFINITY))
    }

    /// `bins` equal-width buckets of the unit interval `[0, 1)`: boundaries `i / bins`,
    /// `i = 1..bins`. The synthetic generator's bins, known a priori (nothing is fitted).
    pub fn unit_interval(bins: usize) -> Self {
        let boundaries = (1..bins).map(|i| i as f64 / bins as f64).collect();
        Self::with_domain(boundaries, 0.0, 1.0)
    }

    /// Boundaries at the quantiles `(i + 1) / (n + 1)`, `i = 0..n`, of `values` (the training
    /// values), as the TensorFlow Crash Course sparsity exercise computes them with pandas.
    ///
    /// A quantile `q` of the `N` sorted values `x_0 <= ... <= x_{N-1}` is linearly interpolated
    /// (pandas' and numpy's default, "linear"): `h = (N - 1) q`, `j = floor(h)`,
    /// `Q(q) = x_j + (h - j) (x_{j+1} - x_j)` (just `x_j` when `j = N - 1`). When all `n`
    /// quantiles differ, these are the boundaries. When several fall on one value `m` (a mass
    /// point), merging them would lose buckets (a column that is 92% zeros would end with one
    /// useful bucket), so instead `m` gets a bucket of its own, `[m, next)` with `next` the
    /// smallest larger training value, and the boundaries left over are spread, in proportion to
    /// their number of values, over the runs of values between mass points, each at the linear
    /// quantiles of its run. Non-finite values are ignored; with no finite value there is one
    /// bucket.
    pub fn quantile(values: &[f64], n: usize) -> Self {
        let sorted = sorted_finite(values);
        if sorted.is_empty() {
            return Self::fitted(Vec::new());
        }
        Self::fitted(quantile_boundaries(&sorted, n))
    }

    /// The same bucketizer with a last bucket, labelled [`MISSING_LABEL`], for missing values
    /// (NaN); without it a NaN falls in the first bucket.
    pub fn with_missing_bucket(mut self) -> Self {
        if !self.missing_bucket {
            self.missing_bucket = true;
            self.labels.push(MISSING_LABEL.to_owned());
        }
        self
    }

    /// Whether the last bucket holds missing values.
    pub fn has_missing_bucket(&self) -> bool {
        self.missing_bucket
    }

    /// `n` equal-width buckets over `[min, max]` of `values` (the training values): boundaries
    /// `min + (max - min) * i / n`, `i = 1..n`; values outside the training range go to the outer
    /// buckets. A constant column (or one without finite values) gets one bucket.
    pub fn uniform(values: &[f64], n: usize) -> Self {
        let (min, max) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        if !(min.is_finite() && max.is_finite()) || min == max {
            return Self::fitted(Vec::new());
        }
        Self::fitted((1..n).map(|i| min + (max - min) * i as f64 / n as f64).collect())
    }

    fn fitted(mut boundaries: Vec<f64>) -> Self {
        boundaries.dedup();
        Self::with_domain(boundaries, f64::NEG_INFINITY, f64::INFINITY)
    }

    fn with_domain(boundaries: Vec<f64>, lower: f64, upper: f64) -> Self {
        let labels = bucket_labels(&boundaries, lower, upper);
        Self { boundaries, labels, missing_bucket: false }
    }

    /// The bucket of `v`: the number of boundaries `<= v`; a NaN goes to the missing bucket when
    /// there is one.
    #[inline]
    pub fn bucket(&self, v: f64) -> u32 {
        if self.missing_bucket && v.is_nan() {
            return self.boundaries.len() as u32 + 1;
        }
        self.boundaries.partition_point(|&b| b <= v) as u32
    }

    /// Number of buckets (boundaries + 1, plus the missing bucket if any).
    pub fn len(&self) -> usize {
        self.boundaries.len() + 1 + usize::from(self.missing_bucket)
    }

    /// Always false: there is at least one bucket.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The sorted, distinct boundaries.
    pub fn boundaries(&self) -> &[f64] {
        &self.boundaries
    }

    /// Label of bucket `i`, e.g. `[0.2,0.3)` or `(-inf,33.9)`.
    pub fn label(&self, i: usize) -> &str {
        &self.labels[i]
    }

    /// All labels in bucket order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
}

fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    sorted
}

/// The boundaries of [`Bucketizer::quantile`] for sorted, finite, non-empty values.
fn quantile_boundaries(sorted: &[f64], n: usize) -> Vec<f64> {
    let plain: Vec<f64> =
        (0..n).map(|i| interpolated_quantile(sorted, (i + 1) as f64 / (n + 1) as f64)).collect();
    // Mass points: values that two or more quantiles fall on (equal interpolated quantiles can
    // only be a repeated data value).
    let mut mass: Vec<f64> = plain.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    mass.dedup();
    if mass.is_empty() {
        return plain;
    }
    let next_above = |m: f64| sorted.get(sorted.partition_point(|&x| x <= m)).copied();
    let mut boundaries = Vec::with_capacity(n + mass.len());
    for &m in &mass {
        boundaries.push(m);
        boundaries.extend(next_above(m));
    }
    // The runs of values strictly between mass points (and below the first, above the last).
    let mut runs: Vec<&[f64]> = Vec::with_capacity(mass.len() + 1);
    let mut start = 0;
    for &m in &mass {
        let lo = sorted.partition_point(|&x| x < m);
        runs.push(&sorted[start..lo]);
        start = sorted.partition_point(|&x| x <= m);
    }
    runs.push(&sorted[start..]);
    let left = n.saturating_sub(boundaries.len());
    let total: usize = runs.iter().map(|r| r.len()).sum();
    if left > 0 && total > 0 {
        // Largest-remainder shares of the boundaries left, in proportion to each run's values.
        let exact: Vec<f64> =
            runs.iter().map(|r| left as f64 * r.len() as f64 / total as f64).collect();
        let mut shares: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
        let mut order: Vec<usize> = (0..runs.len()).collect();
        order.sort_by(|&a, &b| {
            (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor()))
        });
        let given: usize = shares.iter().sum();
        for &i in order.iter().take(left - given) {
            shares[i] += 1;
        }
        for (run, &k) in runs.iter().zip(&shares) {
            if run.is_empty() {
                continue;
            }
            // A run after a mass point starts at that point's `next` boundary: its k inner
            // boundaries cut it into k + 1 buckets.
            boundaries.extend(
                (0..k).map(|i| interpolated_quantile(run, (i + 1) as f64 / (k + 1) as f64)),
            );
        }
    }
    boundaries.sort_unstable_by(f64::total_cmp);
    boundaries
}

/// The "linear" quantile of sorted, non-empty values (see [`Bucketizer::quantile`]).
pub(crate) fn interpolated_quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(&last) = sorted.last() else { return f64::NAN };
    let h = (sorted.len() - 1) as f64 * q;
    let j = h.floor() as usize;
    match sorted.get(j + 1) {
        Some(&next) => sorted[j] + (h - j as f64) * (next - sorted[j]),
        None => last,
    }
}

/// Labels `[lo,hi)` per bucket; an infinite lower end is written `(-inf,`. Boundaries are printed
/// with the fewest significant digits (at least 6) that keep all of them distinct, so labels stay
/// readable and still name one bucket each.
fn bucket_labels(boundaries: &[f64], lower: f64, upper: f64) -> Vec<String> {
    let digits = (6..=17)
        .find(|&d| {
            let printed: Vec<String> = boundaries.iter().map(|&b| short(b, d)).collect();
            printed.windows(2).all(|w| w[0] != w[1])
        })
        .unwrap_or(17);
    let ends: Vec<String> = std::iter::once(lower)
        .chain(boundaries.iter().copied())
        .chain(std::iter::once(upper))
        .map(|b| short(b, digits))
        .collect();
    ends.windows(2)
        .map(|w| {
            let open = if w[0].starts_with("-inf") { '(' } else { '[' };
            format!("{open}{},{})", w[0], w[1])
        })
        .collect()
}

/// `v` rounded to `digits` significant digits, printed in Rust's shortest form (`0.3`, `37.5`,
/// `-122.3`, `+inf`, `-inf`).
fn short(v: f64, digits: usize) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "+inf".into() } else { "-inf".into() };
    }
    let rounded: f64 = format!("{:.*e}", digits.saturating_sub(1), v).parse().unwrap_or(v);
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_counts_boundaries_at_or_below() {
        let b = Bucketizer::from_boundaries(vec![1.0, 2.0, 2.0, 3.0]).unwrap();
        assert_eq!(b.len(), 4);
        assert_eq!(b.bucket(0.5), 0);
        assert_eq!(b.bucket(1.0), 1);
        assert_eq!(b.bucket(2.5), 2);
        assert_eq!(b.bucket(99.0), 3);
        assert_eq!(b.labels(), ["(-inf,1)", "[1,2)", "[2,3)", "[3,+inf)"]);
    }

    #[test]
    fn unit_interval_labels_are_short() {
        let b = Bucketizer::unit_interval(10);
        assert_eq!(b.len(), 10);
        assert_eq!(b.label(0), "[0,0.1)");
        assert_eq!(b.label(2), "[0.2,0.3)");
        assert_eq!(b.label(9), "[0.9,1)");
    }

    #[test]
    fn uniform_width_over_training_range() {
        let b = Bucketizer::uniform(&[0.0, 10.0, 5.0], 4);
        assert_eq!(b.boundaries(), [2.5, 5.0, 7.5]);
        assert_eq!(b.bucket(-3.0), 0);
        assert_eq!(b.bucket(11.0), 3);
        assert_eq!(Bucketizer::uniform(&[4.0, 4.0], 5).len(), 1);
    }

    #[test]
    fn no_finite_values_give_one_bucket() {
        assert_eq!(Bucketizer::quantile(&[], 4).len(), 1);
        assert_eq!(Bucketizer::quantile(&[f64::NAN, 1.0, 3.0], 1).boundaries(), [2.0]);
        assert_eq!(Bucketizer::uniform(&[f64::INFINITY], 4).len(), 1);
    }

    #[test]
    fn a_mass_point_gets_its_own_bucket_and_the_rest_keep_theirs() {
        // 92 zeros and 8 positive values: plain quantiles would all be 0 (one useful bucket).
        let mut values = vec![0.0; 92];
        values.extend((1..=8).map(|i| f64::from(i) * 100.0));
        let b = Bucketizer::quantile(&values, 10);
        assert_eq!(b.bucket(0.0), 1, "zero sits in [0, 100)");
        assert_eq!(b.bucket(-1.0), 0);
        let positive: std::collections::BTreeSet<u32> =
            (1..=8).map(|i| b.bucket(f64::from(i) * 100.0)).collect();
        assert!(positive.len() >= 6, "{:?}", b.boundaries());
        assert!(!positive.contains(&1));
        assert!(b.len() >= 9 && b.len() <= 11, "{:?}", b.boundaries());
        // Without mass points the rule is the plain linear one.
        let spread: Vec<f64> = (0..100).map(f64::from).collect();
        assert_eq!(Bucketizer::quantile(&spread, 3).boundaries(), [24.75, 49.5, 74.25]);
    }

    #[test]
    fn the_missing_bucket_is_last_and_takes_nan() {
        let b = Bucketizer::from_boundaries(vec![1.0]).unwrap().with_missing_bucket();
        assert_eq!(b.len(), 3);
        assert_eq!((b.bucket(0.0), b.bucket(5.0), b.bucket(f64::NAN)), (0, 1, 2));
        assert_eq!(b.label(2), MISSING_LABEL);
    }

    #[test]
    fn close_boundaries_keep_distinct_labels() {
        let b = Bucketizer::from_boundaries(vec![1.0000001, 1.0000002]).unwrap();
        assert_ne!(b.label(1), b.label(2));
    }

    #[test]
    fn unsorted_or_infinite_boundaries_are_rejected() {
        assert!(Bucketizer::from_boundaries(vec![2.0, 1.0]).is_err());
        assert!(Bucketizer::from_boundaries(vec![f64::NAN]).is_err());
    }
}

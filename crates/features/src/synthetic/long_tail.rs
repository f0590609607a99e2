//! The long-tail mode of the generator (`[data.synthetic.long_tail]`): the regime of click logs,
//! where a few values of each field are frequent and most are rare.
//!
//! | Name | Default | Purpose | Range |
//! |---|---|---|---|
//! | `exponent` | 1.1 | Zipf exponent of the categorical values' frequencies | (0, 5] |
//! | `bin_exponent` | 1.0 | Zipf exponent of each numeric feature's bin frequencies | [0, 5] |
//! | `categorical_fields` | 2 | categorical fields `c0..`, each a one-hot group of its own | 0 ..= 100 |
//! | `vocabulary` | 10000 | values per categorical field | 2 ..= 10^6 |
//! | `value_effect_fraction` | 0.1 | share of the values with a nonzero effect | [0, 1] |
//! | `value_effect_scale` | 1.0 | std of a value's nonzero effect | >= 0, finite |
//! | `positive_rate` | none | calibrate the intercept to this share of positives | (noise, 1 - noise) |
//!
//! - **Categorical values** of every field are drawn from the Zipf law `P(rank r) ∝ (r + 1)^-s`,
//!   `r = 0..vocabulary`; the value of rank `r` is named `v<r>` zero-padded, so its vocabulary
//!   index is its rank (rank 0 the most frequent). Zipf (1949); click logs follow such laws
//!   (McMahan et al. 2013, section 1).
//! - **Numeric bins**: bin `b` of each feature has probability `∝ (b + 1)^-bin_exponent`, drawn by
//!   inverting that distribution's CDF at the copula's uniform (so the `correlation` key keeps its
//!   meaning); a cell of the k^k cross then has the product of k such probabilities: its
//!   frequencies spread over many orders of magnitude, a few cells frequent, most rare.
//!   `bin_exponent = 0` gives uniform bins.
//! - **True model**: the bins' effects as in the uniform mode (dense, on frequent and rare bins);
//!   each categorical value has, with probability `value_effect_fraction` and independently of its
//!   rank, an effect drawn `N(0, value_effect_scale^2)` (so frequent and rare values carry
//!   signal); planted interactions take their bins from the skewed bin law for even-numbered
//!   interactions (frequent cells) and uniformly for odd-numbered ones (mostly rare cells).
//! - **Intercept**: with `positive_rate` set, the bias is the one whose mean label probability
//!   over a fixed calibration sample (its own ChaCha stream) equals the rate, found by bisection
//!   (then `bias` must be left at 0).
//!
//! Caps: `categorical_fields * vocabulary` at 10^6, since the vocabularies' names take about
//! 150 bytes a value.

use serde::{Deserialize, Serialize};

use crate::error::{invalid, FeaturesError};

/// Most categorical values over all fields (each is named, indexed and labelled).
const MAX_VALUES: usize = 1_000_000;
/// Most categorical fields.
const MAX_FIELDS: usize = 100;
/// Largest Zipf exponent accepted (beyond it nearly every draw is rank 0).
const MAX_EXPONENT: f64 = 5.0;

/// Settings of the long-tail mode (see the module doc's table).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LongTailConfig {
    /// Zipf exponent of the categorical values.
    pub exponent: f64,
    /// Zipf exponent of the numeric bins (0: uniform bins).
    pub bin_exponent: f64,
    /// Number of categorical fields.
    pub categorical_fields: usize,
    /// Values per categorical field.
    pub vocabulary: usize,
    /// Share of the categorical values with a nonzero effect.
    pub value_effect_fraction: f64,
    /// Standard deviation of a nonzero value effect.
    pub value_effect_scale: f64,
    /// Target share of positive labels; `None` keeps the config's `bias`.
    pub positive_rate: Option<f64>,
}

impl Default for LongTailConfig {
    fn default() -> Self {
        Self {
            exponent: 1.1,
            bin_exponent: 1.0,
            categorical_fields: 2,
            vocabulary: 10_000,
            value_effect_fraction: 0.1,
            value_effect_scale: 1.0,
            positive_rate: None,
        }
    }
}

impl LongTailConfig {
    /// Checks every field; `bias` and `label_noise` are the enclosing config's.
    pub(crate) fn validate(&self, bias: f64, label_noise: f64) -> Result<(), FeaturesError> {
        let field = |name: &str| format!("synthetic.long_tail.{name}");
        if !(self.exponent.is_finite() && self.exponent > 0.0 && self.exponent <= MAX_EXPONENT) {
            return Err(invalid(
                field("exponent"),
                format!("must be in (0, {MAX_EXPONENT}], got {}", self.exponent),
            ));
        }
        if !(self.bin_exponent.is_finite() && (0.0..=MAX_EXPONENT).contains(&self.bin_exponent)) {
            return Err(invalid(
                field("bin_exponent"),
                format!("must be in [0, {MAX_EXPONENT}], got {}", self.bin_exponent),
            ));
        }
        if self.categorical_fields > MAX_FIELDS {
            return Err(invalid(
                field("categorical_fields"),
                format!("must be <= {MAX_FIELDS}, got {}", self.categorical_fields),
            ));
        }
        if self.vocabulary < 2 || self.vocabulary > MAX_VALUES {
            return Err(invalid(
                field("vocabulary"),
                format!("must be in 2 ..= {MAX_VALUES}, got {}", self.vocabulary),
            ));
        }
        if self.categorical_fields.saturating_mul(self.vocabulary) > MAX_VALUES {
            return Err(invalid(
                field("vocabulary"),
                format!(
                    "categorical_fields * vocabulary must be <= {MAX_VALUES}, got {} * {}",
                    self.categorical_fields, self.vocabulary
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.value_effect_fraction) {
            return Err(invalid(
                field("value_effect_fraction"),
                format!("must be in [0, 1], got {}", self.value_effect_fraction),
            ));
        }
        let scale = self.value_effect_scale;
        if !(scale.is_finite() && scale >= 0.0) {
            return Err(invalid(
                field("value_effect_scale"),
                format!("must be finite and >= 0, got {scale}"),
            ));
        }
        if let Some(rate) = self.positive_rate {
            let (low, high) = (label_noise, 1.0 - label_noise);
            if !(rate > low && rate < high) {
                return Err(invalid(
                    field("positive_rate"),
                    format!("must be in ({low}, {high}) (label_noise bounds it), got {rate}"),
                ));
            }
            if bias != 0.0 {
                return Err(invalid(
                    field("positive_rate"),
                    format!("sets the intercept: leave synthetic.bias at 0, got {bias}"),
                ));
            }
        }
        Ok(())
    }

    /// Name of categorical field `f`'s column and group.
    pub fn field_name(f: usize) -> String {
        format!("c{f}")
    }

    /// Name of the value of rank `r` (zero-padded, so sorting the names keeps rank order).
    pub(crate) fn value_name(&self, r: usize) -> String {
        let width = (self.vocabulary - 1).to_string().len();
        format!("v{r:0width$}")
    }
}

/// A Zipf law over `0..n`, `P(r) ∝ (r + 1)^-s`, sampled by inverting its cumulative table
/// (a binary search: O(log n) a draw, 8 bytes a value).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ZipfTable {
    /// `cumulative[r] = P(rank <= r)`, the last one exactly 1.
    cumulative: Vec<f64>,
}

impl ZipfTable {
    /// The law over `0..n` (`n >= 1`) with exponent `s >= 0`.
    pub(crate) fn new(n: usize, s: f64) -> Self {
        let mut cumulative: Vec<f64> = Vec::with_capacity(n);
        let mut total = 0.0;
        for r in 0..n {
            total += ((r + 1) as f64).powf(-s);
            cumulative.push(total);
        }
        cumulative.iter_mut().for_each(|c| *c /= total);
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Self { cumulative }
    }

    /// The rank whose CDF interval holds `u` in `[0, 1)`.
    #[inline]
    pub(crate) fn rank(&self, u: f64) -> usize {
        self.cumulative.partition_point(|&c| c <= u).min(self.cumulative.len() - 1)
    }

    /// Probability of rank `r`.
    #[cfg(test)]
    pub(crate) fn probability(&self, r: usize) -> f64 {
        let below = if r == 0 { 0.0 } else { self.cumulative[r - 1] };
        self.cumulative[r] - below
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_table_inverts_its_cdf() {
        let table = ZipfTable::new(4, 1.0);
        // Weights 1, 1/2, 1/3, 1/4 over their sum 25/12.
        let expected = [12.0 / 25.0, 6.0 / 25.0, 4.0 / 25.0, 3.0 / 25.0];
        for (r, p) in expected.iter().enumerate() {
            assert!((table.probability(r) - p).abs() < 1e-12, "rank {r}");
        }
        assert_eq!(table.rank(0.0), 0);
        assert_eq!(table.rank(0.47), 0);
        assert_eq!(table.rank(0.49), 1);
        assert_eq!(table.rank(0.999_999), 3);
        let flat = ZipfTable::new(5, 0.0);
        assert!((flat.probability(4) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn value_names_sort_in_rank_order() {
        let config = LongTailConfig { vocabulary: 1000, ..LongTailConfig::default() };
        assert_eq!(config.value_name(7), "v007");
        assert!(config.value_name(99) < config.value_name(100));
    }

    #[test]
    fn validation_names_the_field() {
        let bad = LongTailConfig { exponent: 0.0, ..LongTailConfig::default() };
        assert!(bad.validate(0.0, 0.0).unwrap_err().to_string().contains("long_tail.exponent"));
        let big = LongTailConfig { categorical_fields: 3, vocabulary: 500_000, ..bad.clone() };
        let big = LongTailConfig { exponent: 1.0, ..big };
        assert!(big.validate(0.0, 0.0).unwrap_err().to_string().contains("vocabulary"));
        let rate = LongTailConfig { positive_rate: Some(0.05), ..LongTailConfig::default() };
        assert!(rate.validate(0.0, 0.0).is_ok());
        assert!(rate.validate(0.3, 0.0).unwrap_err().to_string().contains("bias"));
        assert!(rate.validate(0.0, 0.1).unwrap_err().to_string().contains("positive_rate"));
    }
}

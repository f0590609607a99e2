//! The generator's hyperparameters, checked once in [`SyntheticConfig::validate`].
//!
//! | Name | Default | Purpose | Range |
//! |---|---|---|---|
//! | `k` | 4 | numeric features `x_0..x_{k-1}` | 2 ..= 10^5 |
//! | `bins` | 0 | equal-width bins per feature on `[0, 1)`; 0 means `k` | 0 or >= 2 |
//! | `correlation` | 0.0 | rho of the Gaussian copula, `corr(z_i, z_j) = rho^abs(i-j)` | abs(rho) < 1 |
//! | `interactions` | 4 | planted interactions s | 0 ..= 10^6 |
//! | `triple_fraction` | 0.0 | share of the s interactions on triples (rounded), rest on pairs | [0, 1] |
//! | `effect_scale` | 0.5 | std of each per-(feature, bin) effect | >= 0, finite |
//! | `interaction_scale` | 1.0 | absolute logit added by an active interaction | >= 0, finite |
//! | `bias` | 0.0 | logit intercept | finite |
//! | `label_noise` | 0.0 | probability that a label is flipped | [0, 0.5) |
//! | `crosses` | marginals + full cross | which groups the feature space has (`hash_buckets = N` hashes the full cross into N ids) | at least one |
//! | `seed` | 0 | everything random: the true model and the three splits | any |
//! | `long_tail` | absent | Zipf-distributed bins and categorical fields (see `long_tail`) | a table |
//! | `gaussian` | absent | dense correlated Gaussian features, k-sparse logistic truth, `k` = p (see `gaussian`) | a table |
//!
//! Caps keep what a spec of a few bytes can ask for within about 1 GB (a spec is checked by
//! building its problem, so an uncapped one could abort on an allocation or take the machine's
//! memory): `k` at 10^5 (each feature is a column and a group, about 600 bytes),
//! `k * bins` at 10^7 (the effects table, the boundaries and the bucket names are that long), with
//! pairwise crosses `k (k - 1) / 2` at 10^6 (one group each), the planted interactions at 10^6.

use serde::{Deserialize, Serialize};

use super::gaussian::GaussianConfig;
use super::long_tail::LongTailConfig;
use crate::error::{invalid, FeaturesError};

/// Largest `k` accepted (each feature is a column and a group).
const MAX_K: usize = 100_000;
/// Largest `k * bins` accepted (size of the effects table, and of the bucket names).
const MAX_EFFECTS: usize = 10_000_000;
/// Most pairwise crosses accepted (each is a group with its own bookkeeping).
const MAX_PAIRS: usize = 1_000_000;
/// Most planted interactions accepted (each is drawn and stored; every row evaluates them all).
const MAX_INTERACTIONS: usize = 1_000_000;

/// Hyperparameters of the synthetic problem (see the module doc's table).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyntheticConfig {
    /// Number of numeric features; >= 2.
    pub k: usize,
    /// Bins per feature; 0 means `k`; otherwise >= 2.
    pub bins: usize,
    /// rho of the Gaussian copula, `corr(i, j) = rho^|i-j|`; 0 = independent uniforms; `|rho| < 1`.
    pub correlation: f64,
    /// Number of planted interactions s.
    pub interactions: usize,
    /// Fraction of the planted interactions on triples (the rest on pairs), in `[0, 1]`.
    pub triple_fraction: f64,
    /// Standard deviation of the per-(feature, bin) effects.
    pub effect_scale: f64,
    /// Absolute size of each planted interaction's logit (its sign is random).
    pub interaction_scale: f64,
    /// Logit intercept.
    pub bias: f64,
    /// Probability that a drawn label is flipped, in `[0, 0.5)`.
    pub label_noise: f64,
    /// Which groups of ids the feature space has.
    pub crosses: CrossLayout,
    /// Seed of the true model and of all splits.
    pub seed: u64,
    /// The long-tail mode; absent (the default) keeps uniform bins, and the config serializes
    /// as it did before the mode existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_tail: Option<LongTailConfig>,
    /// The dense correlated Gaussian mode; absent (the default) keeps the binned modes, and the
    /// config serializes as it did before the mode existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gaussian: Option<GaussianConfig>,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self {
            k: 4,
            bins: 0,
            correlation: 0.0,
            interactions: 4,
            triple_fraction: 0.0,
            effect_scale: 0.5,
            interaction_scale: 1.0,
            bias: 0.0,
            label_noise: 0.0,
            crosses: CrossLayout::default(),
            seed: 0,
            long_tail: None,
            gaussian: None,
        }
    }
}

/// The groups of the synthetic feature space, in this id order: marginals `x_0..x_{k-1}`, then
/// pairwise crosses `x_i_x_x_j` (i < j, lexicographic), then the full cross of all k features.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrossLayout {
    /// One group per feature: its `bins` one-hot buckets (`k * bins` ids).
    pub marginals: bool,
    /// The exact cross of all k features (`bins^k` ids).
    pub full_cross: bool,
    /// The exact cross of every pair of features (`k (k - 1) / 2 * bins^2` ids). At k = 2 with
    /// an exact full cross, the one pair is the full cross, which then stands for it (no twin
    /// group of the same cells).
    pub pairwise: bool,
    /// Hash the full cross into this many ids instead of `bins^k` (the cell's bins hashed as a
    /// real data set's hashed cross hashes its columns' buckets): the full cross of any k fits,
    /// and an example still costs O(k). Needs `full_cross`; absent: the exact full cross.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_buckets: Option<u64>,
}

impl Default for CrossLayout {
    fn default() -> Self {
        Self { marginals: true, full_cross: true, pairwise: false, hash_buckets: None }
    }
}

impl SyntheticConfig {
    /// Bins per feature after resolving `bins = 0` to `k`.
    pub fn effective_bins(&self) -> usize {
        if self.bins == 0 {
            self.k
        } else {
            self.bins
        }
    }

    /// Number of planted interactions on triples: `round(s * triple_fraction)`.
    pub fn triples(&self) -> usize {
        (self.interactions as f64 * self.triple_fraction).round() as usize
    }

    /// Checks every field; the error names the field, its value and the allowed range.
    pub fn validate(&self) -> Result<(), FeaturesError> {
        if let Some(gaussian) = &self.gaussian {
            return self.validate_gaussian(gaussian);
        }
        self.validate_binned()
    }

    /// The keys that apply beside `gaussian`: `k` (= p), `bias`, `label_noise`, and the table.
    fn validate_gaussian(&self, gaussian: &GaussianConfig) -> Result<(), FeaturesError> {
        let field = |name: &str| format!("synthetic.{name}");
        if !(2..=MAX_K).contains(&self.k) {
            return Err(invalid(field("k"), format!("must be in 2 ..= {MAX_K}, got {}", self.k)));
        }
        if self.correlation != 0.0 {
            return Err(invalid(
                field("correlation"),
                "does not apply beside `gaussian`: set `gaussian.rho` instead",
            ));
        }
        if self.long_tail.is_some() {
            return Err(invalid(field("long_tail"), "cannot be combined with `gaussian`"));
        }
        if !self.bias.is_finite() {
            return Err(invalid(field("bias"), format!("must be finite, got {}", self.bias)));
        }
        if !(0.0..0.5).contains(&self.label_noise) {
            return Err(invalid(
                field("label_noise"),
                format!("must be in [0, 0.5), got {}", self.label_noise),
            ));
        }
        gaussian.validate(self.k)
    }

    fn validate_binned(&self) -> Result<(), FeaturesError> {
        let field = |name: &str| format!("synthetic.{name}");
        if self.k < 2 {
            return Err(invalid(field("k"), format!("must be >= 2, got {}", self.k)));
        }
        if self.k > MAX_K {
            return Err(invalid(field("k"), format!("must be <= {MAX_K}, got {}", self.k)));
        }
        if self.bins == 1 {
            return Err(invalid(field("bins"), "must be 0 (meaning k) or >= 2, got 1"));
        }
        if self.k.saturating_mul(self.effective_bins()) > MAX_EFFECTS {
            return Err(invalid(
                field("k"),
                format!("k * bins must be <= {MAX_EFFECTS}, got {} * {}", self.k, self.bins),
            ));
        }
        if self.interactions > MAX_INTERACTIONS {
            return Err(invalid(
                field("interactions"),
                format!("must be <= {MAX_INTERACTIONS}, got {}", self.interactions),
            ));
        }
        let rho = self.correlation;
        if !(rho.is_finite() && rho.abs() < 1.0) {
            return Err(invalid(field("correlation"), format!("must be in (-1, 1), got {rho}")));
        }
        if !(0.0..=1.0).contains(&self.triple_fraction) {
            return Err(invalid(
                field("triple_fraction"),
                format!("must be in [0, 1], got {}", self.triple_fraction),
            ));
        }
        if self.triples() > 0 && self.k < 3 {
            return Err(invalid(
                field("triple_fraction"),
                format!("triples need k >= 3, got k = {}", self.k),
            ));
        }
        for (name, value) in
            [("effect_scale", self.effect_scale), ("interaction_scale", self.interaction_scale)]
        {
            if !(value.is_finite() && value >= 0.0) {
                return Err(invalid(field(name), format!("must be finite and >= 0, got {value}")));
            }
        }
        if !self.bias.is_finite() {
            return Err(invalid(field("bias"), format!("must be finite, got {}", self.bias)));
        }
        if !(0.0..0.5).contains(&self.label_noise) {
            return Err(invalid(
                field("label_noise"),
                format!("must be in [0, 0.5), got {}", self.label_noise),
            ));
        }
        let layout = &self.crosses;
        let pairs = self.k.saturating_mul(self.k - 1) / 2;
        if layout.pairwise && pairs > MAX_PAIRS {
            return Err(invalid(
                field("crosses.pairwise"),
                format!("k = {} gives {pairs} pairwise crosses, more than {MAX_PAIRS}", self.k),
            ));
        }
        match layout.hash_buckets {
            Some(0) => return Err(invalid(field("crosses.hash_buckets"), "must be >= 1, got 0")),
            Some(_) if !layout.full_cross => {
                return Err(invalid(
                    field("crosses.hash_buckets"),
                    "hashes the full cross: set `full_cross = true` (or drop `hash_buckets`)",
                ))
            }
            _ => {}
        }
        if !(layout.marginals || layout.full_cross || layout.pairwise) {
            return Err(invalid(
                field("crosses"),
                "at least one of marginals, full_cross, pairwise must be true",
            ));
        }
        if let Some(long_tail) = &self.long_tail {
            long_tail.validate(self.bias, self.label_noise)?;
        }
        Ok(())
    }
}

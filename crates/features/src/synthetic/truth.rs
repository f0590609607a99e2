//! The generator's true logistic model, drawn once from the seed's model stream:
//!
//! `logit(x) = bias + sum_j effect[j][bin_j] + sum_{planted} weight * [all its conditions hold]`
//!
//! - every (feature, bin) effect is drawn `N(0, effect_scale^2)`: the marginal effects are dense
//!   (all nonzero when `effect_scale > 0`, all zero when it is 0);
//! - each planted interaction picks 2 (pairs, first) or 3 (triples, after the pairs) distinct
//!   features uniformly, one bin per feature uniformly, and the weight `+-interaction_scale`
//!   with a fair random sign. Interactions are drawn independently, so two may coincide (their
//!   weights then add).
//!
//! The long-tail mode (see `long_tail`) draws, in this order, the same effects, interactions
//! whose bins come from the skewed bin law for even-numbered ones, then each categorical value's
//! effect (a uniform for whether it has one, then its normal); its logit adds
//! `sum_f value_effect[f][value_f]`, and its bias may be calibrated afterwards
//! ([`TrueModel::set_bias`]).

use rand_chacha::ChaCha8Rng;

use super::config::SyntheticConfig;
use super::long_tail::ZipfTable;
use crate::random as rng;

/// One planted interaction: active when feature `f` is in bin `b` for every `(f, b)` in
/// `conditions` (sorted by feature).
#[derive(Debug, Clone, PartialEq)]
pub struct PlantedInteraction {
    /// `(feature, bin)` conditions, sorted by feature.
    pub conditions: Vec<(usize, u32)>,
    /// Logit added when all conditions hold.
    pub weight: f64,
}

/// Bias, per-(feature, bin) effects and planted interactions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrueModel {
    k: usize,
    bins: usize,
    bias: f64,
    /// `effects[j * bins + b]`.
    effects: Vec<f64>,
    interactions: Vec<PlantedInteraction>,
    /// Values per categorical field (long-tail mode; 0 otherwise).
    vocabulary: usize,
    /// `value_effects[f * vocabulary + value]` (long-tail mode; empty otherwise).
    value_effects: Vec<f64>,
}

impl TrueModel {
    /// Draws the model of a validated config; `bin_law` is the long-tail mode's skewed bin law.
    pub(crate) fn draw(cfg: &SyntheticConfig, bin_law: Option<&ZipfTable>) -> Self {
        let (k, bins) = (cfg.k, cfg.effective_bins());
        let mut rng = rng::chacha(cfg.seed, rng::MODEL_STREAM);
        let mut effects = vec![0.0; k * bins];
        rng::fill_normals(&mut rng, &mut effects);
        effects.iter_mut().for_each(|e| *e *= cfg.effect_scale);
        let triples = cfg.triples();
        let interactions = (0..cfg.interactions)
            .map(|i| {
                let order = if i < cfg.interactions - triples { 2 } else { 3 };
                // Long tail: even-numbered interactions on frequent cells, odd ones anywhere.
                let law = bin_law.filter(|_| i % 2 == 0);
                draw_interaction(&mut rng, k, bins, order, cfg.interaction_scale, law)
            })
            .collect();
        let (vocabulary, value_effects) = match &cfg.long_tail {
            None => (0, Vec::new()),
            Some(tail) => {
                let mut value_effects = vec![0.0; tail.categorical_fields * tail.vocabulary];
                let mut normal = [0.0; 1];
                for effect in &mut value_effects {
                    if rng::uniform(&mut rng) < tail.value_effect_fraction {
                        rng::fill_normals(&mut rng, &mut normal);
                        *effect = tail.value_effect_scale * normal[0];
                    }
                }
                (tail.vocabulary, value_effects)
            }
        };
        Self { k, bins, bias: cfg.bias, effects, interactions, vocabulary, value_effects }
    }

    /// The model of the Gaussian mode's binned side: no effect, no interaction, only the bias
    /// (its logit is the Gaussian model's, see `gaussian`).
    pub(crate) fn bias_only(k: usize, bias: f64) -> Self {
        let (effects, interactions) = (vec![0.0; k], Vec::new());
        Self { k, bins: 1, bias, effects, interactions, vocabulary: 0, value_effects: Vec::new() }
    }

    /// Replaces the intercept (the long-tail mode's calibration).
    pub(crate) fn set_bias(&mut self, bias: f64) {
        self.bias = bias;
    }

    /// The intercept.
    pub(crate) fn bias(&self) -> f64 {
        self.bias
    }

    /// The true logit of a row: k bins, then (long-tail mode) one value index per field.
    #[inline]
    pub(crate) fn logit(&self, row: &[u32]) -> f64 {
        self.bias + self.logit_without_bias(row)
    }

    /// The logit minus the intercept (what the calibration sums over its sample).
    #[inline]
    pub(crate) fn logit_without_bias(&self, row: &[u32]) -> f64 {
        let (numeric, categorical) = row.split_at(self.k);
        let marginal: f64 = numeric
            .iter()
            .enumerate()
            .map(|(j, &b)| self.effects[j * self.bins + b as usize])
            .sum();
        let values: f64 = categorical
            .iter()
            .enumerate()
            .map(|(f, &v)| self.value_effects[f * self.vocabulary + v as usize])
            .sum();
        let planted: f64 = self
            .interactions
            .iter()
            .filter(|p| p.conditions.iter().all(|&(f, b)| row[f] == b))
            .map(|p| p.weight)
            .sum();
        marginal + values + planted
    }

    /// Effect of value `v` of categorical field `f` (0 outside the long-tail mode's range).
    pub(crate) fn value_effect(&self, f: usize, v: usize) -> f64 {
        if v < self.vocabulary {
            self.value_effects.get(f * self.vocabulary + v).copied().unwrap_or(0.0)
        } else {
            0.0
        }
    }

    /// Effect of feature `j` in bin `b`.
    pub(crate) fn effect(&self, j: usize, b: usize) -> f64 {
        self.effects[j * self.bins + b]
    }

    pub(crate) fn interactions(&self) -> &[PlantedInteraction] {
        &self.interactions
    }
}

fn draw_interaction(
    rng: &mut ChaCha8Rng,
    k: usize,
    bins: usize,
    order: usize,
    scale: f64,
    bin_law: Option<&ZipfTable>,
) -> PlantedInteraction {
    // Partial Fisher–Yates over the feature indices picks `order` distinct features.
    let mut features: Vec<usize> = (0..k).collect();
    for i in 0..order {
        let j = i + rng::below(rng, (k - i) as u64) as usize;
        features.swap(i, j);
    }
    let draw_bin = |rng: &mut ChaCha8Rng| match bin_law {
        None => rng::below(rng, bins as u64) as u32,
        Some(law) => law.rank(rng::uniform(rng)) as u32,
    };
    let mut conditions: Vec<(usize, u32)> =
        features[..order].iter().map(|&f| (f, draw_bin(rng))).collect();
    conditions.sort_unstable();
    let sign = if rng::uniform(rng) < 0.5 { -1.0 } else { 1.0 };
    PlantedInteraction { conditions, weight: sign * scale }
}

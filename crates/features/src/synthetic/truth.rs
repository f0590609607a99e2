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

use rand_chacha::ChaCha8Rng;

use super::config::SyntheticConfig;
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
    bins: usize,
    bias: f64,
    /// `effects[j * bins + b]`.
    effects: Vec<f64>,
    interactions: Vec<PlantedInteraction>,
}

impl TrueModel {
    /// Draws the model of a validated config.
    pub(crate) fn draw(cfg: &SyntheticConfig) -> Self {
        let (k, bins) = (cfg.k, cfg.effective_bins());
        let mut rng = rng::chacha(cfg.seed, rng::MODEL_STREAM);
        let mut effects = vec![0.0; k * bins];
        rng::fill_normals(&mut rng, &mut effects);
        effects.iter_mut().for_each(|e| *e *= cfg.effect_scale);
        let triples = cfg.triples();
        let interactions = (0..cfg.interactions)
            .map(|i| {
                let order = if i < cfg.interactions - triples { 2 } else { 3 };
                draw_interaction(&mut rng, k, bins, order, cfg.interaction_scale)
            })
            .collect();
        Self { bins, bias: cfg.bias, effects, interactions }
    }

    /// The true logit of a row of bins.
    #[inline]
    pub(crate) fn logit(&self, row: &[u32]) -> f64 {
        let marginal: f64 =
            row.iter().enumerate().map(|(j, &b)| self.effects[j * self.bins + b as usize]).sum();
        let planted: f64 = self
            .interactions
            .iter()
            .filter(|p| p.conditions.iter().all(|&(f, b)| row[f] == b))
            .map(|p| p.weight)
            .sum();
        self.bias + marginal + planted
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
) -> PlantedInteraction {
    // Partial Fisher–Yates over the feature indices picks `order` distinct features.
    let mut features: Vec<usize> = (0..k).collect();
    for i in 0..order {
        let j = i + rng::below(rng, (k - i) as u64) as usize;
        features.swap(i, j);
    }
    let mut conditions: Vec<(usize, u32)> =
        features[..order].iter().map(|&f| (f, rng::below(rng, bins as u64) as u32)).collect();
    conditions.sort_unstable();
    let sign = if rng::uniform(rng) < 0.5 { -1.0 } else { 1.0 };
    PlantedInteraction { conditions, weight: sign * scale }
}

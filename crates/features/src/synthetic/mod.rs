//! The synthetic problem: k numeric features on `[0, 1)`, each cut into `bins` equal-width bins
//! (known a priori, unlike real data's bucketizers fitted on the training split), labels from a
//! known logistic model, crossed into the layout's groups. See [`config`] for the
//! hyperparameters, `truth` for the true model, [`stream`] for how rows are drawn.
//!
//! **True support** ([`SyntheticProblem::true_support`]): the ids, in this problem's feature
//! space, whose coefficient is nonzero in the generating model written on that space's groups:
//! - marginal ids `x_j` bin `b` with a nonzero effect (all of them when `effect_scale > 0`);
//! - with `pairwise` crosses: the cell `(b_1, b_2)` of cross `x_i_x_x_j` of every planted pair
//!   (at k = 2 with an exact full cross, the full cross is that pair's cross: its cell).
//!
//! Planted triples have no cell of their own (the layout has no triple crosses) and so add no id.
//! The full cross is saturated (its k^k cells can express any function of the bins, so every
//! cell's true log-odds differs): none of its ids is listed, since "support" there would be all
//! k^k cells. With marginals off and no pairwise crosses the support is empty.

pub mod config;
pub mod gaussian;
mod layout;
pub mod long_tail;
pub mod stream;
mod truth;

use std::sync::Arc;

use rustc_hash::FxHashMap;

pub use config::{CrossLayout, SyntheticConfig};
pub use gaussian::GaussianConfig;
pub use layout::{feature_name, pair_name, FULL_CROSS};
pub use long_tail::LongTailConfig;
pub use stream::{SplitName, SyntheticStream};
pub use truth::PlantedInteraction;

use crate::space::hash_stats::CrossCollisions;
use crate::space::HashStats;
use crate::{FeatureId, FeatureSpace, FeaturesError};
use gaussian::GaussianModel;
use long_tail::ZipfTable;
use stream::{Generator, TailLaws};
use truth::TrueModel;

/// A validated config, its feature space and its drawn true model.
#[derive(Debug, Clone)]
pub struct SyntheticProblem {
    config: SyntheticConfig,
    generator: Arc<Generator>,
    support: Vec<FeatureId>,
}

impl SyntheticProblem {
    /// Validates every field of `config`, builds the feature space (fails if the full cross
    /// overflows `u64`) and draws the true model.
    pub fn new(config: SyntheticConfig) -> Result<Self, FeaturesError> {
        config.validate()?;
        if let Some(gaussian) = &config.gaussian {
            let model = GaussianModel::draw(gaussian, config.k, config.seed);
            return Self::gaussian(config.clone(), model);
        }
        let (k, bins) = (config.k, config.effective_bins());
        let tail = config.long_tail.as_ref();
        let space = layout::build_space(k, bins, &config.crosses, tail)?;
        let tail_laws = tail.map(|t| TailLaws {
            bins: ZipfTable::new(bins, t.bin_exponent),
            values: ZipfTable::new(t.vocabulary, t.exponent),
            fields: t.categorical_fields,
        });
        let model = TrueModel::draw(&config, tail_laws.as_ref().map(|t| &t.bins));
        let support = true_support(&space, &model, k, bins, &config)?;
        let mut generator = Generator {
            k,
            bins,
            correlation: config.correlation,
            label_noise: config.label_noise,
            seed: config.seed,
            model,
            space,
            tail: tail_laws,
            gaussian: None,
        };
        if let Some(rate) = tail.and_then(|t| t.positive_rate) {
            let bias = calibrated_bias(&generator, rate);
            generator.model.set_bias(bias);
        }
        Ok(Self { config, generator: Arc::new(generator), support })
    }

    /// The Gaussian mode's problem: p single-bucket columns (id j = feature j), the support's
    /// ids the support features.
    fn gaussian(config: SyntheticConfig, model: GaussianModel) -> Result<Self, FeaturesError> {
        let p = config.k;
        let marginals_only = CrossLayout { full_cross: false, ..CrossLayout::default() };
        let space = layout::build_space(p, 1, &marginals_only, None)?;
        let support = model.support().iter().map(|&(j, _)| j as FeatureId).collect();
        let generator = Generator {
            k: p,
            bins: 1,
            correlation: 0.0,
            label_noise: config.label_noise,
            seed: config.seed,
            model: TrueModel::bias_only(p, config.bias),
            space,
            tail: None,
            gaussian: Some(model),
        };
        Ok(Self { config, generator: Arc::new(generator), support })
    }

    /// The Gaussian mode's nonzero coefficients `(feature, beta)`, sorted by feature; empty in
    /// the binned modes.
    pub fn gaussian_coefficients(&self) -> &[(usize, f64)] {
        self.generator.gaussian.as_ref().map_or(&[], |g| g.support())
    }

    /// The config as given (with `bins = 0` unresolved; see
    /// [`SyntheticConfig::effective_bins`]).
    pub fn config(&self) -> &SyntheticConfig {
        &self.config
    }

    /// The feature space.
    pub fn space(&self) -> &FeatureSpace {
        &self.generator.space
    }

    /// Number of ids, e.g. `k = 10`, marginals + full cross: `100 + 10^10`.
    pub fn dimension(&self) -> u64 {
        self.generator.space.dimension()
    }

    /// `n` examples of `split` (labels 0/1, `true_prob` set), streamed in O(k) memory.
    pub fn stream(&self, split: SplitName, n: u64) -> SyntheticStream {
        SyntheticStream::new(Arc::clone(&self.generator), split, n)
    }

    /// The collisions of the hashed full cross (`crosses.hash_buckets`) on the first
    /// `n_train` training rows: one pass over them, holding each distinct cell seen. Empty
    /// without hashing.
    pub fn hash_stats(&self, n_train: u64) -> Vec<HashStats> {
        let mut crosses = CrossCollisions::new(self.space());
        if crosses.is_empty() {
            return Vec::new();
        }
        let mut stream = self.stream(SplitName::Train, n_train);
        let mut example = crate::SparseExample::default();
        while stream.next_into(&mut example) {
            crosses.add_row(stream.last_row());
        }
        crosses.stats(self.space())
    }

    /// Ids carrying true signal, sorted (see the module doc for what counts).
    pub fn true_support(&self) -> &[FeatureId] {
        &self.support
    }

    /// The true effect of feature `j` in bin `b` (`None` when out of range).
    pub fn effect(&self, j: usize, b: usize) -> Option<f64> {
        let g = &self.generator;
        (j < g.k && b < g.bins).then(|| g.model.effect(j, b))
    }

    /// The planted interactions (pairs first, then triples).
    pub fn planted_interactions(&self) -> &[PlantedInteraction] {
        self.generator.model.interactions()
    }

    /// The true bias (the calibrated one when the long-tail mode sets a positive rate).
    pub fn bias(&self) -> f64 {
        self.generator.model.bias()
    }

    /// The true effect of value `v` (its rank) of categorical field `f`; 0 outside the
    /// long-tail mode.
    pub fn value_effect(&self, f: usize, v: usize) -> f64 {
        self.generator.model.value_effect(f, v)
    }
}

/// Rows of the calibration sample: enough that the rate's sampling error (below 0.1% absolute
/// at a 5% rate) is small beside the rates asked for, few enough to take milliseconds.
const CALIBRATION_ROWS: usize = 50_000;

/// The bias at which the mean label probability over a fixed sample of rows (the calibration
/// stream) equals `rate`: the mean is increasing in the bias, so bisection finds it.
fn calibrated_bias(generator: &Generator, rate: f64) -> f64 {
    let mut rng = crate::random::chacha(generator.seed, crate::random::CALIBRATION_STREAM);
    let mut uniforms = vec![0.0; generator.k];
    let mut row = vec![0; generator.row_len()];
    let logits: Vec<f64> = (0..CALIBRATION_ROWS)
        .map(|_| {
            generator.draw_row(&mut rng, &mut uniforms, &mut row);
            generator.model.logit_without_bias(&row)
        })
        .collect();
    let noise = generator.label_noise;
    let mean_probability = |bias: f64| {
        let clean: f64 = logits.iter().map(|l| stream::sigmoid(bias + l)).sum::<f64>();
        (1.0 - 2.0 * noise) * clean / logits.len() as f64 + noise
    };
    let (mut low, mut high) = (-60.0, 60.0);
    for _ in 0..80 {
        let mid = 0.5 * (low + high);
        if mean_probability(mid) < rate {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

fn true_support(
    space: &FeatureSpace,
    model: &TrueModel,
    k: usize,
    bins: usize,
    config: &SyntheticConfig,
) -> Result<Vec<FeatureId>, FeaturesError> {
    let layout = &config.crosses;
    // Looked up by name in a map, not by scanning the groups: k marginals or a million pairwise
    // crosses would make a scan per lookup quadratic.
    let firsts: FxHashMap<&str, FeatureId> =
        space.groups().iter().map(|g| (g.name.as_str(), g.first)).collect();
    let first_of = |name: &str| {
        firsts
            .get(name)
            .copied()
            .ok_or_else(|| FeaturesError::UnknownFeatureName { name: name.into() })
    };
    let mut support = Vec::new();
    if layout.marginals {
        for j in 0..k {
            let first = first_of(&feature_name(j))?;
            support
                .extend((0..bins).filter(|&b| model.effect(j, b) != 0.0).map(|b| first + b as u64));
        }
    }
    if let Some(tail) = &config.long_tail {
        for f in 0..tail.categorical_fields {
            let first = first_of(&LongTailConfig::field_name(f))?;
            support.extend(
                (0..tail.vocabulary)
                    .filter(|&v| model.value_effect(f, v) != 0.0)
                    .map(|v| first + v as u64),
            );
        }
    }
    if layout.pairwise {
        let own_group = layout::pairwise_group(k, layout);
        for planted in model.interactions() {
            if let [(i, bi), (j, bj)] = planted.conditions[..] {
                let group = if own_group { pair_name(i, j) } else { FULL_CROSS.to_string() };
                let first = first_of(&group)?;
                support.push(first + u64::from(bi) * bins as u64 + u64::from(bj));
            }
        }
    }
    support.sort_unstable();
    support.dedup();
    Ok(support)
}

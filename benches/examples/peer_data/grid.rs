//! Our side of the comparison: which learner at which strength, and how the common strength
//! `lambda` is handed to it.
//!
//! `lambda` is always read on the mean-loss scale, `(1/n) sum_i logloss_i + lambda R(w)`, with
//! `R = |w|_1` (L1) or `|w|^2 / 2` (L2, the TensorFlow convention, which is also scikit-learn's
//! `alpha`). The SGD-type rules take it as is. FTRL-Proximal runs in McMahan's (and VW's and
//! TensorFlow's) *total* form, penalty against the sum of the per-step losses, so it gets
//! `lambda * steps` with `steps = n_train * passes`: the same objective at the end of training.
//! peers/README.md gives the peers' side of this mapping.
//!
//! Each optimizer gets its own settings (FTRL's `alpha`, `beta`, `ftrl_penalty`, truncated
//! gradient's period `K`) as the table a spec would give it; the penalty gets its own (the L2
//! convention).

use anyhow::{Context, Result};
use optimizers::online::{OnlineConfig, Schedule};
use regularizers::Penalty;

/// The knobs shared by every setting (peers get the same numbers, see peers/README.md).
#[derive(Debug, Clone, Copy)]
pub struct GridParams {
    /// `eta_t = eta0 / sqrt(t)` of the SGD-type rules (scikit-learn `invscaling`, VW `--sgd`).
    pub eta0: f64,
    /// FTRL `alpha` (VW `--ftrl_alpha`).
    pub ftrl_alpha: f64,
    /// FTRL `beta` (VW `--ftrl_beta`).
    pub ftrl_beta: f64,
    /// Truncation period `K` of truncated gradient.
    pub truncation_period: u32,
    /// Optimizer steps in training: `n_train * passes` (batch size 1).
    pub steps: u64,
}

/// One of our learners at one strength.
#[derive(Debug, Clone)]
pub struct Setting {
    /// Name in the results (`ftrl`, `cumulative_penalty`, `truncated_gradient`, `sgd`).
    pub algorithm: &'static str,
    /// The optimizer's registry name.
    pub optimizer: &'static str,
    /// The penalty, with its settings.
    pub penalty: Penalty,
    /// Strength on the common mean-loss scale.
    pub lambda: f64,
    /// Strength handed to the regularizer (differs from `lambda` for FTRL only).
    pub strength: f64,
    /// What every optimizer shares (loss, schedule, store, ...).
    pub config: OnlineConfig,
    /// The optimizer's own settings.
    pub settings: toml::Table,
    /// The setting in our own terms, for the results' `setting` column.
    pub description: String,
}

/// A settings table from `key = value` pairs (numbers and strings).
fn table(pairs: &[(&str, toml::Value)]) -> toml::Table {
    pairs.iter().map(|(key, value)| (key.to_string(), value.clone())).collect()
}

/// L1 and L2 as every side of the comparison reads `lambda`: R = |w|_1, or |w|^2 / 2 for L2
/// (TensorFlow convention, scikit-learn's `alpha`).
pub fn penalties() -> Result<(Penalty, Penalty)> {
    let l1 = Penalty::named("l1").context("penalty l1")?;
    let l2 =
        Penalty::new("l2", &table(&[("convention", "tensorflow".into())])).context("penalty l2")?;
    Ok((l1, l2))
}

/// Every learner of the comparison at every strength of `lambdas`.
pub fn settings(lambdas: &[f64], params: &GridParams) -> Result<Vec<Setting>> {
    let sgd_config = OnlineConfig {
        schedule: Schedule::InvSqrt { eta0: params.eta0 },
        ..OnlineConfig::default()
    };
    let ftrl_settings = table(&[
        ("ftrl_alpha", params.ftrl_alpha.into()),
        ("ftrl_beta", params.ftrl_beta.into()),
        ("ftrl_penalty", "total".into()),
    ]);
    let truncation_settings =
        table(&[("truncation_period", i64::from(params.truncation_period).into())]);
    let (l1, l2) = penalties()?;
    let learners = [
        ("ftrl", "ftrl", &l1),
        ("ftrl", "ftrl", &l2),
        ("cumulative_penalty", "cumulative_penalty", &l1),
        ("truncated_gradient", "truncated_gradient", &l1),
        ("sgd", "sgd_subgradient", &l2),
    ];
    let mut all = Vec::new();
    for (algorithm, optimizer, penalty) in learners {
        for &lambda in lambdas {
            let (strength, config, settings, description) = match optimizer {
                "ftrl" => {
                    let total = lambda * params.steps as f64;
                    let text = format!(
                        "{}_total={} alpha={} beta={}",
                        penalty.name(),
                        rounded(total),
                        params.ftrl_alpha,
                        params.ftrl_beta
                    );
                    (total, OnlineConfig::default(), ftrl_settings.clone(), text)
                }
                "truncated_gradient" => {
                    let text =
                        format!("eta0={}/sqrt(t) K={}", params.eta0, params.truncation_period);
                    (lambda, sgd_config.clone(), truncation_settings.clone(), text)
                }
                _ => {
                    let text = format!("eta0={}/sqrt(t)", params.eta0);
                    (lambda, sgd_config.clone(), toml::Table::new(), text)
                }
            };
            all.push(Setting {
                algorithm,
                optimizer,
                penalty: penalty.clone(),
                lambda,
                strength,
                config,
                settings,
                description,
            });
        }
    }
    Ok(all)
}

/// `x` rounded to 12 significant digits for display (`1e-6 * 200000` shows as 0.2).
fn rounded(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

//! Our side of the comparison: which learner at which strength, and how the common strength
//! `lambda` is handed to it.
//!
//! `lambda` is always read on the mean-loss scale, `(1/n) sum_i logloss_i + lambda R(w)`, with
//! `R = |w|_1` (L1) or `|w|^2 / 2` (L2, the TensorFlow convention, which is also scikit-learn's
//! `alpha`). The SGD-type rules take it as is. FTRL-Proximal runs in McMahan's (and VW's and
//! TensorFlow's) *total* form, penalty against the sum of the per-step losses, so it gets
//! `lambda * steps` with `steps = n_train * passes`: the same objective at the end of training.
//! peers/README.md gives the peers' side of this mapping.

use optimizers::online::{FtrlPenalty, OnlineConfig, OnlineKind, Schedule};
use regularizers::RegularizerKind;

/// The knobs shared by every setting (peers get the same numbers, see peers/README.md).
#[derive(Debug, Clone, Copy)]
pub struct GridParams {
    /// `eta_t = eta0 / sqrt(t)` of the SGD-type rules (scikit-learn `invscaling`, VW `--sgd`).
    pub eta0: f64,
    /// FTRL `alpha` (VW `--ftrl_alpha`).
    pub ftrl_alpha: f64,
    /// FTRL `beta` (VW `--ftrl_beta`).
    pub ftrl_beta: f64,
    /// Optimizer steps in training: `n_train * passes` (batch size 1).
    pub steps: u64,
}

/// One of our learners at one strength.
#[derive(Debug, Clone)]
pub struct Setting {
    /// Name in the results (`ftrl`, `cumulative_penalty`, `truncated_gradient`, `sgd`).
    pub algorithm: &'static str,
    /// The optimizer.
    pub kind: OnlineKind,
    /// The penalty.
    pub penalty: RegularizerKind,
    /// Strength on the common mean-loss scale.
    pub lambda: f64,
    /// Strength handed to the regularizer (differs from `lambda` for FTRL only).
    pub strength: f64,
    /// Everything else the optimizer needs.
    pub config: OnlineConfig,
    /// The setting in our own terms, for the results' `setting` column.
    pub description: String,
}

/// Every learner of the comparison at every strength of `lambdas`.
pub fn settings(lambdas: &[f64], params: &GridParams) -> Vec<Setting> {
    let sgd_config = OnlineConfig {
        schedule: Schedule::InvSqrt { eta0: params.eta0 },
        ..OnlineConfig::default()
    };
    let ftrl_config = OnlineConfig {
        ftrl_alpha: params.ftrl_alpha,
        ftrl_beta: params.ftrl_beta,
        ftrl_penalty: FtrlPenalty::Total,
        ..OnlineConfig::default()
    };
    let learners = [
        ("ftrl", OnlineKind::Ftrl, RegularizerKind::L1),
        ("ftrl", OnlineKind::Ftrl, RegularizerKind::L2),
        ("cumulative_penalty", OnlineKind::CumulativePenalty, RegularizerKind::L1),
        ("truncated_gradient", OnlineKind::TruncatedGradient, RegularizerKind::L1),
        ("sgd", OnlineKind::SgdSubgradient, RegularizerKind::L2),
    ];
    let mut all = Vec::new();
    for (algorithm, kind, penalty) in learners {
        for &lambda in lambdas {
            let (strength, config, description) = if kind == OnlineKind::Ftrl {
                let total = lambda * params.steps as f64;
                let text = format!(
                    "{}_total={} alpha={} beta={}",
                    penalty.as_str(),
                    rounded(total),
                    params.ftrl_alpha,
                    params.ftrl_beta
                );
                (total, ftrl_config.clone(), text)
            } else {
                let mut text = format!("eta0={}/sqrt(t)", params.eta0);
                if kind == OnlineKind::TruncatedGradient {
                    text.push_str(&format!(" K={}", sgd_config.truncation_period));
                }
                (lambda, sgd_config.clone(), text)
            };
            all.push(Setting { algorithm, kind, penalty, lambda, strength, config, description });
        }
    }
    all
}

/// `x` rounded to 12 significant digits for display (`1e-6 * 200000` shows as 0.2).
fn rounded(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

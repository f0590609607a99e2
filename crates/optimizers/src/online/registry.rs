//! Builds an online optimizer by name. Adding one is a rule file plus one line here.

use regularizers::Regularizer;

use super::cumulative_penalty::CumulativePenalty;
use super::fobos::Fobos;
use super::ftrl::Ftrl;
use super::hard_threshold::HardThreshold;
use super::learner::Learner;
use super::rda::Rda;
use super::sgd_subgradient::SgdSubgradient;
use super::truncated_gradient::TruncatedGradient;
use super::{OnlineConfig, OnlineError, OnlineKind, OnlineOptimizer};

/// The optimizer `kind` with `regularizer` on every weight (never the bias) and `config`
/// (validated here). Errors name the config field at fault, or the optimizer and regularizer if
/// the pair is not supported (see the table in the module doc).
pub fn build(
    kind: OnlineKind,
    regularizer: &dyn Regularizer,
    config: &OnlineConfig,
) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
    config.validate()?;
    let (parts, name) = (regularizer.parts(), regularizer.name());
    match kind {
        OnlineKind::SgdSubgradient => {
            Learner::boxed(SgdSubgradient::new(parts, name, config)?, config)
        }
        OnlineKind::TruncatedGradient => {
            Learner::boxed(TruncatedGradient::new(parts, name, config)?, config)
        }
        OnlineKind::CumulativePenalty => {
            Learner::boxed(CumulativePenalty::new(parts, name, config)?, config)
        }
        OnlineKind::Fobos => Learner::boxed(Fobos::new(parts, name)?, config),
        OnlineKind::Rda => Learner::boxed(Rda::new(parts, name, config)?, config),
        OnlineKind::Ftrl => Learner::boxed(Ftrl::new(parts, name, config)?, config),
        OnlineKind::HardThreshold => Learner::boxed(HardThreshold::new(parts, name)?, config),
    }
}

//! Maps the optimizer names and knobs of a spec onto the optimizer libraries' types.

use optimizers::batch::BatchKind;
use optimizers::online::{Admission, OnlineConfig, OnlineKind, StoreKind};
use optimizers::LossKind;

use crate::plan::Unit;
use crate::spec::{AdmissionSpec, StoreSpec};

/// Checks an online optimizer name.
pub fn check_online_name(name: &str) -> Result<OnlineKind, String> {
    OnlineKind::parse(name).map_err(|e| e.to_string())
}

/// Checks a batch solver name.
pub fn check_batch_name(name: &str) -> Result<BatchKind, String> {
    BatchKind::parse(name).map_err(|e| e.to_string())
}

/// The online configuration of a unit; `dimension` sizes a dense store.
pub fn online_config(unit: &Unit, loss: LossKind, dimension: u64, seed: u64) -> OnlineConfig {
    let opt = &unit.optimizer;
    let defaults = OnlineConfig::default();
    OnlineConfig {
        loss,
        schedule: unit.training.schedule,
        clip_norm: unit.training.clip_norm,
        admission: match opt.admission {
            None | Some(AdmissionSpec::All) => Admission::All,
            Some(AdmissionSpec::Count(n)) => Admission::Count { n },
            Some(AdmissionSpec::Poisson(p)) => Admission::Poisson { p },
        },
        store: match unit.store() {
            StoreSpec::Sparse => StoreKind::Sparse,
            StoreSpec::Dense => StoreKind::Dense { dimension },
        },
        ftrl_alpha: opt.ftrl_alpha.unwrap_or(defaults.ftrl_alpha),
        ftrl_beta: opt.ftrl_beta.unwrap_or(defaults.ftrl_beta),
        rda_gamma: opt.rda_gamma.unwrap_or(defaults.rda_gamma),
        ftrl_penalty: opt.ftrl_penalty.unwrap_or(defaults.ftrl_penalty),
        truncation_period: opt.truncation_period.unwrap_or(defaults.truncation_period),
        bloom_counters: opt.bloom_counters.unwrap_or(defaults.bloom_counters),
        seed,
    }
}

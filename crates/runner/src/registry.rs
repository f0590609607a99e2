//! Maps the shared online knobs of a spec onto the library's learner configuration (each
//! optimizer's own settings go to its registry entry as they are).

use optimizers::online::{Admission, OnlineConfig, StoreKind};
use optimizers::LossKind;

use crate::plan::Unit;
use crate::spec::{AdmissionSpec, StoreSpec};

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
        bloom_counters: opt.bloom_counters.unwrap_or(defaults.bloom_counters),
        seed,
    }
}

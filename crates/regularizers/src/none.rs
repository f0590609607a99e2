//! No penalty: the unregularized baseline (and the bias term of every model).

use serde::{Deserialize, Serialize};

use crate::registry::Configurable;
use crate::{MixedPenalty, PenaltyClass, PenaltyParts, RegularizerError};

/// `r(w) = 0`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NoPenalty;

/// No settings; lambda is ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoPenaltySettings {}

impl Configurable for NoPenalty {
    const NAME: &'static str = "none";
    const SUMMARY: &'static str = "no penalty (lambda ignored): the unregularized baseline";
    const KEYS: &'static [crate::SettingDoc] = &[];
    type Settings = NoPenaltySettings;
    fn configure(_lambda: f64, _settings: &NoPenaltySettings) -> Result<Self, RegularizerError> {
        Ok(NoPenalty)
    }
}

impl MixedPenalty for NoPenalty {
    fn name(&self) -> &'static str {
        "none"
    }
    fn class(&self) -> PenaltyClass {
        PenaltyClass::Convex
    }
    fn mix(&self) -> PenaltyParts {
        PenaltyParts::default()
    }
    fn prox(&self, v: f64, _eta: f64) -> f64 {
        v
    }
}

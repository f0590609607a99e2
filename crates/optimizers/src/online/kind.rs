//! The names of the online optimizers, as used in specs and reports.

use serde::{Deserialize, Serialize};

use super::OnlineError;

/// Which online optimizer to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineKind {
    /// SGD with the plain L1 subgradient (almost never yields exact zeros).
    SgdSubgradient,
    /// Truncated gradient (Langford, Li & Zhang 2009).
    TruncatedGradient,
    /// SGD with the cumulative L1 penalty (Tsuruoka, Tsujii & Ananiadou 2009).
    CumulativePenalty,
    /// Forward-backward splitting (Duchi & Singer 2009).
    Fobos,
    /// Regularized dual averaging (Xiao 2010).
    Rda,
    /// FTRL-Proximal with per-coordinate learning rates (McMahan et al. 2013).
    Ftrl,
    /// SGD followed by the L0 proximal step (hard thresholding).
    HardThreshold,
}

impl OnlineKind {
    /// Every optimizer, in the order of the module table.
    pub const ALL: &'static [OnlineKind] = &[
        OnlineKind::SgdSubgradient,
        OnlineKind::TruncatedGradient,
        OnlineKind::CumulativePenalty,
        OnlineKind::Fobos,
        OnlineKind::Rda,
        OnlineKind::Ftrl,
        OnlineKind::HardThreshold,
    ];

    /// The name used in specs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineKind::SgdSubgradient => "sgd_subgradient",
            OnlineKind::TruncatedGradient => "truncated_gradient",
            OnlineKind::CumulativePenalty => "cumulative_penalty",
            OnlineKind::Fobos => "fobos",
            OnlineKind::Rda => "rda",
            OnlineKind::Ftrl => "ftrl",
            OnlineKind::HardThreshold => "hard_threshold",
        }
    }

    /// Parses a name produced by [`OnlineKind::as_str`].
    pub fn parse(name: &str) -> Result<Self, OnlineError> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name).ok_or_else(|| {
            OnlineError::UnknownKind {
                name: name.to_string(),
                expected: Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
            }
        })
    }
}

impl std::fmt::Display for OnlineKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

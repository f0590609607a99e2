//! Builds a regularizer from the names used in experiment specs. One line per regularizer.

use serde::{Deserialize, Serialize};

use crate::{ElasticNet, L2Convention, NoPenalty, Regularizer, RegularizerError, L0, L1, L2};

/// The names accepted by [`build`].
pub const REGULARIZER_NAMES: &[&str] = &["none", "l2", "l1", "elastic_net", "l0"];

/// A regularizer as named in a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegularizerKind {
    /// No penalty.
    None,
    /// Ridge.
    L2,
    /// Lasso.
    L1,
    /// L1 + L2.
    ElasticNet,
    /// Count of nonzeros.
    L0,
}

impl RegularizerKind {
    /// Parses a name from [`REGULARIZER_NAMES`].
    pub fn parse(name: &str) -> Result<Self, RegularizerError> {
        Ok(match name {
            "none" => Self::None,
            "l2" => Self::L2,
            "l1" => Self::L1,
            "elastic_net" => Self::ElasticNet,
            "l0" => Self::L0,
            _ => {
                return Err(RegularizerError::UnknownName {
                    name: name.to_string(),
                    expected: REGULARIZER_NAMES.join(", "),
                })
            }
        })
    }

    /// The name used in specs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::L2 => "l2",
            Self::L1 => "l1",
            Self::ElasticNet => "elastic_net",
            Self::L0 => "l0",
        }
    }
}

/// Builds the regularizer `kind` with strength `lambda`; `l1_ratio` is used by the elastic net
/// only, `convention` by the penalties with an L2 part.
pub fn build(
    kind: RegularizerKind,
    lambda: f64,
    l1_ratio: f64,
    convention: L2Convention,
) -> Result<Box<dyn Regularizer>, RegularizerError> {
    Ok(match kind {
        RegularizerKind::None => Box::new(NoPenalty),
        RegularizerKind::L2 => Box::new(L2::new(lambda, convention)?),
        RegularizerKind::L1 => Box::new(L1::new(lambda)?),
        RegularizerKind::ElasticNet => Box::new(ElasticNet::new(lambda, l1_ratio, convention)?),
        RegularizerKind::L0 => Box::new(L0::new(lambda)?),
    })
}

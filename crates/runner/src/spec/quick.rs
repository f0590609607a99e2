//! `[quick]`: how `--quick` shrinks an experiment so that it runs in seconds (applied by
//! `plan::apply_quick`).

use anyhow::bail;
use serde::{Deserialize, Serialize};

/// How `--quick` shrinks the experiment so that it runs in seconds.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuickSpec {
    /// Training examples (synthetic), default 2000.
    #[serde(default = "default_quick_train")]
    pub n_train: u64,
    /// Validation examples (synthetic), default 1000.
    #[serde(default = "default_quick_eval")]
    pub n_validation: u64,
    /// Test examples (synthetic), default 1000.
    #[serde(default = "default_quick_eval")]
    pub n_test: u64,
    /// Values of k (default: the smallest and the largest of the grid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<Vec<u32>>,
    /// How many of the grid's seeds are kept (default 1).
    #[serde(default = "default_one")]
    pub seeds: usize,
    /// At most this many lambdas per optimizer, spread over the list (default 3).
    #[serde(default = "default_quick_lambdas")]
    pub max_lambdas: usize,
    /// At most this many mini-batches per online run (default: no cap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
    /// Real data: at most this many rows of each file (default 5000); explicit split ranges
    /// are scaled down with them.
    #[serde(default = "default_quick_rows")]
    pub max_rows: u64,
}

impl Default for QuickSpec {
    fn default() -> Self {
        Self {
            n_train: default_quick_train(),
            n_validation: default_quick_eval(),
            n_test: default_quick_eval(),
            k: None,
            seeds: 1,
            max_lambdas: default_quick_lambdas(),
            max_steps: None,
            max_rows: default_quick_rows(),
        }
    }
}

fn default_quick_rows() -> u64 {
    5000
}
fn default_quick_train() -> u64 {
    2000
}
fn default_quick_eval() -> u64 {
    1000
}
fn default_one() -> usize {
    1
}
fn default_quick_lambdas() -> usize {
    3
}

impl QuickSpec {
    /// Checks the sizes (its `k` is checked with the grid's by [`super::DataSpec::check`]).
    pub fn check(&self) -> anyhow::Result<()> {
        if self.n_train == 0 || self.n_validation == 0 || self.n_test == 0 {
            bail!("`quick.n_train`, `quick.n_validation` and `quick.n_test` must be >= 1");
        }
        if self.seeds == 0 || self.max_lambdas == 0 || self.max_rows == 0 {
            bail!("`quick.seeds`, `quick.max_lambdas` and `quick.max_rows` must be >= 1");
        }
        Ok(())
    }
}

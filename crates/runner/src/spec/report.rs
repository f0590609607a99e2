//! `[report]`: what is written besides `runs.csv`.

use serde::{Deserialize, Serialize};

/// What is written besides `runs.csv`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Write the selected models as CSV (feature name, weight) under `models/` (default false;
    /// the `--export-models` flag turns it on too).
    #[serde(default)]
    pub export_models: bool,
    /// Draw the plots (default true).
    #[serde(default = "default_true")]
    pub plots: bool,
}

impl Default for ReportSpec {
    fn default() -> Self {
        Self { export_models: false, plots: true }
    }
}

fn default_true() -> bool {
    true
}

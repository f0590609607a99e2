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
    /// Write `calibration.csv`: each selected run's test rows in this many equal-count bins of
    /// predicted probability (2 to 1000; default none: no file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration_bins: Option<u32>,
}

/// The most calibration bins `report.calibration_bins` may ask for.
pub const MAX_CALIBRATION_BINS: u32 = 1000;

impl ReportSpec {
    /// `calibration_bins` is in range.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(bins) = self.calibration_bins {
            if !(2..=MAX_CALIBRATION_BINS).contains(&bins) {
                anyhow::bail!(
                    "`report.calibration_bins` = {bins}: a calibration table needs 2 to \
                     {MAX_CALIBRATION_BINS} bins"
                );
            }
        }
        Ok(())
    }
}

impl Default for ReportSpec {
    fn default() -> Self {
        Self { export_models: false, plots: true, calibration_bins: None }
    }
}

fn default_true() -> bool {
    true
}

//! What a real data set adds to a report once it is built: its loader warnings on the console,
//! its fitted feature columns in `features.md` (one section per data set, see
//! `report::features`), and with `--export-models` each selected model as a self-describing JSON
//! file beside its CSV (`report::saved_model`), which `runner predict` reads.

use std::path::Path;

use optimizers::LinearModel;

use crate::data::Dataset;
use crate::record::RunRecord;
use crate::report::atomic_write::write_atomic;
use crate::report::features;
use crate::report::saved_model::SavedModel;

/// The `features.md` sections written so far, `(title, body)`.
#[derive(Debug, Default)]
pub struct FeatureSections {
    sections: Vec<(String, String)>,
}

impl FeatureSections {
    /// Prints the warnings of a real data set just built and rewrites `features.md` with its
    /// section added (synthetic data sets add nothing).
    pub fn add(&mut self, data: &Dataset, dir: &Path, experiment: &str) -> anyhow::Result<()> {
        if data.pipeline.is_none() {
            return Ok(());
        }
        for warning in &data.warnings {
            eprintln!("warning: {} (seed {}): {warning}", data.name, data.key.seed);
        }
        let title = format!("{}, seed {}", data.name, data.key.seed);
        let body = features::section(&data.space, &data.warnings);
        self.sections.push((title, body));
        write_atomic(
            &dir.join("features.md"),
            features::render(experiment, &self.sections).as_bytes(),
        )
    }
}

/// Writes `models_dir/<run id>.json` for a model trained on a real data set (nothing for
/// synthetic data, which has no pipeline to read a file with).
pub fn save_model(
    models_dir: &Path,
    row: &RunRecord,
    model: &LinearModel,
    data: &Dataset,
) -> anyhow::Result<()> {
    let Some(pipeline) = &data.pipeline else { return Ok(()) };
    let saved = SavedModel::new(row, model, &data.space, pipeline)?;
    saved.write(&models_dir.join(format!("{}.json", row.run_id)))
}

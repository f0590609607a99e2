//! `calibration.csv` (when `[report] calibration_bins` is set): every selected run's test rows
//! in equal-count bins of predicted probability ([`optimizers::calibration`]), one row per
//! (run, bin). Written through the atomic writer after each data set's selection; rows of runs
//! this process did not train (resumed, so no model in memory) are kept from the file as it
//! was, and rows of runs no longer selected are dropped. Refit rows are not binned.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use optimizers::calibration::calibration_bins;
use optimizers::{LinearModel, LossKind};

use crate::data::Dataset;
use crate::record::RunRecord;
use crate::report::atomic_write::write_atomic;
use crate::sweep::kept_rows::read_kept_rows;

/// The file's name in a report directory.
pub const CALIBRATION_FILE: &str = "calibration.csv";

/// The file's columns.
const HEADER: [&str; 11] = [
    "run_id",
    "regularizer",
    "optimizer",
    "seed",
    "lambda",
    "bin",
    "rows",
    "min_predicted",
    "max_predicted",
    "mean_predicted",
    "observed_rate",
];

/// The rows of `calibration.csv` so far (read from the file when the first data set adds some).
#[derive(Debug, Default)]
pub struct CalibrationFile {
    rows: Option<Vec<Vec<String>>>,
}

impl CalibrationFile {
    /// Bins the test predictions of every selected row of `rows` whose model is in `models`
    /// (logistic models on a data set with a test split) and rewrites the file in `dir`.
    pub fn add(
        &mut self,
        dir: &Path,
        bins: usize,
        rows: &[RunRecord],
        models: &HashMap<String, LinearModel>,
        data: &Dataset,
    ) -> anyhow::Result<()> {
        let path = dir.join(CALIBRATION_FILE);
        if self.rows.is_none() {
            self.rows = Some(read_kept_rows(&path, "a calibration table", HEADER.len())?);
        }
        let kept = self.rows.get_or_insert_with(Vec::new);
        let selected: Vec<&RunRecord> = rows.iter().filter(|r| r.selected).collect();
        let current: HashSet<&str> = selected.iter().map(|r| r.run_id.as_str()).collect();
        let fresh: Vec<(&RunRecord, &LinearModel)> = selected
            .iter()
            .filter_map(|r| models.get(&r.run_id).map(|m| (*r, m)))
            .filter(|(_, m)| m.loss == LossKind::Logistic && !data.test.is_empty())
            .collect();
        let replaced: HashSet<&str> = fresh.iter().map(|(r, _)| r.run_id.as_str()).collect();
        kept.retain(|row| {
            let id = row.first().map_or("", String::as_str);
            current.contains(id) && !replaced.contains(id)
        });
        for (record, model) in fresh {
            kept.extend(bin_rows(record, model, data, bins));
        }
        kept.sort_by(|a, b| (&a[0], bin_index(a)).cmp(&(&b[0], bin_index(b))));
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(HEADER)?;
        for row in kept.iter() {
            writer.write_record(row)?;
        }
        write_atomic(&path, &writer.into_inner()?)
    }
}

/// A row's bin number (for a stable order).
fn bin_index(row: &[String]) -> usize {
    row.get(5).and_then(|b| b.parse().ok()).unwrap_or(0)
}

/// The file rows of one run: its test predictions binned.
fn bin_rows(
    record: &RunRecord,
    model: &LinearModel,
    data: &Dataset,
    bins: usize,
) -> Vec<Vec<String>> {
    let (p, y): (Vec<f64>, Vec<f64>) =
        data.test.iter().map(|e| (model.predict(e), e.label)).unzip();
    calibration_bins(&p, &y, bins)
        .iter()
        .enumerate()
        .map(|(i, bin)| {
            vec![
                record.run_id.clone(),
                record.regularizer.clone(),
                record.optimizer.clone(),
                record.seed.to_string(),
                record.lambda.to_string(),
                i.to_string(),
                bin.rows.to_string(),
                bin.min_predicted.to_string(),
                bin.max_predicted.to_string(),
                bin.mean_predicted.to_string(),
                bin.observed_rate.to_string(),
            ]
        })
        .collect()
}

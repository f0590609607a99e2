//! `runner predict MODEL DATA.csv [--out FILE]`: reads a saved model (`report::saved_model`),
//! rebuilds its feature pipeline, reads the CSV with the model's schema (the label column is
//! optional) and writes one prediction per data row: `row,probability` (`row,prediction` for a
//! squared-loss model), plus `label` when the file has the label column, in which case the
//! metrics of the model on the file are printed too, computed by the same code as the report's
//! test metrics (so predicting a run's test file reproduces them exactly).
//!
//! Uses `report` (the saved model, atomic writes).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use optimizers::{eval, LossKind};

use crate::output_guard::{check_outputs, Named};
use crate::report::atomic_write::write_atomic;
use crate::report::saved_model::SavedModel;

/// What `runner predict` was asked.
#[derive(Debug, Clone)]
pub struct PredictRequest {
    /// The saved model (`models/<run id>.json` of a report).
    pub model: PathBuf,
    /// The CSV (or .csv.gz) to score.
    pub data: PathBuf,
    /// Where to write the predictions (stdout when absent).
    pub out: Option<PathBuf>,
}

/// The metrics line printed for a labelled file.
pub fn metrics_line(data: &Path, metrics: &eval::Metrics, loss: LossKind) -> String {
    match loss {
        LossKind::Logistic => format!(
            "{}: {} rows, log_loss = {}, accuracy = {}, auc = {}",
            data.display(),
            metrics.n,
            metrics.log_loss,
            metrics.accuracy,
            metrics.auc
        ),
        LossKind::Squared => {
            format!("{}: {} rows, mse = {}", data.display(), metrics.n, metrics.mse)
        }
    }
}

/// Runs `runner predict`.
pub fn run(request: &PredictRequest) -> anyhow::Result<()> {
    if let Some(out) = &request.out {
        check_outputs(
            &[Named { option: "--out", path: out }],
            &[
                Named { option: "MODEL", path: &request.model },
                Named { option: "DATA", path: &request.data },
            ],
        )?;
    }
    let saved = SavedModel::read(&request.model)?;
    let (model, _space) = saved.model().with_context(|| format!("{}", request.model.display()))?;
    let name = request.data.display().to_string();
    if request.data.is_dir() {
        anyhow::bail!("{name} is a directory, not a CSV file to predict");
    }
    let read = saved.pipeline.read(&request.data, &name).with_context(|| {
        format!("reading {name} with the schema of {}", request.model.display())
    })?;
    let column = match model.loss {
        LossKind::Logistic => "probability",
        LossKind::Squared => "prediction",
    };
    let mut csv = format!("row,{column}{}\n", if read.labelled { ",label" } else { "" });
    for (i, example) in read.examples.iter().enumerate() {
        let _ = write!(csv, "{},{}", i + 1, model.predict(example));
        if read.labelled {
            let _ = write!(csv, ",{}", example.label);
        }
        csv.push('\n');
    }
    let metrics = (read.labelled && !read.examples.is_empty())
        .then(|| metrics_line(&request.data, &eval::evaluate(&model, &read.examples), model.loss));
    match &request.out {
        Some(out) => {
            write_atomic(out, csv.as_bytes())?;
            println!("{} predictions written to {}", read.examples.len(), out.display());
            if let Some(line) = metrics {
                println!("{line}");
            }
        }
        None => {
            std::io::stdout().write_all(csv.as_bytes()).context("writing the predictions")?;
            if let Some(line) = metrics {
                eprintln!("{line}");
            }
        }
    }
    Ok(())
}

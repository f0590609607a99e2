//! Experiment specs: the TOML files in `experiments/`, parsed with serde and checked once.
//!
//! Every table rejects unknown keys. Errors name the spec file and, where the TOML parser knows
//! it, the line and the key; checks made after parsing name the key by its dotted path (for
//! example `regularizer[2].optimizer[0].lambdas`). `experiments/README.md` documents every key.
//!
//! The bottom layer of the runner: it depends on no other module of it but `messages` (hints
//! and quoted values in errors). [`locate`] finds the line of a key for errors. One file per table:
//! [`experiment`] (the whole, and the checks that span tables), [`data`], [`grid`] (with the
//! [`training`] knobs, declared once, that optimizer entries may override), [`regularizer`],
//! [`optimizer`] (an `Online | Batch` entry), [`selection`], [`quick`], [`report`] and
//! [`compare`]. [`resolve`] reads the parts the libraries define (data tables) as the
//! libraries' types, [`feasible`] finds the combinations of values that can only fail (with the
//! libraries' own checks). A value repeated in a grid list (`k`, `seeds`, `lambdas`,
//! `support_sizes`, `quick.k`) is an error naming the key and the value.

pub mod compare;
pub mod data;
pub mod experiment;
pub mod feasible;
pub mod grid;
pub mod hash_grid;
pub mod libsvm;
pub mod locate;
pub mod optimizer;
pub mod quick;
pub mod regularizer;
pub mod report;
pub mod resolve;
mod rules;
pub mod selection;
pub mod training;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::messages::with_suggestion;

pub use self::data::DataSpec;
pub use self::experiment::ExperimentSpec;
pub use self::grid::{parse_size, GridSpec, SizeSpec};
pub use self::optimizer::{BatchSpec, Family, OnlineSpec, OptimizerSpec, PathSpec};
pub use self::quick::QuickSpec;
pub use self::regularizer::RegularizerSpec;
pub use self::report::ReportSpec;
pub use self::selection::{Budget, SearchSpec, SelectionMetric, SelectionSpec};
pub use self::training::{ScheduleSpec, TrainingSpec, DEFAULT_SCHEDULE};

/// A spec together with the file it came from (errors and metadata name it).
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The file read.
    pub path: PathBuf,
    /// Its parsed, checked content.
    pub spec: ExperimentSpec,
    /// The file's text, recorded in `metadata.json`.
    pub text: String,
}

/// Reads, parses and checks a spec file.
pub fn load(path: &Path) -> anyhow::Result<LoadedSpec> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read experiment spec {}", path.display()))?;
    let spec = parse(&text, path)?;
    Ok(LoadedSpec { path: path.to_path_buf(), spec, text })
}

/// Parses and checks spec text; `path` is only used in error messages, which start with
/// `FILE:LINE:COLUMN:` where the line is known and end with a "did you mean" for a misspelled
/// name.
pub fn parse(text: &str, path: &Path) -> anyhow::Result<ExperimentSpec> {
    let file = path.display().to_string();
    let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(&file, text, e))?;
    let located = |e: anyhow::Error| {
        let message = e.to_string();
        let keys = |r: usize, o: Option<usize>| entry_keys(&table, r, o);
        let at = locate::of_entry_error(text, &message, &keys);
        in_file(&file, at, &message)
    };
    // The optimizer entries first, so that their errors name their path (serde's do not).
    read_optimizer_entries(&table).map_err(located)?;
    let spec: ExperimentSpec = toml::from_str(text).map_err(|e| toml_error(&file, text, e))?;
    spec.check().map_err(located)?;
    Ok(spec)
}

/// `FILE:LINE:COLUMN: MESSAGE` (`FILE: MESSAGE` without a location), with a "did you mean".
fn in_file(file: &str, at: Option<locate::Location>, message: &str) -> anyhow::Error {
    let message = with_suggestion(message.trim_end(), &[]);
    match at {
        Some(at) => anyhow::anyhow!("{file}:{at}: {message}"),
        None => anyhow::anyhow!("{file}: {message}"),
    }
}

/// A TOML or serde error at its line: the key's own line when serde names an unknown key of
/// a table it points at by its header.
fn toml_error(file: &str, text: &str, error: toml::de::Error) -> anyhow::Error {
    let message = error.message();
    let at = error.span().map(|span| {
        let unknown = message.strip_prefix("unknown field `").and_then(|r| r.split('`').next());
        // Or a message that starts with the key's dotted path (`grid.k`).
        let path = message.strip_prefix('`').and_then(|r| r.split('`').next());
        let named = unknown.or_else(|| path.and_then(|p| p.rsplit('.').next()));
        let key = named.and_then(|k| locate::key_in_table(text, span.start, k));
        locate::of_offset(text, key.unwrap_or(span.start))
    });
    in_file(file, at, message)
}

/// The keys of regularizer entry `r`, or of its optimizer entry `o`.
fn entry_keys(table: &toml::Table, r: usize, o: Option<usize>) -> Vec<String> {
    let reg = table.get("regularizer").and_then(|v| v.get(r));
    let entry = match o {
        Some(o) => reg.and_then(|reg| reg.get("optimizer")).and_then(|opts| opts.get(o)),
        None => reg,
    };
    let keys = entry.and_then(toml::Value::as_table).map(|t| t.keys().cloned().collect());
    keys.unwrap_or_default()
}

/// Reads every `[[regularizer.optimizer]]` table as [`OptimizerSpec::from_table`] does, with
/// its path (what is not a table is left to the typed parse, which says so).
fn read_optimizer_entries(table: &toml::Table) -> anyhow::Result<()> {
    let array = |value: Option<&toml::Value>| value.and_then(toml::Value::as_array).cloned();
    for (r, reg) in array(table.get("regularizer")).unwrap_or_default().iter().enumerate() {
        let entries = array(reg.get("optimizer")).unwrap_or_default();
        for (o, entry) in entries.iter().enumerate() {
            if let Some(entry) = entry.as_table() {
                let at = format!("regularizer[{r}].optimizer[{o}]");
                OptimizerSpec::from_table(&at, entry.clone())?;
            }
        }
    }
    Ok(())
}

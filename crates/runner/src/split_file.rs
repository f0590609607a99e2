//! `runner split DATA.csv --test-fraction F --train-out A.csv --test-out B.csv`: cuts one CSV
//! file into a training and a test file, for a user who has a single file (the header is copied
//! to both). Which rows go to test is decided by a seeded hash of each row's index (the
//! `round(F n)` rows of smallest hash), so the cut is reproducible; each output keeps file order.
//!
//! `--derive-label "NAME=COLUMN OP NUMBER"` also appends a text column `NAME` holding the first of
//! `--label-texts POS,NEG` (default `yes,no`) where the comparison holds and the second elsewhere:
//! a text label made from a numeric column, to try `positive`/`negative` label rules on data that
//! has none. Errors name the file, the line and the column.
//!
//! Both outputs are written atomically and may be neither the input nor each other.
//!
//! A bad option value (`--test-fraction`, `--derive-label`) is a usage error (exit code 2).
//!
//! Uses `provenance` (the FNV-1a hasher), `report` (atomic writes), `output_guard`, `messages`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use features::did_you_mean;
use features::real::LabelRule;

use crate::messages::usage_error;
use crate::output_guard::{check_outputs, Named};
use crate::provenance::Fnv64;
use crate::report::atomic_write::write_atomic;

/// What `runner split` was asked.
#[derive(Debug, Clone)]
pub struct SplitRequest {
    /// The CSV to cut.
    pub input: PathBuf,
    /// Share of the rows that go to the test file, in (0, 1).
    pub test_fraction: f64,
    /// Seed of the hash that picks the test rows.
    pub seed: u64,
    /// The training file to write.
    pub train_out: PathBuf,
    /// The test file to write.
    pub test_out: PathBuf,
    /// `NAME=COLUMN OP NUMBER`: a text label column to append.
    pub derive_label: Option<String>,
    /// The texts of the derived label, positive first.
    pub label_texts: (String, String),
}

/// A text label derived from a numeric column.
struct DerivedLabel {
    name: String,
    column: String,
    field: usize,
    rule: LabelRule,
}

/// Parses `NAME=COLUMN OP NUMBER`.
fn parse_derived(text: &str) -> anyhow::Result<(String, String, LabelRule)> {
    let (name, rest) = text
        .split_once('=')
        .with_context(|| format!("--derive-label `{text}`: expected NAME=COLUMN OP NUMBER, e.g. price=median_house_value > 265000"))?;
    let at = rest.find(['>', '<', '=', '!']).with_context(|| {
        format!("--derive-label `{text}`: no comparison (>, >=, <, <=, ==, !=)")
    })?;
    let (column, rule) = rest.split_at(at);
    let rule =
        LabelRule::parse(rule).map_err(|e| anyhow::anyhow!("--derive-label `{text}`: {e}"))?;
    let (name, column) = (name.trim().to_string(), column.trim().to_string());
    if name.is_empty() || column.is_empty() {
        anyhow::bail!("--derive-label `{text}`: NAME and COLUMN must not be empty");
    }
    Ok((name, column, rule))
}

/// Runs `runner split`; prints how many rows went where.
pub fn run(request: &SplitRequest) -> anyhow::Result<()> {
    let f = request.test_fraction;
    if !(f > 0.0 && f < 1.0) {
        return Err(usage_error(format!(
            "--test-fraction must be between 0 and 1 (exclusive), got {f}"
        )));
    }
    check_outputs(
        &[
            Named { option: "--train-out", path: &request.train_out },
            Named { option: "--test-out", path: &request.test_out },
        ],
        &[Named { option: "DATA", path: &request.input }],
    )?;
    let file = request.input.display().to_string();
    let (header, records) = read_rows(request, &file)?;
    let n = records.len();
    let n_test = ((n as f64 * f).round() as usize).min(n);
    let mut order: Vec<(u64, usize)> = (0..n)
        .map(|i| {
            let key =
                Fnv64::new().with(&request.seed.to_le_bytes()).with(&(i as u64).to_le_bytes());
            (key.finish(), i)
        })
        .collect();
    order.sort_unstable();
    let mut is_test = vec![false; n];
    for &(_, i) in &order[..n_test] {
        is_test[i] = true;
    }
    let rows = |test: bool| records.iter().zip(&is_test).filter(move |(_, &t)| t == test);
    write(&request.train_out, &header, rows(false).map(|(r, _)| r))
        .with_context(|| format!("cannot write --train-out {}", request.train_out.display()))?;
    if let Err(e) = write(&request.test_out, &header, rows(true).map(|(r, _)| r)) {
        // No half of a split is left behind: the training file just written goes too.
        let removed = std::fs::remove_file(&request.train_out).is_ok();
        return Err(e).with_context(|| {
            format!(
                "cannot write --test-out {}{}",
                request.test_out.display(),
                if removed { " (the --train-out file just written is removed)" } else { "" }
            )
        });
    }
    println!(
        "{file}: {} rows to {}, {n_test} rows to {}",
        n - n_test,
        request.train_out.display(),
        request.test_out.display()
    );
    Ok(())
}

/// The input's header and rows, with the derived label column appended when asked.
fn read_rows(
    request: &SplitRequest,
    file: &str,
) -> anyhow::Result<(csv::StringRecord, Vec<csv::StringRecord>)> {
    if request.input.is_dir() {
        anyhow::bail!("{file} is a directory, not a CSV file");
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&request.input)
        .with_context(|| format!("cannot read {file}"))?;
    let mut header =
        reader.headers().with_context(|| format!("{file}: cannot read the header"))?.clone();
    let derived = match &request.derive_label {
        Some(text) => {
            let (name, column, rule) =
                parse_derived(text).map_err(|e| usage_error(format!("{e:#}")))?;
            let field = header.iter().position(|h| h.trim() == column).ok_or_else(|| {
                usage_error(format!(
                    "--derive-label: {file}: column `{column}` not in the header ({}){}",
                    header.iter().collect::<Vec<_>>().join(", "),
                    did_you_mean::hint(&column, header.iter().map(str::trim))
                ))
            })?;
            if header.iter().any(|h| h.trim() == name) {
                anyhow::bail!("{file}: the header already has a column `{name}`");
            }
            header.push_field(&name);
            Some(DerivedLabel { name, column, field, rule })
        }
        None => None,
    };
    let mut records = Vec::new();
    for record in reader.records() {
        let mut record = record.with_context(|| format!("{file}: a malformed row"))?;
        if let Some(d) = &derived {
            let line = record.position().map_or(0, |p| p.line());
            let text = record.get(d.field).unwrap_or_default();
            let value: f64 = text.trim().parse().ok().filter(|v: &f64| v.is_finite()).with_context(|| {
                format!("{file} line {line}, column `{}`: cannot parse `{text}` as a finite number (for --derive-label {})", d.column, d.name)
            })?;
            let (pos, neg) = &request.label_texts;
            record.push_field(if d.rule.apply(value) == 1.0 { pos } else { neg });
        }
        records.push(record);
    }
    Ok((header, records))
}

/// Writes one output through a temporary file and a rename, so that a full disk or an
/// interrupted split leaves no half-written file, and the error names the file.
fn write<'a>(
    path: &Path,
    header: &csv::StringRecord,
    rows: impl Iterator<Item = &'a csv::StringRecord>,
) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    write_atomic(path, &bytes)
}

//! Real data: CSV and gzipped CSV files read with a declared schema ([`spec`]), split
//! deterministically, turned into crossed one-hot examples by feature columns fitted on the
//! training split only (bucketizer boundaries and vocabularies never see validation or test
//! rows).
//!
//! Pipeline of [`load`]: read the declared columns, the label (after its rule) and the derived
//! columns (`table`); shuffle and split (`split`); fit bucketizers and vocabularies on the training
//! rows and build the [`FeatureSpace`] (`columns`); encode every row of every split. Files are
//! opened by `source` (a directory and a broken gzip stream are typed errors). [`count_rows`]
//! bounds a file's rows without parsing it (the runner's memory estimate).

mod columns;
mod datetime;
mod label;
mod source;
pub mod spec;
mod split;
mod table;

use std::io::Read;
use std::path::Path;

pub use label::{Comparison, LabelRule};
pub use spec::{
    BucketizeSpec, CategoricalSpec, ColumnType, CrossSpec, DerivedColumn, DerivedOp,
    FeatureColumnsSpec, LabelSpec, RealDataSpec, Schema, SplitFractions, SplitRanges, SplitSpec,
};

pub(crate) use source::{io_error, open_file};

use crate::error::{invalid, FeaturesError};
use crate::{FeatureSpace, SparseExample};

/// A loaded data set: examples per split (in shuffled order), the fitted feature space.
#[derive(Debug, Clone)]
pub struct RealDataset {
    /// Training examples.
    pub train: Vec<SparseExample>,
    /// Validation examples (may be empty).
    pub validation: Vec<SparseExample>,
    /// Test examples (may be empty).
    pub test: Vec<SparseExample>,
    /// The feature space fitted on the training split.
    pub space: FeatureSpace,
    /// Data rows read from the file (after `max_rows`).
    pub rows_read: u64,
}

/// Loads `spec.file` from `data_dir` (see the module doc). Errors name the full path of a missing
/// file; the file, line, column and value of a bad field; the spec field of a bad setting.
pub fn load(data_dir: &Path, spec: &RealDataSpec) -> Result<RealDataset, FeaturesError> {
    let rule = LabelRule::parse(&spec.schema.label.rule)?;
    validate_schema(&spec.schema)?;
    split::validate(&spec.split)?;
    let path = data_dir.join(&spec.file);
    let file = spec.file.as_str();
    let table = table::read_table(&path, file, &spec.schema, &rule, spec.max_rows)?;
    if table.rows() == 0 {
        return Err(FeaturesError::EmptyData { file: file.to_owned(), what: "the data".into() });
    }
    let rows = split::split_rows(table.rows(), &spec.split)?;
    if rows.train.is_empty() {
        let what = "the training split".into();
        return Err(FeaturesError::EmptyData { file: file.to_owned(), what });
    }
    if rule.is_binary() {
        check_two_classes(&table.labels, &rows.train, file, &spec.schema.label)?;
    }
    let fitted = columns::fit(&table, &spec.features, &rows.train)?;
    let encode = |indices: &[usize]| {
        let mut buckets = Vec::with_capacity(fitted.space.columns().len());
        // One id per group: each example's buffers are allocated once, at their final size.
        let groups = fitted.space.groups().len();
        let examples = indices.iter().map(|&row| {
            fitted.buckets(row, &mut buckets);
            let mut example = SparseExample {
                ids: Vec::with_capacity(groups),
                values: Vec::with_capacity(groups),
                label: table.labels[row],
                true_prob: None,
            };
            fitted.space.encode(&buckets, &mut example);
            example
        });
        examples.collect::<Vec<_>>()
    };
    let (train, validation, test) =
        (encode(&rows.train), encode(&rows.validation), encode(&rows.test));
    Ok(RealDataset { train, validation, test, space: fitted.space, rows_read: table.rows() as u64 })
}

/// An upper bound on the data rows of `spec.file` (at most `spec.max_rows`), found without
/// parsing: the line breaks of the (decompressed) file, minus the header line. A quoted field
/// holding a line break counts as an extra row, so the bound may be high, never low. It reads the
/// whole file unless `max_rows` is reached first, so a broken gzip stream is reported here too.
pub fn count_rows(data_dir: &Path, spec: &RealDataSpec) -> Result<u64, FeaturesError> {
    let path = data_dir.join(&spec.file);
    let limit = spec.max_rows.map_or(u64::MAX, |m| m.saturating_add(1));
    let mut reader = source::open_data(&path)?;
    let mut buffer = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    while lines < limit {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(&path, e)),
        };
        lines += buffer[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buffer[n - 1];
    }
    if last != b'\n' {
        lines += 1; // a last line without a line break
    }
    let rows = lines.saturating_sub(1);
    Ok(spec.max_rows.map_or(rows, |m| rows.min(m)))
}

/// Derived columns: known operation inputs, declared with the right type, unique names.
fn validate_schema(schema: &Schema) -> Result<(), FeaturesError> {
    for (i, derived) in schema.derived.iter().enumerate() {
        let field = format!("schema.derived[{i}]");
        let wanted = match derived.op {
            DerivedOp::Ratio => (2, ColumnType::Numeric),
            DerivedOp::Hour | DerivedOp::DayOfWeek | DerivedOp::Month => (1, ColumnType::Datetime),
        };
        if derived.of.len() != wanted.0 {
            return Err(invalid(
                format!("{field}.of"),
                format!(
                    "`{:?}` takes {} column(s), got {}",
                    derived.op,
                    wanted.0,
                    derived.of.len()
                ),
            ));
        }
        for input in &derived.of {
            if schema.columns.get(input) != Some(&wanted.1) {
                return Err(invalid(
                    format!("{field}.of"),
                    format!("`{input}` must be declared in schema.columns as {:?}", wanted.1)
                        .to_lowercase(),
                ));
            }
        }
        let clash = schema.columns.contains_key(&derived.name)
            || schema.derived[..i].iter().any(|d| d.name == derived.name);
        if clash {
            return Err(invalid(
                format!("{field}.name"),
                format!("`{}` is already a column", derived.name),
            ));
        }
    }
    Ok(())
}

fn check_two_classes(
    labels: &[f64],
    train: &[usize],
    file: &str,
    label: &LabelSpec,
) -> Result<(), FeaturesError> {
    let first = labels[train[0]];
    if train.iter().all(|&r| labels[r] == first) {
        return Err(FeaturesError::OneClass {
            file: file.to_owned(),
            rule: format!("{} {}", label.column, label.rule.trim()),
            rows: train.len(),
            class: first,
        });
    }
    Ok(())
}

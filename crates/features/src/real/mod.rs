//! Real data: CSV and gzipped CSV files read with a declared schema ([`spec`]), split
//! deterministically, turned into crossed one-hot examples by feature columns fitted on the
//! training split only (bucketizer boundaries and vocabularies never see validation or test
//! rows).
//!
//! Pipeline of [`load`]: read the declared columns, the label (after its rule: numeric, or the
//! texts of two classes, `label`) and the derived columns of `file`, then of `validation_file`
//! and `test_file` when given (`table`); shuffle and split `file`'s rows (`split`), the other
//! files' rows joining the validation and test splits; fit bucketizers and vocabularies on the
//! training rows and build the [`FeatureSpace`] (`columns`); encode every row of every split. The
//! fitted [`FeaturePipeline`] (`pipeline`) is the same thing as plain data: saved with a model,
//! it encodes new files exactly as the training files were. Files are opened by `source` (a
//! directory and a broken gzip stream are typed errors). [`count_rows`] bounds the rows of the
//! files without parsing them (the runner's memory estimate).
//!
//! [`load_streamed`] (`streamed`) loads the same data set with its training split left in the
//! file: a split that keeps file order is fitted in one pass that holds only what the fit needs,
//! and [`TrainRows`] (`rows`) reads and encodes the training rows again on every pass, giving
//! the examples `load` would hold, in the same order.

mod columns;
mod datetime;
mod hash_stats;
mod label;
pub mod pipeline;
mod rows;
mod source;
pub mod spec;
pub(crate) mod split;
mod streamed;
mod table;
mod whole;

use std::io::Read;
use std::path::Path;

pub use label::{Comparison, LabelClasses, LabelRule};
pub use pipeline::{FeaturePipeline, FittedColumn, FittedEncoding, ReadExamples};
pub use rows::{TrainPass, TrainRows};
pub use spec::{
    BucketizeSpec, CategoricalSpec, ColumnType, CrossSpec, DerivedColumn, DerivedOp,
    FeatureColumnsSpec, FileRole, LabelSpec, RealDataSpec, Schema, SplitFractions, SplitRanges,
    SplitSpec,
};
pub use streamed::{load_streamed, StreamedDataset};
pub use whole::{read_whole, WholeFile};

pub(crate) use source::{io_error, open_file};

use crate::error::{invalid, FeaturesError};
use crate::space::hash_stats::CrossCollisions;
use crate::space::HashStats;
use crate::{FeatureSpace, SparseExample};
use table::{LabelColumn, TableFile};

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
    /// The same, as data that can be saved and rebuilds `space`.
    pub pipeline: FeaturePipeline,
    /// Data rows read from the files (each after `max_rows`).
    pub rows_read: u64,
    /// What the user should know: each bucketized column that has fewer buckets than asked.
    pub warnings: Vec<String>,
    /// The collisions, on the training split, of every hashed categorical column (first, in
    /// spec order) and hashed cross (in group order); empty without hashing.
    pub hash_stats: Vec<HashStats>,
}

/// Loads `spec.file` (and `validation_file`, `test_file`) from `data_dir` (see the module doc).
/// Errors name the full path of a missing file; the file, line, column and value of a bad field;
/// the spec field of a bad setting.
pub fn load(data_dir: &Path, spec: &RealDataSpec) -> Result<RealDataset, FeaturesError> {
    let rule = LabelRule::from_spec(&spec.schema.label)?;
    validate_schema(&spec.schema)?;
    split::validate(&spec.split, &spec.schema)?;
    let file = spec.file.as_str();
    let paths: Vec<_> = spec.files().iter().map(|&(_, _, f)| data_dir.join(f)).collect();
    let files: Vec<TableFile<'_>> = spec
        .files()
        .into_iter()
        .zip(&paths)
        .map(|((_, _, name), path)| TableFile { path, name })
        .collect();
    let table =
        table::read_table(&files, &spec.schema, &rule, spec.max_rows, LabelColumn::Required)?;
    let main_rows = table.rows_per_file[0];
    if main_rows == 0 {
        return Err(FeaturesError::EmptyData { file: file.to_owned(), what: "the data".into() });
    }
    let mut rows = split::split_rows(main_rows, &spec.split, Some(&table))?;
    let mut next = main_rows;
    for ((role, _, _), &count) in spec.files().iter().zip(&table.rows_per_file).skip(1) {
        let added = next..next + count;
        match role {
            FileRole::Validation => rows.validation.extend(added),
            _ => rows.test.extend(added),
        }
        next += count;
    }
    if rows.train.is_empty() {
        let what = "the training split".into();
        return Err(FeaturesError::EmptyData { file: file.to_owned(), what });
    }
    let first = table.labels[rows.train[0]];
    if rule.is_binary() && rows.train.iter().all(|&r| table.labels[r] == first) {
        return Err(one_class(file, &spec.schema.label, rows.train.len(), first));
    }
    let missing_buckets = !spec.schema.missing.is_empty();
    let fitted = columns::fit(&table, &spec.features, &rows.train, missing_buckets)?;
    let (space, warnings, mut hash_stats) =
        (fitted.space, fitted.warnings, fitted.column_hash_stats);
    let mut crosses = CrossCollisions::new(&space);
    hash_stats::add_rows(
        &mut crosses,
        &columns::encoder(&table, &space)?,
        rows.train.iter().copied(),
    );
    hash_stats.extend(crosses.stats(&space));
    let train = encode(&table, &space, &rows.train)?;
    let validation = encode(&table, &space, &rows.validation)?;
    let test = encode(&table, &space, &rows.test)?;
    let pipeline = FeaturePipeline::new(&spec.schema, &spec.features, &space);
    Ok(RealDataset {
        train,
        validation,
        test,
        space,
        pipeline,
        rows_read: table.rows() as u64,
        warnings,
        hash_stats,
    })
}

/// The examples of `rows` of `table`, encoded by the fitted `space`.
pub(crate) fn encode(
    table: &table::Table,
    space: &FeatureSpace,
    rows: &[usize],
) -> Result<Vec<SparseExample>, FeaturesError> {
    let encoder = columns::encoder(table, space)?;
    let mut buckets = Vec::with_capacity(space.columns().len());
    // One id per group: each example's buffers are allocated once, at their final size.
    let groups = space.groups().len();
    let examples = rows.iter().map(|&row| {
        encoder.buckets(row, &mut buckets);
        let mut example = SparseExample {
            ids: Vec::with_capacity(groups),
            values: Vec::with_capacity(groups),
            label: table.labels[row],
            true_prob: None,
        };
        space.encode(&buckets, &mut example);
        example
    });
    Ok(examples.collect())
}

/// An upper bound on the data rows of the spec's files (at most `spec.max_rows` each), found
/// without parsing: the line breaks of each (decompressed) file, minus its header line (none
/// with `schema.header`). A quoted
/// field holding a line break counts as an extra row, so the bound may be high, never low. It
/// reads each file whole unless `max_rows` is reached first, so a broken gzip stream is reported
/// here too.
pub fn count_rows(data_dir: &Path, spec: &RealDataSpec) -> Result<u64, FeaturesError> {
    let mut total = 0u64;
    for (_, _, file) in spec.files() {
        let header_line = spec.schema.header.is_none();
        total += count_file_rows(&data_dir.join(file), spec.max_rows, header_line)?;
    }
    Ok(total)
}

fn count_file_rows(
    path: &Path,
    max_rows: Option<u64>,
    header_line: bool,
) -> Result<u64, FeaturesError> {
    let limit = max_rows.map_or(u64::MAX, |m| m.saturating_add(1));
    let mut reader = source::open_data(path)?;
    let mut buffer = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    while lines < limit {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_error(path, e)),
        };
        lines += buffer[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buffer[n - 1];
    }
    if last != b'\n' {
        lines += 1; // a last line without a line break
    }
    let rows = lines.saturating_sub(u64::from(header_line));
    Ok(max_rows.map_or(rows, |m| rows.min(m)))
}

/// Derived columns: known operation inputs, declared with the right type, unique names.
pub(crate) fn validate_schema(schema: &Schema) -> Result<(), FeaturesError> {
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

/// The error of a binary label rule that leaves one class, `class`, in the `rows` training
/// rows of `file`.
pub(crate) fn one_class(file: &str, label: &LabelSpec, rows: usize, class: f64) -> FeaturesError {
    FeaturesError::OneClass {
        file: file.to_owned(),
        rule: match &label.rule {
            Some(rule) => format!("{} {}", label.column, rule.trim()),
            None => {
                format!("{} in {:?}", label.column, label.positive.as_deref().unwrap_or_default())
            }
        },
        rows,
        class,
    }
}

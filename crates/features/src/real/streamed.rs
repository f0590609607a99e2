//! Loading a real data set whose training split is streamed (read from its file on every pass,
//! see `rows.rs`) instead of held: the split must keep file order (no shuffle into splits), so
//! that a pass gives the examples [`super::load`] would hold, in the same order. The load
//! reads `file` a few times, holding at most what each read needs:
//!
//! 1. counts its data rows (the split's fractions are shares of them), parsing nothing;
//! 2. fits the feature columns in one pass that parses every row (a bad field anywhere is the
//!    same error as a full load) and keeps of the training rows only what the fit needs: the
//!    bucketized columns' values and the categorical columns' counts (`columns::FitData`),
//!    plus whether the labels have two classes;
//! 3. reads the validation and test rows of `file`, then `validation_file` and `test_file`,
//!    and holds them encoded, as a full load does.

use std::ops::Range;
use std::path::Path;

use super::columns::{encoder, fit_from, FitData, Fitted};
use super::hash_stats::add_rows;
use super::label::LabelRule;
use super::pipeline::FeaturePipeline;
use super::rows::TrainRows;
use super::spec::{FileRole, RealDataSpec};
use super::table::{read_table, FileRows, LabelColumn, TableBuilder, TableFile};
use super::{encode, one_class, split, validate_schema};
use crate::space::hash_stats::CrossCollisions;
use crate::space::HashStats;
use crate::{FeatureSpace, FeaturesError, SparseExample};

/// Rows parsed at a time by the fitting pass.
const FIT_CHUNK_ROWS: u64 = 4096;

/// A real data set with its training split streamed: held validation and test examples, the
/// training rows to read on every pass, the fitted space.
#[derive(Debug, Clone)]
pub struct StreamedDataset {
    /// The training split, read again on every pass.
    pub train: TrainRows,
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
    /// Each bucketized column that has fewer buckets than asked.
    pub warnings: Vec<String>,
    /// The collisions of the hashed columns and crosses on the training split (as
    /// [`super::RealDataset::hash_stats`]; the crosses cost one more pass over the file).
    pub hash_stats: Vec<HashStats>,
}

/// Loads `spec` from `data_dir` with its training split streamed (see the module doc). Errors
/// are those of [`super::load`], and a split that shuffles rows is an error naming
/// `split.shuffle`.
pub fn load_streamed(
    data_dir: &Path,
    spec: &RealDataSpec,
) -> Result<StreamedDataset, FeaturesError> {
    let rule = LabelRule::from_spec(&spec.schema.label)?;
    validate_schema(&spec.schema)?;
    split::validate(&spec.split, &spec.schema)?;
    let path = data_dir.join(&spec.file);
    let main = TableFile { path: &path, name: &spec.file };
    let schema = &spec.schema;
    let main_rows = FileRows::open(&main, schema, spec.max_rows, LabelColumn::Required)?
        .skip(u64::MAX)? as usize;
    if main_rows == 0 {
        return Err(FeaturesError::EmptyData { file: spec.file.clone(), what: "the data".into() });
    }
    let [train, validation, test] = split::file_order_ranges(main_rows, &spec.split)?;
    if train.is_empty() {
        let what = "the training split".into();
        return Err(FeaturesError::EmptyData { file: spec.file.clone(), what });
    }
    let Fitted { space, warnings, column_hash_stats: mut hash_stats } =
        fit_pass(&main, spec, &rule, &train)?;
    hash_stats.extend(cross_stats(&main, spec, &rule, &space, &train)?);
    let mut held = [Vec::new(), Vec::new()];
    for (examples, range) in held.iter_mut().zip([validation, test]) {
        examples.extend(read_range(&main, spec, &rule, &space, range)?);
    }
    let mut rows_read = main_rows as u64;
    for (role, _, name) in spec.files().into_iter().skip(1) {
        let path = data_dir.join(name);
        let file = [TableFile { path: &path, name }];
        let table = read_table(&file, schema, &rule, spec.max_rows, LabelColumn::Required)?;
        let all: Vec<usize> = (0..table.rows()).collect();
        rows_read += all.len() as u64;
        let slot = if role == FileRole::Validation { 0 } else { 1 };
        held[slot].extend(encode(&table, &space, &all)?);
    }
    let [validation, test] = held;
    let rows = train.start as u64..train.end as u64;
    Ok(StreamedDataset {
        train: TrainRows::new(&main, schema, &rule, &space, rows),
        validation,
        test,
        pipeline: FeaturePipeline::new(schema, &spec.features, &space),
        space,
        rows_read,
        warnings,
        hash_stats,
    })
}

/// The fitting pass over `file` (every row parsed, the `train` rows kept for the fit): the
/// fitted space and its warnings; a binary label with one class in training is an error.
fn fit_pass(
    file: &TableFile<'_>,
    spec: &RealDataSpec,
    rule: &LabelRule,
    train: &Range<usize>,
) -> Result<Fitted, FeaturesError> {
    let mut reader = FileRows::open(file, &spec.schema, spec.max_rows, LabelColumn::Required)?;
    let mut data = FitData::new(&spec.features);
    let mut labels = LabelsSeen::default();
    loop {
        let first = reader.rows() as usize;
        let mut builder = TableBuilder::new(&spec.schema, rule);
        let got = reader.read(&mut builder, FIT_CHUNK_ROWS)? as usize;
        if got == 0 {
            break;
        }
        let table = builder.finish(vec![got]);
        // The chunk's rows that train, as positions in the chunk.
        let rows: Vec<usize> =
            (first.max(train.start)..(first + got).min(train.end)).map(|r| r - first).collect();
        data.add(&table, &spec.features, &rows)?;
        rows.iter().for_each(|&r| labels.see(table.labels[r]));
    }
    if let (true, Some(class)) = (rule.is_binary(), labels.only_class()) {
        return Err(one_class(&spec.file, &spec.schema.label, train.len(), class));
    }
    fit_from(&data, &spec.features, !spec.schema.missing.is_empty())
}

/// The collisions of `space`'s hashed crosses on the `train` rows of `file`: one more pass,
/// a chunk at a time (none without a hashed cross).
fn cross_stats(
    file: &TableFile<'_>,
    spec: &RealDataSpec,
    rule: &LabelRule,
    space: &FeatureSpace,
    train: &Range<usize>,
) -> Result<Vec<HashStats>, FeaturesError> {
    let mut crosses = CrossCollisions::new(space);
    if crosses.is_empty() {
        return Ok(Vec::new());
    }
    let mut reader = FileRows::open(file, &spec.schema, spec.max_rows, LabelColumn::Required)?;
    reader.skip(train.start as u64)?;
    while (reader.rows() as usize) < train.end {
        let mut builder = TableBuilder::new(&spec.schema, rule);
        let want = FIT_CHUNK_ROWS.min((train.end - reader.rows() as usize) as u64);
        let got = reader.read(&mut builder, want)? as usize;
        if got == 0 {
            break;
        }
        let table = builder.finish(vec![got]);
        add_rows(&mut crosses, &encoder(&table, space)?, 0..got);
    }
    Ok(crosses.stats(space))
}

/// Rows `range` of `file`, read and encoded by `space`.
fn read_range(
    file: &TableFile<'_>,
    spec: &RealDataSpec,
    rule: &LabelRule,
    space: &FeatureSpace,
    range: Range<usize>,
) -> Result<Vec<SparseExample>, FeaturesError> {
    if range.is_empty() {
        return Ok(Vec::new());
    }
    let mut reader = FileRows::open(file, &spec.schema, spec.max_rows, LabelColumn::Required)?;
    reader.skip(range.start as u64)?;
    let mut builder = TableBuilder::new(&spec.schema, rule);
    let got = reader.read(&mut builder, range.len() as u64)? as usize;
    let table = builder.finish(vec![got]);
    encode(&table, space, &(0..got).collect::<Vec<_>>())
}

/// Whether the training labels seen so far have one class, and which.
#[derive(Debug, Default)]
struct LabelsSeen {
    first: Option<f64>,
    mixed: bool,
}

impl LabelsSeen {
    fn see(&mut self, label: f64) {
        match self.first {
            None => self.first = Some(label),
            Some(first) => self.mixed |= label != first,
        }
    }

    /// The one class when every label seen is the same.
    fn only_class(&self) -> Option<f64> {
        self.first.filter(|_| !self.mixed)
    }
}

//! LIBSVM files as a data source (`[data.libsvm]`): examples whose ids are given (`index - 1`),
//! a training file split like a real data set's (`split`: fractions or ranges of the shuffled
//! or file-ordered rows), optional validation and test files joining those splits, labels
//! `-1`/`+1` or `0`/`1` (both mapped to 0/1; a third value, or both `-1` and `0` among one data
//! set's labels, is an error naming the file and line), and optional feature names (a text file,
//! line `i` naming index `i`). The feature space is one group, `feature`, of one id per index
//! (named `feature=<name>`, or `feature=<index>` without names), so exported models name their
//! weights.
//!
//! ```toml
//! file = "a9a/a9a"
//! test_file = "a9a/a9a.t"
//! split = { fractions = { train = 0.8, validation = 0.2 }, seed = 1 }
//! ```

use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::invalid;
use crate::real::spec::{FileRole, SplitSpec};
use crate::real::split;
use crate::space::{Column, ColumnEncoding, FeatureSpaceBuilder, Vocabulary};
use crate::{FeatureSpace, FeaturesError, SparseExample};

/// Name of the one column and group of a LIBSVM data set's space.
pub const FEATURE_GROUP: &str = "feature";

/// A LIBSVM data set: files, feature names, split. Rejects unknown keys.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LibsvmDataSpec {
    /// The training file (split by `split`), relative to the data directory; `.gz` is
    /// decompressed.
    pub file: String,
    /// A file of validation rows, added to the validation split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_file: Option<String>,
    /// A file of test rows, added to the test split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_file: Option<String>,
    /// A text file of feature names, one per line: line `i` names index `i` (id `i - 1`). The
    /// names must be distinct, and every index of the data files must have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<String>,
    /// Shuffle and split of `file`'s rows, as `[data.real.split]` (no `order_by`: LIBSVM rows
    /// have no date-time column); absent: every row of `file` trains, in file order.
    #[serde(default)]
    pub split: SplitSpec,
    /// Read at most this many examples of each data file (the first ones).
    #[serde(default)]
    pub max_rows: Option<u64>,
}

impl LibsvmDataSpec {
    /// The data files, `file` first, each with its role and its spec key.
    pub fn files(&self) -> Vec<(FileRole, &'static str, &str)> {
        let mut files = vec![(FileRole::Main, "file", self.file.as_str())];
        files.extend(
            self.validation_file.as_deref().map(|f| (FileRole::Validation, "validation_file", f)),
        );
        files.extend(self.test_file.as_deref().map(|f| (FileRole::Test, "test_file", f)));
        files
    }

    /// Every file the data set reads, the names file last, each with its spec key.
    pub fn inputs(&self) -> Vec<(&'static str, &str)> {
        let mut inputs: Vec<_> = self.files().into_iter().map(|(_, key, f)| (key, f)).collect();
        inputs.extend(self.names.as_deref().map(|n| ("names", n)));
        inputs
    }

    /// Whether the examples depend on the split's seed (only when `file`'s rows are shuffled
    /// into splits).
    pub fn depends_on_seed(&self) -> bool {
        self.split.shuffle && (self.split.fractions.is_some() || self.split.ranges.is_some())
    }
}

/// A loaded LIBSVM data set.
#[derive(Debug, Clone)]
pub struct LibsvmDataset {
    /// Training examples.
    pub train: Vec<SparseExample>,
    /// Validation examples (may be empty).
    pub validation: Vec<SparseExample>,
    /// Test examples (may be empty).
    pub test: Vec<SparseExample>,
    /// One group `feature` of one id per index (and an unused `#oov` id after them).
    pub space: FeatureSpace,
    /// The feature names, when `names` is given.
    pub names: Option<Vec<String>>,
    /// Examples read from the data files (each after `max_rows`).
    pub rows_read: u64,
}

/// Loads `spec`'s files from `data_dir` (see the module doc). Errors name the file, the
/// 1-based line and the token, or the spec key.
pub fn load(data_dir: &Path, spec: &LibsvmDataSpec) -> Result<LibsvmDataset, FeaturesError> {
    if spec.split.order_by.is_some() {
        return Err(invalid("split.order_by", "LIBSVM rows have no date-time column to sort by"));
    }
    split::validate_shape(&spec.split)?;
    let mut labels = Labels::default();
    let mut per_file = Vec::new();
    for (_, _, file) in spec.files() {
        per_file.push(read_file(&data_dir.join(file), file, spec.max_rows, &mut labels)?);
    }
    let rows_read = per_file.iter().map(|f| f.len() as u64).sum();
    let names = match &spec.names {
        Some(file) => Some(read_names(&data_dir.join(file), file)?),
        None => None,
    };
    let dimension = check_ids(spec, &per_file, names.as_deref())?;
    let mut files = per_file.into_iter();
    let main = files.next().unwrap_or_default();
    if main.is_empty() {
        return Err(FeaturesError::EmptyData { file: spec.file.clone(), what: "the data".into() });
    }
    let rows = split::split_rows(main.len(), &spec.split, None)?;
    let take = |rows: &[usize]| rows.iter().map(|&r| main[r].clone()).collect::<Vec<_>>();
    let (train, mut validation, mut test) =
        (take(&rows.train), take(&rows.validation), take(&rows.test));
    for ((role, _, _), examples) in spec.files().into_iter().skip(1).zip(files) {
        match role {
            FileRole::Validation => validation.extend(examples),
            _ => test.extend(examples),
        }
    }
    check_training(spec, &train)?;
    let space = space_of(dimension, names.as_deref())?;
    Ok(LibsvmDataset { train, validation, test, space, names, rows_read })
}

/// The label convention of a data set: which negative label (`-1` or `0`) was seen first,
/// where.
#[derive(Debug, Default)]
struct Labels {
    negative: Option<(f64, String, u64)>,
}

impl Labels {
    /// The 0/1 label of `value` on `file` line `line`.
    fn map(&mut self, value: f64, file: &str, line: u64) -> Result<f64, String> {
        if value == 1.0 {
            return Ok(1.0);
        }
        if value != -1.0 && value != 0.0 {
            return Err(format!("label `{value}`: labels must be -1/+1 or 0/1"));
        }
        match &self.negative {
            None => self.negative = Some((value, file.to_owned(), line)),
            Some((first, at, at_line)) if *first != value => {
                return Err(format!(
                    "label `{value}`, but {at} line {at_line} has `{first}`: one data set's \
                     labels are -1/+1 or 0/1, not both"
                ))
            }
            Some(_) => {}
        }
        Ok(0.0)
    }
}

/// The examples of one file (at most `max_rows`), labels mapped to 0/1.
fn read_file(
    path: &Path,
    name: &str,
    max_rows: Option<u64>,
    labels: &mut Labels,
) -> Result<Vec<SparseExample>, FeaturesError> {
    let reader = BufReader::new(crate::real::open_file(path)?);
    let limit = max_rows.unwrap_or(u64::MAX);
    let mut examples = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        if examples.len() as u64 >= limit {
            break;
        }
        let line = line.map_err(|e| crate::real::io_error(path, e))?;
        let content = line.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let number = i as u64 + 1;
        let fail = |message| FeaturesError::Libsvm { file: name.to_owned(), line: number, message };
        let mut example = crate::libsvm::parse_line(content).map_err(fail)?;
        example.label = labels.map(example.label, name, number).map_err(fail)?;
        examples.push(example);
    }
    Ok(examples)
}

/// The names of a names file: one per line, trimmed, none empty, none repeated.
fn read_names(path: &Path, name: &str) -> Result<Vec<String>, FeaturesError> {
    let reader = BufReader::new(crate::real::open_file(path)?);
    let mut names: Vec<String> = Vec::new();
    let mut seen = rustc_hash::FxHashMap::default();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| crate::real::io_error(path, e))?;
        let fail =
            |message| FeaturesError::Libsvm { file: name.to_owned(), line: i as u64 + 1, message };
        let text = line.trim().to_owned();
        if text.is_empty() {
            return Err(fail("an empty feature name (line i names index i)".into()));
        }
        if let Some(first) = seen.insert(text.clone(), i + 1) {
            return Err(fail(format!("feature name `{text}` is already on line {first}")));
        }
        names.push(text);
    }
    if names.is_empty() {
        return Err(FeaturesError::EmptyData { file: name.to_owned(), what: "the names".into() });
    }
    Ok(names)
}

/// The dimension: the names' count, or one more than the largest id. With names, an index
/// without a name is an error naming the data file and the (1-based) example.
fn check_ids(
    spec: &LibsvmDataSpec,
    per_file: &[Vec<SparseExample>],
    names: Option<&[String]>,
) -> Result<u64, FeaturesError> {
    let largest =
        |examples: &[SparseExample]| examples.iter().flat_map(|e| e.ids.iter().copied()).max();
    let Some(names) = names else {
        return Ok(per_file.iter().filter_map(|f| largest(f)).max().map_or(1, |id| id + 1));
    };
    let count = names.len() as u64;
    for ((_, _, file), examples) in spec.files().into_iter().zip(per_file) {
        for (row, example) in examples.iter().enumerate() {
            if let Some(&id) = example.ids.iter().find(|&&id| id >= count) {
                return Err(invalid(
                    "names",
                    format!(
                        "{file} example {}: index {} has no name (the names file names {count})",
                        row + 1,
                        id + 1
                    ),
                ));
            }
        }
    }
    Ok(count)
}

/// The training split has both classes.
fn check_training(spec: &LibsvmDataSpec, train: &[SparseExample]) -> Result<(), FeaturesError> {
    let Some(first) = train.first().map(|e| e.label) else {
        let what = "the training split".into();
        return Err(FeaturesError::EmptyData { file: spec.file.clone(), what });
    };
    if train.iter().all(|e| e.label == first) {
        return Err(FeaturesError::OneClass {
            file: spec.file.clone(),
            rule: "LIBSVM labels".into(),
            rows: train.len(),
            class: first,
        });
    }
    Ok(())
}

/// One column `feature` of `dimension` values in id order (the names, or the 1-based indices),
/// emitted as one group: id `i` is the group's `i`-th id.
fn space_of(dimension: u64, names: Option<&[String]>) -> Result<FeatureSpace, FeaturesError> {
    let values = match names {
        Some(names) => names.to_vec(),
        None => (1..=dimension).map(|i| i.to_string()).collect(),
    };
    let vocabulary = Vocabulary::in_order(values).map_err(|e| match e {
        FeaturesError::InvalidConfig { message, .. } => invalid("names", message),
        other => other,
    })?;
    let mut builder = FeatureSpaceBuilder::new();
    let encoding = ColumnEncoding::Categorical(vocabulary);
    let column = builder.add_column(Column { name: FEATURE_GROUP.into(), encoding })?;
    builder.add_marginal(column)?;
    Ok(builder.build())
}

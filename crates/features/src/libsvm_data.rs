//! A LIBSVM data set ready for training: the training file (and an optional test file) read with
//! [`crate::libsvm::read`], ids as given (`index - 1`), the training file's rows shuffled by the
//! seed into training, validation (and, without a test file, test) splits, binary labels made
//! 0/1 (`> 0` is positive, so -1/+1 and 0/1 files both work), and a feature space of one id per
//! index named by an optional names file (line i names index i) or by the index itself.
//!
//! The space is one categorical column `f` whose vocabulary is the indices in order, so id `i`
//! is index `i + 1` and its name `f=<name>`; the vocabulary's out-of-vocabulary id (the last)
//! never occurs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::invalid;
use crate::space::{Column, ColumnEncoding, Vocabulary};
use crate::{FeatureSpace, FeatureSpaceBuilder, FeaturesError, SparseExample};

/// The name of the one column of a LIBSVM space.
pub const COLUMN: &str = "f";

/// Where a LIBSVM data set comes from and how it is split.
#[derive(Debug, Clone)]
pub struct LibsvmSource {
    /// The training file (validation, and test without `test_file`, are carved from it).
    pub file: PathBuf,
    /// The test file, kept whole and in order.
    pub test_file: Option<PathBuf>,
    /// Share of `file`'s rows for validation, in (0, 1).
    pub validation_fraction: f64,
    /// Share of `file`'s rows for test when there is no `test_file`.
    pub test_fraction: f64,
    /// One feature name per line (line i names index i).
    pub names: Option<PathBuf>,
    /// Read at most this many rows of each file.
    pub max_rows: Option<u64>,
    /// Make labels 0/1 and refuse a third label value (logistic loss); otherwise labels stay.
    pub binary: bool,
    /// Seeds the shuffle of `file`'s rows into splits.
    pub seed: u64,
}

/// The splits and the space of a LIBSVM data set.
#[derive(Debug)]
pub struct LibsvmSplits {
    /// One id per index (see the module doc).
    pub space: FeatureSpace,
    /// Training, validation and test examples.
    pub splits: [Vec<SparseExample>; 3],
}

/// Reads and splits `source` (errors name the file, and the line of a bad row).
pub fn load(source: &LibsvmSource) -> Result<LibsvmSplits, FeaturesError> {
    check_fractions(source)?;
    let mut rows = read_capped(&source.file, source.max_rows)?;
    let test_rows = match &source.test_file {
        Some(path) => Some(read_capped(path, source.max_rows)?),
        None => None,
    };
    if source.binary {
        make_binary(&source.file, &mut rows)?;
    }
    let order = crate::random::permutation(rows.len(), source.seed);
    let mut shuffled: Vec<SparseExample> = Vec::with_capacity(rows.len());
    let mut slots: Vec<Option<SparseExample>> = rows.into_iter().map(Some).collect();
    shuffled.extend(order.iter().filter_map(|&i| slots[i].take()));
    let n = shuffled.len();
    let n_validation = (source.validation_fraction * n as f64).round() as usize;
    let mut test = match test_rows {
        Some(test) => test,
        None => {
            let n_test = (source.test_fraction * n as f64).round() as usize;
            shuffled.split_off(n.saturating_sub(n_test))
        }
    };
    if source.binary && source.test_file.is_some() {
        make_binary(source.test_file.as_deref().unwrap_or(&source.file), &mut test)?;
    }
    let validation = shuffled.split_off(shuffled.len().saturating_sub(n_validation));
    let splits = [shuffled, validation, test];
    if splits[0].is_empty() || splits[1].is_empty() {
        return Err(invalid(
            source.file.display().to_string(),
            format!("{n} rows leave no training or no validation rows"),
        ));
    }
    let space = space(source, &splits)?;
    Ok(LibsvmSplits { space, splits })
}

fn check_fractions(source: &LibsvmSource) -> Result<(), FeaturesError> {
    let open = |v: f64| v > 0.0 && v < 1.0;
    if !open(source.validation_fraction) {
        let got = source.validation_fraction;
        return Err(invalid("validation_fraction", format!("must be in (0, 1), got {got}")));
    }
    if source.test_file.is_none()
        && !(open(source.test_fraction) && source.test_fraction + source.validation_fraction < 1.0)
    {
        return Err(invalid(
            "test_fraction",
            format!(
                "without `test_file` it must be in (0, 1) with validation_fraction summing below \
                 1, got {}",
                source.test_fraction
            ),
        ));
    }
    Ok(())
}

/// The file's rows, at most `max_rows` of them.
fn read_capped(path: &Path, max_rows: Option<u64>) -> Result<Vec<SparseExample>, FeaturesError> {
    let mut rows = crate::libsvm::read(path)?;
    if let Some(max) = max_rows {
        rows.truncate(usize::try_from(max).unwrap_or(usize::MAX));
    }
    Ok(rows)
}

/// Labels `> 0` become 1, the others 0; a third distinct label is an error naming the file.
fn make_binary(path: &Path, rows: &mut [SparseExample]) -> Result<(), FeaturesError> {
    let mut seen: Vec<f64> = Vec::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if !seen.contains(&row.label) {
            if seen.len() == 2 {
                return Err(invalid(
                    path.display().to_string(),
                    format!(
                        "example {} has label {}, a third value after {} and {}: a logistic \
                         model needs two classes (use `loss = \"squared\"` for other labels)",
                        i + 1,
                        row.label,
                        seen[0],
                        seen[1]
                    ),
                ));
            }
            seen.push(row.label);
        }
        row.label = if row.label > 0.0 { 1.0 } else { 0.0 };
    }
    Ok(())
}

/// One id per index up to the largest of every split (or every name of the names file).
fn space(
    source: &LibsvmSource,
    splits: &[Vec<SparseExample>; 3],
) -> Result<FeatureSpace, FeaturesError> {
    let largest = splits.iter().flatten().flat_map(|e| e.ids.iter().copied()).max();
    let used = largest.map_or(0, |id| id + 1);
    let names = match &source.names {
        Some(path) => read_names(path, used)?,
        None => (1..=used).map(|i| i.to_string()).collect(),
    };
    let vocabulary = Vocabulary::in_order(names)?;
    let mut builder = FeatureSpaceBuilder::new();
    let column =
        Column { name: COLUMN.to_string(), encoding: ColumnEncoding::Categorical(vocabulary) };
    let c = builder.add_column(column)?;
    builder.add_marginal(c)?;
    Ok(builder.build())
}

/// The names file's lines (blank lines are refused: every index needs a name); it must name at
/// least the `used` indices that occur.
fn read_names(path: &Path, used: u64) -> Result<Vec<String>, FeaturesError> {
    let file = crate::real::open_file(path)?;
    let mut names = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| crate::real::io_error(path, e))?;
        let name = line.trim();
        if name.is_empty() {
            return Err(FeaturesError::Libsvm {
                file: path.display().to_string(),
                line: i as u64 + 1,
                message: format!("no name for index {}", i + 1),
            });
        }
        names.push(name.to_string());
    }
    if (names.len() as u64) < used {
        return Err(invalid(
            path.display().to_string(),
            format!("names {} indices, but the data use index {used}", names.len()),
        ));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(dir: &Path) -> LibsvmSource {
        LibsvmSource {
            file: dir.join("train.svm"),
            test_file: None,
            validation_fraction: 0.25,
            test_fraction: 0.25,
            names: None,
            max_rows: None,
            binary: true,
            seed: 7,
        }
    }

    #[test]
    fn rows_split_by_the_seed_with_0_1_labels_and_one_id_per_index() {
        let dir = tempfile::tempdir().unwrap();
        let text: String = (0..8)
            .map(|i| format!("{} {}:1 5:0.5\n", if i % 2 == 0 { -1 } else { 1 }, i % 3 + 1))
            .collect();
        std::fs::write(dir.path().join("train.svm"), text).unwrap();
        let loaded = load(&source(dir.path())).unwrap();
        let sizes = loaded.splits.each_ref().map(Vec::len);
        assert_eq!(sizes, [4, 2, 2]);
        assert!(loaded.splits.iter().flatten().all(|e| e.label == 0.0 || e.label == 1.0));
        // Indices 1..=5, plus the vocabulary's unused OOV id.
        assert_eq!(loaded.space.dimension(), 6);
        let again = load(&source(dir.path())).unwrap();
        assert_eq!(again.splits, loaded.splits, "the same seed, the same split");
        let other = load(&LibsvmSource { seed: 8, ..source(dir.path()) }).unwrap();
        assert_ne!(other.splits, loaded.splits);
    }

    #[test]
    fn bad_inputs_name_the_file_and_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("train.svm"), "1 1:1\n2 1:1\n3 2:1\n0 1:1\n").unwrap();
        let err = load(&source(dir.path())).unwrap_err().to_string();
        assert!(err.contains("train.svm") && err.contains("example 3 has label 3"), "{err}");
        let fractions = LibsvmSource { test_fraction: 0.8, ..source(dir.path()) };
        assert!(load(&fractions).unwrap_err().to_string().contains("test_fraction"));
        std::fs::write(dir.path().join("train.svm"), "1 1:1\n0 3:1\n1 2:1\n0 1:1\n").unwrap();
        std::fs::write(dir.path().join("names.txt"), "age\nsex\n").unwrap();
        let names =
            LibsvmSource { names: Some(dir.path().join("names.txt")), ..source(dir.path()) };
        let err = load(&names).unwrap_err().to_string();
        assert!(err.contains("names 2 indices") && err.contains("index 3"), "{err}");
    }
}

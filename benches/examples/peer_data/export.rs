//! The data both sides train on. The train and test splits (synthetic, or a spec's real data:
//! see `source`) are written once as LIBSVM (`index = id + 1`, labels 0/1, for scikit-learn) and
//! as Vowpal Wabbit text (`-1/1 |f id id ...`, namespace `f`, the bare id as feature name), with
//! the test rows' true probabilities beside them when the generator knows them. Our learners then
//! train on the rows *read back* from the LIBSVM files (checked equal to the written ones), so
//! both sides see the same rows in the same order.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use features::{libsvm, vw, LabelStyle, SparseExample};

/// File names inside the output directory (the Python driver reads the same names).
pub const TRAIN_SVM: &str = "train.svm";
/// Test split, LIBSVM.
pub const TEST_SVM: &str = "test.svm";
/// Train split, VW text.
pub const TRAIN_VW: &str = "train.vw";
/// Test split, VW text.
pub const TEST_VW: &str = "test.vw";
/// True `P(y = 1)` of each test row, one per line, in file order (synthetic data only).
pub const TEST_PROB: &str = "test.prob";

/// The rows our learners use, as the peers will parse them.
pub struct ExportedData {
    /// Training rows read back from [`TRAIN_SVM`].
    pub train: Vec<SparseExample>,
    /// Test rows read back from [`TEST_SVM`], with the generator's true probabilities restored.
    pub test: Vec<SparseExample>,
    /// Distinct feature ids in the training rows.
    pub touched: u64,
    /// Seconds to parse [`TRAIN_SVM`] into rows (our "load" time, reported beside the peers').
    pub load_seconds: f64,
}

/// Writes both splits and every file into `dir` and reads the LIBSVM files back. `test.prob`
/// is written when every test row has a true probability, and removed otherwise (so a stale one
/// from an earlier export cannot be read).
pub fn export(
    generated_train: &[SparseExample],
    generated_test: &[SparseExample],
    dir: &Path,
) -> Result<ExportedData> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_split(dir, TRAIN_SVM, TRAIN_VW, generated_train)?;
    write_split(dir, TEST_SVM, TEST_VW, generated_test)?;
    let prob_path = dir.join(TEST_PROB);
    if generated_test.iter().all(|e| e.true_prob.is_some()) {
        write_probabilities(&prob_path, generated_test)?;
    } else if prob_path.exists() {
        std::fs::remove_file(&prob_path)
            .with_context(|| format!("removing {}", prob_path.display()))?;
    }

    let started = Instant::now();
    let train = read_back(&dir.join(TRAIN_SVM), generated_train)?;
    let load_seconds = started.elapsed().as_secs_f64();
    let mut test = read_back(&dir.join(TEST_SVM), generated_test)?;
    for (row, generated) in test.iter_mut().zip(generated_test) {
        row.true_prob = generated.true_prob;
    }
    let touched = train.iter().flat_map(|e| e.ids.iter().copied()).collect::<HashSet<_>>().len();
    Ok(ExportedData { train, test, touched: touched as u64, load_seconds })
}

fn create(path: &Path) -> Result<File> {
    File::create(path).with_context(|| format!("creating {}", path.display()))
}

fn write_split(dir: &Path, svm: &str, vw_name: &str, rows: &[SparseExample]) -> Result<()> {
    let svm_path = dir.join(svm);
    libsvm::write_with(create(&svm_path)?, rows, LabelStyle::ZeroOne)
        .with_context(|| format!("writing {}", svm_path.display()))?;
    let vw_path = dir.join(vw_name);
    vw::write(create(&vw_path)?, rows, LabelStyle::PlusMinusOne)
        .with_context(|| format!("writing {}", vw_path.display()))?;
    Ok(())
}

fn write_probabilities(path: &Path, rows: &[SparseExample]) -> Result<()> {
    let mut out = BufWriter::new(create(path)?);
    for (line, row) in rows.iter().enumerate() {
        let p = row.true_prob.with_context(|| {
            format!("test row {} has no true probability (not synthetic?)", line + 1)
        })?;
        writeln!(out, "{p}")?;
    }
    out.flush().with_context(|| format!("writing {}", path.display()))
}

/// Parses `path` and checks it holds exactly `generated` (same features, values and labels, row
/// for row), so that training on the parsed rows is training on what the peers read.
fn read_back(path: &Path, generated: &[SparseExample]) -> Result<Vec<SparseExample>> {
    let rows = libsvm::read(path).with_context(|| format!("reading {}", path.display()))?;
    if rows.len() != generated.len() {
        bail!("{}: {} rows read, {} written", path.display(), rows.len(), generated.len());
    }
    for (line, (row, original)) in rows.iter().zip(generated).enumerate() {
        if sorted_features(row) != sorted_features(original) || row.label != original.label {
            bail!("{} line {}: does not match the generated row", path.display(), line + 1);
        }
    }
    Ok(rows)
}

fn sorted_features(example: &SparseExample) -> Vec<(u64, f64)> {
    let mut pairs: Vec<(u64, f64)> = example.features().collect();
    pairs.sort_unstable_by_key(|&(id, _)| id);
    pairs
}

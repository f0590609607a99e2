//! LIBSVM / SVMlight text: `label index:value index:value ...`, one example per line, indices
//! 1-based and ascending. For peer tools (liblinear, scikit-learn's `load_svmlight_file`).
//!
//! - [`write()`] writes global ids as `id + 1`; [`read`] gives back `index - 1`, so the two round
//!   trip exactly (values and labels are printed in Rust's shortest exact form);
//! - [`write_matrix`] writes a [`CompactMatrix`] with column `j` as index `j + 1`, so a peer sees
//!   only the `m` columns that occur (liblinear allocates one weight per column up to the largest
//!   index); `matrix.columns` maps them back to global ids.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use rustc_hash::FxHashSet;

use crate::{CompactMatrix, FeatureId, FeaturesError, SparseExample};

pub use crate::label_style::LabelStyle as LibsvmLabels;

/// Writes examples with their labels as they are (see [`write_with`]).
pub fn write<W: Write>(out: W, examples: &[SparseExample]) -> Result<(), FeaturesError> {
    write_with(out, examples, LibsvmLabels::AsIs)
}

/// Writes examples, index = global id + 1, features sorted by id, labels in `labels` style.
pub fn write_with<W: Write>(
    out: W,
    examples: &[SparseExample],
    labels: LibsvmLabels,
) -> Result<(), FeaturesError> {
    let mut out = BufWriter::new(out);
    let mut pairs = Vec::new();
    for example in examples {
        pairs.clear();
        pairs.extend(example.features());
        pairs.sort_unstable_by_key(|&(id, _)| id);
        write_line(&mut out, labels.apply(example.label), pairs.iter().copied())?;
    }
    out.flush()?;
    Ok(())
}

/// Writes a compact matrix: index = column + 1, labels in `labels` style.
pub fn write_matrix<W: Write>(
    out: W,
    matrix: &CompactMatrix,
    labels: LibsvmLabels,
) -> Result<(), FeaturesError> {
    let mut out = BufWriter::new(out);
    for (row, &label) in matrix.x.outer_iterator().zip(&matrix.y) {
        let pairs = row.iter().map(|(j, &v)| (j as u64, v));
        write_line(&mut out, labels.apply(label), pairs)?;
    }
    out.flush()?;
    Ok(())
}

fn write_line<W: Write>(
    out: &mut W,
    label: f64,
    pairs: impl Iterator<Item = (u64, f64)>,
) -> std::io::Result<()> {
    write!(out, "{label}")?;
    for (index, value) in pairs {
        write!(out, " {}:{value}", index + 1)?;
    }
    writeln!(out)
}

/// Reads a LIBSVM file: ids are `index - 1`, labels as written (so a -1/+1 file gives -1 and 1).
/// Blank lines and `#` comments are skipped, `qid:` tokens ignored. Errors name the file and the
/// 1-based line: a bad label, index (must be an integer >= 1, not repeated in a line) or value.
pub fn read(path: &Path) -> Result<Vec<SparseExample>, FeaturesError> {
    let file = crate::real::open_file(path)?;
    let name = path.display().to_string();
    let io_error = |source| crate::real::io_error(path, source);
    let mut examples = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io_error)?;
        let content = line.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let fail = |message: String| FeaturesError::Libsvm {
            file: name.clone(),
            line: i as u64 + 1,
            message,
        };
        examples.push(parse_line(content).map_err(fail)?);
    }
    Ok(examples)
}

/// Up to this many features a line's repeated index is found by scanning the ids read so far;
/// beyond it, by a hash set, so that a long line costs linear time, not quadratic.
const SCAN_REPEATS_UP_TO: usize = 32;

/// One line's example (comments already cut, not blank); the error says what is wrong with which
/// token.
pub(crate) fn parse_line(content: &str) -> Result<SparseExample, String> {
    let mut tokens = content.split_ascii_whitespace();
    let label_text = tokens.next().unwrap_or_default();
    let label = parse_finite(label_text).ok_or_else(|| format!("bad label `{label_text}`"))?;
    let mut example = SparseExample { label, ..SparseExample::default() };
    let mut seen: FxHashSet<FeatureId> = FxHashSet::default();
    for token in tokens.filter(|t| !t.starts_with("qid:")) {
        let (index, value) =
            token.split_once(':').ok_or_else(|| format!("expected index:value, got `{token}`"))?;
        let id: FeatureId = match index.parse::<u64>() {
            Ok(index) if index >= 1 => index - 1,
            _ => return Err(format!("bad index `{index}` in `{token}` (must be an integer >= 1)")),
        };
        let value = parse_finite(value).ok_or_else(|| format!("bad value in `{token}`"))?;
        let repeated = if example.ids.len() < SCAN_REPEATS_UP_TO {
            example.ids.contains(&id)
        } else {
            if seen.is_empty() {
                seen.extend(example.ids.iter().copied());
            }
            !seen.insert(id)
        };
        if repeated {
            return Err(format!("index {index} appears twice"));
        }
        example.push(id, value);
    }
    Ok(example)
}

fn parse_finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

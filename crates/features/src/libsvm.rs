//! LIBSVM / SVMlight text: `label index:value index:value ...`, one example per line, indices
//! 1-based and ascending. For peer tools (liblinear, scikit-learn's `load_svmlight_file`).
//!
//! - [`write()`] writes global ids as `id + 1`; [`read`] gives back `index - 1`, so the two round
//!   trip exactly (values and labels are printed in Rust's shortest exact form); [`Reader`]
//!   reads the same examples one at a time, for files read as a stream;
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
    let mut reader = Reader::open(path)?;
    let mut examples = Vec::new();
    let mut example = SparseExample::default();
    while reader.next_into(&mut example)? {
        examples.push(example.clone());
    }
    Ok(examples)
}

/// A LIBSVM file read one example at a time, as [`read`] reads it, holding one line: for a file
/// too large to hold, or read again pass after pass.
#[derive(Debug)]
pub struct Reader {
    lines: BufReader<std::fs::File>,
    path: std::path::PathBuf,
    line: String,
    line_number: u64,
    seen: FxHashSet<FeatureId>,
}

impl Reader {
    /// Opens `path` (a missing file or a directory is an error naming it).
    pub fn open(path: &Path) -> Result<Self, FeaturesError> {
        let file = crate::real::open_file(path)?;
        Ok(Self {
            lines: BufReader::with_capacity(1 << 16, file),
            path: path.to_owned(),
            line: String::new(),
            line_number: 0,
            seen: FxHashSet::default(),
        })
    }

    /// Writes the next example into `example` (reusing its buffers); `Ok(false)` at the end of
    /// the file. Errors as [`read`]'s.
    pub fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, FeaturesError> {
        loop {
            self.line.clear();
            let read = self
                .lines
                .read_line(&mut self.line)
                .map_err(|source| crate::real::io_error(&self.path, source))?;
            if read == 0 {
                return Ok(false);
            }
            self.line_number += 1;
            let content = self.line.split('#').next().unwrap_or_default().trim();
            if content.is_empty() {
                continue;
            }
            return match parse_line_into(content, example, &mut self.seen) {
                Ok(()) => Ok(true),
                Err(message) => Err(FeaturesError::Libsvm {
                    file: self.path.display().to_string(),
                    line: self.line_number,
                    message,
                }),
            };
        }
    }
}

/// Up to this many features a line's repeated index is found by scanning the ids read so far;
/// beyond it, by a hash set, so that a long line costs linear time, not quadratic.
const SCAN_REPEATS_UP_TO: usize = 32;

/// Parses one line's content into `example` (cleared first); `seen` is scratch space.
fn parse_line_into(
    content: &str,
    example: &mut SparseExample,
    seen: &mut FxHashSet<FeatureId>,
) -> Result<(), String> {
    example.clear();
    if !seen.is_empty() {
        seen.clear();
    }
    let mut tokens = content.split_ascii_whitespace();
    let label_text = tokens.next().unwrap_or_default();
    example.label = parse_finite(label_text).ok_or_else(|| format!("bad label `{label_text}`"))?;
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
    Ok(())
}

fn parse_finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

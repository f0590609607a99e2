//! Vowpal Wabbit text output: `label |f id:value ...` (a bare `id` when the value is 1), one
//! namespace `f` holding the global ids as feature names. VW's logistic loss wants -1/+1 labels:
//! pass [`VwLabels::PlusMinusOne`].

use std::io::{BufWriter, Write};

use crate::{FeaturesError, SparseExample};

pub use crate::label_style::LabelStyle as VwLabels;

/// Writes examples in VW text format with labels in `labels` style.
pub fn write<W: Write>(
    out: W,
    examples: &[SparseExample],
    labels: VwLabels,
) -> Result<(), FeaturesError> {
    let mut out = BufWriter::new(out);
    for example in examples {
        write!(out, "{} |f", labels.apply(example.label))?;
        for (id, value) in example.features() {
            if value == 1.0 {
                write!(out, " {id}")?;
            } else {
                write!(out, " {id}:{value}")?;
            }
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

//! A training split read from its file again on every pass instead of held: rows
//! `[start, end)` of one file, parsed with the schema a few thousand rows at a time (the label
//! rule, missing markers and derived columns of `table.rs`) and encoded by the fitted space, so
//! a pass holds one chunk of examples, never the split. Errors are the typed errors of a full
//! read, naming the file, line and column; a pass that ends early (the file changed since it
//! was fitted) is [`FeaturesError::ShortPass`].

use std::path::PathBuf;

use super::label::LabelRule;
use super::spec::Schema;
use super::table::{FileRows, LabelColumn, TableBuilder, TableFile};
use crate::{FeatureSpace, FeaturesError, SparseExample};

/// Rows parsed and encoded together: large enough that a chunk's table and encoder cost little
/// per row, small enough to hold (about 100 bytes per example).
const CHUNK_ROWS: u64 = 4096;

/// A streamed training split: where its rows are and how they become examples.
#[derive(Debug, Clone)]
pub struct TrainRows {
    path: PathBuf,
    name: String,
    schema: Schema,
    rule: LabelRule,
    space: FeatureSpace,
    start: u64,
    end: u64,
}

impl TrainRows {
    /// Rows `[start, end)` (data rows, 0-based, the header excluded) of the file at `path`
    /// (`name` in errors), encoded by `space`.
    pub(crate) fn new(
        file: &TableFile<'_>,
        schema: &Schema,
        rule: &LabelRule,
        space: &FeatureSpace,
        rows: std::ops::Range<u64>,
    ) -> Self {
        Self {
            path: file.path.to_owned(),
            name: file.name.to_owned(),
            schema: schema.clone(),
            rule: rule.clone(),
            space: space.clone(),
            start: rows.start,
            end: rows.end,
        }
    }

    /// Training rows.
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    /// Whether the split has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The feature space the rows are encoded by.
    pub fn space(&self) -> &FeatureSpace {
        &self.space
    }

    /// Starts a pass: opens the file and passes over the rows before the split.
    pub fn open(&self) -> Result<TrainPass<'_>, FeaturesError> {
        let file = TableFile { path: &self.path, name: &self.name };
        let mut reader = FileRows::open(&file, &self.schema, None, LabelColumn::Required)?;
        let skipped = reader.skip(self.start)?;
        if skipped < self.start {
            return Err(self.short(0));
        }
        Ok(TrainPass { rows: self, reader, chunk: Vec::new(), position: 0, read: 0 })
    }

    fn short(&self, found: u64) -> FeaturesError {
        FeaturesError::ShortPass { file: self.name.clone(), expected: self.len(), found }
    }
}

/// One pass over a [`TrainRows`], example after example in file order.
pub struct TrainPass<'a> {
    rows: &'a TrainRows,
    reader: FileRows<'a>,
    /// The current chunk's examples; those before `position` were handed out.
    chunk: Vec<SparseExample>,
    position: usize,
    /// Rows read into chunks so far.
    read: u64,
}

impl std::fmt::Debug for TrainPass<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainPass")
            .field("file", &self.rows.name)
            .field("read", &self.read)
            .finish()
    }
}

impl TrainPass<'_> {
    /// Writes the next example into `example` (reusing its buffers); `Ok(false)` after the
    /// split's last row.
    pub fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, FeaturesError> {
        if self.position == self.chunk.len() {
            let left = self.rows.len() - self.read;
            if left == 0 {
                return Ok(false);
            }
            let mut table = TableBuilder::new(&self.rows.schema, &self.rows.rule);
            let got = self.reader.read(&mut table, left.min(CHUNK_ROWS))?;
            if got == 0 {
                return Err(self.rows.short(self.read));
            }
            self.read += got;
            let table = table.finish(vec![got as usize]);
            let all: Vec<usize> = (0..got as usize).collect();
            self.chunk = super::encode(&table, &self.rows.space, &all)?;
            self.position = 0;
        }
        std::mem::swap(example, &mut self.chunk[self.position]);
        self.position += 1;
        Ok(true)
    }
}

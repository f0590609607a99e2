//! One input column of the feature space, as its one-hot encoding sees it: a name and a
//! bucketizer (numeric), a vocabulary (categorical) or hash buckets (categorical, hashed).

use super::{Bucketizer, HashedColumn, Vocabulary};

/// How a column's value becomes a bucket index.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnEncoding {
    /// Numeric value -> bucket by boundaries.
    Buckets(Bucketizer),
    /// Category -> vocabulary index, unknown values to the OOV bucket.
    Categorical(Vocabulary),
    /// Category -> hash bucket (no vocabulary; unseen values hash like seen ones).
    Hashed(HashedColumn),
}

/// A named, encoded column. Its buckets are what groups (the column itself, crosses) index.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name, e.g. `latitude` or `x3`.
    pub name: String,
    /// Its encoding.
    pub encoding: ColumnEncoding,
}

impl Column {
    /// Number of buckets.
    pub fn size(&self) -> u64 {
        match &self.encoding {
            ColumnEncoding::Hashed(h) => h.len(),
            _ => self.labels().len() as u64,
        }
    }

    /// Bucket labels in index order (`[0.2,0.3)`, `=LAX`, `#oov`, ...); empty for a hashed
    /// column, which stores none (see [`Column::label`]).
    pub fn labels(&self) -> &[String] {
        match &self.encoding {
            ColumnEncoding::Buckets(b) => b.labels(),
            ColumnEncoding::Categorical(v) => v.labels(),
            ColumnEncoding::Hashed(_) => &[],
        }
    }

    /// The label of bucket `i` (`#i` for a hashed column).
    pub fn label(&self, i: usize) -> String {
        match &self.encoding {
            ColumnEncoding::Hashed(h) => h.label(i as u64),
            _ => self.labels()[i].clone(),
        }
    }

    /// Readable name of bucket `i`: column name followed by its label, e.g.
    /// `latitude[37.1,37.5)`, `origin=SFO` or `ip#417` (hashed).
    pub fn bucket_name(&self, i: usize) -> String {
        format!("{}{}", self.name, self.label(i))
    }
}

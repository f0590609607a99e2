//! One input column of the feature space, as its one-hot encoding sees it: a name and either a
//! bucketizer (numeric) or a vocabulary (categorical).

use super::{Bucketizer, Vocabulary};

/// How a column's value becomes a bucket index.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnEncoding {
    /// Numeric value -> bucket by boundaries.
    Buckets(Bucketizer),
    /// Category -> vocabulary index, unknown values to the OOV bucket.
    Categorical(Vocabulary),
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
        self.labels().len() as u64
    }

    /// Bucket labels in index order (`[0.2,0.3)`, `=LAX`, `#oov`, ...).
    pub fn labels(&self) -> &[String] {
        match &self.encoding {
            ColumnEncoding::Buckets(b) => b.labels(),
            ColumnEncoding::Categorical(v) => v.labels(),
        }
    }

    /// Readable name of bucket `i`: column name followed by its label, e.g.
    /// `latitude[37.1,37.5)` or `origin=SFO`.
    pub fn bucket_name(&self, i: usize) -> String {
        format!("{}{}", self.name, self.labels()[i])
    }
}

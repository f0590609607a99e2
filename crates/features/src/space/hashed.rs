//! Categorical column -> bucket by hashing (TensorFlow's `categorical_column_with_hash_bucket`):
//! no vocabulary is fitted or stored, every value (seen in training or not) lands in one of `B`
//! buckets, `FNV-1a 64(value's UTF-8 bytes) mod B` (the hash family of hashed crosses, see
//! `space::cross`), and, when the schema declares missing-value markers, a last `#missing`
//! bucket. Bucket labels are `#0 .. #{B-1}`, made when asked for (a column of 2^22 buckets
//! stores no names).

use super::bucketizer::MISSING_LABEL;
use super::cross::hashed_text;
use crate::error::{invalid, FeaturesError};

/// Most buckets a hashed column may have: bucket indices are `u32`, and one more is kept for
/// the missing bucket.
pub const MAX_HASH_BUCKETS: u64 = u32::MAX as u64 - 1;

/// A hashed categorical column: `buckets` hash buckets, then maybe a missing bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedColumn {
    buckets: u64,
    missing_bucket: bool,
}

impl HashedColumn {
    /// A column of `buckets` hash buckets (1 ..= [`MAX_HASH_BUCKETS`]).
    pub fn new(buckets: u64) -> Result<Self, FeaturesError> {
        if !(1..=MAX_HASH_BUCKETS).contains(&buckets) {
            return Err(invalid(
                "hash_buckets",
                format!("must be in 1..={MAX_HASH_BUCKETS}, got {buckets}"),
            ));
        }
        Ok(Self { buckets, missing_bucket: false })
    }

    /// The same column with a last bucket, labelled `#missing`, for missing values.
    pub fn with_missing_bucket(mut self) -> Self {
        self.missing_bucket = true;
        self
    }

    /// Number of hash buckets (the missing bucket excluded).
    pub fn buckets(&self) -> u64 {
        self.buckets
    }

    /// Whether there is a missing bucket.
    pub fn has_missing_bucket(&self) -> bool {
        self.missing_bucket
    }

    /// The bucket of `value`.
    #[inline]
    pub fn bucket_of(&self, value: &str) -> u32 {
        (hashed_text(value) % self.buckets) as u32
    }

    /// The missing bucket's index (`buckets`; without a missing bucket, no value maps there).
    pub fn missing(&self) -> u32 {
        self.buckets as u32
    }

    /// Number of buckets, the missing bucket included.
    pub fn len(&self) -> u64 {
        self.buckets + u64::from(self.missing_bucket)
    }

    /// Always false: there is at least one bucket.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The label of bucket `i`: `#i`, or `#missing`.
    pub fn label(&self, i: u64) -> String {
        if self.missing_bucket && i == self.buckets {
            MISSING_LABEL.to_owned()
        } else {
            format!("#{i}")
        }
    }

    /// The bucket whose label starts `text`, and the rest of `text` after it.
    pub(crate) fn parse_label<'t>(&self, text: &'t str) -> Option<(u64, &'t str)> {
        if self.missing_bucket {
            if let Some(rest) = text.strip_prefix(MISSING_LABEL) {
                return Some((self.buckets, rest));
            }
        }
        let digits = text.strip_prefix('#')?;
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        let bucket: u64 = digits[..end].parse().ok()?;
        (bucket < self.buckets).then_some((bucket, &digits[end..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_hash_into_buckets_and_labels_parse_back() {
        let column = HashedColumn::new(1000).unwrap().with_missing_bucket();
        let b = column.bucket_of("34857");
        assert!(u64::from(b) < 1000);
        assert_eq!(b, column.bucket_of("34857"));
        assert_eq!(u64::from(b), hashed_text("34857") % 1000);
        assert_eq!((column.len(), column.missing()), (1001, 1000));
        assert_eq!(column.label(7), "#7");
        assert_eq!(column.label(1000), "#missing");
        assert_eq!(column.parse_label("#17 x a"), Some((17, " x a")));
        assert_eq!(column.parse_label("#missing"), Some((1000, "")));
        assert_eq!(column.parse_label("#1000"), None);
        assert!(HashedColumn::new(0).is_err());
    }
}

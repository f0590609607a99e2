//! Categorical column -> index: the training values seen at least `min_count` times, sorted, plus
//! one out-of-vocabulary (OOV) bucket for everything else, and, when the schema declares
//! missing-value markers, a last `#missing` bucket.

use rustc_hash::FxHashMap;

/// Label of the out-of-vocabulary bucket (a category label otherwise starts with `=`).
pub const OOV_LABEL: &str = "#oov";

/// The kept values (sorted by byte order, so the layout does not depend on row order) and their
/// indices; index `values().len()` is the OOV bucket, the one after it the missing bucket (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    values: Vec<String>,
    index: FxHashMap<String, u32>,
    labels: Vec<String>,
    missing_bucket: bool,
}

impl Vocabulary {
    /// Keeps the values whose count is at least `min_count` (`min_count = 0` behaves as 1).
    pub fn fit<'a>(counts: impl IntoIterator<Item = (&'a str, u64)>, min_count: u64) -> Self {
        let mut values: Vec<String> = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_count.max(1))
            .map(|(v, _)| v.to_owned())
            .collect();
        values.sort_unstable();
        values.dedup();
        Self::from_values(values)
    }

    /// A vocabulary of exactly these values (sorted and deduplicated here).
    pub fn from_values(mut values: Vec<String>) -> Self {
        values.sort_unstable();
        values.dedup();
        let index = values.iter().enumerate().map(|(i, v)| (v.clone(), i as u32)).collect();
        let labels = values
            .iter()
            .map(|v| format!("={v}"))
            .chain(std::iter::once(OOV_LABEL.to_owned()))
            .collect();
        Self { values, index, labels, missing_bucket: false }
    }

    /// A vocabulary of these distinct values in the order given (value `i` is index `i`), for
    /// ids that come numbered, such as a LIBSVM file's features; a repeated value is an error
    /// naming it.
    pub fn in_order(values: Vec<String>) -> Result<Self, crate::FeaturesError> {
        let mut index = FxHashMap::default();
        for (i, v) in values.iter().enumerate() {
            if let Some(first) = index.insert(v.clone(), i as u32) {
                return Err(crate::error::invalid(
                    "vocabulary",
                    format!("`{v}` is value {} and value {}", first + 1, i + 1),
                ));
            }
        }
        let labels = values
            .iter()
            .map(|v| format!("={v}"))
            .chain(std::iter::once(OOV_LABEL.to_owned()))
            .collect();
        Ok(Self { values, index, labels, missing_bucket: false })
    }

    /// The same vocabulary with a last bucket, labelled `#missing`, for missing values.
    pub fn with_missing_bucket(mut self) -> Self {
        if !self.missing_bucket {
            self.missing_bucket = true;
            self.labels.push(super::bucketizer::MISSING_LABEL.to_owned());
        }
        self
    }

    /// Whether there is a missing bucket.
    pub fn has_missing_bucket(&self) -> bool {
        self.missing_bucket
    }

    /// The missing bucket's index, or the OOV index when there is none.
    pub fn missing(&self) -> u32 {
        self.oov() + u32::from(self.missing_bucket)
    }

    /// Index of `value`, or the OOV index.
    pub fn index_of(&self, value: &str) -> u32 {
        self.index.get(value).copied().unwrap_or(self.oov())
    }

    /// The OOV bucket's index.
    pub fn oov(&self) -> u32 {
        self.values.len() as u32
    }

    /// Number of buckets, OOV (and missing) included.
    pub fn len(&self) -> usize {
        self.values.len() + 1 + usize::from(self.missing_bucket)
    }

    /// Always false: the OOV bucket is always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The kept values, sorted (in their given order for [`Vocabulary::in_order`]).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Labels in index order: `=value` per kept value, then [`OOV_LABEL`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_count_filters_and_unknowns_go_to_oov() {
        let v = Vocabulary::fit([("SFO", 3), ("LAX", 5), ("OAK", 1)], 2);
        assert_eq!(v.values(), ["LAX", "SFO"]);
        assert_eq!(v.index_of("LAX"), 0);
        assert_eq!(v.index_of("SFO"), 1);
        assert_eq!(v.index_of("OAK"), v.oov());
        assert_eq!(v.len(), 3);
        assert_eq!(v.labels(), ["=LAX", "=SFO", "#oov"]);
        assert_eq!(v.missing(), v.oov());
        let v = v.with_missing_bucket();
        assert_eq!((v.len(), v.missing(), v.oov()), (4, 3, 2));
        assert_eq!(v.labels()[3], "#missing");
    }
}

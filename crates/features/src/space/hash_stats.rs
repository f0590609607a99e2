//! How much a hashed group collides, measured on the training split: of the distinct exact
//! values it saw (a hashed column's category texts, a hashed cross's combinations of its
//! columns' buckets), how many buckets they occupy and how many share their bucket with
//! another value. The collision rate is that share: 0 when every value has a bucket of its
//! own. [`CrossCollisions`] collects the combinations of every hashed cross of a space, row by
//! row.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::{FeatureSpace, GroupKind};

/// The collisions of one hashed column or hashed cross on the training split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashStats {
    /// The group's name (the column's, or the cross's).
    pub group: String,
    /// Hash buckets B.
    pub buckets: u64,
    /// Distinct exact values seen in training.
    pub distinct_values: u64,
    /// Buckets holding at least one of them.
    pub buckets_used: u64,
    /// Values whose bucket holds another value too.
    pub values_sharing_a_bucket: u64,
}

impl HashStats {
    /// The stats of a group of `buckets` buckets from the bucket of each distinct value.
    pub fn from_buckets(
        group: &str,
        buckets: u64,
        bucket_per_value: impl IntoIterator<Item = u64>,
    ) -> Self {
        let mut per_bucket: FxHashMap<u64, u64> = FxHashMap::default();
        let mut distinct = 0u64;
        for bucket in bucket_per_value {
            distinct += 1;
            *per_bucket.entry(bucket).or_default() += 1;
        }
        let sharing = per_bucket.values().filter(|&&n| n > 1).sum();
        Self {
            group: group.to_owned(),
            buckets,
            distinct_values: distinct,
            buckets_used: per_bucket.len() as u64,
            values_sharing_a_bucket: sharing,
        }
    }

    /// Share of the distinct values that share their bucket (0 with no value).
    pub fn collision_rate(&self) -> f64 {
        if self.distinct_values == 0 {
            0.0
        } else {
            self.values_sharing_a_bucket as f64 / self.distinct_values as f64
        }
    }
}

/// The distinct combinations a hashed cross sees, collected row by row, with their buckets.
#[derive(Debug, Default)]
pub(crate) struct CrossValues {
    seen: FxHashSet<Vec<u32>>,
}

impl CrossValues {
    /// Records one row's combination (its crossed columns' bucket indices).
    pub(crate) fn add(&mut self, combination: &[u32]) {
        if !self.seen.contains(combination) {
            self.seen.insert(combination.to_vec());
        }
    }

    /// The stats of the cross `group`, hashed into `buckets`.
    pub(crate) fn stats(&self, group: &str, buckets: u64) -> HashStats {
        let cells = self
            .seen
            .iter()
            .map(|c| super::cross::hashed_cell(c.iter().map(|&i| u64::from(i)), buckets));
        HashStats::from_buckets(group, buckets, cells)
    }
}

/// The hashed crosses of a space and the combinations their training rows made so far, fed
/// one row of bucket indices at a time (real data: a row encoder's; synthetic: a drawn row's).
#[derive(Debug)]
pub(crate) struct CrossCollisions {
    /// Per hashed cross: its group index, crossed columns, buckets and combinations seen.
    crosses: Vec<(usize, Vec<usize>, u64, CrossValues)>,
    combination: Vec<u32>,
}

impl CrossCollisions {
    /// Nothing seen yet, for the hashed crosses of `space`.
    pub(crate) fn new(space: &FeatureSpace) -> Self {
        let crosses = space
            .groups()
            .iter()
            .enumerate()
            .filter_map(|(g, group)| match &group.kind {
                GroupKind::HashedCross { columns, buckets } => {
                    Some((g, columns.clone(), *buckets, CrossValues::default()))
                }
                _ => None,
            })
            .collect();
        Self { crosses, combination: Vec::new() }
    }

    /// Whether the space has no hashed cross (nothing to measure).
    pub(crate) fn is_empty(&self) -> bool {
        self.crosses.is_empty()
    }

    /// Adds one row, given the bucket index of every column of the space.
    pub(crate) fn add_row(&mut self, buckets: &[u32]) {
        for (_, columns, _, values) in &mut self.crosses {
            self.combination.clear();
            self.combination.extend(columns.iter().map(|&c| buckets[c]));
            values.add(&self.combination);
        }
    }

    /// The stats of each hashed cross, in group order.
    pub(crate) fn stats(&self, space: &FeatureSpace) -> Vec<HashStats> {
        self.crosses
            .iter()
            .map(|(g, _, buckets, values)| values.stats(&space.groups()[*g].name, *buckets))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_values_that_share_a_bucket() {
        let stats = HashStats::from_buckets("g", 4, [0, 1, 1, 2, 2, 2]);
        assert_eq!(
            (stats.distinct_values, stats.buckets_used, stats.values_sharing_a_bucket),
            (6, 3, 5)
        );
        assert!((stats.collision_rate() - 5.0 / 6.0).abs() < 1e-12);
        let none = HashStats::from_buckets("g", 4, []);
        assert_eq!(none.collision_rate(), 0.0);
        let mut cross = CrossValues::default();
        for c in [[1, 2], [1, 2], [2, 1]] {
            cross.add(&c);
        }
        assert_eq!(cross.stats("c", 1 << 40).distinct_values, 2);
        assert_eq!(cross.stats("c", 1).values_sharing_a_bucket, 2);
    }
}

//! The collisions of a real data set's hashed crosses, measured on its training rows: every
//! row's combination of the crossed columns' buckets is collected per hashed cross, and
//! [`HashStats`] counts how many distinct combinations share a bucket. (Hashed categorical
//! columns are measured when they are fitted, on their training values: `columns::fit_from`.)

use super::columns::RowEncoder;
use crate::space::hash_stats::CrossValues;
use crate::space::HashStats;
use crate::{FeatureSpace, GroupKind};

/// The hashed crosses of a space and what their training rows combined so far.
#[derive(Debug)]
pub(crate) struct CrossCollisions {
    /// Per hashed cross: its group index, crossed columns, buckets and combinations seen.
    crosses: Vec<(usize, Vec<usize>, u64, CrossValues)>,
    combination: Vec<u32>,
}

impl CrossCollisions {
    /// Nothing seen yet, for the hashed crosses of `space` (none: nothing to do).
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

    /// Whether the space has a hashed cross at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.crosses.is_empty()
    }

    /// Adds the `rows` of the table `encoder` reads.
    pub(crate) fn add_rows(&mut self, encoder: &RowEncoder<'_>, rows: impl Iterator<Item = usize>) {
        if self.is_empty() {
            return;
        }
        let mut buckets = Vec::new();
        for row in rows {
            encoder.buckets(row, &mut buckets);
            for (_, columns, _, values) in &mut self.crosses {
                self.combination.clear();
                self.combination.extend(columns.iter().map(|&c| buckets[c]));
                values.add(&self.combination);
            }
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

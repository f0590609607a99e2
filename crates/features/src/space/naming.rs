//! Feature id <-> readable name, for model export and for naming true supports.
//!
//! - a column bucket: column name + bucket label, `latitude[37.1,37.5)`, `origin=SFO`,
//!   `origin#oov`;
//! - an exact-cross cell: its columns' bucket names joined by ` x `,
//!   `latitude[37.1,37.5) x longitude[-122.3,-121.9)`;
//! - a hashed-cross bucket: cross name, `#`, bucket number, `long_x_lat#417`;
//! - a hashed column's bucket: column name, `#`, bucket number, `ip#417` (or `ip#missing`).
//!
//! [`FeatureSpace::id_of`] parses by matching each part against the known bucket labels of the
//! group's columns (so a category value may itself contain ` x `), and checks that the id it
//! found names back to the same string, so it is an exact inverse of [`FeatureSpace::name`].

use super::{cross, FeatureSpace, GroupKind};
use crate::{FeatureId, FeaturesError};

impl FeatureSpace {
    /// The readable name of `id`.
    pub fn name(&self, id: FeatureId) -> Result<String, FeaturesError> {
        let (g, local) = self.locate(id)?;
        let group = &self.groups[g];
        Ok(match &group.kind {
            GroupKind::Column(c) => self.columns[*c].bucket_name(local as usize),
            GroupKind::ExactCross(columns) => {
                let digits = cross::cell_digits(local, &self.strides[g]);
                let parts: Vec<String> = columns
                    .iter()
                    .zip(digits)
                    .map(|(&c, d)| self.columns[c].bucket_name(d as usize))
                    .collect();
                parts.join(" x ")
            }
            GroupKind::HashedCross { .. } => format!("{}#{local}", group.name),
        })
    }

    /// The id named `name`: the exact inverse of [`FeatureSpace::name`].
    pub fn id_of(&self, name: &str) -> Result<FeatureId, FeaturesError> {
        let unknown = || FeaturesError::UnknownFeatureName { name: name.to_owned() };
        let found = self
            .hashed_id(name)
            .or_else(|| (0..self.groups.len()).find_map(|g| self.one_hot_id(g, name)))
            .ok_or_else(unknown)?;
        match self.name(found) {
            Ok(back) if back == name => Ok(found),
            _ => Err(unknown()),
        }
    }

    fn hashed_id(&self, name: &str) -> Option<FeatureId> {
        let (group_name, bucket) = name.rsplit_once('#')?;
        let bucket: u64 = bucket.parse().ok()?;
        self.groups.iter().find_map(|g| match g.kind {
            GroupKind::HashedCross { buckets, .. } if g.name == group_name && bucket < buckets => {
                Some(g.first + bucket)
            }
            _ => None,
        })
    }

    fn one_hot_id(&self, g: usize, name: &str) -> Option<FeatureId> {
        let group = &self.groups[g];
        let local = match &group.kind {
            GroupKind::Column(c) => self.match_columns(name, std::slice::from_ref(c))?[0],
            GroupKind::ExactCross(columns) => {
                let digits = self.match_columns(name, columns)?;
                cross::exact_cell(digits.into_iter(), &self.strides[g])
            }
            GroupKind::HashedCross { .. } => return None,
        };
        Some(group.first + local)
    }

    /// Bucket indices of `columns` such that their bucket names joined by ` x ` give `s`.
    fn match_columns(&self, s: &str, columns: &[usize]) -> Option<Vec<u64>> {
        let (&c, rest_columns) = columns.split_first()?;
        let column = &self.columns[c];
        let after_name = s.strip_prefix(column.name.as_str())?;
        if let super::ColumnEncoding::Hashed(hashed) = &column.encoding {
            let (i, rest) = hashed.parse_label(after_name)?;
            if rest_columns.is_empty() {
                return rest.is_empty().then(|| vec![i]);
            }
            let mut digits = vec![i];
            digits.extend(self.match_columns(rest.strip_prefix(" x ")?, rest_columns)?);
            return Some(digits);
        }
        column.labels().iter().enumerate().find_map(|(i, label)| {
            let rest = after_name.strip_prefix(label.as_str())?;
            if rest_columns.is_empty() {
                return rest.is_empty().then(|| vec![i as u64]);
            }
            let mut digits = vec![i as u64];
            digits.extend(self.match_columns(rest.strip_prefix(" x ")?, rest_columns)?);
            Some(digits)
        })
    }
}

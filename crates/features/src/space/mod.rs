//! The global feature space: consecutive groups of ids, one group per emitted column (its
//! buckets), per exact cross (mixed radix over its columns' buckets) and per hashed cross
//! (B buckets). It turns the bucket indices of one row into the row's active ids in
//! O(groups x crossed columns), without ever materializing a cross, and maps every id to a
//! readable name and back (see [`FeatureSpace::name`], [`FeatureSpace::id_of`]).

mod bucketizer;
mod column;
mod cross;
pub(crate) mod hash_stats;
mod hashed;
mod naming;
mod vocabulary;

pub use bucketizer::{Bucketizer, MISSING_LABEL};
pub use column::{Column, ColumnEncoding};
pub use hash_stats::HashStats;
pub use hashed::{HashedColumn, MAX_HASH_BUCKETS};
pub use vocabulary::{Vocabulary, OOV_LABEL};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{invalid, FeaturesError};
use crate::{FeatureId, SparseExample};

/// What a group of ids encodes.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupKind {
    /// The buckets of one column (index into [`FeatureSpace::columns`]).
    Column(usize),
    /// The exact cross of these columns: one id per combination of buckets, mixed radix with
    /// the first column most significant.
    ExactCross(Vec<usize>),
    /// The cross of these columns hashed into `buckets` ids (see `space::cross` for the hash).
    HashedCross {
        /// The crossed columns.
        columns: Vec<usize>,
        /// Number of hash buckets B.
        buckets: u64,
    },
}

/// A run of consecutive ids: `first .. first + size`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureGroup {
    /// Group name: the column name, or the cross's name (e.g. `long_x_lat`).
    pub name: String,
    /// What the ids encode.
    pub kind: GroupKind,
    /// First id of the group.
    pub first: FeatureId,
    /// Number of ids.
    pub size: u64,
}

/// Columns plus the groups of ids built on them. Build with [`FeatureSpaceBuilder`].
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSpace {
    columns: Vec<Column>,
    groups: Vec<FeatureGroup>,
    /// Per group, the mixed-radix strides of an exact cross (empty for other kinds).
    strides: Vec<Vec<u64>>,
    dimension: u64,
}

impl FeatureSpace {
    /// Total number of ids (sum of the group sizes).
    pub fn dimension(&self) -> u64 {
        self.dimension
    }

    /// The groups, in id order.
    pub fn groups(&self) -> &[FeatureGroup] {
        &self.groups
    }

    /// The encoded columns that groups refer to (a column may be crossed without being emitted
    /// as its own group).
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Index of the column with this name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Appends the active ids of one row, each with value 1.0, given the bucket index of every
    /// column (`row[c]` for `columns()[c]`). Ids come out ascending, one per group.
    #[inline]
    pub fn encode(&self, row: &[u32], out: &mut SparseExample) {
        debug_assert_eq!(row.len(), self.columns.len());
        for (group, strides) in self.groups.iter().zip(&self.strides) {
            let local = match &group.kind {
                GroupKind::Column(c) => u64::from(row[*c]),
                GroupKind::ExactCross(columns) => cross::exact_cell(indices(row, columns), strides),
                GroupKind::HashedCross { columns, buckets } => {
                    cross::hashed_cell(indices(row, columns), *buckets)
                }
            };
            out.push(group.first + local, 1.0);
        }
    }

    /// The group holding `id` and the id's offset in it.
    fn locate(&self, id: FeatureId) -> Result<(usize, u64), FeaturesError> {
        if id >= self.dimension {
            return Err(FeaturesError::UnknownFeatureId { id, dimension: self.dimension });
        }
        let g = self.groups.partition_point(|g| g.first <= id) - 1;
        Ok((g, id - self.groups[g].first))
    }
}

/// The bucket indices of `columns` in `row`, as cross digits.
#[inline]
fn indices<'a>(row: &'a [u32], columns: &'a [usize]) -> impl Iterator<Item = u64> + 'a {
    columns.iter().map(move |&c| u64::from(row[c]))
}

/// Adds columns, then groups, checking names and sizes. Each check is a hash lookup, so a space of
/// n columns or groups builds in O(n) (a synthetic spec may ask for a million pairwise crosses).
#[derive(Debug, Default)]
pub struct FeatureSpaceBuilder {
    columns: Vec<Column>,
    groups: Vec<FeatureGroup>,
    strides: Vec<Vec<u64>>,
    next: u64,
    column_names: FxHashSet<String>,
    group_names: FxHashSet<String>,
    /// The sorted columns of each exact cross, and its name.
    exact_crosses: FxHashMap<Vec<usize>, String>,
}

impl FeatureSpaceBuilder {
    /// An empty space.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a column (not yet emitted) and returns its index.
    pub fn add_column(&mut self, column: Column) -> Result<usize, FeaturesError> {
        check_name("column", &column.name)?;
        if !self.column_names.insert(column.name.clone()) {
            return Err(invalid(format!("column `{}`", column.name), "declared twice"));
        }
        self.columns.push(column);
        Ok(self.columns.len() - 1)
    }

    /// Emits column `c`'s buckets as a group named after the column.
    pub fn add_marginal(&mut self, c: usize) -> Result<(), FeaturesError> {
        let column = self.column(c)?;
        let (name, size) = (column.name.clone(), column.size());
        self.push_group(name, GroupKind::Column(c), size, Vec::new())
    }

    /// Adds the exact cross of `columns`; fails if its cell count overflows `u64`, or if an
    /// exact cross of the same columns (in any order) is already there: its cells would be the
    /// same features again, and with the same order the same names, so [`FeatureSpace::id_of`]
    /// could not tell them apart (e.g. `full_cross` and `pairwise` over two columns).
    pub fn add_exact_cross(&mut self, name: &str, columns: &[usize]) -> Result<(), FeaturesError> {
        let sizes = self.cross_sizes(name, columns)?;
        let mut sorted = columns.to_vec();
        sorted.sort_unstable();
        if let Some(twin) = self.exact_crosses.get(&sorted) {
            return Err(invalid(
                format!("cross `{name}`"),
                format!("crosses the same columns as the exact cross `{twin}`"),
            ));
        }
        let (strides, size) = cross::mixed_radix(name, &sizes)?;
        self.push_group(name.to_owned(), GroupKind::ExactCross(columns.to_vec()), size, strides)?;
        self.exact_crosses.insert(sorted, name.to_owned());
        Ok(())
    }

    /// Adds the cross of `columns` hashed into `buckets` ids.
    pub fn add_hashed_cross(
        &mut self,
        name: &str,
        columns: &[usize],
        buckets: u64,
    ) -> Result<(), FeaturesError> {
        self.cross_sizes(name, columns)?;
        if buckets == 0 {
            return Err(invalid(format!("cross `{name}`"), "hash_buckets must be >= 1"));
        }
        let kind = GroupKind::HashedCross { columns: columns.to_vec(), buckets };
        self.push_group(name.to_owned(), kind, buckets, Vec::new())
    }

    /// The finished space.
    pub fn build(self) -> FeatureSpace {
        FeatureSpace {
            columns: self.columns,
            groups: self.groups,
            strides: self.strides,
            dimension: self.next,
        }
    }

    fn column(&self, c: usize) -> Result<&Column, FeaturesError> {
        self.columns.get(c).ok_or_else(|| invalid("column index", format!("{c} out of range")))
    }

    fn cross_sizes(&self, name: &str, columns: &[usize]) -> Result<Vec<u64>, FeaturesError> {
        if columns.len() < 2 {
            return Err(invalid(format!("cross `{name}`"), "needs at least 2 columns"));
        }
        let mut sorted = columns.to_vec();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid(format!("cross `{name}`"), "crosses a column with itself"));
        }
        columns.iter().map(|&c| Ok(self.column(c)?.size())).collect()
    }

    fn push_group(
        &mut self,
        name: String,
        kind: GroupKind,
        size: u64,
        strides: Vec<u64>,
    ) -> Result<(), FeaturesError> {
        check_name("group", &name)?;
        if !self.group_names.insert(name.clone()) {
            return Err(invalid(format!("group `{name}`"), "defined twice"));
        }
        let first = self.next;
        self.next =
            first.checked_add(size).ok_or(FeaturesError::SpaceTooLarge { group: name.clone() })?;
        self.groups.push(FeatureGroup { name, kind, first, size });
        self.strides.push(strides);
        Ok(())
    }
}

/// Names are parts of feature names, so they must not contain what separates those parts.
fn check_name(what: &str, name: &str) -> Result<(), FeaturesError> {
    let forbidden = ['#', '[', '(', '='];
    if name.is_empty() || name.contains(forbidden) || name.contains(" x ") {
        return Err(invalid(
            format!("{what} name `{name}`"),
            "must be non-empty and contain none of `#`, `[`, `(`, `=`, ` x `",
        ));
    }
    Ok(())
}

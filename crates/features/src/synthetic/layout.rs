//! The synthetic feature space: columns `x0..x{k-1}` with `bins` equal-width buckets of `[0, 1)`
//! each, known a priori (nothing is fitted, unlike real data whose bucketizers are fitted on the
//! training split), and the groups chosen by [`CrossLayout`]. In the long-tail mode, the
//! categorical fields `c0..` follow the numeric columns, each a one-hot group of its own placed
//! after the numeric marginals (their values are never crossed).

use super::config::CrossLayout;
use super::long_tail::LongTailConfig;
use crate::space::{
    Bucketizer, Column, ColumnEncoding, FeatureSpace, FeatureSpaceBuilder, Vocabulary,
};
use crate::FeaturesError;

/// Name of the full-cross group.
pub const FULL_CROSS: &str = "full_cross";

/// Name of feature `j`'s column and marginal group.
pub fn feature_name(j: usize) -> String {
    format!("x{j}")
}

/// Name of the pairwise cross of features `i < j`.
pub fn pair_name(i: usize, j: usize) -> String {
    format!("x{i}_x_x{j}")
}

/// Builds the space; fails only when the exact full cross overflows `u64` (e.g.
/// `bins^k > 2^64`; a hashed one never does).
pub(crate) fn build_space(
    k: usize,
    bins: usize,
    layout: &CrossLayout,
    long_tail: Option<&LongTailConfig>,
) -> Result<FeatureSpace, FeaturesError> {
    let mut builder = FeatureSpaceBuilder::new();
    let bucketizer = Bucketizer::unit_interval(bins);
    for j in 0..k {
        let encoding = ColumnEncoding::Buckets(bucketizer.clone());
        builder.add_column(Column { name: feature_name(j), encoding })?;
    }
    let fields = long_tail.map_or(0, |t| t.categorical_fields);
    if let Some(long_tail) = long_tail {
        // One vocabulary, cloned per field: every field has the same value names.
        let names = (0..long_tail.vocabulary).map(|r| long_tail.value_name(r)).collect();
        let vocabulary = Vocabulary::from_values(names);
        for f in 0..fields {
            let encoding = ColumnEncoding::Categorical(vocabulary.clone());
            builder.add_column(Column { name: LongTailConfig::field_name(f), encoding })?;
        }
    }
    if layout.marginals {
        (0..k).try_for_each(|j| builder.add_marginal(j))?;
    }
    (k..k + fields).try_for_each(|c| builder.add_marginal(c))?;
    if pairwise_group(k, layout) {
        for i in 0..k {
            for j in i + 1..k {
                builder.add_exact_cross(&pair_name(i, j), &[i, j])?;
            }
        }
    }
    if layout.full_cross {
        let all: Vec<usize> = (0..k).collect();
        match layout.hash_buckets {
            Some(buckets) => builder.add_hashed_cross(FULL_CROSS, &all, buckets)?,
            None => builder.add_exact_cross(FULL_CROSS, &all)?,
        }
    }
    Ok(builder.build())
}

/// Whether the layout has its own pairwise groups: at k = 2 an exact full cross is the one pair,
/// so it stands for it (two exact groups of the same cells would give each cell two ids).
pub(crate) fn pairwise_group(k: usize, layout: &CrossLayout) -> bool {
    layout.pairwise && !(k == 2 && layout.full_cross && layout.hash_buckets.is_none())
}

//! The synthetic feature space: columns `x0..x{k-1}` with `bins` equal-width buckets of `[0, 1)`
//! each, known a priori (nothing is fitted, unlike real data whose bucketizers are fitted on the
//! training split), and the groups chosen by [`CrossLayout`].

use super::config::CrossLayout;
use crate::space::{Bucketizer, Column, ColumnEncoding, FeatureSpace, FeatureSpaceBuilder};
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

/// Builds the space; fails only when the full cross overflows `u64` (e.g. `bins^k > 2^64`).
pub(crate) fn build_space(
    k: usize,
    bins: usize,
    layout: &CrossLayout,
) -> Result<FeatureSpace, FeaturesError> {
    let mut builder = FeatureSpaceBuilder::new();
    let bucketizer = Bucketizer::unit_interval(bins);
    for j in 0..k {
        let encoding = ColumnEncoding::Buckets(bucketizer.clone());
        builder.add_column(Column { name: feature_name(j), encoding })?;
    }
    if layout.marginals {
        (0..k).try_for_each(|j| builder.add_marginal(j))?;
    }
    if layout.pairwise {
        for i in 0..k {
            for j in i + 1..k {
                builder.add_exact_cross(&pair_name(i, j), &[i, j])?;
            }
        }
    }
    if layout.full_cross {
        builder.add_exact_cross(FULL_CROSS, &(0..k).collect::<Vec<_>>())?;
    }
    Ok(builder.build())
}

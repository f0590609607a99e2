//! Feature columns fitted on the training rows: bucketizers and vocabularies, the feature space
//! they span (marginals, crosses, shorthands), and the per-row encoding into bucket indices.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::spec::{BucketizeSpec, CategoricalSpec, FeatureColumnsSpec};
use super::table::{Table, Values};
use crate::error::{invalid, FeaturesError};
use crate::space::{Bucketizer, Column, ColumnEncoding, FeatureSpaceBuilder, Vocabulary};
use crate::synthetic::FULL_CROSS;
use crate::FeatureSpace;

/// How one feature column turns a row into its bucket index.
#[derive(Debug)]
pub(crate) enum Encoder<'t> {
    /// A bucketized numeric column.
    Buckets { values: &'t [f64], bucketizer: Bucketizer },
    /// A categorical column: `to_index[codes[row]]`.
    Categorical { codes: Cow<'t, [u32]>, to_index: Vec<u32> },
}

impl Encoder<'_> {
    #[inline]
    fn bucket(&self, row: usize) -> u32 {
        match self {
            Encoder::Buckets { values, bucketizer } => bucketizer.bucket(values[row]),
            Encoder::Categorical { codes, to_index } => to_index[codes[row] as usize],
        }
    }
}

/// The fitted space and one encoder per space column.
#[derive(Debug)]
pub(crate) struct FittedColumns<'t> {
    pub(crate) space: FeatureSpace,
    encoders: Vec<Encoder<'t>>,
}

impl FittedColumns<'_> {
    /// Writes the bucket index of every column for `row` into `buckets`.
    pub(crate) fn buckets(&self, row: usize, buckets: &mut Vec<u32>) {
        buckets.clear();
        buckets.extend(self.encoders.iter().map(|e| e.bucket(row)));
    }
}

/// Fits every feature column on the `train` rows of `table` and builds the feature space.
pub(crate) fn fit<'t>(
    table: &'t Table,
    spec: &FeatureColumnsSpec,
    train: &[usize],
) -> Result<FittedColumns<'t>, FeaturesError> {
    let mut builder = FeatureSpaceBuilder::new();
    let mut encoders = Vec::new();
    for (i, bucketize) in spec.bucketized.iter().enumerate() {
        let field = format!("features.bucketized[{i}]");
        let values = numeric_column(table, &field, &bucketize.column)?;
        let training: Vec<f64> = train.iter().map(|&r| values[r]).collect();
        let bucketizer = fit_bucketizer(&field, bucketize, &training)?;
        let encoding = ColumnEncoding::Buckets(bucketizer.clone());
        builder.add_column(Column { name: bucketize.column.clone(), encoding })?;
        encoders.push(Encoder::Buckets { values, bucketizer });
    }
    for (i, categorical) in spec.categorical.iter().enumerate() {
        let field = format!("features.categorical[{i}]");
        let (encoder, vocabulary) = fit_categorical(table, &field, categorical, train)?;
        let encoding = ColumnEncoding::Categorical(vocabulary);
        builder.add_column(Column { name: categorical.column.clone(), encoding })?;
        encoders.push(encoder);
    }
    add_groups(&mut builder, spec)?;
    let space = builder.build();
    if space.groups().is_empty() {
        return Err(invalid(
            "features",
            "no feature groups: set marginals = true or list crosses of bucketized/categorical columns",
        ));
    }
    Ok(FittedColumns { space, encoders })
}

fn add_groups(
    builder: &mut FeatureSpaceBuilder,
    spec: &FeatureColumnsSpec,
) -> Result<(), FeaturesError> {
    let names: Vec<&str> = spec
        .bucketized
        .iter()
        .map(|b| b.column.as_str())
        .chain(spec.categorical.iter().map(|c| c.column.as_str()))
        .collect();
    if spec.marginals {
        (0..names.len()).try_for_each(|c| builder.add_marginal(c))?;
    }
    for (i, cross) in spec.crosses.iter().enumerate() {
        let field = format!("features.crosses[{i}]");
        let columns = cross
            .columns
            .iter()
            .map(|name| {
                names.iter().position(|n| n == name).ok_or_else(|| {
                    invalid(&field, format!("column `{name}` is not a feature column (list it in bucketized or categorical)"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let name = cross.name.clone().unwrap_or_else(|| cross.columns.join("_x_"));
        match cross.hash_buckets {
            Some(buckets) => builder.add_hashed_cross(&name, &columns, buckets)?,
            None => builder.add_exact_cross(&name, &columns)?,
        }
    }
    let bucketized = spec.bucketized.len();
    if spec.pairwise {
        for a in 0..bucketized {
            for b in a + 1..bucketized {
                builder.add_exact_cross(&format!("{}_x_{}", names[a], names[b]), &[a, b])?;
            }
        }
    }
    if spec.full_cross {
        if bucketized < 2 {
            return Err(invalid("features.full_cross", "needs at least 2 bucketized columns"));
        }
        builder.add_exact_cross(FULL_CROSS, &(0..bucketized).collect::<Vec<_>>())?;
    }
    Ok(())
}

fn lookup<'t>(table: &'t Table, field: &str, column: &str) -> Result<&'t Values, FeaturesError> {
    table.get(column).ok_or_else(|| {
        invalid(
            field,
            format!("column `{column}` is not declared in schema.columns or schema.derived"),
        )
    })
}

fn numeric_column<'t>(
    table: &'t Table,
    field: &str,
    column: &str,
) -> Result<&'t [f64], FeaturesError> {
    match lookup(table, field, column)? {
        Values::Numeric(values) => Ok(values),
        _ => Err(invalid(
            field,
            format!("column `{column}` is not numeric; only numeric columns can be bucketized"),
        )),
    }
}

/// Most boundaries `quantiles` and `uniform` may ask for: each is stored with its bucket's name,
/// so `quantiles = 10^12` (a few bytes of spec) would otherwise abort on the allocation.
const MAX_BUCKETS: usize = 1_000_000;

fn fit_bucketizer(
    field: &str,
    spec: &BucketizeSpec,
    training: &[f64],
) -> Result<Bucketizer, FeaturesError> {
    match (spec.quantiles, spec.uniform, &spec.boundaries) {
        (Some(n), None, None) if (1..=MAX_BUCKETS).contains(&n) => {
            Ok(Bucketizer::quantile(training, n))
        }
        (Some(n), None, None) => Err(invalid(
            format!("{field}.quantiles"),
            format!("must be in 1..={MAX_BUCKETS}, got {n}"),
        )),
        (None, Some(n), None) if (2..=MAX_BUCKETS).contains(&n) => {
            Ok(Bucketizer::uniform(training, n))
        }
        (None, Some(n), None) => Err(invalid(
            format!("{field}.uniform"),
            format!("must be in 2..={MAX_BUCKETS}, got {n}"),
        )),
        (None, None, Some(boundaries)) => {
            Bucketizer::from_boundaries(boundaries.clone()).map_err(|err| match err {
                FeaturesError::InvalidConfig { message, .. } => {
                    invalid(format!("{field}.boundaries"), message)
                }
                other => other,
            })
        }
        _ => Err(invalid(field, "set exactly one of `quantiles`, `uniform`, `boundaries`")),
    }
}

/// A column as categories: `values[codes[row]]`.
struct Categories<'t> {
    codes: Cow<'t, [u32]>,
    values: Cow<'t, [String]>,
}

/// Interned categories of a column: borrowed for a categorical column; for a numeric one, each
/// distinct value becomes a category written in shortest decimal form.
fn categories<'t>(
    table: &'t Table,
    field: &str,
    column: &str,
) -> Result<Categories<'t>, FeaturesError> {
    match lookup(table, field, column)? {
        Values::Categorical { codes, values } => {
            Ok(Categories { codes: Cow::Borrowed(codes), values: Cow::Borrowed(values) })
        }
        Values::Numeric(numbers) => {
            let mut interned: FxHashMap<u64, u32> = FxHashMap::default();
            let mut values = Vec::new();
            let codes = numbers
                .iter()
                .map(|v| {
                    *interned.entry(v.to_bits()).or_insert_with(|| {
                        values.push(format!("{v}"));
                        values.len() as u32 - 1
                    })
                })
                .collect();
            Ok(Categories { codes: Cow::Owned(codes), values: Cow::Owned(values) })
        }
        Values::Datetime(_) => Err(invalid(
            field,
            format!("column `{column}` is a datetime; derive hour, day_of_week or month from it"),
        )),
    }
}

fn fit_categorical<'t>(
    table: &'t Table,
    field: &str,
    spec: &CategoricalSpec,
    train: &[usize],
) -> Result<(Encoder<'t>, Vocabulary), FeaturesError> {
    let Categories { codes, values } = categories(table, field, &spec.column)?;
    let mut counts = vec![0u64; values.len()];
    for &r in train {
        counts[codes[r] as usize] += 1;
    }
    let vocabulary = Vocabulary::fit(values.iter().map(String::as_str).zip(counts), spec.min_count);
    let to_index = values.iter().map(|v| vocabulary.index_of(v)).collect();
    Ok((Encoder::Categorical { codes, to_index }, vocabulary))
}

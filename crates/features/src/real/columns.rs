//! Feature columns fitted on the training rows: bucketizers and vocabularies, the feature space
//! they span (marginals, crosses, shorthands), and the per-row encoding of any table (training
//! data, or new data to predict) into bucket indices by a fitted space.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::spec::{BucketizeSpec, FeatureColumnsSpec};
use super::table::{Table, Values, MISSING_CODE};
use crate::error::{invalid, FeaturesError};
use crate::space::{
    Bucketizer, Column, ColumnEncoding, FeatureSpaceBuilder, HashStats, HashedColumn, Vocabulary,
};
use crate::synthetic::FULL_CROSS;
use crate::FeatureSpace;

/// How one feature column turns a row into its bucket index.
#[derive(Debug)]
pub(crate) enum Encoder<'t> {
    /// A bucketized numeric column.
    Buckets { values: &'t [f64], bucketizer: Bucketizer },
    /// A categorical column: `to_index[codes[row]]`, `missing` for [`MISSING_CODE`].
    Categorical { codes: Cow<'t, [u32]>, to_index: Vec<u32>, missing: u32 },
}

impl Encoder<'_> {
    #[inline]
    fn bucket(&self, row: usize) -> u32 {
        match self {
            Encoder::Buckets { values, bucketizer } => bucketizer.bucket(values[row]),
            Encoder::Categorical { codes, to_index, missing } => match codes[row] {
                MISSING_CODE => *missing,
                code => to_index[code as usize],
            },
        }
    }
}

/// One encoder per column of a fitted space, over the rows of one table.
#[derive(Debug)]
pub(crate) struct RowEncoder<'t> {
    encoders: Vec<Encoder<'t>>,
}

impl RowEncoder<'_> {
    /// Writes the bucket index of every column for `row` into `buckets`.
    pub(crate) fn buckets(&self, row: usize, buckets: &mut Vec<u32>) {
        buckets.clear();
        buckets.extend(self.encoders.iter().map(|e| e.bucket(row)));
    }
}

/// The encoder of `table`'s rows by the columns of `space` (fitted on this table or another one
/// with the same schema): numeric columns by their bucketizers, categories by their
/// vocabularies (unknown ones to OOV, missing ones to the missing bucket).
pub(crate) fn encoder<'t>(
    table: &'t Table,
    space: &FeatureSpace,
) -> Result<RowEncoder<'t>, FeaturesError> {
    let encoders = space
        .columns()
        .iter()
        .map(|column| {
            let field = format!("features column `{}`", column.name);
            Ok(match &column.encoding {
                ColumnEncoding::Buckets(bucketizer) => Encoder::Buckets {
                    values: numeric_column(table, &field, &column.name)?,
                    bucketizer: bucketizer.clone(),
                },
                ColumnEncoding::Categorical(vocabulary) => {
                    let Categories { codes, values } = categories(table, &field, &column.name)?;
                    let to_index = values.iter().map(|v| vocabulary.index_of(v)).collect();
                    Encoder::Categorical { codes, to_index, missing: vocabulary.missing() }
                }
                ColumnEncoding::Hashed(hashed) => {
                    let Categories { codes, values } = categories(table, &field, &column.name)?;
                    let to_index = values.iter().map(|v| hashed.bucket_of(v)).collect();
                    Encoder::Categorical { codes, to_index, missing: hashed.missing() }
                }
            })
        })
        .collect::<Result<Vec<_>, FeaturesError>>()?;
    Ok(RowEncoder { encoders })
}

/// Fits every feature column on the `train` rows of `table` and builds the feature space (see
/// [`fit_from`]).
pub(crate) fn fit(
    table: &Table,
    spec: &FeatureColumnsSpec,
    train: &[usize],
    missing_buckets: bool,
) -> Result<Fitted, FeaturesError> {
    let mut data = FitData::new(spec);
    data.add(table, spec, train)?;
    fit_from(&data, spec, missing_buckets)
}

/// What fitting the feature columns needs of the training rows, and nothing else: each
/// bucketized column's values (quantiles need them all) and each categorical column's count
/// per category. Rows are added a table at a time, so a streamed file is fitted in one pass
/// without holding its rows.
#[derive(Debug, Default)]
pub(crate) struct FitData {
    /// Training values of each `spec.bucketized` column, in row order.
    bucketized: Vec<Vec<f64>>,
    /// Count per category of each `spec.categorical` column.
    counts: Vec<FxHashMap<String, u64>>,
}

impl FitData {
    /// Nothing added yet, for the columns of `spec`.
    pub(crate) fn new(spec: &FeatureColumnsSpec) -> Self {
        Self {
            bucketized: vec![Vec::new(); spec.bucketized.len()],
            counts: vec![FxHashMap::default(); spec.categorical.len()],
        }
    }

    /// Adds the `rows` of `table` (a column missing from the table, or of the wrong type, is
    /// an error naming the spec field).
    pub(crate) fn add(
        &mut self,
        table: &Table,
        spec: &FeatureColumnsSpec,
        rows: &[usize],
    ) -> Result<(), FeaturesError> {
        for (i, (bucketize, values)) in spec.bucketized.iter().zip(&mut self.bucketized).enumerate()
        {
            let field = format!("features.bucketized[{i}]");
            let column = numeric_column(table, &field, &bucketize.column)?;
            values.extend(rows.iter().map(|&r| column[r]));
        }
        for (i, (categorical, counts)) in spec.categorical.iter().zip(&mut self.counts).enumerate()
        {
            let field = format!("features.categorical[{i}]");
            let Categories { codes, values } = categories(table, &field, &categorical.column)?;
            let mut by_code = vec![0u64; values.len()];
            for &r in rows {
                if let Some(count) = by_code.get_mut(codes[r] as usize) {
                    *count += 1; // a missing value (MISSING_CODE) is no category
                }
            }
            for (value, count) in values.iter().zip(by_code).filter(|&(_, c)| c > 0) {
                *counts.entry(value.clone()).or_default() += count;
            }
        }
        Ok(())
    }
}

/// What fitting the feature columns gives: the space, a warning per bucketized column with
/// fewer buckets than asked, and the collisions of each hashed categorical column on the
/// training values (hashed crosses are measured on the rows, `real::hash_stats`).
#[derive(Debug)]
pub(crate) struct Fitted {
    pub(crate) space: FeatureSpace,
    pub(crate) warnings: Vec<String>,
    pub(crate) column_hash_stats: Vec<HashStats>,
}

/// Fits every feature column on `data` and builds the feature space; with `missing_buckets`,
/// every column gets a `#missing` bucket. Also returns a warning for each bucketized column
/// that ends with fewer buckets than its spec asks for.
pub(crate) fn fit_from(
    data: &FitData,
    spec: &FeatureColumnsSpec,
    missing_buckets: bool,
) -> Result<Fitted, FeaturesError> {
    let mut columns = Vec::new();
    let mut warnings = Vec::new();
    let mut column_hash_stats = Vec::new();
    for (i, (bucketize, training)) in spec.bucketized.iter().zip(&data.bucketized).enumerate() {
        let field = format!("features.bucketized[{i}]");
        let mut bucketizer = fit_bucketizer(&field, bucketize, training)?;
        warnings.extend(fewer_buckets(&field, bucketize, &bucketizer, training));
        if missing_buckets {
            bucketizer = bucketizer.with_missing_bucket();
        }
        let encoding = ColumnEncoding::Buckets(bucketizer);
        columns.push(Column { name: bucketize.column.clone(), encoding });
    }
    for (i, (categorical, counts)) in spec.categorical.iter().zip(&data.counts).enumerate() {
        let encoding = match categorical.hash_buckets {
            Some(buckets) => {
                let field = format!("features.categorical[{i}]");
                let mut hashed = hashed_column(&field, categorical.min_count, buckets)?;
                let values = counts.keys().map(|v| u64::from(hashed.bucket_of(v)));
                column_hash_stats.push(HashStats::from_buckets(
                    &categorical.column,
                    buckets,
                    values,
                ));
                if missing_buckets {
                    hashed = hashed.with_missing_bucket();
                }
                ColumnEncoding::Hashed(hashed)
            }
            None => {
                let counts = counts.iter().map(|(value, &count)| (value.as_str(), count));
                let mut vocabulary = Vocabulary::fit(counts, categorical.min_count);
                if missing_buckets {
                    vocabulary = vocabulary.with_missing_bucket();
                }
                ColumnEncoding::Categorical(vocabulary)
            }
        };
        columns.push(Column { name: categorical.column.clone(), encoding });
    }
    Ok(Fitted { space: build_space(columns, spec)?, warnings, column_hash_stats })
}

/// The hashed column of `features.categorical[i]` (`field`): `hash_buckets` in range, and no
/// `min_count` (a hashed column keeps every value).
fn hashed_column(field: &str, min_count: u64, buckets: u64) -> Result<HashedColumn, FeaturesError> {
    if min_count != 1 {
        return Err(invalid(
            format!("{field}.min_count"),
            "applies to an exact vocabulary; a column with `hash_buckets` hashes every value: \
             drop one of the two",
        ));
    }
    HashedColumn::new(buckets).map_err(|err| match err {
        FeaturesError::InvalidConfig { message, .. } => {
            invalid(format!("{field}.hash_buckets"), message)
        }
        other => other,
    })
}

/// The space of fitted `columns` (bucketized ones first, in spec order, then categorical ones)
/// with the groups `spec` asks for.
pub(crate) fn build_space(
    columns: Vec<Column>,
    spec: &FeatureColumnsSpec,
) -> Result<FeatureSpace, FeaturesError> {
    let mut builder = FeatureSpaceBuilder::new();
    for column in columns {
        builder.add_column(column)?;
    }
    add_groups(&mut builder, spec)?;
    let space = builder.build();
    if space.groups().is_empty() {
        return Err(invalid(
            "features",
            "no feature groups: set marginals = true or list crosses of bucketized/categorical columns",
        ));
    }
    Ok(space)
}

/// The warning for a bucketized column with fewer buckets than asked (quantiles `n`: `n + 1`;
/// uniform `n`: `n`; boundaries: one more than given).
fn fewer_buckets(
    field: &str,
    spec: &BucketizeSpec,
    bucketizer: &Bucketizer,
    training: &[f64],
) -> Option<String> {
    let (asked, how) = match (spec.quantiles, spec.uniform, &spec.boundaries) {
        (Some(n), _, _) => (n + 1, format!("quantiles = {n}")),
        (_, Some(n), _) => (n, format!("uniform = {n}")),
        (_, _, Some(b)) => (b.len() + 1, format!("{} boundaries", b.len())),
        _ => return None,
    };
    let got = bucketizer.len();
    if got >= asked {
        return None;
    }
    let mut distinct: Vec<f64> = training.iter().copied().filter(|v| v.is_finite()).collect();
    distinct.sort_unstable_by(f64::total_cmp);
    distinct.dedup();
    Some(format!(
        "column `{}` ({field}): {how} asks for {asked} buckets, it has {got} (its {} training \
         values have {} distinct finite values)",
        spec.column,
        training.len(),
        distinct.len()
    ))
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
                    if v.is_nan() {
                        return MISSING_CODE;
                    }
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

//! Deterministic shuffle and split of the rows read: a seeded permutation, file order, or the
//! order of a date-time column (`order_by`, a stable sort), then consecutive shares or explicit
//! ranges of it.

use std::ops::Range;

use super::datetime::DateTime;
use super::spec::{ColumnType, Schema, SplitFractions, SplitRanges, SplitSpec};
use super::table::{Table, Values};
use crate::error::{invalid, FeaturesError};
use crate::random;

/// Row indices (into the rows read) of each split, in shuffled order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct SplitRows {
    pub(crate) train: Vec<usize>,
    pub(crate) validation: Vec<usize>,
    pub(crate) test: Vec<usize>,
}

/// Checks the spec's shape (at most one of fractions and ranges, values in range; `order_by` a
/// declared `datetime` column of `schema`, with fractions or ranges to cut its order).
pub(crate) fn validate(spec: &SplitSpec, schema: &Schema) -> Result<(), FeaturesError> {
    validate_order_by(spec, schema)?;
    validate_shape(spec)
}

/// `order_by` names a declared `datetime` column and has fractions or ranges to cut with.
fn validate_order_by(spec: &SplitSpec, schema: &Schema) -> Result<(), FeaturesError> {
    if let Some(column) = &spec.order_by {
        if schema.columns.get(column) != Some(&ColumnType::Datetime) {
            return Err(invalid(
                "split.order_by",
                format!("`{column}` must be declared in schema.columns as datetime"),
            ));
        }
        if spec.fractions.is_none() && spec.ranges.is_none() {
            return Err(invalid(
                "split.order_by",
                "sorts the rows to split them: set `fractions` (e.g. { train = 0.8, test = 0.2 \
                 }, the test split then being the latest rows) or `ranges`",
            ));
        }
    }
    Ok(())
}

/// At most one of fractions and ranges, their values in range (what any data source's split
/// needs, whatever orders its rows).
pub(crate) fn validate_shape(spec: &SplitSpec) -> Result<(), FeaturesError> {
    match (&spec.fractions, &spec.ranges) {
        (Some(fractions), None) => validate_fractions(fractions),
        (None, Some(ranges)) => {
            named_ranges(ranges).iter().try_for_each(|&(name, [start, end])| {
                if start <= end {
                    Ok(())
                } else {
                    Err(invalid(
                        format!("split.ranges.{name}"),
                        format!("[{start}, {end}) has start > end"),
                    ))
                }
            })
        }
        (None, None) => Ok(()), // every row trains
        _ => Err(invalid("split", "set at most one of `fractions` and `ranges`")),
    }
}

fn validate_fractions(f: &SplitFractions) -> Result<(), FeaturesError> {
    for (name, value) in [("train", f.train), ("validation", f.validation), ("test", f.test)] {
        if !(0.0..=1.0).contains(&value) {
            return Err(invalid(
                format!("split.fractions.{name}"),
                format!("must be in [0, 1], got {value}"),
            ));
        }
    }
    let sum = f.train + f.validation + f.test;
    if sum > 1.0 + 1e-9 {
        return Err(invalid("split.fractions", format!("must sum to at most 1, got {sum}")));
    }
    Ok(())
}

fn named_ranges(r: &SplitRanges) -> Vec<(&'static str, [u64; 2])> {
    let mut named = vec![("train", r.train)];
    named.extend(r.validation.map(|v| ("validation", v)));
    named.extend(r.test.map(|t| ("test", t)));
    named
}

/// Splits `rows` rows per a validated spec; with `order_by`, `table` (whose first `rows` rows
/// are the ones split) gives the order.
pub(crate) fn split_rows(
    rows: usize,
    spec: &SplitSpec,
    table: Option<&Table>,
) -> Result<SplitRows, FeaturesError> {
    let [train, validation, test] = positions(rows, spec)?;
    let order = match (&spec.order_by, table) {
        (Some(column), Some(table)) => time_order(table, column, rows)?,
        (Some(_), None) => return Err(invalid("split.order_by", "needs the rows read")),
        (None, _) if is_shuffled(spec) => random::permutation(rows, spec.seed),
        (None, _) => (0..rows).collect(),
    };
    let take = |range: Range<usize>| order[range].to_vec();
    Ok(SplitRows { train: take(train), validation: take(validation), test: take(test) })
}

/// The first `rows` rows of `table` sorted by the date-time column `column`, earliest first; a
/// stable sort, so rows at the same time keep file order.
fn time_order(table: &Table, column: &str, rows: usize) -> Result<Vec<usize>, FeaturesError> {
    let times: &[DateTime] = match table.get(column) {
        Some(Values::Datetime(times)) => times,
        _ => {
            return Err(invalid(
                "split.order_by",
                format!("`{column}` must be declared in schema.columns as datetime"),
            ))
        }
    };
    let mut order: Vec<usize> = (0..rows).collect();
    order.sort_by_key(|&row| times[row]);
    Ok(order)
}

/// Whether rows are shuffled before they are split (never without `fractions` or `ranges`,
/// never with `order_by`).
fn is_shuffled(spec: &SplitSpec) -> bool {
    spec.shuffle && spec.order_by.is_none() && (spec.fractions.is_some() || spec.ranges.is_some())
}

/// The rows of each split (train, validation, test) as ranges of the file's rows, for a split
/// that keeps file order: [`split_rows`] gives these very rows, in this order. A shuffled split
/// is an error naming `split.shuffle` (its rows are no range of the file).
pub(crate) fn file_order_ranges(
    rows: usize,
    spec: &SplitSpec,
) -> Result<[Range<usize>; 3], FeaturesError> {
    if let Some(column) = &spec.order_by {
        return Err(invalid(
            "split.order_by",
            format!(
                "the rows are sorted by `{column}` into splits, so a split is no range of the \
                 file: sort the file by `{column}` and drop `order_by` (with `shuffle = false`), \
                 or do not stream it"
            ),
        ));
    }
    if is_shuffled(spec) {
        return Err(invalid(
            "split.shuffle",
            "the rows are shuffled into splits, so a split is no range of the file: set \
             `shuffle = false` to keep file order",
        ));
    }
    positions(rows, spec)
}

/// The positions of each split in the (shuffled or file) order of `rows` rows: consecutive
/// shares, the ranges asked for, or every row training.
fn positions(rows: usize, spec: &SplitSpec) -> Result<[Range<usize>; 3], FeaturesError> {
    Ok(match (&spec.fractions, &spec.ranges) {
        (Some(f), _) => {
            let cut = |share: f64| ((rows as f64 * share).round() as usize).min(rows);
            let (a, b, c) =
                (cut(f.train), cut(f.train + f.validation), cut(f.train + f.validation + f.test));
            [0..a, a..b, b..c]
        }
        (None, Some(r)) => checked_ranges(r, rows)?.map(|(start, end)| start..end),
        (None, None) => [0..rows, 0..0, 0..0],
    })
}

/// The ranges as `usize` pairs (absent ones empty), each within `rows` and not overlapping.
fn checked_ranges(r: &SplitRanges, rows: usize) -> Result<[(usize, usize); 3], FeaturesError> {
    let named = named_ranges(r);
    for &(name, [start, end]) in &named {
        if end > rows as u64 {
            return Err(invalid(
                format!("split.ranges.{name}"),
                format!("[{start}, {end}) exceeds the {rows} rows read"),
            ));
        }
    }
    for (i, &(a, [a0, a1])) in named.iter().enumerate() {
        for &(b, [b0, b1]) in &named[i + 1..] {
            if a0.max(b0) < a1.min(b1) {
                return Err(invalid(
                    "split.ranges",
                    format!("{a} [{a0}, {a1}) overlaps {b} [{b0}, {b1})"),
                ));
            }
        }
    }
    let pair = |range: Option<[u64; 2]>| range.map_or((0, 0), |[s, e]| (s as usize, e as usize));
    Ok([pair(Some(r.train)), pair(r.validation), pair(r.test)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        toml::from_str("label = { column = \"y\", rule = \"> 0\" }\ncolumns = { t = \"datetime\" }")
            .unwrap()
    }

    fn spec(fractions: Option<SplitFractions>, ranges: Option<SplitRanges>) -> SplitSpec {
        SplitSpec { seed: 9, shuffle: true, fractions, ranges, order_by: None }
    }

    #[test]
    fn fractions_cut_consecutive_shares_of_one_permutation() {
        let s = spec(Some(SplitFractions { train: 0.6, validation: 0.2, test: 0.2 }), None);
        validate(&s, &schema()).unwrap();
        let rows = split_rows(10, &s, None).unwrap();
        assert_eq!((rows.train.len(), rows.validation.len(), rows.test.len()), (6, 2, 2));
        let mut all: Vec<usize> = [rows.train, rows.validation, rows.test].concat();
        assert_ne!(all, (0..10).collect::<Vec<_>>());
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn ranges_take_first_and_last_rows_of_the_shuffle() {
        let s = spec(
            None,
            Some(SplitRanges { train: [0, 12], validation: Some([12, 17]), test: None }),
        );
        let rows = split_rows(17, &s, None).unwrap();
        let order = random::permutation(17, 9);
        assert_eq!(rows.train, order[..12]);
        assert_eq!(rows.validation, order[12..]);
        assert!(rows.test.is_empty());
        let unshuffled = SplitSpec { shuffle: false, ..s };
        assert_eq!(split_rows(17, &unshuffled, None).unwrap().train, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn file_order_ranges_are_the_rows_of_an_unshuffled_split() {
        let fractions = Some(SplitFractions { train: 0.7, validation: 0.2, test: 0.1 });
        let ranges =
            Some(SplitRanges { train: [3, 12], validation: Some([12, 17]), test: Some([0, 3]) });
        for (f, r) in [(fractions.clone(), None), (None, ranges), (None, None)] {
            let s = SplitSpec { shuffle: false, ..spec(f, r) };
            let held = split_rows(17, &s, None).unwrap();
            let [train, validation, test] = file_order_ranges(17, &s).unwrap();
            assert_eq!(held.train, train.collect::<Vec<_>>());
            assert_eq!(held.validation, validation.collect::<Vec<_>>());
            assert_eq!(held.test, test.collect::<Vec<_>>());
        }
        let shuffled = spec(fractions, None);
        let err = file_order_ranges(17, &shuffled).unwrap_err().to_string();
        assert!(err.contains("split.shuffle"), "{err}");
        // Without a split nothing is shuffled, whatever `shuffle` says.
        assert_eq!(file_order_ranges(5, &spec(None, None)).unwrap()[0], 0..5);
    }

    #[test]
    fn bad_splits_name_the_field() {
        let over = spec(
            None,
            Some(SplitRanges { train: [0, 12], validation: Some([10, 17]), test: None }),
        );
        assert!(split_rows(17, &over, None).unwrap_err().to_string().contains("overlaps"));
        let long = spec(None, Some(SplitRanges { train: [0, 20], validation: None, test: None }));
        assert!(split_rows(17, &long, None)
            .unwrap_err()
            .to_string()
            .contains("split.ranges.train"));
        let both = spec(
            Some(SplitFractions { train: 1.0, validation: 0.0, test: 0.0 }),
            Some(SplitRanges { train: [0, 1], validation: None, test: None }),
        );
        assert!(validate(&both, &schema()).is_err());
        let sum = spec(Some(SplitFractions { train: 0.9, validation: 0.2, test: 0.0 }), None);
        assert!(validate(&sum, &schema()).unwrap_err().to_string().contains("split.fractions"));
    }
}

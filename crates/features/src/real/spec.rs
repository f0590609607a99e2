//! What a user declares about a real data set (deserialized from the experiment TOML): the file,
//! its schema, the feature columns, the split. All structs reject unknown keys.
//!
//! The California housing set of the Crash Course sparsity exercise (Machine Learning Crash Course), also in
//! `tests/specs/california.toml` (a unit test checks the two agree):
//!
//! ```toml
//! file = "california_housing_train.csv"
//!
//! [schema]
//! label = { column = "median_house_value", rule = "> 265000" }
//! derived = [{ name = "rooms_per_person", op = "ratio", of = ["total_rooms", "population"] }]
//!
//! [schema.columns]
//! longitude = "numeric"
//! latitude = "numeric"
//! housing_median_age = "numeric"
//! total_rooms = "numeric"
//! total_bedrooms = "numeric"
//! population = "numeric"
//! households = "numeric"
//! median_income = "numeric"
//!
//! [features]
//! bucketized = [
//!   { column = "latitude", quantiles = 50 },
//!   { column = "longitude", quantiles = 50 },
//!   { column = "housing_median_age", quantiles = 10 },
//!   { column = "total_rooms", quantiles = 10 },
//!   { column = "total_bedrooms", quantiles = 10 },
//!   { column = "population", quantiles = 10 },
//!   { column = "households", quantiles = 10 },
//!   { column = "median_income", quantiles = 10 },
//!   { column = "rooms_per_person", quantiles = 10 },
//! ]
//! crosses = [{ name = "long_x_lat", columns = ["longitude", "latitude"], hash_buckets = 1000 }]
//!
//! [split]
//! seed = 1
//! ranges = { train = [0, 12000], validation = [12000, 17000] }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A real data set: file, schema, feature columns, split.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RealDataSpec {
    /// File relative to the data directory; `.gz` is decompressed. Its rows are split by
    /// `split`.
    pub file: String,
    /// A file of validation rows (same schema), added to the validation split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_file: Option<String>,
    /// A file of test rows (same schema), added to the test split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_file: Option<String>,
    /// Label and column types.
    pub schema: Schema,
    /// How columns become one-hot groups and crosses.
    pub features: FeatureColumnsSpec,
    /// Shuffle and split of `file`'s rows; absent: every row of `file` trains, in file order.
    #[serde(default)]
    pub split: SplitSpec,
    /// Read at most this many data rows of each file (the first ones), for quick runs.
    #[serde(default)]
    pub max_rows: Option<u64>,
}

/// Which split a file's rows go to (before `file`'s rows are split).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// `file`: split by `split`.
    Main,
    /// `validation_file`: all validation.
    Validation,
    /// `test_file`: all test.
    Test,
}

impl RealDataSpec {
    /// The files to read, `file` first, each with its role and its spec key.
    pub fn files(&self) -> Vec<(FileRole, &'static str, &str)> {
        let mut files = vec![(FileRole::Main, "file", self.file.as_str())];
        files.extend(
            self.validation_file.as_deref().map(|f| (FileRole::Validation, "validation_file", f)),
        );
        files.extend(self.test_file.as_deref().map(|f| (FileRole::Test, "test_file", f)));
        files
    }

    /// Whether the examples depend on the split's seed: only when `file`'s rows are shuffled
    /// into splits (never with `split.order_by`). Otherwise every seed sees the same examples, in the same order.
    pub fn depends_on_seed(&self) -> bool {
        self.split.shuffle
            && self.split.order_by.is_none()
            && (self.split.fractions.is_some() || self.split.ranges.is_some())
    }
}

/// The columns the loader reads and how to turn the label column into labels. Columns of the
/// file that are not declared are ignored.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The label column and its rule.
    pub label: LabelSpec,
    /// Declared columns and their types.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnType>,
    /// Columns computed from declared ones.
    #[serde(default)]
    pub derived: Vec<DerivedColumn>,
    /// Texts that mean "missing" (compared after trimming), e.g. `["?", "", "NA"]`. When set,
    /// every bucketized and categorical column gets a `#missing` bucket; a missing input makes a
    /// ratio missing; a missing label or date-time is an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Trim spaces around categorical values (default true: `", "`-separated files).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub trim: bool,
    /// The names of the fields of a file without a header row (the UCI originals), in field
    /// order: then every line is a data row and must have exactly this many fields. Absent: the
    /// first line of each file is its header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Vec<String>>,
}

fn is_true(value: &bool) -> bool {
    *value
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The label: a column and either a numeric `rule`, e.g. `> 265000` (binary: 1 when it holds,
/// else 0) or `numeric` (the value itself, for squared loss), with comparisons `>`, `>=`, `<`,
/// `<=`, `==`, `!=`; or the texts of the two classes, `positive = [">50K"]` and
/// `negative = ["<=50K"]` (compared after trimming; a value in neither is an error naming the
/// line).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    /// The column (it need not be listed in `columns`).
    pub column: String,
    /// `<op> <number>` or `numeric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Texts of the positive class (label 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<Vec<String>>,
    /// Texts of the negative class (label 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<Vec<String>>,
    /// Ignore one trailing `.` of a class text (test files written as `>50K.`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignore_trailing_dot: bool,
}

/// How a declared column's text is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// A finite number.
    Numeric,
    /// Any text, a category.
    Categorical,
    /// `YYYY-MM-DDTHH:MM` (a space may replace `T`; `:SS` may follow).
    Datetime,
}

impl ColumnType {
    /// The name used in the TOML.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Numeric => "numeric",
            ColumnType::Categorical => "categorical",
            ColumnType::Datetime => "datetime",
        }
    }
}

/// A numeric column computed from declared ones.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedColumn {
    /// Its name.
    pub name: String,
    /// The operation.
    pub op: DerivedOp,
    /// Its inputs: two numeric columns for `ratio` (numerator, denominator), one date-time
    /// column otherwise.
    pub of: Vec<String>,
}

/// Derived-column operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DerivedOp {
    /// `of[0] / of[1]`; a zero denominator is an error naming the line.
    Ratio,
    /// Hour of the day, 0..=23.
    Hour,
    /// Day of the week, 0 = Monday ..= 6 = Sunday.
    DayOfWeek,
    /// Month, 1..=12.
    Month,
}

impl DerivedOp {
    /// The name used in the TOML.
    pub fn name(self) -> &'static str {
        match self {
            DerivedOp::Ratio => "ratio",
            DerivedOp::Hour => "hour",
            DerivedOp::DayOfWeek => "day_of_week",
            DerivedOp::Month => "month",
        }
    }
}

/// Which columns become one-hot groups and which are crossed. Bucketizers and vocabularies are
/// fitted on the training split only.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeatureColumnsSpec {
    /// Emit every bucketized and categorical column as its own group (default true). When
    /// false, columns only feed crosses.
    pub marginals: bool,
    /// Numeric columns to bucketize.
    pub bucketized: Vec<BucketizeSpec>,
    /// Columns to one-hot by vocabulary (any declared or derived column; a number's category is
    /// its shortest decimal form, e.g. `13`).
    pub categorical: Vec<CategoricalSpec>,
    /// Crosses of listed feature columns.
    pub crosses: Vec<CrossSpec>,
    /// Shorthand: the exact cross of all bucketized columns, named `full_cross`.
    pub full_cross: bool,
    /// Shorthand: the exact cross of every pair of bucketized columns, named `a_x_b`.
    pub pairwise: bool,
}

impl Default for FeatureColumnsSpec {
    fn default() -> Self {
        Self {
            marginals: true,
            bucketized: Vec::new(),
            categorical: Vec::new(),
            crosses: Vec::new(),
            full_cross: false,
            pairwise: false,
        }
    }
}

/// One bucketized numeric column; set exactly one of `quantiles`, `uniform`, `boundaries`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BucketizeSpec {
    /// The numeric (declared or derived) column.
    pub column: String,
    /// `n` boundaries (1 ..= 10^6) at the training quantiles `(i + 1) / (n + 1)`: up to `n + 1`
    /// buckets.
    #[serde(default)]
    pub quantiles: Option<usize>,
    /// `n` equal-width buckets (2 ..= 10^6) over the training range.
    #[serde(default)]
    pub uniform: Option<usize>,
    /// Fixed boundaries (sorted).
    #[serde(default)]
    pub boundaries: Option<Vec<f64>>,
}

/// One categorical column.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CategoricalSpec {
    /// The column.
    pub column: String,
    /// Keep values seen at least this often in training (default 1); the rest, and every value
    /// first seen in validation, test or new data, share the out-of-vocabulary bucket `#oov`.
    #[serde(default = "one")]
    pub min_count: u64,
    /// Hash the values into this many buckets instead of fitting a vocabulary (TensorFlow's
    /// `categorical_column_with_hash_bucket`): FNV-1a 64 of the value's text (the hash family of
    /// hashed crosses) mod `hash_buckets`, so unseen values need no OOV bucket and the column's
    /// size is fixed before any row is read. Absent: an exact vocabulary. Not with `min_count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_buckets: Option<u64>,
}

fn one() -> u64 {
    1
}

/// One cross of feature columns (each listed in `bucketized` or `categorical`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrossSpec {
    /// The crossed columns, at least 2.
    pub columns: Vec<String>,
    /// Hash into this many buckets (TensorFlow's `hash_bucket_size`); absent = exact cross.
    #[serde(default)]
    pub hash_buckets: Option<u64>,
    /// Group name; default: the column names joined by `_x_`.
    #[serde(default)]
    pub name: Option<String>,
}

/// Deterministic shuffle and split: set at most one of `fractions` and `ranges`; with neither,
/// every row trains, in file order. With `order_by` the rows are sorted by that `datetime`
/// column instead of shuffled (ties keep file order), so the last shares are the latest rows.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "SplitToml")]
pub struct SplitSpec {
    /// Shuffle seed.
    pub seed: u64,
    /// Shuffle the rows before splitting (default true); false keeps file order. Not used with
    /// `order_by` (which refuses an explicit `shuffle = true`).
    pub shuffle: bool,
    /// Consecutive shares of the shuffled (or time-ordered) rows.
    pub fractions: Option<SplitFractions>,
    /// Half-open row ranges `[start, end)` of the shuffled (or time-ordered) rows.
    pub ranges: Option<SplitRanges>,
    /// A declared `datetime` column: rows are sorted by it (a stable sort, so rows at the same
    /// time keep file order) instead of shuffled, then split by `fractions` or `ranges`; the
    /// seed then plays no part. Only `file`'s rows are sorted; `validation_file` and
    /// `test_file` rows join their splits as they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
}

impl Default for SplitSpec {
    fn default() -> Self {
        Self { seed: 0, shuffle: true, fractions: None, ranges: None, order_by: None }
    }
}

/// `[split]` as written: `shuffle` is an option so that an explicit `shuffle = true` beside
/// `order_by` (a contradiction) can be refused, while leaving it out keeps the old default.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitToml {
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    shuffle: Option<bool>,
    #[serde(default)]
    fractions: Option<SplitFractions>,
    #[serde(default)]
    ranges: Option<SplitRanges>,
    #[serde(default)]
    order_by: Option<String>,
}

impl TryFrom<SplitToml> for SplitSpec {
    type Error = String;

    fn try_from(raw: SplitToml) -> Result<Self, String> {
        if let (Some(column), Some(true)) = (&raw.order_by, raw.shuffle) {
            return Err(format!(
                "`split.shuffle = true` contradicts `split.order_by = \"{column}\"` (the rows \
                 are sorted by time, not shuffled): drop `shuffle`"
            ));
        }
        Ok(Self {
            seed: raw.seed,
            shuffle: raw.shuffle.unwrap_or(true),
            fractions: raw.fractions,
            ranges: raw.ranges,
            order_by: raw.order_by,
        })
    }
}

fn yes() -> bool {
    true
}

/// Shares of the rows: train takes the first `round(n * train)` shuffled rows, validation the
/// rows up to `round(n * (train + validation))`, test up to `round(n * (train + validation +
/// test))`. Each in `[0, 1]`, summing to at most 1.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SplitFractions {
    /// Training share.
    pub train: f64,
    /// Validation share.
    #[serde(default)]
    pub validation: f64,
    /// Test share.
    #[serde(default)]
    pub test: f64,
}

/// Row ranges `[start, end)` in the shuffled order; they must not overlap.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SplitRanges {
    /// Training rows.
    pub train: [u64; 2],
    /// Validation rows.
    #[serde(default)]
    pub validation: Option<[u64; 2]>,
    /// Test rows.
    #[serde(default)]
    pub test: Option<[u64; 2]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TOML block of this module's doc.
    fn doc_example() -> String {
        let source = include_str!("spec.rs");
        let block = source
            .lines()
            .filter_map(|line| line.strip_prefix("//!"))
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .skip_while(|line| !line.starts_with("```toml"))
            .skip(1)
            .take_while(|line| !line.starts_with("```"));
        block.collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn doc_example_is_the_california_spec_file() {
        let doc: RealDataSpec = toml::from_str(&doc_example()).unwrap();
        let file: RealDataSpec =
            toml::from_str(include_str!("../../tests/specs/california.toml")).unwrap();
        assert_eq!(doc, file);
        assert_eq!(doc.features.bucketized.len(), 9);
        assert_eq!(doc.features.crosses[0].hash_buckets, Some(1000));
    }
}

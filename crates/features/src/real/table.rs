//! Reads CSV (or gzipped CSV) files with one schema into typed columns, the rows of one file
//! after those of the one before: only the declared columns, the label and the derived columns are
//! kept, column by column. Categorical values are trimmed (unless `schema.trim = false`); a text
//! listed in `schema.missing` is a missing value (NaN for numbers, [`MISSING_CODE`] for
//! categories). Every field error names the file, the 1-based line and the column, with the
//! offending text.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::datetime::DateTime;
use super::label::LabelRule;
use super::source::{io_error, open_data};
use super::spec::{ColumnType, DerivedOp, Schema};
use crate::FeaturesError;

/// The code of a missing categorical value.
pub(crate) const MISSING_CODE: u32 = u32::MAX;

/// The values of one column, one per row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    /// Finite numbers.
    Numeric(Vec<f64>),
    /// Interned categories: `values[codes[row]]`, or [`MISSING_CODE`].
    Categorical { codes: Vec<u32>, values: Vec<String> },
    /// Date-times (only feed derived columns).
    Datetime(Vec<DateTime>),
}

/// The rows read, column by column, and their labels.
#[derive(Debug)]
pub(crate) struct Table {
    /// Declared columns (in name order), then derived columns (in spec order).
    pub(crate) columns: Vec<(String, Values)>,
    /// Label per row, after the rule (NaN when the files have no label column).
    pub(crate) labels: Vec<f64>,
    /// Rows read from each file, in file order.
    pub(crate) rows_per_file: Vec<usize>,
}

impl Table {
    /// The column called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Values> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.labels.len()
    }
}

/// A declared column being read: where it is in the current file's header, and what has been
/// parsed so far.
struct Reader {
    name: String,
    field: usize,
    values: Values,
    interned: FxHashMap<String, u32>,
}

/// How the text of a field is cleaned before it is parsed.
struct Cleaning<'a> {
    missing: &'a [String],
    trim: bool,
}

impl Cleaning<'_> {
    fn is_missing(&self, text: &str) -> bool {
        !self.missing.is_empty() && self.missing.iter().any(|m| m.trim() == text.trim())
    }
}

/// Whether the files must have the label column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelColumn {
    /// Every file has it (training data).
    Required,
    /// Read it when the header has it (data to predict).
    IfPresent,
}

/// One file to read: its path and its name in error messages.
pub(crate) struct TableFile<'a> {
    pub(crate) path: &'a Path,
    pub(crate) name: &'a str,
}

/// Where a field came from, for error messages.
struct At<'a> {
    file: &'a str,
    line: u64,
}

impl At<'_> {
    fn parse_error(&self, column: &str, value: &str, expected: &'static str) -> FeaturesError {
        FeaturesError::Parse {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            expected,
        }
    }
}

/// Reads `files` one after the other per `schema`, at most `max_rows` data rows of each.
pub(crate) fn read_table(
    files: &[TableFile<'_>],
    schema: &Schema,
    rule: &LabelRule,
    max_rows: Option<u64>,
    label: LabelColumn,
) -> Result<Table, FeaturesError> {
    let mut readers: Vec<Reader> = schema
        .columns
        .iter()
        .map(|(name, &kind)| {
            let values = match kind {
                ColumnType::Numeric => Values::Numeric(Vec::new()),
                ColumnType::Categorical => Values::Categorical { codes: vec![], values: vec![] },
                ColumnType::Datetime => Values::Datetime(Vec::new()),
            };
            Reader { name: name.clone(), field: 0, values, interned: FxHashMap::default() }
        })
        .collect();
    let cleaning = Cleaning { missing: &schema.missing, trim: schema.trim };
    let mut derived: Vec<Vec<f64>> = vec![Vec::new(); schema.derived.len()];
    let mut labels = Vec::new();
    let mut rows_per_file = Vec::with_capacity(files.len());
    for file in files {
        let before = labels.len();
        read_file(
            file,
            schema,
            rule,
            max_rows,
            label,
            &cleaning,
            &mut readers,
            &mut derived,
            &mut labels,
        )?;
        rows_per_file.push(labels.len() - before);
    }
    let mut columns: Vec<(String, Values)> =
        readers.into_iter().map(|r| (r.name, r.values)).collect();
    columns.extend(
        schema.derived.iter().zip(derived).map(|(s, v)| (s.name.clone(), Values::Numeric(v))),
    );
    Ok(Table { columns, labels, rows_per_file })
}

/// Appends the rows of one file to the columns being read.
#[allow(clippy::too_many_arguments)]
fn read_file(
    source: &TableFile<'_>,
    schema: &Schema,
    rule: &LabelRule,
    max_rows: Option<u64>,
    label: LabelColumn,
    cleaning: &Cleaning<'_>,
    readers: &mut [Reader],
    derived: &mut [Vec<f64>],
    labels: &mut Vec<f64>,
) -> Result<(), FeaturesError> {
    let (path, file) = (source.path, source.name);
    let mut csv = csv::ReaderBuilder::new().has_headers(true).from_reader(open_data(path)?);
    let csv_error = |err: csv::Error| csv_to_features(err, path, file);
    let header = csv.headers().map_err(csv_error)?.clone();
    if header.iter().all(str::is_empty) {
        return Err(FeaturesError::EmptyData { file: file.to_owned(), what: "the file".into() });
    }
    let position = |column: &str| header.iter().position(|h| h.trim() == column);
    let field_of = |column: &str| {
        position(column).ok_or_else(|| FeaturesError::MissingColumn {
            file: file.to_owned(),
            column: column.to_owned(),
            available: header.iter().collect::<Vec<_>>().join(", "),
        })
    };
    for reader in readers.iter_mut() {
        reader.field = field_of(&reader.name)?;
    }
    let label_field = match label {
        LabelColumn::Required => Some(field_of(&schema.label.column)?),
        LabelColumn::IfPresent => position(&schema.label.column),
    };
    let mut record = csv::StringRecord::new();
    let limit = max_rows.unwrap_or(u64::MAX);
    let mut rows = 0u64;
    while rows < limit && csv.read_record(&mut record).map_err(csv_error)? {
        rows += 1;
        let at = At { file, line: record.position().map_or(0, |p| p.line()) };
        let text = |field: usize| record.get(field).unwrap_or_default();
        labels.push(match label_field {
            Some(field) => label_of(&at, rows, &schema.label.column, rule, text(field))?,
            None => f64::NAN,
        });
        for reader in readers.iter_mut() {
            reader.push(&at, text(reader.field), cleaning)?;
        }
        for (spec, out) in schema.derived.iter().zip(derived.iter_mut()) {
            out.push(derive(&at, &spec.name, spec.op, &spec.of, readers)?);
        }
    }
    Ok(())
}

/// The label of one row's label text (`row`: 1-based data row, for the error).
fn label_of(
    at: &At,
    row: u64,
    column: &str,
    rule: &LabelRule,
    text: &str,
) -> Result<f64, FeaturesError> {
    match rule {
        LabelRule::Classes(classes) => classes.label_of(text).ok_or_else(|| FeaturesError::Label {
            file: at.file.to_owned(),
            line: at.line,
            row,
            column: column.to_owned(),
            value: text.trim().to_owned(),
            classes: classes.describe(),
        }),
        _ => Ok(rule.apply(parse_number(at, column, text)?)),
    }
}

impl Reader {
    fn push(&mut self, at: &At, text: &str, cleaning: &Cleaning<'_>) -> Result<(), FeaturesError> {
        let missing = cleaning.is_missing(text);
        match &mut self.values {
            Values::Numeric(values) if missing => values.push(f64::NAN),
            Values::Numeric(values) => values.push(parse_number(at, &self.name, text)?),
            Values::Datetime(values) => {
                values.push(DateTime::parse(text).ok_or_else(|| {
                    at.parse_error(&self.name, text, "a date-time YYYY-MM-DDTHH:MM")
                })?)
            }
            Values::Categorical { codes, .. } if missing => codes.push(MISSING_CODE),
            Values::Categorical { codes, values } => {
                let text = if cleaning.trim { text.trim() } else { text };
                let code = match self.interned.get(text) {
                    Some(&code) => code,
                    None => {
                        let code = values.len() as u32;
                        values.push(text.to_owned());
                        self.interned.insert(text.to_owned(), code);
                        code
                    }
                };
                codes.push(code);
            }
        }
        Ok(())
    }

    /// The value this row just pushed.
    fn last_number(&self) -> Option<f64> {
        match &self.values {
            Values::Numeric(values) => values.last().copied(),
            _ => None,
        }
    }

    fn last_datetime(&self) -> Option<DateTime> {
        match &self.values {
            Values::Datetime(values) => values.last().copied(),
            _ => None,
        }
    }
}

fn parse_number(at: &At, column: &str, text: &str) -> Result<f64, FeaturesError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(at.parse_error(column, text, "a finite number")),
    }
}

/// One row's value of a derived column, from the values its inputs just read (the spec checks
/// beforehand that the inputs exist and have the right types).
fn derive(
    at: &At,
    name: &str,
    op: DerivedOp,
    of: &[String],
    readers: &[Reader],
) -> Result<f64, FeaturesError> {
    let input = |i: usize| of.get(i).and_then(|n| readers.iter().find(|r| &r.name == n));
    let fail = |message: String| FeaturesError::Derived {
        file: at.file.to_owned(),
        line: at.line,
        column: name.to_owned(),
        message,
    };
    if op == DerivedOp::Ratio {
        let (Some(num), Some(den)) =
            (input(0).and_then(Reader::last_number), input(1).and_then(Reader::last_number))
        else {
            return Err(fail("ratio needs two numeric columns".into()));
        };
        if num.is_nan() || den.is_nan() {
            return Ok(f64::NAN); // a missing input: the ratio is missing
        }
        if den == 0.0 {
            return Err(fail(format!("division by zero ({} = 0)", of[1])));
        }
        return Ok(num / den);
    }
    let time = input(0)
        .and_then(Reader::last_datetime)
        .ok_or_else(|| fail("needs one datetime column".into()))?;
    Ok(f64::from(match op {
        DerivedOp::Hour => time.hour(),
        DerivedOp::DayOfWeek => time.day_of_week(),
        DerivedOp::Month | DerivedOp::Ratio => time.month(),
    }))
}

fn csv_to_features(err: csv::Error, path: &Path, file: &str) -> FeaturesError {
    let line = err.position().map_or(0, |p| p.line());
    let message = err.to_string();
    match err.into_kind() {
        csv::ErrorKind::Io(source) => io_error(path, source),
        _ => FeaturesError::Csv { file: file.to_owned(), line, message },
    }
}

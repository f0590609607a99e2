//! Reads a CSV (or gzipped CSV) into typed columns: only the declared columns, the label and the
//! derived columns are kept, column by column. Every field error names the file, the 1-based line
//! and the column, with the offending text.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::datetime::DateTime;
use super::label::LabelRule;
use super::source::{io_error, open_data};
use super::spec::{ColumnType, DerivedOp, Schema};
use crate::FeaturesError;

/// The values of one column, one per row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    /// Finite numbers.
    Numeric(Vec<f64>),
    /// Interned categories: `values[codes[row]]`.
    Categorical { codes: Vec<u32>, values: Vec<String> },
    /// Date-times (only feed derived columns).
    Datetime(Vec<DateTime>),
}

/// The rows read, column by column, and their labels.
#[derive(Debug)]
pub(crate) struct Table {
    /// Declared columns (in name order), then derived columns (in spec order).
    pub(crate) columns: Vec<(String, Values)>,
    /// Label per row, after the rule.
    pub(crate) labels: Vec<f64>,
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

/// A declared column being read: where it is in the header, and what has been parsed so far.
struct Reader {
    name: String,
    field: usize,
    values: Values,
    interned: FxHashMap<String, u32>,
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

/// Reads `path` (shown as `file` in errors) per `schema`, at most `max_rows` data rows.
pub(crate) fn read_table(
    path: &Path,
    file: &str,
    schema: &Schema,
    rule: &LabelRule,
    max_rows: Option<u64>,
) -> Result<Table, FeaturesError> {
    let mut csv = csv::ReaderBuilder::new().has_headers(true).from_reader(open_data(path)?);
    let csv_error = |err: csv::Error| csv_to_features(err, path, file);
    let header = csv.headers().map_err(csv_error)?.clone();
    if header.iter().all(str::is_empty) {
        return Err(FeaturesError::EmptyData { file: file.to_owned(), what: "the file".into() });
    }
    let field_of = |column: &str| {
        header.iter().position(|h| h.trim() == column).ok_or_else(|| FeaturesError::MissingColumn {
            file: file.to_owned(),
            column: column.to_owned(),
            available: header.iter().collect::<Vec<_>>().join(", "),
        })
    };
    let mut readers = schema
        .columns
        .iter()
        .map(|(name, &kind)| {
            let values = match kind {
                ColumnType::Numeric => Values::Numeric(Vec::new()),
                ColumnType::Categorical => Values::Categorical { codes: vec![], values: vec![] },
                ColumnType::Datetime => Values::Datetime(Vec::new()),
            };
            let field = field_of(name)?;
            Ok(Reader { name: name.clone(), field, values, interned: FxHashMap::default() })
        })
        .collect::<Result<Vec<_>, FeaturesError>>()?;
    let label_field = field_of(&schema.label.column)?;
    let mut derived: Vec<Vec<f64>> = vec![Vec::new(); schema.derived.len()];
    let mut labels = Vec::new();
    let mut record = csv::StringRecord::new();
    let limit = max_rows.unwrap_or(u64::MAX);
    while (labels.len() as u64) < limit && csv.read_record(&mut record).map_err(csv_error)? {
        let at = At { file, line: record.position().map_or(0, |p| p.line()) };
        let text = |field: usize| record.get(field).unwrap_or_default();
        labels.push(rule.apply(parse_number(&at, &schema.label.column, text(label_field))?));
        for reader in &mut readers {
            reader.push(&at, text(reader.field))?;
        }
        for (spec, out) in schema.derived.iter().zip(&mut derived) {
            out.push(derive(&at, &spec.name, spec.op, &spec.of, &readers)?);
        }
    }
    let mut columns: Vec<(String, Values)> =
        readers.into_iter().map(|r| (r.name, r.values)).collect();
    columns.extend(
        schema.derived.iter().zip(derived).map(|(s, v)| (s.name.clone(), Values::Numeric(v))),
    );
    Ok(Table { columns, labels })
}

impl Reader {
    fn push(&mut self, at: &At, text: &str) -> Result<(), FeaturesError> {
        match &mut self.values {
            Values::Numeric(values) => values.push(parse_number(at, &self.name, text)?),
            Values::Datetime(values) => {
                values.push(DateTime::parse(text).ok_or_else(|| {
                    at.parse_error(&self.name, text, "a date-time YYYY-MM-DDTHH:MM")
                })?)
            }
            Values::Categorical { codes, values } => {
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

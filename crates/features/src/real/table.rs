//! Reads CSV (or gzipped CSV) files with one schema into typed columns, the rows of one file
//! after those of the one before, through [`FileRows`] (which also lets the streaming readers
//! parse a few rows at a time, or pass over rows unparsed): only the declared columns, the label and the derived columns are
//! kept, column by column. Categorical values are trimmed (unless `schema.trim = false`); a text
//! listed in `schema.missing` is a missing value (NaN for numbers, [`MISSING_CODE`] for
//! categories). Every field error names the file, the 1-based line and the column, with the
//! offending text.

use std::io::Read;
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

/// A declared column being read: what has been parsed so far.
struct Reader {
    name: String,
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
    let mut table = TableBuilder::new(schema, rule);
    let mut rows_per_file = Vec::with_capacity(files.len());
    for file in files {
        let mut rows = FileRows::open(file, schema, max_rows, label)?;
        rows_per_file.push(rows.read(&mut table, u64::MAX)? as usize);
    }
    Ok(table.finish(rows_per_file))
}

/// The columns of a table being read: one [`Reader`] per declared column, the derived columns
/// and the labels. Rows come from [`FileRows::read`]; a table of a few rows at a time serves
/// the readers that stream a file (`rows.rs`).
pub(crate) struct TableBuilder<'s> {
    schema: &'s Schema,
    rule: &'s LabelRule,
    readers: Vec<Reader>,
    derived: Vec<Vec<f64>>,
    labels: Vec<f64>,
}

impl<'s> TableBuilder<'s> {
    /// An empty table of `schema`'s columns, labels by `rule`.
    pub(crate) fn new(schema: &'s Schema, rule: &'s LabelRule) -> Self {
        let readers = schema
            .columns
            .iter()
            .map(|(name, &kind)| {
                let values = match kind {
                    ColumnType::Numeric => Values::Numeric(Vec::new()),
                    ColumnType::Categorical => {
                        Values::Categorical { codes: vec![], values: vec![] }
                    }
                    ColumnType::Datetime => Values::Datetime(Vec::new()),
                };
                Reader { name: name.clone(), values, interned: FxHashMap::default() }
            })
            .collect();
        let derived = vec![Vec::new(); schema.derived.len()];
        Self { schema, rule, readers, derived, labels: Vec::new() }
    }

    /// The table of the rows read (`rows_per_file`: how many came from each file).
    pub(crate) fn finish(self, rows_per_file: Vec<usize>) -> Table {
        let mut columns: Vec<(String, Values)> =
            self.readers.into_iter().map(|r| (r.name, r.values)).collect();
        columns.extend(
            self.schema
                .derived
                .iter()
                .zip(self.derived)
                .map(|(s, v)| (s.name.clone(), Values::Numeric(v))),
        );
        Table { columns, labels: self.labels, rows_per_file }
    }
}

/// One file read row by row: its header matched with the schema once, then rows parsed into a
/// [`TableBuilder`] or passed over, at most `max_rows` in all.
pub(crate) struct FileRows<'f> {
    csv: csv::Reader<Box<dyn Read>>,
    path: &'f Path,
    name: &'f str,
    /// The field of each declared column (in `schema.columns` order).
    fields: Vec<usize>,
    label_field: Option<usize>,
    record: csv::StringRecord,
    skipped: csv::ByteRecord,
    /// Data rows read or passed over so far.
    rows: u64,
    limit: u64,
    /// With `schema.header`, the fields every line must have (the file has no header line to
    /// check the first line against).
    fields_per_row: Option<usize>,
}

impl<'f> FileRows<'f> {
    /// Opens `file` and matches its header with `schema` (a missing column is an error naming
    /// the file and the header's columns).
    pub(crate) fn open(
        file: &TableFile<'f>,
        schema: &Schema,
        max_rows: Option<u64>,
        label: LabelColumn,
    ) -> Result<Self, FeaturesError> {
        let (path, name) = (file.path, file.name);
        let given = schema.header.as_deref();
        // With `schema.header` every line is checked against it (`check_fields`), not only
        // against the first line.
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(given.is_none())
            .flexible(given.is_some())
            .from_reader(open_data(path)?);
        let header = match given {
            Some(names) => header_of(names)?,
            None => csv.headers().map_err(|e| csv_to_features(e, path, name))?.clone(),
        };
        if header.iter().all(str::is_empty) {
            return Err(FeaturesError::EmptyData {
                file: name.to_owned(),
                what: "the file".into(),
            });
        }
        let position = |column: &str| header.iter().position(|h| h.trim() == column);
        let field_of = |column: &str| {
            let first = position(column).ok_or_else(|| FeaturesError::MissingColumn {
                file: name.to_owned(),
                column: column.to_owned(),
                available: header.iter().collect::<Vec<_>>().join(", "),
                hint: crate::did_you_mean::hint(column, header.iter().map(str::trim)),
            })?;
            match header.iter().skip(first + 1).position(|h| h.trim() == column) {
                Some(later) => Err(FeaturesError::DuplicateColumn {
                    file: name.to_owned(),
                    column: column.to_owned(),
                    first: first + 1,
                    second: first + later + 2,
                }),
                None => Ok(first),
            }
        };
        let fields = schema.columns.keys().map(|c| field_of(c)).collect::<Result<_, _>>()?;
        let label_field = match label {
            LabelColumn::Required => Some(field_of(&schema.label.column)?),
            LabelColumn::IfPresent => match position(&schema.label.column) {
                Some(_) => Some(field_of(&schema.label.column)?),
                None => None,
            },
        };
        Ok(Self {
            csv,
            path,
            name,
            fields,
            label_field,
            record: csv::StringRecord::new(),
            skipped: csv::ByteRecord::new(),
            rows: 0,
            limit: max_rows.unwrap_or(u64::MAX),
            fields_per_row: given.map(<[String]>::len),
        })
    }

    /// Data rows read or passed over so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Parses up to `max` more rows into `table`; returns how many (fewer at the end of the
    /// file or of `max_rows`). A bad field is an error naming the file, line and column.
    pub(crate) fn read(
        &mut self,
        table: &mut TableBuilder<'_>,
        max: u64,
    ) -> Result<u64, FeaturesError> {
        let TableBuilder { schema, rule, readers, derived, labels } = table;
        let cleaning = Cleaning { missing: &schema.missing, trim: schema.trim };
        let (path, file) = (self.path, self.name);
        let mut read = 0u64;
        while read < max && self.rows < self.limit {
            let more = self.csv.read_record(&mut self.record);
            if !more.map_err(|e| csv_to_features(e, path, file))? {
                break;
            }
            self.rows += 1;
            read += 1;
            let record = &self.record;
            let at = At { file, line: record.position().map_or(0, |p| p.line()) };
            check_fields(&at, self.fields_per_row, record.len())?;
            let text = |field: usize| record.get(field).unwrap_or_default();
            labels.push(match self.label_field {
                Some(field) => label_of(&at, self.rows, &schema.label.column, rule, text(field))?,
                None => f64::NAN,
            });
            for (reader, &field) in readers.iter_mut().zip(&self.fields) {
                reader.push(&at, text(field), &cleaning)?;
            }
            for (spec, out) in schema.derived.iter().zip(derived.iter_mut()) {
                out.push(derive(&at, &spec.name, spec.op, &spec.of, readers)?);
            }
        }
        Ok(read)
    }

    /// Passes over up to `max` more rows without parsing their fields (only the CSV's own
    /// structure is checked); returns how many.
    pub(crate) fn skip(&mut self, max: u64) -> Result<u64, FeaturesError> {
        let mut skipped = 0u64;
        while skipped < max && self.rows < self.limit {
            let more = self.csv.read_byte_record(&mut self.skipped);
            if !more.map_err(|e| csv_to_features(e, self.path, self.name))? {
                break;
            }
            self.rows += 1;
            skipped += 1;
        }
        Ok(skipped)
    }
}

/// The header of a file without a header line, from `schema.header` (no name twice).
fn header_of(names: &[String]) -> Result<csv::StringRecord, FeaturesError> {
    if names.is_empty() {
        return Err(crate::error::invalid(
            "schema.header",
            "names no field: list the file's fields",
        ));
    }
    for (i, name) in names.iter().enumerate() {
        if let Some(later) = names[i + 1..].iter().position(|n| n.trim() == name.trim()) {
            return Err(crate::error::invalid(
                "schema.header",
                format!("names `{name}` twice (fields {} and {})", i + 1, i + later + 2),
            ));
        }
    }
    Ok(csv::StringRecord::from(names.to_vec()))
}

/// A line of a header-less file must have the fields `schema.header` names.
fn check_fields(at: &At, expected: Option<usize>, found: usize) -> Result<(), FeaturesError> {
    match expected {
        Some(expected) if expected != found => Err(FeaturesError::Csv {
            file: at.file.to_owned(),
            line: at.line,
            message: format!(
                "{found} fields, but schema.header names {expected} (a file without a header \
                 row must have exactly the fields schema.header lists)"
            ),
        }),
        _ => Ok(()),
    }
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

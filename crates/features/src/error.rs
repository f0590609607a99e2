//! The one error type of this crate. Every variant names what the user has to fix: the file, the
//! 1-based line, the column or the configuration field, and the offending value.

use std::path::PathBuf;

/// Everything that can go wrong turning user data or configuration into sparse examples.
#[derive(Debug, thiserror::Error)]
pub enum FeaturesError {
    /// The data file does not exist.
    #[error("data file {} not found", path.display())]
    MissingFile {
        /// Full path that was tried.
        path: PathBuf,
    },
    /// The data path names a directory, not a file.
    #[error(
        "data file {} is a directory, not a file: `file` must name a CSV (or .csv.gz) file in \
         the data directory",
        path.display()
    )]
    IsADirectory {
        /// Full path that was given.
        path: PathBuf,
    },
    /// A `.gz` file is not a clean gzip stream (see [`GzipProblem`]).
    #[error("{}: {problem}", path.display())]
    Gzip {
        /// The file being read.
        path: PathBuf,
        /// Where and how the gzip stream breaks.
        problem: GzipProblem,
    },
    /// Reading or decompressing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file being read.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing an interchange file failed.
    #[error("write failed: {0}")]
    Write(#[from] std::io::Error),
    /// A column named in the schema or the feature spec is absent from the file's header.
    #[error("{file}: column `{column}` not found in the header (columns: {available}){hint}")]
    MissingColumn {
        /// The file name.
        file: String,
        /// The column that was asked for.
        column: String,
        /// The header's columns, comma separated.
        available: String,
        /// `"; did you mean `NAME`?"` for a header column close to `column`, or empty.
        hint: String,
    },
    /// A column the schema reads appears more than once in the header, so which one is meant
    /// is ambiguous (reading the first silently would be a wrong result if the second is meant).
    #[error(
        "{file}: the header names column `{column}` twice (fields {first} and {second}); rename \
         one so the schema's column is unambiguous"
    )]
    DuplicateColumn {
        /// The file name.
        file: String,
        /// The repeated column name.
        column: String,
        /// 1-based position of its first occurrence.
        first: usize,
        /// 1-based position of its second occurrence.
        second: usize,
    },
    /// A field could not be parsed as its declared type.
    #[error("{file} line {line}, column `{column}`: cannot parse `{value}` as {expected}")]
    Parse {
        /// The file name.
        file: String,
        /// 1-based line number in the file.
        line: u64,
        /// The column.
        column: String,
        /// The text that did not parse.
        value: String,
        /// What was expected, e.g. "a finite number".
        expected: &'static str,
    },
    /// A label value that is in neither class of a text label rule.
    #[error(
        "{file} line {line} (data row {row}), label column `{column}`: `{value}` is in neither \
         class ({classes})"
    )]
    Label {
        /// The file name.
        file: String,
        /// 1-based line number in the file.
        line: u64,
        /// 1-based data row (the header excluded).
        row: u64,
        /// The label column.
        column: String,
        /// The text.
        value: String,
        /// The classes, e.g. `positive [">50K"], negative ["<=50K"]`.
        classes: String,
    },
    /// The CSV itself is malformed (e.g. a row with the wrong number of fields).
    #[error("{file} line {line}: {message}")]
    Csv {
        /// The file name.
        file: String,
        /// 1-based line number in the file (0 when unknown).
        line: u64,
        /// What the CSV reader reported.
        message: String,
    },
    /// A derived column could not be computed for a row.
    #[error("{file} line {line}, derived column `{column}`: {message}")]
    Derived {
        /// The file name.
        file: String,
        /// 1-based line number in the file.
        line: u64,
        /// The derived column.
        column: String,
        /// What went wrong, with the inputs.
        message: String,
    },
    /// The file has a header but no data rows (or a split that must not be empty is).
    #[error("{file}: {what} is empty")]
    EmptyData {
        /// The file name.
        file: String,
        /// What is empty, e.g. "the data" or "the training split".
        what: String,
    },
    /// A pass over a streamed training split found fewer rows than the first read of the file.
    #[error(
        "{file}: a pass over the training rows ended after {found} of its {expected} rows (the \
         file changed after it was first read?)"
    )]
    ShortPass {
        /// The file name.
        file: String,
        /// Training rows found by the first read.
        expected: u64,
        /// Training rows this pass found.
        found: u64,
    },
    /// The label rule makes every training label the same.
    #[error(
        "{file}: label rule `{rule}` leaves only one class in the training split \
         ({rows} rows, all labelled {class})"
    )]
    OneClass {
        /// The file name.
        file: String,
        /// The rule as written, e.g. `median_house_value > 265000`.
        rule: String,
        /// Number of training rows.
        rows: usize,
        /// The only label present.
        class: f64,
    },
    /// An exact cross has more cells than a `u64` id can address.
    #[error(
        "cross `{cross}` of {columns} columns has {size} cells, more than a u64 feature id can \
         address; hash it into buckets instead"
    )]
    CrossTooLarge {
        /// The cross's name.
        cross: String,
        /// Number of crossed columns.
        columns: usize,
        /// The number of cells, e.g. `20^20 ≈ 1.05e26` or `51 x 51 x 11 ≈ ...`.
        size: String,
    },
    /// The whole feature space has more ids than a `u64` can address.
    #[error("the feature space has more than 2^64 ids (while adding group `{group}`)")]
    SpaceTooLarge {
        /// The group whose addition overflowed.
        group: String,
    },
    /// A configuration value is out of its range or inconsistent with another.
    #[error("{field}: {message}")]
    InvalidConfig {
        /// The field at fault, e.g. `synthetic.k` or `features.bucketized[2].quantiles`.
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A feature id outside the space.
    #[error("feature id {id} is outside the feature space (dimension {dimension})")]
    UnknownFeatureId {
        /// The id.
        id: u64,
        /// The space's dimension.
        dimension: u64,
    },
    /// A feature name that no id of the space has.
    #[error("no feature is named `{name}`")]
    UnknownFeatureName {
        /// The name.
        name: String,
    },
    /// A LIBSVM line that does not parse.
    #[error("{file} line {line}: {message}")]
    Libsvm {
        /// The file name.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong, with the offending token.
        message: String,
    },
}

/// Shorthand for an [`FeaturesError::InvalidConfig`].
pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> FeaturesError {
    FeaturesError::InvalidConfig { field: field.into(), message: message.into() }
}

/// How a `.gz` file fails to be a clean gzip stream: one or more complete members (as `gzip` and
/// `zcat` write them, concatenated), and nothing else. Offsets are bytes of the compressed file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GzipProblem {
    /// The file does not start with a gzip header at all.
    #[error(
        "the file name ends in .gz but the file is not gzip data (it starts with `{head}`); \
         rename it without .gz if it is plain CSV"
    )]
    NotGzip {
        /// Its first bytes, escaped.
        head: String,
    },
    /// Complete gzip data followed by bytes that are not another gzip member.
    #[error(
        "the gzip stream ends at byte {offset} (after {members} complete member(s)) and is \
         followed by data that is not gzip (trailing garbage, starting with `{head}`); \
         recompress the file, or cut it at byte {offset} if the data before is what you want"
    )]
    TrailingGarbage {
        /// Where the gzip data ends and the garbage starts.
        offset: u64,
        /// Complete members before it.
        members: u64,
        /// The garbage's first bytes, escaped.
        head: String,
    },
    /// The file ends inside a member.
    #[error(
        "the gzip stream is cut short: the file ends inside gzip member {member} (which starts \
         at byte {offset}); the file is truncated (an interrupted download or copy?)"
    )]
    Truncated {
        /// 1-based index of the member.
        member: u64,
        /// Where that member starts.
        offset: u64,
    },
    /// A member's header or compressed data is invalid.
    #[error("gzip member {member} (starting at byte {offset}) is corrupt: {message}")]
    Corrupt {
        /// 1-based index of the member.
        member: u64,
        /// Where that member starts.
        offset: u64,
        /// What the decompressor reported.
        message: String,
    },
}

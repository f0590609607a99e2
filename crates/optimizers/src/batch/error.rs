//! Errors of the batch solvers: bad configuration, data they cannot fit, unsupported
//! solver/penalty pairs. Each names the field, row or option at fault.

use regularizers::RegularizerError;

/// Why a batch fit could not run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BatchError {
    /// A [`crate::batch::PathConfig`] field is out of range.
    #[error("batch config: field `{field}` {reason}")]
    InvalidConfig {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it, including the value given.
        reason: String,
    },
    /// The matrix has no rows or no columns.
    #[error("batch fit: the matrix is empty ({rows} rows x {cols} columns)")]
    EmptyMatrix {
        /// Rows of the matrix.
        rows: usize,
        /// Columns of the matrix.
        cols: usize,
    },
    /// `y` and the matrix disagree on the number of rows, or `columns` on the number of columns.
    #[error("batch fit: {what} has length {got}, the matrix needs {expected}")]
    ShapeMismatch {
        /// `y` or `columns`.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length the matrix implies.
        expected: usize,
    },
    /// A label is not 0 or 1 for logistic loss, or not finite.
    #[error("batch fit: label at row {row} is {value}; {expected}")]
    BadLabel {
        /// Row index (0-based).
        row: usize,
        /// The label found.
        value: f64,
        /// What the loss accepts.
        expected: &'static str,
    },
    /// Logistic loss with every label equal: the bias has no finite optimum.
    #[error("batch fit: every label is {label}; logistic loss needs both classes")]
    OneClass {
        /// The only label present.
        label: f64,
    },
    /// A matrix entry is NaN or infinite.
    #[error("batch fit: matrix entry at row {row}, column {col} is {value}")]
    NonFiniteValue {
        /// Row index.
        row: usize,
        /// Column index (compact).
        col: usize,
        /// The value found.
        value: f64,
    },
    /// The solver does not handle this penalty.
    #[error(
        "batch solver `{solver}` does not support penalty `{penalty}` (supported: {supported})"
    )]
    UnsupportedPenalty {
        /// Solver name.
        solver: &'static str,
        /// Penalty name.
        penalty: &'static str,
        /// The penalties the solver accepts.
        supported: &'static str,
    },
    /// The solver's settings table has an unknown key or a value of the wrong type.
    #[error("batch solver `{solver}`: {message}")]
    BadSettings {
        /// Solver name.
        solver: &'static str,
        /// What is wrong, naming the key.
        message: String,
    },
    /// An unknown solver name.
    #[error("unknown batch solver `{name}` (expected one of: {expected})")]
    UnknownSolver {
        /// What the user wrote.
        name: String,
        /// Accepted names, comma separated.
        expected: String,
    },
    /// The penalty could not be built (strength or ratio out of range).
    #[error(transparent)]
    Regularizer(#[from] RegularizerError),
}

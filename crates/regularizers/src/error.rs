//! Errors raised when a regularizer is built from user input.

/// A regularizer could not be built from the given name or parameters.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RegularizerError {
    /// The name is not in [`crate::REGULARIZERS`].
    #[error("unknown regularizer `{name}` (expected one of: {expected})")]
    UnknownName {
        /// What the user wrote.
        name: String,
        /// The accepted names, comma separated.
        expected: String,
    },
    /// A strength is negative or not finite.
    #[error("regularizer `{name}`: {parameter} must be finite and >= 0, got {value}")]
    BadStrength {
        /// The regularizer.
        name: &'static str,
        /// The parameter at fault.
        parameter: &'static str,
        /// Its value.
        value: f64,
    },
    /// A settings table the regularizer does not accept (unknown key, wrong type).
    #[error("regularizer `{name}`: {message}")]
    BadSettings {
        /// The regularizer.
        name: &'static str,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A parameter that must be strictly positive (e.g. the MCP's `gamma`) is `<= 0` or not
    /// finite.
    #[error("regularizer `{name}`: {parameter} must be finite and > 0, got {value}")]
    NotPositive {
        /// The regularizer.
        name: &'static str,
        /// The parameter at fault.
        parameter: &'static str,
        /// Its value.
        value: f64,
    },
    /// An elastic-net mixing ratio outside [0, 1].
    #[error("regularizer `elastic_net`: l1_ratio must be in [0, 1], got {0}")]
    BadRatio(f64),
}

pub(crate) fn check_strength(
    name: &'static str,
    parameter: &'static str,
    value: f64,
) -> Result<f64, RegularizerError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(RegularizerError::BadStrength { name, parameter, value })
    }
}

pub(crate) fn check_positive(
    name: &'static str,
    parameter: &'static str,
    value: f64,
) -> Result<f64, RegularizerError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(RegularizerError::NotPositive { name, parameter, value })
    }
}

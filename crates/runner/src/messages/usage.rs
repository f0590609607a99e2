//! A bad command-line value found after clap parsed the line (a fraction out of range, an
//! unknown experiment name, an option a command refuses): a typed error, so that the binary
//! exits with 2 for it as clap does for its own errors.

/// A command-line value the command cannot take; the message names the option and the value.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A [`UsageError`] as an `anyhow` error.
pub fn usage_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

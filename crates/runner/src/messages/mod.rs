//! How errors read: a "did you mean" for a misspelled name ([`suggest`]), quoted values cut to
//! a readable length ([`shorten`]), and the error of a bad command-line value, which the binary
//! maps to exit code 2 ([`usage`]).
//!
//! The bottom layer with `paths`: it uses no other module of the runner.

pub mod shorten;
pub mod suggest;
pub mod usage;

pub use self::shorten::shorten_quoted;
pub use self::suggest::with_suggestion;
pub use self::usage::{usage_error, UsageError};

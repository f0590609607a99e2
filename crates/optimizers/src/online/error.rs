//! Errors raised when an online optimizer is built from user input.

/// An online optimizer could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OnlineError {
    /// The optimizer name is not in [`crate::online::ONLINE_OPTIMIZERS`].
    #[error("unknown online optimizer `{name}` (expected one of: {expected})")]
    UnknownKind {
        /// What the user wrote.
        name: String,
        /// The accepted names, comma separated.
        expected: String,
    },
    /// A configuration field has a value outside its range.
    #[error("online optimizer config: `{field}` {reason}")]
    BadConfig {
        /// The field at fault, as spelled in specs (e.g. `schedule.eta0`).
        field: &'static str,
        /// What is wrong with it, including the value given.
        reason: String,
    },
    /// The optimizer's settings table has an unknown key or a value of the wrong type.
    #[error("online optimizer `{optimizer}`: {message}")]
    BadSettings {
        /// The optimizer.
        optimizer: &'static str,
        /// What is wrong, naming the key.
        message: String,
    },
    /// The optimizer cannot apply this regularizer.
    #[error(
        "online optimizer `{optimizer}` does not support regularizer `{regularizer}`: {reason}"
    )]
    Unsupported {
        /// The optimizer.
        optimizer: &'static str,
        /// The regularizer.
        regularizer: &'static str,
        /// Why, and what to use instead.
        reason: String,
    },
    /// A dense store of this dimension would exceed [`crate::online::DENSE_STORE_MAX_BYTES`].
    #[error(
        "online optimizer config: `store.dimension` {dimension} needs {bytes} bytes as a dense \
         store, above the cap of {cap} bytes; use the sparse store"
    )]
    DenseTooLarge {
        /// The dimension asked for.
        dimension: u64,
        /// Bytes the dense store would need.
        bytes: u128,
        /// The cap.
        cap: u64,
    },
}

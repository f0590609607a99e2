//! Turns real and synthetic data into crossed, one-hot sparse examples.
//!
//! Data model (see ARCHITECTURE.md): every feature is a `u64` id in one global space made of
//! consecutive *groups* (a bucketized column, a categorical vocabulary, an exact cross or a hashed
//! cross). An exact cross of columns with sizes `s_1..s_m` occupies `prod s_j` ids, computed in
//! mixed radix; nothing of that size is ever allocated, because one example touches one cell.
//! Examples leave this crate as [`SparseExample`]s (for online learners, streamed) or as a
//! [`CompactMatrix`] (CSR over the features actually seen, for batch solvers). Every id maps back
//! to a readable name for model export.

mod example;
mod matrix;

pub use example::{FeatureId, SparseExample};
pub use matrix::CompactMatrix;

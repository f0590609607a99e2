//! Turns real and synthetic data into crossed, one-hot sparse examples.
//!
//! Data model (see ARCHITECTURE.md): every feature is a `u64` id in one global space made of
//! consecutive *groups* (a bucketized column, a categorical vocabulary, an exact cross or a hashed
//! cross). An exact cross of columns with sizes `s_1..s_m` occupies `prod s_j` ids, computed in
//! mixed radix; nothing of that size is ever allocated, because one example touches one cell.
//! Examples leave this crate as [`SparseExample`]s (for online learners, streamed) or as a
//! [`CompactMatrix`] (CSR over the features actually seen, for batch solvers). Every id maps back
//! to a readable name for model export.
//!
//! Modules:
//! - [`space`]: [`FeatureSpace`] (groups, encoding of a row, id <-> name), bucketizers,
//!   vocabularies, crosses;
//! - [`synthetic`]: the seeded generator with a known true model;
//! - [`real`]: CSV / gzipped CSV with a declared schema, splits, fitted feature columns;
//! - [`libsvm`], [`vw`]: interchange formats for peer tools;
//! - [`did_you_mean`]: the known name closest to a misspelled one, for error messages.
//!
//! Randomness (synthetic models and rows, shuffles) comes from ChaCha8 streams with every
//! derived distribution written out in this crate, so a seed gives the same bits across
//! dependency versions.

pub mod did_you_mean;
mod error;
mod example;
mod label_style;
pub mod libsvm;
pub mod libsvm_data;
mod matrix;
mod random;
pub mod real;
pub mod space;
pub mod synthetic;
pub mod vw;

pub use error::{FeaturesError, GzipProblem};
pub use example::{FeatureId, SparseExample};
pub use label_style::LabelStyle;
pub use matrix::CompactMatrix;
pub use space::{FeatureGroup, FeatureSpace, FeatureSpaceBuilder, GroupKind};
pub use synthetic::{CrossLayout, SplitName, SyntheticConfig, SyntheticProblem, SyntheticStream};

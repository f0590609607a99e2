//! The `features` crate's integration tests, as one test binary: synthetic generator, feature
//! space naming, real-data loading and its errors, interchange formats.

// Test helpers (not only `#[test]` functions) unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod click_logs;
mod interchange;
mod own_data;
mod real_data;
mod space_names;
mod streamed;
mod synthetic;
mod synthetic_gaussian;
mod synthetic_long_tail;

//! The `optimizers` crate's integration tests, as one test binary (linked once, not once per
//! file): batch solvers and their paths, coefficient encodings, the online optimizers, splicing
//! and trust-region Newton.

mod batch;
mod coefficients;
mod online;
mod splicing;
mod trust_region_newton;

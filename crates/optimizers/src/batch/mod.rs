//! Batch solvers (filled in by the batch-solvers work).

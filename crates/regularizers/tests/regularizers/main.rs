//! The `regularizers` crate's integration tests, as one test binary (linked once, not once per
//! file): the penalties of the registry and the minimax concave penalty.

mod mcp;
mod penalties;

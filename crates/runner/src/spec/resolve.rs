//! The parts of a spec whose meaning the libraries define, read as the libraries' types: the
//! free-form `[data.synthetic]` and `[data.real]` tables as the `features` crate's configs
//! (optimizer and regularizer names and settings are checked by the libraries' registries).
//!
//! The spec's checks use them to reject a bad spec before any run starts, and `data` uses the
//! same functions to build the data sets, so both read a table the same way.

use features::real::RealDataSpec;
use features::synthetic::SyntheticConfig;

/// The synthetic generator config of a spec for one k and seed.
pub fn synthetic_config(table: &toml::Table, k: u32, seed: u64) -> anyhow::Result<SyntheticConfig> {
    let mut config: SyntheticConfig = table
        .clone()
        .try_into()
        .map_err(|e| anyhow::anyhow!("[data.synthetic]: {}", e.to_string().trim_end()))?;
    config.k = k as usize;
    config.seed = seed;
    Ok(config)
}

/// The `[data.real]` table as the loader's spec (errors name the table and the key).
pub fn real_spec(table: &toml::Table) -> anyhow::Result<RealDataSpec> {
    table
        .clone()
        .try_into()
        .map_err(|e| anyhow::anyhow!("[data.real]: {}", e.to_string().trim_end()))
}

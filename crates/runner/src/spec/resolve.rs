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

/// Whether a spec's data sets differ from seed to seed: synthetic data always; real data only
/// when the seed shuffles `file`'s rows into splits. When they do not, every seed's data set holds
/// the same examples in the same order, so a deterministic (batch) fit needs to run only once.
/// `synthetic` and `real` are the spec's `[data.synthetic]` and `[data.real]` tables.
pub fn data_depends_on_seed(
    synthetic: Option<&toml::Table>,
    real: Option<&toml::Table>,
) -> anyhow::Result<bool> {
    match (synthetic, real) {
        (None, Some(table)) => Ok(real_spec(table)?.depends_on_seed()),
        _ => Ok(true),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tail_table_reaches_the_generator_config() {
        let table: toml::Table =
            toml::from_str("[long_tail]\nexponent = 1.3\npositive_rate = 0.05\n").unwrap();
        let config = synthetic_config(&table, 4, 9).unwrap();
        let tail = config.long_tail.unwrap();
        assert_eq!((tail.exponent, tail.positive_rate), (1.3, Some(0.05)));
        assert!(synthetic_config(&toml::Table::new(), 4, 9).unwrap().long_tail.is_none());
        let typo: toml::Table = toml::from_str("[long_tail]\nexponnent = 1.3\n").unwrap();
        let err = synthetic_config(&typo, 4, 9).unwrap_err().to_string();
        assert!(err.contains("[data.synthetic]") && err.contains("exponnent"), "{err}");
    }
}

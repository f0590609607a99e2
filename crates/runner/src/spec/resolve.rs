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

/// The `[data.real]` table as the loader's spec (errors name the table and the key), its label
/// rule checked (so a bad one is refused before any run).
pub fn real_spec(table: &toml::Table) -> anyhow::Result<RealDataSpec> {
    let spec: RealDataSpec = table
        .clone()
        .try_into()
        .map_err(|e| anyhow::anyhow!("[data.real]: {}", e.to_string().trim_end()))?;
    features::real::LabelRule::from_spec(&spec.schema.label)
        .map_err(|e| anyhow::anyhow!("[data.real]: {e}"))?;
    Ok(spec)
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

/// `--quick` on a `[data.real]` table: at most `max_rows` rows of each file; explicit split
/// ranges (which name rows of the whole file) are scaled by `max_rows / (their largest end)` when
/// that end is beyond `max_rows`, so they keep their proportions and fit the rows read.
pub fn shrink_real(table: &mut toml::Table, max_rows: u64) {
    let cap = i64::try_from(max_rows).unwrap_or(i64::MAX);
    let rows = match table.get("max_rows").and_then(toml::Value::as_integer) {
        Some(current) => current.min(cap),
        None => cap,
    };
    table.insert("max_rows".into(), toml::Value::Integer(rows));
    let Some(ranges) = table
        .get_mut("split")
        .and_then(toml::Value::as_table_mut)
        .and_then(|split| split.get_mut("ranges"))
        .and_then(toml::Value::as_table_mut)
    else {
        return;
    };
    let end = ranges
        .values()
        .filter_map(toml::Value::as_array)
        .filter_map(|range| range.get(1).and_then(toml::Value::as_integer))
        .max()
        .unwrap_or(0);
    if end <= rows {
        return;
    }
    for (_, range) in ranges.iter_mut() {
        let Some(range) = range.as_array_mut() else { continue };
        for bound in range.iter_mut() {
            if let Some(b) = bound.as_integer() {
                // b * rows / end in 128 bits: both are at most i64::MAX.
                *bound = toml::Value::Integer(
                    (i128::from(b) * i128::from(rows) / i128::from(end)) as i64,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_shrinks_rows_and_scales_ranges() {
        let mut table: toml::Table = toml::from_str(
            "file = \"f.csv\"\n[split]\nranges = { train = [0, 12000], validation = [12000, 17000] }",
        )
        .unwrap();
        shrink_real(&mut table, 1700);
        assert_eq!(table["max_rows"].as_integer(), Some(1700));
        let ranges = &table["split"]["ranges"];
        assert_eq!(ranges["train"].as_array().unwrap()[1].as_integer(), Some(1200));
        assert_eq!(ranges["validation"].as_array().unwrap()[1].as_integer(), Some(1700));
        let mut small: toml::Table = toml::from_str("file = \"f.csv\"\nmax_rows = 10").unwrap();
        shrink_real(&mut small, 1700);
        assert_eq!(small["max_rows"].as_integer(), Some(10));
    }

    #[test]
    fn real_data_depend_on_the_seed_only_when_shuffled_into_splits() {
        let real = |split: &str| -> toml::Table {
            toml::from_str(&format!(
                "file = \"f.csv\"\nschema = {{ label = {{ column = \"y\", rule = \"> 0\" }} }}\n\
                 features = {{}}\n{split}"
            ))
            .unwrap()
        };
        let shuffled = real("split = { fractions = { train = 0.8, validation = 0.2 } }");
        assert!(data_depends_on_seed(None, Some(&shuffled)).unwrap());
        let unshuffled =
            real("split = { shuffle = false, fractions = { train = 0.8, validation = 0.2 } }");
        assert!(!data_depends_on_seed(None, Some(&unshuffled)).unwrap());
        assert!(!data_depends_on_seed(None, Some(&real(""))).unwrap());
        assert!(data_depends_on_seed(Some(&toml::Table::new()), None).unwrap());
        let bad = real("").to_string().replace("rule = \"> 0\"", "positive = [\"a\"]");
        let bad: toml::Table = toml::from_str(&bad).unwrap();
        let err = data_depends_on_seed(None, Some(&bad)).unwrap_err().to_string();
        assert!(err.contains("schema.label") && err.contains("negative"), "{err}");
    }

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

//! `[grid]`: the values every regularizer entry runs at (k, seeds, training sizes), the memory
//! cap, and the training knobs every online entry starts from.

use anyhow::bail;
use serde::{Deserialize, Serialize};

use super::rules::check_unique;
use super::training::TrainingSpec;

/// Parameters shared by every run of the grid; optimizer entries may override the training ones.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    /// Values of k (synthetic only): k features of k bins, crossed into k^k cells.
    #[serde(default)]
    pub k: Vec<u32>,
    /// Seeds: each seed draws its own data set and seeds its optimizers.
    pub seeds: Vec<u64>,
    /// Training examples (synthetic only), one data set per value, instead of `data.n_train`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub n_train: Vec<u64>,
    /// Largest training state a run may hold (`"4GiB"`, `"512MiB"` or bytes): an online run
    /// whose state passes it stops there and is recorded `memory_exceeded` with the examples
    /// and bytes reached; a batch fit whose estimate passes it is not started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_cap: Option<SizeSpec>,
    /// The training knobs of every online entry that does not set its own (read by [`read`]).
    #[serde(flatten, skip_deserializing)]
    pub training: TrainingSpec,
}

/// Reads `[grid]`: its training knobs, then its own keys.
pub fn read<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<GridSpec, D::Error> {
    use serde::de::Error;
    let mut table = toml::Table::deserialize(deserializer)?;
    let training = TrainingSpec::take_from(&mut table)
        .map_err(|(key, why)| D::Error::custom(format!("`grid.{key}`: {why}")))?;
    let grid: GridSpec = table.try_into().map_err(|e| {
        let why = e.message().trim_end();
        match why.starts_with("unknown field") {
            true => D::Error::custom(format!("{why}, or {}", TrainingSpec::keys_text())),
            false => D::Error::custom(why),
        }
    })?;
    Ok(GridSpec { training, ..grid })
}

impl GridSpec {
    /// `memory_cap` in bytes (checked by [`GridSpec::check`]; an unreadable one is none).
    pub fn memory_cap_bytes(&self) -> Option<u64> {
        self.memory_cap.as_ref().and_then(|c| c.bytes().ok())
    }

    /// The training knobs set in `[grid]`.
    pub fn training(&self) -> TrainingSpec {
        self.training.clone()
    }

    /// Checks the seeds, the memory cap and the training knobs (k and `n_train` depend on the
    /// data source: [`super::DataSpec::check`]).
    pub fn check(&self) -> anyhow::Result<()> {
        if self.seeds.is_empty() {
            bail!("`grid.seeds` is empty");
        }
        check_unique("grid.seeds", &self.seeds)?;
        if let Some(cap) = &self.memory_cap {
            cap.bytes().map_err(|e| anyhow::anyhow!("`grid.memory_cap`: {e}"))?;
        }
        self.training.check("grid.")
    }
}

/// A size in a spec: bytes, or a number with a unit (`"4GiB"`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum SizeSpec {
    /// Bytes.
    Bytes(u64),
    /// A number and a unit, read by [`parse_size`].
    Text(String),
}

impl SizeSpec {
    /// The size in bytes, or why the text is not one.
    pub fn bytes(&self) -> Result<u64, String> {
        match self {
            SizeSpec::Bytes(b) if *b >= 1 => Ok(*b),
            SizeSpec::Bytes(_) => Err("must be at least one byte".to_string()),
            SizeSpec::Text(text) => parse_size(text),
        }
    }
}

/// Reads a size: a number and a unit (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB; `4GiB`, `1.5G`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: a number and a unit, e.g. 4GiB or 512MiB"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}` (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)"
            ))
        }
    };
    let bytes = value * factor as f64;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("`{text}` is not a size of at least one byte"));
    }
    Ok(bytes as u64)
}

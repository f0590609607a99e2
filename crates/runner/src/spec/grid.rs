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
    /// Bucket counts of the hashed crosses, one data set per value (`"exact"`: not hashed);
    /// see [`super::hash_grid`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hash_buckets: Vec<super::hash_grid::HashBuckets>,
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
        // The table's error names the key below its message (`in `k``).
        let shown = e.to_string();
        let key = shown.rsplit_once("in `").and_then(|(_, k)| k.split('`').next());
        match (why.starts_with("unknown field"), key) {
            (true, _) => D::Error::custom(format!("{why}, or {}", TrainingSpec::keys_text())),
            (false, Some(key)) => D::Error::custom(format!("`grid.{key}`: {why}")),
            (false, None) => D::Error::custom(why),
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
        super::hash_grid::check_values(&self.hash_buckets)?;
        if let Some(cap) = &self.memory_cap {
            cap.bytes().map_err(|e| anyhow::anyhow!("`grid.memory_cap`: {e}"))?;
        }
        self.training.check("grid.")
    }
}

/// What a size may be, for the message of a value that is not one.
const SIZES_ALLOWED: &str = "a size is a whole number of bytes (at least 1) or a number and a \
    unit in quotes, e.g. \"4GiB\" or \"512MiB\"";

/// How the message of a value that is not a size starts after the value.
const NOT_A_SIZE: &str = "is not a size";

/// A size in a spec: bytes, or a number with a unit (`"4GiB"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SizeSpec {
    /// Bytes.
    Bytes(u64),
    /// A number and a unit, read by [`parse_size`].
    Text(String),
}

impl<'de> Deserialize<'de> for SizeSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SizeVisitor)
    }
}

/// Reads a [`SizeSpec`], naming the value and what a size may be when it is not one.
struct SizeVisitor;

impl serde::de::Visitor<'_> for SizeVisitor {
    type Value = SizeSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(SIZES_ALLOWED)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SizeSpec, E> {
        Ok(SizeSpec::Bytes(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SizeSpec, E> {
        u64::try_from(v).map(SizeSpec::Bytes).map_err(|_| not_a_size(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<SizeSpec, E> {
        Err(not_a_size(v))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<SizeSpec, E> {
        Err(not_a_size(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SizeSpec, E> {
        Ok(SizeSpec::Text(v.to_string()))
    }
}

fn not_a_size<E: serde::de::Error>(value: impl std::fmt::Display) -> E {
    E::custom(format!("{value} {NOT_A_SIZE}: {SIZES_ALLOWED}"))
}

impl SizeSpec {
    /// The size in bytes, or why the text is not one.
    pub fn bytes(&self) -> Result<u64, String> {
        match self {
            SizeSpec::Bytes(b) if *b >= 1 => Ok(*b),
            SizeSpec::Bytes(b) => Err(format!("{b} {NOT_A_SIZE}: {SIZES_ALLOWED}")),
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
    if !(bytes.is_finite() && bytes < u64::MAX as f64) {
        return Err(format!(
            "`{text}` is too large: a size is at most 2^64 - 1 bytes (about 16 million TiB)"
        ));
    }
    if bytes < 1.0 {
        return Err(format!("`{text}` is less than one byte: {SIZES_ALLOWED}"));
    }
    Ok(bytes as u64)
}

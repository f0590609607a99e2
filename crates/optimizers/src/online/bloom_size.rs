//! How many counters the counting Bloom filter of count admission gets (spec key
//! `bloom_counters`): a fixed number, or sized for the data from the expected number of distinct
//! features and a target false-admission rate.
//!
//! Sizing (Bloom 1970; the standard analysis, e.g. Broder & Mitzenmacher 2004): after `n`
//! distinct features each raised `h = 3` counters of `m`, a counter is still zero with
//! probability about `exp(-h n / m)`, so a feature never seen before finds all its `h` counters
//! raised with probability `f = (1 - exp(-h n / m))^h`. Solving for `m` at a target `f`:
//! `m = ceil(-h n / ln(1 - f^(1/h)))`. For admission after `n >= 2` sightings, `f` bounds the
//! chance that a feature seen once is admitted (its counters raised by others); with the
//! conservative update and larger `n` the real rate is lower still. Example: 500,000 features at
//! `f = 0.05` need 3.3 million counters (3.3 MB), at `f = 0.01` 6.2 million.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::admission::BLOOM_HASHES;

/// Largest expected number of distinct features accepted (beyond, the filter would exceed the
/// counter cap at any useful rate).
const MAX_EXPECTED_FEATURES: u64 = 10_000_000_000;

/// The filter's size as a spec gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BloomCounters {
    /// This many counters (`bloom_counters = 4194304`).
    Fixed(u32),
    /// Sized for the data
    /// (`bloom_counters = { expected_features = 500000, false_admission = 0.05 }`).
    ForData {
        /// Distinct features the filter will see.
        expected_features: u64,
        /// Target chance that a feature never seen finds all its counters raised, in (0, 0.5].
        false_admission: f64,
    },
}

impl BloomCounters {
    /// The number of counters (saturating at `u32::MAX`, which `OnlineConfig::validate` then
    /// refuses as above the cap, naming `bloom_counters`).
    pub fn counters(&self) -> u32 {
        match *self {
            BloomCounters::Fixed(m) => m,
            BloomCounters::ForData { expected_features, false_admission } => {
                counters_for(expected_features, false_admission)
            }
        }
    }
}

/// Counters giving a false-admission rate `rate` after `features` distinct features (module
/// doc); at least 64 (the smallest filter accepted).
pub fn counters_for(features: u64, rate: f64) -> u32 {
    let h = BLOOM_HASHES as f64;
    let m = (-h * features as f64 / (1.0 - rate.powf(1.0 / h)).ln()).ceil();
    if m >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        (m as u32).max(64)
    }
}

/// The false-admission rate of `counters` counters after `features` distinct features.
pub fn false_admission_rate(counters: u32, features: u64) -> f64 {
    let h = BLOOM_HASHES as f64;
    (1.0 - (-h * features as f64 / f64::from(counters)).exp()).powf(h)
}

impl Serialize for BloomCounters {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match *self {
            BloomCounters::Fixed(m) => serializer.serialize_u32(m),
            BloomCounters::ForData { expected_features, false_admission } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("expected_features", &expected_features)?;
                map.serialize_entry("false_admission", &false_admission)?;
                map.end()
            }
        }
    }
}

/// Reads an integer or a table, with errors that name the key at fault.
struct BloomVisitor;

const EXPECTED: &str =
    "a number of counters, or a table { expected_features = N, false_admission = f }";

impl<'de> Visitor<'de> for BloomVisitor {
    type Value = BloomCounters;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u32::try_from(v)
            .map(BloomCounters::Fixed)
            .map_err(|_| E::custom(format!("counters must be in 0..=2^32-1, got {v}")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut features, mut rate): (Option<u64>, Option<f64>) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "expected_features" if features.is_none() => features = Some(map.next_value()?),
                "false_admission" if rate.is_none() => rate = Some(map.next_value()?),
                "expected_features" | "false_admission" => {
                    return Err(de::Error::custom(format!("`{key}` given twice")))
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{other}`, expected `expected_features` or `false_admission`"
                    )))
                }
            }
        }
        let features = features.ok_or_else(|| de::Error::missing_field("expected_features"))?;
        let rate = rate.ok_or_else(|| de::Error::missing_field("false_admission"))?;
        if !(1..=MAX_EXPECTED_FEATURES).contains(&features) {
            return Err(de::Error::custom(format!(
                "`expected_features` must be in 1..={MAX_EXPECTED_FEATURES}, got {features}"
            )));
        }
        if !(rate > 0.0 && rate <= 0.5) {
            return Err(de::Error::custom(format!(
                "`false_admission` must be in (0, 0.5], got {rate}"
            )));
        }
        Ok(BloomCounters::ForData { expected_features: features, false_admission: rate })
    }
}

impl<'de> Deserialize<'de> for BloomCounters {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BloomVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    struct Holder {
        bloom_counters: BloomCounters,
    }

    fn parse(text: &str) -> Result<BloomCounters, String> {
        toml::from_str::<Holder>(text).map(|h| h.bloom_counters).map_err(|e| e.to_string())
    }

    #[test]
    fn sized_filter_meets_its_target_rate() {
        for (features, rate) in [(1_000u64, 0.01), (500_000, 0.05), (2_000_000, 0.2)] {
            let m = counters_for(features, rate);
            let achieved = false_admission_rate(m, features);
            assert!(achieved <= rate && achieved > 0.99 * rate, "{features} {rate}: {achieved}");
        }
        // The module doc's example.
        assert_eq!(counters_for(500_000, 0.05) / 100_000, 32);
        assert_eq!(counters_for(1, 0.5), 64);
        assert_eq!(counters_for(MAX_EXPECTED_FEATURES, 1e-9), u32::MAX);
    }

    #[test]
    fn a_fixed_count_or_a_table_is_read_and_written_back() {
        assert_eq!(parse("bloom_counters = 4096"), Ok(BloomCounters::Fixed(4096)));
        let sized = parse("bloom_counters = { expected_features = 1000, false_admission = 0.01 }");
        let sized = sized.unwrap_or(BloomCounters::Fixed(0));
        assert_eq!(sized.counters(), counters_for(1000, 0.01));
        // A fixed count serializes as the bare integer (so run ids of older specs keep theirs).
        let text = toml::to_string(&Holder { bloom_counters: BloomCounters::Fixed(64) });
        assert_eq!(text.as_deref().map(str::trim), Ok("bloom_counters = 64"));
    }

    #[test]
    fn bad_tables_name_the_key() {
        for (text, needle) in [
            ("bloom_counters = -1", "counters must be"),
            (
                "bloom_counters = { expected_features = 0, false_admission = 0.1 }",
                "expected_features",
            ),
            (
                "bloom_counters = { expected_features = 10, false_admission = 0.9 }",
                "false_admission",
            ),
            ("bloom_counters = { expected_features = 10 }", "false_admission"),
            ("bloom_counters = { expected = 10, false_admission = 0.1 }", "unknown key `expected`"),
            ("bloom_counters = \"big\"", "a number of counters, or a table"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}

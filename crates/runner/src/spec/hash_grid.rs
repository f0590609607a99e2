//! `[grid] hash_buckets`: one data set per bucket count of the hashed crosses, so a report shows
//! how many buckets a cross needs (collisions, log loss, nonzeros and bytes against the exact
//! cross). Each value replaces `hash_buckets` of every cross the spec hashes (a `[data.real]`
//! cross that sets `hash_buckets`; the full cross of `[data.synthetic]`), and `"exact"` drops it,
//! so that cross gets one id per distinct value. The data tables are rewritten here, before the
//! `features` crate reads them, so fingerprints and data sets see the same override.

use std::borrow::Cow;
use std::fmt;

use anyhow::bail;
use serde::{Deserialize, Serialize};

/// The largest bucket count a grid may ask for (2^32, as `features` allows for a hashed cross).
pub const MAX_BUCKETS: u64 = 1 << 32;

/// One value of `grid.hash_buckets`: a bucket count, or the cross exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashBuckets {
    /// This many buckets per hashed cross.
    Count(u64),
    /// No hashing: one id per distinct value of the cross (written `"exact"`).
    Exact,
}

/// What the spec may hold: a number, or a word that must be `exact`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    Count(u64),
    Word(String),
}

impl<'de> Deserialize<'de> for HashBuckets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Written::deserialize(d) {
            Ok(Written::Count(n)) => Ok(Self::Count(n)),
            Ok(Written::Word(word)) if word == "exact" => Ok(Self::Exact),
            Ok(Written::Word(word)) => Err(serde::de::Error::custom(format!(
                "`{word}` is not a bucket count: write a whole number of buckets or \"exact\""
            ))),
            Err(_) => Err(serde::de::Error::custom(
                "a bucket count is a whole number of buckets (at least 1) or \"exact\"",
            )),
        }
    }
}

impl Serialize for HashBuckets {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Count(n) => s.serialize_u64(*n),
            Self::Exact => s.serialize_str("exact"),
        }
    }
}

impl fmt::Display for HashBuckets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(n) => write!(f, "{n}"),
            Self::Exact => f.write_str("exact"),
        }
    }
}

impl HashBuckets {
    /// The part of a run id's prefix: `h2^20` for a power of two, `h1000`, `hexact`.
    pub fn tag(self) -> String {
        match self {
            Self::Count(n) if n.is_power_of_two() && n >= 4 => format!("h2^{}", n.trailing_zeros()),
            other => format!("h{other}"),
        }
    }

    /// Reads a `hash_buckets` cell of `runs.csv` (empty: the grid has no such values).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "exact" => Some(Self::Exact),
            _ => text.parse().ok().map(Self::Count),
        }
    }

    /// The `hash_buckets` value a table gets (none: the key is removed).
    fn value(self) -> Option<toml::Value> {
        match self {
            Self::Count(n) => Some(toml::Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))),
            Self::Exact => None,
        }
    }
}

/// Checks `grid.hash_buckets`: values unique, counts in 1 ..= [`MAX_BUCKETS`].
pub fn check_values(values: &[HashBuckets]) -> anyhow::Result<()> {
    for (i, value) in values.iter().enumerate() {
        if let HashBuckets::Count(n) = value {
            if !(1..=MAX_BUCKETS).contains(n) {
                bail!("`grid.hash_buckets[{i}]` is {n}; a bucket count is 1 ..= {MAX_BUCKETS}");
            }
        }
        if values[..i].contains(value) {
            bail!("`grid.hash_buckets` holds {value} twice");
        }
    }
    Ok(())
}

/// `[data.synthetic]` as data set `buckets` of the grid sees it (the table itself without one).
pub fn synthetic_at(
    table: &toml::Table,
    buckets: Option<HashBuckets>,
) -> anyhow::Result<Cow<'_, toml::Table>> {
    match buckets {
        None => Ok(Cow::Borrowed(table)),
        Some(b) => synthetic_table(table, b).map(Cow::Owned),
    }
}

/// `[data.real]` as data set `buckets` of the grid sees it (the table itself without one).
pub fn real_at(
    table: &toml::Table,
    buckets: Option<HashBuckets>,
) -> anyhow::Result<Cow<'_, toml::Table>> {
    match buckets {
        None => Ok(Cow::Borrowed(table)),
        Some(b) => real_table(table, b).map(Cow::Owned),
    }
}

/// `[data.synthetic]` with its full cross hashed into `buckets` (or exact); an error when the
/// table has no full cross to hash.
pub fn synthetic_table(table: &toml::Table, buckets: HashBuckets) -> anyhow::Result<toml::Table> {
    let mut out = table.clone();
    let crosses = out.entry("crosses").or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let Some(crosses) = crosses.as_table_mut() else {
        bail!("`data.synthetic.crosses` must be a table for `grid.hash_buckets` to apply");
    };
    if crosses.get("full_cross").and_then(toml::Value::as_bool) == Some(false) {
        bail!(
            "`grid.hash_buckets` hashes the full cross, but `data.synthetic.crosses.full_cross` \
             is false: set it true or drop `grid.hash_buckets`"
        );
    }
    match buckets.value() {
        Some(value) => crosses.insert("hash_buckets".into(), value),
        None => crosses.remove("hash_buckets"),
    };
    Ok(out)
}

/// `[data.real]` with every cross that sets `hash_buckets` hashed into `buckets` (or exact); an
/// error when no cross sets it.
pub fn real_table(table: &toml::Table, buckets: HashBuckets) -> anyhow::Result<toml::Table> {
    let mut out = table.clone();
    let crosses = out
        .get_mut("features")
        .and_then(toml::Value::as_table_mut)
        .and_then(|f| f.get_mut("crosses"))
        .and_then(toml::Value::as_array_mut);
    let mut hashed = 0;
    for cross in crosses.into_iter().flatten().filter_map(toml::Value::as_table_mut) {
        if cross.contains_key("hash_buckets") {
            hashed += 1;
            match buckets.value() {
                Some(value) => cross.insert("hash_buckets".into(), value),
                None => cross.remove("hash_buckets"),
            };
        }
    }
    if hashed == 0 {
        bail!(
            "`grid.hash_buckets` replaces `hash_buckets` of the crosses of \
             `data.real.features.crosses` that set it, and none does: give the crosses to vary \
             a `hash_buckets` value, or drop `grid.hash_buckets`"
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Grid {
        hash_buckets: Vec<HashBuckets>,
    }

    #[test]
    fn values_read_as_counts_or_exact_and_print_back() {
        let grid: Grid = toml::from_str(r#"hash_buckets = ["exact", 1024, 1000]"#).unwrap();
        let want = [HashBuckets::Exact, HashBuckets::Count(1024), HashBuckets::Count(1000)];
        assert_eq!(grid.hash_buckets, want);
        let tags: Vec<String> = want.iter().map(|b| b.tag()).collect();
        assert_eq!(tags, ["hexact", "h2^10", "h1000"]);
        for b in want {
            assert_eq!(HashBuckets::parse(&b.to_string()), Some(b));
        }
        let typo = toml::from_str::<Grid>(r#"hash_buckets = ["exakt"]"#);
        assert!(typo.is_err());
        assert!(check_values(&[HashBuckets::Count(0)]).unwrap_err().to_string().contains("[0]"));
        let twice = check_values(&[HashBuckets::Exact, HashBuckets::Exact]).unwrap_err();
        assert!(twice.to_string().contains("exact twice"), "{twice}");
    }

    #[test]
    fn tables_get_the_override_or_an_error_naming_what_is_missing() {
        let real: toml::Table = toml::from_str(
            r#"file = "x.csv"
               [features]
               crosses = [{ columns = ["a", "b"], hash_buckets = 5 }, { columns = ["a", "c"] }]"#,
        )
        .unwrap();
        let at = real_table(&real, HashBuckets::Count(64)).unwrap();
        let crosses = at["features"]["crosses"].as_array().unwrap();
        assert_eq!(crosses[0]["hash_buckets"].as_integer(), Some(64));
        assert!(!crosses[1].as_table().unwrap().contains_key("hash_buckets"));
        let exact = real_table(&real, HashBuckets::Exact).unwrap();
        assert!(!exact["features"]["crosses"][0].as_table().unwrap().contains_key("hash_buckets"));
        let none: toml::Table = toml::from_str("file = \"x.csv\"").unwrap();
        assert!(real_table(&none, HashBuckets::Exact).unwrap_err().to_string().contains("none"));

        let synthetic: toml::Table = toml::from_str("interactions = 2").unwrap();
        let at = synthetic_table(&synthetic, HashBuckets::Count(7)).unwrap();
        assert_eq!(at["crosses"]["hash_buckets"].as_integer(), Some(7));
        let off: toml::Table = toml::from_str("crosses = { full_cross = false }").unwrap();
        let error = synthetic_table(&off, HashBuckets::Exact).unwrap_err().to_string();
        assert!(error.contains("full_cross` is false"), "{error}");
    }
}

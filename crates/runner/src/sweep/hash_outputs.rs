//! `hash_stats.csv`: how much every hashed group of a data set collides on its training split
//! (`features::space::HashStats`: distinct values seen, buckets used, values sharing a bucket),
//! one row per (data set, seed, group). Written only when a data set has a hashed group, through
//! the atomic writer; rows of data sets this run did not build (all their runs resumed) are kept
//! from the file as it was.

use std::path::Path;

use crate::data::Dataset;
use crate::report::atomic_write::write_atomic;
use crate::sweep::kept_rows::read_kept_rows;

/// The file's name in a report directory (the report reads it too).
pub use crate::report::buckets::HASH_STATS_FILE;

/// The file's columns.
const HEADER: [&str; 8] = [
    "dataset",
    "seed",
    "group",
    "buckets",
    "distinct_values",
    "buckets_used",
    "values_sharing_a_bucket",
    "collision_rate",
];

/// The rows of `hash_stats.csv` so far (read from the file when the first data set adds some).
#[derive(Debug, Default)]
pub struct HashStatsFile {
    rows: Option<Vec<Vec<String>>>,
}

impl HashStatsFile {
    /// Adds the hash stats of `data` (none: nothing happens) and rewrites the file in `dir`.
    pub fn add(&mut self, data: &Dataset, dir: &Path) -> anyhow::Result<()> {
        if data.hash_stats.is_empty() {
            return Ok(());
        }
        let path = dir.join(HASH_STATS_FILE);
        if self.rows.is_none() {
            self.rows = Some(read_kept_rows(&path, "a hash statistics table", HEADER.len())?);
        }
        let rows = self.rows.get_or_insert_with(Vec::new);
        let (dataset, seed) = (data.key.side_table_name(&data.name), data.key.seed.to_string());
        rows.retain(|row| row.first() != Some(&dataset) || row.get(1) != Some(&seed));
        for stats in &data.hash_stats {
            rows.push(vec![
                dataset.clone(),
                seed.clone(),
                stats.group.clone(),
                stats.buckets.to_string(),
                stats.distinct_values.to_string(),
                stats.buckets_used.to_string(),
                stats.values_sharing_a_bucket.to_string(),
                format!("{}", stats.collision_rate()),
            ]);
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(HEADER)?;
        for row in rows.iter() {
            writer.write_record(row)?;
        }
        write_atomic(&path, &writer.into_inner()?)
    }
}

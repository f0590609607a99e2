//! `runs.archive.csv`, beside `runs.csv`: every row that leaves `runs.csv` (no longer planned by
//! the spec, stale and redone, set aside by `--fresh`) is appended to it, so nothing measured is
//! ever deleted. Its columns are those of `runs.csv` followed by `archived_unix` (when the row
//! was archived, Unix seconds) and `archive_reason` (see `resume`'s reasons).
//!
//! The archive is a log: a row archived, restored and archived again appears twice. Only
//! `resume` reads it back (to restore rows with this build's code and this data); selection and
//! the reports never look at it. It is rewritten through `atomic_write` (the old bytes, then the
//! new rows), so an interrupted run leaves it whole. [`write_runs`] writes `runs.csv`, appending
//! the rows waiting for the archive first.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::record::{self, RunRecord};
use crate::report::atomic_write::write_atomic;

/// File name of the archive, in the report directory.
pub const ARCHIVE_FILE: &str = "runs.archive.csv";

/// The columns the archive adds after those of `runs.csv`.
pub const ARCHIVE_COLUMNS: &[&str] = &["archived_unix", "archive_reason"];

/// The archive's header.
fn header() -> Vec<String> {
    let mut header = record::header();
    header.extend(ARCHIVE_COLUMNS.iter().map(|c| c.to_string()));
    header
}

/// The rows of the archive at `path` (none when it does not exist).
pub fn read(path: &Path) -> anyhow::Result<Vec<RunRecord>> {
    record::read_rows(path, ARCHIVE_COLUMNS.len())
        .with_context(|| format!("reading the archive {}", path.display()))
}

/// Appends `rows` (each with its reason) to the archive at `path`, stamped `archived_unix`.
pub fn append(path: &Path, rows: &[(RunRecord, &str)], archived_unix: u64) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut bytes = if path.exists() {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
    } else {
        Vec::new()
    };
    if !bytes.is_empty() {
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let found: Vec<String> = reader
            .headers()
            .with_context(|| format!("cannot read the header of {}", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        if found != header() {
            let own = &found[..found.len().saturating_sub(ARCHIVE_COLUMNS.len())];
            if !(found.ends_with(&header()[header().len() - ARCHIVE_COLUMNS.len()..])
                && record::is_known_header(own))
            {
                anyhow::bail!(
                    "{} was written with other columns than this version writes, so rows cannot \
                     be appended to it; move it away (nothing was changed)",
                    path.display()
                );
            }
            bytes = upgraded(&bytes, &found).with_context(|| {
                format!("cannot read {} to add its new columns", path.display())
            })?;
        }
        if bytes.last() != Some(&b'\n') {
            bytes.push(b'\n');
        }
    }
    let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    if bytes.is_empty() {
        out.write_record(header())?;
    }
    for (row, reason) in rows {
        out.serialize((row, archived_unix, reason))?;
    }
    let new = out.into_inner().map_err(|e| anyhow::anyhow!("cannot render the archive: {e}"))?;
    bytes.extend_from_slice(&new);
    write_atomic(path, &bytes)
}

/// The archive `bytes` (header `found`, an earlier version's) rewritten with this version's
/// columns, those it lacks filled as reading would fill them.
fn upgraded(bytes: &[u8], found: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let target = header();
    let positions: Vec<Option<usize>> =
        target.iter().map(|c| found.iter().position(|f| f == c)).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&target)?;
    for record in reader.records() {
        let record = record?;
        let fields: Vec<&str> = positions
            .iter()
            .zip(&target)
            .map(|(p, column)| match p {
                Some(i) => record.get(*i).unwrap_or(""),
                None => record::missing_column_text(column),
            })
            .collect();
        out.write_record(fields)?;
    }
    out.into_inner().map_err(|e| anyhow::anyhow!("cannot render the archive: {e}"))
}

/// Rows waiting to be appended to the archive.
pub struct Archiving {
    /// The archive file.
    pub path: PathBuf,
    /// The rows, each with its reason.
    pub rows: Vec<(RunRecord, &'static str)>,
    /// Their `archived_unix`.
    pub unix: u64,
}

/// Appends the rows waiting for the archive (the first time), then sorts and writes `runs.csv`
/// atomically.
pub fn write_runs(
    dir: &Path,
    rows: &mut [RunRecord],
    archiving: &mut Archiving,
) -> anyhow::Result<()> {
    append(&archiving.path, &archiving.rows, archiving.unix)?;
    archiving.rows.clear();
    record::sort_rows(rows);
    write_atomic(&dir.join("runs.csv"), &record::to_csv(rows)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns an archive from before the search columns lacks (the scores came later).
    fn is_newer_column(c: &str) -> bool {
        record::SEARCH_COLUMNS.contains(&c)
            || record::RSS_COLUMNS.contains(&c)
            || record::SCORE_COLUMNS.contains(&c)
            || record::GRID_COLUMNS.contains(&c)
    }

    #[test]
    fn rows_are_appended_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ARCHIVE_FILE);
        let mut a = RunRecord::placeholder();
        a.run_id = "a".into();
        a.message = "has, a comma".into();
        let mut b = a.clone();
        b.run_id = "b".into();
        append(&path, &[(a.clone(), "not_planned")], 10).unwrap();
        append(&path, &[(b.clone(), "stale_code")], 20).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("experiment,") && text.lines().count() == 3, "{text}");
        assert!(text.lines().next().unwrap().ends_with(",archived_unix,archive_reason"));
        assert!(text.lines().nth(2).unwrap().ends_with(",20,stale_code"), "{text}");
        let back = read(&path).unwrap();
        // (NaN fields: compare the CSV renderings.)
        let expected = record::to_csv(&[a.clone(), b]).unwrap();
        assert_eq!(record::to_csv(&back).unwrap(), expected);
        // An archive of an earlier version (no search columns) gains them and stays readable.
        let old_header: Vec<String> =
            header().into_iter().filter(|c| !is_newer_column(c)).collect();
        let mut o = a.clone();
        o.run_id = "old".into();
        o.selected = true;
        let rendered = record::to_csv(&[o]).unwrap();
        let mut reader = csv::Reader::from_reader(rendered.as_slice());
        let names: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let full = reader.records().next().unwrap().unwrap();
        let mut old = csv::Writer::from_writer(Vec::new());
        let mut old_row: Vec<&str> = names
            .iter()
            .zip(full.iter())
            .filter(|(c, _)| !is_newer_column(c))
            .map(|(_, f)| f)
            .collect();
        old_row.extend(["5", "fresh"]);
        old.write_record(&old_header).unwrap();
        old.write_record(&old_row).unwrap();
        std::fs::write(&path, old.into_inner().unwrap()).unwrap();
        let mut c = a.clone();
        c.run_id = "c".into();
        append(&path, &[(c, "stale_code")], 40).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), ["old", "c"]);
        assert!(back[0].selected && back[0].origin == record::ORIGIN_GRID);
        // A file of other columns is refused and left as it was.
        std::fs::write(&path, "x,y\n1,2\n").unwrap();
        assert!(append(&path, &[(a, "fresh")], 30).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x,y\n1,2\n");
    }
}

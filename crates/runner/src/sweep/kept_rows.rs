//! The data rows of a side table a run rewrites whole (`hash_stats.csv`, `calibration.csv`):
//! read once before the first write, so rows of data sets this run did not build are kept. A row
//! of the wrong width is an error naming the file and line, never a row silently shifted.

use std::path::Path;

use anyhow::Context;

/// The data rows of the table at `path` (none when there is no file), each `width` fields;
/// `what` names the table in errors ("a calibration table").
pub fn read_kept_rows(path: &Path, what: &str, width: usize) -> anyhow::Result<Vec<Vec<String>>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("cannot read {} (to keep its rows)", path.display()))?;
    let mut rows = Vec::new();
    for (line, record) in reader.records().enumerate() {
        // Line 1 is the header.
        let line = line + 2;
        let record = record
            .with_context(|| format!("{} line {line}: not a CSV row of {what}", path.display()))?;
        if record.len() != width {
            anyhow::bail!(
                "{} line {line}: {} fields, a row of {what} has {width}",
                path.display(),
                record.len()
            );
        }
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_has_no_rows_and_a_bad_row_names_its_line() {
        let dir = std::env::temp_dir().join(format!("kept-rows-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        assert!(read_kept_rows(&path, "a test table", 2).unwrap().is_empty());
        std::fs::write(&path, "a,b\n1,2\n3\n").unwrap();
        let error = read_kept_rows(&path, "a test table", 2).unwrap_err().to_string();
        assert!(error.contains("line 3: not a CSV row of a test table"), "{error}");
        std::fs::write(&path, "a,b,c\n1,2,3\n").unwrap();
        let error = read_kept_rows(&path, "a test table", 2).unwrap_err().to_string();
        assert!(error.contains("line 2: 3 fields, a row of a test table has 2"), "{error}");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        assert_eq!(read_kept_rows(&path, "a test table", 2).unwrap(), vec![vec!["1", "2"]]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! A real data set read only in part (`max_rows`, which `--quick` sets) is still read through
//! once, cheaply ([`features::real::read_whole`]: no row is parsed): a gzip stream that is cut,
//! corrupt or followed by garbage is an error, and so is a last line that is cut (no line break
//! at the end and fewer or more fields than the header). Then the console says how many rows of
//! each file the run uses, of how many.

use std::path::Path;

use anyhow::Context;

/// The fields of one CSV line (`None`: it does not parse, e.g. an open quote).
fn fields(line: &[u8]) -> Option<usize> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line);
    let record = reader.byte_records().next()?.ok()?;
    Some(record.len())
}

/// Reads every file of `real` in `data_dir` through (when `max_rows` limits the rows read) and
/// prints the rows used of the rows there; an error names a file that is damaged.
pub fn check(real: &features::real::RealDataSpec, data_dir: &Path) -> anyhow::Result<()> {
    let Some(max_rows) = real.max_rows else { return Ok(()) };
    for (_, _, file) in real.files() {
        let path = data_dir.join(file);
        let whole = features::real::read_whole(&path).with_context(|| {
            format!(
                "reading {} through (a run that uses only its first rows checks the rest)",
                path.display()
            )
        })?;
        if !whole.ends_with_newline && whole.rows > 0 {
            let (want, got) = (fields(&whole.header), fields(&whole.last_line));
            if got.is_none() || want != got {
                anyhow::bail!(
                    "{}: the last line is cut ({} where the header has {} fields, and no line \
                     break ends the file): the file ends inside a record; copy it again",
                    path.display(),
                    got.map_or("it does not parse".to_string(), |n| format!("{n} fields")),
                    want.unwrap_or(0)
                );
            }
        }
        eprintln!(
            "{file}: using the first {} of its {} rows (the whole file was read: {}last line whole)",
            max_rows.min(whole.rows),
            whole.rows,
            if file.ends_with(".gz") { "gzip stream complete, " } else { "" }
        );
    }
    Ok(())
}

//! Runs that ended in `error` fail loudly: a rerun retries them (their rows are not resumed but
//! archived), and a sweep that leaves any exits non-zero once `runs.csv` and the report are written,
//! after a short table of them on stderr (run id prefix, optimizer, message).
//!
//! Only `error` counts: `diverged` and `not_converged` are results of the method (the sweep
//! reports them and goes on), not failures of the run.

use crate::record::{RunRecord, STATUS_ERROR};

/// Exit code of a sweep that wrote its report but left runs with status `error`.
pub const EXIT_RUNS_FAILED: u8 = 3;

/// Rows of the table shown on stderr; the rest are counted.
const SHOWN: usize = 20;

/// The sweep finished, but some runs ended in `error` (their table is on stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunsFailed {
    /// Runs with status `error`.
    pub failed: usize,
    /// Runs in `runs.csv`.
    pub total: usize,
}

impl std::fmt::Display for RunsFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} runs ended in error (table above; each row's `message` column in runs.csv \
             says why). runs.csv and the report are written; fix the cause and rerun: runs that \
             ended in error are retried",
            self.failed, self.total
        )
    }
}

impl std::error::Error for RunsFailed {}

/// Takes the rows with status `error` out of the rows read back for resume, so that their runs
/// are retried (the caller archives them), and says how many on stderr.
pub fn take_errors(rows: &mut Vec<RunRecord>) -> Vec<RunRecord> {
    let (errored, kept): (Vec<RunRecord>, Vec<RunRecord>) =
        std::mem::take(rows).into_iter().partition(|r| r.status == STATUS_ERROR);
    *rows = kept;
    if !errored.is_empty() {
        eprintln!("retrying {} run(s) that ended in error last time", errored.len());
    }
    errored
}

/// The run id without its trailing configuration hash (`k02-s1-l1-ftrl-lambda1e-1`).
fn id_prefix(run_id: &str) -> &str {
    match run_id.rsplit_once('-') {
        Some((prefix, hash)) if hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            prefix
        }
        _ => run_id,
    }
}

/// `text` cut to `max` characters (an ellipsis marks the cut).
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The table of the rows with status `error`, or `None` when there are none.
pub fn error_table(rows: &[RunRecord]) -> Option<String> {
    let failed: Vec<&RunRecord> = rows.iter().filter(|r| r.status == STATUS_ERROR).collect();
    if failed.is_empty() {
        return None;
    }
    let shown = &failed[..failed.len().min(SHOWN)];
    let id_width = shown.iter().map(|r| id_prefix(&r.run_id).len()).max().unwrap_or(0).max(6);
    let opt_width = shown.iter().map(|r| r.optimizer.len()).max().unwrap_or(0).max(9);
    let mut table = format!("runs that ended in error ({}):\n", failed.len());
    table.push_str(&format!("  {:id_width$}  {:opt_width$}  message\n", "run id", "optimizer"));
    for r in shown {
        table.push_str(&format!(
            "  {:id_width$}  {:opt_width$}  {}\n",
            id_prefix(&r.run_id),
            r.optimizer,
            clip(&r.message, 160)
        ));
    }
    if failed.len() > shown.len() {
        table.push_str(&format!("  ... and {} more in runs.csv\n", failed.len() - shown.len()));
    }
    Some(table)
}

/// After the report is written: prints the table of errored runs on stderr and returns
/// [`RunsFailed`] when there are any.
pub fn check(rows: &[RunRecord]) -> anyhow::Result<()> {
    match error_table(rows) {
        None => Ok(()),
        Some(table) => {
            eprint!("{table}");
            let failed = rows.iter().filter(|r| r.status == STATUS_ERROR).count();
            Err(RunsFailed { failed, total: rows.len() }.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: &str, message: &str) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.run_id = id.to_string();
        r.status = status.to_string();
        r.optimizer = "ftrl".to_string();
        r.message = message.to_string();
        r
    }

    #[test]
    fn errors_are_retried_and_listed() {
        let mut rows = vec![
            row("k02-s1-l1-ftrl-lambda1e-1-9af8289b", STATUS_ERROR, "bad admission"),
            row("k02-s1-l1-ftrl-lambda1e-2-9af8289b", "ok", ""),
            row("k02-s1-l1-ftrl-lambda1e-3-9af8289b", "diverged", "NaN"),
        ];
        let table = error_table(&rows).unwrap();
        assert!(table.contains("k02-s1-l1-ftrl-lambda1e-1  ") && table.contains("bad admission"));
        assert!(!table.contains("9af8289b") && !table.contains("lambda1e-2"), "{table}");
        let err = check(&rows).unwrap_err();
        assert_eq!(err.downcast_ref::<RunsFailed>(), Some(&RunsFailed { failed: 1, total: 3 }));
        assert_eq!(take_errors(&mut rows).len(), 1);
        assert_eq!(rows.len(), 2);
        assert!(check(&rows).is_ok(), "diverged is a result, not a failure");
    }
}

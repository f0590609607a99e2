//! When a run reused every row, its report is already on disk: the same rows, spec and code
//! give the same tables and plots, and `metadata.json` should keep describing the run that
//! measured those rows (its wall time, host, threads and commit), not a run that only read them.
//! So a run whose `runs.csv` came out byte-identical leaves the whole report as it was, and a
//! fresh clone's main job leaves the committed tree unchanged.
//!
//! Uses `provenance`.

use std::path::Path;

use crate::provenance;

/// The digest of `dir/runs.csv`'s bytes, `None` when it cannot be read.
pub fn runs_digest(dir: &Path) -> Option<u64> {
    std::fs::read(dir.join("runs.csv")).ok().map(|bytes| provenance::fnv1a(&bytes))
}

/// Whether the report in `dir` was written by this code from this spec text, so rows that did
/// not change need no new report: `metadata.json` names this build's code version and holds the
/// spec text as read, and `summary.md` is there.
pub fn report_is_current(dir: &Path, spec_text: &str, quick: bool) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("metadata.json")) else { return false };
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
    meta["code_version"].as_str() == Some(provenance::CODE_VERSION)
        && meta["spec_text"].as_str() == Some(spec_text)
        && meta["quick"].as_bool() == Some(quick)
        && dir.join("summary.md").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_current_only_for_this_code_and_spec_text() {
        let dir = tempfile::tempdir().expect("temp dir");
        let meta = serde_json::json!({
            "code_version": provenance::CODE_VERSION, "spec_text": "name = \"x\"", "quick": false
        });
        std::fs::write(dir.path().join("metadata.json"), meta.to_string()).expect("write");
        assert!(!report_is_current(dir.path(), "name = \"x\"", false), "no summary.md yet");
        std::fs::write(dir.path().join("summary.md"), "# x").expect("write");
        assert!(report_is_current(dir.path(), "name = \"x\"", false));
        assert!(!report_is_current(dir.path(), "name = \"y\"", false), "other spec text");
        assert!(!report_is_current(dir.path(), "name = \"x\"", true), "a quick run");
        assert_eq!(runs_digest(dir.path()), None);
        std::fs::write(dir.path().join("runs.csv"), "a\n").expect("write");
        assert_eq!(runs_digest(dir.path()), Some(provenance::fnv1a(b"a\n")));
    }
}

//! Rows an earlier run added by the lambda search (`origin` other than `grid`). The spec does
//! not plan them, so resume does not know them; they wait here until the search asks for the
//! same points again, and are reused when their code and data fingerprints match this run's.
//! Rows of data sets the spec no longer plans leave `runs.csv` for the archive at once (no
//! search can ask for them); whatever else is left when the sweep ends leaves it then. Search
//! rows of the archive made by this code wait here too, so narrowing a spec and widening it
//! back restores them instead of running them again.

use std::collections::HashMap;

use crate::provenance;
use crate::record::{RunRecord, ORIGIN_GRID};
use crate::sweep::resume;

/// Search rows of earlier runs, by run id, each with whether it came from the archive.
#[derive(Debug, Default)]
pub struct Searched {
    rows: HashMap<String, (RunRecord, bool)>,
}

impl Searched {
    /// Takes the search rows out of `rows` (the grid rows stay).
    pub fn split_off(rows: &mut Vec<RunRecord>) -> Self {
        let mut out = Self::default();
        let (searched, grid): (Vec<RunRecord>, Vec<RunRecord>) =
            std::mem::take(rows).into_iter().partition(|r| r.origin != ORIGIN_GRID);
        *rows = grid;
        for row in searched {
            out.rows.entry(row.run_id.clone()).or_insert((row, false));
        }
        out
    }

    /// Takes out the rows `planned` says no planned data set holds (they leave `runs.csv`).
    pub fn take_unplanned(&mut self, planned: impl Fn(&RunRecord) -> bool) -> Vec<RunRecord> {
        let gone: Vec<String> =
            self.rows.iter().filter(|(_, (r, _))| !planned(r)).map(|(id, _)| id.clone()).collect();
        let mut rows: Vec<RunRecord> =
            gone.iter().filter_map(|id| self.rows.remove(id)).map(|(r, _)| r).collect();
        crate::record::sort_rows(&mut rows);
        rows
    }

    /// Adds the archive's search rows made by this code of data sets `planned` holds, unless
    /// `runs.csv` had the same run id (the last archived copy wins, as for grid rows).
    pub fn add_archived(&mut self, archive: &[RunRecord], planned: impl Fn(&RunRecord) -> bool) {
        for row in archive.iter().filter(|r| {
            r.origin != ORIGIN_GRID && r.code_version == provenance::CODE_VERSION && planned(r)
        }) {
            match self.rows.get(&row.run_id) {
                Some((_, false)) => {}
                _ => {
                    self.rows.insert(row.run_id.clone(), (row.clone(), true));
                }
            }
        }
    }

    /// The rows with run ids `ids`, when there is one for each and all were made by this code
    /// from this data (`data_fingerprint`; `None` when the data cannot be checked, as resume
    /// does for a missing file), and how many of them came from the archive. They leave the
    /// cache.
    pub fn take(
        &mut self,
        ids: &[String],
        data_fingerprint: Option<&str>,
    ) -> Option<(Vec<RunRecord>, usize)> {
        let fresh = |(r, _): &(RunRecord, bool)| {
            r.code_version == provenance::CODE_VERSION
                && data_fingerprint.is_none_or(|d| r.data_fingerprint == d)
        };
        if ids.is_empty() || !ids.iter().all(|id| self.rows.get(id).is_some_and(fresh)) {
            return None;
        }
        let taken: Vec<(RunRecord, bool)> =
            ids.iter().filter_map(|id| self.rows.remove(id)).collect();
        let restored = taken.iter().filter(|(_, archived)| *archived).count();
        Some((taken.into_iter().map(|(r, _)| r).collect(), restored))
    }

    /// The rows of `runs.csv` never asked for again (or stale), each with its archive reason
    /// (rows that came from the archive stay there).
    pub fn leftovers(self) -> Vec<(RunRecord, &'static str)> {
        let mut rows: Vec<RunRecord> =
            self.rows.into_values().filter(|(_, archived)| !archived).map(|(r, _)| r).collect();
        crate::record::sort_rows(&mut rows);
        rows.into_iter()
            .map(|r| {
                let reason = if r.code_version != provenance::CODE_VERSION {
                    resume::STALE_CODE
                } else {
                    resume::NOT_PLANNED
                };
                (r, reason)
            })
            .collect()
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row is held.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ORIGIN_EDGE_SEARCH;

    fn row(id: &str, origin: &str, code: &str, data: &str) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.run_id = id.into();
        r.origin = origin.into();
        r.code_version = code.into();
        r.data_fingerprint = data.into();
        r
    }

    #[test]
    fn rows_of_data_sets_no_longer_planned_are_taken_out_at_once() {
        let now = provenance::CODE_VERSION;
        let mut rows =
            vec![row("k3", ORIGIN_EDGE_SEARCH, now, "d"), row("k4", ORIGIN_EDGE_SEARCH, now, "d")];
        let mut cache = Searched::split_off(&mut rows);
        let gone = cache.take_unplanned(|r| r.run_id == "k3");
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].run_id, "k4");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn search_rows_are_reused_only_with_this_code_and_data() {
        let now = provenance::CODE_VERSION;
        let mut rows = vec![
            row("g", ORIGIN_GRID, now, "d"),
            row("a", ORIGIN_EDGE_SEARCH, now, "d"),
            row("b", ORIGIN_EDGE_SEARCH, "old", "d"),
            row("c", ORIGIN_EDGE_SEARCH, now, "d"),
        ];
        let mut cache = Searched::split_off(&mut rows);
        assert_eq!(rows.len(), 1);
        assert_eq!(cache.len(), 3);
        assert!(cache.take(&["a".into()], Some("other data")).is_none());
        assert!(cache.take(&["b".into()], Some("d")).is_none());
        assert!(cache.take(&["a".into(), "missing".into()], Some("d")).is_none());
        assert_eq!(cache.take(&["a".into()], Some("d")).unwrap().0[0].run_id, "a");
        assert!(cache.take(&["a".into()], Some("d")).is_none(), "taken once");
        // The archive's copy of a row runs.csv has is not used; its own rows are (this code).
        let archive =
            [row("c", ORIGIN_EDGE_SEARCH, now, "x"), row("e", ORIGIN_EDGE_SEARCH, now, "d")];
        cache.add_archived(&archive, |_| true);
        assert_eq!(cache.take(&["e".into()], Some("d")).unwrap().1, 1, "restored");
        cache.add_archived(&[row("f", ORIGIN_EDGE_SEARCH, now, "d")], |_| true);
        let left = cache.leftovers();
        let reasons: Vec<(&str, &str)> =
            left.iter().map(|(r, why)| (r.run_id.as_str(), *why)).collect();
        assert_eq!(reasons, [("b", resume::STALE_CODE), ("c", resume::NOT_PLANNED)], "f stays");
    }
}

//! The closing line's counts, in rows of `runs.csv` (a unit of a path solver writes one row per
//! lambda): every row is either run now or taken from an earlier run, and each of those is cut
//! into categories that add up to it, so the parts always add up to the total.

use crate::report::metadata::ResumeFacts;

/// Where the rows of this run's `runs.csv` came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    /// Rows in `runs.csv`.
    pub total: usize,
    /// Rows of the planned grid trained now (error and over-cap rows included).
    pub grid_run: usize,
    /// Rows of points the lambda search added and trained now.
    pub search_run: usize,
    /// Refit rows (`[selection] refit`), recomputed by every run.
    pub refits: usize,
    /// Rows brought back from the archive.
    pub restored: usize,
    /// Stale rows kept, marked `stale` (`--reuse-stale`).
    pub kept_stale: usize,
    /// Rows kept unchecked because their data file is missing.
    pub unverified: usize,
}

impl RowCounts {
    /// Rows trained in this run.
    pub fn run_now(&self) -> usize {
        self.grid_run + self.search_run + self.refits
    }

    /// Rows of earlier runs reused as they were (same run id, code and data): what is neither
    /// run now nor restored, kept stale or unchecked.
    pub fn reused(&self) -> usize {
        self.total
            .saturating_sub(self.run_now() + self.restored + self.kept_stale + self.unverified)
    }

    /// The counts of `total` rows, of which `grid_run`, `search_run` and `refits` were trained
    /// now; the categories of the others come from what resume did (`facts`).
    pub fn new(total: usize, trained: (usize, usize, usize), facts: &ResumeFacts) -> Self {
        let (grid_run, search_run, refits) = trained;
        RowCounts {
            total,
            grid_run,
            search_run,
            refits,
            restored: facts.restored,
            kept_stale: facts.kept_stale,
            unverified: facts.unverified,
        }
    }

    /// `N run now (…), M from earlier runs (…)`, zero parts left out.
    pub fn describe(&self) -> String {
        let parts = |items: &[(usize, &str)]| -> String {
            let shown: Vec<String> = items
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, what)| format!("{n} {what}"))
                .collect();
            if shown.is_empty() {
                String::new()
            } else {
                format!(" ({})", shown.join(", "))
            }
        };
        let now = parts(&[
            (self.grid_run, "planned"),
            (self.search_run, "added by the lambda search"),
            (self.refits, "refits"),
        ]);
        let earlier = self.total - self.run_now().min(self.total);
        let before = parts(&[
            (self.reused(), "reused"),
            (self.restored, "restored from the archive"),
            (self.kept_stale, "kept stale"),
            (self.unverified, "kept unchecked, their data file missing"),
        ]);
        format!("{} run now{now}, {earlier} from earlier runs{before}", self.run_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_add_up_to_the_total() {
        let facts = ResumeFacts { restored: 2, ..ResumeFacts::default() };
        let counts = RowCounts::new(22, (4, 16, 0), &facts);
        assert_eq!(counts.run_now() + counts.reused() + counts.restored, 22);
        assert_eq!(
            counts.describe(),
            "20 run now (4 planned, 16 added by the lambda search), 2 from earlier runs (2 \
             restored from the archive)"
        );
        let all_reused = RowCounts::new(2480, (0, 0, 0), &ResumeFacts::default());
        assert_eq!(all_reused.describe(), "0 run now, 2480 from earlier runs (2480 reused)");
    }
}

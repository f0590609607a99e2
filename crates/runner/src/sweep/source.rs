//! Where the sweep's rows come from: [`RowSource::Train`] (`runner run`: the earlier rows of
//! `runs.csv` and of finished shards are reused, what is missing is trained) or
//! [`RowSource::Shards`] (`runner merge`: the shards' rows are the earlier rows, and a unit or a
//! search point no shard measured is an error, since nothing may be trained but the refits).
//!
//! The stages (`prepare`, `dataset`, `finish`) ask the source at each point where the two
//! differ; this file is the one place that knows how.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::archive;
use super::failures;
use super::options::RunArgs;
use super::preflight::{self, OverCap, Preflight};
use super::resume::{self, Reconciled};
use super::search::{self, Addition};
use super::searched::Searched;
use crate::plan::{DatasetKey, Plan, Unit};
use crate::record::{self, RunRecord};
use crate::report::metadata::MergedShard;
use crate::{data, spec};

/// What `runner merge` hands to the run once it has checked the shards (see `merge`): their
/// rows stand in for the earlier rows, and nothing may be trained but the refits.
#[derive(Debug)]
pub struct Merging {
    /// Every row of every shard (refit rows left out: they are recomputed).
    pub rows: Vec<RunRecord>,
    /// The shards merged, for `metadata.json`.
    pub shards: Vec<MergedShard>,
    /// The data sets' fingerprints, computed once by the checks.
    pub fingerprints: BTreeMap<DatasetKey, Option<String>>,
    /// How the shards' runs were measured, for the report's memory sentence: their threads
    /// (the most of any shard), and whether every shard reset the peak RSS before each run.
    pub measured: (usize, bool),
}

/// Where the sweep's rows come from.
#[derive(Debug)]
pub enum RowSource {
    /// Earlier rows of this report (and its finished shards) are reused; the rest is trained.
    Train,
    /// The shards' rows, checked by `runner merge`; only refits are trained.
    Shards(Merging),
}

/// Where the rows of earlier runs are.
pub struct Previous<'a> {
    /// Parent of the report directories (shards are looked for there).
    pub out: &'a Path,
    /// The report's directory name (before `-shard-...`).
    pub report_name: &'a str,
    /// The report directory.
    pub dir: &'a Path,
    /// The run's options (`--shard`, `--fresh`, `--reuse-stale`).
    pub args: &'a RunArgs,
}

/// Items listed in full in an error message before "and N more".
const LISTED: usize = 8;

/// `items` for an error message: the first few, then how many more.
pub fn listed(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    let mut text = items.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > LISTED {
        text.push_str(&format!(" and {} more", items.len() - LISTED));
    }
    text
}

impl RowSource {
    /// The checks before any compute. A merge trains nothing without refits: only the
    /// directory needs checking then.
    pub fn preflight(&self, p: &Preflight<'_>) -> anyhow::Result<OverCap> {
        match self {
            RowSource::Shards(_) if !p.spec.selection.refit => {
                preflight::check_output_dir(p.dir)?;
                Ok(OverCap::new())
            }
            _ => preflight::check(p),
        }
    }

    /// Every data set's fingerprint, before deciding what to resume: a real data file is read
    /// even when every unit is done, so a changed or damaged file is noticed (a merge computed
    /// them already, for its checks).
    pub fn fingerprints(
        &self,
        spec: &spec::ExperimentSpec,
        plan: &Plan,
        data_dir: &Path,
        identity: Option<&data::DataIdentity>,
    ) -> anyhow::Result<BTreeMap<DatasetKey, Option<String>>> {
        match self {
            RowSource::Shards(m) => Ok(m.fingerprints.clone()),
            RowSource::Train => {
                let known = identity.map(|i| i.hash);
                data::fingerprint::fingerprints_with(spec, &plan.datasets, data_dir, known)
            }
        }
    }

    /// The earlier rows sorted against the plan (see `resume`), and the search points among
    /// them set aside for the lambda search.
    pub fn earlier(
        &mut self,
        plan: &Plan,
        fingerprints: &BTreeMap<DatasetKey, Option<String>>,
        previous: &Previous<'_>,
    ) -> anyhow::Result<(Reconciled, Searched)> {
        let archive_path = previous.dir.join(archive::ARCHIVE_FILE);
        match self {
            RowSource::Shards(m) => {
                let rows = std::mem::take(&mut m.rows);
                merged_over(plan, rows, fingerprints, previous.dir, &archive_path)
            }
            RowSource::Train if previous.args.fresh => {
                Ok((fresh(plan, previous.dir)?, Searched::default()))
            }
            RowSource::Train => resumed(plan, fingerprints, previous, &archive_path),
        }
    }

    /// Refuses units that would have to be trained when nothing may be (a merge).
    pub fn check_todo(&self, todo: &[&Unit]) -> anyhow::Result<()> {
        if matches!(self, RowSource::Shards(_)) && !todo.is_empty() {
            anyhow::bail!(
                "merge: {} units of the plan have no usable row in the shards and would have to \
                 be run: {}; rerun the shards that hold them",
                todo.len(),
                listed(todo.iter().map(|u| u.run_id(0)))
            );
        }
        Ok(())
    }

    /// Refuses search points that would have to be trained when nothing may be (a merge).
    pub fn check_search(&self, key: DatasetKey, to_run: &[&Addition]) -> anyhow::Result<()> {
        if matches!(self, RowSource::Shards(_)) && !to_run.is_empty() {
            // The shard ran the same search on the same rows, so it measured these.
            anyhow::bail!(
                "merge: the lambda search on data set {} asks for points no shard \
                 measured: {}; were the shards run with other flags (--budget, \
                 --quick)?",
                key.tag(),
                listed(to_run.iter().flat_map(|a| search::emitted_ids(&a.unit)))
            );
        }
        Ok(())
    }

    /// Says on the console where the units' rows come from (nothing for a run that resumes
    /// nothing).
    pub fn announce(&self, spec: &spec::ExperimentSpec, plan: &Plan, resumed: usize, dir: &Path) {
        match self {
            RowSource::Shards(m) => eprintln!(
                "merging: the {} units of the plan come from {} shard directories; nothing is \
                 trained{}",
                plan.units.len(),
                m.shards.len(),
                if spec.selection.refit { " but the refits ([selection] refit)" } else { "" }
            ),
            RowSource::Train if resumed > 0 => eprintln!(
                "resuming: {} of {} units already in {} (made by this code from the same data: \
                 their rows are reused, not rerun; `--fresh` reruns everything and moves the old \
                 rows to {})",
                resumed,
                plan.units.len(),
                dir.join("runs.csv").display(),
                archive::ARCHIVE_FILE
            ),
            RowSource::Train => {}
        }
    }

    /// The shards merged (none for a run), for `metadata.json`.
    pub fn merged_shards(&self) -> &[MergedShard] {
        match self {
            RowSource::Shards(m) => &m.shards,
            RowSource::Train => &[],
        }
    }

    /// How the rows' memory figures were measured: where they ran (the shards, for a merge).
    pub fn measured(&self, threads: usize, reset_rss: bool) -> (usize, bool) {
        match self {
            RowSource::Shards(m) => m.measured,
            RowSource::Train => (threads, reset_rss),
        }
    }
}

/// The rows of `runs.csv` at `runs`; an empty file holds none (`--fresh` is the way out the
/// error of an unreadable one names).
fn read_runs(runs: &Path) -> anyhow::Result<Vec<RunRecord>> {
    let empty = std::fs::metadata(runs).is_ok_and(|m| m.len() == 0);
    if empty {
        Ok(Vec::new())
    } else {
        record::read_csv(runs)
    }
}

/// A merge: the report's own rows make way for the shards'. Those the shards repeat (same run
/// id, code and data, as resume would reuse them) and refits (recomputed) are dropped, the
/// others (other code, other data, no longer planned) go to the archive.
fn merged_over(
    plan: &Plan,
    mut rows: Vec<RunRecord>,
    fingerprints: &BTreeMap<DatasetKey, Option<String>>,
    dir: &Path,
    archive_path: &Path,
) -> anyhow::Result<(Reconciled, Searched)> {
    let mut old = read_runs(&dir.join("runs.csv"))?;
    let repeated: HashSet<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.run_id.as_str(), r.code_version.as_str(), r.data_fingerprint.as_str()))
        .collect();
    old.retain(|r| {
        !r.is_refit()
            && !repeated.contains(&(
                r.run_id.as_str(),
                r.code_version.as_str(),
                r.data_fingerprint.as_str(),
            ))
    });
    let searched = Searched::split_off(&mut rows);
    let archived = archive::read(archive_path)?;
    let mut r = resume::reconcile(plan, rows, &archived, fingerprints, false);
    r.facts.merged_over = old.len();
    r.archived.extend(old.into_iter().map(|row| (row, resume::MERGED_OVER)));
    r.facts.archived = r.archived.len();
    Ok((r, searched))
}

/// `--fresh`: nothing is reused, and nothing deleted: the old rows go to the archive.
fn fresh(plan: &Plan, dir: &Path) -> anyhow::Result<Reconciled> {
    let old = read_runs(&dir.join("runs.csv"))?;
    let mut r = Reconciled {
        todo: (0..plan.units.len()).collect(),
        archived: old.into_iter().map(|row| (row, resume::FRESH)).collect(),
        ..Reconciled::default()
    };
    r.facts.fresh = r.archived.len();
    r.facts.archived = r.archived.len();
    Ok(r)
}

/// A run: the earlier rows are resumed where they match (see `resume`). Runs that ended in
/// `error` are retried: their rows go to the archive, not into resume.
fn resumed(
    plan: &Plan,
    fingerprints: &BTreeMap<DatasetKey, Option<String>>,
    previous: &Previous<'_>,
    archive_path: &Path,
) -> anyhow::Result<(Reconciled, Searched)> {
    let mut rows = previous_rows(previous)?;
    let errored = failures::take_errors(&mut rows);
    let mut searched = Searched::split_off(&mut rows);
    let planned = |r: &RunRecord| plan.datasets.iter().any(|key| key.holds(r));
    let unplanned = searched.take_unplanned(planned);
    let archived = archive::read(archive_path)?;
    searched.add_archived(&archived, planned);
    let reuse_stale = previous.args.reuse_stale;
    let mut r = resume::reconcile(plan, rows, &archived, fingerprints, reuse_stale);
    r.facts.errors_retried = errored.len();
    r.archived.extend(errored.into_iter().map(|row| (row, resume::ERROR)));
    // Search rows of data sets the spec no longer plans: no search can ask for them again.
    r.facts.not_planned += unplanned.len();
    r.archived.extend(unplanned.into_iter().map(|row| (row, resume::NOT_PLANNED)));
    r.facts.archived = r.archived.len();
    Ok((r, searched))
}

/// Rows already measured: this report's `runs.csv`, plus (without `--shard`) the `runs.csv` of
/// every finished shard directory of the same experiment (a shard's report directory is
/// `<name>-shard-I-of-N`, see `prepare::report_dir`). Duplicate run ids keep the first.
fn previous_rows(previous: &Previous<'_>) -> anyhow::Result<Vec<RunRecord>> {
    let mut rows = record::read_csv(&previous.dir.join("runs.csv"))?;
    if previous.args.shard.is_none() {
        let prefix = format!("{}-shard-", previous.report_name);
        if let Ok(entries) = std::fs::read_dir(previous.out) {
            let mut shard_dirs: Vec<std::path::PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(&prefix)))
                .collect();
            shard_dirs.sort();
            for shard in shard_dirs {
                rows.extend(record::read_csv(&shard.join("runs.csv"))?);
            }
        }
    }
    let mut seen = HashSet::new();
    // Refit rows are recomputed from the selected rows by every run (see `refit`).
    rows.retain(|r| !r.is_refit() && seen.insert(r.run_id.clone()));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan;

    const SPEC: &str = "name = \"t\"\n[data]\nn_train = 10\nn_validation = 5\nn_test = 5\n\
        [data.synthetic]\n[grid]\nk = [2]\nseeds = [1, 2]\n[[regularizer]]\nkind = \"l1\"\n\
        lambdas = [0.1, 1.0]\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n";

    fn shards() -> RowSource {
        RowSource::Shards(Merging {
            rows: Vec::new(),
            shards: Vec::new(),
            fingerprints: BTreeMap::new(),
            measured: (3, false),
        })
    }

    #[test]
    fn training_runs_what_is_missing_and_a_merge_refuses_it() {
        let spec: spec::ExperimentSpec = toml::from_str(SPEC).unwrap();
        let plan = plan::expand(&spec).unwrap();
        let todo: Vec<&Unit> = plan.units.iter().collect();
        assert!(RowSource::Train.check_todo(&todo).is_ok());
        let error = shards().check_todo(&todo).unwrap_err().to_string();
        assert!(error.starts_with("merge: 4 units of the plan have no usable row"), "{error}");
        assert!(error.contains(&plan.units[0].run_id(0)), "{error}");
        assert!(shards().check_todo(&[]).is_ok());
    }

    #[test]
    fn a_merge_reports_the_shards_measurements_and_a_run_its_own() {
        assert_eq!(RowSource::Train.measured(2, true), (2, true));
        assert_eq!(shards().measured(2, true), (3, false));
        assert!(RowSource::Train.merged_shards().is_empty());
    }

    #[test]
    fn long_lists_end_with_how_many_more() {
        assert_eq!(listed(["a".to_string(), "b".to_string()]), "a, b");
        let many = listed((0..10).map(|i| i.to_string()));
        assert_eq!(many, "0, 1, 2, 3, 4, 5, 6, 7 and 2 more");
    }
}

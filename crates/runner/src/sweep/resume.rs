//! Resume: which rows of an earlier run are reused, which units are run again, and which rows
//! leave `runs.csv` for the archive.
//!
//! A row is reused only when its run id is planned by the spec and its `code_version` (the
//! build's) and `data_fingerprint` (its data set's, computed this run) both match. Units write
//! all their rows at once, so the decision is per unit:
//!
//! - every row matches: the unit is resumed;
//! - a row was made by other code or from other data (stale): the unit is run again and its old
//!   rows are archived (reason `stale_code`, `changed_data` or `stale_code_and_data`); with
//!   `--reuse-stale` the rows are kept instead, marked `stale = true`;
//! - the data set's file is missing (no fingerprint): the rows are kept as they are (nothing
//!   could be redone), marked stale when their code differs;
//! - a row whose run id the spec no longer plans is archived (`not_planned`).
//!
//! A unit left without rows is then looked up in the archive: when the archive holds its rows
//! with this build's code and this data (same run id, code and data fingerprints; the last
//! archived copy wins), they are brought back instead of running it again, so narrowing a spec
//! and widening it back reruns nothing and gives the same bytes.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::plan::{DatasetKey, Plan};
use crate::provenance;
use crate::record::{self, RunRecord};
use crate::report::metadata::ResumeFacts;

/// Archive reason of rows the spec no longer plans.
pub const NOT_PLANNED: &str = "not_planned";
/// Archive reason of rows made by other code.
pub const STALE_CODE: &str = "stale_code";
/// Archive reason of rows made from other data.
pub const CHANGED_DATA: &str = "changed_data";
/// Archive reason of rows made by other code from other data.
pub const STALE_CODE_AND_DATA: &str = "stale_code_and_data";
/// Archive reason of rows set aside by `--fresh`.
pub const FRESH: &str = "fresh";
/// Archive reason of a row whose run ended in `error`: the run is retried.
pub const ERROR: &str = "error";
/// Archive reason of a row of the report directory that `runner merge` replaced with the
/// shards' rows.
pub const MERGED_OVER: &str = "merged_over";

/// The outcome of [`reconcile`].
#[derive(Debug, Default)]
pub struct Reconciled {
    /// Rows carried into this run's `runs.csv` (kept and restored), `stale` set.
    pub rows: Vec<RunRecord>,
    /// Indices (into `plan.units`) of the units to run, in plan order.
    pub todo: Vec<usize>,
    /// Units whose rows were kept or restored.
    pub resumed: usize,
    /// Rows leaving `runs.csv`, each with its archive reason.
    pub archived: Vec<(RunRecord, &'static str)>,
    /// The counts for the console and `metadata.json` (without the archive file).
    pub facts: ResumeFacts,
}

/// Sorts the rows of an earlier run (`previous`: `runs.csv` and shards) against `plan` and the
/// data sets' `fingerprints`, restoring units from `archive` (rows of `runs.archive.csv`) when
/// it has them with this build's code and this data. See the module doc.
pub fn reconcile(
    plan: &Plan,
    previous: Vec<RunRecord>,
    archive: &[RunRecord],
    fingerprints: &BTreeMap<DatasetKey, Option<String>>,
    reuse_stale: bool,
) -> Reconciled {
    let mut out = Reconciled::default();
    let by_unit = rows_by_unit(plan, previous, &mut out);
    let fingerprint_of =
        |key: &DatasetKey| fingerprints.get(key).and_then(|f| f.as_deref()).map(str::to_string);
    let mut empty: Vec<usize> = Vec::new();
    for (i, rows) in by_unit.into_iter().enumerate() {
        if rows.is_empty() {
            empty.push(i);
            continue;
        }
        let data = fingerprint_of(&plan.units[i].dataset);
        if !keep_unit_rows(rows, data.as_deref(), reuse_stale, &mut out) {
            empty.push(i);
        }
    }
    empty.sort_unstable();
    restore_from_archive(plan, archive, &empty, &fingerprint_of, &mut out);
    out.facts.archived = out.archived.len();
    out
}

/// The earlier rows by unit of the plan (indexed as `plan.units`); rows of run ids the plan
/// does not have are archived (`not_planned`) in `out`.
fn rows_by_unit(
    plan: &Plan,
    previous: Vec<RunRecord>,
    out: &mut Reconciled,
) -> Vec<Vec<RunRecord>> {
    let unit_of: HashMap<String, usize> = plan
        .units
        .iter()
        .enumerate()
        .flat_map(|(i, u)| (0..u.expected_rows()).map(move |p| (u.run_id(p), i)))
        .collect();
    let mut by_unit: Vec<Vec<RunRecord>> = vec![Vec::new(); plan.units.len()];
    for row in previous {
        match unit_of.get(&row.run_id) {
            Some(&i) => by_unit[i].push(row),
            None => {
                out.facts.not_planned += 1;
                out.archived.push((row, NOT_PLANNED));
            }
        }
    }
    by_unit
}

/// Decides on the (non-empty) earlier rows of one unit whose data set has fingerprint `data`
/// (`None`: its file is missing): kept in `out.rows` (the unit is resumed, `true`) or archived
/// as stale (the unit is run again, `false`).
fn keep_unit_rows(
    rows: Vec<RunRecord>,
    data: Option<&str>,
    reuse_stale: bool,
    out: &mut Reconciled,
) -> bool {
    let n = rows.len();
    let code_differs = |r: &RunRecord| r.code_version != provenance::CODE_VERSION;
    let Some(data) = data else {
        // The data file is missing: nothing can be checked or redone; keep the rows.
        out.facts.unverified += n;
        out.resumed += 1;
        out.rows.extend(rows.into_iter().map(|mut r| {
            r.stale = r.stale || code_differs(&r);
            r
        }));
        return true;
    };
    let stale_code = rows.iter().any(code_differs);
    let changed_data = rows.iter().any(|r| r.data_fingerprint != data);
    if !stale_code && !changed_data {
        out.facts.reused += n;
        out.resumed += 1;
        out.rows.extend(rows.into_iter().map(|mut r| {
            r.stale = false;
            r
        }));
        return true;
    }
    out.facts.stale_code += if stale_code { n } else { 0 };
    out.facts.changed_data += if changed_data { n } else { 0 };
    if reuse_stale {
        out.facts.kept_stale += n;
        out.resumed += 1;
        out.rows.extend(rows.into_iter().map(|mut r| {
            r.stale = true;
            r
        }));
        return true;
    }
    let reason = match (stale_code, changed_data) {
        (true, true) => STALE_CODE_AND_DATA,
        (true, false) => STALE_CODE,
        _ => CHANGED_DATA,
    };
    out.facts.replaced += n;
    out.archived.extend(rows.into_iter().map(|r| (r, reason)));
    false
}

/// Units without rows (`empty`, in plan order): restored from the archive when it has them
/// with this code and this data (the last archived copy of each run id), else to run.
fn restore_from_archive(
    plan: &Plan,
    archive: &[RunRecord],
    empty: &[usize],
    fingerprint_of: &dyn Fn(&DatasetKey) -> Option<String>,
    out: &mut Reconciled,
) {
    let mut latest: HashMap<&str, &RunRecord> = HashMap::new();
    for row in archive
        .iter()
        .filter(|r| r.code_version == provenance::CODE_VERSION && r.status != record::STATUS_ERROR)
    {
        latest.insert(row.run_id.as_str(), row);
    }
    let kept: HashSet<String> = out.rows.iter().map(|r| r.run_id.clone()).collect();
    for &i in empty {
        let unit = &plan.units[i];
        if (0..unit.expected_rows()).any(|p| kept.contains(&unit.run_id(p))) {
            // A unit planned twice (a value repeated in the grid): its twin's rows are kept.
            out.resumed += 1;
            continue;
        }
        let data = fingerprint_of(&unit.dataset);
        let restored: Vec<RunRecord> = (0..unit.expected_rows())
            .filter_map(|p| latest.get(unit.run_id(p).as_str()).copied())
            .filter(|r| data.as_deref() == Some(r.data_fingerprint.as_str()))
            .cloned()
            .collect();
        if restored.is_empty() {
            out.todo.push(i);
        } else {
            out.facts.restored += restored.len();
            out.resumed += 1;
            out.rows.extend(restored.into_iter().map(|mut r| {
                r.stale = false;
                r
            }));
        }
    }
}

/// Console lines that say what resume did (empty when it only reused rows).
pub fn describe(facts: &ResumeFacts, archive: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let why = |stale_code: usize, changed_data: usize| {
        let mut parts = Vec::new();
        if stale_code > 0 {
            parts.push(format!(
                "{stale_code} made by other code (code_version differs from this build's {})",
                provenance::CODE_VERSION
            ));
        }
        if changed_data > 0 {
            parts.push(format!(
                "{changed_data} made from changed data (data_fingerprint differs: the data file \
                 or the data settings changed)"
            ));
        }
        parts.join("; ")
    };
    if facts.replaced > 0 {
        lines.push(format!(
            "{} rows are stale and not reused (their runs are done again): {}",
            facts.replaced,
            why(facts.stale_code, facts.changed_data)
        ));
    }
    if facts.kept_stale > 0 {
        lines.push(format!(
            "keeping {} stale rows as --reuse-stale asks, marked stale = true in runs.csv: {}",
            facts.kept_stale,
            why(facts.stale_code, facts.changed_data)
        ));
    }
    if facts.unverified > 0 {
        lines.push(format!(
            "keeping {} rows whose data file is missing without checking their data",
            facts.unverified
        ));
    }
    if facts.restored > 0 {
        lines.push(format!(
            "restored {} rows from {archive} (same run id, code and data): not run again",
            facts.restored
        ));
    }
    if facts.archived > 0 {
        let mut reasons = Vec::new();
        if facts.not_planned > 0 {
            reasons.push(format!("{} no longer planned by the spec", facts.not_planned));
        }
        if facts.replaced > 0 {
            reasons.push(format!("{} stale", facts.replaced));
        }
        if facts.fresh > 0 {
            reasons.push(format!("{} set aside by --fresh", facts.fresh));
        }
        if facts.merged_over > 0 {
            reasons.push(format!("{} replaced by the shards' rows", facts.merged_over));
        }
        if facts.errors_retried > 0 {
            reasons.push(format!("{} ended in error and are run again", facts.errors_retried));
        }
        let counted = facts.not_planned
            + facts.replaced
            + facts.fresh
            + facts.merged_over
            + facts.errors_retried;
        if facts.archived > counted {
            // Search rows no search asked for again, and anything a reason above misses.
            reasons.push(format!("{} no longer asked for", facts.archived - counted));
        }
        lines.push(format!(
            "moving {} rows of runs.csv to {archive} ({}); nothing is deleted",
            facts.archived,
            reasons.join(", ")
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan;

    const SPEC: &str = "name = \"t\"\n[data]\nn_train = 10\nn_validation = 5\nn_test = 5\n\
        [data.synthetic]\n[grid]\nk = [2]\nseeds = [1, 2]\n[[regularizer]]\nkind = \"l1\"\n\
        lambdas = [0.1, 1.0]\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n";

    fn setup() -> (Plan, BTreeMap<DatasetKey, Option<String>>) {
        let spec: crate::spec::ExperimentSpec = toml::from_str(SPEC).unwrap();
        let plan = plan::expand(&spec).unwrap();
        let fingerprints =
            plan.datasets.iter().map(|d| (*d, Some(format!("data-s{}", d.seed)))).collect();
        (plan, fingerprints)
    }

    /// The rows a run of `plan` with this build would write.
    fn rows(plan: &Plan) -> Vec<RunRecord> {
        plan.units
            .iter()
            .map(|u| {
                let mut r = RunRecord::placeholder();
                r.run_id = u.run_id(0);
                r.code_version = provenance::CODE_VERSION.to_string();
                r.data_fingerprint = format!("data-s{}", u.dataset.seed);
                r
            })
            .collect()
    }

    #[test]
    fn matching_rows_are_reused() {
        let (plan, fps) = setup();
        let out = reconcile(&plan, rows(&plan), &[], &fps, false);
        assert_eq!((out.rows.len(), out.todo.len(), out.resumed), (4, 0, 4));
        assert!(out.archived.is_empty() && describe(&out.facts, "a").is_empty());
    }

    #[test]
    fn stale_code_or_data_is_redone_and_archived_or_kept_marked() {
        let (plan, fps) = setup();
        let mut old = rows(&plan);
        old[0].code_version = "0000000000000000".into();
        old[1].data_fingerprint = "other".into();
        let out = reconcile(&plan, old.clone(), &[], &fps, false);
        assert_eq!(out.todo, vec![0, 1]);
        assert_eq!(out.rows.len(), 2);
        let reasons: Vec<&str> = out.archived.iter().map(|(_, why)| *why).collect();
        assert_eq!(reasons, [STALE_CODE, CHANGED_DATA]);
        let text = describe(&out.facts, "x/runs.archive.csv").join("\n");
        assert!(text.contains("2 rows are stale and not reused"), "{text}");
        assert!(text.contains("other code"), "{text}");
        assert!(text.contains("changed data") && text.contains("x/runs.archive.csv"), "{text}");

        let kept = reconcile(&plan, old, &[], &fps, true);
        assert!(kept.todo.is_empty() && kept.archived.is_empty());
        assert_eq!(kept.rows.iter().filter(|r| r.stale).count(), 2);
        assert_eq!(kept.facts.kept_stale, 2);
    }

    #[test]
    fn unplanned_rows_are_archived_and_come_back_from_the_archive() {
        let (plan, fps) = setup();
        let all = rows(&plan);
        let mut extra = RunRecord::placeholder();
        extra.run_id = "gone".into();
        let mut previous = all[..1].to_vec();
        previous.push(extra);
        let archive: Vec<RunRecord> = all[1..].to_vec();
        let out = reconcile(&plan, previous, &archive, &fps, false);
        assert_eq!(out.archived.len(), 1);
        assert_eq!(out.archived[0].1, NOT_PLANNED);
        assert!(out.todo.is_empty());
        assert_eq!(out.facts.restored, 3);
        // An archived copy from other code or data is not restored.
        let mut stale_archive = archive.clone();
        stale_archive[0].code_version = "0000000000000000".into();
        stale_archive[1].data_fingerprint = "other".into();
        let out = reconcile(&plan, all[..1].to_vec(), &stale_archive, &fps, false);
        assert_eq!(out.todo, vec![1, 2]);
    }

    #[test]
    fn a_unit_planned_twice_is_resumed_once_its_rows_are_kept() {
        let (mut plan, fps) = setup();
        let twin = plan.units[0].clone();
        plan.units.push(twin);
        let out = reconcile(&plan, rows(&plan)[..4].to_vec(), &[], &fps, false);
        assert!(out.todo.is_empty(), "{:?}", out.todo);
        assert_eq!((out.rows.len(), out.resumed), (4, 5));
    }

    #[test]
    fn rows_of_a_missing_data_file_are_kept_unchecked() {
        let (plan, mut fps) = setup();
        for f in fps.values_mut() {
            *f = None;
        }
        let mut old = rows(&plan);
        old[0].code_version = "0000000000000000".into();
        let out = reconcile(&plan, old, &[], &fps, false);
        assert!(out.todo.is_empty());
        assert_eq!(out.facts.unverified, 4);
        assert_eq!(out.rows.iter().filter(|r| r.stale).count(), 1);
    }
}

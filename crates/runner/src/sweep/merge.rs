//! `runner merge SPEC SHARD_DIR...`: combines the shard directories of one sweep (`runner run
//! SPEC --shard I/N`, run on several machines and copied back) into the one report an unsharded
//! run writes, training nothing.
//!
//! Before anything is written it refuses, naming the directory or file at fault:
//!
//! - a directory without `runs.csv` or `metadata.json`, or whose `metadata.json` is not a shard's;
//! - shards of another experiment, of another spec (the spec as run, after `--quick` and
//!   `--budget`, as each shard's `metadata.json` records it), or of another N;
//! - a shard index given twice, or missing (every missing index is named);
//! - rows made by other code: every row's `code_version` must be this runner's (merging needs the
//!   code that made the rows, since the report's selection, search and refits run here);
//! - rows made from other data: every row's `data_fingerprint` must be the one this runner
//!   computes for its data set (a real data file must be there to be checked);
//! - rows of a data set the spec does not plan, of a data set another shard runs, a run id in two
//!   shards, rows that ended in `error` (the shard must be rerun);
//! - units of the plan with no row in any shard (named, with the shard that should hold them);
//! - with `--export-models` (or `report.export_models`), a selected row whose model file its
//!   shard did not export.
//!
//! Then the sweep's own path writes the report ([`super::run_loaded`] with its rows from
//! [`RowSource::Shards`]): the shards' rows are reused as resume reuses rows, the lambda search
//! finds every point it asks for among them, and a unit or a search point that would have to be
//! trained is an error. Refit rows (`[selection] refit`) are recomputed, as every run recomputes
//! them. The rows the report directory held before move to `runs.archive.csv` (reason
//! `merged_over`); the shards' exported models are copied into its `models/`; `metadata.json`
//! lists the shards merged. `features.md` (real data) is not rewritten: no data set is built, as
//! in a fully resumed run. The memory estimate is checked only when refits will train;
//! otherwise only the report directory is.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

use super::prepare::{report_dir, report_name};
use super::source::{listed, Merging, RowSource};
use super::RunArgs;
use crate::messages::usage_error;
use crate::plan::{self, DatasetKey, Plan};
use crate::record::{self, RunRecord, STATUS_ERROR};
use crate::report::atomic_write::write_atomic;
use crate::report::metadata::MergedShard;
use crate::spec::ExperimentSpec;
use crate::{data, paths, provenance, report};

/// The fields of a shard's `metadata.json` the checks read (the others are ignored).
#[derive(Debug, Deserialize)]
struct ShardMetadata {
    experiment: String,
    code_version: String,
    git_commit: String,
    git_dirty: Option<bool>,
    quick: bool,
    shard: Option<String>,
    #[serde(default)]
    runs_csv_digest: Option<String>,
    spec: serde_json::Value,
    #[serde(default)]
    host: Option<String>,
    threads: usize,
    memory_method: String,
}

/// One shard directory, read.
#[derive(Debug)]
struct ShardDir {
    /// The directory as given.
    dir: PathBuf,
    /// Shard index I.
    index: usize,
    /// Shard count N.
    count: usize,
    /// Its `metadata.json`.
    meta: ShardMetadata,
    /// Its rows (refit rows left out), each with its line in `runs.csv`.
    rows: Vec<(usize, RunRecord)>,
}

/// Checks the shard directories against the spec at `spec_path` (with `args`' `--quick`,
/// `--budget`, `--data-dir`) and writes the merged report to `--out`'s `<name>/`.
pub fn merge(spec_path: &Path, shard_dirs: &[PathBuf], args: &RunArgs) -> anyhow::Result<()> {
    if let Some(flag) = [
        (args.shard.is_some(), "--shard"),
        (args.fresh, "--fresh"),
        (args.reuse_stale, "--reuse-stale"),
    ]
    .iter()
    .find_map(|(set, flag)| set.then_some(*flag))
    {
        return Err(usage_error(format!("`runner merge` does not take {flag}: it writes the unsharded report from the shards' rows, all made by this code from this data")));
    }
    if shard_dirs.is_empty() {
        return Err(usage_error(
            "`runner merge` needs the shard directories to merge (SHARD_DIR...)",
        ));
    }
    let (loaded, spec) = super::spec_as_run(spec_path, args)?;
    let shards = shard_dirs.iter().map(|d| read_shard(d)).collect::<anyhow::Result<Vec<_>>>()?;
    check_same_sweep(&shards, &spec, args.quick, spec_path)?;
    check_indices(&shards)?;
    check_code(&shards)?;

    let plan = plan::expand(&spec)?;
    let data_dir =
        data::locate_data_dir(&spec, &paths::data_dir(args.data_dir.as_deref()), spec_path)?;
    let fingerprints = data::fingerprint::fingerprints(&spec, &plan.datasets, &data_dir)?;
    check_rows(&shards, &plan, &fingerprints)?;
    check_units(&shards, &plan)?;
    let export = args.export_models || spec.report.export_models;
    if export {
        check_models(&shards)?;
    }

    let out = args.out.clone().unwrap_or_else(paths::default_results_dir);
    let dir = report_dir(&out, &report_name(&spec.name, args), args);
    check_out_outside_shards(&dir, shard_dirs)?;
    if export {
        copy_models(&shards, &dir.join("models"))?;
    }
    let merged: Vec<MergedShard> = shards
        .iter()
        .map(|s| MergedShard {
            dir: s.dir.display().to_string(),
            index: s.index,
            count: s.count,
            git_commit: s.meta.git_commit.clone(),
            git_dirty: s.meta.git_dirty,
            host: s.meta.host.clone(),
            rows: s.rows.len(),
        })
        .collect();
    // The report says how the rows' memory was measured: as the shards measured it.
    let measured = (
        shards.iter().map(|s| s.meta.threads).max().unwrap_or(1),
        shards.iter().all(|s| s.meta.memory_method == report::memory_method(s.meta.threads, true)),
    );
    let mut shards = shards;
    shards.sort_by_key(|s| s.index);
    let rows = shards.into_iter().flat_map(|s| s.rows.into_iter().map(|(_, r)| r)).collect();
    let merging = Merging { rows, shards: merged, fingerprints, measured };
    super::run_loaded(&loaded, spec, args, RowSource::Shards(merging))
}

/// Reads a shard directory: `metadata.json` (a shard's) and `runs.csv`.
fn read_shard(dir: &Path) -> anyhow::Result<ShardDir> {
    if !dir.is_dir() {
        bail!("shard directory {} does not exist (or is not a directory)", dir.display());
    }
    let meta_path = dir.join("metadata.json");
    let runs_path = dir.join("runs.csv");
    for file in [&meta_path, &runs_path] {
        if !file.is_file() {
            bail!(
                "{} has no {}: not a finished shard (a shard writes runs.csv and metadata.json \
                 when it ends); rerun it with `runner run SPEC --shard I/N`",
                dir.display(),
                file.file_name().map(|f| f.to_string_lossy()).unwrap_or_default()
            );
        }
    }
    let text = std::fs::read_to_string(&meta_path)
        .with_context(|| format!("cannot read {}", meta_path.display()))?;
    let meta: ShardMetadata = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a runner's metadata.json", meta_path.display()))?;
    let Some(shard) = &meta.shard else {
        bail!(
            "{} has no `shard`: {} is the report of an unsharded run, not a shard",
            meta_path.display(),
            dir.display()
        );
    };
    let parsed = shard.split_once('/').and_then(|(i, n)| {
        let (i, n) = (i.trim().parse::<usize>().ok()?, n.trim().parse::<usize>().ok()?);
        (n > 0 && i < n).then_some((i, n))
    });
    let Some((index, count)) = parsed else {
        bail!("{}: `shard` is `{shard}`, not I/N with 0 <= I < N", meta_path.display());
    };
    check_runs_digest(&runs_path, &meta_path, meta.runs_csv_digest.as_deref())?;
    let rows = record::read_csv(&runs_path)?
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .filter(|(_, r)| !r.is_refit())
        .collect();
    Ok(ShardDir { dir: dir.to_path_buf(), index, count, meta, rows })
}

/// A shard's `runs.csv` has the digest its `metadata.json` recorded when the shard wrote it: an
/// edited row (a metric, a count) or a file from elsewhere is refused, naming both files.
fn check_runs_digest(runs: &Path, meta: &Path, recorded: Option<&str>) -> anyhow::Result<()> {
    let Some(recorded) = recorded else {
        bail!(
            "{} has no `runs_csv_digest`: the shard was written by an older runner (or the field              was removed), so {} cannot be checked; rerun the shard with this runner",
            meta.display(),
            runs.display()
        );
    };
    let bytes = std::fs::read(runs).with_context(|| format!("cannot read {}", runs.display()))?;
    let digest = format!("{:016x}", provenance::fnv1a(&bytes));
    if digest != recorded {
        bail!(
            "{}: digest mismatch (its bytes hash to {digest}, {} recorded {recorded} when the              shard wrote it): rows were edited after the shard ran (metrics, counts or ids?);              rerun the shard rather than merge edited rows",
            runs.display(),
            meta.display()
        );
    }
    Ok(())
}

/// Every shard is of this experiment, this spec as run (`--quick` included) and the same N.
fn check_same_sweep(
    shards: &[ShardDir],
    spec: &ExperimentSpec,
    quick: bool,
    spec_path: &Path,
) -> anyhow::Result<()> {
    let ours = serde_json::to_value(spec)?;
    for s in shards {
        let meta = s.dir.join("metadata.json");
        if s.meta.experiment != spec.name {
            bail!(
                "{} is a shard of experiment `{}`, not of `{}` ({}): {}",
                s.dir.display(),
                s.meta.experiment,
                spec.name,
                spec_path.display(),
                meta.display()
            );
        }
        if s.meta.quick != quick {
            bail!(
                "{} was run {} --quick and this merge {} it ({}): pass the flags the shards \
                 were run with",
                s.dir.display(),
                if s.meta.quick { "with" } else { "without" },
                if quick { "has" } else { "has not" },
                meta.display()
            );
        }
        if let Some(at) = first_difference(&s.meta.spec, &ours, "spec") {
            bail!(
                "{} was run from another spec than {} (as run, after --quick and --budget): \
                 `{at}` differs ({})",
                s.dir.display(),
                spec_path.display(),
                meta.display()
            );
        }
    }
    let first = &shards[0];
    if let Some(other) = shards.iter().find(|s| s.count != first.count) {
        bail!(
            "shards of different N: {} is shard {}/{}, {} is shard {}/{}; merge the shards of \
             one sharding",
            first.dir.display(),
            first.index,
            first.count,
            other.dir.display(),
            other.index,
            other.count
        );
    }
    Ok(())
}

/// The path of the first place where `a` and `b` differ (`None`: equal).
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q, &format!("{at}.{k}")),
                _ => Some(format!("{at}.{k}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]"))),
        _ => (a != b).then(|| at.to_string()),
    }
}

/// Each index 0..N exactly once.
fn check_indices(shards: &[ShardDir]) -> anyhow::Result<()> {
    let count = shards[0].count;
    let mut seen: BTreeMap<usize, &Path> = BTreeMap::new();
    for s in shards {
        if let Some(before) = seen.insert(s.index, &s.dir) {
            bail!(
                "shard {}/{count} is given twice: {} and {}",
                s.index,
                before.display(),
                s.dir.display()
            );
        }
    }
    let missing: Vec<String> =
        (0..count).filter(|i| !seen.contains_key(i)).map(|i| i.to_string()).collect();
    if !missing.is_empty() {
        bail!(
            "missing shard index {} of {count} (given: {}); run `runner run SPEC --shard I/{count}` \
             for each and pass its directory",
            missing.join(", "),
            listed(seen.keys().map(|i| i.to_string()))
        );
    }
    Ok(())
}

/// Every row (and every shard's build) has this runner's `code_version`.
fn check_code(shards: &[ShardDir]) -> anyhow::Result<()> {
    let ours = provenance::CODE_VERSION;
    let versions = || {
        listed(shards.iter().map(|s| {
            let mut v: BTreeSet<&str> =
                s.rows.iter().map(|(_, r)| r.code_version.as_str()).collect();
            if v.is_empty() {
                v.insert(s.meta.code_version.as_str());
            }
            format!("shard {}: {}", s.index, v.into_iter().collect::<Vec<_>>().join(" and "))
        }))
    };
    for s in shards {
        if let Some((line, row)) = s.rows.iter().find(|(_, r)| r.code_version != ours) {
            bail!(
                "{} line {line} (run {}): code_version {} differs from {ours}, this runner's \
                 (code_version by shard: {}); merging needs rows made by the code that merges: \
                 rerun that shard with this build, or build the runner from its commit {}",
                s.dir.join("runs.csv").display(),
                row.run_id,
                row.code_version,
                versions(),
                row.git_commit
            );
        }
        if s.meta.code_version != ours {
            bail!(
                "{}: shard {} was run by code {} and this runner is {ours} (code_version by \
                 shard: {}); rerun it with this build",
                s.dir.join("metadata.json").display(),
                s.index,
                s.meta.code_version,
                versions()
            );
        }
    }
    Ok(())
}

/// The merged report may not be written inside a shard (or a shard inside it): the merge would
/// write over the rows it reads.
fn check_out_outside_shards(dir: &Path, shard_dirs: &[PathBuf]) -> anyhow::Result<()> {
    let report = crate::output_guard::resolved(dir);
    for shard in shard_dirs {
        let shard_path = crate::output_guard::resolved(shard);
        if report.starts_with(&shard_path) || shard_path.starts_with(&report) {
            bail!(
                "--out puts the merged report in {}, which overlaps the shard {}: the merge \
                 would write over the rows it reads; give --out a directory outside the shards",
                dir.display(),
                shard.display()
            );
        }
    }
    Ok(())
}

/// Every row belongs to a data set of this shard's slice of the plan, has its fingerprint, did
/// not end in `error` and is in no other shard.
fn check_rows(
    shards: &[ShardDir],
    plan: &Plan,
    fingerprints: &BTreeMap<DatasetKey, Option<String>>,
) -> anyhow::Result<()> {
    // A row's data set from its run id, which starts with the data set's tag and a dash.
    let tags: Vec<(String, usize, DatasetKey)> =
        plan.datasets.iter().enumerate().map(|(i, d)| (format!("{}-", d.tag()), i, *d)).collect();
    let planned: BTreeSet<String> =
        plan.units.iter().flat_map(|u| (0..u.expected_rows()).map(move |p| u.run_id(p))).collect();
    let mut owner: HashMap<&str, &Path> = HashMap::new();
    for s in shards {
        let file = s.dir.join("runs.csv");
        for (line, row) in &s.rows {
            let at = format!("{} line {line} (run {})", file.display(), row.run_id);
            let found = tags.iter().find(|(tag, _, _)| row.run_id.starts_with(tag.as_str()));
            let Some((_, position, key)) = found else {
                bail!("{at}: its data set is not one the spec plans");
            };
            if row.origin == record::ORIGIN_GRID && !planned.contains(&row.run_id) {
                bail!("{at}: the spec does not plan this run");
            }
            if position % s.count != s.index {
                bail!(
                    "{at}: data set {} belongs to shard {}/{}, not to this shard {}/{}",
                    key.tag(),
                    position % s.count,
                    s.count,
                    s.index,
                    s.count
                );
            }
            let expected = fingerprints.get(key).cloned().flatten().unwrap_or_default();
            if row.data_fingerprint != expected {
                bail!(
                    "{at}: data_fingerprint {} differs from {expected}, the fingerprint this \
                     runner computes for data set {}: the shard read other data (another data \
                     file, or other data settings); rerun it on the same data",
                    row.data_fingerprint,
                    key.tag()
                );
            }
            if row.status == STATUS_ERROR {
                bail!(
                    "{at}: the run ended in `error` ({}); rerun the shard (a rerun retries \
                     exactly those runs) before merging",
                    row.message
                );
            }
            if let Some(other) = owner.insert(&row.run_id, &s.dir) {
                bail!("{at}: the same run is in {} too", other.display());
            }
        }
    }
    Ok(())
}

/// Every unit of the plan has a row in some shard.
fn check_units(shards: &[ShardDir], plan: &Plan) -> anyhow::Result<()> {
    let ids: BTreeSet<&str> =
        shards.iter().flat_map(|s| s.rows.iter().map(|(_, r)| r.run_id.as_str())).collect();
    let count = shards[0].count;
    let position: HashMap<DatasetKey, usize> =
        plan.datasets.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let missing: Vec<String> = plan
        .units
        .iter()
        .filter(|u| !(0..u.expected_rows()).any(|p| ids.contains(u.run_id(p).as_str())))
        .map(|u| {
            let shard = position.get(&u.dataset).map_or(0, |i| i % count);
            format!("{} (shard {shard})", u.run_id(0))
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} units of the plan have no row in any shard: {}; their shards did not finish \
             (rerun them: they resume)",
            missing.len(),
            listed(missing)
        );
    }
    Ok(())
}

/// Every selected row's model was exported by its shard (`models/<run id>.csv`).
fn check_models(shards: &[ShardDir]) -> anyhow::Result<()> {
    for s in shards {
        let chosen = s.rows.iter().filter(|(_, r)| r.selected || r.budget_selected);
        for (_, row) in chosen {
            let file = s.dir.join("models").join(format!("{}.csv", row.run_id));
            if !file.is_file() {
                bail!(
                    "{} is missing: the merge exports models (--export-models or \
                     report.export_models) but shard {} did not; rerun the shards with the \
                     same flags",
                    file.display(),
                    s.index
                );
            }
        }
    }
    Ok(())
}

/// Copies the shards' exported models (refits aside: they are recomputed) into `models_dir`.
fn copy_models(shards: &[ShardDir], models_dir: &Path) -> anyhow::Result<()> {
    for s in shards {
        let from = s.dir.join("models");
        let Ok(entries) = std::fs::read_dir(&from) else { continue };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for file in files {
            let Some(name) = file.file_name().map(|n| n.to_string_lossy().to_string()) else {
                continue;
            };
            let stem = name.trim_end_matches(".csv").trim_end_matches(".json");
            if !file.is_file() || name.starts_with('.') || stem.ends_with(record::REFIT_SUFFIX) {
                continue;
            }
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            std::fs::create_dir_all(models_dir)
                .with_context(|| format!("cannot create {}", models_dir.display()))?;
            write_atomic(&models_dir.join(&name), &bytes)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_difference_of_two_specs_is_named() {
        let a = serde_json::json!({"grid": {"k": [2, 3], "seeds": [1]}, "name": "t"});
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b, "spec"), None);
        b["grid"]["k"][1] = serde_json::json!(4);
        assert_eq!(first_difference(&a, &b, "spec").as_deref(), Some("spec.grid.k[1]"));
        b["extra"] = serde_json::json!(true);
        assert_eq!(first_difference(&a, &b, "spec").as_deref(), Some("spec.extra"));
    }
}

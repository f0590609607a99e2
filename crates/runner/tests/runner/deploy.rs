//! The recipes of `deploy/` run for real on a tiny synthetic spec: every shell script parses
//! (`bash -n`); the local recipe runs three shards and merges them, once with GNU parallel when it
//! is installed and once with `xargs -P` (GNU parallel hidden from its `PATH`); the Slurm job
//! scripts run as three array tasks and the merge job would (the `SLURM_*` variables set by
//! hand; `slurm.rs` submits them to a real Slurm). Each ends with a merged report of every data set. That the
//! merged rows equal an unsharded run's is `merge.rs`'s test.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::text;

/// Four data sets, two methods: seconds in a debug build.
const SPEC: &str = "name = \"tiny\"\n[data]\nn_train = 500\nn_validation = 200\n\
    n_test = 200\n[data.synthetic]\n[grid]\nk = [2, 3]\nseeds = [1, 2]\n\
    [selection]\nsearch = { max_steps = 1 }\n\
    [[regularizer]]\nkind = \"l1\"\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\nlambdas = [1e-4, 1e-3]\n\
    [[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\npath = { n = 3, min_ratio = 0.01 }\n";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn deploy(file: &str) -> PathBuf {
    workspace().join("deploy").join(file)
}

/// Runs `script` with bash, `args` and `env`, with the test's runner binary as `RUNNER`.
fn bash(script: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut command = Command::new("bash");
    command
        .arg(script)
        .args(args)
        .env("RUNNER", env!("CARGO_BIN_EXE_runner"))
        .env_remove("SPARSECROSS_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    command.spawn().unwrap()
}

fn succeeded(child: std::process::Child, what: &str) -> Output {
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

/// The merged report under `results` holds rows of all four data sets and names three shards.
pub(crate) fn assert_merged(results: &Path) {
    let runs = std::fs::read_to_string(results.join("tiny/runs.csv")).unwrap();
    for tag in ["k02-s1-", "k02-s2-", "k03-s1-", "k03-s2-"] {
        assert!(runs.contains(tag), "no row of {tag} in the merged runs.csv");
    }
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results.join("tiny/metadata.json")).unwrap())
            .unwrap();
    assert_eq!(meta["merged_shards"].as_array().unwrap().len(), 3, "{meta}");
}

/// A directory of links to the programs of `PATH` that the local recipe uses, GNU parallel left
/// out, so that it falls back to `xargs -P`.
fn path_without_parallel(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = std::env::var("PATH").unwrap();
    for tool in ["bash", "basename", "dirname", "mkdir", "seq", "xargs"] {
        let found = std::env::split_paths(&path)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{tool} is not on PATH"));
        std::os::unix::fs::symlink(found, bin.join(tool)).unwrap();
    }
    bin.to_str().unwrap().to_string()
}

#[test]
fn every_script_parses() {
    for script in [
        "merge-shards.sh",
        "local/run-shards.sh",
        "slurm/submit.sh",
        "slurm/sweep.sbatch",
        "slurm/merge.sbatch",
    ] {
        let output = Command::new("bash").arg("-n").arg(deploy(script)).output().unwrap();
        assert!(output.status.success(), "{script}: {}", text(&output.stderr));
    }
}

#[test]
fn the_local_recipe_runs_shards_and_merges_them() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("tiny.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let spec = spec.to_str().unwrap();
    let script = deploy("local/run-shards.sh");
    // With GNU parallel when it is installed (xargs -P otherwise).
    let out = dir.path().join("with-path");
    let env = [("OUT", out.to_str().unwrap())];
    succeeded(bash(&script, &[spec, "3", "--no-plots"], &env), "run-shards.sh");
    assert_merged(&out);
    assert!(out.join("shards/tiny/2-of-3.log").is_file());
    // With xargs -P.
    let out = dir.path().join("with-xargs");
    let path = path_without_parallel(dir.path());
    let env = [("OUT", out.to_str().unwrap()), ("PATH", path.as_str())];
    succeeded(bash(&script, &[spec, "3", "--no-plots"], &env), "run-shards.sh with xargs");
    assert_merged(&out);
    // A shard that fails stops the recipe before the merge.
    let out = dir.path().join("failing");
    let env = [("OUT", out.to_str().unwrap())];
    let failed = bash(&script, &[spec, "3", "--no-such-flag"], &env).wait_with_output().unwrap();
    assert!(!failed.status.success());
    assert!(!out.join("tiny/runs.csv").exists());
}

#[test]
fn the_slurm_scripts_run_as_array_tasks_and_a_merge_job() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("tiny.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let spec = spec.to_str().unwrap();
    let (shards, results) = (dir.path().join("shards"), dir.path().join("results"));
    let repo = workspace();
    let common = [
        ("SPARSECROSS_REPO", repo.to_str().unwrap()),
        ("SHARD_ROOT", shards.to_str().unwrap()),
        ("RESULTS", results.to_str().unwrap()),
        ("SLURM_CPUS_PER_TASK", "1"),
    ];
    let tasks: Vec<_> = (0..3)
        .map(|i| {
            let index = i.to_string();
            let mut env = common.to_vec();
            env.extend([
                ("SLURM_ARRAY_TASK_ID", index.as_str()),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "2"),
            ]);
            bash(&deploy("slurm/sweep.sbatch"), &[spec, "--no-plots"], &env)
        })
        .collect();
    for task in tasks {
        succeeded(task, "sweep.sbatch");
    }
    assert!(shards.join("1-of-3/tiny-shard-1-of-3/runs.csv").is_file());
    succeeded(bash(&deploy("slurm/merge.sbatch"), &[spec, "3", "--no-plots"], &common), "merge");
    assert_merged(&results);

    // An array that does not start at 0 is refused.
    let mut env = common.to_vec();
    env.extend([
        ("SLURM_ARRAY_TASK_ID", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_MAX", "3"),
    ]);
    let refused = bash(&deploy("slurm/sweep.sbatch"), &[spec], &env).wait_with_output().unwrap();
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("the array must be 0-2"), "{}", text(&refused.stderr));
}

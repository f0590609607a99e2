//! End-to-end tests of sweeps over n (the `runner` binary on tiny synthetic specs): a streamed
//! training split gives the rows a held one gives (timing and memory columns aside), one data
//! set per `grid.n_train` value with its own selection, a memory cap that stops an online run as
//! `memory_exceeded` with the examples and bytes it reached and does not start a batch fit over
//! it, and the spec errors of the new keys.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::{comparable_when_streamed, read_runs, runner, text, Row};

/// k = 6 (46,656 cross cells: most rows open a new one), two n, FTRL-L1 and truncated gradient
/// (swept and not) online, coordinate descent in batch.
const SPEC: &str = "name = \"ns\"\n[data]\nn_validation = 500\nn_test = 500\nSTREAM\n\
    [data.synthetic]\ninteractions = 2\n[grid]\nk = [6]\nn_train = [1000, 4000]\nseeds = [1]\nCAP\n\
    [selection]\nsearch = { max_steps = 0 }\n\
    [[regularizer]]\nkind = \"l1\"\nlambdas = [1e-4]\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\nftrl_penalty = \"per_step\"\n\
    [[regularizer.optimizer]]\nonline = \"truncated_gradient\"\nlambdas = [3e-3]\n\
    [[regularizer.optimizer]]\nonline = \"truncated_gradient\"\nlabel = \"swept\"\n\
    lambdas = [3e-3]\nsweep_every = 500\n\
    [[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\nlambdas = [1e-4]\n";

fn spec(stream: bool, cap: Option<&str>) -> String {
    SPEC.replace("STREAM", if stream { "stream = true" } else { "" })
        .replace("CAP", &cap.map_or_else(String::new, |c| format!("memory_cap = \"{c}\"")))
}

fn run(dir: &Path, name: &str, text_of_spec: &str) -> (Vec<Row>, String) {
    let spec = dir.join(format!("{name}.toml"));
    std::fs::write(&spec, text_of_spec).unwrap();
    let out = dir.join(name);
    let args = ["run", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", "1"];
    let output = runner(&args);
    assert!(output.status.success(), "{args:?} failed:\n{}", text(&output.stderr));
    let report = out.join("ns");
    let rows = read_runs(&report.join("runs.csv"));
    (rows, std::fs::read_to_string(report.join("summary.md")).unwrap())
}

#[test]
fn a_streamed_split_trains_as_the_held_one_with_one_data_set_per_n() {
    let dir = tempfile::tempdir().unwrap();
    let (held, _) = run(dir.path(), "held", &spec(false, None));
    let (streamed, summary) = run(dir.path(), "streamed", &spec(true, None));
    assert_eq!(held.len(), 8, "2 n x 4 methods");
    assert_eq!(
        held.iter().map(comparable_when_streamed).collect::<Vec<_>>(),
        streamed.iter().map(comparable_when_streamed).collect::<Vec<_>>()
    );
    // One data set per n, each with its own choice and run ids.
    for n in ["1000", "4000"] {
        let at_n: Vec<&Row> = streamed.iter().filter(|r| r["n_train"] == n).collect();
        assert_eq!(at_n.len(), 4);
        assert!(at_n.iter().all(|r| r["selected"] == "true" && r["status"] == "ok"), "{at_n:?}");
        let tag = if n == "1000" { "k06-n1e3-s1-" } else { "k06-n4e3-s1-" };
        assert!(at_n.iter().all(|r| r["run_id"].starts_with(tag)), "{at_n:?}");
    }
    // The distinct-feature estimate of the streamed split is within 3% of the exact count.
    for (h, s) in held.iter().zip(&streamed) {
        let exact: f64 = h["features_touched"].parse().unwrap();
        let estimate: f64 = s["features_touched"].parse().unwrap();
        assert!((estimate / exact - 1.0).abs() < 0.03, "{exact} vs {estimate}");
    }
    // The sweep keeps the swept store smaller than the plain one, with the same model.
    let get = |label: &str, n: &str| {
        streamed.iter().find(|r| r["optimizer"] == label && r["n_train"] == n).unwrap()
    };
    let (plain, swept) = (get("truncated_gradient", "4000"), get("swept", "4000"));
    assert_eq!(plain["nonzero_weights"], swept["nonzero_weights"]);
    let bytes = |r: &Row| r["train_state_bytes"].parse::<u64>().unwrap();
    assert!(bytes(swept) < bytes(plain), "{} vs {}", bytes(swept), bytes(plain));
    // The report has the tables against n instead of the per-k ones.
    assert!(summary.contains("## k = 6: memory and log loss against n"), "{summary}");
    assert!(summary.contains("| l1 | ftrl | 4,000 |"), "{summary}");
}

#[test]
fn a_memory_cap_stops_online_runs_and_does_not_start_batch_fits() {
    let dir = tempfile::tempdir().unwrap();
    // 64 KiB: FTRL's table would pass it within the first few thousand rows at k = 6.
    let (rows, summary) = run(dir.path(), "capped", &spec(true, Some("64KiB")));
    let ftrl = rows.iter().find(|r| r["optimizer"] == "ftrl" && r["n_train"] == "4000").unwrap();
    assert_eq!(ftrl["status"], "memory_exceeded", "{ftrl:?}");
    assert_eq!(ftrl["selected"], "false");
    // The state stays within the cap: the growth that would pass it is refused, and named.
    let state: u64 = ftrl["train_state_bytes"].parse().unwrap();
    assert!(state > 0 && state <= 64 << 10, "state {state} within the cap");
    let message = &ftrl["message"];
    let needed: u64 = message
        .split("would hold ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(needed > 64 << 10 && needed <= 3 * state + 64, "{message}");
    let epochs: f64 = ftrl["epochs"].parse().unwrap();
    assert!(epochs > 0.0 && epochs < 1.0, "stopped midway: {epochs}");
    assert!(ftrl["message"].contains("more than memory_cap = 65536 bytes"), "{ftrl:?}");
    let batch =
        rows.iter().find(|r| r["optimizer"] == "coordinate_descent" && r["n_train"] == "4000");
    let batch = batch.unwrap();
    assert_eq!(batch["status"], "memory_exceeded");
    assert!(batch["message"].starts_with("not started"), "{batch:?}");
    assert!(summary.contains("memory cap after"), "{summary}");
    // A cap is part of the run ids: the same spec without it reruns everything.
    let (uncapped, _) = run(dir.path(), "capped", &spec(true, None));
    assert!(uncapped.iter().all(|r| r["status"] == "ok"));
    assert!(uncapped.iter().all(|u| rows.iter().all(|r| r["run_id"] != u["run_id"])));
}

#[test]
fn the_new_keys_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (spec(true, Some("4 parsecs")), "grid.memory_cap"),
        (
            spec(true, None).replace("n_validation = 500", "n_train = 10\nn_validation = 500"),
            "both set",
        ),
        (
            spec(true, None).replace("seeds = [1]", "seeds = [1]\nshuffle = true"),
            "data.stream = true",
        ),
        (spec(true, None).replace("sweep_every = 500", "sweep_every = 0"), "sweep_every"),
        (
            spec(true, None).replace("n_train = [1000, 4000]", "n_train = [1000, 1000]"),
            "grid.n_train",
        ),
    ];
    for (i, (text_of_spec, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&path, text_of_spec).unwrap();
        let output =
            runner(&["run", path.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
        assert!(!output.status.success(), "case {i} ran");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(expected), "case {i}: expected `{expected}` in {stderr}");
    }
}

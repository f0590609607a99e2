//! What errors say: "did you mean" for misspelled keys, columns and experiment names, the file,
//! line and column of a spec error, quoted values cut to a readable length, size messages that
//! name the key and what is allowed, plain plot and archive messages, `split` naming the file
//! that failed, and exit code 2 for every bad command-line value.

use std::path::Path;
use std::process::Output;

use crate::common::{runner, text};

/// A small synthetic spec: `grid` lines after `k` and `seeds`, then `body`.
fn spec(grid: &str, body: &str) -> String {
    format!(
        "name = \"m\"\n[data]\nn_train = 100\nn_validation = 50\nn_test = 50\n[data.synthetic]\n\
         [grid]\nk = [2]\nseeds = [1]\n{grid}\n{body}"
    )
}

const FTRL: &str =
    "[[regularizer]]\nkind = \"l1\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n";

/// Runs `text` written to `dir/spec.toml` into `dir/out`.
fn run_spec(dir: &Path, text: &str) -> Output {
    let path = dir.join("spec.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.join("out");
    runner(&["run", path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-plots"])
}

/// The error of a spec that must be refused (exit 1).
fn refused(text: &str) -> String {
    refused_in(tempfile::tempdir().unwrap().path(), text)
}

/// The error of a spec, run in `dir`, that must be refused (exit 1).
fn refused_in(dir: &Path, text: &str) -> String {
    let output = run_spec(dir, text);
    let stderr = crate::common::text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    stderr
}

#[test]
fn misspelled_spec_keys_are_named_with_their_line_and_a_did_you_mean() {
    let grid = refused(&spec("seedz = [2]", FTRL));
    assert!(grid.contains("spec.toml:10:1: unknown field `seedz`"), "{grid}");
    assert!(grid.contains("did you mean `seeds`?"), "{grid}");
    let entry =
        refused(&spec("", &FTRL.replace("online = \"ftrl\"", "online = \"ftrl\"\nlamdas = [1.0]")));
    assert!(entry.contains("spec.toml:16:1:") && entry.contains("`lamdas`"), "{entry}");
    assert!(entry.contains("did you mean `lambdas`?"), "{entry}");
    let shared = refused(&spec("", &FTRL.replace("lambdas = [0.1]", "lamdas = [0.1]")));
    assert!(
        shared.contains("spec.toml:13:1:") && shared.contains("unknown field `lamdas`"),
        "{shared}"
    );
    assert!(shared.contains("did you mean `lambdas`?"), "{shared}");
    let optimizer = refused(&spec("", &FTRL.replace("\"ftrl\"", "\"ftrll\"")));
    assert!(optimizer.contains("did you mean `ftrl`?"), "{optimizer}");
}

#[test]
fn type_errors_give_the_file_line_and_column_of_the_key() {
    let grid = refused(&spec("", FTRL).replace("k = [2]", "k = \"two\""));
    assert!(grid.contains("spec.toml:8:1: `grid.k`: invalid type: string \"two\""), "{grid}");
    let entry = refused(&spec("", &format!("{FTRL}  batch_size = \"x\"\n")));
    assert!(entry.contains("spec.toml:16:3: `regularizer[0].optimizer[0].batch_size`"), "{entry}");
    let checked = refused(&spec("", &FTRL.replace("[0.1]", "[-1.0]")));
    assert!(checked.contains("spec.toml:13:1: `regularizer[0].lambdas`"), "{checked}");
}

#[test]
fn a_huge_quoted_value_is_cut_to_a_readable_length() {
    let huge = "y".repeat(1 << 20);
    let stderr = refused(&spec("", &format!("{FTRL}batch_size = \"{huge}\"\n")));
    assert!(stderr.len() < 2_000, "{} bytes of stderr", stderr.len());
    assert!(stderr.contains(&format!("{}… (1048576 bytes)", "y".repeat(100))), "{stderr}");
}

#[test]
fn sizes_that_are_not_sizes_name_the_key_the_value_and_what_is_allowed() {
    let negative = refused(&spec("memory_cap = -5", FTRL));
    assert!(negative.contains("`grid.memory_cap`: -5 is not a size"), "{negative}");
    assert!(negative.contains("\"4GiB\"") && !negative.contains("untagged"), "{negative}");
    let huge = refused(&spec("memory_cap = \"99999999999 TiB\"", FTRL));
    assert!(huge.contains("`grid.memory_cap`: `99999999999 TiB` is too large"), "{huge}");
    assert!(huge.contains("at most 2^64 - 1 bytes"), "{huge}");
    let zero = refused(&spec("memory_cap = 0", FTRL));
    assert!(zero.contains("`grid.memory_cap`: 0 is not a size"), "{zero}");
}

#[test]
fn an_unknown_experiment_name_is_a_usage_error_with_a_did_you_mean() {
    let output = runner(&["run", "k_swep"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean `k_sweep`?"), "{stderr}");
}

#[test]
fn an_unknown_column_gets_a_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("x,yy,label\n");
    for i in 0..60u32 {
        csv.push_str(&format!("{},{},{}\n", i % 7, i % 5, i % 2));
    }
    std::fs::write(dir.path().join("d.csv"), csv).unwrap();
    let text = format!(
        "name = \"r\"\n[data.real]\nfile = \"d.csv\"\n[data.real.schema]\n\
         label = {{ column = \"label\", rule = \"> 0.5\" }}\ncolumns = {{ x = \"numeric\", y = \"numeric\" }}\n\
         [data.real.features]\nbucketized = [{{ column = \"x\", quantiles = 4 }}]\n\
         [data.real.split]\nfractions = {{ train = 0.6, validation = 0.2, test = 0.2 }}\n\
         [grid]\nseeds = [1]\n{FTRL}"
    );
    let stderr = refused_in(dir.path(), &text);
    assert!(
        stderr.contains("column `y` not found") && stderr.contains("did you mean `yy`?"),
        "{stderr}"
    );
}

/// `runner split` of a small file with `extra` options.
fn split(dir: &Path, extra: &[&str]) -> Output {
    let input = dir.join("all.csv");
    std::fs::write(&input, "x,v\n1,10\n2,20\n3,30\n4,40\n").unwrap();
    let mut args = vec!["split", input.to_str().unwrap()];
    args.extend_from_slice(extra);
    runner(&args)
}

#[test]
fn every_bad_command_line_value_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let outs = ["--train-out", train.to_str().unwrap(), "--test-out", test.to_str().unwrap()];
    let with = |more: &[&'static str]| -> Vec<String> {
        outs.iter().chain(more).map(|s| s.to_string()).collect()
    };
    for bad in [
        with(&["--test-fraction", "1.5"]),
        with(&["--test-fraction", "0.5", "--label-texts", "yes"]),
        with(&["--test-fraction", "0.5", "--derive-label", "nocomparison"]),
        with(&["--test-fraction", "0.5", "--derive-label", "lab=vv > 1"]),
    ] {
        let output = split(dir.path(), &bad.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {}", text(&output.stderr));
    }
    let output = runner(&["merge", "k_sweep", dir.path().to_str().unwrap(), "--fresh"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let args = with(&["--test-fraction", "0.5", "--derive-label", "lab=vv > 1"]);
    let column =
        text(&split(dir.path(), &args.iter().map(String::as_str).collect::<Vec<_>>()).stderr);
    assert!(column.contains("did you mean `v`?"), "{column}");
}

#[test]
fn split_names_the_file_it_could_not_write_and_leaves_no_half() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let (train, test) = (dir.path().join("a.csv"), blocker.join("b.csv"));
    let output = split(
        dir.path(),
        &[
            "--test-fraction",
            "0.5",
            "--train-out",
            train.to_str().unwrap(),
            "--test-out",
            test.to_str().unwrap(),
        ],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("cannot write --test-out {}", test.display())), "{stderr}");
    assert!(!train.exists(), "the training half is removed: {stderr}");
}

#[test]
fn a_failed_plot_write_is_a_plain_message() {
    let dir = tempfile::tempdir().unwrap();
    let chart = runner::report::plots::Chart {
        stem: "c".into(),
        title: "t".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        x_log: false,
        y_log: false,
        series: vec![runner::report::plots::Series {
            name: "s".into(),
            points: vec![(1.0, 1.0), (2.0, 2.0)],
            reference: false,
        }],
        legend: plotters::prelude::SeriesLabelPosition::UpperLeft,
    };
    // The PNG's temporary file cannot be written: a directory is in its place.
    std::fs::create_dir_all(dir.path().join(format!(".c.tmp.{}.png", std::process::id()))).unwrap();
    let error = runner::report::plots::render(dir.path(), &chart).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("c.png") && message.contains("cannot draw the image"), "{message}");
    assert!(message.ends_with("cannot draw the image: Is a directory"), "{message}");
}

#[test]
fn archived_errored_rows_give_their_reason() {
    // One training row has one class: the batch fit can only fail, and a rerun retries it.
    let body = format!(
        "{FTRL}[[regularizer]]\nkind = \"l2\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\n\
         batch = \"coordinate_descent\"\n"
    );
    let text_spec = spec("", &body).replace("n_train = 100", "n_train = 1")
        + "[selection]\nsearch = { max_steps = 0 }\n";
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_spec(dir.path(), &text_spec).status.code(), Some(3));
    let again = text(&run_spec(dir.path(), &text_spec).stderr);
    assert!(again.contains("(1 ended in error and are run again)"), "{again}");
    assert!(!again.contains("()"), "{again}");
}

//! Integrity of what the runner reads and hands on: a real data file changed while a run reads
//! it (between the passes of a streamed split, between the seeds of a held one, or to other
//! bytes of the same size and time) is refused naming the file, never trained on under the
//! fingerprint taken at the start; an exported model whose run, bias, weights or pipeline were
//! edited, or that names a feature id twice, is refused by `runner predict`; `--quick`, which
//! uses the first rows only, still reads the whole file (a cut or padded gzip stream, a cut last
//! line are errors) and says how many rows it used of how many.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use runner::data::{self, DataIdentity};
use runner::report::saved_model::SavedModel;

use crate::common::{runner, text};
use runner::plan::DatasetKey;
use runner::spec::ExperimentSpec;

/// `rows` rows `x,y` (`shift` moves the labels, so the bytes differ at the same size).
fn csv(rows: usize, shift: usize) -> String {
    let body: String = (0..rows).map(|i| format!("{},{}\n", i % 7, (i + shift) % 2)).collect();
    format!("x,y\n{body}")
}

/// A spec reading `d.csv` (streamed when `stream`) with seeds 1 and 2.
fn spec(stream: bool) -> ExperimentSpec {
    let text = format!(
        "name = \"r\"\n[data]\nstream = {stream}\n[data.real]\nfile = \"d.csv\"\n\
         [data.real.schema]\nlabel = {{ column = \"y\", rule = \"> 0\" }}\n\
         columns = {{ x = \"numeric\" }}\n\
         [data.real.features]\nbucketized = [{{ column = \"x\", quantiles = 2 }}]\n\
         [data.real.split]\n{}\n[grid]\nseeds = [1, 2]\n[[regularizer]]\nkind = \"l1\"\n\
         [[regularizer.optimizer]]\nonline = \"ftrl\"\n",
        if stream {
            "ranges = { train = [0, 200], validation = [200, 300], test = [300, 400] }\nshuffle = false"
        } else {
            "fractions = { train = 0.5, validation = 0.25, test = 0.25 }"
        }
    );
    toml::from_str(&text).unwrap()
}

/// The identity of `spec`'s files in `dir`, as a run takes it at the start.
fn identity(spec: &ExperimentSpec, dir: &Path) -> DataIdentity {
    let real = runner::spec::resolve::real_spec(spec.data.real.as_ref().unwrap()).unwrap();
    DataIdentity::take(&real, dir).unwrap().unwrap()
}

fn key(seed: u64) -> DatasetKey {
    DatasetKey { k: None, seed, n: None, buckets: None }
}

/// Rewrites `path` with `text`, its modification time moved a second on (a rewrite within the
/// file system's time resolution is still seen).
fn replace(path: &Path, text: &str) {
    let before = std::fs::metadata(path).unwrap().modified().unwrap();
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(before + std::time::Duration::from_secs(1)).unwrap();
}

#[test]
fn a_streamed_file_changed_between_passes_fails_the_next_pass_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    std::fs::write(&path, csv(400, 0)).unwrap();
    let spec = spec(true);
    let identity = identity(&spec, dir.path());
    let built = data::build(&spec, key(1), dir.path(), Some(&identity)).unwrap();
    let stream = built.train_stream.as_ref().unwrap();
    let mut example = features::SparseExample::default();
    let mut pass = stream.open().unwrap();
    let mut rows = 0;
    while pass.next_into(&mut example).unwrap() {
        rows += 1;
    }
    assert_eq!(rows, 200, "a clean first pass");
    // Changed during the second pass: the pass's end says so.
    let mut pass = stream.open().unwrap();
    replace(&path, &csv(400, 1));
    let err = loop {
        match pass.next_into(&mut example) {
            Ok(true) => continue,
            Ok(false) => panic!("a pass over a changed file ended cleanly"),
            Err(e) => break e.to_string(),
        }
    };
    assert!(err.contains("changed while the run read it") && err.contains("d.csv"), "{err}");
    // And the next pass does not start.
    let err = stream.open().unwrap_err().to_string();
    assert!(err.contains("changed while the run read it"), "{err}");
}

#[test]
fn a_held_file_replaced_between_seeds_is_refused_for_the_later_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    std::fs::write(&path, csv(400, 0)).unwrap();
    let spec = spec(false);
    let identity = identity(&spec, dir.path());
    data::build(&spec, key(1), dir.path(), Some(&identity)).unwrap();
    replace(&path, &csv(600, 0));
    let err = data::build(&spec, key(2), dir.path(), Some(&identity)).unwrap_err();
    let err = format!("{err:#}");
    assert!(err.contains("changed while the run read it"), "{err}");
    assert!(err.contains(&path.display().to_string()), "{err}");
}

#[test]
fn other_bytes_of_the_same_size_and_time_fail_the_content_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    std::fs::write(&path, csv(400, 0)).unwrap();
    let identity = identity(&spec(false), dir.path());
    identity.check_content().unwrap();
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, csv(400, 1)).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(before).unwrap();
    identity.check_stat().unwrap();
    let err = format!("{:#}", identity.check_content().unwrap_err());
    assert!(err.contains("changed while the run read it") && err.contains("d.csv"), "{err}");
}

/// A tiny real data set with `x` (numeric) and `c` (categorical), labelled `y`.
fn labelled(rows: usize) -> String {
    let body: String = (0..rows)
        .map(|i| {
            format!("{},{},{}\n", i % 9, ["a", "b", "c"][i % 3], u8::from(i % 9 > 3 || i % 3 == 1))
        })
        .collect();
    format!("x,c,y\n{body}")
}

const EXPORT_SPEC: &str = "name = \"m\"\n[data.real]\nfile = \"d.csv\"\n\
    [data.real.schema]\nlabel = { column = \"y\", rule = \"> 0\" }\n\
    columns = { x = \"numeric\", c = \"categorical\" }\n\
    [data.real.features]\nbucketized = [{ column = \"x\", quantiles = 3 }]\n\
    categorical = [{ column = \"c\" }]\n\
    [data.real.split]\nfractions = { train = 0.6, validation = 0.2, test = 0.2 }\n\
    [grid]\nseeds = [1]\n[selection]\nsearch = { max_steps = 0 }\n[report]\n\
    export_models = true\nplots = false\n[[regularizer]]\nkind = \"l1\"\nlambdas = [1e-4]\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\n";

/// Runs the export spec in `dir` and returns the saved model's path.
pub(crate) fn exported_model(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("d.csv"), labelled(300)).unwrap();
    let spec = dir.join("m.toml");
    std::fs::write(&spec, EXPORT_SPEC).unwrap();
    let out = dir.join("out");
    let args = ["run", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", "1"];
    let output = runner(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let models = out.join("m/models");
    let json = std::fs::read_dir(&models)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    json
}

/// `runner predict MODEL d.csv`: success and stderr.
fn predict(model: &Path, dir: &Path) -> (bool, String) {
    let data = dir.join("d.csv");
    let out = runner(&["predict", model.to_str().unwrap(), data.to_str().unwrap()]);
    (out.status.success(), text(&out.stderr))
}

/// Adds 1 to the first number in `value` (depth first); whether there was one.
fn bump_first_number(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Number(n) => {
            *value = match n.as_u64() {
                Some(u) => serde_json::json!(u + 1),
                None => serde_json::json!(n.as_f64().unwrap() + 1.0),
            };
            true
        }
        serde_json::Value::Array(items) => items.iter_mut().any(bump_first_number),
        serde_json::Value::Object(map) => map.values_mut().any(bump_first_number),
        _ => false,
    }
}

#[test]
fn predict_refuses_an_edited_model_naming_the_file_and_the_part_edited() {
    let dir = tempfile::tempdir().unwrap();
    let model = exported_model(dir.path());
    let (ok, err) = predict(&model, dir.path());
    assert!(ok, "the exported model predicts: {err}");
    let original = std::fs::read_to_string(&model).unwrap();
    let edits: [(&str, &str); 4] = [
        ("weights", "`weights`"),
        ("bias", "`model`"),
        ("pipeline", "`pipeline`"),
        ("run", "`run`"),
    ];
    for (field, part) in edits {
        let mut value: serde_json::Value = serde_json::from_str(&original).unwrap();
        assert!(bump_first_number(&mut value[field]), "no number in {field}");
        std::fs::write(&model, serde_json::to_string_pretty(&value).unwrap()).unwrap();
        let (ok, err) = predict(&model, dir.path());
        assert!(!ok, "an edited {field} was applied");
        assert!(err.contains(&format!("{}: digest mismatch in {part}", model.display())), "{err}");
    }
    // A model without a digest (written before models had one) is refused, naming the field.
    let mut value: serde_json::Value = serde_json::from_str(&original).unwrap();
    value.as_object_mut().unwrap().remove("digest");
    std::fs::write(&model, value.to_string()).unwrap();
    let (ok, err) = predict(&model, dir.path());
    assert!(!ok && err.contains("digest"), "{err}");
}

#[test]
fn predict_refuses_a_model_that_names_a_feature_id_twice() {
    let dir = tempfile::tempdir().unwrap();
    let model = exported_model(dir.path());
    let mut saved = SavedModel::read(&model).unwrap();
    let mut twice = saved.weights[0].clone();
    twice.weight += 1.0;
    saved.weights.push(twice);
    saved.write(&model).unwrap();
    let (ok, err) = predict(&model, dir.path());
    assert!(!ok, "a duplicate id was applied");
    let id = saved.weights[0].id;
    assert!(err.contains(&format!("feature id {id} appears twice")), "{err}");
    assert!(err.contains(&model.display().to_string()), "{err}");
}

/// `runner run --quick` of the export spec on `file` (written as `bytes`) in `dir`: success and
/// stderr.
fn quick_run(dir: &Path, file: &str, bytes: &[u8]) -> (bool, String) {
    std::fs::write(dir.join(file), bytes).unwrap();
    let spec = dir.join("q.toml");
    let spec_text = EXPORT_SPEC.replace("d.csv", file).replace("export_models = true", "");
    std::fs::write(&spec, spec_text).unwrap();
    let out = dir.join("out");
    let args = [
        "run",
        spec.to_str().unwrap(),
        "--quick",
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "1",
    ];
    let output = runner(&args);
    (output.status.success(), text(&output.stderr))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn quick_reads_the_whole_file_and_says_how_many_rows_it_used() {
    let dir = tempfile::tempdir().unwrap();
    let csv = labelled(8000);
    let gz = gzip(csv.as_bytes());
    let (ok, err) = quick_run(dir.path(), "d.csv.gz", &gz);
    assert!(ok, "{err}");
    assert!(err.contains("d.csv.gz: using the first 5000 of its 8000 rows"), "{err}");
    assert!(err.contains("gzip stream complete, last line whole"), "{err}");
    // A gzip stream cut short, or followed by garbage, past the rows --quick uses.
    let (ok, err) = quick_run(dir.path(), "d.csv.gz", &gz[..gz.len() - 40]);
    assert!(!ok && err.contains("d.csv.gz") && err.contains("reading"), "{err}");
    let padded = [gz.as_slice(), b"not gzip at all"].concat();
    let (ok, err) = quick_run(dir.path(), "d.csv.gz", &padded);
    assert!(!ok && err.contains("d.csv.gz") && err.contains("reading"), "{err}");
    // A plain file whose last line is cut.
    let cut = format!("{csv}4,");
    let (ok, err) = quick_run(dir.path(), "d.csv", cut.as_bytes());
    assert!(!ok && err.contains("d.csv: the last line is cut (2 fields"), "{err}");
    // A last line without a line break but whole is fine.
    let (ok, err) = quick_run(dir.path(), "d.csv", csv.trim_end().as_bytes());
    assert!(ok && err.contains("d.csv: using the first 5000 of its 8000 rows"), "{err}");
}

//! A user's own files: a training file with a separate validation and test file, text labels,
//! trimmed categories, missing values, mass points, and the saved pipeline that encodes a new
//! file exactly as the training files were.

use std::path::Path;

use features::real::{self, FeaturePipeline, RealDataSpec};
use features::space::ColumnEncoding;
use features::FeaturesError;

const SPEC: &str = r#"
file = "train.csv"
validation_file = "valid.csv"
test_file = "test.csv"
[schema]
label = { column = "income", positive = [">50K"], negative = ["<=50K"], ignore_trailing_dot = true }
missing = ["?", ""]
[schema.columns]
gain = "numeric"
work = "categorical"
[features]
bucketized = [{ column = "gain", quantiles = 4 }]
categorical = [{ column = "work" }]
crosses = [{ columns = ["gain", "work"] }]
"#;

/// Rows `gain, work, income`: gain mostly 0, `work` with spaces after the comma, some missing.
fn rows(n: usize, offset: usize, dot: &str) -> String {
    let mut text = String::from("gain, work, income\n");
    for i in offset..offset + n {
        let gain = match i % 10 {
            0 => "?".to_string(),
            1 | 2 => format!("{}", 100 * i),
            _ => "0".to_string(),
        };
        let work = ["Private", "State-gov", "?"][i % 3];
        let income = if i % 4 == 0 { ">50K" } else { "<=50K" };
        text.push_str(&format!("{gain}, {work}, {income}{dot}\n"));
    }
    text
}

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

fn own_data() -> (tempfile::TempDir, RealDataSpec) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "train.csv", &rows(40, 0, ""));
    write(dir.path(), "valid.csv", &rows(10, 1000, ""));
    write(dir.path(), "test.csv", &rows(12, 2000, "."));
    (dir, toml::from_str(SPEC).unwrap())
}

#[test]
fn three_files_fit_on_training_rows_only_with_text_labels_and_missing_buckets() {
    let (dir, spec) = own_data();
    assert!(!spec.depends_on_seed(), "no split of `file`: every seed sees the same data");
    let data = real::load(dir.path(), &spec).unwrap();
    assert_eq!((data.train.len(), data.validation.len(), data.test.len()), (40, 10, 12));
    assert_eq!(data.rows_read, 62);
    // Text labels, the test file's trailing dots ignored.
    let positives = data.test.iter().filter(|e| e.label == 1.0).count();
    assert_eq!(positives, 3);
    let ColumnEncoding::Buckets(gain) = &data.space.columns()[0].encoding else { panic!() };
    // Fitted on the training rows only (gains below 4,000; validation and test are larger), the
    // mass point 0 in a bucket of its own, a missing bucket last.
    assert!(gain.boundaries().iter().all(|&b| b < 4000.0), "{:?}", gain.boundaries());
    assert!(gain.boundaries().contains(&0.0));
    assert_ne!(gain.bucket(0.0), gain.bucket(100.0));
    assert_eq!(gain.labels().last().unwrap(), "#missing");
    let ColumnEncoding::Categorical(work) = &data.space.columns()[1].encoding else { panic!() };
    assert_eq!(work.values(), ["Private", "State-gov"], "trimmed, `?` is missing");
    assert_eq!(work.labels(), ["=Private", "=State-gov", "#oov", "#missing"]);
    let first = data.space.name(data.train[0].ids[0]).unwrap();
    assert_eq!(first, "gain#missing", "row 0 has gain `?`");
}

#[test]
fn the_saved_pipeline_rebuilds_the_space_and_encodes_a_file_identically() {
    let (dir, spec) = own_data();
    let data = real::load(dir.path(), &spec).unwrap();
    let json = serde_json::to_string(&data.pipeline).unwrap();
    let pipeline: FeaturePipeline = serde_json::from_str(&json).unwrap();
    assert_eq!(pipeline, data.pipeline);
    assert_eq!(pipeline.space().unwrap(), data.space);
    let read = pipeline.read(&dir.path().join("test.csv"), "test.csv").unwrap();
    assert!(read.labelled);
    let ids: Vec<_> = read.examples.iter().map(|e| (e.ids.clone(), e.label)).collect();
    let want: Vec<_> = data.test.iter().map(|e| (e.ids.clone(), e.label)).collect();
    assert_eq!(ids, want);
    // Without the label column: examples, no labels.
    let unlabelled: String =
        rows(3, 0, "").lines().map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n").collect();
    write(dir.path(), "new.csv", &unlabelled);
    let read = pipeline.read(&dir.path().join("new.csv"), "new.csv").unwrap();
    assert!(!read.labelled && read.examples.len() == 3);
    assert_eq!(read.examples[1].ids, data.train[1].ids);
}

#[test]
fn a_label_in_neither_class_names_file_line_row_and_column() {
    let (dir, spec) = own_data();
    let mut body = rows(5, 0, "");
    body.push_str("0, Private, maybe\n");
    write(dir.path(), "test.csv", &body);
    let err = real::load(dir.path(), &spec).unwrap_err();
    assert!(matches!(err, FeaturesError::Label { .. }), "{err}");
    let text = err.to_string();
    for needle in ["test.csv line 7", "data row 6", "`income`", "`maybe`", ">50K"] {
        assert!(text.contains(needle), "{text} lacks {needle}");
    }
}

#[test]
fn columns_with_fewer_buckets_than_asked_are_named() {
    let (dir, mut spec) = own_data();
    // Two distinct gains (0 and 100): each is a mass point of its own bucket, nothing else.
    let binary = rows(40, 0, "").replace(", ", ",").replace("\n200,", "\n100,");
    let binary: String = binary
        .lines()
        .map(|l| match l.split_once(',') {
            Some((gain, rest)) if gain != "gain" && gain != "?" && gain != "0" => {
                format!("100,{rest}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect();
    write(dir.path(), "train.csv", &binary);
    spec.features.bucketized[0].quantiles = Some(50);
    let data = real::load(dir.path(), &spec).unwrap();
    assert_eq!(data.warnings.len(), 1, "{:?}", data.warnings);
    assert!(data.warnings[0].contains("column `gain`") && data.warnings[0].contains("51 buckets"));
    spec.features.bucketized[0].quantiles = Some(2);
    assert!(real::load(dir.path(), &spec).unwrap().warnings.is_empty());
}

#[test]
fn without_missing_markers_a_question_mark_is_a_parse_error() {
    let (dir, mut spec) = own_data();
    spec.schema.missing.clear();
    let text = real::load(dir.path(), &spec).unwrap_err().to_string();
    assert!(text.contains("train.csv line 2") && text.contains("`gain`"), "{text}");
}

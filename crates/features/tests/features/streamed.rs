//! A training split streamed from its file: every pass gives the examples a full load holds,
//! in the same order, for fractions, ranges and no split, with a validation file, a missing
//! marker, a derived column and a gzipped file; a shuffled split is refused by name; a bad value
//! is reported with its file, line and column, at load time or in the middle of a pass.

use std::io::Write;
use std::path::Path;

use features::real::{self, RealDataSpec, TrainRows};
use features::{FeaturesError, SparseExample};

const SPEC: &str = r#"
file = "FILE"
[schema]
label = { column = "y", rule = "> 0" }
missing = ["?"]
derived = [{ name = "ratio", op = "ratio", of = ["a", "b"] }]
columns = { a = "numeric", b = "numeric", city = "categorical" }
[features]
bucketized = [{ column = "a", quantiles = 5 }, { column = "ratio", quantiles = 3 }]
categorical = [{ column = "city", min_count = 2 }, { column = "b" }]
crosses = [{ columns = ["a", "city"] }]
[split]
SPLIT
"#;

/// `n` rows `a, b, city, y`, with a `?` now and then and categories seen once.
fn rows(n: usize) -> String {
    let mut text = String::from("a,b,city,y\n");
    for i in 0..n {
        let a = if i % 17 == 0 { "?".to_string() } else { format!("{}", (i * 37) % 101) };
        let city = if i % 29 == 0 { format!("rare{i}") } else { ["x", "y", "z"][i % 3].into() };
        let y = if (i * 13) % 7 < 3 { 1 } else { -1 };
        text.push_str(&format!("{a},{},{city},{y}\n", 1 + i % 4));
    }
    text
}

fn spec(file: &str, split: &str) -> RealDataSpec {
    toml::from_str(&SPEC.replace("FILE", file).replace("SPLIT", split)).unwrap()
}

fn collect(train: &TrainRows) -> Vec<SparseExample> {
    let mut pass = train.open().unwrap();
    let mut out = Vec::new();
    let mut example = SparseExample::default();
    while pass.next_into(&mut example).unwrap() {
        out.push(example.clone());
    }
    out
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn every_pass_gives_the_held_examples_in_order() {
    let dir = tempfile::tempdir().unwrap();
    // 9,000 rows: a pass crosses the 4,096-row chunks.
    std::fs::write(dir.path().join("d.csv"), rows(9000)).unwrap();
    std::fs::write(dir.path().join("d.csv.gz"), gzip(&rows(9000))).unwrap();
    std::fs::write(dir.path().join("v.csv"), rows(50)).unwrap();
    let splits = [
        "shuffle = false\nfractions = { train = 0.7, validation = 0.2, test = 0.1 }",
        "shuffle = false\nranges = { train = [1000, 8000], validation = [0, 1000], test = [8000, 9000] }",
        "",
        "shuffle = true", // no fractions or ranges: nothing is shuffled
    ];
    for file in ["d.csv", "d.csv.gz"] {
        for split in splits {
            let mut spec = spec(file, split);
            if split.is_empty() {
                spec.validation_file = Some("v.csv".into());
            }
            let held = real::load(dir.path(), &spec).unwrap();
            let streamed = real::load_streamed(dir.path(), &spec).unwrap();
            assert_eq!(streamed.space.dimension(), held.space.dimension(), "{split}");
            assert_eq!(streamed.pipeline, held.pipeline, "{split}");
            assert_eq!(streamed.warnings, held.warnings);
            assert_eq!(streamed.rows_read, held.rows_read);
            assert_eq!(streamed.validation, held.validation, "{split}");
            assert_eq!(streamed.test, held.test, "{split}");
            assert_eq!(streamed.train.len(), held.train.len() as u64);
            assert_eq!(collect(&streamed.train), held.train, "{file}: {split}");
            assert_eq!(collect(&streamed.train), held.train, "the second pass");
        }
    }
}

#[test]
fn max_rows_bounds_the_streamed_file_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.csv"), rows(500)).unwrap();
    let mut spec = spec("d.csv", "shuffle = false\nfractions = { train = 0.5, validation = 0.5 }");
    spec.max_rows = Some(300);
    let held = real::load(dir.path(), &spec).unwrap();
    let streamed = real::load_streamed(dir.path(), &spec).unwrap();
    assert_eq!(streamed.train.len(), 150);
    assert_eq!(collect(&streamed.train), held.train);
    assert_eq!(streamed.validation, held.validation);
}

#[test]
fn a_shuffled_split_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.csv"), rows(100)).unwrap();
    let spec = spec("d.csv", "fractions = { train = 0.8, validation = 0.2 }");
    let err = real::load_streamed(dir.path(), &spec).unwrap_err().to_string();
    assert!(err.contains("split.shuffle"), "{err}");
}

fn with_bad_value(path: &Path, line: usize) {
    let mut text: Vec<String> = rows(6000).lines().map(str::to_string).collect();
    text[line - 1] = "12,3,x,maybe".into();
    std::fs::write(path, text.join("\n") + "\n").unwrap();
}

#[test]
fn a_bad_value_names_its_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    with_bad_value(&path, 5001);
    let spec = spec("d.csv", "shuffle = false\nfractions = { train = 0.9, validation = 0.1 }");
    match real::load_streamed(dir.path(), &spec) {
        Err(FeaturesError::Parse { file, line, column, value, .. }) => {
            assert_eq!(
                (file.as_str(), line, column.as_str(), value.as_str()),
                ("d.csv", 5001, "y", "maybe")
            );
        }
        other => panic!("{other:?}"),
    }
    // A file that changes after the fit: the pass stops with the error, no panic.
    std::fs::write(&path, rows(6000)).unwrap();
    let streamed = real::load_streamed(dir.path(), &spec).unwrap();
    with_bad_value(&path, 5001);
    let mut pass = streamed.train.open().unwrap();
    let mut example = SparseExample::default();
    let mut good = 0;
    let err = loop {
        match pass.next_into(&mut example) {
            Ok(true) => good += 1,
            Ok(false) => panic!("the pass ended without the error"),
            Err(e) => break e.to_string(),
        }
    };
    assert!(err.contains("d.csv line 5001, column `y`"), "{err}");
    assert_eq!(good, 4096, "the examples of the chunks before the bad row");
    // A file cut short after the fit.
    std::fs::write(&path, rows(3000)).unwrap();
    let mut pass = streamed.train.open().unwrap();
    let err = loop {
        match pass.next_into(&mut example) {
            Ok(true) => {}
            Ok(false) => panic!("the pass ended without the error"),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, FeaturesError::ShortPass { expected: 5400, found: 3000, .. }), "{err}");
}

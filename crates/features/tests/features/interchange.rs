//! LIBSVM write/read round trips, compact-matrix export, read errors, VW output.

use features::libsvm::{self, LibsvmLabels};
use features::vw::{self, VwLabels};
use features::{
    CompactMatrix, FeaturesError, SparseExample, SplitName, SyntheticConfig, SyntheticProblem,
};

fn synthetic_rows(n: u64) -> Vec<SparseExample> {
    let cfg = SyntheticConfig { k: 6, seed: 5, ..SyntheticConfig::default() };
    let problem = SyntheticProblem::new(cfg).unwrap();
    problem.stream(SplitName::Train, n).collect()
}

fn without_true_prob(rows: &[SparseExample]) -> Vec<SparseExample> {
    rows.iter().cloned().map(|r| SparseExample { true_prob: None, ..r }).collect()
}

#[test]
fn libsvm_round_trip_is_exact() {
    let mut rows = synthetic_rows(300);
    rows[0].values[1] = 0.1 + 0.2; // a value without a short decimal form
    rows[1].label = -3.25;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.svm");
    libsvm::write(std::fs::File::create(&path).unwrap(), &rows).unwrap();
    let back = libsvm::read(&path).unwrap();
    assert_eq!(back, without_true_prob(&rows));
}

#[test]
fn libsvm_writes_one_based_sorted_indices() {
    let example =
        SparseExample { ids: vec![9, 0], values: vec![2.5, 1.0], label: 1.0, true_prob: None };
    let mut out = Vec::new();
    libsvm::write_with(&mut out, &[example], LibsvmLabels::PlusMinusOne).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "1 1:1 10:2.5\n");
}

#[test]
fn compact_matrix_export_uses_seen_columns() {
    let rows = synthetic_rows(50);
    let matrix = CompactMatrix::from_examples(&rows);
    let mut out = Vec::new();
    libsvm::write_matrix(&mut out, &matrix, LibsvmLabels::PlusMinusOne).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 50);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.svm");
    std::fs::write(&path, &text).unwrap();
    let back = libsvm::read(&path).unwrap();
    for (row, original) in back.iter().zip(&rows) {
        assert_eq!(row.label, if original.label > 0.5 { 1.0 } else { -1.0 });
        let global: Vec<u64> = row.ids.iter().map(|&j| matrix.columns[j as usize]).collect();
        assert_eq!(global, original.ids);
        assert!(row.ids.iter().all(|&j| (j as usize) < matrix.n_cols()));
    }
}

#[test]
fn libsvm_read_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.svm");
    for (body, needle) in [
        ("1 1:1\n\n0 3:x\n", "line 3"),
        ("1 0:1\n", "bad index `0`"),
        ("abc 1:1\n", "bad label `abc`"),
        ("1 2:1 2:3\n", "appears twice"),
        ("1 5\n", "expected index:value"),
    ] {
        std::fs::write(&path, body).unwrap();
        let err = libsvm::read(&path).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, FeaturesError::Libsvm { .. }), "{err:?}");
        assert!(message.contains("bad.svm") && message.contains(needle), "{message}");
    }
    let missing = dir.path().join("absent.svm");
    let err = libsvm::read(&missing).unwrap_err();
    assert!(matches!(err, FeaturesError::MissingFile { .. }));
    assert!(err.to_string().contains(&missing.display().to_string()));
}

/// Found while writing the reader's fuzz target (`fuzz/`, target `libsvm`; AFL++'s short inputs
/// never got there): a repeated index was looked for by scanning the line's ids so far, so a line
/// of n features took O(n^2) (100,000 features, a 0.8 MB line: 3 s; 300,000: 17 s). Now linear
/// (0.1 s); repeats are still found anywhere in the line.
#[test]
fn libsvm_long_lines_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.svm");
    let n = 300_000u64;
    let features: Vec<String> = (1..=n).map(|i| format!("{i}:1")).collect();
    std::fs::write(&path, format!("1 {}\n", features.join(" "))).unwrap();
    // No timing here: a duplicate check quadratic in the line's length would make this read take
    // hours (300,000^2 comparisons), which the CI's time limit catches.
    let rows = libsvm::read(&path).unwrap();
    assert_eq!(rows[0].ids.len(), n as usize);
    // Repeats before, at and after the switch from scanning to the hash set.
    for (first, again) in [(3, 5), (1, 40), (35, 70), (n, n)] {
        let mut line: Vec<String> = (1..=70).map(|i| format!("{}:1", i + 100)).collect();
        line.insert(first.min(70) as usize - 1, "7:1".into());
        line.insert(again.min(71) as usize - 1, "7:2".into());
        std::fs::write(&path, format!("0 {}\n", line.join(" "))).unwrap();
        let err = libsvm::read(&path).unwrap_err().to_string();
        assert!(err.contains("index 7 appears twice"), "{first}, {again}: {err}");
    }
}

/// The streaming reader gives exactly `read`'s examples, one at a time into one reused buffer
/// (a long line's scratch set must not leak into the next line), and the same errors.
#[test]
fn libsvm_reader_streams_what_read_gives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.svm");
    let long: Vec<String> = (1..=40).map(|i| format!("{i}:1")).collect();
    let body = format!("# c\n1 3:0.5 7:1\n\n-1 {}\n0 1:2 40:1\n+1 qid:2 2:1\n", long.join(" "));
    std::fs::write(&path, body).unwrap();
    let held = libsvm::read(&path).unwrap();
    let mut reader = libsvm::Reader::open(&path).unwrap();
    let mut example = SparseExample::default();
    let mut streamed = Vec::new();
    while reader.next_into(&mut example).unwrap() {
        streamed.push(example.clone());
    }
    assert_eq!(streamed, held);
    assert_eq!(held.len(), 4);
    std::fs::write(&path, "1 1:1\n0 2:1 2:1\n").unwrap();
    let mut reader = libsvm::Reader::open(&path).unwrap();
    assert!(reader.next_into(&mut example).unwrap());
    let err = reader.next_into(&mut example).unwrap_err().to_string();
    assert!(err.contains("s.svm") && err.contains("line 2") && err.contains("twice"), "{err}");
}

#[test]
fn libsvm_skips_comments_blank_lines_and_qid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.svm");
    std::fs::write(&path, "# header\n+1 qid:3 2:0.5 # trailing\n\n-1 1:2\n").unwrap();
    let rows = libsvm::read(&path).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].label, rows[0].ids.clone(), rows[0].values.clone()),
        (1.0, vec![1], vec![0.5])
    );
    assert_eq!(rows[1].label, -1.0);
}

#[test]
fn vw_text_has_plus_minus_labels_and_bare_unit_features() {
    let rows = vec![
        SparseExample { ids: vec![3, 7], values: vec![1.0, 0.5], label: 0.0, true_prob: None },
        SparseExample { ids: vec![2], values: vec![1.0], label: 1.0, true_prob: None },
    ];
    let mut out = Vec::new();
    vw::write(&mut out, &rows, VwLabels::PlusMinusOne).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "-1 |f 3 7:0.5\n1 |f 2\n");
}

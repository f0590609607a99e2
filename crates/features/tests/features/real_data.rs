//! Real data: loading small CSVs (plain and gzipped) written into a tempdir, the quantile rule,
//! fitting on the training split only, every bad input, and (when SPARSECROSS_DATA_DIR names the
//! shared data directory) the California housing and flights files.

use std::io::Write;
use std::path::{Path, PathBuf};

use features::real::{self, RealDataSpec};
use features::space::{Bucketizer, ColumnEncoding};
use features::{FeaturesError, GzipProblem};

/// A tempdir holding `name` with `body`.
fn data_dir(name: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    if name.ends_with(".gz") {
        let file = std::fs::File::create(path).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(body.as_bytes()).unwrap();
        gz.finish().unwrap();
    } else {
        std::fs::write(path, body).unwrap();
    }
    dir
}

fn spec(toml_text: &str) -> RealDataSpec {
    toml::from_str(toml_text).unwrap()
}

/// 20 rows of a housing-like table: `a = i`, `b = 2 + i % 3`, label `v = 10 * i`; rows 10..20
/// have huge `a` so fitting on train rows 0..10 (unshuffled) is visible.
fn housing_csv() -> String {
    let mut csv = String::from("a,b,v,note\n");
    for i in 0..20 {
        let a = if i < 10 { i as f64 } else { 1000.0 + i as f64 };
        csv.push_str(&format!("{a},{},{},row {i}\n", 2 + i % 3, 10 * i));
    }
    csv.pop(); // no newline after the last row, like california_housing_train.csv
    csv
}

const HOUSING: &str = r#"
file = "h.csv"
[schema]
label = { column = "v", rule = "> 45" }
derived = [{ name = "a_per_b", op = "ratio", of = ["a", "b"] }]
[schema.columns]
a = "numeric"
b = "numeric"
[features]
bucketized = [{ column = "a", quantiles = 4 }, { column = "a_per_b", uniform = 3 }]
categorical = [{ column = "b" }]
crosses = [{ columns = ["a", "b"] }, { name = "h", columns = ["a", "a_per_b"], hash_buckets = 7 }]
[split]
shuffle = false
ranges = { train = [0, 10], validation = [10, 15], test = [15, 20] }
"#;

#[test]
fn quantile_boundaries_follow_the_linear_rule() {
    // 1..=9, n = 4: quantiles 0.2, 0.4, 0.6, 0.8 at positions 8q = 1.6, 3.2, 4.8, 6.4.
    let values: Vec<f64> = (1..=9).map(f64::from).rev().collect();
    let b = Bucketizer::quantile(&values, 4);
    let expected = [2.6, 4.2, 5.8, 7.4];
    assert_eq!(b.boundaries().len(), 4);
    for (got, want) in b.boundaries().iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    assert_eq!(b.len(), 5);
    // A mass point gets its own bucket: [1, 1, 1, 1, 2] at 1/4, 1/2, 3/4 gives 1, 1, 1, so 1
    // sits in [1, 2) and 2 in [2, +inf) instead of both in [1, +inf).
    let b = Bucketizer::quantile(&[1.0, 1.0, 2.0, 1.0, 1.0], 3);
    assert_eq!(b.boundaries(), [1.0, 2.0]);
}

#[test]
fn loads_fits_on_train_only_and_encodes_every_group() {
    let dir = data_dir("h.csv", &housing_csv());
    let data = real::load(dir.path(), &spec(HOUSING)).unwrap();
    assert_eq!(data.rows_read, 20);
    assert_eq!((data.train.len(), data.validation.len(), data.test.len()), (10, 5, 5));
    let space = &data.space;
    let ColumnEncoding::Buckets(a) = &space.columns()[0].encoding else { panic!("a") };
    let train_a: Vec<f64> = (0..10).map(f64::from).collect();
    assert_eq!(a.boundaries(), Bucketizer::quantile(&train_a, 4).boundaries());
    assert!(a.boundaries().iter().all(|&b| b < 10.0), "fitted on validation rows");
    // Groups: a (5), a_per_b (3), b (=2,=3,=4,#oov), a x b (20), h (7).
    let sizes: Vec<u64> = space.groups().iter().map(|g| g.size).collect();
    assert_eq!(sizes, [5, 3, 4, 20, 7]);
    for example in data.train.iter().chain(&data.validation).chain(&data.test) {
        assert_eq!(example.ids.len(), 5);
        assert!(example.ids.windows(2).all(|w| w[0] < w[1]));
        assert!(example.ids.iter().all(|&id| id < space.dimension()));
        let names: Vec<String> = example.ids.iter().map(|&id| space.name(id).unwrap()).collect();
        for (name, &id) in names.iter().zip(&example.ids) {
            assert_eq!(space.id_of(name).unwrap(), id);
        }
    }
    // Row 0: a = 0 (first bucket), b = 2, v = 0 -> label 0.
    let first = &data.train[0];
    assert_eq!(first.label, 0.0);
    assert_eq!(space.name(first.ids[0]).unwrap(), "a(-inf,1.8)");
    assert_eq!(space.name(first.ids[2]).unwrap(), "b=2");
    assert_eq!(space.name(first.ids[3]).unwrap(), "a(-inf,1.8) x b=2");
    assert!(space.name(first.ids[4]).unwrap().starts_with("h#"));
    // Validation rows have a >= 1000: last bucket of a.
    assert!(space.name(data.validation[0].ids[0]).unwrap().starts_with("a[7.2,"));
    let labels: Vec<f64> = data.train.iter().map(|e| e.label).collect();
    assert_eq!(labels, [0., 0., 0., 0., 0., 1., 1., 1., 1., 1.]);
}

#[test]
fn shuffled_split_is_seeded() {
    let dir = data_dir("h.csv", &housing_csv());
    let mut shuffled = spec(HOUSING);
    shuffled.split.shuffle = true;
    shuffled.schema.label.rule = Some("> 95".into()); // half the rows positive
    let a = real::load(dir.path(), &shuffled).unwrap();
    let b = real::load(dir.path(), &shuffled).unwrap();
    assert_eq!(a.train, b.train);
    shuffled.split.seed = 77;
    let c = real::load(dir.path(), &shuffled).unwrap();
    assert_ne!(a.train, c.train);
    let unshuffled = real::load(dir.path(), &spec(HOUSING)).unwrap();
    assert_ne!(a.train, unshuffled.train);
}

const FLIGHTS: &str = r#"
file = "f.csv.gz"
[schema]
label = { column = "delay", rule = "> 15" }
derived = [
  { name = "hour", op = "hour", of = ["date"] },
  { name = "day_of_week", op = "day_of_week", of = ["date"] },
]
[schema.columns]
date = "datetime"
origin = "categorical"
destination = "categorical"
[features]
marginals = false
categorical = [{ column = "origin", min_count = 2 }, { column = "destination" }, { column = "hour" }, { column = "day_of_week" }]
crosses = [{ columns = ["origin", "destination", "hour", "day_of_week"] }]
[split]
fractions = { train = 1.0 }
"#;

#[test]
fn gzipped_datetimes_and_categories_cross() {
    let body = "date,delay,distance,origin,destination\n\
                2001-01-01T00:01,33,2176,LAS,PHL\n\
                2001-01-06T13:30,-4,215,ATL,SAV\n\
                2001-01-07T13:45,20,215,ATL,SAV\n\
                2001-01-07T23:59,0,100,OAK,SFO\n";
    let dir = data_dir("f.csv.gz", body);
    let data = real::load(dir.path(), &spec(FLIGHTS)).unwrap();
    assert_eq!(data.train.len(), 4);
    let space = &data.space;
    // Each vocabulary plus OOV: origin keeps only ATL (seen twice); destination PHL, SAV, SFO;
    // hour 0, 13, 23; day_of_week 0 (Monday), 5, 6.
    assert_eq!(space.groups().len(), 1);
    assert_eq!(space.dimension(), 2 * 4 * 4 * 4);
    let mut names: Vec<String> = data.train.iter().map(|e| space.name(e.ids[0]).unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "origin#oov x destination=PHL x hour=0 x day_of_week=0",
            "origin#oov x destination=SFO x hour=23 x day_of_week=6",
            "origin=ATL x destination=SAV x hour=13 x day_of_week=5",
            "origin=ATL x destination=SAV x hour=13 x day_of_week=6",
        ]
    );
}

/// Loads `body` as `h.csv` with the HOUSING spec after `edit`, expecting an error.
fn housing_error(body: &str, edit: impl FnOnce(&mut RealDataSpec)) -> FeaturesError {
    let dir = data_dir("h.csv", body);
    let mut s = spec(HOUSING);
    edit(&mut s);
    real::load(dir.path(), &s).unwrap_err()
}

fn assert_mentions(err: &FeaturesError, needles: &[&str]) {
    let message = err.to_string();
    for needle in needles {
        assert!(message.contains(needle), "`{message}` lacks `{needle}`");
    }
}

#[test]
fn missing_file_names_the_full_path() {
    let dir = tempfile::tempdir().unwrap();
    let err = real::load(dir.path(), &spec(HOUSING)).unwrap_err();
    assert!(matches!(err, FeaturesError::MissingFile { .. }));
    assert_mentions(&err, &[&dir.path().join("h.csv").display().to_string()]);
}

#[test]
fn a_directory_given_as_data_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("h.csv")).unwrap();
    let err = real::load(dir.path(), &spec(HOUSING)).unwrap_err();
    assert!(matches!(err, FeaturesError::IsADirectory { .. }), "{err:?}");
    assert_mentions(&err, &[&dir.path().join("h.csv").display().to_string(), "is a directory"]);
    assert!(matches!(
        real::count_rows(dir.path(), &spec(HOUSING)),
        Err(FeaturesError::IsADirectory { .. })
    ));
}

#[test]
fn a_schema_column_named_twice_in_the_header_is_an_error_naming_both_fields() {
    let csv = housing_csv().replacen("a,b,v,note", "a,b,v,b", 1);
    let dir = data_dir("h.csv", &csv);
    let err = real::load(dir.path(), &spec(HOUSING)).unwrap_err();
    assert!(matches!(err, FeaturesError::DuplicateColumn { first: 2, second: 4, .. }), "{err:?}");
    assert_mentions(&err, &["h.csv", "`b` twice", "fields 2 and 4"]);
    // A repeated name the schema does not read is harmless.
    let two_notes: String = housing_csv().lines().map(|l| format!("{l},x\n")).collect();
    let unread = data_dir("h.csv", &two_notes.replacen("a,b,v,note,x", "a,b,v,note,note", 1));
    assert!(real::load(unread.path(), &spec(HOUSING)).is_ok());
}

/// `HOUSING` read from a gzipped file whose bytes are those of `body` compressed, then `tail`.
fn gzipped_housing_error(tail: &[u8]) -> FeaturesError {
    let dir = data_dir("h.csv.gz", &housing_csv());
    let path = dir.path().join("h.csv.gz");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(tail);
    std::fs::write(&path, bytes).unwrap();
    let spec = spec(&HOUSING.replace("\"h.csv\"", "\"h.csv.gz\""));
    let counted = real::count_rows(dir.path(), &spec).unwrap_err();
    assert_eq!(counted.to_string(), real::load(dir.path(), &spec).unwrap_err().to_string());
    counted
}

#[test]
fn gzip_with_trailing_garbage_says_so_and_names_the_file() {
    let err = gzipped_housing_error(b"xx\n");
    assert!(
        matches!(
            err,
            FeaturesError::Gzip { problem: GzipProblem::TrailingGarbage { members: 1, .. }, .. }
        ),
        "{err:?}"
    );
    assert_mentions(
        &err,
        &["h.csv.gz", "gzip stream ends at byte", "not gzip", "trailing garbage", "xx\\n"],
    );
    // A second member is data, not garbage.
    let dir = data_dir("h.csv.gz", "a,b,v,note\n0,2,0,x\n");
    let path = dir.path().join("h.csv.gz");
    let mut bytes = std::fs::read(&path).unwrap();
    let first = bytes.clone();
    bytes.extend_from_slice(&first);
    std::fs::write(&path, &bytes).unwrap();
    let spec = spec(&HOUSING.replace("\"h.csv\"", "\"h.csv.gz\""));
    assert_eq!(real::count_rows(dir.path(), &spec).unwrap(), 3, "header, row, header-as-row");
}

#[test]
fn gzip_cut_short_says_the_file_is_truncated() {
    let dir = data_dir("h.csv.gz", &housing_csv());
    let path = dir.path().join("h.csv.gz");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 12]).unwrap();
    let err =
        real::load(dir.path(), &spec(&HOUSING.replace("\"h.csv\"", "\"h.csv.gz\""))).unwrap_err();
    assert!(
        matches!(
            err,
            FeaturesError::Gzip { problem: GzipProblem::Truncated { member: 1, offset: 0 }, .. }
        ),
        "{err:?}"
    );
    assert_mentions(&err, &["h.csv.gz", "cut short", "truncated"]);
}

#[test]
fn rows_are_counted_without_parsing_and_capped_by_max_rows() {
    let dir = data_dir("h.csv", &housing_csv());
    assert_eq!(real::count_rows(dir.path(), &spec(HOUSING)).unwrap(), 20);
    let capped = spec(&HOUSING.replace("file = \"h.csv\"", "file = \"h.csv\"\nmax_rows = 7"));
    assert_eq!(real::count_rows(dir.path(), &capped).unwrap(), 7);
    let dir = data_dir("h.csv", &format!("{}\n", housing_csv()));
    assert_eq!(real::count_rows(dir.path(), &spec(HOUSING)).unwrap(), 20);
}

#[test]
fn missing_column_is_named() {
    let body = housing_csv().replace("a,b,v", "a,bb,v");
    let err = housing_error(&body, |_| {});
    assert!(matches!(err, FeaturesError::MissingColumn { .. }));
    assert_mentions(&err, &["h.csv", "`b`", "a, bb, v, note"]);
}

#[test]
fn unparsable_field_names_file_line_column_value() {
    let body = housing_csv().replace("\n3,2,30,", "\n3,abc,30,");
    let err = housing_error(&body, |_| {});
    assert!(matches!(err, FeaturesError::Parse { line: 5, .. }), "{err:?}");
    assert_mentions(&err, &["h.csv line 5", "column `b`", "`abc`"]);
    let err = housing_error(&housing_csv().replace("\n3,2,30,", "\n3,2,,"), |_| {});
    assert_mentions(&err, &["line 5", "column `v`", "cannot parse ``"]);
}

#[test]
fn malformed_rows_and_derived_errors_name_the_line() {
    let err = housing_error(&housing_csv().replace("\n3,2,30,row 3", "\n3,2,30"), |_| {});
    assert!(matches!(err, FeaturesError::Csv { line: 5, .. }), "{err:?}");
    let err = housing_error(&housing_csv().replace("\n4,3,40,", "\n4,0,40,"), |_| {});
    assert_mentions(
        &err,
        &["h.csv line 6", "derived column `a_per_b`", "division by zero (b = 0)"],
    );
    let body = "date,delay,origin,destination\n2001-01-01T00:01,3,A,B\n2001-02-30T00:01,3,A,B\n";
    let dir = data_dir("f.csv.gz", body);
    let err = real::load(dir.path(), &spec(FLIGHTS)).unwrap_err();
    assert_mentions(&err, &["f.csv.gz line 3", "column `date`", "`2001-02-30T00:01`", "date-time"]);
}

#[test]
fn empty_data_and_empty_train_are_errors() {
    let err = housing_error("a,b,v,note\n", |_| {});
    assert!(matches!(err, FeaturesError::EmptyData { .. }));
    assert_mentions(&err, &["h.csv", "the data is empty"]);
    let err = housing_error("", |_| {});
    assert!(matches!(err, FeaturesError::EmptyData { .. }), "{err:?}");
    let err = housing_error(&housing_csv(), |s| s.max_rows = Some(0));
    assert!(matches!(err, FeaturesError::EmptyData { .. }));
    let err = housing_error(&housing_csv(), |s| {
        s.split.ranges =
            Some(real::SplitRanges { train: [0, 0], validation: Some([0, 20]), test: None })
    });
    assert_mentions(&err, &["the training split is empty"]);
}

#[test]
fn label_rule_leaving_one_class_is_an_error() {
    let err = housing_error(&housing_csv(), |s| s.schema.label.rule = Some("> 1e9".into()));
    assert!(matches!(err, FeaturesError::OneClass { rows: 10, .. }), "{err:?}");
    assert_mentions(&err, &["h.csv", "`v > 1e9`", "one class", "all labelled 0"]);
    // Numeric labels (squared loss) need no second class.
    let ok = real::load(data_dir("h.csv", &housing_csv()).path(), &{
        let mut s = spec(HOUSING);
        s.schema.label.rule = Some("numeric".into());
        s
    })
    .unwrap();
    assert_eq!(ok.train[3].label, 30.0);
}

#[test]
fn cross_too_large_names_the_cross_and_its_size() {
    let boundaries: Vec<String> = (1..100).map(|i| i.to_string()).collect();
    let mut toml_text = String::from(
        "file = \"w.csv\"\n[schema]\nlabel = { column = \"y\", rule = \"> 0\" }\n[schema.columns]\n",
    );
    let columns: Vec<String> = (0..10).map(|j| format!("c{j}")).collect();
    for c in &columns {
        toml_text.push_str(&format!("{c} = \"numeric\"\n"));
    }
    toml_text.push_str("[features]\nfull_cross = true\nbucketized = [\n");
    for c in &columns {
        toml_text.push_str(&format!(
            "{{ column = \"{c}\", boundaries = [{}] }},\n",
            boundaries.join(",")
        ));
    }
    toml_text.push_str("]\n[split]\nfractions = { train = 1.0 }\n");
    let header = format!("{},y\n", columns.join(","));
    let body = format!("{header}{}\n{}\n", ["1"; 11].join(","), ["0"; 11].join(","));
    let dir = data_dir("w.csv", &body);
    let err = real::load(dir.path(), &spec(&toml_text)).unwrap_err();
    assert!(matches!(err, FeaturesError::CrossTooLarge { columns: 10, .. }), "{err:?}");
    assert_mentions(&err, &["`full_cross`", "100^10", "1.000e20"]);
}

/// Found by fuzzing (`fuzz/`, target `csv_data`): two exact crosses of the same columns loaded
/// fine, so the same cells had two ids, and with the same column order the same names
/// (`id_of` returned the first group's id for the second group's cells; a model export listed two
/// weights under one name). They are now an error naming both crosses.
#[test]
fn twin_exact_crosses_are_rejected() {
    // `pairwise` over two bucketized columns is `full_cross` again.
    let err = housing_error(&housing_csv(), |s| {
        s.features.pairwise = true;
        s.features.full_cross = true;
    });
    assert_mentions(&err, &["`full_cross`", "same columns", "`a_x_a_per_b`"]);
    // The same columns in another order.
    let err = housing_error(&housing_csv(), |s| {
        let mut twin = s.features.crosses[0].clone();
        twin.columns.reverse();
        twin.name = Some("b_then_a".into());
        s.features.crosses.push(twin);
    });
    assert_mentions(&err, &["`b_then_a`", "same columns", "`a_x_b`"]);
    // Either one alone loads, and a hashed cross of the same columns is no twin.
    let dir = data_dir("h.csv", &housing_csv());
    for edit in [
        |s: &mut RealDataSpec| s.features.pairwise = true,
        |s: &mut RealDataSpec| s.features.full_cross = true,
        |s: &mut RealDataSpec| {
            let mut hashed = s.features.crosses[0].clone();
            (hashed.name, hashed.hash_buckets) = (Some("ab_hashed".into()), Some(5));
            s.features.crosses.push(hashed);
        },
    ] {
        let mut s = spec(HOUSING);
        edit(&mut s);
        let data = real::load(dir.path(), &s).unwrap();
        for &id in &data.train[0].ids {
            assert_eq!(data.space.id_of(&data.space.name(id).unwrap()).unwrap(), id);
        }
    }
}

/// A change to a valid spec that makes it invalid.
type SpecEdit = Box<dyn Fn(&mut RealDataSpec)>;

#[test]
fn bad_spec_settings_name_the_field() {
    let cases: Vec<(SpecEdit, &str)> = vec![
        (
            Box::new(|s| s.features.bucketized[0].quantiles = Some(0)),
            "features.bucketized[0].quantiles",
        ),
        (
            Box::new(|s| s.features.bucketized[1].uniform = Some(1)),
            "features.bucketized[1].uniform",
        ),
        // Found with the schema's fuzz target (`fuzz/`, `csv_spec`, on a hand-made input): these
        // aborted on allocating 10^12 boundaries.
        (
            Box::new(|s| s.features.bucketized[0].quantiles = Some(1_000_000_000_000)),
            "features.bucketized[0].quantiles: must be in 1..=1000000, got 1000000000000",
        ),
        (
            Box::new(|s| s.features.bucketized[1].uniform = Some(1_000_000_000_000)),
            "features.bucketized[1].uniform: must be in 2..=1000000",
        ),
        (Box::new(|s| s.features.bucketized[0].uniform = Some(3)), "set exactly one of"),
        (
            Box::new(|s| s.features.bucketized[0].column = "note".into()),
            "column `note` is not declared",
        ),
        (
            Box::new(|s| s.features.crosses[0].columns[1] = "v".into()),
            "features.crosses[0]: column `v` is not a feature column",
        ),
        (Box::new(|s| s.features.crosses[1].hash_buckets = Some(0)), "hash_buckets must be >= 1"),
        (Box::new(|s| s.schema.label.rule = Some(">> 3".into())), "schema.label.rule"),
        (
            Box::new(|s| s.schema.derived[0].of.pop().map(drop).unwrap_or_default()),
            "schema.derived[0].of",
        ),
        (
            Box::new(|s| {
                s.split.fractions =
                    Some(real::SplitFractions { train: 1.0, validation: 0.0, test: 0.0 })
            }),
            "at most one of `fractions` and `ranges`",
        ),
    ];
    for (edit, needle) in cases {
        let err = housing_error(&housing_csv(), edit);
        assert_mentions(&err, &[needle]);
    }
    // Bucketizing a categorical column.
    let err = housing_error(&housing_csv(), |s| {
        s.schema.columns.insert("note".into(), real::ColumnType::Categorical);
        s.features.bucketized[0].column = "note".into();
    });
    assert_mentions(&err, &["features.bucketized[0]", "`note` is not numeric"]);
}

#[test]
fn unknown_toml_keys_are_rejected_at_every_level() {
    for (from, to) in [
        ("file = ", "fil = "),
        ("label = { column", "label = { col"),
        ("a = \"numeric\"", "a = \"number\""),
        ("shuffle = false", "shufle = false"),
        ("[features]", "[features]\nfulll_cross = true"),
        ("quantiles = 4", "quantile = 4"),
        ("hash_buckets = 7", "hash_bucket_size = 7"),
    ] {
        let text = HOUSING.replace(from, to);
        assert_ne!(text, HOUSING);
        let err = toml::from_str::<RealDataSpec>(&text).unwrap_err().to_string();
        assert!(err.contains("unknown"), "{from} -> {to}: {err}");
    }
}

/// The data directory of the tests that read real files. They are `#[ignore]`d, so a machine
/// without the data reports them as ignored with the reason (not as passed); `.ci/run` runs them
/// with `--ignored` when the data is there, and then a missing file is a failure.
pub(crate) fn real_data_dir(file: &str) -> PathBuf {
    let dir = std::env::var_os("SPARSECROSS_DATA_DIR")
        .map(PathBuf::from)
        .expect("SPARSECROSS_DATA_DIR names the directory of the real data files");
    assert!(dir.join(file).is_file(), "{} is absent", dir.join(file).display());
    dir
}

fn spec_file(name: &str) -> RealDataSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs").join(name);
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
#[ignore = "reads real data from SPARSECROSS_DATA_DIR (docs/guide/data_sources.md); .ci/run runs it when the data is there"]
fn california_housing_as_in_the_crash_course() {
    let spec = spec_file("california.toml");
    let dir = real_data_dir(&spec.file);
    let data = real::load(&dir, &spec).unwrap();
    assert_eq!(data.rows_read, 17_000);
    assert_eq!((data.train.len(), data.validation.len(), data.test.len()), (12_000, 5_000, 0));
    let positives = data.train.iter().filter(|e| e.label == 1.0).count() as f64 / 12_000.0;
    assert!((0.2..0.3).contains(&positives), "{positives}");
    let groups = data.space.groups();
    assert_eq!(groups.len(), 10);
    assert_eq!(groups[9].name, "long_x_lat");
    assert_eq!(groups[9].size, 1000);
    // 50 quantile boundaries give at most 51 buckets; latitude has enough distinct values.
    assert_eq!(groups[0].size, 51);
    for example in &data.train {
        assert_eq!(example.ids.len(), 10);
    }
    let name = data.space.name(data.train[0].ids[0]).unwrap();
    assert!(name.starts_with("latitude"), "{name}");
}

#[test]
#[ignore = "reads real data from SPARSECROSS_DATA_DIR (docs/guide/data_sources.md); .ci/run runs it when the data is there"]
fn flights_first_rows_load() {
    let mut spec = spec_file("flights.toml");
    spec.max_rows = Some(50_000);
    let dir = real_data_dir(&spec.file);
    let data = real::load(&dir, &spec).unwrap();
    assert_eq!(data.rows_read, 50_000);
    assert_eq!(data.train.len(), 40_000);
    let groups: Vec<&str> = data.space.groups().iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        groups,
        [
            "distance",
            "origin",
            "destination",
            "hour",
            "day_of_week",
            "month",
            "origin_x_destination",
            "route_x_time"
        ]
    );
    let delayed = data.train.iter().filter(|e| e.label == 1.0).count();
    assert!(delayed > 1_000 && delayed < 39_000, "{delayed}");
}

#[test]
fn shipped_spec_files_parse() {
    let california = spec_file("california.toml");
    assert_eq!(california.schema.label.rule.as_deref(), Some("> 265000"));
    let flights = spec_file("flights.toml");
    assert_eq!(flights.schema.derived.len(), 3);
    assert_eq!(flights.features.crosses[1].hash_buckets, Some(1 << 20));
}

#[test]
fn loaded_data_can_move_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<features::real::RealDataset>();
    assert_send_sync::<features::SyntheticProblem>();
    assert_send_sync::<features::SyntheticStream>();
    assert_send_sync::<features::FeatureSpace>();
}

//! What click logs need of the real-data loader: a split by time (`split.order_by`), files
//! without a header row (`schema.header`), hashed categorical columns (`hash_buckets`) and the
//! collisions of every hashed group measured on the training split; and (ignored unless
//! SPARSECROSS_DATA_DIR names the shared data) TalkingData split by `click_time`.

use std::path::Path;

use crate::real_data::real_data_dir;
use features::real::{self, RealDataSpec};
use features::space::ColumnEncoding;
use features::FeaturesError;

fn spec(text: &str) -> RealDataSpec {
    toml::from_str(text).unwrap()
}

fn dir_with(name: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), body).unwrap();
    dir
}

/// Ten clicks out of time order: `rank` is each row's position in time (rows 3 and 7 share a
/// time; file order puts row 3, rank 4, first).
fn clicks() -> String {
    let times = [
        ("2017-11-07 09:00:00", 6),
        ("2017-11-06 16:00:00", 0),
        ("2017-11-08 01:30:00", 8),
        ("2017-11-07 01:00:00", 4),
        ("2017-11-06 17:00:00", 1),
        ("2017-11-09 15:59:59", 9),
        ("2017-11-06 18:00:00", 2),
        ("2017-11-07 01:00:00", 5),
        ("2017-11-06 23:00:00", 3),
        ("2017-11-07 12:00:00", 7),
    ];
    let mut csv = String::from("ip,click_time,rank\n");
    for (i, (time, rank)) in times.iter().enumerate() {
        csv.push_str(&format!("{},{time},{rank}\n", 100 + i));
    }
    csv
}

const TIME_SPLIT: &str = r#"
file = "clicks.csv"
[schema]
label = { column = "rank", rule = "numeric" }
columns = { ip = "categorical", click_time = "datetime" }
[features]
categorical = [{ column = "ip" }]
[split]
order_by = "click_time"
fractions = { train = 0.6, validation = 0.2, test = 0.2 }
"#;

fn labels(examples: &[features::SparseExample]) -> Vec<f64> {
    examples.iter().map(|e| e.label).collect()
}

#[test]
fn order_by_splits_by_time_with_ties_in_file_order_and_ignores_the_seed() {
    let dir = dir_with("clicks.csv", &clicks());
    let mut spec = spec(TIME_SPLIT);
    assert!(!spec.depends_on_seed(), "a time split does not depend on the seed");
    let data = real::load(dir.path(), &spec).unwrap();
    assert_eq!(labels(&data.train), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(labels(&data.validation), [6.0, 7.0]);
    assert_eq!(labels(&data.test), [8.0, 9.0], "the test split is the last 20% in time");
    spec.split.seed = 99;
    assert_eq!(labels(&real::load(dir.path(), &spec).unwrap().train), labels(&data.train));
    // Without order_by the same fractions shuffle.
    spec.split.order_by = None;
    assert_ne!(labels(&real::load(dir.path(), &spec).unwrap().test), [8.0, 9.0]);
}

#[test]
fn order_by_refuses_what_makes_no_sense_naming_the_key() {
    let dir = dir_with("clicks.csv", &clicks());
    let shuffled = TIME_SPLIT.replace("[split]", "[split]\nshuffle = true");
    let err = toml::from_str::<RealDataSpec>(&shuffled).unwrap_err().to_string();
    assert!(err.contains("split.shuffle") && err.contains("split.order_by"), "{err}");
    // An explicit `shuffle = false` is fine.
    let kept = TIME_SPLIT.replace("[split]", "[split]\nshuffle = false");
    assert_eq!(real::load(dir.path(), &spec(&kept)).unwrap().test.len(), 2);
    let cases = [
        (TIME_SPLIT.replace("order_by = \"click_time\"", "order_by = \"ip\""), "datetime"),
        (TIME_SPLIT.replace("order_by = \"click_time\"", "order_by = \"when\""), "datetime"),
        (
            TIME_SPLIT.replace("fractions = { train = 0.6, validation = 0.2, test = 0.2 }", ""),
            "fractions",
        ),
    ];
    for (text, why) in cases {
        let err = real::load(dir.path(), &spec(&text)).unwrap_err().to_string();
        assert!(err.contains("split.order_by") && err.contains(why), "{err}");
    }
    let err = real::load_streamed(dir.path(), &spec(TIME_SPLIT)).unwrap_err().to_string();
    assert!(err.contains("split.order_by") && err.contains("sort the file"), "{err}");
}

#[test]
fn order_by_takes_ranges_of_the_time_order() {
    let dir = dir_with("clicks.csv", &clicks());
    let text = TIME_SPLIT.replace(
        "fractions = { train = 0.6, validation = 0.2, test = 0.2 }",
        "ranges = { train = [0, 5], test = [7, 10] }",
    );
    let data = real::load(dir.path(), &spec(&text)).unwrap();
    assert_eq!(labels(&data.train), [0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(labels(&data.test), [7.0, 8.0, 9.0]);
}

const NO_HEADER: &str = r#"
file = "adult.data"
[schema]
header = ["age", "work", "income"]
label = { column = "income", positive = [">50K"], negative = ["<=50K"] }
columns = { age = "numeric", work = "categorical" }
[features]
bucketized = [{ column = "age", boundaries = [30, 50] }]
categorical = [{ column = "work" }]
"#;

#[test]
fn a_file_without_header_row_reads_every_line_as_data_by_schema_header() {
    let body = "39, State-gov, <=50K\n50, Private, >50K\n28, Private, <=50K\n";
    let dir = dir_with("adult.data", body);
    let spec = spec(NO_HEADER);
    let data = real::load(dir.path(), &spec).unwrap();
    assert_eq!(data.train.len(), 3, "the first line is data, not a header");
    assert_eq!(labels(&data.train), [0.0, 1.0, 0.0]);
    assert_eq!(real::count_rows(dir.path(), &spec).unwrap(), 3);
    // The saved pipeline reads a header-less file the same way.
    let again = data.pipeline.read(&dir.path().join("adult.data"), "adult.data").unwrap();
    assert_eq!(again.examples[1].ids, data.train[1].ids);
    // Without `header`, the first line is taken as the header, and `age` is not in it.
    let headed = NO_HEADER.replace("header = [\"age\", \"work\", \"income\"]\n", "");
    let err = real::load(dir.path(), &self::spec(&headed)).unwrap_err();
    assert!(matches!(err, FeaturesError::MissingColumn { .. }), "{err}");
}

#[test]
fn a_header_less_line_with_other_fields_or_a_bad_header_is_an_error() {
    let dir = dir_with("adult.data", "39, State-gov, <=50K\n50, Private\n");
    let err = real::load(dir.path(), &spec(NO_HEADER)).unwrap_err().to_string();
    assert!(err.contains("adult.data line 2") && err.contains("schema.header"), "{err}");
    let dir = dir_with("adult.data", "39, State-gov, <=50K, x\n");
    let err = real::load(dir.path(), &spec(NO_HEADER)).unwrap_err().to_string();
    assert!(err.contains("line 1") && err.contains("4 fields"), "{err}");
    let twice = NO_HEADER.replace("\"work\", \"income\"]", "\"age\", \"income\"]");
    let err = real::load(dir.path(), &spec(&twice)).unwrap_err().to_string();
    assert!(err.contains("schema.header") && err.contains("`age` twice"), "{err}");
}

/// `n` rows of `ip, app, y`: ip `i % distinct`, app `i % 3`, label alternating.
fn ips(n: usize, distinct: usize) -> String {
    let mut csv = String::from("ip,app,y\n");
    for i in 0..n {
        csv.push_str(&format!("{},{},{}\n", i % distinct, i % 3, i % 2));
    }
    csv
}

const HASHED: &str = r#"
file = "ips.csv"
[schema]
label = { column = "y", rule = "> 0" }
columns = { ip = "numeric", app = "categorical" }
[features]
categorical = [{ column = "ip", hash_buckets = 8 }, { column = "app" }]
crosses = [{ columns = ["ip", "app"], hash_buckets = 4 }, { columns = ["app", "ip"] }]
[split]
fractions = { train = 0.5, test = 0.5 }
"#;

/// The exact cross of HASHED, removed where the other cross becomes exact too.
const EXACT_CROSS: &str = ", { columns = [\"app\", \"ip\"] }";

#[test]
fn a_hashed_column_has_its_buckets_unseen_values_hash_and_names_round_trip() {
    let dir = dir_with("ips.csv", &ips(200, 50));
    let data = real::load(dir.path(), &spec(HASHED)).unwrap();
    let ip = &data.space.columns()[0];
    let ColumnEncoding::Hashed(hashed) = &ip.encoding else { panic!("ip is hashed") };
    assert_eq!((hashed.buckets(), ip.size()), (8, 8));
    let sizes: Vec<u64> = data.space.groups().iter().map(|g| g.size).collect();
    assert_eq!(sizes, [8, 4, 4, 32], "ip hashed to 8, app 3 + OOV, two crosses");
    // Every example (test rows with ips unseen in training too) has one id per group, and
    // the ip id is the FNV-1a bucket of its text.
    for example in data.train.iter().chain(&data.test) {
        assert_eq!(example.ids.len(), 4);
        let name = data.space.name(example.ids[0]).unwrap();
        assert!(name.starts_with("ip#"), "{name}");
        assert_eq!(data.space.id_of(&name).unwrap(), example.ids[0]);
        let cell = data.space.name(example.ids[3]).unwrap();
        assert_eq!(data.space.id_of(&cell).unwrap(), example.ids[3], "{cell}");
    }
    let saved = data.pipeline.read(&dir.path().join("ips.csv"), "ips.csv").unwrap();
    assert_eq!(saved.examples.len(), 200);
    assert_eq!(data.pipeline.space().unwrap(), data.space);
}

#[test]
fn hash_stats_count_distinct_training_values_and_their_collisions() {
    let dir = dir_with("ips.csv", &ips(200, 50));
    let data = real::load(dir.path(), &spec(HASHED)).unwrap();
    let groups: Vec<&str> = data.hash_stats.iter().map(|s| s.group.as_str()).collect();
    assert_eq!(groups, ["ip", "ip_x_app"], "the exact cross has no stats");
    let ip = &data.hash_stats[0];
    // 100 shuffled training rows of 50 ips: nearly all 50 seen; 8 buckets cannot hold them apart.
    assert!((40..=50).contains(&ip.distinct_values), "{ip:?}");
    assert_eq!(ip.buckets, 8);
    assert!(ip.buckets_used <= 8 && ip.values_sharing_a_bucket == ip.distinct_values);
    assert_eq!(ip.collision_rate(), 1.0);
    let cross = &data.hash_stats[1];
    assert!(cross.distinct_values <= 24 && cross.buckets_used <= 4, "{cross:?}");
    // With room to spare, the same values hardly collide, and the streamed load agrees.
    let roomy = HASHED.replace("hash_buckets = 8", "hash_buckets = 1000000").replace(
        "fractions = { train = 0.5, test = 0.5 }",
        "shuffle = false\nfractions = { train = 0.5, test = 0.5 }",
    );
    let held = real::load(dir.path(), &spec(&roomy)).unwrap();
    assert_eq!(held.hash_stats[0].distinct_values, 50);
    assert!(held.hash_stats[0].collision_rate() < 0.01, "{:?}", held.hash_stats[0]);
    let streamed = real::load_streamed(dir.path(), &spec(&roomy)).unwrap();
    assert_eq!(streamed.hash_stats, held.hash_stats);
    let none = HASHED.replace(", hash_buckets = 8", "").replace(EXACT_CROSS, "");
    let none = none.replace(", hash_buckets = 4", "");
    assert!(real::load(dir.path(), &spec(&none)).unwrap().hash_stats.is_empty());
}

#[test]
fn bad_hash_buckets_name_the_key_and_min_count_goes_to_oov() {
    let dir = dir_with("ips.csv", &ips(200, 50));
    for (bad, key) in [
        ("hash_buckets = 0", "features.categorical[0].hash_buckets"),
        ("hash_buckets = 8, min_count = 2", "features.categorical[0].min_count"),
    ] {
        let text = HASHED.replace("hash_buckets = 8", bad);
        let err = real::load(dir.path(), &spec(&text)).unwrap_err().to_string();
        assert!(err.contains(key), "{err}");
    }
    // An exact vocabulary keeps the values seen min_count times; rarer and unseen ones share
    // `#oov`.
    let exact = HASHED
        .replace("{ column = \"ip\", hash_buckets = 8 }", "{ column = \"ip\", min_count = 100 }");
    let exact = exact.replace(EXACT_CROSS, "");
    let data = real::load(dir.path(), &spec(&exact)).unwrap();
    let name = data.space.name(data.test[0].ids[0]).unwrap();
    assert_eq!(name, "ip#oov");
}

#[test]
#[ignore = "reads real data from SPARSECROSS_DATA_DIR (docs/guide/data_sources.md); .ci/run runs it when the data is there"]
fn talkingdata_splits_by_click_time() {
    let text = r#"
file = "talkingdata/train_sample.csv"
[schema]
label = { column = "is_attributed", rule = "> 0" }
columns = { ip = "categorical", app = "categorical", click_time = "datetime" }
derived = [{ name = "hour", op = "hour", of = ["click_time"] }]
[features]
categorical = [{ column = "ip", hash_buckets = 262144 }, { column = "app" }, { column = "hour" }]
crosses = [{ columns = ["ip", "app"], hash_buckets = 1048576 }]
[split]
order_by = "click_time"
fractions = { train = 0.8, test = 0.2 }
"#;
    let spec = spec(text);
    let dir = real_data_dir(&spec.file);
    let data = real::load(Path::new(&dir), &spec).unwrap();
    assert_eq!(data.rows_read, 100_000);
    assert_eq!((data.train.len(), data.test.len()), (80_000, 20_000));
    assert_eq!(data.hash_stats.len(), 2);
    assert!(data.hash_stats[0].distinct_values > 25_000, "{:?}", data.hash_stats[0]);
}

#[test]
fn a_hashed_synthetic_full_cross_has_n_ids_at_any_k_and_its_collisions_measured() {
    use features::{CrossLayout, GroupKind, SplitName, SyntheticConfig, SyntheticProblem};
    let layout = |hash_buckets| CrossLayout { hash_buckets, ..CrossLayout::default() };
    let config = |k, crosses| SyntheticConfig { k, seed: 3, crosses, ..SyntheticConfig::default() };
    // k = 30: 30^30 cells overflow u64 exactly, hashed they are 1000 ids.
    let exact = SyntheticProblem::new(config(30, layout(None)));
    assert!(exact.is_err(), "the exact 30^30 cross overflows");
    let hashed = SyntheticProblem::new(config(30, layout(Some(1000)))).unwrap();
    assert_eq!(hashed.dimension(), 30 * 30 + 1000);
    let full = hashed.space().groups().last().unwrap();
    assert!(matches!(full.kind, GroupKind::HashedCross { buckets: 1000, .. }), "{full:?}");
    for example in hashed.stream(SplitName::Train, 50) {
        assert_eq!(example.ids.len(), 31);
        assert!(example.ids[30] >= full.first && example.ids[30] < full.first + 1000);
    }
    let stats = hashed.hash_stats(500);
    assert_eq!(stats.len(), 1);
    assert_eq!((stats[0].group.as_str(), stats[0].distinct_values), ("full_cross", 500));
    assert!(stats[0].values_sharing_a_bucket > 0 && stats[0].buckets_used < 500, "{stats:?}");
    // k = 3: 27 cells, at most 27 distinct, none of them apart in 1 bucket.
    let small = SyntheticProblem::new(config(3, layout(Some(1)))).unwrap();
    let stats = small.hash_stats(2000);
    assert_eq!((stats[0].distinct_values, stats[0].buckets_used), (27, 1));
    assert_eq!(stats[0].collision_rate(), 1.0);
    assert!(SyntheticProblem::new(config(3, layout(None))).unwrap().hash_stats(10).is_empty());
    // The default serializes as before (no `hash_buckets` key): fingerprints do not move.
    let json = serde_json::to_string(&CrossLayout::default()).unwrap();
    assert!(!json.contains("hash_buckets"), "{json}");
    for (crosses, key) in [
        (CrossLayout { full_cross: false, ..layout(Some(8)) }, "full_cross = true"),
        (layout(Some(0)), "must be >= 1"),
    ] {
        let err = SyntheticProblem::new(config(3, crosses)).unwrap_err().to_string();
        assert!(err.contains("synthetic.crosses.hash_buckets") && err.contains(key), "{err}");
    }
}

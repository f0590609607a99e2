//! The bodies of the fuzz targets, one function per target, shared by the AFL++ binaries in
//! `targets/` (see `README.md`).
//!
//! Each function takes arbitrary bytes, feeds them to one parser the way the runner does, and
//! returns whatever the parser says: an `Ok` or a typed error are both fine; a panic, an abort
//! (failed allocation, stack overflow) or a hang is a bug. On `Ok` a few invariants the callers
//! rely on are asserted too (ids inside the feature space, every id named, the LIBSVM
//! write/read round trip).
//!
//! The CSV and LIBSVM readers read files, so the bytes are written to a [`Scratch`] directory
//! first (made once per fuzzer process, before AFL++'s fork server starts).

use std::path::{Path, PathBuf};

use features::real::{self, RealDataSpec};
use features::{libsvm, SparseExample};

/// The data file the `csv_spec` target loads with each fuzzed schema.
pub const SMALL_CSV: &[u8] = include_bytes!("../data/small.csv");
/// The same file gzipped, loaded when the fuzzed spec names a `.gz` file.
pub const SMALL_CSV_GZ: &[u8] = include_bytes!("../data/small.csv.gz");

/// The fixed schema of the `csv_data` target when the selector byte's low bit is 0: binary
/// label, every column type, every derived op, every bucketizer, categorical columns (one of them
/// numeric), exact and hashed crosses, shuffled fractions.
pub const SCHEMA_BINARY: &str = r#"
file = "data.csv"

[schema]
label = { column = "y", rule = "> 0.5" }
columns = { a = "numeric", b = "numeric", city = "categorical", when = "datetime" }
derived = [
  { name = "a_per_b", op = "ratio", of = ["a", "b"] },
  { name = "hour", op = "hour", of = ["when"] },
  { name = "weekday", op = "day_of_week", of = ["when"] },
  { name = "month", op = "month", of = ["when"] },
]

[features]
bucketized = [
  { column = "a", quantiles = 3 },
  { column = "b", uniform = 3 },
  { column = "a_per_b", boundaries = [0.0, 1.0, 2.0] },
]
categorical = [
  { column = "city" },
  { column = "hour", min_count = 2 },
  { column = "weekday" },
]
crosses = [
  { columns = ["a", "b"] },
  { name = "a_x_city", columns = ["a", "city"], hash_buckets = 16 },
  { columns = ["b", "weekday", "city"] },
]

[split]
seed = 7
fractions = { train = 0.6, validation = 0.2, test = 0.2 }
"#;

/// The fixed schema of the `csv_data` target when the selector byte's low bit is 1: numeric
/// label (also a feature column), file order, explicit ranges, `max_rows`, no marginals, the full
/// and pairwise crosses.
pub const SCHEMA_NUMERIC: &str = r#"
file = "data.csv"
max_rows = 64

[schema]
label = { column = "y", rule = "numeric" }
columns = { a = "numeric", b = "numeric", y = "numeric", city = "categorical" }

[features]
marginals = false
bucketized = [
  { column = "a", quantiles = 2 },
  { column = "b", quantiles = 5 },
  { column = "y", boundaries = [-1.0, 0.0, 0.5] },
]
categorical = [{ column = "city", min_count = 1 }]
crosses = [{ columns = ["city", "a"] }]
full_cross = true
pairwise = true

[split]
shuffle = false
ranges = { train = [0, 2], validation = [2, 3] }
"#;

/// Prints what a parser returned when `FUZZ_VERBOSE` is set (for replaying one input by hand;
/// never set while fuzzing).
fn report<T, E: std::fmt::Display>(what: &str, result: &Result<T, E>) {
    if std::env::var_os("FUZZ_VERBOSE").is_some() {
        match result {
            Ok(_) => eprintln!("{what}: Ok"),
            Err(e) => eprintln!("{what}: Err: {e}"),
        }
    }
}

/// A directory for the files the readers read, removed when dropped.
#[derive(Debug)]
pub struct Scratch {
    dir: tempfile::TempDir,
    /// `SCHEMA_BINARY` and `SCHEMA_NUMERIC`, parsed once.
    schemas: [RealDataSpec; 2],
}

impl Scratch {
    /// A fresh directory (under `/dev/shm` when it exists, so writes stay in memory) holding
    /// `small.csv` and `small.csv.gz`.
    pub fn new() -> Self {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }
            .expect("a scratch directory");
        std::fs::write(dir.path().join("small.csv"), SMALL_CSV).expect("write small.csv");
        std::fs::write(dir.path().join("small.csv.gz"), SMALL_CSV_GZ).expect("write small.csv.gz");
        let parse = |text: &str| toml::from_str::<RealDataSpec>(text).expect("a fixed schema");
        Self { dir, schemas: [parse(SCHEMA_BINARY), parse(SCHEMA_NUMERIC)] }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, data).expect("write a scratch file");
        path
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// `csv_data`: the first byte picks the schema (bit 0: [`SCHEMA_BINARY`] or [`SCHEMA_NUMERIC`])
/// and the file name (bit 1: `data.csv` or `data.csv.gz`, read through the gzip decoder); the
/// rest is the file's bytes, loaded with `features::real::load` (read, split, fit, encode).
pub fn csv_data(scratch: &Scratch, data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let mut spec = scratch.schemas[usize::from(selector & 1)].clone();
    spec.file = if selector & 2 == 0 { "data.csv" } else { "data.csv.gz" }.to_string();
    scratch.write(&spec.file, bytes);
    let loaded = real::load(scratch.path(), &spec);
    report("features::real::load", &loaded);
    if let Ok(loaded) = loaded {
        check_dataset(&loaded);
    }
}

/// `csv_spec`: the bytes are a `[data.real]` table (a `RealDataSpec` in TOML), read as the runner
/// reads it (`runner::spec::resolve::real_spec`) and loaded over `small.csv` (or `small.csv.gz`
/// when the fuzzed `file` ends in `.gz`): the fuzzed `file` is replaced so that nothing outside
/// the scratch directory is read.
pub fn csv_spec(scratch: &Scratch, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let table = toml::from_str::<toml::Table>(text);
    report("toml", &table);
    let Ok(table) = table else { return };
    let spec = runner::spec::resolve::real_spec(&table);
    report("runner::spec::resolve::real_spec", &spec);
    let Ok(mut spec) = spec else { return };
    spec.file = if spec.file.ends_with(".gz") { "small.csv.gz" } else { "small.csv" }.to_string();
    let loaded = real::load(scratch.path(), &spec);
    report("features::real::load", &loaded);
    if let Ok(loaded) = loaded {
        check_dataset(&loaded);
    }
}

/// `libsvm`: the bytes are a LIBSVM file read with `features::libsvm::read`; what it reads must
/// write and read back to the same examples.
pub fn libsvm(scratch: &Scratch, data: &[u8]) {
    let path = scratch.write("data.libsvm", data);
    let examples = libsvm::read(&path);
    report("features::libsvm::read", &examples);
    let Ok(examples) = examples else { return };
    for example in &examples {
        assert_eq!(example.ids.len(), example.values.len());
        assert!(example.label.is_finite() && example.values.iter().all(|v| v.is_finite()));
    }
    let mut written = Vec::new();
    libsvm::write(&mut written, &examples).expect("writing to a Vec");
    let again = scratch.write("again.libsvm", &written);
    let back = libsvm::read(&again).expect("what was written reads back");
    let sorted = |e: &SparseExample| {
        let mut pairs: Vec<(u64, u64)> = e.features().map(|(id, v)| (id, v.to_bits())).collect();
        pairs.sort_unstable();
        (e.label.to_bits(), pairs)
    };
    assert_eq!(examples.len(), back.len());
    for (a, b) in examples.iter().zip(&back) {
        assert_eq!(sorted(a), sorted(b), "round trip of {a:?}");
    }
}

/// Grids larger than this many (k, seed, lambda) combinations are parsed and checked but not
/// expanded into units: a spec may legitimately ask for millions of runs, and expanding them is
/// not parsing.
pub const MAX_EXPANDED_GRID: usize = 10_000;

/// `spec`: the bytes are an experiment spec, parsed and checked with `runner::spec::parse` and,
/// when it is accepted and its grid is small, expanded into runs (`runner::plan::expand`, also
/// after `--quick`), as `runner run` does before any data is read.
pub fn spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let spec = runner::spec::parse(text, Path::new("fuzz.toml"));
    report("runner::spec::parse", &spec);
    let Ok(spec) = spec else { return };
    let lambdas: usize = spec
        .regularizers
        .iter()
        .flat_map(|r| {
            r.optimizers.iter().map(move |o| {
                o.lambdas.as_ref().or(r.lambdas.as_ref()).map_or(1, Vec::len)
                    + o.support_sizes.as_ref().map_or(0, Vec::len)
            })
        })
        .sum();
    let grid =
        spec.grid.k.len().max(1).saturating_mul(spec.grid.seeds.len()).saturating_mul(lambdas);
    if grid <= MAX_EXPANDED_GRID {
        report("runner::plan::expand", &runner::plan::expand(&spec));
        report(
            "runner::plan::expand (quick)",
            &runner::plan::expand(&runner::plan::apply_quick(&spec)),
        );
    }
}

/// What a loaded data set promises its users: every id inside the space, one id per group, every
/// id named, and the name read back to the same id.
fn check_dataset(loaded: &real::RealDataset) {
    let space = &loaded.space;
    let groups = space.groups().len();
    for example in [&loaded.train, &loaded.validation, &loaded.test].into_iter().flatten() {
        assert_eq!(example.ids.len(), groups);
        assert_eq!(example.values.len(), groups);
        assert!(example.label.is_finite());
        for &id in &example.ids {
            assert!(id < space.dimension(), "id {id} outside dimension {}", space.dimension());
            let name = space.name(id).expect("every id of an example has a name");
            assert_eq!(space.id_of(&name).ok(), Some(id), "name {name:?} of id {id}");
        }
    }
}

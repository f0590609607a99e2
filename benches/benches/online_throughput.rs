//! Online optimizer throughput: examples per second for each optimizer at k = 4, 8, 10 on the
//! synthetic stream (marginals + the full k^k cross). 50,000 training rows are generated once per
//! k, outside the timed loop; each iteration builds a fresh optimizer and makes one pass over
//! them in mini-batches of 1 (pure online: the per-example cost), calling `train_batch` on slices
//! of the pre-generated rows so that no example is cloned inside the timing. Every optimizer
//! uses L1 (`hard_threshold`: L0) with the default config and its default settings.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use features::{SparseExample, SplitName, SyntheticConfig, SyntheticProblem};
use optimizers::online::{OnlineConfig, ONLINE_OPTIMIZERS};
use regularizers::{Penalty, Regularizer};

/// Rows per pass.
const ROWS: u64 = 50_000;
/// Mini-batch size.
const BATCH: usize = 1;

fn examples(k: usize) -> Vec<SparseExample> {
    let config = SyntheticConfig { k, seed: 1, ..SyntheticConfig::default() };
    match SyntheticProblem::new(config) {
        Ok(problem) => problem.stream(SplitName::Train, ROWS).collect(),
        Err(err) => panic!("bench config k = {k} rejected: {err}"),
    }
}

fn penalty(optimizer: &str) -> Box<dyn Regularizer> {
    let name = if optimizer == "hard_threshold" { "l0" } else { "l1" };
    match Penalty::named(name).and_then(|p| p.at(1e-4)) {
        Ok(r) => r,
        Err(err) => panic!("bench regularizer rejected: {err}"),
    }
}

fn online_throughput(c: &mut Criterion) {
    let config = OnlineConfig::default();
    let settings = toml::Table::new();
    for k in [4usize, 8, 10] {
        let rows = examples(k);
        let mut group = c.benchmark_group(format!("online_k{k}"));
        group.throughput(Throughput::Elements(ROWS));
        group.sample_size(10);
        for entry in ONLINE_OPTIMIZERS {
            let regularizer = penalty(entry.name);
            group.bench_with_input(BenchmarkId::from_parameter(entry.name), &rows, |b, rows| {
                b.iter(|| {
                    let mut optimizer = match entry.build(regularizer.as_ref(), &config, &settings)
                    {
                        Ok(o) => o,
                        Err(err) => panic!("{}: {err}", entry.name),
                    };
                    for batch in rows.chunks(BATCH) {
                        optimizer.train_batch(batch);
                    }
                    black_box(optimizer.memory().coordinates)
                });
            });
        }
        group.finish();
    }
}

// What `criterion_group!` + `criterion_main!` expand to, written out because the macro's
// generated `pub fn` trips the workspace's `missing_docs` lint.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    online_throughput(&mut criterion);
    criterion.final_summary();
}

//! Online optimizer throughput: examples per second for each optimizer at k = 4, 8, 10 on the
//! synthetic stream (marginals + the full k^k cross). Every iteration times exactly what an
//! online run of the reports times: building a fresh optimizer, then the library's one training
//! loop (`optimizers::online::train`, the loop `runner`'s online runs call) over the rows.
//!
//! `online_k{4,8,10}`: 50,000 training rows are generated once per k, outside the timed loop,
//! and held, as an unstreamed run holds its split; one pass in mini-batches of 1 (pure online:
//! the per-example cost), batches being slices of the held rows (no example is cloned). Every
//! optimizer uses L1 (`hard_threshold`: L0) with the default config and its default settings.
//!
//! `online_streaming_k10` times what a streamed run does (`[data] stream`): each iteration
//! trains on a pass of 200,000 rows at k = 10 regenerated from the seed as they are read (one
//! reused buffer), generation included in the time, on one core: FTRL-L1 with every feature
//! admitted, with Poisson admission (p = 0.03) and FTRL on the mean-loss scale (`per_step`, as
//! `n_sweep` runs it), truncated gradient and hard thresholding; and FTRL-L1 `per_step` again
//! with the pass generated on a second thread (`train_reading_ahead`, what `--read-ahead`
//! runs), generation then overlapping training (two cores).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use features::{SparseExample, SplitName, SyntheticConfig, SyntheticProblem};
use optimizers::online::{
    train, train_reading_ahead, Admission, OnlineConfig, OnlineOptimizer, PassSource, Passes,
    Regenerated, ONLINE_OPTIMIZERS,
};
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

/// One pass over `source` in mini-batches of [`BATCH`] through the library's training loop,
/// read on a second thread when `read_ahead` (`train_reading_ahead`, the same examples).
fn one_pass<S: PassSource + Sync + ?Sized>(
    optimizer: &mut dyn OnlineOptimizer,
    source: &S,
    read_ahead: bool,
) where
    S::Error: std::fmt::Display + Send,
{
    let passes = Passes::once(BATCH);
    let trained = if read_ahead {
        train_reading_ahead(optimizer, source, &passes)
    } else {
        train(optimizer, source, &passes)
    };
    if let Err(err) = trained {
        panic!("training: {err}");
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
                    one_pass(optimizer.as_mut(), rows.as_slice(), false);
                    black_box(optimizer.memory().coordinates)
                });
            });
        }
        group.finish();
    }
}

/// Rows per iteration of the streaming group: enough for the hash table to grow well past the
/// caches (about one new cross cell per row at k = 10).
const STREAMED_ROWS: u64 = 200_000;

fn streaming_throughput(c: &mut Criterion) {
    let problem =
        match SyntheticProblem::new(SyntheticConfig { k: 10, seed: 1, ..Default::default() }) {
            Ok(problem) => problem,
            Err(err) => panic!("bench config k = 10 rejected: {err}"),
        };
    let poisson =
        OnlineConfig { admission: Admission::Poisson { p: 0.03 }, ..OnlineConfig::default() };
    let per_step: toml::Table = match toml::from_str("ftrl_penalty = \"per_step\"") {
        Ok(table) => table,
        Err(err) => panic!("bench settings rejected: {err}"),
    };
    let plain = OnlineConfig::default();
    let none = toml::Table::new;
    // (optimizer, label, config, settings, read ahead)
    let cases: [(&str, &str, OnlineConfig, toml::Table, bool); 5] = [
        ("ftrl", "ftrl_l1_per_step", plain.clone(), per_step.clone(), false),
        ("ftrl", "ftrl_l1_per_step_poisson", poisson, per_step.clone(), false),
        ("truncated_gradient", "truncated_gradient_l1", plain.clone(), none(), false),
        ("hard_threshold", "hard_threshold_l0", plain.clone(), none(), false),
        ("ftrl", "ftrl_l1_per_step_read_ahead", plain, per_step, true),
    ];
    let mut group = c.benchmark_group("online_streaming_k10");
    group.throughput(Throughput::Elements(STREAMED_ROWS));
    group.sample_size(10);
    for (name, label, config, settings, read_ahead) in &cases {
        let regularizer = penalty(name);
        let Some(entry) = ONLINE_OPTIMIZERS.iter().find(|e| e.name == *name) else {
            panic!("{name} is not registered");
        };
        group.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                let mut optimizer = match entry.build(regularizer.as_ref(), config, settings) {
                    Ok(o) => o,
                    Err(err) => panic!("{label}: {err}"),
                };
                let source = Regenerated { problem: &problem, n: STREAMED_ROWS };
                one_pass(optimizer.as_mut(), &source, *read_ahead);
                black_box(optimizer.state_bytes())
            });
        });
    }
    group.finish();
}

// What `criterion_group!` + `criterion_main!` expand to, written out because the macro's
// generated `pub fn` trips the workspace's `missing_docs` lint.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    online_throughput(&mut criterion);
    streaming_throughput(&mut criterion);
    criterion.final_summary();
}

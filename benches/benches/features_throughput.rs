//! Crossed-example throughput of the synthetic generator: examples per second streamed at
//! k = 4, 8, 10 with marginals + the full k^k cross (k bins per feature), the layout of the
//! sparsity experiments. Each iteration streams a fixed batch of rows into one reused example
//! (`next_into`), and, for comparison, through the allocating `Iterator`.

use std::hint::black_box;

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use features::{SparseExample, SplitName, SyntheticConfig, SyntheticProblem};

/// Rows per iteration.
const ROWS: u64 = 10_000;

fn problem(k: usize) -> SyntheticProblem {
    let config = SyntheticConfig { k, interactions: 2 * k, seed: 1, ..SyntheticConfig::default() };
    match SyntheticProblem::new(config) {
        Ok(problem) => problem,
        Err(err) => panic!("bench config k = {k} rejected: {err}"),
    }
}

fn crossed_example_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("synthetic_marginals_full_cross");
    group.throughput(Throughput::Elements(ROWS));
    for k in [4usize, 8, 10] {
        let problem = problem(k);
        group.bench_with_input(BenchmarkId::new("next_into", k), &problem, |b, problem| {
            let mut example = SparseExample::default();
            b.iter(|| {
                let mut stream = problem.stream(SplitName::Train, ROWS);
                let mut checksum = 0u64;
                while stream.next_into(&mut example) {
                    checksum = checksum.wrapping_add(example.ids[example.ids.len() - 1]);
                }
                black_box(checksum)
            });
        });
        group.bench_with_input(BenchmarkId::new("iterator", k), &problem, |b, problem| {
            b.iter(|| {
                let stream = problem.stream(SplitName::Train, ROWS);
                black_box(stream.map(|e| e.ids.len()).sum::<usize>())
            });
        });
    }
    group.finish();
}

/// The criterion group, in a private module so its generated `pub fn` is not public API (and
/// needs no doc).
mod group {
    criterion::criterion_group!(benches, super::crossed_example_throughput);
}

criterion_main!(group::benches);

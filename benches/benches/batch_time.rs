//! Time to tolerance of the batch solvers: L1-regularized logistic regression by coordinate
//! descent, to a maximal KKT violation of 1e-6, on the crossed synthetic matrix at k = 6
//! (6 marginals of 6 bins plus the full 6^6 = 46,656-cell cross; 200,000 training rows, seed 0),
//! at one lambda, `lambda_max / 20`, from a cold start (`w = 0`). The matrix is generated once,
//! outside the timed loop; the timed work is `fit_path` itself (input checks, the CSC copy and
//! the solve).
//!
//! Run: `cargo bench -p benches --bench batch_time -- --warm-up-time 1 --measurement-time 3`.
//! Before timing it prints the problem (rows, columns, nonzeros, lambda) and one fit's
//! objective, KKT violation, nonzero weights and wall time.
//!
//! With `BATCH_TIME_EXPORT=DIR` set, it also writes the same matrix as LIBSVM
//! (`DIR/k6_n200000.svm`, labels 0/1, index = column + 1) and that fit's numbers
//! (`DIR/k6_n200000.json`), which `benches/peers/liblinear_l1.py` reads to time liblinear on
//! the same rows at the same lambda.

// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use features::libsvm::{write_matrix, LibsvmLabels};
use features::{CompactMatrix, SplitName, SyntheticConfig, SyntheticProblem};
use optimizers::batch::{fit_path, lambda_max, PathConfig, PathPoint};
use optimizers::LossKind;
use regularizers::Penalty;

/// Numeric features (and bins per feature).
const K: usize = 6;
/// Training rows.
const ROWS: u64 = 200_000;
/// The bench's lambda is lambda_max divided by this.
const LAMBDA_DIVISOR: f64 = 20.0;
/// Tolerance on the maximal KKT violation.
const TOL: f64 = 1e-6;

/// The k = 6 crossed training matrix (marginals + full cross, generator defaults, seed 0).
fn crossed_matrix() -> CompactMatrix {
    let config = SyntheticConfig { k: K, ..SyntheticConfig::default() };
    let problem = match SyntheticProblem::new(config) {
        Ok(problem) => problem,
        Err(err) => panic!("synthetic config: {err}"),
    };
    let examples: Vec<_> = problem.stream(SplitName::Train, ROWS).collect();
    CompactMatrix::from_examples(&examples)
}

/// The L1 penalty (no settings).
fn l1() -> Penalty {
    match Penalty::named("l1") {
        Ok(penalty) => penalty,
        Err(err) => panic!("l1: {err}"),
    }
}

/// One L1 logistic coordinate-descent fit at `lambda` (the solver's default settings).
fn fit(matrix: &CompactMatrix, penalty: &Penalty, lambda: f64) -> PathPoint {
    let config = PathConfig { lambdas: Some(vec![lambda]), tol: TOL, ..PathConfig::default() };
    let settings = toml::Table::new();
    match fit_path("coordinate_descent", matrix, LossKind::Logistic, penalty, &config, &settings) {
        Ok(mut path) => path.remove(0),
        Err(err) => panic!("fit: {err}"),
    }
}

/// Writes the matrix as LIBSVM and one fit's numbers as JSON into `dir`.
fn export(dir: &Path, matrix: &CompactMatrix, point: &PathPoint, seconds: f64) {
    let stem = format!("k{K}_n{ROWS}");
    let svm = dir.join(format!("{stem}.svm"));
    let written = File::create(&svm).map_err(|err| err.to_string()).and_then(|file| {
        write_matrix(file, matrix, LibsvmLabels::ZeroOne).map_err(|e| e.to_string())
    });
    if let Err(err) = written {
        panic!("writing {}: {err}", svm.display());
    }
    let json = format!(
        "{{\n  \"k\": {K},\n  \"rows\": {},\n  \"columns\": {},\n  \"lambda\": {:e},\n  \"tol\": {TOL:e},\n  \"objective\": {:.15e},\n  \"kkt_violation\": {:e},\n  \"duality_gap\": {:e},\n  \"nonzero\": {},\n  \"seconds_one_fit\": {seconds:.4}\n}}\n",
        matrix.n_rows(),
        matrix.n_cols(),
        point.lambda,
        point.objective,
        point.kkt_violation,
        point.duality_gap.unwrap_or(f64::NAN),
        point.model.nonzero(),
    );
    let meta = dir.join(format!("{stem}.json"));
    if let Err(err) = std::fs::write(&meta, json) {
        panic!("writing {}: {err}", meta.display());
    }
    eprintln!("exported {} and {}", svm.display(), meta.display());
}

fn coordinate_descent_l1_logistic(c: &mut Criterion) {
    let matrix = crossed_matrix();
    let lambda = lambda_max(&matrix, LossKind::Logistic, 1.0) / LAMBDA_DIVISOR;
    let penalty = l1();
    let start = Instant::now();
    let point = fit(&matrix, &penalty, lambda);
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "batch_time: k = {K}, {} rows x {} columns, {} nonzeros; lambda = lambda_max / {LAMBDA_DIVISOR} = {lambda:.6e}",
        matrix.n_rows(),
        matrix.n_cols(),
        matrix.x.nnz()
    );
    eprintln!(
        "batch_time: one fit: objective {:.12}, KKT violation {:.2e}, duality gap {:.2e}, {} nonzero weights, {} Newton steps, converged {}, {seconds:.3} s",
        point.objective,
        point.kkt_violation,
        point.duality_gap.unwrap_or(f64::NAN),
        point.model.nonzero(),
        point.iterations,
        point.converged
    );
    if let Some(dir) = std::env::var_os("BATCH_TIME_EXPORT") {
        export(Path::new(&dir), &matrix, &point, seconds);
    }
    let mut group = c.benchmark_group("batch_time");
    group.sample_size(10);
    group.bench_function("cd_l1_logistic_k6_n200000_tol1e-6", |b| {
        b.iter(|| fit(&matrix, &penalty, lambda));
    });
    group.finish();
}

criterion_group!(benches, coordinate_descent_l1_logistic);
criterion_main!(benches);

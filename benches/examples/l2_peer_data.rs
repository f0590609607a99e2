//! Exports the matrices of the liblinear peer comparison and times our batch solver on them, in
//! one process; `benches/peers/liblinear_l2.py` then times liblinear on the same files. L2
//! (`--penalty l2`, the default) runs `trust_region_newton`, L1 (`--penalty l1`) runs
//! `coordinate_descent`.
//!
//! ```text
//! cargo run --release -p benches --example l2_peer_data -- \
//!     --out /tmp/sparsecross_l2_peer --data-dir /work/shared/data
//! cargo run --release -p benches --example l2_peer_data -- --datasets a9a --penalty l1 \
//!     --out /tmp/sparsecross_a9a_l1 --data-dir /work/shared/data
//! ```
//!
//! `a9a` is LIBSVM's bucketized UCI Adult (`DATA_DIR/a9a/a9a`, read as given: index `i` is
//! column `i - 1`, labels -1/+1 as 0/1; the columns that never occur in it are dropped, which
//! changes no objective); its test file `a9a/a9a.t` gives each fit's test accuracy.
//!
//! The matrices: the k = 6 crossed synthetic training matrix of the `batch_time` bench (6
//! marginals of 6 bins plus the full 6^6 cross, generator defaults, 200,000 rows), and the
//! training split of California housing with the features, label and split of
//! `experiments/california_crash_course.toml` (its `[data.real]` table, shuffled with seed 1 as
//! the spec's first grid seed). Each is written as `DIR/NAME.svm` (LIBSVM, labels 0/1, index =
//! column + 1). For every lambda our solver is run once at `--reference-tol` (the reference
//! objective) and, timed (fastest of `--repeats` fits), at each tolerance of `--tols`; every
//! fit is one row of `DIR/ours.csv`. `DIR/meta.json` describes the matrices. The timed work is
//! `fit_path` at one lambda from a cold start: input checks, the column-major copy and the solve.

#[path = "common/peer_fit.rs"]
mod peer_fit;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Parser;
use features::libsvm::{self, write_matrix, LibsvmLabels};
use features::{
    CompactMatrix, FeatureId, SparseExample, SplitName, SyntheticConfig, SyntheticProblem,
};
use optimizers::batch::PathPoint;
use regularizers::Penalty;

/// The solver measured for a penalty.
fn solver(penalty: &str) -> Result<&'static str> {
    match penalty {
        "l2" => Ok("trust_region_newton"),
        "l1" => Ok("coordinate_descent"),
        other => bail!("option --penalty: `{other}` is not one of l1, l2"),
    }
}

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "Export the L2 peer matrices and time trust_region_newton on them")]
struct Args {
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Directory holding california_housing_train.csv.
    #[arg(long)]
    data_dir: PathBuf,
    /// The spec whose `[data.real]` table gives California's features, label and split.
    #[arg(long, default_value = "experiments/california_crash_course.toml")]
    spec: PathBuf,
    /// Shuffle seed of California's split.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Numeric features (and bins per feature) of the synthetic matrix.
    #[arg(long, default_value_t = 6)]
    k: usize,
    /// Rows of the synthetic matrix.
    #[arg(long, default_value_t = 200_000)]
    rows: u64,
    /// L2 strengths (TensorFlow convention, mean-loss scale), comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1e-3,1e-4,1e-5")]
    lambdas: Vec<f64>,
    /// Relative gradient-norm tolerances to time, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1e-1,1e-2,1e-3,1e-4,1e-6")]
    tols: Vec<f64>,
    /// Tolerance of the untimed reference fit.
    #[arg(long, default_value_t = 1e-10)]
    reference_tol: f64,
    /// Timed fits per setting; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// The matrices, comma separated: k6, california, a9a.
    #[arg(long, value_delimiter = ',', default_value = "k6,california")]
    datasets: Vec<String>,
    /// The penalty: l2 (trust_region_newton) or l1 (coordinate_descent).
    #[arg(long, default_value = "l2")]
    penalty: String,
}

/// A matrix to fit, and the test rows that score it (a9a only).
struct PeerData {
    name: String,
    matrix: CompactMatrix,
    test: Vec<SparseExample>,
}

/// One fit, one row of `ours.csv`.
struct FitRow {
    dataset: String,
    lambda: f64,
    tol: f64,
    seconds: f64,
    point: PathPoint,
    /// Accuracy on the test rows (NaN without them).
    test_accuracy: f64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.repeats == 0 {
        bail!("option --repeats must be >= 1, got 0");
    }
    for (option, values) in [("--lambdas", &args.lambdas), ("--tols", &args.tols)] {
        if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            bail!("option {option}: every value must be finite and > 0, got {bad}");
        }
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let solver = solver(&args.penalty)?;
    let datasets: Vec<PeerData> =
        args.datasets.iter().map(|name| dataset(name, &args)).collect::<Result<_>>()?;
    let penalty = Penalty::named(&args.penalty).context("option --penalty")?;
    let mut rows = Vec::new();
    let mut described = Vec::new();
    for PeerData { name, matrix, test } in &datasets {
        described.push(export(&args.out, name, matrix, test)?);
        for &lambda in &args.lambdas {
            let fit =
                |tol, repeats| peer_fit::timed_fit(solver, matrix, &penalty, lambda, tol, repeats);
            let (reference, seconds) = fit(args.reference_tol, 1)?;
            eprintln!(
                "  lambda {lambda:e}: reference objective {:.15} ({} iterations, {seconds:.3} s)",
                reference.objective, reference.iterations
            );
            let test_accuracy = accuracy(&reference, test);
            let tol = args.reference_tol;
            rows.push(FitRow {
                dataset: name.clone(),
                lambda,
                tol,
                seconds,
                point: reference,
                test_accuracy,
            });
            for &tol in &args.tols {
                let (point, seconds) = fit(tol, args.repeats)?;
                eprintln!(
                    "    tol {tol:e}: {seconds:.4} s, objective {:.15}, {} steps",
                    point.objective, point.iterations
                );
                let test_accuracy = accuracy(&point, test);
                rows.push(FitRow {
                    dataset: name.clone(),
                    lambda,
                    tol,
                    seconds,
                    point,
                    test_accuracy,
                });
            }
        }
    }
    write_rows(&args.out.join("ours.csv"), &rows)?;
    let meta = serde_json::json!({
        "solver": solver,
        "penalty": args.penalty,
        "convention": if args.penalty == "l1" {
            "mean log loss + lambda |w|_1, bias unpenalized"
        } else {
            "mean log loss + lambda |w|^2 / 2, bias unpenalized"
        },
        "k": args.k,
        "california_spec": args.spec,
        "california_seed": args.seed,
        "reference_tol": args.reference_tol,
        "repeats": args.repeats,
        "datasets": described,
    });
    let meta_path = args.out.join("meta.json");
    std::fs::write(&meta_path, serde_json::to_string_pretty(&meta)?)
        .with_context(|| format!("writing {}", meta_path.display()))?;
    Ok(())
}

/// Writes `DIR/NAME.svm` (and, with test rows, `DIR/NAME_test.svm` in the same columns: an id
/// the training rows never have is left out, its weight being zero) and describes them.
fn export(
    dir: &Path,
    name: &str,
    matrix: &CompactMatrix,
    test: &[SparseExample],
) -> Result<serde_json::Value> {
    let svm = dir.join(format!("{name}.svm"));
    let file = File::create(&svm).with_context(|| format!("creating {}", svm.display()))?;
    write_matrix(file, matrix, LibsvmLabels::ZeroOne)
        .with_context(|| format!("writing {}", svm.display()))?;
    let positives = matrix.y.iter().filter(|&&y| y == 1.0).count();
    let (rows, columns, nonzeros) = (matrix.n_rows(), matrix.n_cols(), matrix.x.nnz());
    eprintln!("{name}: {rows} rows x {columns} columns, {nonzeros} nonzeros, {positives} positive");
    let mut described = serde_json::json!({
        "name": name, "file": format!("{name}.svm"), "rows": rows,
        "columns": columns, "nonzeros": nonzeros, "positives": positives,
    });
    if !test.is_empty() {
        let column: HashMap<FeatureId, u64> =
            matrix.columns.iter().enumerate().map(|(j, &id)| (id, j as u64)).collect();
        let in_columns: Vec<SparseExample> = test.iter().map(|e| remap(e, &column)).collect();
        let path = dir.join(format!("{name}_test.svm"));
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        libsvm::write_with(file, &in_columns, LibsvmLabels::ZeroOne)
            .with_context(|| format!("writing {}", path.display()))?;
        described["test_file"] = format!("{name}_test.svm").into();
        described["test_rows"] = test.len().into();
    }
    Ok(described)
}

/// `example` with its ids replaced by their training columns (ids without one dropped).
fn remap(example: &SparseExample, column: &HashMap<FeatureId, u64>) -> SparseExample {
    let mut out = SparseExample { label: example.label, ..SparseExample::default() };
    for (id, value) in example.ids.iter().zip(&example.values) {
        if let Some(&j) = column.get(id) {
            out.push(j, *value);
        }
    }
    out
}

/// The matrix named `name` (and a9a's test rows).
fn dataset(name: &str, args: &Args) -> Result<PeerData> {
    let (matrix, test) = match name {
        "k6" => (synthetic(args.k, args.rows)?, Vec::new()),
        "california" => (california(args)?, Vec::new()),
        "a9a" => (CompactMatrix::from_examples(&a9a(args, "a9a")?), a9a(args, "a9a.t")?),
        other => bail!("option --datasets: `{other}` is not one of k6, california, a9a"),
    };
    Ok(PeerData { name: name.to_string(), matrix, test })
}

/// A LIBSVM file of `DATA_DIR/a9a/`, labels -1/+1 read as 0/1.
fn a9a(args: &Args, file: &str) -> Result<Vec<SparseExample>> {
    let path = args.data_dir.join("a9a").join(file);
    let mut examples =
        libsvm::read(&path).with_context(|| format!("reading {}", path.display()))?;
    for (line, example) in examples.iter_mut().enumerate() {
        example.label = match example.label {
            -1.0 | 0.0 => 0.0,
            1.0 => 1.0,
            other => {
                bail!("{} example {}: label {other} is not -1, 0 or 1", path.display(), line + 1)
            }
        };
    }
    Ok(examples)
}

/// Fraction of `test` rows whose predicted class (p > 0.5) is their label; NaN without rows.
fn accuracy(point: &PathPoint, test: &[SparseExample]) -> f64 {
    let right = test.iter().filter(|e| (point.model.predict(e) > 0.5) == (e.label == 1.0)).count();
    right as f64 / test.len() as f64
}

/// The `batch_time` bench's matrix: k marginals and the full cross, `rows` training rows.
fn synthetic(k: usize, rows: u64) -> Result<CompactMatrix> {
    let problem = SyntheticProblem::new(SyntheticConfig { k, ..SyntheticConfig::default() })
        .context("option --k")?;
    let examples: Vec<_> = problem.stream(SplitName::Train, rows).collect();
    Ok(CompactMatrix::from_examples(&examples))
}

/// California's training split as the spec's `[data.real]` table builds it.
fn california(args: &Args) -> Result<CompactMatrix> {
    let (_, loaded) = peer_fit::load_real_spec(&args.spec, &args.data_dir, args.seed)?;
    Ok(CompactMatrix::from_examples(&loaded.train))
}

fn write_rows(path: &Path, rows: &[FitRow]) -> Result<()> {
    let mut out =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    out.write_record([
        "dataset",
        "lambda",
        "tol",
        "seconds",
        "objective",
        "kkt_violation",
        "iterations",
        "converged",
        "nonzero",
        "test_accuracy",
    ])?;
    for row in rows {
        out.write_record([
            row.dataset.to_string(),
            format!("{:e}", row.lambda),
            format!("{:e}", row.tol),
            format!("{:.6}", row.seconds),
            format!("{:.17e}", row.point.objective),
            format!("{:e}", row.point.kkt_violation),
            row.point.iterations.to_string(),
            row.point.converged.to_string(),
            row.point.support.len().to_string(),
            if row.test_accuracy.is_nan() {
                String::new()
            } else {
                format!("{:.6}", row.test_accuracy)
            },
        ])?;
    }
    out.flush().with_context(|| format!("writing {}", path.display()))
}

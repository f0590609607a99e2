//! Exports the two matrices of the L2 peer comparison and times our `trust_region_newton` on
//! them, in one process; `benches/peers/liblinear_l2.py` then times liblinear on the same files.
//!
//! ```text
//! cargo run --release -p benches --example l2_peer_data -- \
//!     --out /tmp/sparsecross_l2_peer --data-dir /work/shared/data
//! ```
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

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;
use features::libsvm::{write_matrix, LibsvmLabels};
use features::real::{self, RealDataSpec};
use features::{CompactMatrix, SplitName, SyntheticConfig, SyntheticProblem};
use optimizers::batch::{fit_path, PathConfig, PathPoint};
use optimizers::LossKind;
use regularizers::Penalty;

/// The solver measured.
const SOLVER: &str = "trust_region_newton";

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
}

/// One fit, one row of `ours.csv`.
struct FitRow {
    dataset: &'static str,
    lambda: f64,
    tol: f64,
    seconds: f64,
    point: PathPoint,
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
    let datasets = [("k6", synthetic(args.k, args.rows)?), ("california", california(&args)?)];
    let penalty = Penalty::named("l2").context("the l2 penalty")?;
    let mut rows = Vec::new();
    let mut described = Vec::new();
    for (name, matrix) in &datasets {
        let svm = args.out.join(format!("{name}.svm"));
        let file = File::create(&svm).with_context(|| format!("creating {}", svm.display()))?;
        write_matrix(file, matrix, LibsvmLabels::ZeroOne)
            .with_context(|| format!("writing {}", svm.display()))?;
        let positives = matrix.y.iter().filter(|&&y| y == 1.0).count();
        eprintln!(
            "{name}: {} rows x {} columns, {} nonzeros, {positives} positive",
            matrix.n_rows(),
            matrix.n_cols(),
            matrix.x.nnz()
        );
        described.push(serde_json::json!({
            "name": name, "file": format!("{name}.svm"), "rows": matrix.n_rows(),
            "columns": matrix.n_cols(), "nonzeros": matrix.x.nnz(), "positives": positives,
        }));
        for &lambda in &args.lambdas {
            let (reference, seconds) = timed_fit(matrix, &penalty, lambda, args.reference_tol, 1)?;
            eprintln!(
                "  lambda {lambda:e}: reference objective {:.15} ({} Newton steps, {seconds:.3} s)",
                reference.objective, reference.iterations
            );
            rows.push(FitRow {
                dataset: name,
                lambda,
                tol: args.reference_tol,
                seconds,
                point: reference,
            });
            for &tol in &args.tols {
                let (point, seconds) = timed_fit(matrix, &penalty, lambda, tol, args.repeats)?;
                eprintln!(
                    "    tol {tol:e}: {seconds:.4} s, objective {:.15}, {} steps",
                    point.objective, point.iterations
                );
                rows.push(FitRow { dataset: name, lambda, tol, seconds, point });
            }
        }
    }
    write_rows(&args.out.join("ours.csv"), &rows)?;
    let meta = serde_json::json!({
        "solver": SOLVER,
        "convention": "mean log loss + lambda |w|^2 / 2, bias unpenalized",
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

/// The `batch_time` bench's matrix: k marginals and the full cross, `rows` training rows.
fn synthetic(k: usize, rows: u64) -> Result<CompactMatrix> {
    let problem = SyntheticProblem::new(SyntheticConfig { k, ..SyntheticConfig::default() })
        .context("option --k")?;
    let examples: Vec<_> = problem.stream(SplitName::Train, rows).collect();
    Ok(CompactMatrix::from_examples(&examples))
}

/// California's training split as the spec's `[data.real]` table builds it.
fn california(args: &Args) -> Result<CompactMatrix> {
    let text = std::fs::read_to_string(&args.spec)
        .with_context(|| format!("reading {}", args.spec.display()))?;
    let spec: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", args.spec.display()))?;
    let table = spec
        .get("data")
        .and_then(|d| d.get("real"))
        .cloned()
        .with_context(|| format!("{}: no [data.real] table", args.spec.display()))?;
    let mut real_spec: RealDataSpec =
        table.try_into().with_context(|| format!("{}: [data.real]", args.spec.display()))?;
    real_spec.split.seed = args.seed;
    let loaded = real::load(&args.data_dir, &real_spec)
        .with_context(|| format!("loading {} from {}", real_spec.file, args.data_dir.display()))?;
    Ok(CompactMatrix::from_examples(&loaded.train))
}

/// The fastest of `repeats` fits at one lambda and tolerance, with its point.
fn timed_fit(
    matrix: &CompactMatrix,
    penalty: &Penalty,
    lambda: f64,
    tol: f64,
    repeats: usize,
) -> Result<(PathPoint, f64)> {
    let config = PathConfig { lambdas: Some(vec![lambda]), tol, ..PathConfig::default() };
    let settings = toml::Table::new();
    let mut best: Option<(PathPoint, f64)> = None;
    for _ in 0..repeats {
        let started = Instant::now();
        let mut path = fit_path(SOLVER, matrix, LossKind::Logistic, penalty, &config, &settings)
            .with_context(|| format!("{SOLVER} at lambda {lambda:e}, tol {tol:e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        let point = path.remove(0);
        if best.as_ref().is_none_or(|(_, fastest)| seconds < *fastest) {
            best = Some((point, seconds));
        }
    }
    best.context("no fit ran")
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
        ])?;
    }
    out.flush().with_context(|| format!("writing {}", path.display()))
}

//! Exports the synthetic crossed data (or a spec's real data) for the peer tools and times our
//! online learners on exactly those rows, in one process.
//!
//! ```text
//! cargo run --release -p benches --example peer_data -- \
//!     --k 8 --n-train 200000 --n-test 50000 --seed 1 --out /tmp/sparsecross_peers/k8
//! cargo run --release -p benches --example peer_data -- \
//!     --spec experiments/criteo_adkdd21.toml --data-dir DATA --out /tmp/sparsecross_peers/criteo
//! ```
//!
//! With `--spec`, the rows are the train and test splits of the spec's `[data.real]` table (its
//! split shuffled with `--seed`; `--k`, `--n-train` and `--n-test` are not used) and our batch
//! solvers (`coordinate_descent` L1, `trust_region_newton` L2) are timed too, the counterparts of
//! scikit-learn's `LogisticRegression`.
//!
//! Writes into `--out`: `train.svm`, `test.svm` (LIBSVM, index = id + 1, labels 0/1),
//! `train.vw`, `test.vw` (VW text, labels -1/1, namespace `f`), `test.prob` (true
//! probabilities), `ours.csv` (one row per learner and lambda, the schema of `report`) and
//! `meta.json` (what the Python driver needs: dimension, sizes, the shared knobs). The data are
//! the synthetic problem's defaults (marginals plus the full k^k cross, 4 planted pairwise
//! interactions). Normally run by `benches/peers/online_peers.py`, which then runs Vowpal Wabbit
//! and scikit-learn on the same files; see `benches/peers/README.md`.

mod batch;
mod export;
mod grid;
mod measure;
#[path = "../common/peer_fit.rs"]
mod peer_fit;
mod report;
mod source;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use features::CompactMatrix;
use optimizers::eval::bayes;

use grid::GridParams;
use report::ResultRow;

/// Command line.
#[derive(Debug, Parser)]
#[command(
    about = "Export synthetic crossed data for peer tools and time our online learners on it"
)]
struct Args {
    /// Numeric features, each cut into k bins; the full cross has k^k cells.
    #[arg(long, default_value_t = 8)]
    k: usize,
    /// Training rows.
    #[arg(long, default_value_t = 200_000)]
    n_train: u64,
    /// Test rows.
    #[arg(long, default_value_t = 50_000)]
    n_test: u64,
    /// Seed of the synthetic problem (true model and rows).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A spec whose `[data.real]` table gives the rows instead of the generator.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Where the spec's data files are (default: the `SPARSECROSS_DATA_DIR` variable).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Tolerance of the batch solvers (`--spec` only; relative gradient norm, as the spec's).
    #[arg(long, default_value_t = 1e-6)]
    batch_tol: f64,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Strengths on the mean-loss scale, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1e-6,1e-5,1e-4")]
    lambdas: Vec<f64>,
    /// Passes over the training rows.
    #[arg(long, default_value_t = 1)]
    passes: usize,
    /// Timed runs per setting; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// First step size of the SGD-type rules, `eta_t = eta0 / sqrt(t)`.
    #[arg(long, default_value_t = 0.5)]
    eta0: f64,
    /// FTRL alpha.
    #[arg(long, default_value_t = 0.1)]
    ftrl_alpha: f64,
    /// FTRL beta.
    #[arg(long, default_value_t = 1.0)]
    ftrl_beta: f64,
    /// Truncation period K of truncated gradient (truncate every K steps by K eta lambda).
    #[arg(long, default_value_t = 10)]
    truncation_period: u32,
    /// Write the files and `meta.json` only; train nothing (`ours.csv` is not written).
    #[arg(long)]
    export_only: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    for (option, value) in [
        ("--passes", args.passes as u64),
        ("--n-train", args.n_train),
        ("--n-test", args.n_test),
        ("--truncation-period", u64::from(args.truncation_period)),
    ] {
        if value == 0 {
            anyhow::bail!("option {option} must be >= 1, got 0");
        }
    }
    if let Some(bad) = args.lambdas.iter().find(|l| !(l.is_finite() && **l >= 0.0)) {
        anyhow::bail!("option --lambdas: every strength must be finite and >= 0, got {bad}");
    }
    let rows_source = match &args.spec {
        Some(spec) => {
            let data_dir = args
                .data_dir
                .clone()
                .or_else(|| std::env::var_os("SPARSECROSS_DATA_DIR").map(PathBuf::from))
                .context(
                    "option --data-dir (or SPARSECROSS_DATA_DIR): --spec reads real data from it",
                )?;
            source::real(spec, &data_dir, args.seed)?
        }
        None => source::synthetic(args.k, args.seed, args.n_train, args.n_test)?,
    };
    eprintln!(
        "{}: dimension {}, writing {} train + {} test rows to {}",
        rows_source.name,
        rows_source.dimension,
        rows_source.train.len(),
        rows_source.test.len(),
        args.out.display()
    );
    let data = export::export(&rows_source.train, &rows_source.test, &args.out)?;
    let bayes_log_loss = bayes(&data.test).map(|m| m.log_loss).unwrap_or(f64::NAN);
    let k = if args.spec.is_some() { 0 } else { args.k };

    let params = GridParams {
        eta0: args.eta0,
        ftrl_alpha: args.ftrl_alpha,
        ftrl_beta: args.ftrl_beta,
        truncation_period: args.truncation_period,
        steps: data.train.len() as u64 * args.passes as u64,
    };
    if args.export_only {
        return write_meta(&args, &rows_source.name, rows_source.dimension, &data, bayes_log_loss);
    }
    let mut rows = Vec::new();
    println!("{}", report::header());
    for setting in grid::settings(&args.lambdas, &params)? {
        let measured =
            measure::measure(&setting, &data.train, &data.test, args.passes, args.repeats)?;
        let row = ResultRow {
            k,
            tool: "sparsecross".into(),
            algorithm: setting.algorithm.into(),
            penalty: setting.penalty.name().into(),
            lambda: setting.lambda,
            setting: setting.description,
            passes: args.passes,
            nnz: measured.nonzero,
            test_log_loss: measured.test.log_loss,
            test_auc: measured.test.auc,
            train_seconds: measured.train_seconds,
            examples_per_second: params.steps as f64 / measured.train_seconds,
            load_seconds: data.load_seconds,
            bayes_log_loss,
        };
        println!("{}", report::line(&row));
        rows.push(row);
    }
    if args.spec.is_some() {
        rows.extend(batch_rows(&args, &data, k)?);
    }
    report::write_csv(&args.out.join("ours.csv"), &rows)?;
    write_meta(&args, &rows_source.name, rows_source.dimension, &data, bayes_log_loss)?;
    println!(
        "bayes test log loss {bayes_log_loss:.5}; parsing train.svm took {:.3} s",
        data.load_seconds
    );
    Ok(())
}

/// `meta.json`: what the Python driver needs about the data and the shared knobs.
fn write_meta(
    args: &Args,
    name: &str,
    dimension: u64,
    data: &export::ExportedData,
    bayes_log_loss: f64,
) -> Result<()> {
    let k = if args.spec.is_some() { 0 } else { args.k };
    let meta = serde_json::json!({
        "k": k,
        "name": name,
        "spec": args.spec,
        "batch_tol": args.batch_tol,
        "seed": args.seed,
        "n_train": data.train.len(),
        "n_test": data.test.len(),
        "dimension": dimension,
        "touched_train_ids": data.touched,
        "lambdas": args.lambdas,
        "passes": args.passes,
        "repeats": args.repeats,
        "eta0": args.eta0,
        "ftrl_alpha": args.ftrl_alpha,
        "ftrl_beta": args.ftrl_beta,
        "truncation_period": args.truncation_period,
        "bayes_log_loss": bayes_log_loss,
        "load_seconds": data.load_seconds,
    });
    let meta_path = args.out.join("meta.json");
    std::fs::write(&meta_path, serde_json::to_string_pretty(&meta)?)
        .with_context(|| format!("writing {}", meta_path.display()))
}

/// Our batch solvers at every lambda, on the training rows as one CSR (built untimed).
fn batch_rows(args: &Args, data: &export::ExportedData, k: usize) -> Result<Vec<ResultRow>> {
    let matrix = CompactMatrix::from_examples(&data.train);
    let mut rows = Vec::new();
    for &lambda in &args.lambdas {
        for fit in batch::fits(&matrix, &data.test, lambda, args.batch_tol, args.repeats)? {
            let row = ResultRow {
                k,
                tool: "sparsecross".into(),
                algorithm: fit.solver.into(),
                penalty: fit.penalty.into(),
                lambda,
                setting: format!("tol={} objective={:.10}", args.batch_tol, fit.objective),
                passes: 0,
                nnz: fit.nonzero,
                test_log_loss: fit.test.log_loss,
                test_auc: fit.test.auc,
                train_seconds: fit.seconds,
                examples_per_second: data.train.len() as f64 / fit.seconds,
                load_seconds: data.load_seconds,
                bayes_log_loss: f64::NAN,
            };
            println!("{}", report::line(&row));
            rows.push(row);
        }
    }
    Ok(rows)
}

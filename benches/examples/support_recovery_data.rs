//! Exports the rows of one (p, seed) data set of a `support_recovery*` spec, exactly as the
//! runner draws them, for `benches/peers/support_recovery.py` to fit abess, L0Learn and
//! scikit-learn on:
//!
//! ```text
//! cargo run --release -p benches --example support_recovery_data -- \
//!     --spec experiments/support_recovery.toml --k 1000 --seed 1 --out /tmp/sr_peer
//! ```
//!
//! The spec's `[data.synthetic]` table with `k` and `seed` set (as the runner's
//! `synthetic_config`) and its `n_train`, `n_validation`, `n_test` give the generator's three
//! splits. Each split is written as `OUT/{train,validation,test}_x.npy` (float64, rows by p,
//! every value; NumPy's format 1.0) and `OUT/{split}_y.npy` (labels 0/1 as float64);
//! `OUT/truth.json` holds p, the true support (0-based columns), the coefficients, and each
//! split's Bayes log loss (the mean log loss of the examples' true probabilities).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Parser;
use features::{SparseExample, SplitName, SyntheticConfig, SyntheticProblem};

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "Export one data set of a support_recovery spec as .npy files")]
struct Args {
    /// The spec (its `[data]` sizes and `[data.synthetic]` table).
    #[arg(long)]
    spec: PathBuf,
    /// Number of features p (a value of the spec's `grid.k`).
    #[arg(long)]
    k: usize,
    /// The data set's seed (a value of the spec's `grid.seeds`).
    #[arg(long)]
    seed: u64,
    /// Output directory (created).
    #[arg(long)]
    out: PathBuf,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.spec)
        .with_context(|| format!("reading {}", args.spec.display()))?;
    let spec: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", args.spec.display()))?;
    let data = spec.get("data").and_then(|d| d.as_table()).context("the spec has no [data]")?;
    let config = synthetic_config(data, args.k, args.seed)
        .with_context(|| format!("{}: [data.synthetic]", args.spec.display()))?;
    if config.gaussian.is_none() {
        bail!("{}: [data.synthetic.gaussian] is missing", args.spec.display());
    }
    let problem = SyntheticProblem::new(config)?;
    std::fs::create_dir_all(&args.out)?;
    let mut bayes = Vec::new();
    for (split, key, name) in [
        (SplitName::Train, "n_train", "train"),
        (SplitName::Validation, "n_validation", "validation"),
        (SplitName::Test, "n_test", "test"),
    ] {
        let n = split_size(data, key)?;
        let rows: Vec<SparseExample> = problem.stream(split, n).collect();
        write_split(&args.out, name, &rows, args.k)?;
        bayes.push((name, bayes_log_loss(&rows)));
    }
    write_truth(&args.out, &problem, args.k, &bayes)
}

/// The `[data.synthetic]` table as the runner reads it, with `k` and `seed` set.
fn synthetic_config(data: &toml::Table, k: usize, seed: u64) -> Result<SyntheticConfig> {
    let table = data.get("synthetic").cloned().context("no [data.synthetic] table")?;
    let mut config: SyntheticConfig = table.try_into()?;
    config.k = k;
    config.seed = seed;
    Ok(config)
}

fn split_size(data: &toml::Table, key: &str) -> Result<u64> {
    let value = data.get(key).and_then(|v| v.as_integer());
    match value.map(u64::try_from) {
        Some(Ok(n)) if n > 0 => Ok(n),
        _ => bail!("`data.{key}` must be a whole number >= 1 (a grid list of sizes is not read)"),
    }
}

/// `OUT/NAME_x.npy` (rows by p) and `OUT/NAME_y.npy`; every row must list ids `0..p` in order.
fn write_split(out: &Path, name: &str, rows: &[SparseExample], p: usize) -> Result<()> {
    let mut x = npy_writer(&out.join(format!("{name}_x.npy")), &format!("({}, {p})", rows.len()))?;
    for (i, row) in rows.iter().enumerate() {
        if row.ids.len() != p || row.ids.iter().enumerate().any(|(j, &id)| id != j as u64) {
            bail!("{name} row {i}: the Gaussian mode lists ids 0..{p} in order");
        }
        row.values.iter().try_for_each(|v| x.write_all(&v.to_le_bytes()))?;
    }
    x.flush()?;
    let mut y = npy_writer(&out.join(format!("{name}_y.npy")), &format!("({},)", rows.len()))?;
    rows.iter().try_for_each(|r| y.write_all(&r.label.to_le_bytes()))?;
    y.flush()?;
    Ok(())
}

/// A file with NumPy's format-1.0 header for little-endian float64 of `shape`, ready for the
/// values in C order.
fn npy_writer(path: &Path, shape: &str) -> Result<BufWriter<File>> {
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut file =
        BufWriter::new(File::create(path).with_context(|| format!("creating {}", path.display()))?);
    file.write_all(b"\x93NUMPY\x01\x00")?;
    file.write_all(&u16::try_from(header.len())?.to_le_bytes())?;
    file.write_all(header.as_bytes())?;
    Ok(file)
}

/// Mean log loss of the true probabilities (what no model can beat in expectation).
fn bayes_log_loss(rows: &[SparseExample]) -> f64 {
    let loss = |r: &SparseExample| {
        let p = r.true_prob.unwrap_or(0.5).clamp(1e-15, 1.0 - 1e-15);
        if r.label > 0.5 {
            -p.ln()
        } else {
            -(1.0 - p).ln()
        }
    };
    rows.iter().map(loss).sum::<f64>() / rows.len().max(1) as f64
}

fn write_truth(
    out: &Path,
    problem: &SyntheticProblem,
    p: usize,
    bayes: &[(&str, f64)],
) -> Result<()> {
    let coefficients = problem.gaussian_coefficients();
    let bayes: serde_json::Map<String, serde_json::Value> =
        bayes.iter().map(|&(name, loss)| (name.to_string(), loss.into())).collect();
    let truth = serde_json::json!({
        "p": p,
        "seed": problem.config().seed,
        "support": coefficients.iter().map(|&(j, _)| j).collect::<Vec<_>>(),
        "coefficients": coefficients.iter().map(|&(_, b)| b).collect::<Vec<_>>(),
        "bias": problem.bias(),
        "bayes_log_loss": bayes,
    });
    let path = out.join("truth.json");
    std::fs::write(&path, serde_json::to_string_pretty(&truth)?)
        .with_context(|| format!("writing {}", path.display()))
}

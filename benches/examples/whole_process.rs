//! The whole process from a LIBSVM text file to a saved model, as one command: our side of
//! `benches/peers/whole_process.py`, the counterpart of `vw -d train.vw ... -f model`.
//!
//! ```text
//! cargo run --release -p benches --example whole_process -- \
//!     --train /tmp/sparsecross_whole/k10_n1e7/train.svm --model /tmp/m.bin \
//!     --learner ftrl_l1 --lambda 1e-6 --passes 1 [--read-ahead | --held]
//! ```
//!
//! Streamed (the default): the file's examples are counted (one fast scan: the training loop
//! needs a pass's length), then every pass reads and parses the file again
//! (`features::libsvm::Reader`) while training, on one thread, or with `--read-ahead` on a reader
//! thread that hands the trainer blocks of parsed examples (`optimizers::online::
//! train_reading_ahead`; VW also parses on a thread of its own). Memory does not grow with the
//! file. `--held` parses the whole file into memory first and times training apart: the
//! training-only figure. Either way the model is then written as binary, the bias then one
//! `(u64 id, f32 weight)` per nonzero weight, little-endian (12 bytes each, the project's served
//! model). Learners (batch size 1, as VW), set up exactly as `peer_data` sets them up for
//! `online_peers.py`: `ftrl_l1` / `ftrl_l2` (FTRL-Proximal in the total form, strength
//! `lambda * rows * passes`, alpha 0.1, beta 1, as VW's `--ftrl --l1/--l2`) and `sgd_l2`
//! (`eta0 / sqrt(t)`, eta0 0.5, L2 in the TensorFlow convention, as VW's `--sgd -l 0.5
//! --power_t 0.5 --l2`). Prints one JSON object: rows, seconds of each stage, nonzero weights,
//! the training state's bytes, the process's own peak RSS and, with `--test`, the saved model's
//! test log loss (scored after the clock stops).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use features::{libsvm, FeaturesError, SparseExample};
use optimizers::online::{build, train, train_reading_ahead, Pass, PassSource, Passes};
use optimizers::LinearModel;

// Shared with `peer_data`, which uses the grid's other learners and fields.
#[allow(dead_code)]
#[path = "peer_data/grid.rs"]
mod grid;
use grid::{settings, GridParams, Setting};

/// Command line.
#[derive(Debug, Parser)]
#[command(about = "Train one online learner from a LIBSVM file and save its model, timed")]
struct Args {
    /// The training file (LIBSVM: `label index:value ...`, labels 0/1 or -1/+1).
    #[arg(long)]
    train: PathBuf,
    /// Where the model is written (binary: bias, then (u64 id, f32 weight) per nonzero).
    #[arg(long)]
    model: PathBuf,
    /// Which learner.
    #[arg(long, value_enum)]
    learner: Learner,
    /// Strength on the mean-loss scale.
    #[arg(long)]
    lambda: f64,
    /// Passes over the file.
    #[arg(long, default_value_t = 1)]
    passes: u32,
    /// Read and parse on a second thread while training.
    #[arg(long, conflicts_with = "held")]
    read_ahead: bool,
    /// Parse the whole file into memory first; training is then timed alone.
    #[arg(long)]
    held: bool,
    /// A test file (LIBSVM) to score the saved model on, after the clock stops.
    #[arg(long)]
    test: Option<PathBuf>,
}

/// The learners the comparison runs.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum Learner {
    /// FTRL-Proximal with L1 (total form).
    FtrlL1,
    /// FTRL-Proximal with L2 (total form).
    FtrlL2,
    /// SGD with L2, `eta0 / sqrt(t)`.
    SgdL2,
}

/// A LIBSVM file read pass after pass.
struct LibsvmFile {
    path: PathBuf,
    rows: u64,
}

/// One pass over a [`LibsvmFile`].
struct LibsvmPass(libsvm::Reader);

impl Pass for LibsvmPass {
    type Error = FeaturesError;

    fn next_into(&mut self, example: &mut SparseExample) -> Result<bool, FeaturesError> {
        self.0.next_into(example)
    }
}

impl PassSource for LibsvmFile {
    type Error = FeaturesError;
    type Pass<'a> = LibsvmPass;

    fn len(&self) -> u64 {
        self.rows
    }

    fn open(&self) -> Result<LibsvmPass, FeaturesError> {
        libsvm::Reader::open(&self.path).map(LibsvmPass)
    }
}

/// Examples in a LIBSVM file: lines with something before any `#` (what the reader parses).
fn count_examples(path: &Path) -> Result<u64> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let mut rows = 0;
    while reader
        .read_until(b'\n', &mut line)
        .with_context(|| format!("reading {}", path.display()))?
        > 0
    {
        let content = line.split(|&b| b == b'#').next().unwrap_or_default();
        rows += u64::from(content.iter().any(|b| !b.is_ascii_whitespace()));
        line.clear();
    }
    Ok(rows)
}

/// The learner as `online_peers.py` runs it (the same settings, from `peer_data`'s grid).
fn setting(learner: Learner, lambda: f64, steps: u64) -> Result<Setting> {
    let params =
        GridParams { eta0: 0.5, ftrl_alpha: 0.1, ftrl_beta: 1.0, truncation_period: 10, steps };
    let (algorithm, penalty) = match learner {
        Learner::FtrlL1 => ("ftrl", "l1"),
        Learner::FtrlL2 => ("ftrl", "l2"),
        Learner::SgdL2 => ("sgd", "l2"),
    };
    settings(&[lambda], &params)?
        .into_iter()
        .find(|s| s.algorithm == algorithm && s.penalty.name() == penalty)
        .context("no such learner in the grid")
}

/// Writes the model: bias as f32, then (u64 id, f32 weight) per nonzero weight, little-endian.
fn save(model: &LinearModel, path: &Path) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    out.write_all(&(model.bias as f32).to_le_bytes())?;
    for &(id, weight) in &model.weights {
        out.write_all(&id.to_le_bytes())?;
        out.write_all(&(weight as f32).to_le_bytes())?;
    }
    out.flush().with_context(|| format!("writing {}", path.display()))
}

/// This process's peak RSS (`VmHWM`), in bytes; 0 when unknown. Read by the process itself
/// because a parent's `wait4` figure starts at the parent's own size.
fn own_peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok());
    kib.unwrap_or(0) * 1024
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.passes == 0 || !(args.lambda.is_finite() && args.lambda >= 0.0) {
        bail!("option --passes must be >= 1 and --lambda finite and >= 0");
    }
    if args.model == args.train {
        bail!("option --model: {} is the training file", args.model.display());
    }
    let started = Instant::now();
    let held = if args.held { Some(libsvm::read(&args.train)?) } else { None };
    let rows = match &held {
        Some(rows) => rows.len() as u64,
        None => count_examples(&args.train)?,
    };
    let read_seconds = started.elapsed().as_secs_f64();
    let setting = setting(args.learner, args.lambda, rows * u64::from(args.passes))?;
    let regularizer = setting.penalty.at(setting.strength).context("option --lambda")?;
    let passes = Passes { epochs: args.passes, ..Passes::once(1) };
    let training = Instant::now();
    let mut optimizer =
        build(setting.optimizer, regularizer.as_ref(), &setting.config, &setting.settings)?;
    let file = LibsvmFile { path: args.train.clone(), rows };
    let trained = match (&held, args.read_ahead) {
        (Some(rows), _) => train(optimizer.as_mut(), rows.as_slice(), &passes)?,
        (None, false) => train(optimizer.as_mut(), &file, &passes)?,
        (None, true) => train_reading_ahead(optimizer.as_mut(), &file, &passes)?,
    };
    let model = optimizer.model();
    let train_seconds = training.elapsed().as_secs_f64();
    save(&model, &args.model)?;
    if optimizer.diverged() {
        bail!("{} diverged", setting.description);
    }
    let total_seconds = started.elapsed().as_secs_f64();
    let test_log_loss = match &args.test {
        Some(path) => Some(optimizers::eval::evaluate(&model, &libsvm::read(path)?).log_loss),
        None => None,
    };
    let summary = serde_json::json!({
        "rows": rows,
        "examples": trained.examples,
        "read_seconds": read_seconds,
        "train_seconds": train_seconds,
        "total_seconds": total_seconds,
        "nonzero_weights": model.nonzero(),
        "train_state_bytes": optimizer.memory().peak_state_bytes,
        "test_log_loss": test_log_loss,
        "peak_rss_bytes": own_peak_rss_bytes(),
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{summary}")?;
    Ok(())
}

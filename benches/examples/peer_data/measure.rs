//! Times one of our settings on the in-memory training rows and scores it on the test rows.
//!
//! Timed: building the optimizer, `passes` passes of batch-size-1 steps over the rows through the
//! library's one training loop (`optimizers::online::train`, the loop the runner's online runs
//! call; held rows in order: batches are slices, nothing copied), and exporting the model (pending lazy penalties caught up, zeros dropped),
//! the counterpart of the peers' fit from a parsed or cached representation. Parsing is timed
//! separately (see `export`). The best of `repeats` runs is kept, as for the peers.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use features::SparseExample;
use optimizers::eval::{evaluate, Metrics};
use optimizers::online::{build, train as train_passes, Passes};
use optimizers::LinearModel;

use crate::grid::Setting;

/// What one setting achieved.
pub struct Measured {
    /// Nonzero weights, bias excluded.
    pub nonzero: u64,
    /// Test metrics of the trained model.
    pub test: Metrics,
    /// Best training time over the repeats, in seconds.
    pub train_seconds: f64,
}

/// Trains `setting` `repeats` times (at least once) and scores the last model.
pub fn measure(
    setting: &Setting,
    train: &[SparseExample],
    test: &[SparseExample],
    passes: usize,
    repeats: usize,
) -> Result<Measured> {
    let regularizer = setting
        .penalty
        .at(setting.strength)
        .with_context(|| format!("option --lambdas: {}", setting.lambda))?;
    let plan = Passes { epochs: epochs(passes)?, ..Passes::once(1) };
    let mut best = f64::INFINITY;
    let mut model = LinearModel::default();
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let mut optimizer =
            build(setting.optimizer, regularizer.as_ref(), &setting.config, &setting.settings)
                .with_context(|| format!("{} at lambda {}", setting.algorithm, setting.lambda))?;
        train_passes(optimizer.as_mut(), train, &plan)?;
        model = optimizer.model();
        best = best.min(started.elapsed().as_secs_f64());
        if optimizer.diverged() {
            bail!("{} at lambda {} diverged", setting.algorithm, setting.lambda);
        }
    }
    Ok(Measured { nonzero: model.nonzero(), test: evaluate(&model, test), train_seconds: best })
}

/// `--passes` as the loop's pass count.
fn epochs(passes: usize) -> Result<u32> {
    u32::try_from(passes).with_context(|| format!("option --passes: {passes} is too many passes"))
}

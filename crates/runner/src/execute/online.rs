//! One online run: builds the optimizer, feeds it the training split in mini-batches (for a
//! number of passes, or of steps cycling over the split, optionally reshuffled each pass), and
//! records its model, memory and time. The unit's spec entry is mapped onto the library's
//! [`OnlineConfig`] by `online_config`.

use features::SparseExample;
use optimizers::online::{self, OnlineConfig, OnlineOptimizer, StoreKind};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::execute::machine;
use crate::execute::measure::measured;
use crate::execute::row::{base_record, fail, fill_model, RunContext, RunOutput};
use crate::plan::{LambdaPlan, TrainingPlan, Unit};
use crate::record;
use crate::spec::{ExperimentSpec, StoreSpec};

/// The online configuration of a unit: the spec's for its entry, with the dense store sized
/// by `dimension` and the run's seed.
fn online_config(unit: &Unit, spec: &ExperimentSpec, dimension: u64, seed: u64) -> OnlineConfig {
    let store = match unit.store() {
        StoreSpec::Sparse => StoreKind::Sparse,
        StoreSpec::Dense => StoreKind::Dense { dimension },
    };
    OnlineConfig { store, seed, ..spec.online_config(&unit.optimizer) }
}

/// Why the unit's optimizer cannot be built, whatever the data (e.g. an L2 gradient step too
/// large for the first step size at its lambda); `None` when it can. Nothing large is
/// allocated: the store is sparse and the admission filter left out, as in the spec's checks.
pub fn refusal(unit: &Unit, spec: &ExperimentSpec) -> Option<String> {
    let LambdaPlan::Single(lambda) = unit.lambdas else {
        return Some("online unit without a single lambda".to_string());
    };
    let entry = match online::lookup(&unit.optimizer_kind) {
        Ok(entry) => entry,
        Err(e) => return Some(e.to_string()),
    };
    let regularizer = match unit.penalty.at(lambda) {
        Ok(reg) => reg,
        Err(e) => return Some(e.to_string()),
    };
    let config = OnlineConfig { admission: Default::default(), ..online_config(unit, spec, 1, 0) };
    let config = OnlineConfig { store: StoreKind::Sparse, ..config };
    entry.build(regularizer.as_ref(), &config, &unit.settings).err().map(|e| e.to_string())
}

/// Examples in visiting order: passes over `0..n`, each pass reshuffled with the run's seed when
/// `shuffle` is on, for `total` examples.
struct Order {
    n: usize,
    shuffle: bool,
    rng: ChaCha8Rng,
    pass: Vec<usize>,
    position: usize,
}

impl Order {
    fn new(n: usize, shuffle: bool, seed: u64) -> Self {
        Self { n, shuffle, rng: ChaCha8Rng::seed_from_u64(seed), pass: Vec::new(), position: n }
    }

    fn next_index(&mut self) -> usize {
        if self.position == self.n {
            self.position = 0;
            if self.shuffle {
                if self.pass.is_empty() {
                    self.pass = (0..self.n).collect();
                }
                self.pass.shuffle(&mut self.rng);
            }
        }
        let i = if self.shuffle { self.pass[self.position] } else { self.position };
        self.position += 1;
        i
    }
}

/// Copies `source` into `target`, reusing `target`'s buffers.
fn copy_example(target: &mut SparseExample, source: &SparseExample) {
    target.ids.clone_from(&source.ids);
    target.values.clone_from(&source.values);
    target.label = source.label;
    target.true_prob = source.true_prob;
}

/// Trains `optimizer` per `plan`; returns the number of examples consumed.
fn train(
    optimizer: &mut dyn OnlineOptimizer,
    train: &[SparseExample],
    plan: &TrainingPlan,
    seed: u64,
) -> u64 {
    let n = train.len();
    if n == 0 {
        return 0;
    }
    let batch_size = plan.batch_size.max(1);
    let total = match plan.steps {
        Some(steps) => steps.saturating_mul(batch_size as u64),
        None => plan.epochs as u64 * n as u64,
    };
    if plan.steps.is_none() && !plan.shuffle {
        // Plain passes: batches are slices of the split, nothing is copied.
        for _ in 0..plan.epochs {
            for batch in train.chunks(batch_size) {
                if optimizer.diverged() {
                    return total;
                }
                optimizer.train_batch(batch);
            }
        }
        return total;
    }
    let mut order = Order::new(n, plan.shuffle, seed);
    let mut batch: Vec<SparseExample> = Vec::with_capacity(batch_size);
    let mut consumed = 0u64;
    while consumed < total && !optimizer.diverged() {
        let size = (total - consumed).min(batch_size as u64) as usize;
        batch.resize_with(size, SparseExample::default);
        for slot in batch.iter_mut() {
            copy_example(slot, &train[order.next_index()]);
        }
        optimizer.train_batch(&batch);
        consumed += size as u64;
    }
    consumed
}

/// Runs one online unit.
pub fn run(unit: &Unit, ctx: &RunContext<'_>) -> RunOutput {
    let data = ctx.dataset;
    let mut r = base_record(unit, 0, ctx);
    let LambdaPlan::Single(lambda) = unit.lambdas else {
        fail(&mut r, "online unit without a single lambda");
        return RunOutput { record: r, model: None };
    };
    r.lambda = lambda;
    r.batch_size = unit.training.batch_size as u64;
    let entry = match online::lookup(&unit.optimizer_kind) {
        Ok(entry) => entry,
        Err(e) => {
            fail(&mut r, e);
            return RunOutput { record: r, model: None };
        }
    };
    r.schedule = match entry.rate_text(&unit.settings, &unit.training.schedule) {
        Ok(text) => text,
        Err(e) => {
            fail(&mut r, e);
            return RunOutput { record: r, model: None };
        }
    };
    if let Some(clip) = unit.training.clip_norm {
        r.schedule.push_str(&format!(",clip={clip}"));
    }
    let regularizer = match unit.penalty.at(lambda) {
        Ok(reg) => reg,
        Err(e) => {
            fail(&mut r, e);
            return RunOutput { record: r, model: None };
        }
    };
    let config = online_config(unit, ctx.spec, r.dimension, data.key.seed);
    let (result, measurement) = measured(ctx.reset_rss, || {
        let mut optimizer = entry.build(regularizer.as_ref(), &config, &unit.settings)?;
        let examples = train(optimizer.as_mut(), &data.train, &unit.training, data.key.seed);
        let model = optimizer.model();
        Ok::<_, online::OnlineError>((examples, model, optimizer.memory(), optimizer.diverged()))
    });
    r.peak_rss_bytes = machine::peak_rss_bytes();
    r.train_seconds = measurement.seconds;
    r.peak_heap_bytes = measurement.peak_heap_bytes;
    let (examples, model, memory, diverged) = match result {
        Ok(out) => out,
        Err(e) => {
            fail(&mut r, e);
            return RunOutput { record: r, model: None };
        }
    };
    r.epochs = if r.n_train == 0 { 0.0 } else { examples as f64 / r.n_train as f64 };
    r.examples_per_second = examples as f64 / measurement.seconds.max(1e-12);
    r.train_state_bytes = memory.peak_state_bytes;
    fill_model(&mut r, &model, data);
    if diverged && r.status == record::STATUS_OK {
        r.status = record::STATUS_DIVERGED.to_string();
        r.message = "the optimizer met a NaN or infinity and stopped".to_string();
    }
    RunOutput { record: r, model: ctx.keep_models.then_some(model) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_visits_every_index_once_per_pass() {
        let mut order = Order::new(5, true, 7);
        let mut pass: Vec<usize> = (0..5).map(|_| order.next_index()).collect();
        pass.sort_unstable();
        assert_eq!(pass, vec![0, 1, 2, 3, 4]);
        let mut plain = Order::new(3, false, 7);
        let seen: Vec<usize> = (0..7).map(|_| plain.next_index()).collect();
        assert_eq!(seen, vec![0, 1, 2, 0, 1, 2, 0]);
    }
}

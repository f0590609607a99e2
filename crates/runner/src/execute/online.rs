//! One online run: builds the optimizer, feeds it the training split in mini-batches (for a
//! number of passes, or of steps cycling over the split, optionally reshuffled each pass; a
//! streamed split is regenerated from its seed for every pass), and records its model, memory
//! and time. With `[grid] memory_cap`, the training state is looked at every 1,024 examples
//! and a run whose state passed the cap stops there as `memory_exceeded`. The unit's spec entry is mapped onto the library's
//! [`OnlineConfig`] by `online_config`.

use features::synthetic::{SplitName, SyntheticProblem};
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

/// Examples between two looks at the training state against the memory cap: often enough that
/// a table never doubles twice unseen, rarely enough to cost nothing.
const CAP_CHECK_EXAMPLES: u64 = 1 << 10;

/// How training ended.
struct Trained {
    /// Examples consumed.
    examples: u64,
    /// The training state's bytes when it passed the cap (training stopped there).
    exceeded: Option<u64>,
}

/// The training split as the loop reads it.
enum TrainSource<'a> {
    /// Held in memory.
    Held(&'a [SparseExample]),
    /// `n` rows of the generator's training stream, regenerated on every pass.
    Streamed(&'a SyntheticProblem, u64),
}

impl TrainSource<'_> {
    fn len(&self) -> u64 {
        match self {
            TrainSource::Held(train) => train.len() as u64,
            TrainSource::Streamed(_, n) => *n,
        }
    }
}

/// Watches the training state against the cap every [`CAP_CHECK_EXAMPLES`] examples.
struct CapWatch {
    cap: Option<u64>,
    next_check: u64,
}

impl CapWatch {
    /// The state's bytes if `consumed` examples in they pass the cap.
    fn exceeded(&mut self, optimizer: &dyn OnlineOptimizer, consumed: u64) -> Option<u64> {
        let cap = self.cap?;
        if consumed < self.next_check {
            return None;
        }
        self.next_check = consumed + CAP_CHECK_EXAMPLES;
        let bytes = optimizer.state_bytes();
        (bytes > cap).then_some(bytes)
    }
}

/// Trains `optimizer` per `plan` on `source`, stopping early when the training state passes
/// `cap`.
fn train(
    optimizer: &mut dyn OnlineOptimizer,
    source: &TrainSource<'_>,
    plan: &TrainingPlan,
    seed: u64,
    cap: Option<u64>,
) -> Trained {
    let n = source.len();
    let mut done = Trained { examples: 0, exceeded: None };
    if n == 0 {
        return done;
    }
    let batch_size = plan.batch_size.max(1);
    let total = match plan.steps {
        Some(steps) => steps.saturating_mul(batch_size as u64),
        None => u64::from(plan.epochs).saturating_mul(n),
    };
    let mut watch = CapWatch { cap, next_check: CAP_CHECK_EXAMPLES };
    if let (TrainSource::Held(train), None, false) = (source, plan.steps, plan.shuffle) {
        // Plain passes: batches are slices of the split, nothing is copied.
        for _ in 0..plan.epochs {
            for batch in train.chunks(batch_size) {
                if optimizer.diverged() {
                    return Trained { examples: total, exceeded: None };
                }
                optimizer.train_batch(batch);
                done.examples += batch.len() as u64;
                if let Some(bytes) = watch.exceeded(optimizer, done.examples) {
                    done.exceeded = Some(bytes);
                    return done;
                }
            }
        }
        return done;
    }
    let mut next: Box<dyn FnMut(&mut SparseExample) + '_> = match source {
        TrainSource::Held(train) => {
            let mut order = Order::new(train.len(), plan.shuffle, seed);
            Box::new(move |slot| copy_example(slot, &train[order.next_index()]))
        }
        TrainSource::Streamed(problem, n) => {
            let mut stream = problem.stream(SplitName::Train, *n);
            Box::new(move |slot| {
                // The next pass is the same stream again, from its seed.
                if !stream.next_into(slot) {
                    stream = problem.stream(SplitName::Train, *n);
                    stream.next_into(slot);
                }
            })
        }
    };
    let mut batch: Vec<SparseExample> = Vec::with_capacity(batch_size);
    while done.examples < total && !optimizer.diverged() {
        let size = (total - done.examples).min(batch_size as u64) as usize;
        batch.resize_with(size, SparseExample::default);
        batch.iter_mut().for_each(&mut next);
        optimizer.train_batch(&batch);
        done.examples += size as u64;
        if let Some(bytes) = watch.exceeded(optimizer, done.examples) {
            done.exceeded = Some(bytes);
            return done;
        }
    }
    done
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
        let source = match &data.train_stream {
            Some(problem) => TrainSource::Streamed(problem, data.n_train),
            None => TrainSource::Held(&data.train),
        };
        let cap = ctx.spec.grid.memory_cap_bytes();
        let trained = train(optimizer.as_mut(), &source, &unit.training, data.key.seed, cap);
        let model = optimizer.model();
        Ok::<_, online::OnlineError>((trained, model, optimizer.memory(), optimizer.diverged()))
    });
    r.peak_rss_bytes = machine::peak_rss_bytes();
    r.train_seconds = measurement.seconds;
    r.peak_heap_bytes = measurement.peak_heap_bytes;
    let (trained, model, memory, diverged) = match result {
        Ok(out) => out,
        Err(e) => {
            fail(&mut r, e);
            return RunOutput { record: r, model: None };
        }
    };
    let examples = trained.examples;
    r.epochs = if r.n_train == 0 { 0.0 } else { examples as f64 / r.n_train as f64 };
    r.examples_per_second = examples as f64 / measurement.seconds.max(1e-12);
    r.train_state_bytes = memory.peak_state_bytes;
    fill_model(&mut r, &model, data);
    if let (Some(bytes), true) = (trained.exceeded, r.status == record::STATUS_OK) {
        r.status = record::STATUS_MEMORY_EXCEEDED.to_string();
        r.message = format!(
            "stopped after {examples} of {} examples: the training state reached {bytes} bytes, \
             more than memory_cap = {} bytes (model and metrics are those at that point)",
            r.n_train,
            ctx.spec.grid.memory_cap_bytes().unwrap_or_default()
        );
    }
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

//! One online run: builds the optimizer, feeds it the training split in mini-batches (for a
//! number of passes, or of steps cycling over the split, optionally reshuffled each pass; a
//! streamed split is read again for every pass: regenerated from its seed, or a real file's
//! training rows read and encoded, an error of that read ending the run as an `error` row), and
//! records its model, memory and time. With `[grid] memory_cap` the learner refuses a coordinate
//! whose table growth would pass the cap and stops; the run is then recorded `memory_exceeded`
//! where it stopped. The unit's spec entry is mapped onto the library's
//! [`OnlineConfig`] by `online_config`.

use anyhow::Context;
use features::{FeaturesError, SparseExample};
use optimizers::online::{self, OnlineConfig, OnlineOptimizer, StoreKind};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::data::train_stream::TrainStream;
use crate::execute::machine;
use crate::execute::measure::measured;
use crate::execute::row::{base_record, fail, fill_model, RunContext, RunOutput};
use crate::plan::{LambdaPlan, TrainingPlan, Unit};
use crate::record;
use crate::spec::ExperimentSpec;

/// The online configuration of a unit: the spec's for its entry, with the dense store sized
/// by `dimension` and the run's seed.
fn online_config(unit: &Unit, spec: &ExperimentSpec, dimension: u64, seed: u64) -> OnlineConfig {
    let store = unit.store_kind(dimension);
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

/// How training ended.
#[derive(Debug)]
struct Trained {
    /// Examples consumed.
    examples: u64,
    /// The bytes the training state would have held (while growing) when it passed the cap
    /// (training stopped there).
    exceeded: Option<u64>,
}

/// The training split as the loop reads it.
enum TrainSource<'a> {
    /// Held in memory.
    Held(&'a [SparseExample]),
    /// Read again on every pass.
    Streamed(&'a TrainStream),
}

impl TrainSource<'_> {
    fn len(&self) -> u64 {
        match self {
            TrainSource::Held(train) => train.len() as u64,
            TrainSource::Streamed(stream) => stream.len(),
        }
    }
}

/// Trains `optimizer` per `plan` on `source`, stopping early when its training state would pass
/// its memory cap; an error reading a streamed split ends training with it.
fn train(
    optimizer: &mut dyn OnlineOptimizer,
    source: &TrainSource<'_>,
    plan: &TrainingPlan,
    seed: u64,
) -> Result<Trained, FeaturesError> {
    let n = source.len();
    let mut done = Trained { examples: 0, exceeded: None };
    if n == 0 {
        return Ok(done);
    }
    let batch_size = plan.batch_size.max(1);
    let total = match plan.steps {
        Some(steps) => steps.saturating_mul(batch_size as u64),
        None => u64::from(plan.epochs).saturating_mul(n),
    };
    if let (TrainSource::Held(train), None, false) = (source, plan.steps, plan.shuffle) {
        // Plain passes: batches are slices of the split, nothing is copied.
        for _ in 0..plan.epochs {
            for batch in train.chunks(batch_size) {
                if optimizer.diverged() {
                    return Ok(Trained { examples: total, exceeded: None });
                }
                optimizer.train_batch(batch);
                done.examples += batch.len() as u64;
                if let Some(bytes) = optimizer.capped() {
                    done.exceeded = Some(bytes);
                    return Ok(done);
                }
            }
        }
        return Ok(done);
    }
    type Next<'s> = Box<dyn FnMut(&mut SparseExample) -> Result<(), FeaturesError> + 's>;
    let mut next: Next<'_> = match source {
        TrainSource::Held(train) => {
            let mut order = Order::new(train.len(), plan.shuffle, seed);
            Box::new(move |slot| {
                copy_example(slot, &train[order.next_index()]);
                Ok(())
            })
        }
        TrainSource::Streamed(stream) => {
            let mut pass = stream.open()?;
            Box::new(move |slot| {
                // The next pass reads the same split again (it has `n > 0` rows).
                if !pass.next_into(slot)? {
                    pass = stream.open()?;
                    pass.next_into(slot)?;
                }
                Ok(())
            })
        }
    };
    let mut batch: Vec<SparseExample> = Vec::with_capacity(batch_size);
    while done.examples < total && !optimizer.diverged() {
        let size = (total - done.examples).min(batch_size as u64) as usize;
        batch.resize_with(size, SparseExample::default);
        batch.iter_mut().try_for_each(&mut next)?;
        optimizer.train_batch(&batch);
        done.examples += size as u64;
        if let Some(bytes) = optimizer.capped() {
            done.exceeded = Some(bytes);
            return Ok(done);
        }
    }
    Ok(done)
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
            Some(stream) => TrainSource::Streamed(stream),
            None => TrainSource::Held(&data.train),
        };
        let trained = train(optimizer.as_mut(), &source, &unit.training, data.key.seed)
            .context("reading the streamed training split")?;
        let model = optimizer.model();
        Ok::<_, anyhow::Error>((trained, model, optimizer.memory(), optimizer.diverged()))
    });
    r.peak_rss_bytes = machine::peak_rss_bytes();
    r.train_seconds = measurement.seconds;
    r.peak_heap_bytes = measurement.peak_heap_bytes;
    let (trained, model, memory, diverged) = match result {
        Ok(out) => out,
        Err(e) => {
            fail(&mut r, format!("{e:#}"));
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
            "stopped after {examples} of {} examples: the training state ({} bytes) would hold \
             {bytes} bytes while its table grows, more than memory_cap = {} bytes (model and \
             metrics are those at that point)",
            r.n_train,
            memory.state_bytes,
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

    /// A CSV of `rows` rows `a,y`, with `a = oops` on data row `bad` when given.
    fn csv(rows: usize, bad: Option<usize>) -> String {
        let mut text = String::from("a,y\n");
        for i in 0..rows {
            let a = if Some(i) == bad { "oops".to_string() } else { (i % 10).to_string() };
            text.push_str(&format!("{a},{}\n", i % 3 == 0));
        }
        text
    }

    #[test]
    fn a_streamed_file_that_breaks_mid_pass_ends_training_with_its_error() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("d.csv");
        std::fs::write(&path, csv(6000, None)).expect("write the file");
        let spec: features::real::RealDataSpec = toml::from_str(
            "file = \"d.csv\"\n[schema]\nlabel = { column = \"y\", positive = [\"true\"], \
             negative = [\"false\"] }\ncolumns = { a = \"numeric\" }\n[features]\n\
             bucketized = [{ column = \"a\", quantiles = 4 }]\n",
        )
        .expect("a spec");
        let loaded = features::real::load_streamed(dir.path(), &spec).expect("the fit");
        let stream = TrainStream::Real(loaded.train);
        let l1 = regularizers::Penalty::new("l1", &toml::Table::new()).expect("l1");
        let l1 = l1.at(0.01).expect("l1 at 0.01");
        let config = OnlineConfig::default();
        let mut ftrl =
            online::build("ftrl", l1.as_ref(), &config, &toml::Table::new()).expect("ftrl");
        let plan = TrainingPlan {
            epochs: 2,
            steps: None,
            batch_size: 1,
            schedule: crate::plan::DEFAULT_SCHEDULE,
            clip_norm: None,
            shuffle: false,
        };
        let source = TrainSource::Streamed(&stream);
        let trained = train(ftrl.as_mut(), &source, &plan, 1).expect("two clean passes");
        assert_eq!(trained.examples, 12_000);
        // The file breaks after the fit: the pass ends with its error, naming line and column.
        std::fs::write(&path, csv(6000, Some(5000))).expect("rewrite the file");
        let err = train(ftrl.as_mut(), &source, &plan, 1).expect_err("a bad row").to_string();
        assert!(err.contains("d.csv line 5002, column `a`"), "{err}");
    }
}

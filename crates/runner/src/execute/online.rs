//! One online run: builds the optimizer, trains it on the training split with the library's
//! one loop ([`online::train`]: mini-batches for a number of passes, or of steps cycling over the
//! split, optionally reshuffled each pass; a streamed split is read again for every pass through
//! its [`online::PassSource`]: regenerated from its seed, or a real file's training rows read and
//! encoded, an error of that read ending the run as an `error` row), and records its model,
//! memory and time. With `[grid] memory_cap` the learner refuses a coordinate whose table growth
//! would pass the cap and the loop stops; the run is then recorded `memory_exceeded` where it
//! stopped. The unit's spec entry is mapped onto the library's [`OnlineConfig`] by
//! `online_config`, its training plan onto [`Passes`] by `passes`.

use anyhow::Context;
use optimizers::online::{self, OnlineConfig, OnlineOptimizer, Passes, StoreKind, Trained};

use crate::data::dataset::Dataset;
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

/// The library's description of the unit's passes: its training plan with the run's seed.
fn passes(plan: &TrainingPlan, seed: u64) -> Passes {
    Passes {
        epochs: plan.epochs,
        steps: plan.steps,
        batch_size: plan.batch_size,
        shuffle: plan.shuffle,
        seed,
    }
}

/// Trains `optimizer` per `plan` with the library's loop on the unit's training split: read
/// again for every pass when streamed (a read error ends training with it; with `read_ahead`
/// the read runs on a second thread, the examples and model unchanged), else held.
fn train(
    optimizer: &mut dyn OnlineOptimizer,
    data: &Dataset,
    plan: &TrainingPlan,
    read_ahead: bool,
) -> anyhow::Result<Trained> {
    let passes = passes(plan, data.key.seed);
    Ok(match &data.train_stream {
        Some(stream) => {
            let trained = if read_ahead {
                online::train_reading_ahead(optimizer, stream, &passes)
            } else {
                online::train(optimizer, stream, &passes)
            };
            // The last pass may end without a read past its end: check the file once more.
            let trained = trained.map_err(anyhow::Error::new).and_then(|t| {
                stream.check()?;
                Ok(t)
            });
            trained.context("reading the streamed training split")?
        }
        None => online::train(optimizer, data.train.as_slice(), &passes)?,
    })
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
        let trained = train(optimizer.as_mut(), data, &unit.training, ctx.read_ahead)?;
        let model = optimizer.model();
        Ok::<_, anyhow::Error>((trained, model, optimizer.memory(), optimizer.diverged()))
    });
    r.peak_rss_bytes = machine::peak_rss_bytes();
    r.rss_before_bytes = measurement.rss_before_bytes;
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
    if let (Some(bytes), true) = (trained.capped, r.status == record::STATUS_OK) {
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
    use crate::data::train_stream::TrainStream;

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
        let stream = TrainStream::Real(Box::new(loaded.train), None);
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
        let passes = passes(&plan, 1);
        let trained = online::train(ftrl.as_mut(), &stream, &passes).expect("two clean passes");
        assert_eq!(trained.examples, 12_000);
        // The file breaks after the fit: the pass ends with its error, naming line and column.
        std::fs::write(&path, csv(6000, Some(5000))).expect("rewrite the file");
        let err = online::train(ftrl.as_mut(), &stream, &passes).expect_err("a bad row");
        let err = err.to_string();
        assert!(err.contains("d.csv line 5002, column `a`"), "{err}");
    }
}

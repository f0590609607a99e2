//! The training knobs of online optimizers, declared once: `[grid]` sets them for every entry
//! and an online optimizer entry may override any of them; both hold a [`TrainingSpec`] whose
//! keys are written in their own table (flattened), read by [`TrainingSpec::take_from`].

use anyhow::bail;
use optimizers::online::OnlineError;
use serde::{Deserialize, Serialize};

use super::rules::check_positive;

/// A learning-rate schedule as written in a spec: the library's own type (tagged by `kind`).
pub use optimizers::online::Schedule as ScheduleSpec;

/// Default learning-rate schedule of online optimizers: the library's own default, defined
/// and explained once in `optimizers::online::DEFAULT_SCHEDULE`.
pub const DEFAULT_SCHEDULE: ScheduleSpec = optimizers::online::DEFAULT_SCHEDULE;

/// Training knobs of online optimizers; every one may be set in `[grid]` or per optimizer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrainingSpec {
    /// Passes over the training split (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u32>,
    /// Number of mini-batches to train on, cycling over the training split; overrides `epochs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Examples per mini-batch (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// Learning-rate schedule (default [`DEFAULT_SCHEDULE`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleSpec>,
    /// Clip the mini-batch gradient to this L2 norm (default: no clipping).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
    /// Reshuffle the training split before each pass with the run's seed (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<bool>,
}

impl TrainingSpec {
    /// Whether `key = value` is a training knob (of the right type or not).
    pub fn has_key(key: &str, value: &toml::Value) -> bool {
        let table = toml::Table::from_iter([(key.to_string(), value.clone())]);
        !table.try_into::<TrainingSpec>().is_err_and(|e| e.message().starts_with("unknown field"))
    }

    /// Moves the training knobs out of the table that holds them and reads them; the rest of
    /// the table is left for its own type, which then refuses any key it does not know.
    /// (serde's `flatten` would do both, but its errors lose the key and the line.)
    /// An error is (the knob, why its value is refused).
    pub fn take_from(table: &mut toml::Table) -> Result<TrainingSpec, (String, String)> {
        let keys: Vec<String> =
            table.iter().filter(|(k, v)| Self::has_key(k, v)).map(|(k, _)| k.clone()).collect();
        let mut knobs = TrainingSpec::default();
        for key in keys {
            let Some(value) = table.remove(&key) else { continue };
            let one = toml::Table::from_iter([(key.clone(), value)]);
            let read: TrainingSpec =
                one.try_into().map_err(|e| (key, e.message().trim_end().to_string()))?;
            knobs = read.or(&knobs);
        }
        Ok(knobs)
    }

    /// "the training knobs `epochs`, ...", for errors about a table that also holds them (the
    /// list serde gives for an unknown key, so it is the type's own).
    pub fn keys_text() -> String {
        let probe = toml::Table::from_iter([("?".to_string(), toml::Value::Integer(0))]);
        let message = probe.try_into::<TrainingSpec>().err().map(|e| e.message().to_string());
        let keys =
            message.as_deref().and_then(|m| m.split_once("expected one of ")).map(|(_, k)| k);
        format!("the training knobs {}", keys.unwrap_or("(see experiments/README.md)").trim_end())
    }

    /// `self` with every unset knob taken from `base`.
    pub fn or(&self, base: &TrainingSpec) -> TrainingSpec {
        TrainingSpec {
            epochs: self.epochs.or(base.epochs),
            steps: self.steps.or(base.steps),
            batch_size: self.batch_size.or(base.batch_size),
            schedule: self.schedule.or(base.schedule),
            clip_norm: self.clip_norm.or(base.clip_norm),
            shuffle: self.shuffle.or(base.shuffle),
        }
    }

    /// Checks the knobs set, naming each by `at` and its key (`at` ends with a dot).
    pub fn check(&self, at: &str) -> anyhow::Result<()> {
        if self.epochs == Some(0) {
            bail!("`{at}epochs` must be >= 1");
        }
        if self.steps == Some(0) {
            bail!("`{at}steps` must be >= 1");
        }
        if self.batch_size == Some(0) {
            bail!("`{at}batch_size` must be >= 1");
        }
        if let Some(clip) = self.clip_norm {
            check_positive(&format!("{at}clip_norm"), clip)?;
        }
        // The library's own check of the schedule, with the error put at the spec's key.
        match self.schedule.map(|s| s.validate()) {
            Some(Err(OnlineError::BadConfig { field, reason })) => bail!("`{at}{field}` {reason}"),
            Some(Err(other)) => bail!("`{at}schedule`: {other}"),
            _ => Ok(()),
        }
    }
}

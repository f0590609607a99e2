//! The online registry: every online optimizer a spec can name, with its own checked settings.
//!
//! An optimizer is one file implementing [`CoordinateRule`] (its name, its settings type and
//! its constructor included); one line in the `online_optimizer_list!` of `mod.rs` declares its
//! module and puts its [`OnlineEntry`] into [`super::ONLINE_OPTIMIZERS`]. Nothing else names an
//! optimizer.

use regularizers::registry::{canonical_settings, parse_settings};
use regularizers::{Regularizer, SettingDoc};

use super::coefficients::{F32Word, Q2_13Word};
use super::learner::Learner;
use super::rule::CoordinateRule;
use super::{Coefficients, OnlineConfig, OnlineError, OnlineOptimizer, Schedule, StoreKind};

/// Builds an entry's optimizer from a penalty, the shared config and its settings table.
type BuildFn = fn(
    &dyn Regularizer,
    &OnlineConfig,
    &toml::Table,
) -> Result<Box<dyn OnlineOptimizer>, OnlineError>;

/// A registered online optimizer.
#[derive(Debug, Clone, Copy)]
pub struct OnlineEntry {
    /// The name used in specs and reports.
    pub name: &'static str,
    /// One line describing it.
    pub summary: &'static str,
    /// Its own settings (keys of its optimizer table besides the shared ones).
    pub keys: &'static [SettingDoc],
    build: BuildFn,
    canonical: fn(&toml::Table) -> Result<toml::Table, OnlineError>,
    rate_text: fn(&toml::Table, &Schedule) -> Result<String, OnlineError>,
    state_bytes: usize,
}

impl OnlineEntry {
    /// Checks a settings table (unknown keys and wrong types are errors naming the key) and
    /// returns it in canonical form: only the keys that were set.
    pub fn check_settings(&self, settings: &toml::Table) -> Result<toml::Table, OnlineError> {
        (self.canonical)(settings)
    }

    /// How a run's step sizes are described in reports (`inv_sqrt(0.5)`, `ftrl(alpha=0.1,beta=1)`,
    /// plus settings that change what lambda means).
    pub fn rate_text(
        &self,
        settings: &toml::Table,
        schedule: &Schedule,
    ) -> Result<String, OnlineError> {
        (self.rate_text)(settings, schedule)
    }

    /// Bytes of one coordinate's `f64` state (a dense store holds `dimension` of them; a compact
    /// store's states are smaller, so the checks and bounds below hold for it too).
    pub fn state_bytes(&self) -> u64 {
        self.state_bytes as u64
    }

    /// Whether a store of this kind can be built for this optimizer, checked without building
    /// it: a dense store above [`super::DENSE_STORE_MAX_BYTES`] is the
    /// [`OnlineError::DenseTooLarge`] that [`OnlineEntry::build`] would return.
    pub fn check_store(&self, store: StoreKind) -> Result<(), OnlineError> {
        match store {
            StoreKind::Sparse => Ok(()),
            StoreKind::Dense { dimension } => {
                super::store::check_dense(dimension, self.state_bytes)
            }
        }
    }

    /// The most bytes this optimizer's store can hold with `coordinates` coordinates (the dense
    /// store: all of its dimension), counting the moment a sparse table grows, when the old and
    /// the new table are both held. The admission filter is not included (`bloom_counters`
    /// bytes with count admission).
    pub fn store_bytes_bound(&self, store: StoreKind, coordinates: u64) -> u64 {
        super::store::store_bytes_bound(store, coordinates, self.state_bytes)
    }

    /// The optimizer with `regularizer` on every weight (never the bias), the shared `config`
    /// (validated here) and its own `settings`.
    pub fn build(
        &self,
        regularizer: &dyn Regularizer,
        config: &OnlineConfig,
        settings: &toml::Table,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        (self.build)(regularizer, config, settings)
    }
}

fn settings_of<R: CoordinateRule>(table: &toml::Table) -> Result<R::Settings, OnlineError> {
    parse_settings(table)
        .map_err(|message| OnlineError::BadSettings { optimizer: R::NAME, message })
}

fn build_entry<R: CoordinateRule>(
    regularizer: &dyn Regularizer,
    config: &OnlineConfig,
    table: &toml::Table,
) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
    config.validate()?;
    let settings = settings_of::<R>(table)?;
    let Some(parts) = regularizer.parts() else {
        return Err(OnlineError::Unsupported {
            optimizer: R::NAME,
            regularizer: regularizer.name(),
            reason: "its closed-form update needs a penalty made of L1, L2 and L0 parts \
                     (use a batch solver for this penalty)"
                .to_string(),
        });
    };
    let rule = R::new(parts, regularizer.name(), &settings, config)?;
    match config.coefficients {
        Coefficients::F64 => Learner::boxed(rule, config),
        Coefficients::F32 => rule.boxed_compact::<F32Word>(config),
        Coefficients::Q2_13 => rule.boxed_compact::<Q2_13Word>(config),
    }
}

fn canonical_entry<R: CoordinateRule>(table: &toml::Table) -> Result<toml::Table, OnlineError> {
    Ok(canonical_settings(&settings_of::<R>(table)?))
}

fn rate_text_entry<R: CoordinateRule>(
    table: &toml::Table,
    schedule: &Schedule,
) -> Result<String, OnlineError> {
    Ok(R::rate_text(&settings_of::<R>(table)?, schedule))
}

/// The registry entry of rule `R`.
pub(crate) const fn entry<R: CoordinateRule>() -> OnlineEntry {
    OnlineEntry {
        name: R::NAME,
        summary: R::SUMMARY,
        keys: R::KEYS,
        build: build_entry::<R>,
        canonical: canonical_entry::<R>,
        rate_text: rate_text_entry::<R>,
        state_bytes: std::mem::size_of::<R::State>(),
    }
}

/// Builds the registry from modules declared with a plain `mod` line (so that rustfmt and the
/// tidy test reach them), one list line per optimizer.
macro_rules! online_optimizer_list {
    ($($module:ident :: $type:ident),* $(,)?) => {
        /// Every online optimizer a spec can name, in the order of reports.
        pub static ONLINE_OPTIMIZERS: &[OnlineEntry] =
            &[$(registry::entry::<$module::$type>()),*];
    };
}
pub(crate) use online_optimizer_list;

/// The entry named `name`.
pub fn lookup(name: &str) -> Result<&'static OnlineEntry, OnlineError> {
    super::ONLINE_OPTIMIZERS.iter().find(|e| e.name == name).ok_or_else(|| {
        OnlineError::UnknownKind {
            name: name.to_string(),
            expected: super::ONLINE_OPTIMIZERS
                .iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
                .join(", "),
        }
    })
}

/// Builds the online optimizer `name` (see [`OnlineEntry::build`]).
pub fn build(
    name: &str,
    regularizer: &dyn Regularizer,
    config: &OnlineConfig,
    settings: &toml::Table,
) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
    lookup(name)?.build(regularizer, config, settings)
}

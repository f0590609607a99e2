//! The batch registry: every batch solver a spec can name, with its own checked settings.
//!
//! A solver is one file implementing [`BatchSolver`] (its name, the penalties it accepts, its
//! settings type and its path); one line in the `batch_solver_list!` of `mod.rs` declares its
//! module and puts its [`BatchEntry`] into [`super::BATCH_SOLVERS`]. Nothing else names a
//! solver.

use features::CompactMatrix;
use regularizers::registry::{canonical_settings, parse_settings};
use regularizers::{Penalty, PenaltyClass, SettingDoc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::design::Design;
use super::{BatchError, PathConfig, PathPoint};
use crate::LossKind;

/// What a batch solver file provides.
pub(crate) trait BatchSolver: Sized + 'static {
    /// The name used in specs and reports.
    const NAME: &'static str;
    /// One line describing it.
    const SUMMARY: &'static str;
    /// Its own settings, documented.
    const KEYS: &'static [SettingDoc];
    /// The penalties it accepts, in words (error messages, README).
    const ACCEPTS: &'static str;
    /// Its settings as written in a spec's optimizer table (every field optional, unknown keys
    /// rejected).
    type Settings: DeserializeOwned + Serialize + Default;

    /// Whether it can apply a penalty of this class.
    fn accepts(class: PenaltyClass) -> bool;

    /// Whether it can apply this penalty. The default decides by [`BatchSolver::accepts`] on
    /// the class alone; a solver that needs more (e.g. no L1 part) also reads the penalty's
    /// parts, never its name.
    fn accepts_penalty(penalty: &Penalty) -> bool {
        Self::accepts(penalty.class())
    }

    /// The shared config with the solver's own settings applied (those that are `PathConfig`
    /// fields, e.g. `l2_for_l0`); what [`BatchEntry::check`] validates. The default changes
    /// nothing.
    fn configure(config: PathConfig, _settings: &Self::Settings) -> PathConfig {
        config
    }

    /// The path on the design (see the module doc of `batch`); `config` is validated.
    #[doc(hidden)]
    fn fit_path_on(
        design: &Design,
        penalty: &Penalty,
        config: PathConfig,
        settings: &Self::Settings,
    ) -> Result<Vec<PathPoint>, BatchError>;
}

/// Fits an entry's path from the matrix, loss, penalty, shared config and settings table.
type FitFn = fn(
    &CompactMatrix,
    LossKind,
    &Penalty,
    PathConfig,
    &toml::Table,
) -> Result<Vec<PathPoint>, BatchError>;

/// A registered batch solver.
#[derive(Debug, Clone, Copy)]
pub struct BatchEntry {
    /// The name used in specs and reports.
    pub name: &'static str,
    /// One line describing it.
    pub summary: &'static str,
    /// Its own settings (keys of its optimizer table besides the shared ones).
    pub keys: &'static [SettingDoc],
    /// The penalties it accepts, in words.
    pub accepts_text: &'static str,
    accepts: fn(&Penalty) -> bool,
    fit: FitFn,
    canonical: fn(&toml::Table) -> Result<toml::Table, BatchError>,
    check: fn(&Penalty, PathConfig, &toml::Table) -> Result<(), BatchError>,
}

impl BatchEntry {
    /// Checks a settings table (unknown keys and wrong types are errors naming the key) and
    /// returns it in canonical form: only the keys that were set.
    pub fn check_settings(&self, settings: &toml::Table) -> Result<toml::Table, BatchError> {
        (self.canonical)(settings)
    }

    /// `Ok` when the solver can apply `penalty`, else the error naming both.
    pub fn check_penalty(&self, penalty: &Penalty) -> Result<(), BatchError> {
        if (self.accepts)(penalty) {
            Ok(())
        } else {
            Err(BatchError::UnsupportedPenalty {
                solver: self.name,
                penalty: penalty.name(),
                supported: self.accepts_text,
            })
        }
    }

    /// Everything a fit checks before it looks at the data: the settings, the penalty, and the
    /// shared config with the solver's settings applied ([`PathConfig::validate`]). `Ok` means
    /// only the data can make [`BatchEntry::fit_path`] fail.
    pub fn check(
        &self,
        penalty: &Penalty,
        config: PathConfig,
        settings: &toml::Table,
    ) -> Result<(), BatchError> {
        (self.check)(penalty, config, settings)
    }

    /// Fits the path with `penalty` (see the module doc of `batch` for the objective). Errors
    /// on an invalid config or settings, an unsupported pair, an empty matrix, labels the loss
    /// cannot take, non-finite entries.
    pub fn fit_path(
        &self,
        matrix: &CompactMatrix,
        loss: LossKind,
        penalty: &Penalty,
        config: &PathConfig,
        settings: &toml::Table,
    ) -> Result<Vec<PathPoint>, BatchError> {
        (self.fit)(matrix, loss, penalty, config.clone(), settings)
    }

    /// [`BatchEntry::fit_path`] taking the config by value: a caller that measures the fit's
    /// heap (the runner) passes it in, so that the fit allocates nothing besides its own work.
    pub fn fit_path_owned(
        &self,
        matrix: &CompactMatrix,
        loss: LossKind,
        penalty: &Penalty,
        config: PathConfig,
        settings: &toml::Table,
    ) -> Result<Vec<PathPoint>, BatchError> {
        (self.fit)(matrix, loss, penalty, config, settings)
    }
}

fn settings_of<S: BatchSolver>(table: &toml::Table) -> Result<S::Settings, BatchError> {
    parse_settings(table).map_err(|message| BatchError::BadSettings { solver: S::NAME, message })
}

fn fit_entry<S: BatchSolver>(
    matrix: &CompactMatrix,
    loss: LossKind,
    penalty: &Penalty,
    config: PathConfig,
    table: &toml::Table,
) -> Result<Vec<PathPoint>, BatchError> {
    config.validate()?;
    let settings = settings_of::<S>(table)?;
    if !S::accepts_penalty(penalty) {
        return Err(BatchError::UnsupportedPenalty {
            solver: S::NAME,
            penalty: penalty.name(),
            supported: S::ACCEPTS,
        });
    }
    let design = Design::new(matrix, loss)?;
    S::fit_path_on(&design, penalty, config, &settings)
}

fn check_entry<S: BatchSolver>(
    penalty: &Penalty,
    config: PathConfig,
    table: &toml::Table,
) -> Result<(), BatchError> {
    let settings = settings_of::<S>(table)?;
    if !S::accepts_penalty(penalty) {
        return Err(BatchError::UnsupportedPenalty {
            solver: S::NAME,
            penalty: penalty.name(),
            supported: S::ACCEPTS,
        });
    }
    S::configure(config, &settings).validate()
}

fn canonical_entry<S: BatchSolver>(table: &toml::Table) -> Result<toml::Table, BatchError> {
    Ok(canonical_settings(&settings_of::<S>(table)?))
}

/// The registry entry of solver `S`.
pub(crate) const fn entry<S: BatchSolver>() -> BatchEntry {
    BatchEntry {
        name: S::NAME,
        summary: S::SUMMARY,
        keys: S::KEYS,
        accepts_text: S::ACCEPTS,
        accepts: S::accepts_penalty,
        fit: fit_entry::<S>,
        canonical: canonical_entry::<S>,
        check: check_entry::<S>,
    }
}

/// Builds the registry from modules declared with a plain `mod` line (so that rustfmt and the
/// tidy test reach them), one list line per solver.
macro_rules! batch_solver_list {
    ($($module:ident :: $type:ident),* $(,)?) => {
        /// Every batch solver a spec can name, in the order of reports.
        pub static BATCH_SOLVERS: &[BatchEntry] = &[$(registry::entry::<$module::$type>()),*];
    };
}
pub(crate) use batch_solver_list;

/// The entry named `name`.
pub fn lookup(name: &str) -> Result<&'static BatchEntry, BatchError> {
    super::BATCH_SOLVERS.iter().find(|e| e.name == name).ok_or_else(|| BatchError::UnknownSolver {
        name: name.to_string(),
        expected: super::BATCH_SOLVERS.iter().map(|e| e.name).collect::<Vec<_>>().join(", "),
    })
}

/// Fits the path of the solver `name` (see [`BatchEntry::fit_path`]).
pub fn fit_path(
    name: &str,
    matrix: &CompactMatrix,
    loss: LossKind,
    penalty: &Penalty,
    config: &PathConfig,
    settings: &toml::Table,
) -> Result<Vec<PathPoint>, BatchError> {
    lookup(name)?.fit_path(matrix, loss, penalty, config, settings)
}

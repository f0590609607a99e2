//! The regularizer registry: every penalty a spec can name, with its own checked settings.
//!
//! A regularizer file implements [`Configurable`] (its name, its settings type, parsed from the
//! `[[regularizer]]` table with unknown keys rejected, and its constructor at a strength
//! lambda); the one line that lists it in `lib.rs` (`regularizer_list!`) declares its module and
//! puts its [`RegularizerEntry`] into [`crate::REGULARIZERS`]. Nothing else names a penalty.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{L2Convention, PenaltyClass, Regularizer, RegularizerError};

/// One documented setting of a registry entry (the experiments README is checked against it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingDoc {
    /// The spec key.
    pub key: &'static str,
    /// Its default, as written in a spec (or a description of it).
    pub default: &'static str,
    /// What it does and its range.
    pub doc: &'static str,
}

/// What a regularizer file provides to the registry.
pub trait Configurable: Regularizer + Sized + 'static {
    /// The name used in specs and reports.
    const NAME: &'static str;
    /// One line for `runner list`-style tables and the README.
    const SUMMARY: &'static str;
    /// Its settings, documented.
    const KEYS: &'static [SettingDoc];
    /// Its settings as written in a spec (every field optional, unknown keys rejected).
    type Settings: DeserializeOwned + Serialize + Default;
    /// The penalty at strength `lambda` with these settings.
    fn configure(lambda: f64, settings: &Self::Settings) -> Result<Self, RegularizerError>;
}

/// Builds an entry's penalty at a lambda from its settings table.
type BuildFn = fn(f64, &toml::Table) -> Result<Box<dyn Regularizer>, RegularizerError>;

/// Builds an entry's penalty at a lambda on the stack and hands it to a visitor.
type VisitFn =
    fn(f64, &toml::Table, &mut dyn FnMut(&dyn Regularizer)) -> Result<(), RegularizerError>;

/// A registered regularizer.
#[derive(Debug, Clone, Copy)]
pub struct RegularizerEntry {
    /// The name used in specs and reports.
    pub name: &'static str,
    /// One line describing it.
    pub summary: &'static str,
    /// Its settings.
    pub keys: &'static [SettingDoc],
    build: BuildFn,
    visit: VisitFn,
    canonical: fn(&toml::Table) -> Result<toml::Table, RegularizerError>,
}

/// Parses a settings table into `T`. The error names the key at fault: serde names an unknown
/// key itself, and for a value of the wrong type the key is found by parsing each key alone.
pub fn parse_settings<T: DeserializeOwned>(table: &toml::Table) -> Result<T, String> {
    let parse = |t: &toml::Table| -> Result<T, toml::de::Error> {
        toml::Value::Table(t.clone()).try_into()
    };
    parse(table).map_err(|e| {
        let message = e.message().trim_end().to_string();
        let culprit = table.iter().find(|(key, value)| {
            let alone: toml::Table = std::iter::once(((*key).clone(), (*value).clone())).collect();
            parse(&alone).is_err()
        });
        match culprit {
            Some((key, value)) if !message.contains(&format!("`{key}`")) => {
                format!("key `{key}` = {value}: {message}")
            }
            _ => message,
        }
    })
}

/// `settings` re-serialized: only the keys that were set, in canonical form.
pub fn canonical_settings<T: Serialize>(settings: &T) -> toml::Table {
    match toml::Value::try_from(settings) {
        Ok(toml::Value::Table(table)) => table,
        _ => toml::Table::new(),
    }
}

fn settings_of<P: Configurable>(table: &toml::Table) -> Result<P::Settings, RegularizerError> {
    parse_settings(table)
        .map_err(|message| RegularizerError::BadSettings { name: P::NAME, message })
}

fn build_entry<P: Configurable>(
    lambda: f64,
    table: &toml::Table,
) -> Result<Box<dyn Regularizer>, RegularizerError> {
    Ok(Box::new(P::configure(lambda, &settings_of::<P>(table)?)?))
}

fn visit_entry<P: Configurable>(
    lambda: f64,
    table: &toml::Table,
    visitor: &mut dyn FnMut(&dyn Regularizer),
) -> Result<(), RegularizerError> {
    let penalty = P::configure(lambda, &settings_of::<P>(table)?)?;
    visitor(&penalty);
    Ok(())
}

fn canonical_entry<P: Configurable>(table: &toml::Table) -> Result<toml::Table, RegularizerError> {
    let settings = settings_of::<P>(table)?;
    // Build once so that a bad setting value (not only a bad key) is refused here.
    P::configure(0.0, &settings)?;
    Ok(canonical_settings(&settings))
}

/// The registry entry of `P`.
pub const fn entry<P: Configurable>() -> RegularizerEntry {
    RegularizerEntry {
        name: P::NAME,
        summary: P::SUMMARY,
        keys: P::KEYS,
        build: build_entry::<P>,
        visit: visit_entry::<P>,
        canonical: canonical_entry::<P>,
    }
}

/// Builds the registry from modules declared with a plain `mod` line (so that rustfmt and the
/// tidy test reach them), one list line per regularizer; re-exports each module's items.
macro_rules! regularizer_list {
    ($($module:ident :: $type:ident),* $(,)?) => {
        $(pub use $module::*;)*
        /// Every regularizer a spec can name, in the order of reports.
        pub static REGULARIZERS: &[RegularizerEntry] = &[$(registry::entry::<$type>()),*];
    };
}
pub(crate) use regularizer_list;

/// The entry named `name`.
pub fn lookup(name: &str) -> Result<&'static RegularizerEntry, RegularizerError> {
    crate::REGULARIZERS.iter().find(|e| e.name == name).ok_or_else(|| {
        RegularizerError::UnknownName {
            name: name.to_string(),
            expected: crate::REGULARIZERS.iter().map(|e| e.name).collect::<Vec<_>>().join(", "),
        }
    })
}

/// A regularizer with its settings checked: the penalty at any lambda.
#[derive(Debug, Clone)]
pub struct Penalty {
    entry: &'static RegularizerEntry,
    settings: toml::Table,
}

impl Penalty {
    /// The regularizer `name` with `settings` (its keys only; unknown keys are errors).
    pub fn new(name: &str, settings: &toml::Table) -> Result<Self, RegularizerError> {
        let entry = lookup(name)?;
        Ok(Self { entry, settings: (entry.canonical)(settings)? })
    }

    /// The regularizer `name` with its default settings.
    pub fn named(name: &str) -> Result<Self, RegularizerError> {
        Self::new(name, &toml::Table::new())
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.entry.name
    }

    /// The settings that were set, in canonical form.
    pub fn settings(&self) -> &toml::Table {
        &self.settings
    }

    /// The penalty at strength `lambda`.
    pub fn at(&self, lambda: f64) -> Result<Box<dyn Regularizer>, RegularizerError> {
        (self.entry.build)(lambda, &self.settings)
    }

    /// `f` applied to the penalty at strength `lambda`, built on the stack: solvers that hold
    /// the penalty during a fit use this, so that it adds nothing to the fit's heap.
    pub fn with<T>(
        &self,
        lambda: f64,
        f: impl FnOnce(&dyn Regularizer) -> T,
    ) -> Result<T, RegularizerError> {
        let mut f = Some(f);
        let mut out = None;
        (self.entry.visit)(lambda, &self.settings, &mut |reg| {
            if let Some(f) = f.take() {
                out = Some(f(reg));
            }
        })?;
        // `visit` calls the visitor exactly once when it succeeds.
        out.ok_or(RegularizerError::BadSettings {
            name: self.entry.name,
            message: "the penalty was not built".to_string(),
        })
    }

    /// Its class (see [`PenaltyClass`]).
    pub fn class(&self) -> PenaltyClass {
        self.at(0.0).map_or(PenaltyClass::Convex, |r| r.class())
    }

    /// Whether a larger strength can set a touched weight to exactly zero: a slope at zero
    /// (L1, elastic net, MCP) or a count of nonzeros (L0). L2 and no penalty only shrink, so no
    /// lambda changes their count of nonzero weights.
    pub fn zeroes_weights(&self) -> bool {
        self.class() == PenaltyClass::CountOfNonzeros
            || self.at(1.0).is_ok_and(|r| r.zero_slope() > 0.0)
    }

    /// The convention of its L2 part (TensorFlow when it has none).
    pub fn convention(&self) -> L2Convention {
        self.at(0.0).ok().and_then(|r| r.l2_convention()).unwrap_or_default()
    }
}

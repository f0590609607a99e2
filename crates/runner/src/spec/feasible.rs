//! Combinations of spec values that can only fail, found before anything runs: what the
//! libraries would refuse whatever the data, checked with the libraries' own code.
//!
//! - Online: the shared config as the run would build it ([`OnlineConfig::validate`]: admission
//!   count in 1..=255, Poisson probability, `bloom_counters` range, dense store only with
//!   `admission = "all"`); a dense store checked against the library's cap at the dimension of
//!   every k of the grid (synthetic data; a real data set's dimension is known only once it is
//!   read); and the optimizer built at each of its lambdas with the run's loss, schedule and
//!   clipping, which refuses a penalty the optimizer cannot apply at that lambda (hard
//!   thresholding under `l1`) and an L2 gradient step too large for the first step size.
//! - Batch: [`optimizers::batch::BatchEntry::check`] with the shared config as the run builds it
//!   and the solver's own settings (`l2_for_l0 = -1` fails here, not as an `error` row).
//!
//! Errors name the spec key (`regularizer[0].optimizer[1].admission.count`). The caller (the
//! spec's checks) builds the configs from the spec; this module knows only the libraries' types.

use anyhow::bail;
use optimizers::batch::{BatchEntry, BatchError, PathConfig};
use optimizers::online::{OnlineConfig, OnlineEntry, OnlineError, StoreKind};
use regularizers::Penalty;

/// The spec key of a library config field, under the optimizer entry at `at`.
fn online_key(at: &str, field: &str) -> String {
    let key = match field {
        "admission.n" => "admission.count",
        "admission.p" => "admission.poisson",
        "store.dimension" => "store",
        other => other,
    };
    format!("{at}.{key}")
}

/// An online library error as a spec error at `at` (naming the key when it is a config field).
fn online_error(at: &str, error: OnlineError) -> anyhow::Error {
    match error {
        OnlineError::BadConfig { field, reason } => {
            anyhow::anyhow!("`{}` {reason}", online_key(at, field))
        }
        other => anyhow::anyhow!("`{at}`: {other}"),
    }
}

/// An online optimizer entry as its runs would build it.
pub struct OnlineCheck<'a> {
    /// The entry's dotted key (`regularizer[0].optimizer[1]`).
    pub at: &'a str,
    /// The registry entry.
    pub entry: &'a OnlineEntry,
    /// The penalty given to it.
    pub penalty: &'a Penalty,
    /// Its own settings.
    pub settings: &'a toml::Table,
    /// The shared config of its runs, with a sparse store.
    pub config: OnlineConfig,
    /// Whether it asks for a dense store.
    pub dense: bool,
    /// Its lambdas.
    pub lambdas: &'a [f64],
    /// (k, dimension) of every k the spec can run (synthetic data; empty for real data).
    pub dimensions: &'a [(u32, u64)],
}

/// Checks an online optimizer entry (see the module doc).
pub fn check_online(check: OnlineCheck<'_>) -> anyhow::Result<()> {
    let OnlineCheck { at, entry, penalty, settings, config, dense, lambdas, dimensions } = check;
    config.validate().map_err(|e| online_error(at, e))?;
    if dense {
        // The admission rule of a dense store, at any dimension.
        let store = StoreKind::Dense { dimension: 1 };
        OnlineConfig { store, ..config.clone() }.validate().map_err(|e| online_error(at, e))?;
        for &(k, dimension) in dimensions {
            if let Err(e) = entry.check_store(StoreKind::Dense { dimension }) {
                bail!("`{at}.store = \"dense\"` cannot hold k = {k}: {e}");
            }
        }
    }
    // Built at every lambda with what the run uses besides the data; the admission filter and
    // the store are left out of these builds (checked above) so that nothing large is allocated.
    let build_config =
        OnlineConfig { admission: Default::default(), store: StoreKind::Sparse, ..config };
    for &lambda in lambdas {
        let regularizer = penalty.at(lambda).map_err(|e| anyhow::anyhow!("`{at}`: {e}"))?;
        match entry.build(regularizer.as_ref(), &build_config, settings) {
            Ok(_) => {}
            Err(OnlineError::BadConfig { field, reason }) => {
                bail!("`{}` {reason} (at lambda {lambda})", online_key(at, field))
            }
            Err(other) => bail!("`{at}` at lambda {lambda}: {other}"),
        }
    }
    Ok(())
}

/// Checks a batch solver entry at `at` with the path config its runs would be given.
pub fn check_batch(
    at: &str,
    entry: &BatchEntry,
    penalty: &Penalty,
    config: PathConfig,
    settings: &toml::Table,
) -> anyhow::Result<()> {
    match entry.check(penalty, config, settings) {
        Ok(()) => Ok(()),
        Err(BatchError::InvalidConfig { field, reason }) => {
            let key = match field {
                "n_lambdas" => "path.n",
                "lambda_min_ratio" => "path.min_ratio",
                other => other,
            };
            bail!("`{at}.{key}` {reason}")
        }
        Err(other) => bail!("`{at}`: {other}"),
    }
}

//! `[[regularizer.optimizer]]`: one optimizer entry, an online optimizer or a batch solver.
//!
//! The entry's family is picked by its name key (`online = "ftrl"` or `batch = "iht"`) and the
//! name looked up in that family's registry; the registry entry takes the keys it declares as
//! its own settings (checked by it), an online entry's training knobs go to its
//! [`TrainingSpec`], and every other key must be one of the family's type ([`OnlineSpec`] or
//! [`BatchSpec`], both `deny_unknown_fields`). So a key of the other family is refused by the
//! type; the error names the key, the entry's path and the family (whose type is asked whether
//! the key is one of its own, to say where it applies).

use anyhow::{anyhow, bail};
use optimizers::online::{Admission, BloomCounters, Coefficients, StoreLayout};
use regularizers::{Penalty, SettingDoc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::feasible;
use super::rules::{check_lambdas, check_positive, check_unique};
use super::training::{TrainingSpec, DEFAULT_SCHEDULE};

/// Which family an optimizer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// One example or mini-batch at a time.
    Online,
    /// The whole training matrix.
    Batch,
}

impl Family {
    /// The key that names an entry's optimizer (`online` or `batch`).
    pub fn name_key(self) -> &'static str {
        match self {
            Family::Online => "online",
            Family::Batch => "batch",
        }
    }

    /// One member in words, and all of them.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Family::Online => ("online optimizer", "online optimizers"),
            Family::Batch => ("batch solver", "batch solvers"),
        }
    }

    fn other(self) -> Family {
        match self {
            Family::Online => Family::Batch,
            Family::Batch => Family::Online,
        }
    }

    /// Whether `key = value` is a key of this family's type.
    fn has_key(self, key: &str, value: &toml::Value) -> bool {
        let mut table = toml::Table::new();
        table.insert(self.name_key().into(), toml::Value::String(String::new()));
        table.insert(key.into(), value.clone());
        let result = match self {
            Family::Online if TrainingSpec::has_key(key, value) => Ok(()),
            Family::Online => table.try_into::<OnlineSpec>().map(|_| ()),
            Family::Batch => table.try_into::<BatchSpec>().map(|_| ()),
        };
        !result.is_err_and(|e| e.message().starts_with("unknown field"))
    }
}

/// One optimizer of a regularizer entry (TOML `[[regularizer.optimizer]]`).
#[derive(Debug, Clone)]
pub enum OptimizerSpec {
    /// `online = "..."`: an online optimizer.
    Online(OnlineSpec),
    /// `batch = "..."`: a batch solver.
    Batch(BatchSpec),
}

/// The keys of an online optimizer entry; its own settings are in `settings`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OnlineSpec {
    /// A name of the online registry (`optimizers::online::ONLINE_OPTIMIZERS`).
    pub online: String,
    /// Name in reports (default: the optimizer's name); unique within the regularizer entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Lambda values overriding the regularizer entry's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<Vec<f64>>,
    /// The penalty actually given to the optimizer when it differs from the entry's `kind`.
    /// Example: FTRL with count admission listed under `l0`, where the admission is the L0
    /// heuristic and the penalty is `l1` at `lambdas`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<String>,
    /// Training knobs overriding `[grid]`'s (read by [`TrainingSpec::take_from`]).
    #[serde(flatten, skip_deserializing)]
    pub training: TrainingSpec,
    /// Feature admission (the library's rule: `"all"`, `{ count = n }`, `{ poisson = p }`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission: Option<Admission>,
    /// Weight store layout (`"sparse"` or `"dense"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreLayout>,
    /// Counters of the counting Bloom filter behind `admission = { count = n }`: a number, or
    /// sized for the data from expected features and a false-admission rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bloom_counters: Option<BloomCounters>,
    /// Steps between two sweeps of the store that catch every coordinate up on the penalties
    /// it owes and drop those left at zero (see the library's `OnlineConfig`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep_every: Option<u64>,
    /// Encoding of the store's coefficients: `"f64"` (default), `"f32"` (rounded to nearest)
    /// or `"q2.13"` (16-bit fixed point with randomized rounding, McMahan et al. 2013 4.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coefficients: Option<Coefficients>,
    /// The optimizer's own settings (the keys its registry entry declares), checked by it.
    #[serde(skip)]
    pub settings: toml::Table,
}

/// The keys of a batch solver entry; its own settings are in `settings`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSpec {
    /// A name of the batch registry (`optimizers::batch::BATCH_SOLVERS`).
    pub batch: String,
    /// Name in reports (default: the solver's name); unique within the regularizer entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Lambda values overriding the regularizer entry's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<Vec<f64>>,
    /// Path overriding the regularizer entry's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathSpec>,
    /// Convergence tolerance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tol: Option<f64>,
    /// Iteration cap per lambda.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_iter: Option<usize>,
    /// Target support sizes (solvers that fit a path over support sizes: `iht`,
    /// `prune_refit`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_sizes: Option<Vec<usize>>,
    /// The solver's own settings (the keys its registry entry declares), checked by it.
    #[serde(skip)]
    pub settings: toml::Table,
}

impl OptimizerSpec {
    /// Reads one optimizer table (see the module doc); errors are put at `at`.
    pub fn from_table(at: &str, mut table: toml::Table) -> anyhow::Result<Self> {
        let family = match (table.contains_key("online"), table.contains_key("batch")) {
            (true, false) => Family::Online,
            (false, true) => Family::Batch,
            _ => bail!("`{at}` needs exactly one of `online = \"...\"` and `batch = \"...\"`"),
        };
        let key = family.name_key();
        let Some(name) = table.get(key).and_then(toml::Value::as_str).map(str::to_string) else {
            bail!("`{at}.{key}` must be the optimizer's name, a string");
        };
        Ok(match family {
            Family::Online => {
                let entry =
                    optimizers::online::lookup(&name).map_err(|e| anyhow!("`{at}.online`: {e}"))?;
                let settings = take_own_keys(&mut table, entry.keys);
                let training = TrainingSpec::take_from(&mut table)
                    .map_err(|(key, why)| anyhow!("`{at}.{key}`: {why}"))?;
                let spec = read_keys(at, table, family, &name, entry.keys)?;
                OptimizerSpec::Online(OnlineSpec { settings, training, ..spec })
            }
            Family::Batch => {
                let entry =
                    optimizers::batch::lookup(&name).map_err(|e| anyhow!("`{at}.batch`: {e}"))?;
                let settings = take_own_keys(&mut table, entry.keys);
                let spec = read_keys(at, table, family, &name, entry.keys)?;
                OptimizerSpec::Batch(BatchSpec { settings, ..spec })
            }
        })
    }

    /// The family.
    pub fn family(&self) -> Family {
        match self {
            OptimizerSpec::Online(_) => Family::Online,
            OptimizerSpec::Batch(_) => Family::Batch,
        }
    }

    /// The optimizer's registry name.
    pub fn name(&self) -> &str {
        match self {
            OptimizerSpec::Online(o) => &o.online,
            OptimizerSpec::Batch(b) => &b.batch,
        }
    }

    /// The label set in the spec, if any.
    pub fn label(&self) -> Option<&String> {
        match self {
            OptimizerSpec::Online(o) => o.label.as_ref(),
            OptimizerSpec::Batch(b) => b.label.as_ref(),
        }
    }

    /// The label used in reports.
    pub fn display_label(&self) -> String {
        self.label().cloned().unwrap_or_else(|| self.name().to_string())
    }

    /// Lambdas overriding the regularizer entry's.
    pub fn lambdas(&self) -> Option<&Vec<f64>> {
        match self {
            OptimizerSpec::Online(o) => o.lambdas.as_ref(),
            OptimizerSpec::Batch(b) => b.lambdas.as_ref(),
        }
    }

    /// The optimizer's own settings as written.
    pub fn settings(&self) -> &toml::Table {
        match self {
            OptimizerSpec::Online(o) => &o.settings,
            OptimizerSpec::Batch(b) => &b.settings,
        }
    }

    /// The online entry, if it is one.
    pub fn online(&self) -> Option<&OnlineSpec> {
        match self {
            OptimizerSpec::Online(o) => Some(o),
            OptimizerSpec::Batch(_) => None,
        }
    }

    /// The batch entry, if it is one.
    pub fn batch(&self) -> Option<&BatchSpec> {
        match self {
            OptimizerSpec::Online(_) => None,
            OptimizerSpec::Batch(b) => Some(b),
        }
    }

    /// The training knobs set on this entry (none for a batch solver).
    pub fn training(&self) -> TrainingSpec {
        self.online().map(|o| o.training.clone()).unwrap_or_default()
    }

    /// Feature admission (online).
    pub fn admission(&self) -> Option<Admission> {
        self.online().and_then(|o| o.admission)
    }

    /// Store layout (online).
    pub fn store(&self) -> Option<StoreLayout> {
        self.online().and_then(|o| o.store)
    }

    /// Bloom filter counters (online).
    pub fn bloom_counters(&self) -> Option<BloomCounters> {
        self.online().and_then(|o| o.bloom_counters)
    }

    /// Steps between store sweeps (online).
    pub fn sweep_every(&self) -> Option<u64> {
        self.online().and_then(|o| o.sweep_every)
    }

    /// Coefficient encoding (online).
    pub fn coefficients(&self) -> Option<Coefficients> {
        self.online().and_then(|o| o.coefficients)
    }

    /// Convergence tolerance (batch).
    pub fn tol(&self) -> Option<f64> {
        self.batch().and_then(|b| b.tol)
    }

    /// Iteration cap per lambda (batch).
    pub fn max_iter(&self) -> Option<usize> {
        self.batch().and_then(|b| b.max_iter)
    }

    /// Target support sizes (batch).
    pub fn support_sizes(&self) -> Option<&Vec<usize>> {
        self.batch().and_then(|b| b.support_sizes.as_ref())
    }

    /// The entry without an online entry's lambda list: an online unit runs one lambda (its
    /// `LambdaPlan::Single`), and a copy of the whole list in each of its units would make the
    /// plan grow with the square of the list's length. A batch entry is left as it is (one unit
    /// per data set holds its list).
    pub fn for_one_lambda(&self) -> Self {
        match self {
            OptimizerSpec::Online(o) => {
                OptimizerSpec::Online(OnlineSpec { lambdas: None, ..o.clone() })
            }
            OptimizerSpec::Batch(_) => self.clone(),
        }
    }

    /// Sets the support sizes of a batch entry (the lambda search and the refit fit other
    /// sizes than the spec's); an online entry has none and is left as it is.
    pub fn set_support_sizes(&mut self, sizes: Vec<usize>) {
        if let OptimizerSpec::Batch(b) = self {
            b.support_sizes = Some(sizes);
        }
    }
}

impl<'de> Deserialize<'de> for OptimizerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `spec::parse` reads every entry with its path first; this is the same reading for
        // other callers (and for a table `parse` could not reach).
        let table = toml::Table::deserialize(deserializer)?;
        OptimizerSpec::from_table("optimizer", table).map_err(serde::de::Error::custom)
    }
}

impl Serialize for OptimizerSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The entry as written: its family's keys, then its own settings.
        #[derive(Serialize)]
        struct Written<'a, T: Serialize> {
            #[serde(flatten)]
            keys: &'a T,
            #[serde(flatten)]
            settings: &'a toml::Table,
        }
        match self {
            OptimizerSpec::Online(o) => {
                Written { keys: o, settings: &o.settings }.serialize(serializer)
            }
            OptimizerSpec::Batch(b) => {
                Written { keys: b, settings: &b.settings }.serialize(serializer)
            }
        }
    }
}

/// Moves the keys the registry entry declares out of `table`: the optimizer's own settings.
fn take_own_keys(table: &mut toml::Table, own: &[SettingDoc]) -> toml::Table {
    own.iter().filter_map(|doc| Some((doc.key.to_string(), table.remove(doc.key)?))).collect()
}

/// `table` as the family's type `T`; an error names the key at fault when one is.
fn read_keys<T: DeserializeOwned>(
    at: &str,
    table: toml::Table,
    family: Family,
    name: &str,
    own: &[SettingDoc],
) -> anyhow::Result<T> {
    let error = match table.clone().try_into::<T>() {
        Ok(spec) => return Ok(spec),
        Err(error) => error.message().trim_end().to_string(),
    };
    let (member, _) = family.words();
    // The key at fault: the one without which the table reads (serde's errors from a table
    // do not always name it).
    let culprit = table.keys().find(|key| {
        let mut rest = table.clone();
        rest.remove(key.as_str());
        rest.try_into::<T>().is_ok()
    });
    let Some(key) = culprit else { bail!("`{at}`: {member} `{name}`: {error}") };
    if !error.starts_with("unknown field") {
        bail!("`{at}.{key}`: {error}");
    }
    let other = family.other();
    if other.has_key(key, &table[key]) {
        bail!(
            "`{at}.{key}` applies to {} only (`{name}` is the {member} of \
             this entry)",
            other.words().1
        );
    }
    let knobs = match family {
        Family::Online => format!(", or {}", TrainingSpec::keys_text()),
        Family::Batch => String::new(),
    };
    bail!("`{at}`: {member} `{name}`: {error}{knobs}; {}", keys_hint(own))
}

/// "its own keys: a, b" for error messages about an optimizer's settings.
fn keys_hint(keys: &[SettingDoc]) -> String {
    if keys.is_empty() {
        "it has no keys of its own (see experiments/README.md for the shared ones)".to_string()
    } else {
        let names: Vec<&str> = keys.iter().map(|k| k.key).collect();
        format!(
            "its own keys: {} (see experiments/README.md for the shared ones)",
            names.join(", ")
        )
    }
}

/// A lambda path from `lambda_max` (computed from the data) down to `min_ratio * lambda_max`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PathSpec {
    /// Number of lambdas on the path.
    pub n: usize,
    /// Smallest lambda as a fraction of `lambda_max`.
    pub min_ratio: f64,
}

/// Checks a path at `key`.
pub fn check_path(key: &str, path: PathSpec) -> anyhow::Result<()> {
    if path.n == 0 {
        bail!("`{key}.n` must be >= 1");
    }
    if !(path.min_ratio > 0.0 && path.min_ratio < 1.0) {
        bail!("`{key}.min_ratio` must be in (0, 1), got {}", path.min_ratio);
    }
    Ok(())
}

/// What the shared online config of an entry takes from the rest of the spec.
#[derive(Debug, Clone, Copy)]
pub struct OnlineBase<'a> {
    /// `data.loss`.
    pub loss: optimizers::LossKind,
    /// `[grid]`'s training knobs.
    pub training: &'a TrainingSpec,
    /// `grid.memory_cap` in bytes.
    pub memory_cap: Option<u64>,
}

/// The shared online config the runs of an online entry are given (with a sparse store; the
/// run sets the dense store's dimension and the seed); `None`: `base` alone.
pub fn online_config(
    opt: Option<&OnlineSpec>,
    base: OnlineBase<'_>,
) -> optimizers::online::OnlineConfig {
    let own = opt.map(|o| o.training.clone()).unwrap_or_default();
    let training = own.or(base.training);
    let defaults = optimizers::online::OnlineConfig::default();
    optimizers::online::OnlineConfig {
        loss: base.loss,
        schedule: training.schedule.unwrap_or(DEFAULT_SCHEDULE),
        clip_norm: training.clip_norm,
        admission: opt.and_then(|o| o.admission).unwrap_or_default(),
        bloom_counters: opt
            .and_then(|o| o.bloom_counters)
            .map_or(defaults.bloom_counters, |b| b.counters()),
        sweep_every: opt.and_then(|o| o.sweep_every),
        memory_cap: base.memory_cap,
        coefficients: opt.and_then(|o| o.coefficients).unwrap_or_default(),
        ..defaults
    }
}

/// What an optimizer entry's checks need besides the entry.
pub struct EntryContext<'a> {
    /// The entry's dotted key (`regularizer[0].optimizer[1]`).
    pub at: String,
    /// The regularizer entry's dotted key (`regularizer[0]`).
    pub reg_at: &'a str,
    /// The regularizer entry's lambdas, path and own settings.
    pub lambdas: Option<&'a Vec<f64>>,
    /// See `lambdas`.
    pub path: Option<PathSpec>,
    /// See `lambdas`.
    pub settings: &'a toml::Table,
    /// The regularizer entry's penalty.
    pub penalty: &'a Penalty,
    /// What the shared online config takes from the rest of the spec.
    pub base: OnlineBase<'a>,
    /// (k, dimension) of every k the spec can run (synthetic data; empty for real data).
    pub dimensions: &'a [(u32, u64)],
}

impl OptimizerSpec {
    /// Checks the entry's values (its keys were checked when it was read).
    pub fn check(&self, ctx: &EntryContext<'_>) -> anyhow::Result<()> {
        if let Some(lambdas) = self.lambdas() {
            check_lambdas(&format!("{}.lambdas", ctx.at), lambdas)?;
        }
        match self {
            OptimizerSpec::Online(o) => o.check(ctx),
            OptimizerSpec::Batch(b) => b.check(ctx),
        }
    }
}

impl OnlineSpec {
    fn check(&self, ctx: &EntryContext<'_>) -> anyhow::Result<()> {
        let at = &ctx.at;
        self.training.check(&format!("{at}."))?;
        if self.lambdas.is_none() && ctx.lambdas.is_none() {
            bail!("`{at}` (online) needs `lambdas` here or in `{}.lambdas`", ctx.reg_at);
        }
        if let Some(Admission::Poisson { p }) = self.admission {
            if !(p > 0.0 && p <= 1.0) {
                bail!("`{at}.admission.poisson` must be in (0, 1], got {p}");
            }
        }
        let entry = optimizers::online::lookup(&self.online)?;
        entry
            .check_settings(&self.settings)
            .map_err(|e| anyhow!("`{at}`: {e}; {}", keys_hint(entry.keys)))?;
        let penalty = match &self.penalty {
            Some(name) => {
                Penalty::new(name, ctx.settings).map_err(|e| anyhow!("`{at}.penalty`: {e}"))?
            }
            None => ctx.penalty.clone(),
        };
        // What can only fail is a spec error, not an error row: the pair, the settings' values
        // and the shared config, at every lambda (no data needed).
        feasible::check_online(feasible::OnlineCheck {
            at,
            entry,
            penalty: &penalty,
            settings: &self.settings,
            config: online_config(Some(self), ctx.base),
            dense: self.store == Some(StoreLayout::Dense),
            lambdas: self.lambdas.as_ref().or(ctx.lambdas).map_or(&[], |l| l),
            dimensions: ctx.dimensions,
        })
    }
}

impl BatchSpec {
    fn check(&self, ctx: &EntryContext<'_>) -> anyhow::Result<()> {
        let at = &ctx.at;
        let entry = optimizers::batch::lookup(&self.batch)?;
        entry
            .check_settings(&self.settings)
            .map_err(|e| anyhow!("`{at}`: {e}; {}", keys_hint(entry.keys)))?;
        entry.check_penalty(ctx.penalty).map_err(|e| anyhow!("`{at}`: {e}"))?;
        if let Some(path) = self.path {
            check_path(&format!("{at}.path"), path)?;
        }
        let has_lambdas = self.lambdas.is_some() || ctx.lambdas.is_some();
        let has_path = self.path.is_some() || ctx.path.is_some();
        if !has_lambdas && !has_path && self.support_sizes.is_none() {
            bail!(
                "`{at}` (batch) needs `lambdas` or `path` (here or in `{}`) or `support_sizes`",
                ctx.reg_at
            );
        }
        if let Some(tol) = self.tol {
            check_positive(&format!("{at}.tol"), tol)?;
        }
        if self.max_iter == Some(0) {
            bail!("`{at}.max_iter` must be >= 1");
        }
        if let Some(sizes) = &self.support_sizes {
            if sizes.is_empty() || sizes.contains(&0) {
                bail!("`{at}.support_sizes` must be non-empty and hold sizes >= 1");
            }
            check_unique(&format!("{at}.support_sizes"), sizes)?;
        }
        let config = self.path_config(ctx.lambdas, ctx.path, ctx.penalty);
        feasible::check_batch(at, entry, ctx.penalty, config, &self.settings)
    }

    /// The path config as written (lambdas or path of the solver, else of the regularizer;
    /// library defaults for unset keys).
    pub fn path_config(
        &self,
        reg_lambdas: Option<&Vec<f64>>,
        reg_path: Option<PathSpec>,
        penalty: &Penalty,
    ) -> optimizers::batch::PathConfig {
        let defaults = optimizers::batch::PathConfig::default();
        let path = self.path.or(reg_path);
        optimizers::batch::PathConfig {
            convention: penalty.convention(),
            tol: self.tol.unwrap_or(defaults.tol),
            max_iter: self.max_iter.unwrap_or(defaults.max_iter),
            support_sizes: self.support_sizes.clone(),
            lambdas: self.lambdas.as_ref().or(reg_lambdas).cloned(),
            n_lambdas: path.map_or(defaults.n_lambdas, |p| p.n),
            lambda_min_ratio: path.map_or(defaults.lambda_min_ratio, |p| p.min_ratio),
            ..defaults
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> anyhow::Result<OptimizerSpec> {
        OptimizerSpec::from_table("r.o", toml::from_str(text).map_err(anyhow::Error::from)?)
    }

    #[test]
    fn keys_of_the_other_family_are_refused_by_the_type() {
        let err = entry("online = \"ftrl\"\ntol = 1e-4").unwrap_err().to_string();
        assert!(err.contains("`r.o.tol` applies to batch solvers only"), "{err}");
        let err = entry("batch = \"iht\"\nepochs = 2").unwrap_err().to_string();
        assert!(err.contains("`r.o.epochs` applies to online optimizers only"), "{err}");
        let err = entry("online = \"ftrl\"\nlamdas = [0.1]").unwrap_err().to_string();
        assert!(err.contains("online optimizer `ftrl`: unknown field `lamdas`"), "{err}");
        assert!(err.contains("`epochs`") && err.contains("ftrl_alpha"), "{err}");
        let err = entry("online = \"ftrl\"\nepochs = \"x\"").unwrap_err().to_string();
        assert!(err.starts_with("`r.o.epochs`: invalid type"), "{err}");
    }

    #[test]
    fn an_entry_reads_into_its_family_with_the_library_types() {
        let opt = entry(
            "online = \"ftrl\"\nepochs = 2\nftrl_alpha = 0.1\nadmission = { count = 3 }\n\
             store = \"dense\"",
        )
        .unwrap();
        let OptimizerSpec::Online(online) = &opt else { panic!("{opt:?}") };
        assert_eq!(online.training.epochs, Some(2));
        assert_eq!(online.admission, Some(Admission::Count { n: 3 }));
        assert_eq!(online.store, Some(StoreLayout::Dense));
        assert_eq!(online.settings.keys().collect::<Vec<_>>(), ["ftrl_alpha"]);
        // Written back (metadata.json, run-id hashes) in the shape specs have always used.
        let json = serde_json::to_string(&opt).unwrap();
        assert_eq!(
            json,
            r#"{"online":"ftrl","epochs":2,"admission":{"count":3},"store":"dense","ftrl_alpha":0.1}"#
        );
        let all: Admission = toml::Value::String("all".into()).try_into().unwrap();
        assert_eq!(all, Admission::All);
    }
}

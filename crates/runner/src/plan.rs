//! Expands a spec into the list of work units: one data set per (k, seed), and per data set one
//! unit per online (regularizer, optimizer, lambda) or per batch (regularizer, solver) path.
//!
//! Every unit carries the run ids of the rows it will produce. A run id is made of all grid
//! parameters: a readable prefix (k, seed, regularizer, optimizer, lambda) and a hash of
//! everything else that shapes the run (data parameters, sizes, training knobs), so changing the
//! spec never resumes from rows of a different configuration.

use regularizers::{L2Convention, Penalty};
use serde::ser::SerializeMap;
use serde::Serialize;

use crate::provenance::fnv1a;
use crate::spec::hash_grid::HashBuckets;
use optimizers::online::{Admission, StoreKind, StoreLayout};

use crate::spec::{
    ExperimentSpec, Family, OptimizerSpec, PathSpec, QuickSpec, ScheduleSpec, TrainingSpec,
};

/// Default learning-rate schedule of online optimizers (defined with the spec).
pub use crate::spec::DEFAULT_SCHEDULE;

/// One data set: synthetic (k, seed) or the real file with a seed for its split; with
/// `[grid] n_train`, also the number of training examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DatasetKey {
    /// k for synthetic data.
    pub k: Option<u32>,
    /// Data and optimizer seed.
    pub seed: u64,
    /// Training examples, when the grid varies them (`[grid] n_train`); otherwise `None` and
    /// `[data] n_train` applies (so run ids without an n grid are as they always were).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// Bucket count of the hashed crosses, when the grid varies it (`[grid] hash_buckets`);
    /// otherwise `None` and the spec's own counts apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buckets: Option<HashBuckets>,
}

impl DatasetKey {
    /// Readable prefix for run ids, e.g. `k04-s1`, `k10-n1e8-s1`, `real-h2^20-s1` or `real-s1`.
    pub fn tag(&self) -> String {
        let mut n = self.n.map_or_else(String::new, |n| format!("-n{}", compact_count(n)));
        if let Some(buckets) = self.buckets {
            n = format!("{n}-{}", buckets.tag());
        }
        match self.k {
            Some(k) => format!("k{k:02}{n}-s{}", self.seed),
            None => format!("real{n}-s{}", self.seed),
        }
    }

    /// The `dataset` column of side tables (`hash_stats.csv`) for this data set named `name`:
    /// the real file's stem, or `synthetic-k08` (with `-n..` when the grid varies the training
    /// size), so synthetic data sets of several k stay apart; with `-h..` when the grid varies
    /// the bucket count.
    pub fn side_table_name(&self, name: &str) -> String {
        match (self.k, self.buckets) {
            (Some(_), _) => {
                let tag = self.tag();
                let without_seed = tag.rsplit_once("-s").map_or(tag.as_str(), |(head, _)| head);
                format!("{name}-{without_seed}")
            }
            (None, Some(buckets)) => format!("{name}-{}", buckets.tag()),
            (None, None) => name.to_string(),
        }
    }

    /// Whether `row` was measured on this data set.
    pub fn holds(&self, row: &crate::record::RunRecord) -> bool {
        row.k == self.k
            && row.seed == self.seed
            && self.n.is_none_or(|n| row.n_train == n)
            && self.buckets.is_none_or(|b| row.hash_buckets == b.to_string())
    }
}

/// `1e8` for 100000000, `3e5` for 300000, the number itself otherwise.
fn compact_count(n: u64) -> String {
    let mut mantissa = n;
    let mut exponent = 0;
    while mantissa >= 10 && mantissa.is_multiple_of(10) {
        mantissa /= 10;
        exponent += 1;
    }
    if exponent >= 3 && mantissa < 10 {
        format!("{mantissa}e{exponent}")
    } else {
        n.to_string()
    }
}

/// Training knobs with every default filled in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrainingPlan {
    /// Passes over the training split (ignored when `steps` is set).
    pub epochs: u32,
    /// Mini-batches to train on, cycling over the training split.
    pub steps: Option<u64>,
    /// Examples per mini-batch.
    pub batch_size: usize,
    /// Learning-rate schedule.
    pub schedule: ScheduleSpec,
    /// Gradient-norm clip.
    pub clip_norm: Option<f64>,
    /// Reshuffle before each pass.
    pub shuffle: bool,
}

impl TrainingPlan {
    fn resolve(spec: &TrainingSpec) -> Self {
        Self {
            epochs: spec.epochs.unwrap_or(1),
            steps: spec.steps,
            batch_size: spec.batch_size.unwrap_or(1),
            schedule: spec.schedule.unwrap_or(DEFAULT_SCHEDULE),
            clip_norm: spec.clip_norm,
            shuffle: spec.shuffle.unwrap_or(false),
        }
    }
}

/// How the lambdas of a unit are given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LambdaPlan {
    /// One online run at this lambda.
    Single(f64),
    /// A batch path over these lambdas (sorted from largest to smallest).
    List(Vec<f64>),
    /// A batch path computed from the data.
    Path(PathSpec),
    /// A batch L0 fit at these support sizes.
    SupportSizes(Vec<usize>),
}

/// One unit of work: one online run, or one batch path (several rows).
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// The data set it trains on.
    pub dataset: DatasetKey,
    /// The regularizer entry's name.
    pub regularizer: String,
    /// The penalty given to the optimizer (the entry's, unless the optimizer overrides it).
    #[serde(skip)]
    pub penalty: Penalty,
    /// L2 convention of the entry's penalty (reports).
    pub convention: L2Convention,
    /// Online or batch.
    pub family: Family,
    /// Algorithm name (`ftrl`, `coordinate_descent`, ...).
    pub optimizer_kind: String,
    /// Label in reports.
    pub optimizer_label: String,
    /// The optimizer entry as written (after `--quick` shrinking).
    pub optimizer: OptimizerSpec,
    /// The optimizer's own settings, checked and canonical (only the keys that were set).
    pub settings: toml::Table,
    /// Training knobs (online).
    pub training: TrainingPlan,
    /// The lambdas.
    pub lambdas: LambdaPlan,
    /// Hash of everything besides the readable prefix (hex).
    pub config_hash: String,
    /// Indices of the unit's regularizer entry in the spec and of the optimizer entry in it.
    #[serde(skip)]
    pub entry: (usize, usize),
    /// For a unit added by the lambda search: the lambdas (support sizes) whose rows it writes;
    /// the other points of its path are fitted only to warm-start them. `None`: every point.
    #[serde(skip)]
    pub emit: Option<Vec<f64>>,
}

impl Unit {
    /// Run id of the row at position `point` of this unit (0 for online units).
    pub fn run_id(&self, point: usize) -> String {
        let lambda = match &self.lambdas {
            LambdaPlan::Single(l) => format!("lambda{l:e}"),
            LambdaPlan::List(ls) => {
                format!("lambda{:e}", ls.get(point).copied().unwrap_or(f64::NAN))
            }
            LambdaPlan::Path(_) => format!("p{point:02}"),
            LambdaPlan::SupportSizes(s) => format!("s{}", s.get(point).copied().unwrap_or(0)),
        };
        format!(
            "{}-{}-{}-{lambda}-{}",
            self.dataset.tag(),
            self.regularizer,
            self.optimizer_label,
            self.config_hash
        )
    }

    /// Number of rows this unit writes (for a data-computed path, the requested length).
    pub fn expected_rows(&self) -> usize {
        match &self.lambdas {
            LambdaPlan::Single(_) => 1,
            LambdaPlan::List(ls) => ls.len(),
            LambdaPlan::Path(p) => p.n,
            LambdaPlan::SupportSizes(s) => s.len(),
        }
    }

    /// Feature admission text for reports.
    pub fn admission_text(&self) -> String {
        match self.optimizer.admission() {
            None | Some(Admission::All) => {
                if self.family == Family::Online {
                    "all".to_string()
                } else {
                    String::new()
                }
            }
            Some(Admission::Count { n }) => format!("count({n})"),
            Some(Admission::Poisson { p }) => format!("poisson({p})"),
        }
    }

    /// Weight store layout.
    pub fn store(&self) -> StoreLayout {
        self.optimizer.store().unwrap_or_default()
    }

    /// Weight store for a feature space of `dimension` coordinates.
    pub fn store_kind(&self, dimension: u64) -> StoreKind {
        self.store().with_dimension(dimension)
    }
}

/// The whole plan of an experiment.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Data sets in the order they are processed.
    pub datasets: Vec<DatasetKey>,
    /// All units, grouped by data set in the same order.
    pub units: Vec<Unit>,
}

impl Plan {
    /// Keeps the data sets of shard `index` of `count` (data sets dealt round-robin).
    pub fn shard(mut self, index: usize, count: usize) -> Self {
        let keep: Vec<DatasetKey> = self
            .datasets
            .iter()
            .enumerate()
            .filter(|(i, _)| i % count == index)
            .map(|(_, d)| *d)
            .collect();
        self.units.retain(|u| keep.contains(&u.dataset));
        self.datasets = keep;
        self
    }
}

/// Applies `--quick`: fewer examples, k values, seeds, lambdas and steps.
pub fn apply_quick(spec: &ExperimentSpec) -> ExperimentSpec {
    let quick: &QuickSpec = &spec.quick;
    let mut out = spec.clone();
    if out.data.synthetic.is_some() {
        out.data.n_train = Some(quick.n_train);
        out.grid.n_train.clear();
        out.data.n_validation = Some(quick.n_validation);
        out.data.n_test = Some(quick.n_test);
        out.grid.k = match &quick.k {
            Some(k) => k.clone(),
            None => {
                let mut k: Vec<u32> = [spec.grid.k.iter().min(), spec.grid.k.iter().max()]
                    .into_iter()
                    .flatten()
                    .copied()
                    .collect();
                k.dedup();
                k
            }
        };
    }
    if let Some(libsvm) = &mut out.data.libsvm {
        libsvm.max_rows = Some(libsvm.max_rows.map_or(quick.max_rows, |m| m.min(quick.max_rows)));
    }
    if let Some(real) = &mut out.data.real {
        crate::spec::resolve::shrink_real(real, quick.max_rows);
    }
    out.grid.seeds.truncate(quick.seeds);
    // A smoke run tries the ends and the middle of a bucket grid.
    out.grid.hash_buckets = thin(&spec.grid.hash_buckets, 3);
    let cap_steps = |steps: Option<u64>| match (steps, quick.max_steps) {
        (Some(s), Some(m)) => Some(s.min(m)),
        (s, _) => s,
    };
    out.grid.training.steps = cap_steps(out.grid.training.steps);
    let grid_steps = out.grid.training.steps;
    let thin_lambdas =
        |l: &mut Option<Vec<f64>>| *l = l.as_ref().map(|l| thin(l, quick.max_lambdas));
    let shorten = |path: &mut Option<PathSpec>| {
        if let Some(path) = path {
            path.n = path.n.min(quick.max_lambdas);
        }
    };
    for reg in &mut out.regularizers {
        thin_lambdas(&mut reg.lambdas);
        shorten(&mut reg.path);
        for opt in &mut reg.optimizers {
            match opt {
                OptimizerSpec::Online(o) => {
                    thin_lambdas(&mut o.lambdas);
                    let steps = &mut o.training.steps;
                    *steps = cap_steps(*steps);
                    if quick.max_steps.is_some() && steps.is_none() && grid_steps.is_some() {
                        *steps = grid_steps;
                    }
                }
                OptimizerSpec::Batch(b) => {
                    thin_lambdas(&mut b.lambdas);
                    b.support_sizes = b.support_sizes.as_ref().map(|s| thin(s, quick.max_lambdas));
                    shorten(&mut b.path);
                }
            }
        }
    }
    out
}

/// At most `max` values spread evenly over `values`, first and last kept.
fn thin<T: Clone>(values: &[T], max: usize) -> Vec<T> {
    if values.len() <= max || max == 0 {
        return values.to_vec();
    }
    if max == 1 {
        return vec![values[values.len() / 2].clone()];
    }
    (0..max).map(|i| values[i * (values.len() - 1) / (max - 1)].clone()).collect()
}

/// Everything that shapes a run besides its readable id prefix, hashed into the run id.
///
/// The JSON it hashes is kept byte-compatible with the one of the first releases, whose spec
/// types listed every algorithm's keys, so that committed results resume: `convention` and
/// `l1_ratio` are the regularizer's (TensorFlow and 0.5 when it has none), and the optimizer's
/// keys come in their historical order (see [`HashedOptimizer`]).
#[derive(Serialize)]
struct HashedConfig<'a> {
    data: &'a crate::spec::DataSpec,
    convention: L2Convention,
    l1_ratio: f64,
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    regularizer_settings: toml::Table,
    optimizer: HashedOptimizer<'a>,
    training: TrainingPlan,
    lambdas: &'a LambdaPlan,
    /// The cap decides whether a run ends as `memory_exceeded`, so a row made under another
    /// cap is not reused (left out when unset, keeping the ids of specs without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    memory_cap: Option<u64>,
}

/// An optimizer entry as hashed: the keys in their historical order (that of the first
/// releases' one optimizer type, which held both families' keys), the online optimizer's own
/// settings between `store` and `bloom_counters`, the batch solver's after `support_sizes`
/// (each group sorted by key). Unset keys are left out (so `coefficients`, added later, changes
/// no earlier run's id).
struct HashedOptimizer<'a> {
    spec: &'a OptimizerSpec,
    settings: &'a toml::Table,
}

impl Serialize for HashedOptimizer<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn put<M: SerializeMap, T: Serialize>(
            map: &mut M,
            key: &str,
            value: &Option<T>,
        ) -> Result<(), M::Error> {
            match value {
                Some(v) => map.serialize_entry(key, v),
                None => Ok(()),
            }
        }
        let mut map = serializer.serialize_map(None)?;
        match self.spec {
            OptimizerSpec::Online(o) => {
                map.serialize_entry("online", &o.online)?;
                put(&mut map, "label", &o.label)?;
                // An online run's lambda is in its id prefix; the rest of the list must not
                // change its id (adding a lambda to a spec resumes the others).
                put(&mut map, "penalty", &o.penalty)?;
                let t = &o.training;
                put(&mut map, "epochs", &t.epochs)?;
                put(&mut map, "steps", &t.steps)?;
                put(&mut map, "batch_size", &t.batch_size)?;
                put(&mut map, "schedule", &t.schedule)?;
                put(&mut map, "clip_norm", &t.clip_norm)?;
                put(&mut map, "shuffle", &t.shuffle)?;
                put(&mut map, "admission", &o.admission)?;
                put(&mut map, "store", &o.store)?;
                for (key, value) in self.settings {
                    map.serialize_entry(key, value)?;
                }
                put(&mut map, "bloom_counters", &o.bloom_counters)?;
                put(&mut map, "coefficients", &o.coefficients)?;
                put(&mut map, "sweep_every", &o.sweep_every)?;
            }
            OptimizerSpec::Batch(b) => {
                map.serialize_entry("batch", &b.batch)?;
                put(&mut map, "label", &b.label)?;
                put(&mut map, "lambdas", &b.lambdas)?;
                put(&mut map, "path", &b.path)?;
                put(&mut map, "tol", &b.tol)?;
                put(&mut map, "max_iter", &b.max_iter)?;
                put(&mut map, "support_sizes", &b.support_sizes)?;
                for (key, value) in self.settings {
                    map.serialize_entry(key, value)?;
                }
            }
        }
        map.end()
    }
}

/// What a (regularizer, optimizer) entry of the spec fixes for all of its units.
struct EntryParts<'a> {
    reg: &'a crate::spec::RegularizerSpec,
    opt: &'a OptimizerSpec,
    /// `opt` as an online unit holds it (its lambda list left out).
    one_lambda: OptimizerSpec,
    penalty: Penalty,
    convention: L2Convention,
    l1_ratio: f64,
    regularizer_settings: toml::Table,
    family: Family,
    kind: &'a str,
    settings: toml::Table,
    training: TrainingPlan,
}

impl<'a> EntryParts<'a> {
    /// The parts of optimizer `oi` of regularizer `ri`.
    fn new(spec: &'a ExperimentSpec, ri: usize, oi: usize) -> anyhow::Result<Self> {
        let reg = &spec.regularizers[ri];
        let opt = &reg.optimizers[oi];
        let entry_penalty = Penalty::new(&reg.kind, &reg.settings)?;
        let convention = entry_penalty.convention();
        let l1_ratio = reg
            .settings
            .get("l1_ratio")
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
            .unwrap_or(0.5);
        let mut regularizer_settings = entry_penalty.settings().clone();
        regularizer_settings.remove("l1_ratio");
        regularizer_settings.remove("convention");
        let (family, kind) = (opt.family(), opt.name());
        let settings = match family {
            Family::Online => optimizers::online::lookup(kind)?.check_settings(opt.settings())?,
            Family::Batch => optimizers::batch::lookup(kind)?.check_settings(opt.settings())?,
        };
        let penalty = match opt.online().and_then(|o| o.penalty.as_ref()) {
            Some(name) => Penalty::new(name, &reg.settings)?,
            None => entry_penalty,
        };
        let training = TrainingPlan::resolve(&opt.training().or(&spec.grid.training()));
        Ok(Self {
            reg,
            opt,
            one_lambda: opt.for_one_lambda(),
            penalty,
            convention,
            l1_ratio,
            regularizer_settings,
            family,
            kind,
            settings,
            training,
        })
    }

    /// The lambda plans of the entry's units: one per online lambda, one path for batch.
    fn lambda_plans(&self) -> Vec<LambdaPlan> {
        let lambdas = self.opt.lambdas().or(self.reg.lambdas.as_ref()).cloned();
        match self.family {
            Family::Online => {
                lambdas.unwrap_or_default().into_iter().map(LambdaPlan::Single).collect()
            }
            Family::Batch => {
                vec![match (lambdas, self.opt.batch().and_then(|b| b.path).or(self.reg.path)) {
                    (Some(mut ls), _) => {
                        ls.sort_by(|a, b| b.total_cmp(a));
                        ls.dedup();
                        LambdaPlan::List(ls)
                    }
                    (None, Some(path)) => LambdaPlan::Path(path),
                    (None, None) => LambdaPlan::SupportSizes(
                        self.opt.support_sizes().cloned().unwrap_or_default(),
                    ),
                }]
            }
        }
    }

    /// The unit of this entry on `dataset` with `lambdas`.
    fn unit(
        &self,
        spec: &ExperimentSpec,
        dataset: DatasetKey,
        entry: (usize, usize),
        lambdas: LambdaPlan,
    ) -> anyhow::Result<Unit> {
        let hashed = HashedConfig {
            data: &spec.data,
            convention: self.convention,
            l1_ratio: self.l1_ratio,
            regularizer_settings: self.regularizer_settings.clone(),
            optimizer: HashedOptimizer { spec: self.opt, settings: &self.settings },
            training: self.training,
            lambdas: &lambdas,
            memory_cap: spec.grid.memory_cap_bytes(),
        };
        let json = serde_json::to_string(&hashed)?;
        Ok(Unit {
            dataset,
            regularizer: self.reg.kind.clone(),
            penalty: self.penalty.clone(),
            convention: self.convention,
            family: self.family,
            optimizer_kind: self.kind.to_string(),
            optimizer_label: self.opt.display_label(),
            optimizer: match lambdas {
                LambdaPlan::Single(_) => self.one_lambda.clone(),
                _ => self.opt.clone(),
            },
            settings: self.settings.clone(),
            training: self.training,
            lambdas,
            config_hash: format!("{:08x}", fnv1a(json.as_bytes()) as u32),
            entry,
            emit: None,
        })
    }
}

/// An online unit like `template` at another `lambda`: the same unit, run id included, as if
/// the spec listed that lambda.
pub fn online_unit_at(spec: &ExperimentSpec, template: &Unit, lambda: f64) -> anyhow::Result<Unit> {
    let (ri, oi) = template.entry;
    EntryParts::new(spec, ri, oi)?.unit(
        spec,
        template.dataset,
        template.entry,
        LambdaPlan::Single(lambda),
    )
}

/// Expands a checked spec into data sets and units.
pub fn expand(spec: &ExperimentSpec) -> anyhow::Result<Plan> {
    let ks: Vec<Option<u32>> = if spec.data.synthetic.is_some() {
        spec.grid.k.iter().map(|&k| Some(k)).collect()
    } else {
        vec![None]
    };
    let ns: Vec<Option<u64>> = if spec.grid.n_train.is_empty() {
        vec![None]
    } else {
        spec.grid.n_train.iter().map(|&n| Some(n)).collect()
    };
    let buckets: Vec<Option<HashBuckets>> = if spec.grid.hash_buckets.is_empty() {
        vec![None]
    } else {
        spec.grid.hash_buckets.iter().map(|&b| Some(b)).collect()
    };
    // n outermost: `--shard I/N` deals data sets round-robin, so with as many shards as k
    // values each shard gets one k at every n (the large n, which dominate, spread evenly).
    let datasets: Vec<DatasetKey> = ns
        .iter()
        .flat_map(|&n| ks.iter().map(move |&k| (k, n)))
        .flat_map(|(k, n)| buckets.iter().map(move |&b| (k, n, b)))
        .flat_map(|(k, n, buckets)| {
            spec.grid.seeds.iter().map(move |&seed| DatasetKey { k, seed, n, buckets })
        })
        .collect();
    let mut units = Vec::new();
    // Batch solvers are deterministic: on data that do not change with the seed they run on the
    // first seed's data set only (their rows carry that seed).
    let batch_seeds_differ = crate::spec::resolve::data_depends_on_seed(
        spec.data.synthetic.as_ref(),
        spec.data.real.as_ref(),
    )?;
    let first_seed = spec.grid.seeds.first().copied();
    for &dataset in &datasets {
        for (ri, reg) in spec.regularizers.iter().enumerate() {
            for oi in 0..reg.optimizers.len() {
                let parts = EntryParts::new(spec, ri, oi)?;
                if parts.family == Family::Batch
                    && !batch_seeds_differ
                    && Some(dataset.seed) != first_seed
                {
                    continue;
                }
                for lambdas in parts.lambda_plans() {
                    units.push(parts.unit(spec, dataset, (ri, oi), lambdas)?);
                }
            }
        }
    }
    Ok(Plan { datasets, units })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_tags_are_compact() {
        assert_eq!(compact_count(100_000_000), "1e8");
        assert_eq!(compact_count(300_000), "3e5");
        assert_eq!(compact_count(1_000), "1e3");
        assert_eq!(compact_count(150), "150");
        assert_eq!(compact_count(12_000), "12000");
        let key = DatasetKey { k: Some(10), seed: 1, n: Some(100_000_000), buckets: None };
        assert_eq!(key.tag(), "k10-n1e8-s1");
        assert_eq!(DatasetKey { n: None, ..key }.tag(), "k10-s1");
        let hashed =
            DatasetKey { k: None, n: None, buckets: Some(HashBuckets::Count(1 << 20)), ..key };
        assert_eq!(hashed.tag(), "real-h2^20-s1");
    }

    #[test]
    fn thin_keeps_ends_and_spreads() {
        assert_eq!(thin(&[1, 2, 3, 4, 5, 6, 7], 3), vec![1, 4, 7]);
        assert_eq!(thin(&[1, 2], 3), vec![1, 2]);
        assert_eq!(thin(&[1, 2, 3], 1), vec![2]);
    }
}

//! `[data]`: where the examples come from (a synthetic generator or a CSV file), the split
//! sizes of synthetic data, the loss, and whether training data are streamed.

use anyhow::bail;
use optimizers::LossKind;
use serde::{Deserialize, Serialize};

use super::grid::GridSpec;
use super::quick::QuickSpec;
use super::resolve;
use super::rules::check_unique;

/// The data source: exactly one of `synthetic` and `real`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// Generator parameters (`features::synthetic::SyntheticConfig` keys, except `k` and `seed`,
    /// which come from the grid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<toml::Table>,
    /// A CSV data set (`features::real::RealDataSpec` keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real: Option<toml::Table>,
    /// A LIBSVM data set (ids as given; see [`super::libsvm`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libsvm: Option<super::libsvm::LibsvmSpec>,
    /// Training examples drawn from the generator (synthetic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_train: Option<u64>,
    /// Validation examples, used to choose lambda (synthetic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_validation: Option<u64>,
    /// Test examples, on which the reported metrics are computed (synthetic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_test: Option<u64>,
    /// Loss of every model: `logistic` (default) or `squared`.
    #[serde(default)]
    pub loss: LossKind,
    /// Online runs read the training split again on every pass instead of holding it (memory
    /// independent of `n_train`): synthetic data regenerate it from its seed, a real file's
    /// training rows are read and encoded again (its split must keep file order); batch fits
    /// and refits still collect it. The examples are the same either way, so it is not part of
    /// run ids.
    #[serde(default, skip_serializing)]
    pub stream: bool,
}

impl DataSpec {
    /// Checks the source against the grid (k and `n_train` apply to synthetic data only) and
    /// returns (k, dimension) of every k the spec can run (synthetic data; none for real data).
    pub fn check(&self, grid: &GridSpec, quick: &QuickSpec) -> anyhow::Result<Vec<(u32, u64)>> {
        self.check_hash_grid(grid)?;
        match (&self.synthetic, &self.real, &self.libsvm) {
            (Some(table), None, None) => self.check_synthetic(table, grid, quick),
            (None, Some(table), None) => self.check_real(table, grid).map(|()| Vec::new()),
            (None, None, Some(libsvm)) => self.check_libsvm(libsvm, grid).map(|()| Vec::new()),
            (None, None, None) => {
                bail!("`[data]` needs `[data.synthetic]`, `[data.real]` or `[data.libsvm]`")
            }
            _ => bail!("`[data]` has more than one of `synthetic`, `real` and `libsvm`: keep one"),
        }
    }

    fn check_synthetic(
        &self,
        table: &toml::Table,
        grid: &GridSpec,
        quick: &QuickSpec,
    ) -> anyhow::Result<Vec<(u32, u64)>> {
        for key in ["k", "seed"] {
            if table.contains_key(key) {
                bail!(
                    "`data.synthetic.{key}` is set by the grid: use `grid.{key}{}` instead",
                    if key == "seed" { "s" } else { "" }
                );
            }
        }
        self.check_sizes(grid)?;
        if grid.k.is_empty() {
            bail!("`grid.k` is required (and non-empty) with `[data.synthetic]`");
        }
        let mut dimensions: Vec<(u32, u64)> = Vec::new();
        let quick_k = quick.k.as_deref().unwrap_or_default();
        for (key, ks) in [("grid.k", &grid.k[..]), ("quick.k", quick_k)] {
            if let Some(k) = ks.iter().find(|&&k| k < 2) {
                bail!("`{key}` holds {k}; k must be >= 2");
            }
            check_unique(key, ks)?;
            // The generator's own checks (ranges, and a feature space that fits u64 ids) for
            // every k, so a bad grid fails before any run starts.
            for &k in ks {
                let config = resolve::synthetic_config(table, k, 0)?;
                let problem = features::synthetic::SyntheticProblem::new(config)
                    .map_err(|e| anyhow::anyhow!("[data.synthetic] with {key} = {k}: {e}"))?;
                if problem.config().gaussian.is_some() {
                    self.check_dense_entries(key, k, grid)?;
                }
                if !dimensions.iter().any(|&(seen, _)| seen == k) {
                    dimensions.push((k, problem.space().dimension()));
                }
            }
        }
        Ok(dimensions)
    }

    /// The split sizes of synthetic data: `n_train` here or as a grid list, the others here.
    fn check_sizes(&self, grid: &GridSpec) -> anyhow::Result<()> {
        match (self.n_train, grid.n_train.is_empty()) {
            (Some(_), false) => bail!(
                "`data.n_train` and `grid.n_train` are both set: keep one (the grid's list makes \
                 one data set per value)"
            ),
            (None, false) => {
                if grid.n_train.contains(&0) {
                    bail!("`grid.n_train` holds 0; every value must be >= 1");
                }
                check_unique("grid.n_train", &grid.n_train)?;
            }
            _ => {}
        }
        let n_train = self.n_train.or(grid.n_train.first().copied());
        for (key, value) in
            [("n_train", n_train), ("n_validation", self.n_validation), ("n_test", self.n_test)]
        {
            match value {
                None => bail!("`data.{key}` is required with `[data.synthetic]`"),
                Some(0) => bail!("`data.{key}` must be >= 1"),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The Gaussian mode lists all p = k values of every row: the three splits together (at the
    /// largest training size) must hold at most `MAX_DENSE_ENTRIES` values.
    fn check_dense_entries(&self, key: &str, k: u32, grid: &GridSpec) -> anyhow::Result<()> {
        use features::synthetic::gaussian::MAX_DENSE_ENTRIES;
        let n_train = self.n_train.or(grid.n_train.iter().copied().max()).unwrap_or(0);
        let rows = [n_train, self.n_validation.unwrap_or(0), self.n_test.unwrap_or(0)]
            .iter()
            .fold(0u64, |sum, &n| sum.saturating_add(n));
        let entries = rows.saturating_mul(u64::from(k));
        if entries > MAX_DENSE_ENTRIES {
            bail!(
                "[data.synthetic.gaussian] with {key} = {k}: the splits' {rows} rows hold {entries} \
                 values (rows times k), more than {MAX_DENSE_ENTRIES}: lower `data.n_train`, \
                 `data.n_validation`, `data.n_test` or k"
            );
        }
        Ok(())
    }

    /// Every value of `grid.hash_buckets` applied to the source and read as the library reads
    /// it (the synthetic generator built at the smallest k), so a bad value fails before any run.
    fn check_hash_grid(&self, grid: &GridSpec) -> anyhow::Result<()> {
        if !grid.hash_buckets.is_empty() && !grid.n_train.is_empty() {
            bail!(
                "`grid.hash_buckets` and `grid.n_train` are both set: a report varies one of them \
                 (make two specs)"
            );
        }
        for &buckets in &grid.hash_buckets {
            let at =
                |e: anyhow::Error| anyhow::anyhow!("with `grid.hash_buckets` = {buckets}: {e}");
            match (&self.synthetic, &self.real, grid.k.iter().min()) {
                (Some(table), _, Some(&k)) => {
                    let table = super::hash_grid::synthetic_table(table, buckets).map_err(at)?;
                    let config = resolve::synthetic_config(&table, k, 0).map_err(at)?;
                    features::synthetic::SyntheticProblem::new(config)
                        .map_err(|e| at(anyhow::anyhow!("[data.synthetic] with k = {k}: {e}")))?;
                }
                (_, Some(table), _) => {
                    let table = super::hash_grid::real_table(table, buckets).map_err(at)?;
                    resolve::real_spec(&table).map_err(at)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A LIBSVM source: its own split, no synthetic sizes, nothing hashed, held in memory.
    fn check_libsvm(
        &self,
        libsvm: &super::libsvm::LibsvmSpec,
        grid: &GridSpec,
    ) -> anyhow::Result<()> {
        libsvm.check()?;
        for (key, value) in [
            ("data.n_train", self.n_train.is_some()),
            ("data.n_validation", self.n_validation.is_some()),
            ("data.n_test", self.n_test.is_some()),
            ("grid.k", !grid.k.is_empty()),
            ("grid.n_train", !grid.n_train.is_empty()),
            ("grid.hash_buckets", !grid.hash_buckets.is_empty()),
            ("data.stream", self.stream),
        ] {
            if value {
                bail!("`{key}` does not apply to `[data.libsvm]` (its rows are held, split by fractions)");
            }
        }
        Ok(())
    }

    fn check_real(&self, table: &toml::Table, grid: &GridSpec) -> anyhow::Result<()> {
        let real = resolve::real_spec(table)?;
        for (key, value) in [
            ("data.n_train", self.n_train.is_some()),
            ("data.n_validation", self.n_validation.is_some()),
            ("data.n_test", self.n_test.is_some()),
            ("grid.k", !grid.k.is_empty()),
            ("grid.n_train", !grid.n_train.is_empty()),
        ] {
            if value {
                bail!(
                    "`{key}` applies to synthetic data only; `[data.real]` defines its own split"
                );
            }
        }
        if let (true, Some(column)) = (self.stream, &real.split.order_by) {
            bail!(
                "`data.stream = true` needs the training rows in file order, but \
                 `data.real.split.order_by = \"{column}\"` sorts the rows by time into splits: \
                 drop `data.stream` (the rows are then held), or sort the file by `{column}` and \
                 split it with `shuffle = false` instead of `order_by`"
            );
        }
        if self.stream && real.depends_on_seed() {
            bail!(
                "`data.stream = true` needs the training rows in file order, but \
                 `data.real.split.shuffle` is true (the default) and shuffles the rows into \
                 splits: set `shuffle = false` in `[data.real.split]` (the split's fractions or \
                 ranges are then taken in file order) or drop `data.stream`"
            );
        }
        Ok(())
    }
}

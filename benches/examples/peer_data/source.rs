//! Where the compared rows come from: the synthetic generator (`--k`), or a spec's `[data.real]`
//! table (`--spec`, `--data-dir`), loaded exactly as the runner loads it (same label rule,
//! categorical vocabularies, hashed or exact crosses, split). Real rows have their ids renumbered
//! by rank over train and test (`0..m`), so that every tool holds an `m`-column problem: the
//! features and their values are unchanged, only their names.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::{Context, Result};
use features::{SparseExample, SplitName, SyntheticConfig, SyntheticProblem};

use crate::peer_fit::load_real_spec;

/// The two splits every tool trains and scores on.
pub struct Rows {
    /// The section name in the results: `k8`, or the spec's `name`.
    pub name: String,
    /// Training rows, in training order.
    pub train: Vec<SparseExample>,
    /// Test rows.
    pub test: Vec<SparseExample>,
    /// Width of the feature space (k^k cells plus marginals, or the renumbered ids).
    pub dimension: u64,
}

/// `n_train` and `n_test` rows of the synthetic problem at `k` and `seed`.
pub fn synthetic(k: usize, seed: u64, n_train: u64, n_test: u64) -> Result<Rows> {
    let problem = SyntheticProblem::new(SyntheticConfig { k, seed, ..SyntheticConfig::default() })
        .context("option --k")?;
    Ok(Rows {
        name: format!("k{k}"),
        train: problem.stream(SplitName::Train, n_train).collect(),
        test: problem.stream(SplitName::Test, n_test).collect(),
        dimension: problem.dimension(),
    })
}

/// The train and test splits of `spec`'s `[data.real]` table, its split shuffled with `seed`.
pub fn real(spec: &Path, data_dir: &Path, seed: u64) -> Result<Rows> {
    let (name, loaded) = load_real_spec(spec, data_dir, seed)?;
    let name = name.with_context(|| format!("{}: no `name`", spec.display()))?;
    anyhow::ensure!(
        !loaded.test.is_empty(),
        "{}: the spec has no test split (set `test_file` or a test fraction)",
        spec.display()
    );
    let ids: BTreeSet<u64> =
        loaded.train.iter().chain(&loaded.test).flat_map(|e| e.ids.iter().copied()).collect();
    let rank: HashMap<u64, u64> = ids.iter().enumerate().map(|(r, &id)| (id, r as u64)).collect();
    let renumber = |rows: Vec<SparseExample>| -> Vec<SparseExample> {
        rows.into_iter()
            .map(|mut e| {
                e.ids.iter_mut().for_each(|id| *id = rank[id]);
                e
            })
            .collect()
    };
    Ok(Rows {
        name,
        train: renumber(loaded.train),
        test: renumber(loaded.test),
        dimension: ids.len() as u64,
    })
}

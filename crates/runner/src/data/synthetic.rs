//! Builds a synthetic data set for one (k, seed): the generator's three splits (the training
//! split streamed with `[data] stream`), its feature space, its true support and the collisions
//! of a hashed full cross (one more pass over the training rows, only when it is hashed).

use anyhow::Context;
use features::synthetic::{SplitName, SyntheticProblem};

use crate::data::dataset::Dataset;
use crate::data::train_stream::TrainStream;
use crate::plan::DatasetKey;
use crate::spec::resolve::synthetic_config;
use crate::spec::ExperimentSpec;

/// Draws the splits of `[data.synthetic]` (`table`) for `k` and `key.seed`, sized by the spec.
pub fn build(
    spec: &ExperimentSpec,
    table: &toml::Table,
    k: u32,
    key: DatasetKey,
) -> anyhow::Result<Dataset> {
    let problem = SyntheticProblem::new(synthetic_config(table, k, key.seed)?)
        .with_context(|| format!("synthetic data for k = {k}, seed = {}", key.seed))?;
    let n_train = key.n.or(spec.data.n_train).unwrap_or(0);
    let hash_stats = problem.hash_stats(n_train);
    if spec.data.stream {
        let [validation, test] = [
            (SplitName::Validation, spec.data.n_validation.unwrap_or(0)),
            (SplitName::Test, spec.data.n_test.unwrap_or(0)),
        ]
        .map(|(split, n)| problem.stream(split, n).collect::<Vec<_>>());
        let (space, support) = (problem.space().clone(), problem.true_support().to_vec());
        let stream = TrainStream::Synthetic { problem: Box::new(problem), n: n_train };
        let name = "synthetic".to_string();
        let mut dataset = Dataset::streamed(name, key, space, stream, [validation, test], support)?;
        dataset.hash_stats = hash_stats;
        return Ok(dataset);
    }
    let sizes = [
        (SplitName::Train, n_train),
        (SplitName::Validation, spec.data.n_validation.unwrap_or(0)),
        (SplitName::Test, spec.data.n_test.unwrap_or(0)),
    ];
    let splits = sizes.map(|(split, n)| problem.stream(split, n).collect::<Vec<_>>());
    let support = problem.true_support().to_vec();
    let mut dataset =
        Dataset::finish("synthetic".to_string(), key, problem.space().clone(), splits, support);
    dataset.hash_stats = hash_stats;
    Ok(dataset)
}

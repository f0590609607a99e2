//! The experiment as a whole: its name, the tables of the other modules, the checks that span
//! them, and the shared online config an optimizer entry's runs are given.

use std::collections::BTreeSet;

use anyhow::bail;
use serde::{Deserialize, Serialize};

use super::compare::CompareSpec;
use super::data::DataSpec;
use super::grid::GridSpec;
use super::optimizer::{online_config, OnlineBase, OptimizerSpec};
use super::quick::QuickSpec;
use super::regularizer::RegularizerSpec;
use super::report::ReportSpec;
use super::selection::SelectionSpec;

/// One experiment: a data source, a grid of runs, how lambda is selected, what is reported.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    /// Name of the experiment; reports go to `<out>/<name>/`.
    pub name: String,
    /// One line shown by `runner list`.
    #[serde(default)]
    pub description: String,
    /// Where the examples come from.
    pub data: DataSpec,
    /// The grid shared by every regularizer entry.
    #[serde(deserialize_with = "super::grid::read")]
    pub grid: GridSpec,
    /// The regularizers, each with its optimizers (TOML `[[regularizer]]`).
    #[serde(rename = "regularizer")]
    pub regularizers: Vec<RegularizerSpec>,
    /// How the lambda of each (k, regularizer, optimizer, seed) is chosen.
    #[serde(default)]
    pub selection: SelectionSpec,
    /// What is written besides `runs.csv`.
    #[serde(default)]
    pub report: ReportSpec,
    /// How `--quick` shrinks the experiment.
    #[serde(default)]
    pub quick: QuickSpec,
    /// Published-vs-ours comparisons written to `published_vs_ours.md` and `.csv` (TOML
    /// `[[compare]]`).
    #[serde(default, rename = "compare", skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<CompareSpec>,
}

impl ExperimentSpec {
    /// Checks everything serde cannot: value ranges, one-of rules, names, uniqueness.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.name.is_empty()
            || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            bail!(
                "`name` must be non-empty and use only letters, digits, `_` and `-`, got {:?}",
                self.name
            );
        }
        let dimensions = self.data.check(&self.grid, &self.quick)?;
        self.grid.check()?;
        self.check_stream()?;
        self.selection.check()?;
        self.quick.check()?;
        self.report.check()?;
        if self.regularizers.is_empty() {
            bail!("no `[[regularizer]]` entry");
        }
        let mut seen = BTreeSet::new();
        for (r, reg) in self.regularizers.iter().enumerate() {
            reg.check(r, self.online_base(), &mut seen, &dimensions)?;
        }
        for (c, comparison) in self.comparisons.iter().enumerate() {
            comparison.check(&format!("compare[{c}]"), &seen)?;
            if let Some(k) = comparison.k {
                if self.data.synthetic.is_none() || !self.grid.k.contains(&k) {
                    bail!("`compare[{c}].k` = {k} is not one of the synthetic grid's k");
                }
            }
        }
        Ok(())
    }

    /// A streamed training split comes in its one order: no entry may shuffle it.
    fn check_stream(&self) -> anyhow::Result<()> {
        if !self.data.stream {
            return Ok(());
        }
        let entries = self.regularizers.iter().flat_map(|r| &r.optimizers);
        let shuffled = std::iter::once(self.grid.training.shuffle)
            .chain(entries.map(|o| o.training().shuffle))
            .any(|s| s == Some(true));
        if shuffled {
            bail!(
                "`data.stream = true` with `shuffle = true`: a streamed training split is \
                 regenerated in its one order on every pass; drop one of the two"
            );
        }
        Ok(())
    }

    /// The shared online config the runs of `opt` are given (with a sparse store; the run sets
    /// the dense store's dimension and the seed).
    pub fn online_config(&self, opt: &OptimizerSpec) -> optimizers::online::OnlineConfig {
        online_config(opt.online(), self.online_base())
    }

    /// What every online entry's config takes from the data and the grid.
    pub fn online_base(&self) -> OnlineBase<'_> {
        OnlineBase {
            loss: self.data.loss,
            training: &self.grid.training,
            memory_cap: self.grid.memory_cap_bytes(),
        }
    }
}

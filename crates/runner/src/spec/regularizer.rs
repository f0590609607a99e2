//! `[[regularizer]]`: one regularizer (a name of the regularizer registry and its settings),
//! the lambdas or path its optimizers share, and its optimizer entries.

use std::collections::BTreeSet;

use anyhow::bail;
use regularizers::Penalty;
use serde::{Deserialize, Serialize};

use super::experiment::ExperimentSpec;
use super::optimizer::{EntryContext, OptimizerSpec};
use super::rules::check_lambdas;

/// One regularizer and the optimizers that fit it (TOML `[[regularizer]]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RegularizerSpec {
    /// A name of the regularizer registry (`regularizers::REGULARIZERS`).
    pub kind: String,
    /// Lambda values for every optimizer of this entry (an optimizer may override).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<Vec<f64>>,
    /// A lambda path computed by batch solvers from the data (`lambda_max` downwards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathSpec>,
    /// The optimizers (TOML `[[regularizer.optimizer]]`).
    #[serde(rename = "optimizer")]
    pub optimizers: Vec<OptimizerSpec>,
    /// Every other key: the regularizer's own settings, checked by its registry entry (which
    /// names an unknown key).
    #[serde(flatten)]
    pub settings: toml::Table,
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

impl RegularizerSpec {
    /// Checks entry `r` and its optimizers; `seen` collects the (regularizer, label) pairs, which
    /// must be unique.
    pub fn check(
        &self,
        r: usize,
        spec: &ExperimentSpec,
        seen: &mut BTreeSet<(String, String)>,
        dimensions: &[(u32, u64)],
    ) -> anyhow::Result<()> {
        let reg_at = format!("regularizer[{r}]");
        if let Some(lambdas) = &self.lambdas {
            check_lambdas(&format!("{reg_at}.lambdas"), lambdas)?;
        }
        let penalty = Penalty::new(&self.kind, &self.settings)
            .map_err(|e| anyhow::anyhow!("`{reg_at}`: {e}"))?;
        if let Some(path) = self.path {
            check_path(&format!("{reg_at}.path"), path)?;
        }
        if self.optimizers.is_empty() {
            bail!("`{reg_at}` has no `[[regularizer.optimizer]]`");
        }
        for (o, opt) in self.optimizers.iter().enumerate() {
            let at = format!("{reg_at}.optimizer[{o}]");
            let ctx = EntryContext {
                at,
                reg_at: &reg_at,
                reg: self,
                penalty: &penalty,
                spec,
                dimensions,
            };
            opt.check(&ctx)?;
            self.check_label(&ctx.at, opt, seen)?;
        }
        Ok(())
    }

    /// A label fits in file names and CSV cells and is unique within the regularizer.
    fn check_label(
        &self,
        at: &str,
        opt: &OptimizerSpec,
        seen: &mut BTreeSet<(String, String)>,
    ) -> anyhow::Result<()> {
        let label = opt.display_label();
        if label.is_empty() || label.contains(['/', ',', '\n', '"']) {
            bail!(
                "`{at}.label` must be non-empty without `/`, `,`, quotes or newlines, got {label:?}"
            );
        }
        if !seen.insert((self.kind.clone(), label.clone())) {
            bail!(
                "`{at}`: optimizer `{label}` appears twice for regularizer `{}`; give one a \
                 distinct `label`",
                self.kind
            );
        }
        Ok(())
    }
}

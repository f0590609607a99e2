//! `[[regularizer]]`: one regularizer (a name of the regularizer registry and its settings),
//! the lambdas or path its optimizers share, and its optimizer entries.

use std::collections::BTreeSet;

use anyhow::bail;
use regularizers::Penalty;
use serde::{Deserialize, Serialize};

use super::optimizer::{check_path, EntryContext, OnlineBase, OptimizerSpec, PathSpec};
use super::rules::check_lambdas;
use crate::messages::with_suggestion;

/// The keys of a `[[regularizer]]` table besides the regularizer's own settings.
const SHARED_KEYS: &[&str] = &["kind", "lambdas", "path", "optimizer"];

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

impl RegularizerSpec {
    /// Checks entry `r` and its optimizers; `seen` collects the (regularizer, label) pairs, which
    /// must be unique.
    pub fn check(
        &self,
        r: usize,
        base: OnlineBase<'_>,
        seen: &mut BTreeSet<(String, String)>,
        dimensions: &[(u32, u64)],
    ) -> anyhow::Result<()> {
        let reg_at = format!("regularizer[{r}]");
        if let Some(lambdas) = &self.lambdas {
            check_lambdas(&format!("{reg_at}.lambdas"), lambdas)?;
        }
        let penalty = Penalty::new(&self.kind, &self.settings).map_err(|e| {
            anyhow::anyhow!("`{reg_at}`: {}", with_suggestion(&e.to_string(), SHARED_KEYS))
        })?;
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
                lambdas: self.lambdas.as_ref(),
                path: self.path,
                settings: &self.settings,
                penalty: &penalty,
                base,
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

//! `[selection]`: how the lambda of each (k, regularizer, optimizer, seed) group is chosen, the
//! lambda search past a grid's edges, and the size budget.

use anyhow::bail;
use serde::{Deserialize, Serialize};

/// How the lambda of each (k, regularizer, optimizer, seed) group is chosen.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SelectionSpec {
    /// Validation metric to optimise: `log_loss` (default, lower is better), `accuracy`, `auc`
    /// or `mse`.
    #[serde(default)]
    pub metric: SelectionMetric,
    /// Relative slack: among runs whose validation metric is within `tolerance` of the best
    /// (e.g. 0.01 = 1%), the one with the fewest nonzero weights is chosen. Default 0.
    #[serde(default)]
    pub tolerance: f64,
    /// Retrain each selected configuration on train + validation and score it on test (rows
    /// with run id `<selected run id>-refit`, reported apart). Default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refit: bool,
    /// How far the lambda grid is extended when a group's choice lands on one of its edges
    /// (`search = { max_steps = 6 }`; 0 turns the search off and leaves edges flagged).
    #[serde(default)]
    pub search: SearchSpec,
    /// A size limit: per group, the best validation score among models within it is reported
    /// too, found by searching lambda (`budget = { nonzero_weights = 600 }` or
    /// `{ model_bytes = 7200 }`; the command line's `--budget` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
}

impl Default for SelectionSpec {
    fn default() -> Self {
        Self {
            metric: SelectionMetric::LogLoss,
            tolerance: 0.0,
            refit: false,
            search: SearchSpec::default(),
            budget: None,
        }
    }
}

/// The lambda search past a grid's edges (see `sweep::search`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SearchSpec {
    /// Most points added past an edge per group (each a geometric step of the grid's own
    /// spacing at that edge); the choice is flagged `cap` when it is still at the edge.
    #[serde(default = "SearchSpec::default_max_steps")]
    pub max_steps: u32,
    /// Most lambdas tried per group by the budget search (geometric steps up to the first
    /// model within the budget, then log-space bisection).
    #[serde(default = "SearchSpec::default_budget_steps")]
    pub budget_steps: u32,
}

impl SearchSpec {
    fn default_max_steps() -> u32 {
        6
    }
    fn default_budget_steps() -> u32 {
        8
    }
}

impl Default for SearchSpec {
    fn default() -> Self {
        Self { max_steps: Self::default_max_steps(), budget_steps: Self::default_budget_steps() }
    }
}

/// A limit on a model's size (`[selection] budget`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Budget {
    /// At most this many nonzero weights.
    NonzeroWeights(u64),
    /// At most this many model bytes (`model_bytes_sparse`).
    ModelBytes(u64),
}

impl Budget {
    /// Whether a row's model is within the budget.
    pub fn admits(&self, nonzero_weights: u64, model_bytes: u64) -> bool {
        match *self {
            Budget::NonzeroWeights(n) => nonzero_weights <= n,
            Budget::ModelBytes(b) => model_bytes <= b,
        }
    }

    /// The budget in words, e.g. `<= 600 nonzero weights`.
    pub fn describe(&self) -> String {
        match *self {
            Budget::NonzeroWeights(n) => format!("<= {n} nonzero weights"),
            Budget::ModelBytes(b) => format!("<= {b} model bytes"),
        }
    }

    /// Parses the command line's form, `nonzero_weights=N` or `model_bytes=B`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}`: expected `nonzero_weights=N` or `model_bytes=B`"))?;
        let value: u64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: `{}` is not a whole number >= 0", value.trim()))?;
        match key.trim() {
            "nonzero_weights" => Ok(Budget::NonzeroWeights(value)),
            "model_bytes" => Ok(Budget::ModelBytes(value)),
            other => Err(format!(
                "`{text}`: unknown budget `{other}` (expected `nonzero_weights` or `model_bytes`)"
            )),
        }
    }
}

/// A validation metric lambda can be chosen on.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SelectionMetric {
    /// Mean negative log-likelihood (lower is better).
    #[default]
    LogLoss,
    /// Accuracy (higher is better).
    Accuracy,
    /// ROC AUC (higher is better).
    Auc,
    /// Mean squared error (lower is better; the metric of squared loss).
    Mse,
}

impl SelectionMetric {
    /// The name used in specs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SelectionMetric::LogLoss => "log_loss",
            SelectionMetric::Accuracy => "accuracy",
            SelectionMetric::Auc => "auc",
            SelectionMetric::Mse => "mse",
        }
    }
}

impl SelectionSpec {
    /// Checks what serde cannot: a usable tolerance.
    pub fn check(&self) -> anyhow::Result<()> {
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            bail!("`selection.tolerance` must be finite and >= 0, got {}", self.tolerance);
        }
        Ok(())
    }
}

//! The `[[compare]]` tables of a spec (published-vs-ours comparisons): their keys, the claims of
//! `expect`, and the checks made when the spec is loaded.
//!
//! Three kinds:
//! - `equal_metric`: the quantity (e.g. nonzero weights) of each method where its *validation*
//!   metric reaches a target (the reference's selected run, or the worst of the methods' best
//!   plus each of `offsets`), interpolated along each method's lambda path; the quantity and the
//!   test metric are then read at that operating point (McMahan et al. 2013's "at equal
//!   accuracy", as a frontier: test reports, never chooses);
//! - `equal_lambda`: the quantity of each method at the same lambda (Tsuruoka et al. 2009);
//! - `path`: the quantity and the metric along each method's lambda path, against the smallest
//!   lambda (the shape of Vowpal Wabbit's truncated-gradient example); the lambda judged is
//!   chosen on the validation metric, its test metric reported.
//!
//! Computing a table from the rows of `runs.csv` (and reading a quantity or a metric from a row)
//! is the report's business: `report::compare`.

use std::collections::BTreeSet;

use anyhow::bail;
use serde::{Deserialize, Serialize};

/// What a comparison holds fixed across methods.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CompareKind {
    /// A validation metric target (see [`MetricTarget`]).
    EqualMetric,
    /// The lambdas listed in `lambdas`.
    EqualLambda,
    /// Nothing: each method's whole lambda path, against its smallest lambda.
    Path,
}

impl CompareKind {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareKind::EqualMetric => "equal_metric",
            CompareKind::EqualLambda => "equal_lambda",
            CompareKind::Path => "path",
        }
    }
}

/// The size being compared: a `runs.csv` column.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// `nonzero_weights`.
    #[default]
    NonzeroWeights,
    /// `train_state_bytes` (the optimizer's state at its peak: the RAM of McMahan's Table 2).
    TrainStateBytes,
    /// `model_bytes_sparse`.
    ModelBytesSparse,
    /// `peak_heap_bytes`.
    PeakHeapBytes,
}

impl Quantity {
    /// The column name.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantity::NonzeroWeights => "nonzero_weights",
            Quantity::TrainStateBytes => "train_state_bytes",
            Quantity::ModelBytesSparse => "model_bytes_sparse",
            Quantity::PeakHeapBytes => "peak_heap_bytes",
        }
    }
}

/// The accuracy figure: a column of `runs.csv`, read on validation to choose and on test to
/// report.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum CompareMetric {
    /// `log_loss` (lower is better).
    #[default]
    LogLoss,
    /// `auc` (higher is better).
    Auc,
    /// `accuracy` (higher is better).
    Accuracy,
}

impl CompareMetric {
    /// The column name.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareMetric::LogLoss => "log_loss",
            CompareMetric::Auc => "auc",
            CompareMetric::Accuracy => "accuracy",
        }
    }

    /// The metric oriented so that lower is better.
    pub fn cost(self, value: f64) -> f64 {
        match self {
            CompareMetric::LogLoss => value,
            CompareMetric::Auc | CompareMetric::Accuracy => -value,
        }
    }
}

/// Which accuracy `equal_metric` holds fixed.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MetricTarget {
    /// The validation metric of the reference's selected run (per seed).
    #[default]
    Reference,
    /// The best validation metric every method reaches: the worst of the methods' best (per
    /// seed), plus each of `offsets`.
    Common,
}

/// One published-vs-ours comparison (TOML `[[compare]]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSpec {
    /// Heading of the comparison.
    pub title: String,
    /// Where the published figures come from.
    #[serde(default)]
    pub source: String,
    /// What is held fixed across methods.
    pub kind: CompareKind,
    /// Synthetic data swept over k: only the runs at this k (without it, every row of a method
    /// counts, which is right for a spec with one k or real data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
    /// The size compared (default `nonzero_weights`).
    #[serde(default)]
    pub quantity: Quantity,
    /// The accuracy figure (default `log_loss`): validation chooses, test reports.
    #[serde(default)]
    pub metric: CompareMetric,
    /// `equal_metric`: which metric is held fixed (default `reference`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<MetricTarget>,
    /// `equal_metric`: relative slack on the target metric (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// `equal_metric` with `target = "common"`: the targets, as absolute slacks added to the
    /// worst of the methods' best validation cost (default `[0]`; each one is a table point).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offsets: Option<Vec<f64>>,
    /// `equal_metric`: an operating point between two runs whose `1 + quantity` differ by more
    /// than this factor is flagged coarse (default 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coarse_factor: Option<f64>,
    /// `equal_lambda`: the lambdas compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<Vec<f64>>,
    /// The method others are relative to (required by `equal_metric`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Claims checked on the mean quantities: `"a < b"`, `"a > b"`, `"a ~ b"` (method names).
    #[serde(default)]
    pub expect: Vec<String>,
    /// What `~` allows: the larger over the smaller at most this (default 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similar_factor: Option<f64>,
    /// `path`: the quantity must fall at least this many times ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_fold: Option<f64>,
    /// ... while the metric worsens by at most this (absolute), against the smallest lambda.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_metric_change: Option<f64>,
    /// The published result in words.
    #[serde(default)]
    pub published_text: String,
    /// Printed under the table: mappings, conventions, caveats.
    #[serde(default)]
    pub note: String,
    /// The methods compared (TOML `[[compare.method]]`).
    #[serde(rename = "method")]
    pub methods: Vec<CompareMethod>,
}

/// One method of a comparison: an optimizer of the spec, and its published figure.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompareMethod {
    /// Name in the table and in `expect` (default: the optimizer label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `[[regularizer]]` entry's kind.
    pub regularizer: String,
    /// The optimizer's label within that entry, or several labels whose runs form one path
    /// (e.g. one label per admission count for OGD-Count).
    pub optimizer: Labels,
    /// Published figure: percent change of the quantity against the reference (`equal_*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<f64>,
    /// Published figure in words (any kind).
    #[serde(default)]
    pub published_text: String,
}

/// One optimizer label or several.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Labels {
    /// One label.
    One(String),
    /// Several labels, pooled.
    Many(Vec<String>),
}

impl Labels {
    /// The labels as a list.
    pub fn as_slice(&self) -> &[String] {
        match self {
            Labels::One(label) => std::slice::from_ref(label),
            Labels::Many(labels) => labels,
        }
    }

    /// The labels joined with `+`.
    pub fn joined(&self) -> String {
        self.as_slice().join("+")
    }
}

impl CompareMethod {
    /// The name used in tables and claims (default: the label, or the labels joined by `+`).
    pub fn name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.optimizer.joined())
    }
}

/// A claim of `expect`: `left op right` with `op` one of `<`, `>`, `~`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Relation {
    /// The method name on the left.
    pub(crate) left: String,
    /// `<`, `>` or `~`.
    pub(crate) op: char,
    /// The method name on the right.
    pub(crate) right: String,
}

impl Relation {
    /// Parses a claim; None when it is not `a < b`, `a > b` or `a ~ b` with two distinct names.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        // Exactly one operator character in the whole claim.
        let ops: Vec<char> = text.chars().filter(|c| ['<', '>', '~'].contains(c)).collect();
        let [op] = ops[..] else { return None };
        let (left, right) = text.split_once(op)?;
        let (left, right) = (left.trim(), right.trim());
        if left.is_empty() || right.is_empty() || left == right {
            return None;
        }
        Some(Self { left: left.to_string(), op, right: right.to_string() })
    }

    /// Whether the claim holds for these values (None when one is missing).
    pub(crate) fn holds(&self, left: f64, right: f64, similar_factor: f64) -> Option<bool> {
        if !(left.is_finite() && right.is_finite()) {
            return None;
        }
        Some(match self.op {
            '<' => left < right,
            '>' => left > right,
            _ => left.max(right) <= similar_factor * left.min(right),
        })
    }
}

const DEFAULT_SIMILAR_FACTOR: f64 = 2.0;
const DEFAULT_COARSE_FACTOR: f64 = 4.0;

impl CompareSpec {
    /// `similar_factor` or its default.
    pub fn similar_factor(&self) -> f64 {
        self.similar_factor.unwrap_or(DEFAULT_SIMILAR_FACTOR)
    }

    /// `coarse_factor` or its default.
    pub fn coarse_factor(&self) -> f64 {
        self.coarse_factor.unwrap_or(DEFAULT_COARSE_FACTOR)
    }

    /// `offsets` or its default (the target itself).
    pub fn offsets(&self) -> Vec<f64> {
        self.offsets.clone().unwrap_or_else(|| vec![0.0])
    }

    /// Checks the table against the spec's optimizers (`known`: (regularizer kind, label)).
    pub fn check(&self, at: &str, known: &BTreeSet<(String, String)>) -> anyhow::Result<()> {
        if self.title.trim().is_empty() {
            bail!("`{at}.title` is empty");
        }
        if self.methods.is_empty() {
            bail!("`{at}` has no `[[compare.method]]`");
        }
        let mut names = BTreeSet::new();
        for (m, method) in self.methods.iter().enumerate() {
            if method.optimizer.as_slice().is_empty() {
                bail!("`{at}.method[{m}].optimizer` is an empty list");
            }
            for label in method.optimizer.as_slice() {
                let key = (method.regularizer.clone(), label.clone());
                if !known.contains(&key) {
                    bail!(
                        "`{at}.method[{m}].optimizer`: no optimizer labelled `{label}` under a `[[regularizer]]` of kind `{}` in this spec",
                        key.0
                    );
                }
            }
            if method.name().trim().is_empty() || !names.insert(method.name()) {
                bail!("`{at}.method[{m}].name` {:?} is empty or used twice", method.name());
            }
            if let Some(p) = method.published {
                if !p.is_finite() || self.kind == CompareKind::Path {
                    bail!("`{at}.method[{m}].published` must be a finite percent change, and only with `equal_metric` or `equal_lambda` (use `published_text` with `path`)");
                }
            }
        }
        if let Some(reference) = &self.reference {
            if !names.contains(reference) {
                bail!("`{at}.reference` {reference:?} is not one of the method names {names:?}");
            }
        }
        self.check_kind_keys(at)?;
        if let Some(f) = self.similar_factor {
            if !(f.is_finite() && f >= 1.0) {
                bail!("`{at}.similar_factor` must be finite and >= 1, got {f}");
            }
        }
        for (e, text) in self.expect.iter().enumerate() {
            let Some(relation) = Relation::parse(text) else {
                bail!("`{at}.expect[{e}]` {text:?} is not `a < b`, `a > b` or `a ~ b`");
            };
            for side in [&relation.left, &relation.right] {
                if !names.contains(side) {
                    bail!(
                        "`{at}.expect[{e}]` names {side:?}, not one of the method names {names:?}"
                    );
                }
            }
        }
        Ok(())
    }

    /// The keys that belong to one kind only.
    fn check_kind_keys(&self, at: &str) -> anyhow::Result<()> {
        let only = |key: &str, set: bool, kind: CompareKind| -> anyhow::Result<()> {
            if set && self.kind != kind {
                bail!("`{at}.{key}` applies to `kind = \"{}\"` only", kind.as_str());
            }
            Ok(())
        };
        only("tolerance", self.tolerance.is_some(), CompareKind::EqualMetric)?;
        only("target", self.target.is_some(), CompareKind::EqualMetric)?;
        only("offsets", self.offsets.is_some(), CompareKind::EqualMetric)?;
        only("coarse_factor", self.coarse_factor.is_some(), CompareKind::EqualMetric)?;
        only("lambdas", self.lambdas.is_some(), CompareKind::EqualLambda)?;
        only("min_fold", self.min_fold.is_some(), CompareKind::Path)?;
        only("max_metric_change", self.max_metric_change.is_some(), CompareKind::Path)?;
        match self.kind {
            CompareKind::EqualMetric => {
                if self.reference.is_none() {
                    bail!("`{at}.reference` is required with `kind = \"equal_metric\"`");
                }
                if let Some(t) = self.tolerance {
                    if !(t.is_finite() && t >= 0.0) {
                        bail!("`{at}.tolerance` must be finite and >= 0, got {t}");
                    }
                }
                self.check_frontier_keys(at)?;
            }
            CompareKind::EqualLambda => match &self.lambdas {
                None => bail!("`{at}.lambdas` is required with `kind = \"equal_lambda\"`"),
                Some(ls) if ls.is_empty() || ls.iter().any(|l| !(l.is_finite() && *l >= 0.0)) => {
                    bail!("`{at}.lambdas` must be non-empty, finite and >= 0")
                }
                Some(_) => {}
            },
            CompareKind::Path => {
                if !self.expect.is_empty() {
                    bail!("`{at}.expect` applies to `equal_metric` and `equal_lambda`; `path` checks `min_fold` and `max_metric_change`");
                }
                match (self.min_fold, self.max_metric_change) {
                    (Some(f), Some(d))
                        if f.is_finite() && f >= 1.0 && d.is_finite() && d >= 0.0 => {}
                    _ => bail!(
                        "`{at}` (path) needs `min_fold` (>= 1) and `max_metric_change` (>= 0)"
                    ),
                }
            }
        }
        Ok(())
    }
}

impl CompareSpec {
    /// `offsets` (with `target = "common"` only) and `coarse_factor`.
    fn check_frontier_keys(&self, at: &str) -> anyhow::Result<()> {
        if let Some(offsets) = &self.offsets {
            if self.target != Some(MetricTarget::Common) {
                bail!("`{at}.offsets` applies to `target = \"common\"` only");
            }
            if offsets.is_empty() || offsets.iter().any(|o| !(o.is_finite() && *o >= 0.0)) {
                bail!("`{at}.offsets` must be non-empty, finite and >= 0");
            }
        }
        if let Some(f) = self.coarse_factor {
            if !(f.is_finite() && f > 1.0) {
                bail!("`{at}.coarse_factor` must be finite and > 1, got {f}");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_parse_and_judge() {
        let rel = Relation::parse("a ~ b").unwrap();
        assert_eq!(rel.holds(10.0, 15.0, 2.0), Some(true));
        assert_eq!(rel.holds(10.0, 25.0, 2.0), Some(false));
        assert_eq!(Relation::parse("a > b").unwrap().holds(1.0, 2.0, 2.0), Some(false));
        assert_eq!(Relation::parse("a < b").unwrap().holds(f64::NAN, 2.0, 2.0), None);
        assert!(Relation::parse("a <> b").is_none() && Relation::parse("a < a").is_none());
    }
}

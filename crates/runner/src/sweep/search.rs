//! The lambda search: a grid is a guess, so when a group's chosen lambda lands on an edge of its
//! grid, points are added past that edge until the choice is interior, and a size budget is met
//! by searching lambda rather than by reading it off the grid.
//!
//! - **Edge search.** A group (data set, regularizer, optimizer, seed) whose selected row has
//!   the smallest or largest lambda (support size) of the group gets one more point past that
//!   edge, one geometric step of the grid's own spacing there (a factor of 10 for a grid of one
//!   value), rounded to three significant digits. Selection is redone and the search repeats,
//!   at most `[selection] search.max_steps` points per side. An edge is a natural bound, and is
//!   not searched past, when the lambda is 0, when the selected model has no weights (a larger
//!   lambda cannot give a sparser one), or when a support size is 1 or every touched feature.
//!   Below the grid, an online search first tries lambda 0: when it is best the search stops at
//!   that bound; when not, it steps down between 0 and the grid's bottom as before.
//! - **Budget search.** With `[selection] budget`, each group also gets the points that find
//!   the best model within the budget: geometric steps up from the largest lambda until a model
//!   fits, then log-space bisection between the largest lambda whose model does not fit and the
//!   smallest one above it whose model does, at most `search.budget_steps` points per group. A
//!   support-size method is fitted at the budget's size directly; a penalty that cannot zero a
//!   weight (L2, none) is not searched.
//!
//! An added online point is exactly the unit the spec would make had it listed that lambda
//! (same run id). An added batch point refits the unit's whole path with the new lambda in
//! place (so it is warm-started like the others) and keeps only the new point's row; its time
//! and heap are those of that whole path. Rows say where their lambda came from (`origin`) and
//! the selected row of every group says where it lies (`grid_edge`).

use std::collections::{BTreeSet, HashMap};

use crate::execute;
use crate::plan::{online_unit_at, DatasetKey, LambdaPlan, Plan, Unit};
use crate::record::{RunRecord, ORIGIN_EDGE_SEARCH, ORIGIN_GRID};
use crate::spec::{Budget, ExperimentSpec, Family};

/// `grid_edge` of a selected row strictly inside its group's lambdas.
pub const EDGE_NONE: &str = "none";
/// `grid_edge` of a selected row at the smallest lambda, not searched past.
pub const EDGE_LOW: &str = "low";
/// `grid_edge` of a selected row at the largest lambda, not searched past.
pub const EDGE_HIGH: &str = "high";
/// `grid_edge` of a selected row at an edge that is a natural bound.
pub const EDGE_BOUND: &str = "bound";
/// `grid_edge` of a selected row still at an edge after the search's last step.
pub const EDGE_CAP: &str = "cap";

/// The two searches, run one after the other on each data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Past the grid's edges.
    Edges,
    /// Towards the best model within `[selection] budget` (nothing without one).
    Budget,
}

/// The points `phase` adds now on data set `key` (none: that search is over).
pub fn additions_now(
    phase: Phase,
    spec: &ExperimentSpec,
    plan: &Plan,
    key: DatasetKey,
    rows: &[RunRecord],
) -> anyhow::Result<Vec<Addition>> {
    match (phase, spec.selection.budget) {
        (Phase::Edges, _) => edge_additions(spec, plan, key, rows),
        (Phase::Budget, Some(budget)) => budget_additions(spec, plan, key, rows, budget),
        (Phase::Budget, None) => Ok(Vec::new()),
    }
}

/// A unit the search adds, and the `origin` its rows get.
#[derive(Debug, Clone)]
pub struct Addition {
    /// The unit (for batch: the path with the new point, `emit` naming it).
    pub unit: Unit,
    /// `edge_search` or `budget_search`.
    pub origin: &'static str,
}

/// The rows of one group of one data set, with the grid unit they come from.
struct Group<'a> {
    /// A grid unit of the group (for online groups, any of its lambdas').
    template: &'a Unit,
    /// Every row of the group (any origin, any status).
    rows: Vec<&'a RunRecord>,
}

impl Group<'_> {
    /// Whether the group's "lambda" is a support size.
    fn by_support_size(&self) -> bool {
        matches!(self.template.lambdas, LambdaPlan::SupportSizes(_))
    }

    /// The distinct finite lambdas of the group's rows with an origin in `origins` (all when
    /// `None`), ascending.
    fn values(&self, origins: Option<&[&str]>) -> Vec<f64> {
        let mut values: Vec<f64> = self
            .rows
            .iter()
            .filter(|r| origins.is_none_or(|o| o.contains(&r.origin.as_str())))
            .map(|r| r.lambda)
            .filter(|l| l.is_finite())
            .collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        values
    }

    /// The values whose ends are the edges of the group for the edge search: every value but a
    /// lambda 0 the search tried that was not chosen (the search then goes on between 0 and the
    /// grid's bottom).
    fn edge_values(&self, selected: &RunRecord) -> Vec<f64> {
        let zero_tried =
            self.rows.iter().any(|r| r.lambda == 0.0 && r.origin == ORIGIN_EDGE_SEARCH);
        let mut values = self.values(None);
        if zero_tried && selected.lambda > 0.0 && !self.values(Some(&[ORIGIN_GRID])).contains(&0.0)
        {
            values.retain(|&v| v != 0.0);
        }
        values
    }

    /// Whether lambda 0 is a point of the group (tried or planned).
    fn has_zero(&self) -> bool {
        self.rows.iter().any(|r| r.lambda == 0.0)
    }

    fn selected(&self) -> Option<&RunRecord> {
        self.rows.iter().copied().find(|r| r.selected)
    }
}

/// The groups of data set `key`: one per (regularizer, optimizer label) of the plan.
fn groups<'a>(plan: &'a Plan, key: DatasetKey, rows: &'a [RunRecord]) -> Vec<Group<'a>> {
    let mut out: Vec<Group<'a>> = Vec::new();
    for unit in plan.units.iter().filter(|u| u.dataset == key) {
        if out.iter().any(|g| {
            g.template.regularizer == unit.regularizer
                && g.template.optimizer_label == unit.optimizer_label
        }) {
            continue;
        }
        let members = rows
            .iter()
            .filter(|r| {
                key.holds(r)
                    && r.regularizer == unit.regularizer
                    && r.optimizer == unit.optimizer_label
            })
            .collect();
        out.push(Group { template: unit, rows: members });
    }
    out
}

/// Rounds to three significant digits, so added lambdas read like the grid's (`1e-8`, not
/// `9.999999999999999e-9`).
fn round3(x: f64) -> f64 {
    format!("{x:.2e}").parse().unwrap_or(x)
}

/// Where a group's selected row lies, and the point to add past its edge, if any.
struct EdgeState {
    /// The `grid_edge` the selected row has if nothing more is added (`low`/`high` while `add`
    /// holds points).
    label: &'static str,
    /// The lambdas (support sizes) to add now.
    add: Vec<f64>,
}

/// One side of the group's lambdas: the next point past `edge` (`values` ascending), or why
/// there is none.
fn past_edge(
    spec: &ExperimentSpec,
    group: &Group<'_>,
    selected: &RunRecord,
    low: bool,
) -> Result<f64, &'static str> {
    let search = &spec.selection.search;
    let values = group.edge_values(selected);
    let support = group.by_support_size();
    let edge = if low { values[0] } else { values[values.len() - 1] };
    let natural_bound = if low {
        edge <= 0.0 || (support && edge <= 1.0)
    } else {
        selected.nonzero_weights == 0 || (support && edge >= selected.features_touched as f64)
    };
    if natural_bound {
        return Err(EDGE_BOUND);
    }
    if search.max_steps == 0 {
        return Err(if low { EDGE_LOW } else { EDGE_HIGH });
    }
    let grid = group.values(Some(&[ORIGIN_GRID]));
    let taken = group
        .values(Some(&[ORIGIN_EDGE_SEARCH]))
        .into_iter()
        .filter(|&v| grid.is_empty() || if low { v < grid[0] } else { v > grid[grid.len() - 1] })
        .count();
    if taken >= search.max_steps as usize {
        return Err(EDGE_CAP);
    }
    // Lambda 0, the natural bound below, is tried first: when it is best the search stops
    // there, instead of stepping down decade after decade towards it.
    if low && !support && group.template.family == Family::Online && !group.has_zero() {
        let unit = online_unit_at(spec, group.template, 0.0).map_err(|_| EDGE_BOUND)?;
        if execute::online::refusal(&unit, spec).is_none() {
            return Ok(0.0);
        }
    }
    // The grid's own spacing at this edge (a decade for a grid of one point).
    let ratio = match (low, values.len()) {
        (_, 1) => 10.0,
        (true, _) => values[1] / values[0],
        (false, n) => values[n - 1] / values[n - 2],
    };
    let ratio = if ratio.is_finite() && ratio > 1.0 { ratio } else { 10.0 };
    let next = if support {
        let next = if low { (edge / ratio).floor().max(1.0) } else { (edge * ratio).ceil() };
        let next = if next == edge {
            if low {
                edge - 1.0
            } else {
                edge + 1.0
            }
        } else {
            next
        };
        if low {
            next
        } else {
            next.min(selected.features_touched as f64)
        }
    } else if low {
        round3(edge / ratio)
    } else {
        round3(edge * ratio)
    };
    // No step possible (a grid of lambda 0 alone, as for no penalty): nothing lies past it.
    let beyond = if low { next < edge } else { next > edge };
    if !beyond || !next.is_finite() || (!support && next <= 0.0) {
        return Err(EDGE_BOUND);
    }
    // A lambda the optimizer refuses whatever the data (an L2 step too large for the first
    // step size) is a bound of this method's lambdas.
    if group.template.family == Family::Online {
        let unit = online_unit_at(spec, group.template, next).map_err(|_| EDGE_BOUND)?;
        if execute::online::refusal(&unit, spec).is_some() {
            return Err(EDGE_BOUND);
        }
    }
    Ok(next)
}

/// The edge state of a group with a selected row.
fn edge_state(spec: &ExperimentSpec, group: &Group<'_>) -> Option<EdgeState> {
    let selected = group.selected()?;
    let values = group.edge_values(selected);
    if values.is_empty() || !selected.lambda.is_finite() {
        return None;
    }
    let at_low = selected.lambda <= values[0];
    let at_high = selected.lambda >= values[values.len() - 1];
    if !at_low && !at_high {
        return Some(EdgeState { label: EDGE_NONE, add: Vec::new() });
    }
    let sides: Vec<Result<f64, &'static str>> = [(at_low, true), (at_high, false)]
        .into_iter()
        .filter(|&(at, _)| at)
        .map(|(_, low)| past_edge(spec, group, selected, low))
        .collect();
    let add: Vec<f64> = sides.iter().filter_map(|s| s.ok()).collect();
    // The label if nothing more is added: with points still to add (a search cut short), the
    // edge as such; else a side left unbounded wins over a bound one.
    let label = if !add.is_empty() {
        if at_low {
            EDGE_LOW
        } else {
            EDGE_HIGH
        }
    } else {
        sides
            .iter()
            .filter_map(|s| s.err())
            .find(|&l| l != EDGE_BOUND)
            .or(sides.iter().filter_map(|s| s.err()).next())
            .unwrap_or(EDGE_CAP)
    };
    Some(EdgeState { label, add })
}

/// The unit that adds `values` to `group`: for online, one unit per value (the spec's own unit
/// at that lambda); for batch, the group's path with the values in place, writing only theirs.
fn additions(
    spec: &ExperimentSpec,
    group: &Group<'_>,
    values: &[f64],
    origin: &'static str,
) -> anyhow::Result<Vec<Addition>> {
    let template = group.template;
    if values.is_empty() {
        return Ok(Vec::new());
    }
    match template.family {
        Family::Online => values
            .iter()
            .map(|&l| Ok(Addition { unit: online_unit_at(spec, template, l)?, origin }))
            .collect(),
        Family::Batch => {
            let mut unit = template.clone();
            let mut points: Vec<f64> = group.values(None);
            points.extend_from_slice(values);
            points.sort_by(f64::total_cmp);
            points.dedup();
            if group.by_support_size() {
                let sizes: Vec<usize> = points.iter().map(|&s| s as usize).collect();
                unit.optimizer.set_support_sizes(sizes.clone());
                unit.lambdas = LambdaPlan::SupportSizes(sizes);
            } else {
                points.reverse();
                unit.lambdas = LambdaPlan::List(points);
            }
            unit.emit = Some(values.to_vec());
            Ok(vec![Addition { unit, origin }])
        }
    }
}

/// The points the edge search adds now on data set `key` (none when every group's choice is
/// interior, at a bound, or at the cap).
pub fn edge_additions(
    spec: &ExperimentSpec,
    plan: &Plan,
    key: DatasetKey,
    rows: &[RunRecord],
) -> anyhow::Result<Vec<Addition>> {
    let mut out = Vec::new();
    for group in groups(plan, key, rows) {
        if let Some(state) = edge_state(spec, &group) {
            out.extend(additions(spec, &group, &state.add, ORIGIN_EDGE_SEARCH)?);
        }
    }
    Ok(out)
}

/// Sets `grid_edge` on the selected row of every group of data set `only` (of every data set of
/// the plan when `None`), and clears it on the other rows of those data sets.
pub fn mark_edges(
    spec: &ExperimentSpec,
    plan: &Plan,
    rows: &mut [RunRecord],
    only: Option<DatasetKey>,
) {
    let keys: Vec<DatasetKey> = match only {
        Some(key) => vec![key],
        None => plan.datasets.clone(),
    };
    let mut labels: HashMap<String, &'static str> = HashMap::new();
    for &key in &keys {
        for group in groups(plan, key, rows) {
            if let (Some(state), Some(selected)) = (edge_state(spec, &group), group.selected()) {
                labels.insert(selected.run_id.clone(), state.label);
            }
        }
    }
    for row in rows.iter_mut() {
        if keys.iter().any(|key| key.holds(row)) {
            row.grid_edge = labels.get(&row.run_id).map_or_else(String::new, |l| l.to_string());
        }
    }
}

/// The next point the budget search tries in `group`, if any.
fn budget_point(spec: &ExperimentSpec, group: &Group<'_>, budget: Budget) -> Option<f64> {
    let search = &spec.selection.search;
    use crate::record::ORIGIN_BUDGET_SEARCH;
    let usable: Vec<&RunRecord> =
        group.rows.iter().copied().filter(|r| r.is_usable() && r.lambda.is_finite()).collect();
    let fits = |r: &RunRecord| budget.admits(r.nonzero_weights, r.model_bytes_sparse);
    let tried: BTreeSet<u64> = group.rows.iter().map(|r| r.lambda.to_bits()).collect();
    let untried = |x: f64| (!tried.contains(&x.to_bits())).then_some(x);
    if group.by_support_size() {
        // The budget's size, fitted directly.
        let size = match budget {
            Budget::NonzeroWeights(n) => n,
            Budget::ModelBytes(b) => {
                let per_weight = usable
                    .iter()
                    .find(|r| r.nonzero_weights > 0)
                    .map(|r| r.model_bytes_sparse / r.nonzero_weights)?;
                b / per_weight.max(1)
            }
        };
        let touched = usable.first()?.features_touched;
        return (size >= 1 && size <= touched).then_some(size as f64).and_then(untried);
    }
    let steps = group.rows.iter().filter(|r| r.origin == ORIGIN_BUDGET_SEARCH).count();
    // L2 and no penalty keep every touched weight at any lambda: searching would only add fits
    // (the summary says why the method has no model within the budget).
    if steps >= search.budget_steps as usize
        || usable.is_empty()
        || !group.template.penalty.zeroes_weights()
    {
        return None;
    }
    // The largest lambda whose model does not fit, and the smallest above it whose model does.
    let over = usable.iter().filter(|r| !fits(r)).map(|r| r.lambda).max_by(f64::total_cmp)?;
    let within = usable
        .iter()
        .filter(|r| fits(r) && r.lambda > over)
        .map(|r| r.lambda)
        .min_by(f64::total_cmp);
    let next = match within {
        None => {
            let values = group.values(None);
            let n = values.len();
            let ratio = if n >= 2 { values[n - 1] / values[n - 2] } else { 10.0 };
            let ratio = if ratio.is_finite() && ratio > 1.0 { ratio } else { 10.0 };
            round3(over.max(f64::MIN_POSITIVE) * ratio)
        }
        // Lambda 0 has no log: a decade below the smallest lambda that fits, then bisection.
        Some(within) if over <= 0.0 => round3(within / 10.0),
        Some(within) => {
            if within / over < 1.02 {
                return None;
            }
            round3((over * within).sqrt())
        }
    };
    let next = untried(next).filter(|&x| x > over)?;
    if group.template.family == Family::Online {
        let unit = online_unit_at(spec, group.template, next).ok()?;
        if execute::online::refusal(&unit, spec).is_some() {
            return None;
        }
    }
    Some(next)
}

/// The points the budget search adds now on data set `key`.
pub fn budget_additions(
    spec: &ExperimentSpec,
    plan: &Plan,
    key: DatasetKey,
    rows: &[RunRecord],
    budget: Budget,
) -> anyhow::Result<Vec<Addition>> {
    let mut out = Vec::new();
    for group in groups(plan, key, rows) {
        if let Some(point) = budget_point(spec, &group, budget) {
            out.extend(additions(spec, &group, &[point], crate::record::ORIGIN_BUDGET_SEARCH)?);
        }
    }
    Ok(out)
}

/// The run ids of the rows `unit` writes (for an added batch path, only its new points').
pub fn emitted_ids(unit: &Unit) -> Vec<String> {
    let Some(emit) = &unit.emit else {
        return (0..unit.expected_rows()).map(|p| unit.run_id(p)).collect();
    };
    let points: Vec<f64> = match &unit.lambdas {
        LambdaPlan::List(ls) => ls.clone(),
        LambdaPlan::SupportSizes(s) => s.iter().map(|&s| s as f64).collect(),
        LambdaPlan::Single(l) => vec![*l],
        LambdaPlan::Path(_) => Vec::new(),
    };
    points
        .iter()
        .enumerate()
        .filter(|(_, v)| emit.contains(v))
        .map(|(i, _)| unit.run_id(i))
        .collect()
}

/// Keeps the rows of an added unit that it was added for, stamped with `origin`. A unit that
/// failed as a whole keeps its one `error` row, renamed to the first new point's run id.
pub fn keep_added(addition: &Addition, mut rows: Vec<RunRecord>) -> Vec<RunRecord> {
    if let Some(emit) = &addition.unit.emit {
        let failed = rows.len() == 1 && rows[0].status == crate::record::STATUS_ERROR;
        if failed {
            rows[0].lambda = emit[0];
            if let Some(id) = emitted_ids(&addition.unit).first() {
                rows[0].run_id = id.clone();
            }
        } else {
            rows.retain(|r| emit.contains(&r.lambda));
        }
    }
    for row in &mut rows {
        row.origin = addition.origin.to_string();
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round3_reads_like_a_grid() {
        assert_eq!(round3(1e-7 / 10.0), 1e-8);
        assert_eq!(round3(300.0 * 3.333_333_333), 1000.0);
        assert_eq!(round3((1e-4_f64 * 1e-3).sqrt()), 3.16e-4);
    }
}

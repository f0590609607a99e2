//! The one generic online learner: owns the weight store, mini-batching, gradient clipping,
//! feature admission, the unpenalized bias, divergence detection and the lazy-penalty clock, and
//! delegates the per-coordinate arithmetic to a [`CoordinateRule`].
//!
//! One mini-batch step `t`:
//! 1. every active feature of every example is looked up (and admitted if new), caught up on the
//!    penalty steps it missed, and the margins are computed with the weights after step `t - 1`;
//! 2. the loss gradient is averaged over the batch, duplicate ids merged, and the whole vector
//!    (bias included) clipped to `clip_norm`;
//! 3. the clock and the ledger advance to step `t`, and each touched coordinate applies the rule's
//!    update; coordinates whose state became fresh again are removed.
//!
//! Cost per example: O(active features) hash-map operations, plus O(a log a) to merge the
//! batch's gradient. Nothing depends on the dimension.
//!
//! The store is any [`CoordinateStore`]: the rules' states as they are ([`Store`], the default),
//! or encoded in fewer bits (`compact::CompactStore`, decoded on each access and encoded back
//! when changed). The bias is always kept as the rule's own state (one number).

use features::SparseExample;

use super::admission::Admitter;
use super::config::{OnlineConfig, Schedule};
use super::distinct::DistinctCounter;
use super::ledger::{Clock, Ledger};
use super::rule::{CoordinateRule, CoordinateState};
use super::store::{CoordinateStore, Store, StoreMemory};
use super::{OnlineError, OnlineOptimizer};
use crate::model::sparse_model_bytes;
use crate::{LinearModel, LossKind};

/// A [`CoordinateRule`] run over a store of coordinates plus a bias.
pub(crate) struct Learner<R: CoordinateRule, S = Store<<R as CoordinateRule>::State>> {
    rule: R,
    bias_rule: R,
    ledger: Ledger,
    bias_ledger: Ledger,
    bias: R::State,
    store: S,
    clock: Clock,
    schedule: Schedule,
    loss: LossKind,
    clip_norm: Option<f64>,
    admitter: Admitter,
    touched: DistinctCounter,
    /// Scratch: `(id, gradient)` of the current batch.
    gradients: Vec<(u64, f64)>,
    diverged: bool,
    ignored: u64,
    peak_state_bytes: u64,
    sweep_every: Option<u64>,
    memory_cap: Option<u64>,
    /// The bytes that passed `memory_cap`, once they did.
    capped: Option<u64>,
}

impl<R: CoordinateRule> Learner<R> {
    /// A learner with no coordinates yet, keeping the rule's states as they are; `config` must
    /// be validated.
    pub(crate) fn boxed(
        rule: R,
        config: &OnlineConfig,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        Learner::boxed_in(rule, config, Store::new(config.store)?)
    }
}

impl<R: CoordinateRule, S: CoordinateStore<R::State>> Learner<R, S> {
    /// A learner with no coordinates yet over the empty `store`; `config` must be validated.
    pub(crate) fn boxed_in(
        rule: R,
        config: &OnlineConfig,
        store: S,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        let mut learner = Self {
            bias_rule: rule.unpenalized(),
            rule,
            ledger: Ledger::default(),
            bias_ledger: Ledger::default(),
            bias: R::State::default(),
            store,
            clock: Clock::default(),
            schedule: config.schedule,
            loss: config.loss,
            clip_norm: config.clip_norm,
            admitter: Admitter::new(config.admission, config.bloom_counters, config.seed),
            touched: DistinctCounter::new(),
            gradients: Vec::new(),
            diverged: false,
            ignored: 0,
            peak_state_bytes: 0,
            sweep_every: config.sweep_every,
            memory_cap: config.memory_cap,
            capped: None,
        };
        learner.peak_state_bytes = learner.state_bytes();
        Ok(Box::new(learner))
    }

    /// Weight of `id` for training, admitting the feature if it is new; `None` if it has no
    /// weight (not admitted, or outside a dense store).
    #[inline]
    fn weight_admitting(&mut self, id: u64) -> Option<f64> {
        let (rule, clock, ledger) = (&self.rule, &self.clock, &self.ledger);
        let catch_up = |state: &mut R::State| rule.catch_up(state, clock, ledger);
        if let Some((w, _)) = self.store.visit(id, false, ledger, catch_up) {
            return Some(w);
        }
        if !self.admitter.admit(id) {
            return None;
        }
        if let (Some(cap), Some(growing)) = (self.memory_cap, self.store.growth_bytes()) {
            let needed = growing + self.admitter.bytes();
            if needed > cap {
                // Not created: the table would pass the cap while it grows. Training stops.
                self.capped = Some(needed);
                return None;
            }
        }
        match self.store.visit(id, true, ledger, catch_up) {
            Some((w, _)) => Some(w),
            None => {
                self.ignored += 1;
                None
            }
        }
    }

    fn state_bytes(&self) -> u64 {
        self.store.allocated_bytes() + self.admitter.bytes()
    }

    /// Steps 1 and 2: fills `self.gradients` (merged, clipped) and returns the bias gradient,
    /// or `None` if a margin or gradient is not finite.
    fn batch_gradient(&mut self, batch: &[SparseExample]) -> Option<f64> {
        let inverse_n = 1.0 / batch.len() as f64;
        self.gradients.clear();
        let bias_weight = self.bias_rule.catch_up(&mut self.bias, &self.clock, &self.bias_ledger);
        let mut bias_gradient = 0.0;
        for example in batch {
            let start = self.gradients.len();
            let mut margin = bias_weight;
            for (id, x) in example.features() {
                self.touched.insert(id);
                if let Some(w) = self.weight_admitting(id) {
                    margin += w * x;
                    self.gradients.push((id, x));
                }
            }
            let derivative = self.loss.derivative(margin, example.label) * inverse_n;
            if !derivative.is_finite() {
                return None;
            }
            bias_gradient += derivative;
            for entry in &mut self.gradients[start..] {
                entry.1 *= derivative;
            }
        }
        merge_duplicates(&mut self.gradients);
        if let Some(limit) = self.clip_norm {
            let squared: f64 = self.gradients.iter().map(|&(_, g)| g * g).sum();
            let norm = (squared + bias_gradient * bias_gradient).sqrt();
            if norm > limit {
                let factor = limit / norm;
                self.gradients.iter_mut().for_each(|entry| entry.1 *= factor);
                bias_gradient *= factor;
            }
        }
        Some(bias_gradient)
    }

    /// The periodic sweep (`sweep_every`): catches every held coordinate up on the penalty
    /// steps it missed and drops those whose state is fresh again. For the rules that keep
    /// nothing but the weight, a coordinate truncated to zero while nobody read it leaves the
    /// store here instead of staying until its feature is seen again (which, for a rare cross
    /// cell, is never). The model is unchanged: a caught-up weight is the weight `model` reads.
    fn sweep(&mut self) {
        let (rule, clock, ledger) = (&self.rule, &self.clock, &self.ledger);
        self.store.retain(ledger, |_, state| {
            rule.catch_up(state, clock, ledger);
            !state.is_removable()
        });
    }

    /// Step 3: advances the clock and applies the rule to every coordinate of the batch.
    /// Returns false if a weight became non-finite.
    fn apply_step(&mut self, bias_gradient: f64) -> bool {
        self.clock.completed += 1;
        self.clock.eta = self.schedule.eta(self.clock.completed);
        self.ledger.advance(self.rule.penalty_step(&self.clock));
        self.bias_ledger.advance(self.bias_rule.penalty_step(&self.clock));
        let mut finite = true;
        let (rule, clock, ledger) = (&self.rule, &self.clock, &self.ledger);
        for &(id, gradient) in &self.gradients {
            let update = |state: &mut R::State| rule.update(state, gradient, clock, ledger);
            if let Some((w, fresh)) = self.store.visit(id, false, ledger, update) {
                finite &= w.is_finite();
                if fresh {
                    self.store.remove(id);
                }
            }
        }
        let b =
            self.bias_rule.update(&mut self.bias, bias_gradient, &self.clock, &self.bias_ledger);
        finite &= b.is_finite();
        if self.ledger.needs_rebase() {
            let factor = self.ledger.rebase();
            self.store.rescale(factor);
        }
        if self.bias_ledger.needs_rebase() {
            let factor = self.bias_ledger.rebase();
            self.bias.rescale(factor);
        }
        finite
    }
}

/// Sorts `(id, gradient)` pairs by id and sums the gradients of equal ids.
fn merge_duplicates(gradients: &mut Vec<(u64, f64)>) {
    // Stable, so duplicates are summed in example order whatever the ids are.
    gradients.sort_by_key(|&(id, _)| id);
    gradients.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 += later.1;
        }
        same
    });
}

impl<R: CoordinateRule, S: CoordinateStore<R::State>> OnlineOptimizer for Learner<R, S> {
    fn name(&self) -> &'static str {
        R::NAME
    }

    fn train_batch(&mut self, batch: &[SparseExample]) {
        if batch.is_empty() || self.diverged || self.capped.is_some() {
            return;
        }
        let finite = match self.batch_gradient(batch) {
            Some(bias_gradient) => self.apply_step(bias_gradient),
            None => false,
        };
        self.diverged = !finite;
        // The peak is taken before the sweep: the table held those bytes during the step.
        self.peak_state_bytes = self.peak_state_bytes.max(self.state_bytes());
        if self.sweep_every.is_some_and(|every| self.clock.completed.is_multiple_of(every)) {
            self.sweep();
        }
    }

    fn predict_margin(&mut self, example: &SparseExample) -> f64 {
        let mut margin = self.bias_rule.catch_up(&mut self.bias, &self.clock, &self.bias_ledger);
        for (id, x) in example.features() {
            let (rule, clock, ledger) = (&self.rule, &self.clock, &self.ledger);
            let catch_up = |state: &mut R::State| rule.catch_up(state, clock, ledger);
            if let Some((w, _)) = self.store.visit(id, false, ledger, catch_up) {
                margin += w * x;
            }
        }
        margin
    }

    fn model(&mut self) -> LinearModel {
        let (rule, clock, ledger) = (&self.rule, &self.clock, &self.ledger);
        let mut weights = Vec::new();
        self.store.retain(ledger, |id, state| {
            let w = rule.catch_up(state, clock, ledger);
            if w != 0.0 {
                weights.push((id, w));
            }
            !state.is_removable()
        });
        for entry in &mut weights {
            entry.1 = self.store.served_weight(entry.1);
        }
        let bias = self.bias_rule.catch_up(&mut self.bias, &self.clock, &self.bias_ledger);
        LinearModel::new(bias, weights, self.loss)
    }

    fn memory(&self) -> StoreMemory {
        let mut nonzero = 0u64;
        self.store.for_each(|state| {
            // Catch up a copy: the weight the model would export, without mutating.
            let mut copy = *state;
            let w = self.rule.catch_up(&mut copy, &self.clock, &self.ledger);
            nonzero += u64::from(self.store.served_weight(w) != 0.0);
        });
        let state_bytes = self.state_bytes();
        StoreMemory {
            model_bytes: sparse_model_bytes(nonzero),
            state_bytes,
            peak_state_bytes: self.peak_state_bytes.max(state_bytes),
            coordinates: self.store.len(),
            touched: self.touched.estimate(),
            bookkeeping_bytes: self.touched.bytes()
                + (self.gradients.capacity() * std::mem::size_of::<(u64, f64)>()) as u64,
        }
    }

    fn state_bytes(&self) -> u64 {
        Learner::state_bytes(self)
    }

    fn diverged(&self) -> bool {
        self.diverged
    }

    fn capped(&self) -> Option<u64> {
        self.capped
    }

    fn ignored_features(&self) -> u64 {
        self.ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_summed() {
        let mut g = vec![(5, 1.0), (2, 0.5), (5, 2.0), (2, 0.25), (9, 1.0)];
        merge_duplicates(&mut g);
        assert_eq!(g, vec![(2, 0.75), (5, 3.0), (9, 1.0)]);
    }
}

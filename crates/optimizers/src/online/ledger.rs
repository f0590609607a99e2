//! The lazy-penalty clock: what lets a coordinate that was not seen for many steps catch up, in
//! O(1) when it is next seen, on every penalty step it missed.
//!
//! On a step where a coordinate gets no gradient, the SGD-type rules apply a penalty-only map of
//! the form `w -> S(w, a_t) / b_t` with `S` soft thresholding (or, for the plain subgradient, the
//! unclipped `w - sign(w) a_t`) and `b_t >= 1` (L2 shrinkage). Writing the weight in scaled units
//! `u = w * B_t` with `B_t = b_1 ... b_t`, every such step just moves `|u|` towards zero by
//! `a_t * B_{t-1}`. So the [`Ledger`] keeps the running scale `B_t` and the running total
//! `A_t = sum_s a_s B_{s-1}`, each coordinate keeps `u` and the total `A` at its last update
//! ([`Scaled`]), and catching up is one subtraction of `A_t - A_last`. This is the "running total
//! and total at the last update" bookkeeping of lazy sparse updates (Langford, Li & Zhang 2009;
//! Carpenter 2008, "Lazy sparse stochastic gradient descent for regularized multinomial logistic
//! regression") and the global-scale trick for L2 in one. When `B_t` grows past [`REBASE_SCALE`], every held coordinate is rescaled (O(held
//! coordinates), never O(dimension), and rare: `B_t` grows by `1 + eta * l2` per step).

use regularizers::{sign, soft_threshold};

/// Scale at which the ledger is rebased to 1 (far from f64 overflow).
pub(crate) const REBASE_SCALE: f64 = 1e100;

/// Step count and current step size.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Clock {
    /// Steps (mini-batches) completed.
    pub(crate) completed: u64,
    /// Step size of the last completed step (0 before the first).
    pub(crate) eta: f64,
}

/// The penalty-only map `w -> S(w, subtract) / shrink` of one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PenaltyStep {
    pub(crate) subtract: f64,
    pub(crate) shrink: f64,
}

impl PenaltyStep {
    /// The identity (no penalty).
    pub(crate) const NONE: PenaltyStep = PenaltyStep { subtract: 0.0, shrink: 1.0 };

    /// The step of a rule that takes L2 as the gradient step `w (1 - eta c)` and then subtracts
    /// `l1_amount`: `S(w (1 - eta c), a) = S(w, a b) / b` with `b = 1 / (1 - eta c)`.
    pub(crate) fn after_gradient_l2(eta: f64, l2_grad: f64, l1_amount: f64) -> PenaltyStep {
        let shrink = 1.0 / (1.0 - eta * l2_grad);
        PenaltyStep { subtract: l1_amount * shrink, shrink }
    }
}

/// Running scale and penalty total shared by every coordinate of one learner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ledger {
    /// `B_t`.
    pub(crate) scale: f64,
    /// `B_{t-1}` (the scale a coordinate caught up before this step is expressed in).
    pub(crate) prev_scale: f64,
    /// `A_t`.
    pub(crate) total: f64,
}

impl Default for Ledger {
    fn default() -> Self {
        Self { scale: 1.0, prev_scale: 1.0, total: 0.0 }
    }
}

impl Ledger {
    /// Records the penalty step of the step just started.
    #[inline]
    pub(crate) fn advance(&mut self, step: PenaltyStep) {
        self.total += step.subtract * self.scale;
        self.prev_scale = self.scale;
        self.scale *= step.shrink;
    }

    pub(crate) fn needs_rebase(&self) -> bool {
        self.scale > REBASE_SCALE
    }

    /// Resets the scale to 1 and returns the factor every scaled quantity must be multiplied by.
    pub(crate) fn rebase(&mut self) -> f64 {
        let factor = 1.0 / self.scale;
        self.total *= factor;
        self.scale = 1.0;
        self.prev_scale = 1.0;
        factor
    }
}

/// A weight in the ledger's scaled units and the ledger total at its last update.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Scaled {
    /// `u = w * B`.
    pub(crate) v: f64,
    /// `A` when `v` was last brought up to date.
    pub(crate) mark: f64,
}

impl Scaled {
    /// Applies the clipped penalty owed since the last update; returns the weight.
    #[inline]
    pub(crate) fn catch_up_clipped(&mut self, ledger: &Ledger) -> f64 {
        self.v = soft_threshold(self.v, (ledger.total - self.mark).max(0.0));
        self.mark = ledger.total;
        self.v / ledger.scale
    }

    /// Applies the owed penalty as one unclipped subgradient step; returns the weight.
    #[inline]
    pub(crate) fn catch_up_unclipped(&mut self, ledger: &Ledger) -> f64 {
        self.v -= sign(self.v) * (ledger.total - self.mark).max(0.0);
        self.mark = ledger.total;
        self.v / ledger.scale
    }

    /// The weight before the current step, for a coordinate caught up before it.
    #[inline]
    pub(crate) fn previous_weight(&self, ledger: &Ledger) -> f64 {
        self.v / ledger.prev_scale
    }

    /// Stores the weight after the current step.
    #[inline]
    pub(crate) fn set(&mut self, w: f64, ledger: &Ledger) {
        self.v = w * ledger.scale;
        self.mark = ledger.total;
    }

    pub(crate) fn rescale(&mut self, factor: f64) {
        self.v *= factor;
        self.mark *= factor;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_catch_up_equals_stepwise_penalty() {
        // FOBOS-style map w -> S(w, a_t) / b_t over 50 steps, applied eagerly vs. lazily.
        let steps: Vec<PenaltyStep> = (1..=50)
            .map(|t| {
                let eta = 0.3 / (t as f64).sqrt();
                PenaltyStep { subtract: eta * 0.01, shrink: 1.0 + eta * 0.2 }
            })
            .collect();
        let mut ledger = Ledger::default();
        let mut lazy = Scaled::default();
        lazy.set(0.8, &ledger);
        let mut eager = 0.8;
        for step in &steps {
            ledger.advance(*step);
            eager = soft_threshold(eager, step.subtract) / step.shrink;
        }
        let w = lazy.catch_up_clipped(&ledger);
        assert!((w - eager).abs() < 1e-12, "{w} vs {eager}");
        let factor = ledger.rebase();
        lazy.rescale(factor);
        assert!((lazy.catch_up_clipped(&ledger) - eager).abs() < 1e-12);
    }
}

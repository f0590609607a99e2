//! FTRL-Proximal with per-coordinate learning rates (McMahan et al., KDD 2013, Algorithm 1),
//! the algorithm of TensorFlow's `FtrlOptimizer`. State per coordinate: `z` and `n` (16 bytes).
//! With gradient `g` and the current weight `w`:
//! `sigma = (sqrt(n + g^2) - sqrt(n)) / alpha; z += g - sigma w; n += g^2`, and the weight is
//! `0 if |z| <= l1, else -(z - sign(z) l1) / ((beta + sqrt(n)) / alpha + c)` with `c` the L2
//! gradient coefficient (`lambda2` of the paper). The weight is computed from `(z, n)` whenever
//! it is needed, so no catch-up exists. Ignores the schedule (`alpha`, `beta` play its role).
//! `z` and `n` are state: a coordinate is kept even at weight 0 (admission is what saves memory).
//! With [`FtrlPenalty::PerStep`] the strengths after `t` steps are `t * lambda1`, `t * lambda2`.

use regularizers::{sign, PenaltyParts};

use super::ledger::{Clock, Ledger};
use super::rule::{reject_parts, CoordinateRule, CoordinateState};
use super::{FtrlPenalty, OnlineConfig, OnlineError, OnlineKind};

/// See the module doc.
#[derive(Clone, Copy)]
pub(crate) struct Ftrl {
    parts: PenaltyParts,
    alpha: f64,
    beta: f64,
    per_step: bool,
}

/// FTRL's per-coordinate accumulators.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct FtrlState {
    z: f64,
    n: f64,
}

/// FTRL needs no rebase: its weight is computed from `z` and `n` when it is read.
impl CoordinateState for FtrlState {
    fn is_removable(&self) -> bool {
        self.z == 0.0 && self.n == 0.0
    }
}

impl Ftrl {
    pub(crate) fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_parts(Self::KIND, regularizer, parts, true, false)?;
        Ok(Self {
            parts,
            alpha: config.ftrl_alpha,
            beta: config.ftrl_beta,
            per_step: config.ftrl_penalty == FtrlPenalty::PerStep,
        })
    }

    /// The weight after `steps` steps.
    fn weight(&self, s: &FtrlState, steps: u64) -> f64 {
        let scale = if self.per_step { steps as f64 } else { 1.0 };
        let (l1, l2) = (self.parts.l1 * scale, self.parts.l2_grad * scale);
        if s.z.abs() <= l1 {
            0.0
        } else {
            -(s.z - sign(s.z) * l1) / ((self.beta + s.n.sqrt()) / self.alpha + l2)
        }
    }
}

impl CoordinateRule for Ftrl {
    type State = FtrlState;
    const KIND: OnlineKind = OnlineKind::Ftrl;

    fn unpenalized(&self) -> Self {
        Self { parts: PenaltyParts::default(), ..*self }
    }

    fn catch_up(&self, state: &mut FtrlState, clock: &Clock, _ledger: &Ledger) -> f64 {
        self.weight(state, clock.completed)
    }

    fn update(&self, s: &mut FtrlState, g: f64, clock: &Clock, _ledger: &Ledger) -> f64 {
        // The weight this step's gradient was taken at: after the previous step.
        let w = self.weight(s, clock.completed - 1);
        let sigma = ((s.n + g * g).sqrt() - s.n.sqrt()) / self.alpha;
        s.z += g - sigma * w;
        s.n += g * g;
        self.weight(s, clock.completed)
    }
}

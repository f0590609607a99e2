//! FTRL-Proximal with per-coordinate learning rates (McMahan et al., KDD 2013, Algorithm 1),
//! the algorithm of TensorFlow's `FtrlOptimizer`. State per coordinate: `z` and `n` (16 bytes).
//! With gradient `g` and the current weight `w`:
//! `sigma = (sqrt(n + g^2) - sqrt(n)) / alpha; z += g - sigma w; n += g^2`, and the weight is
//! `0 if |z| <= l1, else -(z - sign(z) l1) / ((beta + sqrt(n)) / alpha + c)` with `c` the L2
//! gradient coefficient (`lambda2` of the paper). The weight is computed from `(z, n)` whenever
//! it is needed, so no catch-up exists. Ignores the schedule (`alpha`, `beta` play its role).
//! `z` and `n` are state: a coordinate is kept even at weight 0 (admission is what saves memory).
//! With [`FtrlPenalty::PerStep`] the strengths after `t` steps are `t * lambda1`, `t * lambda2`.
//! With `coefficients = "q2.13"` or `"f32"` the state is kept as `eta z` in that word and `n`
//! in `f32` ([`FtrlCodec`], 6 or 8 bytes; why in `compact`).

use regularizers::{sign, PenaltyParts};

use regularizers::SettingDoc;
use serde::{Deserialize, Serialize};

use std::marker::PhantomData;

use super::coefficients::{CoefficientWord, Rounder};
use super::compact::{self, StateCodec};
use super::config::{bad, positive};
use super::ledger::{Clock, Ledger};
use super::rule::{reject_parts, CoordinateRule, CoordinateState};
use super::{FtrlPenalty, OnlineConfig, OnlineError, OnlineOptimizer};

const DEFAULT_ALPHA: f64 = 0.1;
const DEFAULT_BETA: f64 = 1.0;

const KEYS: &[SettingDoc] = &[
    SettingDoc { key: "ftrl_alpha", default: "0.1", doc: "per-coordinate learning rate alpha; > 0" },
    SettingDoc { key: "ftrl_beta", default: "1.0", doc: "beta of the per-coordinate rate; >= 0" },
    SettingDoc {
        key: "ftrl_penalty",
        default: "total",
        doc: "`total`: lambda against the sum of losses (McMahan's Algorithm 1, TensorFlow); `per_step`: lambda t, the mean-loss scale of the other optimizers",
    },
];

/// Settings of `ftrl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FtrlSettings {
    /// `alpha`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ftrl_alpha: Option<f64>,
    /// `beta`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ftrl_beta: Option<f64>,
    /// How lambda is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ftrl_penalty: Option<FtrlPenalty>,
}

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
    fn build(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &FtrlSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_parts(Self::NAME, regularizer, parts, true, false)?;
        let _ = config;
        let alpha = settings.ftrl_alpha.unwrap_or(DEFAULT_ALPHA);
        positive("ftrl_alpha", alpha)?;
        let beta = settings.ftrl_beta.unwrap_or(DEFAULT_BETA);
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(bad("ftrl_beta", format!("must be finite and >= 0, got {beta}")));
        }
        let per_step = settings.ftrl_penalty.unwrap_or_default() == FtrlPenalty::PerStep;
        Ok(Self { parts, alpha, beta, per_step })
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
    const NAME: &'static str = "ftrl";
    const SUMMARY: &'static str =
        "FTRL-Proximal with per-coordinate rates (McMahan et al. 2013, Algorithm 1)";
    const KEYS: &'static [SettingDoc] = KEYS;
    type Settings = FtrlSettings;

    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &FtrlSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        Self::build(parts, regularizer, settings, config)
    }

    fn rate_text(settings: &FtrlSettings, _schedule: &super::Schedule) -> String {
        // FTRL has its own per-coordinate rates; the schedule is not used.
        let mut text = format!(
            "ftrl(alpha={},beta={})",
            settings.ftrl_alpha.unwrap_or(DEFAULT_ALPHA),
            settings.ftrl_beta.unwrap_or(DEFAULT_BETA)
        );
        match settings.ftrl_penalty {
            Some(FtrlPenalty::Total) => text.push_str(",penalty=total"),
            Some(FtrlPenalty::PerStep) => text.push_str(",penalty=per_step"),
            None => {}
        }
        text
    }

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

    fn boxed_compact<W: CoefficientWord>(
        self,
        config: &OnlineConfig,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        let codec = FtrlCodec::<W> { alpha: self.alpha, beta: self.beta, word: PhantomData };
        compact::boxed_learner(self, config, codec)
    }
}

/// [`FtrlState`] in a word and 4 bytes: `eta z` in the word with
/// `eta = alpha / (beta + sqrt(n))`, and `n` as `f32` (little-endian bytes, so that the state
/// has the word's alignment).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct FtrlPacked<W> {
    eta_z: W,
    n: [u8; 4],
}

/// The compact codec of FTRL's state (see `compact`).
pub(crate) struct FtrlCodec<W> {
    alpha: f64,
    beta: f64,
    word: PhantomData<fn() -> W>,
}

impl<W> FtrlCodec<W> {
    /// McMahan's per-coordinate learning rate at `n`.
    #[inline]
    fn eta(&self, n: f64) -> f64 {
        self.alpha / (self.beta + n.sqrt())
    }
}

impl<W: CoefficientWord> StateCodec<FtrlState> for FtrlCodec<W> {
    type Word = W;
    type Packed = FtrlPacked<W>;

    #[inline]
    fn decode(&self, p: &FtrlPacked<W>) -> FtrlState {
        let n = f64::from(f32::from_le_bytes(p.n));
        let eta_z = p.eta_z.value();
        // A zero `eta z` is a zero `z` (also when beta = n = 0 makes eta infinite).
        let z = if eta_z == 0.0 { 0.0 } else { eta_z / self.eta(n) };
        FtrlState { z, n }
    }

    #[inline]
    fn encode(&self, s: &FtrlState, _ledger: &Ledger, rounder: &mut Rounder) -> FtrlPacked<W> {
        // `n` first: eta must be the one the decoder will compute from the stored `n`.
        let n = rounder.f32(s.n);
        let eta = self.eta(f64::from(n));
        let eta_z = if eta.is_finite() { s.z * eta } else { 0.0 };
        FtrlPacked { eta_z: W::encode(eta_z, rounder), n: n.to_le_bytes() }
    }
}

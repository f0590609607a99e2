//! The compact stores: every coordinate's state encoded with its coefficient in a narrower word,
//! selected by `coefficients = "q2.13"` (16-bit fixed point with randomized rounding) or
//! `coefficients = "f32"` (32-bit float rounded to nearest); see `coefficients` for both words.
//!
//! The stores hold each rule's lazy state, not a plain weight, so the encoding is per state. The
//! two compact stores differ only in the coefficient's word; what a state keeps besides it (the
//! ledger mark, FTRL's `n`) is the same `f32` in both, so that comparing them measures the
//! coefficient's width alone:
//!
//! | rules | f64 state (slot) | f32 state (slot) | q2.13 state (slot) | what is kept |
//! |---|---|---|---|---|
//! | `hard_threshold` | weight (16 B) | `f32` (12 B) | `i16` (10 B) | the weight |
//! | `sgd_subgradient`, `truncated_gradient`, `fobos` | scaled weight, ledger mark (24 B) | 3 x `f32` (20 B) | `i16` + 2 x `f32` (18 B) | the weight at its last touch; the ledger's penalty total at that touch and the log of its scale, in `f32` |
//! | `ftrl` | `z`, `n` (24 B) | 2 x `f32` (16 B) | `i16` + `f32` (14 B) | `eta z` with `eta = alpha / (beta + sqrt(n))`, as McMahan et al. 2013 store it; `n` in `f32` rounded randomly |
//! | `cumulative_penalty`, `rda` | | refused | refused | |
//!
//! Slot = hash-table entry: the 8-byte id and the state, without padding (the id is a
//! [`PackedId`]); the table adds one control byte per bucket and its empty buckets.
//!
//! **Lazy rules.** A coordinate of the SGD-type rules is caught up on the penalty steps it missed
//! when it is next seen (`ledger`), which needs the ledger's total `A` and scale `B` at its last
//! touch. Keeping them in `f32` beside the narrow weight is lazy bookkeeping in 8 bytes instead
//! of eager penalty steps over every held coordinate (O(held) per step, which is what the lazy
//! ledger exists to avoid). The mark is not an accumulator (each touch replaces it), so its
//! `f32` rounding does not add up: it shifts the owed penalty by a relative 2^-24 of the totals,
//! and the scale by a relative 2^-24 |ln B| <= 1.4e-5 (the ledger rebases at B = 1e100), both
//! far below the q2.13 weight's resolution of 2^-13. Without an L2 part `B` is 1 and its log
//! exactly 0.
//!
//! **FTRL.** `z` is unbounded but `eta z` is about minus the weight (exactly so without L1 and
//! L2), so it fits q2.13 as the weight does; values beyond +-4 are clamped, which with a large
//! L1 (`|z| <= lambda1` means weight 0) can cut a `z` that lies in the dead zone short (`f32`
//! has no such clamp). `n`, a sum of squared gradients that grows by tiny amounts, is an `f32`
//! with randomized rounding (unbiased: plain `f32` rounding would drop every increment below
//! half an ulp). McMahan et al. keep `n` as counts instead (section 4.5); that needs
//! per-coordinate counts this learner does not keep.
//!
//! **When rounding happens.** A state is decoded on each access and encoded back (rounded) only
//! when the rule changed it: after the catch-up that precedes a coordinate's use in a margin (the
//! owed penalty is applied in 64 bits, the result stored narrow), after its update, and when the
//! periodic sweep (`sweep_every`) catches it up. The exported model is rounded to the word once
//! more, to nearest, so what is measured is the served model in that word. The bias is one
//! number and stays in 64 bits.

use std::marker::PhantomData;

use super::coefficients::{CoefficientWord, Rounder};
use super::config::OnlineConfig;
use super::learner::Learner;
use super::ledger::{Ledger, Scaled};
use super::rule::{CoordinateRule, CoordinateState};
use super::store::{CoordinateStore, Store};
use super::{OnlineError, OnlineOptimizer};

#[cfg(doc)]
use super::store::PackedId;

/// How one rule's state is encoded in a compact store.
pub(crate) trait StateCodec<S>: Send + 'static {
    /// The word the coefficient is kept in (it also fixes how the served model is rounded).
    type Word: CoefficientWord;

    /// The encoded state; `Default` is the encoding of the fresh state.
    type Packed: Copy + Default + PartialEq + Send + 'static;

    /// The state an encoded one stands for.
    fn decode(&self, packed: &Self::Packed) -> S;

    /// Encodes `state`, which was brought up to date with `ledger` (caught up or updated).
    fn encode(&self, state: &S, ledger: &Ledger, rounder: &mut Rounder) -> Self::Packed;

    /// Applies a ledger rebase by `factor` to an encoded state (see `CoordinateState::rescale`).
    fn rescale(&self, _packed: &mut Self::Packed, _factor: f64) {}
}

/// A store of encoded states plus the rounder their encodings draw from.
pub(crate) struct CompactStore<S, C: StateCodec<S>> {
    store: Store<C::Packed>,
    codec: C,
    rounder: Rounder,
    state: PhantomData<fn() -> S>,
}

impl<S, C: StateCodec<S>> CompactStore<S, C> {
    /// An empty compact store of the config's kind, rounding with the config's seed.
    pub(crate) fn new(config: &OnlineConfig, codec: C) -> Result<Self, OnlineError> {
        Ok(Self {
            store: Store::new(config.store)?,
            codec,
            rounder: Rounder::new(config.seed),
            state: PhantomData,
        })
    }
}

/// `rule`'s learner over a compact store with `codec`; `config` must be validated.
pub(crate) fn boxed_learner<R: CoordinateRule, C: StateCodec<R::State>>(
    rule: R,
    config: &OnlineConfig,
    codec: C,
) -> Result<Box<dyn OnlineOptimizer>, OnlineError>
where
    R::State: PartialEq,
{
    Learner::boxed_in(rule, config, CompactStore::new(config, codec)?)
}

impl<S: CoordinateState + PartialEq, C: StateCodec<S>> CoordinateStore<S> for CompactStore<S, C> {
    #[inline]
    fn visit<T>(
        &mut self,
        id: u64,
        create: bool,
        ledger: &Ledger,
        f: impl FnOnce(&mut S) -> T,
    ) -> Option<(T, bool)> {
        let packed = if create { self.store.insert(id)? } else { self.store.get_mut(id)? };
        let before = self.codec.decode(packed);
        let mut state = before;
        let out = f(&mut state);
        if state != before {
            *packed = self.codec.encode(&state, ledger, &mut self.rounder);
        }
        Some((out, self.codec.decode(packed).is_removable()))
    }

    fn remove(&mut self, id: u64) {
        self.store.remove(id);
    }

    fn retain(&mut self, ledger: &Ledger, mut keep: impl FnMut(u64, &mut S) -> bool) {
        let (codec, rounder) = (&self.codec, &mut self.rounder);
        self.store.retain(|id, packed| {
            let before = codec.decode(packed);
            let mut state = before;
            if !keep(id, &mut state) {
                return false;
            }
            if state != before {
                *packed = codec.encode(&state, ledger, rounder);
            }
            !codec.decode(packed).is_removable()
        });
    }

    fn for_each(&self, mut visit: impl FnMut(&S)) {
        self.store.for_each(|packed| visit(&self.codec.decode(packed)));
    }

    fn rescale(&mut self, factor: f64) {
        let codec = &self.codec;
        self.store.retain(|_, packed| {
            codec.rescale(packed, factor);
            true
        });
    }

    fn len(&self) -> u64 {
        self.store.len()
    }

    fn allocated_bytes(&self) -> u64 {
        self.store.allocated_bytes()
    }

    fn growth_bytes(&self) -> Option<u64> {
        self.store.growth_bytes()
    }

    fn served_weight(&self, w: f64) -> f64 {
        C::Word::served(w)
    }
}

/// A state that is the weight itself (`hard_threshold`): one word.
pub(crate) struct WeightCodec<W>(PhantomData<fn() -> W>);

impl<W> Default for WeightCodec<W> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<W: CoefficientWord> StateCodec<f64> for WeightCodec<W> {
    type Word = W;
    type Packed = W;

    #[inline]
    fn decode(&self, packed: &W) -> f64 {
        packed.value()
    }

    #[inline]
    fn encode(&self, w: &f64, _ledger: &Ledger, rounder: &mut Rounder) -> W {
        W::encode(*w, rounder)
    }
}

/// A [`Scaled`] state in a word and 8 bytes: the weight at its last touch, and the ledger's
/// penalty total (in weight units at that touch, `A / B`) and the log of its scale `B`, both
/// `f32` (little-endian bytes, so that the state has the word's alignment and its slot no
/// padding).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ScaledPacked<W> {
    weight: W,
    total: [u8; 4],
    log_scale: [u8; 4],
}

/// The codec of the SGD-type rules' [`Scaled`] state.
pub(crate) struct ScaledCodec<W>(PhantomData<fn() -> W>);

impl<W> Default for ScaledCodec<W> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<W: CoefficientWord> StateCodec<Scaled> for ScaledCodec<W> {
    type Word = W;
    type Packed = ScaledPacked<W>;

    #[inline]
    fn decode(&self, p: &ScaledPacked<W>) -> Scaled {
        let log_scale = f32::from_le_bytes(p.log_scale);
        // exp(0) is exactly 1: without L2 the scale is exact.
        let scale = f64::from(log_scale).exp();
        Scaled { v: p.weight.value() * scale, mark: f64::from(f32::from_le_bytes(p.total)) * scale }
    }

    #[inline]
    fn encode(&self, s: &Scaled, ledger: &Ledger, rounder: &mut Rounder) -> ScaledPacked<W> {
        // `s` is up to date: its mark is the ledger's total, its weight `v / B`.
        let scale = ledger.scale;
        let log_scale = if scale == 1.0 { 0.0 } else { scale.ln() as f32 };
        ScaledPacked {
            weight: W::encode(s.v / scale, rounder),
            total: ((s.mark / scale) as f32).to_le_bytes(),
            log_scale: log_scale.to_le_bytes(),
        }
    }

    fn rescale(&self, p: &mut ScaledPacked<W>, factor: f64) {
        // Both v and the mark scale with B, so only B's log moves.
        let log_scale = f64::from(f32::from_le_bytes(p.log_scale)) + factor.ln();
        p.log_scale = (log_scale as f32).to_le_bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::online::coefficients::{F32Word, Q2_13Word};
    use crate::online::config::StoreKind;
    use crate::online::ledger::PenaltyStep;
    use crate::online::store::{hash_table_bytes, PackedId};

    type ScaledQ16 = ScaledCodec<Q2_13Word>;

    #[test]
    fn slots_have_no_padding() {
        assert_eq!(std::mem::size_of::<(PackedId, Q2_13Word)>(), 10);
        assert_eq!(std::mem::size_of::<(PackedId, F32Word)>(), 12);
        assert_eq!(std::mem::size_of::<(PackedId, ScaledPacked<Q2_13Word>)>(), 18);
        assert_eq!(std::mem::size_of::<(PackedId, ScaledPacked<F32Word>)>(), 20);
        assert_eq!(std::mem::size_of::<(PackedId, Scaled)>(), 24);
        assert_eq!(std::mem::size_of::<(PackedId, f64)>(), 16);
    }

    #[test]
    fn bytes_follow_the_table_of_encoded_states() {
        let config = OnlineConfig { store: StoreKind::Sparse, ..OnlineConfig::default() };
        let mut store = CompactStore::new(&config, ScaledQ16::default()).map_err(|e| e.to_string());
        let Ok(store) = store.as_mut() else { panic!("{store:?}", store = store.err()) };
        let ledger = Ledger::default();
        for id in 0..1000u64 {
            store.visit(id, true, &ledger, |s: &mut Scaled| s.set(0.5, &ledger));
        }
        assert_eq!(CoordinateStore::len(store), 1000);
        // 1000 entries: capacity 1792 (2048 buckets), 18-byte slots.
        let expected = hash_table_bytes(1792, 18);
        assert_eq!(store.allocated_bytes(), expected);
        assert_eq!(expected, (2048 * 18usize).next_multiple_of(16) as u64 + 2048 + 16);
    }

    /// Test log loss of `rule` trained over `store` on a k = 4 synthetic problem, and the
    /// exported model's nonzero weights.
    fn trained<R: CoordinateRule, St: CoordinateStore<R::State>>(
        rule: R,
        config: &OnlineConfig,
        store: St,
    ) -> (f64, u64) {
        use crate::online::{Passes, Regenerated};
        use features::synthetic::{SplitName, SyntheticConfig, SyntheticProblem};
        let problem =
            SyntheticProblem::new(SyntheticConfig { k: 4, seed: 3, ..Default::default() });
        let Ok(problem) = problem else { panic!("synthetic config") };
        let mut learner = match Learner::boxed_in(rule, config, store) {
            Ok(learner) => learner,
            Err(e) => panic!("{e}"),
        };
        let source = Regenerated { problem: &problem, n: 20_000 };
        if let Err(e) = crate::online::train(learner.as_mut(), &source, &Passes::once(1)) {
            panic!("{e}");
        }
        let model = learner.model();
        let test: Vec<_> = problem.stream(SplitName::Test, 5_000).collect();
        let loss: f64 = test.iter().map(|e| config.loss.value(model.margin(e), e.label)).sum();
        (loss / test.len() as f64, model.nonzero())
    }

    #[test]
    fn randomized_rounding_learns_as_f64_does_and_truncation_does_not() {
        use crate::online::fobos::Fobos;
        use crate::online::Schedule;
        use regularizers::PenaltyParts;
        // Small constant steps (eta |g| <= 5e-5, below the q2.13 resolution of 1.2e-4): what a
        // long run's late steps look like. Truncation loses every step up and makes every step
        // down a whole one; randomized rounding keeps them in expectation. (Measured: f64
        // 0.6494, randomized 0.6489, truncated 0.6891.)
        let config = OnlineConfig {
            schedule: Schedule::Constant { eta: 5e-5 },
            seed: 1,
            ..OnlineConfig::default()
        };
        let parts = PenaltyParts { l1: 1e-6, ..PenaltyParts::default() };
        let rule = || match Fobos::new(parts, "l1", &Default::default(), &config) {
            Ok(rule) => rule,
            Err(e) => panic!("{e}"),
        };
        let compact = |rounder| -> CompactStore<Scaled, ScaledQ16> {
            CompactStore {
                store: Store::new(config.store).unwrap_or(Store::Dense(Vec::new())),
                codec: ScaledQ16::default(),
                rounder,
                state: PhantomData,
            }
        };
        let (exact, exact_nonzero) =
            trained(rule(), &config, Store::<Scaled>::Sparse(Default::default()));
        let (randomized, _) = trained(rule(), &config, compact(Rounder::new(1)));
        let (truncated, _) = trained(rule(), &config, compact(Rounder::truncating()));
        assert!(exact_nonzero > 0);
        assert!((randomized - exact).abs() < 0.002, "randomized {randomized} vs f64 {exact}");
        assert!(truncated - exact > 0.01, "truncated {truncated} vs f64 {exact}");
    }

    #[test]
    fn lazy_catch_up_survives_the_encoding() {
        // FOBOS-style penalty with L2 over 200 steps: a coordinate kept in 16 bits and caught up
        // at the end equals the f64 one to within the q2.13 resolution.
        let steps: Vec<PenaltyStep> = (1..=200)
            .map(|t| {
                let eta = 0.5 / (t as f64).sqrt();
                PenaltyStep { subtract: eta * 0.002, shrink: 1.0 + eta * 0.05 }
            })
            .collect();
        let mut ledger = Ledger::default();
        for step in &steps[..50] {
            ledger.advance(*step);
        }
        let mut exact = Scaled::default();
        exact.set(0.7, &ledger);
        let config = OnlineConfig::default();
        let mut store = CompactStore::new(&config, ScaledQ16::default()).map_err(|e| e.to_string());
        let Ok(store) = store.as_mut() else { panic!("no store") };
        store.visit(9, true, &ledger, |s: &mut Scaled| s.set(0.7, &ledger));
        for step in &steps[50..] {
            ledger.advance(*step);
        }
        let factor = ledger.rebase();
        exact.rescale(factor);
        store.rescale(factor);
        let want = exact.catch_up_clipped(&ledger);
        let got = store.visit(9, false, &ledger, |s| s.catch_up_clipped(&ledger));
        let got = got.map_or(f64::NAN, |(w, _)| w);
        assert!(want > 0.1 && want < 0.7, "{want}");
        assert!((got - want).abs() < 2.0 / 8192.0, "{got} vs {want}");
    }
}

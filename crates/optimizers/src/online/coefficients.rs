//! How many bits a coefficient gets in the training store: 64-bit floats (the default), 32-bit
//! floats, or the 16-bit q2.13 fixed point of McMahan et al. (KDD 2013, section 4.2 "Encoding
//! values with fewer bits"), with randomized rounding.
//!
//! f32: IEEE single precision rounded to nearest, what a float32 learner (TensorFlow's default,
//! Vowpal Wabbit's weights) keeps. Its relative resolution 2^-24 is far below any step a learner
//! makes on a weight of useful size, so nearest rounding loses nothing measurable; it is the
//! middle point between the 64-bit state and McMahan's 16 bits.
//!
//! q2.13: one sign bit, two integer bits and thirteen fractional bits in an `i16`, so the values
//! `k / 2^13` for `k` in `-2^15..2^15`: the range `[-4, 4)` at a resolution of `2^-13`
//! (about 1.2e-4). Values outside are clamped to the nearest end. Rounding is randomized
//! (stochastic, unbiased): `x` is stored as `2^-13 floor(2^13 x + U)` with `U` uniform in
//! `[0, 1)`, so the expected stored value is `x` whenever `x` is in range. Deterministic rounding
//! (to nearest, or towards zero) would lose every step smaller than half the resolution, and an
//! online learner makes millions of such steps; the randomized rounding keeps their sum in
//! expectation (McMahan et al. 2013; the regret analysis is Golovin, Sculley, McMahan & Young,
//! ICML 2013, "Large-scale learning with less RAM via randomization").
//!
//! The random numbers come from a [`Rounder`]: a ChaCha8 generator seeded with the run's seed on
//! its own stream (Poisson admission draws from stream 0 of the same seed), so a run is
//! reproducible and its rounding independent of its admission draws.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// How the coefficients of an online learner's store are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Coefficients {
    /// 64-bit floats: the rules' own state, exactly (the default).
    #[default]
    #[serde(rename = "f64")]
    F64,
    /// 32-bit floats rounded to nearest (see the module doc and `compact`).
    #[serde(rename = "f32")]
    F32,
    /// 16-bit q2.13 fixed point with randomized rounding (see the module doc and `compact`).
    #[serde(rename = "q2.13")]
    Q2_13,
}

impl Coefficients {
    /// The spec spelling (`f64`, `f32`, `q2.13`).
    pub fn as_str(self) -> &'static str {
        match self {
            Coefficients::F64 => "f64",
            Coefficients::F32 => "f32",
            Coefficients::Q2_13 => "q2.13",
        }
    }
}

/// `2^13`: q2.13 steps per unit.
pub(crate) const Q2_13_ONE: f64 = 8192.0;

/// Largest q2.13 value, `(2^15 - 1) / 2^13` (just below 4).
pub const Q2_13_MAX: f64 = i16::MAX as f64 / Q2_13_ONE;

/// Smallest q2.13 value, `-4`.
pub const Q2_13_MIN: f64 = i16::MIN as f64 / Q2_13_ONE;

/// The ChaCha8 stream the rounding draws from (admission uses stream 0).
const ROUNDING_STREAM: u64 = 1;

/// Uniform deviates for randomized rounding, seeded per run.
#[derive(Debug, Clone)]
pub(crate) struct Rounder {
    // Boxed: the generator is 300 bytes, and the store that owns it is moved around.
    rng: Box<ChaCha8Rng>,
    /// Tests only: a fixed deviate instead of random ones (0 is truncation towards -infinity),
    /// to show that a biased rounding fails what the randomized one passes.
    #[cfg(test)]
    fixed: Option<f64>,
}

impl Rounder {
    /// The rounder of a run with this seed.
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(ROUNDING_STREAM);
        Self {
            rng: Box::new(rng),
            #[cfg(test)]
            fixed: None,
        }
    }

    /// A rounder that always truncates (rounds towards minus infinity): biased on purpose.
    #[cfg(test)]
    pub(crate) fn truncating() -> Self {
        Self { fixed: Some(0.0), ..Self::new(0) }
    }

    /// A deviate uniform in `[0, 1)`.
    #[inline]
    pub(crate) fn uniform(&mut self) -> f64 {
        #[cfg(test)]
        if let Some(u) = self.fixed {
            return u;
        }
        self.rng.gen::<f64>()
    }

    /// `x` in q2.13, rounded randomly (unbiased in range, clamped outside; NaN is stored as 0,
    /// the learner has already seen the NaN and stopped).
    #[inline]
    pub(crate) fn q2_13(&mut self, x: f64) -> i16 {
        round_q2_13(x, self.uniform())
    }

    /// `x` as the `f32` just below or just above it, with the probabilities that make the
    /// expected value `x` (an `f32` accumulator that still adds up tiny increments on average).
    #[inline]
    pub(crate) fn f32(&mut self, x: f64) -> f32 {
        round_f32(x, self.uniform())
    }
}

/// The word a compact store keeps one coefficient in (`compact`): q2.13 or `f32`.
pub(crate) trait CoefficientWord: Copy + Default + PartialEq + Send + 'static {
    /// `x` encoded for training, drawing from `rounder` if the encoding rounds randomly.
    fn encode(x: f64, rounder: &mut Rounder) -> Self;

    /// The value the word stands for.
    fn value(self) -> f64;

    /// `w` as the served model holds it: encoded once, to nearest (a one-off rounding of the
    /// finished model has no small steps to lose), and decoded.
    fn served(w: f64) -> f64;
}

/// A q2.13 coefficient, rounded randomly in training.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Q2_13Word(i16);

impl CoefficientWord for Q2_13Word {
    #[inline]
    fn encode(x: f64, rounder: &mut Rounder) -> Self {
        Self(rounder.q2_13(x))
    }

    #[inline]
    fn value(self) -> f64 {
        from_q2_13(self.0)
    }

    #[inline]
    fn served(w: f64) -> f64 {
        from_q2_13(round_q2_13(w, 0.5))
    }
}

/// An `f32` coefficient rounded to nearest, kept as little-endian bytes (alignment 1, so that a
/// store slot has no padding).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct F32Word([u8; 4]);

impl CoefficientWord for F32Word {
    #[inline]
    fn encode(x: f64, _rounder: &mut Rounder) -> Self {
        Self((x as f32).to_le_bytes())
    }

    #[inline]
    fn value(self) -> f64 {
        f64::from(f32::from_le_bytes(self.0))
    }

    #[inline]
    fn served(w: f64) -> f64 {
        f64::from(w as f32)
    }
}

/// `x` in q2.13 with the deviate `u` in `[0, 1)`: `floor(2^13 x + u)`, clamped to the `i16`
/// range (the cast saturates, NaN goes to 0).
#[inline]
pub(crate) fn round_q2_13(x: f64, u: f64) -> i16 {
    (x * Q2_13_ONE + u).floor() as i16
}

/// The value of a q2.13 number.
#[inline]
pub(crate) fn from_q2_13(q: i16) -> f64 {
    f64::from(q) / Q2_13_ONE
}

/// `x` rounded to one of its two neighbouring `f32` values with the deviate `u`: the upper one
/// with probability `(x - lower) / (upper - lower)`. Exact `f32` values and non-finite ones are
/// returned as they are; values beyond the `f32` range become infinite.
#[inline]
pub(crate) fn round_f32(x: f64, u: f64) -> f32 {
    let nearest = x as f32;
    let at = f64::from(nearest);
    if at == x || !nearest.is_finite() {
        return nearest;
    }
    let (lower, upper) =
        if at < x { (nearest, f32_up(nearest)) } else { (f32_down(nearest), nearest) };
    let (lo, hi) = (f64::from(lower), f64::from(upper));
    if u * (hi - lo) < x - lo {
        upper
    } else {
        lower
    }
}

/// The next `f32` above `v` (`f32::next_up`, written out for the workspace's minimum Rust).
fn f32_up(v: f32) -> f32 {
    if v == 0.0 {
        f32::from_bits(1)
    } else if v > 0.0 {
        f32::from_bits(v.to_bits() + 1)
    } else {
        f32::from_bits(v.to_bits() - 1)
    }
}

/// The next `f32` below `v`.
fn f32_down(v: f32) -> f32 {
    -f32_up(-v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean of `n` randomized roundings of `x` by `round`.
    fn mean_of(n: usize, x: f64, mut round: impl FnMut(f64, &mut Rounder) -> f64) -> f64 {
        let mut rounder = Rounder::new(7);
        (0..n).map(|_| round(x, &mut rounder)).sum::<f64>() / n as f64
    }

    #[test]
    fn q2_13_rounding_is_unbiased() {
        // Standard error of the mean: at most 2^-13 / 2 / sqrt(n) = 6e-7 for n = 200,000;
        // the tolerance is 5 of them. Truncation would be off by up to 2^-13 (1.2e-4).
        let n = 200_000;
        for x in [0.3, -0.3, 1e-5, -1e-5, 3.999, -3.9999, 0.123_456_7, 2.0 + 0.4 / Q2_13_ONE] {
            let mean = mean_of(n, x, |x, r| from_q2_13(r.q2_13(x)));
            assert!((mean - x).abs() < 3e-6, "x = {x}: mean {mean}");
        }
        // A value on the grid is stored exactly, whatever the deviate.
        let mut rounder = Rounder::new(1);
        for _ in 0..100 {
            assert_eq!(rounder.q2_13(0.5), 4096);
            assert_eq!(rounder.q2_13(-3.0 / Q2_13_ONE), -3);
        }
    }

    #[test]
    fn truncation_is_biased_where_randomized_rounding_is_not() {
        // The test above can fail: the same mean with a deviate of 0 (rounding towards minus
        // infinity) is a whole step off for a value between two grid points.
        let x = 0.4 / Q2_13_ONE;
        let truncated = from_q2_13(round_q2_13(x, 0.0));
        assert_eq!(truncated, 0.0);
        let mean = mean_of(100_000, x, |x, r| from_q2_13(r.q2_13(x)));
        assert!((mean - x).abs() < x * 0.05, "{mean} vs {x}");
    }

    #[test]
    fn q2_13_clamps_to_its_range() {
        let mut rounder = Rounder::new(3);
        for x in [4.0, 5.5, 1e9, f64::INFINITY] {
            assert_eq!(from_q2_13(rounder.q2_13(x)), Q2_13_MAX, "x = {x}");
        }
        for x in [-4.0, -4.00001, -1e9, f64::NEG_INFINITY] {
            assert_eq!(from_q2_13(rounder.q2_13(x)), Q2_13_MIN, "x = {x}");
        }
        assert_eq!(rounder.q2_13(f64::NAN), 0);
        assert_eq!(Q2_13_MIN, -4.0);
        assert_eq!(Q2_13_MAX, 4.0 - 1.0 / Q2_13_ONE);
    }

    #[test]
    fn f32_rounding_is_unbiased_and_keeps_tiny_increments() {
        // 1 + 1e-9 is between two f32 values 1.2e-7 apart; to nearest it is 1 every time.
        let x = 1.0 + 1e-9;
        assert_eq!(x as f32, 1.0);
        let mean = mean_of(400_000, x, |x, r| f64::from(r.f32(x)));
        // Standard error: 1.2e-7 * sqrt(p) / sqrt(n) ~ 1.7e-11; tolerance 1e-10.
        assert!((mean - x).abs() < 1e-10, "{mean} vs {x}");
        let mut rounder = Rounder::new(2);
        assert_eq!(rounder.f32(0.25), 0.25);
        assert_eq!(rounder.f32(f64::INFINITY), f32::INFINITY);
    }

    #[test]
    fn f32_neighbours_are_adjacent() {
        for v in [1.0f32, -1.0, 0.0, 3.5e-40, -2.5e10] {
            let (up, down) = (f32_up(v), f32_down(v));
            assert!(down < v && v < up, "{v}: {down} {up}");
            assert_eq!(f32_down(up), v);
            assert_eq!(f32_up(down), v);
        }
    }

    #[test]
    fn words_decode_what_they_encode() {
        let mut rounder = Rounder::new(9);
        // f32: to nearest, so a value between two f32s goes to the closer one every time.
        let x = 1.0 + 0.4 * f64::from(f32::EPSILON);
        for _ in 0..50 {
            assert_eq!(F32Word::encode(x, &mut rounder).value(), 1.0);
        }
        assert_eq!(F32Word::encode(-0.1, &mut rounder).value(), f64::from(-0.1f32));
        assert_eq!(F32Word::served(1e-3), f64::from(1e-3f32));
        assert_eq!(F32Word::default().value(), 0.0);
        // q2.13: the served value is the nearest grid point; training rounds either way.
        assert_eq!(Q2_13Word::served(0.6 / Q2_13_ONE), 1.0 / Q2_13_ONE);
        assert_eq!(Q2_13Word::served(0.4 / Q2_13_ONE), 0.0);
        let draws: Vec<f64> =
            (0..200).map(|_| Q2_13Word::encode(0.5 / Q2_13_ONE, &mut rounder).value()).collect();
        assert!(draws.contains(&0.0) && draws.contains(&(1.0 / Q2_13_ONE)));
        assert_eq!(std::mem::align_of::<F32Word>(), 1);
        assert_eq!(Coefficients::F32.as_str(), "f32");
    }

    #[test]
    fn the_rounder_is_seeded() {
        let draws = |seed| {
            let mut r = Rounder::new(seed);
            (0..40).map(|_| r.q2_13(0.1)).collect::<Vec<_>>()
        };
        assert_eq!(draws(4), draws(4));
        assert_ne!(draws(4), draws(5));
    }
}

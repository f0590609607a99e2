//! The crate's random numbers (synthetic models and rows, shuffles of real data), defined here
//! from raw ChaCha8 output so that a seed gives the same bits in every version of this crate's
//! dependencies (`rand`'s own distributions are not promised to stay the same across versions;
//! the ChaCha stream is).
//!
//! - seeding: the 64-bit seed is expanded to ChaCha's 256-bit key with SplitMix64; each purpose
//!   (true model 0, train 1, validation 2, test 3, shuffle 4, the long-tail
//!   intercept's calibration sample 5) reads its own ChaCha stream number
//!   of that key, so they never share draws;
//! - shuffle: Fisher–Yates from the last position down, `j = below(i + 1)`;
//! - uniform on `[0, 1)`: the top 53 bits of one `u64`, times 2^-53;
//! - integer below `m`: `(u64 * m) >> 64` (Lemire's multiply-shift without rejection; the bias,
//!   below `m / 2^64`, is irrelevant here);
//! - standard normal: Box–Muller on two uniforms, both outputs used;
//! - normal CDF: `Phi(z) = erfc(-z / sqrt 2) / 2` with libm's `erfc` (pure Rust, deterministic).

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// ChaCha stream number of the synthetic true model (synthetic splits use 1..=3).
pub(crate) const MODEL_STREAM: u64 = 0;
/// ChaCha stream number of real-data shuffles.
pub(crate) const SHUFFLE_STREAM: u64 = 4;
/// ChaCha stream number of the long-tail mode's calibration sample (the intercept).
pub(crate) const CALIBRATION_STREAM: u64 = 5;

/// A ChaCha8 generator for `seed`, positioned at the start of stream `stream`.
pub(crate) fn chacha(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut state = seed;
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(stream);
    rng
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Uniform on `[0, 1)`.
#[inline]
pub(crate) fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform integer in `0..m` (`m >= 1`).
#[inline]
pub(crate) fn below(rng: &mut ChaCha8Rng, m: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(m)) >> 64) as u64
}

/// A uniformly random permutation of `0..n` for `seed` (Fisher–Yates).
pub(crate) fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = chacha(seed, SHUFFLE_STREAM);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, below(&mut rng, i as u64 + 1) as usize);
    }
    order
}

/// Fills `out` with independent standard normals (Box–Muller, pairs).
pub(crate) fn fill_normals(rng: &mut ChaCha8Rng, out: &mut [f64]) {
    for pair in out.chunks_mut(2) {
        let radius = (-2.0 * (1.0 - uniform(rng)).ln()).sqrt();
        let angle = std::f64::consts::TAU * uniform(rng);
        pair[0] = radius * angle.cos();
        if let Some(second) = pair.get_mut(1) {
            *second = radius * angle.sin();
        }
    }
}

/// The standard normal CDF.
#[inline]
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_of_one_seed_differ_and_repeat() {
        let draw = |seed, stream| {
            let mut rng = chacha(seed, stream);
            (0..4).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, 1), draw(7, 1));
        assert_ne!(draw(7, 1), draw(7, 2));
        assert_ne!(draw(7, 1), draw(8, 1));
    }

    #[test]
    fn uniform_and_normal_moments() {
        let mut rng = chacha(1, 5);
        let n = 20_000;
        let mean_u = (0..n).map(|_| uniform(&mut rng)).sum::<f64>() / n as f64;
        assert!((mean_u - 0.5).abs() < 0.01, "{mean_u}");
        let mut z = vec![0.0; n];
        fill_normals(&mut rng, &mut z);
        let mean = z.iter().sum::<f64>() / n as f64;
        let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.04, "{mean} {var}");
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-12);
        assert!((0..100).all(|_| below(&mut rng, 3) < 3));
    }

    #[test]
    fn permutation_is_a_seeded_permutation() {
        let p = permutation(1000, 3);
        let mut sorted = p.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        assert_eq!(p, permutation(1000, 3));
        assert_ne!(p, permutation(1000, 4));
        assert_ne!(p, sorted);
    }
}

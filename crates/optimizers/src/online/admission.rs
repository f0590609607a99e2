//! Feature admission (McMahan et al. 2013, section 4.1): a counting Bloom filter for "seen `n`
//! times" and seeded Bernoulli draws for Poisson inclusion. The filter's bytes count as training
//! state.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::config::Admission;
use super::hash::mix64;

/// Hash functions of the counting Bloom filter.
pub(crate) const BLOOM_HASHES: u64 = 3;

/// Decides whether a feature that is not in the store gets a weight now.
#[derive(Debug, Clone)]
pub(crate) enum Admitter {
    All,
    Count { counters: Vec<u8>, needed: u8 },
    // Boxed: the generator is 300 bytes, the other variants a few words.
    Poisson { p: f64, rng: Box<ChaCha8Rng> },
}

impl Admitter {
    /// Builds the admitter of a validated config.
    pub(crate) fn new(admission: Admission, bloom_counters: u32, seed: u64) -> Self {
        match admission {
            Admission::All => Admitter::All,
            Admission::Count { n } => Admitter::Count {
                counters: vec![0; bloom_counters as usize],
                needed: n.clamp(1, 255) as u8,
            },
            Admission::Poisson { p } => {
                Admitter::Poisson { p, rng: Box::new(ChaCha8Rng::seed_from_u64(seed)) }
            }
        }
    }

    /// Records one sighting of `id` and says whether it is admitted.
    #[inline]
    pub(crate) fn admit(&mut self, id: u64) -> bool {
        match self {
            Admitter::All => true,
            Admitter::Count { counters, needed } => {
                let slots = bloom_slots(id, counters.len() as u64);
                // Conservative update: raise only the smallest counters, which keeps the
                // overestimate (and so early admission) as small as a counting filter allows.
                let least = slots.iter().map(|&s| counters[s]).min().unwrap_or(0);
                let raised = least.saturating_add(1);
                for &s in &slots {
                    if counters[s] == least {
                        counters[s] = raised;
                    }
                }
                raised >= *needed
            }
            Admitter::Poisson { p, rng } => rng.gen::<f64>() < *p,
        }
    }

    /// Bytes held by the filter.
    pub(crate) fn bytes(&self) -> u64 {
        match self {
            Admitter::Count { counters, .. } => counters.capacity() as u64,
            Admitter::All | Admitter::Poisson { .. } => 0,
        }
    }
}

/// The counters of `id`, by double hashing.
#[inline]
fn bloom_slots(id: u64, len: u64) -> [usize; BLOOM_HASHES as usize] {
    let h1 = mix64(id);
    let h2 = mix64(h1) | 1;
    std::array::from_fn(|i| {
        let h = h1.wrapping_add((i as u64).wrapping_mul(h2));
        // Multiply-shift maps the hash onto 0..len without a division.
        ((h as u128 * len as u128) >> 64) as usize
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_admits_on_the_nth_sighting() {
        let mut a = Admitter::new(Admission::Count { n: 3 }, 1 << 12, 0);
        assert!(!a.admit(42));
        assert!(!a.admit(42));
        assert!(a.admit(42));
        assert!(!a.admit(43));
        assert_eq!(a.bytes(), 1 << 12);
    }

    #[test]
    fn poisson_admits_about_p() {
        let mut a = Admitter::new(Admission::Poisson { p: 0.25 }, 64, 7);
        let admitted = (0..10_000).filter(|&i| a.admit(i)).count();
        assert!((2_300..2_700).contains(&admitted), "{admitted}");
    }
}

//! The generator's long-tail mode: Zipf frequencies of categorical values and skewed bins (the
//! frequency-rank slope matches the exponent), the calibrated positive rate, the true support
//! of the value effects, and the uniform mode's streams unchanged bit for bit.

use features::synthetic::LongTailConfig;
use features::{CrossLayout, SplitName, SyntheticConfig, SyntheticProblem};

fn long_tail(k: usize, tail: LongTailConfig) -> SyntheticConfig {
    SyntheticConfig { k, seed: 5, long_tail: Some(tail), ..SyntheticConfig::default() }
}

/// Least-squares slope of `log count` against `log rank` (rank from 1) over the first `ranks`.
fn log_log_slope(counts: &[u64], ranks: usize) -> f64 {
    let points: Vec<(f64, f64)> =
        (0..ranks).map(|r| (((r + 1) as f64).ln(), (counts[r] as f64).ln())).collect();
    let n = points.len() as f64;
    let (mx, my) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    sxy / sxx
}

#[test]
fn value_and_bin_frequencies_follow_the_zipf_exponents() {
    let tail = LongTailConfig {
        exponent: 1.2,
        bin_exponent: 1.0,
        categorical_fields: 1,
        vocabulary: 1000,
        ..LongTailConfig::default()
    };
    let cfg = SyntheticConfig {
        bins: 10,
        crosses: CrossLayout {
            marginals: true,
            full_cross: false,
            pairwise: false,
            hash_buckets: None,
        },
        ..long_tail(2, tail)
    };
    let problem = SyntheticProblem::new(cfg).unwrap();
    // Ids: x0's 10 bins, x1's 10 bins, then c0's 1000 values (+ OOV), by rank.
    let (mut values, mut bins) = (vec![0u64; 1001], vec![0u64; 10]);
    for example in problem.stream(SplitName::Train, 60_000) {
        bins[example.ids[0] as usize] += 1;
        values[(example.ids[2] - 20) as usize] += 1;
    }
    assert_eq!(values[1000], 0, "the OOV bucket is never drawn");
    // The 40 most frequent ranks have at least ~300 draws each: sampling noise is small.
    let value_slope = log_log_slope(&values, 40);
    assert!((value_slope + 1.2).abs() < 0.08, "values: slope {value_slope}, exponent 1.2");
    let bin_slope = log_log_slope(&bins, 10);
    assert!((bin_slope + 1.0).abs() < 0.08, "bins: slope {bin_slope}, exponent 1.0");
    // Uniform bins would give a slope near 0: the test can tell the modes apart.
    let flat = SyntheticConfig {
        long_tail: Some(LongTailConfig { bin_exponent: 0.0, ..LongTailConfig::default() }),
        ..problem.config().clone()
    };
    let mut flat_bins = vec![0u64; 10];
    for example in SyntheticProblem::new(flat).unwrap().stream(SplitName::Train, 20_000) {
        flat_bins[example.ids[0] as usize] += 1;
    }
    assert!(log_log_slope(&flat_bins, 10).abs() < 0.08);
}

#[test]
fn full_cross_cells_spread_over_orders_of_magnitude() {
    let problem = SyntheticProblem::new(long_tail(4, LongTailConfig::default())).unwrap();
    let full = problem.space().groups().iter().find(|g| g.name == "full_cross").unwrap().clone();
    let mut counts = std::collections::HashMap::new();
    for example in problem.stream(SplitName::Train, 20_000) {
        let cell = example.ids.iter().find(|&&id| id >= full.first).unwrap();
        *counts.entry(*cell).or_insert(0u64) += 1;
    }
    // Cell (0,0,0,0) has probability 0.48^4 ~ 5%; the rarest, (3,3,3,3), 0.12^4 ~ 0.02%.
    let top = counts[&full.first];
    let rarest = counts.get(&(full.first + 255)).copied().unwrap_or(0);
    assert!(top > 800, "most frequent cell seen {top} times");
    assert!(rarest < 20, "rarest cell seen {rarest} times");
}

#[test]
fn positive_rate_is_calibrated_through_the_intercept() {
    for rate in [0.03, 0.2] {
        let tail = LongTailConfig { positive_rate: Some(rate), ..LongTailConfig::default() };
        let problem = SyntheticProblem::new(long_tail(3, tail)).unwrap();
        let n = 20_000;
        let (mut labels, mut probs) = (0.0, 0.0);
        for example in problem.stream(SplitName::Validation, n) {
            labels += example.label;
            probs += example.true_prob.unwrap();
        }
        let (labels, probs) = (labels / n as f64, probs / n as f64);
        assert!((probs - rate).abs() < 0.1 * rate, "rate {rate}: mean true prob {probs}");
        assert!((labels - rate).abs() < 0.2 * rate, "rate {rate}: positives {labels}");
        assert!(problem.bias() < 0.0, "a rare positive needs a negative intercept");
    }
}

#[test]
fn support_lists_the_values_with_effects_frequent_and_rare() {
    let tail = LongTailConfig { vocabulary: 2000, ..LongTailConfig::default() };
    let problem = SyntheticProblem::new(long_tail(3, tail)).unwrap();
    let space = problem.space();
    let with_effect: Vec<(usize, usize)> = (0..2)
        .flat_map(|f| (0..2000).map(move |v| (f, v)))
        .filter(|&(f, v)| problem.value_effect(f, v) != 0.0)
        .collect();
    // About value_effect_fraction = 10% of 4000 values.
    assert!((300..500).contains(&with_effect.len()), "{}", with_effect.len());
    assert!(with_effect.iter().any(|&(_, v)| v < 100), "no frequent value has an effect");
    assert!(with_effect.iter().any(|&(_, v)| v >= 1000), "no rare value has an effect");
    for &(f, v) in &with_effect {
        let id = space.id_of(&format!("c{f}=v{v:04}")).unwrap();
        assert!(problem.true_support().binary_search(&id).is_ok(), "c{f}=v{v:04}");
    }
    let marginal_ids = 3 * 3;
    assert_eq!(problem.true_support().len(), marginal_ids + with_effect.len());
}

#[test]
fn long_tail_streams_are_seeded() {
    let cfg = long_tail(4, LongTailConfig { positive_rate: Some(0.1), ..Default::default() });
    let a: Vec<_> =
        SyntheticProblem::new(cfg.clone()).unwrap().stream(SplitName::Test, 300).collect();
    let b: Vec<_> =
        SyntheticProblem::new(cfg.clone()).unwrap().stream(SplitName::Test, 300).collect();
    assert_eq!(a, b);
    let other = SyntheticConfig { seed: 6, ..cfg };
    let c: Vec<_> = SyntheticProblem::new(other).unwrap().stream(SplitName::Test, 300).collect();
    assert_ne!(a, c);
}

/// FNV-1a 64 of the ids, true probabilities and labels of a few uniform-mode streams and of
/// their true supports, recorded before the long-tail mode existed: the mode must leave the
/// uniform generator's output unchanged bit for bit (committed results depend on it).
#[test]
fn uniform_mode_output_is_unchanged() {
    // Each byte of ids and probabilities, each label and each support id as one word.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat_word = |word: u64| hash = (hash ^ word).wrapping_mul(0x0100_0000_01b3);
    for (k, rho, noise) in [(3usize, 0.0, 0.0), (5, 0.5, 0.1), (10, 0.0, 0.0)] {
        let cfg = SyntheticConfig {
            k,
            seed: 7,
            correlation: rho,
            label_noise: noise,
            interactions: 6,
            triple_fraction: 0.5,
            ..SyntheticConfig::default()
        };
        let problem = SyntheticProblem::new(cfg).unwrap();
        for split in [SplitName::Train, SplitName::Test] {
            for example in problem.stream(split, 500) {
                let bits = example.true_prob.unwrap().to_bits();
                let bytes = example.ids.iter().flat_map(|id| id.to_le_bytes());
                bytes.chain(bits.to_le_bytes()).for_each(|b| eat_word(u64::from(b)));
                eat_word(example.label as u64);
            }
        }
        problem.true_support().iter().for_each(|&id| eat_word(id));
    }
    assert_eq!(hash, 0xcb51_a597_d690_715c);
}

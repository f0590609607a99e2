//! The synthetic generator: k^k dimensions, determinism, split independence, streaming at k = 10,
//! true probabilities and support, and config validation.

use features::{CrossLayout, FeaturesError, SplitName, SyntheticConfig, SyntheticProblem};

fn config(k: usize) -> SyntheticConfig {
    SyntheticConfig { k, seed: 11, ..SyntheticConfig::default() }
}

#[test]
fn dimension_is_k_bins_plus_k_to_the_k() {
    for k in 2..=10usize {
        let problem = SyntheticProblem::new(config(k)).unwrap();
        let k_to_k = (k as u64).pow(k as u32);
        assert_eq!(problem.dimension(), (k * k) as u64 + k_to_k, "k = {k}");
    }
    let ten = SyntheticProblem::new(config(10)).unwrap();
    assert_eq!(ten.dimension(), 10_000_000_000 + 100);
}

fn first_rows(
    problem: &SyntheticProblem,
    split: SplitName,
    n: u64,
) -> Vec<features::SparseExample> {
    problem.stream(split, n).collect()
}

#[test]
fn same_seed_same_bits_other_seed_or_split_differs() {
    let cfg = SyntheticConfig { correlation: 0.5, label_noise: 0.1, ..config(5) };
    let a = SyntheticProblem::new(cfg.clone()).unwrap();
    let b = SyntheticProblem::new(cfg.clone()).unwrap();
    let rows_a = first_rows(&a, SplitName::Train, 200);
    let rows_b = first_rows(&b, SplitName::Train, 200);
    assert_eq!(rows_a, rows_b);
    let bits = |rows: &[features::SparseExample]| -> Vec<u64> {
        rows.iter().map(|r| r.true_prob.unwrap().to_bits()).collect()
    };
    assert_eq!(bits(&rows_a), bits(&rows_b));
    assert_eq!(a.true_support(), b.true_support());

    let other = SyntheticProblem::new(SyntheticConfig { seed: 12, ..cfg }).unwrap();
    assert_ne!(rows_a, first_rows(&other, SplitName::Train, 200));
    let validation = first_rows(&a, SplitName::Validation, 200);
    let test = first_rows(&a, SplitName::Test, 200);
    assert_ne!(rows_a, validation);
    assert_ne!(validation, test);
    // A shorter stream is a prefix of a longer one.
    assert_eq!(first_rows(&a, SplitName::Train, 50), rows_a[..50]);
}

#[test]
fn stream_at_k10_touches_one_full_cross_cell_per_row() {
    let problem = SyntheticProblem::new(config(10)).unwrap();
    let full = problem.space().groups().last().unwrap().clone();
    assert_eq!(full.size, 10_000_000_000);
    let mut stream = problem.stream(SplitName::Train, 100_000);
    let mut example = features::SparseExample::default();
    let mut rows = 0u64;
    let mut positives = 0.0;
    let mut expected_positives = 0.0;
    while stream.next_into(&mut example) {
        rows += 1;
        assert_eq!(example.ids.len(), 11);
        assert!(example.ids.windows(2).all(|w| w[0] < w[1]));
        let cell = *example.ids.last().unwrap();
        assert!(cell >= full.first && cell < full.first + full.size);
        positives += example.label;
        expected_positives += example.true_prob.unwrap();
    }
    assert_eq!(rows, 100_000);
    // Labels are Bernoulli(true_prob): their sum is within a few standard deviations.
    assert!((positives - expected_positives).abs() < 4.0 * (rows as f64 / 4.0).sqrt());
}

#[test]
fn copula_keeps_uniform_bins_and_correlates_neighbours() {
    let cfg = SyntheticConfig { correlation: 0.9, bins: 4, ..config(3) };
    let problem = SyntheticProblem::new(cfg).unwrap();
    let n = 20_000;
    let mut counts = [0usize; 4];
    let mut same_bin = 0usize;
    for example in problem.stream(SplitName::Train, n) {
        // Marginal ids: x0 is 0..4, x1 is 4..8.
        counts[example.ids[0] as usize] += 1;
        same_bin += usize::from(example.ids[0] == example.ids[1] - 4);
    }
    for c in counts {
        assert!((c as f64 / n as f64 - 0.25).abs() < 0.02, "{counts:?}");
    }
    // Independent features would agree a quarter of the time.
    assert!(same_bin as f64 / n as f64 > 0.5, "{same_bin}");
}

#[test]
fn label_noise_bounds_true_prob() {
    let cfg = SyntheticConfig { label_noise: 0.2, effect_scale: 5.0, ..config(4) };
    let problem = SyntheticProblem::new(cfg).unwrap();
    for example in problem.stream(SplitName::Test, 2_000) {
        let p = example.true_prob.unwrap();
        assert!((0.2..=0.8).contains(&p), "{p}");
        assert!(example.label == 0.0 || example.label == 1.0);
    }
}

#[test]
fn true_support_is_marginals_and_planted_pair_cells() {
    let layout =
        CrossLayout { marginals: true, full_cross: false, pairwise: true, hash_buckets: None };
    let cfg =
        SyntheticConfig { interactions: 5, triple_fraction: 0.4, crosses: layout, ..config(5) };
    let problem = SyntheticProblem::new(cfg).unwrap();
    let space = problem.space();
    let support = problem.true_support();
    assert!(support.windows(2).all(|w| w[0] < w[1]));
    let marginal_ids = support.iter().filter(|&&id| id < 25).count();
    assert_eq!(marginal_ids, 25, "effects are dense");
    let pairs: Vec<_> =
        problem.planted_interactions().iter().filter(|p| p.conditions.len() == 2).collect();
    assert_eq!(pairs.len(), 3);
    for pair in pairs {
        let [(i, bi), (j, bj)] = pair.conditions[..] else { panic!("pair") };
        let name = format!(
            "x{i}{} x x{j}{}",
            space.columns()[i].labels()[bi as usize],
            space.columns()[j].labels()[bj as usize]
        );
        let id = space.id_of(&name).unwrap();
        assert!(support.contains(&id), "{name}");
    }
    let cross_ids = support.iter().filter(|&&id| id >= 25).count();
    assert!((1..=3).contains(&cross_ids));

    let no_effects = SyntheticConfig { effect_scale: 0.0, ..problem.config().clone() };
    let sparse = SyntheticProblem::new(no_effects).unwrap();
    assert!(sparse.true_support().iter().all(|&id| id >= 25));
}

#[test]
fn planted_interaction_moves_the_true_probability() {
    let cfg =
        SyntheticConfig { effect_scale: 0.0, interactions: 1, interaction_scale: 3.0, ..config(3) };
    let problem = SyntheticProblem::new(cfg).unwrap();
    let planted = problem.planted_interactions()[0].clone();
    let expected_active = 1.0 / (1.0 + (-planted.weight).exp());
    let mut seen_active = false;
    for example in problem.stream(SplitName::Train, 5_000) {
        let active = planted
            .conditions
            .iter()
            .all(|&(f, b)| example.ids[f] == (f * 3) as u64 + u64::from(b));
        let p = example.true_prob.unwrap();
        if active {
            seen_active = true;
            assert!((p - expected_active).abs() < 1e-12);
        } else {
            assert!((p - 0.5).abs() < 1e-12);
        }
    }
    assert!(seen_active);
}

#[test]
fn bad_configs_are_rejected_with_the_field() {
    let cases: Vec<(SyntheticConfig, &str)> = vec![
        (SyntheticConfig { k: 1, ..config(2) }, "synthetic.k"),
        (SyntheticConfig { bins: 1, ..config(4) }, "synthetic.bins"),
        (SyntheticConfig { correlation: 1.0, ..config(4) }, "synthetic.correlation"),
        (SyntheticConfig { triple_fraction: 1.5, ..config(4) }, "synthetic.triple_fraction"),
        (SyntheticConfig { triple_fraction: 1.0, ..config(2) }, "triples need k >= 3"),
        (SyntheticConfig { effect_scale: -1.0, ..config(4) }, "synthetic.effect_scale"),
        (SyntheticConfig { interaction_scale: f64::NAN, ..config(4) }, "interaction_scale"),
        (SyntheticConfig { bias: f64::INFINITY, ..config(4) }, "synthetic.bias"),
        (SyntheticConfig { label_noise: 0.5, ..config(4) }, "synthetic.label_noise"),
        (
            SyntheticConfig {
                crosses: CrossLayout {
                    marginals: false,
                    full_cross: false,
                    pairwise: false,
                    hash_buckets: None,
                },
                ..config(4)
            },
            "synthetic.crosses",
        ),
        (
            SyntheticConfig {
                bins: 2,
                crosses: CrossLayout {
                    marginals: true,
                    full_cross: false,
                    pairwise: true,
                    hash_buckets: None,
                },
                ..config(2_000)
            },
            "synthetic.crosses.pairwise",
        ),
        // Caps on what a few bytes of spec can ask for (found while studying a hang that fuzzing
        // the spec parser found: the spec check builds the problem, and `interactions = 10^12`
        // aborted on the allocation, `k = 5 * 10^7` with 2 bins ran out of 24 GB).
        (SyntheticConfig { interactions: 1_000_001, ..config(4) }, "synthetic.interactions"),
        (
            SyntheticConfig {
                bins: 2,
                crosses: CrossLayout {
                    marginals: true,
                    full_cross: false,
                    pairwise: false,
                    hash_buckets: None,
                },
                ..config(100_001)
            },
            "synthetic.k",
        ),
        (SyntheticConfig { bins: 5_000_001, ..config(2) }, "k * bins must be <= 10000000"),
    ];
    for (cfg, needle) in cases {
        let err = SyntheticProblem::new(cfg).unwrap_err();
        assert!(matches!(err, FeaturesError::InvalidConfig { .. }), "{err:?}");
        assert!(err.to_string().contains(needle), "{err} lacks {needle}");
    }
}

/// Found by fuzzing the spec parser (`fuzz/`, target `spec`, a hang): building a space of n
/// columns or groups was O(n^2) (every name checked against every other; the true support looked
/// each marginal up by scanning the groups). Release build, before: k = 333 with pairwise crosses
/// 2.5 s, k = 600 73 s (the cap, k = 1414, would take most of an hour), k = 10^5 marginals 61 s.
/// Now each well under a second.
#[test]
fn spaces_of_many_groups_build_in_linear_time() {
    // No timing: the quadratic build this guards against (16 billion name comparisons) would
    // not finish within the CI's time limit.
    let many_pairs = SyntheticConfig {
        bins: 2,
        crosses: CrossLayout {
            marginals: true,
            full_cross: false,
            pairwise: true,
            hash_buckets: None,
        },
        ..config(600) // 179,700 pairwise crosses: 16 billion name comparisons before
    };
    assert_eq!(SyntheticProblem::new(many_pairs).unwrap().space().groups().len(), 600 + 179_700);
    let many_columns = SyntheticConfig {
        bins: 2,
        crosses: CrossLayout {
            marginals: true,
            full_cross: false,
            pairwise: false,
            hash_buckets: None,
        },
        ..config(100_000)
    };
    let problem = SyntheticProblem::new(many_columns).unwrap();
    assert_eq!(problem.space().columns().len(), 100_000);
    assert!(!problem.true_support().is_empty());
}

#[test]
fn full_cross_too_large_for_u64_names_cross_and_size() {
    let err = SyntheticProblem::new(config(20)).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, FeaturesError::CrossTooLarge { .. }));
    assert!(message.contains("`full_cross`") && message.contains("20^20"), "{message}");
    // Without the full cross, k = 20 is fine.
    let layout =
        CrossLayout { marginals: true, full_cross: false, pairwise: true, hash_buckets: None };
    let ok = SyntheticProblem::new(SyntheticConfig { crosses: layout, ..config(20) }).unwrap();
    assert_eq!(ok.dimension(), 400 + 190 * 400);
}

#[test]
fn unknown_toml_keys_are_rejected() {
    let good: SyntheticConfig =
        toml::from_str("k = 6\nseed = 3\n[crosses]\npairwise = true\n").unwrap();
    assert_eq!(good.k, 6);
    assert!(good.crosses.marginals && good.crosses.full_cross && good.crosses.pairwise);
    let err = toml::from_str::<SyntheticConfig>("k = 6\nbinz = 3\n").unwrap_err();
    assert!(err.to_string().contains("binz"), "{err}");
    let err = toml::from_str::<SyntheticConfig>("[crosses]\nfull = true\n").unwrap_err();
    assert!(err.to_string().contains("full"), "{err}");
}

#[test]
fn at_k_2_an_exact_full_cross_stands_for_the_one_pairwise_cross() {
    // Twin exact crosses of the same cells (found by fuzzing the real-data schema) would give
    // each cell two ids: at k = 2 the full cross is the pair's cross, and its planted cell is in
    // the true support.
    let layout =
        CrossLayout { marginals: true, full_cross: true, pairwise: true, hash_buckets: None };
    let both =
        SyntheticProblem::new(SyntheticConfig { crosses: layout.clone(), ..config(2) }).unwrap();
    let full_only = CrossLayout { pairwise: false, ..layout };
    let full = SyntheticProblem::new(SyntheticConfig { crosses: full_only, ..config(2) }).unwrap();
    assert_eq!(both.space().dimension(), full.space().dimension());
    let names: Vec<&str> = both.space().groups().iter().map(|g| g.name.as_str()).collect();
    assert!(!names.iter().any(|n| n.contains("_x_x")), "{names:?}");
    let cross =
        both.space().groups().iter().find(|g| g.name == features::synthetic::FULL_CROSS).unwrap();
    let in_cross = both.true_support().iter().filter(|&&id| id >= cross.first).count();
    let pairs = both.planted_interactions().iter().filter(|p| p.conditions.len() == 2).count();
    assert!(pairs > 0 && (1..=pairs).contains(&in_cross), "{:?}", both.true_support());
    assert!(full.true_support().iter().all(|&id| id < cross.first), "no pairwise: no cell listed");
}

//! Tests of the penalties: the exact TensorFlow and Keras L2 conventions, gradients, the
//! elastic net's limits, bad strengths, and every prox against a brute-force minimization of
//! its definition `argmin_x r(x) + (x - v)^2 / (2 eta)`.

use proptest::prelude::*;
use regularizers::{
    hard_threshold, soft_threshold, ElasticNet, L2Convention, NoPenalty, Penalty, Regularizer,
    RegularizerError, L0, L1, L2, REGULARIZERS,
};

/// The prox objective `r(x) + (x - v)^2 / (2 eta)`.
fn prox_objective(r: &dyn Regularizer, x: f64, v: f64, eta: f64) -> f64 {
    r.value(x) + (x - v) * (x - v) / (2.0 * eta)
}

/// Minimizes the (convex) prox objective by golden-section search on `[min(0, v), max(0, v)]`,
/// where every prox of a penalty that is symmetric and increasing in `|x|` lies.
fn golden_section_prox(r: &dyn Regularizer, v: f64, eta: f64) -> f64 {
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (v.min(0.0), v.max(0.0));
    let f = |x: f64| prox_objective(r, x, v, eta);
    for _ in 0..200 {
        let c = b - ratio * (b - a);
        let d = a + ratio * (b - a);
        if f(c) <= f(d) {
            b = d;
        } else {
            a = c;
        }
    }
    // The kink of |x| at 0 is a frequent minimizer: compare it too.
    let x = (a + b) / 2.0;
    if f(0.0) <= f(x) {
        0.0
    } else {
        x
    }
}

fn convex_penalties(lambda: f64, ratio: f64) -> Vec<Box<dyn Regularizer>> {
    let ok = "strength in range";
    vec![
        Box::new(NoPenalty),
        Box::new(L1::new(lambda).expect(ok)),
        Box::new(L2::new(lambda, L2Convention::Tensorflow).expect(ok)),
        Box::new(L2::new(lambda, L2Convention::Keras).expect(ok)),
        Box::new(ElasticNet::new(lambda, ratio, L2Convention::Tensorflow).expect(ok)),
        Box::new(ElasticNet::new(lambda, ratio, L2Convention::Keras).expect(ok)),
    ]
}

proptest! {
    #[test]
    fn convex_prox_matches_brute_force(
        v in -10.0f64..10.0,
        eta in 1e-3f64..5.0,
        lambda in 0.0f64..3.0,
        ratio in 0.0f64..=1.0,
    ) {
        for r in convex_penalties(lambda, ratio) {
            let prox = r.prox(v, eta);
            let brute = golden_section_prox(r.as_ref(), v, eta);
            // The objective is (1/eta)-strongly convex, so equal values mean equal points.
            let (fp, fb) = (prox_objective(r.as_ref(), prox, v, eta), prox_objective(r.as_ref(), brute, v, eta));
            prop_assert!(fp <= fb + 1e-12 * (1.0 + fb.abs()), "{}: prox {prox} ({fp}) vs brute {brute} ({fb})", r.name());
            prop_assert!((prox - brute).abs() <= 1e-6 * (1.0 + v.abs()), "{}: prox {prox} vs brute {brute}", r.name());
        }
    }

    #[test]
    fn l0_prox_is_the_better_of_zero_and_v_and_beats_a_grid(
        v in -10.0f64..10.0,
        eta in 1e-3f64..5.0,
        lambda in 0.0f64..3.0,
    ) {
        let r = L0::new(lambda).expect("strength in range");
        let prox = r.prox(v, eta);
        prop_assert!(prox == 0.0 || prox == v);
        let f = |x: f64| prox_objective(&r, x, v, eta);
        let best_candidate = f(0.0).min(f(v));
        prop_assert!(f(prox) <= best_candidate + 1e-12);
        // For x != 0 the penalty is constant, so no point of a dense grid does better.
        let span = 2.0 * v.abs() + 1.0;
        for i in 0..=2000 {
            let x = -span + 2.0 * span * i as f64 / 2000.0;
            prop_assert!(f(prox) <= f(x) + 1e-12, "x = {x} beats prox {prox}");
        }
        let threshold = (2.0 * eta * lambda).sqrt();
        prop_assert_eq!(prox != 0.0, v.abs() > threshold);
    }

    #[test]
    fn subgradient_is_in_the_subdifferential(w in -10.0f64..10.0, lambda in 0.0f64..3.0, ratio in 0.0f64..=1.0) {
        // Convexity: r(y) >= r(w) + s (y - w) for every y.
        for r in convex_penalties(lambda, ratio) {
            let s = r.subgradient(w);
            for y in [-7.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 3.0, 9.0] {
                prop_assert!(r.value(y) >= r.value(w) + s * (y - w) - 1e-9, "{} at w = {w}, y = {y}", r.name());
            }
        }
    }
}

#[test]
fn tensorflow_l2_is_half_the_sum_of_squares() {
    let r = L2::new(1.0, L2Convention::Tensorflow).expect("valid");
    assert_eq!(r.penalty(&[3.0, 4.0]), 12.5);
    assert_eq!(r.subgradient(3.0), 3.0);
    assert_eq!(r.l2_convention(), Some(L2Convention::Tensorflow));
}

#[test]
fn keras_l2_is_the_sum_of_squares() {
    let r = L2::new(2.0, L2Convention::Keras).expect("valid");
    assert_eq!(r.penalty(&[1.0; 25]), 50.0);
    assert_eq!(r.subgradient(3.0), 2.0 * 2.0 * 3.0);
    assert_eq!(r.parts().expect("a mix").l2_grad, 4.0);
    assert_eq!(L2Convention::Keras.as_str(), "keras");
}

#[test]
fn elastic_net_limits_are_l2_and_l1() {
    for convention in [L2Convention::Tensorflow, L2Convention::Keras] {
        let ridge = L2::new(0.7, convention).expect("valid");
        let as_ridge = ElasticNet::new(0.7, 0.0, convention).expect("valid");
        let lasso = L1::new(0.7).expect("valid");
        let as_lasso = ElasticNet::new(0.7, 1.0, convention).expect("valid");
        assert_eq!(as_ridge.parts(), ridge.parts());
        assert_eq!(as_lasso.parts(), lasso.parts());
        for v in [-3.0, -0.2, 0.0, 0.4, 2.5] {
            assert_eq!(as_ridge.prox(v, 0.3), ridge.prox(v, 0.3));
            assert_eq!(as_lasso.prox(v, 0.3), lasso.prox(v, 0.3));
            assert_eq!(as_ridge.value(v), ridge.value(v));
            assert_eq!(as_lasso.value(v), lasso.value(v));
        }
    }
}

#[test]
fn l1_and_l0_conventions() {
    let l1 = L1::new(0.5).expect("valid");
    assert_eq!(l1.penalty(&[1.0, -2.0, 0.0]), 1.5);
    assert_eq!(l1.subgradient(0.0), 0.0);
    assert_eq!(l1.subgradient(-2.0), -0.5);
    assert_eq!(soft_threshold(0.3, 0.5), 0.0);
    assert_eq!(soft_threshold(-0.8, 0.5), -0.30000000000000004);
    let l0 = L0::new(0.5).expect("valid");
    assert_eq!(l0.penalty(&[1.0, -2.0, 0.0, 1e-300]), 1.5);
    assert_eq!(l0.subgradient(3.0), 0.0);
    // Threshold sqrt(2 * 1 * 0.5) = 1: a value exactly on it is dropped.
    assert_eq!(hard_threshold(1.0, 1.0, 0.5), 0.0);
    assert_eq!(hard_threshold(-1.0000001, 1.0, 0.5), -1.0000001);
}

#[test]
fn prox_keeps_nan_visible() {
    for r in convex_penalties(0.5, 0.5)
        .iter()
        .map(|b| b.as_ref())
        .chain([&L0::new(0.5).expect("valid") as &dyn Regularizer])
    {
        assert!(r.prox(f64::NAN, 0.1).is_nan(), "{}", r.name());
    }
}

#[test]
fn bad_strengths_and_names_are_errors() {
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            L1::new(bad),
            Err(RegularizerError::BadStrength { name: "l1", parameter: "lambda", .. })
        ));
        assert!(matches!(L0::new(bad), Err(RegularizerError::BadStrength { name: "l0", .. })));
        assert!(matches!(
            L2::new(bad, L2Convention::Keras),
            Err(RegularizerError::BadStrength { name: "l2", .. })
        ));
        assert!(ElasticNet::new(bad, 0.5, L2Convention::Keras).is_err());
    }
    for ratio in [-0.1, 1.5, f64::NAN] {
        let err = ElasticNet::new(1.0, ratio, L2Convention::Tensorflow)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("l1_ratio")), "ratio {ratio}");
    }
    let err = Penalty::named("lasso").map_err(|e| e.to_string());
    assert!(err.is_err_and(|e| e.contains("lasso") && e.contains("elastic_net")));
    let err = Penalty::named("l1").and_then(|p| p.at(-0.5)).map(|_| ()).map_err(|e| e.to_string());
    assert!(err.is_err_and(|e| e.contains("lambda") && e.contains("-0.5")));
    // Settings are checked per regularizer: a key of another one is named and refused.
    let table: toml::Table = toml::from_str("l1_ratio = 0.5").expect("toml");
    let err = Penalty::new("l2", &table).map_err(|e| e.to_string());
    assert!(err.is_err_and(|e| e.contains("l2") && e.contains("l1_ratio")), "l2 has no l1_ratio");
    let table: toml::Table = toml::from_str("l1_ratio = 1.5").expect("toml");
    let err = Penalty::new("elastic_net", &table).map_err(|e| e.to_string());
    assert!(err.is_err_and(|e| e.contains("l1_ratio") && e.contains("1.5")));
}

#[test]
fn registry_round_trips_every_name() {
    for entry in REGULARIZERS {
        let penalty = Penalty::named(entry.name).expect("listed name");
        assert_eq!(penalty.name(), entry.name);
        let r = penalty.at(0.1).expect("valid parameters");
        assert_eq!(r.name(), entry.name);
        assert!(!entry.summary.is_empty());
    }
}

#[test]
fn only_penalties_with_a_slope_at_zero_or_a_count_zero_weights() {
    for (name, zeroes) in [
        ("l1", true),
        ("elastic_net", true),
        ("mcp", true),
        ("l0", true),
        ("l2", false),
        ("none", false),
    ] {
        let penalty = Penalty::named(name).unwrap();
        assert_eq!(penalty.zeroes_weights(), zeroes, "{name}");
    }
}

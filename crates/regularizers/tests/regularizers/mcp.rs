//! Tests of the minimax concave penalty: the prox against a brute-force grid minimization
//! (convex and nonconvex cases), the shape of the penalty at its knot, the L1 and L0 limits, the
//! coordinate update and its optimality violation, bad parameters and NaN.

use proptest::prelude::*;
use regularizers::{hard_threshold, soft_threshold, Mcp, Regularizer, RegularizerError, L0};

fn mcp(lambda: f64, gamma: f64) -> Mcp {
    Mcp::new(lambda, gamma).expect("valid parameters")
}

/// The prox objective `r(x) + (x - v)^2 / (2 eta)`.
fn prox_objective(r: &Mcp, x: f64, v: f64, eta: f64) -> f64 {
    r.value(x) + (x - v) * (x - v) / (2.0 * eta)
}

/// The coordinate objective `g (x - w) + h/2 (x - w)^2 + r(x)`.
fn coordinate_objective(r: &Mcp, x: f64, w: f64, g: f64, h: f64) -> f64 {
    g * (x - w) + 0.5 * h * (x - w) * (x - w) + r.value(x)
}

/// `n + 1` evenly spaced points on `[-span, span]`.
fn grid(span: f64, n: usize) -> impl Iterator<Item = f64> {
    (0..=n).map(move |i| -span + 2.0 * span * i as f64 / n as f64)
}

proptest! {
    #[test]
    fn prox_is_the_brute_force_global_minimizer(
        v_absolute in -10.0f64..10.0,
        // Half of the cases put v within 25% of one of the thresholds eta lambda, gamma lambda
        // and lambda sqrt(gamma eta), where the branches differ.
        near_threshold in prop_oneof![
            Just(None),
            (0usize..3, 0.8f64..1.25, any::<bool>()).prop_map(Some),
        ],
        eta in 1e-2f64..5.0,
        lambda in 0.0f64..3.0,
        // gamma from eta / 55 to 55 eta: the nonconvex case gamma <= eta half of the time; a
        // third of the cases have gamma within 20% of eta, where the cases meet.
        log_ratio in prop_oneof![2 => -4.0f64..4.0, 1 => -0.2f64..0.2],
    ) {
        let gamma = eta * log_ratio.exp();
        let v = near_threshold.map_or(v_absolute, |(which, scale, negative)| {
            let threshold = [eta * lambda, gamma * lambda, lambda * (gamma * eta).sqrt()][which];
            if negative { -scale * threshold } else { scale * threshold }
        });
        let r = mcp(lambda, gamma);
        let prox = r.prox(v, eta);
        let f = |x: f64| prox_objective(&r, x, v, eta);
        let fp = f(prox);
        prop_assert!(prox == 0.0 || (prox.signum() == v.signum() && prox.abs() <= v.abs()),
            "prox {prox} not between 0 and v = {v}");

        // No grid point does better than the prox (a wrong branch, e.g. firm thresholding used
        // when gamma < eta, is beaten by a margin far above this tolerance).
        const N: usize = 20_000;
        let span = v.abs() + 1.0;
        let step = 2.0 * span / N as f64;
        let (mut x_best, mut f_best) = (f64::NAN, f64::INFINITY);
        for x in grid(span, N) {
            let fx = f(x);
            prop_assert!(fp <= fx + 1e-12 * (1.0 + fx.abs()),
                "gamma {gamma}: x = {x} ({fx}) beats prox {prox} ({fp})");
            if fx < f_best {
                (x_best, f_best) = (x, fx);
            }
        }
        // And the grid's minimizer is the prox within the grid's resolution.
        let slope = lambda + 2.0 * span / eta; // bounds |objective'| on the grid
        prop_assert!(f_best - fp <= slope * step);
        if gamma > eta {
            // (1/eta - 1/gamma)-strongly convex: objective gap bounds the distance.
            let modulus = 1.0 / eta - 1.0 / gamma;
            let radius = (2.0 * (f_best - fp + 1e-12 * (1.0 + fp.abs())) / modulus).sqrt();
            prop_assert!((x_best - prox).abs() <= radius + step,
                "grid {x_best} vs prox {prox} (radius {radius})");
        } else {
            // Nonconvex: the prox is one of the candidates 0 and v, and the grid picks the same
            // one unless the two tie within the grid's resolution.
            prop_assert!(prox == 0.0 || prox == v);
            let near_tie = (f(0.0) - f(v)).abs() <= slope * step;
            prop_assert!((x_best - prox).abs() <= step || near_tie,
                "grid {x_best} vs prox {prox}");
        }
    }

    #[test]
    fn value_is_continuous_at_the_knot_and_flat_beyond(
        lambda in 0.0f64..3.0,
        gamma in 1e-3f64..100.0,
        t in 1e-9f64..10.0,
        w1 in 0.0f64..400.0,
        w2 in 0.0f64..400.0,
    ) {
        let r = mcp(lambda, gamma);
        let knot = gamma * lambda;
        let height = gamma * lambda * lambda / 2.0;
        let tol = 1e-12 * (1.0 + height);
        prop_assert!((r.value(knot) - height).abs() <= tol);
        prop_assert!((r.value(-knot) - height).abs() <= tol);
        // Just below the knot the slope is ~0, so the value is within rounding of the height.
        prop_assert!((r.value(knot * (1.0 - 1e-9)) - height).abs() <= 1e-9 * (1.0 + height));
        prop_assert_eq!(r.value(knot * (1.0 + t) + t), height);
        prop_assert_eq!(r.value(-(knot * (1.0 + t) + t)), height);
        prop_assert_eq!(r.value(f64::INFINITY), height);
        prop_assert_eq!(r.derivative(knot * (1.0 + t) + t), 0.0);
        prop_assert!(r.derivative(knot * (1.0 - 1e-9)).abs() <= 1e-8 * (1.0 + lambda));
        // Below L1, nonnegative, even, nondecreasing in |w|.
        let (lo, hi) = (w1.min(w2), w1.max(w2));
        prop_assert!(r.value(lo) <= r.value(hi) + tol);
        prop_assert!(r.value(hi) >= 0.0 && r.value(hi) <= lambda * hi + tol);
        prop_assert_eq!(r.value(-hi), r.value(hi));
        // The derivative is the slope of the value.
        let w = w1 * (knot / 400.0) * 2.0 + 1e-3; // covers both sides of the knot
        let d = 1e-6;
        if (w - knot).abs() > 2.0 * d {
            // (Across the knot r'' jumps by 1/gamma and a central difference is off by ~d/gamma.)
            let numeric = (r.value(w + d) - r.value(w - d)) / (2.0 * d);
            prop_assert!((numeric - r.derivative(w)).abs() <= 1e-6 * (1.0 + lambda),
                "w {w}: numeric {numeric} vs {}", r.derivative(w));
        }
        prop_assert_eq!(r.derivative(-w), -r.derivative(w));
    }

    #[test]
    fn huge_gamma_is_the_lasso(
        v in -10.0f64..10.0,
        eta in 1e-3f64..5.0,
        lambda in 0.0f64..3.0,
        gamma in 1e10f64..1e12,
    ) {
        let r = mcp(lambda, gamma);
        let soft = soft_threshold(v, eta * lambda);
        prop_assert!((r.prox(v, eta) - soft).abs() <= 1e-9 * (1.0 + v.abs()),
            "prox {} vs soft {soft}", r.prox(v, eta));
        // r(v) = lambda |v| - v^2 / (2 gamma) while |v| <= gamma lambda.
        prop_assert!((r.value(v) - lambda * v.abs()).abs() <= v * v / (2.0 * gamma) + 1e-14);
        prop_assert!((r.derivative(v) - lambda * v.signum()).abs() <= v.abs() / gamma + 1e-15 || v == 0.0);
    }

    #[test]
    fn gamma_at_most_eta_is_hard_thresholding(
        v in -10.0f64..10.0,
        eta in 1e-3f64..5.0,
        lambda in 0.0f64..3.0,
        fraction in 1e-8f64..=1.0,
    ) {
        let gamma = eta * fraction;
        let r = mcp(lambda, gamma);
        // Zero costs v^2 / (2 eta), keeping v costs the height r(inf): keep iff
        // |v| > sqrt(2 eta r(inf)) = lambda sqrt(gamma eta).
        let at_infinity = r.value(f64::INFINITY);
        let threshold = lambda * (gamma * eta).sqrt();
        prop_assert!((threshold - (2.0 * eta * at_infinity).sqrt()).abs() <= 1e-12 * (1.0 + threshold));
        prop_assert!(threshold >= gamma * lambda * (1.0 - 1e-12), "kept values lie past the knot");
        if (v.abs() - threshold).abs() > 1e-9 * (1.0 + threshold) {
            let expected = if v.abs() > threshold { v } else { 0.0 };
            prop_assert_eq!(r.prox(v, eta), expected);
            prop_assert_eq!(r.prox(v, eta), hard_threshold(v, eta, at_infinity));
            prop_assert_eq!(r.prox(v, eta), L0::new(at_infinity).expect("valid").prox(v, eta));
        }
    }

    #[test]
    fn convex_coordinate_update_has_zero_violation_and_is_the_only_such_point(
        w in -10.0f64..10.0,
        g in -10.0f64..10.0,
        h in 1e-2f64..10.0,
        lambda in 0.0f64..3.0,
        log_excess in 1e-6f64..4.0,
        shift in prop_oneof![-2.0f64..-1e-3, 1e-3f64..2.0],
    ) {
        let gamma = log_excess.exp() / h; // gamma h > 1
        let r = mcp(lambda, gamma);
        let x = r.coordinate_minimizer(w, g, h);
        prop_assert_eq!(x, r.prox(w - g / h, 1.0 / h));
        // The loss gradient of the coordinate's quadratic model at x.
        let gradient_at = |y: f64| g + h * (y - w);
        let tol = 1e-9 * (1.0 + g.abs() + h * (w.abs() + x.abs()) + lambda);
        let violation = r.coordinate_violation(gradient_at(x), x);
        prop_assert!(violation <= tol, "violation {violation} at x = {x}");
        // Strong convexity (modulus h - 1/gamma): any other point violates by at least that
        // modulus times its distance to x.
        let y = x + shift;
        let modulus = h - 1.0 / gamma;
        let elsewhere = r.coordinate_violation(gradient_at(y), y);
        prop_assert!(elsewhere >= modulus * shift.abs() - tol,
            "violation {elsewhere} at y = {y}, expected >= {}", modulus * shift.abs());
    }

    #[test]
    fn coordinate_minimizer_beats_a_grid_even_when_nonconvex(
        w in -5.0f64..5.0,
        g in -10.0f64..10.0,
        h in 1e-2f64..10.0,
        lambda in 0.0f64..3.0,
        log_gamma_h in -4.0f64..4.0,
    ) {
        let gamma = log_gamma_h.exp() / h;
        let r = mcp(lambda, gamma);
        let x = r.coordinate_minimizer(w, g, h);
        let q = |y: f64| coordinate_objective(&r, y, w, g, h);
        let span = (w - g / h).abs() + 1.0;
        let tol = 1e-11 * (1.0 + g.abs() * (span + w.abs()) + h * (span + w.abs()).powi(2));
        for y in grid(span, 4000) {
            prop_assert!(q(x) <= q(y) + tol, "gamma h = {}: y = {y} beats x = {x}", gamma * h);
        }
        // A global minimizer is stationary, convex or not.
        let violation = r.coordinate_violation(g + h * (x - w), x);
        prop_assert!(violation <= 1e-9 * (1.0 + g.abs() + h * (w.abs() + x.abs()) + lambda));
    }

    #[test]
    fn zero_slope_is_lambda_and_decides_zero_stationarity(
        lambda in 0.0f64..3.0,
        gamma in 1e-2f64..100.0,
        g in -5.0f64..5.0,
    ) {
        let r = mcp(lambda, gamma);
        prop_assert_eq!(r.zero_slope(), lambda);
        prop_assert!((r.derivative(1e-12) - lambda).abs() <= 1e-9);
        prop_assert_eq!(r.derivative(0.0), 0.0);
        prop_assert_eq!(r.coordinate_violation(g, 0.0) == 0.0, g.abs() <= r.zero_slope());
        prop_assert_eq!(r.coordinate_violation(g, 0.0), (g.abs() - lambda).max(0.0));
    }
}

#[test]
fn firm_thresholding_examples() {
    // lambda 1, gamma 3, eta 1: zero up to 1, 3 (|v| - 1) / 2 up to the knot 3, identity beyond.
    let r = mcp(1.0, 3.0);
    assert_eq!(r.prox(0.5, 1.0), 0.0);
    assert_eq!(r.prox(1.0, 1.0), 0.0);
    assert_eq!(r.prox(2.0, 1.0), 1.5);
    assert_eq!(r.prox(-2.0, 1.0), -1.5);
    assert_eq!(r.prox(3.0, 1.0), 3.0);
    assert_eq!(r.prox(4.0, 1.0), 4.0);
    // Breheny and Huang's update S(h z, lambda) / (h - 1/gamma) with h = 1, z = w - g.
    assert_eq!(r.coordinate_minimizer(0.5, -1.5, 1.0), 1.5);
    assert_eq!(r.value(2.0), 2.0 - 4.0 / 6.0);
    assert_eq!(r.value(5.0), 1.5);
    assert_eq!(r.derivative(1.5), 0.5);
    assert_eq!(r.derivative(-1.5), -0.5);
}

#[test]
fn nonconvex_prox_compares_zero_and_v() {
    // lambda 1, gamma 0.5, eta 2: height 1/4, threshold lambda sqrt(gamma eta) = 1.
    let r = mcp(1.0, 0.5);
    let f = |x: f64, v: f64| prox_objective(&r, x, v, 2.0);
    // The firm formula would answer 0.5 (0.9 - 2) / (0.5 - 2) = 0.367, a local maximum.
    assert_eq!(r.prox(0.9, 2.0), 0.0);
    let firm = 0.5 * (0.9 - 2.0) / (0.5 - 2.0);
    assert!(f(0.0, 0.9) < f(firm, 0.9) && f(0.9, 0.9) < f(firm, 0.9));
    assert_eq!(r.prox(0.7, 2.0), 0.0); // past the knot 0.5, but below the threshold
    assert_eq!(r.prox(1.5, 2.0), 1.5);
    assert_eq!(r.prox(-1.5, 2.0), -1.5);
    // Exactly on the threshold: f(0) = f(1) = 1/4, the tie goes to 0.
    assert_eq!(f(0.0, 1.0), f(1.0, 1.0));
    assert_eq!(r.prox(1.0, 2.0), 0.0);
    assert_eq!(r.prox(1.0 + 1e-12, 2.0), 1.0 + 1e-12);
    // Firm thresholding applied blindly when gamma < eta has an empty middle part and becomes
    // hard thresholding at eta lambda instead of lambda sqrt(gamma eta): wrong in between.
    // Here eta = 1, gamma = 0.8: the threshold is sqrt(0.8) = 0.894, not 1.
    let r = mcp(1.0, 0.8);
    assert_eq!(r.prox(0.95, 1.0), 0.95);
    assert!(prox_objective(&r, 0.95, 0.95, 1.0) < prox_objective(&r, 0.0, 0.95, 1.0));
    assert_eq!(r.prox(-0.95, 1.0), -0.95);
    assert_eq!(r.prox(0.85, 1.0), 0.0);
}

#[test]
fn gamma_equal_to_eta_ties_a_whole_segment_and_goes_to_zero() {
    // gamma = eta = 1, lambda = 1: at v = 1 every x in [0, 1] has objective 1/2.
    let r = mcp(1.0, 1.0);
    for x in [0.0, 0.25, 0.5, 1.0] {
        assert_eq!(prox_objective(&r, x, 1.0, 1.0), 0.5);
    }
    assert_eq!(r.prox(1.0, 1.0), 0.0);
    assert_eq!(r.prox(0.999, 1.0), 0.0);
    assert_eq!(r.prox(1.0 + 1e-12, 1.0), 1.0 + 1e-12);
}

#[test]
fn prox_is_continuous_in_gamma_across_eta() {
    let (lambda, eta) = (1.3, 0.7);
    let below = mcp(lambda, eta * (1.0 - 1e-9));
    let at = mcp(lambda, eta);
    let above = mcp(lambda, eta * (1.0 + 1e-9));
    for v in [-3.0, -1.0, -0.9, 0.0, 0.5, 0.9, 0.92, 1.0, 2.0] {
        assert!((f64::abs(v) - eta * lambda).abs() > 1e-3);
        let (b, a, c) = (below.prox(v, eta), at.prox(v, eta), above.prox(v, eta));
        assert!((b - a).abs() <= 1e-6 && (c - a).abs() <= 1e-6, "v {v}: {b} {a} {c}");
    }
}

#[test]
fn tiny_gamma_with_fixed_height_is_l0() {
    // Height mu held fixed: lambda = sqrt(2 mu / gamma), gamma -> 0+.
    let (mu, eta) = (0.8, 0.5);
    let l0 = L0::new(mu).expect("valid");
    for gamma in [1e-8, 1e-10, 1e-12] {
        // The ramp ends at gamma lambda = sqrt(2 mu gamma) <= 1.3e-4.
        let r = mcp((2.0 * mu / gamma).sqrt(), gamma);
        for w in [-3.0, -1e-2, 1e-3, 0.4, 7.0] {
            assert!((r.value(w) - mu).abs() <= 1e-12, "gamma {gamma}, w {w}: {}", r.value(w));
        }
        assert_eq!(r.value(0.0), 0.0);
        // Threshold sqrt(2 eta mu) = 0.894...
        for v in [-2.0, -0.9, -0.89, 0.0, 0.5, 0.89, 0.9, 3.0] {
            assert_eq!(r.prox(v, eta), l0.prox(v, eta), "gamma {gamma}, v {v}");
        }
    }
}

#[test]
fn zero_violation_does_not_certify_the_nonconvex_minimizer() {
    // gamma h = 0.25 <= 1: lambda 1, gamma 0.5, h 0.5 (eta 2), z = w - g/h = 1.5.
    let r = mcp(1.0, 0.5);
    let (w, g, h) = (0.0, -0.75, 0.5);
    let x = r.coordinate_minimizer(w, g, h);
    assert_eq!(x, 1.5);
    assert_eq!(r.coordinate_violation(g + h * (x - w), x), 0.0);
    // 0 is stationary too (|g| <= lambda) but worse.
    assert_eq!(r.coordinate_violation(g, 0.0), 0.0);
    assert!(coordinate_objective(&r, x, w, g, h) < coordinate_objective(&r, 0.0, w, g, h));
}

#[test]
fn nan_stays_visible() {
    for gamma in [0.1, 10.0] {
        let r = mcp(0.5, gamma);
        assert!(r.prox(f64::NAN, 1.0).is_nan(), "gamma {gamma}");
        assert!(r.coordinate_minimizer(f64::NAN, 0.3, 1.0).is_nan());
        assert!(r.coordinate_minimizer(0.2, f64::NAN, 1.0).is_nan());
        assert!(r.value(f64::NAN).is_nan());
        assert!(r.derivative(f64::NAN).is_nan());
        assert!(r.coordinate_violation(f64::NAN, 0.0).is_nan());
        assert!(r.coordinate_violation(f64::NAN, 1.0).is_nan());
        assert!(r.coordinate_violation(0.1, f64::NAN).is_nan());
    }
}

#[test]
fn bad_parameters_are_errors() {
    for bad in [-1.0, -1e-300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(
            matches!(
                Mcp::new(bad, 3.0),
                Err(RegularizerError::BadStrength { name: "mcp", parameter: "lambda", .. })
            ),
            "lambda {bad}"
        );
    }
    for bad in [0.0, -0.0, -2.0, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(
                Mcp::new(1.0, bad),
                Err(RegularizerError::NotPositive { name: "mcp", parameter: "gamma", .. })
            ),
            "gamma {bad}"
        );
    }
    let message = Mcp::new(1.0, 0.0).map(|_| ()).map_err(|e| e.to_string());
    assert!(message.is_err_and(|e| e.contains("gamma") && e.contains("> 0")));
    let r = Mcp::new(0.0, 1e-300).expect("lambda 0 and a tiny gamma are valid");
    assert_eq!((r.lambda(), r.gamma()), (0.0, 1e-300));
    assert_eq!(r.prox(-0.3, 2.0), -0.3);
    assert_eq!(mcp(2.0, 3.0).lambda(), 2.0);
    assert_eq!(mcp(2.0, 3.0).gamma(), 3.0);
}

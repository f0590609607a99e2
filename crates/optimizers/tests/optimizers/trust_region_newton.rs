//! Integration tests of the `trust_region_newton` batch solver: it reaches coordinate descent's
//! L2 objective, its gradient (computed here from the matrix, independently of the solver) is
//! small at the end, the warm-started path equals cold starts, and the edge cases (one class,
//! empty columns, a huge lambda, no penalty, penalties with an L1 part) behave. Small seeded
//! problems only.

use features::{CompactMatrix, SparseExample};
use optimizers::batch::{lookup, BatchError, PathConfig, PathPoint};
use optimizers::LossKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regularizers::Penalty;

const SOLVER: &str = "trust_region_newton";

/// Rows with three one-hot groups of 5 bins (ids 0..15), their full cross (ids 100..225, many
/// rare) and one real-valued feature (id 1000); labels from a known model.
fn crossed_matrix(n: usize, loss: LossKind, seed: u64) -> CompactMatrix {
    matrix(n, loss, seed, true)
}

/// [`crossed_matrix`]'s rows, with or without the cross.
fn matrix(n: usize, loss: LossKind, seed: u64, cross: bool) -> CompactMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let truth: Vec<f64> = (0..15).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let examples: Vec<SparseExample> = (0..n)
        .map(|_| {
            let mut e = SparseExample::default();
            let bins: Vec<u64> = (0..3).map(|_| rng.gen_range(0..5u64)).collect();
            let mut margin = 0.4;
            for (g, &bin) in bins.iter().enumerate() {
                let id = 5 * g as u64 + bin;
                e.push(id, 1.0);
                margin += truth[id as usize];
            }
            if cross {
                e.push(100 + bins[0] * 25 + bins[1] * 5 + bins[2], 1.0);
            }
            let real: f64 = rng.gen_range(-2.0..2.0);
            e.push(1000, real);
            margin += 0.8 * real;
            e.label = match loss {
                LossKind::Logistic => f64::from(rng.gen::<f64>() < 1.0 / (1.0 + (-margin).exp())),
                LossKind::Squared => margin + 0.5 * rng.gen_range(-1.0..1.0),
            };
            e
        })
        .collect();
    CompactMatrix::from_examples(&examples)
}

fn penalty(name: &str, settings: &str) -> Penalty {
    let table: toml::Table = toml::from_str(settings).expect("settings parse");
    Penalty::new(name, &table).expect("registered penalty")
}

fn path(
    solver: &str,
    matrix: &CompactMatrix,
    loss: LossKind,
    penalty: &Penalty,
    config: &PathConfig,
) -> Result<Vec<PathPoint>, BatchError> {
    lookup(solver)?.fit_path(matrix, loss, penalty, config, &toml::Table::new())
}

fn lambdas(values: &[f64], tol: f64) -> PathConfig {
    PathConfig { lambdas: Some(values.to_vec()), tol, ..PathConfig::default() }
}

/// Gradient of `(1/n) sum loss + (c/2)|w|^2` (weights then bias) at a point's model, from the
/// matrix's rows.
fn full_gradient(matrix: &CompactMatrix, point: &PathPoint, loss: LossKind, c: f64) -> Vec<f64> {
    let n = matrix.n_rows() as f64;
    let w: Vec<f64> = matrix.columns.iter().map(|&id| point.model.weight(id)).collect();
    let mut grad: Vec<f64> = w.iter().map(|&wj| c * wj).collect();
    grad.push(0.0);
    for (i, row) in matrix.x.outer_iterator().enumerate() {
        let margin = point.model.bias + row.iter().map(|(j, &x)| w[j] * x).sum::<f64>();
        let d = loss.derivative(margin, matrix.y[i]) / n;
        for (j, &x) in row.iter() {
            grad[j] += d * x;
        }
        let bias = grad.len() - 1;
        grad[bias] += d;
    }
    grad
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs())
}

#[test]
fn reaches_the_objective_of_coordinate_descent_on_l2() {
    for (loss, seed) in [(LossKind::Logistic, 1), (LossKind::Logistic, 2), (LossKind::Squared, 3)] {
        let matrix = crossed_matrix(400, loss, seed);
        for convention in ["tensorflow", "keras"] {
            let l2 = penalty("l2", &format!("convention = \"{convention}\""));
            let config = lambdas(&[1e-1, 1e-2, 1e-3, 1e-4], 1e-9);
            let cd = path("coordinate_descent", &matrix, loss, &l2, &config).expect("cd fits");
            let tron = path(SOLVER, &matrix, loss, &l2, &config).expect("tron fits");
            assert_eq!(cd.len(), tron.len());
            for (a, b) in cd.iter().zip(&tron) {
                assert_eq!(a.lambda, b.lambda);
                assert!(b.converged, "{loss:?} {convention} lambda {} not converged", b.lambda);
                let gap = relative(a.objective, b.objective);
                assert!(gap <= 1e-6, "{loss:?} {convention} lambda {}: {gap:e}", b.lambda);
                // Every weight of an L2 fit is nonzero: same support.
                assert_eq!(a.support, b.support);
            }
        }
    }
}

#[test]
fn gradient_norm_is_small_at_the_end_and_meets_the_relative_rule() {
    let loss = LossKind::Logistic;
    let matrix = crossed_matrix(500, loss, 4);
    let tol = 1e-6;
    let points =
        path(SOLVER, &matrix, loss, &penalty("l2", ""), &lambdas(&[1e-2, 1e-4], tol)).unwrap();
    // The rule's reference: the gradient at w = 0, b = 0, times the smaller class's share.
    let zero =
        PathPoint { model: optimizers::LinearModel::new(0.0, [], loss), ..points[0].clone() };
    let reference = norm(&full_gradient(&matrix, &zero, loss, 0.0));
    let positives = matrix.y.iter().filter(|&&y| y == 1.0).count();
    let share = positives.min(matrix.n_rows() - positives) as f64 / matrix.n_rows() as f64;
    assert!(reference > 0.01 && share > 0.1, "a problem whose rule is not trivial");
    for point in &points {
        assert!(point.converged);
        let g = norm(&full_gradient(&matrix, point, loss, point.lambda));
        // A loose independent bound (summation order differs from the solver's).
        assert!(
            g <= 1.01 * tol * share * reference + 1e-14,
            "lambda {}: |g| = {g:e}",
            point.lambda
        );
        assert!(point.kkt_violation <= g + 1e-14, "lambda {}", point.lambda);
    }
    // And a looser tol stops earlier with a larger gradient (the rule is what stops it).
    let loose =
        path(SOLVER, &matrix, loss, &penalty("l2", ""), &lambdas(&[1e-4], 1e-2)).unwrap().remove(0);
    let g = norm(&full_gradient(&matrix, &loose, loss, 1e-4));
    assert!(g <= 1e-2 * share * reference && g > 1e-6 * share * reference, "|g| = {g:e}");
}

#[test]
fn warm_started_path_equals_cold_starts() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(300, loss, 5);
        let l2 = penalty("l2", "");
        let grid = [3e-1, 3e-2, 3e-3, 3e-4, 3e-5];
        let warm = path(SOLVER, &matrix, loss, &l2, &lambdas(&grid, 1e-10)).unwrap();
        for point in &warm {
            let cold = path(SOLVER, &matrix, loss, &l2, &lambdas(&[point.lambda], 1e-10))
                .unwrap()
                .remove(0);
            assert!(cold.converged && point.converged);
            assert!(relative(cold.objective, point.objective) <= 1e-12, "{loss:?} {}", cold.lambda);
            for &id in &matrix.columns {
                let (a, b) = (cold.model.weight(id), point.model.weight(id));
                assert!((a - b).abs() <= 1e-6 * (1.0 + a.abs()), "{loss:?} id {id}: {a} vs {b}");
            }
            assert!((cold.model.bias - point.model.bias).abs() <= 1e-6);
        }
        // Warm starts save work: fewer Newton steps than cold starts in total.
        let cold_steps: usize = grid
            .iter()
            .map(|&l| {
                path(SOLVER, &matrix, loss, &l2, &lambdas(&[l], 1e-10)).unwrap()[0].iterations
            })
            .sum();
        let warm_steps: usize = warm.iter().map(|p| p.iterations).sum();
        assert!(warm_steps < cold_steps, "{loss:?}: warm {warm_steps}, cold {cold_steps}");
    }
}

#[test]
fn one_class_labels_are_refused() {
    let mut matrix = crossed_matrix(50, LossKind::Logistic, 6);
    matrix.y.iter_mut().for_each(|y| *y = 1.0);
    let err =
        path(SOLVER, &matrix, LossKind::Logistic, &penalty("l2", ""), &lambdas(&[1e-2], 1e-8))
            .expect_err("one class");
    assert_eq!(err, BatchError::OneClass { label: 1.0 });
}

#[test]
fn empty_columns_keep_zero_weights() {
    let loss = LossKind::Logistic;
    let base = crossed_matrix(200, loss, 7);
    // Two columns no row touches, appended to the CSR matrix (ids past every real one).
    let (n, m) = (base.n_rows(), base.n_cols());
    let (indptr, indices, data) = base.x.clone().into_raw_storage();
    let x = sprs::CsMat::new((n, m + 2), indptr, indices, data);
    let mut columns = base.columns.clone();
    columns.extend([5000, 5001]);
    let widened = CompactMatrix { x, columns, ..base.clone() };
    let reg = penalty("l2", "");
    let with = path(SOLVER, &widened, loss, &reg, &lambdas(&[1e-3], 1e-9)).unwrap().remove(0);
    let without = path(SOLVER, &base, loss, &reg, &lambdas(&[1e-3], 1e-9)).unwrap().remove(0);
    assert!(with.converged);
    assert_eq!(with.model.weight(5000), 0.0);
    assert_eq!(with.model.weight(5001), 0.0);
    assert!(relative(with.objective, without.objective) <= 1e-10);
}

#[test]
fn no_penalty_on_non_separable_data_converges_to_the_maximum_likelihood() {
    let loss = LossKind::Logistic;
    // Marginals only: every bin has rows of both classes, so the maximum exists.
    let matrix = matrix(2000, loss, 8, false);
    let fit = path(SOLVER, &matrix, loss, &penalty("none", ""), &lambdas(&[0.0], 1e-9))
        .unwrap()
        .remove(0);
    assert!(fit.converged);
    assert!(norm(&full_gradient(&matrix, &fit, loss, 0.0)) <= 1e-8);
}

#[test]
fn huge_lambda_gives_zero_weights_and_the_intercept_only_bias() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(300, loss, 9);
        let fit = path(SOLVER, &matrix, loss, &penalty("l2", ""), &lambdas(&[1e12], 1e-8))
            .unwrap()
            .remove(0);
        assert!(fit.converged && fit.model.is_finite());
        let largest =
            matrix.columns.iter().map(|&id| fit.model.weight(id).abs()).fold(0.0, f64::max);
        assert!(largest < 1e-9, "{loss:?}: {largest:e}");
        let mean = matrix.y.iter().sum::<f64>() / matrix.n_rows() as f64;
        let expected = match loss {
            LossKind::Logistic => (mean / (1.0 - mean)).ln(),
            LossKind::Squared => mean,
        };
        assert!((fit.model.bias - expected).abs() <= 1e-6, "{loss:?}: {}", fit.model.bias);
    }
}

#[test]
fn penalties_with_an_l1_part_are_refused_and_a_pure_ridge_elastic_net_is_l2() {
    let entry = lookup(SOLVER).unwrap();
    let matrix = crossed_matrix(100, LossKind::Logistic, 10);
    let config = lambdas(&[1e-3], 1e-9);
    for (name, settings) in [("l1", ""), ("elastic_net", "l1_ratio = 0.5"), ("l0", ""), ("mcp", "")]
    {
        let reg = penalty(name, settings);
        let refused = |err: Result<_, BatchError>| match err {
            Err(BatchError::UnsupportedPenalty { solver, penalty, .. }) => {
                solver == SOLVER && penalty == name
            }
            _ => false,
        };
        assert!(refused(entry.check_penalty(&reg).map(|_| Vec::new())), "{name}");
        assert!(refused(
            entry.check(&reg, config.clone(), &toml::Table::new()).map(|_| Vec::new())
        ));
        assert!(refused(path(SOLVER, &matrix, LossKind::Logistic, &reg, &config)), "{name}");
    }
    let ridge = penalty("elastic_net", "l1_ratio = 0.0");
    assert_eq!(entry.check_penalty(&ridge), Ok(()));
    let a = path(SOLVER, &matrix, LossKind::Logistic, &ridge, &config).unwrap().remove(0);
    let b =
        path(SOLVER, &matrix, LossKind::Logistic, &penalty("l2", ""), &config).unwrap().remove(0);
    assert!(relative(a.objective, b.objective) <= 1e-12);
}

#[test]
fn max_iter_bounds_the_newton_steps() {
    let matrix = crossed_matrix(300, LossKind::Logistic, 11);
    let config = PathConfig { max_iter: 1, ..lambdas(&[1e-5], 1e-12) };
    let point =
        path(SOLVER, &matrix, LossKind::Logistic, &penalty("l2", ""), &config).unwrap().remove(0);
    assert_eq!(point.iterations, 1);
    assert!(!point.converged);
}

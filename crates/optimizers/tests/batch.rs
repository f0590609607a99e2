//! Integration tests of `optimizers::batch`: KKT conditions at convergence, coordinate descent
//! against FISTA on the same objectives, lambda_max, the L0 heuristics' supports, bad inputs.
//! Every matrix is small (hundreds of rows) and built from a fixed seed.

use features::{CompactMatrix, SparseExample};
use optimizers::batch::{fit_path, lambda_max, BatchError, BatchKind, PathConfig, PathPoint};
use optimizers::LossKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regularizers::{L2Convention, RegularizerKind};

/// Rows with three one-hot groups of 4 bins (ids 0..12), their full cross hashed into 16 ids
/// (100..116) and one real-valued feature (id 1000), labels from a known logistic (or linear,
/// for squared loss) model.
fn crossed_matrix(n: usize, loss: LossKind, seed: u64) -> CompactMatrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let truth: Vec<f64> = (0..12).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let examples: Vec<SparseExample> = (0..n)
        .map(|_| {
            let mut e = SparseExample::default();
            let bins: Vec<u64> = (0..3).map(|_| rng.gen_range(0..4u64)).collect();
            let mut margin = -0.3;
            for (g, &bin) in bins.iter().enumerate() {
                let id = 4 * g as u64 + bin;
                e.push(id, 1.0);
                margin += truth[id as usize];
            }
            let cell = (bins[0] * 16 + bins[1] * 4 + bins[2]) % 16;
            e.push(100 + cell, 1.0);
            let real: f64 = rng.gen_range(-1.0..1.0);
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

/// Mean-loss gradient of one weight and of the bias at a model, computed from the examples'
/// matrix directly (independently of the solvers' code).
fn gradients(matrix: &CompactMatrix, point: &PathPoint, loss: LossKind) -> (Vec<f64>, f64) {
    let n = matrix.n_rows() as f64;
    let w: Vec<f64> = matrix.columns.iter().map(|&id| point.model.weight(id)).collect();
    let mut grad = vec![0.0; matrix.n_cols()];
    let mut grad_b = 0.0;
    for (i, row) in matrix.x.outer_iterator().enumerate() {
        let margin = point.model.bias + row.iter().map(|(j, &x)| w[j] * x).sum::<f64>();
        let d = loss.derivative(margin, matrix.y[i]);
        for (j, &x) in row.iter() {
            grad[j] += d * x / n;
        }
        grad_b += d / n;
    }
    (grad, grad_b)
}

/// Checks the KKT conditions of `l1 |w| + l2_grad/2 w^2` at every column within `slack`.
fn assert_kkt(
    matrix: &CompactMatrix,
    point: &PathPoint,
    loss: LossKind,
    l1: f64,
    l2: f64,
    slack: f64,
) {
    let (grad, grad_b) = gradients(matrix, point, loss);
    assert!(grad_b.abs() <= slack, "bias gradient {grad_b} at lambda {}", point.lambda);
    for (j, &id) in matrix.columns.iter().enumerate() {
        let w = point.model.weight(id);
        if w == 0.0 {
            assert!(grad[j].abs() <= l1 + slack, "zero weight {id}: |g| {} > l1 {l1}", grad[j]);
        } else {
            let residual = grad[j] + l2 * w + l1 * w.signum();
            assert!(
                residual.abs() <= slack,
                "weight {id} = {w}: g + l2 w + l1 sign(w) = {residual}"
            );
        }
    }
}

fn config_with(lambdas: Vec<f64>, tol: f64) -> PathConfig {
    PathConfig { lambdas: Some(lambdas), tol, ..PathConfig::default() }
}

fn nonzero_weights(point: &PathPoint) -> usize {
    point.model.weights.len()
}

#[test]
fn coordinate_descent_path_satisfies_kkt_for_every_penalty_and_loss() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(400, loss, 1);
        for (penalty, l1_ratio) in [
            (RegularizerKind::L1, 1.0),
            (RegularizerKind::ElasticNet, 0.5),
            (RegularizerKind::L2, 0.0),
        ] {
            let config = PathConfig { n_lambdas: 8, tol: 1e-8, l1_ratio, ..PathConfig::default() };
            let path = fit_path(BatchKind::CoordinateDescent, &matrix, loss, penalty, &config)
                .expect("fit");
            assert_eq!(path.len(), 8);
            for point in &path {
                assert!(point.converged, "{penalty:?} {loss:?} lambda {}", point.lambda);
                assert!(point.kkt_violation <= 1e-8);
                let l1 = point.lambda * l1_ratio;
                let l2 = point.lambda * (1.0 - l1_ratio);
                assert_kkt(&matrix, point, loss, l1, l2, 1e-8);
            }
        }
    }
}

#[test]
fn coordinate_descent_matches_fista_objectives() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(300, loss, 2);
        for (penalty, l1_ratio) in [
            (RegularizerKind::L1, 1.0),
            (RegularizerKind::ElasticNet, 0.3),
            (RegularizerKind::L2, 0.0),
        ] {
            let config = PathConfig {
                n_lambdas: 6,
                lambda_min_ratio: 0.02,
                tol: 1e-9,
                l1_ratio,
                max_iter: 100_000,
                ..PathConfig::default()
            };
            let cd = fit_path(BatchKind::CoordinateDescent, &matrix, loss, penalty, &config)
                .expect("cd");
            let fista = fit_path(BatchKind::Fista, &matrix, loss, penalty, &config).expect("fista");
            for (a, b) in cd.iter().zip(&fista) {
                assert_eq!(a.lambda, b.lambda);
                assert_kkt(
                    &matrix,
                    b,
                    loss,
                    b.lambda * l1_ratio,
                    b.lambda * (1.0 - l1_ratio),
                    1e-9,
                );
                assert!(b.converged, "fista {penalty:?} {loss:?} lambda {}", b.lambda);
                let relative = (a.objective - b.objective).abs() / a.objective.abs();
                assert!(
                    relative <= 1e-6,
                    "{penalty:?} {loss:?} lambda {}: cd {} fista {}",
                    a.lambda,
                    a.objective,
                    b.objective
                );
            }
        }
    }
}

#[test]
fn elastic_net_with_l1_ratio_zero_equals_l2() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(300, loss, 3);
        for convention in [L2Convention::Tensorflow, L2Convention::Keras] {
            let config = PathConfig {
                lambdas: Some(vec![0.5, 0.05, 0.005]),
                l1_ratio: 0.0,
                tol: 1e-10,
                convention,
                ..PathConfig::default()
            };
            let ridge =
                fit_path(BatchKind::CoordinateDescent, &matrix, loss, RegularizerKind::L2, &config)
                    .expect("l2");
            let net = fit_path(
                BatchKind::CoordinateDescent,
                &matrix,
                loss,
                RegularizerKind::ElasticNet,
                &config,
            )
            .expect("net");
            for (a, b) in ridge.iter().zip(&net) {
                assert_eq!(a.support, b.support);
                assert_eq!(a.support.len(), matrix.n_cols(), "ridge keeps every weight");
                assert!((a.model.bias - b.model.bias).abs() < 1e-9);
                for (&(ia, wa), &(ib, wb)) in a.model.weights.iter().zip(&b.model.weights) {
                    assert_eq!(ia, ib);
                    assert!(
                        (wa - wb).abs() < 1e-9,
                        "{loss:?} {convention:?} id {ia}: {wa} vs {wb}"
                    );
                }
            }
        }
    }
}

#[test]
fn keras_convention_doubles_the_ridge_gradient() {
    let matrix = crossed_matrix(300, LossKind::Logistic, 4);
    let fit = |lambda: f64, convention| {
        let config = PathConfig {
            lambdas: Some(vec![lambda]),
            tol: 1e-10,
            convention,
            ..PathConfig::default()
        };
        fit_path(
            BatchKind::CoordinateDescent,
            &matrix,
            LossKind::Logistic,
            RegularizerKind::L2,
            &config,
        )
        .expect("fit")
        .remove(0)
    };
    let keras = fit(0.01, L2Convention::Keras);
    let tensorflow = fit(0.02, L2Convention::Tensorflow);
    assert_eq!(keras.support, tensorflow.support);
    for (&(_, a), &(_, b)) in keras.model.weights.iter().zip(&tensorflow.model.weights) {
        assert!((a - b).abs() < 1e-9);
    }
    assert_kkt(&matrix, &keras, LossKind::Logistic, 0.0, 0.02, 1e-9);
}

#[test]
fn lambda_max_is_the_smallest_lambda_with_all_weights_zero() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(300, loss, 5);
        let top = lambda_max(&matrix, loss, 1.0);
        assert!(top > 0.0 && top.is_finite());
        let path = fit_path(
            BatchKind::CoordinateDescent,
            &matrix,
            loss,
            RegularizerKind::L1,
            &config_with(vec![top * 1.0001, top, top * 0.98], 1e-9),
        )
        .expect("fit");
        assert_eq!(nonzero_weights(&path[0]), 0);
        assert_eq!(nonzero_weights(&path[1]), 0);
        assert!(nonzero_weights(&path[2]) >= 1, "{loss:?}: nothing entered just below lambda_max");
        // Halving the L1 share doubles lambda_max; no L1 part: no finite lambda_max.
        assert!((lambda_max(&matrix, loss, 0.5) - 2.0 * top).abs() <= 1e-12 * top);
        assert!(lambda_max(&matrix, loss, 0.0).is_infinite());
        // The default path starts there.
        let default = fit_path(
            BatchKind::CoordinateDescent,
            &matrix,
            loss,
            RegularizerKind::L1,
            &PathConfig::default(),
        )
        .expect("default path");
        assert_eq!(default.len(), PathConfig::default().n_lambdas);
        assert!((default[0].lambda - top).abs() <= 1e-12 * top);
        assert_eq!(nonzero_weights(&default[0]), 0);
        assert!(nonzero_weights(default.last().expect("points")) > 0);
    }
}

#[test]
fn screening_does_not_change_the_solution() {
    let matrix = crossed_matrix(400, LossKind::Logistic, 6);
    let base = PathConfig { n_lambdas: 10, tol: 1e-9, ..PathConfig::default() };
    let screened = fit_path(
        BatchKind::CoordinateDescent,
        &matrix,
        LossKind::Logistic,
        RegularizerKind::L1,
        &base,
    )
    .expect("fit");
    let full = fit_path(
        BatchKind::CoordinateDescent,
        &matrix,
        LossKind::Logistic,
        RegularizerKind::L1,
        &PathConfig { screening: false, ..base },
    )
    .expect("fit");
    for (a, b) in screened.iter().zip(&full) {
        assert_eq!(a.support, b.support);
        assert!((a.objective - b.objective).abs() <= 1e-12);
    }
}

#[test]
fn dense_and_sparse_inner_passes_give_the_same_path() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(400, loss, 14);
        let base = PathConfig { n_lambdas: 6, tol: 1e-9, l1_ratio: 0.7, ..PathConfig::default() };
        let fit = |gram_max_columns| {
            let config = PathConfig { gram_max_columns, ..base.clone() };
            fit_path(
                BatchKind::CoordinateDescent,
                &matrix,
                loss,
                RegularizerKind::ElasticNet,
                &config,
            )
            .expect("fit")
        };
        for (dense, sparse) in fit(512).iter().zip(&fit(0)) {
            assert!(dense.converged && sparse.converged);
            assert_eq!(dense.support, sparse.support);
            assert!((dense.objective - sparse.objective).abs() <= 1e-12 * dense.objective.abs());
        }
    }
}

#[test]
fn l1_duality_gap_is_small_at_convergence_and_absent_otherwise() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(300, loss, 7);
        let config = PathConfig { n_lambdas: 5, tol: 1e-9, ..PathConfig::default() };
        for point in
            fit_path(BatchKind::CoordinateDescent, &matrix, loss, RegularizerKind::L1, &config)
                .expect("fit")
        {
            let gap = point.duality_gap.expect("pure L1 has a gap");
            assert!((0.0..1e-7).contains(&gap), "{loss:?} lambda {}: gap {gap}", point.lambda);
        }
        let ridge =
            fit_path(BatchKind::CoordinateDescent, &matrix, loss, RegularizerKind::L2, &config)
                .expect("fit");
        assert!(ridge.iter().all(|p| p.duality_gap.is_none()));
    }
}

#[test]
fn models_use_global_ids() {
    let matrix = crossed_matrix(300, LossKind::Logistic, 8);
    let config = PathConfig { lambdas: Some(vec![0.001]), ..PathConfig::default() };
    let point = fit_path(
        BatchKind::CoordinateDescent,
        &matrix,
        LossKind::Logistic,
        RegularizerKind::L1,
        &config,
    )
    .expect("fit")
    .remove(0);
    assert!(point.model.weights.iter().all(|(id, _)| matrix.columns.contains(id)));
    assert!(point.support.contains(&1000), "the real-valued feature (id 1000) carries signal");
    let ids: Vec<u64> = point.model.weights.iter().map(|&(id, _)| id).collect();
    assert_eq!(ids, point.support);
}

#[test]
fn iht_returns_at_most_s_weights_and_a_stationary_refit() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(400, loss, 9);
        let config = PathConfig {
            support_sizes: Some(vec![1, 3, 6, 50]),
            tol: 1e-8,
            ..PathConfig::default()
        };
        let path = fit_path(
            BatchKind::IterativeHardThresholding,
            &matrix,
            loss,
            RegularizerKind::L0,
            &config,
        )
        .expect("iht");
        let targets: Vec<Option<usize>> = path.iter().map(|p| p.target_support).collect();
        // 50 exceeds the 29 columns: capped.
        assert_eq!(targets, vec![Some(1), Some(3), Some(6), Some(matrix.n_cols())]);
        for point in &path {
            let s = point.target_support.expect("target");
            assert!(point.support.len() <= s);
            assert!(point.converged, "{loss:?} s = {s}");
            assert!(point.kkt_violation <= 1e-8);
        }
        assert_eq!(path[1].support.len(), 3);
        // More weights fit at least as well.
        for pair in path.windows(2) {
            assert!(pair[1].objective <= pair[0].objective + 1e-12);
        }
    }
}

#[test]
fn l0l2_support_shrinks_as_lambda0_grows() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(400, loss, 10);
        let config = PathConfig {
            n_lambdas: 12,
            lambda_min_ratio: 1e-3,
            tol: 1e-8,
            ..PathConfig::default()
        };
        let path =
            fit_path(BatchKind::L0L2CoordinateDescent, &matrix, loss, RegularizerKind::L0, &config)
                .expect("l0l2");
        assert_eq!(nonzero_weights(&path[0]), 0, "nothing enters at lambda_0 max");
        for pair in path.windows(2) {
            assert!(pair[0].lambda > pair[1].lambda);
            assert!(
                pair[0].support.len() <= pair[1].support.len(),
                "{loss:?}: support grew with lambda_0"
            );
        }
        let last = path.last().expect("points");
        assert!(last.support.len() > 3);
        for point in &path {
            assert!(point.converged, "{loss:?} lambda_0 {}", point.lambda);
            // Stationary on its support (ridge included).
            assert!(point.kkt_violation <= 1e-6, "{loss:?}: {}", point.kkt_violation);
            let expected = point.objective - point.lambda * point.support.len() as f64;
            assert!(expected > 0.0);
        }
    }
}

#[test]
fn prune_refit_keeps_exactly_s_weights_of_a_ridge_fit() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = crossed_matrix(400, loss, 11);
        for newton_max_support in [200, 1] {
            let config = PathConfig {
                support_sizes: Some(vec![2, 5, 10]),
                prune_base_lambda: Some(0.01),
                tol: 1e-9,
                newton_max_support,
                ..PathConfig::default()
            };
            let path = fit_path(BatchKind::PruneRefit, &matrix, loss, RegularizerKind::L2, &config)
                .expect("prune");
            for point in &path {
                assert_eq!(point.support.len(), point.target_support.expect("target"));
                assert!(point.converged);
                assert!(point.kkt_violation <= 1e-9);
            }
            // The s = 2 support is the two largest ridge weights.
            let ridge = fit_path(
                BatchKind::CoordinateDescent,
                &matrix,
                loss,
                RegularizerKind::L2,
                &PathConfig { lambdas: Some(vec![0.01]), tol: 1e-9, ..PathConfig::default() },
            )
            .expect("ridge")
            .remove(0);
            let mut by_size = ridge.model.weights.clone();
            by_size.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
            let mut top2: Vec<u64> = by_size[..2].iter().map(|&(id, _)| id).collect();
            top2.sort_unstable();
            assert_eq!(path[0].support, top2);
        }
    }
}

#[test]
fn newton_and_coordinate_descent_refits_agree() {
    let matrix = crossed_matrix(400, LossKind::Logistic, 12);
    let run = |newton_max_support| {
        let config = PathConfig {
            support_sizes: Some(vec![8]),
            prune_base_lambda: Some(0.002),
            tol: 1e-10,
            newton_max_support,
            ..PathConfig::default()
        };
        fit_path(BatchKind::PruneRefit, &matrix, LossKind::Logistic, RegularizerKind::L1, &config)
            .expect("prune")
            .remove(0)
    };
    let (newton, cd) = (run(200), run(1));
    assert_eq!(newton.support, cd.support);
    assert!((newton.objective - cd.objective).abs() < 1e-12);
    assert!(newton.converged && cd.converged);
    for (&(_, a), &(_, b)) in newton.model.weights.iter().zip(&cd.model.weights) {
        // The ridge (1e-4) bounds the Hessian below: weight error <= KKT tolerance / 1e-4.
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn bad_inputs_are_errors_naming_the_fault() {
    let matrix = crossed_matrix(50, LossKind::Logistic, 13);
    let fit = |kind, penalty, config: &PathConfig| {
        fit_path(kind, &matrix, LossKind::Logistic, penalty, config)
    };
    let bad_configs: Vec<(PathConfig, &str)> = vec![
        (PathConfig { tol: 0.0, ..PathConfig::default() }, "tol"),
        (PathConfig { n_lambdas: 0, ..PathConfig::default() }, "n_lambdas"),
        (PathConfig { lambda_min_ratio: 1.5, ..PathConfig::default() }, "lambda_min_ratio"),
        (PathConfig { lambdas: Some(vec![0.1, -1.0]), ..PathConfig::default() }, "lambdas"),
        (PathConfig { lambdas: Some(vec![]), ..PathConfig::default() }, "lambdas"),
        (PathConfig { l1_ratio: -0.1, ..PathConfig::default() }, "l1_ratio"),
        (PathConfig { support_sizes: Some(vec![3, 0]), ..PathConfig::default() }, "support_sizes"),
        (PathConfig { l2_for_l0: f64::NAN, ..PathConfig::default() }, "l2_for_l0"),
        (PathConfig { max_iter: 0, ..PathConfig::default() }, "max_iter"),
        (PathConfig { prune_base_lambda: Some(0.0), ..PathConfig::default() }, "prune_base_lambda"),
    ];
    for (config, field) in bad_configs {
        match fit(BatchKind::CoordinateDescent, RegularizerKind::L1, &config) {
            Err(BatchError::InvalidConfig { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{field}: expected InvalidConfig, got {other:?}"),
        }
    }
    let unsupported = [
        (BatchKind::CoordinateDescent, RegularizerKind::L0),
        (BatchKind::Fista, RegularizerKind::None),
        (BatchKind::IterativeHardThresholding, RegularizerKind::L1),
        (BatchKind::L0L2CoordinateDescent, RegularizerKind::L2),
        (BatchKind::PruneRefit, RegularizerKind::L0),
    ];
    for (kind, penalty) in unsupported {
        let err = fit(kind, penalty, &PathConfig::default()).expect_err("unsupported pair");
        assert!(matches!(err, BatchError::UnsupportedPenalty { .. }), "{err}");
        assert!(err.to_string().contains(kind.as_str()));
    }

    let mut one_class = matrix.clone();
    one_class.y.iter_mut().for_each(|y| *y = 1.0);
    let err = fit_path(
        BatchKind::CoordinateDescent,
        &one_class,
        LossKind::Logistic,
        RegularizerKind::L1,
        &PathConfig::default(),
    );
    assert_eq!(err.expect_err("one class"), BatchError::OneClass { label: 1.0 });
    assert!(lambda_max(&one_class, LossKind::Logistic, 1.0).is_nan());

    let mut bad_label = matrix.clone();
    bad_label.y[7] = 2.0;
    let err = fit_path(
        BatchKind::Fista,
        &bad_label,
        LossKind::Logistic,
        RegularizerKind::L1,
        &PathConfig::default(),
    );
    assert!(matches!(err, Err(BatchError::BadLabel { row: 7, .. })));

    let mut non_finite = matrix.clone();
    non_finite.x.data_mut()[0] = f64::INFINITY;
    let err = fit_path(
        BatchKind::CoordinateDescent,
        &non_finite,
        LossKind::Squared,
        RegularizerKind::L1,
        &PathConfig::default(),
    );
    assert!(matches!(err, Err(BatchError::NonFiniteValue { row: 0, .. })));

    let empty = CompactMatrix::from_examples(&[]);
    let err = fit_path(
        BatchKind::CoordinateDescent,
        &empty,
        LossKind::Squared,
        RegularizerKind::L1,
        &PathConfig::default(),
    );
    assert!(matches!(err, Err(BatchError::EmptyMatrix { .. })));

    let mut short_y = matrix.clone();
    short_y.y.pop();
    let err = fit_path(
        BatchKind::CoordinateDescent,
        &short_y,
        LossKind::Squared,
        RegularizerKind::L1,
        &PathConfig::default(),
    );
    assert!(matches!(err, Err(BatchError::ShapeMismatch { what: "y", .. })));
}

#[test]
fn solver_names_round_trip() {
    for kind in BatchKind::ALL {
        assert_eq!(BatchKind::parse(kind.as_str()), Ok(kind));
    }
    let err = BatchKind::parse("lbfgs").expect_err("unknown");
    assert!(err.to_string().contains("lbfgs") && err.to_string().contains("l0l2_cd"));
}

//! Integration tests of the splicing solver (`splicing`) through the public
//! `optimizers::batch::fit_path`: recovery of a planted support that greedy screening misses,
//! objectives against IHT and against the refit of the greedy first support, the sizes of the
//! output, determinism, bad inputs. Every problem is small and built from a fixed seed.

use features::synthetic::{CrossLayout, SplitName, SyntheticConfig, SyntheticProblem};
use features::{CompactMatrix, FeatureId, SparseExample};
use optimizers::batch::{BatchError, PathConfig, PathPoint};
use optimizers::LossKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regularizers::{L2Convention, Penalty};

/// The path of solver `name` with penalty `penalty` and no solver settings.
fn fit_path(
    name: &str,
    matrix: &CompactMatrix,
    loss: LossKind,
    penalty: &str,
    config: &PathConfig,
) -> Result<Vec<PathPoint>, BatchError> {
    let penalty = Penalty::named(penalty).expect("registered penalty");
    optimizers::batch::fit_path(name, matrix, loss, &penalty, config, &toml::Table::new())
}

/// Real-valued columns 0..30 (uniform on [-1, 1]); the truth uses columns 2, 7, 11, 19, 23.
/// Column 29 is a decoy, `(x_2 + x_7) / 2` plus a little noise: it carries more signal per unit
/// of curvature than either of the two columns it mixes, so greedy screening takes it, while
/// the best set of five is the true one.
const TRUTH: [(u64, f64); 5] = [(2, 2.0), (7, 2.0), (11, 2.5), (19, -2.2), (23, 1.4)];
const DECOY: u64 = 29;

fn planted_examples(n: usize, loss: LossKind, seed: u64) -> Vec<SparseExample> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let x: Vec<f64> = (0..DECOY).map(|_| rng.gen_range(-1.0..1.0)).collect();
            let mut e = SparseExample::default();
            for (j, &v) in x.iter().enumerate() {
                e.push(j as u64, v);
            }
            e.push(DECOY, 0.5 * (x[2] + x[7]) + 0.3 * rng.gen_range(-1.0..1.0));
            let margin: f64 = 0.2 + TRUTH.iter().map(|&(j, w)| w * x[j as usize]).sum::<f64>();
            e.label = match loss {
                LossKind::Logistic => f64::from(rng.gen::<f64>() < 1.0 / (1.0 + (-margin).exp())),
                LossKind::Squared => margin + 0.5 * rng.gen_range(-1.0..1.0),
            };
            e
        })
        .collect()
}

/// `k = 4` synthetic one-hots: marginals, their full cross and the pairwise crosses.
fn synthetic_examples(n: u64) -> Vec<SparseExample> {
    let config = SyntheticConfig {
        k: 4,
        seed: 3,
        crosses: CrossLayout {
            marginals: true,
            full_cross: true,
            pairwise: true,
            hash_buckets: None,
        },
        ..SyntheticConfig::default()
    };
    let problem = SyntheticProblem::new(config).expect("valid synthetic config");
    problem.stream(SplitName::Train, n).collect()
}

fn sizes_config(sizes: &[usize]) -> PathConfig {
    PathConfig { support_sizes: Some(sizes.to_vec()), tol: 1e-8, ..PathConfig::default() }
}

fn fit(kind: &str, matrix: &CompactMatrix, loss: LossKind, config: &PathConfig) -> Vec<PathPoint> {
    fit_path(kind, matrix, loss, "l0", config).expect("fit")
}

/// The greedy first support, computed here from the definition: at `w = 0` with the bias
/// fitted, the `s` columns of largest `g_j^2 / (h_jj + l2)` (ties to the lower id), `g_j` the
/// mean-loss gradient and `h_jj` the coordinate curvature.
fn greedy_support(matrix: &CompactMatrix, loss: LossKind, l2: f64, s: usize) -> Vec<FeatureId> {
    let n = matrix.n_rows() as f64;
    let mean = matrix.y.iter().sum::<f64>() / n;
    let (bias, curvature) = match loss {
        LossKind::Logistic => ((mean / (1.0 - mean)).ln(), mean * (1.0 - mean)),
        LossKind::Squared => (mean, 1.0),
    };
    let mut g = vec![0.0; matrix.n_cols()];
    let mut h = vec![l2; matrix.n_cols()];
    for (i, row) in matrix.x.outer_iterator().enumerate() {
        let d = loss.derivative(bias, matrix.y[i]);
        for (j, &x) in row.iter() {
            g[j] += d * x / n;
            h[j] += curvature * x * x / n;
        }
    }
    let mut order: Vec<usize> = (0..matrix.n_cols()).collect();
    let score = |j: usize| g[j] * g[j] / h[j];
    order.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
    let mut ids: Vec<FeatureId> = order[..s].iter().map(|&j| matrix.columns[j]).collect();
    ids.sort_unstable();
    ids
}

/// The objective of the exact refit on `support` (mean loss + `l2/2 |w|^2`, TensorFlow
/// convention), by coordinate descent with an L2 penalty on the examples restricted to it.
fn refit_objective(
    examples: &[SparseExample],
    loss: LossKind,
    l2: f64,
    support: &[FeatureId],
) -> f64 {
    let restricted: Vec<SparseExample> = examples
        .iter()
        .map(|e| {
            let mut r = SparseExample { label: e.label, ..SparseExample::default() };
            for (&id, &v) in e.ids.iter().zip(&e.values) {
                if support.contains(&id) {
                    r.push(id, v);
                }
            }
            r
        })
        .collect();
    let matrix = CompactMatrix::from_examples(&restricted);
    let config = PathConfig {
        lambdas: Some(vec![l2]),
        tol: 1e-10,
        convention: L2Convention::Tensorflow,
        ..PathConfig::default()
    };
    let point = fit_path("coordinate_descent", &matrix, loss, "l2", &config)
        .expect("reference refit")
        .remove(0);
    assert!(point.converged);
    point.objective
}

#[test]
fn recovers_a_planted_support_that_greedy_screening_misses() {
    let truth: Vec<FeatureId> = TRUTH.iter().map(|&(j, _)| j).collect();
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let examples = planted_examples(1000, loss, 21);
        let matrix = CompactMatrix::from_examples(&examples);
        let config = sizes_config(&[5]);
        let greedy = greedy_support(&matrix, loss, config.l2_for_l0, 5);
        assert!(greedy.contains(&DECOY), "{loss:?}: the decoy must fool greedy screening");
        let point = fit("splicing", &matrix, loss, &config).remove(0);
        assert_eq!(point.support, truth, "{loss:?}");
        assert!(point.converged && point.kkt_violation <= 1e-8, "{loss:?}");
        let greedy_objective = refit_objective(&examples, loss, config.l2_for_l0, &greedy);
        let truth_objective = refit_objective(&examples, loss, config.l2_for_l0, &truth);
        assert!(point.objective < greedy_objective - 1e-3, "{loss:?}: no real improvement");
        assert!((point.objective - truth_objective).abs() <= 1e-9, "{loss:?}: not the exact refit");
        // IHT (here finding the same set) does no better.
        let iht = fit("iht", &matrix, loss, &config).remove(0);
        assert!(point.objective <= iht.objective + 1e-12);
    }
}

#[test]
fn objective_is_at_most_iht_and_the_greedy_refit_at_every_size() {
    let loss = LossKind::Logistic;
    let examples = synthetic_examples(3000);
    let matrix = CompactMatrix::from_examples(&examples);
    let sizes = [1, 2, 5, 10, 20, 50];
    let config = sizes_config(&sizes);
    let splicing = fit("splicing", &matrix, loss, &config);
    let iht = fit("iht", &matrix, loss, &config);
    let mut strictly_better = 0;
    for (a, b) in splicing.iter().zip(&iht) {
        assert_eq!(a.target_support, b.target_support);
        assert!(
            a.objective <= b.objective + 1e-9,
            "s = {:?}: splicing {} > iht {}",
            a.target_support,
            a.objective,
            b.objective
        );
        strictly_better += usize::from(a.objective < b.objective - 1e-6);
    }
    assert!(strictly_better >= 1, "splicing never beats IHT on this problem");
    // Each size alone starts from the greedy support at w = 0 and can only improve on it.
    for s in [2, 10] {
        let alone = fit("splicing", &matrix, loss, &sizes_config(&[s])).remove(0);
        let greedy = greedy_support(&matrix, loss, config.l2_for_l0, s);
        let greedy_objective = refit_objective(&examples, loss, config.l2_for_l0, &greedy);
        assert!(alone.objective <= greedy_objective + 1e-9, "s = {s}");
    }
}

#[test]
fn outputs_the_sizes_asked_for_deterministically() {
    for loss in [LossKind::Logistic, LossKind::Squared] {
        let matrix = CompactMatrix::from_examples(&planted_examples(300, loss, 5));
        // Unsorted, duplicated, and one size above the 30 columns (capped).
        let config = sizes_config(&[8, 1, 3, 80, 3]);
        let path = fit("splicing", &matrix, loss, &config);
        let targets: Vec<Option<usize>> = path.iter().map(|p| p.target_support).collect();
        assert_eq!(targets, vec![Some(1), Some(3), Some(8), Some(30)]);
        for point in &path {
            let s = point.target_support.expect("target");
            assert_eq!(point.support.len(), s, "{loss:?}");
            assert!(point.converged, "{loss:?} s = {s}");
            assert!(point.kkt_violation <= 1e-8, "{loss:?} s = {s}");
            assert_eq!(point.lambda, 0.0);
        }
        for pair in path.windows(2) {
            assert!(pair[1].objective <= pair[0].objective + 1e-12, "{loss:?}");
        }
        assert_eq!(path, fit("splicing", &matrix, loss, &config), "{loss:?}");
    }
}

#[test]
fn bad_inputs_are_refused_as_iht_refuses_them() {
    let loss = LossKind::Logistic;
    let matrix = CompactMatrix::from_examples(&planted_examples(60, loss, 9));
    let both = |matrix: &CompactMatrix, config: &PathConfig, penalty| {
        let run = |kind| fit_path(kind, matrix, loss, penalty, config);
        (run("splicing"), run("iht"))
    };
    let bad_configs = [
        PathConfig { support_sizes: Some(vec![3, 0]), ..PathConfig::default() },
        PathConfig { support_sizes: Some(vec![]), ..PathConfig::default() },
        PathConfig { l2_for_l0: -1.0, ..PathConfig::default() },
        PathConfig { tol: 0.0, ..PathConfig::default() },
        PathConfig { max_iter: 0, ..PathConfig::default() },
    ];
    for config in &bad_configs {
        let (splicing, iht) = both(&matrix, config, "l0");
        assert!(matches!(splicing, Err(BatchError::InvalidConfig { .. })), "{splicing:?}");
        assert_eq!(splicing, iht);
    }
    let (splicing, _) = both(&matrix, &PathConfig::default(), "l1");
    let err = splicing.expect_err("l1 is not splicing's penalty");
    assert!(matches!(err, BatchError::UnsupportedPenalty { solver: "splicing", .. }), "{err}");

    let mut one_class = matrix.clone();
    one_class.y.iter_mut().for_each(|y| *y = 0.0);
    let (splicing, iht) = both(&one_class, &PathConfig::default(), "l0");
    assert_eq!(splicing, Err(BatchError::OneClass { label: 0.0 }));
    assert_eq!(splicing, iht);

    let mut non_finite = matrix.clone();
    non_finite.x.data_mut()[3] = f64::NAN;
    let (splicing, iht) = both(&non_finite, &PathConfig::default(), "l0");
    assert!(matches!(splicing, Err(BatchError::NonFiniteValue { row: 0, .. })), "{splicing:?}");
    assert_eq!(format!("{splicing:?}"), format!("{iht:?}"));

    let empty = CompactMatrix::from_examples(&[]);
    let (splicing, iht) = both(&empty, &PathConfig::default(), "l0");
    assert!(matches!(splicing, Err(BatchError::EmptyMatrix { .. })));
    assert_eq!(splicing, iht);

    assert_eq!(optimizers::batch::lookup("splicing").map(|e| e.name), Ok("splicing"));
}

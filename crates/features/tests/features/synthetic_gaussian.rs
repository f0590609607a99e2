//! The generator's dense correlated Gaussian mode: every value present, column correlations
//! near the target (Toeplitz and constant), the support's size and ids, determinism under a
//! seed, the Bayes probability reported, and errors naming the key.

use features::synthetic::gaussian::{GaussianConfig, Structure};
use features::{SparseExample, SplitName, SyntheticConfig, SyntheticProblem};

fn gaussian(p: usize, structure: Structure, rho: f64, seed: u64) -> SyntheticConfig {
    let table = GaussianConfig { structure, rho, support: 5, ..GaussianConfig::default() };
    SyntheticConfig { k: p, seed, gaussian: Some(table), ..SyntheticConfig::default() }
}

fn rows(problem: &SyntheticProblem, n: u64) -> Vec<SparseExample> {
    problem.stream(SplitName::Train, n).collect()
}

/// Sample correlation of columns `a` and `b`.
fn correlation(rows: &[SparseExample], a: usize, b: usize) -> f64 {
    let n = rows.len() as f64;
    let mean = |j: usize| rows.iter().map(|r| r.values[j]).sum::<f64>() / n;
    let (ma, mb) = (mean(a), mean(b));
    let cov = |x: usize, mx: f64, y: usize, my: f64| {
        rows.iter().map(|r| (r.values[x] - mx) * (r.values[y] - my)).sum::<f64>() / n
    };
    cov(a, ma, b, mb) / (cov(a, ma, a, ma) * cov(b, mb, b, mb)).sqrt()
}

#[test]
fn every_value_is_present_and_ids_are_the_features() {
    let problem = SyntheticProblem::new(gaussian(20, Structure::Toeplitz, 0.5, 1)).unwrap();
    assert_eq!(problem.dimension(), 20);
    for row in rows(&problem, 10) {
        assert_eq!(row.ids, (0..20).collect::<Vec<u64>>());
        assert_eq!(row.values.len(), 20);
        let p = row.true_prob.unwrap();
        assert!((0.0..=1.0).contains(&p) && (row.label == 0.0 || row.label == 1.0));
    }
}

#[test]
fn toeplitz_columns_correlate_as_rho_to_the_distance() {
    let problem = SyntheticProblem::new(gaussian(6, Structure::Toeplitz, 0.6, 3)).unwrap();
    let rows = rows(&problem, 20_000);
    for (a, b, target) in [(0, 1, 0.6), (1, 3, 0.36), (0, 5, 0.6f64.powi(5))] {
        let r = correlation(&rows, a, b);
        assert!((r - target).abs() < 0.03, "corr(x{a}, x{b}) = {r}, target {target}");
    }
}

#[test]
fn constant_columns_correlate_as_rho() {
    let problem = SyntheticProblem::new(gaussian(6, Structure::Constant, 0.7, 3)).unwrap();
    let rows = rows(&problem, 20_000);
    for (a, b) in [(0, 1), (2, 5), (0, 4)] {
        let r = correlation(&rows, a, b);
        assert!((r - 0.7).abs() < 0.03, "corr(x{a}, x{b}) = {r}");
    }
}

#[test]
fn the_support_has_its_size_and_matches_the_coefficients() {
    let problem = SyntheticProblem::new(gaussian(100, Structure::Toeplitz, 0.1, 9)).unwrap();
    let support = problem.true_support();
    assert_eq!(support.len(), 5);
    let ids: Vec<u64> = problem.gaussian_coefficients().iter().map(|&(j, _)| j as u64).collect();
    assert_eq!(support, &ids[..]);
    assert!(problem.gaussian_coefficients().iter().all(|&(_, b)| b != 0.0));
}

#[test]
fn a_seed_fixes_every_row_and_another_seed_changes_them() {
    let config = gaussian(30, Structure::Constant, 0.3, 4);
    let a = rows(&SyntheticProblem::new(config.clone()).unwrap(), 50);
    let b = rows(&SyntheticProblem::new(config).unwrap(), 50);
    assert_eq!(a, b);
    let c = rows(&SyntheticProblem::new(gaussian(30, Structure::Constant, 0.3, 5)).unwrap(), 50);
    assert_ne!(a, c);
}

#[test]
fn bad_values_name_their_key() {
    let mut config = gaussian(10, Structure::Toeplitz, 1.0, 0);
    let message = SyntheticProblem::new(config.clone()).unwrap_err().to_string();
    assert!(message.contains("synthetic.gaussian.rho"), "{message}");
    config.gaussian = Some(GaussianConfig { support: 0, ..GaussianConfig::default() });
    let message = SyntheticProblem::new(config.clone()).unwrap_err().to_string();
    assert!(message.contains("synthetic.gaussian.support"), "{message}");
    config.gaussian = Some(GaussianConfig { support: 3, ..GaussianConfig::default() });
    config.correlation = 0.5;
    let message = SyntheticProblem::new(config).unwrap_err().to_string();
    assert!(message.contains("synthetic.correlation"), "{message}");
}

#[test]
fn the_table_parses_from_toml_and_refuses_unknown_keys() {
    let table: GaussianConfig = toml::from_str("structure = \"constant\"\nrho = 0.7").unwrap();
    assert_eq!((table.structure, table.rho, table.support), (Structure::Constant, 0.7, 10));
    assert!(toml::from_str::<GaussianConfig>("rhoo = 0.7").is_err());
}

#[test]
fn the_label_rate_matches_the_mean_true_probability() {
    let problem = SyntheticProblem::new(gaussian(50, Structure::Toeplitz, 0.1, 11)).unwrap();
    let rows = rows(&problem, 20_000);
    let n = rows.len() as f64;
    let labels = rows.iter().map(|r| r.label).sum::<f64>() / n;
    let probability = rows.iter().map(|r| r.true_prob.unwrap()).sum::<f64>() / n;
    // The standard error of the label rate is at most 0.5 / sqrt(n) = 0.0035.
    assert!((labels - probability).abs() < 0.015, "labels {labels}, probability {probability}");
}

#[test]
fn coefficients_are_positive_unless_signs_are_asked_for() {
    let config = gaussian(200, Structure::Constant, 0.7, 2);
    let problem = SyntheticProblem::new(config.clone()).unwrap();
    assert!(problem.gaussian_coefficients().iter().all(|&(_, b)| b > 0.0));
    let table = GaussianConfig { support: 40, random_signs: true, ..config.gaussian.unwrap() };
    let signed = SyntheticConfig { gaussian: Some(table), ..config };
    let coefficients = SyntheticProblem::new(signed).unwrap().gaussian_coefficients().to_vec();
    assert!(coefficients.iter().any(|&(_, b)| b < 0.0));
    assert!(coefficients.iter().any(|&(_, b)| b > 0.0));
}

#[test]
fn a_support_above_p_and_no_features_name_their_keys() {
    let mut config = gaussian(10, Structure::Toeplitz, 0.1, 0);
    config.gaussian = Some(GaussianConfig { support: 11, ..GaussianConfig::default() });
    let message = SyntheticProblem::new(config.clone()).unwrap_err().to_string();
    assert!(message.contains("synthetic.gaussian.support"), "{message}");
    config.k = 0;
    let message = SyntheticProblem::new(config).unwrap_err().to_string();
    assert!(message.contains("synthetic.k"), "{message}");
}

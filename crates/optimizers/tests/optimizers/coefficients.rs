//! Integration tests of the compact coefficient stores (16-bit q2.13 and 32-bit f32): every
//! optimizer that has them learns a small synthetic problem to the log loss of its 64-bit store,
//! with a training state that shrinks with the word; runs are reproducible from their seed; the
//! optimizers without them refuse them by name.

use features::synthetic::{SplitName, SyntheticConfig, SyntheticProblem};
use features::SparseExample;
use optimizers::online::{
    build, train, Coefficients, OnlineConfig, OnlineError, Passes, StoreMemory,
};
use optimizers::{LinearModel, LossKind};
use regularizers::{L2Convention, Regularizer, L0, L1, L2};

/// Train and test splits of a k = 4 synthetic problem.
fn problem() -> (Vec<SparseExample>, Vec<SparseExample>) {
    let config = SyntheticConfig { k: 4, seed: 5, ..Default::default() };
    let problem = match SyntheticProblem::new(config) {
        Ok(problem) => problem,
        Err(e) => panic!("synthetic config: {e}"),
    };
    (
        problem.stream(SplitName::Train, 20_000).collect(),
        problem.stream(SplitName::Test, 5_000).collect(),
    )
}

fn log_loss(model: &LinearModel, data: &[SparseExample]) -> f64 {
    let total: f64 = data.iter().map(|e| LossKind::Logistic.value(model.margin(e), e.label)).sum();
    total / data.len() as f64
}

/// `name` trained once over `train` with `coefficients` and `seed`: its model and memory.
fn fit(
    name: &str,
    regularizer: &dyn Regularizer,
    coefficients: Coefficients,
    seed: u64,
    train_data: &[SparseExample],
) -> (LinearModel, StoreMemory) {
    let config = OnlineConfig { coefficients, seed, ..Default::default() };
    let mut opt = match build(name, regularizer, &config, &toml::Table::new()) {
        Ok(opt) => opt,
        Err(e) => panic!("{name}: {e}"),
    };
    train(opt.as_mut(), train_data, &Passes::once(1)).expect("held rows");
    assert!(!opt.diverged(), "{name} diverged");
    (opt.model(), opt.memory())
}

/// The optimizers with compact stores, their regularizer, and their slot bytes in q2.13 and f32.
fn compact_cases() -> Vec<(&'static str, Box<dyn Regularizer>, u64, u64)> {
    vec![
        ("fobos", Box::new(L1::new(1e-5).expect("valid")), 18, 20),
        ("truncated_gradient", Box::new(L1::new(1e-5).expect("valid")), 18, 20),
        (
            "sgd_subgradient",
            Box::new(L2::new(1e-5, L2Convention::Tensorflow).expect("valid")),
            18,
            20,
        ),
        ("hard_threshold", Box::new(L0::new(1e-6).expect("valid")), 10, 12),
        ("ftrl", Box::new(L1::new(1.0).expect("valid")), 14, 16),
    ]
}

/// Every compact-store optimizer fitted once per width (f64, q2.13, f32) on the same data: the
/// q2.13 and f32 checks below share the fits.
#[test]
fn compact_stores_learn_to_the_f64_log_loss_in_fewer_bytes() {
    let (train_data, test) = problem();
    for (name, reg, half_slot, single_slot) in compact_cases() {
        let reg = reg.as_ref();
        let (exact, exact_mem) = fit(name, reg, Coefficients::F64, 1, &train_data);
        let a = log_loss(&exact, &test);
        assert!(a < 0.69, "{name}: f64 did not learn ({a})");

        // q2.13.
        let (compact, compact_mem) = fit(name, reg, Coefficients::Q2_13, 1, &train_data);
        let b = log_loss(&compact, &test);
        // Measured: differences of at most 2e-5 (about 0.5585 for the SGD-type rules and
        // hard_threshold, 0.5557 for FTRL); truncating instead fails by 0.04 (unit test in
        // `compact`).
        assert!((b - a).abs() < 2e-4, "{name}: q2.13 {b} vs f64 {a}");
        // Every exported weight is a q2.13 number (the served model is 16-bit too).
        assert!(compact.weights.iter().all(|&(_, w)| (w * 8192.0).fract() == 0.0), "{name}");
        assert!(compact.weights.iter().all(|&(_, w)| (-4.0..4.0).contains(&w)), "{name}");
        // The table holds at least a slot per coordinate, and less than the f64 table.
        assert!(compact_mem.state_bytes >= compact_mem.coordinates * (half_slot + 1), "{name}");
        assert!(compact_mem.state_bytes < exact_mem.state_bytes, "{name}: {compact_mem:?}");
        assert!(compact.nonzero() > 0, "{name}");
        // Memory counts the nonzeros of the served model.
        assert_eq!(compact_mem.model_bytes, compact.sparse_bytes(), "{name}");

        // f32.
        let (single, single_mem) = fit(name, reg, Coefficients::F32, 1, &train_data);
        let c = log_loss(&single, &test);
        // f32 keeps 24 bits of mantissa: measured differences of at most 1.4e-8, against up to
        // 2e-5 for q2.13, so a store that fell back to q2.13 rounding would fail this bound.
        assert!((c - a).abs() < 1e-6, "{name}: f32 {c} vs f64 {a}");
        // Every exported weight is an f32 value.
        assert!(single.weights.iter().all(|&(_, w)| f64::from(w as f32) == w), "{name}");
        assert_eq!(single.nonzero(), exact.nonzero(), "{name}");
        // Same coordinates, slots of `single_slot` bytes: between the q2.13 and f64 tables.
        assert_eq!(single_mem.coordinates, exact_mem.coordinates, "{name}");
        assert!(single_mem.state_bytes >= single_mem.coordinates * (single_slot + 1), "{name}");
        assert!(single_mem.state_bytes < exact_mem.state_bytes, "{name}: {single_mem:?}");
        assert!(single_mem.state_bytes > compact_mem.state_bytes, "{name}: {compact_mem:?}");
        assert_eq!(single_mem.model_bytes, single.sparse_bytes(), "{name}");
    }
}

#[test]
fn q2_13_runs_are_reproducible_from_their_seed() {
    let (train_data, _) = problem();
    let reg = L1::new(1e-5).expect("valid");
    let run = |seed| fit("fobos", &reg, Coefficients::Q2_13, seed, &train_data[..3000]).0;
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn optimizers_without_a_compact_state_refuse_it_by_name() {
    let reg = L1::new(1e-4).expect("valid");
    for coefficients in [Coefficients::Q2_13, Coefficients::F32] {
        let config = OnlineConfig { coefficients, ..Default::default() };
        for name in ["rda", "cumulative_penalty"] {
            let err = build(name, &reg, &config, &toml::Table::new()).err();
            let Some(OnlineError::BadConfig { field, reason }) = err else {
                panic!("{name}: expected a refusal, got {err:?}")
            };
            assert_eq!(field, "coefficients");
            assert!(reason.contains(name) && reason.contains(coefficients.as_str()), "{reason}");
        }
    }
}

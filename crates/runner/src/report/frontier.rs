//! One method's size-accuracy frontier on one seed: its runs ordered along the lambda path,
//! and the operating point where its *validation* cost reaches a target. Pure: numbers in,
//! numbers out; which column is validation and which is test is the caller's (`compare`).
//!
//! The path is ordered by increasing lambda (runs at one lambda, e.g. the admission counts of
//! OGD-Count, from the largest model to the smallest). The operating point at a target is the
//! sparsest one whose validation cost is within it: the last run of the path within the
//! target, moved towards the next run (whose cost is above the target) to where the validation
//! cost, linear between the two, equals the target. The same fraction `t` of the way gives the
//! rest: lambda geometric (linear in log lambda; linear when one end is 0), the quantity
//! log-linear (linear in `log(1 + quantity)`), the test metric linear. So the test metric is read
//! at the run(s) nearest the point, never used to find it.

/// One run of a path, as the frontier needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathRun {
    /// The run's lambda.
    pub lambda: f64,
    /// The quantity compared (nonzero weights, bytes).
    pub quantity: f64,
    /// The validation metric oriented so that lower is better (chooses).
    pub validation_cost: f64,
    /// The test metric as reported (NaN without a test split; never chooses).
    pub test: f64,
}

/// Where a method operates at one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint {
    /// Lambda at the point (interpolated between the two runs around it).
    pub lambda: f64,
    /// The quantity at the point.
    pub quantity: f64,
    /// The validation cost at the point (the target, or the last run's cost at a path's end).
    pub validation_cost: f64,
    /// The test metric at the point.
    pub test: f64,
    /// `1 + quantity` of the two runs around the point, the larger over the smaller (1 at a
    /// path's end).
    pub neighbour_ratio: f64,
    /// The sparsest run of the path is within the target: the grid, not the target, ends it.
    pub at_path_end: bool,
}

impl OperatingPoint {
    /// Whether the two runs around the point differ by more than `factor` in size.
    pub fn is_coarse(&self, factor: f64) -> bool {
        self.neighbour_ratio > factor
    }
}

/// A method's runs on one seed, ordered along the path.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    runs: Vec<PathRun>,
}

impl Frontier {
    /// The frontier of these runs (those with a finite validation cost), ordered by lambda and,
    /// at one lambda, from the largest quantity to the smallest.
    pub fn new(runs: impl IntoIterator<Item = PathRun>) -> Self {
        let mut runs: Vec<PathRun> =
            runs.into_iter().filter(|r| r.validation_cost.is_finite()).collect();
        runs.sort_by(|a, b| a.lambda.total_cmp(&b.lambda).then(b.quantity.total_cmp(&a.quantity)));
        Self { runs }
    }

    /// The runs in path order.
    pub fn runs(&self) -> &[PathRun] {
        &self.runs
    }

    /// The lowest validation cost on the path (None for an empty path).
    pub fn best_cost(&self) -> Option<f64> {
        self.runs.iter().map(|r| r.validation_cost).min_by(f64::total_cmp)
    }

    /// The sparsest operating point whose validation cost is within `target`; None when no run
    /// reaches it (the caller reports the method as not reaching the target).
    pub fn at(&self, target: f64) -> Option<OperatingPoint> {
        let j = self.runs.iter().rposition(|r| r.validation_cost <= target)?;
        let here = self.runs[j];
        let Some(next) = self.runs.get(j + 1).copied() else {
            return Some(OperatingPoint {
                lambda: here.lambda,
                quantity: here.quantity,
                validation_cost: here.validation_cost,
                test: here.test,
                neighbour_ratio: 1.0,
                at_path_end: true,
            });
        };
        // `next` is past the last run within the target, so its cost is above it.
        let t = (target - here.validation_cost) / (next.validation_cost - here.validation_cost);
        let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
        let (a, b) = (here.quantity.max(0.0).ln_1p(), next.quantity.max(0.0).ln_1p());
        Some(OperatingPoint {
            lambda: lambda_between(here.lambda, next.lambda, t),
            // At a run itself (t = 0), its own count, not one through ln and exp.
            quantity: if t == 0.0 { here.quantity } else { (a + t * (b - a)).exp_m1() },
            validation_cost: here.validation_cost
                + t * (next.validation_cost - here.validation_cost),
            test: here.test + t * (next.test - here.test),
            neighbour_ratio: (a - b).abs().exp(),
            at_path_end: false,
        })
    }
}

/// The lambda a fraction `t` of the way from `a` to `b`: geometric when both are positive,
/// linear otherwise (a path starting at lambda 0).
fn lambda_between(a: f64, b: f64, t: f64) -> f64 {
    if a > 0.0 && b > 0.0 {
        (a.ln() + t * (b.ln() - a.ln())).exp()
    } else {
        a + t * (b - a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lambda: f64, quantity: f64, validation_cost: f64, test: f64) -> PathRun {
        PathRun { lambda, quantity, validation_cost, test }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * a.abs().max(1.0)
    }

    #[test]
    fn the_point_is_interpolated_in_log_lambda_and_log_quantity() {
        // Given out of order: the frontier sorts by lambda.
        let f = Frontier::new([
            run(1e-3, 9.0, 0.60, 0.70),
            run(1e-5, 999.0, 0.50, 0.40),
            run(1e-4, 99.0, 0.50, 0.45),
        ]);
        assert_eq!(f.runs()[0].lambda, 1e-5);
        let p = f.at(0.55).unwrap();
        // Halfway (in validation cost) from lambda 1e-4 to 1e-3: sqrt(1e-4 * 1e-3) in lambda,
        // sqrt(100 * 10) - 1 in quantity, halfway in test.
        assert!(close(p.lambda, (1e-7f64).sqrt()), "{}", p.lambda);
        assert!(close(p.quantity, 1000f64.sqrt() - 1.0), "{}", p.quantity);
        assert!(close(p.test, 0.575) && close(p.validation_cost, 0.55));
        assert!(close(p.neighbour_ratio, 10.0) && p.is_coarse(4.0) && !p.is_coarse(10.5));
        assert!(!p.at_path_end);
    }

    #[test]
    fn a_target_within_every_run_stops_at_the_path_end_and_an_unreached_one_gives_none() {
        let f = Frontier::new([run(0.1, 50.0, 0.5, 0.6), run(1.0, 5.0, 0.52, 0.61)]);
        let end = f.at(0.7).unwrap();
        assert!(end.at_path_end && end.quantity == 5.0 && end.neighbour_ratio == 1.0);
        assert!(f.at(0.4).is_none());
        assert_eq!(f.best_cost(), Some(0.5));
        assert!(Frontier::default().at(1.0).is_none() && Frontier::default().best_cost().is_none());
    }

    #[test]
    fn the_sparsest_run_within_the_target_wins_on_a_path_that_is_not_monotone() {
        // The cost dips again at lambda 1: that run, not the first one, is the sparsest within.
        let f = Frontier::new([
            run(0.01, 100.0, 0.50, 0.5),
            run(0.1, 60.0, 0.56, 0.5),
            run(1.0, 30.0, 0.54, 0.5),
            run(10.0, 3.0, 0.64, 0.5),
        ]);
        let p = f.at(0.55).unwrap();
        assert!(p.lambda > 1.0 && p.quantity < 30.0 && p.quantity > 3.0, "{p:?}");
    }

    #[test]
    fn the_test_metric_never_moves_the_point() {
        let runs = [run(0.1, 50.0, 0.50, 0.9), run(1.0, 5.0, 0.60, 0.1)];
        let other_test = runs.map(|r| PathRun { test: 1.0 - r.test, ..r });
        let (a, b) = (Frontier::new(runs).at(0.55).unwrap(), Frontier::new(other_test).at(0.55));
        let b = b.unwrap();
        assert_eq!((a.lambda, a.quantity), (b.lambda, b.quantity));
        assert!(close(a.test, 0.5) && close(b.test, 0.5));
    }

    #[test]
    fn a_path_from_lambda_zero_and_runs_at_one_lambda_interpolate_linearly() {
        assert!(close(lambda_between(0.0, 1e-4, 0.5), 5e-5));
        // OGD-Count: every run at lambda 0, ordered from the largest model to the smallest.
        let f = Frontier::new([run(0.0, 10.0, 0.6, 0.6), run(0.0, 1000.0, 0.5, 0.5)]);
        assert_eq!(f.runs()[0].quantity, 1000.0);
        let p = f.at(0.55).unwrap();
        assert_eq!(p.lambda, 0.0);
        assert!(close(p.quantity, (1001f64 * 11.0).sqrt() - 1.0));
    }
}

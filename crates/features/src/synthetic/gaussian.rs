//! The dense correlated Gaussian mode of the generator (`[data.synthetic.gaussian]`): the
//! support-recovery benchmark of best-subset methods (abess: Zhu et al. 2020, PNAS, "A
//! polynomial algorithm for best-subset selection problem"; L0Learn: Hazimeh & Mazumder 2020,
//! Operations Research). The grid's `k` is the number of features p.
//!
//! | Name | Default | Purpose | Range |
//! |---|---|---|---|
//! | `structure` | `"toeplitz"` | `corr(x_i, x_j) = rho^abs(i-j)` (`toeplitz`) or `rho` for every `i != j` (`constant`) | either |
//! | `rho` | 0.0 | the correlation above | toeplitz: abs(rho) < 1; constant: [0, 1) |
//! | `support` | 10 | nonzero coefficients s, on features drawn uniformly without replacement | 1 ..= p |
//! | `scale_n` | 1000 | n in abess's magnitude scale `m = 5 sqrt(2 ln p / n)` | >= 1 |
//! | `coefficient` | absent | a fixed magnitude for every nonzero coefficient instead of abess's draw | finite, > 0 |
//! | `random_signs` | false | a fair random sign on every nonzero coefficient (abess's logistic draw has none) | bool |
//!
//! - **Features**: every row is p standard normals with the correlation above: Toeplitz by the
//!   AR(1) chain `z_0 = e_0`, `z_j = rho z_{j-1} + sqrt(1 - rho^2) e_j`; constant by one shared
//!   factor, `z_j = sqrt(rho) w + sqrt(1 - rho) e_j`. Each example lists all p values (ids
//!   `0..p`, id j = feature `x_j`'s single bucket), a CSR with every entry present.
//! - **Coefficients** (drawn once from the model stream): the support, then per support member
//!   a magnitude uniform on `[2m, 10m]` (or `coefficient` when given), positive as in abess's
//!   `make_glm_data` / `generate.data` for the binomial family (which draw no sign; only their
//!   Cox branch does), or with a fair random sign drawn before it when `random_signs = true`.
//! - **Label**: `logit = bias + sum_j beta_j z_j`, then `label_noise` as in the other modes; the
//!   example's `true_prob` is that probability, so the Bayes log loss is known.
//! - **True support**: the ids of the s support features.
//!
//! The keys `bins`, `interactions`, `triple_fraction`, `effect_scale`, `interaction_scale` and
//! `crosses` do not apply (the space is always the p single-bucket columns); `correlation` and
//! `long_tail` are refused beside `gaussian`. Cap: a split of n rows holds `n * p` values, so the
//! runner refuses a spec whose splits hold more than [`MAX_DENSE_ENTRIES`] values in total.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{invalid, FeaturesError};
use crate::random as rng;

/// Most values (rows times p, all splits) a dense Gaussian data set may hold: about 1.2 GB at
/// 12 bytes a value.
pub const MAX_DENSE_ENTRIES: u64 = 100_000_000;

/// How the features are correlated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Structure {
    /// `corr(x_i, x_j) = rho^|i-j|`.
    Toeplitz,
    /// `corr(x_i, x_j) = rho` for `i != j`.
    Constant,
}

/// Keys of `[data.synthetic.gaussian]` (see the module doc's table).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GaussianConfig {
    /// Toeplitz or constant correlation.
    pub structure: Structure,
    /// The correlation parameter.
    pub rho: f64,
    /// Number of nonzero coefficients.
    pub support: usize,
    /// n in `m = 5 sqrt(2 ln p / n)`.
    pub scale_n: u64,
    /// A fixed magnitude for every nonzero coefficient (abess's uniform draw when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coefficient: Option<f64>,
    /// A fair random sign on every nonzero coefficient (all positive when false, as abess).
    pub random_signs: bool,
}

impl Default for GaussianConfig {
    fn default() -> Self {
        Self {
            structure: Structure::Toeplitz,
            rho: 0.0,
            support: 10,
            scale_n: 1000,
            coefficient: None,
            random_signs: false,
        }
    }
}

impl GaussianConfig {
    /// Checks every key for `p` features; the error names the key, its value and the range.
    pub fn validate(&self, p: usize) -> Result<(), FeaturesError> {
        let field = |name: &str| format!("synthetic.gaussian.{name}");
        let rho = self.rho;
        let rho_ok = match self.structure {
            Structure::Toeplitz => rho.is_finite() && rho.abs() < 1.0,
            Structure::Constant => (0.0..1.0).contains(&rho),
        };
        if !rho_ok {
            let range = match self.structure {
                Structure::Toeplitz => "(-1, 1) with structure = \"toeplitz\"",
                Structure::Constant => "[0, 1) with structure = \"constant\"",
            };
            return Err(invalid(field("rho"), format!("must be in {range}, got {rho}")));
        }
        if self.support == 0 || self.support > p {
            return Err(invalid(
                field("support"),
                format!("must be in 1 ..= p = {p}, got {}", self.support),
            ));
        }
        if self.scale_n == 0 {
            return Err(invalid(field("scale_n"), "must be >= 1, got 0"));
        }
        if let Some(c) = self.coefficient {
            if !(c.is_finite() && c > 0.0) {
                return Err(invalid(
                    field("coefficient"),
                    format!("must be finite and > 0, got {c}"),
                ));
            }
        }
        Ok(())
    }

    /// abess's magnitude scale `m = 5 sqrt(2 ln p / scale_n)`.
    pub fn magnitude_scale(&self, p: usize) -> f64 {
        5.0 * (2.0 * (p as f64).ln() / self.scale_n as f64).sqrt()
    }
}

/// The drawn sparse coefficient vector and the correlation of the rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GaussianModel {
    structure: Structure,
    rho: f64,
    /// Support features, sorted, with their coefficients.
    support: Vec<(usize, f64)>,
}

impl GaussianModel {
    /// Draws the support and the coefficients of a validated config from the model stream.
    pub(crate) fn draw(cfg: &GaussianConfig, p: usize, seed: u64) -> Self {
        let mut rng = rng::chacha(seed, rng::MODEL_STREAM);
        let mut features: Vec<usize> = (0..p).collect();
        for i in 0..cfg.support {
            let j = i + rng::below(&mut rng, (p - i) as u64) as usize;
            features.swap(i, j);
        }
        let m = cfg.magnitude_scale(p);
        let mut support: Vec<(usize, f64)> = features[..cfg.support]
            .iter()
            .map(|&j| {
                let negative = cfg.random_signs && rng::uniform(&mut rng) < 0.5;
                let sign = if negative { -1.0 } else { 1.0 };
                let magnitude = 2.0 * m + 8.0 * m * rng::uniform(&mut rng);
                (j, sign * cfg.coefficient.unwrap_or(magnitude))
            })
            .collect();
        support.sort_unstable_by_key(|&(j, _)| j);
        Self { structure: cfg.structure, rho: cfg.rho, support }
    }

    /// The support features and their coefficients, sorted by feature.
    pub(crate) fn support(&self) -> &[(usize, f64)] {
        &self.support
    }

    /// Normals a row draws: p, plus the shared factor of the constant structure.
    pub(crate) fn draws_per_row(&self, p: usize) -> usize {
        p + usize::from(self.structure == Structure::Constant)
    }

    /// Draws one row's p correlated normals into `z` (`scratch` is `draws_per_row` long) and
    /// returns its logit without the bias.
    pub(crate) fn draw_row(&self, rng: &mut ChaCha8Rng, scratch: &mut [f64], z: &mut [f64]) -> f64 {
        rng::fill_normals(rng, scratch);
        let rho = self.rho;
        match self.structure {
            Structure::Toeplitz => {
                let innovation = (1.0 - rho * rho).sqrt();
                z[0] = scratch[0];
                for j in 1..z.len() {
                    z[j] = rho * z[j - 1] + innovation * scratch[j];
                }
            }
            Structure::Constant => {
                let (shared, own) = (rho.sqrt() * scratch[0], (1.0 - rho).sqrt());
                for (zj, e) in z.iter_mut().zip(&scratch[1..]) {
                    *zj = shared + own * e;
                }
            }
        }
        self.support.iter().map(|&(j, beta)| beta * z[j]).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_rho_names_its_key() {
        let cfg =
            GaussianConfig { structure: Structure::Constant, rho: -0.2, ..Default::default() };
        let message = cfg.validate(100).unwrap_err().to_string();
        assert!(message.contains("synthetic.gaussian.rho"), "{message}");
        let cfg = GaussianConfig { support: 101, ..Default::default() };
        let message = cfg.validate(100).unwrap_err().to_string();
        assert!(message.contains("synthetic.gaussian.support"), "{message}");
    }

    #[test]
    fn abess_magnitudes_lie_in_two_to_ten_m() {
        let cfg = GaussianConfig { support: 50, ..Default::default() };
        let model = GaussianModel::draw(&cfg, 1000, 7);
        let m = cfg.magnitude_scale(1000);
        assert_eq!(model.support().len(), 50);
        assert!(model.support().iter().all(|&(_, b)| (2.0 * m..=10.0 * m).contains(&b.abs())));
        assert!(model.support().windows(2).all(|w| w[0].0 < w[1].0));
    }
}

//! Value rules the checks of several spec tables share: positive numbers, lambda lists, and
//! grid lists that hold each value once.

use anyhow::bail;

/// `value` must be finite and > 0.
pub fn check_positive(key: &str, value: f64) -> anyhow::Result<()> {
    if !(value.is_finite() && value > 0.0) {
        bail!("`{key}` must be a finite number > 0, got {value}");
    }
    Ok(())
}

/// A lambda list: non-empty, finite values >= 0, each once.
pub fn check_lambdas(key: &str, lambdas: &[f64]) -> anyhow::Result<()> {
    if lambdas.is_empty() {
        bail!("`{key}` is empty");
    }
    if let Some(bad) = lambdas.iter().find(|l| !(l.is_finite() && **l >= 0.0)) {
        bail!("`{key}` holds {bad}; every lambda must be finite and >= 0");
    }
    check_unique(key, lambdas)
}

/// A grid list must not hold a value twice: every value plans its own runs, so a repeated one
/// would run (and report) the same runs again.
pub fn check_unique<T: PartialEq + std::fmt::Display>(
    key: &str,
    values: &[T],
) -> anyhow::Result<()> {
    for (i, value) in values.iter().enumerate() {
        if values[..i].contains(value) {
            bail!(
                "`{key}` holds {value} twice; list each value once (a repeated value would run \
                 the same runs again)"
            );
        }
    }
    Ok(())
}

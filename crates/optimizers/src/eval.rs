//! Metrics of a model on held-out examples: accuracy, log loss (mean negative log-likelihood,
//! natural log, probabilities clipped as `sklearn.metrics.log_loss` does), ROC AUC with ties
//! counted half, and mean squared error; and the click-log figures built on log loss: the log
//! loss of the constant predictor and the normalized log-likelihood against it.

use features::SparseExample;

use crate::{LinearModel, LossKind};

/// Clip applied to probabilities before taking logs (machine epsilon, as scikit-learn).
pub const PROB_CLIP: f64 = f64::EPSILON;

/// What a model scores on a data set.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Metrics {
    /// Fraction of examples with `(p > 0.5) == label` (logistic only).
    pub accuracy: f64,
    /// Mean negative log-likelihood (logistic only).
    pub log_loss: f64,
    /// Area under the ROC curve, ties counted half (logistic only).
    pub auc: f64,
    /// Mean squared error of the prediction.
    pub mse: f64,
    /// Number of examples scored.
    pub n: u64,
}

/// Scores of a set of predictions `p` (probabilities for logistic) against labels.
pub fn score(predictions: &[f64], labels: &[f64], loss: LossKind) -> Metrics {
    let n = predictions.len();
    if n == 0 {
        return Metrics::default();
    }
    let mse =
        predictions.iter().zip(labels).map(|(p, y)| (p - y) * (p - y)).sum::<f64>() / n as f64;
    if loss == LossKind::Squared {
        return Metrics { mse, n: n as u64, ..Default::default() };
    }
    let mut correct = 0u64;
    let mut ll = 0.0;
    for (&p, &y) in predictions.iter().zip(labels) {
        if (p > 0.5) == (y > 0.5) {
            correct += 1;
        }
        let p = p.clamp(PROB_CLIP, 1.0 - PROB_CLIP);
        ll -= if y > 0.5 { p.ln() } else { (1.0 - p).ln() };
    }
    Metrics {
        accuracy: correct as f64 / n as f64,
        log_loss: ll / n as f64,
        auc: auc(predictions, labels),
        mse,
        n: n as u64,
    }
}

/// Scores a model on examples.
pub fn evaluate<'a>(
    model: &LinearModel,
    examples: impl IntoIterator<Item = &'a SparseExample>,
) -> Metrics {
    let (p, y): (Vec<f64>, Vec<f64>) =
        examples.into_iter().map(|e| (model.predict(e), e.label)).unzip();
    score(&p, &y, model.loss)
}

/// Mean log loss of `model` on `examples` alone (no AUC sort: linear in the examples, cheap
/// enough to score a training split after every run). NaN for an empty set or squared loss.
pub fn log_loss<'a>(
    model: &LinearModel,
    examples: impl IntoIterator<Item = &'a SparseExample>,
) -> f64 {
    if model.loss != LossKind::Logistic {
        return f64::NAN;
    }
    let (mut sum, mut n) = (0.0, 0u64);
    for e in examples {
        let p = model.predict(e).clamp(PROB_CLIP, 1.0 - PROB_CLIP);
        sum -= if e.label > 0.5 { p.ln() } else { (1.0 - p).ln() };
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        sum / n as f64
    }
}

/// Fraction of positive labels (`label > 0.5`); NaN for an empty set.
pub fn positive_rate<'a>(examples: impl IntoIterator<Item = &'a SparseExample>) -> f64 {
    let (mut positives, mut n) = (0u64, 0u64);
    for e in examples {
        positives += u64::from(e.label > 0.5);
        n += 1;
    }
    if n == 0 {
        f64::NAN
    } else {
        positives as f64 / n as f64
    }
}

/// Log loss of the constant prediction `p` (clipped as [`score`] clips) on a set whose positive
/// rate is `q`: `-(q ln p + (1 - q) ln(1 - p))`, the cross-entropy of the two rates.
pub fn constant_log_loss(p: f64, q: f64) -> f64 {
    let p = p.clamp(PROB_CLIP, 1.0 - PROB_CLIP);
    -(q * p.ln() + (1.0 - q) * (1.0 - p).ln())
}

/// Normalized log-likelihood, `1 - log_loss / constant_log_loss(p_train, q)`: the share of the
/// constant predictor's log loss a model removes, where the constant predicts the training
/// split's positive rate `p_train` on a set of positive rate `q` (the figure of Criteo's
/// AdKDD'21 attribution benchmark; `1 -` the normalized entropy of He et al. 2014). 0 = no
/// better than the click rate, 1 = perfect; NaN when an input is NaN or the constant is exact.
pub fn normalized_log_likelihood(log_loss: f64, p_train: f64, q: f64) -> f64 {
    let constant = constant_log_loss(p_train, q);
    // A set of one class has a near-exact constant (its loss is the clip's): nothing to normalize.
    if constant > 1e-12 {
        1.0 - log_loss / constant
    } else {
        f64::NAN
    }
}

/// Bayes-optimal scores: the true probabilities used as predictions. `None` if any example lacks
/// its true probability.
pub fn bayes<'a>(examples: impl IntoIterator<Item = &'a SparseExample>) -> Option<Metrics> {
    let mut p = Vec::new();
    let mut y = Vec::new();
    for e in examples {
        p.push(e.true_prob?);
        y.push(e.label);
    }
    Some(score(&p, &y, LossKind::Logistic))
}

/// ROC AUC by the rank-sum (Mann-Whitney) statistic, tied scores counted half. NaN when only one
/// class is present.
pub fn auc(scores: &[f64], labels: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum_pos, mut n_pos) = (0.0, 0u64);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Average 1-based rank of the tie group.
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if labels[k] > 0.5 {
                rank_sum_pos += rank;
                n_pos += 1;
            }
        }
        i = j + 1;
    }
    let n_neg = scores.len() as u64 - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return f64::NAN;
    }
    let np = n_pos as f64;
    (rank_sum_pos - np * (np + 1.0) / 2.0) / (np * n_neg as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(auc(&[0.1, 0.4, 0.35, 0.8], &[0.0, 0.0, 1.0, 1.0]), 0.75);
        assert_eq!(auc(&[0.5, 0.5], &[0.0, 1.0]), 0.5);
        assert!(auc(&[0.5, 0.6], &[1.0, 1.0]).is_nan());
    }

    #[test]
    fn log_loss_matches_sklearn_example() {
        // sklearn.metrics.log_loss([1, 0, 0, 1], [.9, .1, .2, .65]) = 0.21616187468057912
        let m = score(&[0.9, 0.1, 0.2, 0.65], &[1.0, 0.0, 0.0, 1.0], LossKind::Logistic);
        assert!((m.log_loss - 0.216_161_874_680_579_12).abs() < 1e-12);
        assert_eq!(m.accuracy, 1.0);
    }

    #[test]
    fn normalized_log_likelihood_is_zero_for_the_training_rate_and_one_minus_the_ratio_else() {
        let q = 0.36;
        let constant = constant_log_loss(q, q);
        let entropy = -(0.36f64 * 0.36f64.ln() + 0.64 * 0.64f64.ln());
        assert!((constant - entropy).abs() < 1e-15);
        assert!(normalized_log_likelihood(constant, q, q).abs() < 1e-15);
        let nll = normalized_log_likelihood(0.9 * constant, q, q);
        assert!((nll - 0.1).abs() < 1e-12, "{nll}");
        // A test set with another rate is judged against the training rate's constant.
        assert!(constant_log_loss(q, 0.5) > constant_log_loss(0.5, 0.5));
        assert!(normalized_log_likelihood(0.5, 0.0, 0.0).is_nan());
    }
}

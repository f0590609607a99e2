//! Calibration of predicted probabilities: the test rows sorted by predicted probability and cut
//! into equal-count bins, each with its mean prediction and its observed positive rate (a
//! reliability diagram's points), and the expected calibration error over them. With a rare
//! label (a click log's 0.2% positives) equal-width bins on [0, 1] would put almost every row in
//! the first bin, so the bins hold equal counts instead.

/// One bin of rows with neighbouring predicted probabilities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationBin {
    /// Rows in the bin.
    pub rows: usize,
    /// Smallest predicted probability in the bin.
    pub min_predicted: f64,
    /// Largest predicted probability in the bin.
    pub max_predicted: f64,
    /// Mean predicted probability.
    pub mean_predicted: f64,
    /// Fraction of positive labels.
    pub observed_rate: f64,
}

/// The `bins` equal-count bins of `(probability, label)` pairs (labels 0 or 1), lowest
/// probabilities first; the first `rows % bins` bins hold one row more. Fewer rows than bins
/// give one bin per row; no rows give no bins.
pub fn calibration_bins(probabilities: &[f64], labels: &[f64], bins: usize) -> Vec<CalibrationBin> {
    let mut pairs: Vec<(f64, f64)> =
        probabilities.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let bins = bins.min(pairs.len()).max(1);
    let (base, extra) = (pairs.len() / bins, pairs.len() % bins);
    let mut out = Vec::with_capacity(bins);
    let mut start = 0;
    for b in 0..bins {
        let size = base + usize::from(b < extra);
        if size > 0 {
            out.push(bin_of(&pairs[start..start + size]));
        }
        start += size;
    }
    out
}

/// One bin's figures (`pairs` sorted by probability, not empty).
fn bin_of(pairs: &[(f64, f64)]) -> CalibrationBin {
    let n = pairs.len() as f64;
    CalibrationBin {
        rows: pairs.len(),
        min_predicted: pairs[0].0,
        max_predicted: pairs[pairs.len() - 1].0,
        mean_predicted: pairs.iter().map(|p| p.0).sum::<f64>() / n,
        observed_rate: pairs.iter().map(|p| p.1).sum::<f64>() / n,
    }
}

/// Expected calibration error: the row-weighted mean of |mean predicted - observed rate| over
/// the bins (NaN without rows).
pub fn expected_calibration_error(bins: &[CalibrationBin]) -> f64 {
    let rows: usize = bins.iter().map(|b| b.rows).sum();
    let gap: f64 =
        bins.iter().map(|b| b.rows as f64 * (b.mean_predicted - b.observed_rate).abs()).sum();
    gap / rows as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_hold_equal_counts_in_order_of_prediction() {
        let p = [0.9, 0.1, 0.5, 0.2, 0.8, 0.3, 0.7];
        let y = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0];
        let bins = calibration_bins(&p, &y, 3);
        assert_eq!(bins.iter().map(|b| b.rows).collect::<Vec<_>>(), [3, 2, 2]);
        assert_eq!((bins[0].min_predicted, bins[0].max_predicted), (0.1, 0.3));
        assert!((bins[0].mean_predicted - 0.2).abs() < 1e-12);
        assert_eq!(bins[0].observed_rate, 0.0);
        assert_eq!((bins[1].observed_rate, bins[2].observed_rate), (0.5, 1.0));
    }

    #[test]
    fn expected_calibration_error_weights_bins_by_rows() {
        let p = [0.1, 0.1, 0.9, 0.9];
        let y = [0.0, 1.0, 1.0, 1.0];
        let bins = calibration_bins(&p, &y, 2);
        // |0.1 - 0.5| and |0.9 - 1.0|, two rows each.
        assert!((expected_calibration_error(&bins) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn fewer_rows_than_bins_and_no_rows() {
        assert_eq!(calibration_bins(&[0.3, 0.6], &[0.0, 1.0], 10).len(), 2);
        assert!(calibration_bins(&[], &[], 10).is_empty());
        assert!(expected_calibration_error(&[]).is_nan());
    }
}

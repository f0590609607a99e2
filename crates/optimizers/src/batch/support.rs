//! Choosing a support: the indices of the `s` largest weights in magnitude, shared by IHT's
//! projection and prune-refit's pruning. Ties go to the lower column index, so the choice is
//! deterministic.

use std::cmp::Ordering;

/// Column indices (ascending) of the at most `s` largest nonzero `|w_j|`.
pub(crate) fn largest_magnitudes(w: &[f64], s: usize) -> Vec<usize> {
    let mut nonzero: Vec<usize> = (0..w.len()).filter(|&j| w[j] != 0.0).collect();
    if nonzero.len() > s {
        let by_magnitude = |&a: &usize, &b: &usize| -> Ordering {
            w[b].abs().total_cmp(&w[a].abs()).then(a.cmp(&b))
        };
        if s > 0 {
            nonzero.select_nth_unstable_by(s - 1, by_magnitude);
        }
        nonzero.truncate(s);
    }
    nonzero.sort_unstable();
    nonzero
}

/// Sets every weight outside the `s` largest in magnitude to zero; returns the kept indices.
pub(crate) fn keep_largest(w: &mut [f64], s: usize) -> Vec<usize> {
    let kept = largest_magnitudes(w, s);
    let mut keep = kept.iter().copied().peekable();
    for (j, wj) in w.iter_mut().enumerate() {
        if keep.peek() == Some(&j) {
            keep.next();
        } else {
            *wj = 0.0;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_largest_magnitudes_and_breaks_ties_by_index() {
        let mut w = vec![0.5, -3.0, 0.0, 2.0, -2.0, 0.1];
        assert_eq!(keep_largest(&mut w, 3), vec![1, 3, 4]);
        assert_eq!(w, vec![0.0, -3.0, 0.0, 2.0, -2.0, 0.0]);
        assert_eq!(largest_magnitudes(&[1.0, -1.0, 1.0], 2), vec![0, 1]);
        assert_eq!(largest_magnitudes(&[0.0, 4.0, 0.0], 5), vec![1]);
        assert!(largest_magnitudes(&[1.0], 0).is_empty());
    }
}

//! "Did you mean": the known name closest to a misspelled one (a spec key, a column, an
//! experiment), by edit distance with transpositions, for the hint an error message ends with.

/// Edits (insertion, deletion, substitution, swap of two neighbours) from `a` to `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the optimal string alignment table: two rows back, the last, this one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

/// The candidate closest to `word` when it is a likely typo of it: at most one edit per three
/// characters (at least one), ties going to the longest common start, then to the first;
/// `None` when none is that close or `word` is itself a candidate.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let lower = word.to_lowercase();
    let mut best: Option<((usize, usize), &str)> = None;
    for candidate in candidates {
        if candidate == word {
            return None;
        }
        let other = candidate.to_lowercase();
        let shared = lower.chars().zip(other.chars()).take_while(|(a, b)| a == b).count();
        let score = (edit_distance(&lower, &other), usize::MAX - shared);
        if score.0 <= limit && best.is_none_or(|(b, _)| score < b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `"; did you mean `NAME`?"` for the closest candidate, or nothing.
pub fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_swaps_as_one_edit() {
        assert_eq!(edit_distance("lamdas", "lambdas"), 1);
        assert_eq!(edit_distance("lable", "label"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn only_a_likely_typo_is_suggested() {
        let keys = ["online", "label", "lambdas", "penalty"];
        assert_eq!(closest("lamdas", keys), Some("lambdas"));
        assert_eq!(closest("lable", keys), Some("label"));
        assert_eq!(closest("epochs", keys), None);
        assert_eq!(closest("label", keys), None, "a known name is not a typo");
        assert_eq!(hint("Lambdas", keys), "; did you mean `lambdas`?");
        assert_eq!(closest("y", ["x", "yy"]), Some("yy"), "ties go to the common start");
    }
}

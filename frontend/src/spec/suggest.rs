//! "Did you mean ...?" for misspelt keys.

/// Returns the candidate closest to `input`, if it is close enough to be a
/// plausible typo (edit distance at most a third of the word, at least 1).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_lower = input.to_ascii_lowercase();
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        // A suggestion equal to the input would help nobody.
        .filter(|c| *c != input)
        // The distance is at least the difference of the lengths: a long
        // input is compared with nothing (and costs no time).
        .filter(|c| c.chars().count().abs_diff(input_lower.chars().count()) <= limit)
        .map(|c| (distance(&input_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev_prev: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev_prev[j - 2] + 1);
            }
        }
        prev_prev = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["packages", "tags", "ldflags", "trimpath"];
        assert_eq!(closest("tgas", keys), Some("tags"));
        assert_eq!(closest("pakages", keys), Some("packages"));
        assert_eq!(closest("LDFLAGS", keys), Some("ldflags"));
        assert_eq!(closest("network", keys), None);
    }
}

//! "Did you mean ...?" for misspelt keys, targets and image sections.
//!
//! Bounded whatever the input: an input longer than [`MAX_CHARS`] gets no
//! suggestion (a typo of a name that long is not worth guessing), a
//! candidate whose length differs from the input's by more than the
//! distance allowed is skipped before any work, and the distance itself is
//! computed only in the band of cells that can stay within that distance,
//! stopping at the first row past it. So one candidate costs at most
//! `MAX_CHARS × (2 × MAX_CHARS / 3 + 1)` cells, and memory is three rows
//! of at most `MAX_CHARS + 1` cells, however long the names are.

/// The longest input (in characters) a suggestion is looked for.
pub const MAX_CHARS: usize = 128;

/// Returns the candidate closest to `input`, if it is close enough to be a
/// plausible typo (edit distance at most a third of the word, at least 1).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest_counting(input, candidates, &mut 0)
}

/// [`closest`], adding the distance cells it computed to `cells`.
fn closest_counting<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    cells: &mut u64,
) -> Option<&'a str> {
    // At most MAX_CHARS characters of at most 4 bytes: a longer input is
    // refused before its characters are even counted.
    if input.len() > 4 * MAX_CHARS {
        return None;
    }
    let a: Vec<char> = input.chars().map(|c| c.to_ascii_lowercase()).collect();
    if a.len() > MAX_CHARS {
        return None;
    }
    let limit = (a.len() / 3).max(1);
    let mut rows = Rows::new(a.len());
    let mut best: Option<(usize, &str)> = None;
    let mut b: Vec<char> = Vec::with_capacity(a.len() + limit);
    for c in candidates {
        // A suggestion equal to the input would help nobody.
        if c == input {
            continue;
        }
        // The distance is at least the difference of the lengths: a
        // candidate too long or too short costs no more than this count.
        let near = c.len() <= 4 * (a.len() + limit) && c.chars().count().abs_diff(a.len()) <= limit;
        if !near {
            continue;
        }
        b.clear();
        b.extend(c.chars().map(|ch| ch.to_ascii_lowercase()));
        // Only a strictly nearer candidate replaces one (the first wins).
        let within = best.map_or(limit, |(d, _)| d.saturating_sub(1));
        if let Some(d) = rows.distance_within(&a, &b, within, cells) {
            best = Some((d, c));
            if d == 0 {
                // The input in other case: nothing is nearer.
                break;
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Three rows of the distance table, reused for every candidate.
struct Rows {
    prev_prev: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    fn new(len: usize) -> Rows {
        Rows {
            prev_prev: Vec::with_capacity(len + 1),
            prev: Vec::with_capacity(len + 1),
            cur: Vec::with_capacity(len + 1),
        }
    }

    /// The Levenshtein distance of `a` and `b` with adjacent transpositions
    /// counted as one edit (optimal string alignment), when it is at most
    /// `limit`; `None` otherwise. Rows run over `a` (the input, at most
    /// [`MAX_CHARS`]), columns over `b`; only the cells within `limit` of
    /// the diagonal are computed (the others are past `limit` anyway), and
    /// a row whose every cell is past `limit` ends the search.
    fn distance_within(
        &mut self,
        a: &[char],
        b: &[char],
        limit: usize,
        cells: &mut u64,
    ) -> Option<usize> {
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        // A value past any distance within `limit`.
        let far = limit + 1;
        let width = b.len() + 1;
        for row in [&mut self.prev_prev, &mut self.prev, &mut self.cur] {
            row.clear();
            row.resize(width, far);
        }
        for (j, cell) in self.prev.iter_mut().enumerate().take(limit + 1) {
            *cell = j;
        }
        for i in 1..=a.len() {
            let lo = i.saturating_sub(limit).max(1);
            let hi = (i + limit).min(b.len());
            self.cur.fill(far);
            if i <= limit {
                self.cur[0] = i;
            }
            let mut row_min = self.cur[0];
            for j in lo..=hi {
                *cells += 1;
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (self.prev[j] + 1)
                    .min(self.cur[j - 1] + 1)
                    .min(self.prev[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(self.prev_prev[j - 2] + 1);
                }
                let d = d.min(far);
                self.cur[j] = d;
                row_min = row_min.min(d);
            }
            if row_min > limit {
                return None;
            }
            std::mem::swap(&mut self.prev_prev, &mut self.prev);
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        let d = self.prev[b.len()];
        (d <= limit).then_some(d)
    }
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

    /// The plain table, every cell, for comparison.
    fn full_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in t.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in t[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (t[i - 1][j] + 1)
                    .min(t[i][j - 1] + 1)
                    .min(t[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(t[i - 2][j - 2] + 1);
                }
                t[i][j] = d;
            }
        }
        t[a.len()][b.len()]
    }

    #[test]
    fn the_band_gives_the_full_tables_distance_within_the_limit() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "abcd",
            "badc",
            "tags",
            "tgas",
            "atgs",
            "tasg",
            "packages",
            "pakcages",
            "pcakages",
            "package",
            "packagesxy",
            "abcdefghi",
            "aXcXeXgXi",
            "abcXefXhX",
            "kitten",
            "sitting",
            "ca",
            "abc",
            "xyz",
        ];
        let mut rows = Rows::new(16);
        for a in words {
            for b in words {
                let ac: Vec<char> = a.chars().collect();
                let bc: Vec<char> = b.chars().collect();
                let full = full_distance(a, b);
                for limit in 0..6 {
                    let got = rows.distance_within(&ac, &bc, limit, &mut 0);
                    let want = (full <= limit).then_some(full);
                    assert_eq!(got, want, "{a:?} {b:?} within {limit}");
                }
            }
        }
    }

    #[test]
    fn a_large_input_is_bounded_work() {
        // 1,000 binaries with long names and a misspelt target as long:
        // the search once ran for minutes.
        let long: Vec<String> = (0..1_000)
            .map(|i| format!("{}{i:04}", "service".repeat(4_000)))
            .collect();
        let typo = format!("{}0x12", "service".repeat(4_000));
        let mut cells = 0;
        assert_eq!(
            closest_counting(&typo, long.iter().map(String::as_str), &mut cells),
            None
        );
        assert_eq!(cells, 0, "an input past MAX_CHARS is not compared");
        // Names just under the cap, each as near as a typo can be: each
        // costs at most its band, and the search stops at distance 1.
        let names: Vec<String> = (0..1_000)
            .map(|i| format!("{}{i:04}", "s".repeat(MAX_CHARS - 4)))
            .collect();
        let typo = format!("{}0x99", "s".repeat(MAX_CHARS - 4));
        let mut cells = 0;
        let found = closest_counting(&typo, names.iter().map(String::as_str), &mut 0);
        assert!(found.is_some_and(|f| f.starts_with("sss")), "{found:?}");
        let _ = closest_counting(
            &format!("{}zzzz", "q".repeat(MAX_CHARS - 4)),
            names.iter().map(String::as_str),
            &mut cells,
        );
        let limit = (MAX_CHARS / 3) as u64;
        let band = 2 * limit + 1;
        assert!(cells > 0);
        // A candidate far from the input stops once a whole row is past
        // the limit (here after limit + 1 rows), not after all of them.
        assert!(
            cells <= 1_000 * (limit + 1) * band,
            "{cells} cells for 1,000 candidates: no early exit"
        );
        // Long candidates against a short input are skipped uncounted.
        let mut cells = 0;
        assert_eq!(
            closest_counting("app", long.iter().map(String::as_str), &mut cells),
            None
        );
        assert_eq!(cells, 0);
    }
}

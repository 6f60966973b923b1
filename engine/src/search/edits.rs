//! Edit distances between terms (the optimal string alignment distance:
//! Damerau-Levenshtein with adjacent transpositions, unless they are off,
//! over characters), and a word's fuzzy neighbours as fuzzy queries,
//! fuzzy matches and their highlighting find them.

/// The edit distance between two terms over the whole table: the
/// reference [`edits_within`] is tested against.
#[cfg(test)]
fn edit_distance(a: &[char], b: &[char], transpositions: bool) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m]
}

/// The edit distance between two terms when it is at most `max`, else `None`, in time
/// proportional to the length times `max` and memory to `max`: only the
/// band of the table within `max` of its diagonal is computed, so long
/// values stay cheap.
pub(crate) fn edits_within(a: &[char], b: &[char], max: usize, transpositions: bool) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    let width = 2 * max + 1;
    let over = max + 1;
    // Row i keeps d[i][j] at index j + max - i, for the j within max of i;
    // anything outside the band is past `max` (`over`).
    let at = |row: &[usize], i: usize, j: usize| -> usize {
        match (j + max).checked_sub(i) {
            Some(k) if k < width && j <= m => row[k],
            _ => over,
        }
    };
    let mut before = vec![over; width];
    let mut previous: Vec<usize> = (0..width).map(|k| if k >= max { (k - max).min(over) } else { over }).collect();
    let mut current = vec![over; width];
    for i in 1..=n {
        for k in 0..width {
            let Some(j) = (i + k).checked_sub(max).filter(|j| *j <= m) else {
                current[k] = over;
                continue;
            };
            current[k] = if j == 0 {
                i.min(over)
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let left = if k > 0 { current[k - 1] } else { over };
                let mut d = (at(&previous, i - 1, j) + 1).min(at(&previous, i - 1, j - 1) + cost).min(left + 1);
                if transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(at(&before, i - 2, j - 2) + 1);
                }
                d.min(over)
            };
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let d = at(&previous, n, m);
    (d <= max).then_some(d)
}

/// A word and the terms near it: within `distance` edits, its first
/// `prefix` characters unchanged (a fuzzy query's expansions).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FuzzyWord {
    pub chars: Vec<char>,
    pub distance: usize,
    pub prefix: usize,
    pub transpositions: bool,
}

impl FuzzyWord {
    /// The edits from `term` to the word, when it is one of its neighbours.
    pub fn edits_to(&self, term: &str) -> Option<usize> {
        let term: Vec<char> = term.chars().collect();
        let fixed = &self.chars[..self.prefix.min(self.chars.len())];
        if !term.starts_with(fixed) {
            return None;
        }
        edits_within(&term, &self.chars, self.distance, self.transpositions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The banded distance agrees with the whole table wherever it is within the bound.
        #[test]
        fn edits_within_agrees_with_edit_distance(
            a in "[abc]{0,9}", b in "[abc]{0,9}", max in 0usize..4, transpositions in proptest::bool::ANY,
        ) {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let full = edit_distance(&a, &b, transpositions);
            proptest::prop_assert_eq!(edits_within(&a, &b, max, transpositions), (full <= max).then_some(full));
        }
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        let d = |a: &str, b: &str| edit_distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>(), true);
        assert_eq!(d("amsterdma", "amsterdam"), 1);
        assert_eq!(d("meetpu", "meetup"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("", "abc"), 3);
    }

    #[test]
    fn neighbours_keep_the_fixed_prefix() {
        let word = FuzzyWord { chars: "apple".chars().collect(), distance: 1, prefix: 1, transpositions: true };
        assert_eq!(word.edits_to("apple"), Some(0));
        assert_eq!(word.edits_to("appel"), Some(1));
        assert_eq!(word.edits_to("bpple"), None, "the first character is fixed");
        assert_eq!(word.edits_to("apricot"), None);
    }
}

//! The similarity measures of the term suggester's `string_distance`, as
//! Lucene's spell checker scores a candidate against the word it corrects
//! (1 for the same string, down to 0): `internal` and
//! `damerau_levenshtein` (edits, a transposition one edit, over the shorter
//! length), `levenshtein` (edits over the longer length), `jaro_winkler`
//! and `ngram` (Kondrak's bigram distance).

/// A `string_distance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StringDistance {
    #[default]
    Internal,
    DamerauLevenshtein,
    Levenshtein,
    JaroWinkler,
    NGram,
}

impl StringDistance {
    pub fn parse(name: &str) -> Option<StringDistance> {
        Some(match name {
            "internal" => StringDistance::Internal,
            "damerau_levenshtein" => StringDistance::DamerauLevenshtein,
            "levenshtein" => StringDistance::Levenshtein,
            "jaro_winkler" => StringDistance::JaroWinkler,
            "ngram" => StringDistance::NGram,
            _ => return None,
        })
    }

    /// How alike `candidate` is to `word`; `edits` is the candidate's
    /// edit distance (transpositions one edit), already known.
    pub fn similarity(self, word: &[char], candidate: &[char], edits: usize) -> f64 {
        match self {
            StringDistance::Internal | StringDistance::DamerauLevenshtein => {
                1.0 - edits as f64 / word.len().min(candidate.len()).max(1) as f64
            }
            StringDistance::Levenshtein => {
                let longest = word.len().max(candidate.len());
                if longest == 0 {
                    return 1.0;
                }
                1.0 - levenshtein(word, candidate) as f64 / longest as f64
            }
            StringDistance::JaroWinkler => jaro_winkler(word, candidate),
            StringDistance::NGram => ngram(word, candidate, 2),
        }
    }
}

/// Edits (insertions, deletions, substitutions) from `a` to `b`.
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Jaro-Winkler similarity, as Lucene computes it: matches within half the
/// longer length, half the out-of-order matches as transpositions, and a
/// bonus for the common prefix once the Jaro similarity passes 0.7.
fn jaro_winkler(a: &[char], b: &[char]) -> f64 {
    let (longer, shorter) = if a.len() > b.len() { (a, b) } else { (b, a) };
    let window = (longer.len() / 2).saturating_sub(1);
    let mut taken = vec![false; longer.len()];
    let mut shorter_matched = Vec::new();
    for (i, c) in shorter.iter().enumerate() {
        let from = i.saturating_sub(window);
        let to = (i + window + 1).min(longer.len());
        if let Some(j) = (from..to).find(|&j| !taken[j] && longer[j] == *c) {
            taken[j] = true;
            shorter_matched.push(*c);
        }
    }
    let matches = shorter_matched.len();
    if matches == 0 {
        return 0.0;
    }
    let longer_matched = longer.iter().zip(&taken).filter(|(_, t)| **t).map(|(c, _)| *c);
    let half_transpositions = shorter_matched.iter().zip(longer_matched).filter(|(x, y)| **x != *y).count() / 2;
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - half_transpositions as f64) / m) / 3.0;
    if jaro < 0.7 {
        jaro
    } else {
        jaro + (1.0 / longer.len() as f64).min(0.1) * prefix as f64 * (1.0 - jaro)
    }
}

/// Kondrak's n-gram similarity: an edit distance over the n-grams of the
/// two strings (the first ones padded), a mismatching n-gram costing the
/// share of its characters that differ, over the longer length. Strings
/// shorter than `n` compare character by character.
fn ngram(a: &[char], b: &[char], n: usize) -> f64 {
    let (sl, tl) = (a.len(), b.len());
    if sl == 0 || tl == 0 {
        return if sl == tl { 1.0 } else { 0.0 };
    }
    if sl < n || tl < n {
        let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
        return same as f64 / sl.max(tl) as f64;
    }
    const PAD: char = '\u{0}';
    let padded = |s: &[char]| -> Vec<char> { std::iter::repeat_n(PAD, n - 1).chain(s.iter().copied()).collect() };
    let (sa, ta) = (padded(a), padded(b));
    let mut previous: Vec<f64> = (0..=sl).map(|i| i as f64).collect();
    let mut current = vec![0.0; sl + 1];
    for j in 1..=tl {
        let gram = &ta[j - 1..j - 1 + n];
        current[0] = j as f64;
        for i in 1..=sl {
            let (mut cost, mut compared) = (0usize, n);
            for (x, y) in sa[i - 1..i - 1 + n].iter().zip(gram) {
                if x != y {
                    cost += 1;
                } else if *x == PAD {
                    // Matching padding says nothing.
                    compared -= 1;
                }
            }
            let edit = cost as f64 / compared as f64;
            current[i] = (current[i - 1] + 1.0).min(previous[i] + 1.0).min(previous[i - 1] + edit);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    1.0 - previous[sl] / tl.max(sl) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn score(d: StringDistance, a: &str, b: &str, edits: usize) -> f64 {
        d.similarity(&chars(a), &chars(b), edits)
    }

    #[test]
    fn edit_distances_over_the_shorter_or_the_longer_length() {
        assert_eq!(score(StringDistance::Internal, "abcd", "abce", 1), 0.75);
        assert_eq!(score(StringDistance::Internal, "abcd", "ab", 2), 0.0);
        assert_eq!(score(StringDistance::Levenshtein, "kitten", "sitting", 0), 1.0 - 3.0 / 7.0);
        assert_eq!(levenshtein(&chars("flaw"), &chars("lawn")), 2);
    }

    #[test]
    fn jaro_winkler_rewards_a_common_prefix() {
        let martha = score(StringDistance::JaroWinkler, "martha", "marhta", 0);
        assert!((martha - 0.9611).abs() < 1e-3, "{martha}");
        let dwayne = score(StringDistance::JaroWinkler, "dwayne", "duane", 0);
        assert!((dwayne - 0.84).abs() < 1e-2, "{dwayne}");
        assert_eq!(score(StringDistance::JaroWinkler, "abc", "xyz", 0), 0.0);
        assert_eq!(score(StringDistance::JaroWinkler, "same", "same", 0), 1.0);
    }

    #[test]
    fn ngram_similarity_is_one_for_the_same_string_and_falls_with_changes() {
        assert_eq!(score(StringDistance::NGram, "abcd", "abcd", 0), 1.0);
        let near = score(StringDistance::NGram, "abcd", "abce", 0);
        let far = score(StringDistance::NGram, "abcd", "wxyz", 0);
        assert!(near > far && near < 1.0 && far >= 0.0, "{near} {far}");
        assert_eq!(score(StringDistance::NGram, "a", "ab", 0), 0.5);
        assert_eq!(score(StringDistance::NGram, "", "", 0), 1.0);
    }
}

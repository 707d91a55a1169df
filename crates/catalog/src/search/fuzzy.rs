//! Typo tolerance over a run of sorted words: the edit distance between a query word and the
//! closest prefix of each word (`prefix_distance` in the parent module is the definition),
//! computed column by column along the word's characters, so that a word reuses the columns of
//! the previous word as far as they begin alike, and the words that begin like one whose result
//! was settled early (no prefix can come within the distance any more, a close prefix was
//! found, or the longest prefix that counts was reached) take its result without any work.
//!
//! A column is kept as bit sets, one per distance `d` up to the largest that matches: bit
//! `i - 1` of `within[d]` is set when the first `i` query characters are within distance `d`
//! of the word's first `j` characters (the table of `prefix_distance`, cell `d[i][j] <= d`).
//! Row 0 (no query character) is `j` and is not stored.

use super::{MAX_FUZZY_LEN, MatchQuality, same_or_folded};

/// Column 0 and one column per word character up to `query length + max distance`.
const COLS: usize = MAX_FUZZY_LEN + 3;
/// Distances 0, 1 and 2.
const LEVELS: usize = 3;

/// Distances from one query word to a sequence of words.
pub(super) struct PrefixMatcher<'q> {
    query: &'q [char],
    max: u8,
    /// The bits of the query's positions.
    rows: u32,
    /// For an ASCII word character: the bits of the query positions standing for it.
    ascii: [u32; 128],
    /// `within[j][d]`: the rows within distance `d` in column `j` (see the module
    /// documentation).
    within: [[u32; LEVELS]; COLS],
    /// `eq[j]`: the bits of the query positions that stand for the word's character `j - 1`.
    eq: [u32; COLS],
    /// `best[j]`: the smallest distance of the whole query to the word's first `j' <= j`
    /// characters, `max + 1` if beyond `max`.
    best: [u8; COLS],
    /// Columns `0..=valid` belong to the last word computed.
    valid: usize,
    /// The last word computed decided its result within this many characters: every word
    /// beginning with those characters has the same result.
    settled: usize,
    result: Option<MatchQuality>,
    /// A lower bound of the characters the last word computed and the current one begin with.
    common: usize,
}

impl<'q> PrefixMatcher<'q> {
    /// `query`: 1 to [`MAX_FUZZY_LEN`] characters; `max`: 1 or 2.
    pub(super) fn new(query: &'q [char], max: u8) -> Self {
        debug_assert!(!query.is_empty() && query.len() <= MAX_FUZZY_LEN && (1..=2).contains(&max));
        let mut ascii = [0u32; 128];
        for (i, &q) in query.iter().enumerate() {
            if let Some(slot) = usize::try_from(u32::from(q))
                .ok()
                .and_then(|c| ascii.get_mut(c))
            {
                *slot |= 1 << i;
            }
        }
        let rows = u32::MAX >> (32 - query.len().clamp(1, 32));
        // Column 0: query[..i] is i away from the empty prefix.
        let mut within = [[0u32; LEVELS]; COLS];
        for (d, bits) in within[0].iter_mut().enumerate() {
            *bits = ((1u32 << d) - 1) & rows;
        }
        let mut best = [0u8; COLS];
        best[0] = if query.len() <= usize::from(max) {
            u8::try_from(query.len()).unwrap_or(u8::MAX)
        } else {
            max + 1
        };
        Self {
            query,
            max,
            rows,
            ascii,
            within,
            eq: [0; COLS],
            best,
            valid: 0,
            settled: usize::MAX,
            result: None,
            common: 0,
        }
    }

    /// The largest distance that matches.
    pub(super) fn max(&self) -> u8 {
        self.max
    }

    /// The next word does not follow the previous one given.
    pub(super) fn restart(&mut self) {
        self.common = 0;
    }

    /// A word passed over (found too far by other means); `shared`: the characters it begins
    /// with like the word before it.
    pub(super) fn pass(&mut self, shared: u8) {
        self.common = self.common.min(usize::from(shared));
    }

    /// The quality with which the query matches a prefix of `word` (`Fuzzy1` within distance
    /// 1, `Fuzzy2` within 2, if `max` allows), `None` beyond; `shared`: the characters `word`
    /// begins with like the word before it.
    pub(super) fn quality(&mut self, word: &str, shared: u8) -> Option<MatchQuality> {
        self.common = self.common.min(usize::from(shared));
        if self.common >= self.settled {
            return self.result;
        }
        let limit = self.query.len() + usize::from(self.max);
        let reuse = self.common.min(self.valid);
        self.common = usize::MAX;
        self.settled = usize::MAX;
        let mut j = reuse;
        for c in word.chars().skip(reuse) {
            j += 1;
            self.column(j, c);
            if j == 1 && self.eq[1] & 1 == 0 {
                // The first letter must match.
                self.valid = 1;
                self.settled = 1;
                self.result = None;
                return None;
            }
            if self.best[j] <= 1 || j == limit || (!self.alive(j) && !self.alive(j - 1)) {
                self.settled = j;
                break;
            }
        }
        // (A word that is a prefix of the previous one ends within the reused columns.)
        self.valid = j;
        self.result = match self.best[j] {
            0 | 1 => Some(MatchQuality::Fuzzy1),
            d if d <= self.max => Some(MatchQuality::Fuzzy2),
            _ => None,
        };
        self.result
    }

    /// Whether some cell of column `j` is within `max` (row 0 is `j`). When two neighbouring
    /// columns have none, no later column has any: every step adds to a cell of one of them.
    fn alive(&self, j: usize) -> bool {
        j <= usize::from(self.max) || self.within[j][usize::from(self.max)] != 0
    }

    /// The query positions standing for word character `c`.
    fn positions(&self, c: char) -> u32 {
        match usize::try_from(u32::from(c))
            .ok()
            .and_then(|i| self.ascii.get(i))
        {
            Some(&bits) => bits,
            None => self
                .query
                .iter()
                .enumerate()
                .filter(|&(_, &q)| same_or_folded(q, c))
                .fold(0, |bits, (i, _)| bits | 1 << i),
        }
    }

    /// Computes column `j` (`1..COLS`) for word character `c` from columns `j - 1` and `j - 2`.
    ///
    /// Cell `(i, j)` is within `d` if `(i - 1, j - 1)` is within `d` and the characters match,
    /// or within `d - 1`: `(i - 1, j - 1)` (substitution), `(i, j - 1)` (a word character
    /// more), `(i - 1, j)` (a query character more) or `(i - 2, j - 2)` with the two characters
    /// swapped. Shifting a column left by one moves row `i - 1` to row `i`, with row 0 (`j`)
    /// coming in.
    fn column(&mut self, j: usize, c: char) {
        let eq = self.positions(c);
        self.eq[j] = eq;
        let max = usize::from(self.max);
        // Bit i - 1: query[i - 1] stands for the previous word character and query[i - 2]
        // for this one (a swap of neighbours).
        let swap = if j > 1 { self.eq[j - 1] & (eq << 1) } else { 0 };
        let prev = self.within[j - 1];
        let prev2 = if j > 1 {
            self.within[j - 2]
        } else {
            [0; LEVELS]
        };
        // Row 0 shifted in: column k's row 0 is k, within d if k <= d.
        let row0 = |k: usize, d: usize| u32::from(k <= d);
        let mut cur = [0u32; LEVELS];
        for d in 0..=max {
            let mut bits = ((prev[d] << 1) | row0(j - 1, d)) & eq;
            if d > 0 {
                let e = d - 1;
                bits |= (prev[e] << 1) | row0(j - 1, e);
                bits |= prev[e];
                bits |= (cur[e] << 1) | row0(j, e);
                if j > 1 {
                    bits |= ((prev2[e] << 2) | (row0(j - 2, e) << 1)) & swap;
                }
            }
            cur[d] = bits & self.rows;
        }
        self.within[j] = cur;
        let last = 1u32 << (self.query.len() - 1);
        let here = (0..=max)
            .find(|&d| cur[d] & last != 0)
            .map_or(self.max + 1, |d| u8::try_from(d).unwrap_or(u8::MAX));
        self.best[j] = self.best[j - 1].min(here);
    }
}

#[cfg(test)]
mod tests {
    use super::super::prefix_distance;
    use super::*;

    /// A small deterministic generator.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(self.0 >> 33).unwrap_or(0) % n
        }
    }

    const LETTERS: &[char] = &['a', 'e', 'l', 'n', 'o', 's', 'å', 'ä', 'ö'];

    fn word(rng: &mut Lcg, len: usize) -> String {
        (0..len)
            .map(|_| LETTERS[rng.below(LETTERS.len())])
            .collect()
    }

    fn shared(a: &str, b: &str) -> u8 {
        let n = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        u8::try_from(n).unwrap_or(u8::MAX)
    }

    /// The matcher, walking sorted words with work shared between them and some words passed
    /// over, agrees with the definition on every word it is asked about.
    #[test]
    fn agrees_with_the_definition() {
        let mut rng = Lcg(7);
        let mut words: Vec<String> = (0..3000)
            .map(|_| {
                let len = 1 + rng.below(12);
                word(&mut rng, len)
            })
            .collect();
        words.sort();
        words.dedup();
        let mut checked = 0;
        for _ in 0..300 {
            let len = 1 + rng.below(10);
            let query: Vec<char> = word(&mut rng, len).chars().collect();
            let max = if len >= 8 { 2 } else { 1 };
            let mut matcher = PrefixMatcher::new(&query, max);
            matcher.restart();
            let mut previous = "";
            for w in &words {
                let s = shared(previous, w);
                previous = w;
                if rng.below(4) == 0 {
                    matcher.pass(s);
                    continue;
                }
                let expected = prefix_distance(&query, w, usize::from(max)).map(|d| {
                    if d <= 1 {
                        MatchQuality::Fuzzy1
                    } else {
                        MatchQuality::Fuzzy2
                    }
                });
                let query_text: String = query.iter().collect();
                assert_eq!(
                    matcher.quality(w, s),
                    expected,
                    "{query_text:?} against {w:?}"
                );
                checked += usize::from(expected.is_some());
            }
        }
        assert!(checked > 100, "the cases reach matches: {checked}");
    }
}

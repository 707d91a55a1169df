//! The in-memory, as-you-type product search ("Sök läkemedel, livsmedel eller
//! ickeläkemedelsvara", SPEC §3).
//!
//! # Matching
//!
//! Text is normalised to lower case, with diacritics other than å, ä and ö removed (é → e,
//! ü → u, ø → ö, æ → ä) and split into words at every character that is not a letter or digit.
//! A product's words come from its name, strength, form, substances, ATC code, NPL-id, and
//! its packages' NPL-pack-ids and varunummer.
//!
//! Every word of the query must match some word of the product:
//!
//! | quality | the query word … |
//! | --- | --- |
//! | [`MatchQuality::Exact`] | equals the product word |
//! | [`MatchQuality::ExactFolded`] | equals it when "a" stands for "å"/"ä" and "o" for "ö" |
//! | [`MatchQuality::Prefix`] | is a prefix of the product word |
//! | [`MatchQuality::PrefixFolded`] | is a prefix with "a" for "å"/"ä", "o" for "ö" |
//! | [`MatchQuality::Fuzzy1`], [`MatchQuality::Fuzzy2`] | is within edit distance 1 (query word ≥ 4 letters) or 2 (≥ 8 letters) of a prefix of a product word starting with the same letter; words with digits are never fuzzy |
//!
//! The folding works one way: typing "a" finds "å", typing "å" does not find "a".
//! Edit distance counts insertions, deletions, substitutions and swaps of two neighbours.
//!
//! # Ranking
//!
//! By the worst word quality, then the sum of the word qualities; among equals a product on
//! the REK-list of the given region first, then available before unavailable, then by name
//! (then strength, numerically, form and NPL-id).
//!
//! # Filters
//!
//! [`SearchOptions::kind`] keeps one [`ProductKind`]; unless
//! [`SearchOptions::include_unavailable`] is set ("Inkludera ej tillgängliga produkter"),
//! products not marketed, sales-stopped or withdrawn (or without an available package) are
//! hidden, and so are unavailable packages of the products shown.
//!
//! # Cost
//!
//! Building sorts all distinct words once. A query does binary searches over the sorted words,
//! walks the posting lists of the matching words into one flat per-product array per query
//! word, and sorts only the matching products (a partial sort down to the limit).

use std::collections::{BTreeMap, HashMap, HashSet};

use erecept_domain::County;

use crate::catalog::Catalog;
use crate::model::{NarcoticsClass, Package, Product, ProductKind};
use crate::rek::{RekLists, RekTarget};

/// How well a query word matched; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchQuality {
    Exact = 0,
    ExactFolded = 1,
    Prefix = 2,
    PrefixFolded = 3,
    Fuzzy1 = 4,
    Fuzzy2 = 5,
}

impl MatchQuality {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Exact,
            1 => Self::ExactFolded,
            2 => Self::Prefix,
            3 => Self::PrefixFolded,
            4 => Self::Fuzzy1,
            _ => Self::Fuzzy2,
        }
    }
}

const NO_MATCH: u8 = u8::MAX;
/// Query words beyond this many are ignored.
const MAX_QUERY_WORDS: usize = 8;
/// Longest query word that is matched fuzzily (longer ones match exactly or by prefix).
const MAX_FUZZY_LEN: usize = 32;

/// What to search for besides the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOptions {
    /// Only this kind (läkemedel, livsmedel, ickeläkemedelsvaror); `None`: all.
    pub kind: Option<ProductKind>,
    /// "Inkludera ej tillgängliga produkter" (off by default).
    pub include_unavailable: bool,
    /// The workplace's region: its REK-list ranks first and sets [`Hit::rek`].
    pub region: Option<County>,
    /// At most this many hits.
    pub limit: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            kind: None,
            include_unavailable: false,
            region: None,
            limit: 50,
        }
    }
}

/// One product found, with what SPEC §3 says a hit shows: name, form, strength (in
/// [`Hit::product`]), the packages to show (size, varunummer, price), REK, narcotics class,
/// licence product and förmån.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a> {
    pub product: &'a Product,
    /// The packages to show: the available ones, or all with `include_unavailable`.
    pub packages: Vec<&'a Package>,
    /// On the REK-list of the region in [`SearchOptions::region`].
    pub rek: bool,
    /// [`Product::is_available`].
    pub available: bool,
    /// In the drug-benefit scheme: `Some(true)` if a shown package is, `Some(false)` if every
    /// shown package is known not to be, else `None`.
    pub in_benefit_scheme: Option<bool>,
    /// The worst quality among the query words.
    pub quality: MatchQuality,
}

impl Hit<'_> {
    pub fn name(&self) -> &str {
        &self.product.name
    }
    pub fn form(&self) -> &str {
        &self.product.form
    }
    pub fn strength(&self) -> &str {
        &self.product.strength
    }
    pub fn narcotics_class(&self) -> NarcoticsClass {
        self.product.narcotics_class
    }
    pub fn licence_product(&self) -> bool {
        self.product.licence_product
    }
}

struct Term {
    /// Normalised word (å, ä, ö kept).
    exact: Box<str>,
    /// `exact` with å, ä → a and ö → o; the sort key.
    folded: Box<str>,
    /// Range in `SearchIndex::postings`.
    start: u32,
    end: u32,
    /// Letters of `folded` (see [`letter_mask`]), to skip hopeless fuzzy candidates cheaply.
    letters: u32,
}

struct Meta {
    kind: ProductKind,
    available: bool,
    name_rank: u32,
}

/// Digits a query word needs before it prefix-matches NPL-ids (a varunummer has six).
const MIN_ID_PREFIX: usize = 6;
const NPL_ID_LEN: usize = 14;

/// The search index over a catalogue snapshot. Rebuild it after an import.
pub struct SearchIndex {
    products: Vec<Product>,
    meta: Vec<Meta>,
    /// Sorted by (folded, exact).
    terms: Vec<Term>,
    /// Product indices per term, ascending.
    postings: Vec<u32>,
    /// Per region: whether each product is on its REK-list.
    rek: BTreeMap<County, Vec<bool>>,
}

impl SearchIndex {
    pub fn build(catalog: &Catalog, rek: &RekLists) -> Self {
        let products: Vec<Product> = catalog.products().to_vec();

        // Words → products.
        let mut words: HashMap<String, Vec<u32>> = HashMap::new();
        let mut buf = Vec::new();
        for (i, p) in products.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            buf.clear();
            product_words(p, &mut buf);
            for w in buf.drain(..) {
                let list = words.entry(w).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let mut entries: Vec<(String, String, Vec<u32>)> = words
            .into_iter()
            .map(|(exact, list)| (fold(&exact), exact, list))
            .collect();
        entries.sort_unstable_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let mut postings = Vec::with_capacity(entries.iter().map(|e| e.2.len()).sum());
        let mut terms = Vec::with_capacity(entries.len());
        for (folded, exact, list) in entries {
            let start = u32::try_from(postings.len()).unwrap_or(u32::MAX);
            postings.extend_from_slice(&list);
            let end = u32::try_from(postings.len()).unwrap_or(u32::MAX);
            terms.push(Term {
                letters: letter_mask(&folded),
                exact: exact.into_boxed_str(),
                folded: folded.into_boxed_str(),
                start,
                end,
            });
        }

        // Name order for the tie-break.
        let mut order: Vec<usize> = (0..products.len()).collect();
        let sort_keys: Vec<(String, u64, String, String)> = products
            .iter()
            .map(|p| {
                (
                    fold(&normalise(&p.name)),
                    leading_number(&p.strength),
                    p.strength.to_lowercase(),
                    p.form.to_lowercase(),
                )
            })
            .collect();
        order.sort_by(|&a, &b| {
            sort_keys[a]
                .cmp(&sort_keys[b])
                .then_with(|| products[a].npl_id.cmp(&products[b].npl_id))
        });
        let mut name_rank = vec![0u32; products.len()];
        for (rank, &i) in order.iter().enumerate() {
            name_rank[i] = u32::try_from(rank).unwrap_or(u32::MAX);
        }
        let meta = products
            .iter()
            .zip(name_rank)
            .map(|(p, name_rank)| Meta {
                kind: p.kind,
                available: p.is_available(),
                name_rank,
            })
            .collect();

        let rek = rek
            .regions
            .iter()
            .map(|(county, list)| {
                let mut varunummer = HashSet::new();
                let mut npl = HashSet::new();
                let mut atc = HashSet::new();
                for e in &list.entries {
                    match &e.target {
                        RekTarget::Varunummer(v) => {
                            varunummer.insert(*v);
                        }
                        RekTarget::Product(id) => {
                            npl.insert(*id);
                        }
                        RekTarget::Substance(code) => {
                            atc.insert(code.clone());
                        }
                    }
                }
                let flags = products
                    .iter()
                    .map(|p| {
                        npl.contains(&p.npl_id)
                            || p.atc.as_ref().is_some_and(|a| atc.contains(a))
                            || p.packages
                                .iter()
                                .any(|k| k.varunummer.is_some_and(|v| varunummer.contains(&v)))
                    })
                    .collect();
                (*county, flags)
            })
            .collect();

        Self {
            products,
            meta,
            terms,
            postings,
            rek,
        }
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// Number of distinct words indexed.
    pub fn word_count(&self) -> usize {
        self.terms.len()
    }

    /// The products matching `query`, best first (see the module documentation).
    pub fn search(&self, query: &str, options: &SearchOptions) -> Vec<Hit<'_>> {
        let mut words = Vec::new();
        tokenize(query, &mut words);
        words.truncate(MAX_QUERY_WORDS);
        if words.is_empty() || options.limit == 0 || self.products.is_empty() {
            return Vec::new();
        }
        let n = self.products.len();
        // worst[p]: worst quality so far, NO_MATCH if some word did not match.
        let mut worst = vec![0u8; n];
        let mut sum = vec![0u16; n];
        let mut current = vec![NO_MATCH; n];
        for (w, word) in words.iter().enumerate() {
            if w > 0 {
                current.fill(NO_MATCH);
            }
            self.match_word(word, &mut current);
            for p in 0..n {
                if worst[p] == NO_MATCH {
                    continue;
                }
                let q = current[p];
                if q == NO_MATCH {
                    worst[p] = NO_MATCH;
                } else {
                    worst[p] = worst[p].max(q);
                    sum[p] += u16::from(q);
                }
            }
        }

        let rek = options.region.and_then(|r| self.rek.get(&r));
        let mut found: Vec<(u64, u32)> = Vec::new();
        for p in 0..n {
            if worst[p] == NO_MATCH {
                continue;
            }
            let meta = &self.meta[p];
            if options.kind.is_some_and(|k| k != meta.kind) {
                continue;
            }
            if !options.include_unavailable && !meta.available {
                continue;
            }
            let on_rek = rek.is_some_and(|flags| flags[p]);
            let key = (u64::from(worst[p]) << 56)
                | (u64::from(sum[p]) << 40)
                | (u64::from(!on_rek) << 33)
                | (u64::from(!meta.available) << 32)
                | u64::from(meta.name_rank);
            found.push((key, u32::try_from(p).unwrap_or(u32::MAX)));
        }
        if found.len() > options.limit {
            found.select_nth_unstable(options.limit - 1);
            found.truncate(options.limit);
        }
        found.sort_unstable();
        found
            .into_iter()
            .filter_map(|(key, p)| {
                let p = usize::try_from(p).ok()?;
                let product = self.products.get(p)?;
                let packages: Vec<&Package> = product
                    .packages
                    .iter()
                    .filter(|k| options.include_unavailable || k.available)
                    .collect();
                let in_benefit_scheme =
                    if packages.iter().any(|k| k.in_benefit_scheme == Some(true)) {
                        Some(true)
                    } else if !packages.is_empty()
                        && packages.iter().all(|k| k.in_benefit_scheme == Some(false))
                    {
                        Some(false)
                    } else {
                        None
                    };
                Some(Hit {
                    product,
                    packages,
                    rek: rek.is_some_and(|flags| flags[p]),
                    available: self.meta[p].available,
                    in_benefit_scheme,
                    quality: MatchQuality::from_u8(u8::try_from(key >> 56).unwrap_or(5)),
                })
            })
            .collect()
    }

    /// Sets `best[p]` to the best quality with which `word` matches a word of product `p`.
    fn match_word(&self, word: &str, best: &mut [u8]) {
        let folded = fold(word);
        let (lo, hi) = self.prefix_range(&folded);
        // A short number ("20" in "simvastatin 20 mg") is a strength or the start of a
        // varunummer, not of an NPL-id: those begin with a date (20…), so it would prefix-match
        // nearly all of them and drown the search. NPL-ids are found from six digits on.
        let short_number = word.len() < MIN_ID_PREFIX && word.bytes().all(|b| b.is_ascii_digit());
        for term in &self.terms[lo..hi] {
            if short_number
                && term.exact.len() >= NPL_ID_LEN
                && *term.exact != *word
                && term.exact.bytes().all(|b| b.is_ascii_digit())
            {
                continue;
            }
            let quality = if *term.exact == *word {
                MatchQuality::Exact
            } else if term.exact.starts_with(word) {
                MatchQuality::Prefix
            } else if folds_to(word, &term.exact) {
                if term.exact.chars().count() == word.chars().count() {
                    MatchQuality::ExactFolded
                } else {
                    MatchQuality::PrefixFolded
                }
            } else {
                continue;
            };
            self.mark(term, quality as u8, best);
        }

        // Typo tolerance: words of letters only, among product words with the same first
        // (folded) letter that did not already match by prefix.
        let query: Vec<char> = word.chars().collect();
        let max_distance = match query.len() {
            0..=3 => return,
            4..=7 => 1,
            _ => 2,
        };
        if query.len() > MAX_FUZZY_LEN || !query.iter().all(|c| c.is_alphabetic()) {
            return;
        }
        let mut first = String::new();
        if let Some(c) = folded.chars().next() {
            first.push(c);
        }
        let (flo, fhi) = self.prefix_range(&first);
        let query_letters = letter_mask(&folded);
        for (i, term) in self.terms[flo..fhi].iter().enumerate() {
            let i = flo + i;
            if (lo..hi).contains(&i) {
                continue;
            }
            // Each distinct query letter missing from the whole word costs at least one edit.
            if (query_letters & !term.letters).count_ones() as usize > max_distance {
                continue;
            }
            if let Some(d) = prefix_distance(&query, &term.exact, max_distance) {
                let quality = if d <= 1 {
                    MatchQuality::Fuzzy1
                } else {
                    MatchQuality::Fuzzy2
                };
                self.mark(term, quality as u8, best);
            }
        }
    }

    fn mark(&self, term: &Term, quality: u8, best: &mut [u8]) {
        let start = usize::try_from(term.start).unwrap_or(0);
        let end = usize::try_from(term.end).unwrap_or(0);
        for &p in self.postings.get(start..end).unwrap_or_default() {
            if let Some(b) = best.get_mut(usize::try_from(p).unwrap_or(usize::MAX)) {
                *b = (*b).min(quality);
            }
        }
    }

    /// The range of terms whose folded form starts with `folded_prefix`.
    fn prefix_range(&self, folded_prefix: &str) -> (usize, usize) {
        let lo = self.terms.partition_point(|t| &*t.folded < folded_prefix);
        let len = self.terms[lo..].partition_point(|t| t.folded.starts_with(folded_prefix));
        (lo, lo + len)
    }
}

/// Lower case, diacritics other than å/ä/ö removed; other characters unchanged.
fn normalise_char(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        out.push(match l {
            'á' | 'à' | 'â' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'ç' => 'c',
            'ñ' => 'n',
            'ø' => 'ö',
            'æ' => 'ä',
            other => other,
        });
    }
}

/// The normalised text (see the module documentation).
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        normalise_char(c, &mut out);
    }
    out
}

/// å, ä → a; ö → o (on normalised text).
pub fn fold(normalised: &str) -> String {
    normalised
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            other => other,
        })
        .collect()
}

/// Splits text into normalised words (letters and digits).
pub fn tokenize(text: &str, out: &mut Vec<String>) {
    let mut word = String::new();
    let mut norm = String::new();
    for c in text.chars() {
        norm.clear();
        normalise_char(c, &mut norm);
        for n in norm.chars() {
            if n.is_alphanumeric() {
                word.push(n);
            } else if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
}

fn product_words(p: &Product, out: &mut Vec<String>) {
    tokenize(&p.name, out);
    tokenize(&p.strength, out);
    tokenize(&p.form, out);
    for s in &p.substances {
        tokenize(s, out);
    }
    if let Some(atc) = &p.atc {
        out.push(atc.as_str().to_lowercase());
    }
    out.push(p.npl_id.as_str().to_owned());
    for pack in &p.packages {
        out.push(pack.npl_pack_id.as_str().to_owned());
        if let Some(v) = pack.varunummer {
            out.push(v.as_str().to_owned());
        }
    }
}

/// One bit per letter a–z of folded text (other characters share bit 26).
fn letter_mask(folded: &str) -> u32 {
    folded.chars().fold(0, |mask, c| {
        let bit = if c.is_ascii_lowercase() {
            u32::from(c) - u32::from('a')
        } else {
            26
        };
        mask | (1 << bit)
    })
}

/// Whether query character `q` stands for product character `t`.
fn same_or_folded(q: char, t: char) -> bool {
    q == t || (q == 'a' && matches!(t, 'å' | 'ä')) || (q == 'o' && t == 'ö')
}

/// Whether `query` is a prefix of `term` when "a" may stand for å/ä and "o" for ö.
fn folds_to(query: &str, term: &str) -> bool {
    let mut t = term.chars();
    query
        .chars()
        .all(|q| t.next().is_some_and(|tc| same_or_folded(q, tc)))
}

/// The smallest edit distance (insert, delete, substitute, swap neighbours) between `query` and
/// a prefix of `term` that starts with the same letter, if at most `max`.
fn prefix_distance(query: &[char], term: &str, max: usize) -> Option<usize> {
    const W: usize = MAX_FUZZY_LEN + 3;
    let m = query.len();
    if m > MAX_FUZZY_LEN || max > 2 {
        return None;
    }
    let mut t = ['\0'; W];
    let mut n = 0;
    for c in term.chars().take(m + max) {
        t[n] = c;
        n += 1;
    }
    if n + max < m || !same_or_folded(query[0], t[0]) {
        return None;
    }
    // Three rows of the optimal-string-alignment table: d[i][j] for query[..i], term[..j].
    let mut prev2 = [0usize; W + 1];
    let mut prev = [0usize; W + 1];
    let mut cur = [0usize; W + 1];
    for (j, v) in prev.iter_mut().enumerate().take(n + 1) {
        *v = j;
    }
    let mut prev_min = 0;
    for i in 1..=m {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(!same_or_folded(query[i - 1], t[j - 1]));
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1
                && j > 1
                && same_or_folded(query[i - 1], t[j - 2])
                && same_or_folded(query[i - 2], t[j - 1])
            {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max && prev_min > max {
            return None;
        }
        prev_min = row_min;
        prev2 = prev;
        prev = cur;
    }
    let best = prev[..=n].iter().copied().min().unwrap_or(usize::MAX);
    (best <= max).then_some(best)
}

/// The leading number of a strength in thousandths ("2,5 mg" → 2500), for natural order;
/// `u64::MAX` if there is none.
fn leading_number(strength: &str) -> u64 {
    let s = strength.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.' || c == ' '))
        .unwrap_or(s.len());
    let digits: String = s[..end].chars().filter(|c| *c != ' ').collect();
    crate::model::Quantity::parse(digits.trim_end_matches([',', '.']))
        .map_or(u64::MAX, |q| q.thousandths())
}

#[cfg(test)]
mod tests;

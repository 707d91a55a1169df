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
//! Building sorts all distinct words once and numbers the products in the order of the last
//! tie-breaks (available first, then by name), so that a product's number is its rank among
//! equals and the postings of available products come first. A query does binary searches
//! over the sorted words (long numbers, the NPL-ids, apart) and walks the typo candidates with
//! shared work between words that begin alike (see `fuzzy`). The query word with the fewest
//! postings gives the candidates; every other word either marks its postings or, when that is
//! cheaper, is looked up among the candidates' own words. Only the best `limit` candidates
//! are sorted (a selection first).

use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::sync::Mutex;

use erecept_domain::County;

use crate::catalog::Catalog;
use crate::model::{NarcoticsClass, Package, Product, ProductKind};
use crate::rek::{RekLists, RekTarget};

mod fuzzy;

use fuzzy::PrefixMatcher;

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

/// Sorted words, their text in one buffer in the same order (for locality when a range of
/// them is walked).
#[derive(Default)]
struct Terms {
    list: Vec<Term>,
    text: String,
}

struct Term {
    /// `text[exact_at..folded_at]`: the normalised word (å, ä, ö kept).
    exact_at: u32,
    /// `text[folded_at..folded_end]`: the word with å, ä → a and ö → o, the sort key (the
    /// same bytes as the exact word when there is nothing to fold).
    folded_at: u32,
    folded_end: u32,
    /// Range in `SearchIndex::postings`: `start..available_end` the available products,
    /// `available_end..end` the others.
    start: u32,
    available_end: u32,
    end: u32,
    /// Letters of the folded word (see [`letter_mask`]), to skip hopeless fuzzy candidates.
    letters: u32,
    /// Characters the exact word begins with like the previous term's (at most 255).
    shared: u8,
}

impl Terms {
    fn push(&mut self, exact: &str, folded: &str, postings: (u32, u32, u32)) {
        let shared = self.list.last().map_or(0, |prev| {
            let n = self
                .exact(prev)
                .chars()
                .zip(exact.chars())
                .take_while(|(a, b)| a == b)
                .count();
            u8::try_from(n).unwrap_or(u8::MAX)
        });
        let exact_at = to_u32(self.text.len());
        self.text.push_str(exact);
        let folded_at = if folded == exact {
            exact_at
        } else {
            let at = to_u32(self.text.len());
            self.text.push_str(folded);
            at
        };
        let (start, available_end, end) = postings;
        self.list.push(Term {
            exact_at,
            folded_at,
            folded_end: folded_at + to_u32(folded.len()),
            start,
            available_end,
            end,
            letters: letter_mask(folded),
            shared,
        });
    }

    fn exact(&self, t: &Term) -> &str {
        let end = if t.folded_at == t.exact_at {
            t.folded_end
        } else {
            t.folded_at
        };
        self.text
            .get(to_usize(t.exact_at)..to_usize(end))
            .unwrap_or_default()
    }

    fn folded(&self, t: &Term) -> &str {
        self.text
            .get(to_usize(t.folded_at)..to_usize(t.folded_end))
            .unwrap_or_default()
    }

    /// The range of terms whose folded form starts with `folded_prefix`.
    fn prefix_range(&self, folded_prefix: &str) -> (usize, usize) {
        let lo = self
            .list
            .partition_point(|t| self.folded(t) < folded_prefix);
        let len = self.list[lo..].partition_point(|t| self.folded(t).starts_with(folded_prefix));
        (lo, lo + len)
    }
}

/// Digits a query word needs before it prefix-matches NPL-ids (a varunummer has six).
const MIN_ID_PREFIX: usize = 6;
const NPL_ID_LEN: usize = 14;

/// A word of [`NPL_ID_LEN`] or more digits: an NPL-id or NPL-pack-id (or the like), kept
/// apart so that short numbers never walk them.
fn is_long_number(word: &str) -> bool {
    word.len() >= NPL_ID_LEN && word.bytes().all(|b| b.is_ascii_digit())
}

/// A candidate's sort key, smallest first: the worst quality of its words (bits 56..64), the
/// sum of their qualities (40..56), not on the REK-list (32) and the product number (0..32),
/// which orders the rest of the ties (see [`SearchIndex`]).
fn key(quality: u8, on_rek: bool, product: u32) -> u64 {
    (u64::from(quality) << 56)
        | (u64::from(quality) << 40)
        | (u64::from(!on_rek) << 32)
        | u64::from(product)
}

/// The `limit` smallest keys, ascending.
fn smallest(keys: &[u64], limit: usize) -> Vec<u64> {
    if keys.len() <= limit {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        return keys;
    }
    // A max-heap of the best so far: most keys lose against its top at once.
    let mut heap = BinaryHeap::with_capacity(limit + 1);
    for &key in keys {
        if heap.len() < limit {
            heap.push(key);
        } else if let Some(mut top) = heap.peek_mut()
            && key < *top
        {
            *top = key;
        }
    }
    heap.into_sorted_vec()
}

/// `key` with one more word matched with `quality`.
fn add_quality(key: u64, quality: u8) -> u64 {
    let worst = (key >> 56).max(u64::from(quality));
    ((key & ((1 << 56) - 1)) | (worst << 56)) + (u64::from(quality) << 40)
}

fn key_product(key: u64) -> u32 {
    u32::try_from(key & u64::from(u32::MAX)).unwrap_or(u32::MAX)
}

fn key_quality(key: u64) -> MatchQuality {
    MatchQuality::from_u8(u8::try_from(key >> 56).unwrap_or(u8::MAX))
}

/// What one query word matches.
#[derive(Default)]
struct WordMatch {
    /// The terms matched, ascending by number; terms without postings left out.
    terms: Vec<TermMatch>,
    /// Postings of those terms (available products only, unless unavailable are included).
    postings: usize,
}

#[derive(Clone, Copy)]
struct TermMatch {
    term: u32,
    quality: u8,
    /// The range of its postings in `SearchIndex::postings` (available products only, unless
    /// unavailable are included).
    start: u32,
    end: u32,
}

/// A quality level of a single query word with at least 1 / `SCAN_FACTOR` as many postings as
/// there are products is found again by scanning all products rather than by sorting.
const SCAN_FACTOR: usize = 16;

/// One bit per product.
struct Bits(Vec<u64>);

impl Bits {
    fn from_flags(flags: impl Iterator<Item = bool>) -> Self {
        let mut words = Vec::new();
        for (i, flag) in flags.enumerate() {
            if i % 64 == 0 {
                words.push(0);
            }
            if flag && let Some(w) = words.last_mut() {
                *w |= 1 << (i % 64);
            }
        }
        Self(words)
    }

    fn get(&self, p: u32) -> bool {
        let p = to_usize(p);
        self.0.get(p / 64).is_some_and(|w| (w >> (p % 64)) & 1 == 1)
    }

    /// The products whose bit is set, ascending.
    fn ones(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &w)| {
            let base = to_u32(i * 64);
            let mut rest = w;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    base + bit
                })
            })
        })
    }
}

/// Working memory of one search, kept for the next (see `SearchIndex::scratch`).
#[derive(Default)]
struct Scratch {
    /// Per product: the best quality found; all [`NO_MATCH`] between searches.
    best: Vec<u8>,
    /// What each query word matches.
    matches: Vec<WordMatch>,
    /// Products found.
    products: Vec<u32>,
    /// Candidates' sort keys.
    keys: Vec<u64>,
}

/// Working memory kept for at most this many searches at a time.
const MAX_SCRATCH: usize = 16;

/// A word matched this many times fewer than it has postings is looked up among the
/// candidates' words rather than marked over its postings.
const LOOKUP_FACTOR: usize = 8;

/// The search index over a catalogue snapshot. Rebuild it after an import.
///
/// Products are numbered by rank among equals: the available ones first, each group by name
/// (then strength, numerically, form and NPL-id). Term numbers: `words` first, then `ids`.
pub struct SearchIndex {
    /// In rank order.
    products: Vec<Product>,
    kinds: Vec<ProductKind>,
    /// Products `0..available` are available.
    available: u32,
    /// Sorted by (folded, exact); no long numbers.
    words: Terms,
    /// The long numbers (see [`is_long_number`]), sorted.
    ids: Terms,
    /// Product numbers per term, ascending.
    postings: Vec<u32>,
    /// Term numbers per product, ascending: `product_terms[product_start[p]..product_start[p + 1]]`.
    product_terms: Vec<u32>,
    product_start: Vec<u32>,
    /// Per region: whether each product is on its REK-list.
    rek: BTreeMap<County, Bits>,
    /// Working memory of finished searches, so that a search allocates little (a large
    /// allocation costs more than the search on a heap fragmented by the build).
    scratch: Mutex<Vec<Scratch>>,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn to_usize(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl SearchIndex {
    pub fn build(catalog: &Catalog, rek: &RekLists) -> Self {
        let source = catalog.products();

        // Rank order: available first, then by name, strength, form and NPL-id.
        let sort_keys: Vec<(bool, String, u64, String, String)> = source
            .iter()
            .map(|p| {
                (
                    !p.is_available(),
                    fold(&normalise(&p.name)),
                    leading_number(&p.strength),
                    p.strength.to_lowercase(),
                    p.form.to_lowercase(),
                )
            })
            .collect();
        let mut order: Vec<usize> = (0..source.len()).collect();
        order.sort_by(|&a, &b| {
            sort_keys[a]
                .cmp(&sort_keys[b])
                .then_with(|| source[a].npl_id.cmp(&source[b].npl_id))
        });
        let products: Vec<Product> = order.iter().map(|&i| source[i].clone()).collect();
        let kinds = products.iter().map(|p| p.kind).collect();
        let available = to_u32(products.iter().take_while(|p| p.is_available()).count());

        // Words → products.
        let mut words: HashMap<String, Vec<u32>> = HashMap::new();
        let mut buf = Vec::new();
        for (i, p) in products.iter().enumerate() {
            let i = to_u32(i);
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
        let mut word_terms = Terms::default();
        let mut id_terms = Terms::default();
        for (folded, exact, list) in entries {
            let start = to_u32(postings.len());
            postings.extend_from_slice(&list);
            let available_end = start + to_u32(list.partition_point(|&p| p < available));
            let end = to_u32(postings.len());
            let terms = if is_long_number(&exact) {
                &mut id_terms
            } else {
                &mut word_terms
            };
            terms.push(&exact, &folded, (start, available_end, end));
        }

        // Products → terms.
        let mut counts = vec![0u32; products.len() + 1];
        for &p in &postings {
            counts[to_usize(p) + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let product_start = counts.clone();
        let mut fill = counts;
        let mut product_terms = vec![0u32; postings.len()];
        for (t, term) in word_terms.list.iter().chain(&id_terms.list).enumerate() {
            let t = to_u32(t);
            for &p in &postings[to_usize(term.start)..to_usize(term.end)] {
                let slot = &mut fill[to_usize(p)];
                product_terms[to_usize(*slot)] = t;
                *slot += 1;
            }
        }

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
                let flags = Bits::from_flags(products.iter().map(|p| {
                    npl.contains(&p.npl_id)
                        || p.atc.as_ref().is_some_and(|a| atc.contains(a))
                        || p.packages
                            .iter()
                            .any(|k| k.varunummer.is_some_and(|v| varunummer.contains(&v)))
                }));
                (*county, flags)
            })
            .collect();

        Self {
            products,
            kinds,
            available,
            words: word_terms,
            ids: id_terms,
            postings,
            product_terms,
            product_start,
            rek,
            scratch: Mutex::new(Vec::new()),
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
        self.words.list.len() + self.ids.list.len()
    }

    /// The products matching `query`, best first (see the module documentation).
    pub fn search(&self, query: &str, options: &SearchOptions) -> Vec<Hit<'_>> {
        let mut words = Vec::new();
        tokenize(query, &mut words);
        words.truncate(MAX_QUERY_WORDS);
        if words.is_empty() || options.limit == 0 || self.products.is_empty() {
            return Vec::new();
        }
        let rek = options.region.and_then(|r| self.rek.get(&r));
        let mut scratch = self.take_scratch();
        let keys = self.best_keys(&words, options, rek, &mut scratch);
        self.return_scratch(scratch);
        keys.into_iter()
            .filter_map(|key| {
                let p = to_usize(key_product(key));
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
                    rek: rek.is_some_and(|flags| flags.get(to_u32(p))),
                    available: to_u32(p) < self.available,
                    in_benefit_scheme,
                    quality: key_quality(key),
                })
            })
            .collect()
    }

    /// Working memory for one search: a kept one if there is one.
    fn take_scratch(&self) -> Scratch {
        let kept = self.scratch.lock().ok().and_then(|mut kept| kept.pop());
        let mut scratch = kept.unwrap_or_default();
        if scratch.best.len() != self.products.len() {
            scratch.best = vec![NO_MATCH; self.products.len()];
        }
        scratch
    }

    /// Keeps `scratch` (all of `best` back to [`NO_MATCH`]) for the next search.
    fn return_scratch(&self, scratch: Scratch) {
        if let Ok(mut kept) = self.scratch.lock()
            && kept.len() < MAX_SCRATCH
        {
            kept.push(scratch);
        }
    }

    /// The sort keys of the best `options.limit` products, ascending.
    fn best_keys(
        &self,
        words: &[String],
        options: &SearchOptions,
        rek: Option<&Bits>,
        scratch: &mut Scratch,
    ) -> Vec<u64> {
        let Scratch {
            best,
            matches,
            products,
            keys,
        } = scratch;
        if matches.len() < words.len() {
            matches.resize_with(words.len(), WordMatch::default);
        }
        let matches = &mut matches[..words.len()];
        for (word, m) in words.iter().zip(matches.iter_mut()) {
            self.match_word(word, options.include_unavailable, m);
            if m.terms.is_empty() {
                return Vec::new();
            }
        }
        // The rarest word first: it gives the candidates.
        matches.sort_by_key(|m| m.postings);
        let found = match matches {
            [single] => self.single_word(single, options, rek, best, products),
            _ => {
                self.candidates(matches, options, rek, best, products, keys);
                smallest(keys, options.limit)
            }
        };
        best.fill(NO_MATCH);
        found
    }

    /// The best `limit` keys for a single query word, ascending, without sorting: quality
    /// level by level (a product's quality is the first level it turns up in), in each level
    /// the REK-listed products and then the others, each in product order, which is rank
    /// order, stopping as soon as `limit` are found. `best` and `fresh`: working memory.
    fn single_word(
        &self,
        m: &WordMatch,
        options: &SearchOptions,
        rek: Option<&Bits>,
        best: &mut [u8],
        fresh: &mut Vec<u32>,
    ) -> Vec<u64> {
        let limit = options.limit;
        let n = if options.include_unavailable {
            self.products.len()
        } else {
            to_usize(self.available)
        };
        let best = best.get_mut(..n).unwrap_or_default();
        let mut out = Vec::with_capacity(limit.min(m.postings));
        let wanted = |p: u32| {
            options
                .kind
                .is_none_or(|k| self.kinds.get(to_usize(p)) == Some(&k))
        };
        let on_rek = |p: u32| rek.is_some_and(|rek| rek.get(p));
        for quality in 0..=MatchQuality::Fuzzy2 as u8 {
            let level = m.terms.iter().filter(|t| t.quality == quality);
            let postings: usize = level.clone().map(|t| to_usize(t.end - t.start)).sum();
            if postings == 0 {
                continue;
            }
            // Few postings: keep the products new in this level, to sort; many: find them
            // again by scanning.
            let scan = postings.saturating_mul(SCAN_FACTOR) >= n;
            fresh.clear();
            for t in level {
                for &p in self.postings_of(t) {
                    if let Some(b) = best.get_mut(to_usize(p))
                        && *b == NO_MATCH
                    {
                        *b = quality;
                        if !scan {
                            fresh.push(p);
                        }
                    }
                }
            }
            if !scan {
                fresh.sort_unstable();
            }
            let best = &*best;
            let in_level = |p: u32| best.get(to_usize(p)) == Some(&quality);
            // The REK-listed products of this level first, then the others.
            let (listed, others): (Box<dyn Iterator<Item = u32>>, Box<dyn Iterator<Item = u32>>) =
                if scan {
                    (
                        Box::new(
                            rek.into_iter()
                                .flat_map(Bits::ones)
                                .filter(|&p| in_level(p)),
                        ),
                        Box::new(
                            best.iter()
                                .enumerate()
                                .filter(|&(_, &b)| b == quality)
                                .map(|(p, _)| to_u32(p))
                                .filter(|&p| !on_rek(p)),
                        ),
                    )
                } else {
                    (
                        Box::new(fresh.iter().copied().filter(|&p| on_rek(p))),
                        Box::new(fresh.iter().copied().filter(|&p| !on_rek(p))),
                    )
                };
            let level_keys = listed
                .map(|p| (p, true))
                .chain(others.map(|p| (p, false)))
                .filter(|&(p, _)| wanted(p))
                .map(|(p, listed)| key(quality, listed, p));
            out.extend(level_keys.take(limit - out.len()));
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// The sort keys (into `keys`) of the products (of the kind asked for) matching every
    /// word; `matches` rarest first. `best` and `products`: working memory.
    fn candidates(
        &self,
        matches: &[WordMatch],
        options: &SearchOptions,
        rek: Option<&Bits>,
        best: &mut [u8],
        products: &mut Vec<u32>,
        keys: &mut Vec<u64>,
    ) {
        keys.clear();
        let Some((first, rest)) = matches.split_first() else {
            return;
        };
        products.clear();
        for m in &first.terms {
            for &p in self.postings_of(m) {
                let Some(b) = best.get_mut(to_usize(p)) else {
                    continue;
                };
                if *b == NO_MATCH {
                    products.push(p);
                }
                *b = (*b).min(m.quality);
            }
        }
        for &p in products.iter() {
            let i = to_usize(p);
            if options.kind.is_none_or(|k| self.kinds[i] == k) {
                keys.push(key(best[i], rek.is_some_and(|flags| flags.get(p)), p));
            }
        }

        for m in rest {
            if keys.is_empty() {
                break;
            }
            if keys.len().saturating_mul(LOOKUP_FACTOR) < m.postings {
                keys.retain_mut(|k| {
                    let q = self.quality_among_words(key_product(*k), m);
                    *k = add_quality(*k, q);
                    q != NO_MATCH
                });
            } else {
                best.fill(NO_MATCH);
                for t in &m.terms {
                    for &p in self.postings_of(t) {
                        if let Some(b) = best.get_mut(to_usize(p)) {
                            *b = (*b).min(t.quality);
                        }
                    }
                }
                keys.retain_mut(|k| {
                    let q = best[to_usize(key_product(*k))];
                    *k = add_quality(*k, q);
                    q != NO_MATCH
                });
            }
        }
    }

    fn postings_of(&self, m: &TermMatch) -> &[u32] {
        self.postings
            .get(to_usize(m.start)..to_usize(m.end))
            .unwrap_or_default()
    }

    /// The best quality among the terms of `m` that product `p` has, [`NO_MATCH`] if none.
    fn quality_among_words(&self, p: u32, m: &WordMatch) -> u8 {
        let (Some(low), Some(high)) = (m.terms.first(), m.terms.last()) else {
            return NO_MATCH;
        };
        let (low, high) = (low.term, high.term);
        let p = to_usize(p);
        let (Some(&start), Some(&end)) = (self.product_start.get(p), self.product_start.get(p + 1))
        else {
            return NO_MATCH;
        };
        let mut best = NO_MATCH;
        for &t in self
            .product_terms
            .get(to_usize(start)..to_usize(end))
            .unwrap_or_default()
        {
            if t < low {
                continue;
            }
            if t > high {
                break;
            }
            if let Ok(i) = m.terms.binary_search_by_key(&t, |m| m.term) {
                best = best.min(m.terms[i].quality);
            }
        }
        best
    }

    /// The terms `word` matches and how well (see the module documentation).
    fn match_word(&self, word: &str, all: bool, out: &mut WordMatch) {
        let folded = fold(word);
        let (lo, hi) = self.words.prefix_range(&folded);
        out.terms.clear();
        out.terms.reserve(hi - lo);
        out.postings = 0;
        let mut push = |t: usize, term: &Term, quality: MatchQuality| {
            let end = if all { term.end } else { term.available_end };
            let count = to_usize(end.saturating_sub(term.start));
            if count > 0 {
                out.terms.push(TermMatch {
                    term: to_u32(t),
                    quality: quality as u8,
                    start: term.start,
                    end,
                });
                out.postings += count;
            }
        };
        // Typo tolerance: words of letters only, among product words with the same first
        // (folded) letter that are not in the prefix range.
        let query: Vec<char> = word.chars().collect();
        let max_distance = match query.len() {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let fuzzy = max_distance > 0
            && query.len() <= MAX_FUZZY_LEN
            && query.iter().all(|c| c.is_alphabetic());
        let (flo, fhi) = if fuzzy {
            let first: String = folded.chars().take(1).collect();
            self.words.prefix_range(&first)
        } else {
            (lo, hi)
        };
        let mut matcher = fuzzy.then(|| PrefixMatcher::new(&query, max_distance));
        let letters = letter_mask(&folded);

        if let Some(matcher) = &mut matcher {
            self.fuzzy_scan(flo..lo, matcher, letters, &mut push);
        }
        for (t, term) in self.words.list.iter().enumerate().take(hi).skip(lo) {
            let exact = self.words.exact(term);
            let quality = if exact == word {
                MatchQuality::Exact
            } else if exact.starts_with(word) {
                MatchQuality::Prefix
            } else if folds_to(word, exact) {
                if exact.chars().count() == word.chars().count() {
                    MatchQuality::ExactFolded
                } else {
                    MatchQuality::PrefixFolded
                }
            } else {
                continue;
            };
            push(t, term, quality);
        }
        if let Some(matcher) = &mut matcher {
            self.fuzzy_scan(hi..fhi, matcher, letters, &mut push);
        }

        // A short number ("20" in "simvastatin 20 mg") is a strength or the start of a
        // varunummer, not of an NPL-id: those begin with a date (20…), so it would prefix-match
        // nearly all of them and drown the search. NPL-ids are found from six digits on.
        if word.len() >= MIN_ID_PREFIX && word.bytes().all(|b| b.is_ascii_digit()) {
            let (ilo, ihi) = self.ids.prefix_range(word);
            for (i, term) in self.ids.list.iter().enumerate().take(ihi).skip(ilo) {
                let quality = if self.ids.exact(term) == word {
                    MatchQuality::Exact
                } else {
                    MatchQuality::Prefix
                };
                push(self.words.list.len() + i, term, quality);
            }
        }
    }
}

impl SearchIndex {
    /// The typo matches among `self.words[range]` (`letters`: the query's [`letter_mask`]).
    fn fuzzy_scan(
        &self,
        range: std::ops::Range<usize>,
        matcher: &mut PrefixMatcher<'_>,
        letters: u32,
        push: &mut dyn FnMut(usize, &Term, MatchQuality),
    ) {
        matcher.restart();
        for (t, term) in self
            .words
            .list
            .iter()
            .enumerate()
            .take(range.end)
            .skip(range.start)
        {
            // Each distinct query letter missing from the whole word costs at least one edit.
            if (letters & !term.letters).count_ones() > u32::from(matcher.max()) {
                matcher.pass(term.shared);
            } else if let Some(quality) = matcher.quality(self.words.exact(term), term.shared) {
                push(t, term, quality);
            }
        }
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
/// a prefix of `term` that starts with the same letter, if at most `max`: the definition of the
/// typo tolerance, which `fuzzy::PrefixMatcher` computes for many words at once (the tests
/// compare them).
#[cfg(test)]
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

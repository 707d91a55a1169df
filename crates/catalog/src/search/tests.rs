use erecept_domain::{AtcCode, Money, Varunummer};

use super::*;
use crate::model::Package;
use crate::test_data::{pack_id, product_id};

struct B(Product);

/// A marketed läkemedel numbered `n` with one available package (varunummer 100000 + n).
fn p(n: u32, name: &str) -> B {
    let mut product = Product::new(product_id(n), name);
    let mut pack = Package::new(pack_id(n), "30 styck");
    pack.varunummer = Some(Varunummer::parse(&format!("{}", 100_000 + n)).unwrap());
    pack.price = Some(Money::from_kronor(100));
    product.packages.push(pack);
    B(product)
}

impl B {
    fn strength(mut self, s: &str) -> Self {
        self.0.strength = s.into();
        self
    }
    fn form(mut self, s: &str) -> Self {
        self.0.form = s.into();
        self
    }
    fn atc(mut self, s: &str) -> Self {
        self.0.atc = Some(AtcCode::parse(s).unwrap());
        self
    }
    fn substance(mut self, s: &str) -> Self {
        self.0.substances.push(s.into());
        self
    }
    fn kind(mut self, k: ProductKind) -> Self {
        self.0.kind = k;
        self
    }
    fn with(mut self, f: impl FnOnce(&mut Product)) -> Self {
        f(&mut self.0);
        self
    }
}

fn index(products: Vec<B>) -> SearchIndex {
    index_rek(products, "")
}

fn index_rek(products: Vec<B>, rek: &str) -> SearchIndex {
    let catalog = Catalog::new(products.into_iter().map(|b| b.0).collect());
    SearchIndex::build(&catalog, &RekLists::parse(rek).unwrap())
}

fn names(idx: &SearchIndex, q: &str) -> Vec<String> {
    names_with(idx, q, &SearchOptions::default())
}

fn names_with(idx: &SearchIndex, q: &str, o: &SearchOptions) -> Vec<String> {
    idx.search(q, o)
        .iter()
        .map(|h| {
            if h.product.strength.is_empty() {
                h.product.name.clone()
            } else {
                format!("{} {}", h.product.name, h.product.strength)
            }
        })
        .collect()
}

fn quality(idx: &SearchIndex, q: &str) -> Vec<MatchQuality> {
    idx.search(q, &SearchOptions::default())
        .iter()
        .map(|h| h.quality)
        .collect()
}

// ---- normalisation ----

#[test]
fn normalisation_and_tokens() {
    assert_eq!(
        normalise("ÅÄÖ Éclair Ünü Øre Æble"),
        "åäö eclair unu öre äble"
    );
    assert_eq!(fold("kåvepenin läkemedel ögon"), "kavepenin lakemedel ogon");
    let mut w = Vec::new();
    tokenize("Locacorten®-Vioform®, 0,2 mg/ml  ALVEDON", &mut w);
    assert_eq!(
        w,
        ["locacorten", "vioform", "0", "2", "mg", "ml", "alvedon"]
    );
    w.clear();
    tokenize("  ,;  ", &mut w);
    assert!(w.is_empty());
}

#[test]
fn case_insensitive() {
    let idx = index(vec![p(1, "Alvedon")]);
    assert_eq!(names(&idx, "ALVEDON"), ["Alvedon"]);
    assert_eq!(names(&idx, "aLvE"), ["Alvedon"]);
}

#[test]
fn a_for_a_ring_and_diaeresis_found_but_ranked_lower() {
    let idx = index(vec![p(1, "Kåvepenin"), p(2, "Kavepenin"), p(3, "Käva")]);
    // Typed with the plain letter: both found, the exact spelling first.
    assert_eq!(names(&idx, "kavepenin"), ["Kavepenin", "Kåvepenin"]);
    assert_eq!(
        quality(&idx, "kavepenin"),
        [MatchQuality::Exact, MatchQuality::ExactFolded]
    );
    assert_eq!(names(&idx, "kav"), ["Kavepenin", "Käva", "Kåvepenin"]);
    assert_eq!(
        quality(&idx, "kav"),
        [
            MatchQuality::Prefix,
            MatchQuality::PrefixFolded,
            MatchQuality::PrefixFolded
        ]
    );
    // Typed with å: only the å spelling (the folding works one way).
    assert_eq!(names(&idx, "kåv"), ["Kåvepenin"]);
    assert_eq!(names(&idx, "KÅV"), ["Kåvepenin"]);
    // "kä" finds Käva only.
    assert_eq!(names(&idx, "kä"), ["Käva"]);
}

#[test]
fn o_for_o_diaeresis() {
    let idx = index(vec![p(1, "Mölnlycke"), p(2, "Molnlycke")]);
    assert_eq!(names(&idx, "moln"), ["Molnlycke", "Mölnlycke"]);
    assert_eq!(names(&idx, "möln"), ["Mölnlycke"]);
}

#[test]
fn other_diacritics_ignored() {
    let idx = index(vec![p(1, "Crème Épine")]);
    assert_eq!(names(&idx, "creme epine"), ["Crème Épine"]);
    assert_eq!(quality(&idx, "creme"), [MatchQuality::Exact]);
}

// ---- word-prefix matching ----

#[test]
fn every_query_word_must_prefix_a_product_word() {
    let idx = index(vec![
        p(1, "Alvedon")
            .strength("500 mg")
            .form("Filmdragerad tablett"),
        p(2, "Alvedon")
            .strength("665 mg")
            .form("Tablett med modifierad frisättning"),
        p(3, "Panodil")
            .strength("500 mg")
            .form("Filmdragerad tablett"),
    ]);
    assert_eq!(names(&idx, "alvedon 500"), ["Alvedon 500 mg"]);
    assert_eq!(names(&idx, "alv mod"), ["Alvedon 665 mg"]);
    assert_eq!(
        names(&idx, "film 500"),
        ["Alvedon 500 mg", "Panodil 500 mg"]
    );
    assert_eq!(
        names(&idx, "500 alv"),
        ["Alvedon 500 mg"],
        "order of words is free"
    );
    assert!(names(&idx, "alvedon 750").is_empty());
    assert!(names(&idx, "edon").is_empty(), "infix is not a prefix");
    assert!(names(&idx, "").is_empty());
    assert!(names(&idx, " - ").is_empty());
}

#[test]
fn searches_substance_atc_varunummer_and_ids() {
    let idx = index(vec![
        p(1, "Alvedon").substance("paracetamol").atc("N02BE01"),
        p(2, "Ipren").substance("ibuprofen").atc("M01AE01"),
    ]);
    assert_eq!(names(&idx, "paracet"), ["Alvedon"]);
    assert_eq!(names(&idx, "ibuprofen"), ["Ipren"]);
    assert_eq!(names(&idx, "n02be01"), ["Alvedon"]);
    assert_eq!(names(&idx, "N02B"), ["Alvedon"]);
    assert_eq!(names(&idx, "m01"), ["Ipren"]);
    assert_eq!(names(&idx, "100002"), ["Ipren"]);
    assert_eq!(names(&idx, "10000"), ["Alvedon", "Ipren"]);
    assert_eq!(names(&idx, product_id(2).as_str()), ["Ipren"]);
    assert_eq!(names(&idx, pack_id(1).as_str()), ["Alvedon"]);
    assert_eq!(names(&idx, "2024010100"), ["Alvedon", "Ipren"]);
}

#[test]
fn a_short_number_is_a_strength_not_the_start_of_every_npl_id() {
    // Every NPL-id here begins with "20" (a date): "20" must not match them all.
    let idx = index(vec![
        p(1, "Alvedon").strength("500 mg"),
        p(2, "Simvastatin").strength("20 mg"),
    ]);
    assert_eq!(names(&idx, "20"), ["Simvastatin 20 mg"]);
    assert_eq!(names(&idx, "simvastatin 20"), ["Simvastatin 20 mg"]);
    // From six digits on NPL-ids match by prefix again.
    assert_eq!(
        names(&idx, "202401"),
        ["Alvedon 500 mg", "Simvastatin 20 mg"]
    );
}

// ---- ranking ----

#[test]
fn exact_before_prefix_before_fuzzy() {
    let idx = index(vec![
        p(1, "Metformin"),
        p(2, "Metforminol"),
        p(3, "Metforman"),
    ]);
    assert_eq!(
        names(&idx, "metformin"),
        ["Metformin", "Metforminol", "Metforman"]
    );
    assert_eq!(
        quality(&idx, "metformin"),
        [
            MatchQuality::Exact,
            MatchQuality::Prefix,
            MatchQuality::Fuzzy1
        ]
    );
}

#[test]
fn match_quality_beats_rek_and_availability() {
    let idx = index_rek(vec![p(1, "Ipren"), p(2, "Iprenix")], "01;100002");
    let o = SearchOptions {
        region: Some(County::Stockholm),
        ..SearchOptions::default()
    };
    assert_eq!(names_with(&idx, "ipren", &o), ["Ipren", "Iprenix"]);
    let hits = idx.search("ipren", &o);
    assert!(!hits[0].rek && hits[1].rek);
}

#[test]
fn among_equals_rek_first_then_available_then_name() {
    let idx = index_rek(
        vec![
            p(1, "Simvastatin Alfa"),
            p(2, "Simvastatin Beta"),
            p(3, "Simvastatin Gamma").atc("C10AA01"),
            p(4, "Simvastatin Aaa").with(|p| p.sales_stopped = true),
        ],
        "01;100002\n12;C10AA01",
    );
    let all = SearchOptions {
        include_unavailable: true,
        ..SearchOptions::default()
    };
    // No region: available first, then by name.
    assert_eq!(
        names_with(&idx, "simva", &all),
        [
            "Simvastatin Alfa",
            "Simvastatin Beta",
            "Simvastatin Gamma",
            "Simvastatin Aaa"
        ]
    );
    // Stockholm lists Beta (by varunummer).
    let sthlm = SearchOptions {
        region: Some(County::Stockholm),
        ..all.clone()
    };
    assert_eq!(
        names_with(&idx, "simva", &sthlm),
        [
            "Simvastatin Beta",
            "Simvastatin Alfa",
            "Simvastatin Gamma",
            "Simvastatin Aaa"
        ]
    );
    let hits = idx.search("simva", &sthlm);
    assert_eq!(
        hits.iter().map(|h| h.rek).collect::<Vec<_>>(),
        [true, false, false, false]
    );
    // Skåne lists the substance: Gamma.
    let skane = SearchOptions {
        region: Some(County::Skane),
        ..all.clone()
    };
    assert_eq!(names_with(&idx, "simva", &skane)[0], "Simvastatin Gamma");
    // A region without a list changes nothing.
    let uppsala = SearchOptions {
        region: Some(County::Uppsala),
        ..all
    };
    assert_eq!(names_with(&idx, "simva", &uppsala)[0], "Simvastatin Alfa");
}

#[test]
fn same_name_sorted_by_strength_numerically() {
    let idx = index(vec![
        p(1, "Levaxin").strength("100 mikrogram"),
        p(2, "Levaxin").strength("25 mikrogram"),
        p(3, "Levaxin").strength("50 mikrogram"),
    ]);
    assert_eq!(
        names(&idx, "levaxin"),
        [
            "Levaxin 25 mikrogram",
            "Levaxin 50 mikrogram",
            "Levaxin 100 mikrogram"
        ]
    );
}

#[test]
fn more_exact_words_rank_higher_at_equal_worst() {
    let idx = index(vec![p(1, "Alvedon Forte"), p(2, "Alvedonix Forte")]);
    // Both: worst = prefix ("fort"); "alvedon" is exact only for the first.
    assert_eq!(
        names(&idx, "alvedon fort"),
        ["Alvedon Forte", "Alvedonix Forte"]
    );
}

// ---- typo tolerance ----

#[test]
fn typo_distance_one_from_four_letters() {
    let idx = index(vec![p(1, "Ipren"), p(2, "Alvedon")]);
    assert_eq!(names(&idx, "iprn"), ["Ipren"], "deletion");
    assert_eq!(names(&idx, "ipreen"), ["Ipren"], "insertion");
    assert_eq!(names(&idx, "alvrdon"), ["Alvedon"], "substitution");
    assert_eq!(names(&idx, "alevdon"), ["Alvedon"], "swap of neighbours");
    assert_eq!(
        names(&idx, "alvdo"),
        ["Alvedon"],
        "while typing: prefix with a typo"
    );
    assert!(
        names(&idx, "ipn").is_empty(),
        "three letters: no typo tolerance"
    );
    assert!(
        names(&idx, "alvdn").is_empty(),
        "distance 2 needs 8 letters"
    );
    assert!(
        names(&idx, "blvedon").is_empty(),
        "the first letter must match"
    );
    assert_eq!(quality(&idx, "iprn"), [MatchQuality::Fuzzy1]);
}

#[test]
fn typo_distance_two_from_eight_letters() {
    let idx = index(vec![p(1, "Simvastatin"), p(2, "Paracetamol")]);
    assert_eq!(names(&idx, "smvastatn"), ["Simvastatin"]);
    assert_eq!(quality(&idx, "smvastatn"), [MatchQuality::Fuzzy2]);
    assert_eq!(names(&idx, "parasetamol"), ["Paracetamol"]);
    assert_eq!(quality(&idx, "parasetamol"), [MatchQuality::Fuzzy1]);
    assert!(names(&idx, "smvsttn").is_empty(), "7 letters, distance 3");
    assert!(names(&idx, "parxxxamol").is_empty(), "distance 3");
}

#[test]
fn typo_tolerance_with_swedish_letters() {
    let idx = index(vec![p(1, "Kåvepenin")]);
    assert_eq!(names(&idx, "kavepnin"), ["Kåvepenin"]);
    assert_eq!(quality(&idx, "kavepnin"), [MatchQuality::Fuzzy1]);
}

#[test]
fn numbers_are_never_fuzzy() {
    let idx = index(vec![p(1, "Ipren")]);
    assert!(names(&idx, "100002").is_empty());
    assert!(names(&idx, "m01ae02").is_empty());
}

// ---- filters ----

#[test]
fn kind_filter() {
    let idx = index(vec![
        p(1, "Nutri Tablett"),
        p(2, "Nutri Drink").kind(ProductKind::Livsmedel),
        p(3, "Nutri Stomipåse").kind(ProductKind::Ickelakemedelsvara),
    ]);
    assert_eq!(names(&idx, "nutri").len(), 3);
    for (kind, name) in [
        (ProductKind::Lakemedel, "Nutri Tablett"),
        (ProductKind::Livsmedel, "Nutri Drink"),
        (ProductKind::Ickelakemedelsvara, "Nutri Stomipåse"),
    ] {
        let o = SearchOptions {
            kind: Some(kind),
            ..SearchOptions::default()
        };
        assert_eq!(names_with(&idx, "nutri", &o), [name]);
    }
}

#[test]
fn unavailable_hidden_by_default() {
    let idx = index(vec![
        p(1, "Zyl Marketed"),
        p(2, "Zyl Notmarketed").with(|p| p.marketed = false),
        p(3, "Zyl Stopped").with(|p| p.sales_stopped = true),
        p(4, "Zyl Withdrawn").with(|p| p.withdrawn = true),
        p(5, "Zyl Nopackage").with(|p| p.packages[0].available = false),
    ]);
    assert_eq!(names(&idx, "zyl"), ["Zyl Marketed"]);
    let all = SearchOptions {
        include_unavailable: true,
        ..SearchOptions::default()
    };
    let hits = idx.search("zyl", &all);
    assert_eq!(hits.len(), 5);
    assert!(hits[0].available);
    assert!(hits[1..].iter().all(|h| !h.available));
}

#[test]
fn unavailable_packages_hidden_by_default() {
    let idx = index(vec![p(1, "Ipren").with(|p| {
        let mut old = Package::new(pack_id(99), "100 styck");
        old.available = false;
        p.packages.push(old);
    })]);
    let hits = idx.search("ipren", &SearchOptions::default());
    assert_eq!(hits[0].packages.len(), 1);
    let all = SearchOptions {
        include_unavailable: true,
        ..SearchOptions::default()
    };
    assert_eq!(idx.search("ipren", &all)[0].packages.len(), 2);
}

#[test]
fn limit() {
    let idx = index(
        (1..=30)
            .map(|n| p(n, &format!("Testmedel {n:02}")))
            .collect(),
    );
    let o = SearchOptions {
        limit: 5,
        ..SearchOptions::default()
    };
    assert_eq!(
        names_with(&idx, "testmedel", &o),
        [
            "Testmedel 01",
            "Testmedel 02",
            "Testmedel 03",
            "Testmedel 04",
            "Testmedel 05"
        ]
    );
    let none = SearchOptions {
        limit: 0,
        ..SearchOptions::default()
    };
    assert!(idx.search("testmedel", &none).is_empty());
}

// ---- what a hit shows ----

#[test]
fn hit_carries_what_the_spec_shows() {
    let idx = index_rek(
        vec![
            p(1, "Oxynorm")
                .strength("5 mg")
                .form("Kapsel, hård")
                .with(|p| {
                    p.narcotics_class = NarcoticsClass::II;
                    p.licence_product = true;
                    p.packages[0].in_benefit_scheme = Some(true);
                }),
        ],
        "01;100001",
    );
    let o = SearchOptions {
        region: Some(County::Stockholm),
        ..SearchOptions::default()
    };
    let hit = &idx.search("oxy", &o)[0];
    assert_eq!(hit.name(), "Oxynorm");
    assert_eq!(hit.form(), "Kapsel, hård");
    assert_eq!(hit.strength(), "5 mg");
    assert_eq!(hit.narcotics_class().to_string(), "II");
    assert!(hit.licence_product());
    assert!(hit.rek);
    assert_eq!(hit.in_benefit_scheme, Some(true));
    let pack = hit.packages[0];
    assert_eq!(pack.size_text, "30 styck");
    assert_eq!(pack.varunummer.unwrap().as_str(), "100001");
    assert_eq!(pack.price.unwrap().to_string(), "100,00 kr");
}

#[test]
fn benefit_flag_over_shown_packages() {
    let idx = index(vec![
        p(1, "Aaa").with(|p| p.packages[0].in_benefit_scheme = Some(false)),
        p(2, "Aab"),
    ]);
    let hits = idx.search("aa", &SearchOptions::default());
    assert_eq!(hits[0].in_benefit_scheme, Some(false));
    assert_eq!(hits[1].in_benefit_scheme, None);
}

#[test]
fn prefix_distance_cases() {
    let d = |q: &str, t: &str, k| prefix_distance(&q.chars().collect::<Vec<_>>(), t, k);
    assert_eq!(d("alvdon", "alvedon", 1), Some(1));
    assert_eq!(d("alevdon", "alvedon", 1), Some(1));
    assert_eq!(d("alved", "alvedon", 1), Some(0));
    assert_eq!(d("xlvedon", "alvedon", 2), None);
    assert_eq!(d("kavepenin", "kåvepenin", 1), Some(0));
    assert_eq!(d("kåvepenin", "kavepenin", 1), Some(1));
    assert_eq!(d("abcd", "", 1), None);
}

#[test]
fn demo_catalogue_search() {
    let catalog = crate::demo::catalog().unwrap();
    let rek = crate::demo::rek_lists().unwrap();
    let idx = SearchIndex::build(&catalog, &rek);
    let sthlm = SearchOptions {
        region: Some(County::Stockholm),
        ..SearchOptions::default()
    };
    let hits = idx.search("alvedon", &sthlm);
    assert!(hits.len() >= 3);
    assert!(hits[0].rek, "the REK-listed Alvedon first");
    assert_eq!(hits[0].product.strength, "500 mg");
    assert_eq!(names(&idx, "kavepenin").len(), 3);
    assert!(!names(&idx, "paracetamol").is_empty());
    let food = SearchOptions {
        kind: Some(ProductKind::Livsmedel),
        ..SearchOptions::default()
    };
    assert!(names_with(&idx, "nutridrink", &food).len() >= 2);
    assert!(names(&idx, "zyloric").is_empty(), "sales-stopped");
    let all = SearchOptions {
        include_unavailable: true,
        ..SearchOptions::default()
    };
    assert_eq!(names_with(&idx, "zyloric", &all), ["Zyloric 300 mg"]);
    let narc = idx.search("oxycontin", &SearchOptions::default());
    assert_eq!(narc[0].narcotics_class(), NarcoticsClass::II);
}

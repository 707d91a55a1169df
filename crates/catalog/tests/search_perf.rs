//! The search on a generated register of 50,000 packages. Prints build and query times (run
//! with `--nocapture`, and `--release` for production numbers); asserts results, not times.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use erecept_catalog::{
    Catalog, Package, Product, ProductKind, RekLists, SearchIndex, SearchOptions,
    with_gs1_check_digit,
};
use erecept_domain::{AtcCode, County, Money, NplId, NplPackId, Varunummer};

/// A small deterministic generator (no dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SYLLABLES: &[&str] = &[
    "al", "ve", "don", "ip", "ren", "met", "for", "min", "sim", "va", "sta", "tin", "ator", "ena",
    "la", "pril", "am", "lo", "di", "pin", "le", "xin", "ser", "tra", "wa", "ran", "eli", "quis",
    "kå", "pe", "ni", "ox", "ko", "zol", "pi", "dem", "tre", "ö", "lä", "ca", "ro", "mo", "sa",
    "bu", "te", "ri", "fa", "nu", "de", "ma",
];
const COMPANIES: &[&str] = &[
    "Sandoz", "Teva", "Krka", "Mylan", "Orifarm", "Actavis", "Bluefish", "Accord", "Ebb",
    "Medical", "Evolan", "Abcur", "Pfizer", "Meda", "Stada", "Zentiva",
];
const FORMS: &[&str] = &[
    "Tablett",
    "Filmdragerad tablett",
    "Kapsel, hård",
    "Depottablett",
    "Oral lösning",
    "Injektionsvätska, lösning",
    "Kräm",
    "Salva",
    "Ögondroppar, lösning",
    "Inhalationspulver",
    "Nässpray, lösning",
    "Munsönderfallande tablett",
    "Brustablett",
    "Gel",
];
const ATC: &[&str] = &[
    "N02BE01", "M01AE01", "A10BA02", "C10AA01", "C10AA05", "C09AA02", "C08CA01", "H03AA01",
    "N06AB06", "B01AA03", "B01AF02", "J01CE02", "J01CA04", "J01AA02", "J01XE01", "R03AC02",
    "A02BC01", "N05CF02", "N02AA05", "D07AA02", "S01AA01", "G03AC09", "L04AX03",
];

fn with_check(first13: &str) -> String {
    with_gs1_check_digit(first13).unwrap()
}

/// About 20,000 products with 50,000 packages.
fn generated_catalog() -> Catalog {
    let mut rng = Lcg(42);
    let mut products = Vec::new();
    let mut packages = 0usize;
    let mut n = 0usize;
    while packages < 50_000 {
        n += 1;
        let syllables = 2 + rng.below(3);
        let mut base: String = (0..syllables).map(|_| rng.pick(SYLLABLES)).collect();
        if let Some(first) = base.get(..1) {
            base = first.to_uppercase() + &base[1..];
        }
        let name = if rng.below(3) == 0 {
            format!("{base} {}", rng.pick(COMPANIES))
        } else {
            base.clone()
        };
        let (high, low) = (n / 10_000, n % 10_000);
        let npl = NplId::parse(&with_check(&format!("2015{:02}010{low:04}", 1 + high))).unwrap();
        let mut p = Product::new(npl, name);
        p.strength = format!(
            "{} mg",
            [1, 2, 5, 10, 20, 25, 40, 50, 100, 500][rng.below(10)]
        );
        p.form = rng.pick(FORMS).to_owned();
        p.atc = Some(AtcCode::parse(rng.pick(ATC)).unwrap());
        p.substances = vec![format!(
            "{}{}",
            base.to_lowercase(),
            rng.pick(&["ol", "in", "at"])
        )];
        p.kind = match rng.below(20) {
            0 => ProductKind::Livsmedel,
            1 => ProductKind::Ickelakemedelsvara,
            _ => ProductKind::Lakemedel,
        };
        p.sales_stopped = rng.below(15) == 0;
        let count = 1 + rng.below(4);
        for k in 0..count {
            packages += 1;
            let pack_id = NplPackId::parse(&with_check(&format!(
                "20{:02}{:02}011{low:04}",
                10 + high,
                1 + k
            )))
            .unwrap();
            let mut pack = Package::new(pack_id, format!("{} styck", [10, 28, 30, 100][k]));
            pack.varunummer =
                Some(Varunummer::parse(&format!("{:06}", packages * 7 % 1_000_000)).unwrap());
            pack.price = Some(Money::from_ore(i64::try_from(rng.below(200_000)).unwrap()));
            pack.in_benefit_scheme = Some(rng.below(4) != 0);
            p.packages.push(pack);
        }
        products.push(p);
    }
    // A few known products among them.
    for (i, (name, atc, subst)) in [
        ("Alvedon", "N02BE01", "paracetamol"),
        ("Metformin Teva", "A10BA02", "metformin"),
        ("Kåvepenin", "J01CE02", "fenoximetylpenicillin"),
        ("Simvastatin Actavis", "C10AA01", "simvastatin"),
    ]
    .into_iter()
    .enumerate()
    {
        let npl = NplId::parse(&with_check(&format!("202001010{i:04}"))).unwrap();
        let mut p = Product::new(npl, name);
        p.strength = "500 mg".into();
        p.form = "Filmdragerad tablett".into();
        p.atc = Some(AtcCode::parse(atc).unwrap());
        p.substances = vec![subst.into()];
        let mut pack = Package::new(
            NplPackId::parse(&with_check(&format!("202001011{i:04}"))).unwrap(),
            "100 styck",
        );
        pack.varunummer = Some(Varunummer::parse(&format!("99999{i}")).unwrap());
        p.packages.push(pack);
        products.push(p);
    }
    Catalog::new(products)
}

#[test]
fn search_50000_packages() {
    let catalog = generated_catalog();
    let packages: usize = catalog.products().iter().map(|p| p.packages.len()).sum();
    assert!(packages >= 50_000);
    let rek = RekLists::parse("01;999990\n01;C10AA01\n12;A10BA02").unwrap();
    let started = Instant::now();
    let index = SearchIndex::build(&catalog, &rek);
    let build = started.elapsed();
    println!(
        "built index over {} products, {packages} packages, {} words in {build:?}",
        index.len(),
        index.word_count()
    );

    let options = SearchOptions {
        region: Some(County::Stockholm),
        limit: 50,
        ..SearchOptions::default()
    };
    let queries = [
        "a",
        "al",
        "alv",
        "alvedon",
        "alvedon 500",
        "metformin",
        "metf tab",
        "metfromin",
        "kavepenin",
        "kåv",
        "simvastatn",
        "paracetamol",
        "n02be",
        "999990",
        "2020010100",
        "sandoz",
        "lä",
        "tablett",
        "doesnotexist",
        "xyzzyplugh",
    ];
    let rounds = 50;
    for q in queries {
        let started = Instant::now();
        let mut hits = 0;
        for _ in 0..rounds {
            hits = index.search(q, &options).len();
        }
        let per_query = started.elapsed() / rounds;
        println!("{q:>14}: {hits:>3} hits, {per_query:?} per query");
    }

    // Results, not times.
    let hits = index.search("alvedon", &options);
    assert_eq!(hits[0].product.name, "Alvedon");
    assert!(hits[0].rek);
    assert_eq!(
        index.search("metfromin", &options)[0].product.name,
        "Metformin Teva"
    );
    assert_eq!(
        index.search("kavepenin", &options)[0].product.name,
        "Kåvepenin"
    );
    assert_eq!(
        index.search("999993", &options)[0].product.name,
        "Simvastatin Actavis"
    );
    assert_eq!(index.search("a", &options).len(), 50);
    assert!(index.search("xyzzyplugh", &options).is_empty());
}

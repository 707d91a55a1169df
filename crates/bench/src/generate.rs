//! A deterministic, generated catalogue of at least 50,000 packages with drug-like Swedish
//! names, forms, strengths, ATC codes and ids (fixed seed, xorshift; no randomness crate).
//!
//! About a third of the products are real substances with real brand names or generic names
//! ("Simvastatin Teva"); the rest are invented substances (syllables plus a class suffix such
//! as "-olol" or "-statin", with an ATC code of that class) under invented brand names or
//! generic names. Every id is valid and distinct (NPL-ids and NPL-pack-ids dated as in the
//! register and passing the GS1 check, varunummer of 6 digits).

use std::collections::HashSet;

use anyhow::{Context, Result};
use erecept_catalog::{Catalog, Package, Product, ProductKind, RekLists, with_gs1_check_digit};
use erecept_domain::{AtcCode, Money, NplId, NplPackId, Varunummer};

/// Packages to generate at least.
pub const PACKAGES: usize = 50_000;

/// xorshift64*.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from((self.next_u64() >> 11) % n).unwrap_or(0)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A real substance: name, ATC code, brand names, strengths.
struct Substance {
    name: &'static str,
    atc: &'static str,
    brands: &'static [&'static str],
    strengths: &'static [&'static str],
}

const SUBSTANCES: &[Substance] = &[
    Substance {
        name: "paracetamol",
        atc: "N02BE01",
        brands: &["Alvedon", "Panodil", "Pamol", "Reliv"],
        strengths: &["500 mg", "665 mg", "1 g", "24 mg/ml"],
    },
    Substance {
        name: "ibuprofen",
        atc: "M01AE01",
        brands: &["Ipren", "Ibumetin", "Brufen"],
        strengths: &["200 mg", "400 mg", "600 mg", "20 mg/ml"],
    },
    Substance {
        name: "naproxen",
        atc: "M01AE02",
        brands: &["Naprosyn", "Pronaxen"],
        strengths: &["250 mg", "500 mg"],
    },
    Substance {
        name: "diklofenak",
        atc: "M01AB05",
        brands: &["Voltaren", "Eeze", "Difenac"],
        strengths: &["25 mg", "50 mg", "23,2 mg/g"],
    },
    Substance {
        name: "metformin",
        atc: "A10BA02",
        brands: &["Glucophage", "Metformin"],
        strengths: &["500 mg", "850 mg", "1 g"],
    },
    Substance {
        name: "simvastatin",
        atc: "C10AA01",
        brands: &["Zocord"],
        strengths: &["10 mg", "20 mg", "40 mg", "80 mg"],
    },
    Substance {
        name: "atorvastatin",
        atc: "C10AA05",
        brands: &["Lipitor", "Atorbir"],
        strengths: &["10 mg", "20 mg", "40 mg", "80 mg"],
    },
    Substance {
        name: "enalapril",
        atc: "C09AA02",
        brands: &["Renitec", "Linatil"],
        strengths: &["5 mg", "10 mg", "20 mg"],
    },
    Substance {
        name: "ramipril",
        atc: "C09AA05",
        brands: &["Triatec", "Pramace"],
        strengths: &["2,5 mg", "5 mg", "10 mg"],
    },
    Substance {
        name: "amlodipin",
        atc: "C08CA01",
        brands: &["Norvasc", "Amlodistad"],
        strengths: &["5 mg", "10 mg"],
    },
    Substance {
        name: "levotyroxin",
        atc: "H03AA01",
        brands: &["Levaxin", "Euthyrox"],
        strengths: &["25 mikrog", "50 mikrog", "100 mikrog"],
    },
    Substance {
        name: "sertralin",
        atc: "N06AB06",
        brands: &["Zoloft", "Sertralin"],
        strengths: &["25 mg", "50 mg", "100 mg"],
    },
    Substance {
        name: "citalopram",
        atc: "N06AB04",
        brands: &["Cipramil", "Citalopram"],
        strengths: &["10 mg", "20 mg", "40 mg"],
    },
    Substance {
        name: "escitalopram",
        atc: "N06AB10",
        brands: &["Cipralex", "Escitalopram"],
        strengths: &["5 mg", "10 mg", "20 mg"],
    },
    Substance {
        name: "warfarin",
        atc: "B01AA03",
        brands: &["Waran", "Warfarin"],
        strengths: &["2,5 mg"],
    },
    Substance {
        name: "apixaban",
        atc: "B01AF02",
        brands: &["Eliquis"],
        strengths: &["2,5 mg", "5 mg"],
    },
    Substance {
        name: "fenoximetylpenicillin",
        atc: "J01CE02",
        brands: &["Kåvepenin", "Tikacillin", "Avopenin"],
        strengths: &["250 mg", "500 mg", "800 mg", "1 g", "50 mg/ml"],
    },
    Substance {
        name: "amoxicillin",
        atc: "J01CA04",
        brands: &["Amimox", "Imacillin"],
        strengths: &["375 mg", "500 mg", "750 mg", "50 mg/ml"],
    },
    Substance {
        name: "doxycyklin",
        atc: "J01AA02",
        brands: &["Doxyferm", "Doxycyklin"],
        strengths: &["100 mg"],
    },
    Substance {
        name: "nitrofurantoin",
        atc: "J01XE01",
        brands: &["Furadantin"],
        strengths: &["50 mg"],
    },
    Substance {
        name: "salbutamol",
        atc: "R03AC02",
        brands: &["Ventoline", "Buventol", "Airomir"],
        strengths: &["0,1 mg/dos", "0,2 mg/dos", "5 mg/ml"],
    },
    Substance {
        name: "budesonid",
        atc: "R03BA02",
        brands: &["Pulmicort", "Giona"],
        strengths: &["100 mikrog/dos", "200 mikrog/dos", "400 mikrog/dos"],
    },
    Substance {
        name: "omeprazol",
        atc: "A02BC01",
        brands: &["Losec", "Omecat"],
        strengths: &["10 mg", "20 mg", "40 mg"],
    },
    Substance {
        name: "esomeprazol",
        atc: "A02BC05",
        brands: &["Nexium"],
        strengths: &["20 mg", "40 mg"],
    },
    Substance {
        name: "zopiklon",
        atc: "N05CF01",
        brands: &["Imovane", "Zopiklon"],
        strengths: &["5 mg", "7,5 mg"],
    },
    Substance {
        name: "oxikodon",
        atc: "N02AA05",
        brands: &["OxyNorm", "OxyContin"],
        strengths: &["5 mg", "10 mg", "20 mg", "40 mg"],
    },
    Substance {
        name: "morfin",
        atc: "N02AA01",
        brands: &["Dolcontin", "Morfin"],
        strengths: &["5 mg", "10 mg", "30 mg", "10 mg/ml"],
    },
    Substance {
        name: "hydrokortison",
        atc: "D07AA02",
        brands: &["Hydrokortison", "Mildison"],
        strengths: &["1 %", "10 mg/g"],
    },
    Substance {
        name: "kloramfenikol",
        atc: "S01AA01",
        brands: &["Kloramfenikol", "Chloromycetin"],
        strengths: &["5 mg/ml", "10 mg/g"],
    },
    Substance {
        name: "metoprolol",
        atc: "C07AB02",
        brands: &["Seloken", "Metoprolol"],
        strengths: &["25 mg", "50 mg", "100 mg", "200 mg"],
    },
    Substance {
        name: "furosemid",
        atc: "C03CA01",
        brands: &["Furix", "Lasix"],
        strengths: &["20 mg", "40 mg", "500 mg"],
    },
    Substance {
        name: "prednisolon",
        atc: "H02AB06",
        brands: &["Prednisolon"],
        strengths: &["2,5 mg", "5 mg", "10 mg"],
    },
    Substance {
        name: "metotrexat",
        atc: "L04AX03",
        brands: &["Metoject", "Ebetrex"],
        strengths: &["2,5 mg", "10 mg", "50 mg/ml"],
    },
    Substance {
        name: "loratadin",
        atc: "R06AX13",
        brands: &["Clarityn", "Loratadin"],
        strengths: &["10 mg"],
    },
    Substance {
        name: "cetirizin",
        atc: "R06AE07",
        brands: &["Zyrlex", "Cetirizin"],
        strengths: &["10 mg", "1 mg/ml"],
    },
    Substance {
        name: "mometason",
        atc: "D07AC13",
        brands: &["Elocon", "Nasonex"],
        strengths: &["0,1 %", "50 mikrog/dos"],
    },
    Substance {
        name: "tramadol",
        atc: "N02AX02",
        brands: &["Tradolan", "Tiparol"],
        strengths: &["50 mg", "100 mg", "150 mg"],
    },
    Substance {
        name: "estradiol",
        atc: "G03CA03",
        brands: &["Estrogel", "Vagifem", "Östradiol"],
        strengths: &["10 mikrog", "0,6 mg/g"],
    },
    Substance {
        name: "insulin glargin",
        atc: "A10AE04",
        brands: &["Lantus", "Toujeo", "Abasaglar"],
        strengths: &["100 E/ml", "300 E/ml"],
    },
    Substance {
        name: "lidokain",
        atc: "N01BB02",
        brands: &["Xylocain", "Emla"],
        strengths: &["5 %", "10 mg/ml", "20 mg/ml"],
    },
];

/// Class suffixes of invented substances and the ATC level-4 group they belong to.
const CLASSES: &[(&str, &str)] = &[
    ("olol", "C07AB"),
    ("pril", "C09AA"),
    ("sartan", "C09CA"),
    ("statin", "C10AA"),
    ("dipin", "C08CA"),
    ("prazol", "A02BC"),
    ("cillin", "J01CA"),
    ("mycin", "J01FA"),
    ("azol", "J02AC"),
    ("vir", "J05AB"),
    ("mab", "L04AC"),
    ("tinib", "L01EX"),
    ("setron", "A04AA"),
    ("triptan", "N02CC"),
    ("pam", "N05BA"),
    ("oxetin", "N06AB"),
    ("gliptin", "A10BH"),
    ("lukast", "R03DC"),
    ("son", "D07AC"),
    ("kain", "N01BB"),
];

const SYLLABLES: &[&str] = &[
    "al", "ve", "do", "ip", "re", "me", "fo", "mi", "si", "va", "sta", "ti", "ato", "ena", "la",
    "pri", "am", "lo", "di", "pi", "le", "xi", "se", "tra", "wa", "ra", "eli", "qui", "kå", "pe",
    "ni", "ox", "ko", "zo", "de", "tre", "ö", "lä", "ca", "ro", "mo", "sa", "bu", "te", "fa", "nu",
    "ma", "cla", "bri", "ny", "ter", "vo", "gä", "fen", "lin",
];

const COMPANIES: &[&str] = &[
    "Sandoz",
    "Teva",
    "Krka",
    "Mylan",
    "Orifarm",
    "Actavis",
    "Bluefish",
    "Accord",
    "Ebb",
    "Evolan",
    "Abcur",
    "Pfizer",
    "Meda",
    "Stada",
    "Zentiva",
    "Aurobindo",
    "Viatris",
    "Medical",
];

const FORMS: &[&str] = &[
    "Tablett",
    "Filmdragerad tablett",
    "Kapsel, hård",
    "Depottablett",
    "Enterotablett",
    "Oral lösning",
    "Oral suspension",
    "Injektionsvätska, lösning",
    "Kräm",
    "Salva",
    "Ögondroppar, lösning",
    "Inhalationspulver",
    "Inhalationsspray, suspension",
    "Nässpray, lösning",
    "Munsönderfallande tablett",
    "Brustablett",
    "Gel",
    "Vaginaltablett",
    "Läkemedelsplåster",
];

const SIZES: &[&str] = &[
    "10 styck",
    "20 styck",
    "28 styck",
    "30 styck",
    "50 styck",
    "98 styck",
    "100 styck",
    "250 styck",
    "100 milliliter",
    "30 gram",
    "1 x 200 doser",
    "5 x 3 milliliter",
];

/// The generated catalogue and REK-lists naming some of its ATC codes.
pub fn catalogue() -> Result<(Catalog, RekLists)> {
    let mut rng = XorShift::new(0x5EED_2026_E2EC_E970);
    let mut products = Vec::new();
    let mut packages = 0usize;
    let mut n = 0usize;
    let mut used = HashSet::new();
    while packages < PACKAGES {
        let mut p = product(&mut rng, &mut used, n)?;
        let count = 1 + rng.below(4);
        for _ in 0..count {
            p.packages.push(package(&mut rng, &mut used, packages)?);
            packages += 1;
        }
        products.push(p);
        n += 1;
    }
    let rek = RekLists::parse(
        "01;N02BE01\n01;C10AA01\n01;A10BA02\n01;J01CE02\n01;R03AC02\n\
         12;N02BE01\n12;C10AA05\n12;A10BA02\n12;C09AA05\n",
    )
    .map_err(|issues| anyhow::anyhow!("generated REK-lists refused: {issues:?}"))?;
    Ok((Catalog::new(products), rek))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn syllables(rng: &mut XorShift, min: usize, max: usize) -> String {
    let count = min + rng.below(max - min + 1);
    (0..count).map(|_| *rng.pick(SYLLABLES)).collect()
}

/// The first 13 digits of an NPL id: a date as in the register (about 85 % of the real ids
/// are dated 2000 or later, the rest back to the 1960s), `kind` (0 product, 1 package) as
/// digit 9, a serial; never one already in `used`.
fn first13(rng: &mut XorShift, used: &mut HashSet<String>, kind: u8, serial: usize) -> String {
    loop {
        let year = if rng.chance(85) {
            2000 + rng.below(26)
        } else {
            1960 + rng.below(40)
        };
        let digits = format!(
            "{year:04}{:02}{:02}{kind}{:04}",
            1 + rng.below(12),
            1 + rng.below(28),
            serial % 10_000
        );
        if used.insert(digits.clone()) {
            return digits;
        }
    }
}

fn product(rng: &mut XorShift, used: &mut HashSet<String>, n: usize) -> Result<Product> {
    let id = with_gs1_check_digit(&first13(rng, used, 0, n)).context("generated NPL-id")?;
    let npl_id = NplId::parse(&id).with_context(|| format!("generated NPL-id {id}"))?;

    let (name, substance, atc, strength) = if rng.chance(35) {
        let s = rng.pick(SUBSTANCES);
        let name = if rng.chance(50) {
            (*rng.pick(s.brands)).to_owned()
        } else {
            format!("{} {}", capitalise(s.name), rng.pick(COMPANIES))
        };
        (
            name,
            s.name.to_owned(),
            s.atc.to_owned(),
            (*rng.pick(s.strengths)).to_owned(),
        )
    } else {
        let (suffix, group) = *rng.pick(CLASSES);
        let substance = format!("{}{suffix}", syllables(rng, 1, 3));
        let name = if rng.chance(55) {
            capitalise(&syllables(rng, 2, 4))
        } else {
            format!("{} {}", capitalise(&substance), rng.pick(COMPANIES))
        };
        let strength = format!(
            "{} {}",
            [1, 2, 5, 10, 20, 25, 40, 50, 100, 250, 500][rng.below(11)],
            *rng.pick(&["mg", "mg", "mg", "mikrog", "mg/ml"])
        );
        (
            name,
            substance,
            format!("{group}{:02}", 1 + rng.below(40)),
            strength,
        )
    };

    let mut p = Product::new(npl_id, name);
    p.strength = strength;
    p.form = (*rng.pick(FORMS)).to_owned();
    p.atc = Some(AtcCode::parse(&atc).with_context(|| format!("generated ATC {atc}"))?);
    p.substances = vec![substance];
    p.kind = match rng.below(20) {
        0 => ProductKind::Livsmedel,
        1 => ProductKind::Ickelakemedelsvara,
        _ => ProductKind::Lakemedel,
    };
    p.marketed = !rng.chance(4);
    p.sales_stopped = rng.chance(3);
    Ok(p)
}

fn package(rng: &mut XorShift, used: &mut HashSet<String>, m: usize) -> Result<Package> {
    let id = with_gs1_check_digit(&first13(rng, used, 1, m)).context("generated NPL-pack-id")?;
    let pack_id = NplPackId::parse(&id).with_context(|| format!("generated NPL-pack-id {id}"))?;
    let mut pack = Package::new(pack_id, *rng.pick(SIZES));
    // 7919 is prime to 10^6, so distinct packages get distinct varunummer.
    let varunummer = format!("{:06}", (m * 7919 + 12_345) % 1_000_000);
    pack.varunummer = Some(
        Varunummer::parse(&varunummer)
            .with_context(|| format!("generated varunummer {varunummer}"))?,
    );
    pack.price = Some(Money::from_ore(
        i64::try_from(1_000 + rng.below(300_000)).unwrap_or(0),
    ));
    pack.in_benefit_scheme = Some(rng.below(4) != 0);
    pack.available = !rng.chance(5);
    Ok(pack)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn deterministic_and_large_enough() {
        let (a, _) = super::catalogue().unwrap();
        let (b, _) = super::catalogue().unwrap();
        assert_eq!(a, b);
        let packages: usize = a.products().iter().map(|p| p.packages.len()).sum();
        // Catalog::new keeps the last of duplicate NPL-ids, so this also shows they are distinct.
        assert!(packages >= super::PACKAGES);
        let varunummer: std::collections::HashSet<_> = a
            .products()
            .iter()
            .flat_map(|p| p.packages.iter().filter_map(|k| k.varunummer))
            .collect();
        assert_eq!(varunummer.len(), packages);
    }
}

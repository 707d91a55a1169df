//! The simulator's fictional population: which numbers exist, and who each one is.
//!
//! Identities are Skatteverket's official TEST numbers (read from a directory at start) or,
//! without that directory, numbers of the same shape generated from a seed. Everything else is
//! invented from the number alone, so the same number always gives the same person: names from
//! short lists of common Swedish names, an invented street address in a real town with a
//! plausible postcode. A stable 2 % are protected identities, 3 % deceased and 3 % unknown.

use std::collections::HashSet;
use std::path::Path;

use erecept_domain::{PersonNumber, PersonNumberKind, Sex};
use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

use crate::person::{Address, calling_name_code};
use crate::types::{
    AVREGISTRERING_AVLIDEN, JA, KON_KVINNA, KON_MAN, NEJ, Namn, Period, PersonId, Persondetaljer,
    Svarspost, SvenskAdress, TYP_PERSONNUMMER, TYP_SAMORDNINGSNUMMER,
};

/// Skatteverket's test personnummer, in the directory given to [`Identities::from_dir`].
pub const PERSONNUMMER_FILE: &str = "testpersonnummer.json";
/// Skatteverket's test samordningsnummer, in the same directory.
pub const SAMORDNINGSNUMMER_FILE: &str = "testsamordningsnummer.json";
/// How many numbers [`Identities::generated`] makes of each kind.
pub const GENERATED_PERSONNUMMER: usize = 2000;
pub const GENERATED_SAMORDNINGSNUMMER: usize = 200;

/// The numbers the simulator knows. Any other number is answered "not found", so the simulator
/// never pretends to know a real person.
#[derive(Debug, Clone)]
pub struct Identities {
    personnummer: Vec<PersonNumber>,
    samordningsnummer: Vec<PersonNumber>,
    known: HashSet<PersonNumber>,
    source: String,
}

/// Why the identity files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IdentitiesError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a JSON list of strings: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
}

impl Identities {
    /// Reads [`PERSONNUMMER_FILE`] and [`SAMORDNINGSNUMMER_FILE`] (JSON lists of 12-digit
    /// strings) from `dir`. Entries that are not valid numbers are skipped; each number counts
    /// as the kind it is, whichever file it came from.
    pub fn from_dir(dir: &Path) -> Result<Self, IdentitiesError> {
        let mut numbers = Vec::new();
        for file in [PERSONNUMMER_FILE, SAMORDNINGSNUMMER_FILE] {
            let path = dir.join(file);
            let text = std::fs::read(&path).map_err(|source| IdentitiesError::Read {
                path: path.display().to_string(),
                source,
            })?;
            let list: Vec<String> =
                serde_json::from_slice(&text).map_err(|source| IdentitiesError::Json {
                    path: path.display().to_string(),
                    source,
                })?;
            numbers.extend(list.iter().filter_map(|s| PersonNumber::parse_12(s).ok()));
        }
        Ok(Self::from_numbers(
            numbers,
            format!(
                "Skatteverkets testpersonnummer och testsamordningsnummer ({})",
                dir.display()
            ),
        ))
    }

    /// Numbers shaped like Skatteverket's test numbers (birth numbers 980–999 for personnummer,
    /// 230–239 for samordningsnummer), generated from `seed`: the same seed, the same numbers.
    pub fn generated(seed: u64) -> Self {
        let mut rng = SplitMix(seed);
        let mut numbers = Vec::new();
        let mut seen = HashSet::new();
        let mut make = |count: usize, samordning: bool, numbers: &mut Vec<PersonNumber>| {
            let mut made = 0;
            while made < count {
                let year = 1930 + rng.below(91) as u16; // 1930–2020
                let month = 1 + rng.below(12) as u8;
                let day = 1 + rng.below(28) as u8 + if samordning { 60 } else { 0 };
                let birth = if samordning {
                    230 + rng.below(10) as u16
                } else {
                    980 + rng.below(20) as u16
                };
                let nine = format!("{:02}{month:02}{day:02}{birth:03}", year % 100);
                let check = luhn_check_digit(&nine);
                let twelve = format!("{:02}{nine}{check}", year / 100);
                if let Ok(pnr) = PersonNumber::parse_12(&twelve)
                    && seen.insert(pnr)
                {
                    numbers.push(pnr);
                    made += 1;
                }
            }
        };
        make(GENERATED_PERSONNUMMER, false, &mut numbers);
        make(GENERATED_SAMORDNINGSNUMMER, true, &mut numbers);
        numbers.sort();
        Self::from_numbers(numbers, format!("genererade testnummer (frö {seed})"))
    }

    /// [`Identities::from_dir`] when `dir` is given and readable, else [`Identities::generated`].
    pub fn from_dir_or_generated(dir: Option<&Path>, seed: u64) -> Self {
        dir.and_then(|d| Self::from_dir(d).ok())
            .unwrap_or_else(|| Self::generated(seed))
    }

    fn from_numbers(numbers: Vec<PersonNumber>, source: String) -> Self {
        let mut known = HashSet::with_capacity(numbers.len());
        let mut personnummer = Vec::new();
        let mut samordningsnummer = Vec::new();
        for n in numbers {
            if known.insert(n) {
                match n.kind() {
                    PersonNumberKind::Personnummer => personnummer.push(n),
                    PersonNumberKind::Samordningsnummer => samordningsnummer.push(n),
                }
            }
        }
        Self {
            personnummer,
            samordningsnummer,
            known,
            source,
        }
    }

    pub fn contains(&self, number: &PersonNumber) -> bool {
        self.known.contains(number)
    }

    pub fn personnummer(&self) -> &[PersonNumber] {
        &self.personnummer
    }

    pub fn samordningsnummer(&self) -> &[PersonNumber] {
        &self.samordningsnummer
    }

    /// Where the numbers came from, in Swedish, for the page.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Up to `n` numbers of each kind of answer, in file order (for the page and for tests).
    pub fn examples(&self, n: usize) -> Examples {
        let mut ex = Examples::default();
        for pnr in &self.personnummer {
            let list = match category(pnr) {
                Category::Normal => &mut ex.normal,
                Category::Protected => &mut ex.protected,
                Category::Deceased => &mut ex.deceased,
                Category::Unknown => &mut ex.unknown,
            };
            if list.len() < n {
                list.push(*pnr);
            }
        }
        ex.samordningsnummer = self
            .samordningsnummer
            .iter()
            .filter(|s| category(s) == Category::Normal)
            .take(n)
            .copied()
            .collect();
        ex
    }
}

/// Example numbers of each kind. `normal`, `protected`, `deceased` and `unknown` are
/// personnummer; `samordningsnummer` are normal persons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Examples {
    pub normal: Vec<PersonNumber>,
    pub protected: Vec<PersonNumber>,
    pub deceased: Vec<PersonNumber>,
    pub unknown: Vec<PersonNumber>,
    pub samordningsnummer: Vec<PersonNumber>,
}

/// What a known number is, decided by the number alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Category {
    Normal,
    /// 2 %: sekretessmarkering or skyddad folkbokföring; answered without name and address.
    Protected,
    /// 3 %: avregistrerad, avliden.
    Deceased,
    /// 3 %: answered "not found" although the number is a test number.
    Unknown,
}

/// The category of a number (stable: a hash of its digits).
pub fn category(number: &PersonNumber) -> Category {
    match hash(number, 0) % 100 {
        0..=1 => Category::Protected,
        2..=4 => Category::Deceased,
        5..=7 => Category::Unknown,
        _ => Category::Normal,
    }
}

/// A person as the simulator holds them: generated, or set through `POST /control/persons`.
/// JSON in camelCase; everything but `personNumber` may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimPerson {
    /// 12 digits.
    pub person_number: String,
    /// Answer "not found".
    #[serde(default)]
    pub unknown: bool,
    #[serde(default)]
    pub given_names: Option<String>,
    /// One of the given names (or two joined by their hyphen or space); sent as SPAR's
    /// `Tilltalsnamn` code.
    #[serde(default)]
    pub calling_name: Option<String>,
    #[serde(default)]
    pub middle_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    /// Default: from the number.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Default: from the number.
    #[serde(default)]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub address: Option<Address>,
    /// Sekretessmarkering: answered without name and address.
    #[serde(default)]
    pub protected: bool,
    /// Skyddad folkbokföring instead of sekretessmarkering (also answered without name and
    /// address); implies protected.
    #[serde(default)]
    pub protected_registration: bool,
    #[serde(default)]
    pub deceased: bool,
    /// Default (when deceased): 2024-01-01.
    #[serde(default)]
    pub deceased_on: Option<Date>,
}

impl SimPerson {
    /// The answer record for this person; `None` when `unknown` or the number is invalid.
    pub fn svarspost(&self) -> Option<Svarspost> {
        if self.unknown {
            return None;
        }
        let number = PersonNumber::parse_12(&self.person_number).ok()?;
        let protected = self.protected || self.protected_registration;
        let period = Period {
            datum_from: Some("2020-01-01".to_owned()),
            datum_till: Some("9999-12-31".to_owned()),
        };
        let ja_nej = |b: bool| Some(if b { JA } else { NEJ }.to_owned());
        let namn = if protected
            || (self.given_names.is_none() && self.surname.is_none() && self.middle_name.is_none())
        {
            Vec::new()
        } else {
            vec![Namn {
                period: period.clone(),
                fornamn: self.given_names.clone(),
                tilltalsnamn: match (&self.given_names, &self.calling_name) {
                    (Some(g), Some(c)) => calling_name_code(g, c),
                    _ => None,
                },
                mellannamn: self.middle_name.clone(),
                efternamn: self.surname.clone(),
            }]
        };
        let deceased_on = self
            .deceased
            .then(|| self.deceased_on.unwrap_or(date(2024, 1, 1)).to_string());
        let sex = self.sex.unwrap_or(number.sex());
        let details = Persondetaljer {
            period: period.clone(),
            sekretessmarkering: ja_nej(self.protected),
            skyddad_folkbokforing: ja_nej(self.protected_registration),
            avregistreringsorsak_kod: self.deceased.then(|| AVREGISTRERING_AVLIDEN.to_owned()),
            avregistreringsdatum: deceased_on.clone(),
            avlidendatum: deceased_on,
            fodelsedatum: self
                .birth_date
                .or_else(|| number.birth_date())
                .map(|d| d.to_string()),
            kon: Some(
                match sex {
                    Sex::Male => KON_MAN,
                    Sex::Female => KON_KVINNA,
                }
                .to_owned(),
            ),
        };
        let folkbokforingsadress = match (&self.address, protected) {
            (Some(a), false) => vec![SvenskAdress {
                period,
                care_of: a.care_of.clone(),
                utdelningsadress1: a.line1.clone(),
                utdelningsadress2: a.line2.clone(),
                post_nr: Some(a.postal_code.clone()),
                postort: Some(a.post_town.clone()),
            }],
            _ => Vec::new(),
        };
        Some(Svarspost {
            person_id: PersonId {
                id_nummer: number.as_12_digits(),
                typ: Some(
                    match number.kind() {
                        PersonNumberKind::Personnummer => TYP_PERSONNUMMER,
                        PersonNumberKind::Samordningsnummer => TYP_SAMORDNINGSNUMMER,
                    }
                    .to_owned(),
                ),
            },
            sekretessmarkering: ja_nej(self.protected),
            skyddad_folkbokforing: ja_nej(self.protected_registration),
            namn,
            persondetaljer: vec![details],
            folkbokforingsadress,
        })
    }
}

const MALE: &[&str] = &[
    "Lars", "Anders", "Johan", "Karl", "Erik", "Per", "Mikael", "Peter", "Nils", "Jan", "Lennart",
    "Hans", "Magnus", "Olof", "Sven", "Gustav", "Oskar", "Axel", "Emil", "Filip", "Viktor",
    "William", "Lucas", "Elias", "Hugo", "Liam", "Adam", "Björn", "Gunnar", "Åke",
];
const FEMALE: &[&str] = &[
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Kristina",
    "Lena",
    "Sara",
    "Emma",
    "Ingrid",
    "Elin",
    "Johanna",
    "Linnea",
    "Sofia",
    "Malin",
    "Ida",
    "Hanna",
    "Elsa",
    "Alice",
    "Maja",
    "Astrid",
    "Ebba",
    "Wilma",
    "Saga",
    "Agnes",
    "Birgitta",
    "Margareta",
    "Ulla",
    "Annika",
    "Helena",
    "Åsa",
];
const SURNAMES: &[&str] = &[
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Olofsson",
    "Lindström",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Lundin",
    "Håkansson",
    "Björk",
    "Bergman",
    "Gunnarsson",
    "Holm",
    "Wikström",
    "Samuelsson",
    "Isaksson",
];
const STREETS: &[&str] = &[
    "Storgatan",
    "Kyrkogatan",
    "Drottninggatan",
    "Skolgatan",
    "Järnvägsgatan",
    "Nygatan",
    "Parkvägen",
    "Björkvägen",
    "Tallvägen",
    "Granvägen",
    "Ekvägen",
    "Lönnvägen",
    "Ängsvägen",
    "Sjövägen",
    "Strandvägen",
    "Bäckvägen",
    "Lingonstigen",
    "Blåbärsstigen",
    "Solvägen",
    "Rönnvägen",
];
/// Real towns with a range of their postcodes (the addresses in them are invented).
const TOWNS: &[(&str, u32, u32)] = &[
    ("STOCKHOLM", 11120, 11860),
    ("GÖTEBORG", 41101, 41879),
    ("MALMÖ", 21111, 21774),
    ("UPPSALA", 75220, 75759),
    ("VÄSTERÅS", 72210, 72481),
    ("ÖREBRO", 70210, 70375),
    ("LINKÖPING", 58222, 58758),
    ("HELSINGBORG", 25220, 25669),
    ("JÖNKÖPING", 55310, 55625),
    ("NORRKÖPING", 60210, 60365),
    ("LUND", 22220, 22478),
    ("UMEÅ", 90320, 90654),
    ("GÄVLE", 80250, 80646),
    ("BORÅS", 50330, 50765),
    ("SUNDSVALL", 85230, 85643),
    ("LULEÅ", 97231, 97596),
    ("KARLSTAD", 65214, 65468),
    ("VÄXJÖ", 35230, 35263),
    ("HALMSTAD", 30224, 30296),
    ("KALMAR", 39231, 39365),
    ("ÖSTERSUND", 83130, 83175),
    ("VISBY", 62141, 62158),
    ("FALUN", 79130, 79177),
    ("KIRUNA", 98131, 98147),
    ("YSTAD", 27131, 27145),
];

/// The generated person behind a known number (the category decides protected, deceased,
/// unknown). Deterministic: the same number always gives the same person.
pub fn generate(number: &PersonNumber) -> SimPerson {
    let mut rng = SplitMix(hash(number, 1));
    let pick = |rng: &mut SplitMix, list: &[&'static str]| -> &'static str {
        list.get(rng.below(list.len() as u64) as usize)
            .copied()
            .unwrap_or("Test")
    };
    let first_names = match number.sex() {
        Sex::Male => MALE,
        Sex::Female => FEMALE,
    };
    // One to three different given names; now and then a hyphenated pair first.
    let count = 1 + rng.below(3) as usize;
    let mut names: Vec<&str> = Vec::new();
    while names.len() < count {
        let name = pick(&mut rng, first_names);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let hyphenated = names.len() >= 2 && rng.below(10) == 0;
    let given_names = if hyphenated {
        let mut s = format!("{}-{}", names[0], names[1]);
        for n in &names[2..] {
            s.push(' ');
            s.push_str(n);
        }
        s
    } else {
        names.join(" ")
    };
    let calling_name = if hyphenated {
        format!("{}-{}", names[0], names[1])
    } else if names.len() >= 2 && rng.below(4) == 0 {
        names[1].to_owned()
    } else {
        names[0].to_owned()
    };
    let surname = pick(&mut rng, SURNAMES).to_owned();
    let middle_name = (rng.below(12) == 0).then(|| pick(&mut rng, SURNAMES).to_owned());
    let (town, low, high) = TOWNS
        .get(rng.below(TOWNS.len() as u64) as usize)
        .copied()
        .unwrap_or(("STOCKHOLM", 11120, 11860));
    let postal_code = (low + rng.below(u64::from(high - low + 1)) as u32).to_string();
    let mut street = format!("{} {}", pick(&mut rng, STREETS), 1 + rng.below(99));
    if rng.below(5) < 2 {
        street.push_str(&format!(
            " LGH {}",
            1001 + 100 * rng.below(6) + rng.below(4)
        ));
    }
    let care_of = (rng.below(25) == 0).then(|| pick(&mut rng, SURNAMES).to_uppercase());
    let category = category(number);
    let deceased = category == Category::Deceased;
    let deceased_on = deceased.then(|| {
        let base = date(2023, 1, 1);
        let day = base
            .checked_add(jiff::Span::new().days(rng.below(900) as i64))
            .unwrap_or(base);
        match number.birth_date() {
            Some(born) if born >= day => {
                born.checked_add(jiff::Span::new().days(30)).unwrap_or(born)
            }
            _ => day,
        }
    });
    let protected = category == Category::Protected;
    // Half of the protected have sekretessmarkering, half skyddad folkbokföring.
    let registration = protected && rng.below(2) == 0;
    SimPerson {
        person_number: number.as_12_digits(),
        unknown: category == Category::Unknown,
        given_names: Some(given_names),
        calling_name: Some(calling_name),
        middle_name,
        surname: Some(surname),
        sex: None,
        birth_date: None,
        // A deceased person is no longer registered at an address.
        address: (!deceased).then(|| Address {
            care_of,
            line1: None,
            line2: Some(street),
            postal_code,
            post_town: town.to_owned(),
        }),
        protected: protected && !registration,
        protected_registration: registration,
        deceased,
        deceased_on,
    }
}

/// FNV-1a over the digits and a salt, then a SplitMix64 finish: stable across Rust releases
/// (unlike `DefaultHasher`).
fn hash(number: &PersonNumber, salt: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for b in number.as_12_digits().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    SplitMix(h).next()
}

/// SplitMix64: small, fast, good enough for invented names.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// 0 ≤ n < bound (bound > 0; the tiny modulo bias does not matter here).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

/// Luhn over the ASCII digits of `payload`: weights 2, 1, 2, … from the left (for 9 digits).
fn luhn_check_digit(payload: &str) -> u8 {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let p = d * 2;
                if p > 9 { p - 9 } else { p }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_identities_are_valid_stable_and_test_shaped() {
        let a = Identities::generated(7);
        let b = Identities::generated(7);
        assert_eq!(a.personnummer(), b.personnummer());
        assert_eq!(a.personnummer().len(), GENERATED_PERSONNUMMER);
        assert_eq!(a.samordningsnummer().len(), GENERATED_SAMORDNINGSNUMMER);
        for p in a.personnummer() {
            let nnn = &p.as_12_digits()[8..11];
            assert!(nnn.starts_with("98") || nnn.starts_with("99"), "{p}");
        }
        for s in a.samordningsnummer() {
            assert_eq!(s.kind(), PersonNumberKind::Samordningsnummer);
        }
        assert_ne!(Identities::generated(8).personnummer(), a.personnummer());
    }

    #[test]
    fn the_same_number_gives_the_same_person_and_the_shares_are_about_right() {
        let ids = Identities::generated(1);
        let mut counts = [0usize; 4];
        for p in ids.personnummer() {
            let person = generate(p);
            assert_eq!(person, generate(p));
            counts[match category(p) {
                Category::Normal => 0,
                Category::Protected => 1,
                Category::Deceased => 2,
                Category::Unknown => 3,
            }] += 1;
            let post = person.svarspost();
            assert_eq!(post.is_none(), person.unknown);
            if let Some(post) = post {
                let mapped = crate::person::person_from(&post).unwrap();
                assert_eq!(mapped.person_number, *p);
                assert_eq!(mapped.deceased, person.deceased);
                assert_eq!(
                    mapped.protected,
                    person.protected || person.protected_registration
                );
                if !mapped.protected {
                    assert_eq!(mapped.calling_name, person.calling_name);
                    assert!(mapped.surname.is_some());
                }
                if !mapped.protected && !mapped.deceased {
                    let address = mapped.address.unwrap();
                    assert_eq!(address.postal_code.len(), 5);
                }
            }
        }
        let n = ids.personnummer().len();
        assert!(counts[1] * 100 > n && counts[1] * 100 < n * 4, "{counts:?}");
        assert!(
            counts[2] * 100 > n * 2 && counts[2] * 100 < n * 5,
            "{counts:?}"
        );
        assert!(
            counts[3] * 100 > n * 2 && counts[3] * 100 < n * 5,
            "{counts:?}"
        );
        let ex = ids.examples(3);
        assert_eq!(ex.normal.len(), 3);
        assert_eq!(ex.protected.len(), 3);
        assert_eq!(ex.deceased.len(), 3);
        assert_eq!(ex.unknown.len(), 3);
        assert_eq!(ex.samordningsnummer.len(), 3);
    }

    #[test]
    fn luhn_matches_the_domain() {
        // 811218-987 → 6 (Skatteverket's example).
        assert_eq!(luhn_check_digit("811218987"), 6);
    }
}

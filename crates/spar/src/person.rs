//! What the service needs from a SPAR answer: [`Person`], decided by the pure [`person_from`].

use erecept_domain::{PersonNumber, PersonNumberKind, Sex};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::types::{
    AVREGISTRERING_AVLIDEN, JA, KON_KVINNA, KON_MAN, Period, Svarspost, TYP_PERSONNUMMER,
    TYP_SAMORDNINGSNUMMER,
};

/// The answer to one look-up.
// One value per look-up, matched at once: boxing the person would only make matching clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lookup {
    Found(Person),
    /// SPAR knows nobody by that number.
    NotFound,
}

/// A person as SPAR describes them.
///
/// A protected identity (`protected`: sekretessmarkering or skyddad folkbokföring) never has an
/// address here, whatever SPAR sent, and usually no name either. SPEC §3: show it marked and
/// without address; refuse a `deceased` person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The number SPAR answered for (the one asked about, in practice).
    pub person_number: PersonNumber,
    pub kind: PersonNumberKind,
    /// All given names as registered ("Anna Maria").
    pub given_names: Option<String>,
    /// The calling name (tilltalsnamn), one or two of the given names.
    pub calling_name: Option<String>,
    pub middle_name: Option<String>,
    pub surname: Option<String>,
    /// From SPAR, or else from the number (unknown for some samordningsnummer).
    pub birth_date: Option<Date>,
    /// From SPAR, or else from the number.
    pub sex: Option<Sex>,
    /// The folkbokföringsadress; `None` for protected identities and people without one.
    pub address: Option<Address>,
    pub protected: bool,
    pub deceased: bool,
    /// SPAR's `AvregistreringsorsakKod` when the person is deregistered (`AV` deceased, other
    /// codes for emigration and the like).
    pub deregistration_code: Option<String>,
}

impl Person {
    /// "Tilltalsnamn Mellannamn Efternamn" from what is known (the calling name, or else all
    /// given names); `None` when SPAR gave no name (protected identity).
    pub fn display_name(&self) -> Option<String> {
        let first = self.calling_name.as_ref().or(self.given_names.as_ref());
        let parts: Vec<&str> = [first, self.middle_name.as_ref(), self.surname.as_ref()]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// A Swedish postal address (`SvenskAdress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// SPAR's `CareOf` (shown with "c/o " in front unless it has one).
    pub care_of: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    /// Five digits, no space, as SPAR writes it ("75320"); empty if SPAR sent none.
    pub postal_code: String,
    /// As SPAR writes it, usually in capitals ("UPPSALA"); empty if SPAR sent none.
    pub post_town: String,
}

impl Address {
    /// The lines of an envelope: "c/o …", line 1, line 2, "753 20 UPPSALA".
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::with_capacity(4);
        if let Some(c) = &self.care_of {
            if c.to_lowercase().starts_with("c/o") {
                lines.push(c.clone());
            } else {
                lines.push(format!("c/o {c}"));
            }
        }
        lines.extend(self.line1.iter().cloned());
        lines.extend(self.line2.iter().cloned());
        let code = if self.postal_code.len() == 5 && self.postal_code.is_ascii() {
            format!("{} {}", &self.postal_code[..3], &self.postal_code[3..])
        } else {
            self.postal_code.clone()
        };
        let last = format!("{code} {}", self.post_town);
        if !last.trim().is_empty() {
            lines.push(last.trim().to_owned());
        }
        lines
    }
}

/// Why a [`Svarspost`] cannot become a [`Person`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("the answer's IdNummer is not a valid personnummer or samordningsnummer")]
    IdNummer,
}

/// Turns one answer record into a [`Person`]. Of several periods (names, details, addresses) the
/// current one is used: the latest `DatumTill` (none counts as open-ended), then the latest
/// `DatumFrom`, then the last written.
pub fn person_from(post: &Svarspost) -> Result<Person, PersonError> {
    let person_number = PersonNumber::parse_12(post.person_id.id_nummer.trim())
        .map_err(|_| PersonError::IdNummer)?;
    let kind = match post.person_id.typ.as_deref() {
        Some(TYP_PERSONNUMMER) => PersonNumberKind::Personnummer,
        Some(TYP_SAMORDNINGSNUMMER) => PersonNumberKind::Samordningsnummer,
        _ => person_number.kind(),
    };
    let namn = current(&post.namn, |n| &n.period);
    let details = current(&post.persondetaljer, |d| &d.period);
    let is_ja = |v: Option<&String>| v.is_some_and(|v| v.trim().eq_ignore_ascii_case(JA));
    let protected = is_ja(post.sekretessmarkering.as_ref())
        || is_ja(post.skyddad_folkbokforing.as_ref())
        || details.is_some_and(|d| {
            is_ja(d.sekretessmarkering.as_ref()) || is_ja(d.skyddad_folkbokforing.as_ref())
        });
    let deregistration_code = details.and_then(|d| d.avregistreringsorsak_kod.clone());
    let deceased = details.is_some_and(|d| {
        d.avlidendatum.is_some()
            || d.avregistreringsorsak_kod
                .as_deref()
                .is_some_and(|k| k.trim().eq_ignore_ascii_case(AVREGISTRERING_AVLIDEN))
    });
    let birth_date = details
        .and_then(|d| d.fodelsedatum.as_deref())
        .and_then(|s| s.trim().parse::<Date>().ok())
        .or_else(|| person_number.birth_date());
    let sex = match details.and_then(|d| d.kon.as_deref()).map(str::trim) {
        Some(KON_MAN) => Some(Sex::Male),
        Some(KON_KVINNA) => Some(Sex::Female),
        _ => Some(person_number.sex()),
    };
    let address = if protected {
        None
    } else {
        current(&post.folkbokforingsadress, |a| &a.period).and_then(|a| {
            let address = Address {
                care_of: a.care_of.clone(),
                line1: a.utdelningsadress1.clone(),
                line2: a.utdelningsadress2.clone(),
                postal_code: a.post_nr.clone().unwrap_or_default(),
                post_town: a.postort.clone().unwrap_or_default(),
            };
            let empty = address.line1.is_none()
                && address.line2.is_none()
                && address.postal_code.is_empty()
                && address.post_town.is_empty();
            (!empty).then_some(address)
        })
    };
    let given_names = namn.and_then(|n| n.fornamn.clone());
    let calling_name = namn.and_then(|n| {
        let given = n.fornamn.as_deref()?;
        resolve_calling_name(given, n.tilltalsnamn.as_deref()?)
    });
    Ok(Person {
        person_number,
        kind,
        given_names,
        calling_name,
        middle_name: namn.and_then(|n| n.mellannamn.clone()),
        surname: namn.and_then(|n| n.efternamn.clone()),
        birth_date,
        sex,
        address,
        protected,
        deceased,
        deregistration_code,
    })
}

fn current<T>(items: &[T], period: impl Fn(&T) -> &Period) -> Option<&T> {
    // `None` sorts before `Some`, so an open end is made to sort last with a sentinel.
    let key = |item: &T| {
        let p = period(item);
        (
            p.datum_till
                .clone()
                .unwrap_or_else(|| "9999-99-99".to_owned()),
            p.datum_from.clone().unwrap_or_default(),
        )
    };
    let mut best: Option<&T> = None;
    for item in items {
        if best.is_none_or(|b| key(item) >= key(b)) {
            best = Some(item);
        }
    }
    best
}

/// SPAR's `Tilltalsnamn` code: two digits, the positions (from 1) of the first and the last
/// given name that make up the calling name, counting names split at spaces and hyphens; the
/// second digit is 0 for a single name. "Karl-Erik Johan" with `12` is "Karl-Erik", with `30`
/// "Johan". A code that does not fit the names gives `None`; a text that is not a code (some
/// older records) is taken as the calling name itself.
pub fn resolve_calling_name(given_names: &str, code: &str) -> Option<String> {
    let code = code.trim();
    let bytes = code.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_digit) {
        return (!code.is_empty()).then(|| code.to_owned());
    }
    let first = usize::from(bytes[0] - b'0');
    let last = match usize::from(bytes[1] - b'0') {
        0 => first,
        n => n,
    };
    if first == 0 || last < first {
        return None;
    }
    // Each name with the position where it starts and ends in the text.
    let mut names: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in given_names.char_indices() {
        if c == ' ' || c == '-' {
            if let Some(s) = start.take() {
                names.push((s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        names.push((s, given_names.len()));
    }
    let (from, _) = *names.get(first - 1)?;
    let (_, to) = *names.get(last - 1)?;
    given_names.get(from..to).map(str::to_owned)
}

/// The `Tilltalsnamn` code that makes `calling` out of `given_names` (the simulator's side);
/// `None` if `calling` is not one name or a run of neighbouring names there.
pub fn calling_name_code(given_names: &str, calling: &str) -> Option<String> {
    let count = given_names
        .split([' ', '-'])
        .filter(|n| !n.is_empty())
        .count()
        .min(9);
    for first in 1..=count {
        for last in first..=count {
            let code = if first == last {
                format!("{first}0")
            } else {
                format!("{first}{last}")
            };
            if resolve_calling_name(given_names, &code).as_deref() == Some(calling.trim()) {
                return Some(code);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Namn, PersonId, Persondetaljer, SvenskAdress};

    fn post() -> Svarspost {
        Svarspost {
            person_id: PersonId {
                id_nummer: "189001019802".into(),
                typ: Some(TYP_PERSONNUMMER.into()),
            },
            sekretessmarkering: Some("NEJ".into()),
            skyddad_folkbokforing: Some("NEJ".into()),
            namn: vec![Namn {
                fornamn: Some("Anna Maria".into()),
                tilltalsnamn: Some("20".into()),
                efternamn: Some("Testsson".into()),
                ..Namn::default()
            }],
            persondetaljer: vec![Persondetaljer {
                fodelsedatum: Some("1890-01-01".into()),
                kon: Some(KON_KVINNA.into()),
                ..Persondetaljer::default()
            }],
            folkbokforingsadress: vec![SvenskAdress {
                utdelningsadress2: Some("Storgatan 1".into()),
                post_nr: Some("75320".into()),
                postort: Some("UPPSALA".into()),
                ..SvenskAdress::default()
            }],
        }
    }

    #[test]
    fn maps_a_normal_person() {
        let p = person_from(&post()).unwrap();
        assert_eq!(p.person_number.as_12_digits(), "189001019802");
        assert_eq!(p.kind, PersonNumberKind::Personnummer);
        assert_eq!(p.calling_name.as_deref(), Some("Maria"));
        assert_eq!(p.display_name().as_deref(), Some("Maria Testsson"));
        assert_eq!(p.birth_date, Some(jiff::civil::date(1890, 1, 1)));
        assert_eq!(p.sex, Some(Sex::Female));
        assert!(!p.protected && !p.deceased);
        assert_eq!(
            p.address.unwrap().lines(),
            vec!["Storgatan 1".to_owned(), "753 20 UPPSALA".to_owned()]
        );
    }

    #[test]
    fn protected_never_has_an_address() {
        let mut post = post();
        post.persondetaljer[0].skyddad_folkbokforing = Some("JA".into());
        let p = person_from(&post).unwrap();
        assert!(p.protected);
        assert_eq!(p.address, None);
    }

    #[test]
    fn deceased_by_code_or_date_and_the_current_period_wins() {
        let mut post = post();
        let mut old = post.persondetaljer[0].clone();
        old.period.datum_till = Some("2020-01-01".into());
        let mut now = old.clone();
        now.period.datum_till = Some("9999-12-31".into());
        now.avregistreringsorsak_kod = Some("AV".into());
        post.persondetaljer = vec![now, old];
        let p = person_from(&post).unwrap();
        assert!(p.deceased);
        assert_eq!(p.deregistration_code.as_deref(), Some("AV"));
        post.persondetaljer.reverse();
        assert!(person_from(&post).unwrap().deceased);
        post.persondetaljer[1].avregistreringsorsak_kod = Some("UV".into());
        let p = person_from(&post).unwrap();
        assert!(!p.deceased);
        assert_eq!(p.deregistration_code.as_deref(), Some("UV"));
    }

    #[test]
    fn bad_id_nummer_is_an_error() {
        let mut post = post();
        post.person_id.id_nummer = "189001019803".into();
        assert_eq!(person_from(&post), Err(PersonError::IdNummer));
    }

    #[test]
    fn calling_name_codes() {
        assert_eq!(
            resolve_calling_name("Karl-Erik Johan", "12").as_deref(),
            Some("Karl-Erik")
        );
        assert_eq!(
            resolve_calling_name("Karl-Erik Johan", "30").as_deref(),
            Some("Johan")
        );
        assert_eq!(
            resolve_calling_name("Karl-Erik Johan", "23").as_deref(),
            Some("Erik Johan")
        );
        assert_eq!(resolve_calling_name("Karl", "20"), None);
        assert_eq!(resolve_calling_name("Karl", "00"), None);
        assert_eq!(
            resolve_calling_name("Karl Olof", "Olle").as_deref(),
            Some("Olle")
        );
        assert_eq!(
            calling_name_code("Karl-Erik Johan", "Karl-Erik").as_deref(),
            Some("12")
        );
        assert_eq!(
            calling_name_code("Anna Maria", "Maria").as_deref(),
            Some("20")
        );
        assert_eq!(calling_name_code("Anna Maria", "Lisa"), None);
    }
}

//! Drug identifiers: NPL-id, NPL-pack-id, varunummer and ATC code.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::checksum::gs1_check_digit;

/// Why a text is not a valid drug identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DrugIdError {
    #[error("NPL-id:t ska bestå av exakt 14 siffror.")]
    NplIdFormat,
    #[error("Det här är ett NPL-pack-id för en förpackning, inte ett NPL-id för en produkt.")]
    NplIdIsPackage,
    #[error("NPL-id:t är inte giltigt: den nionde siffran ska vara 0.")]
    NplIdNinthDigit,
    #[error("NPL-pack-id:t ska bestå av exakt 14 siffror.")]
    NplPackIdFormat,
    #[error("Det här är ett NPL-id för en produkt, inte ett NPL-pack-id för en förpackning.")]
    NplPackIdIsProduct,
    #[error("NPL-pack-id:t är inte giltigt: den nionde siffran ska vara 1.")]
    NplPackIdNinthDigit,
    #[error("Varunumret ska bestå av exakt 6 siffror.")]
    VarunummerFormat,
    #[error(
        "ATC-koden är inte giltig: den ska se ut som t.ex. C07AB08 (bokstav, två siffror, två bokstäver, två siffror) och får vara förkortad till C, C07, C07A eller C07AB."
    )]
    AtcFormat,
    #[error(
        "ATC-koden är inte giltig: den börjar inte med någon av ATC-systemets huvudgrupper (A, B, C, D, G, H, J, L, M, N, P, R, S eller V)."
    )]
    AtcUnknownGroup,
}

/// Fourteen ASCII digits after trimming, or `None`.
fn fourteen_digits(input: &str) -> Option<[u8; 14]> {
    let s = input.trim();
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.as_bytes().try_into().ok()
}

fn gs1_ok(ascii: &[u8; 14]) -> bool {
    let digits = ascii.map(|b| b - b'0');
    let (payload, check) = digits.split_at(13);
    check == [gs1_check_digit(payload)]
}

macro_rules! string_like {
    ($t:ident) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($t), "({})"), self.as_str())
            }
        }

        impl FromStr for $t {
            type Err = DrugIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// NPL-id: Läkemedelsverket's identity of a medicinal product.
///
/// 14 digits: an 8-digit date, then 6 digits of which the first (digit 9) is 0. The last digit
/// normally passes a GS1 mod-10 check, but that rule is unpublished, so a failure is only a
/// warning: see [`NplId::gs1_check_ok`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NplId([u8; 14]);

impl NplId {
    pub fn parse(input: &str) -> Result<Self, DrugIdError> {
        let ascii = fourteen_digits(input).ok_or(DrugIdError::NplIdFormat)?;
        match ascii[8] {
            b'0' => Ok(Self(ascii)),
            b'1' => Err(DrugIdError::NplIdIsPackage),
            _ => Err(DrugIdError::NplIdNinthDigit),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Whether the last digit passes the GS1 mod-10 check (true for every id in NPL so far).
    pub fn gs1_check_ok(&self) -> bool {
        gs1_ok(&self.0)
    }
}

string_like!(NplId);

/// NPL-pack-id: Läkemedelsverket's identity of one package of a product.
///
/// Like [`NplId`] but digit 9 is 1; the GS1 check is again only a warning.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NplPackId([u8; 14]);

impl NplPackId {
    pub fn parse(input: &str) -> Result<Self, DrugIdError> {
        let ascii = fourteen_digits(input).ok_or(DrugIdError::NplPackIdFormat)?;
        match ascii[8] {
            b'1' => Ok(Self(ascii)),
            b'0' => Err(DrugIdError::NplPackIdIsProduct),
            _ => Err(DrugIdError::NplPackIdNinthDigit),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Whether the last digit passes the GS1 mod-10 check.
    pub fn gs1_check_ok(&self) -> bool {
        gs1_ok(&self.0)
    }
}

string_like!(NplPackId);

/// Varunummer: the Nordic article number of a package; 6 digits, may start with 0, no check
/// digit. Parallel imports can share one, so it is not a unique key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Varunummer([u8; 6]);

impl Varunummer {
    pub fn parse(input: &str) -> Result<Self, DrugIdError> {
        let s = input.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DrugIdError::VarunummerFormat);
        }
        s.as_bytes()
            .try_into()
            .map(Self)
            .map_err(|_| DrugIdError::VarunummerFormat)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

string_like!(Varunummer);

/// Anatomical main groups of the WHO ATC system.
const HUMAN_GROUPS: &[u8] = b"ABCDGHJLMNPRSV";

/// ATC code at any WHO level (1: "C", 2: "C07", 3: "C07A", 4: "C07AB", 5: "C07AB08"),
/// or an ATCvet code with a leading "Q" (e.g. "QJ01CA04"). Stored in upper case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AtcCode(String);

impl AtcCode {
    /// Parses a code; surrounding white space is ignored and letters may be lower case.
    pub fn parse(input: &str) -> Result<Self, DrugIdError> {
        let code = input.trim().to_ascii_uppercase();
        let (veterinary, body) = match code.strip_prefix('Q') {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, code.as_str()),
        };
        let bytes = body.as_bytes();
        // Positions: letter, digit, digit, letter, letter, digit, digit.
        let shape_ok = matches!(bytes.len(), 1 | 3 | 4 | 5 | 7)
            && bytes.iter().enumerate().all(|(i, b)| match i {
                0 | 3 | 4 => b.is_ascii_uppercase(),
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(DrugIdError::AtcFormat);
        }
        let group = bytes.first().copied().unwrap_or_default();
        // ATCvet adds QI (immunologicals) to the human groups.
        let known = HUMAN_GROUPS.contains(&group) || (veterinary && group == b'I');
        if !known {
            return Err(DrugIdError::AtcUnknownGroup);
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is an ATCvet code (leading "Q").
    pub fn is_veterinary(&self) -> bool {
        self.0.len() > 1 && self.0.starts_with('Q')
    }

    /// WHO level 1–5 (anatomical main group … chemical substance).
    pub fn level(&self) -> u8 {
        let body_len = self.0.len() - usize::from(self.is_veterinary());
        match body_len {
            1 => 1,
            3 => 2,
            4 => 3,
            5 => 4,
            _ => 5,
        }
    }

    /// Whether `self` is `group` or lies below it in the hierarchy (e.g. C07AB08 in C07).
    pub fn is_in(&self, group: &AtcCode) -> bool {
        self.0.starts_with(group.as_str())
    }
}

impl fmt::Display for AtcCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AtcCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AtcCode({})", self.as_str())
    }
}

impl FromStr for AtcCode {
    type Err = DrugIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for AtcCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AtcCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn npl_ids() {
        let id = NplId::parse(" 19360121000012 ").unwrap();
        assert_eq!(id.as_str(), "19360121000012");
        assert!(id.gs1_check_ok());
        assert_eq!(format!("{id:?}"), "NplId(19360121000012)");
        // A wrong GS1 digit is only a warning.
        let id = NplId::parse("19360121000013").unwrap();
        assert!(!id.gs1_check_ok());
        let pack = NplPackId::parse("19880401100022").unwrap();
        assert!(pack.gs1_check_ok());
        assert_eq!(pack.to_string(), "19880401100022");
        assert!(!NplPackId::parse("19880401100023").unwrap().gs1_check_ok());
    }

    #[test]
    fn every_error_and_message() {
        use DrugIdError as E;
        let cases: Vec<(Result<(), E>, E, &str)> = vec![
            (
                NplId::parse("1936012100001").map(drop),
                E::NplIdFormat,
                "NPL-id:t ska bestå av exakt 14 siffror.",
            ),
            (
                NplId::parse("19360121 000012").map(drop),
                E::NplIdFormat,
                "",
            ),
            (NplId::parse("").map(drop), E::NplIdFormat, ""),
            (
                NplId::parse("19880401100022").map(drop),
                E::NplIdIsPackage,
                "Det här är ett NPL-pack-id för en förpackning, inte ett NPL-id för en produkt.",
            ),
            (
                NplId::parse("19360121200012").map(drop),
                E::NplIdNinthDigit,
                "NPL-id:t är inte giltigt: den nionde siffran ska vara 0.",
            ),
            (
                NplPackId::parse("1988040110002x").map(drop),
                E::NplPackIdFormat,
                "NPL-pack-id:t ska bestå av exakt 14 siffror.",
            ),
            (
                NplPackId::parse("19360121000012").map(drop),
                E::NplPackIdIsProduct,
                "Det här är ett NPL-id för en produkt, inte ett NPL-pack-id för en förpackning.",
            ),
            (
                NplPackId::parse("19880401900022").map(drop),
                E::NplPackIdNinthDigit,
                "NPL-pack-id:t är inte giltigt: den nionde siffran ska vara 1.",
            ),
            (
                Varunummer::parse("12345").map(drop),
                E::VarunummerFormat,
                "Varunumret ska bestå av exakt 6 siffror.",
            ),
            (
                Varunummer::parse("1234567").map(drop),
                E::VarunummerFormat,
                "",
            ),
            (
                Varunummer::parse("12345a").map(drop),
                E::VarunummerFormat,
                "",
            ),
            (
                AtcCode::parse("C07AB0").map(drop),
                E::AtcFormat,
                "ATC-koden är inte giltig: den ska se ut som t.ex. C07AB08 (bokstav, två siffror, två bokstäver, två siffror) och får vara förkortad till C, C07, C07A eller C07AB.",
            ),
            (
                AtcCode::parse("E07AB08").map(drop),
                E::AtcUnknownGroup,
                "ATC-koden är inte giltig: den börjar inte med någon av ATC-systemets huvudgrupper (A, B, C, D, G, H, J, L, M, N, P, R, S eller V).",
            ),
        ];
        for (result, expected, message) in cases {
            assert_eq!(result, Err(expected));
            if !message.is_empty() {
                assert_eq!(expected.to_string(), message);
            }
        }
    }

    #[test]
    fn varunummer_keeps_leading_zero() {
        let v = Varunummer::parse("019496").unwrap();
        assert_eq!(v.as_str(), "019496");
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"019496\"");
        assert_eq!(serde_json::from_str::<Varunummer>("\"019496\"").unwrap(), v);
    }

    #[test]
    fn atc_levels() {
        let cases = [
            ("C", 1),
            ("C07", 2),
            ("C07A", 3),
            ("C07AB", 4),
            ("C07AB08", 5),
        ];
        for (code, level) in cases {
            let atc = AtcCode::parse(code).unwrap();
            assert_eq!(atc.level(), level, "{code}");
            assert!(!atc.is_veterinary());
        }
        let atc = AtcCode::parse(" c07ab08 ").unwrap();
        assert_eq!(atc.as_str(), "C07AB08");
        assert!(atc.is_in(&AtcCode::parse("C07").unwrap()));
        assert!(!atc.is_in(&AtcCode::parse("C08").unwrap()));
        let vet = AtcCode::parse("QJ01CA04").unwrap();
        assert!(vet.is_veterinary());
        assert_eq!(vet.level(), 5);
        assert_eq!(AtcCode::parse("QJ").unwrap().level(), 1);
        assert!(AtcCode::parse("QI09AA").unwrap().is_veterinary());
        for bad in [
            "", "Q", "C7", "C07AB089", "C07AB0", "C0AAB08", "C07A108", "QQJ01", "I", "C07ÅB08",
        ] {
            assert!(AtcCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&vet).unwrap(), "\"QJ01CA04\"");
    }

    proptest! {
        #[test]
        fn npl_round_trip(date in "[0-9]{8}", rest in "[0-9]{5}", check in 0u8..10) {
            let product = format!("{date}0{rest}");
            let product = format!("{}{}", &product[..13], check);
            let id = NplId::parse(&product).unwrap();
            prop_assert_eq!(id.as_str(), product.as_str());
            let digits: Vec<u8> = product.bytes().map(|b| b - b'0').collect();
            prop_assert_eq!(id.gs1_check_ok(), gs1_check_digit(&digits[..13]) == check);
            let package = format!("{date}1{rest}");
            prop_assert!(NplPackId::parse(&package).is_ok());
            prop_assert_eq!(NplId::parse(&package), Err(DrugIdError::NplIdIsPackage));
        }

        #[test]
        fn atc_round_trip(s in "Q?[ABCDGHJLMNPRSV]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?") {
            let atc = AtcCode::parse(&s.to_lowercase()).unwrap();
            prop_assert_eq!(atc.as_str(), s.as_str());
            prop_assert_eq!(AtcCode::parse(atc.as_str()), Ok(atc));
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = NplId::parse(&s);
            let _ = NplPackId::parse(&s);
            let _ = Varunummer::parse(&s);
            let _ = AtcCode::parse(&s);
        }
    }
}

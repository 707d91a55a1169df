//! Organisationsnummer: the identity of a company, authority or association.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::checksum::luhn_valid;

/// Why a text is not a valid organisationsnummer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrganisationNumberError {
    #[error("Ange ett organisationsnummer.")]
    Empty,
    #[error(
        "Organisationsnumret får bara innehålla siffror och ett bindestreck, t.ex. NNNNNN-NNNN."
    )]
    InvalidCharacter,
    #[error("Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN), men har {0}.")]
    WrongLength(usize),
    #[error("Organisationsnumret är inte giltigt: i 12-siffrig form börjar det med 16.")]
    InvalidPrefix,
    #[error(
        "Organisationsnumret har bindestrecket på fel plats. Skriv det före de fyra sista siffrorna."
    )]
    MisplacedSeparator,
    #[error(
        "Organisationsnumret är inte giltigt: den tredje siffran måste vara 2 eller högre. En enskild firma använder ägarens personnummer."
    )]
    ThirdDigit,
    #[error("Organisationsnumret är inte giltigt: kontrollsiffran stämmer inte.")]
    CheckDigit,
}

/// A valid organisationsnummer (10 digits, third digit ≥ 2, Luhn check digit).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganisationNumber {
    digits: [u8; 10],
}

impl OrganisationNumber {
    /// Accepts "NNNNNN-NNNN", "NNNNNNNNNN" and the 12-digit "16NNNNNNNNNN" (also with "-"),
    /// with spaces anywhere.
    pub fn parse(input: &str) -> Result<Self, OrganisationNumberError> {
        let mut digits = Vec::with_capacity(12);
        let mut separator_at = None;
        for c in input.chars() {
            if c.is_ascii_digit() {
                digits.push(c as u8 - b'0');
            } else if c.is_whitespace() {
                continue;
            } else if matches!(c, '-' | '\u{2010}'..='\u{2014}' | '\u{2212}') {
                if separator_at.is_some() {
                    return Err(OrganisationNumberError::MisplacedSeparator);
                }
                separator_at = Some(digits.len());
            } else {
                return Err(OrganisationNumberError::InvalidCharacter);
            }
        }
        let ten: &[u8] = match digits.len() {
            0 => return Err(OrganisationNumberError::Empty),
            10 => &digits,
            12 => match digits.split_at(2) {
                ([1, 6], rest) => rest,
                _ => return Err(OrganisationNumberError::InvalidPrefix),
            },
            n => return Err(OrganisationNumberError::WrongLength(n)),
        };
        if separator_at.is_some_and(|at| at != digits.len() - 4) {
            return Err(OrganisationNumberError::MisplacedSeparator);
        }
        let digits: [u8; 10] = ten
            .try_into()
            .map_err(|_| OrganisationNumberError::WrongLength(ten.len()))?;
        if digits[2] < 2 {
            return Err(OrganisationNumberError::ThirdDigit);
        }
        if !luhn_valid(&digits) {
            return Err(OrganisationNumberError::CheckDigit);
        }
        Ok(Self { digits })
    }

    /// "NNNNNNNNNN", the stored form.
    pub fn as_10_digits(&self) -> String {
        self.digits.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl fmt::Display for OrganisationNumber {
    /// "NNNNNN-NNNN".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_10_digits();
        let (head, tail) = s.split_at(6);
        write!(f, "{head}-{tail}")
    }
}

impl fmt::Debug for OrganisationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrganisationNumber({self})")
    }
}

impl FromStr for OrganisationNumber {
    type Err = OrganisationNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for OrganisationNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_10_digits())
    }
}

impl<'de> Deserialize<'de> for OrganisationNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::luhn_check_digit;
    use proptest::prelude::*;

    #[test]
    fn accepts_written_forms() {
        // Skatteverket's own organisationsnummer.
        for form in [
            "202100-5448",
            "2021005448",
            "162021005448",
            "16202100-5448",
            " 202100 5448 ",
        ] {
            let n = OrganisationNumber::parse(form).unwrap_or_else(|e| panic!("{form}: {e}"));
            assert_eq!(n.to_string(), "202100-5448");
            assert_eq!(n.as_10_digits(), "2021005448");
        }
        // An aktiebolag (first digit 5).
        assert!("556036-0793".parse::<OrganisationNumber>().is_ok());
    }

    #[test]
    fn every_error_and_message() {
        use OrganisationNumberError as E;
        let cases: &[(&str, E, &str)] = &[
            ("", E::Empty, "Ange ett organisationsnummer."),
            (
                "202100_5448",
                E::InvalidCharacter,
                "Organisationsnumret får bara innehålla siffror och ett bindestreck, t.ex. NNNNNN-NNNN.",
            ),
            (
                "202100-544",
                E::WrongLength(9),
                "Organisationsnumret ska ha 10 siffror (NNNNNN-NNNN), men har 9.",
            ),
            (
                "192021005448",
                E::InvalidPrefix,
                "Organisationsnumret är inte giltigt: i 12-siffrig form börjar det med 16.",
            ),
            (
                "2021-005448",
                E::MisplacedSeparator,
                "Organisationsnumret har bindestrecket på fel plats. Skriv det före de fyra sista siffrorna.",
            ),
            ("202100--5448", E::MisplacedSeparator, ""),
            (
                "121212-1212",
                E::ThirdDigit,
                "Organisationsnumret är inte giltigt: den tredje siffran måste vara 2 eller högre. En enskild firma använder ägarens personnummer.",
            ),
            (
                "202100-5449",
                E::CheckDigit,
                "Organisationsnumret är inte giltigt: kontrollsiffran stämmer inte.",
            ),
        ];
        for (input, expected, message) in cases {
            assert_eq!(OrganisationNumber::parse(input), Err(*expected), "{input}");
            if !message.is_empty() {
                assert_eq!(expected.to_string(), *message);
            }
        }
    }

    #[test]
    fn serde_round_trip() {
        let n = OrganisationNumber::parse("202100-5448").unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, "\"2021005448\"");
        assert_eq!(
            serde_json::from_str::<OrganisationNumber>(&json).unwrap(),
            n
        );
        assert_eq!(format!("{n:?}"), "OrganisationNumber(202100-5448)");
    }

    fn valid() -> impl Strategy<Value = String> {
        "[0-9][0-9][2-9][0-9]{6}".prop_map(|s| {
            let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
            format!("{s}{}", luhn_check_digit(&d))
        })
    }

    proptest! {
        #[test]
        fn round_trips(s in valid()) {
            let n = OrganisationNumber::parse(&s).unwrap();
            prop_assert_eq!(n.as_10_digits(), s.clone());
            prop_assert_eq!(OrganisationNumber::parse(&n.to_string()), Ok(n));
            prop_assert_eq!(OrganisationNumber::parse(&format!("16{s}")), Ok(n));
        }

        #[test]
        fn single_digit_change_is_refused(s in valid(), pos in 0usize..10, delta in 1u8..10) {
            let mut b = s.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            prop_assert!(OrganisationNumber::parse(&String::from_utf8(b).unwrap()).is_err());
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = OrganisationNumber::parse(&s);
        }
    }
}

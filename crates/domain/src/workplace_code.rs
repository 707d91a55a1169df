//! Arbetsplatskod: the workplace code a region issues; it decides the patient's drug subsidy.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::county::County;

/// The manual's explanation, shown whenever the county prefix is wrong.
pub const COUNTY_PREFIX_HELP: &str =
    "Arbetsplatskoden inleds med länskoden. Ex 01 för Region Stockholm, 12 för Region Skåne";

/// Why a text is not a valid arbetsplatskod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WorkplaceCodeError {
    #[error("Ange arbetsplatskoden.")]
    Empty,
    #[error("Arbetsplatskoden får bara innehålla siffror.")]
    NotDigits,
    #[error("Arbetsplatskoden ska ha 3–13 siffror, men har {0}.")]
    WrongLength(usize),
    #[error("Arbetsplatskoden börjar inte med en giltig länskod. {COUNTY_PREFIX_HELP}.")]
    UnknownCounty,
}

/// A valid arbetsplatskod: 3–13 digits beginning with one of the 21 county codes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkplaceCode {
    code: String,
    county: County,
}

impl WorkplaceCode {
    /// Parses a code; white space around it is ignored.
    pub fn parse(input: &str) -> Result<Self, WorkplaceCodeError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(WorkplaceCodeError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WorkplaceCodeError::NotDigits);
        }
        if !(3..=13).contains(&s.len()) {
            return Err(WorkplaceCodeError::WrongLength(s.len()));
        }
        let county = s
            .get(..2)
            .and_then(County::from_code)
            .ok_or(WorkplaceCodeError::UnknownCounty)?;
        Ok(Self {
            code: s.to_owned(),
            county,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    /// The county given by the code's first two digits: the region proposed in forms.
    pub fn county(&self) -> County {
        self.county
    }
}

impl fmt::Display for WorkplaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl fmt::Debug for WorkplaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkplaceCode({})", self.code)
    }
}

impl FromStr for WorkplaceCode {
    type Err = WorkplaceCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for WorkplaceCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code)
    }
}

impl<'de> Deserialize<'de> for WorkplaceCode {
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
    fn accepts_codes_and_proposes_region() {
        let code = WorkplaceCode::parse(" 0123456789012 ").unwrap();
        assert_eq!(code.as_str(), "0123456789012");
        assert_eq!(code.county(), County::Stockholm);
        assert_eq!(code.county().region_name(), "Region Stockholm");
        let code = WorkplaceCode::parse("120").unwrap();
        assert_eq!(code.county().region_name(), "Region Skåne");
        assert_eq!(code.to_string(), "120");
        assert_eq!(format!("{code:?}"), "WorkplaceCode(120)");
        assert_eq!(
            WorkplaceCode::parse("25999").unwrap().county(),
            County::Norrbotten
        );
    }

    #[test]
    fn every_error_and_message() {
        use WorkplaceCodeError as E;
        let cases: &[(&str, E, &str)] = &[
            ("", E::Empty, "Ange arbetsplatskoden."),
            (
                "01 234",
                E::NotDigits,
                "Arbetsplatskoden får bara innehålla siffror.",
            ),
            ("01-234", E::NotDigits, ""),
            (
                "01",
                E::WrongLength(2),
                "Arbetsplatskoden ska ha 3–13 siffror, men har 2.",
            ),
            ("01234567890123", E::WrongLength(14), ""),
            (
                "0212345",
                E::UnknownCounty,
                "Arbetsplatskoden börjar inte med en giltig länskod. Arbetsplatskoden inleds med länskoden. Ex 01 för Region Stockholm, 12 för Region Skåne.",
            ),
            ("11123", E::UnknownCounty, ""),
            ("26123", E::UnknownCounty, ""),
            ("99123", E::UnknownCounty, ""),
        ];
        for (input, expected, message) in cases {
            assert_eq!(WorkplaceCode::parse(input), Err(*expected), "{input}");
            if !message.is_empty() {
                assert_eq!(expected.to_string(), *message);
            }
        }
        assert!(E::UnknownCounty.to_string().contains(
            "Arbetsplatskoden inleds med länskoden. Ex 01 för Region Stockholm, 12 för Region Skåne"
        ));
    }

    #[test]
    fn serde_round_trip() {
        let code = WorkplaceCode::parse("1410101").unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"1410101\"");
        assert_eq!(serde_json::from_str::<WorkplaceCode>(&json).unwrap(), code);
    }

    proptest! {
        #[test]
        fn county_is_the_prefix(s in "[0-9]{3,13}") {
            match WorkplaceCode::parse(&s) {
                Ok(code) => {
                    prop_assert_eq!(code.as_str(), s.as_str());
                    prop_assert_eq!(code.county().code(), &s[..2]);
                }
                Err(e) => {
                    prop_assert_eq!(e, WorkplaceCodeError::UnknownCounty);
                    prop_assert!(County::from_code(&s[..2]).is_none());
                }
            }
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = WorkplaceCode::parse(&s);
        }
    }
}

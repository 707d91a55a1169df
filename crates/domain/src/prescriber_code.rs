//! Förskrivarkod: the 7-digit prescriber code issued by Socialstyrelsen.
//!
//! The last digit is a check digit, but its algorithm is not published, so (like
//! eHälsomyndigheten) only the format is checked here; the register check is elsewhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text is not a valid förskrivarkod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PrescriberCodeError {
    #[error("Ange din förskrivarkod.")]
    Empty,
    #[error("Förskrivarkoden får inte innehålla mellanslag.")]
    ContainsWhitespace,
    #[error("Förskrivarkoden får bara innehålla siffror.")]
    NotDigits,
    #[error("Förskrivarkoden ska ha exakt 7 siffror, men har {0}.")]
    WrongLength(usize),
    #[error("Förskrivarkoden är inte giltig: den får inte bestå av bara nollor.")]
    AllZeros,
}

/// A förskrivarkod in valid format: exactly 7 digits, not all zeros.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrescriberCode([u8; 7]);

impl PrescriberCode {
    /// Parses a code; white space around it is ignored, white space inside it is refused.
    pub fn parse(input: &str) -> Result<Self, PrescriberCodeError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PrescriberCodeError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(PrescriberCodeError::ContainsWhitespace);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PrescriberCodeError::NotDigits);
        }
        let code: [u8; 7] = s
            .as_bytes()
            .try_into()
            .map_err(|_| PrescriberCodeError::WrongLength(s.len()))?;
        if code.iter().all(|&b| b == b'0') {
            return Err(PrescriberCodeError::AllZeros);
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for PrescriberCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for PrescriberCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrescriberCode({})", self.as_str())
    }
}

impl FromStr for PrescriberCode {
    type Err = PrescriberCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for PrescriberCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PrescriberCode {
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
    fn accepts_seven_digits() {
        let code = PrescriberCode::parse(" 1234567\n").unwrap();
        assert_eq!(code.as_str(), "1234567");
        assert_eq!(code.to_string(), "1234567");
        assert_eq!(format!("{code:?}"), "PrescriberCode(1234567)");
        assert!(PrescriberCode::parse("0000001").is_ok());
        // No check-digit validation: any last digit is accepted.
        for last in 0..10 {
            assert!(PrescriberCode::parse(&format!("123456{last}")).is_ok());
        }
    }

    #[test]
    fn every_error_and_message() {
        use PrescriberCodeError as E;
        let cases: &[(&str, E, &str)] = &[
            ("", E::Empty, "Ange din förskrivarkod."),
            ("  \t", E::Empty, "Ange din förskrivarkod."),
            (
                "123 4567",
                E::ContainsWhitespace,
                "Förskrivarkoden får inte innehålla mellanslag.",
            ),
            (
                "123456a",
                E::NotDigits,
                "Förskrivarkoden får bara innehålla siffror.",
            ),
            ("１２３４５６７", E::NotDigits, ""),
            (
                "123456",
                E::WrongLength(6),
                "Förskrivarkoden ska ha exakt 7 siffror, men har 6.",
            ),
            ("12345678", E::WrongLength(8), ""),
            (
                "0000000",
                E::AllZeros,
                "Förskrivarkoden är inte giltig: den får inte bestå av bara nollor.",
            ),
        ];
        for (input, expected, message) in cases {
            assert_eq!(PrescriberCode::parse(input), Err(*expected), "{input}");
            if !message.is_empty() {
                assert_eq!(expected.to_string(), *message);
            }
        }
    }

    #[test]
    fn serde_round_trip() {
        let code = PrescriberCode::parse("0123456").unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"0123456\"");
        assert_eq!(serde_json::from_str::<PrescriberCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<PrescriberCode>("\"0000000\"").is_err());
    }

    proptest! {
        #[test]
        fn round_trips(s in "[0-9]{7}") {
            match PrescriberCode::parse(&s) {
                Ok(code) => prop_assert_eq!(code.as_str(), s.as_str()),
                Err(e) => prop_assert_eq!((e, s.as_str()), (PrescriberCodeError::AllZeros, "0000000")),
            }
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = PrescriberCode::parse(&s);
        }
    }
}

//! Payment references: OCR reference, bankgiro and plusgiro numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::checksum::{digit_values, luhn_check_digit, luhn_valid};

/// Why a payment reference is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRefError {
    #[error("Ange OCR-numret.")]
    OcrEmpty,
    #[error("OCR-numret får bara innehålla siffror.")]
    OcrNotDigits,
    #[error("OCR-numret måste ha minst 2 siffror.")]
    OcrTooShort,
    #[error("OCR-numret får ha högst 25 siffror.")]
    OcrTooLong,
    #[error("OCR-numret är inte giltigt: kontrollsiffran stämmer inte.")]
    OcrCheckDigit,
    #[error("OCR-numret är inte giltigt: längdsiffran stämmer inte med antalet siffror.")]
    OcrLengthDigit,
    #[error("Ange bankgironumret.")]
    BankgiroEmpty,
    #[error("Bankgironumret ska ha 7 eller 8 siffror, t.ex. 123-4567 eller 1234-5678.")]
    BankgiroFormat,
    #[error("Bankgironumret är inte giltigt: kontrollsiffran stämmer inte.")]
    BankgiroCheckDigit,
    #[error("Ange plusgironumret.")]
    PlusgiroEmpty,
    #[error("Plusgironumret ska ha 2–8 siffror, t.ex. 123456-7.")]
    PlusgiroFormat,
    #[error("Plusgironumret är inte giltigt: kontrollsiffran stämmer inte.")]
    PlusgiroCheckDigit,
}

/// Digits of `input` with white space removed; `None` if anything else than digits, white
/// space and at most one `-` appears. The second value is how many digits precede the `-`.
fn digits_and_dash(input: &str) -> Option<(Vec<u8>, Option<usize>)> {
    let mut digits = Vec::new();
    let mut dash = None;
    for c in input.chars() {
        if c.is_ascii_digit() {
            digits.push(c as u8 - b'0');
        } else if c.is_whitespace() {
            continue;
        } else if matches!(c, '-' | '\u{2010}'..='\u{2014}' | '\u{2212}') && dash.is_none() {
            dash = Some(digits.len());
        } else {
            return None;
        }
    }
    Some((digits, dash))
}

fn to_ascii(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// OCR reference for a payment: digits whose last one is a Luhn check digit over the others,
/// optionally preceded by a length digit (total length mod 10). 2–25 digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OcrReference(String);

impl OcrReference {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 25;

    /// Builds a reference from `base_digits` (e.g. an invoice number): appends the length digit
    /// when asked, then the check digit. "123" → "1230", or "12351" with a length digit.
    pub fn create(base_digits: &str, with_length_digit: bool) -> Result<Self, PaymentRefError> {
        if base_digits.is_empty() {
            return Err(PaymentRefError::OcrEmpty);
        }
        let mut digits = digit_values(base_digits).ok_or(PaymentRefError::OcrNotDigits)?;
        let total = digits.len() + 1 + usize::from(with_length_digit);
        if total > Self::MAX_LEN {
            return Err(PaymentRefError::OcrTooLong);
        }
        if total < Self::MIN_LEN {
            return Err(PaymentRefError::OcrTooShort);
        }
        if with_length_digit {
            // `total % 10` is a single digit.
            digits.push((total % 10) as u8);
        }
        digits.push(luhn_check_digit(&digits));
        Ok(Self(to_ascii(&digits)))
    }

    /// Validates a reference as written by a payer; white space is ignored. With
    /// `expect_length_digit` the second-last digit must be the length digit.
    pub fn parse(input: &str, expect_length_digit: bool) -> Result<Self, PaymentRefError> {
        let digits: Vec<u8> = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.is_ascii_digit().then(|| c as u8 - b'0'))
            .collect::<Option<_>>()
            .ok_or(PaymentRefError::OcrNotDigits)?;
        if digits.is_empty() {
            return Err(PaymentRefError::OcrEmpty);
        }
        if digits.len() < Self::MIN_LEN {
            return Err(PaymentRefError::OcrTooShort);
        }
        if digits.len() > Self::MAX_LEN {
            return Err(PaymentRefError::OcrTooLong);
        }
        if !luhn_valid(&digits) {
            return Err(PaymentRefError::OcrCheckDigit);
        }
        let reference = Self(to_ascii(&digits));
        if expect_length_digit && !reference.has_valid_length_digit() {
            return Err(PaymentRefError::OcrLengthDigit);
        }
        Ok(reference)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the second-last digit equals the total length mod 10.
    pub fn has_valid_length_digit(&self) -> bool {
        let len = self.0.len();
        self.0
            .as_bytes()
            .get(len.wrapping_sub(2))
            .is_some_and(|&b| usize::from(b - b'0') == len % 10)
    }
}

impl fmt::Display for OcrReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OcrReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OcrReference({})", self.0)
    }
}

impl Serialize for OcrReference {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OcrReference {
    /// Checks the check digit only: whether a length digit is used is the caller's agreement.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&s, false).map_err(serde::de::Error::custom)
    }
}

/// Bankgiro number: 7 or 8 digits, last one a Luhn check digit; written "NNN-NNNN" or
/// "NNNN-NNNN".
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BankgiroNumber(String);

impl BankgiroNumber {
    /// Accepts the number with or without its dash, and with spaces.
    pub fn parse(input: &str) -> Result<Self, PaymentRefError> {
        let (digits, dash) = digits_and_dash(input).ok_or(PaymentRefError::BankgiroFormat)?;
        if digits.is_empty() && dash.is_none() {
            return Err(PaymentRefError::BankgiroEmpty);
        }
        let len = digits.len();
        if !(7..=8).contains(&len) || dash.is_some_and(|at| at + 4 != len) {
            return Err(PaymentRefError::BankgiroFormat);
        }
        if !luhn_valid(&digits) {
            return Err(PaymentRefError::BankgiroCheckDigit);
        }
        Ok(Self(to_ascii(&digits)))
    }

    /// The digits without dash.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BankgiroNumber {
    /// "NNN-NNNN" or "NNNN-NNNN".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, tail) = self.0.split_at(self.0.len().saturating_sub(4));
        write!(f, "{head}-{tail}")
    }
}

/// Plusgiro number: 2–8 digits, last one a Luhn check digit; written "NNNNNN-N".
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlusgiroNumber(String);

impl PlusgiroNumber {
    /// Accepts the number with or without the dash before the check digit, and with spaces
    /// (plusgiro numbers are often grouped as "12 34 56-7").
    pub fn parse(input: &str) -> Result<Self, PaymentRefError> {
        let (digits, dash) = digits_and_dash(input).ok_or(PaymentRefError::PlusgiroFormat)?;
        if digits.is_empty() && dash.is_none() {
            return Err(PaymentRefError::PlusgiroEmpty);
        }
        let len = digits.len();
        if !(2..=8).contains(&len) || dash.is_some_and(|at| at + 1 != len) {
            return Err(PaymentRefError::PlusgiroFormat);
        }
        if !luhn_valid(&digits) {
            return Err(PaymentRefError::PlusgiroCheckDigit);
        }
        Ok(Self(to_ascii(&digits)))
    }

    /// The digits without dash.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlusgiroNumber {
    /// "NNNNNN-N".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, tail) = self.0.split_at(self.0.len().saturating_sub(1));
        write!(f, "{head}-{tail}")
    }
}

macro_rules! giro_common {
    ($t:ident) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($t), "({})"), self)
            }
        }

        impl FromStr for $t {
            type Err = PaymentRefError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
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

giro_common!(BankgiroNumber);
giro_common!(PlusgiroNumber);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ocr_examples_from_domain() {
        assert_eq!(OcrReference::create("123", false).unwrap().as_str(), "1230");
        assert_eq!(OcrReference::create("123", true).unwrap().as_str(), "12351");
        assert!(OcrReference::parse("1230", false).is_ok());
        assert!(
            OcrReference::parse("12351", true)
                .unwrap()
                .has_valid_length_digit()
        );
        assert!(OcrReference::parse("123 51", true).is_ok());
        // Length 10 gives length digit 0.
        let r = OcrReference::create("12345678", true).unwrap();
        assert_eq!(r.as_str().len(), 10);
        assert_eq!(&r.as_str()[8..9], "0");
        assert!(OcrReference::parse(r.as_str(), true).is_ok());
    }

    #[test]
    fn ocr_from_bgmax_sample() {
        // References that Bankgirot's sample file marks as correct OCR (length digit used) …
        for reference in ["655969", "657866", "658765", "650861", "659763", "658260"] {
            assert!(OcrReference::parse(reference, true).is_ok(), "{reference}");
        }
        // … and one it marks as incorrect.
        assert_eq!(
            OcrReference::parse("89853", true),
            Err(PaymentRefError::OcrCheckDigit)
        );
    }

    #[test]
    fn every_ocr_error_and_message() {
        use PaymentRefError as E;
        let cases: Vec<(Result<OcrReference, E>, E, &str)> = vec![
            (
                OcrReference::parse("  ", false),
                E::OcrEmpty,
                "Ange OCR-numret.",
            ),
            (OcrReference::create("", false), E::OcrEmpty, ""),
            (
                OcrReference::parse("12a4", false),
                E::OcrNotDigits,
                "OCR-numret får bara innehålla siffror.",
            ),
            (OcrReference::create("12-3", false), E::OcrNotDigits, ""),
            (
                OcrReference::parse("0", false),
                E::OcrTooShort,
                "OCR-numret måste ha minst 2 siffror.",
            ),
            (
                OcrReference::parse(&"1".repeat(26), false),
                E::OcrTooLong,
                "OCR-numret får ha högst 25 siffror.",
            ),
            (
                OcrReference::create(&"1".repeat(24), true),
                E::OcrTooLong,
                "",
            ),
            (
                OcrReference::parse("1231", false),
                E::OcrCheckDigit,
                "OCR-numret är inte giltigt: kontrollsiffran stämmer inte.",
            ),
            (
                OcrReference::parse("1230", true),
                E::OcrLengthDigit,
                "OCR-numret är inte giltigt: längdsiffran stämmer inte med antalet siffror.",
            ),
        ];
        for (result, expected, message) in cases {
            assert_eq!(result, Err(expected));
            if !message.is_empty() {
                assert_eq!(expected.to_string(), message);
            }
        }
        assert!(OcrReference::create(&"1".repeat(23), true).is_ok());
    }

    #[test]
    fn bankgiro() {
        // Bankgirot's own examples: 5050-1055 and a 7-digit number.
        let bg = BankgiroNumber::parse("5050-1055").unwrap();
        assert_eq!(bg.to_string(), "5050-1055");
        assert_eq!(bg.digits(), "50501055");
        assert_eq!(format!("{bg:?}"), "BankgiroNumber(5050-1055)");
        assert_eq!(BankgiroNumber::parse("50501055").unwrap(), bg);
        let seven = BankgiroNumber::parse("991-2346").unwrap();
        assert_eq!(seven.to_string(), "991-2346");
        assert_eq!(serde_json::to_string(&seven).unwrap(), "\"9912346\"");
        assert_eq!(
            serde_json::from_str::<BankgiroNumber>("\"9912346\"").unwrap(),
            seven
        );

        use PaymentRefError as E;
        let cases = [
            ("", E::BankgiroEmpty, "Ange bankgironumret."),
            (
                "505-01055",
                E::BankgiroFormat,
                "Bankgironumret ska ha 7 eller 8 siffror, t.ex. 123-4567 eller 1234-5678.",
            ),
            ("123456", E::BankgiroFormat, ""),
            ("5050-1055x", E::BankgiroFormat, ""),
            ("5050--1055", E::BankgiroFormat, ""),
            (
                "5050-1056",
                E::BankgiroCheckDigit,
                "Bankgironumret är inte giltigt: kontrollsiffran stämmer inte.",
            ),
        ];
        for (input, expected, message) in cases {
            assert_eq!(BankgiroNumber::parse(input), Err(expected), "{input}");
            if !message.is_empty() {
                assert_eq!(expected.to_string(), message);
            }
        }
    }

    #[test]
    fn plusgiro() {
        let pg = PlusgiroNumber::parse("90 20 03-3").unwrap();
        assert_eq!(pg.to_string(), "902003-3");
        assert_eq!(pg.digits(), "9020033");
        assert_eq!(PlusgiroNumber::parse("9020033").unwrap(), pg);
        assert_eq!(PlusgiroNumber::parse("1-8").unwrap().to_string(), "1-8");

        use PaymentRefError as E;
        let cases = [
            ("", E::PlusgiroEmpty, "Ange plusgironumret."),
            (
                "1",
                E::PlusgiroFormat,
                "Plusgironumret ska ha 2–8 siffror, t.ex. 123456-7.",
            ),
            ("123456789", E::PlusgiroFormat, ""),
            ("90200-33", E::PlusgiroFormat, ""),
            (
                "902003-4",
                E::PlusgiroCheckDigit,
                "Plusgironumret är inte giltigt: kontrollsiffran stämmer inte.",
            ),
        ];
        for (input, expected, message) in cases {
            assert_eq!(PlusgiroNumber::parse(input), Err(expected), "{input}");
            if !message.is_empty() {
                assert_eq!(expected.to_string(), message);
            }
        }
    }

    proptest! {
        #[test]
        fn ocr_create_then_parse(base in "[0-9]{1,23}", with_length in any::<bool>()) {
            let r = OcrReference::create(&base, with_length).unwrap();
            prop_assert!(r.as_str().starts_with(&base));
            prop_assert_eq!(r.as_str().len(), base.len() + 1 + usize::from(with_length));
            prop_assert_eq!(OcrReference::parse(r.as_str(), with_length), Ok(r.clone()));
            if with_length {
                prop_assert!(r.has_valid_length_digit());
            }
        }

        #[test]
        fn ocr_single_digit_change_is_refused(base in "[0-9]{1,23}", pos in 0usize..25, delta in 1u8..10) {
            let r = OcrReference::create(&base, false).unwrap();
            let mut b = r.as_str().as_bytes().to_vec();
            let pos = pos % b.len();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            prop_assert!(OcrReference::parse(&String::from_utf8(b).unwrap(), false).is_err());
        }

        #[test]
        fn giro_round_trip(base in "[0-9]{1,7}") {
            let digits: Vec<u8> = base.bytes().map(|b| b - b'0').collect();
            let full = format!("{base}{}", luhn_check_digit(&digits));
            if let Ok(pg) = PlusgiroNumber::parse(&full) {
                prop_assert_eq!(PlusgiroNumber::parse(&pg.to_string()), Ok(pg.clone()));
                prop_assert_eq!(pg.digits(), full.as_str());
            }
            if let Ok(bg) = BankgiroNumber::parse(&full) {
                prop_assert_eq!(BankgiroNumber::parse(&bg.to_string()), Ok(bg.clone()));
                prop_assert!(full.len() >= 7);
            }
        }

        #[test]
        fn never_panics(s in "\\PC*", flag in any::<bool>()) {
            let _ = OcrReference::parse(&s, flag);
            let _ = OcrReference::create(&s, flag);
            let _ = BankgiroNumber::parse(&s);
            let _ = PlusgiroNumber::parse(&s);
        }
    }
}

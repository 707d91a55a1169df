//! Personnummer and samordningsnummer (Swedish personal identity and coordination numbers).
//!
//! A [`PersonNumber`] always holds a valid number: century 18, 19 or 20, a real calendar date
//! for a personnummer, day + 60 for a samordningsnummer (61–91, where month 00 and day 60 mean
//! "unknown"), birth number 001–999 and a correct Luhn check digit.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::checksum::luhn_valid;

/// Which of the two national number series a [`PersonNumber`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PersonNumberKind {
    Personnummer,
    /// Coordination number for people who are not (yet) registered in Sweden: day + 60.
    Samordningsnummer,
}

/// Legal sex as encoded in the ninth digit (odd = male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

/// Why a text is not a valid personnummer or samordningsnummer.
///
/// The variants carry no digits of the input, so errors can be logged without leaking
/// personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonNumberError {
    #[error("Ange ett personnummer.")]
    Empty,
    #[error(
        "Personnumret får bara innehålla siffror och ett bindestreck eller plustecken, t.ex. ÅÅÅÅMMDD-NNNN."
    )]
    InvalidCharacter,
    #[error("Skriv personnumret utan mellanslag, t.ex. ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN.")]
    InnerSpace,
    #[error("Personnumret ska ha 10 eller 12 siffror (ÅÅÅÅMMDD-NNNN), men har {0}.")]
    WrongLength(usize),
    #[error("Personnumret ska ha exakt 12 siffror utan bindestreck (ååååmmddnnnn).")]
    NotTwelveDigits,
    #[error(
        "Personnumret har bindestrecket eller plustecknet på fel plats. Skriv det före de fyra sista siffrorna."
    )]
    MisplacedSeparator,
    #[error("Personnumret är inte giltigt: århundradet måste vara 18, 19 eller 20.")]
    InvalidCentury,
    #[error("Personnumret är inte giltigt: födelseåret måste ligga mellan 1800 och 2099.")]
    YearOutOfRange,
    #[error("Personnumret är inte giltigt: månaden måste vara 01–12.")]
    InvalidMonth,
    #[error(
        "Personnumret är inte giltigt: dagen måste vara 01–31 (61–91 för ett samordningsnummer)."
    )]
    InvalidDay,
    #[error("Personnumret är inte giltigt: datumet finns inte i kalendern.")]
    NonexistentDate,
    #[error("Personnumret är inte giltigt: födelsedatumet ligger i framtiden.")]
    FutureDate,
    #[error("Personnumret är inte giltigt: födelsenumret får inte vara 000.")]
    BirthNumberZero,
    #[error("Personnumret är inte giltigt: kontrollsiffran stämmer inte.")]
    CheckDigit,
}

/// A valid personnummer or samordningsnummer.
///
/// `Display` gives the full number as "ÅÅÅÅMMDD-NNNN"; `Debug` gives only the masked form so
/// that `{:?}` in logs never reveals a whole number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonNumber {
    /// Full year, 1800–2099.
    year: u16,
    /// 1–12, or 0 (unknown month, samordningsnummer only).
    month: u8,
    /// Day as written: 1–31, or 60–91 for a samordningsnummer (60 = unknown day).
    day: u8,
    /// 1–999.
    birth_number: u16,
    check: u8,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Separator {
    Minus,
    Plus,
}

/// The fields of a number before the century is known.
struct Parts {
    yy: u16,
    month: u8,
    day: u8,
    birth_number: u16,
    check: u8,
    digits10: [u8; 10],
}

impl PersonNumber {
    /// Parses a number in any written form: "ÅÅÅÅMMDDNNNN", "ÅÅÅÅMMDD-NNNN", "ÅÅMMDD-NNNN",
    /// "ÅÅMMDD+NNNN", "ÅÅMMDDNNNN"; spaces around it are ignored. A space inside is refused
    /// with its own message: Skatteverket's forms have none, and the reference vectors treat
    /// "19090527 1474" as invalid.
    ///
    /// For a 10-digit form the century comes from `today`: with "-" (or no separator) the most
    /// recent century in which the birth date is not after today; with "+" (used from the year
    /// the person turns 100) the most recent year ending in ÅÅ that is at least 100 years before
    /// today's year. A 12-digit form must not have a birth date after `today`.
    pub fn parse(input: &str, today: Date) -> Result<Self, PersonNumberError> {
        let mut digits = [0u8; 12];
        let mut count = 0usize;
        let mut separator: Option<(Separator, usize)> = None;
        let input = input.trim();
        for c in input.chars() {
            if c.is_ascii_digit() {
                if let Some(slot) = digits.get_mut(count) {
                    *slot = c as u8 - b'0';
                }
                count = count.saturating_add(1);
            } else if c.is_whitespace() {
                return Err(PersonNumberError::InnerSpace);
            } else if let Some(sep) = separator_of(c) {
                if separator.is_some() {
                    return Err(PersonNumberError::MisplacedSeparator);
                }
                separator = Some((sep, count));
            } else {
                return Err(PersonNumberError::InvalidCharacter);
            }
        }
        match count {
            0 => Err(PersonNumberError::Empty),
            10 | 12 => {
                if let Some((_, position)) = separator
                    && position != count - 4
                {
                    return Err(PersonNumberError::MisplacedSeparator);
                }
                if count == 12 {
                    // The separator is redundant when the century is written out.
                    let number = Self::from_twelve(&digits)?;
                    if number.comparable_date() > comparable(today) {
                        return Err(PersonNumberError::FutureDate);
                    }
                    Ok(number)
                } else {
                    let sep = separator.map_or(Separator::Minus, |(s, _)| s);
                    Self::from_ten(&digits, sep, today)
                }
            }
            n => Err(PersonNumberError::WrongLength(n)),
        }
    }

    /// Parses the stored form: exactly 12 ASCII digits, nothing else.
    pub fn parse_12(s: &str) -> Result<Self, PersonNumberError> {
        let bytes = s.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(PersonNumberError::NotTwelveDigits);
        }
        let mut digits = [0u8; 12];
        for (slot, b) in digits.iter_mut().zip(bytes) {
            *slot = b - b'0';
        }
        Self::from_twelve(&digits)
    }

    fn from_twelve(digits: &[u8; 12]) -> Result<Self, PersonNumberError> {
        let century = u16::from(digits[0]) * 10 + u16::from(digits[1]);
        if !(18..=20).contains(&century) {
            return Err(PersonNumberError::InvalidCentury);
        }
        let parts = split_ten(&digits[2..])?;
        Self::build(century * 100 + parts.yy, &parts)
    }

    fn from_ten(digits: &[u8; 12], sep: Separator, today: Date) -> Result<Self, PersonNumberError> {
        let parts = split_ten(&digits[..10])?;
        let this_year = i32::from(today.year());
        let base = this_year - this_year.rem_euclid(100);
        let mut year = base + i32::from(parts.yy);
        match sep {
            Separator::Minus => {
                let real_day = real_day(parts.day);
                if (year, parts.month, real_day) > comparable(today) {
                    year -= 100;
                }
            }
            Separator::Plus => {
                if year > this_year {
                    year -= 100;
                }
                year -= 100;
            }
        }
        let year = u16::try_from(year)
            .ok()
            .filter(|y| (1800..=2099).contains(y))
            .ok_or(PersonNumberError::YearOutOfRange)?;
        Self::build(year, &parts)
    }

    fn build(year: u16, p: &Parts) -> Result<Self, PersonNumberError> {
        let samordning = p.day >= 60;
        if p.month > 12 || (p.month == 0 && !samordning) {
            return Err(PersonNumberError::InvalidMonth);
        }
        let real = real_day(p.day);
        let day_in_range = if samordning {
            p.day <= 91
        } else {
            (1..=31).contains(&p.day)
        };
        if !day_in_range {
            return Err(PersonNumberError::InvalidDay);
        }
        // Skatteverket issues samordningsnummer whose day does not exist in the month (e.g.
        // 30 February: 24 in its own test set), so only a personnummer needs a real date.
        if !samordning {
            // Year, month and day are in range here, so only a non-existent date fails.
            Date::new(year as i16, p.month as i8, real as i8)
                .map_err(|_| PersonNumberError::NonexistentDate)?;
        }
        if p.birth_number == 0 {
            return Err(PersonNumberError::BirthNumberZero);
        }
        if !luhn_valid(&p.digits10) {
            return Err(PersonNumberError::CheckDigit);
        }
        Ok(Self {
            year,
            month: p.month,
            day: p.day,
            birth_number: p.birth_number,
            check: p.check,
        })
    }

    pub fn kind(&self) -> PersonNumberKind {
        if self.day >= 60 {
            PersonNumberKind::Samordningsnummer
        } else {
            PersonNumberKind::Personnummer
        }
    }

    /// The stored form, "ÅÅÅÅMMDDNNNN".
    pub fn as_12_digits(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:03}{}",
            self.year, self.month, self.day, self.birth_number, self.check
        )
    }

    /// The 10-digit form "ÅÅMMDD-NNNN", with "+" from the year the person turns 100 (as seen
    /// from `today`).
    pub fn short_form(&self, today: Date) -> String {
        let sep = if i32::from(today.year()) - i32::from(self.year) >= 100 {
            '+'
        } else {
            '-'
        };
        format!(
            "{:02}{:02}{:02}{sep}{:03}{}",
            self.year % 100,
            self.month,
            self.day,
            self.birth_number,
            self.check
        )
    }

    /// "ÅÅÅÅMMDD****": enough to recognise a person in a log line, not to identify them.
    pub fn masked(&self) -> String {
        format!("{:04}{:02}{:02}****", self.year, self.month, self.day)
    }

    /// The birth date; `None` for a samordningsnummer whose month or day is unknown or whose
    /// day does not exist in that month (Skatteverket issues such numbers).
    pub fn birth_date(&self) -> Option<Date> {
        let day = real_day(self.day);
        if self.month == 0 || day == 0 {
            return None;
        }
        Date::new(
            i16::try_from(self.year).ok()?,
            i8::try_from(self.month).ok()?,
            i8::try_from(day).ok()?,
        )
        .ok()
    }

    /// The full birth year (always known).
    pub fn birth_year(&self) -> i16 {
        // 1800–2099 always fits.
        i16::try_from(self.year).unwrap_or(i16::MAX)
    }

    pub fn sex(&self) -> Sex {
        // The ninth digit is the last digit of the birth number.
        if (self.birth_number % 10) % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Year, month, day with unknown parts as 0, for ordering against a date.
    fn comparable_date(&self) -> (i32, u8, u8) {
        (i32::from(self.year), self.month, real_day(self.day))
    }
}

fn separator_of(c: char) -> Option<Separator> {
    match c {
        // Hyphen-minus plus the dashes that word processors and phones substitute for it.
        '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
            Some(Separator::Minus)
        }
        '+' => Some(Separator::Plus),
        _ => None,
    }
}

/// The calendar day of a written day: samordningsnummer subtract 60 (0 = unknown).
fn real_day(written: u8) -> u8 {
    if written >= 60 { written - 60 } else { written }
}

fn comparable(date: Date) -> (i32, u8, u8) {
    (
        i32::from(date.year()),
        u8::try_from(date.month()).unwrap_or(0),
        u8::try_from(date.day()).unwrap_or(0),
    )
}

fn split_ten(d: &[u8]) -> Result<Parts, PersonNumberError> {
    let digits10: [u8; 10] = d
        .try_into()
        .map_err(|_| PersonNumberError::NotTwelveDigits)?;
    let [y1, y2, m1, m2, d1, d2, n1, n2, n3, check] = digits10;
    Ok(Parts {
        yy: u16::from(y1) * 10 + u16::from(y2),
        month: m1 * 10 + m2,
        day: d1 * 10 + d2,
        birth_number: u16::from(n1) * 100 + u16::from(n2) * 10 + u16::from(n3),
        check,
        digits10,
    })
}

impl fmt::Display for PersonNumber {
    /// "ÅÅÅÅMMDD-NNNN".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}-{:03}{}",
            self.year, self.month, self.day, self.birth_number, self.check
        )
    }
}

impl fmt::Debug for PersonNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonNumber({})", self.masked())
    }
}

impl Serialize for PersonNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_12_digits())
    }
}

impl<'de> Deserialize<'de> for PersonNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse_12(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::luhn_check_digit;
    use jiff::civil::date;
    use proptest::prelude::*;

    const TODAY: Date = date(2026, 12, 3);

    fn parse(s: &str) -> Result<PersonNumber, PersonNumberError> {
        PersonNumber::parse(s, TODAY)
    }

    #[test]
    fn accepts_every_written_form() {
        let forms = [
            "191212121212",
            "19121212-1212",
            " 191212121212 ",
            "\t19121212-1212\n",
            "19121212+1212",
            "121212+1212",
        ];
        for form in forms {
            let n = parse(form).unwrap_or_else(|e| panic!("{form:?}: {e}"));
            assert_eq!(n.as_12_digits(), "191212121212", "{form:?}");
        }
        // Without "+" a 10-digit form is the most recent century: 2012.
        for form in ["121212-1212", "1212121212", "121212\u{2013}1212"] {
            let n = parse(form).unwrap_or_else(|e| panic!("{form:?}: {e}"));
            assert_eq!(n.as_12_digits(), "201212121212", "{form:?}");
        }
    }

    #[test]
    fn inner_spaces_are_refused_with_their_own_message() {
        for form in [
            "19121212 1212",
            "1912 1212 1212",
            "121212 + 1212",
            "121212 1212",
        ] {
            assert_eq!(parse(form), Err(PersonNumberError::InnerSpace), "{form:?}");
        }
        assert_eq!(
            PersonNumberError::InnerSpace.to_string(),
            "Skriv personnumret utan mellanslag, t.ex. ÅÅÅÅMMDD-NNNN eller ÅÅÅÅMMDDNNNN."
        );
    }

    #[test]
    fn ten_digit_century_from_today() {
        // 2026-12-20 is after today, so "261220-" is 1926.
        let n = checked("261220123", TODAY, "-");
        assert_eq!(n.birth_year(), 1926);
        // The person turns 100 in 2026, so Skatteverket writes "+" already: still 1926.
        let n = checked("261220123", TODAY, "+");
        assert_eq!(n.birth_year(), 1926);
        // A birth date earlier this year is this year with "-", 100 years back with "+".
        assert_eq!(checked("260105123", TODAY, "-").birth_year(), 2026);
        assert_eq!(checked("260105123", TODAY, "+").birth_year(), 1926);
        // Today itself is not after today.
        assert_eq!(checked("261203123", TODAY, "-").birth_year(), 2026);
        assert_eq!(checked("261204123", TODAY, "-").birth_year(), 1926);
    }

    /// Fixes the check digit of a 10-digit base and parses it with the given separator.
    fn checked(base10: &str, today: Date, sep: &str) -> PersonNumber {
        let digits: Vec<u8> = base10.bytes().take(9).map(|b| b - b'0').collect();
        let check = luhn_check_digit(&digits);
        let s = format!("{}{sep}{}{check}", &base10[..6], &base10[6..9]);
        PersonNumber::parse(&s, today).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn display_debug_masked_and_short_form() {
        let n = parse("191212121212").unwrap();
        assert_eq!(n.to_string(), "19121212-1212");
        assert_eq!(n.masked(), "19121212****");
        assert_eq!(format!("{n:?}"), "PersonNumber(19121212****)");
        assert!(!format!("{n:#?}").contains("1212121212"));
        assert_eq!(n.short_form(TODAY), "121212+1212");
        assert_eq!(n.short_form(date(2011, 1, 1)), "121212-1212");
        assert_eq!(n.kind(), PersonNumberKind::Personnummer);
        assert_eq!(n.sex(), Sex::Male);
        assert_eq!(n.birth_date(), Some(date(1912, 12, 12)));
    }

    #[test]
    fn samordningsnummer() {
        let n = parse("701063-2391").unwrap();
        assert_eq!(n.kind(), PersonNumberKind::Samordningsnummer);
        assert_eq!(n.as_12_digits(), "197010632391");
        assert_eq!(n.birth_date(), Some(date(1970, 10, 3)));
        assert_eq!(n.sex(), Sex::Male);
        // Unknown month and unknown day, from Skatteverket's test set.
        let unknown_month = PersonNumber::parse_12("191500722390").unwrap();
        assert_eq!(unknown_month.kind(), PersonNumberKind::Samordningsnummer);
        assert_eq!(unknown_month.birth_date(), None);
        assert_eq!(unknown_month.birth_year(), 1915);
        let unknown_day = PersonNumber::parse_12("191711602399").unwrap();
        assert_eq!(unknown_day.birth_date(), None);
        assert_eq!(unknown_day.sex(), Sex::Male);
        assert_eq!(parse("202107919967").unwrap().sex(), Sex::Female);
    }

    #[test]
    fn leap_years() {
        assert!(parse("20000229-2399").is_ok());
        // 1900 was not a leap year: check digit fixed so only the date is wrong.
        let digits: Vec<u8> = "000229239".bytes().map(|b| b - b'0').collect();
        let s = format!("19000229239{}", luhn_check_digit(&digits));
        assert_eq!(parse(&s), Err(PersonNumberError::NonexistentDate));
        // A samordningsnummer may have a day that does not exist (Skatteverket's test set has
        // 1920-04-91, i.e. 31 April): accepted, but without a birth date.
        let n = PersonNumber::parse_12("192004912388").unwrap();
        assert_eq!(n.kind(), PersonNumberKind::Samordningsnummer);
        assert_eq!(n.birth_date(), None);
        let leap = PersonNumber::parse_12(&with_check("20000289239")).unwrap();
        assert_eq!(leap.birth_date(), Some(date(2000, 2, 29)));
        let not_leap = PersonNumber::parse_12(&with_check("20010289239")).unwrap();
        assert_eq!(not_leap.birth_date(), None);
    }

    fn with_check(first11: &str) -> String {
        let digits: Vec<u8> = first11[2..].bytes().map(|b| b - b'0').collect();
        format!("{first11}{}", luhn_check_digit(&digits))
    }

    #[test]
    fn every_error_and_message() {
        use PersonNumberError as E;
        let cases: &[(&str, E, &str)] = &[
            ("", E::Empty, "Ange ett personnummer."),
            ("   ", E::Empty, "Ange ett personnummer."),
            (
                "19121212/1212",
                E::InvalidCharacter,
                "Personnumret får bara innehålla siffror och ett bindestreck eller plustecken, t.ex. ÅÅÅÅMMDD-NNNN.",
            ),
            (
                "19121212-1213",
                E::CheckDigit,
                "Personnumret är inte giltigt: kontrollsiffran stämmer inte.",
            ),
            (
                "12121212",
                E::WrongLength(8),
                "Personnumret ska ha 10 eller 12 siffror (ÅÅÅÅMMDD-NNNN), men har 8.",
            ),
            (
                "1912-12121212",
                E::MisplacedSeparator,
                "Personnumret har bindestrecket eller plustecknet på fel plats. Skriv det före de fyra sista siffrorna.",
            ),
            ("121212--1212", E::MisplacedSeparator, ""),
            ("121212-+1212", E::MisplacedSeparator, ""),
            (
                "171212121212",
                E::InvalidCentury,
                "Personnumret är inte giltigt: århundradet måste vara 18, 19 eller 20.",
            ),
            (
                "191213121212",
                E::InvalidMonth,
                "Personnumret är inte giltigt: månaden måste vara 01–12.",
            ),
            ("191200121212", E::InvalidMonth, ""),
            (
                "191212321212",
                E::InvalidDay,
                "Personnumret är inte giltigt: dagen måste vara 01–31 (61–91 för ett samordningsnummer).",
            ),
            ("191212001212", E::InvalidDay, ""),
            ("191212921212", E::InvalidDay, ""),
            ("191212451212", E::InvalidDay, ""),
            (
                "191211311212",
                E::NonexistentDate,
                "Personnumret är inte giltigt: datumet finns inte i kalendern.",
            ),
            (
                "202712121215",
                E::FutureDate,
                "Personnumret är inte giltigt: födelsedatumet ligger i framtiden.",
            ),
            (
                "191212120002",
                E::BirthNumberZero,
                "Personnumret är inte giltigt: födelsenumret får inte vara 000.",
            ),
        ];
        for (input, expected, message) in cases {
            assert_eq!(parse(input), Err(*expected), "{input:?}");
            if !message.is_empty() {
                assert_eq!(expected.to_string(), *message);
            }
        }
        // With "+" and a year that would fall before 1800.
        assert_eq!(
            PersonNumber::parse("991212+1212", date(1850, 1, 1)),
            Err(E::YearOutOfRange)
        );
        assert_eq!(
            E::YearOutOfRange.to_string(),
            "Personnumret är inte giltigt: födelseåret måste ligga mellan 1800 och 2099."
        );
        assert_eq!(
            PersonNumber::parse_12("19121212-1212"),
            Err(E::NotTwelveDigits)
        );
        assert_eq!(
            E::NotTwelveDigits.to_string(),
            "Personnumret ska ha exakt 12 siffror utan bindestreck (ååååmmddnnnn)."
        );
        // The date errors above were reached before the check digit; these use valid checks.
        assert_eq!(parse(&with_check("19121131121")), Err(E::NonexistentDate));
        assert_eq!(parse(&with_check("19121212000")), Err(E::BirthNumberZero));
    }

    #[test]
    fn non_ascii_digits_are_refused() {
        assert_eq!(
            parse("١٩١٢١٢١٢١٢١٢"),
            Err(PersonNumberError::InvalidCharacter)
        );
        assert_eq!(
            parse("１９１２１２１２１２１２"),
            Err(PersonNumberError::InvalidCharacter)
        );
    }

    #[test]
    fn serde_is_strict_twelve_digits() {
        let n = parse("19121212-1212").unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(json, "\"191212121212\"");
        let back: PersonNumber = serde_json::from_str(&json).unwrap();
        assert_eq!(back, n);
        assert!(serde_json::from_str::<PersonNumber>("\"19121212-1212\"").is_err());
        assert!(serde_json::from_str::<PersonNumber>("\"1212121212\"").is_err());
        assert!(serde_json::from_str::<PersonNumber>("191212121212").is_err());
    }

    /// A valid number generated from its parts, as (12-digit string, number).
    fn valid_number() -> impl Strategy<Value = String> {
        (
            1827u16..=2026,
            0u8..=12,
            0u8..=31,
            any::<bool>(),
            1u16..=999,
        )
            .prop_filter_map(
                "date must exist and not be in the future",
                |(y, m, d, samordning, n)| {
                    let (month, day) = if samordning {
                        (m, d + 60)
                    } else {
                        (m.max(1), d.max(1))
                    };
                    let real = real_day(day);
                    if !samordning {
                        Date::new(y as i16, month as i8, real as i8).ok()?;
                    }
                    if (i32::from(y), month, real) > comparable(TODAY) {
                        return None;
                    }
                    let first11 = format!("{y:04}{month:02}{day:02}{n:03}");
                    Some(with_check(&first11))
                },
            )
    }

    proptest! {
        #[test]
        fn round_trips_through_every_form(s in valid_number()) {
            let n = PersonNumber::parse_12(&s).unwrap();
            prop_assert_eq!(n.as_12_digits(), s.clone());
            let forms = [
                s.clone(),
                n.to_string(),
                n.short_form(TODAY),
                n.short_form(TODAY).replace(['-', '+'], ""),
                format!(" {} ", n),
                format!("{}+{}", &s[..8], &s[8..]),
            ];
            for (i, form) in forms.iter().enumerate() {
                // A 10-digit form without "+" is only the same number for people under 100.
                if i == 3 && n.short_form(TODAY).contains('+') {
                    continue;
                }
                let parsed = PersonNumber::parse(form, TODAY);
                prop_assert_eq!(parsed, Ok(n), "form {:?}", form);
            }
            let json = serde_json::to_string(&n).unwrap();
            prop_assert_eq!(serde_json::from_str::<PersonNumber>(&json).unwrap(), n);
        }

        #[test]
        fn single_digit_changes_are_caught(s in valid_number(), pos in 2usize..12, delta in 1u8..10) {
            let mut bytes = s.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(PersonNumber::parse_12(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn century_change_is_a_different_number(s in valid_number(), century in 18u8..=20) {
            let changed = format!("{century}{}", &s[2..]);
            if let Ok(n) = PersonNumber::parse_12(&changed) {
                prop_assert_eq!(n.as_12_digits() == s, changed == s);
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC*", y in 1i16..=9999) {
            let today = Date::new(y, 6, 15).unwrap();
            let _ = PersonNumber::parse(&s, today);
            let _ = PersonNumber::parse_12(&s);
        }

        #[test]
        fn parse_never_panics_on_digit_soup(s in "[0-9 +\\-]{0,20}") {
            if let Ok(n) = PersonNumber::parse(&s, TODAY) {
                prop_assert_eq!(PersonNumber::parse_12(&n.as_12_digits()), Ok(n));
            }
        }
    }
}

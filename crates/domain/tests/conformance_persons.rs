//! Conformance of `PersonNumber` with Skatteverket's test numbers and the personnummer/meta
//! vectors in `shared/data/persons/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use erecept_domain::{PersonNumber, PersonNumberKind, Sex};
use jiff::civil::{Date, date};
use serde::Deserialize;

/// Fixed so that the 10-digit forms keep their meaning as years pass.
const TODAY: Date = date(2026, 12, 3);

fn number_list(file: &str) -> Vec<String> {
    let text = common::read(file);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not a JSON list: {e}"))
}

#[test]
fn all_official_test_personnummer_are_valid() {
    let numbers = number_list("persons/testpersonnummer.json");
    assert_eq!(numbers.len(), 41_129);
    for s in &numbers {
        let n = PersonNumber::parse_12(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(n.kind(), PersonNumberKind::Personnummer, "{s}");
        assert_eq!(n.as_12_digits(), *s);
        assert!(n.birth_date().is_some(), "{s}");
        assert_eq!(PersonNumber::parse(s, TODAY), Ok(n), "{s}");
        // Every official number is also accepted in its 10-digit form.
        assert_eq!(
            PersonNumber::parse(&n.short_form(TODAY), TODAY),
            Ok(n),
            "{s}"
        );
    }
}

#[test]
fn all_official_test_samordningsnummer_are_valid() {
    let numbers = number_list("persons/testsamordningsnummer.json");
    assert_eq!(numbers.len(), 2_264);
    let mut unknown_month = 0;
    let mut unknown_day = 0;
    let mut nonexistent_day = 0;
    for s in &numbers {
        let n = PersonNumber::parse_12(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(n.kind(), PersonNumberKind::Samordningsnummer, "{s}");
        assert_eq!(n.as_12_digits(), *s);
        assert_eq!(PersonNumber::parse(s, TODAY), Ok(n), "{s}");
        assert_eq!(
            PersonNumber::parse(&n.short_form(TODAY), TODAY),
            Ok(n),
            "{s}"
        );
        if &s[4..6] == "00" {
            unknown_month += 1;
        }
        if &s[6..8] == "60" {
            unknown_day += 1;
        }
        if n.birth_date().is_none() && &s[4..6] != "00" && &s[6..8] != "60" {
            // Skatteverket also issues days that do not exist in the month (30 February).
            nonexistent_day += 1;
        }
    }
    // The data README: 132 with month 00, 41 with day 60.
    assert_eq!((unknown_month, unknown_day), (132, 41));
    assert_eq!(nonexistent_day, 24);
}

#[derive(Deserialize)]
struct Vector {
    long_format: String,
    short_format: String,
    separated_format: String,
    separated_long: String,
    valid: bool,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "isMale")]
    is_male: bool,
    #[serde(rename = "isFemale")]
    is_female: bool,
}

#[test]
fn meta_vectors() {
    let vectors: Vec<Vector> =
        serde_json::from_str(&common::read("persons/vectors.json")).expect("vectors.json");
    assert!(vectors.len() >= 14, "too few vectors: {}", vectors.len());
    let mut valid_seen = 0;
    let mut invalid_seen = 0;
    for v in &vectors {
        let forms = [
            &v.long_format,
            &v.short_format,
            &v.separated_format,
            &v.separated_long,
        ];
        if v.valid {
            valid_seen += 1;
            let long = PersonNumber::parse(&v.long_format, TODAY)
                .unwrap_or_else(|e| panic!("{}: {e}", v.long_format));
            assert_eq!(long.as_12_digits(), v.long_format);
            for form in forms {
                let n = PersonNumber::parse(form, TODAY).unwrap_or_else(|e| panic!("{form}: {e}"));
                if form != &v.short_format {
                    // Without a separator a 10-digit form is read as under 100 years old,
                    // so only the other forms must give the very same number.
                    assert_eq!(n, long, "{form}");
                }
                let expected_kind = match v.kind.as_str() {
                    "ssn" => PersonNumberKind::Personnummer,
                    "con" => PersonNumberKind::Samordningsnummer,
                    other => panic!("unknown type {other}"),
                };
                assert_eq!(n.kind(), expected_kind, "{form}");
                assert_eq!(n.sex() == Sex::Male, v.is_male, "{form}");
                assert_eq!(n.sex() == Sex::Female, v.is_female, "{form}");
            }
        } else {
            invalid_seen += 1;
            for form in forms {
                assert!(
                    PersonNumber::parse(form, TODAY).is_err(),
                    "invalid vector {form} was accepted"
                );
            }
            assert!(PersonNumber::parse_12(&v.long_format).is_err());
        }
    }
    assert!(
        valid_seen >= 8 && invalid_seen >= 5,
        "{valid_seen} valid, {invalid_seen} invalid"
    );
}

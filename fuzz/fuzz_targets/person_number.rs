//! Fuzzes the identifier parsers with arbitrary UTF-8: none may panic, and every accepted
//! value must read back as itself from its own written forms.

#![no_main]

use erecept_domain::{OcrReference, OrganisationNumber, PersonNumber, WorkplaceCode};
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    // The first byte, when present, varies "today" so that century logic is exercised.
    let year = 1900 + i16::from(input.bytes().next().unwrap_or(126) % 200);
    let today = date(year, 12, 3);

    if let Ok(n) = PersonNumber::parse(input, today) {
        let twelve = n.as_12_digits();
        assert_eq!(twelve.len(), 12);
        assert!(twelve.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(PersonNumber::parse_12(&twelve), Ok(n));
        assert_eq!(PersonNumber::parse(&n.to_string(), today), Ok(n));
        assert_eq!(PersonNumber::parse(&twelve, today), Ok(n));
        if i32::from(today.year()) - i32::from(n.birth_year()) < 200 {
            assert_eq!(PersonNumber::parse(&n.short_form(today), today), Ok(n));
        }
        assert!(!format!("{n:?}").contains(&twelve));
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(serde_json::from_str::<PersonNumber>(&json).unwrap(), n);
    }
    let _ = PersonNumber::parse_12(input);

    if let Ok(org) = OrganisationNumber::parse(input) {
        assert_eq!(OrganisationNumber::parse(&org.to_string()), Ok(org));
        assert_eq!(OrganisationNumber::parse(&org.as_10_digits()), Ok(org));
    }

    if let Ok(code) = WorkplaceCode::parse(input) {
        assert_eq!(WorkplaceCode::parse(code.as_str()).as_ref(), Ok(&code));
        assert!(code.as_str().starts_with(code.county().code()));
    }

    for with_length in [false, true] {
        if let Ok(ocr) = OcrReference::parse(input, with_length) {
            assert_eq!(
                OcrReference::parse(ocr.as_str(), with_length).as_ref(),
                Ok(&ocr)
            );
            let (base, _) = ocr
                .as_str()
                .split_at(ocr.as_str().len() - 1 - usize::from(with_length));
            if !base.is_empty() {
                assert_eq!(OcrReference::create(base, with_length).as_ref(), Ok(&ocr));
            }
        }
    }
});

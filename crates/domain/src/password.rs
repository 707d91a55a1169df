//! The password rules for the web login.

use crate::person_number::PersonNumber;

/// Why a password is refused. Carries nothing of the password itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Lösenordet måste vara minst 6 tecken långt.")]
    TooShort,
    #[error("Lösenordet får vara högst 128 tecken långt.")]
    TooLong,
    #[error("Lösenordet får inte innehålla ditt personnummer.")]
    ContainsPersonNumber,
    #[error("Lösenordet är för vanligt och lätt att gissa. Välj ett annat lösenord.")]
    TooCommon,
}

/// The password policy: 6–128 characters, not the user's personnummer, not a common password.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordPolicy;

impl PasswordPolicy {
    pub const MIN_CHARS: usize = 6;
    pub const MAX_CHARS: usize = 128;

    /// Checks a new password. Length counts characters, not bytes ("åäö" are 3).
    pub fn check(
        password: &str,
        person_number: Option<&PersonNumber>,
    ) -> Result<(), PasswordError> {
        let chars = password.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if let Some(pn) = person_number
            && person_number_forms(pn)
                .iter()
                .any(|f| password.contains(f.as_str()))
        {
            return Err(PasswordError::ContainsPersonNumber);
        }
        let lower = password.to_lowercase();
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(PasswordError::TooCommon);
        }
        Ok(())
    }
}

/// The ways a personnummer is commonly written: 12 and 10 digits, with and without separator.
fn person_number_forms(pn: &PersonNumber) -> [String; 5] {
    let twelve = pn.as_12_digits();
    let ten = twelve.get(2..).unwrap_or_default().to_owned();
    let (date6, last4) = ten.split_at(ten.len().saturating_sub(4));
    [
        pn.to_string(),
        format!("{date6}-{last4}"),
        format!("{date6}+{last4}"),
        twelve.clone(),
        ten.clone(),
    ]
}

/// The commonest passwords in breach lists, plus Swedish favourites; all lower case.
const COMMON_PASSWORDS: &[&str] = &[
    // International top lists.
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "111111",
    "1111111",
    "11111111",
    "000000",
    "00000000",
    "123123",
    "123123123",
    "654321",
    "666666",
    "555555",
    "777777",
    "7777777",
    "888888",
    "121212",
    "112233",
    "123321",
    "123654",
    "987654321",
    "147258369",
    "a123456",
    "abc123",
    "abc12345",
    "abcdef",
    "abcd1234",
    "1q2w3e",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1qaz2wsx",
    "zaq12wsx",
    "qazwsx",
    "qwerty",
    "qwerty1",
    "qwerty123",
    "qwertyuiop",
    "qwer1234",
    "asdfgh",
    "asdfghjkl",
    "asdf1234",
    "zxcvbnm",
    "azerty",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "iloveyou",
    "letmein",
    "welcome",
    "welcome1",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "master",
    "shadow",
    "superman",
    "batman",
    "trustno1",
    "starwars",
    "whatever",
    "freedom",
    "michael",
    "jennifer",
    "hello123",
    "admin",
    "admin123",
    "administrator",
    "login",
    "secret",
    "changeme",
    "computer",
    "internet",
    "charlie",
    "donald",
    "killer",
    "pokemon",
    // Swedish.
    "lösenord",
    "losenord",
    "lösenord1",
    "losenord1",
    "lösenord123",
    "losenord123",
    "lösen",
    "losen123",
    "sommar",
    "sommar1",
    "sommar12",
    "sommar123",
    "sommar2024",
    "sommar2025",
    "sommar2026",
    "sommaren",
    "vinter",
    "vinter1",
    "vinter123",
    "hösten",
    "våren",
    "hejhej",
    "hejhej1",
    "hejhej123",
    "hej123",
    "hejsan",
    "hejsan1",
    "hejsan123",
    "hemligt",
    "hemlig",
    "hemlig1",
    "sverige",
    "sverige1",
    "sverige123",
    "stockholm",
    "göteborg",
    "goteborg",
    "malmö",
    "uppsala",
    "älskling",
    "alskling",
    "kärlek",
    "karlek",
    "jagälskardig",
    "jagalskardig",
    "blomma",
    "blommor",
    "fotboll",
    "hammarby",
    "djurgården",
    "djurgarden",
    "aik123",
    "kalleanka",
    "kalle123",
    "mamma123",
    "pappa123",
    "katten",
    "hunden",
    "solsken",
    "godis",
    "glass123",
    "midsommar",
    "julafton",
    // The service's own words.
    "erecept",
    "erecept1",
    "recept",
    "recept1",
    "läkare",
    "lakare",
    "doktor",
    "doktorn",
    "medicin",
    "apotek",
    "apoteket",
    "sjuksköterska",
    "vårdcentral",
    "förskrivare",
];

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn pn() -> PersonNumber {
        PersonNumber::parse("19121212-1212", date(2026, 12, 3)).unwrap()
    }

    #[test]
    fn accepts_good_passwords() {
        assert_eq!(PasswordPolicy::check("Blå-Tåg-7-Älg", Some(&pn())), Ok(()));
        assert_eq!(PasswordPolicy::check("korrekt häst batteri", None), Ok(()));
        assert_eq!(PasswordPolicy::check(&"x".repeat(128), None), Ok(()));
        // Six characters counted as characters, although "åäöåäö" is 12 bytes.
        assert_eq!(PasswordPolicy::check("åäöåäö", None), Ok(()));
    }

    #[test]
    fn too_short() {
        assert_eq!(
            PasswordPolicy::check("", None),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            PasswordPolicy::check("åäöåä", None),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "Lösenordet måste vara minst 6 tecken långt."
        );
    }

    #[test]
    fn too_long() {
        assert_eq!(
            PasswordPolicy::check(&"ä".repeat(129), None),
            Err(PasswordError::TooLong)
        );
        assert_eq!(
            PasswordError::TooLong.to_string(),
            "Lösenordet får vara högst 128 tecken långt."
        );
    }

    #[test]
    fn contains_person_number() {
        for password in [
            "191212121212",
            "19121212-1212",
            "1212121212",
            "121212-1212",
            "121212+1212",
            "Mitt191212121212!",
            "abc1212121212xyz",
        ] {
            assert_eq!(
                PasswordPolicy::check(password, Some(&pn())),
                Err(PasswordError::ContainsPersonNumber),
                "{password}"
            );
        }
        // Someone else's number, or no number given, is only checked by the other rules.
        assert_eq!(PasswordPolicy::check("1212121212", None), Ok(()));
        assert_eq!(
            PasswordError::ContainsPersonNumber.to_string(),
            "Lösenordet får inte innehålla ditt personnummer."
        );
    }

    #[test]
    fn too_common() {
        for password in [
            "123456",
            "qwerty",
            "Lösenord",
            "LÖSENORD",
            "sommar",
            "HejHej",
            "Password1",
        ] {
            assert_eq!(
                PasswordPolicy::check(password, None),
                Err(PasswordError::TooCommon),
                "{password}"
            );
        }
        assert_eq!(
            PasswordError::TooCommon.to_string(),
            "Lösenordet är för vanligt och lätt att gissa. Välj ett annat lösenord."
        );
    }

    #[test]
    fn common_list_is_lower_case_and_unique() {
        assert!(COMMON_PASSWORDS.len() >= 100);
        let mut seen = std::collections::HashSet::new();
        for p in COMMON_PASSWORDS {
            assert_eq!(p.to_lowercase(), *p);
            assert!(seen.insert(p), "duplicate {p}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_counts_chars(s in "\\PC{0,140}") {
            let result = PasswordPolicy::check(&s, Some(&pn()));
            let n = s.chars().count();
            if n < 6 {
                prop_assert_eq!(result, Err(PasswordError::TooShort));
            } else if n > 128 {
                prop_assert_eq!(result, Err(PasswordError::TooLong));
            }
        }
    }
}

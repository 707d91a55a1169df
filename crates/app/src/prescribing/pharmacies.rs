//! Pharmacies a prescription can be sent to by name, for a patient without a Swedish number
//! (SPEC §3). The real list comes from eHälsomyndigheten's pharmacy register, which is not
//! reachable here; this is a fictional list of the same shape (GLN, name, town), with valid
//! GS1 check digits, used in development mode and tests.

/// One pharmacy: its GLN (13 digits) and what the prescriber chooses by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pharmacy {
    pub gln: &'static str,
    pub name: &'static str,
    pub town: &'static str,
}

impl Pharmacy {
    pub fn label(&self) -> String {
        format!("{}, {}", self.name, self.town)
    }
}

/// The fictional pharmacies, by town.
pub const PHARMACIES: &[Pharmacy] = &[
    Pharmacy {
        gln: "7350000000016",
        name: "Apoteket Demo Centrum",
        town: "Göteborg",
    },
    Pharmacy {
        gln: "7350000000023",
        name: "Apoteket Demo Hjärtat",
        town: "Linköping",
    },
    Pharmacy {
        gln: "7350000000030",
        name: "Apoteket Demo Stortorget",
        town: "Malmö",
    },
    Pharmacy {
        gln: "7350000000047",
        name: "Apoteket Demo Norr",
        town: "Luleå",
    },
    Pharmacy {
        gln: "7350000000054",
        name: "Apoteket Demo Sergel",
        town: "Stockholm",
    },
    Pharmacy {
        gln: "7350000000061",
        name: "Apoteket Demo Södermalm",
        town: "Stockholm",
    },
    Pharmacy {
        gln: "7350000000078",
        name: "Apoteket Demo Domkyrkan",
        town: "Uppsala",
    },
    Pharmacy {
        gln: "7350000000085",
        name: "Apoteket Demo Storgatan",
        town: "Umeå",
    },
];

/// The pharmacy with this GLN.
pub fn by_gln(gln: &str) -> Option<&'static Pharmacy> {
    PHARMACIES.iter().find(|p| p.gln == gln.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gs1_check_digit_is_right(code: &str) -> bool {
        let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
        let Some((check, body)) = digits.split_last() else {
            return false;
        };
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| d * if i % 2 == 0 { 3 } else { 1 })
            .sum();
        (10 - sum % 10) % 10 == *check
    }

    #[test]
    fn every_gln_has_13_digits_and_a_valid_check_digit() {
        for p in PHARMACIES {
            assert_eq!(p.gln.len(), 13, "{}", p.name);
            assert!(gs1_check_digit_is_right(p.gln), "{}", p.gln);
        }
        assert!(!gs1_check_digit_is_right("7350000000017"));
    }

    #[test]
    fn pharmacies_are_found_by_gln_only() {
        assert_eq!(by_gln(" 7350000000054 ").map(|p| p.town), Some("Stockholm"));
        assert_eq!(by_gln("Apoteket Demo Sergel"), None);
    }
}

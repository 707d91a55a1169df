//! Check-digit algorithms shared by several identifiers.
//!
//! All functions take digit values (0–9), not ASCII bytes.

/// Luhn (mod 10) check digit for `payload`: weights 2, 1, 2, … from the right.
pub(crate) fn luhn_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let p = d * 2;
                if p > 9 { p - 9 } else { p }
            } else {
                d
            }
        })
        .sum();
    // `sum % 10` is below 10, so the cast cannot truncate.
    ((10 - sum % 10) % 10) as u8
}

/// True when the last digit of `digits` is the Luhn check digit of the others.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    match digits.split_last() {
        Some((&check, payload)) => luhn_check_digit(payload) == check,
        None => false,
    }
}

/// GS1 mod-10 check digit for `payload`: weights 3, 1, 3, … from the right.
pub(crate) fn gs1_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                u32::from(d) * 3
            } else {
                u32::from(d)
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Digit values of an ASCII-digit string, or `None` if any character is not 0–9.
pub(crate) fn digit_values(s: &str) -> Option<Vec<u8>> {
    s.bytes()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        digit_values(s).unwrap()
    }

    #[test]
    fn luhn_known_values() {
        // 121212-1212: Skatteverket's classic example.
        assert_eq!(luhn_check_digit(&digits("121212121")), 2);
        assert!(luhn_valid(&digits("1212121212")));
        assert!(!luhn_valid(&digits("1212121213")));
        assert_eq!(luhn_check_digit(&digits("123")), 0);
        assert_eq!(luhn_check_digit(&digits("1235")), 1);
        assert!(!luhn_valid(&[]));
    }

    #[test]
    fn gs1_known_values() {
        // NPL-id 19360121000012 from the NPL register.
        assert_eq!(gs1_check_digit(&digits("1936012100001")), 2);
        // A GTIN-13 example: 4006381333931.
        assert_eq!(gs1_check_digit(&digits("400638133393")), 1);
    }

    #[test]
    fn digit_values_rejects_non_digits() {
        assert_eq!(digit_values("019"), Some(vec![0, 1, 9]));
        assert_eq!(digit_values("01a"), None);
        assert_eq!(digit_values("٣"), None);
    }
}

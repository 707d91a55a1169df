//! Amounts of Swedish kronor, held exactly in öre.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text is not a valid amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Ange ett belopp.")]
    Empty,
    #[error("Beloppet är inte giltigt: skriv det i kronor, t.ex. 1 245,00.")]
    Invalid,
    #[error("Beloppet får ha högst två decimaler (ören).")]
    TooManyDecimals,
    #[error("Beloppet är inte giltigt: mellanslag får bara skilja tusental, t.ex. 1 245,00.")]
    Grouping,
    #[error("Beloppet är för stort.")]
    TooLarge,
}

/// An amount in öre (1/100 krona). Serialised as an integer number of öre.
///
/// Arithmetic is checked: every operation that could overflow returns `Option`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_ore(ore: i64) -> Self {
        Self(ore)
    }

    /// Whole kronor. Saturates at the limits of `i64` öre (±92 billion billion öre), far
    /// beyond any real amount, so that it never panics.
    pub const fn from_kronor(kronor: i64) -> Self {
        Self(kronor.saturating_mul(100))
    }

    pub const fn ore(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    pub fn checked_mul(self, factor: i64) -> Option<Money> {
        self.0.checked_mul(factor).map(Money)
    }

    pub fn checked_neg(self) -> Option<Money> {
        self.0.checked_neg().map(Money)
    }

    /// Sum of all amounts, `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(amounts: I) -> Option<Money> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |sum, m| sum.checked_add(m))
    }

    /// VAT on a net amount: `self × rate / 100`, rounded to whole öre, half away from zero
    /// (half-up for positive amounts, as Skatteverket rounds).
    pub fn vat_on_net(self, rate_percent: u32) -> Option<Money> {
        div_round(i128::from(self.0) * i128::from(rate_percent), 100)
    }

    /// The gross amount for a net amount: net plus [`Money::vat_on_net`], so that
    /// net + VAT = gross always holds exactly. 25 % VAT: 100,00 kr → 125,00 kr.
    pub fn with_vat(self, rate_percent: u32) -> Option<Money> {
        self.checked_add(self.vat_on_net(rate_percent)?)
    }

    /// The VAT contained in a gross amount: `self × rate / (100 + rate)`, rounded to whole
    /// öre, half away from zero. 25 % VAT: 125,00 kr → 25,00 kr.
    pub fn vat_part_of_gross(self, rate_percent: u32) -> Option<Money> {
        let divisor = 100 + i128::from(rate_percent);
        div_round(i128::from(self.0) * i128::from(rate_percent), divisor)
    }

    /// The net amount in a gross amount: gross minus [`Money::vat_part_of_gross`].
    pub fn net_of_gross(self, rate_percent: u32) -> Option<Money> {
        self.checked_sub(self.vat_part_of_gross(rate_percent)?)
    }

    /// The amount without unit, e.g. "1 245,00", for prefilled form fields.
    pub fn format_amount(self) -> String {
        let abs = self.0.unsigned_abs();
        let kronor = (abs / 100).to_string();
        let mut grouped = String::with_capacity(kronor.len() + kronor.len() / 3 + 4);
        for (i, c) in kronor.chars().enumerate() {
            if i > 0 && (kronor.len() - i).is_multiple_of(3) {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{grouped},{:02}", abs % 100)
    }

    /// Parses an amount as people write it in Swedish forms: "1245", "1 245,00", "1245,5",
    /// "1245.50 kr", "-12,50", "1 245:-". Spaces may only separate thousands; at most two
    /// decimals.
    pub fn parse_swedish(input: &str) -> Result<Money, MoneyError> {
        let mut s = input.trim();
        for suffix in ["kr", "Kr", "KR", "SEK", "sek", ":-"] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.trim_end();
                break;
            }
        }
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, s) = match s.strip_prefix(['-', '\u{2212}']) {
            Some(rest) => (true, rest.trim_start()),
            None => (false, s),
        };
        let (whole, decimals) = match s.split_once([',', '.']) {
            Some((w, d)) => (w, Some(d)),
            None => (s, None),
        };
        let kronor = parse_grouped(whole)?;
        let ore_part = match decimals {
            None => 0,
            Some(d) => {
                if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(MoneyError::Invalid);
                }
                match d.as_bytes() {
                    [t] => i64::from(t - b'0') * 10,
                    [t, h] => i64::from(t - b'0') * 10 + i64::from(h - b'0'),
                    _ => return Err(MoneyError::TooManyDecimals),
                }
            }
        };
        if whole.is_empty() && decimals.is_none() {
            return Err(MoneyError::Invalid);
        }
        let ore = kronor
            .checked_mul(100)
            .and_then(|k| k.checked_add(ore_part))
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money(if negative { -ore } else { ore }))
    }
}

/// Whole kronor with optional thousands separators (space, no-break space, narrow no-break
/// space); empty means 0 (",50").
fn parse_grouped(whole: &str) -> Result<i64, MoneyError> {
    let groups: Vec<&str> = whole
        .split([' ', '\u{a0}', '\u{202f}'])
        .filter(|g| !g.is_empty())
        .collect();
    if groups
        .iter()
        .any(|g| !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(MoneyError::Invalid);
    }
    if groups.len() > 1 {
        let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
        let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return Err(MoneyError::Grouping);
        }
    }
    groups.iter().try_fold(0i64, |acc, g| {
        g.bytes().try_fold(acc, |acc, b| {
            acc.checked_mul(10)
                .and_then(|a| a.checked_add(i64::from(b - b'0')))
                .ok_or(MoneyError::TooLarge)
        })
    })
}

/// `n / d` rounded half away from zero, for `d > 0`; `None` if the result leaves `i64`.
fn div_round(n: i128, d: i128) -> Option<Money> {
    let q = n / d;
    let r = n % d;
    let q = if 2 * r.abs() >= d { q + n.signum() } else { q };
    i64::try_from(q).ok().map(Money)
}

impl fmt::Display for Money {
    /// "1 245,00 kr", "-1 245,00 kr".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kr", self.format_amount())
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({})", self)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_swedish(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display() {
        assert_eq!(Money::from_kronor(1245).to_string(), "1 245,00 kr");
        assert_eq!(Money::from_kronor(-1245).to_string(), "-1 245,00 kr");
        assert_eq!(Money::from_ore(5).to_string(), "0,05 kr");
        assert_eq!(Money::from_ore(-5).to_string(), "-0,05 kr");
        assert_eq!(Money::ZERO.to_string(), "0,00 kr");
        assert_eq!(Money::from_ore(123_456_789).to_string(), "1 234 567,89 kr");
        assert_eq!(Money::from_kronor(100).to_string(), "100,00 kr");
        assert_eq!(Money::from_kronor(1000).format_amount(), "1 000,00");
        assert_eq!(
            Money::from_ore(i64::MIN).to_string(),
            "-92 233 720 368 547 758,08 kr"
        );
        assert_eq!(format!("{:?}", Money::from_ore(150)), "Money(1,50 kr)");
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Money::from_kronor(10);
        assert_eq!(a.ore(), 1000);
        assert_eq!(
            a.checked_add(Money::from_ore(50)),
            Some(Money::from_ore(1050))
        );
        assert_eq!(
            a.checked_sub(Money::from_kronor(11)),
            Some(Money::from_kronor(-1))
        );
        assert_eq!(a.checked_mul(3), Some(Money::from_kronor(30)));
        assert_eq!(
            Money::from_ore(i64::MAX).checked_add(Money::from_ore(1)),
            None
        );
        assert_eq!(
            Money::from_ore(i64::MIN).checked_sub(Money::from_ore(1)),
            None
        );
        assert_eq!(Money::from_ore(i64::MAX).checked_mul(2), None);
        assert_eq!(Money::from_ore(i64::MIN).checked_neg(), None);
        assert_eq!(Money::from_kronor(i64::MAX).ore(), i64::MAX);
        assert_eq!(
            Money::checked_sum([a, a, Money::from_ore(1)]),
            Some(Money::from_ore(2001))
        );
        assert_eq!(Money::checked_sum([Money::from_ore(i64::MAX), a]), None);
        assert!(Money::from_ore(-1).is_negative());
        assert!(Money::ZERO.is_zero());
    }

    #[test]
    fn vat_25_percent() {
        let net = Money::from_kronor(996);
        assert_eq!(net.with_vat(25), Some(Money::from_kronor(1245)));
        assert_eq!(net.vat_on_net(25), Some(Money::from_kronor(249)));
        let gross = Money::from_kronor(1245);
        assert_eq!(gross.vat_part_of_gross(25), Some(Money::from_kronor(249)));
        assert_eq!(gross.net_of_gross(25), Some(net));
        // Half-up: 0,02 kr net → 0,005 VAT → 0,01.
        assert_eq!(Money::from_ore(2).vat_on_net(25), Some(Money::from_ore(1)));
        assert_eq!(Money::from_ore(2).with_vat(25), Some(Money::from_ore(3)));
        // 0,01 kr net → 0,0025 → 0,00.
        assert_eq!(Money::from_ore(1).vat_on_net(25), Some(Money::ZERO));
        // Gross 0,03 kr → VAT 0,006 → 0,01.
        assert_eq!(
            Money::from_ore(3).vat_part_of_gross(25),
            Some(Money::from_ore(1))
        );
        // Half away from zero for credits.
        assert_eq!(
            Money::from_ore(-2).vat_on_net(25),
            Some(Money::from_ore(-1))
        );
        assert_eq!(
            Money::from_kronor(100).with_vat(0),
            Some(Money::from_kronor(100))
        );
        assert_eq!(
            Money::from_kronor(100).with_vat(6),
            Some(Money::from_kronor(106))
        );
        assert_eq!(
            Money::from_kronor(112).vat_part_of_gross(12),
            Some(Money::from_kronor(12))
        );
        assert_eq!(Money::from_ore(i64::MAX).with_vat(25), None);
        assert_eq!(Money::from_ore(i64::MAX).with_vat(u32::MAX), None);
    }

    #[test]
    fn parse_swedish_forms() {
        let cases = [
            ("1245", 124_500),
            ("1 245,00", 124_500),
            ("1245,5", 124_550),
            ("1245.50 kr", 124_550),
            ("1\u{a0}245,00\u{a0}kr", 124_500),
            ("1 245:-", 124_500),
            ("  12 345 678,90 SEK", 1_234_567_890),
            ("-12,50", -1250),
            ("0,05", 5),
            (",50", 50),
            ("1245kr", 124_500),
        ];
        for (input, ore) in cases {
            assert_eq!(
                Money::parse_swedish(input),
                Ok(Money::from_ore(ore)),
                "{input}"
            );
        }
    }

    #[test]
    fn every_error_and_message() {
        use MoneyError as E;
        let cases = [
            ("", E::Empty, "Ange ett belopp."),
            (" kr", E::Empty, ""),
            (
                "12a",
                E::Invalid,
                "Beloppet är inte giltigt: skriv det i kronor, t.ex. 1 245,00.",
            ),
            ("1.245,00", E::Invalid, ""),
            ("12,", E::Invalid, ""),
            ("-", E::Invalid, ""),
            (
                "1245,505",
                E::TooManyDecimals,
                "Beloppet får ha högst två decimaler (ören).",
            ),
            (
                "12 45",
                E::Grouping,
                "Beloppet är inte giltigt: mellanslag får bara skilja tusental, t.ex. 1 245,00.",
            ),
            ("1245 000", E::Grouping, ""),
            (
                "99999999999999999999",
                E::TooLarge,
                "Beloppet är för stort.",
            ),
            ("92233720368547759", E::TooLarge, ""),
        ];
        for (input, expected, message) in cases {
            assert_eq!(Money::parse_swedish(input), Err(expected), "{input}");
            if !message.is_empty() {
                assert_eq!(expected.to_string(), message);
            }
        }
    }

    #[test]
    fn serde_as_integer_ore() {
        let m = Money::from_ore(124_550);
        assert_eq!(serde_json::to_string(&m).unwrap(), "124550");
        assert_eq!(serde_json::from_str::<Money>("124550").unwrap(), m);
    }

    proptest! {
        #[test]
        fn display_round_trips(ore in (i64::MIN + 1)..=i64::MAX) {
            let m = Money::from_ore(ore);
            prop_assert_eq!(Money::parse_swedish(&m.to_string()), Ok(m));
            prop_assert_eq!(Money::parse_swedish(&m.format_amount()), Ok(m));
        }

        #[test]
        fn vat_parts_add_up(ore in -1_000_000_000_000i64..1_000_000_000_000, rate in 0u32..=100) {
            let net = Money::from_ore(ore);
            let gross = net.with_vat(rate).unwrap();
            prop_assert_eq!(gross.checked_sub(net), net.vat_on_net(rate));
            let vat = gross.vat_part_of_gross(rate).unwrap();
            prop_assert_eq!(gross.net_of_gross(rate).unwrap().checked_add(vat), Some(gross));
            // Rounding differs by at most one öre from the exact value.
            let exact = i128::from(ore) * i128::from(rate);
            prop_assert!((i128::from(net.vat_on_net(rate).unwrap().ore()) * 100 - exact).abs() <= 50);
        }

        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Money::parse_swedish(&s);
        }

        #[test]
        fn parse_never_panics_on_amount_soup(s in "[-0-9 ,.:kr]{0,30}") {
            let _ = Money::parse_swedish(&s);
        }
    }
}

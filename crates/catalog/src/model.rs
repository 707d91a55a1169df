//! The plain data of the drug register: products, packages and their classifications.
//!
//! Every type here is plain data (serde) so that the application can persist a [`Catalog`]
//! (see [`crate::catalog`]) and load it back unchanged.
//!
//! [`Catalog`]: crate::Catalog

use std::fmt;

use erecept_domain::{AtcCode, Money, NplId, NplPackId, Varunummer};
use serde::{Deserialize, Serialize};

/// What kind of article a product is; the search can filter on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProductKind {
    /// Läkemedel (medicinal product, approved, licence or extempore).
    Lakemedel,
    /// Livsmedel för speciella medicinska ändamål (e.g. nutrition drinks).
    Livsmedel,
    /// Förbrukningsartikel / ickeläkemedelsvara (e.g. stoma supplies, test strips).
    Ickelakemedelsvara,
}

impl ProductKind {
    pub const ALL: [ProductKind; 3] = [
        ProductKind::Lakemedel,
        ProductKind::Livsmedel,
        ProductKind::Ickelakemedelsvara,
    ];
}

impl fmt::Display for ProductKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProductKind::Lakemedel => "Läkemedel",
            ProductKind::Livsmedel => "Livsmedel",
            ProductKind::Ickelakemedelsvara => "Ickeläkemedelsvara",
        })
    }
}

/// Narkotikaklass as NPL codes it (DOMAIN §1): 0 none, 6 = I, 1 = II, 3 = III, 4 = IV, 5 = V,
/// 2 = IV/V.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum NarcoticsClass {
    #[default]
    None,
    I,
    II,
    III,
    IV,
    V,
    /// Förteckning IV och V.
    IVV,
}

impl NarcoticsClass {
    /// From NPL's `narcotic-class-lx` code.
    pub fn from_npl_code(code: &str) -> Option<Self> {
        Some(match code.trim() {
            "0" => Self::None,
            "6" => Self::I,
            "1" => Self::II,
            "3" => Self::III,
            "4" => Self::IV,
            "5" => Self::V,
            "2" => Self::IVV,
            _ => return None,
        })
    }

    /// NPL's code for this class.
    pub fn npl_code(self) -> &'static str {
        match self {
            Self::None => "0",
            Self::I => "6",
            Self::II => "1",
            Self::III => "3",
            Self::IV => "4",
            Self::V => "5",
            Self::IVV => "2",
        }
    }

    pub fn is_narcotic(self) -> bool {
        self != Self::None
    }
}

impl fmt::Display for NarcoticsClass {
    /// "II", "IV/V"; "–" for no class.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "–",
            Self::I => "I",
            Self::II => "II",
            Self::III => "III",
            Self::IV => "IV",
            Self::V => "V",
            Self::IVV => "IV/V",
        })
    }
}

// Serialised as the NPL code so persisted data reads like the source.
impl Serialize for NarcoticsClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.npl_code())
    }
}

impl<'de> Deserialize<'de> for NarcoticsClass {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::from_npl_code(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("okänd narkotikaklass {s:?}")))
    }
}

/// Särskilt läkemedel (DOMAIN §1, §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum SpecialDrugCode {
    /// 1: no special prescription form.
    NoSpecialForm,
    /// 2: special form, may be iterated.
    SpecialIterable,
    /// 3: special form, may NOT be iterated (one dispensing only).
    SpecialNotIterable,
    /// 4: special form, iterable for human use only.
    SpecialIterableHumanOnly,
}

impl SpecialDrugCode {
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => Self::NoSpecialForm,
            2 => Self::SpecialIterable,
            3 => Self::SpecialNotIterable,
            4 => Self::SpecialIterableHumanOnly,
            _ => return None,
        })
    }

    pub fn code(self) -> u8 {
        match self {
            Self::NoSpecialForm => 1,
            Self::SpecialIterable => 2,
            Self::SpecialNotIterable => 3,
            Self::SpecialIterableHumanOnly => 4,
        }
    }

    /// Whether a prescription for a person may have more than one dispensing.
    pub fn may_be_iterated(self) -> bool {
        self != Self::SpecialNotIterable
    }

    /// Whether a prescription for an animal may have more than one dispensing (code 4 is
    /// iterable for human use only).
    pub fn may_be_iterated_for_animals(self) -> bool {
        matches!(self, Self::NoSpecialForm | Self::SpecialIterable)
    }

    /// Whether the special prescription form is required (codes 2–4).
    pub fn needs_special_form(self) -> bool {
        self != Self::NoSpecialForm
    }
}

impl TryFrom<u8> for SpecialDrugCode {
    type Error = String;
    fn try_from(code: u8) -> Result<Self, Self::Error> {
        Self::from_code(code).ok_or_else(|| format!("okänd kod för särskilt läkemedel: {code}"))
    }
}

impl From<SpecialDrugCode> for u8 {
    fn from(code: SpecialDrugCode) -> u8 {
        code.code()
    }
}

impl fmt::Display for SpecialDrugCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// Whether a product needs a prescription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PrescriptionStatus {
    /// Receptbelagt.
    Receptbelagt,
    /// Receptfritt (at least one package may be sold without prescription).
    Receptfritt,
    /// Not stated in the source (e.g. the NDJSON price list).
    #[default]
    Okant,
}

impl fmt::Display for PrescriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Receptbelagt => "Receptbelagt",
            Self::Receptfritt => "Receptfritt",
            Self::Okant => "Okänt",
        })
    }
}

/// A numeric package amount ("7,5" milliliter, "100" styck), held exactly in thousandths so
/// that it compares and persists exactly. Serialised as the number of thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(u64);

impl Quantity {
    pub const fn from_thousandths(t: u64) -> Self {
        Self(t)
    }

    pub const fn whole(n: u64) -> Self {
        Self(n.saturating_mul(1000))
    }

    pub const fn thousandths(self) -> u64 {
        self.0
    }

    /// Parses "100", "7,5", "7.5", "0,25" (at most three decimals, not negative).
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        let (whole, frac) = match s.split_once([',', '.']) {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        if !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 3
            || (s.contains([',', '.']) && frac.is_empty())
        {
            return None;
        }
        let w: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut f: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        for _ in frac.len()..3 {
            f *= 10;
        }
        w.checked_mul(1000)?.checked_add(f).map(Self)
    }
}

impl fmt::Display for Quantity {
    /// Swedish: "7,5", "100", "0,25".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{whole},{}", digits.trim_end_matches('0'))
        }
    }
}

/// One package (förpackning) of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub npl_pack_id: NplPackId,
    /// Missing in NPL's own export (it comes from the VARA register).
    pub varunummer: Option<Varunummer>,
    /// Size as text, e.g. "100 styck", "7,5 milliliter", "Licensförpackning".
    pub size_text: String,
    /// Numeric amount of the size text, if known.
    pub amount: Option<Quantity>,
    /// Price (AUP) if known.
    pub price: Option<Money>,
    /// In the drug-benefit scheme (förmån), if known.
    pub in_benefit_scheme: Option<bool>,
    /// Whether the package can be ordered (not withdrawn or out of trade).
    pub available: bool,
}

impl Package {
    pub fn new(npl_pack_id: NplPackId, size_text: impl Into<String>) -> Self {
        Self {
            npl_pack_id,
            varunummer: None,
            size_text: size_text.into(),
            amount: None,
            price: None,
            in_benefit_scheme: None,
            available: true,
        }
    }
}

/// One product (NPL-id) with its packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub npl_id: NplId,
    /// Product name, e.g. "Alvedon".
    pub name: String,
    /// Strength as text, e.g. "500 mg", "20 mg/ml"; empty if none.
    pub strength: String,
    /// Pharmaceutical form in Swedish, e.g. "Filmdragerad tablett"; for NPL codes we do not
    /// know, the code itself (e.g. "FICOTA").
    pub form: String,
    pub kind: ProductKind,
    /// NPL product class code as given (e.g. "LIC"), if any.
    pub product_class: Option<String>,
    /// Licence product (`LIC`): dispensing needs a licence from Läkemedelsverket.
    pub licence_product: bool,
    pub atc: Option<AtcCode>,
    /// Active substances in Swedish (e.g. "paracetamol"), if known.
    pub substances: Vec<String>,
    pub narcotics_class: NarcoticsClass,
    pub special_drug: Option<SpecialDrugCode>,
    pub prescription: PrescriptionStatus,
    /// Marketed (marknadsförd).
    pub marketed: bool,
    /// Sales stopped (försäljningsstopp / avregistrerad för försäljning).
    pub sales_stopped: bool,
    /// No longer in the register (missing from a total import). Never removed: old
    /// prescriptions point at it.
    pub withdrawn: bool,
    pub packages: Vec<Package>,
}

impl Product {
    /// A marketed läkemedel with no packages and nothing else known, for building by hand.
    pub fn new(npl_id: NplId, name: impl Into<String>) -> Self {
        Self {
            npl_id,
            name: name.into(),
            strength: String::new(),
            form: String::new(),
            kind: ProductKind::Lakemedel,
            product_class: None,
            licence_product: false,
            atc: None,
            substances: Vec::new(),
            narcotics_class: NarcoticsClass::None,
            special_drug: None,
            prescription: PrescriptionStatus::Okant,
            marketed: true,
            sales_stopped: false,
            withdrawn: false,
            packages: Vec::new(),
        }
    }

    /// Whether the product can be prescribed today: marketed, not sales-stopped, not
    /// withdrawn, and with at least one available package (or no package data at all).
    pub fn is_available(&self) -> bool {
        self.marketed
            && !self.sales_stopped
            && !self.withdrawn
            && (self.packages.is_empty() || self.packages.iter().any(|p| p.available))
    }

    /// Whether the special-drug code allows more than one dispensing (no code: yes).
    pub fn may_be_iterated(&self) -> bool {
        self.special_drug
            .is_none_or(SpecialDrugCode::may_be_iterated)
    }

    pub fn package(&self, id: &NplPackId) -> Option<&Package> {
        self.packages.iter().find(|p| &p.npl_pack_id == id)
    }
}

/// The Swedish name of an NPL `pharmaceutical-form-lx` code. Only codes seen in the reference
/// files are listed (NPL's form lexicon is not part of the export); for any other code the
/// caller shows the code itself until the lexicon is imported.
pub fn form_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "FICOTA" => "Filmdragerad tablett",
        "ORDRSO" => "Orala droppar, lösning",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narcotics_class_codes_and_display() {
        let cases = [
            ("0", NarcoticsClass::None, "–"),
            ("6", NarcoticsClass::I, "I"),
            ("1", NarcoticsClass::II, "II"),
            ("3", NarcoticsClass::III, "III"),
            ("4", NarcoticsClass::IV, "IV"),
            ("5", NarcoticsClass::V, "V"),
            ("2", NarcoticsClass::IVV, "IV/V"),
        ];
        for (code, class, shown) in cases {
            assert_eq!(NarcoticsClass::from_npl_code(code), Some(class));
            assert_eq!(class.npl_code(), code);
            assert_eq!(class.to_string(), shown);
            let json = serde_json::to_string(&class).unwrap();
            assert_eq!(
                serde_json::from_str::<NarcoticsClass>(&json).unwrap(),
                class
            );
        }
        assert_eq!(NarcoticsClass::from_npl_code("7"), None);
        assert!(!NarcoticsClass::None.is_narcotic());
        assert!(NarcoticsClass::IVV.is_narcotic());
    }

    #[test]
    fn special_drug_iteration() {
        let c = |n| SpecialDrugCode::from_code(n).unwrap();
        assert!(c(1).may_be_iterated());
        assert!(c(2).may_be_iterated());
        assert!(!c(3).may_be_iterated());
        assert!(c(4).may_be_iterated());
        assert!(!c(4).may_be_iterated_for_animals());
        assert!(!c(3).may_be_iterated_for_animals());
        assert!(c(2).may_be_iterated_for_animals());
        assert!(SpecialDrugCode::from_code(5).is_none());
        assert_eq!(serde_json::to_string(&c(3)).unwrap(), "3");
        assert!(serde_json::from_str::<SpecialDrugCode>("0").is_err());
    }

    #[test]
    fn quantity_parse_and_display() {
        assert_eq!(Quantity::parse("100"), Some(Quantity::whole(100)));
        assert_eq!(Quantity::parse("7,5").unwrap().to_string(), "7,5");
        assert_eq!(Quantity::parse("0.25").unwrap().to_string(), "0,25");
        assert_eq!(Quantity::parse(",5").unwrap().to_string(), "0,5");
        assert_eq!(Quantity::parse("16,7").unwrap().thousandths(), 16_700);
        for bad in ["", ",", "7,", "1,2345", "-1", "a", "1 000"] {
            assert_eq!(Quantity::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn availability() {
        let id = NplId::parse("20240101000018").unwrap();
        let mut p = Product::new(id, "X");
        assert!(p.is_available());
        p.packages.push(Package {
            available: false,
            ..Package::new(NplPackId::parse("20240101100015").unwrap(), "10 st")
        });
        assert!(!p.is_available());
        p.packages[0].available = true;
        assert!(p.is_available());
        p.sales_stopped = true;
        assert!(!p.is_available());
    }
}

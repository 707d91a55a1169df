//! The 21 Swedish counties (län), each run by one region with its own recommended-drug list.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Swedish county and its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum County {
    Stockholm,
    Uppsala,
    Sodermanland,
    Ostergotland,
    Jonkoping,
    Kronoberg,
    Kalmar,
    Gotland,
    Blekinge,
    Skane,
    Halland,
    VastraGotaland,
    Varmland,
    Orebro,
    Vastmanland,
    Dalarna,
    Gavleborg,
    Vasternorrland,
    Jamtland,
    Vasterbotten,
    Norrbotten,
}

#[derive(Clone, Copy)]
struct Info {
    code: &'static str,
    name: &'static str,
    short_name: &'static str,
    region_name: &'static str,
}

impl Info {
    const fn new(
        code: &'static str,
        name: &'static str,
        short_name: &'static str,
        region_name: &'static str,
    ) -> Self {
        Self {
            code,
            name,
            short_name,
            region_name,
        }
    }
}

static ALL: [County; 21] = [
    County::Stockholm,
    County::Uppsala,
    County::Sodermanland,
    County::Ostergotland,
    County::Jonkoping,
    County::Kronoberg,
    County::Kalmar,
    County::Gotland,
    County::Blekinge,
    County::Skane,
    County::Halland,
    County::VastraGotaland,
    County::Varmland,
    County::Orebro,
    County::Vastmanland,
    County::Dalarna,
    County::Gavleborg,
    County::Vasternorrland,
    County::Jamtland,
    County::Vasterbotten,
    County::Norrbotten,
];

impl County {
    /// All 21 counties in county-code order.
    pub fn all() -> &'static [County] {
        &ALL
    }

    /// The county with this two-digit code ("01" … "25"), if there is one.
    pub fn from_code(code: &str) -> Option<County> {
        ALL.iter().copied().find(|c| c.code() == code)
    }

    fn info(self) -> Info {
        match self {
            County::Stockholm => Info::new("01", "Stockholms län", "Stockholm", "Region Stockholm"),
            County::Uppsala => Info::new("03", "Uppsala län", "Uppsala", "Region Uppsala"),
            County::Sodermanland => {
                Info::new("04", "Södermanlands län", "Södermanland", "Region Sörmland")
            }
            County::Ostergotland => Info::new(
                "05",
                "Östergötlands län",
                "Östergötland",
                "Region Östergötland",
            ),
            County::Jonkoping => {
                Info::new("06", "Jönköpings län", "Jönköping", "Region Jönköpings län")
            }
            County::Kronoberg => Info::new("07", "Kronobergs län", "Kronoberg", "Region Kronoberg"),
            County::Kalmar => Info::new("08", "Kalmar län", "Kalmar", "Region Kalmar län"),
            County::Gotland => Info::new("09", "Gotlands län", "Gotland", "Region Gotland"),
            County::Blekinge => Info::new("10", "Blekinge län", "Blekinge", "Region Blekinge"),
            County::Skane => Info::new("12", "Skåne län", "Skåne", "Region Skåne"),
            County::Halland => Info::new("13", "Hallands län", "Halland", "Region Halland"),
            County::VastraGotaland => Info::new(
                "14",
                "Västra Götalands län",
                "Västra Götaland",
                "Västra Götalandsregionen",
            ),
            County::Varmland => Info::new("17", "Värmlands län", "Värmland", "Region Värmland"),
            County::Orebro => Info::new("18", "Örebro län", "Örebro", "Region Örebro län"),
            County::Vastmanland => Info::new(
                "19",
                "Västmanlands län",
                "Västmanland",
                "Region Västmanland",
            ),
            County::Dalarna => Info::new("20", "Dalarnas län", "Dalarna", "Region Dalarna"),
            County::Gavleborg => Info::new("21", "Gävleborgs län", "Gävleborg", "Region Gävleborg"),
            County::Vasternorrland => Info::new(
                "22",
                "Västernorrlands län",
                "Västernorrland",
                "Region Västernorrland",
            ),
            County::Jamtland => Info::new(
                "23",
                "Jämtlands län",
                "Jämtland",
                "Region Jämtland Härjedalen",
            ),
            County::Vasterbotten => Info::new(
                "24",
                "Västerbottens län",
                "Västerbotten",
                "Region Västerbotten",
            ),
            County::Norrbotten => {
                Info::new("25", "Norrbottens län", "Norrbotten", "Region Norrbotten")
            }
        }
    }

    /// Two-digit county code, e.g. "01".
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// County name, e.g. "Stockholms län".
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Short county name, e.g. "Stockholm".
    pub fn short_name(self) -> &'static str {
        self.info().short_name
    }

    /// Name of the region that runs health care in the county, e.g. "Region Stockholm".
    pub fn region_name(self) -> &'static str {
        self.info().region_name
    }
}

impl fmt::Display for County {
    /// The region name: what the user chooses in forms.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.region_name())
    }
}

impl Serialize for County {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for County {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        County::from_code(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("okänd länskod: {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_enum_agree() {
        assert_eq!(County::all().len(), 21);
        let codes: Vec<_> = County::all().iter().map(|c| c.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be unique and in order");
        for county in County::all() {
            assert_eq!(County::from_code(county.code()), Some(*county));
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(County::from_code("01"), Some(County::Stockholm));
        assert_eq!(
            County::from_code("12").unwrap().region_name(),
            "Region Skåne"
        );
        assert_eq!(
            County::from_code("14").unwrap().region_name(),
            "Västra Götalandsregionen"
        );
        assert_eq!(
            County::from_code("23").unwrap().region_name(),
            "Region Jämtland Härjedalen"
        );
        assert_eq!(County::Stockholm.name(), "Stockholms län");
        assert_eq!(County::Stockholm.to_string(), "Region Stockholm");
        for missing in ["", "1", "02", "11", "15", "16", "26", "001", " 01"] {
            assert_eq!(County::from_code(missing), None, "{missing:?}");
        }
    }

    #[test]
    fn serde_as_code() {
        assert_eq!(serde_json::to_string(&County::Skane).unwrap(), "\"12\"");
        assert_eq!(
            serde_json::from_str::<County>("\"25\"").unwrap(),
            County::Norrbotten
        );
        assert!(serde_json::from_str::<County>("\"02\"").is_err());
    }
}

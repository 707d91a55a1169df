//! The JSON bodies of the credentials service, field for field (camelCase on the wire).
//!
//! The register may add fields and licence codes without notice: every struct ignores fields it
//! does not know, lists default to empty when absent, and [`LicenceCode`] keeps an unknown code
//! in `Other(String)`.

use erecept_domain::Profession;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `POST {base}/credentials`: the person to look up and what they claimed at registration.
///
/// The fields are plain strings on the wire, so that the simulator can also receive (and
/// refuse) malformed claims; the client always sends well-formed values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsRequest {
    /// 12 digits, `YYYYMMDDNNNN`.
    pub personal_identity_number: String,
    /// The förskrivarkod the person gave (7 digits).
    pub claimed_prescription_code: String,
    /// The profession the person chose: a [`Profession::code`] (`"lakare"`, `"at_lakare"` …).
    pub claimed_profession: String,
}

/// 200: what the register holds about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    /// The person the answer is about, 12 digits.
    pub personal_identity_number: String,
    /// The personal förskrivarkod, if the person has one.
    #[serde(default)]
    pub personal_prescription_code: Option<String>,
    /// Group prescriber codes the person may use (AT-läkare, temporary appointments).
    #[serde(default)]
    pub group_prescription_code: Vec<String>,
    /// Licences (legitimationer) and, in this protocol, the AT-läkare appointment.
    #[serde(default)]
    pub health_care_professional_licence: Vec<HealthCareProfessionalLicence>,
    /// Prescribing rights of nurses and midwives.
    #[serde(default)]
    pub nurse_prescription_right: Vec<NursePrescriptionRight>,
}

/// One entry of `healthCareProfessionalLicence`: `{"code": "LK", "name": "Läkare"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCareProfessionalLicence {
    pub code: LicenceCode,
    #[serde(default)]
    pub name: String,
}

impl HealthCareProfessionalLicence {
    /// The licence entry the register gives a person of `profession`.
    pub fn of(profession: Profession) -> Self {
        let code = LicenceCode::of(profession);
        Self {
            name: code.name().to_owned(),
            code,
        }
    }
}

/// One entry of `nursePrescriptionRight`:
/// `{"healthCareProfessionalLicence": "SJ", "prescriptionRight": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NursePrescriptionRight {
    /// The licence the right belongs to (`SJ` or `BM`).
    pub health_care_professional_licence: LicenceCode,
    /// Whether the person may prescribe under that licence.
    #[serde(default)]
    pub prescription_right: bool,
}

/// 202: the register has not answered yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingBody {
    /// Always `"pending"`.
    pub status: String,
}

/// 4xx and 404: `{"error": "personNotFound"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// The `error` of a 404 that means "no such person in the register".
pub const PERSON_NOT_FOUND: &str = "personNotFound";

/// A licence code of the register (HL7 Sweden code system `1.2.752.116.3.1.1`, with `AT` added
/// by this protocol for AT-läkare, who have no licence yet).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LicenceCode {
    /// `LK`, läkare.
    Lakare,
    /// `AT`, AT-läkare: not a legitimation (an AT-läkare has none yet) but the register's way,
    /// in this protocol, of saying that the person serves an AT appointment (allmäntjänstgöring).
    AtLakare,
    /// `TL`, tandläkare.
    Tandlakare,
    /// `TH`, tandhygienist.
    Tandhygienist,
    /// `SJ`, sjuksköterska.
    Sjukskoterska,
    /// `BM`, barnmorska.
    Barnmorska,
    /// `VE`, veterinär (registered by Jordbruksverket, modelled in the same register here).
    Veterinar,
    /// A code this version does not know (e.g. `AP` apotekare); kept as sent.
    Other(String),
}

impl LicenceCode {
    /// The code for each profession that may prescribe.
    pub fn of(profession: Profession) -> Self {
        match profession {
            Profession::Lakare => Self::Lakare,
            Profession::AtLakare => Self::AtLakare,
            Profession::Tandlakare => Self::Tandlakare,
            Profession::Tandhygienist => Self::Tandhygienist,
            Profession::Sjukskoterska => Self::Sjukskoterska,
            Profession::Barnmorska => Self::Barnmorska,
            Profession::Veterinar => Self::Veterinar,
        }
    }

    /// The profession a known code stands for.
    pub fn profession(&self) -> Option<Profession> {
        Profession::ALL.into_iter().find(|&p| Self::of(p) == *self)
    }

    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Lakare => "LK",
            Self::AtLakare => "AT",
            Self::Tandlakare => "TL",
            Self::Tandhygienist => "TH",
            Self::Sjukskoterska => "SJ",
            Self::Barnmorska => "BM",
            Self::Veterinar => "VE",
            Self::Other(other) => other,
        }
    }

    /// The Swedish name, as the register writes it; the code itself for an unknown code.
    pub fn name(&self) -> &str {
        match self.profession() {
            Some(p) => p.name(),
            None => self.as_str(),
        }
    }

    /// Whether prescribing under this licence also needs an entry in `nursePrescriptionRight`.
    pub fn needs_nurse_prescription_right(&self) -> bool {
        matches!(self, Self::Sjukskoterska | Self::Barnmorska)
    }
}

impl From<&str> for LicenceCode {
    fn from(value: &str) -> Self {
        match value {
            "LK" => Self::Lakare,
            "AT" => Self::AtLakare,
            "TL" => Self::Tandlakare,
            "TH" => Self::Tandhygienist,
            "SJ" => Self::Sjukskoterska,
            "BM" => Self::Barnmorska,
            "VE" => Self::Veterinar,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for LicenceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LicenceCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LicenceCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Self::from(text.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn licence_codes_round_trip() {
        for p in Profession::ALL {
            let code = LicenceCode::of(p);
            assert_eq!(LicenceCode::from(code.as_str()), code);
            assert_eq!(code.profession(), Some(p));
            assert_eq!(code.name(), p.name());
        }
        let wire: Vec<String> = Profession::ALL
            .into_iter()
            .map(|p| LicenceCode::of(p).to_string())
            .collect();
        assert_eq!(wire, ["LK", "AT", "TL", "TH", "SJ", "BM", "VE"]);
        let unknown = LicenceCode::from("AP");
        assert_eq!(unknown, LicenceCode::Other("AP".into()));
        assert_eq!(unknown.profession(), None);
        assert_eq!(unknown.name(), "AP");
        assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("AP"));
    }

    #[test]
    fn credentials_tolerate_unknown_fields_and_codes() {
        let body = json!({
            "personalIdentityNumber": "189001019802",
            "personalPrescriptionCode": "1234567",
            "groupPrescriptionCode": ["7654321"],
            "healthCareProfessionalLicence": [
                {"code": "LK", "name": "Läkare", "since": "1999-01-01"},
                {"code": "AP", "name": "Apotekare"},
                {"code": "XX"}
            ],
            "nursePrescriptionRight": [
                {"healthCareProfessionalLicence": "SJ", "prescriptionRight": true, "extra": 1}
            ],
            "restrictionsOfPrescription": [{"code": "N05"}],
            "protectedPerson": false
        });
        let c: Credentials = serde_json::from_value(body).unwrap();
        assert_eq!(c.personal_prescription_code.as_deref(), Some("1234567"));
        assert_eq!(c.group_prescription_code, ["7654321"]);
        assert_eq!(
            c.health_care_professional_licence[0].code,
            LicenceCode::Lakare
        );
        assert_eq!(
            c.health_care_professional_licence[1].code,
            LicenceCode::Other("AP".into())
        );
        assert_eq!(c.health_care_professional_licence[2].name, "");
        assert_eq!(
            c.nurse_prescription_right[0],
            NursePrescriptionRight {
                health_care_professional_licence: LicenceCode::Sjukskoterska,
                prescription_right: true
            }
        );
    }

    #[test]
    fn credentials_with_only_the_person() {
        let c: Credentials = serde_json::from_value(json!({
            "personalIdentityNumber": "189001019802",
            "personalPrescriptionCode": null
        }))
        .unwrap();
        assert_eq!(c.personal_prescription_code, None);
        assert!(c.group_prescription_code.is_empty());
        assert!(c.health_care_professional_licence.is_empty());
        assert!(c.nurse_prescription_right.is_empty());
    }

    #[test]
    fn request_is_camel_case() {
        let request = CredentialsRequest {
            personal_identity_number: "189001019802".into(),
            claimed_prescription_code: "1234567".into(),
            claimed_profession: "lakare".into(),
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({
                "personalIdentityNumber": "189001019802",
                "claimedPrescriptionCode": "1234567",
                "claimedProfession": "lakare"
            })
        );
    }
}

//! The rule that turns the register's answer into a verdict on what the prescriber claimed.

use erecept_domain::{PersonNumber, PrescriberCode, Profession};
use serde::{Deserialize, Serialize};

use crate::types::{Credentials, LicenceCode};

/// Whether the register confirms the claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Personnummer, licence and förskrivarkod agree with the register.
    Confirmed,
    /// Something differs. `reason` is Swedish text for customer support (one sentence per
    /// difference); personnummer in it are masked (`19121212****`).
    Mismatch { reason: String },
}

impl Verdict {
    pub fn is_confirmed(&self) -> bool {
        matches!(self, Verdict::Confirmed)
    }
}

/// Compares the register's answer with the claim.
///
/// The claim is confirmed when all of these hold:
/// - the answer is about `person` (digits compared, a `-` in the answer is tolerated);
/// - the answer lists the licence of `profession` ([`LicenceCode::of`]: `LK`, `AT`, `TL`, `TH`,
///   `SJ`, `BM`, `VE`);
/// - for sjuksköterska and barnmorska: `nursePrescriptionRight` holds that licence with
///   `prescriptionRight: true` (a licence alone gives no right to prescribe);
/// - `code` is the person's `personalPrescriptionCode`, or, for an AT-läkare only, one of the
///   `groupPrescriptionCode`s (AT-läkare often prescribe with their employer's group code).
pub fn compare(
    credentials: &Credentials,
    person: &PersonNumber,
    code: &PrescriberCode,
    profession: Profession,
) -> Verdict {
    let mut reasons: Vec<String> = Vec::new();

    let answered: String = credentials
        .personal_identity_number
        .chars()
        .filter(|c| *c != '-')
        .collect();
    if answered != person.as_12_digits() {
        let (theirs, ours) = (mask(&answered), person.masked());
        reasons.push(if theirs == ours {
            format!(
                "Registret svarade för ett annat personnummer med samma födelsedatum ({ours}) än det som kontrollerades."
            )
        } else {
            format!("Registret svarade för personnummer {theirs} men kontrollen gällde {ours}.")
        });
    }

    let licence = LicenceCode::of(profession);
    let has_licence = credentials
        .health_care_professional_licence
        .iter()
        .any(|l| l.code == licence);
    if !has_licence {
        let listed: Vec<String> = credentials
            .health_care_professional_licence
            .iter()
            .map(|l| {
                if l.name.is_empty() || l.name == l.code.as_str() {
                    l.code.to_string()
                } else {
                    format!("{} ({})", l.name, l.code)
                }
            })
            .collect();
        let listed = if listed.is_empty() {
            "inga".to_owned()
        } else {
            listed.join(", ")
        };
        reasons.push(format!(
            "Registret visar ingen legitimation som {} ({}); registrerade legitimationer: {listed}.",
            in_sentence(profession),
            licence
        ));
    } else if licence.needs_nurse_prescription_right()
        && !credentials
            .nurse_prescription_right
            .iter()
            .any(|r| r.health_care_professional_licence == licence && r.prescription_right)
    {
        reasons.push(format!(
            "Registret visar ingen förskrivningsrätt för legitimationen som {} ({licence}).",
            in_sentence(profession)
        ));
    }

    let personal = credentials.personal_prescription_code.as_deref();
    let by_group = profession == Profession::AtLakare
        && credentials
            .group_prescription_code
            .iter()
            .any(|g| g == code.as_str());
    if personal != Some(code.as_str()) && !by_group {
        let registered = match personal {
            Some(p) => format!("registrerad personlig förskrivarkod är {p}"),
            None => "personen har ingen personlig förskrivarkod i registret".to_owned(),
        };
        let groups = if profession == Profession::AtLakare {
            if credentials.group_prescription_code.is_empty() {
                ", och ingen gruppförskrivarkod".to_owned()
            } else {
                format!(
                    ", gruppförskrivarkoder: {}",
                    credentials.group_prescription_code.join(", ")
                )
            }
        } else {
            String::new()
        };
        reasons.push(format!(
            "Förskrivarkoden {code} stämmer inte med registret ({registered}{groups})."
        ));
    }

    if reasons.is_empty() {
        Verdict::Confirmed
    } else {
        Verdict::Mismatch {
            reason: reasons.join(" "),
        }
    }
}

/// The profession's name inside a sentence: "läkare", but "AT-läkare".
fn in_sentence(profession: Profession) -> String {
    match profession {
        Profession::AtLakare => profession.name().to_owned(),
        other => other.name().to_lowercase(),
    }
}

/// Masks a personnummer as the logs do: the birth date, then `****`.
fn mask(digits: &str) -> String {
    let shown: String = digits.chars().take(8).collect();
    format!("{shown}****")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::credentials_for;
    use crate::types::{HealthCareProfessionalLicence, NursePrescriptionRight};

    const KARL: &str = "189001019802";
    const LISA: &str = "189001029819";

    fn pnr(s: &str) -> PersonNumber {
        PersonNumber::parse_12(s).unwrap()
    }

    fn code(s: &str) -> PrescriberCode {
        PrescriberCode::parse(s).unwrap()
    }

    fn reason(verdict: Verdict) -> String {
        match verdict {
            Verdict::Mismatch { reason } => reason,
            Verdict::Confirmed => panic!("expected a mismatch"),
        }
    }

    #[test]
    fn the_simulators_answer_confirms_every_profession() {
        for p in Profession::ALL {
            let c = credentials_for(KARL, p, Some("1234567".into()));
            assert_eq!(
                compare(&c, &pnr(KARL), &code("1234567"), p),
                Verdict::Confirmed,
                "{p:?}"
            );
        }
    }

    #[test]
    fn another_person() {
        let c = credentials_for(LISA, Profession::Lakare, Some("1234567".into()));
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::Lakare,
        ));
        assert_eq!(
            r,
            "Registret svarade för personnummer 18900102**** men kontrollen gällde 18900101****."
        );
        // Same birth date, other number.
        let c = credentials_for("189001019810", Profession::Lakare, Some("1234567".into()));
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::Lakare,
        ));
        assert!(r.contains("samma födelsedatum (18900101****)"), "{r}");
        // A dash in the answer is tolerated.
        let c = credentials_for("18900101-9802", Profession::Lakare, Some("1234567".into()));
        assert!(compare(&c, &pnr(KARL), &code("1234567"), Profession::Lakare).is_confirmed());
    }

    #[test]
    fn another_licence() {
        let mut c = credentials_for(KARL, Profession::Tandlakare, Some("1234567".into()));
        c.health_care_professional_licence
            .push(HealthCareProfessionalLicence {
                code: LicenceCode::from("AP"),
                name: "Apotekare".into(),
            });
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::Lakare,
        ));
        assert_eq!(
            r,
            "Registret visar ingen legitimation som läkare (LK); registrerade legitimationer: \
             Tandläkare (TL), Apotekare (AP)."
        );
        c.health_care_professional_licence.clear();
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::Lakare,
        ));
        assert!(r.ends_with("registrerade legitimationer: inga."), "{r}");
        // An AT-läkare is not a läkare, nor the other way round.
        let c = credentials_for(KARL, Profession::Lakare, Some("1234567".into()));
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::AtLakare,
        ));
        assert!(r.contains("som AT-läkare (AT)"), "{r}");
    }

    #[test]
    fn nurses_and_midwives_need_the_prescription_right() {
        for p in [Profession::Sjukskoterska, Profession::Barnmorska] {
            let licence = LicenceCode::of(p);
            let mut c = credentials_for(KARL, p, Some("1234567".into()));
            c.nurse_prescription_right.clear();
            let r = reason(compare(&c, &pnr(KARL), &code("1234567"), p));
            assert_eq!(
                r,
                format!(
                    "Registret visar ingen förskrivningsrätt för legitimationen som {} ({licence}).",
                    in_sentence(p)
                )
            );
            c.nurse_prescription_right.push(NursePrescriptionRight {
                health_care_professional_licence: licence.clone(),
                prescription_right: false,
            });
            assert!(!compare(&c, &pnr(KARL), &code("1234567"), p).is_confirmed());
            // The right of another licence does not count.
            let other = if p == Profession::Barnmorska {
                LicenceCode::Sjukskoterska
            } else {
                LicenceCode::Barnmorska
            };
            c.nurse_prescription_right = vec![NursePrescriptionRight {
                health_care_professional_licence: other,
                prescription_right: true,
            }];
            assert!(!compare(&c, &pnr(KARL), &code("1234567"), p).is_confirmed());
        }
    }

    #[test]
    fn another_code() {
        let c = credentials_for(KARL, Profession::Lakare, Some("7654321".into()));
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::Lakare,
        ));
        assert_eq!(
            r,
            "Förskrivarkoden 1234567 stämmer inte med registret (registrerad personlig \
             förskrivarkod är 7654321)."
        );
        let c = credentials_for(KARL, Profession::Lakare, None);
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::Lakare,
        ));
        assert_eq!(
            r,
            "Förskrivarkoden 1234567 stämmer inte med registret (personen har ingen personlig \
             förskrivarkod i registret)."
        );
    }

    #[test]
    fn group_codes_count_only_for_at_lakare() {
        let mut c = credentials_for(KARL, Profession::AtLakare, None);
        c.group_prescription_code = vec!["5555555".into()];
        assert!(compare(&c, &pnr(KARL), &code("5555555"), Profession::AtLakare).is_confirmed());
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::AtLakare,
        ));
        assert!(r.ends_with("gruppförskrivarkoder: 5555555)."), "{r}");

        let mut c = credentials_for(KARL, Profession::Lakare, None);
        c.group_prescription_code = vec!["5555555".into()];
        assert!(!compare(&c, &pnr(KARL), &code("5555555"), Profession::Lakare).is_confirmed());
    }

    #[test]
    fn every_difference_is_reported() {
        let c = credentials_for(LISA, Profession::Veterinar, Some("7654321".into()));
        let r = reason(compare(
            &c,
            &pnr(KARL),
            &code("1234567"),
            Profession::Lakare,
        ));
        assert_eq!(r.matches("Registret").count(), 2, "{r}");
        assert!(r.contains("Förskrivarkoden 1234567"), "{r}");
        let json = serde_json::to_value(Verdict::Mismatch { reason: r }).unwrap();
        assert_eq!(json["verdict"], "mismatch");
        assert_eq!(
            serde_json::to_value(Verdict::Confirmed).unwrap(),
            serde_json::json!({"verdict": "confirmed"})
        );
    }
}

//! The professions that may prescribe (SPEC §1), as a prescriber chooses them at registration.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profession {
    Lakare,
    AtLakare,
    Tandlakare,
    Tandhygienist,
    Sjukskoterska,
    Barnmorska,
    Veterinar,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Välj ditt yrke i listan.")]
pub struct ProfessionError;

impl Profession {
    pub const ALL: [Profession; 7] = [
        Profession::Lakare,
        Profession::AtLakare,
        Profession::Tandlakare,
        Profession::Tandhygienist,
        Profession::Sjukskoterska,
        Profession::Barnmorska,
        Profession::Veterinar,
    ];

    /// The stable code used in forms and storage.
    pub fn code(self) -> &'static str {
        match self {
            Profession::Lakare => "lakare",
            Profession::AtLakare => "at_lakare",
            Profession::Tandlakare => "tandlakare",
            Profession::Tandhygienist => "tandhygienist",
            Profession::Sjukskoterska => "sjukskoterska",
            Profession::Barnmorska => "barnmorska",
            Profession::Veterinar => "veterinar",
        }
    }

    /// The name shown to users.
    pub fn name(self) -> &'static str {
        match self {
            Profession::Lakare => "Läkare",
            Profession::AtLakare => "AT-läkare",
            Profession::Tandlakare => "Tandläkare",
            Profession::Tandhygienist => "Tandhygienist",
            Profession::Sjukskoterska => "Sjuksköterska",
            Profession::Barnmorska => "Barnmorska",
            Profession::Veterinar => "Veterinär",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ProfessionError> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .ok_or(ProfessionError)
    }

    /// AT-läkare and sjuksköterskor also need a certificate (intyg) from the head of their unit
    /// before they may prescribe through the service.
    pub fn needs_certificate(self) -> bool {
        matches!(self, Profession::AtLakare | Profession::Sjukskoterska)
    }

    /// Only veterinarians prescribe for animals.
    pub fn is_veterinarian(self) -> bool {
        self == Profession::Veterinar
    }
}

impl std::fmt::Display for Profession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_refused() {
        for p in Profession::ALL {
            assert_eq!(Profession::parse(p.code()), Ok(p));
        }
        assert_eq!(Profession::parse("kirurg"), Err(ProfessionError));
        assert_eq!(ProfessionError.to_string(), "Välj ditt yrke i listan.");
    }

    #[test]
    fn certificate_only_for_at_lakare_and_sjukskoterska() {
        let needing: Vec<_> = Profession::ALL
            .into_iter()
            .filter(|p| p.needs_certificate())
            .collect();
        assert_eq!(needing, [Profession::AtLakare, Profession::Sjukskoterska]);
        assert_eq!(Profession::AtLakare.to_string(), "AT-läkare");
    }
}

//! BankID's recommended user messages (RFA) and which one to show when (DOMAIN.md §3).

use crate::types::{CollectStatus, ErrorCode, HintCode};

/// How the user reaches the order: the BankID app on this device (autostart token), or the
/// app on another device reading the animated QR code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    SameDevice,
    QrCode,
}

/// A recommended user message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rfa {
    Rfa1,
    Rfa2,
    Rfa3,
    Rfa4,
    Rfa5,
    Rfa6,
    Rfa8,
    Rfa9,
    Rfa13,
    /// "Searching for BankID" on a computer.
    Rfa15A,
    /// "Searching for BankID" on a phone or tablet.
    Rfa15B,
    Rfa16,
    Rfa17A,
    /// The QR variant of RFA17.
    Rfa17B,
    Rfa21,
    Rfa22,
    Rfa23,
}

impl Rfa {
    pub const ALL: [Rfa; 17] = [
        Rfa::Rfa1,
        Rfa::Rfa2,
        Rfa::Rfa3,
        Rfa::Rfa4,
        Rfa::Rfa5,
        Rfa::Rfa6,
        Rfa::Rfa8,
        Rfa::Rfa9,
        Rfa::Rfa13,
        Rfa::Rfa15A,
        Rfa::Rfa15B,
        Rfa::Rfa16,
        Rfa::Rfa17A,
        Rfa::Rfa17B,
        Rfa::Rfa21,
        Rfa::Rfa22,
        Rfa::Rfa23,
    ];

    /// The message named by its code (`"RFA15A"`), as [`Rfa::code`] gives it.
    pub fn from_code(code: &str) -> Option<Rfa> {
        Rfa::ALL.into_iter().find(|r| r.code() == code)
    }

    /// BankID's name for the message (`"RFA15A"`).
    pub fn code(self) -> &'static str {
        match self {
            Rfa::Rfa1 => "RFA1",
            Rfa::Rfa2 => "RFA2",
            Rfa::Rfa3 => "RFA3",
            Rfa::Rfa4 => "RFA4",
            Rfa::Rfa5 => "RFA5",
            Rfa::Rfa6 => "RFA6",
            Rfa::Rfa8 => "RFA8",
            Rfa::Rfa9 => "RFA9",
            Rfa::Rfa13 => "RFA13",
            Rfa::Rfa15A => "RFA15A",
            Rfa::Rfa15B => "RFA15B",
            Rfa::Rfa16 => "RFA16",
            Rfa::Rfa17A => "RFA17A",
            Rfa::Rfa17B => "RFA17B",
            Rfa::Rfa21 => "RFA21",
            Rfa::Rfa22 => "RFA22",
            Rfa::Rfa23 => "RFA23",
        }
    }

    /// The Swedish text shown to the user.
    pub fn message(self) -> &'static str {
        match self {
            Rfa::Rfa1 => "Starta BankID-appen.",
            Rfa::Rfa2 => "Du har inte BankID-appen installerad. Kontakta din bank.",
            Rfa::Rfa3 => "Åtgärden avbruten. Försök igen.",
            Rfa::Rfa4 => {
                "En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen."
            }
            Rfa::Rfa5 => "Något gick fel. Försök igen.",
            Rfa::Rfa6 => "Åtgärden avbröts.",
            Rfa::Rfa8 => {
                "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Om du inte har ett giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen."
            }
            Rfa::Rfa9 => {
                "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."
            }
            Rfa::Rfa13 => "Försöker starta BankID-appen.",
            Rfa::Rfa15A => {
                "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här datorn. Om du har ett BankID på kort, sätt in kortet i kortläsaren."
            }
            Rfa::Rfa15B => {
                "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten."
            }
            Rfa::Rfa16 => {
                "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank."
            }
            Rfa::Rfa17A => {
                "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID hos din bank."
            }
            Rfa::Rfa17B => {
                "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden."
            }
            Rfa::Rfa21 => "Identifiering eller underskrift pågår.",
            Rfa::Rfa22 => "Okänt fel. Försök igen.",
            Rfa::Rfa23 => "Fotografera och läs av din ID-handling med BankID-appen.",
        }
    }
}

impl std::fmt::Display for Rfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// The message for a collect answer; `None` for a complete order (nothing to show, go on).
///
/// Unknown hint codes count as "other pending" (RFA21) or "other failed" (RFA22); an unknown
/// status gets RFA22.
pub fn collect_message(status: &CollectStatus, hint: Option<&HintCode>, flow: Flow) -> Option<Rfa> {
    let qr = flow == Flow::QrCode;
    let rfa = match status {
        CollectStatus::Complete => return None,
        CollectStatus::Pending => match hint {
            Some(HintCode::OutstandingTransaction) if qr => Rfa::Rfa1,
            Some(HintCode::OutstandingTransaction) => Rfa::Rfa13,
            Some(HintCode::NoClient) => Rfa::Rfa1,
            Some(HintCode::Started) => Rfa::Rfa15A,
            Some(HintCode::UserSign) => Rfa::Rfa9,
            Some(HintCode::UserMrtd) => Rfa::Rfa23,
            _ => Rfa::Rfa21,
        },
        CollectStatus::Failed => match hint {
            Some(HintCode::Cancelled) => Rfa::Rfa3,
            Some(HintCode::UserCancel) => Rfa::Rfa6,
            Some(HintCode::ExpiredTransaction) => Rfa::Rfa8,
            Some(HintCode::CertificateErr) => Rfa::Rfa16,
            Some(HintCode::StartFailed) if qr => Rfa::Rfa17B,
            Some(HintCode::StartFailed) => Rfa::Rfa17A,
            _ => Rfa::Rfa22,
        },
        CollectStatus::Other(_) => Rfa::Rfa22,
    };
    Some(rfa)
}

/// The message for an error answer of the API (HTTP status and error code).
///
/// `alreadyInProgress` → RFA4; `requestTimeout`, `maintenance`, `internalError` and HTTP 429 →
/// RFA5; anything else (a fault on our side such as `invalidParameters`) → RFA22.
pub fn error_message(http_status: u16, code: &ErrorCode) -> Rfa {
    match code {
        ErrorCode::AlreadyInProgress => Rfa::Rfa4,
        ErrorCode::RequestTimeout | ErrorCode::Maintenance | ErrorCode::InternalError => Rfa::Rfa5,
        _ if http_status == 429 => Rfa::Rfa5,
        _ => Rfa::Rfa22,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(hint: HintCode, flow: Flow) -> Option<Rfa> {
        collect_message(&CollectStatus::Pending, Some(&hint), flow)
    }

    fn failed(hint: HintCode, flow: Flow) -> Option<Rfa> {
        collect_message(&CollectStatus::Failed, Some(&hint), flow)
    }

    #[test]
    fn pending_rows() {
        use Flow::*;
        assert_eq!(
            pending(HintCode::OutstandingTransaction, QrCode),
            Some(Rfa::Rfa1)
        );
        assert_eq!(
            pending(HintCode::OutstandingTransaction, SameDevice),
            Some(Rfa::Rfa13)
        );
        for flow in [QrCode, SameDevice] {
            assert_eq!(pending(HintCode::NoClient, flow), Some(Rfa::Rfa1));
            assert_eq!(pending(HintCode::Started, flow), Some(Rfa::Rfa15A));
            assert_eq!(pending(HintCode::UserSign, flow), Some(Rfa::Rfa9));
            assert_eq!(pending(HintCode::UserMrtd, flow), Some(Rfa::Rfa23));
            assert_eq!(pending(HintCode::UserCallConfirm, flow), Some(Rfa::Rfa21));
            assert_eq!(
                pending(HintCode::Other("brandNew".into()), flow),
                Some(Rfa::Rfa21)
            );
            assert_eq!(
                collect_message(&CollectStatus::Pending, None, flow),
                Some(Rfa::Rfa21)
            );
        }
    }

    #[test]
    fn failed_rows() {
        use Flow::*;
        assert_eq!(failed(HintCode::StartFailed, QrCode), Some(Rfa::Rfa17B));
        assert_eq!(failed(HintCode::StartFailed, SameDevice), Some(Rfa::Rfa17A));
        for flow in [QrCode, SameDevice] {
            assert_eq!(failed(HintCode::Cancelled, flow), Some(Rfa::Rfa3));
            assert_eq!(failed(HintCode::UserCancel, flow), Some(Rfa::Rfa6));
            assert_eq!(failed(HintCode::ExpiredTransaction, flow), Some(Rfa::Rfa8));
            assert_eq!(failed(HintCode::CertificateErr, flow), Some(Rfa::Rfa16));
            for other in [
                HintCode::UserDeclinedCall,
                HintCode::NotSupportedByUserApp,
                HintCode::TransactionRiskBlocked,
                HintCode::Other("brandNew".into()),
            ] {
                assert_eq!(failed(other, flow), Some(Rfa::Rfa22));
            }
            assert_eq!(
                collect_message(&CollectStatus::Failed, None, flow),
                Some(Rfa::Rfa22)
            );
            assert_eq!(
                collect_message(&CollectStatus::Other("x".into()), None, flow),
                Some(Rfa::Rfa22)
            );
            assert_eq!(collect_message(&CollectStatus::Complete, None, flow), None);
        }
    }

    #[test]
    fn error_rows() {
        assert_eq!(error_message(400, &ErrorCode::AlreadyInProgress), Rfa::Rfa4);
        assert_eq!(error_message(408, &ErrorCode::RequestTimeout), Rfa::Rfa5);
        assert_eq!(error_message(503, &ErrorCode::Maintenance), Rfa::Rfa5);
        assert_eq!(error_message(500, &ErrorCode::InternalError), Rfa::Rfa5);
        assert_eq!(
            error_message(429, &ErrorCode::Other(String::new())),
            Rfa::Rfa5
        );
        assert_eq!(
            error_message(400, &ErrorCode::InvalidParameters),
            Rfa::Rfa22
        );
        assert_eq!(error_message(401, &ErrorCode::Unauthorized), Rfa::Rfa22);
    }

    #[test]
    fn every_string() {
        let expected = [
            (Rfa::Rfa1, "RFA1", "Starta BankID-appen."),
            (
                Rfa::Rfa2,
                "RFA2",
                "Du har inte BankID-appen installerad. Kontakta din bank.",
            ),
            (Rfa::Rfa3, "RFA3", "Åtgärden avbruten. Försök igen."),
            (
                Rfa::Rfa4,
                "RFA4",
                "En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.",
            ),
            (Rfa::Rfa5, "RFA5", "Något gick fel. Försök igen."),
            (Rfa::Rfa6, "RFA6", "Åtgärden avbröts."),
            (
                Rfa::Rfa8,
                "RFA8",
                "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Om du inte har ett giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.",
            ),
            (
                Rfa::Rfa9,
                "RFA9",
                "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
            ),
            (Rfa::Rfa13, "RFA13", "Försöker starta BankID-appen."),
            (
                Rfa::Rfa15A,
                "RFA15A",
                "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här datorn. Om du har ett BankID på kort, sätt in kortet i kortläsaren.",
            ),
            (
                Rfa::Rfa15B,
                "RFA15B",
                "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten.",
            ),
            (
                Rfa::Rfa16,
                "RFA16",
                "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank.",
            ),
            (
                Rfa::Rfa17A,
                "RFA17A",
                "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID hos din bank.",
            ),
            (
                Rfa::Rfa17B,
                "RFA17B",
                "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
            ),
            (
                Rfa::Rfa21,
                "RFA21",
                "Identifiering eller underskrift pågår.",
            ),
            (Rfa::Rfa22, "RFA22", "Okänt fel. Försök igen."),
            (
                Rfa::Rfa23,
                "RFA23",
                "Fotografera och läs av din ID-handling med BankID-appen.",
            ),
        ];
        for (rfa, code, text) in expected {
            assert_eq!(rfa.code(), code);
            assert_eq!(rfa.message(), text, "{code}");
            assert_eq!(rfa.to_string(), text);
        }
    }
}

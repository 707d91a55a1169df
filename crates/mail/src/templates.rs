use askama::Template;

use crate::MailError;

/// What every mail says about the service that sends it (configuration, not code).
#[derive(Debug, Clone)]
pub struct Brand {
    pub service_name: String,
    pub public_url: String,
    pub support_email: String,
    pub support_phone: String,
}

/// A rendered mail: subject, plain-text and HTML bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One kind of mail. Each has a plain-text and an HTML template under `templates/`.
pub trait MailTemplate {
    fn render(&self, brand: &Brand) -> Result<Rendered, MailError>;
}

/// Sent by `erecept send-test-mail` so that an operator can check the mail set-up end to end.
#[derive(Debug, Clone)]
pub struct TestMessage {
    pub requested_by: String,
}

/// Defines a mail kind: its data, subject, and the pair of templates `{name}.txt` and
/// `{name}.html` that render it.
macro_rules! mail_kind {
    // A subject that depends on the message too.
    ($kind:ident, $text:ident, $html:ident, $text_file:literal, $html_file:literal, |$brand:ident, $message:ident| $subject:expr) => {
        mail_kind!(@define $kind, $text, $html, $text_file, $html_file, |$brand, $message| $subject);
    };
    ($kind:ident, $text:ident, $html:ident, $text_file:literal, $html_file:literal, |$brand:ident| $subject:expr) => {
        mail_kind!(@define $kind, $text, $html, $text_file, $html_file, |$brand, _message| $subject);
    };
    (@define $kind:ident, $text:ident, $html:ident, $text_file:literal, $html_file:literal, |$brand:ident, $message:ident| $subject:expr) => {
        #[derive(Template)]
        #[template(path = $text_file)]
        struct $text<'a> {
            brand: &'a Brand,
            message: &'a $kind,
        }

        #[derive(Template)]
        #[template(path = $html_file)]
        struct $html<'a> {
            brand: &'a Brand,
            message: &'a $kind,
        }

        impl MailTemplate for $kind {
            fn render(&self, brand: &Brand) -> Result<Rendered, MailError> {
                let $brand = brand;
                let $message = self;
                Ok(Rendered {
                    subject: $subject,
                    text: $text {
                        brand,
                        message: self,
                    }
                    .render()?,
                    html: $html {
                        brand,
                        message: self,
                    }
                    .render()?,
                })
            }
        }
    };
}

mail_kind!(
    TestMessage,
    TestMessageText,
    TestMessageHtml,
    "test_message.txt",
    "test_message.html",
    |brand| { format!("Testmeddelande från {}", brand.service_name) }
);

/// The link to choose a new password ("Glömt lösenord").
#[derive(Debug, Clone)]
pub struct PasswordResetLink {
    pub name: String,
    pub link: String,
    pub valid_hours: u32,
}

mail_kind!(
    PasswordResetLink,
    PasswordResetLinkText,
    PasswordResetLinkHtml,
    "password_reset_link.txt",
    "password_reset_link.html",
    |brand| { format!("Byt lösenord till {}", brand.service_name) }
);

/// Confirms that the password was changed (and warns if it was not the user).
#[derive(Debug, Clone)]
pub struct PasswordChanged {
    pub name: String,
    pub changed_at: String,
}

mail_kind!(
    PasswordChanged,
    PasswordChangedText,
    PasswordChangedHtml,
    "password_changed.txt",
    "password_changed.html",
    |brand| { format!("Ditt lösenord till {} har ändrats", brand.service_name) }
);

/// Tells the prescriber that the e-mail address or mobile number was changed in Min profil;
/// sent to the address used before, so that a change made by someone else is noticed.
#[derive(Debug, Clone)]
pub struct ContactDetailsChanged {
    pub name: String,
    pub changed_at: String,
    /// The address and number now in use.
    pub email: String,
    pub mobile: String,
    pub email_changed: bool,
}

mail_kind!(
    ContactDetailsChanged,
    ContactDetailsChangedText,
    ContactDetailsChangedHtml,
    "contact_details_changed.txt",
    "contact_details_changed.html",
    |brand| { format!("Dina kontaktuppgifter i {} har ändrats", brand.service_name) }
);

/// The receipt of a ticket to support, with its number.
#[derive(Debug, Clone)]
pub struct TicketReceived {
    pub name: String,
    pub number: u64,
    pub subject: String,
}

mail_kind!(
    TicketReceived,
    TicketReceivedText,
    TicketReceivedHtml,
    "ticket_received.txt",
    "ticket_received.html",
    |brand, message| {
        format!(
            "Ditt ärende {} hos {} är registrerat",
            message.number, brand.service_name
        )
    }
);

/// A new ticket, to support's address: everything the visitor wrote.
#[derive(Debug, Clone)]
pub struct TicketForSupport {
    pub number: u64,
    pub name: String,
    pub email: String,
    /// "–" when not given.
    pub phone: String,
    /// Name and personnummer of the logged-in prescriber who wrote it, or "–".
    pub prescriber: String,
    /// The attached file's name (kept with the ticket), or "–".
    pub attachment: String,
    pub subject: String,
    pub description: String,
}

mail_kind!(
    TicketForSupport,
    TicketForSupportText,
    TicketForSupportHtml,
    "ticket_for_support.txt",
    "ticket_for_support.html",
    |_brand, message| { format!("Ärende {}: {}", message.number, message.subject) }
);

/// Confirms a new registration and says what happens next.
#[derive(Debug, Clone)]
pub struct RegistrationConfirmed {
    pub name: String,
    /// The latest time the prescriber code is expected to be verified, in Swedish time.
    pub verification_expected_by: String,
    pub certificate_required: bool,
    pub licence_price: String,
    pub payment_due_on: String,
}

mail_kind!(
    RegistrationConfirmed,
    RegistrationConfirmedText,
    RegistrationConfirmedHtml,
    "registration_confirmed.txt",
    "registration_confirmed.html",
    |brand| { format!("Du är registrerad för {}", brand.service_name) }
);

/// The prescriber code is confirmed: login works now.
#[derive(Debug, Clone)]
pub struct PrescriberVerified {
    pub name: String,
}

mail_kind!(
    PrescriberVerified,
    PrescriberVerifiedText,
    PrescriberVerifiedHtml,
    "prescriber_verified.txt",
    "prescriber_verified.html",
    |brand| {
        format!(
            "Behörighetskontrollen är slutförd – du kan logga in i {}",
            brand.service_name
        )
    }
);

/// The register did not confirm the prescriber code at once: a person at support checks it.
#[derive(Debug, Clone)]
pub struct PrescriberInReview {
    pub name: String,
}

mail_kind!(
    PrescriberInReview,
    PrescriberInReviewText,
    PrescriberInReviewHtml,
    "prescriber_in_review.txt",
    "prescriber_in_review.html",
    |brand| format!("Vi kontrollerar din förskrivarkod – {}", brand.service_name)
);

/// Support could not confirm the prescriber code: the account cannot be used.
#[derive(Debug, Clone)]
pub struct PrescriberNotConfirmed {
    pub name: String,
}

mail_kind!(
    PrescriberNotConfirmed,
    PrescriberNotConfirmedText,
    PrescriberNotConfirmedHtml,
    "prescriber_not_confirmed.txt",
    "prescriber_not_confirmed.html",
    |brand| format!(
        "Din förskrivarkod kunde inte bekräftas – {}",
        brand.service_name
    )
);

/// Support's decision on the certificate from the head of the workplace.
#[derive(Debug, Clone)]
pub struct CertificateDecided {
    pub name: String,
    pub approved: bool,
}

mail_kind!(
    CertificateDecided,
    CertificateDecidedText,
    CertificateDecidedHtml,
    "certificate_decided.txt",
    "certificate_decided.html",
    |brand, message| if message.approved {
        format!("Ditt intyg är godkänt – {}", brand.service_name)
    } else {
        format!("Ditt intyg kunde inte godkännas – {}", brand.service_name)
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn brand() -> Brand {
        Brand {
            service_name: "eRecept".into(),
            public_url: "https://erecept.example".into(),
            support_email: "support@erecept.example".into(),
            support_phone: "08-123 456 78".into(),
        }
    }

    #[test]
    fn test_message_is_swedish_in_both_bodies() {
        let mail = TestMessage {
            requested_by: "drift <ops@example.se>".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(mail.subject, "Testmeddelande från eRecept");
        assert!(mail.text.contains("Det här är ett testmeddelande"));
        assert!(mail.text.contains("drift <ops@example.se>"));
        assert!(mail.text.contains("support@erecept.example"));
        assert!(mail.html.contains("<html lang=\"sv\">"));
        // HTML bodies escape what they quote.
        assert!(
            mail.html.contains("drift &#60;ops@example.se&#62;"),
            "{}",
            mail.html
        );
    }

    #[test]
    fn reset_link_mail_carries_the_link_and_its_limits() {
        let mail = PasswordResetLink {
            name: "Tolvan".into(),
            link: "https://erecept.example/glomt-losenord/abc?x=1&y=2".into(),
            valid_hours: 24,
        }
        .render(&brand())
        .unwrap();
        assert_eq!(mail.subject, "Byt lösenord till eRecept");
        assert!(
            mail.text
                .contains("https://erecept.example/glomt-losenord/abc?x=1&y=2")
        );
        assert!(
            mail.text
                .contains("Länken gäller i 24 timmar och kan bara användas en gång.")
        );
        assert!(
            mail.html
                .contains("href=\"https://erecept.example/glomt-losenord/abc?x=1&#38;y=2\""),
            "{}",
            mail.html
        );
    }

    #[test]
    fn account_mails_say_what_happened() {
        let changed = PasswordChanged {
            name: "Tolvan".into(),
            changed_at: "2026-12-03 10:15".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(changed.subject, "Ditt lösenord till eRecept har ändrats");
        assert!(changed.text.contains("ändrades 2026-12-03 10:15"));
        assert!(changed.text.contains("Kontakta kundtjänst direkt."));

        let contact = |email_changed| ContactDetailsChanged {
            name: "Tolvan".into(),
            changed_at: "2026-12-03 10:15".into(),
            email: "tolvan@ny.example".into(),
            mobile: "070-765 43 21".into(),
            email_changed,
        };
        let moved = contact(true).render(&brand()).unwrap();
        assert_eq!(moved.subject, "Dina kontaktuppgifter i eRecept har ändrats");
        for text in [&moved.text, &moved.html] {
            assert!(text.contains("ändrades 2026-12-03 10:15"));
            assert!(text.contains("E-post: tolvan@ny.example"));
            assert!(text.contains("Mobiltelefon: 070-765 43 21"));
            assert!(text.contains("Det här meddelandet skickas till den gamla."));
            assert!(text.contains("Kontakta kundtjänst direkt."));
        }
        let receipt = TicketReceived {
            name: "Anna".into(),
            number: 42,
            subject: "Kan inte logga in".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(receipt.subject, "Ditt ärende 42 hos eRecept är registrerat");
        assert!(receipt.text.contains("gett det ärendenummer 42"));
        let notice = TicketForSupport {
            number: 42,
            name: "Anna <Andersson>".into(),
            email: "anna@example.se".into(),
            phone: "–".into(),
            prescriber: "–".into(),
            attachment: "skärmbild.png".into(),
            subject: "Kan inte logga in".into(),
            description: "Rad ett\nRad två".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(notice.subject, "Ärende 42: Kan inte logga in");
        assert!(notice.text.contains("Bifogad fil: skärmbild.png"));
        assert!(notice.text.contains("Rad ett\nRad två"));
        assert!(
            notice.html.contains("Anna &#60;Andersson&#62;")
                || notice.html.contains("Anna &lt;Andersson&gt;"),
            "{}",
            notice.html
        );
        let same_address = contact(false).render(&brand()).unwrap();
        assert!(!same_address.text.contains("den nya e-postadressen"));

        let registered = RegistrationConfirmed {
            name: "Tolvan".into(),
            verification_expected_by: "2026-12-07 12:00".into(),
            certificate_required: true,
            licence_price: "1 245,00 kr".into(),
            payment_due_on: "2026-12-24".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(registered.subject, "Du är registrerad för eRecept");
        for expected in [
            "Först när Socialstyrelsen bekräftat förskrivarkoden går det att logga in.",
            "48 timmar (kontorstid)",
            "senast 2026-12-07 12:00",
            "intyg från din verksamhetschef",
            "Observera att faktura inte skickas ut med post.",
            "1 245,00 kr",
            "senast 2026-12-24",
        ] {
            assert!(registered.text.contains(expected), "{expected}");
            assert!(registered.html.contains(expected), "{expected}");
        }
        let without = RegistrationConfirmed {
            certificate_required: false,
            ..registered_fields()
        }
        .render(&brand())
        .unwrap();
        assert!(!without.text.contains("verksamhetschef"));

        let verified = PrescriberVerified {
            name: "Tolvan".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(
            verified.subject,
            "Behörighetskontrollen är slutförd – du kan logga in i eRecept"
        );
        assert!(verified.text.contains("du kan nu logga in"));
        assert!(verified.text.contains("https://erecept.example"));
    }

    #[test]
    fn support_decisions_say_what_happens_next() {
        let review = PrescriberInReview {
            name: "Tolvan".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(
            review.subject,
            "Vi kontrollerar din förskrivarkod – eRecept"
        );
        assert!(review.text.contains("Hej Tolvan!"));
        assert!(review.text.contains("kontrollerar den manuellt"));

        let refused = PrescriberNotConfirmed {
            name: "Tolvan".into(),
        }
        .render(&brand())
        .unwrap();
        assert_eq!(
            refused.subject,
            "Din förskrivarkod kunde inte bekräftas – eRecept"
        );
        assert!(refused.text.contains("kan inte logga in"));
        assert!(refused.html.contains("kan inte logga in"));

        let approved = CertificateDecided {
            name: "Tolvan".into(),
            approved: true,
        }
        .render(&brand())
        .unwrap();
        assert_eq!(approved.subject, "Ditt intyg är godkänt – eRecept");
        assert!(approved.text.contains("du kan nu logga in"));
        assert!(!approved.text.contains("ladda upp ett nytt intyg"));
        let rejected = CertificateDecided {
            name: "Tolvan".into(),
            approved: false,
        }
        .render(&brand())
        .unwrap();
        assert_eq!(
            rejected.subject,
            "Ditt intyg kunde inte godkännas – eRecept"
        );
        assert!(rejected.text.contains("ladda upp ett nytt intyg"));
        assert!(!rejected.text.contains("du kan nu logga in"));
    }

    fn registered_fields() -> RegistrationConfirmed {
        RegistrationConfirmed {
            name: "Tolvan".into(),
            verification_expected_by: "2026-12-07 12:00".into(),
            certificate_required: true,
            licence_price: "1 245,00 kr".into(),
            payment_due_on: "2026-12-24".into(),
        }
    }
}

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

#[derive(Template)]
#[template(path = "test_message.txt")]
struct TestMessageText<'a> {
    brand: &'a Brand,
    message: &'a TestMessage,
}

#[derive(Template)]
#[template(path = "test_message.html")]
struct TestMessageHtml<'a> {
    brand: &'a Brand,
    message: &'a TestMessage,
}

impl MailTemplate for TestMessage {
    fn render(&self, brand: &Brand) -> Result<Rendered, MailError> {
        Ok(Rendered {
            subject: format!("Testmeddelande från {}", brand.service_name),
            text: TestMessageText {
                brand,
                message: self,
            }
            .render()?,
            html: TestMessageHtml {
                brand,
                message: self,
            }
            .render()?,
        })
    }
}

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
}

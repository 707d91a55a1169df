//! Certificates (intyg) from the head of the unit: AT-läkare and sjuksköterskor upload one,
//! support approves it, and only then may they log in.

use std::sync::Arc;

use erecept_domain::clock::Clock;
use erecept_store::{AccountId, CertificateStatus, NewCertificate, Outbox, Store};
use uuid::Uuid;

use crate::AppResult;

/// The largest certificate accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("Välj en fil att ladda upp.")]
    Missing,
    #[error("Filen är för stor. Intyget får vara högst 5 MB.")]
    TooLarge,
    #[error("Intyget måste vara en PDF-, PNG- eller JPEG-fil.")]
    WrongType,
}

/// The type of a file by its first bytes, whatever its name says.
pub fn content_type(content: &[u8]) -> Option<&'static str> {
    if content.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A file name safe to keep and show: its last path part, printable, at most 120 characters;
/// `fallback` when nothing is left.
pub(crate) fn clean_filename(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        fallback.to_owned()
    } else {
        cleaned
    }
}

#[derive(Clone)]
pub struct Certificates {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Certificates {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Checks and stores an uploaded certificate for support to review.
    pub async fn upload(
        &self,
        id: AccountId,
        filename: &str,
        content: Vec<u8>,
    ) -> AppResult<Result<(), CertificateError>> {
        if content.is_empty() {
            return Ok(Err(CertificateError::Missing));
        }
        if content.len() > MAX_BYTES {
            return Ok(Err(CertificateError::TooLarge));
        }
        let Some(content_type) = content_type(&content) else {
            return Ok(Err(CertificateError::WrongType));
        };
        let certificate = NewCertificate {
            id: Uuid::now_v7(),
            account_id: id,
            filename: clean_filename(filename, "intyg"),
            content_type,
            content,
        };
        self.store
            .add_certificate(&certificate, &Outbox::new(), self.clock.now())
            .await?;
        tracing::info!(account = %id, certificate = %certificate.id, "certificate uploaded");
        Ok(Ok(()))
    }

    /// Whether the account has a certificate that support has approved.
    pub async fn approved(&self, id: AccountId) -> AppResult<bool> {
        Ok(self
            .store
            .certificates(id)
            .await?
            .iter()
            .any(|c| c.status == CertificateStatus::Approved))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content() {
        assert_eq!(content_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(
            content_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some("image/jpeg")
        );
        assert_eq!(content_type(b"<html>intyg.pdf</html>"), None);
        assert_eq!(content_type(b""), None);
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_filename("C:\\Users\\anna\\intyg.pdf", "intyg"),
            "intyg.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd", "intyg"), "passwd");
        assert_eq!(clean_filename("in\u{0007}tyg.png", "intyg"), "intyg.png");
        assert_eq!(clean_filename("", "intyg"), "intyg");
    }

    #[test]
    fn messages_are_swedish() {
        assert_eq!(
            CertificateError::TooLarge.to_string(),
            "Filen är för stor. Intyget får vara högst 5 MB."
        );
        assert_eq!(
            CertificateError::WrongType.to_string(),
            "Intyget måste vara en PDF-, PNG- eller JPEG-fil."
        );
        assert_eq!(
            CertificateError::Missing.to_string(),
            "Välj en fil att ladda upp."
        );
    }
}

//! E-mail: the Swedish templates of every message the service sends, and the SMTP client.
//!
//! Rendering and sending are separate steps: the application renders a mail and stores it in
//! the outbox with the change that causes it; a background job sends it later through
//! [`SmtpClient`] (or, in development mode, the mailbox page).

mod smtp;
mod templates;

pub use smtp::{SendError, SmtpClient};
pub use templates::{
    Brand, CertificateDecided, ContactDetailsChanged, MailTemplate, PasswordChanged,
    PasswordResetLink, PrescriberInReview, PrescriberNotConfirmed, PrescriberVerified,
    RegistrationConfirmed, Rendered, TestMessage, TicketForSupport, TicketReceived,
};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("rendering mail template: {0}")]
    Render(#[from] askama::Error),
}

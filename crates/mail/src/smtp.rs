use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::Rendered;

/// Why a mail could not be handed to the SMTP server.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused it for good (bad address, message refused): retrying will not help.
    #[error("refused: {0}")]
    Permanent(String),
    /// The server could not be reached or asked us to come back later.
    #[error("not sent now: {0}")]
    Transient(String),
}

/// A client of one SMTP server (`smtp://host:port` for plain or STARTTLS-opportunistic,
/// `smtps://host:port` for implicit TLS, with `user:password@` when the server requires it).
#[derive(Clone)]
pub struct SmtpClient {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds credentials: never print it.
        f.debug_struct("SmtpClient")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpClient {
    pub fn new(url: &str, from: &str) -> Result<Self, SendError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SendError::Permanent(format!("invalid SMTP address: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from
            .parse()
            .map_err(|e| SendError::Permanent(format!("invalid sender address {from:?}: {e}")))?;
        Ok(Self { transport, from })
    }

    /// Sends one mail. `message_id` is stable per stored mail, so a resend after a crash
    /// carries the same Message-ID and can be recognised by the receiver.
    pub async fn send(&self, to: &str, mail: &Rendered, message_id: &str) -> Result<(), SendError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::Permanent(format!("invalid recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(message_id.to_owned()))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("building message: {e}")))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                SendError::Permanent(e.to_string())
            } else {
                SendError::Transient(e.to_string())
            }
        })
    }
}

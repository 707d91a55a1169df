//! Identification with BankID (SPEC §2.1 step 2, §2.2 "login with BankID"; DOMAIN.md §3).
//!
//! [`Identification::start`] opens an auth order for the visitor's address; the web layer keeps
//! the [`PendingOrder`] in the server-side session (it holds `qrStartSecret`, which never
//! reaches the browser), asks [`Identification::poll`] for the order's progress every second or
//! two, and draws the animated QR code from [`Identification::qr_content`]. Every failure is a
//! recommended user message ([`Rfa`]); the mapping itself lives in `erecept-bankid`.

use std::net::IpAddr;
use std::sync::Arc;

use erecept_bankid::{
    AuthRequest, BankIdClient, BankIdError, CollectResponse, CollectStatus, collect_message,
    qr_data,
};
use erecept_domain::PersonNumber;
use erecept_domain::clock::Clock;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use erecept_bankid::{Flow, Rfa};

/// An auth order that has been started and not yet finished. Serialisable, so that it can live
/// in the server-side session; its `Debug` leaves out the tokens and the QR secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOrder {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    /// Only for computing QR codes on the server: never send it to the browser.
    pub qr_start_secret: String,
    /// When BankID answered the auth call: second 0 of the animated QR code.
    pub started_at: Timestamp,
    #[serde(with = "flow_name")]
    pub flow: Flow,
}

impl std::fmt::Debug for PendingOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingOrder")
            .field("order_ref", &self.order_ref)
            .field("started_at", &self.started_at)
            .field("flow", &self.flow)
            .finish_non_exhaustive()
    }
}

/// `Flow` as text: `"same_device"` or `"qr"` (the names of the web form's choices).
pub mod flow_name {
    use erecept_bankid::Flow;
    use serde::{Deserialize, Deserializer, Serializer};

    pub const SAME_DEVICE: &str = "same_device";
    pub const QR: &str = "qr";

    pub fn name(flow: Flow) -> &'static str {
        match flow {
            Flow::SameDevice => SAME_DEVICE,
            Flow::QrCode => QR,
        }
    }

    /// The flow named `text`, if it is one of the two names.
    pub fn parse(text: &str) -> Option<Flow> {
        match text {
            SAME_DEVICE => Some(Flow::SameDevice),
            QR => Some(Flow::QrCode),
            _ => None,
        }
    }

    pub fn serialize<S: Serializer>(flow: &Flow, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(name(*flow))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Flow, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown flow {text:?}")))
    }
}

/// Who BankID says completed the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub person_number: PersonNumber,
    pub given_name: String,
    pub surname: String,
}

/// Where an order stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Still waiting for the user: show `rfa` and ask again.
    Pending { rfa: Rfa },
    /// Over without an identity: show `rfa` and offer to try again.
    Failed { rfa: Rfa },
    /// The user identified.
    Complete(Identity),
}

/// Identification with BankID over the relying-party client.
#[derive(Clone)]
pub struct Identification {
    client: BankIdClient,
    clock: Arc<dyn Clock>,
}

impl Identification {
    pub fn new(client: BankIdClient, clock: Arc<dyn Clock>) -> Self {
        Self { client, clock }
    }

    /// Starts an auth order for the user at `end_user_ip`.
    pub async fn start(&self, flow: Flow, end_user_ip: IpAddr) -> Result<PendingOrder, Rfa> {
        let ip = match end_user_ip {
            // BankID wants the address as the user has it, not IPv4 mapped into IPv6.
            IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map_or(IpAddr::V6(v6), IpAddr::V4)
                .to_string(),
            v4 => v4.to_string(),
        };
        let order = self
            .client
            .auth(&AuthRequest::new(ip))
            .await
            .map_err(|e| failure("auth", &e))?;
        tracing::info!(order_ref = %order.order_ref, flow = flow_name::name(flow), "BankID order started");
        Ok(PendingOrder {
            order_ref: order.order_ref,
            auto_start_token: order.auto_start_token,
            qr_start_token: order.qr_start_token,
            qr_start_secret: order.qr_start_secret,
            started_at: self.clock.now(),
            flow,
        })
    }

    /// Collects the order once and says where it stands.
    pub async fn poll(&self, order: &PendingOrder) -> Progress {
        match self.client.collect(&order.order_ref).await {
            Ok(response) => progress(&response, order.flow),
            Err(e) => Progress::Failed {
                rfa: failure("collect", &e),
            },
        }
    }

    /// The text of the QR code to show at `now`: qrTime is the whole seconds since the order
    /// started (never negative).
    pub fn qr_content(&self, order: &PendingOrder, now: Timestamp) -> String {
        let seconds = u64::try_from(now.duration_since(order.started_at).as_secs()).unwrap_or(0);
        qr_data(&order.qr_start_token, &order.qr_start_secret, seconds)
    }

    /// [`Self::qr_content`] at the clock's current time.
    pub fn qr_content_now(&self, order: &PendingOrder) -> String {
        self.qr_content(order, self.clock.now())
    }

    /// Cancels the order (the user pressed "Avbryt", or started another).
    pub async fn cancel(&self, order: &PendingOrder) -> Result<(), Rfa> {
        self.client
            .cancel(&order.order_ref)
            .await
            .map_err(|e| failure("cancel", &e))?;
        tracing::info!(order_ref = %order.order_ref, "BankID order cancelled");
        Ok(())
    }
}

/// Logs a failed call and gives the user's message for it.
fn failure(call: &str, error: &BankIdError) -> Rfa {
    let rfa = error.user_message();
    tracing::warn!(call, %error, rfa = rfa.code(), "BankID call failed");
    rfa
}

/// The progress a collect answer means.
fn progress(response: &CollectResponse, flow: Flow) -> Progress {
    if response.status == CollectStatus::Complete {
        let Some(data) = &response.completion_data else {
            tracing::warn!(order_ref = %response.order_ref, "complete BankID order without completionData");
            return Progress::Failed { rfa: Rfa::Rfa22 };
        };
        let Ok(person_number) = PersonNumber::parse_12(&data.user.personal_number) else {
            tracing::warn!(order_ref = %response.order_ref, "BankID gave a personal number that does not parse");
            return Progress::Failed { rfa: Rfa::Rfa22 };
        };
        tracing::info!(order_ref = %response.order_ref, person = %person_number.masked(), "BankID order complete");
        return Progress::Complete(Identity {
            person_number,
            given_name: data.user.given_name.trim().to_owned(),
            surname: data.user.surname.trim().to_owned(),
        });
    }
    let rfa =
        collect_message(&response.status, response.hint_code.as_ref(), flow).unwrap_or(Rfa::Rfa22);
    match response.status {
        CollectStatus::Pending => Progress::Pending { rfa },
        _ => Progress::Failed { rfa },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use erecept_bankid::{CompletionData, HintCode, User};

    fn response(status: CollectStatus, hint: Option<HintCode>) -> CollectResponse {
        CollectResponse {
            order_ref: "a".into(),
            status,
            hint_code: hint,
            completion_data: None,
        }
    }

    fn order(flow: Flow) -> PendingOrder {
        PendingOrder {
            order_ref: "131daac9-16c6-4618-beb0-365768f37288".into(),
            auto_start_token: "7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6".into(),
            qr_start_token: "67df3917-fa0d-44e5-b327-edcc928297f8".into(),
            qr_start_secret: "d28db9a7-4cde-429e-a983-359be676944c".into(),
            started_at: "2026-03-02T10:00:00Z".parse().unwrap(),
            flow,
        }
    }

    #[test]
    fn pending_and_failed_map_to_messages() {
        assert_eq!(
            progress(
                &response(
                    CollectStatus::Pending,
                    Some(HintCode::OutstandingTransaction)
                ),
                Flow::QrCode
            ),
            Progress::Pending { rfa: Rfa::Rfa1 }
        );
        assert_eq!(
            progress(
                &response(
                    CollectStatus::Pending,
                    Some(HintCode::OutstandingTransaction)
                ),
                Flow::SameDevice
            ),
            Progress::Pending { rfa: Rfa::Rfa13 }
        );
        assert_eq!(
            progress(
                &response(CollectStatus::Failed, Some(HintCode::CertificateErr)),
                Flow::QrCode
            ),
            Progress::Failed { rfa: Rfa::Rfa16 }
        );
        assert_eq!(
            progress(
                &response(CollectStatus::Other("paused".into()), None),
                Flow::QrCode
            ),
            Progress::Failed { rfa: Rfa::Rfa22 }
        );
    }

    #[test]
    fn complete_gives_the_identity_and_refuses_a_bad_number() {
        let mut answer = response(CollectStatus::Complete, None);
        assert_eq!(
            progress(&answer, Flow::QrCode),
            Progress::Failed { rfa: Rfa::Rfa22 }
        );
        answer.completion_data = Some(CompletionData {
            user: User {
                personal_number: "191212121212".into(),
                name: "Tolvan Tolvansson".into(),
                given_name: "Tolvan".into(),
                surname: "Tolvansson".into(),
            },
            device: None,
            bank_id_issue_date: None,
            step_up: None,
            signature: None,
            ocsp_response: None,
            risk: None,
        });
        let Progress::Complete(identity) = progress(&answer, Flow::QrCode) else {
            panic!("complete");
        };
        assert_eq!(identity.person_number.as_12_digits(), "191212121212");
        assert_eq!(identity.given_name, "Tolvan");
        assert_eq!(identity.surname, "Tolvansson");
        if let Some(data) = answer.completion_data.as_mut() {
            data.user.personal_number = "191212121213".into();
        }
        assert_eq!(
            progress(&answer, Flow::QrCode),
            Progress::Failed { rfa: Rfa::Rfa22 }
        );
    }

    #[test]
    fn pending_order_round_trips_and_hides_the_secret_in_debug() {
        let order = order(Flow::SameDevice);
        let value = serde_json::to_value(&order).unwrap();
        assert_eq!(value["flow"], "same_device");
        let back: PendingOrder = serde_json::from_value(value).unwrap();
        assert_eq!(back, order);
        let debug = format!("{order:?}");
        assert!(!debug.contains(&order.qr_start_secret));
        assert!(!debug.contains(&order.auto_start_token));
        let qr = serde_json::to_value(self::order(Flow::QrCode)).unwrap();
        assert_eq!(qr["flow"], "qr");
        let mut bad = qr;
        bad["flow"] = "carrier-pigeon".into();
        assert!(serde_json::from_value::<PendingOrder>(bad).is_err());
    }

    #[test]
    fn qr_time_is_whole_seconds_since_the_start() {
        let order = order(Flow::QrCode);
        let pki = erecept_bankid::simulator::TestPki::generate().unwrap();
        let client = BankIdClient::new(&erecept_bankid::BankIdConfig {
            base_url: "https://127.0.0.1:1/rp/v6.0/".into(),
            server_ca_pem: pki.ca_pem.clone(),
            client_identity_pem: pki.client_identity_pem.clone(),
            timeout: erecept_bankid::DEFAULT_TIMEOUT,
        })
        .unwrap();
        let clock = Arc::new(erecept_domain::clock::FixedClock::at(order.started_at));
        let identification = Identification::new(client, clock);
        let later = order.started_at + jiff::SignedDuration::from_millis(2_900);
        assert_eq!(
            identification.qr_content(&order, later),
            qr_data(&order.qr_start_token, &order.qr_start_secret, 2)
        );
        let earlier = order.started_at - jiff::SignedDuration::from_secs(5);
        assert_eq!(
            identification.qr_content(&order, earlier),
            qr_data(&order.qr_start_token, &order.qr_start_secret, 0)
        );
        assert_eq!(
            identification.qr_content_now(&order),
            qr_data(&order.qr_start_token, &order.qr_start_secret, 0)
        );
    }
}

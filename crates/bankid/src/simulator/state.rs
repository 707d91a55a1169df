//! The simulator's orders and their life cycle, shared by the HTTPS API and the control routes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use erecept_domain::PersonNumber;
use erecept_domain::clock::Clock;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use uuid::Uuid;

use crate::qr::QrContent;
use crate::types::{
    AuthRequest, CollectResponse, CollectStatus, CompletionData, Device, ErrorCode, HintCode,
    OrderResponse, Requirement, SIMPLE_MARKDOWN_V1, SignRequest, StepUp, User,
};

/// A pending order fails with `expiredTransaction` this long after it was created.
pub const ORDER_LIFETIME: SignedDuration = SignedDuration::from_secs(180);
/// A complete order can be collected this long after completion.
pub const COMPLETE_RETENTION: SignedDuration = SignedDuration::from_secs(180);
/// A failed order can be collected this long after it failed.
pub const FAILED_RETENTION: SignedDuration = SignedDuration::from_secs(300);
/// A scanned QR code may claim a time at most this many seconds after the simulator's.
pub const QR_AHEAD_TOLERANCE_SECS: u64 = 2;
/// … and at most this many seconds before it (the code is pasted by hand in development).
pub const QR_MAX_AGE_SECS: u64 = 10;

/// An error answer of the RP API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: ErrorCode,
    pub details: String,
}

impl ApiError {
    pub fn new(status: u16, code: ErrorCode, details: impl Into<String>) -> Self {
        Self {
            status,
            code,
            details: details.into(),
        }
    }

    pub fn invalid(details: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::InvalidParameters, details)
    }
}

/// A refused control action (fake app or control API); `Display` is Swedish for the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("Ordern finns inte.")]
    UnknownOrder,
    #[error("Ordern väntar inte längre.")]
    NotPending,
    #[error("{0}")]
    Invalid(String),
}

impl ControlError {
    pub fn status(&self) -> u16 {
        match self {
            ControlError::UnknownOrder => 404,
            ControlError::NotPending => 409,
            ControlError::Invalid(_) => 400,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderKind {
    Auth,
    Sign,
}

#[derive(Debug, Clone)]
enum OrderState {
    Pending(HintCode),
    Complete {
        at: Timestamp,
        data: Box<CompletionData>,
    },
    Failed {
        at: Timestamp,
        hint: HintCode,
    },
}

#[derive(Debug, Clone)]
struct Order {
    order_ref: String,
    kind: OrderKind,
    end_user_ip: String,
    requirement: Requirement,
    user_visible_data: Option<String>,
    user_non_visible_data: Option<String>,
    return_risk: bool,
    qr_start_token: String,
    qr_start_secret: String,
    created: Timestamp,
    state: OrderState,
}

impl Order {
    fn visible_text(&self) -> Option<String> {
        let data = self.user_visible_data.as_deref()?;
        let bytes = STANDARD.decode(data).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// A pending order as the control API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingOrder {
    pub order_ref: String,
    pub kind: OrderKind,
    pub started_at: Timestamp,
    pub hint_code: HintCode,
    /// `requirement.personalNumber`, when the relying party named the user.
    pub personal_number: Option<String>,
    /// `userVisibleData` decoded.
    pub user_visible_text: Option<String>,
    pub end_user_ip: String,
}

/// What the fake app enters when it approves an order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub personal_number: String,
    pub given_name: String,
    pub surname: String,
}

#[derive(Default)]
struct Inner {
    orders: HashMap<String, Order>,
    fault: Option<ErrorCode>,
}

/// All orders; cheap to clone (shared).
#[derive(Clone)]
pub struct Orders {
    clock: Arc<dyn Clock>,
    inner: Arc<Mutex<Inner>>,
}

/// The status and code of a simulated fault.
pub fn fault_status(code: &ErrorCode) -> u16 {
    match code {
        ErrorCode::Maintenance => 503,
        ErrorCode::InternalError => 500,
        ErrorCode::RequestTimeout => 408,
        ErrorCode::Unauthorized => 401,
        ErrorCode::Other(other) if other == "tooManyRequests" => 429,
        _ => 400,
    }
}

impl Orders {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            inner: Arc::new(Mutex::new(Inner::default())),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The orders with expired ones failed and forgotten ones removed.
    fn lock(&self) -> (MutexGuard<'_, Inner>, Timestamp) {
        let now = self.clock.now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        for order in inner.orders.values_mut() {
            if matches!(order.state, OrderState::Pending(_)) {
                let expires = plus(order.created, ORDER_LIFETIME);
                if now >= expires {
                    order.state = OrderState::Failed {
                        at: expires,
                        hint: HintCode::ExpiredTransaction,
                    };
                }
            }
        }
        inner.orders.retain(|_, order| match &order.state {
            OrderState::Pending(_) => true,
            OrderState::Complete { at, .. } => now < plus(*at, COMPLETE_RETENTION),
            OrderState::Failed { at, .. } => now < plus(*at, FAILED_RETENTION),
        });
        (inner, now)
    }

    // ---- faults ----

    /// Makes every API call answer this error until cleared with `None`.
    pub fn set_fault(&self, fault: Option<ErrorCode>) {
        let (mut inner, _) = self.lock();
        inner.fault = fault;
    }

    pub fn check_fault(&self) -> Result<(), ApiError> {
        let (inner, _) = self.lock();
        match &inner.fault {
            Some(code) => Err(ApiError::new(
                fault_status(code),
                code.clone(),
                "Simulated fault",
            )),
            None => Ok(()),
        }
    }

    // ---- the RP API ----

    pub fn auth(&self, request: AuthRequest) -> Result<OrderResponse, ApiError> {
        validate_common(
            &request.end_user_ip,
            request.requirement.as_ref(),
            request.user_visible_data.as_deref(),
            request.user_visible_data_format.as_deref(),
            request.user_non_visible_data.as_deref(),
        )?;
        self.create(NewOrder {
            kind: OrderKind::Auth,
            end_user_ip: request.end_user_ip,
            requirement: request.requirement.unwrap_or_default(),
            user_visible_data: request.user_visible_data,
            user_non_visible_data: request.user_non_visible_data,
            return_risk: request.return_risk.unwrap_or(false),
        })
    }

    pub fn sign(&self, request: SignRequest) -> Result<OrderResponse, ApiError> {
        validate_common(
            &request.end_user_ip,
            request.requirement.as_ref(),
            Some(&request.user_visible_data),
            request.user_visible_data_format.as_deref(),
            request.user_non_visible_data.as_deref(),
        )?;
        self.create(NewOrder {
            kind: OrderKind::Sign,
            end_user_ip: request.end_user_ip,
            requirement: request.requirement.unwrap_or_default(),
            user_visible_data: Some(request.user_visible_data),
            user_non_visible_data: request.user_non_visible_data,
            return_risk: request.return_risk.unwrap_or(false),
        })
    }

    fn create(&self, new: NewOrder) -> Result<OrderResponse, ApiError> {
        let (mut inner, now) = self.lock();
        if let Some(personal_number) = &new.requirement.personal_number {
            // As BankID does: the running order for this person is cancelled too, and no new
            // order is created.
            let mut clash = false;
            for order in inner.orders.values_mut() {
                if matches!(order.state, OrderState::Pending(_))
                    && order.requirement.personal_number.as_ref() == Some(personal_number)
                {
                    order.state = OrderState::Failed {
                        at: now,
                        hint: HintCode::Cancelled,
                    };
                    clash = true;
                }
            }
            if clash {
                return Err(ApiError::new(
                    400,
                    ErrorCode::AlreadyInProgress,
                    "Order already in progress for pno",
                ));
            }
        }
        let order = Order {
            order_ref: Uuid::new_v4().to_string(),
            kind: new.kind,
            end_user_ip: new.end_user_ip,
            requirement: new.requirement,
            user_visible_data: new.user_visible_data,
            user_non_visible_data: new.user_non_visible_data,
            return_risk: new.return_risk,
            qr_start_token: Uuid::new_v4().to_string(),
            qr_start_secret: Uuid::new_v4().to_string(),
            created: now,
            state: OrderState::Pending(HintCode::OutstandingTransaction),
        };
        let response = OrderResponse {
            order_ref: order.order_ref.clone(),
            auto_start_token: Uuid::new_v4().to_string(),
            qr_start_token: order.qr_start_token.clone(),
            qr_start_secret: order.qr_start_secret.clone(),
        };
        inner.orders.insert(order.order_ref.clone(), order);
        Ok(response)
    }

    /// `collect`: a `started` order reports `started` once, then waits for the security code
    /// (`userSign`) until the fake app approves or cancels it.
    pub fn collect(&self, order_ref: &str) -> Result<CollectResponse, ApiError> {
        let (mut inner, _) = self.lock();
        let order = inner
            .orders
            .get_mut(order_ref)
            .ok_or_else(|| ApiError::invalid("No such order"))?;
        let response = match &order.state {
            OrderState::Pending(hint) => CollectResponse {
                order_ref: order.order_ref.clone(),
                status: CollectStatus::Pending,
                hint_code: Some(hint.clone()),
                completion_data: None,
            },
            OrderState::Complete { data, .. } => CollectResponse {
                order_ref: order.order_ref.clone(),
                status: CollectStatus::Complete,
                hint_code: None,
                completion_data: Some((**data).clone()),
            },
            OrderState::Failed { hint, .. } => CollectResponse {
                order_ref: order.order_ref.clone(),
                status: CollectStatus::Failed,
                hint_code: Some(hint.clone()),
                completion_data: None,
            },
        };
        if matches!(order.state, OrderState::Pending(HintCode::Started)) {
            order.state = OrderState::Pending(HintCode::UserSign);
        }
        Ok(response)
    }

    /// `cancel` by the relying party: a pending order fails with `cancelled`.
    pub fn cancel(&self, order_ref: &str) -> Result<(), ApiError> {
        let (mut inner, now) = self.lock();
        let order = inner
            .orders
            .get_mut(order_ref)
            .ok_or_else(|| ApiError::invalid("No such order"))?;
        if matches!(order.state, OrderState::Pending(_)) {
            order.state = OrderState::Failed {
                at: now,
                hint: HintCode::Cancelled,
            };
        }
        Ok(())
    }

    // ---- the fake app and the control API ----

    pub fn pending(&self) -> Vec<PendingOrder> {
        let (inner, _) = self.lock();
        let mut list: Vec<PendingOrder> = inner
            .orders
            .values()
            .filter_map(|order| match &order.state {
                OrderState::Pending(hint) => Some(PendingOrder {
                    order_ref: order.order_ref.clone(),
                    kind: order.kind,
                    started_at: order.created,
                    hint_code: hint.clone(),
                    personal_number: order.requirement.personal_number.clone(),
                    user_visible_text: order.visible_text(),
                    end_user_ip: order.end_user_ip.clone(),
                }),
                _ => None,
            })
            .collect();
        list.sort_by(|a, b| (a.started_at, &a.order_ref).cmp(&(b.started_at, &b.order_ref)));
        list
    }

    fn with_pending<T>(
        &self,
        order_ref: &str,
        action: impl FnOnce(&mut Order, Timestamp) -> Result<T, ControlError>,
    ) -> Result<T, ControlError> {
        let (mut inner, now) = self.lock();
        let order = inner
            .orders
            .get_mut(order_ref)
            .ok_or(ControlError::UnknownOrder)?;
        if !matches!(order.state, OrderState::Pending(_)) {
            return Err(ControlError::NotPending);
        }
        action(order, now)
    }

    /// The app opens the order (autostart on the same device): `started`.
    pub fn start(&self, order_ref: &str) -> Result<(), ControlError> {
        self.with_pending(order_ref, |order, _| {
            if matches!(
                order.state,
                OrderState::Pending(HintCode::OutstandingTransaction | HintCode::NoClient)
            ) {
                order.state = OrderState::Pending(HintCode::Started);
            }
            Ok(())
        })
    }

    /// The app reads a QR code: it must belong to a pending order, be signed with its secret
    /// and be fresh. Returns the order's reference; the order is then `started`.
    pub fn scan_qr(&self, text: &str) -> Result<String, ControlError> {
        let content = QrContent::parse(text)
            .ok_or_else(|| ControlError::Invalid("Det är ingen BankID-QR-kod.".into()))?;
        let order_ref = {
            let (inner, _) = self.lock();
            inner
                .orders
                .values()
                .find(|o| o.qr_start_token == content.qr_start_token)
                .map(|o| o.order_ref.clone())
                .ok_or(ControlError::UnknownOrder)?
        };
        self.with_pending(&order_ref, |order, now| {
            if !content.is_signed_with(&order.qr_start_secret) {
                return Err(ControlError::Invalid("QR-koden är inte giltig.".into()));
            }
            let elapsed = u64::try_from(now.duration_since(order.created).as_secs()).unwrap_or(0);
            let claimed = content.seconds_since_start;
            if claimed > elapsed.saturating_add(QR_AHEAD_TOLERANCE_SECS)
                || elapsed > claimed.saturating_add(QR_MAX_AGE_SECS)
            {
                return Err(ControlError::Invalid(
                    "QR-koden är för gammal. Läs av den nya koden.".into(),
                ));
            }
            if matches!(
                order.state,
                OrderState::Pending(HintCode::OutstandingTransaction | HintCode::NoClient)
            ) {
                order.state = OrderState::Pending(HintCode::Started);
            }
            Ok(order.order_ref.clone())
        })
    }

    /// The user approves with the security code: the order is complete.
    pub fn complete(&self, order_ref: &str, approval: &Approval) -> Result<(), ControlError> {
        let today = self.clock.today();
        let person = PersonNumber::parse(&approval.personal_number, today)
            .map_err(|e| ControlError::Invalid(e.to_string()))?
            .as_12_digits();
        let given_name = approval.given_name.trim();
        let surname = approval.surname.trim();
        if given_name.is_empty() {
            return Err(ControlError::Invalid("Ange förnamn.".into()));
        }
        if surname.is_empty() {
            return Err(ControlError::Invalid("Ange efternamn.".into()));
        }
        self.with_pending(order_ref, |order, now| {
            if let Some(required) = &order.requirement.personal_number
                && *required != person
            {
                return Err(ControlError::Invalid(
                    "Ordern gäller ett annat personnummer.".into(),
                ));
            }
            let data = CompletionData {
                user: User {
                    personal_number: person.clone(),
                    name: format!("{given_name} {surname}"),
                    given_name: given_name.to_owned(),
                    surname: surname.to_owned(),
                },
                device: Some(Device {
                    ip_address: order.end_user_ip.clone(),
                    uhi: Some(STANDARD.encode(Uuid::new_v4().as_bytes())),
                }),
                bank_id_issue_date: Some(format!("{}-01-15", today.year() - 1)),
                step_up: (order.requirement.mrtd == Some(true)).then_some(StepUp { mrtd: true }),
                signature: Some(STANDARD.encode(simulated_signature(order, &person))),
                ocsp_response: Some(STANDARD.encode(format!(
                    "simulated OCSP response for order {}",
                    order.order_ref
                ))),
                risk: order.return_risk.then(|| "low".to_owned()),
            };
            order.state = OrderState::Complete {
                at: now,
                data: Box::new(data),
            };
            Ok(())
        })
    }

    /// The user presses "Avbryt" in the app: `userCancel`.
    pub fn user_cancel(&self, order_ref: &str) -> Result<(), ControlError> {
        self.fail(order_ref, HintCode::UserCancel)
    }

    /// Fails the order with any hint code (tests).
    pub fn fail(&self, order_ref: &str, hint: HintCode) -> Result<(), ControlError> {
        self.with_pending(order_ref, |order, now| {
            order.state = OrderState::Failed { at: now, hint };
            Ok(())
        })
    }

    /// Sets the pending hint code (e.g. `userMrtd`, `noClient` or an unknown one; tests).
    pub fn set_pending_hint(&self, order_ref: &str, hint: HintCode) -> Result<(), ControlError> {
        self.with_pending(order_ref, |order, _| {
            order.state = OrderState::Pending(hint);
            Ok(())
        })
    }
}

fn plus(at: Timestamp, by: SignedDuration) -> Timestamp {
    at.checked_add(by).unwrap_or(Timestamp::MAX)
}

struct NewOrder {
    kind: OrderKind,
    end_user_ip: String,
    requirement: Requirement,
    user_visible_data: Option<String>,
    user_non_visible_data: Option<String>,
    return_risk: bool,
}

fn validate_common(
    end_user_ip: &str,
    requirement: Option<&Requirement>,
    user_visible_data: Option<&str>,
    user_visible_data_format: Option<&str>,
    user_non_visible_data: Option<&str>,
) -> Result<(), ApiError> {
    if end_user_ip.parse::<IpAddr>().is_err() {
        return Err(ApiError::invalid("Invalid endUserIp"));
    }
    if let Some(personal_number) = requirement.and_then(|r| r.personal_number.as_deref())
        && (personal_number.len() != 12 || !personal_number.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::invalid("Invalid personalNumber"));
    }
    if let Some(data) = user_visible_data
        && (data.is_empty() || STANDARD.decode(data).is_err())
    {
        return Err(ApiError::invalid("Invalid userVisibleData"));
    }
    if let Some(format) = user_visible_data_format
        && format != SIMPLE_MARKDOWN_V1
    {
        return Err(ApiError::invalid("Invalid userVisibleDataFormat"));
    }
    if let Some(data) = user_non_visible_data
        && (data.is_empty() || STANDARD.decode(data).is_err())
    {
        return Err(ApiError::invalid("Invalid userNonVisibleData"));
    }
    Ok(())
}

/// A stand-in for BankID's XML signature: recognisably fake, carrying what was signed.
fn simulated_signature(order: &Order, personal_number: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
         <SimulatedSignature xmlns=\"urn:erecept:bankid-simulator\">\
         <orderRef>{}</orderRef><personalNumber>{}</personalNumber>\
         <usrVisibleData>{}</usrVisibleData><usrNonVisibleData>{}</usrNonVisibleData>\
         </SimulatedSignature>",
        order.order_ref,
        personal_number,
        order.user_visible_data.as_deref().unwrap_or(""),
        order.user_non_visible_data.as_deref().unwrap_or(""),
    )
}

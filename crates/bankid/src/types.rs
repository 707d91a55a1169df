//! The JSON bodies of the BankID Relying Party API v6.0, field for field (camelCase on the wire).
//!
//! BankID adds hint codes, statuses and error codes without notice, so every code enum has an
//! `Other(String)` variant that keeps the unknown value, and every struct ignores fields it does
//! not know. Optional fields are `Option`s and are left out of requests when `None`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an enum of wire codes with a catch-all `Other(String)` variant, serialised as the
/// plain string.
macro_rules! wire_code {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know; kept as sent.
            Other(String),
        }

        impl $name {
            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok(Self::from(text.as_str()))
            }
        }
    };
}

wire_code! {
    /// `status` of a collect response.
    CollectStatus {
        Pending = "pending",
        Failed = "failed",
        Complete = "complete",
    }
}

wire_code! {
    /// `hintCode` of a collect response (pending or failed orders).
    HintCode {
        // pending
        OutstandingTransaction = "outstandingTransaction",
        NoClient = "noClient",
        Started = "started",
        UserMrtd = "userMrtd",
        UserCallConfirm = "userCallConfirm",
        UserSign = "userSign",
        // failed
        ExpiredTransaction = "expiredTransaction",
        CertificateErr = "certificateErr",
        UserCancel = "userCancel",
        Cancelled = "cancelled",
        StartFailed = "startFailed",
        UserDeclinedCall = "userDeclinedCall",
        NotSupportedByUserApp = "notSupportedByUserApp",
        TransactionRiskBlocked = "transactionRiskBlocked",
    }
}

wire_code! {
    /// `errorCode` of an error response.
    ErrorCode {
        AlreadyInProgress = "alreadyInProgress",
        InvalidParameters = "invalidParameters",
        Unauthorized = "unauthorized",
        NotFound = "notFound",
        MethodNotAllowed = "methodNotAllowed",
        RequestTimeout = "requestTimeout",
        UnsupportedMediaType = "unsupportedMediaType",
        InternalError = "internalError",
        Maintenance = "maintenance",
    }
}

/// `requirement` of an auth or sign order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_code: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrtd: Option<bool>,
    /// `"class1"` or `"class2"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_reader: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_policies: Option<Vec<String>>,
    /// 12 digits: only this person's BankID may take the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
}

/// `web` of an auth or sign order (the user's browser).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referring_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_identifier: Option<String>,
}

/// `app` of an auth or sign order (the relying party's own app).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_identifier: Option<String>,
    #[serde(default, rename = "deviceOS", skip_serializing_if = "Option::is_none")]
    pub device_os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_model_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_identifier: Option<String>,
}

/// The only value of `userVisibleDataFormat` in v6.0.
pub const SIMPLE_MARKDOWN_V1: &str = "simpleMarkdownV1";

/// Body of `POST auth`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthRequest {
    /// The user's IP address as the relying party sees it.
    pub end_user_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    /// Base64 (UTF-8 text); see [`encode_user_data`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_visible_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_visible_data_format: Option<String>,
    /// Base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_non_visible_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_risk: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppInfo>,
}

impl AuthRequest {
    pub fn new(end_user_ip: impl Into<String>) -> Self {
        Self {
            end_user_ip: end_user_ip.into(),
            ..Self::default()
        }
    }
}

/// Body of `POST sign`: as [`AuthRequest`], but `userVisibleData` is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignRequest {
    pub end_user_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    /// Base64 (UTF-8 text); see [`encode_user_data`].
    pub user_visible_data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_visible_data_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_non_visible_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_risk: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppInfo>,
}

impl SignRequest {
    /// A sign order showing `text` to the user (encoded to base64 here).
    pub fn new(end_user_ip: impl Into<String>, text: &str) -> Self {
        Self {
            end_user_ip: end_user_ip.into(),
            user_visible_data: encode_user_data(text),
            ..Self::default()
        }
    }
}

/// Base64 of the UTF-8 text, as `userVisibleData` and `userNonVisibleData` want it.
pub fn encode_user_data(text: &str) -> String {
    STANDARD.encode(text.as_bytes())
}

/// Response of `auth` and `sign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderResponse {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    /// Never send this to the browser: the server computes the QR codes.
    pub qr_start_secret: String,
}

/// Body of `POST collect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectRequest {
    pub order_ref: String,
}

/// Body of `POST cancel` (answered with `{}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequest {
    pub order_ref: String,
}

/// Response of `collect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectResponse {
    pub order_ref: String,
    pub status: CollectStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_code: Option<HintCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_data: Option<CompletionData>,
}

/// `completionData` of a complete order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionData {
    pub user: User,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_id_issue_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up: Option<StepUp>,
    /// Base64 XML signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Base64 OCSP response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp_response: Option<String>,
    /// `low`, `moderate` or `high` (only with `returnRisk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// 12 digits.
    pub personal_number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub surname: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(default)]
    pub ip_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uhi: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepUp {
    pub mrtd: bool,
}

/// Body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    pub error_code: ErrorCode,
    #[serde(default)]
    pub details: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn auth_request_is_camel_case_and_leaves_out_none() {
        let mut request = AuthRequest::new("192.0.2.1");
        request.requirement = Some(Requirement {
            pin_code: Some(true),
            personal_number: Some("189001019802".into()),
            certificate_policies: Some(vec!["1.2.752.78.1.5".into()]),
            ..Requirement::default()
        });
        request.user_visible_data = Some(encode_user_data("Logga in på eRecept"));
        request.user_visible_data_format = Some(SIMPLE_MARKDOWN_V1.into());
        request.return_risk = Some(true);
        request.web = Some(WebInfo {
            referring_domain: Some("erecept.se".into()),
            user_agent: Some("Mozilla/5.0".into()),
            device_identifier: Some("abc".into()),
        });
        let value = serde_json::to_value(&request).unwrap();
        assert_eq!(
            value,
            json!({
                "endUserIp": "192.0.2.1",
                "requirement": {
                    "pinCode": true,
                    "certificatePolicies": ["1.2.752.78.1.5"],
                    "personalNumber": "189001019802"
                },
                "userVisibleData": "TG9nZ2EgaW4gcMOlIGVSZWNlcHQ=",
                "userVisibleDataFormat": "simpleMarkdownV1",
                "returnRisk": true,
                "web": {"referringDomain": "erecept.se", "userAgent": "Mozilla/5.0", "deviceIdentifier": "abc"}
            })
        );
        assert_eq!(
            serde_json::to_value(AuthRequest::new("::1")).unwrap(),
            json!({"endUserIp": "::1"})
        );
    }

    #[test]
    fn sign_request_encodes_the_text() {
        let request = SignRequest::new("192.0.2.1", "Jag godkänner");
        let value = serde_json::to_value(&request).unwrap();
        assert_eq!(
            value,
            json!({"endUserIp": "192.0.2.1", "userVisibleData": "SmFnIGdvZGvDpG5uZXI="})
        );
        let back: SignRequest = serde_json::from_value(value).unwrap();
        assert_eq!(back, request);
    }

    #[test]
    fn order_response_parses_with_extra_fields() {
        let order: OrderResponse = serde_json::from_value(json!({
            "orderRef": "131daac9-16c6-4618-beb0-365768f37288",
            "autoStartToken": "7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6",
            "qrStartToken": "67df3917-fa0d-44e5-b327-edcc928297f8",
            "qrStartSecret": "d28db9a7-4cde-429e-a983-359be676944c",
            "somethingNew": 1
        }))
        .unwrap();
        assert_eq!(order.order_ref, "131daac9-16c6-4618-beb0-365768f37288");
        assert_eq!(
            order.qr_start_secret,
            "d28db9a7-4cde-429e-a983-359be676944c"
        );
    }

    #[test]
    fn complete_collect_response_parses() {
        let response: CollectResponse = serde_json::from_value(json!({
            "orderRef": "131daac9-16c6-4618-beb0-365768f37288",
            "status": "complete",
            "completionData": {
                "user": {
                    "personalNumber": "189001019802",
                    "name": "Karl Karlsson",
                    "givenName": "Karl",
                    "surname": "Karlsson"
                },
                "device": {"ipAddress": "192.168.0.1", "uhi": "OZvYM9VvyiAmG7NA5jU5zqGcVpo="},
                "bankIdIssueDate": "2020-02-01",
                "stepUp": {"mrtd": true},
                "signature": "PD94bWwgdmVyc2lvbj0iMS4wIj8+",
                "ocspResponse": "MIIHfgoBAKCCB3cw",
                "risk": "low",
                "newField": {"x": 1}
            }
        }))
        .unwrap();
        assert_eq!(response.status, CollectStatus::Complete);
        assert_eq!(response.hint_code, None);
        let data = response.completion_data.unwrap();
        assert_eq!(data.user.personal_number, "189001019802");
        assert_eq!(data.user.name, "Karl Karlsson");
        assert_eq!(data.step_up, Some(StepUp { mrtd: true }));
        assert_eq!(
            data.device.unwrap().uhi.as_deref(),
            Some("OZvYM9VvyiAmG7NA5jU5zqGcVpo=")
        );
        assert_eq!(data.risk.as_deref(), Some("low"));
    }

    #[test]
    fn completion_data_with_only_the_user_parses() {
        let response: CollectResponse = serde_json::from_value(json!({
            "orderRef": "a",
            "status": "complete",
            "completionData": {"user": {"personalNumber": "189001019802"}}
        }))
        .unwrap();
        let data = response.completion_data.unwrap();
        assert_eq!(data.user.given_name, "");
        assert_eq!(data.device, None);
        assert_eq!(data.signature, None);
    }

    #[test]
    fn unknown_codes_parse_and_round_trip() {
        let response: CollectResponse = serde_json::from_value(json!({
            "orderRef": "a", "status": "pending", "hintCode": "userIsThinking"
        }))
        .unwrap();
        assert_eq!(response.status, CollectStatus::Pending);
        assert_eq!(
            response.hint_code,
            Some(HintCode::Other("userIsThinking".into()))
        );
        let again = serde_json::to_value(&response).unwrap();
        assert_eq!(again["hintCode"], "userIsThinking");

        let odd: CollectResponse =
            serde_json::from_value(json!({"orderRef": "a", "status": "paused"})).unwrap();
        assert_eq!(odd.status, CollectStatus::Other("paused".into()));

        let error: ErrorResponse =
            serde_json::from_value(json!({"errorCode": "tooManyCats", "details": "x"})).unwrap();
        assert_eq!(error.error_code, ErrorCode::Other("tooManyCats".into()));
        let no_details: ErrorResponse =
            serde_json::from_value(json!({"errorCode": "maintenance"})).unwrap();
        assert_eq!(no_details.error_code, ErrorCode::Maintenance);
        assert_eq!(no_details.details, "");
    }

    #[test]
    fn every_known_hint_code_round_trips() {
        for text in [
            "outstandingTransaction",
            "noClient",
            "started",
            "userMrtd",
            "userCallConfirm",
            "userSign",
            "expiredTransaction",
            "certificateErr",
            "userCancel",
            "cancelled",
            "startFailed",
            "userDeclinedCall",
            "notSupportedByUserApp",
            "transactionRiskBlocked",
        ] {
            let code = HintCode::from(text);
            assert!(!matches!(code, HintCode::Other(_)), "{text}");
            assert_eq!(code.as_str(), text);
        }
        for text in [
            "alreadyInProgress",
            "invalidParameters",
            "unauthorized",
            "notFound",
            "methodNotAllowed",
            "requestTimeout",
            "unsupportedMediaType",
            "internalError",
            "maintenance",
        ] {
            let code = ErrorCode::from(text);
            assert!(!matches!(code, ErrorCode::Other(_)), "{text}");
            assert_eq!(code.to_string(), text);
        }
    }

    #[test]
    fn pending_and_failed_without_hint_parse() {
        let response: CollectResponse =
            serde_json::from_value(json!({"orderRef": "a", "status": "failed"})).unwrap();
        assert_eq!(response.status, CollectStatus::Failed);
        assert_eq!(response.hint_code, None);
    }
}

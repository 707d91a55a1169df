//! What every page shows around its content, and the errors of a form.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::WebState;
use crate::csrf::CsrfToken;
use crate::session::Visitor;

/// What a page handler knows about the request: the browser's CSRF token and who is visiting.
#[derive(Debug, Clone)]
pub struct Page {
    pub csrf: CsrfToken,
    pub visitor: Visitor,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Page {
            csrf: parts
                .extensions
                .get::<CsrfToken>()
                .cloned()
                .unwrap_or(CsrfToken(String::new())),
            visitor: parts
                .extensions
                .get::<Visitor>()
                .cloned()
                .unwrap_or_default(),
        })
    }
}

/// The frame of every page: service name, development banner, help section, CSRF token for
/// the forms in the header.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub service_name: String,
    pub dev_mode: bool,
    pub csrf: String,
    /// The manual section the page's "Hjälp" button opens.
    pub help: &'static str,
    pub logged_in: bool,
}

impl Chrome {
    pub fn new(state: &WebState, page: &Page, help: &'static str) -> Self {
        Self {
            service_name: state.config.service_name.clone(),
            dev_mode: state.dev.is_some(),
            csrf: page.csrf.0.clone(),
            help,
            logged_in: page.visitor.account_id().is_some(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct FieldError {
    /// The `id` of the input, so that the summary can link to it.
    pub field: &'static str,
    pub message: String,
}

/// The errors of a submitted form, in the order of its fields.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if !self.has(field) {
            self.0.push(FieldError {
                field,
                message: message.into(),
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn all(&self) -> &[FieldError] {
        &self.0
    }
}

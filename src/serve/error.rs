//! SCIM errors (RFC 7644 §3.12) as produced by the reference server's handlers.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::app::App;
use crate::scim;

/// An error to be answered with a SCIM Error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn bad_request(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidValue", detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidSyntax", detail)
    }

    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidFilter", detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidPath", detail)
    }

    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request("noTarget", detail)
    }

    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request("mutability", detail)
    }

    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }

    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, None, detail)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, None, detail)
    }
}

pub type ScimResult<T> = Result<T, ScimError>;

/// The body of an Error answer, as every handler (and every bulk operation) renders it.
pub fn error_body(app: &App, e: &ScimError) -> Value {
    if app.fault("error-not-scim-schema") {
        return json!({"error": e.detail, "code": e.status.as_u16()});
    }
    let mut m = Map::new();
    let urn = if app.fault("messages-core-schema-urn") {
        "urn:ietf:params:scim:schemas:core:2.0:Error"
    } else {
        scim::ERROR
    };
    m.insert("schemas".into(), json!([urn]));
    if app.fault("error-status-integer") {
        m.insert("status".into(), json!(e.status.as_u16()));
    } else {
        m.insert("status".into(), json!(e.status.as_u16().to_string()));
    }
    if let Some(t) = e.scim_type {
        let t = match t {
            // An exception-style vocabulary of the server's own instead of RFC 7644's keywords.
            "uniqueness" if app.fault("scimtype-vendor-keywords") => "DUPLICATE_RESOURCE",
            "invalidSyntax" if app.fault("scimtype-vendor-keywords") => "MALFORMED_REQUEST",
            t => t,
        };
        m.insert("scimType".into(), json!(t));
    }
    m.insert("detail".into(), json!(e.detail));
    Value::Object(m)
}

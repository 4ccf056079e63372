//! The `request` part of a step: method, path, query, headers, credentials and body.

use super::super::model::*;
use super::{Decoder, Obj, child};
use serde_json::Value;
use std::collections::BTreeSet;

const REQUEST_KEYS: &[&str] = &[
    "method",
    "path",
    "query",
    "headers",
    "auth",
    "body",
    "raw",
    "content_type",
    "unbounded",
];

impl Decoder<'_> {
    pub(super) fn request(
        &mut self,
        v: &Value,
        at: &str,
        defined: &BTreeSet<String>,
    ) -> Option<Request> {
        let obj = self.object(v, at, "a request", REQUEST_KEYS)?;
        let method = self
            .string(obj, at, "method", false)
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.error(
                &child(at, "method"),
                format!("`{method}` is not an HTTP method"),
            );
        }
        let path = self.string(obj, at, "path", true)?;
        self.check_vars(&path, &child(at, "path"), defined);
        let query = self.scalar_map(obj, at, "query", defined);
        let headers = self.scalar_map(obj, at, "headers", defined);
        let auth = match obj.get("auth").and_then(Value::as_str) {
            None | Some("default") => Auth::Default,
            Some("none") => Auth::None,
            Some("invalid") => Auth::Invalid,
            Some(other) => {
                self.error(
                    &child(at, "auth"),
                    format!("unknown auth `{other}`: use default, none or invalid"),
                );
                Auth::Default
            }
        };
        let body = match (obj.get("body"), obj.get("raw")) {
            (Some(_), Some(_)) => {
                self.error(
                    &child(at, "raw"),
                    "a request has either `body` (JSON) or `raw` (text), not both",
                );
                None
            }
            (Some(b), None) => {
                self.check_vars_in_value(b, &child(at, "body"), defined);
                self.check_repeats(b, &child(at, "body"), 1);
                Some(Body::Json(b.clone()))
            }
            (None, Some(Value::String(r))) => {
                self.check_vars(r, &child(at, "raw"), defined);
                Some(Body::Raw(r.clone()))
            }
            (None, Some(_)) => {
                self.error(&child(at, "raw"), "`raw` must be a string");
                None
            }
            (None, None) => None,
        };
        let content_type = self.string(obj, at, "content_type", false);
        let unbounded = match obj.get("unbounded") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.error(&child(at, "unbounded"), "`unbounded` must be true or false");
                false
            }
        };
        Some(Request {
            unbounded,
            method,
            path,
            query,
            headers,
            auth,
            body,
            content_type,
        })
    }

    fn scalar_map(
        &mut self,
        obj: &Obj,
        at: &str,
        key: &str,
        defined: &BTreeSet<String>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    let vat = child(&child(at, key), k);
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => {
                            self.error(
                                &vat,
                                format!("values of `{key}` must be strings, numbers or booleans"),
                            );
                            continue;
                        }
                    };
                    self.check_vars(&text, &vat, defined);
                    out.push((k.clone(), text));
                }
            }
            Some(_) => self.error(&child(at, key), format!("`{key}` must be a mapping")),
        }
        out
    }
}

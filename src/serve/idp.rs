//! Where the IdP faults (the first block of `faults::FAULTS`) take effect: defects that break what
//! Okta and Entra rely on. Most of them are a server reading a request differently from its
//! sender, so they are modelled as a rewrite of the request before routing; the rest change the
//! answer afterwards.

use axum::body::{Body, Bytes};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::app::App;
use super::error::ScimError;
use super::schema::Kind;

/// The request as the faulty server understands it: method, path segments and body.
pub type Rewritten = (Method, Vec<String>, Bytes);

fn is_path(op: &Value, name: &str) -> bool {
    op["path"]
        .as_str()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case(name))
}

fn is_op(op: &Value, name: &str) -> bool {
    op["op"]
        .as_str()
        .is_some_and(|o| o.eq_ignore_ascii_case(name))
}

/// Applies the PATCH defects to the operations; whether any of them changed what is applied.
fn patch_ops(app: &App, group: bool, ops: &mut Vec<Value>) -> bool {
    let before = ops.clone();
    if app.fault("group-patch-displayname-ignored") && group {
        ops.retain(|o| !is_path(o, "displayName"));
        for o in ops.iter_mut() {
            if o["path"].is_null()
                && let Some(v) = o.get_mut("value").and_then(Value::as_object_mut)
            {
                v.remove("displayName");
            }
        }
        ops.retain(|o| {
            !(o["path"].is_null()
                && o["value"]
                    .as_object()
                    .is_some_and(|v| v.keys().all(|k| k == "id")))
        });
    }
    if app.fault("members-remove-filter-ignored") && group {
        ops.retain(|o| {
            !(is_op(o, "remove")
                && o["path"]
                    .as_str()
                    .is_some_and(|p| p.trim_start().to_ascii_lowercase().starts_with("members[")))
        });
    }
    if app.fault("members-add-first-only") && group {
        for o in ops.iter_mut() {
            if is_op(o, "add")
                && is_path(o, "members")
                && let Some(vs) = o.get_mut("value").and_then(Value::as_array_mut)
            {
                vs.truncate(1);
            }
        }
    }
    if !group {
        if app.fault("patch-active-path-ignored") {
            ops.retain(|o| !is_path(o, "active"));
        }
        if app.fault("patch-username-ignored") {
            ops.retain(|o| !is_path(o, "userName"));
        }
        if app.fault("reactivation-ignored") {
            ops.retain(|o| !(is_path(o, "active") && o["value"] == json!(true)));
            for o in ops.iter_mut() {
                if o["path"].is_null()
                    && let Some(v) = o.get_mut("value").and_then(Value::as_object_mut)
                    && v.get("active") == Some(&json!(true))
                {
                    v.remove("active");
                }
            }
        }
        if app.fault("pathless-dotted-keys-ignored") {
            for o in ops.iter_mut() {
                if o["path"].is_null()
                    && let Some(v) = o.get_mut("value").and_then(Value::as_object_mut)
                {
                    v.retain(|k, _| !k.contains('.'));
                }
            }
        }
        if app.fault("patch-urn-path-ignored") {
            ops.retain(|o| !o["path"].as_str().is_some_and(|p| p.starts_with("urn:")));
        }
        if app.fault("patch-filtered-value-appends") {
            for o in ops.iter_mut() {
                if let Some(p) = o["path"].as_str()
                    && let Some((attr, rest)) = p.split_once('[')
                    && let Some((filter, sub)) = rest.split_once("].")
                    && let Some((_, lit)) = filter.split_once(" eq ")
                    && let Some((fattr, _)) = filter.split_once(' ')
                {
                    let lit = lit.trim().trim_matches('"');
                    *o = json!({"op": "add", "path": attr, "value": [{fattr: lit, sub: o["value"].clone()}]});
                }
            }
        }
        // Nothing left to apply: the server acknowledges the PATCH without a change.
        ops.retain(|o| {
            !(o["path"].is_null()
                && o["value"]
                    .as_object()
                    .is_some_and(serde_json::Map::is_empty))
        });
    }
    *ops != before
}

/// The request as a faulty server reads it, or `None` when no IdP fault changes it.
pub fn rewrite(app: &App, method: &Method, segs: &[String], bytes: &Bytes) -> Option<Rewritten> {
    if !app.any_fault() {
        return None;
    }
    let kind = match segs.first().map(String::as_str) {
        Some("Users") => Kind::User,
        Some("Groups") => Kind::Group,
        _ => return None,
    };
    let mut body: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let as_get = |segs: Vec<String>| Some((Method::GET, segs, Bytes::new()));
    let one = segs.len() == 2;
    match (method.clone(), kind) {
        (Method::POST, Kind::User)
            if segs.len() == 1 && app.fault("create-duplicate-returns-existing") =>
        {
            let name = body["userName"].as_str()?;
            let id = app.store().username_taken(name, None, false)?.to_string();
            as_get(vec!["Users".into(), id])
        }
        (Method::PUT, Kind::Group) if one && app.fault("group-put-unchanged") => {
            as_get(segs.to_vec())
        }
        (Method::PUT, Kind::User) if one => {
            let o = body.as_object_mut()?;
            let mut changed = false;
            if app.fault("put-active-dropped")
                || (app.fault("reactivation-ignored") && o.get("active") == Some(&json!(true)))
            {
                changed |= o.remove("active").is_some();
            }
            if app.fault("put-name-dropped") {
                changed |= o.remove("name").is_some();
                changed |= o.remove("displayName").is_some();
            }
            changed.then(|| {
                (
                    method.clone(),
                    segs.to_vec(),
                    Bytes::from(serde_json::to_vec(&body).unwrap_or_default()),
                )
            })
        }
        (Method::DELETE, Kind::User) if one && app.fault("delete-only-deactivates") => {
            let patch = json!({"schemas": [crate::scim::PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]});
            Some((Method::PATCH, segs.to_vec(), Bytes::from(patch.to_string())))
        }
        (Method::PATCH, _) if one => {
            let ops = body.get_mut("Operations").and_then(Value::as_array_mut)?;
            if !patch_ops(app, kind == Kind::Group, ops) {
                return None;
            }
            if ops.is_empty() {
                return as_get(segs.to_vec());
            }
            Some((method.clone(), segs.to_vec(), Bytes::from(body.to_string())))
        }
        _ => None,
    }
}

/// The top-level attributes of the core User schema (RFC 7643 §4.1) and the common ones.
const CORE_USER: &[&str] = &[
    "schemas",
    "id",
    "externalId",
    "meta",
    "userName",
    "name",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
];

/// Defects that refuse a request before it reaches its handler.
pub fn gate(
    app: &App,
    method: &Method,
    segs: &[String],
    bytes: &[u8],
    params: &[(String, String)],
) -> Option<ScimError> {
    let resource = matches!(segs.first().map(String::as_str), Some("Users" | "Groups"));
    if app.fault("count-over-50-refused")
        && resource
        && *method == Method::GET
        && params.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("count") && v.trim().parse::<i64>().is_ok_and(|n| n > 50)
        })
    {
        return Some(ScimError::invalid_value("count must be between 1 and 50"));
    }
    if app.fault("put-unknown-attribute-400")
        && *method == Method::PUT
        && segs.len() == 2
        && segs[0] == "Users"
        && let Ok(b) = serde_json::from_slice::<Value>(bytes)
        && let Some(k) = b.as_object().and_then(|o| {
            o.keys()
                .find(|k| !k.starts_with("urn:") && !CORE_USER.contains(&k.as_str()))
        })
    {
        return Some(ScimError::invalid_value(format!("unknown attribute {k}")));
    }
    if app.fault("group-extension-schema-refused")
        && *method == Method::POST
        && segs.len() == 1
        && segs[0] == "Groups"
        && let Ok(b) = serde_json::from_slice::<Value>(bytes)
        && b["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u != crate::scim::GROUP_SCHEMA))
    {
        return Some(ScimError::invalid_value("unknown schema in schemas"));
    }
    None
}

/// Defects that change an answer after the handler.
pub async fn after(
    app: &App,
    method: &Method,
    segs: &[String],
    params: &[(String, String)],
    resp: Response,
) -> Response {
    let list = segs.len() == 1 && matches!(segs[0].as_str(), "Users" | "Groups");
    let filtered = params.iter().any(|(k, _)| k.eq_ignore_ascii_case("filter"));
    let queued = match segs.first().map(String::as_str) {
        Some("Users") => app.fault("create-accepted-202"),
        Some("Groups") => app.fault("group-create-accepted-202"),
        _ => false,
    };
    if queued && *method == Method::POST && list && resp.status() == StatusCode::CREATED {
        // An asynchronous provisioning queue: the resource is created later, nothing to show.
        return StatusCode::ACCEPTED.into_response();
    }
    let lag = app.fault("filter-index-lag");
    let not_found = app.fault("empty-filter-result-404");
    if !(list
        && filtered
        && *method == Method::GET
        && (lag || not_found)
        && resp.status() == StatusCode::OK)
    {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if lag && let Some(rs) = v["Resources"].as_array_mut() {
        // The search index is refreshed once a minute: what was written since is not found.
        let fresh = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(60);
        let store = app.store();
        let n = rs.len();
        rs.retain(|r| {
            r["id"]
                .as_str()
                .and_then(|id| store.get_any(id))
                .is_none_or(|s| s.created < fresh)
        });
        let gone = (n - rs.len()) as i64;
        let kept = rs.len();
        drop(store);
        if let Some(t) = v["totalResults"].as_i64() {
            v["totalResults"] = json!(t - gone);
        }
        if v.get("itemsPerPage").is_some() {
            v["itemsPerPage"] = json!(kept);
        }
    }
    if not_found && v["totalResults"] == json!(0) {
        let e = ScimError::new(
            StatusCode::NOT_FOUND,
            None,
            "no resource matches the filter",
        );
        let body = super::error::error_body(app, &e);
        let mut parts = parts;
        parts.status = StatusCode::NOT_FOUND;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(body.to_string()));
    }
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(v.to_string()))
}

//! Where the vendor faults (Loom and Looop, the block of `faults::FAULTS` after the IdP
//! breaches) take effect: a rewrite of the request body as a faulty server reads it, a gate
//! that refuses requests, and a pass over the answer. Kept apart from `defects.rs` so that
//! each vendor defect reads as a few lines beside its kin.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::app::App;
use super::error::ScimError;
use super::schema::Kind;

const LOOOP_EXT: &str = "urn:ietf:params:scim:schemas:extension:Looop:2.0:User";

const REWRITES: &[&str] = &[
    "loom-name-patch-replaces-name",
    "reactivation-ignored",
    "looop-put-active-ignored",
    "looop-put-only-active-applied",
    "looop-group-rename-ignored",
    "looop-group-put-members-merged",
    "looop-group-create-members-ignored",
    "looop-pathless-extension-replaced",
];

const AFTER: &[&str] = &[
    "create-returns-id-only",
    "loom-group-create-202",
    "looop-group-list-without-members",
    "looop-list-start-index-zero-based",
    "looop-extension-object-ignored",
    "loom-empty-groups-unlisted",
    "loom-new-users-unlisted",
    "loom-username-filter-reads-emails",
    "loom-default-role-creator",
];

fn kind_of(segs: &[String]) -> Option<Kind> {
    match segs.first().map(String::as_str) {
        Some("Users") => Some(Kind::User),
        Some("Groups") => Some(Kind::Group),
        _ => None,
    }
}

fn ops_mut(body: &mut Value) -> Option<&mut Vec<Value>> {
    body.get_mut("Operations").and_then(Value::as_array_mut)
}

fn path_is(op: &Value, name: &str) -> bool {
    op["path"]
        .as_str()
        .is_some_and(|p| p.eq_ignore_ascii_case(name))
}

/// The request body as the faulty server reads it; `None` leaves it unchanged.
pub fn rewrite(app: &App, method: &Method, segs: &[String], bytes: &Bytes) -> Option<Bytes> {
    if !REWRITES.iter().any(|f| app.fault(f)) {
        return None;
    }
    let kind = kind_of(segs)?;
    let mut body: Value = serde_json::from_slice(bytes).ok()?;
    let stored: Option<Map<String, Value>> = segs
        .get(1)
        .and_then(|id| app.store().get(kind, id).map(|r| r.data.clone()));
    let user = kind == Kind::User;
    let group = kind == Kind::Group;
    let put = *method == Method::PUT;
    let patch = *method == Method::PATCH;

    if app.fault("loom-name-patch-replaces-name")
        && user
        && patch
        && let Some(ops) = ops_mut(&mut body)
    {
        // A sub-attribute replace is applied as a replace of the whole complex attribute.
        let mut out = Vec::new();
        for op in ops.drain(..) {
            let sub = op["path"]
                .as_str()
                .is_some_and(|p| p.to_ascii_lowercase().starts_with("name."));
            if sub
                && op["op"]
                    .as_str()
                    .is_some_and(|o| o.eq_ignore_ascii_case("replace"))
            {
                out.push(json!({"op": "remove", "path": "name"}));
            }
            out.push(op);
        }
        *ops = out;
    }
    if app.fault("reactivation-ignored")
        && user
        && stored.as_ref().and_then(|s| s.get("active")) == Some(&json!(false))
    {
        // A deprovisioned account is final: active true is acknowledged and not applied.
        if put && body.get("active").is_some() {
            body["active"] = json!(false);
        }
        if patch && let Some(ops) = ops_mut(&mut body) {
            for op in ops.iter_mut() {
                if path_is(op, "active") {
                    op["value"] = json!(false);
                } else if op.get("path").is_none()
                    && let Some(v) = op.get_mut("value").and_then(Value::as_object_mut)
                    && v.contains_key("active")
                {
                    v.insert("active".into(), json!(false));
                }
            }
        }
    }
    if app.fault("looop-put-active-ignored")
        && user
        && put
        && let Some(s) = &stored
    {
        match s.get("active") {
            Some(a) => body["active"] = a.clone(),
            None => {
                if let Some(o) = body.as_object_mut() {
                    o.remove("active");
                }
            }
        }
    }
    if app.fault("looop-put-only-active-applied")
        && user
        && put
        && let Some(s) = &stored
    {
        // Okta's PUT is read as a status sync: only active is taken from it.
        let active = body.get("active").cloned();
        let mut kept = s.clone();
        if let Some(a) = active {
            kept.insert("active".into(), a);
        }
        body = Value::Object(kept);
    }
    if app.fault("looop-group-rename-ignored")
        && group
        && let Some(name) = stored.as_ref().and_then(|s| s.get("displayName")).cloned()
    {
        // displayName is set once, on create.
        if put && body.get("displayName").is_some() {
            body["displayName"] = name.clone();
        }
        if patch && let Some(ops) = ops_mut(&mut body) {
            for op in ops.iter_mut() {
                if path_is(op, "displayName") {
                    op["value"] = name.clone();
                } else if op.get("path").is_none()
                    && let Some(v) = op.get_mut("value").and_then(Value::as_object_mut)
                    && v.contains_key("displayName")
                {
                    v.insert("displayName".into(), name.clone());
                }
            }
        }
    }
    if app.fault("looop-group-put-members-merged")
        && group
        && put
        && let Some(s) = &stored
    {
        // The members of a PUT are added to the stored ones, never removed.
        let mut members: Vec<Value> = s
            .get("members")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for m in body["members"].as_array().cloned().unwrap_or_default() {
            if !members.iter().any(|o| o["value"] == m["value"]) {
                members.push(m);
            }
        }
        body["members"] = Value::Array(members);
    }
    if app.fault("looop-group-create-members-ignored")
        && group
        && *method == Method::POST
        && segs.len() == 1
        && let Some(o) = body.as_object_mut()
    {
        o.remove("members");
    }
    if app.fault("looop-pathless-extension-replaced")
        && user
        && patch
        && let Some(ops) = ops_mut(&mut body)
    {
        // A pathless value's extension object replaces the stored one whole.
        let mut out = Vec::new();
        for op in ops.drain(..) {
            if op.get("path").is_none() && op["value"].get(LOOOP_EXT).is_some() {
                out.push(json!({"op": "remove", "path": LOOOP_EXT}));
            }
            out.push(op);
        }
        *ops = out;
    }
    serde_json::to_vec(&body).ok().map(Bytes::from)
}

/// Vendor defects that refuse a request before it reaches its handler.
pub fn gate(
    app: &App,
    method: &Method,
    segs: &[String],
    headers: &HeaderMap,
    bytes: &[u8],
) -> Option<ScimError> {
    let header = |h: header::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    // Discovery has its own router, mounted where it should be; these two faults live in the
    // resource router.
    let resource = kind_of(segs).is_some();
    if app.fault("looop-scim-root-without-v2") && resource {
        return Some(ScimError::new(
            StatusCode::NOT_FOUND,
            None,
            "not found (the SCIM API is served at /scim)",
        ));
    }
    if app.fault("bearer-token-decoded-as-jwt")
        && resource
        && header(header::AUTHORIZATION)
            .split_once(' ')
            .is_some_and(|(_, t)| t.trim().split('.').count() != 3)
    {
        // The opaque workspace token fails to decode as a JWT and the error escapes unhandled.
        return Some(ScimError::internal("invalid JWT: expected three segments"));
    }
    let writes = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
    if app.fault("loom-scim-json-415")
        && writes
        && header(header::CONTENT_TYPE)
            .to_ascii_lowercase()
            .starts_with("application/scim+json")
    {
        return Some(ScimError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            "the request body must be application/json",
        ));
    }
    if kind_of(segs) != Some(Kind::User) || !writes {
        return None;
    }
    let body: Value = serde_json::from_slice(bytes).ok()?;
    let is_admin = |v: &Value| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("admin"));
    if app.fault("loom-member-role-admin-refused") {
        let admin = is_admin(&body["loomMemberRole"])
            || body["Operations"].as_array().is_some_and(|ops| {
                ops.iter().any(|o| {
                    (path_is(o, "loomMemberRole") && is_admin(&o["value"]))
                        || is_admin(&o["value"]["loomMemberRole"])
                })
            });
        if admin {
            return Some(ScimError::invalid_value(
                "loomMemberRole must be one of default, creator, viewer",
            ));
        }
    }
    if app.fault("loom-member-role-required")
        && *method == Method::POST
        && segs.len() == 1
        && body.get("loomMemberRole").is_none()
    {
        return Some(ScimError::invalid_value("loomMemberRole is required"));
    }
    None
}

fn resources(v: &mut Value) -> Vec<&mut Map<String, Value>> {
    match v.get("Resources") {
        Some(_) => v["Resources"]
            .as_array_mut()
            .map(|a| a.iter_mut().filter_map(Value::as_object_mut).collect())
            .unwrap_or_default(),
        None => v.as_object_mut().into_iter().collect(),
    }
}

/// Drops the listed resources `keep` refuses, with totalResults and itemsPerPage following.
fn retain_listed(v: &mut Value, keep: impl Fn(&Value) -> bool) {
    let Some(items) = v.get_mut("Resources").and_then(Value::as_array_mut) else {
        return;
    };
    let before = items.len();
    items.retain(|r| keep(r));
    let gone = (before - items.len()) as i64;
    let n = items.len();
    if let Some(t) = v["totalResults"].as_i64() {
        v["totalResults"] = json!((t - gone).max(0));
    }
    if v.get("itemsPerPage").is_some() {
        v["itemsPerPage"] = json!(n);
    }
}

/// The value a `userName eq "x"` filter compares.
fn username_eq(filter: &str) -> Option<String> {
    let lower = filter.to_ascii_lowercase();
    let at = lower.find("username eq ")?;
    let rest = filter[at + "username eq ".len()..].trim();
    Some(rest.trim_matches('"').to_string())
}

/// The answer as the faulty server sends it.
pub async fn after(
    app: &App,
    method: &Method,
    segs: &[String],
    params: &[(String, String)],
    resp: Response,
) -> Response {
    if !AFTER.iter().any(|f| app.fault(f)) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let kind = kind_of(segs);
    let collection = segs.len() == 1;
    let ok = parts.status.is_success();
    let param = |n: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };

    if app.fault("create-returns-id-only")
        && kind == Some(Kind::User)
        && *method == Method::POST
        && collection
        && ok
    {
        v = json!({"schemas": v["schemas"].clone(), "id": v["id"].clone()});
    }
    if app.fault("loom-group-create-202")
        && kind == Some(Kind::Group)
        && *method == Method::POST
        && collection
        && parts.status == StatusCode::CREATED
    {
        // Group creation is queued as a job.
        parts.status = StatusCode::ACCEPTED;
    }
    let list = *method == Method::GET && collection && ok;
    if app.fault("looop-group-list-without-members") && list && kind == Some(Kind::Group) {
        for r in resources(&mut v) {
            r.remove("members");
        }
    }
    if app.fault("looop-list-start-index-zero-based")
        && list
        && let Some(s) = v["startIndex"].as_i64()
    {
        v["startIndex"] = json!(s - 1);
    }
    if app.fault("looop-extension-object-ignored") && kind == Some(Kind::User) {
        for r in resources(&mut v) {
            r.remove(LOOOP_EXT);
            if let Some(Value::Array(s)) = r.get_mut("schemas") {
                s.retain(|u| u.as_str() != Some(LOOOP_EXT));
            }
        }
    }
    if app.fault("loom-empty-groups-unlisted") && list && kind == Some(Kind::Group) {
        // Groups are listed from the membership table: a group without members has no row.
        retain_listed(&mut v, |g| {
            g["members"].as_array().is_some_and(|m| !m.is_empty())
        });
    }
    if app.fault("loom-new-users-unlisted") && list && kind == Some(Kind::User) {
        // Lists read a search index refreshed once a minute.
        let now = jiff::Timestamp::now();
        retain_listed(&mut v, |u| {
            u["meta"]["created"]
                .as_str()
                .and_then(|c| c.parse::<jiff::Timestamp>().ok())
                .is_none_or(|c| now.duration_since(c).as_secs() >= 60)
        });
    }
    if app.fault("loom-username-filter-reads-emails")
        && list
        && kind == Some(Kind::User)
        && let Some(want) = param("filter").as_deref().and_then(username_eq)
    {
        // The unique identifier is read from the email column, filled from emails only.
        retain_listed(&mut v, |u| {
            u["emails"].as_array().is_some_and(|es| {
                es.iter().any(|e| {
                    e["value"]
                        .as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case(&want))
                })
            })
        });
    }
    if app.fault("loom-default-role-creator") && kind == Some(Kind::User) {
        for r in resources(&mut v) {
            if r.get("loomMemberRole").and_then(Value::as_str) == Some("default") {
                r.insert("loomEffectiveRole".into(), json!("creator"));
            }
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let out = serde_json::to_vec(&v).unwrap_or_default();
    Response::from_parts(parts, Body::from(out))
}

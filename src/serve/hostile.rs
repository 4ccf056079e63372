//! The behaviour of the hostile faults (see `faults::HOSTILE`): answers built to attack the
//! client rather than to break a SCIM rule. Kept apart from the conformance behaviour so that a
//! clean server is never touched by it: every function here is a no-op unless its fault is on.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::app::{App, Ctx};
use super::schema::Kind;
use super::store::{Resource, Store};

/// The escape sequences of the terminal-escapes fault: an OSC 52 clipboard write
/// ("scimspec-pwned"), clear screen, and a window title.
pub const ESCAPES: &str =
    "\u{1b}]52;c;c2NpbXNwZWMtcHduZWQ=\u{7}\u{1b}[2J\u{1b}]0;scimspec-pwned\u{7}";

/// Numeric ids are handed out from here (shared by every server in the process: unique is enough).
static NEXT_NUMERIC_ID: AtomicU64 = AtomicU64::new(1001);
static NEXT_VICTIM: AtomicU64 = AtomicU64::new(1);

/// DELETE attempts per resource id, for delete-500-twice.
static DELETE_ATTEMPTS: Mutex<Option<HashMap<String, u32>>> = Mutex::new(None);

/// With echo-credentials the server accepts whatever Authorization it gets (so that Basic,
/// header and bearer credentials all reach the echo).
pub fn accepts_any_auth(app: &App) -> bool {
    app.fault("echo-credentials")
}

/// The id a new resource gets under an id fault, after making its victim where the fault has
/// one. `None`: the normal id.
pub fn assign_id(app: &App, store: &mut Store, kind: Kind) -> Option<String> {
    if app.fault("numeric-ids") {
        return Some(NEXT_NUMERIC_ID.fetch_add(1, Ordering::SeqCst).to_string());
    }
    if kind != Kind::User {
        return None;
    }
    let n = NEXT_VICTIM.fetch_add(1, Ordering::SeqCst);
    let victim = format!("victim-{n}");
    if app.fault("id-path-traversal") {
        insert_victim(store, Kind::Group, &victim, "displayName", &victim);
        return Some(format!("../Groups/{victim}"));
    }
    if app.fault("id-fragment") {
        let name = format!("{victim}@example.com");
        insert_victim(store, Kind::User, &victim, "userName", &name);
        return Some(format!("{victim}#frag"));
    }
    None
}

fn insert_victim(store: &mut Store, kind: Kind, id: &str, attr: &str, name: &str) {
    let mut data = Map::new();
    data.insert(attr.into(), json!(name));
    let now = store.now();
    let r = Resource {
        kind,
        id: id.to_owned(),
        data,
        password: None,
        created: now,
        last_modified: now,
        version: store.next_version(),
        seq: store.next_seq(),
        deleted: false,
        sent_schemas: None,
        meta_override: Map::new(),
    };
    store.resources.insert(id.to_owned(), r);
    store.reindex(id);
}

/// Whether this DELETE of `id` fails (the DELETE faults), sent alone or as a Bulk operation:
/// a server whose deletes fail fails them by either road.
pub fn delete_fails(app: &App, id: &str) -> bool {
    if app.fault("delete-always-500") {
        true
    } else if app.fault("delete-500-twice") {
        let mut guard = DELETE_ATTEMPTS.lock().unwrap_or_else(|p| p.into_inner());
        let attempts = guard.get_or_insert_with(HashMap::new);
        let n = attempts.entry(id.to_owned()).or_insert(0);
        *n += 1;
        *n <= 2
    } else {
        false
    }
}

/// An answer given instead of the normal one (the DELETE faults).
pub fn before(app: &App, method: &Method, segs: &[String]) -> Option<Response> {
    if *method != Method::DELETE
        || segs.len() != 2
        || !matches!(segs[0].as_str(), "Users" | "Groups")
    {
        return None;
    }
    delete_fails(app, &segs[1]).then(|| {
        let body = json!({
            "schemas": [crate::scim::ERROR],
            "status": "500",
            "detail": "the delete could not be completed; try again",
        });
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/scim+json")],
            body.to_string(),
        )
            .into_response()
    })
}

fn any_on(app: &App) -> bool {
    [
        "location-foreign-origin",
        "numeric-ids",
        "create-empty-answer",
        "echo-credentials",
        "terminal-escapes",
        "endless-list",
    ]
    .iter()
    .any(|f| app.fault(f))
}

/// Rewrites a finished answer under the hostile faults.
pub async fn after(
    app: &App,
    method: &Method,
    segs: &[String],
    req_headers: &HeaderMap,
    query: &[(String, String)],
    ctx: &Ctx,
    resp: Response,
) -> Response {
    if !any_on(app) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut json: Option<Value> = serde_json::from_slice(&bytes).ok();
    let status = parts.status;
    let collection = segs.len() == 1 && matches!(segs[0].as_str(), "Users" | "Groups");

    if app.fault("create-empty-answer")
        && *method == Method::POST
        && collection
        && status.is_success()
    {
        parts.headers.remove(header::LOCATION);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    if app.fault("location-foreign-origin") {
        let foreign = foreign_origin(&ctx.origin);
        for h in [header::LOCATION, header::CONTENT_LOCATION] {
            let moved = parts
                .headers
                .get(&h)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.replacen(&ctx.origin, &foreign, 1))
                .and_then(|v| HeaderValue::from_str(&v).ok());
            if let Some(v) = moved {
                parts.headers.insert(h, v);
            }
        }
        if let Some(j) = json.as_mut() {
            for_each_resource(j, &mut |r| {
                if let Some(Value::String(l)) =
                    r.get_mut("meta").and_then(|m| m.get_mut("location"))
                {
                    *l = l.replacen(&ctx.origin, &foreign, 1);
                }
            });
        }
    }
    if app.fault("numeric-ids")
        && let Some(j) = json.as_mut()
    {
        for_each_resource(j, &mut |r| {
            let n = r
                .get("id")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<u64>().ok());
            if let Some(n) = n {
                r.insert("id".into(), json!(n));
            }
        });
    }
    if app.fault("endless-list")
        && *method == Method::GET
        && collection
        && status == StatusCode::OK
        && let Some(Value::Object(list)) = json.as_mut()
    {
        endless_page(list, &segs[0], query);
    }
    if app.fault("terminal-escapes")
        && let Some(j) = json.as_mut()
    {
        if let Some(Value::String(d)) = j.get_mut("detail") {
            d.push_str(ESCAPES);
        }
        for_each_resource(j, &mut |r| {
            if let Some(Value::String(t)) =
                r.get_mut("meta").and_then(|m| m.get_mut("resourceType"))
            {
                t.push_str(ESCAPES);
            }
            if let Some(Value::String(d)) = r.get_mut("displayName") {
                d.push_str(ESCAPES);
            }
        });
    }
    if app.fault("echo-credentials") {
        let echo = echo(req_headers);
        for (k, v) in echo.iter() {
            if let (Ok(n), Some(v)) = (
                HeaderName::from_bytes(format!("x-echo-{k}").as_bytes()),
                v.as_str().and_then(|v| HeaderValue::from_str(v).ok()),
            ) {
                parts.headers.insert(n, v);
            }
        }
        if let Some(Value::Object(o)) = json.as_mut() {
            if let Some(Value::String(d)) = o.get_mut("detail") {
                d.push_str(&format!(
                    " (request headers: {})",
                    Value::Object(echo.clone())
                ));
            }
            o.insert("echo".into(), Value::Object(echo));
        }
    }
    let mut out = match &json {
        Some(j) => serde_json::to_vec(j).unwrap_or_else(|_| bytes.to_vec()),
        None => bytes.to_vec(),
    };
    if app.fault("terminal-escapes") && status.is_client_error() | status.is_server_error() {
        // Raw bytes after the JSON: what a client prints when it shows a body it cannot parse.
        out.extend_from_slice(ESCAPES.as_bytes());
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// `http://127.0.0.1:PORT` → `http://127.0.0.2:PORT`: another origin on the same machine, where
/// a test can listen.
pub fn foreign_origin(origin: &str) -> String {
    match url::Url::parse(origin) {
        Ok(mut u) => {
            let _ = u.set_host(Some("127.0.0.2"));
            u.origin().ascii_serialization()
        }
        Err(_) => "http://127.0.0.2".into(),
    }
}

/// Applies `f` to the resource object of a body, or to each resource of a ListResponse.
fn for_each_resource(body: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(o) = body.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(items)) = o.get_mut("Resources") {
        for i in items.iter_mut() {
            if let Some(r) = i.as_object_mut() {
                f(r);
            }
        }
        return;
    }
    if o.contains_key("id") {
        f(o);
    }
}

/// Fills the page with new resources named like a run's, and keeps totalResults ahead.
fn endless_page(list: &mut Map<String, Value>, endpoint: &str, query: &[(String, String)]) {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
    };
    let start = param("startIndex").unwrap_or(1).max(1);
    let count = param("count").unwrap_or(100).clamp(1, 200);
    let Some(Value::Array(items)) = list.get_mut("Resources") else {
        return;
    };
    let mut n = start + items.len() as u64;
    while (items.len() as u64) < count {
        let name = format!("scimspec-0badc0de-endless-{n}");
        items.push(if endpoint == "Users" {
            json!({"id": format!("endless-{n}"), "userName": format!("{name}@example.com")})
        } else {
            json!({"id": format!("endless-{n}"), "displayName": name})
        });
        n += 1;
    }
    let shown = items.len();
    list.insert("totalResults".into(), json!(start + shown as u64 + 1000));
    list.insert("itemsPerPage".into(), json!(shown));
    list.insert("startIndex".into(), json!(start));
}

/// Every request header, plus the forms a careless server logs: the bare token, the decoded
/// Basic pair, the password alone and percent-encoded.
fn echo(headers: &HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for (n, v) in headers {
        if matches!(
            n.as_str(),
            "host"
                | "accept"
                | "content-type"
                | "content-length"
                | "user-agent"
                | "accept-encoding"
        ) {
            continue;
        }
        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
        if let Some((scheme, cred)) = v.split_once(' ') {
            out.insert(format!("{n}-credential"), json!(cred.trim()));
            if scheme.eq_ignore_ascii_case("basic")
                && let Some(pair) = base64_decode(cred.trim())
            {
                let pass = pair
                    .split_once(':')
                    .map(|(_, p)| p.to_owned())
                    .unwrap_or_default();
                let pct: String = url::form_urlencoded::byte_serialize(pass.as_bytes()).collect();
                out.insert("basic-pair".into(), json!(pair));
                out.insert("basic-password".into(), json!(pass));
                out.insert("basic-password-pct".into(), json!(pct));
            }
        }
        out.insert(n.as_str().to_owned(), json!(v));
    }
    out
}

fn base64_decode(s: &str) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_basic() {
        assert_eq!(
            super::base64_decode("dXNlcjpwQHNzIHcvcmQ=").as_deref(),
            Some("user:p@ss w/rd")
        );
    }

    #[test]
    fn foreign_origin_keeps_the_port() {
        assert_eq!(
            super::foreign_origin("http://127.0.0.1:8080"),
            "http://127.0.0.2:8080"
        );
    }
}

//! A small, deliberately imperfect SCIM mock on 127.0.0.1 whose answers the fixture suites know,
//! with hostile endpoints for the runner's error handling.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::TOKEN;
use super::servers::{InProcess, in_process};

#[derive(Clone, Default)]
struct Mock {
    users: Arc<Mutex<HashMap<String, Value>>>,
    busy_hits: Arc<std::sync::atomic::AtomicUsize>,
}

/// Answers 429 with Retry-After on the first request, then 200.
async fn busy(State(m): State<Mock>) -> Response {
    if m.busy_hits
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        == 0
    {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "slow down",
        )
            .into_response();
    }
    scim(StatusCode::OK, json!({"id": "1"}))
}

fn scim(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/scim+json")],
        body.to_string(),
    )
        .into_response()
}

fn authorized(h: &HeaderMap) -> bool {
    h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn unauthorized() -> Response {
    let mut r = scim(
        StatusCode::UNAUTHORIZED,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "401", "detail": "no"}),
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        "Bearer".parse().expect("static header"),
    );
    r
}

async fn spc(h: HeaderMap) -> Response {
    if !authorized(&h) {
        return unauthorized();
    }
    scim(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": true}, "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": 100}, "changePassword": {"supported": false},
            "sort": {"supported": false}, "etag": {"supported": false},
            "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Bearer", "description": "token"}]
        }),
    )
}

async fn resource_types(h: HeaderMap) -> Response {
    if !authorized(&h) {
        return unauthorized();
    }
    scim(
        StatusCode::OK,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1,
               "Resources": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User",
               "name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User"}]}),
    )
}

async fn schemas(h: HeaderMap) -> Response {
    if !authorized(&h) {
        return unauthorized();
    }
    scim(
        StatusCode::OK,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": []}),
    )
}

async fn users_post(State(m): State<Mock>, h: HeaderMap, body: String) -> Response {
    if !authorized(&h) {
        return unauthorized();
    }
    let Ok(mut v) = serde_json::from_str::<Value>(&body) else {
        return scim(
            StatusCode::BAD_REQUEST,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "scimType": "invalidSyntax"}),
        );
    };
    let id = uuid::Uuid::new_v4().to_string();
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let location = format!("http://{host}/scim/Users/{id}");
    v["id"] = json!(id);
    v["meta"] = json!({"resourceType": "User", "created": "2026-01-01T00:00:00Z", "lastModified": "2026-01-01T00:00:00Z", "location": location, "version": "W/\"1\""});
    if let Some(o) = v.as_object_mut() {
        o.remove("password");
    }
    m.users.lock().expect("lock").insert(id, v.clone());
    let mut r = scim(StatusCode::CREATED, v);
    r.headers_mut()
        .insert(header::LOCATION, location.parse().expect("valid location"));
    r
}

async fn users_list(State(m): State<Mock>, h: HeaderMap) -> Response {
    if !authorized(&h) {
        return unauthorized();
    }
    let users: Vec<Value> = m.users.lock().expect("lock").values().cloned().collect();
    scim(
        StatusCode::OK,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": users.len(), "startIndex": 1, "itemsPerPage": users.len(), "Resources": users}),
    )
}

async fn user_get(State(m): State<Mock>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&h) {
        return unauthorized();
    }
    match m.users.lock().expect("lock").get(&id) {
        Some(u) => {
            let mut u = u.clone();
            // The mock's defect: it returns the password of "leaky" users (returned: never).
            if u["userName"].as_str().is_some_and(|n| n.contains("leaky")) {
                u["password"] = json!("hunter2");
            }
            scim(StatusCode::OK, u)
        }
        None => scim(
            StatusCode::NOT_FOUND,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"}),
        ),
    }
}

async fn user_delete(State(m): State<Mock>, h: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&h) {
        return unauthorized();
    }
    match m.users.lock().expect("lock").remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => scim(
            StatusCode::NOT_FOUND,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"}),
        ),
    }
}

async fn hostile(Path(kind): Path<String>, req: Request) -> Response {
    let _ = req;
    match kind.as_str() {
        "html" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        "garbage" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/scim+json")],
            "{{{ this is not json",
        )
            .into_response(),
        "empty" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/scim+json")],
            "",
        )
            .into_response(),
        "wrong-type" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            r#"{"id":"1"}"#,
        )
            .into_response(),
        "not-scim" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/scim+json")],
            r#"{"hello":"world"}"#,
        )
            .into_response(),
        "redirect" => (
            StatusCode::FOUND,
            [(header::LOCATION, "/scim/hostile/redirect")],
            "",
        )
            .into_response(),
        // A panic in a handler makes the server drop the connection mid-exchange.
        "reset" => panic!("{RESET}"),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::OK.into_response()
        }
        "huge" => {
            let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(6 * 1024 * 1024));
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/scim+json")],
                body,
            )
                .into_response()
        }
        _ => (StatusCode::NOT_FOUND, Body::empty()).into_response(),
    }
}

const RESET: &str = "the test mock resets this connection on purpose";

/// The deliberate reset's panic skips the default hook: with RUST_BACKTRACE set, resolving its
/// backtrace on a loaded machine holds the connection open past the run's 2 s timeout.
fn quiet_deliberate_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied());
            if message != Some(RESET) {
                previous(info);
            }
        }));
    });
}

/// Starts the mock on an ephemeral loopback port; `url` ends in `/scim`.
pub fn start_mock() -> InProcess {
    quiet_deliberate_panics();
    let app = Router::new()
        .route("/scim/ServiceProviderConfig", get(spc))
        .route("/scim/ResourceTypes", get(resource_types))
        .route("/scim/Schemas", get(schemas))
        .route("/scim/Users", get(users_list).post(users_post))
        .route("/scim/Users/{id}", get(user_get).delete(user_delete))
        .route("/scim/hostile/busy", get(busy))
        .route("/scim/hostile/{kind}", get(hostile))
        .with_state(Mock::default());
    in_process(app, "/scim")
}

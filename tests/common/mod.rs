//! Test servers on 127.0.0.1: a small, deliberately imperfect SCIM mock whose answers the fixture
//! suites know, with hostile endpoints for the runner's error handling.
#![allow(dead_code)]

pub mod real_server;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TOKEN: &str = "tok-Zq8v1W9kXplicit-SECRET-42";

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
        "reset" => panic!("the test mock resets this connection on purpose"),
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

/// Starts the mock on an ephemeral loopback port; it lives as long as the test process.
pub fn start_mock() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let app = Router::new()
                .route("/scim/ServiceProviderConfig", get(spc))
                .route("/scim/ResourceTypes", get(resource_types))
                .route("/scim/Schemas", get(schemas))
                .route("/scim/Users", get(users_list).post(users_post))
                .route("/scim/Users/{id}", get(user_get).delete(user_delete))
                .route("/scim/hostile/busy", get(busy))
                .route("/scim/hostile/{kind}", get(hostile))
                .with_state(Mock::default());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr: SocketAddr = listener.local_addr().expect("addr");
            tx.send(addr).expect("send addr");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let addr = rx.recv().expect("mock started");
    format!("http://{addr}/scim")
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scimspec"));
    c.env_remove("SCIM_TOKEN").env("NO_COLOR", "1");
    c
}

pub fn fixtures(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

pub fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimspec-test-{tag}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Verdict per case name from a `--json` report.
pub fn verdicts(json_path: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(json_path).expect("json report"))
            .expect("json parses");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                format!(
                    "{}::{}",
                    c["suite"].as_str().unwrap_or(""),
                    c["case"].as_str().unwrap_or("")
                ),
                c["verdict"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

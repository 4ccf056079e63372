//! End-to-end tests over HTTP: general behaviour, and for every fault a probe whose observation
//! differs between a healthy server and one with the fault switched on. This file holds the
//! client harness and the fault catalog's own checks; the probes and the behaviour tests live
//! beside it by topic.

mod healthy_operations;
mod healthy_resources;
mod large_tenant;
mod odd_input;
mod probes_7643;
mod probes_7644b;
mod probes_defects;
mod probes_hostile;
mod probes_idp;
mod probes_protocol;
mod probes_resources;
mod probes_rfc7644;
mod probes_vendor;

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::{Value, json};

use super::{FAULTS, Flavour, RunningServer, ServeOptions, start};
use crate::scim;

const TOKEN: &str = "test-token";
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn uniq(prefix: &str) -> String {
    format!(
        "{prefix}{}-{}@example.com",
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::process::id()
    )
}

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Resp {
    async fn from(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    /// The length of an array attribute, as a probe's observation.
    fn count(&self, attr: &str) -> String {
        self.body[attr].as_array().map_or(0, Vec::len).to_string()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

struct T {
    base: String,
    client: reqwest::Client,
    _srv: RunningServer,
}

impl T {
    async fn new(flavour: Flavour, faults: &[&str]) -> T {
        let srv = start(
            "127.0.0.1:0".parse().unwrap(),
            ServeOptions {
                flavour,
                token: Some(TOKEN.into()),
                faults: faults.iter().map(|s| s.to_string()).collect(),
                options: Vec::new(),
            },
        )
        .await
        .unwrap();
        T {
            base: srv.base_url(),
            client: reqwest::Client::new(),
            _srv: srv,
        }
    }

    /// A path under the base URL, or an absolute URL (a `location` the server returned).
    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
        auth: Option<&str>,
    ) -> Resp {
        let mut rb = self.client.request(method, self.url(path));
        if let Some(a) = auth {
            rb = rb.header("Authorization", format!("Bearer {a}"));
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/scim+json")
                .body(serde_json::to_vec(b).unwrap());
        }
        Resp::from(rb.send().await.unwrap()).await
    }

    /// A body sent byte for byte (malformed JSON), with the token and the given Content-Type.
    async fn raw(&self, method: Method, path: &str, body: &str, ctype: Option<&str>) -> Resp {
        let mut rb = self
            .client
            .request(method, self.url(path))
            .bearer_auth(TOKEN)
            .body(body.to_string());
        if let Some(c) = ctype {
            rb = rb.header("Content-Type", c);
        }
        Resp::from(rb.send().await.unwrap()).await
    }

    async fn req(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.send(method, path, body.as_ref(), &[], Some(TOKEN))
            .await
    }

    async fn get(&self, path: &str) -> Resp {
        self.req(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        self.req(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> Resp {
        self.req(Method::PUT, path, Some(body)).await
    }

    async fn patch(&self, path: &str, ops: Value) -> Resp {
        self.req(
            Method::PATCH,
            path,
            Some(json!({"schemas": [scim::PATCH_OP], "Operations": ops})),
        )
        .await
    }

    /// PATCH on a fresh user: the probes whose observation is the answer to one request.
    async fn patch_new_user(&self, ops: Value) -> Resp {
        let id = self.user_id(json!({})).await;
        self.patch(&format!("/Users/{id}"), ops).await
    }

    async fn delete(&self, path: &str) -> Resp {
        self.req(Method::DELETE, path, None).await
    }

    /// Creates a user with a unique email userName plus `extra` attributes.
    async fn user(&self, extra: Value) -> Resp {
        let mut body = json!({"schemas": [scim::USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA], "userName": uniq("u")});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post("/Users", body).await
    }

    async fn user_id(&self, extra: Value) -> String {
        let r = self.user(extra).await;
        assert_eq!(r.status / 100, 2, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    async fn group(&self, members: &[&str]) -> String {
        let m: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
        let r = self
            .post(
                "/Groups",
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": uniq("g"), "members": m}),
            )
            .await;
        assert_eq!(r.status / 100, 2, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }
}

fn filter_q(f: &str) -> String {
    url::form_urlencoded::byte_serialize(f.as_bytes()).collect()
}

fn names(r: &Resp, key: &str) -> Vec<String> {
    r.body["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x[key].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// What a client observes of the fault's behaviour. Healthy and faulty servers must differ.
async fn probe(name: &str, t: &T) -> String {
    if let Some(o) = probes_resources::probe(name, t).await {
        return o;
    }
    if let Some(o) = probes_rfc7644::probe(name, t).await {
        return o;
    }
    if let Some(o) = probes_protocol::probe(name, t).await {
        return o;
    }
    if let Some(o) = probes_7644b::probe(name, t).await {
        return o;
    }
    if let Some(o) = probes_defects::probe(name, t).await {
        return o;
    }
    if let Some(o) = probes_idp::probe(name, t).await {
        return o;
    }
    if let Some(o) = probes_vendor::probe(name, t).await {
        return o;
    }
    if let Some(o) = probes_7643::probe(name, t).await {
        return o;
    }
    panic!("no probe for fault {name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_changes_observable_behaviour() {
    let mut failures = Vec::new();
    for fault in FAULTS {
        let flavour = fault.flavours[0];
        let healthy = T::new(flavour, &[]).await;
        let faulty = T::new(flavour, &[fault.name]).await;
        let good = probe(fault.name, &healthy).await;
        let bad = probe(fault.name, &faulty).await;
        if good == bad {
            failures.push(format!("{}: both observe {good}", fault.name));
        }
    }
    assert!(
        failures.is_empty(),
        "faults without an observable effect:\n{}",
        failures.join("\n")
    );
}

/// The hostile faults (the trust tests' servers) are probed the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_fault_changes_observable_behaviour() {
    let mut failures = Vec::new();
    for fault in super::HOSTILE {
        let flavour = fault.flavours[0];
        let healthy = T::new(flavour, &[]).await;
        let faulty = T::new(flavour, &[fault.name]).await;
        let probe = |t| probes_hostile::probe(fault.name, t);
        let good = probe(&healthy).await;
        let bad = probe(&faulty).await;
        match (good, bad) {
            (Some(good), Some(bad)) if good == bad => {
                failures.push(format!("{}: both observe {good}", fault.name))
            }
            (Some(_), Some(_)) => {}
            _ => failures.push(format!("{}: no probe", fault.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "hostile faults without an observable effect:\n{}",
        failures.join("\n")
    );
}

#[test]
fn fault_catalog_is_well_formed() {
    assert!(FAULTS.len() >= 45);
    let mut names = std::collections::HashSet::new();
    for f in FAULTS {
        assert!(names.insert(f.name), "duplicate fault {}", f.name);
        assert!(
            f.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            f.name
        );
        assert!(
            !f.requirements.is_empty() && !f.flavours.is_empty() && !f.description.is_empty(),
            "{}",
            f.name
        );
        for r in f.requirements {
            assert!(
                r.split('.').count() >= 2 && !r.contains(' '),
                "{}: bad requirement id {r}",
                f.name
            );
        }
    }
    let listing = super::fault_listing();
    assert_eq!(listing.lines().count(), FAULTS.len() + super::HOSTILE.len());
    assert!(listing.lines().all(|l| l.split('\t').count() == 3));
}

#[test]
fn every_fault_name_used_in_code_exists() {
    let sources = [
        include_str!("../app.rs"),
        include_str!("../defects.rs"),
        include_str!("../defects_7643.rs"),
        include_str!("../bulk.rs"),
        include_str!("../discovery.rs"),
        include_str!("../error.rs"),
        include_str!("../handlers.rs"),
        include_str!("../ops.rs"),
        include_str!("../patch.rs"),
        include_str!("../resource.rs"),
        include_str!("../hostile.rs"),
        include_str!("../idp.rs"),
        include_str!("../render.rs"),
        include_str!("../vendor.rs"),
    ];
    let re = regex::Regex::new(r#"fault\("([a-z0-9-]+)"\)"#).unwrap();
    let mut used = std::collections::HashSet::new();
    for s in sources {
        for c in re.captures_iter(s) {
            let name = c[1].to_string();
            assert!(
                super::faults::find(&name).is_some(),
                "code checks unknown fault {name}"
            );
            used.insert(name);
        }
    }
    for f in FAULTS.iter().chain(super::HOSTILE) {
        assert!(
            used.contains(f.name),
            "fault {} is never checked by the server",
            f.name
        );
    }
}

#[tokio::test]
async fn rejects_unknown_and_misplaced_faults() {
    let opts = |flavour, f: &str| ServeOptions {
        flavour,
        token: None,
        faults: vec![f.to_string()],
        options: Vec::new(),
    };
    let e = super::router(opts(Flavour::Core, "create-returns-20"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("did you mean 'create-returns-200'"), "{e}");
    let e = super::router(opts(Flavour::Core, "deactivate-deletes"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("--flavour loom"), "{e}");
    assert!(super::router(opts(Flavour::Loom, "deactivate-deletes")).is_ok());
}

//! The flavour options over HTTP: each changes what a client observes, and none is a fault.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Flavour, OPTIONS, RunningServer, ServeError, ServeOptions, start};

const TOKEN: &str = "options-token";

struct Srv {
    base: String,
    client: reqwest::Client,
    _srv: RunningServer,
}

impl Srv {
    async fn new(flavour: Flavour, options: &[&str]) -> Srv {
        let srv = start(
            "127.0.0.1:0".parse().unwrap(),
            ServeOptions {
                flavour,
                token: Some(TOKEN.into()),
                faults: Vec::new(),
                options: options.iter().map(|s| s.to_string()).collect(),
            },
        )
        .await
        .unwrap();
        Srv {
            base: srv.base_url(),
            client: reqwest::Client::new(),
            _srv: srv,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn create(&self, extra: Value) -> (u16, Value) {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("jane-{}@example.com", uuid::Uuid::new_v4()),
            "active": true,
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.send(Method::POST, "/Users", Some(body)).await
    }

    async fn patch(&self, id: &str, ops: Value) -> (u16, Value) {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops,
        });
        self.send(Method::PATCH, &format!("/Users/{id}"), Some(body))
            .await
    }
}

/// What a client sees of each option: the same probe gives a different answer with it on.
async fn probe(name: &str, s: &Srv) -> String {
    match name {
        "loom-accepts-any-username" => s
            .create(json!({"userName": "jane-no-email"}))
            .await
            .0
            .to_string(),
        "loom-accepts-any-role" => s
            .create(json!({"loomMemberRole": "owner"}))
            .await
            .0
            .to_string(),
        "loom-short-patch-answers" => {
            let (_, u) = s.create(json!({"loomMemberRole": "viewer"})).await;
            let id = u["id"].as_str().unwrap_or_default().to_string();
            let (_, role) = s
                .patch(
                    &id,
                    json!([{"op": "replace", "path": "loomMemberRole", "value": "creator"}]),
                )
                .await;
            let (_, off) = s
                .patch(
                    &id,
                    json!([{"op": "replace", "path": "active", "value": false}]),
                )
                .await;
            let keys = |v: &Value| {
                let mut k: Vec<String> = v
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                k.sort();
                k.join(",")
            };
            format!("{} | {}", keys(&role), keys(&off))
        }
        "put-only" => {
            let (_, u) = s.create(json!({})).await;
            let id = u["id"].as_str().unwrap_or_default().to_string();
            let (patch, _) = s
                .patch(
                    &id,
                    json!([{"op": "replace", "path": "active", "value": false}]),
                )
                .await;
            let (_, spc) = s.send(Method::GET, "/ServiceProviderConfig", None).await;
            let mut whole = u.clone();
            whole["active"] = json!(false);
            let (put, _) = s
                .send(Method::PUT, &format!("/Users/{id}"), Some(whole))
                .await;
            let (_, after) = s.send(Method::GET, &format!("/Users/{id}"), None).await;
            format!(
                "patch {patch}, supported {}, put {put}, active {}",
                spc["patch"]["supported"], after["active"]
            )
        }
        other => panic!("no probe for option {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_option_changes_observable_behaviour() {
    for option in OPTIONS {
        let flavour = option.flavours[0];
        let plain = probe(option.name, &Srv::new(flavour, &[]).await).await;
        let with = probe(option.name, &Srv::new(flavour, &[option.name]).await).await;
        assert_ne!(plain, with, "{}: both observe {plain}", option.name);
    }
}

#[tokio::test]
async fn options_answer_as_documented() {
    let loom = Srv::new(
        Flavour::Loom,
        &["loom-short-patch-answers", "loom-accepts-any-role"],
    )
    .await;
    assert_eq!(
        probe("loom-short-patch-answers", &loom).await,
        "id,userName | active,id,userName"
    );
    let looop = Srv::new(Flavour::Looop, &["put-only"]).await;
    assert_eq!(
        probe("put-only", &looop).await,
        "patch 501, supported false, put 200, active false"
    );
}

#[test]
fn rejects_unknown_and_misplaced_options() {
    let opts = |flavour, o: &str| ServeOptions {
        flavour,
        token: None,
        faults: Vec::new(),
        options: vec![o.to_string()],
    };
    let e = super::router(opts(Flavour::Loom, "put-onyl")).unwrap_err();
    assert!(matches!(e, ServeError::UnknownOption(_)), "{e}");
    assert!(e.to_string().contains("--list-options"), "{e}");
    let e = super::router(opts(Flavour::Core, "loom-accepts-any-role")).unwrap_err();
    assert!(e.to_string().contains("--flavour loom"), "{e}");
}

//! A probe for every hostile fault (`serve::HOSTILE`): the defects of purpose-built hostile
//! servers the trust tests run against. Each probe observes what a healthy server does
//! differently, so a hostile fault that stopped working is caught here, not by a trust test
//! that then passes for the wrong reason.

use super::{T, TOKEN, scim, uniq};
use reqwest::Method;
use serde_json::json;

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "location-foreign-origin" => {
            let r = t.user(json!({})).await;
            let host = |u: Option<&str>| {
                u.and_then(|u| url::Url::parse(u).ok())
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            format!(
                "Location host {}, meta.location host {}",
                host(r.header("location").as_deref()),
                host(r.body["meta"]["location"].as_str())
            )
        }
        "id-path-traversal" | "id-fragment" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap_or("");
            format!("id has / {} or # {}", id.contains('/'), id.contains('#'))
        }
        "numeric-ids" => {
            let r = t.user(json!({})).await;
            format!("id is a number: {}", r.body["id"].is_number())
        }
        "create-empty-answer" => {
            let r = t.user(json!({})).await;
            format!(
                "{} with body {} and Location {}",
                r.status,
                !r.body.is_null(),
                r.header("location").is_some()
            )
        }
        "put-upsert-201" => {
            let r = t
                .put(
                    "/Users/no-such-id-for-upsert",
                    json!({"schemas": [scim::USER_SCHEMA], "userName": uniq("put")}),
                )
                .await;
            r.status.to_string()
        }
        "bulk-no-location" => {
            let r = t
                .post(
                    "/Bulk",
                    json!({
                        "schemas": [scim::BULK_REQUEST],
                        "Operations": [{
                            "method": "POST", "path": "/Users", "bulkId": "b1",
                            "data": {"schemas": [scim::USER_SCHEMA], "userName": uniq("bulk")}
                        }]
                    }),
                )
                .await;
            format!(
                "{} location given: {}",
                r.status,
                r.body["Operations"][0]["location"].is_string()
            )
        }
        "delete-500-twice" | "delete-always-500" => {
            let id = t.user_id(json!({})).await;
            let path = format!("/Users/{id}");
            let mut seen = Vec::new();
            for _ in 0..3 {
                seen.push(t.delete(&path).await.status.to_string());
            }
            seen.join(",")
        }
        "echo-credentials" => {
            let r = t.get("/Users?count=1").await;
            format!(
                "echo header {} echo member {}",
                r.headers.keys().any(|k| k.as_str().starts_with("x-echo-")),
                !r.body["echo"].is_null()
            )
        }
        "terminal-escapes" => {
            let r = t
                .send(Method::GET, "/Users/no-such-id", None, &[], Some(TOKEN))
                .await;
            let text = r.body.to_string();
            format!(
                "escape in error body: {}",
                text.contains('\u{1b}') || text.contains("\\u001b")
            )
        }
        "endless-list" => {
            let first = t.get("/Users?startIndex=1&count=10").await;
            let far = t.get("/Users?startIndex=100000&count=10").await;
            format!(
                "page 1 has {}, page at 100000 has {}",
                first.count("Resources"),
                far.count("Resources")
            )
        }
        _ => return None,
    })
}

//! Fault probes for the RFC 7644 faults that make the endpoint, message, paging, search, PATCH,
//! partial-representation and ETag cases fail.

use super::*;

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "put-405" => {
            let id = t.user_id(json!({})).await;
            t.put(
                &format!("/Users/{id}"),
                json!({"schemas": [scim::USER_SCHEMA], "userName": uniq("u")}),
            )
            .await
            .status
            .to_string()
        }
        "messages-core-schema-urn" => t.get("/Users?count=1").await.body["schemas"].to_string(),
        "start-index-omitted-zero" => {
            t.user(json!({})).await;
            t.get("/Users?count=1").await.body["startIndex"].to_string()
        }
        "search-body-filter-only" => {
            t.user(json!({})).await;
            t.user(json!({})).await;
            t.post(
                "/Users/.search",
                json!({"schemas": [scim::SEARCH_REQUEST], "count": 1}),
            )
            .await
            .count("Resources")
        }
        "patch-200-empty-body" => {
            let r = t
                .patch_new_user(json!([{"op": "replace", "path": "active", "value": false}]))
                .await;
            format!("{} {}", r.status, r.body["id"].is_string())
        }
        "write-answers-id-only" => t.user(json!({})).await.body["userName"]
            .is_string()
            .to_string(),
        "if-none-match-any-304" => {
            let id = t.user_id(json!({})).await;
            t.send(
                Method::GET,
                &format!("/Users/{id}"),
                None,
                &[("If-None-Match", "W/\"stale\"")],
                Some(TOKEN),
            )
            .await
            .status
            .to_string()
        }
        _ => return None,
    })
}

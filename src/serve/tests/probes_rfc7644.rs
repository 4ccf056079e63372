//! Fault probes for the RFC 7644 protocol faults that make the filter, query, PATCH, ETag,
//! media-type and discovery cases fail.

use super::*;

/// totalResults of a filtered GET on `path`.
async fn total(t: &T, path: &str, filter: &str) -> String {
    t.get(&format!("{path}?filter={}", filter_q(filter)))
        .await
        .body["totalResults"]
        .to_string()
}

/// A PATCH on a new group holding `members`, then the member ids the group holds.
async fn group_patch_members(t: &T, members: &[&str], ops: Value) -> String {
    let gid = t.group(members).await;
    let r = t.patch(&format!("/Groups/{gid}"), ops).await;
    let g = t.get(&format!("/Groups/{gid}")).await;
    let mut ids: Vec<String> = g.body["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["value"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    format!("{} {}", r.status, ids.len())
}

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "wrong-type-ignored" => t
            .user(json!({"emails": "not-an-array"}))
            .await
            .status
            .to_string(),
        "null-stored-as-text" => {
            t.user(json!({"nickName": null})).await.body["nickName"].to_string()
        }
        "if-match-weak-rejected" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap();
            let etag = r.header("etag").unwrap();
            t.send(
                Method::PATCH,
                &format!("/Users/{id}"),
                Some(&json!({"schemas": [scim::PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "x"}]})),
                &[("If-Match", etag.as_str())],
                Some(TOKEN),
            )
            .await
            .status
            .to_string()
        }
        "groups-patch-405" => {
            let gid = t.group(&[]).await;
            t.patch(
                &format!("/Groups/{gid}"),
                json!([{"op": "replace", "path": "displayName", "value": uniq("g")}]),
            )
            .await
            .status
            .to_string()
        }
        "get-unknown-500" => t
            .get("/Users/0e50f05a-ddd3-4336-92b0-0e257d3971cf")
            .await
            .status
            .to_string(),
        "total-results-zero-unfiltered" => {
            t.user(json!({})).await;
            t.get("/Users").await.body["totalResults"].to_string()
        }
        "total-results-first-or-term" => {
            let (a, b) = (uniq("or"), uniq("or"));
            t.user(json!({"userName": a})).await;
            t.user(json!({"userName": b})).await;
            total(
                t,
                "/Users",
                &format!("userName eq \"{a}\" or userName eq \"{b}\""),
            )
            .await
        }
        "unknown-query-parameter-400" => t
            .get("/Users?fooBarUnknown=1&count=1")
            .await
            .status
            .to_string(),
        "root-filter-undefined-attribute-matches" => {
            t.group(&[]).await;
            total(t, "", "userName pr").await
        }
        "root-query-users-only" => {
            t.group(&[]).await;
            total(t, "", "displayName pr").await
        }
        "root-search-500" => t
            .post(
                "/.search",
                json!({"schemas": [scim::SEARCH_REQUEST], "filter": "userName pr"}),
            )
            .await
            .status
            .to_string(),
        "filter-and-first-term-only" => {
            t.user(json!({"title": "and-a"})).await;
            total(t, "/Users", "title eq \"and-a\" and title eq \"and-b\"").await
        }
        "filter-or-unsupported" => t
            .get(&format!(
                "/Users?filter={}",
                filter_q("title eq \"a\" or title eq \"b\"")
            ))
            .await
            .status
            .to_string(),
        "filter-pr-complex-never-matches" => {
            t.user(json!({"name": {"givenName": "Pr"}})).await;
            total(t, "/Users", "name pr").await
        }
        "filter-defaulted-attribute-unseen" => {
            let u = uniq("def");
            t.user(json!({"userName": u})).await;
            // A healthy server leaves active unset; the faulty one shows a default the filter
            // does not see.
            let f = filter_q(&format!("userName eq \"{u}\" and not (active pr)"));
            let r = t.get(&format!("/Users?filter={f}")).await;
            format!(
                "{} {}",
                r.body["totalResults"], r.body["Resources"][0]["active"]
            )
        }
        "filter-username-eq-returns-all" => {
            let u = uniq("eq");
            t.user(json!({"userName": u})).await;
            t.user(json!({})).await;
            total(t, "/Users", &format!("userName eq \"{u}\"")).await
        }
        "filter-groups-ignored" => {
            t.group(&[]).await;
            t.group(&[]).await;
            total(t, "/Groups", "displayName eq \"nobody\"").await
        }
        "filter-gt-as-ge" => {
            t.user(json!({"userName": "gt-b@example.com"})).await;
            total(t, "/Users", "userName gt \"gt-b@example.com\"").await
        }
        "filter-value-path-500" => t
            .get(&format!(
                "/Users?filter={}",
                filter_q("emails[type eq \"work\"]")
            ))
            .await
            .status
            .to_string(),
        "patch-add-multivalued-replaces" => {
            let (u1, u2) = (t.user_id(json!({})).await, t.user_id(json!({})).await);
            group_patch_members(
                t,
                &[&u1],
                json!([{"op": "add", "path": "members", "value": [{"value": u2}]}]),
            )
            .await
        }
        "patch-replace-multivalued-appends" => {
            let (u1, u2) = (t.user_id(json!({})).await, t.user_id(json!({})).await);
            group_patch_members(
                t,
                &[&u1],
                json!([{"op": "replace", "path": "members", "value": [{"value": u2}]}]),
            )
            .await
        }
        "patch-remove-all-ignored" => {
            let u1 = t.user_id(json!({})).await;
            group_patch_members(t, &[&u1], json!([{"op": "remove", "path": "members"}])).await
        }
        "patch-ops-reversed" => {
            let r = t
                .patch_new_user(json!([
                    {"op": "replace", "path": "title", "value": "first"},
                    {"op": "replace", "path": "title", "value": "second"}
                ]))
                .await;
            r.body["title"].to_string()
        }
        "patch-add-keeps-existing-value" => {
            let id = t.user_id(json!({"title": "old"})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "add", "path": "title", "value": "new"}]),
            )
            .await
            .body["title"]
                .to_string()
        }
        "patch-remove-sets-empty-string" => {
            let id = t.user_id(json!({"title": "old"})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "remove", "path": "title"}]),
            )
            .await
            .body["title"]
                .to_string()
        }
        "patch-displayname-ignored" => t
            .patch_new_user(json!([{"op": "replace", "path": "displayName", "value": "New"}]))
            .await
            .body["displayName"]
            .to_string(),
        "patch-unknown-op-ignored" => t
            .patch_new_user(json!([{"op": "copy", "path": "title", "value": "x"}]))
            .await
            .status
            .to_string(),
        "patch-unqualified-extension-path-ignored" => {
            let id = t
                .user_id(json!({scim::ENTERPRISE_USER_SCHEMA: {"employeeNumber": "1"}}))
                .await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "employeeNumber", "value": "7"}]),
            )
            .await
            .body[scim::ENTERPRISE_USER_SCHEMA]["employeeNumber"]
                .to_string()
        }
        "deleted-username-reserved" => {
            let u = uniq("del");
            let id = t.user_id(json!({"userName": u})).await;
            t.delete(&format!("/Users/{id}")).await;
            t.user(json!({"userName": u})).await.status.to_string()
        }
        "bulk-echoes-failonerrors" => {
            let r = t
                .post(
                    "/Bulk",
                    json!({"schemas": [scim::BULK_REQUEST], "failOnErrors": 1, "Operations": [
                        {"method": "POST", "path": "/Users", "bulkId": "b1",
                         "data": {"schemas": [scim::USER_SCHEMA], "userName": uniq("b")}}
                    ]}),
                )
                .await;
            r.body["failOnErrors"].to_string()
        }
        "bulk-advertised-not-implemented" => t
            .post(
                "/Bulk",
                json!({"schemas": [scim::BULK_REQUEST], "Operations": [
                    {"method": "POST", "path": "/Users", "bulkId": "b1",
                     "data": {"schemas": [scim::USER_SCHEMA], "userName": uniq("b")}}
                ]}),
            )
            .await
            .status
            .to_string(),
        "accept-json-406" => t
            .send(
                Method::GET,
                "/Users?count=1",
                None,
                &[("Accept", "application/json")],
                Some(TOKEN),
            )
            .await
            .status
            .to_string(),
        "content-type-charset-required" => {
            let body = json!({"schemas": [scim::USER_SCHEMA], "userName": uniq("ct")});
            t.raw(
                Method::POST,
                "/Users",
                &body.to_string(),
                Some("application/scim+json"),
            )
            .await
            .status
            .to_string()
        }
        "utf8-mangled" => {
            t.user(json!({"name": {"givenName": "Zoë"}})).await.body["name"]["givenName"]
                .to_string()
        }
        "resource-type-by-id-no-extensions" => {
            t.get("/ResourceTypes/User").await.body["schemaExtensions"]
                .is_array()
                .to_string()
        }
        "resource-type-group-schema-wrong" => {
            t.get("/ResourceTypes/Group").await.body["schema"].to_string()
        }
        _ => return None,
    })
}

//! Fault probes for the RFC 7644 faults that make the endpoint, message, paging, search, PATCH,
//! partial-representation and ETag cases fail.

use super::*;

/// A PATCH with `ops` on a new user holding `extra`, then the length of `attr` read back.
async fn patched_count(t: &T, extra: Value, ops: Value, attr: &str) -> String {
    let id = t.user_id(extra).await;
    let r = t.patch(&format!("/Users/{id}"), ops).await;
    let after = t.get(&format!("/Users/{id}")).await;
    format!("{} {}", r.status, after.count(attr))
}

/// POST /Bulk with `ops`.
async fn bulk(t: &T, ops: Value) -> Resp {
    t.post(
        "/Bulk",
        json!({"schemas": [scim::BULK_REQUEST], "Operations": ops}),
    )
    .await
}

/// A bulk POST of a user with `bulk_id`.
fn bulk_user(bulk_id: &str) -> Value {
    json!({"method": "POST", "path": "/Users", "bulkId": bulk_id,
        "data": {"schemas": [scim::USER_SCHEMA], "userName": uniq("u")}})
}

/// The answer to GET /Users with `filter`.
async fn filtered(t: &T, filter: &str) -> Resp {
    t.get(&format!("/Users?filter={}", filter_q(filter))).await
}

/// The position of each of `users` (by `key`) in GET /Users sorted by `sort`, joined.
async fn sorted(t: &T, users: &[Value], key: &str, sort: &str) -> String {
    let mut names = Vec::new();
    for u in users {
        let r = t.user(u.clone()).await;
        names.push(format!(
            "userName eq \"{}\"",
            r.body["userName"].as_str().unwrap_or("")
        ));
    }
    let r = t
        .get(&format!(
            "/Users?filter={}&{sort}",
            filter_q(&names.join(" or "))
        ))
        .await;
    r.body["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.pointer(key).map(Value::to_string).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

const MISSING: &str = "0e50f05a-ddd3-4336-92b0-0e257d3971cf";

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
        "patch-value-path-sub-attribute-dropped" => {
            patched_count(
                t,
                json!({"emails": [{"value": "w@example.com", "type": "work", "display": "W"}]}),
                json!([{"op": "remove", "path": "emails[type eq \"work\"].display"}]),
                "emails",
            )
            .await
        }
        "patch-value-path-and-first-term" => {
            patched_count(
                t,
                json!({"emails": [
                    {"value": "a@example.com", "type": "work"},
                    {"value": "b@example.org", "type": "work"}
                ]}),
                json!([{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}]),
                "emails",
            )
            .await
        }
        "patch-replace-value-path-filter-ignored" => {
            patched_count(
                t,
                json!({"addresses": [
                    {"type": "work", "streetAddress": "1 Work St"},
                    {"type": "home", "streetAddress": "2 Home Rd"}
                ]}),
                json!([{"op": "replace", "path": "addresses[type eq \"work\"]",
                    "value": {"type": "work", "streetAddress": "3 New Ave"}}]),
                "addresses",
            )
            .await
        }
        "patch-remove-no-match-400" => {
            let u = t.user_id(json!({})).await;
            let gid = t.group(&[&u]).await;
            t.patch(
                &format!("/Groups/{gid}"),
                json!([{"op": "remove", "path": "members[value eq \"0e50f05a-ddd3-4336-92b0-0e257d3971cf\"]"}]),
            )
            .await
            .status
            .to_string()
        }
        "patch-schemas-not-updated" => {
            let id = t
                .post(
                    "/Users",
                    json!({"schemas": [scim::USER_SCHEMA], "userName": uniq("u")}),
                )
                .await
                .body["id"]
                .as_str()
                .unwrap_or("")
                .to_string();
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "add", "path": format!("{}:employeeNumber", scim::ENTERPRISE_USER_SCHEMA), "value": "42"}]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.body["schemas"].to_string()
        }
        "patch-remove-value-list-ignored" => {
            let (a, b) = (t.user_id(json!({})).await, t.user_id(json!({})).await);
            let gid = t.group(&[&a, &b]).await;
            t.patch(
                &format!("/Groups/{gid}"),
                json!([{"op": "remove", "path": "members", "value": [{"value": a}]}]),
            )
            .await;
            t.get(&format!("/Groups/{gid}")).await.count("members")
        }
        "bulk-bulkid-core-only" => {
            let r = bulk(
                t,
                json!([
                    bulk_user("alice"),
                    {"method": "POST", "path": "/Users", "bulkId": "bob", "data": {
                        "schemas": [scim::USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA],
                        "userName": uniq("u"),
                        (scim::ENTERPRISE_USER_SCHEMA): {"manager": {"value": "bulkId:alice"}}}}
                ]),
            )
            .await;
            let bob = r.body["Operations"][1]["location"]
                .as_str()
                .unwrap_or("")
                .to_string();
            t.get(&bob).await.body[scim::ENTERPRISE_USER_SCHEMA]["manager"]["value"]
                .as_str()
                .is_some_and(|v| v.starts_with("bulkId:"))
                .to_string()
        }
        "bulk-circular-references-500" => {
            let group = |b: &str, other: &str| {
                json!({"method": "POST", "path": "/Groups", "bulkId": b, "data": {
                    "schemas": [scim::GROUP_SCHEMA], "displayName": uniq("g"),
                    "members": [{"value": format!("bulkId:{other}"), "type": "Group"}]}})
            };
            bulk(t, json!([group("ga", "gb"), group("gb", "ga")]))
                .await
                .status
                .to_string()
        }
        "bulk-stops-at-first-error" => bulk(
            t,
            json!([{"method": "DELETE", "path": format!("/Users/{MISSING}")}, bulk_user("b2")]),
        )
        .await
        .body["Operations"]
            .as_array()
            .map_or(0, Vec::len)
            .to_string(),
        "bulk-error-response-omitted" => bulk(
            t,
            json!([{"method": "DELETE", "path": format!("/Users/{MISSING}")}]),
        )
        .await
        .body["Operations"][0]["response"]
            .is_object()
            .to_string(),
        "bulk-operations-reversed" => {
            let id = t.user_id(json!({})).await;
            let name = t.get(&format!("/Users/{id}")).await.body["userName"].clone();
            let put = |dn: &str| {
                json!({"method": "PUT", "path": format!("/Users/{id}"), "data": {
                    "schemas": [scim::USER_SCHEMA], "userName": name, "displayName": dn}})
            };
            bulk(t, json!([put("A"), put("B")])).await;
            t.get(&format!("/Users/{id}")).await.body["displayName"].to_string()
        }
        "bulk-bulkid-not-echoed" => bulk(t, json!([bulk_user("b1")])).await.body["Operations"][0]
            ["bulkId"]
            .to_string(),
        "bulk-version-ignored" => {
            let id = t.user_id(json!({})).await;
            let name = t.get(&format!("/Users/{id}")).await.body["userName"].clone();
            bulk(
                t,
                json!([{"method": "PUT", "path": format!("/Users/{id}"), "version": "W/\"stale\"",
                    "data": {"schemas": [scim::USER_SCHEMA], "userName": name, "displayName": "new"}}]),
            )
            .await
            .body["Operations"][0]["status"]
                .to_string()
        }
        "filter-sw-ew-as-co" => {
            let x = uniq("sw");
            t.user(json!({"displayName": format!("{x}-tail")})).await;
            t.user(json!({"displayName": format!("head-{x}")})).await;
            let sw = filtered(t, &format!("displayName sw \"{x}\"")).await;
            let ew = filtered(t, &format!("displayName ew \"{x}\"")).await;
            format!("{} {}", sw.body["totalResults"], ew.body["totalResults"])
        }
        "filter-datetime-gt-as-ge" => {
            let r = t.user(json!({})).await;
            let f = format!(
                "userName eq \"{}\" and meta.created gt \"{}\"",
                r.body["userName"].as_str().unwrap_or(""),
                r.body["meta"]["created"].as_str().unwrap_or("")
            );
            filtered(t, &f).await.body["totalResults"].to_string()
        }
        "filter-operators-case-sensitive" => filtered(t, "userName EQ \"nobody\"")
            .await
            .status
            .to_string(),
        "invalid-filter-empty-detail" => {
            filtered(t, "userName regex \"a\"").await.body["detail"].to_string()
        }
        "filter-unknown-attribute-ignored" => {
            t.user(json!({})).await;
            filtered(t, "noSuchAttribute eq \"x\"").await.body["totalResults"].to_string()
        }
        "sort-datetime-ignored" => {
            sorted(
                t,
                &[json!({"title": "1"}), json!({"title": "2"})],
                "/title",
                "sortBy=meta.created&sortOrder=descending",
            )
            .await
        }
        "sort-missing-values-first" => {
            sorted(
                t,
                &[json!({"title": "b"}), json!({})],
                "/title",
                "sortBy=title",
            )
            .await
        }
        "sort-multivalued-first-value" => {
            sorted(
                t,
                &[
                    json!({"title": "1", "emails": [{"value": "z9@example.org"}, {"value": "z1@example.org", "primary": true}]}),
                    json!({"title": "2", "emails": [{"value": "z2@example.org", "primary": true}, {"value": "z0@example.org"}]}),
                ],
                "/title",
                "sortBy=emails.value",
            )
            .await
        }
        "sort-sub-attribute-ignored" => {
            sorted(
                t,
                &[json!({"name": {"givenName": "b"}}), json!({"name": {"givenName": "a"}})],
                "/name/givenName",
                "sortBy=name.givenName",
            )
            .await
        }
        "sort-caseexact-ignored" => {
            let x = uniq("x");
            sorted(
                t,
                &[json!({"externalId": format!("{x}-a")}), json!({"externalId": format!("{x}-A")})],
                "/externalId",
                "sortBy=externalId",
            )
            .await
        }
        "default-version-scim-1-1" => t.get("/Users?count=1").await.body["schemas"].to_string(),
        "location-tenant-query" => t.user(json!({})).await.body["meta"]["location"]
            .as_str()
            .is_some_and(|l| l.contains('?'))
            .to_string(),
        "create-echoes-request-meta" => t
            .user(json!({"meta": {"created": "2001-01-01T00:00:00Z"}}))
            .await
            .body["meta"]["created"]
            .to_string(),
        "missing-required-invalidsyntax" => t
            .post(
                "/Users",
                json!({"schemas": [scim::USER_SCHEMA], "displayName": "no userName"}),
            )
            .await
            .body["scimType"]
            .to_string(),
        "scimtype-vendor-keywords" => {
            let r = t.user(json!({})).await;
            t.user(json!({"userName": r.body["userName"]})).await.body["scimType"].to_string()
        }
        "errors-answered-200" => t.get(&format!("/Users/{MISSING}")).await.status.to_string(),
        "resource-type-endpoint-singular" => {
            t.get("/ResourceTypes/User").await.body["endpoint"].to_string()
        }
        "get-by-id-list-response" => {
            let id = t.user_id(json!({})).await;
            t.get(&format!("/Users/{id}")).await.body["id"].to_string()
        }
        "list-resources-lowercase" => {
            t.user(json!({})).await;
            t.get("/Users").await.count("Resources")
        }
        "root-filter-resourcetype-ignored" => {
            let dn = uniq("root");
            t.user(json!({"displayName": dn})).await;
            t.post(
                "/Groups",
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": dn}),
            )
            .await;
            let f = format!("displayName eq \"{dn}\" and meta.resourceType eq \"Group\"");
            t.get(&format!("/?filter={}", filter_q(&f))).await.body["totalResults"].to_string()
        }
        "root-landing-page" => t.get("/").await.header("content-type").unwrap_or_default(),
        "unfiltered-list-refused" => t.get("/Users").await.status.to_string(),
        "put-group-members-added" => {
            let (a, b) = (t.user_id(json!({})).await, t.user_id(json!({})).await);
            let gid = t.group(&[&a]).await;
            t.put(
                &format!("/Groups/{gid}"),
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": uniq("g"), "members": [{"value": b}]}),
            )
            .await;
            t.get(&format!("/Groups/{gid}")).await.count("members")
        }
        "deleted-still-listed" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap_or("");
            t.delete(&format!("/Users/{id}")).await;
            let f = format!(
                "userName eq \"{}\"",
                r.body["userName"].as_str().unwrap_or("")
            );
            filtered(t, &f).await.body["totalResults"].to_string()
        }
        "active-as-string" => t.user(json!({"active": true})).await.body["active"].to_string(),
        "resource-type-by-id-list-response" => {
            t.get("/ResourceTypes/User").await.body["name"].to_string()
        }
        "discovery-401-no-challenge" => {
            let r = t
                .send(Method::GET, "/ServiceProviderConfig", None, &[], None)
                .await;
            format!("{} {:?}", r.status, r.header("www-authenticate").is_some())
        }
        "patch-string-boolean-500" => t
            .patch_new_user(json!([{"op": "replace", "path": "active", "value": "False"}]))
            .await
            .status
            .to_string(),
        _ => return None,
    })
}

//! Fault probes: resources, their attributes and metadata, lists, paging, filters.

use super::*;

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "create-returns-200" => t.user(json!({})).await.status.to_string(),
        "familyname-required" => t.user(json!({})).await.status.to_string(),
        "create-no-location" => t
            .user(json!({}))
            .await
            .header("location")
            .is_some()
            .to_string(),
        "location-mismatch-meta" => {
            let r = t.user(json!({})).await;
            (r.header("location").map(Value::from) == Some(r.body["meta"]["location"].clone()))
                .to_string()
        }
        "client-id-accepted" => {
            let r = t.user(json!({"id": "client-chosen"})).await;
            (r.body["id"] == "client-chosen").to_string()
        }
        "externalid-generated" => t
            .user(json!({}))
            .await
            .body
            .get("externalId")
            .is_some()
            .to_string(),
        "meta-missing" => t
            .user(json!({}))
            .await
            .body
            .get("meta")
            .is_some()
            .to_string(),
        "meta-created-not-datetime" => t.user(json!({})).await.body["meta"]["created"]
            .is_string()
            .to_string(),
        "last-modified-not-updated" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap().to_string();
            let p = t
                .patch(
                    &format!("/Users/{id}"),
                    json!([{"op": "replace", "path": "displayName", "value": "D"}]),
                )
                .await;
            (p.body["meta"]["lastModified"] == r.body["meta"]["lastModified"]).to_string()
        }
        "schemas-missing-in-response" => t
            .user(json!({}))
            .await
            .body
            .get("schemas")
            .is_some()
            .to_string(),
        "schemas-duplicates-kept" => {
            let r = t
                .user(json!({"schemas": [scim::USER_SCHEMA, scim::USER_SCHEMA]}))
                .await;
            r.body["schemas"].as_array().map_or(0, Vec::len).to_string()
        }
        "message-schemas-not-validated" => t
            .post(
                "/Users/.search",
                json!({"schemas": ["urn:wrong"], "filter": 5}),
            )
            .await
            .status
            .to_string(),
        "required-username-not-enforced" => t
            .post(
                "/Users",
                json!({"schemas": [scim::USER_SCHEMA], "displayName": "x"}),
            )
            .await
            .status
            .to_string(),
        "duplicate-username-accepted" => {
            let name = uniq("dup");
            t.user(json!({"userName": name})).await;
            t.user(json!({"userName": name})).await.status.to_string()
        }
        "username-uniqueness-case-sensitive" => {
            let name = uniq("case");
            t.user(json!({"userName": name})).await;
            t.user(json!({"userName": name.to_uppercase()}))
                .await
                .status
                .to_string()
        }
        "group-displayname-not-required" => t
            .post("/Groups", json!({"schemas": [scim::GROUP_SCHEMA]}))
            .await
            .status
            .to_string(),
        "attr-names-case-sensitive" => t
            .post(
                "/Users",
                json!({"schemas": [scim::USER_SCHEMA], "USERNAME": uniq("caps")}),
            )
            .await
            .status
            .to_string(),
        "password-returned" => t
            .user(json!({"password": "Secret-1"}))
            .await
            .body
            .get("password")
            .is_some()
            .to_string(),
        "string-booleans-rejected" => t.user(json!({"active": "True"})).await.status.to_string(),
        "string-booleans-stored-as-strings" => {
            t.user(json!({"active": "False"})).await.body["active"].to_string()
        }
        "enterprise-dropped" => {
            let r = t
                .user(json!({scim::ENTERPRISE_USER_SCHEMA: {"employeeNumber": "42"}}))
                .await;
            r.body[scim::ENTERPRISE_USER_SCHEMA]["employeeNumber"].to_string()
        }
        "manager-displayname-stored" => {
            let m = t.user_id(json!({})).await;
            let r = t.user(json!({scim::ENTERPRISE_USER_SCHEMA: {"manager": {"value": m, "displayName": "Bogus"}}})).await;
            r.body[scim::ENTERPRISE_USER_SCHEMA]["manager"]["displayName"].to_string()
        }
        "get-deleted-returns-200" => {
            let id = t.user_id(json!({})).await;
            t.delete(&format!("/Users/{id}")).await;
            t.get(&format!("/Users/{id}")).await.status.to_string()
        }
        "delete-returns-200-with-body" => {
            let id = t.user_id(json!({})).await;
            t.delete(&format!("/Users/{id}")).await.status.to_string()
        }
        "delete-not-found-204" => t.delete("/Users/no-such-id").await.status.to_string(),
        "content-type-json" => t
            .get("/Users")
            .await
            .header("content-type")
            .unwrap_or_default(),
        "put-creates" => t
            .put(
                "/Users/fresh-id",
                json!({"schemas": [scim::USER_SCHEMA], "userName": uniq("put")}),
            )
            .await
            .status
            .to_string(),
        "put-partial-update" => {
            let r = t.user(json!({"nickName": "Nick"})).await;
            let id = r.body["id"].as_str().unwrap();
            let p = t
                .put(
                    &format!("/Users/{id}"),
                    json!({"schemas": [scim::USER_SCHEMA], "userName": r.body["userName"]}),
                )
                .await;
            p.body.get("nickName").is_some().to_string()
        }
        "put-readonly-overwritten" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap();
            let p = t
                .put(&format!("/Users/{id}"), json!({"schemas": [scim::USER_SCHEMA], "userName": r.body["userName"], "meta": {"created": "2000-01-01T00:00:00Z"}}))
                .await;
            p.body["meta"]["created"]
                .to_string()
                .contains("2000")
                .to_string()
        }
        "put-required-not-enforced" => {
            let id = t.user_id(json!({})).await;
            t.put(
                &format!("/Users/{id}"),
                json!({"schemas": [scim::USER_SCHEMA], "displayName": "x"}),
            )
            .await
            .status
            .to_string()
        }
        "id-changes-on-put" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap();
            let p = t
                .put(
                    &format!("/Users/{id}"),
                    json!({"schemas": [scim::USER_SCHEMA], "userName": r.body["userName"]}),
                )
                .await;
            (p.body["id"] == id).to_string()
        }
        "readonly-groups-writable" => {
            let u = t.user_id(json!({})).await;
            let g = t.group(&[]).await;
            t.patch(
                &format!("/Users/{u}"),
                json!([{"op": "add", "path": "groups", "value": [{"value": g}]}]),
            )
            .await;
            t.get(&format!("/Groups/{g}")).await.count("members")
        }
        "user-groups-value-is-display-name" => {
            let u = t.user_id(json!({})).await;
            let g = t.group(&[&u]).await;
            (t.get(&format!("/Users/{u}")).await.body["groups"][0]["value"] == json!(g)).to_string()
        }
        "member-ref-wrong-endpoint" => {
            let u = t.user_id(json!({})).await;
            let g = t.group(&[&u]).await;
            let r = t.get(&format!("/Groups/{g}")).await;
            r.body["members"][0]["$ref"]
                .as_str()
                .unwrap_or("")
                .contains("/Users/")
                .to_string()
        }
        "count-ignored" => {
            for _ in 0..3 {
                t.user(json!({})).await;
            }
            t.get("/Users?count=1").await.count("Resources")
        }
        "count-zero-means-all" => {
            t.user(json!({})).await;
            t.get("/Users?count=0").await.count("Resources")
        }
        "start-index-zero-based" => {
            let first = t.user_id(json!({})).await;
            t.user(json!({})).await;
            (t.get("/Users?startIndex=1&count=1").await.body["Resources"][0]["id"]
                == first.as_str())
            .to_string()
        }
        "start-index-below-one-rejected" => t
            .get("/Users?startIndex=0&count=2")
            .await
            .status
            .to_string(),
        "unknown-member-500" => {
            let gid = t.group(&[]).await;
            t.patch(
                &format!("/Groups/{gid}"),
                json!([{"op": "add", "path": "members", "value": [{"value": "00000000-0000-0000-0000-00000000dead"}]}]),
            )
            .await
            .status
            .to_string()
        }
        "totalresults-string" => {
            t.user(json!({})).await;
            t.get("/Users?count=1").await.body["totalResults"]
                .is_string()
                .to_string()
        }
        "total-results-wrong" => {
            for _ in 0..3 {
                t.user(json!({})).await;
            }
            t.get("/Users?count=1").await.body["totalResults"].to_string()
        }
        "list-schemas-missing" => t
            .get("/Users")
            .await
            .body
            .get("schemas")
            .is_some()
            .to_string(),
        "list-paging-fields-missing" => t
            .get("/Users?count=1")
            .await
            .body
            .get("startIndex")
            .is_some()
            .to_string(),
        "attributes-ignored" => {
            let id = t.user_id(json!({"displayName": "D"})).await;
            t.get(&format!("/Users/{id}?attributes=userName"))
                .await
                .body
                .get("displayName")
                .is_some()
                .to_string()
        }
        "attributes-subattribute-ignored" => {
            let id = t
                .user_id(json!({"name": {"givenName": "G", "familyName": "F"}}))
                .await;
            t.get(&format!("/Users/{id}?attributes=name.givenName"))
                .await
                .body["name"]
                .to_string()
        }
        "excluded-attributes-ignored" => {
            let id = t.user_id(json!({"displayName": "D"})).await;
            t.get(&format!("/Users/{id}?excludedAttributes=displayName"))
                .await
                .body
                .get("displayName")
                .is_some()
                .to_string()
        }
        "returned-always-excludable" => {
            let id = t.user_id(json!({})).await;
            t.get(&format!("/Users/{id}?excludedAttributes=id"))
                .await
                .body
                .get("id")
                .is_some()
                .to_string()
        }
        "filter-username-case-sensitive" => {
            let name = uniq("Mixed");
            t.user(json!({"userName": name})).await;
            let f = filter_q(&format!("userName eq \"{}\"", name.to_lowercase()));
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "externalid-filter-case-insensitive" => {
            t.user(json!({"externalId": "AbC-ext-1"})).await;
            let f = filter_q("externalId eq \"abc-ext-1\"");
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "filter-attrname-case-sensitive" => {
            let name = uniq("attr");
            t.user(json!({"userName": name})).await;
            let f = filter_q(&format!("USERNAME eq \"{name}\""));
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "malformed-filter-500" => t
            .get(&format!("/Users?filter={}", filter_q("userName eq")))
            .await
            .status
            .to_string(),
        "unknown-filter-404" => t
            .get(&format!(
                "/Users?filter={}",
                filter_q("userName eq \"nobody@example.com\"")
            ))
            .await
            .status
            .to_string(),
        "filter-and-or-precedence-wrong" => {
            t.user(json!({"title": "PX"})).await;
            let f = filter_q("title eq \"PX\" or title eq \"PY\" and title eq \"PZ\"");
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "filter-ne-unsupported" => t
            .get(&format!("/Users?filter={}", filter_q("userName ne \"x\"")))
            .await
            .status
            .to_string(),
        "filter-co-as-sw" => {
            t.user(json!({"title": "abcXYZdef"})).await;
            t.get(&format!("/Users?filter={}", filter_q("title co \"XYZ\"")))
                .await
                .body["totalResults"]
                .to_string()
        }
        "filter-datetime-as-text" => {
            let r = t.user(json!({"title": "dt-probe"})).await;
            let created: jiff::Timestamp =
                r.body["meta"]["created"].as_str().unwrap().parse().unwrap();
            let earlier = created - jiff::SignedDuration::from_hours(1);
            let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
            let text = earlier
                .to_zoned_datetime(tz)
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string();
            let f = filter_q(&format!(
                "title eq \"dt-probe\" and meta.created gt \"{text}\""
            ));
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "filter-value-path-cross-element" => {
            t.user(json!({"emails": [{"type": "work", "value": "a@x.org"}, {"type": "home", "value": "b@example.com"}]})).await;
            let f = filter_q("emails[type eq \"work\" and value co \"example.com\"]");
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "filter-gt-boolean-accepted" => t
            .get(&format!("/Users?filter={}", filter_q("active gt true")))
            .await
            .status
            .to_string(),
        "urn-paths-unsupported" => {
            let id = t.user_id(json!({})).await;
            t.get(&format!(
                "/Users/{id}?attributes={}:userName",
                scim::USER_SCHEMA
            ))
            .await
            .body
            .get("userName")
            .is_some()
            .to_string()
        }
        "sort-ignored" | "sort-descending-ignored" | "sort-case-sensitive" => {
            let marker = uniq("sort").replace(['@', '.'], "");
            for n in ["c", "B", "a"] {
                t.user(json!({"userName": format!("{n}-{marker}@example.com"), "title": marker}))
                    .await;
            }
            let order = if name == "sort-descending-ignored" {
                "&sortOrder=descending"
            } else {
                ""
            };
            let f = filter_q(&format!("title eq \"{marker}\""));
            let r = t
                .get(&format!("/Users?filter={f}&sortBy=userName{order}"))
                .await;
            r.body["Resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["userName"].as_str().unwrap()[..1].to_string())
                .collect::<String>()
        }
        "search-endpoint-missing" => t
            .post(
                "/Users/.search",
                json!({"schemas": [scim::SEARCH_REQUEST], "count": 1}),
            )
            .await
            .status
            .to_string(),
        _ => return None,
    })
}

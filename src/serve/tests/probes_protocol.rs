//! Fault probes: PATCH, ETags, bulk, errors, discovery, and the Loom and Looop flavours.

use super::*;

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "patch-active-ignored" => {
            let id = t.user_id(json!({"active": true})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "active", "value": false}]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.body["active"].to_string()
        }
        "patch-op-case-sensitive" => t
            .patch_new_user(json!([{"op": "Replace", "path": "displayName", "value": "X"}]))
            .await
            .status
            .to_string(),
        "patch-path-required" => t
            .patch_new_user(json!([{"op": "replace", "value": {"active": false}}]))
            .await
            .status
            .to_string(),
        "members-remove-value-list-removes-all" => {
            let a = t.user_id(json!({})).await;
            let b = t.user_id(json!({})).await;
            let g = t.group(&[&a, &b]).await;
            t.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "Remove", "path": "members", "value": [{"value": a}]}]),
            )
            .await;
            t.get(&format!("/Groups/{g}")).await.count("members")
        }
        "patch-remove-no-path-accepted" => t
            .patch_new_user(json!([{"op": "remove"}]))
            .await
            .status
            .to_string(),
        "patch-primary-not-exclusive" => {
            let id = t
                .user_id(json!({"emails": [{"value": "a@x.org", "type": "work", "primary": true}, {"value": "b@x.org", "type": "home"}]}))
                .await;
            let r = t
                .patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "emails[value eq \"b@x.org\"].primary", "value": true}]))
                .await;
            r.body["emails"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["primary"] == true)
                .count()
                .to_string()
        }
        "patch-returns-500-on-filter-path" => {
            let a = t.user_id(json!({})).await;
            let g = t.group(&[&a]).await;
            t.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]),
            )
            .await
            .status
            .to_string()
        }
        "mutability-readonly-accepted-on-patch" => t
            .patch_new_user(json!([{"op": "replace", "path": "id", "value": "x"}]))
            .await
            .status
            .to_string(),
        "patch-not-atomic" => {
            let id = t.user_id(json!({"displayName": "old"})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([
                    {"op": "replace", "path": "displayName", "value": "new"},
                    {"op": "replace", "path": "id", "value": "x"}
                ]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.body["displayName"].to_string()
        }
        "patch-add-duplicates-members" => {
            let a = t.user_id(json!({})).await;
            let g = t.group(&[&a]).await;
            let r = t
                .patch(
                    &format!("/Groups/{g}"),
                    json!([{"op": "add", "path": "members", "value": [{"value": a}]}]),
                )
                .await;
            r.count("members")
        }
        "patch-replace-no-match-ignored" => t
            .patch_new_user(json!([{"op": "replace", "path": "emails[type eq \"nope\"].value", "value": "x@y.z"}]))
            .await
            .status
            .to_string(),
        "patch-always-204" => {
            let id = t.user_id(json!({})).await;
            t.patch(
                &format!("/Users/{id}?attributes=displayName"),
                json!([{"op": "replace", "path": "displayName", "value": "X"}]),
            )
            .await
            .status
            .to_string()
        }
        "patch-noop-bumps-last-modified" => {
            let a = t.user_id(json!({})).await;
            let g = t.group(&[&a]).await;
            let before = t.get(&format!("/Groups/{g}")).await.body["meta"]["version"].clone();
            let r = t
                .patch(
                    &format!("/Groups/{g}"),
                    json!([{"op": "add", "path": "members", "value": [{"value": a}]}]),
                )
                .await;
            (r.body["meta"]["version"] == before).to_string()
        }
        "patch-invalid-path-ignored" => t
            .patch_new_user(json!([{"op": "replace", "path": "name..familyName", "value": "x"}]))
            .await
            .status
            .to_string(),
        "etag-ignored-if-match" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap();
            let body = json!({"schemas": [scim::USER_SCHEMA], "userName": r.body["userName"]});
            t.send(
                Method::PUT,
                &format!("/Users/{id}"),
                Some(&body),
                &[("If-Match", "W/\"stale\"")],
                Some(TOKEN),
            )
            .await
            .status
            .to_string()
        }
        "etag-missing" => {
            let id = t.user_id(json!({})).await;
            t.get(&format!("/Users/{id}"))
                .await
                .header("etag")
                .is_some()
                .to_string()
        }
        "meta-version-mismatch" => {
            let id = t.user_id(json!({})).await;
            let r = t.get(&format!("/Users/{id}")).await;
            (r.header("etag").map(Value::from) == Some(r.body["meta"]["version"].clone()))
                .to_string()
        }
        "etag-unchanged-on-update" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap();
            let p = t
                .patch(
                    &format!("/Users/{id}"),
                    json!([{"op": "replace", "path": "displayName", "value": "E"}]),
                )
                .await;
            (p.header("etag") == r.header("etag")).to_string()
        }
        "if-none-match-ignored" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap();
            let etag = r.header("etag").unwrap();
            t.send(
                Method::GET,
                &format!("/Users/{id}"),
                None,
                &[("If-None-Match", &etag)],
                Some(TOKEN),
            )
            .await
            .status
            .to_string()
        }
        "bulk-bulkid-unresolved" => {
            let r = t
                .post("/Bulk", json!({"schemas": [scim::BULK_REQUEST], "Operations": [
                    {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {"schemas": [scim::USER_SCHEMA], "userName": uniq("bulk")}},
                    {"method": "POST", "path": "/Groups", "bulkId": "g1", "data": {"schemas": [scim::GROUP_SCHEMA], "displayName": "BG", "members": [{"value": "bulkId:u1"}]}}
                ]}))
                .await;
            r.body["Operations"][1]["status"].to_string()
        }
        "bulk-fail-on-errors-ignored" => {
            let r = t
                .post("/Bulk", json!({"schemas": [scim::BULK_REQUEST], "failOnErrors": 1, "Operations": [
                    {"method": "DELETE", "path": "/Users/no-such-id"},
                    {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {"schemas": [scim::USER_SCHEMA], "userName": uniq("bulk")}}
                ]}))
                .await;
            r.count("Operations")
        }
        "bulk-status-integer" => {
            let r = t
                .post(
                    "/Bulk",
                    json!({"schemas": [scim::BULK_REQUEST], "Operations": [
                        {"method": "DELETE", "path": "/Users/no-such-id"}
                    ]}),
                )
                .await;
            r.body["Operations"][0]["status"].is_string().to_string()
        }
        "bulk-max-operations-ignored" => {
            let ops: Vec<Value> = (0..1001)
                .map(|_| json!({"method": "DELETE", "path": "/Users/none"}))
                .collect();
            t.post(
                "/Bulk",
                json!({"schemas": [scim::BULK_REQUEST], "Operations": ops}),
            )
            .await
            .status
            .to_string()
        }
        "error-not-scim-schema" => t
            .get("/Users/nope")
            .await
            .body
            .get("schemas")
            .is_some()
            .to_string(),
        "error-status-integer" => t.get("/Users/nope").await.body["status"]
            .is_string()
            .to_string(),
        "invalid-json-500" => t
            .raw(Method::POST, "/Users", "{\"schemas\":[", None)
            .await
            .status
            .to_string(),
        "unknown-endpoint-html" => t
            .get("/NoSuchEndpoint")
            .await
            .header("content-type")
            .unwrap_or_default(),
        "missing-auth-on-groups" => t
            .send(Method::GET, "/Groups", None, &[], None)
            .await
            .status
            .to_string(),
        "auth-wrong-token-accepted" => t
            .send(Method::GET, "/Users", None, &[], Some("wrong"))
            .await
            .status
            .to_string(),
        "www-authenticate-missing" => t
            .send(Method::GET, "/Users", None, &[], None)
            .await
            .header("www-authenticate")
            .is_some()
            .to_string(),
        "service-provider-config-wrong" => t
            .get("/ServiceProviderConfig")
            .await
            .body
            .get("authenticationSchemes")
            .is_some()
            .to_string(),
        "schemas-endpoint-incomplete" => t.get("/Schemas").await.body["Resources"][0]["attributes"]
            [0]
        .get("multiValued")
        .is_some()
        .to_string(),
        "resource-types-missing-endpoint" => t
            .get("/ResourceTypes/User")
            .await
            .body
            .get("endpoint")
            .is_some()
            .to_string(),
        "message-schemas-exposed" => t.get("/Schemas").await.body["totalResults"].to_string(),
        "discovery-filter-accepted" => t
            .get(&format!("/Schemas?filter={}", filter_q("id pr")))
            .await
            .status
            .to_string(),
        "me-returns-404" => t.get("/Me").await.status.to_string(),
        "deactivate-deletes" => {
            let id = t.user_id(json!({"active": true})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "active", "value": false}]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.status.to_string()
        }
        "deactivated-hidden-from-list" => {
            let r = t.user(json!({"active": true})).await;
            let id = r.body["id"].as_str().unwrap();
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "active", "value": false}]),
            )
            .await;
            let f = filter_q(&format!(
                "userName eq \"{}\"",
                r.body["userName"].as_str().unwrap()
            ));
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "member-role-default-resets" => {
            let id = t.user_id(json!({"loomMemberRole": "creator"})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "loomMemberRole", "value": "default"}]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.body["loomEffectiveRole"].to_string()
        }
        "member-role-in-extension" => {
            t.user(json!({"loomMemberRole": "viewer"})).await.body["loomMemberRole"].to_string()
        }
        "looop-extension-dropped-on-put" => {
            let r = t
                .user(json!({scim::LOOOP_USER_SCHEMA: {"area": "EMEA"}}))
                .await;
            let id = r.body["id"].as_str().unwrap();
            t.put(&format!("/Users/{id}"), json!({"schemas": [scim::USER_SCHEMA, scim::LOOOP_USER_SCHEMA], "userName": r.body["userName"], scim::LOOOP_USER_SCHEMA: {"area": "APAC"}})).await;
            t.get(&format!("/Users/{id}")).await.body[scim::LOOOP_USER_SCHEMA]["area"].to_string()
        }
        "looop-extension-not-advertised" => {
            t.get("/ResourceTypes/User").await.count("schemaExtensions")
        }
        "looop-extension-urn-patch-rejected" => t
            .patch_new_user(json!([{"op": "replace", "path": format!("{}:area", scim::LOOOP_USER_SCHEMA), "value": "A"}]))
            .await
            .status
            .to_string(),
        "me-redirect-302" => t.get("/Me").await.status.to_string(),
        "spc-booleans-as-strings" => {
            t.get("/ServiceProviderConfig").await.body["patch"]["supported"]
                .is_boolean()
                .to_string()
        }
        "spc-limits-missing" => t.get("/ServiceProviderConfig").await.body["bulk"]
            .get("maxOperations")
            .is_some()
            .to_string(),
        "spc-etag-missing" => t
            .get("/ServiceProviderConfig")
            .await
            .body
            .get("etag")
            .is_some()
            .to_string(),
        "discovery-requires-auth" => t
            .send(Method::GET, "/ServiceProviderConfig", None, &[], None)
            .await
            .status
            .to_string(),
        "discovery-schemas-attribute-missing" => t
            .get("/ResourceTypes/User")
            .await
            .body
            .get("schemas")
            .is_some()
            .to_string(),
        "discovery-any-method-200" => t
            .delete(&format!("/Schemas/{}", scim::USER_SCHEMA))
            .await
            .status
            .to_string(),
        "discovery-paging-honoured" => t
            .get("/Schemas?startIndex=2&count=1")
            .await
            .count("Resources"),
        "schemas-endpoint-missing" => t.get("/Schemas").await.status.to_string(),
        "schema-by-id-404" => t
            .get(&format!("/Schemas/{}", scim::USER_SCHEMA))
            .await
            .status
            .to_string(),
        "schema-ids-not-urns" => t.get("/Schemas").await.body["Resources"][0]["id"].to_string(),
        "schemas-endpoint-user-only" | "extension-redefines-core" => {
            t.get("/Schemas").await.body["totalResults"].to_string()
        }
        "schema-keywords-enum-names"
        | "schema-subattributes-omitted"
        | "schema-multivalued-typed-string"
        | "schema-nested-complex"
        | "schema-subattribute-names-dotted" => {
            t.get(&format!("/Schemas/{}", scim::USER_SCHEMA)).await.body["attributes"].to_string()
        }
        "resource-type-description-missing" => t
            .get("/ResourceTypes/User")
            .await
            .body
            .get("description")
            .is_some()
            .to_string(),
        "schema-extensions-as-strings" | "enterprise-not-in-resource-type" => {
            t.get("/ResourceTypes/User").await.body["schemaExtensions"].to_string()
        }
        "bulk-unsupported-still-processed" => {
            t.get("/ServiceProviderConfig").await.body["bulk"]["supported"].to_string()
        }
        "patch-unsupported-still-processed" => {
            t.get("/ServiceProviderConfig").await.body["patch"]["supported"].to_string()
        }
        "version-segment-ignored" => t.get("/../v99/Users").await.status.to_string(),
        "invalid-json-500-no-detail" => {
            let r = t
                .raw(
                    Method::POST,
                    "/Users",
                    "{\"userName\": ",
                    Some(scim::MEDIA_TYPE),
                )
                .await;
            format!("{} {}", r.status, r.body)
        }
        "filter-pr-multivalued-never-matches" => {
            let u = uniq("pr");
            t.user(json!({"userName": u, "emails": [{"value": "pr@example.org"}]}))
                .await;
            let f = filter_q(&format!("userName eq \"{u}\" and emails pr"));
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "start-index-beyond-total-returns-all" => {
            let u = uniq("si");
            t.user(json!({"userName": u})).await;
            let f = filter_q(&format!("userName eq \"{u}\""));
            t.get(&format!("/Users?filter={f}&startIndex=5")).await.body["Resources"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
        }
        "attributes-drop-schemas" => {
            let id = t.user_id(json!({})).await;
            t.get(&format!("/Users/{id}?attributes=userName"))
                .await
                .body
                .get("schemas")
                .is_some()
                .to_string()
        }
        "filter-username-co-as-eq" => {
            let u = uniq("coeq");
            t.user(json!({"userName": u})).await;
            let inner = &u[1..u.len() - 1];
            let f = filter_q(&format!("userName co \"{inner}\""));
            t.get(&format!("/Users?filter={f}")).await.body["totalResults"].to_string()
        }
        "last-modified-never-changes" => {
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
        "patch-core-urn-value-path-unsupported" => {
            let id = t
                .user_id(json!({"emails": [{"value": "w@example.com", "type": "work"}]}))
                .await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": format!("{}:emails[type eq \"work\"].value", scim::USER_SCHEMA), "value": "v@example.com"}]),
            )
            .await
            .status
            .to_string()
        }
        "delete-twice-204" => {
            let id = t.user_id(json!({})).await;
            t.delete(&format!("/Users/{id}")).await;
            t.delete(&format!("/Users/{id}")).await.status.to_string()
        }
        "member-readd-with-ref-duplicates" => {
            let a = t.user_id(json!({})).await;
            let r = t
                .post(
                    "/Groups",
                    json!({"schemas": [scim::GROUP_SCHEMA], "displayName": uniq("g"), "members": [{"value": a, "$ref": format!("{}/Users/{a}", t.base)}]}),
                )
                .await;
            let g = r.body["id"].as_str().unwrap().to_string();
            let r = t
                .patch(
                    &format!("/Groups/{g}"),
                    json!([{"op": "add", "path": "members", "value": [{"value": a}]}]),
                )
                .await;
            r.body["members"].as_array().map_or(0, Vec::len).to_string()
        }
        "patch-no-path-string-boolean-500" => {
            let id = t.user_id(json!({"active": false})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "add", "value": {"active": "True"}}]),
            )
            .await
            .status
            .to_string()
        }
        _ => return None,
    })
}

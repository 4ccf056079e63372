//! Fault probes for the second block of the catalog (`defects.rs`): value forms, ids and
//! metadata, feature flags, vendor and IdP behaviour.

use super::*;

async fn user_body(t: &T, extra: Value) -> Value {
    t.user(extra).await.body
}

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "auth-missing-token-accepted" => t
            .send(Method::GET, "/Users", None, &[], None)
            .await
            .status
            .to_string(),
        "looop-optional-attributes-dropped" => {
            user_body(t, json!({"title": "Engineer"})).await["title"].to_string()
        }
        "looop-email-primary-dropped" | "primary-as-string" => {
            user_body(t, json!({"emails": [{"value": "a@example.com", "primary": true}]})).await
                ["emails"][0]["primary"]
                .to_string()
        }
        "looop-patch-subattribute-ignored" => t
            .patch_new_user(
                json!([{"op": "replace", "path": "name.givenName", "value": "Janet"}]),
            )
            .await
            .body["name"]["givenName"]
            .to_string(),
        "loom-validation-errors-500" => t
            .post(
                "/Users",
                json!({"schemas": [scim::USER_SCHEMA], "userName": "not-an-email"}),
            )
            .await
            .status
            .to_string(),
        "loom-created-inactive" => user_body(t, json!({"active": true})).await["active"].to_string(),
        "loom-externalid-dropped" => {
            user_body(t, json!({"externalId": "ext-1"})).await["externalId"].to_string()
        }
        "loom-externalid-resolves-as-id" => {
            let ext = format!("ext-{}", uniq("x"));
            t.user_id(json!({"externalId": ext})).await;
            t.get(&format!("/Users/{ext}")).await.status.to_string()
        }
        "loom-photos-dropped" => {
            user_body(t, json!({"photos": [{"value": "https://img.example.com/a.png"}]})).await
                ["photos"]
                .to_string()
        }
        "loom-role-groups-refused" => t
            .post(
                "/Groups",
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": format!("Loom Admins {}", uniq("g"))}),
            )
            .await
            .status
            .to_string(),
        "loom-username-email-duplicated" => {
            let name = uniq("d");
            let b = user_body(t, json!({"userName": name, "emails": [{"value": name}]})).await;
            b["emails"].as_array().map_or(0, Vec::len).to_string()
        }
        "loom-unpaged-list-truncated" => {
            for _ in 0..3 {
                t.user_id(json!({})).await;
            }
            let r = t.get("/Users").await;
            format!("{} of {}", r.count("Resources"), r.body["itemsPerPage"])
        }
        "loom-members-by-username" => {
            let u = t.user_id(json!({})).await;
            let g = t.group(&[&u]).await;
            (t.get(&format!("/Groups/{g}")).await.body["members"][0]["value"] == u.as_str())
                .to_string()
        }
        "primary-defaulted-true" => {
            user_body(t, json!({"emails": [{"value": "a@example.com"}]})).await["emails"][0]
                ["primary"]
                .to_string()
        }
        "numeric-strings-as-numbers" => {
            user_body(t, json!({"displayName": "12345"})).await["displayName"].to_string()
        }
        "binary-base64url" => {
            user_body(t, json!({"x509Certificates": [{"value": "ab+/cd=="}]})).await
                ["x509Certificates"][0]["value"]
                .to_string()
        }
        "schemas-after-username-refused" => t
            .raw(
                Method::POST,
                "/Users",
                &format!(
                    r#"{{"userName": "{}", "schemas": ["{}"]}}"#,
                    uniq("k"),
                    scim::USER_SCHEMA
                ),
                Some("application/scim+json"),
            )
            .await
            .status
            .to_string(),
        "attributes-param-case-sensitive" => {
            let id = t.user_id(json!({})).await;
            t.get(&format!("/Users/{id}?attributes=USERNAME"))
                .await
                .body
                .get("userName")
                .is_some()
                .to_string()
        }
        "phone-numbers-single-object" => {
            user_body(t, json!({"phoneNumbers": [{"value": "+1-201-555-0123"}]})).await
                ["phoneNumbers"]
                .is_array()
                .to_string()
        }
        "phone-type-dropped" => {
            user_body(
                t,
                json!({"phoneNumbers": [{"value": "+1-201-555-0123", "type": "work"}]}),
            )
            .await["phoneNumbers"][0]["type"]
                .to_string()
        }
        "externalid-lowercased" => {
            user_body(t, json!({"externalId": "AbC"})).await["externalId"].to_string()
        }
        "ids-derived-from-username" => {
            let name = uniq("r");
            let body = json!({"schemas": [scim::USER_SCHEMA], "userName": name});
            let a = t.post("/Users", body.clone()).await.body["id"].clone();
            let a = a.as_str().unwrap_or_default().to_string();
            t.delete(&format!("/Users/{a}")).await;
            (t.post("/Users", body).await.body["id"] == a.as_str()).to_string()
        }
        "patch-id-writable" => {
            let id = t.user_id(json!({})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "id", "value": "moved"}]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.status.to_string()
        }
        "last-modified-after-created" => {
            let b = user_body(t, json!({})).await;
            (b["meta"]["created"] == b["meta"]["lastModified"]).to_string()
        }
        "address-country-alpha3" => {
            user_body(t, json!({"addresses": [{"country": "SE"}]})).await["addresses"][0]
                ["country"]
                .to_string()
        }
        "name-formatted-overwritten" => {
            user_body(
                t,
                json!({"name": {"givenName": "B", "familyName": "J", "formatted": "B J"}}),
            )
            .await["name"]["formatted"]
                .to_string()
        }
        "members-type-lowercase" => {
            let u = t.user_id(json!({})).await;
            let g = t.group(&[&u]).await;
            t.get(&format!("/Groups/{g}")).await.body["members"][0]["type"].to_string()
        }
        "spc-filter-maxresults-ignored" => {
            t.get("/ServiceProviderConfig").await.body["filter"]["maxResults"].to_string()
        }
        "sort-claimed-not-implemented" => t
            .get("/Users?sortBy=userName")
            .await
            .status
            .to_string(),
        "bulk-claimed-not-implemented" => t
            .post(
                "/Bulk",
                json!({"schemas": [scim::BULK_REQUEST], "Operations": []}),
            )
            .await
            .status
            .to_string(),
        "patch-claimed-not-implemented" => t
            .patch_new_user(json!([{"op": "replace", "path": "active", "value": false}]))
            .await
            .status
            .to_string(),
        "filter-claimed-not-implemented" => t
            .get(&format!("/Users?filter={}", filter_q("userName eq \"x\"")))
            .await
            .status
            .to_string(),
        "resource-type-by-id-name-missing" => {
            t.get("/ResourceTypes/User").await.body["name"].to_string()
        }
        "username-html-escaped" => {
            let name = format!("o'brien-{}", uniq("h"));
            (user_body(t, json!({"userName": name})).await["userName"] == name.as_str()).to_string()
        }
        "error-echoes-request-body" => {
            let body = json!({"schemas": [scim::USER_SCHEMA], "userName": uniq("p"), "password": "Secret-1"});
            t.post("/Users", body.clone()).await;
            let r = t.post("/Users", body).await;
            r.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("Secret-1")
                .to_string()
        }
        "accept-scim-json-only-406" => t
            .send(
                Method::GET,
                "/Users",
                None,
                &[("Accept", "application/scim+json")],
                Some(TOKEN),
            )
            .await
            .status
            .to_string(),
        "empty-filter-result-204" => t
            .get(&format!("/Users?filter={}", filter_q("userName eq \"nobody\"")))
            .await
            .status
            .to_string(),
        "patch-member-display-rejected" => {
            let u = t.user_id(json!({})).await;
            let g = t.group(&[]).await;
            t.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "add", "path": "members", "value": [{"value": u, "display": "U"}]}]),
            )
            .await
            .status
            .to_string()
        }
        "get-with-password-500" => {
            let id = t.user_id(json!({"password": "Secret-1"})).await;
            t.get(&format!("/Users/{id}")).await.status.to_string()
        }
        "entra-value-path-sub-attribute-refused" => t
            .get(&format!(
                "/Users?filter={}",
                filter_q("emails[type eq \"work\"].value eq \"x@example.com\"")
            ))
            .await
            .status
            .to_string(),
        "entra-manager-array-refused" => {
            let m = t.user_id(json!({})).await;
            t.patch_new_user(json!([{"op": "Add", "path": "manager", "value": [{"value": m}]}]))
                .await
                .status
                .to_string()
        }
        _ => return None,
    })
}

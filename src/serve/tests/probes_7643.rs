//! Fault probes for the RFC 7643 block of the catalog (`defects_7643.rs`): schema declarations,
//! ids and metadata, and what a write keeps.

use super::*;

/// The definition of a User attribute as /Schemas declares it.
async fn user_attr(t: &T, name: &str) -> Value {
    let s = t.get(&format!("/Schemas/{}", scim::USER_SCHEMA)).await;
    s.body["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == name).cloned())
        .unwrap_or(Value::Null)
}

/// A PUT of a fresh user's userName plus `extra`, read back.
async fn put_user(t: &T, create: Value, extra: Value) -> Value {
    let r = t.user(create).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let mut body = json!({"schemas": [scim::USER_SCHEMA], "userName": r.body["userName"]});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    t.put(&format!("/Users/{id}"), body).await;
    t.get(&format!("/Users/{id}")).await.body
}

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "put-displayname-ignored" => put_user(
            t,
            json!({"displayName": "A"}),
            json!({"displayName": "B"}),
        )
        .await["displayName"]
            .to_string(),
        "externalid-immutable" => {
            put_user(t, json!({"externalId": "A"}), json!({"externalId": "B"})).await["externalId"]
                .to_string()
        }
        "put-active-as-string" => put_user(t, json!({"active": true}), json!({"active": false}))
            .await["active"]
            .to_string(),
        "schemas-first-uri-only" => {
            let r = t
                .post(
                    "/Users",
                    json!({"schemas": [scim::ENTERPRISE_USER_SCHEMA, scim::USER_SCHEMA],
                        "userName": uniq("o"), scim::ENTERPRISE_USER_SCHEMA: {"employeeNumber": "7"}}),
                )
                .await;
            r.body[scim::ENTERPRISE_USER_SCHEMA]["employeeNumber"].to_string()
        }
        "schemas-internal-extension-listed" => {
            let g = t.group(&[]).await;
            t.get(&format!("/Groups/{g}")).await.body["schemas"].to_string()
        }
        "patch-recreates-resource" => {
            let id = t.user_id(json!({})).await;
            let r = t
                .patch(
                    &format!("/Users/{id}"),
                    json!([{"op": "replace", "path": "active", "value": false}]),
                )
                .await;
            (r.body["id"] == id.as_str()).to_string()
        }
        "id-from-externalid" => {
            let a = t.user_id(json!({})).await;
            let b = t.user_id(json!({})).await;
            (a == b).to_string()
        }
        "client-meta-kept" => t
            .user(json!({"meta": {"created": "2000-01-01T00:00:00Z"}}))
            .await
            .body["meta"]["created"]
            .to_string(),
        "meta-location-collection" => {
            let r = t.user(json!({})).await;
            let id = r.body["id"].as_str().unwrap_or_default().to_string();
            r.body["meta"]["location"]
                .as_str()
                .is_some_and(|l| l.ends_with(&id))
                .to_string()
        }
        "meta-resourcetype-schema-uri" => {
            t.user(json!({})).await.body["meta"]["resourceType"].to_string()
        }
        "schema-groups-readwrite" => user_attr(t, "groups").await["mutability"].to_string(),
        "schema-password-returned-default" => {
            user_attr(t, "password").await["returned"].to_string()
        }
        "schema-photos-value-string" => {
            user_attr(t, "photos").await["subAttributes"][0]["type"].to_string()
        }
        "schema-username-caseexact" => user_attr(t, "userName").await["caseExact"].to_string(),
        "schema-attribute-descriptions-missing" => user_attr(t, "userName").await["description"]
            .is_string()
            .to_string(),
        "member-value-patchable" => {
            let a = t.user_id(json!({})).await;
            let b = t.user_id(json!({})).await;
            let g = t.group(&[&a]).await;
            let path = format!("members[value eq \"{a}\"].value");
            t.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "replace", "path": path, "value": b}]),
            )
            .await;
            t.get(&format!("/Groups/{g}")).await.body["members"][0]["value"].to_string()
        }
        "filter-string-concatenated" => {
            t.user_id(json!({})).await;
            t.get(&format!(
                "/Users?filter={}",
                filter_q(r#"userName eq "x\" or \"1\"=\"1""#)
            ))
            .await
            .body["totalResults"]
                .to_string()
        }
        _ => return None,
    })
}

//! Fault probes for the vendor block of the catalog (`vendor.rs`): Loom and Looop defects.

use super::*;

const LOOOP_EXT: &str = "urn:ietf:params:scim:schemas:extension:Looop:2.0:User";

/// A user carrying the Looop extension object `ext`.
async fn looop_user(t: &T, ext: Value) -> Resp {
    t.user(json!({"schemas": [scim::USER_SCHEMA, LOOOP_EXT], LOOOP_EXT: ext}))
        .await
}

/// A whole-user PUT of a fresh user with `extra` attributes, then the user as GET shows it.
async fn put_new_user(t: &T, extra: Value) -> Value {
    let created = t.user(json!({})).await.body;
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let mut body = json!({"schemas": [scim::USER_SCHEMA], "userName": created["userName"]});
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
        "loom-name-patch-replaces-name" => {
            let id = t
                .user_id(json!({"name": {"givenName": "Jane", "familyName": "Doe"}}))
                .await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "name.familyName", "value": "Smith"}]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.body["name"]["givenName"].to_string()
        }
        "bearer-token-decoded-as-jwt" | "looop-scim-root-without-v2" => {
            t.get("/Users").await.status.to_string()
        }
        "loom-group-create-202" => t
            .post(
                "/Groups",
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": uniq("Loom Creators ")}),
            )
            .await
            .status
            .to_string(),
        "loom-empty-groups-unlisted" => {
            t.group(&[]).await;
            t.get("/Groups").await.body["totalResults"].to_string()
        }
        "loom-member-role-admin-refused" => t
            .user(json!({"loomMemberRole": "admin"}))
            .await
            .status
            .to_string(),
        "loom-member-role-required" | "loom-scim-json-415" => {
            t.user(json!({})).await.status.to_string()
        }
        "loom-default-role-creator" => {
            let id = t.user_id(json!({"loomMemberRole": "default"})).await;
            t.get(&format!("/Users/{id}")).await.body["loomEffectiveRole"].to_string()
        }
        "create-returns-id-only" => t.user(json!({})).await.body["userName"].to_string(),
        "loom-username-filter-reads-emails" => {
            let user = t.user(json!({})).await.body;
            let name = user["userName"].as_str().unwrap_or_default();
            t.get(&format!(
                "/Users?filter={}",
                filter_q(&format!("userName eq \"{name}\""))
            ))
            .await
            .body["totalResults"]
                .to_string()
        }
        "loom-new-users-unlisted" => {
            t.user_id(json!({})).await;
            t.get("/Users").await.body["totalResults"].to_string()
        }
        "looop-group-list-without-members" => {
            let uid = t.user_id(json!({})).await;
            t.group(&[&uid]).await;
            t.get("/Groups").await.body["Resources"][0]["members"].to_string()
        }
        "looop-group-create-members-ignored" => {
            let uid = t.user_id(json!({})).await;
            let gid = t.group(&[&uid]).await;
            t.get(&format!("/Groups/{gid}")).await.count("members")
        }
        "looop-group-put-members-merged" | "looop-group-rename-ignored" => {
            let (u1, u2) = (t.user_id(json!({})).await, t.user_id(json!({})).await);
            let gid = t.group(&[&u1]).await;
            let path = format!("/Groups/{gid}");
            t.put(
                &path,
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": "renamed", "members": [{"value": u2}]}),
            )
            .await;
            let g = t.get(&path).await;
            format!("{} {}", g.body["displayName"], g.count("members"))
        }
        "looop-pathless-extension-replaced" => {
            let id = looop_user(t, json!({"area": "EMEA", "location": "London"}))
                .await
                .body["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let path = format!("/Users/{id}");
            t.patch(
                &path,
                json!([{"op": "replace", "value": {LOOOP_EXT: {"area": "APAC"}}}]),
            )
            .await;
            t.get(&path).await.body[LOOOP_EXT].to_string()
        }
        "looop-put-only-active-applied" => {
            put_new_user(t, json!({"title": "Manager"})).await["title"].to_string()
        }
        "looop-put-active-ignored" => {
            put_new_user(t, json!({"active": false})).await["active"].to_string()
        }
        "looop-list-start-index-zero-based" => {
            t.get("/Users?startIndex=1").await.body["startIndex"].to_string()
        }
        "looop-extension-object-ignored" => {
            looop_user(t, json!({"area": "EMEA"})).await.body[LOOOP_EXT].to_string()
        }
        _ => return None,
    })
}

//! Fault probes for the IdP block of the catalog (`idp.rs`): what Okta and Entra rely on.

use super::*;

/// A fresh group with two fresh members: (group, first member, second member).
async fn group_of_two(t: &T) -> (String, String, String) {
    let u1 = t.user_id(json!({})).await;
    let u2 = t.user_id(json!({})).await;
    let g = t.group(&[&u1, &u2]).await;
    (g, u1, u2)
}

async fn user_after_patch(t: &T, extra: Value, ops: Value) -> Value {
    let id = t.user_id(extra).await;
    t.patch(&format!("/Users/{id}"), ops).await;
    t.get(&format!("/Users/{id}")).await.body
}

async fn group_after_patch(t: &T, ops: impl Fn(&str, &str) -> Value) -> Value {
    let (g, u1, u2) = group_of_two(t).await;
    t.patch(&format!("/Groups/{g}"), ops(&u1, &u2)).await;
    t.get(&format!("/Groups/{g}")).await.body
}

/// PUT of a fresh user with `body` (plus its schemas, id and userName); the stored user after.
async fn user_after_put(t: &T, extra: Value, body: Value) -> Resp {
    let r = t.user(extra).await;
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let mut b = json!({"schemas": [scim::USER_SCHEMA], "id": id, "userName": r.body["userName"]});
    if let (Some(o), Some(e)) = (b.as_object_mut(), body.as_object()) {
        o.extend(e.clone());
    }
    let put = t.put(&format!("/Users/{id}"), b).await;
    if put.status != 200 {
        return put;
    }
    t.get(&format!("/Users/{id}")).await
}

pub(super) async fn probe(name: &str, t: &T) -> Option<String> {
    Some(match name {
        "count-over-50-refused" => t.get("/Users?count=100").await.status.to_string(),
        "page-order-depends-on-count" => {
            t.user_id(json!({})).await;
            t.user_id(json!({})).await;
            let two = t.get("/Users?startIndex=1&count=2").await;
            let three = t.get("/Users?startIndex=1&count=3").await;
            (names(&two, "id").first() == names(&three, "id").first()).to_string()
        }
        "create-accepted-202" => t.user(json!({})).await.status.to_string(),
        "group-create-accepted-202" => t
            .post(
                "/Groups",
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": uniq("g")}),
            )
            .await
            .status
            .to_string(),
        "group-extension-schema-refused" => t
            .post(
                "/Groups",
                json!({"schemas": [scim::GROUP_SCHEMA, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], "displayName": uniq("g")}),
            )
            .await
            .status
            .to_string(),
        "empty-filter-result-404" => {
            let f = filter_q(&format!("userName eq \"{}\"", uniq("nobody")));
            t.get(&format!("/Users?filter={f}")).await.status.to_string()
        }
        "filter-index-lag" => {
            let r = t.user(json!({})).await;
            let f = filter_q(&format!(
                "userName eq \"{}\"",
                r.body["userName"].as_str().unwrap_or_default()
            ));
            t.get(&format!("/Users?filter={f}"))
                .await
                .body["totalResults"]
                .to_string()
        }
        "members-remove-filter-ignored" => group_after_patch(t, |u1, _| {
            json!([{"op": "remove", "path": format!("members[value eq \"{u1}\"]")}])
        })
        .await["members"]
            .as_array()
            .map_or(0, Vec::len)
            .to_string(),
        "members-add-first-only" => {
            let u1 = t.user_id(json!({})).await;
            let u2 = t.user_id(json!({})).await;
            let g = t.group(&[]).await;
            t.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "Add", "path": "members", "value": [{"value": u1}, {"value": u2}]}]),
            )
            .await;
            t.get(&format!("/Groups/{g}")).await.count("members")
        }
        "group-patch-displayname-ignored" => {
            group_after_patch(t, |_, _| {
                json!([{"op": "Replace", "path": "displayName", "value": "Renamed"}])
            })
            .await["displayName"]
                .to_string()
        }
        "group-put-unchanged" => {
            let g = t.group(&[]).await;
            t.put(
                &format!("/Groups/{g}"),
                json!({"schemas": [scim::GROUP_SCHEMA], "id": g, "displayName": "Put name"}),
            )
            .await
            .body["displayName"]
                .to_string()
        }
        "patch-active-path-ignored" => user_after_patch(
            t,
            json!({"active": true}),
            json!([{"op": "Replace", "path": "active", "value": false}]),
        )
        .await["active"]
            .to_string(),
        "patch-username-ignored" => {
            let to = format!("{}@example.com", uniq("renamed"));
            let b = user_after_patch(
                t,
                json!({}),
                json!([{"op": "Replace", "path": "userName", "value": to}]),
            )
            .await;
            (b["userName"] == to.as_str()).to_string()
        }
        "reactivation-ignored" => user_after_patch(
            t,
            json!({"active": false}),
            json!([{"op": "replace", "value": {"active": true}}]),
        )
        .await["active"]
            .to_string(),
        "pathless-dotted-keys-ignored" => user_after_patch(
            t,
            json!({}),
            json!([{"op": "replace", "value": {"name.givenName": "Janet"}}]),
        )
        .await["name"]["givenName"]
            .to_string(),
        "patch-urn-path-ignored" => user_after_patch(
            t,
            json!({}),
            json!([{"op": "Add", "path": format!("{}:department", scim::ENTERPRISE_USER_SCHEMA), "value": "Sales"}]),
        )
        .await[scim::ENTERPRISE_USER_SCHEMA]["department"]
            .to_string(),
        "patch-filtered-value-appends" => user_after_patch(
            t,
            json!({"emails": [{"type": "work", "value": "a@example.com"}]}),
            json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "b@example.com"}]),
        )
        .await["emails"]
            .as_array()
            .map_or(0, Vec::len)
            .to_string(),
        "put-active-dropped" => {
            user_after_put(t, json!({"active": true}), json!({"active": false}))
                .await
                .body["active"]
                .to_string()
        }
        "put-name-dropped" => {
            user_after_put(t, json!({}), json!({"displayName": "Janet"}))
                .await
                .body["displayName"]
                .to_string()
        }
        "put-unknown-attribute-400" => {
            user_after_put(t, json!({}), json!({"costCenter": "CC-1"}))
                .await
                .status
                .to_string()
        }
        "create-duplicate-returns-existing" => {
            let name = format!("{}@example.com", uniq("dup"));
            t.user_id(json!({"userName": name})).await;
            t.user(json!({"userName": name})).await.status.to_string()
        }
        "delete-only-deactivates" => {
            let id = t.user_id(json!({})).await;
            t.delete(&format!("/Users/{id}")).await;
            t.get(&format!("/Users/{id}")).await.status.to_string()
        }
        _ => return None,
    })
}

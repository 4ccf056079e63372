//! A healthy server: PATCH, groups and membership, bulk, and the Loom and Looop flavours.

use super::*;

#[tokio::test]
async fn healthy_patch() {
    let t = T::new(Flavour::Core, &[]).await;
    let r = t.user(json!({"name": {"givenName": "G", "familyName": "F"}, "title": "A",
        "emails": [{"value": "work@example.com", "type": "work", "primary": true, "display": "D"}, {"value": "home@x.org", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "S1", "locality": "L"}, {"type": "home", "streetAddress": "H"}]})).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let u = format!("/Users/{id}");
    let p = t.patch(&u, json!([
        {"op": "add", "path": "title", "value": "B"},
        {"op": "replace", "path": "name", "value": {"givenName": "H"}},
        {"op": "replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway"},
        {"op": "remove", "path": "emails[type eq \"work\"].display"},
        {"op": "add", "value": {"emails": [{"value": "n@x.org", "type": "other"}], "nickName": "Babs"}},
        {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "42"},
        {"op": "replace", "path": "costCenter", "value": "4130"},
        {"op": "replace", "path": "password", "value": "New-Pa55"}
    ])).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let b = &p.body;
    assert_eq!(b["title"], "B");
    assert_eq!(b["name"], json!({"givenName": "H", "familyName": "F"}));
    assert_eq!(
        b["addresses"][0],
        json!({"type": "work", "streetAddress": "1010 Broadway", "locality": "L"})
    );
    assert!(b["emails"][0].get("display").is_none());
    assert_eq!(b["emails"].as_array().unwrap().len(), 3);
    assert_eq!(b["nickName"], "Babs");
    assert_eq!(
        b[scim::ENTERPRISE_USER_SCHEMA],
        json!({"employeeNumber": "42", "costCenter": "4130"})
    );
    assert!(
        b["schemas"]
            .as_array()
            .unwrap()
            .contains(&json!(scim::ENTERPRISE_USER_SCHEMA))
    );
    assert!(b.get("password").is_none());
    let p = t
        .patch(
            &format!("{u}?attributes=displayName"),
            json!([{"op": "replace", "path": "displayName", "value": "X"}]),
        )
        .await;
    let mut keys: Vec<&str> = p
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        (p.status, keys),
        (200, vec!["displayName", "id", "schemas"])
    );
    // Errors leave the resource unchanged.
    let before = t.get(&u).await.body;
    for (ops, status, ty) in [
        (
            json!([{"op": "replace", "path": "displayName", "value": "new"}, {"op": "replace", "path": "id", "value": "x"}]),
            400,
            "mutability",
        ),
        (json!([{"op": "remove", "path": "meta"}]), 400, "mutability"),
        (
            json!([{"op": "replace", "path": "emails[type eq \"nonexistent-type\"].value", "value": "x"}]),
            400,
            "noTarget",
        ),
        (
            json!([{"op": "replace", "path": "emails[0].value", "value": "x"}]),
            400,
            "invalidPath",
        ),
        (
            json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}]),
            400,
            "mutability",
        ),
    ] {
        let r = t.patch(&u, ops.clone()).await;
        assert_eq!(
            (r.status, r.body["scimType"].as_str()),
            (status, Some(ty)),
            "{ops}"
        );
    }
    let r = t
        .req(
            Method::PATCH,
            &u,
            Some(json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]})),
        )
        .await;
    assert_eq!(r.body["scimType"], "invalidSyntax");
    assert_eq!(t.get(&u).await.body, before);
    // Uniqueness on PATCH.
    let other = t.user(json!({})).await;
    let r = t.patch(&u, json!([{"op": "replace", "path": "userName", "value": other.body["userName"].as_str().unwrap().to_uppercase()}])).await;
    assert_eq!(r.status, 409);
    // Okta and Entra shapes.
    let r = t
        .patch(&u, json!([{"op": "replace", "value": {"active": false}}]))
        .await;
    assert_eq!(r.body["active"], false);
    let r = t.patch(&u, json!([{"op": "Replace", "path": "active", "value": "True"},
        {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "w2@example.com"},
        {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": other.body["id"].clone()}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["active"], true);
    assert_eq!(r.body["emails"][0]["value"], "w2@example.com");
    assert_eq!(
        r.body[scim::ENTERPRISE_USER_SCHEMA]["manager"]["value"],
        other.body["id"]
    );
    assert_eq!(
        r.body[scim::ENTERPRISE_USER_SCHEMA]["manager"]["displayName"],
        other.body["userName"]
    );
}

#[tokio::test]
async fn healthy_groups_and_membership() {
    let t = T::new(Flavour::Core, &[]).await;
    let u1 = t.user_id(json!({})).await;
    let u2 = t.user_id(json!({})).await;
    let g = t.group(&[&u1]).await;
    let inner = t.group(&[]).await;
    let gp = format!("/Groups/{g}");
    let r = t.patch(&gp, json!([{"op": "add", "path": "members", "value": [{"value": u2, "display": "U2"}, {"value": u1}, {"value": inner}]}])).await;
    assert_eq!(r.body["members"].as_array().unwrap().len(), 3);
    let types: Vec<&str> = r.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["User", "User", "Group"]);
    let lm = r.body["meta"]["lastModified"].clone();
    let r = t
        .patch(
            &gp,
            json!([{"op": "add", "path": "members", "value": [{"value": u1}]}]),
        )
        .await;
    assert_eq!(r.body["meta"]["lastModified"], lm);
    let u = t.get(&format!("/Users/{u1}")).await;
    assert_eq!(u.body["groups"][0]["value"], g.as_str());
    assert_eq!(u.body["groups"][0]["type"], "direct");
    let r = t
        .get(&format!(
            "/Groups?filter={}&excludedAttributes=members",
            filter_q(&format!("id eq \"{g}\""))
        ))
        .await;
    assert!(r.body["Resources"][0].get("members").is_none());
    let r = t.patch(&gp, json!([{"op": "remove", "path": format!("members[value eq \"{u1}\"]")}, {"op": "remove", "path": "members[value eq \"u9\"]"}])).await;
    assert_eq!(r.body["members"].as_array().unwrap().len(), 2);
    let r = t.post("/Groups", json!({"schemas": [scim::GROUP_SCHEMA], "displayName": "bad", "members": [{"value": "not-a-user"}]})).await;
    assert_eq!(
        (r.status, r.body["scimType"].as_str()),
        (400, Some("invalidValue"))
    );
    let r = t
        .post("/Groups", json!({"schemas": [scim::GROUP_SCHEMA]}))
        .await;
    assert_eq!(
        (r.status, r.body["scimType"].as_str()),
        (400, Some("invalidValue"))
    );
    t.delete(&format!("/Users/{u2}")).await;
    let r = t.get(&gp).await;
    assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
    let r = t.patch(&gp, json!([{"op": "remove", "path": "members"}, {"op": "add", "path": "members", "value": [{"value": u1}]}])).await;
    assert_eq!(r.body["members"][0]["value"], u1.as_str());
}

#[tokio::test]
async fn healthy_bulk() {
    let t = T::new(Flavour::Core, &[]).await;
    let existing = t.user(json!({})).await;
    let eid = existing.body["id"].as_str().unwrap().to_string();
    let r = t
        .post("/Bulk", json!({"schemas": [scim::BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"schemas": [scim::GROUP_SCHEMA], "displayName": "BG", "members": [{"value": "bulkId:a"}]}},
            {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": [scim::USER_SCHEMA], "userName": "alice.bulk@example.com"}},
            {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": [scim::USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA], "userName": "bob.bulk@example.com",
                scim::ENTERPRISE_USER_SCHEMA: {"manager": {"value": "bulkId:a"}}}},
            {"method": "PUT", "path": format!("/Users/{eid}"), "data": {"schemas": [scim::USER_SCHEMA], "userName": existing.body["userName"], "displayName": "A"}},
            {"method": "PATCH", "path": "/Users/bulkId:b", "data": {"schemas": [scim::PATCH_OP], "Operations": [{"op": "replace", "path": "displayName", "value": "B"}]}},
            {"method": "DELETE", "path": format!("/Users/{eid}")},
            {"method": "DELETE", "path": "/Users/missing"},
            {"method": "PUT", "path": "/Users/bulkId:a", "version": "W/\"stale\"", "data": {"schemas": [scim::USER_SCHEMA], "userName": "alice.bulk@example.com"}},
            {"method": "POST", "path": "/Users", "bulkId": "c", "data": {"schemas": [scim::USER_SCHEMA]}}
        ]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["schemas"], json!([scim::BULK_RESPONSE]));
    let ops = r.body["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        vec![
            "201", "201", "200", "200", "204", "404", "412", "400", "201"
        ]
    );
    let by_bulk = |b: &str| {
        ops.iter()
            .find(|o| o["bulkId"] == b && o["method"] == "POST")
            .unwrap()
            .clone()
    };
    let alice = by_bulk("a")["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let gid = by_bulk("g")["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        t.get(&format!("/Groups/{gid}")).await.body["members"][0]["value"],
        alice.as_str()
    );
    let bob = by_bulk("b")["location"].as_str().unwrap().to_string();
    let bob = t.get(&bob).await.body;
    assert_eq!(
        bob[scim::ENTERPRISE_USER_SCHEMA]["manager"]["value"],
        alice.as_str()
    );
    assert_eq!(bob["displayName"], "B");
    assert_eq!(ops[5]["response"]["status"], "404");
    assert!(ops.iter().all(|o| o.get("method").is_some()));
    assert!(r.body.get("failOnErrors").is_none());
    // failOnErrors keeps earlier results and stops.
    let r = t
        .post("/Bulk", json!({"schemas": [scim::BULK_REQUEST], "failOnErrors": 1, "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "x", "data": {"schemas": [scim::USER_SCHEMA], "userName": "x.bulk@example.com"}},
            {"method": "DELETE", "path": "/Users/missing"},
            {"method": "POST", "path": "/Users", "bulkId": "y", "data": {"schemas": [scim::USER_SCHEMA], "userName": "y.bulk@example.com"}}
        ]}))
        .await;
    assert_eq!(r.body["Operations"].as_array().unwrap().len(), 2);
    // Circular references.
    let r = t
        .post("/Bulk", json!({"schemas": [scim::BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Groups", "bulkId": "A", "data": {"schemas": [scim::GROUP_SCHEMA], "displayName": "A", "members": [{"value": "bulkId:B"}]}},
            {"method": "POST", "path": "/Groups", "bulkId": "B", "data": {"schemas": [scim::GROUP_SCHEMA], "displayName": "B", "members": [{"value": "bulkId:A"}]}}
        ]}))
        .await;
    assert!(
        r.body["Operations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == "409")
    );
    // Limits and malformed requests.
    let ops: Vec<Value> = (0..1001)
        .map(|_| json!({"method": "DELETE", "path": "/Users/none"}))
        .collect();
    let r = t
        .post(
            "/Bulk",
            json!({"schemas": [scim::BULK_REQUEST], "Operations": ops}),
        )
        .await;
    assert_eq!(r.status, 413);
    assert!(r.body["detail"].as_str().unwrap().contains("maxOperations"));
    let big = "x".repeat(1_100_000);
    let r = t.post("/Bulk", json!({"schemas": [scim::BULK_REQUEST], "Operations": [{"method": "POST", "path": "/Users", "bulkId": "p", "data": {"schemas": [scim::USER_SCHEMA], "userName": "p@example.com", "displayName": big}}]})).await;
    assert_eq!(r.status, 413);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("maxPayloadSize")
    );
    let r = t
        .post("/Bulk", json!({"schemas": [scim::BULK_REQUEST]}))
        .await;
    assert_eq!(
        (r.status, r.body["scimType"].as_str()),
        (400, Some("invalidSyntax"))
    );
}

#[tokio::test]
async fn healthy_loom() {
    let t = T::new(Flavour::Loom, &[]).await;
    assert!(t.base.ends_with("/directory_01JSCIMSPEC0LOOM"));
    let r = t.user(json!({"userName": "jane-no-email"})).await;
    assert_eq!(
        (r.status, r.body["scimType"].as_str()),
        (400, Some("invalidValue"))
    );
    let r = t.user(json!({"loomMemberRole": "owner"})).await;
    assert_eq!(
        (r.status, r.body["scimType"].as_str()),
        (400, Some("invalidValue"))
    );
    let r = t.user(json!({"active": true})).await;
    assert_eq!(
        (
            r.body["loomMemberRole"].as_str(),
            r.body["loomEffectiveRole"].as_str()
        ),
        (None, Some("viewer"))
    );
    let r = t.user(json!({"loomMemberRole": "creator", "photos": [{"value": "https://img.example.com/p.png", "type": "photo"}]})).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let u = format!("/Users/{id}");
    let p = t.patch(&u, json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:loomMemberRole", "value": "default"}])).await;
    assert_eq!(
        (
            p.body["loomMemberRole"].as_str(),
            p.body["loomEffectiveRole"].as_str()
        ),
        (Some("default"), Some("creator"))
    );
    let p = t
        .patch(
            &u,
            json!([{"op": "replace", "path": "loomMemberRole", "value": "superuser"}]),
        )
        .await;
    assert_eq!(p.status, 400);
    let p = t
        .patch(
            &u,
            json!([{"op": "replace", "path": "loomMemberRole", "value": "admin"}]),
        )
        .await;
    assert_eq!(p.body["loomEffectiveRole"], "admin");
    let p = t
        .patch(
            &u,
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await;
    assert_eq!((p.status, &p.body["active"]), (200, &json!(false)));
    assert_eq!(t.get(&u).await.body["active"], false);
    let f = filter_q(&format!(
        "userName eq \"{}\"",
        r.body["userName"].as_str().unwrap()
    ));
    assert_eq!(
        t.get(&format!("/Users?filter={f}")).await.body["totalResults"],
        1
    );
    let s = t.get(&format!("/Schemas/{}", scim::USER_SCHEMA)).await;
    assert!(
        s.body["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "loomMemberRole")
    );
}

#[tokio::test]
async fn healthy_looop() {
    let t = T::new(Flavour::Looop, &[]).await;
    assert!(t.base.ends_with("/scim/v2"));
    let rt = t.get("/ResourceTypes/User").await;
    assert_eq!(rt.body["schemaExtensions"].as_array().unwrap().len(), 2);
    assert_eq!(
        t.get(&format!("/Schemas/{}", scim::LOOOP_USER_SCHEMA))
            .await
            .status,
        200
    );
    let looop = json!({"area": "EMEA", "department": "Sales", "location": "London", "position": "AM", "custom_1": "1", "custom_2": "2", "custom_3": "3"});
    let r = t.user(json!({"schemas": [scim::USER_SCHEMA, scim::LOOOP_USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA],
        scim::LOOOP_USER_SCHEMA: looop, scim::ENTERPRISE_USER_SCHEMA: {"department": "Ops", "employeeNumber": "7"}})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body[scim::LOOOP_USER_SCHEMA], looop);
    let id = r.body["id"].as_str().unwrap();
    let p = t.put(&format!("/Users/{id}"), json!({"schemas": [scim::USER_SCHEMA, scim::LOOOP_USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA],
        "userName": r.body["userName"], scim::LOOOP_USER_SCHEMA: {"area": "APAC"}, scim::ENTERPRISE_USER_SCHEMA: {"department": "Dev"}})).await;
    assert_eq!(p.body[scim::LOOOP_USER_SCHEMA], json!({"area": "APAC"}));
    let p = t.patch(&format!("/Users/{id}"), json!([
        {"op": "replace", "path": format!("{}:area", scim::LOOOP_USER_SCHEMA), "value": "LATAM"},
        {"op": "replace", "path": format!("{}:department", scim::ENTERPRISE_USER_SCHEMA), "value": "QA"}
    ])).await;
    assert_eq!(
        (
            p.body[scim::LOOOP_USER_SCHEMA]["area"].as_str(),
            p.body[scim::ENTERPRISE_USER_SCHEMA]["department"].as_str()
        ),
        (Some("LATAM"), Some("QA"))
    );
    let r = t.get("/Users?startIndex=1&count=2").await;
    assert_eq!((r.status, r.body["itemsPerPage"].as_u64()), (200, Some(1)));
}

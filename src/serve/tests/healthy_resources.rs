//! A healthy server: create, read, replace, delete; lists, filters, sorting and paging.

use super::*;

#[tokio::test]
async fn healthy_create_read_replace_delete() {
    let t = T::new(Flavour::Core, &[]).await;
    // Enterprise first in schemas, mixed-case names, readOnly values, nulls, UTF-8.
    let r = t
        .post("/Users", json!({
            "schemas": [scim::ENTERPRISE_USER_SCHEMA, scim::USER_SCHEMA],
            "USERNAME": "Zoë.東京@example.com",
            "Name": {"GIVENNAME": "Zoë", "familyName": "Tōkyō"},
            "nickName": null, "emails": [], "phoneNumbers": [{"value": "+1 201 555 0123", "type": "work"}],
            "id": "client-chosen", "groups": [{"value": "x"}],
            "meta": {"resourceType": "Group", "created": "2000-01-01T00:00:00Z"},
            scim::ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984", "department": "Tour"},
            "unknownAttribute": 1
        }))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_ne!(id, "client-chosen");
    assert_eq!(r.body["userName"], "Zoë.東京@example.com");
    assert_eq!(r.body["name"]["givenName"], "Zoë");
    assert!(
        r.body.get("nickName").is_none()
            && r.body.get("emails").is_none()
            && r.body.get("groups").is_none()
    );
    assert_eq!(r.body["phoneNumbers"][0]["display"], "tel:+1-201-555-0123");
    assert_eq!(r.body["meta"]["resourceType"], "User");
    assert_eq!(r.body["meta"]["created"], r.body["meta"]["lastModified"]);
    assert_eq!(
        r.header("location").as_deref(),
        r.body["meta"]["location"].as_str()
    );
    assert_eq!(
        r.header("etag").as_deref(),
        r.body["meta"]["version"].as_str()
    );
    assert!(r.header("etag").unwrap().starts_with("W/\""));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/scim+json")
    );
    assert_eq!(
        r.body["schemas"],
        json!([scim::USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA])
    );
    assert!(r.body.get("department").is_none());
    let loc = r.header("location").unwrap();
    let g = t
        .send(
            Method::GET,
            &loc,
            None,
            &[("Accept", "application/json")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(g.status, 200);

    // GET with attributes and excludedAttributes.
    let r = t.get(&format!("/Users/{id}?attributes=NAME.GIVENNAME,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber")).await;
    assert_eq!(r.body["name"], json!({"givenName": "Zoë"}));
    assert_eq!(
        r.body[scim::ENTERPRISE_USER_SCHEMA],
        json!({"employeeNumber": "701984"})
    );
    assert!(r.body.get("userName").is_none() && r.body["id"] == id.as_str());
    let r = t
        .get(&format!(
            "/Users/{id}?excludedAttributes=id,userName,phoneNumbers"
        ))
        .await;
    assert!(
        r.body.get("id").is_some()
            && r.body.get("phoneNumbers").is_none()
            && r.body.get("userName").is_none()
    );

    // If-None-Match.
    let etag = r.header("etag").unwrap();
    let nm = t
        .send(
            Method::GET,
            &format!("/Users/{id}"),
            None,
            &[("If-None-Match", &etag)],
            Some(TOKEN),
        )
        .await;
    assert_eq!(nm.status, 304);
    assert_eq!(nm.body, Value::Null);

    // PUT replaces; readOnly ignored; id in body ignored; password never returned.
    let put = json!({"schemas": [scim::USER_SCHEMA], "id": "other", "userName": "zoe@example.com", "displayName": "Z",
        "password": "Pa55-secret", "meta": {"created": "2000-01-01T00:00:00Z"}});
    let p = t
        .send(
            Method::PUT,
            &format!("/Users/{id}"),
            Some(&put),
            &[("If-Match", &etag)],
            Some(TOKEN),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["id"], id.as_str());
    assert!(p.body.get("name").is_none() && p.body.get(scim::ENTERPRISE_USER_SCHEMA).is_none());
    assert_eq!(p.body["schemas"], json!([scim::USER_SCHEMA]));
    assert_ne!(p.body["meta"]["created"], "2000-01-01T00:00:00Z");
    assert_ne!(p.header("etag"), Some(etag.clone()));
    assert!(!p.body.to_string().contains("Pa55-secret"));
    let stale = t
        .send(
            Method::PUT,
            &format!("/Users/{id}"),
            Some(&put),
            &[("If-Match", &etag)],
            Some(TOKEN),
        )
        .await;
    assert_eq!(stale.status, 412);
    let stale = t
        .send(
            Method::DELETE,
            &format!("/Users/{id}"),
            None,
            &[("If-Match", "W/\"stale\"")],
            Some(TOKEN),
        )
        .await;
    assert_eq!(stale.status, 412);
    // PUT without userName, PUT to an unknown id.
    let r = t
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [scim::USER_SCHEMA]}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["scimType"].as_str()),
        (400, Some("invalidValue"))
    );
    let r = t
        .put(
            "/Users/nope",
            json!({"schemas": [scim::USER_SCHEMA], "userName": "n@example.com"}),
        )
        .await;
    assert_eq!(r.status, 404);
    // Uniqueness, case-insensitive and Unicode-prepared.
    let r = t.user(json!({"userName": "ZOE@EXAMPLE.COM"})).await;
    assert_eq!(
        (r.status, r.body["scimType"].as_str()),
        (409, Some("uniqueness"))
    );
    let r = t.user(json!({"userName": "café@example.com"})).await;
    assert_eq!(r.status, 201);
    let r = t.user(json!({"userName": "cafe\u{301}@example.com"})).await;
    assert_eq!(r.status, 409);
    let f = filter_q("userName eq \"cafe\u{301}@example.com\"");
    assert_eq!(
        t.get(&format!("/Users?filter={f}")).await.body["totalResults"],
        1
    );
    // Bad bodies.
    for body in [
        json!({"userName": "x@example.com"}),
        json!({"schemas": [scim::USER_SCHEMA], "userName": ""}),
        json!({"schemas": [scim::USER_SCHEMA], "userName": "y@example.com", "emails": "not-an-array"}),
        json!({"schemas": [scim::USER_SCHEMA], "userName": "y@example.com", "active": "maybe"}),
        json!([1, 2]),
    ] {
        let r = t.post("/Users", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.body["schemas"], json!([scim::ERROR]));
        assert!(r.body["status"].is_string());
    }
    // DELETE, then everything 404.
    assert_eq!(t.delete(&format!("/Users/{id}")).await.status, 204);
    assert_eq!(t.get(&format!("/Users/{id}")).await.status, 404);
    assert_eq!(t.delete(&format!("/Users/{id}")).await.status, 404);
    assert_eq!(
        t.patch(
            &format!("/Users/{id}"),
            json!([{"op": "remove", "path": "title"}])
        )
        .await
        .status,
        404
    );
    assert_eq!(t.put(&format!("/Users/{id}"), put).await.status, 404);
    let r = t.user(json!({"userName": "zoe@example.com"})).await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn healthy_lists_filters_sorting_paging() {
    let t = T::new(Flavour::Core, &[]).await;
    let marker = "mk-list";
    let mut ids = Vec::new();
    for (n, title) in [("c", Some("b")), ("a", None), ("B", Some("a"))] {
        let mut extra = json!({"userName": format!("{n}-{marker}@example.com"), "displayName": marker, "externalId": format!("X{n}")});
        if let Some(ti) = title {
            extra["title"] = json!(ti);
        }
        ids.push(t.user_id(extra).await);
    }
    let g = t.group(&[&ids[0]]).await;
    t.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "replace", "path": "displayName", "value": marker}]),
    )
    .await;
    let f = filter_q(&format!("displayName eq \"{marker}\""));
    let base = format!("/Users?filter={f}");
    let r = t.get(&format!("{base}&sortBy=userName")).await;
    assert_eq!(
        names(&r, "userName")
            .iter()
            .map(|n| &n[..1])
            .collect::<String>(),
        "aBc"
    );
    let r = t
        .get(&format!("{base}&sortBy=userName&sortOrder=descending"))
        .await;
    assert_eq!(
        names(&r, "userName")
            .iter()
            .map(|n| &n[..1])
            .collect::<String>(),
        "cBa"
    );
    let r = t.get(&format!("{base}&sortBy=title")).await;
    assert_eq!(names(&r, "title"), vec!["a", "b", ""]);
    let r = t
        .get(&format!("{base}&sortBy=title&sortOrder=descending"))
        .await;
    assert_eq!(names(&r, "title"), vec!["", "b", "a"]);
    let r = t.get(&format!("{base}&sortBy=externalId")).await;
    assert_eq!(names(&r, "externalId"), vec!["XB", "Xa", "Xc"]);
    let r = t.get(&format!("{base}&sortBy=meta.created")).await;
    assert_eq!(names(&r, "id"), ids);
    // Paging.
    let r = t
        .get(&format!("{base}&startIndex=2&count=1&sortBy=meta.created"))
        .await;
    assert_eq!(
        (
            r.body["totalResults"].as_u64(),
            r.body["itemsPerPage"].as_u64(),
            r.body["startIndex"].as_u64()
        ),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(names(&r, "id"), vec![ids[1].clone()]);
    let r = t
        .get(&format!("{base}&startIndex=-5&count=2&sortBy=meta.created"))
        .await;
    assert_eq!(r.body["startIndex"], 1);
    assert_eq!(names(&r, "id"), ids[..2].to_vec());
    for c in ["0", "-1"] {
        let r = t.get(&format!("{base}&count={c}")).await;
        assert_eq!(
            (
                r.body["totalResults"].as_u64(),
                r.body["Resources"].as_array().map(Vec::len)
            ),
            (Some(3), Some(0))
        );
    }
    let r = t
        .get(&format!("{base}&attributes=userName&fooBarUnknown=1"))
        .await;
    for u in r.body["Resources"].as_array().unwrap() {
        let mut keys: Vec<&String> = u.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, vec!["id", "schemas", "userName"]);
    }
    // Root queries.
    let r = t.get(&format!("/?filter={f}")).await;
    assert_eq!(r.body["totalResults"], 4);
    let r = t
        .get(&format!(
            "/?filter={}",
            filter_q(&format!(
                "displayName eq \"{marker}\" and meta.resourceType eq \"Group\""
            ))
        ))
        .await;
    assert_eq!(r.body["totalResults"], 1);
    let r = t.get(&format!("/?filter={}", filter_q("members pr"))).await;
    assert_eq!(names(&r, "id"), vec![g.clone()]);
    let r = t.post("/.search", json!({"schemas": [scim::SEARCH_REQUEST], "filter": format!("displayName eq \"{marker}\""), "attributes": ["displayName"], "count": 10})).await;
    assert_eq!(r.body["totalResults"], 4);
    let r = t.post("/Users/.search", json!({"schemas": [scim::SEARCH_REQUEST], "filter": format!("displayName eq \"{marker}\""), "sortBy": "userName", "startIndex": 1, "count": 1})).await;
    assert_eq!((r.status, r.body["totalResults"].as_u64()), (200, Some(3)));
    assert!(names(&r, "userName")[0].starts_with("a-"));
    for bad in [
        json!({"schemas": ["urn:wrong"]}),
        json!({"schemas": [scim::SEARCH_REQUEST], "filter": 5}),
    ] {
        let r = t.post("/Users/.search", bad).await;
        assert_eq!(
            (r.status, r.body["scimType"].as_str()),
            (400, Some("invalidSyntax"))
        );
    }
    let r = t
        .post(
            "/Users/.search",
            json!({"schemas": [scim::SEARCH_REQUEST], "filter": "userName eq"}),
        )
        .await;
    assert_eq!(r.body["scimType"], "invalidFilter");
    // Filter details.
    let q = |f: &str| format!("/Users?filter={}", filter_q(f));
    assert_eq!(
        t.get(&q("externalId eq \"xa\"")).await.body["totalResults"],
        0
    );
    assert_eq!(
        t.get(&q("externalId eq \"Xa\"")).await.body["totalResults"],
        1
    );
    assert_eq!(
        t.get(&q(&format!("userName eq \"A-{marker}@EXAMPLE.COM\"")))
            .await
            .body["totalResults"],
        1
    );
    assert_eq!(
        t.get(&q("userName eq \"nobody@example.com\"")).await.body,
        json!({"schemas": [scim::LIST_RESPONSE], "totalResults": 0, "itemsPerPage": 0, "startIndex": 1, "Resources": []})
    );
    for bad in [
        "userName eq",
        "(userName eq \"a\"",
        "userName regex \"a.*\"",
        "active gt true",
    ] {
        let r = t.get(&q(bad)).await;
        assert_eq!(
            (r.status, r.body["scimType"].as_str()),
            (400, Some("invalidFilter")),
            "{bad}"
        );
        assert!(!r.body["detail"].as_str().unwrap().is_empty());
    }
    let r = t
        .get(&q(&format!(
            "displayName eq \"{marker}\" and groups.value eq \"{g}\""
        )))
        .await;
    assert_eq!(names(&r, "id"), vec![ids[0].clone()]);
    let created = t.get(&format!("/Users/{}", ids[1])).await.body["meta"]["created"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t
        .get(&format!(
            "{}&sortBy=meta.created",
            q(&format!(
                "displayName eq \"{marker}\" and meta.created le \"{created}\""
            ))
        ))
        .await;
    assert_eq!(names(&r, "id"), ids[..2].to_vec());
    let r = t
        .get(&q(&format!(
            "displayName eq \"{marker}\" and meta.created lt \"{created}\""
        )))
        .await;
    assert_eq!(names(&r, "id"), ids[..1].to_vec());
    // Discovery ignores paging and refuses filters.
    let s = t.get("/Schemas?startIndex=2&count=1&sortBy=id").await;
    assert_eq!(s.body["totalResults"], 3);
    assert_eq!(s.body["Resources"].as_array().unwrap().len(), 3);
    assert_eq!(
        t.get(&format!(
            "/ResourceTypes?filter={}",
            filter_q("name eq \"User\"")
        ))
        .await
        .status,
        403
    );
    assert_eq!(
        t.get(&format!("/Schemas/{}", scim::LIST_RESPONSE))
            .await
            .status,
        404
    );
    assert_eq!(
        t.get(&format!("/Schemas/{}", scim::USER_SCHEMA)).await.body["id"],
        scim::USER_SCHEMA
    );
    assert_eq!(
        t.req(Method::PUT, "/Schemas", Some(json!({}))).await.status,
        405
    );
    assert_eq!(t.get("/Me").await.status, 501);
    let r = t.get("/NoSuchEndpoint").await;
    assert_eq!((r.status, r.body["status"].as_str()), (404, Some("404")));
    // Discovery is readable without credentials (RFC 7643 §5); resources are not.
    assert_eq!(
        t.send(Method::GET, "/ServiceProviderConfig", None, &[], None)
            .await
            .status,
        200
    );
    assert_eq!(
        t.send(Method::GET, "/Users", None, &[], None).await.status,
        401
    );
}

//! A large tenant: seeded users, `eq` and `sw` filters answered through the index, writes that
//! move a resource in the index, unfiltered pages (sorted or not) that cost their page.

use super::*;

/// A core server already holding `n` users.
async fn seeded(n: usize) -> T {
    let app = crate::serve::router_seeded(
        ServeOptions {
            flavour: Flavour::Core,
            token: Some(TOKEN.into()),
            faults: Vec::new(),
            options: Vec::new(),
        },
        n,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    // A placeholder server keeps `T`'s shape; the seeded one is the base URL.
    let mut t = T::new(Flavour::Core, &[]).await;
    t.base = format!("http://{addr}{}", Flavour::Core.base_path());
    t
}

fn filtered(f: &str) -> String {
    format!(
        "/Users?filter={}",
        url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn large_tenant_eq_filters_use_the_index() {
    let started = std::time::Instant::now();
    let t = seeded(100_000).await;
    let seeding = started.elapsed();
    assert!(
        seeding.as_secs() < 60,
        "seeding 100,000 users took {seeding:?}"
    );

    // userName is caseExact false: any case finds it.
    let r = t
        .get(&filtered(r#"userName eq "SEED-000042@example.com""#))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);
    assert_eq!(
        r.body["Resources"][0]["userName"],
        "seed-000042@example.com"
    );

    let r = t
        .get(&filtered(
            r#"userName eq "seed-000001@example.com" or userName eq "seed-100000@example.com""#,
        ))
        .await;
    assert_eq!(r.body["totalResults"], 2, "{}", r.body);

    // externalId is caseExact true: the index finds the candidate, the filter decides.
    let r = t.get(&filtered(r#"externalId eq "seed-000007""#)).await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);
    let r = t.get(&filtered(r#"externalId eq "SEED-000007""#)).await;
    assert_eq!(r.body["totalResults"], 0, "{}", r.body);

    // An unfiltered page holds its page, and totalResults counts the tenant.
    let r = t.get("/Users?count=2").await;
    assert_eq!(r.body["totalResults"], 100_000, "{}", r.body);
    assert_eq!(r.body["Resources"].as_array().map(Vec::len), Some(2));
    let r = t.get("/Users?count=2&startIndex=99999").await;
    assert_eq!(
        r.body["Resources"][1]["userName"],
        "seed-100000@example.com"
    );

    // A prefix of a name, any case, and an unfiltered sorted page, come from the index.
    let r = t.get(&filtered(r#"userName sw "SEED-09999""#)).await;
    assert_eq!(r.body["totalResults"], 10, "{}", r.body);
    let r = t
        .get("/Users?count=1&sortBy=userName&sortOrder=descending")
        .await;
    assert_eq!(r.body["totalResults"], 100_000, "{}", r.body);
    assert_eq!(
        r.body["Resources"][0]["userName"],
        "seed-100000@example.com"
    );

    // Many filtered queries do not each scan the tenant (a scan renders 100,000 users).
    let started = std::time::Instant::now();
    for i in 1..=200 {
        let r = t
            .get(&filtered(&format!(
                r#"userName eq "seed-{i:06}@example.com""#
            )))
            .await;
        assert_eq!(r.body["totalResults"], 1);
    }
    let queries = started.elapsed();
    assert!(
        queries.as_secs() < 30,
        "200 filtered queries took {queries:?}"
    );

    // A create checks uniqueness through the index too.
    let r = t
        .post(
            "/Users",
            json!({"schemas": [scim::USER_SCHEMA], "userName": "Seed-000003@Example.com"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
}

#[tokio::test]
async fn index_follows_writes() {
    let t = seeded(10).await;
    let id = t
        .user_id(
            json!({"userName": "before@example.com", "displayName": "Before", "externalId": "x-1"}),
        )
        .await;
    let r = t.get(&filtered(r#"displayName eq "before""#)).await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);

    let r = t
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [scim::USER_SCHEMA], "userName": "after@example.com", "displayName": "After"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t
        .get(&filtered(r#"userName eq "before@example.com""#))
        .await;
    assert_eq!(r.body["totalResults"], 0, "{}", r.body);
    let r = t.get(&filtered(r#"userName eq "after@example.com""#)).await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);
    let r = t.get(&filtered(r#"externalId eq "x-1""#)).await;
    assert_eq!(
        r.body["totalResults"], 0,
        "PUT dropped externalId: {}",
        r.body
    );

    let r = t
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "userName", "value": "patched@example.com"}]),
        )
        .await;
    assert_eq!(r.status / 100, 2, "{}", r.body);
    let r = t
        .get(&filtered(r#"userName eq "patched@example.com""#))
        .await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);

    // The name is free again once the user is deleted.
    assert_eq!(t.delete(&format!("/Users/{id}")).await.status, 204);
    let r = t
        .get(&filtered(r#"userName eq "patched@example.com""#))
        .await;
    assert_eq!(r.body["totalResults"], 0, "{}", r.body);
    let r = t
        .post(
            "/Users",
            json!({"schemas": [scim::USER_SCHEMA], "userName": "patched@example.com"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // Groups by displayName, in a root query too.
    let gid = t.group(&[]).await;
    let name = t.get(&format!("/Groups/{gid}")).await.body["displayName"].clone();
    let f = format!("displayName eq {name}");
    let r = t
        .get(&format!(
            "/Groups?filter={}",
            url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(r.body["totalResults"], 1, "{}", r.body);
}

/// The ids of a listing's page, in order.
async fn ids(t: &T, path: &str) -> Vec<String> {
    let r = t.get(path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["id"].as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn index_order_and_prefixes_agree_with_a_scan() {
    let t = seeded(20).await;
    // Ties after preparation (case, width, composition), and a user without a displayName.
    for name in ["b", "B", "a", "Ｂ", "e\u{301}", "\u{e9}", "c"] {
        t.user_id(json!({ "displayName": name })).await;
    }
    t.user_id(json!({})).await;
    // `id pr` holds for every user and is not indexed: its answer is the scan's.
    let all = "filter=id+pr";
    for (sort, order) in [
        ("displayName", "ascending"),
        ("displayName", "descending"),
        ("userName", "ascending"),
        ("userName", "descending"),
    ] {
        for page in ["", "&startIndex=3&count=4"] {
            let q = format!("/Users?sortBy={sort}&sortOrder={order}{page}");
            assert_eq!(
                ids(&t, &q).await,
                ids(&t, &format!("{q}&{all}")).await,
                "{q}"
            );
        }
    }
    for prefix in ["SEED-0001", "b", "e", "\u{e9}", "ｂ", ""] {
        let f = format!(r#"displayName sw "{prefix}" or userName sw "{prefix}""#);
        let scan = format!(r#"({f}) or id eq "none""#);
        assert_eq!(
            ids(&t, &filtered(&f)).await,
            ids(&t, &filtered(&scan)).await,
            "{f}"
        );
    }
    let r = t.get(&filtered(r#"userName sw "SEED-0001""#)).await;
    assert_eq!(r.body["totalResults"], 10, "{}", r.body);

    // A scan passes over users without the attribute a term names; whom it keeps, the filter
    // decides as it would on every user.
    t.user_id(json!({
        "title": "Boss",
        "name": {"givenName": "Ｚoë"},
        "emails": [{"type": "work", "value": "Boss@Example.com"}],
        scim::ENTERPRISE_USER_SCHEMA: {"employeeNumber": "701984"},
    }))
    .await;
    for f in [
        r#"title eq "boss""#,
        r#"emails.value co "boss@""#,
        r#"emails[type eq "work" and value ew "EXAMPLE.COM"]"#,
        r#"emails[type eq "home"]"#,
        r#"name.givenName sw "zo""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
        r#"employeeNumber eq "701984""#,
        r#"title eq "boss" and not (userName co "seed")"#,
    ] {
        let scan = format!(r#"({f}) or id eq "none""#);
        let found = ids(&t, &filtered(f)).await;
        assert_eq!(found, ids(&t, &filtered(&scan)).await, "{f}");
    }
    assert_eq!(ids(&t, &filtered(r#"title eq "boss""#)).await.len(), 1);
}

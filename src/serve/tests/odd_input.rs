//! No odd input makes the server answer 5xx.

use super::*;

/// The exhaustive sweep (about 15 minutes in a debug build): `cargo test --lib -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn never_5xx_on_odd_input_exhaustive() {
    odd_input_sweep(usize::MAX).await;
}

/// A sampled sweep: every attribute path, a few odd values each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_5xx_on_odd_input() {
    odd_input_sweep(3).await;
}

async fn odd_input_sweep(values_per_path: usize) {
    for flavour in [Flavour::Core, Flavour::Loom, Flavour::Looop] {
        let t = T::new(flavour, &[]).await;
        let catalog = super::super::schema::Catalog::new(flavour);
        let odd = [
            json!(null),
            json!(1),
            json!(-1.5),
            json!("s"),
            json!("True"),
            json!(true),
            json!([]),
            json!({}),
            json!([1]),
            json!([{}]),
            json!([null]),
            json!({"value": 1}),
            json!([{"value": "x", "primary": "yes"}]),
            json!({"value": "bulkId:x"}),
            json!("é\u{0}\u{301}"),
        ];
        let mut paths: Vec<String> = Vec::new();
        for schema in catalog.all_schemas(true) {
            for a in &schema.attributes {
                paths.push(a.name.to_string());
                paths.push(format!("{}:{}", schema.id, a.name));
                for s in &a.sub {
                    paths.push(format!("{}.{}", a.name, s.name));
                    paths.push(format!("{}[value eq \"x\"].{}", a.name, s.name));
                    paths.push(format!("{}[{} pr]", a.name, s.name));
                }
            }
        }
        paths.extend(
            [
                "id",
                "meta",
                "meta.created",
                "schemas",
                "externalId",
                "nope",
                "a.b.c",
                "emails[",
                "emails]",
                "[]",
                "urn:x:y",
                "é",
                "emails[type eq \"w\"]x",
            ]
            .map(String::from),
        );
        let uid = t.user_id(json!({})).await;
        let gid = t.group(&[&uid]).await;
        for (pi, p) in paths.iter().enumerate() {
            let sample: Vec<&Value> = if values_per_path >= odd.len() {
                odd.iter().collect()
            } else {
                (0..values_per_path)
                    .map(|k| &odd[(pi * values_per_path + k) % odd.len()])
                    .collect()
            };
            for v in sample {
                let key = p.split('[').next().unwrap_or("");
                let r = t.user(json!({key: v})).await;
                assert!(r.status < 500, "POST {key}={v}: {} {}", r.status, r.body);
                for op in ["add", "replace", "remove", "Add"] {
                    for (kind, id) in [("Users", &uid), ("Groups", &gid)] {
                        let r = t
                            .patch(
                                &format!("/{kind}/{id}"),
                                json!([{"op": op, "path": p, "value": v}]),
                            )
                            .await;
                        assert!(
                            r.status < 500,
                            "PATCH {kind} {op} {p} {v}: {} {}",
                            r.status,
                            r.body
                        );
                    }
                }
                let r = t
                    .patch(
                        &format!("/Users/{uid}"),
                        json!([{"op": "replace", "value": {key: v}}]),
                    )
                    .await;
                assert!(r.status < 500, "PATCH no path {key}={v}: {}", r.body);
            }
            if values_per_path < odd.len() && pi % 4 != 0 {
                continue;
            }
            for q in [
                format!("filter={}", filter_q(&format!("{p} eq \"x\""))),
                format!("filter={}", filter_q(&format!("{p} gt 5"))),
                format!("sortBy={}", filter_q(p)),
                format!("attributes={}", filter_q(p)),
                format!("excludedAttributes={}", filter_q(p)),
            ] {
                for ep in ["/Users", "/Groups", "/"] {
                    let r = t.get(&format!("{ep}?{q}")).await;
                    assert!(r.status < 500, "GET {ep}?{q}: {}", r.body);
                }
            }
        }
        for raw in [
            "/Users/%ZZ",
            "/Users/%C3%28",
            "/Users/a/b",
            "/Schemas/%00",
            "/ResourceTypes/x",
            "/Users?startIndex=abc&count=1e9",
            "/Users?count=99999999999999999999",
            "/Bulk",
        ] {
            let r = t.get(raw).await;
            assert!(r.status < 500, "GET {raw}: {}", r.body);
        }
        for body in [
            "",
            "null",
            "[]",
            "\"x\"",
            "{\"schemas\": 5}",
            "{\"Operations\": {}}",
            "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[1,{\"method\":5}]}",
        ] {
            for path in ["/Users", "/Groups", "/Bulk", "/.search", "/Users/.search"] {
                let r = t.raw(Method::POST, path, body, None).await;
                assert!(r.status < 500, "POST {path} {body}: {}", r.status);
            }
            let r = t
                .raw(Method::PATCH, &format!("/Users/{uid}"), body, None)
                .await;
            assert!(r.status < 500);
        }
    }
}

//! End-to-end tests over HTTP: general behaviour, and for every fault a probe whose observation
//! differs between a healthy server and one with the fault switched on.

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::Method;
use serde_json::{Value, json};

use super::{FAULTS, Flavour, RunningServer, ServeOptions, start};
use crate::scim;

const TOKEN: &str = "test-token";
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn uniq(prefix: &str) -> String {
    format!(
        "{prefix}{}-{}@example.com",
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::process::id()
    )
}

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Resp {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

struct T {
    base: String,
    client: reqwest::Client,
    _srv: RunningServer,
}

impl T {
    async fn new(flavour: Flavour, faults: &[&str]) -> T {
        let srv = start(
            "127.0.0.1:0".parse().unwrap(),
            ServeOptions {
                flavour,
                token: Some(TOKEN.into()),
                faults: faults.iter().map(|s| s.to_string()).collect(),
            },
        )
        .await
        .unwrap();
        T {
            base: srv.base_url(),
            client: reqwest::Client::new(),
            _srv: srv,
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
        auth: Option<&str>,
    ) -> Resp {
        let mut rb = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(a) = auth {
            rb = rb.header("Authorization", format!("Bearer {a}"));
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/scim+json")
                .body(serde_json::to_vec(b).unwrap());
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    async fn req(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.send(method, path, body.as_ref(), &[], Some(TOKEN))
            .await
    }

    async fn get(&self, path: &str) -> Resp {
        self.req(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        self.req(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> Resp {
        self.req(Method::PUT, path, Some(body)).await
    }

    async fn patch(&self, path: &str, ops: Value) -> Resp {
        self.req(
            Method::PATCH,
            path,
            Some(json!({"schemas": [scim::PATCH_OP], "Operations": ops})),
        )
        .await
    }

    async fn delete(&self, path: &str) -> Resp {
        self.req(Method::DELETE, path, None).await
    }

    /// Creates a user with a unique email userName plus `extra` attributes.
    async fn user(&self, extra: Value) -> Resp {
        let mut body = json!({"schemas": [scim::USER_SCHEMA, scim::ENTERPRISE_USER_SCHEMA], "userName": uniq("u")});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post("/Users", body).await
    }

    async fn user_id(&self, extra: Value) -> String {
        let r = self.user(extra).await;
        assert_eq!(r.status / 100, 2, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    async fn group(&self, members: &[&str]) -> String {
        let m: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
        let r = self
            .post(
                "/Groups",
                json!({"schemas": [scim::GROUP_SCHEMA], "displayName": uniq("g"), "members": m}),
            )
            .await;
        assert_eq!(r.status / 100, 2, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }
}

fn filter_q(f: &str) -> String {
    url::form_urlencoded::byte_serialize(f.as_bytes()).collect()
}

/// What a client observes of the fault's behaviour. Healthy and faulty servers must differ.
async fn probe(name: &str, t: &T) -> String {
    match name {
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
            t.get(&format!("/Groups/{g}")).await.body["members"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
        }
        "group-members-not-reflected-in-user-groups" => {
            let u = t.user_id(json!({})).await;
            t.group(&[&u]).await;
            t.get(&format!("/Users/{u}"))
                .await
                .body
                .get("groups")
                .is_some()
                .to_string()
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
            t.get("/Users?count=1").await.body["Resources"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
        }
        "count-zero-means-all" => {
            t.user(json!({})).await;
            t.get("/Users?count=0").await.body["Resources"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
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
        "patch-active-ignored" => {
            let id = t.user_id(json!({"active": true})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "active", "value": false}]),
            )
            .await;
            t.get(&format!("/Users/{id}")).await.body["active"].to_string()
        }
        "patch-op-case-sensitive" => {
            let id = t.user_id(json!({})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "Replace", "path": "displayName", "value": "X"}]),
            )
            .await
            .status
            .to_string()
        }
        "patch-path-required" => {
            let id = t.user_id(json!({})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "value": {"active": false}}]),
            )
            .await
            .status
            .to_string()
        }
        "members-remove-value-list-removes-all" => {
            let a = t.user_id(json!({})).await;
            let b = t.user_id(json!({})).await;
            let g = t.group(&[&a, &b]).await;
            t.patch(
                &format!("/Groups/{g}"),
                json!([{"op": "Remove", "path": "members", "value": [{"value": a}]}]),
            )
            .await;
            t.get(&format!("/Groups/{g}")).await.body["members"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
        }
        "patch-remove-no-path-accepted" => {
            let id = t.user_id(json!({})).await;
            t.patch(&format!("/Users/{id}"), json!([{"op": "remove"}]))
                .await
                .status
                .to_string()
        }
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
        "mutability-readonly-accepted-on-patch" => {
            let id = t.user_id(json!({})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "id", "value": "x"}]),
            )
            .await
            .status
            .to_string()
        }
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
            r.body["members"].as_array().map_or(0, Vec::len).to_string()
        }
        "patch-replace-no-match-ignored" => {
            let id = t.user_id(json!({})).await;
            t.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "emails[type eq \"nope\"].value", "value": "x@y.z"}])).await.status.to_string()
        }
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
        "patch-invalid-path-ignored" => {
            let id = t.user_id(json!({})).await;
            t.patch(
                &format!("/Users/{id}"),
                json!([{"op": "replace", "path": "name..familyName", "value": "x"}]),
            )
            .await
            .status
            .to_string()
        }
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
            r.body["Operations"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
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
        "invalid-json-500" => {
            let r = t
                .client
                .post(format!("{}/Users", t.base))
                .bearer_auth(TOKEN)
                .body("{\"schemas\":[")
                .send()
                .await
                .unwrap();
            r.status().as_u16().to_string()
        }
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
        "invalid-member-role-accepted" => t
            .user(json!({"loomMemberRole": "owner"}))
            .await
            .status
            .to_string(),
        "username-not-email-accepted" => t
            .user(json!({"userName": "jane-no-email"}))
            .await
            .status
            .to_string(),
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
            t.get("/ResourceTypes/User").await.body["schemaExtensions"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
        }
        "looop-extension-urn-patch-rejected" => {
            let id = t.user_id(json!({})).await;
            t.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": format!("{}:area", scim::LOOOP_USER_SCHEMA), "value": "A"}])).await.status.to_string()
        }
        "me-redirect-302" => {
            let r = t
                .client
                .get(format!("{}/Me", t.base))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap();
            r.status().as_u16().to_string()
        }
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
        "discovery-paging-honoured" => {
            t.get("/Schemas?startIndex=2&count=1").await.body["Resources"]
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
        }
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
                .client
                .post(format!("{}/Users", t.base))
                .bearer_auth(TOKEN)
                .header("Content-Type", "application/scim+json")
                .body("{\"userName\": ")
                .send()
                .await
                .unwrap();
            format!("{} {}", r.status().as_u16(), r.text().await.unwrap())
        }
        other => panic!("no probe for fault {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_changes_observable_behaviour() {
    let mut failures = Vec::new();
    for fault in FAULTS {
        let flavour = fault.flavours[0];
        let healthy = T::new(flavour, &[]).await;
        let faulty = T::new(flavour, &[fault.name]).await;
        let good = probe(fault.name, &healthy).await;
        let bad = probe(fault.name, &faulty).await;
        if good == bad {
            failures.push(format!("{}: both observe {good}", fault.name));
        }
    }
    assert!(
        failures.is_empty(),
        "faults without an observable effect:\n{}",
        failures.join("\n")
    );
}

#[test]
fn fault_catalog_is_well_formed() {
    assert!(FAULTS.len() >= 45);
    let mut names = std::collections::HashSet::new();
    for f in FAULTS {
        assert!(names.insert(f.name), "duplicate fault {}", f.name);
        assert!(
            f.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            f.name
        );
        assert!(
            !f.requirements.is_empty() && !f.flavours.is_empty() && !f.description.is_empty(),
            "{}",
            f.name
        );
        for r in f.requirements {
            assert!(
                r.split('.').count() >= 2 && !r.contains(' '),
                "{}: bad requirement id {r}",
                f.name
            );
        }
    }
    let listing = super::fault_listing();
    assert_eq!(listing.lines().count(), FAULTS.len());
    assert!(listing.lines().all(|l| l.split('\t').count() == 3));
}

#[test]
fn every_fault_name_used_in_code_exists() {
    let sources = [
        include_str!("app.rs"),
        include_str!("bulk.rs"),
        include_str!("discovery.rs"),
        include_str!("handlers.rs"),
        include_str!("ops.rs"),
        include_str!("patch.rs"),
        include_str!("resource.rs"),
    ];
    let re = regex::Regex::new(r#"fault\("([a-z0-9-]+)"\)"#).unwrap();
    let mut used = std::collections::HashSet::new();
    for s in sources {
        for c in re.captures_iter(s) {
            let name = c[1].to_string();
            assert!(
                super::faults::find(&name).is_some(),
                "code checks unknown fault {name}"
            );
            used.insert(name);
        }
    }
    for f in FAULTS {
        assert!(
            used.contains(f.name),
            "fault {} is never checked by the server",
            f.name
        );
    }
}

#[tokio::test]
async fn rejects_unknown_and_misplaced_faults() {
    let opts = |flavour, f: &str| ServeOptions {
        flavour,
        token: None,
        faults: vec![f.to_string()],
    };
    let e = super::router(opts(Flavour::Core, "create-returns-20"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("did you mean 'create-returns-200'"), "{e}");
    let e = super::router(opts(Flavour::Core, "deactivate-deletes"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("--flavour loom"), "{e}");
    assert!(super::router(opts(Flavour::Loom, "deactivate-deletes")).is_ok());
}

fn names(r: &Resp, key: &str) -> Vec<String> {
    r.body["Resources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x[key].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

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
        .client
        .get(&loc)
        .bearer_auth(TOKEN)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(g.status().as_u16(), 200);

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
    let bob = t
        .client
        .get(&bob)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
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
        (Some("default"), Some("viewer"))
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
        let catalog = super::schema::Catalog::new(flavour);
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
                let r = t
                    .client
                    .post(format!("{}{path}", t.base))
                    .bearer_auth(TOKEN)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(
                    r.status().as_u16() < 500,
                    "POST {path} {body}: {}",
                    r.status()
                );
            }
            let r = t
                .client
                .patch(format!("{}/Users/{uid}", t.base))
                .bearer_auth(TOKEN)
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(r.status().as_u16() < 500);
        }
    }
}

//! The discovery endpoints: /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7644 §4).

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::app::{App, Ctx};
use super::error::{ScimError, ScimResult};
use super::limits::{MAX_OPERATIONS, MAX_PAYLOAD_SIZE, MAX_RESULTS};
use super::ops::Reply;
use super::schema::Kind;
use crate::scim;

pub fn service_provider_config(app: &App, ctx: &Ctx) -> Reply {
    let patch = !app.fault("patch-unsupported-still-processed") && !app.option("put-only");
    let bulk = !app.fault("bulk-unsupported-still-processed");
    let mut v = json!({
        "schemas": [scim::SERVICE_PROVIDER_CONFIG_SCHEMA],
        "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
        "patch": {"supported": patch},
        "bulk": {"supported": bulk, "maxOperations": MAX_OPERATIONS, "maxPayloadSize": MAX_PAYLOAD_SIZE},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": true},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token sent in the Authorization header.",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", ctx.base_url),
        }
    });
    if app.fault("service-provider-config-wrong")
        && let Some(o) = v.as_object_mut()
    {
        o.remove("authenticationSchemes");
    }
    if app.fault("spc-booleans-as-strings") {
        for flag in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
            if let Some(f) = v.get_mut(flag).and_then(Value::as_object_mut)
                && let Some(b) = f.get("supported").and_then(Value::as_bool)
            {
                f.insert("supported".into(), json!(b.to_string()));
            }
        }
    }
    if app.fault("spc-limits-missing") {
        for (flag, limits) in [
            ("bulk", &["maxOperations", "maxPayloadSize"][..]),
            ("filter", &["maxResults"][..]),
        ] {
            if let Some(f) = v.get_mut(flag).and_then(Value::as_object_mut) {
                for l in limits {
                    f.remove(*l);
                }
            }
        }
    }
    if let Some(o) = v.as_object_mut() {
        if app.fault("spc-etag-missing") {
            o.remove("etag");
        }
        if app.fault("discovery-schemas-attribute-missing") {
            o.remove("schemas");
        }
    }
    super::defects::service_provider_config(app, &mut v);
    Reply::json(StatusCode::OK, v)
}

/// startIndex and count as the client sent them; discovery endpoints ignore them (RFC 7644 §4).
#[derive(Clone, Copy, Debug, Default)]
pub struct Paging {
    pub start_index: Option<i64>,
    pub count: Option<i64>,
}

fn list(app: &App, items: Vec<Value>, paging: Paging) -> Reply {
    let total = items.len();
    let mut start = 1;
    let mut items = items;
    if app.fault("discovery-paging-honoured") {
        start = paging.start_index.unwrap_or(1).max(1);
        let skip = usize::try_from(start - 1).unwrap_or(0);
        let take = paging
            .count
            .map_or(usize::MAX, |c| usize::try_from(c.max(0)).unwrap_or(0));
        items = items.into_iter().skip(skip).take(take).collect();
    }
    Reply::json(
        StatusCode::OK,
        json!({
            "schemas": [scim::LIST_RESPONSE],
            "totalResults": if app.fault("discovery-paging-honoured") { items.len() } else { total },
            "itemsPerPage": items.len(),
            "startIndex": start,
            "Resources": items,
        }),
    )
}

fn with_looop(app: &App) -> bool {
    !app.fault("looop-extension-not-advertised")
}

/// The defects of a ResourceType representation.
fn resource_type_faults(app: &App, mut v: Value) -> Value {
    let Some(o) = v.as_object_mut() else {
        return v;
    };
    if app.fault("resource-type-description-missing") {
        o.remove("description");
    }
    if app.fault("resource-type-endpoint-singular")
        && let Some(Value::String(e)) = o.get_mut("endpoint")
        && let Some(one) = e.strip_suffix('s')
    {
        *e = one.to_string();
    }
    if app.fault("resource-type-group-schema-wrong") && o.get("name") == Some(&json!("Group")) {
        o.insert("schema".into(), json!(format!("{}s", scim::GROUP_SCHEMA)));
    }
    if app.fault("discovery-schemas-attribute-missing") {
        o.remove("schemas");
    }
    if let Some(exts) = o.get_mut("schemaExtensions").and_then(Value::as_array_mut) {
        if app.fault("enterprise-not-in-resource-type") {
            exts.retain(|e| e["schema"] != scim::ENTERPRISE_USER_SCHEMA);
        }
        if app.fault("schema-extensions-as-strings") {
            for e in exts.iter_mut() {
                *e = e["schema"].clone();
            }
        }
    }
    v
}

pub fn resource_types(app: &App, ctx: &Ctx, paging: Paging) -> Reply {
    let endpoint = !app.fault("resource-types-missing-endpoint");
    list(
        app,
        [Kind::User, Kind::Group]
            .iter()
            .map(|k| {
                resource_type_faults(
                    app,
                    app.catalog
                        .resource_type_json(*k, &ctx.base_url, with_looop(app), endpoint),
                )
            })
            .collect(),
        paging,
    )
}

pub fn resource_type(app: &App, ctx: &Ctx, name: &str) -> ScimResult<Reply> {
    let kind = match name {
        n if n.eq_ignore_ascii_case("User") => Kind::User,
        n if n.eq_ignore_ascii_case("Group") => Kind::Group,
        _ => {
            return Err(ScimError::not_found(format!(
                "resource type {name} not found"
            )));
        }
    };
    let endpoint = !app.fault("resource-types-missing-endpoint");
    let mut v = resource_type_faults(
        app,
        app.catalog
            .resource_type_json(kind, &ctx.base_url, with_looop(app), endpoint),
    );
    if app.fault("resource-type-by-id-no-extensions")
        && let Some(o) = v.as_object_mut()
    {
        o.remove("schemaExtensions");
    }
    super::defects::resource_type(app, &mut v);
    if app.fault("resource-type-by-id-list-response") {
        // The by-name lookup reuses the list handler with a filter.
        v = json!({"schemas": [scim::LIST_RESPONSE], "totalResults": 1, "itemsPerPage": 1,
            "startIndex": 1, "Resources": [v]});
    }
    Ok(Reply::json(StatusCode::OK, v))
}

fn message_schemas(ctx: &Ctx) -> Vec<Value> {
    [
        (scim::LIST_RESPONSE, "ListResponse"),
        (scim::PATCH_OP, "PatchOp"),
    ]
    .iter()
    .map(|(id, name)| {
        json!({
            "schemas": [scim::SCHEMA_SCHEMA],
            "id": id,
            "name": name,
            "description": format!("The {name} message"),
            "attributes": [],
            "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{id}", ctx.base_url)},
        })
    })
    .collect()
}

/// `dateTime` -> `DATE_TIME`, `readWrite` -> `READ_WRITE`: how an enum constant is written.
fn enum_constant(keyword: &str) -> String {
    let mut out = String::new();
    for c in keyword.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The defects of one attribute definition (and, recursively, of its sub-attributes).
fn attribute_faults(app: &App, attr: &mut Value, parent: Option<&str>) {
    let Some(o) = attr.as_object_mut() else {
        return;
    };
    let name = o
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let complex = o.get("type").and_then(Value::as_str) == Some("complex");
    if let Some(subs) = o.get_mut("subAttributes").and_then(Value::as_array_mut) {
        for sub in subs.iter_mut() {
            attribute_faults(app, sub, Some(&name));
        }
    }
    if complex && parent.is_none() && name == "addresses" && app.fault("schema-nested-complex") {
        let coordinate = |n: &str| {
            json!({"name": n, "type": "decimal", "multiValued": false, "description": format!("The {n} of the address."),
                "required": false, "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"})
        };
        if let Some(subs) = o.get_mut("subAttributes").and_then(Value::as_array_mut) {
            subs.push(json!({
                "name": "geo", "type": "complex", "multiValued": false,
                "description": "The geographic position of the address.",
                "required": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none",
                "subAttributes": [coordinate("latitude"), coordinate("longitude")],
            }));
        }
    }
    if let Some(p) = parent
        && app.fault("schema-subattribute-names-dotted")
    {
        o.insert("name".into(), json!(format!("{p}.{name}")));
    }
    if complex && app.fault("schema-subattributes-omitted") {
        o.remove("subAttributes");
    }
    if complex
        && o.get("multiValued").and_then(Value::as_bool) == Some(true)
        && app.fault("schema-multivalued-typed-string")
    {
        o.insert("type".into(), json!("string"));
    }
    if app.fault("schema-keywords-enum-names") {
        for k in ["type", "mutability", "returned", "uniqueness"] {
            if let Some(kw) = o.get(k).and_then(Value::as_str) {
                let c = enum_constant(kw);
                o.insert(k.into(), json!(c));
            }
        }
    }
}

/// The short id a defective server gives a schema instead of its URN.
fn short_id(id: &str) -> &'static str {
    match id {
        scim::USER_SCHEMA => "User",
        scim::GROUP_SCHEMA => "Group",
        scim::ENTERPRISE_USER_SCHEMA => "EnterpriseUser",
        _ => "Extension",
    }
}

/// The schemas served, each as its JSON, with the defects switched on.
fn served_schemas(app: &App, ctx: &Ctx) -> Vec<Value> {
    let complete = !app.fault("schemas-endpoint-incomplete");
    let user_only = app.fault("schemas-endpoint-user-only");
    let mut items: Vec<Value> = app
        .catalog
        .all_schemas(with_looop(app))
        .into_iter()
        .filter(|s| !user_only || s.id == scim::USER_SCHEMA)
        .map(|s| app.catalog.schema_json(s, &ctx.base_url, complete))
        .collect();
    if app.fault("familyname-required") {
        // A server may declare more required attributes than RFC 7643 does; clients (and the
        // suites' fixtures) must read /Schemas to know.
        for schema in items.iter_mut() {
            if schema.get("id").and_then(Value::as_str) != Some(scim::USER_SCHEMA) {
                continue;
            }
            let attrs = schema.get_mut("attributes").and_then(Value::as_array_mut);
            for a in attrs.into_iter().flatten() {
                if a.get("name").and_then(Value::as_str) != Some("name") {
                    continue;
                }
                a["required"] = json!(true);
                let subs = a.get_mut("subAttributes").and_then(Value::as_array_mut);
                for sub in subs.into_iter().flatten() {
                    if sub.get("name").and_then(Value::as_str) == Some("familyName") {
                        sub["required"] = json!(true);
                    }
                }
            }
        }
    }
    if app.fault("extension-redefines-core") {
        let id = "urn:ietf:params:scim:schemas:extension:custom:2.0:User";
        let attr = |n: &str, mv: bool| {
            json!({"name": n, "type": "string", "multiValued": mv, "description": format!("The user's {n}."),
                "required": false, "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"})
        };
        items.push(json!({
            "schemas": [scim::SCHEMA_SCHEMA],
            "id": id,
            "name": "CustomUser",
            "description": "Custom User attributes",
            "attributes": [attr("userName", false), attr("title", false), attr("emails", true), attr("costCenterCode", false)],
            "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{id}", ctx.base_url)},
        }));
    }
    super::defects_7643::schemas(app, &mut items);
    for item in &mut items {
        if let Some(attrs) = item.get_mut("attributes").and_then(Value::as_array_mut) {
            for a in attrs.iter_mut() {
                attribute_faults(app, a, None);
            }
        }
        let Some(o) = item.as_object_mut() else {
            continue;
        };
        if app.fault("discovery-schemas-attribute-missing") {
            o.remove("schemas");
        }
        if app.fault("schema-ids-not-urns") {
            let short = short_id(o.get("id").and_then(Value::as_str).unwrap_or(""));
            o.insert("id".into(), json!(short));
            o.insert(
                "meta".into(),
                json!({"resourceType": "Schema", "location": format!("{}/Schemas/{short}", ctx.base_url)}),
            );
        }
    }
    items
}

pub fn schemas(app: &App, ctx: &Ctx, paging: Paging) -> Reply {
    let mut items = served_schemas(app, ctx);
    if app.fault("message-schemas-exposed") {
        items.extend(message_schemas(ctx));
    }
    list(app, items, paging)
}

pub fn schema(app: &App, ctx: &Ctx, id: &str) -> ScimResult<Reply> {
    let not_found = || ScimError::not_found(format!("schema {id} not found"));
    if app.fault("schema-by-id-404") {
        return Err(not_found());
    }
    if let Some(s) = served_schemas(app, ctx)
        .into_iter()
        .find(|s| s["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
    {
        return Ok(Reply::json(StatusCode::OK, s));
    }
    if app.fault("message-schemas-exposed")
        && let Some(m) = message_schemas(ctx)
            .into_iter()
            .find(|m| m["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
    {
        return Ok(Reply::json(StatusCode::OK, m));
    }
    Err(not_found())
}

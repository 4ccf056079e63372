//! The discovery endpoints: /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7644 §4).

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::app::{App, Ctx};
use super::bulk::{MAX_OPERATIONS, MAX_PAYLOAD_SIZE};
use super::error::{ScimError, ScimResult};
use super::ops::{MAX_RESULTS, Reply};
use super::schema::Kind;
use crate::scim;

pub fn service_provider_config(app: &App, ctx: &Ctx) -> Reply {
    let mut v = json!({
        "schemas": [scim::SERVICE_PROVIDER_CONFIG_SCHEMA],
        "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
        "patch": {"supported": true},
        "bulk": {"supported": true, "maxOperations": MAX_OPERATIONS, "maxPayloadSize": MAX_PAYLOAD_SIZE},
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
    Reply::json(StatusCode::OK, v)
}

fn list(items: Vec<Value>) -> Reply {
    Reply::json(
        StatusCode::OK,
        json!({
            "schemas": [scim::LIST_RESPONSE],
            "totalResults": items.len(),
            "itemsPerPage": items.len(),
            "startIndex": 1,
            "Resources": items,
        }),
    )
}

fn with_looop(app: &App) -> bool {
    !app.fault("looop-extension-not-advertised")
}

pub fn resource_types(app: &App, ctx: &Ctx) -> Reply {
    let endpoint = !app.fault("resource-types-missing-endpoint");
    list(
        [Kind::User, Kind::Group]
            .iter()
            .map(|k| {
                app.catalog
                    .resource_type_json(*k, &ctx.base_url, with_looop(app), endpoint)
            })
            .collect(),
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
    Ok(Reply::json(
        StatusCode::OK,
        app.catalog
            .resource_type_json(kind, &ctx.base_url, with_looop(app), endpoint),
    ))
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

pub fn schemas(app: &App, ctx: &Ctx) -> Reply {
    let complete = !app.fault("schemas-endpoint-incomplete");
    let mut items: Vec<Value> = app
        .catalog
        .all_schemas(with_looop(app))
        .into_iter()
        .map(|s| app.catalog.schema_json(s, &ctx.base_url, complete))
        .collect();
    if app.fault("message-schemas-exposed") {
        items.extend(message_schemas(ctx));
    }
    list(items)
}

pub fn schema(app: &App, ctx: &Ctx, id: &str) -> ScimResult<Reply> {
    let complete = !app.fault("schemas-endpoint-incomplete");
    if let Some(s) = app
        .catalog
        .all_schemas(with_looop(app))
        .into_iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
    {
        return Ok(Reply::json(
            StatusCode::OK,
            app.catalog.schema_json(s, &ctx.base_url, complete),
        ));
    }
    if app.fault("message-schemas-exposed")
        && let Some(m) = message_schemas(ctx)
            .into_iter()
            .find(|m| m["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
    {
        return Ok(Reply::json(StatusCode::OK, m));
    }
    Err(ScimError::not_found(format!("schema {id} not found")))
}

//! HTTP: authentication, routing below the base path, request parsing and response writing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::app::{App, Ctx};
use super::bulk;
use super::discovery;
use super::error::{ScimError, ScimResult, error_body};
use super::hostile;
use super::limits::{BODY_LIMIT, MAX_PAYLOAD_SIZE};
use super::ops::{self, Query, Reply};
use super::schema::Kind;
use crate::scim;

/// The media type of every answer.
fn content_type(app: &App) -> HeaderValue {
    if app.fault("content-type-json") {
        HeaderValue::from_static("application/json")
    } else {
        HeaderValue::from_static("application/scim+json")
    }
}

fn json_response(app: &App, status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = (status, bytes).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, content_type(app));
    resp
}

fn error_response(app: &App, e: &ScimError) -> Response {
    let status = if app.fault("errors-answered-200")
        && matches!(e.status, StatusCode::NOT_FOUND | StatusCode::CONFLICT)
    {
        // An exception handler that writes the Error body but leaves the status at 200.
        StatusCode::OK
    } else {
        e.status
    };
    json_response(app, status, &error_body(app, e))
}

fn reply_response(app: &App, r: Reply) -> Response {
    let mut resp = match &r.body {
        Some(b) => json_response(app, r.status, b),
        None => r.status.into_response(),
    };
    let h = resp.headers_mut();
    if let Some(l) = r
        .location
        .as_deref()
        .and_then(|l| HeaderValue::from_str(l).ok())
        && (r.status == StatusCode::CREATED
            || r.status == StatusCode::OK && r.body.as_ref().is_some_and(|b| b.get("id").is_some()))
    {
        h.insert(header::LOCATION, l.clone());
        if r.status != StatusCode::CREATED {
            h.insert(header::CONTENT_LOCATION, l);
        }
    }
    if let Some(e) = r
        .etag
        .as_deref()
        .and_then(|e| HeaderValue::from_str(e).ok())
    {
        h.insert(header::ETAG, e);
    }
    resp
}

fn unauthorized(app: &App, detail: &str) -> Response {
    let e = ScimError::new(StatusCode::UNAUTHORIZED, None, detail);
    let mut resp = error_response(app, &e);
    if !app.fault("www-authenticate-missing") {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"scimspec\""),
        );
    }
    resp
}

fn unknown_endpoint(app: &App, method: &Method, path: &str) -> Response {
    if app.fault("unknown-endpoint-html") {
        let mut resp = (
            StatusCode::NOT_FOUND,
            "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
        )
            .into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return resp;
    }
    error_response(
        app,
        &ScimError::not_found(format!("there is no SCIM endpoint {method} {path}")),
    )
}

fn check_auth(app: &App, headers: &HeaderMap) -> Result<(), &'static str> {
    let Some(token) = &app.token else {
        return Ok(());
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        if app.fault("auth-missing-token-accepted") {
            return Ok(());
        }
        return Err("authentication required: send 'Authorization: Bearer <token>'");
    };
    let value = value.to_str().unwrap_or("").trim();
    let Some((scheme, given)) = value.split_once(' ') else {
        return Err("the Authorization header must be 'Bearer <token>'");
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err("only Bearer tokens are accepted");
    }
    if app.fault("auth-wrong-token-accepted") || given.trim() == token {
        Ok(())
    } else {
        Err("the bearer token is not valid")
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse::<i64>().ok())
    }
}

fn parse_json(app: &App, body: &Bytes) -> ScimResult<Value> {
    if body.is_empty() {
        return Err(ScimError::invalid_syntax("the request has no body"));
    }
    serde_json::from_slice(body).map_err(|e| {
        if app.fault("invalid-json-500-no-detail") {
            ScimError::internal("")
        } else if app.fault("invalid-json-500") {
            ScimError::internal("Unexpected server error")
        } else {
            ScimError::invalid_syntax(format!("the request body is not valid JSON: {e}"))
        }
    })
}

fn method_not_allowed(method: &Method, path: &str, allowed: &str) -> ScimError {
    ScimError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        format!("{method} is not supported on {path}; allowed: {allowed}"),
    )
}

fn search_query(app: &App, body: &Value, ctx: &mut Ctx) -> ScimResult<Query> {
    let lax = app.fault("message-schemas-not-validated");
    let Some(o) = body.as_object() else {
        return Err(ScimError::invalid_syntax(
            "the SearchRequest must be a JSON object",
        ));
    };
    let get = |k: &str| {
        o.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    };
    let schemas_ok = get("schemas").and_then(Value::as_array).is_some_and(|a| {
        a.iter().any(|s| {
            s.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(scim::SEARCH_REQUEST))
        })
    });
    if !schemas_ok && !lax {
        return Err(ScimError::invalid_syntax(format!(
            "the SearchRequest must have schemas [\"{}\"]",
            scim::SEARCH_REQUEST
        )));
    }
    let strings = |k: &str| -> ScimResult<Option<Vec<String>>> {
        match get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(split_list(s))),
            Some(Value::Array(a)) => Ok(Some(
                a.iter()
                    .filter_map(Value::as_str)
                    .flat_map(split_list)
                    .collect(),
            )),
            Some(_) if lax => Ok(None),
            Some(other) => Err(ScimError::invalid_syntax(format!(
                "'{k}' must be a list of strings, got {other}"
            ))),
        }
    };
    let text = |k: &str| -> ScimResult<Option<String>> {
        match get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) if lax => Ok(None),
            Some(other) => Err(ScimError::invalid_syntax(format!(
                "'{k}' must be a string, got {other}"
            ))),
        }
    };
    let int = |k: &str| -> ScimResult<Option<i64>> {
        match get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_i64()),
            Some(Value::String(s)) => Ok(s.trim().parse().ok()),
            Some(_) if lax => Ok(None),
            Some(other) => Err(ScimError::invalid_syntax(format!(
                "'{k}' must be an integer, got {other}"
            ))),
        }
    };
    if app.fault("search-body-filter-only") {
        return Ok(Query {
            filter: text("filter")?,
            sort_by: None,
            sort_order: None,
            start_index: None,
            count: None,
        });
    }
    if let Some(a) = strings("attributes")? {
        ctx.attributes = Some(a);
    }
    if let Some(e) = strings("excludedAttributes")? {
        ctx.excluded = e;
    }
    Ok(Query {
        filter: text("filter")?,
        sort_by: text("sortBy")?,
        sort_order: text("sortOrder")?,
        start_index: int("startIndex")?,
        count: int("count")?,
    })
}

/// The single handler behind every path.
pub async fn dispatch(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_string();
    let headers = parts.headers;
    let base = app.flavour.base_path();
    let rest = if path == base {
        ""
    } else if let Some(r) = path.strip_prefix(base).filter(|r| r.starts_with('/')) {
        r
    } else if let Some(r) =
        other_version(base, &path).filter(|_| app.fault("version-segment-ignored"))
    {
        r
    } else {
        return unknown_endpoint(&app, &method, &path);
    };
    let segs: Vec<String> = rest
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let seg = |i: usize| segs.get(i).map(String::as_str);

    // Discovery is readable without credentials, so a client can learn the authentication
    // schemes before it has a token (RFC 7643 §5).
    let discovery = method == axum::http::Method::GET
        && matches!(
            seg(0),
            Some("ServiceProviderConfig" | "ResourceTypes" | "Schemas")
        );
    // A second authentication filter in front of discovery, which sends no challenge.
    let discovery_unchallenged = discovery && app.fault("discovery-401-no-challenge");
    let discovery = discovery && !app.fault("discovery-requires-auth") && !discovery_unchallenged;
    let public = discovery || (app.fault("missing-auth-on-groups") && seg(0) == Some("Groups"));
    if !public
        && !hostile::accepts_any_auth(&app)
        && let Err(why) = check_auth(&app, &headers)
    {
        if discovery_unchallenged {
            return error_response(&app, &ScimError::new(StatusCode::UNAUTHORIZED, None, why));
        }
        return unauthorized(&app, why);
    }
    if let Some(resp) = hostile::before(&app, &method, &segs) {
        return resp;
    }
    if let Some(e) = media_type_faults(&app, &method, &headers) {
        return error_response(&app, &e);
    }

    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let detail = if seg(0) == Some("Bulk") {
                format!(
                    "the request body is larger than maxPayloadSize {}",
                    MAX_PAYLOAD_SIZE
                )
            } else {
                format!("the request body is larger than {BODY_LIMIT} bytes")
            };
            return error_response(
                &app,
                &ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, None, detail),
            );
        }
    };

    let params = Params(
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let scheme = header_str(
        &headers,
        header::HeaderName::from_static("x-forwarded-proto"),
    )
    .unwrap_or_else(|| "http".to_string());
    let host = header_str(
        &headers,
        header::HeaderName::from_static("x-forwarded-host"),
    )
    .or_else(|| header_str(&headers, header::HOST))
    .or_else(|| parts.uri.authority().map(|a| a.to_string()))
    .unwrap_or_else(|| "localhost".to_string());
    let origin = format!("{scheme}://{host}");
    let mut ctx = Ctx {
        base_url: format!("{origin}{base}"),
        origin,
        attributes: params.get("attributes").map(split_list),
        excluded: params
            .get("excludedAttributes")
            .map(split_list)
            .unwrap_or_default(),
        if_match: header_str(&headers, header::IF_MATCH),
        if_none_match: header_str(&headers, header::IF_NONE_MATCH),
    };

    if seg(0) == Some("Me") && app.fault("me-redirect-302") {
        // The bearer token's owner: a service account with a fixed id.
        let to = format!("{}/Users/{ME_OWNER}", ctx.base_url);
        let mut resp = StatusCode::FOUND.into_response();
        if let Ok(v) = HeaderValue::from_str(&to) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        return resp;
    }
    if segs.is_empty() && method == Method::GET && app.fault("root-landing-page") {
        let mut resp = (
            StatusCode::OK,
            "<!DOCTYPE html><html><body><h1>SCIM server</h1></body></html>",
        )
            .into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return resp;
    }
    let bytes = super::vendor::rewrite(&app, &method, &segs, &bytes).unwrap_or(bytes);
    let (method, segs, bytes) = super::idp::rewrite(&app, &method, &segs, &bytes)
        .unwrap_or_else(|| (method.clone(), segs.clone(), bytes.clone()));
    let gate = super::vendor::gate(&app, &method, &segs, &headers, &bytes)
        .or_else(|| super::defects::gate(&app, &method, &segs, &headers, &bytes, &params.0))
        .or_else(|| super::idp::gate(&app, &method, &segs, &bytes, &params.0));
    let result = match gate {
        Some(e) => Err(e),
        None => route(&app, &method, &path, &segs, &params, &bytes, &mut ctx),
    };
    let resp = match result {
        Ok(reply) => reply_response(&app, reply),
        Err(e)
            if e.status == StatusCode::NOT_FOUND
                && e.detail.starts_with("there is no SCIM endpoint") =>
        {
            unknown_endpoint(&app, &method, &path)
        }
        Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR && e.detail.is_empty() => {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            let mut resp = error_response(&app, &e);
            if e.status == StatusCode::METHOD_NOT_ALLOWED {
                let allow = e.detail.rsplit("allowed: ").next().unwrap_or("GET");
                if let Ok(v) = HeaderValue::from_str(allow) {
                    resp.headers_mut().insert(header::ALLOW, v);
                }
            }
            resp
        }
    };
    let resp = super::idp::after(&app, &method, &segs, &params.0, resp).await;
    let resp = super::vendor::after(&app, &method, &segs, &params.0, resp).await;
    hostile::after(&app, &method, &segs, &headers, &params.0, &ctx, resp).await
}

/// The faults of content negotiation: an Accept of application/json alone refused (406), a
/// request body without an explicit UTF-8 charset refused (415).
fn media_type_faults(app: &App, method: &Method, headers: &HeaderMap) -> Option<ScimError> {
    if app.fault("accept-json-406")
        && let Some(accept) = header_str(headers, header::ACCEPT)
    {
        let a = accept.to_ascii_lowercase();
        if a.contains("application/json") && !a.contains("scim+json") && !a.contains("*/*") {
            return Some(ScimError::new(
                StatusCode::NOT_ACCEPTABLE,
                None,
                "only application/scim+json responses are available",
            ));
        }
    }
    if app.fault("content-type-charset-required")
        && matches!(*method, Method::POST | Method::PUT | Method::PATCH)
    {
        let ct = header_str(headers, header::CONTENT_TYPE)
            .unwrap_or_default()
            .to_ascii_lowercase()
            .replace([' ', '"'], "");
        if ct != "application/scim+json;charset=utf-8" {
            return Some(ScimError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
                "the request body must be sent as application/scim+json; charset=utf-8",
            ));
        }
    }
    None
}

/// A list request with a query parameter the server does not know (the
/// unknown-query-parameter-400 fault).
fn unknown_param(app: &App, params: &Params) -> ScimResult<()> {
    const KNOWN: &[&str] = &[
        "filter",
        "sortBy",
        "sortOrder",
        "startIndex",
        "count",
        "attributes",
        "excludedAttributes",
    ];
    if app.fault("unknown-query-parameter-400")
        && let Some((k, _)) = params
            .0
            .iter()
            .find(|(k, _)| !KNOWN.iter().any(|n| n.eq_ignore_ascii_case(k)))
    {
        return Err(ScimError::invalid_value(format!(
            "unknown query parameter \"{k}\""
        )));
    }
    Ok(())
}

/// The id of the user a faulty /Me redirects to.
const ME_OWNER: &str = "2819c223-7f76-453a-919d-413861904646";

/// The path below a base path whose version segment differs (`/scim/v99/Users` for the base
/// `/scim/v2`), if the base ends in a version segment.
fn other_version<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    let (parent, last) = base.rsplit_once('/')?;
    last.strip_prefix('v')
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))?;
    let after = path.strip_prefix(parent)?.strip_prefix("/v")?;
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &after[digits..];
    (digits > 0 && (rest.is_empty() || rest.starts_with('/'))).then_some(rest)
}

fn query_from_params(params: &Params) -> Query {
    Query {
        filter: params.get("filter").map(String::from),
        sort_by: params.get("sortBy").map(String::from),
        sort_order: params.get("sortOrder").map(String::from),
        start_index: params.int("startIndex"),
        count: params.int("count"),
    }
}

fn route(
    app: &App,
    method: &Method,
    path: &str,
    segs: &[String],
    params: &Params,
    bytes: &Bytes,
    ctx: &mut Ctx,
) -> ScimResult<Reply> {
    let paging = discovery::Paging {
        start_index: params.int("startIndex"),
        count: params.int("count"),
    };
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    // A faulty server answers every method on a discovery endpoint as if it were GET.
    let method = match segs.first() {
        Some(&("ServiceProviderConfig" | "ResourceTypes" | "Schemas"))
            if app.fault("discovery-any-method-200") =>
        {
            &Method::GET
        }
        _ => method,
    };
    let no_endpoint = || ScimError::not_found(format!("there is no SCIM endpoint {method} {path}"));
    let discovery_filter = || -> ScimResult<()> {
        if params.get("filter").is_some() && !app.fault("discovery-filter-accepted") {
            return Err(ScimError::new(
                StatusCode::FORBIDDEN,
                None,
                "filtering is not supported on discovery endpoints",
            ));
        }
        Ok(())
    };
    let search_missing = app.fault("search-endpoint-missing");
    match segs.as_slice() {
        [] => match *method {
            Method::GET => {
                unknown_param(app, params)?;
                ops::query(app, None, &query_from_params(params), ctx)
            }
            _ => Err(method_not_allowed(method, path, "GET")),
        },
        [".search"] => {
            if search_missing {
                return Err(no_endpoint());
            }
            match *method {
                Method::POST if app.fault("root-search-500") => Err(ScimError::internal(
                    "UnsupportedOperationException: search without a resource type",
                )),
                Method::POST => {
                    let body = parse_json(app, bytes)?;
                    let q = search_query(app, &body, ctx)?;
                    ops::query(app, None, &q, ctx)
                }
                _ => Err(method_not_allowed(method, path, "POST")),
            }
        }
        ["ServiceProviderConfig"] => match *method {
            Method::GET => Ok(discovery::service_provider_config(app, ctx)),
            _ => Err(method_not_allowed(method, path, "GET")),
        },
        ["ResourceTypes"] => match *method {
            Method::GET => {
                discovery_filter()?;
                Ok(discovery::resource_types(app, ctx, paging))
            }
            _ => Err(method_not_allowed(method, path, "GET")),
        },
        ["ResourceTypes", name] => match *method {
            Method::GET => discovery::resource_type(app, ctx, name),
            _ => Err(method_not_allowed(method, path, "GET")),
        },
        ["Schemas", ..] if app.fault("schemas-endpoint-missing") => Err(no_endpoint()),
        ["Schemas"] => match *method {
            Method::GET => {
                discovery_filter()?;
                Ok(discovery::schemas(app, ctx, paging))
            }
            _ => Err(method_not_allowed(method, path, "GET")),
        },
        ["Schemas", id] => match *method {
            Method::GET => discovery::schema(app, ctx, id),
            _ => Err(method_not_allowed(method, path, "GET")),
        },
        ["Bulk"] => match *method {
            Method::POST if app.fault("bulk-advertised-not-implemented") => Err(ScimError::new(
                StatusCode::NOT_IMPLEMENTED,
                None,
                "bulk operations are not implemented",
            )),
            Method::POST => {
                if bytes.len() > MAX_PAYLOAD_SIZE {
                    return bulk::bulk(app, bytes.len(), &Value::Null, ctx);
                }
                let body = parse_json(app, bytes)?;
                bulk::bulk(app, bytes.len(), &body, ctx)
            }
            _ => Err(method_not_allowed(method, path, "POST")),
        },
        ["Me", ..] => {
            if app.fault("me-returns-404") {
                Err(no_endpoint())
            } else {
                Err(ScimError::new(
                    StatusCode::NOT_IMPLEMENTED,
                    None,
                    "/Me is not supported by this service provider",
                ))
            }
        }
        [endpoint, rest @ ..] => {
            let kind = match *endpoint {
                "Users" => Kind::User,
                "Groups" => Kind::Group,
                _ => return Err(no_endpoint()),
            };
            match rest {
                [] => match *method {
                    Method::GET => {
                        unknown_param(app, params)?;
                        ops::query(app, Some(kind), &query_from_params(params), ctx)
                    }
                    Method::POST => {
                        let body = parse_json(app, bytes)?;
                        ops::create(app, kind, &body, ctx)
                    }
                    _ => Err(method_not_allowed(method, path, "GET, POST")),
                },
                [".search"] => {
                    if search_missing {
                        return Err(no_endpoint());
                    }
                    match *method {
                        Method::POST => {
                            let body = parse_json(app, bytes)?;
                            let q = search_query(app, &body, ctx)?;
                            ops::query(app, Some(kind), &q, ctx)
                        }
                        _ => Err(method_not_allowed(method, path, "POST")),
                    }
                }
                [id] => match *method {
                    Method::GET => ops::get(app, kind, id, ctx),
                    Method::PUT => {
                        let body = parse_json(app, bytes)?;
                        ops::replace(app, kind, id, &body, ctx)
                    }
                    Method::PATCH if app.option("put-only") => Err(ScimError::new(
                        StatusCode::NOT_IMPLEMENTED,
                        None,
                        "PATCH is not supported by this server (patch.supported is false); send the whole resource with PUT",
                    )),
                    Method::PATCH if kind == Kind::Group && app.fault("groups-patch-405") => {
                        Err(method_not_allowed(method, path, "GET, PUT, DELETE"))
                    }
                    Method::PATCH => {
                        let body = parse_json(app, bytes)?;
                        ops::patch(app, kind, id, &body, ctx)
                    }
                    Method::DELETE => ops::delete(app, kind, id, ctx),
                    _ => Err(method_not_allowed(method, path, "GET, PUT, PATCH, DELETE")),
                },
                _ => Err(no_endpoint()),
            }
        }
    }
}

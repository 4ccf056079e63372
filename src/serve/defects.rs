//! Where the second block of faults (the end of `faults::FAULTS`) takes effect: each hook is
//! called at one point of the request path and applies the defects switched on there. Kept in
//! one file so that each defect reads as a few lines beside its kin.

use axum::http::{HeaderMap, Method, StatusCode, header};
use serde_json::{Map, Value, json};

use super::app::App;
use super::error::ScimError;
use super::schema::Kind;
use super::store::{Resource, Store};

/// Defects that refuse a request before it reaches its handler.
pub fn gate(
    app: &App,
    method: &Method,
    segs: &[String],
    headers: &HeaderMap,
    bytes: &[u8],
    params: &[(String, String)],
) -> Option<ScimError> {
    let seg0 = segs.first().map(String::as_str);
    let resource = matches!(seg0, Some("Users" | "Groups"));
    let param = |n: &str| params.iter().any(|(k, _)| k == n);
    let not_implemented = |what: &str| {
        Some(ScimError::new(
            StatusCode::NOT_IMPLEMENTED,
            None,
            format!("{what} is not implemented"),
        ))
    };
    if app.fault("sort-claimed-not-implemented") && resource && param("sortBy") {
        return not_implemented("sorting");
    }
    if app.fault("put-405") && *method == Method::PUT && resource && segs.len() == 2 {
        // A server that implements updates as PATCH only.
        return Some(ScimError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            "PUT is not supported; allowed: GET, PATCH, DELETE",
        ));
    }
    if app.fault("unfiltered-list-refused")
        && *method == Method::GET
        && resource
        && segs.len() == 1
        && !param("filter")
    {
        // A server that only answers lookups, never a listing of the whole tenant.
        return Some(ScimError::invalid_filter("a filter is required"));
    }
    if app.fault("bulk-claimed-not-implemented") && seg0 == Some("Bulk") {
        return not_implemented("/Bulk");
    }
    if app.fault("patch-claimed-not-implemented") && *method == Method::PATCH && resource {
        return not_implemented("PATCH");
    }
    if app.fault("filter-claimed-not-implemented") && resource && param("filter") {
        return not_implemented("filtering");
    }
    if app.fault("accept-scim-json-only-406")
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.trim().eq_ignore_ascii_case("application/scim+json"))
    {
        // A framework that only produces application/json and negotiates strictly.
        return Some(ScimError::new(
            StatusCode::NOT_ACCEPTABLE,
            None,
            "only application/json can be produced",
        ));
    }
    let post_resource = *method == Method::POST && resource && segs.len() == 1;
    if app.fault("schemas-after-username-refused") && post_resource {
        // A streaming reader that resolves each member against the schemas seen so far: a
        // userName met before schemas is an unknown attribute to it.
        let text = String::from_utf8_lossy(bytes);
        if let (Some(u), Some(s)) = (text.find("\"userName\""), text.find("\"schemas\""))
            && u < s
        {
            return Some(ScimError::invalid_value(
                "unknown attribute userName: no schema declared yet",
            ));
        }
    }
    let body = || serde_json::from_slice::<Value>(bytes).ok();
    if app.fault("patch-member-display-rejected")
        && *method == Method::PATCH
        && seg0 == Some("Groups")
        && let Some(b) = body()
        && b["Operations"].as_array().is_some_and(|ops| {
            ops.iter().any(|o| {
                o["value"]
                    .as_array()
                    .is_some_and(|vs| vs.iter().any(|v| v.get("display").is_some()))
            })
        })
    {
        return Some(ScimError::invalid_value(
            "'display' is not a sub-attribute of members",
        ));
    }
    if app.fault("loom-role-groups-refused")
        && post_resource
        && seg0 == Some("Groups")
        && let Some(b) = body()
        && b["displayName"]
            .as_str()
            .is_some_and(|n| n.starts_with("Loom Viewers") || n.starts_with("Loom Admins"))
    {
        return Some(ScimError::invalid_value(
            "only the Loom Creators group can be provisioned",
        ));
    }
    None
}

/// Defects of a create: the stored data, the id, and when lastModified is stamped.
pub fn on_create(app: &App, kind: Kind, data: &mut Map<String, Value>) {
    if app.fault("loom-created-inactive") && kind == Kind::User {
        data.insert("active".into(), json!(false));
    }
}

/// The id a create assigns under a fault, if the fault decides it.
pub fn create_id(app: &App, kind: Kind, data: &Map<String, Value>) -> Option<String> {
    if !app.fault("ids-derived-from-username") || kind != Kind::User {
        return None;
    }
    use std::hash::{DefaultHasher, Hash, Hasher};
    let name = data.get("userName")?.as_str()?.to_lowercase();
    let mut a = DefaultHasher::new();
    name.hash(&mut a);
    let mut b = DefaultHasher::new();
    (name, 1u8).hash(&mut b);
    Some(format!("{:016x}{:016x}", a.finish(), b.finish()))
}

/// lastModified of a new resource: a second clock read, later than `created`.
pub fn created_last_modified(app: &App, created: jiff::Timestamp) -> jiff::Timestamp {
    if app.fault("last-modified-after-created") {
        created
            .checked_add(jiff::SignedDuration::from_millis(3))
            .unwrap_or(created)
    } else {
        created
    }
}

/// A validation error of a create, as the server reports it.
pub fn create_error(app: &App, e: ScimError, body: &Value) -> ScimError {
    if app.fault("error-echoes-request-body") {
        ScimError {
            detail: format!("{} (request: {body})", e.detail),
            ..e
        }
    } else {
        e
    }
}

/// A Loom-specific validation error (role, userName form), as the server reports it.
pub fn loom_validation(app: &App, e: ScimError) -> ScimError {
    if app.fault("loom-validation-errors-500") {
        ScimError::internal(format!("unhandled: {}", e.detail))
    } else {
        e
    }
}

/// The resource GET /Users/{id} answers with when `id` names none.
pub fn get_fallback<'s>(app: &App, store: &'s Store, kind: Kind, id: &str) -> Option<&'s Resource> {
    if !app.fault("loom-externalid-resolves-as-id") || kind != Kind::User {
        return None;
    }
    store.resources.values().find(|r| {
        r.kind == kind && !r.deleted && r.data.get("externalId").and_then(Value::as_str) == Some(id)
    })
}

/// A GET of one resource that fails under a fault.
pub fn get_error(app: &App, r: &Resource) -> Option<ScimError> {
    (app.fault("get-with-password-500") && r.password.is_some())
        .then(|| ScimError::internal("cannot serialise the user"))
}

/// PATCH operations the server silently skips.
pub fn skipped_patch_path(app: &App, path: Option<&str>) -> bool {
    app.fault("looop-patch-subattribute-ignored")
        && path.is_some_and(|p| {
            p.to_ascii_lowercase()
                .strip_prefix("name.")
                .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()))
        })
}

/// The new id a PATCH `replace id` moves the resource to.
pub fn patched_id(app: &App, path: Option<&str>, value: Option<&Value>) -> Option<String> {
    if !app.fault("patch-id-writable") || !path.is_some_and(|p| p.eq_ignore_ascii_case("id")) {
        return None;
    }
    value?.as_str().map(String::from)
}

/// An answer to an empty filtered list.
pub fn empty_filter_no_content(app: &App) -> bool {
    app.fault("empty-filter-result-204")
}

/// How many resources an unfiltered GET /Users without paging parameters carries
/// (itemsPerPage still claims all).
pub fn unpaged_list_cut(
    app: &App,
    kind: Option<Kind>,
    filtered: bool,
    paged: bool,
) -> Option<usize> {
    (app.fault("loom-unpaged-list-truncated") && kind == Some(Kind::User) && !filtered && !paged)
        .then_some(2)
}

/// /ServiceProviderConfig as a faulty server advertises it.
pub fn service_provider_config(app: &App, v: &mut Value) {
    if app.fault("spc-filter-maxresults-ignored") {
        v["filter"]["maxResults"] = json!(2);
    }
}

/// /ResourceTypes/{name} as a faulty server answers it.
pub fn resource_type(app: &App, v: &mut Value) {
    if app.fault("resource-type-by-id-name-missing")
        && let Some(o) = v.as_object_mut()
    {
        o.remove("name");
    }
}

const LOOOP_OPTIONAL: &[&str] = &[
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
];

/// Defects of a rendered resource.
pub fn on_render(app: &App, store: &Store, r: &Resource, out: &mut Map<String, Value>) {
    let user = r.kind == Kind::User;
    let each = |out: &mut Map<String, Value>, attr: &str, f: &dyn Fn(&mut Map<String, Value>)| {
        if let Some(Value::Array(items)) = out.get_mut(attr) {
            for o in items.iter_mut().filter_map(Value::as_object_mut) {
                f(o);
            }
        }
    };
    if app.fault("primary-as-string") {
        for attr in ["emails", "phoneNumbers", "addresses", "photos", "ims"] {
            each(out, attr, &|o| {
                if let Some(b) = o.get("primary").and_then(Value::as_bool) {
                    o.insert("primary".into(), json!(if b { "True" } else { "False" }));
                }
            });
        }
    }
    if app.fault("numeric-strings-as-numbers") {
        for (k, v) in out.iter_mut() {
            if k != "id"
                && let Some(n) = v
                    .as_str()
                    .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
            {
                *v = n;
            }
        }
    }
    if app.fault("binary-base64url") {
        each(out, "x509Certificates", &|o| {
            if let Some(s) = o.get("value").and_then(Value::as_str) {
                let url: String = s
                    .chars()
                    .filter(|c| *c != '=')
                    .map(|c| match c {
                        '+' => '-',
                        '/' => '_',
                        c => c,
                    })
                    .collect();
                o.insert("value".into(), json!(url));
            }
        });
    }
    if app.fault("phone-type-dropped") {
        each(out, "phoneNumbers", &|o| {
            o.remove("type");
        });
    }
    if app.fault("phone-numbers-single-object")
        && let Some(Value::Array(items)) = out.get("phoneNumbers")
        && items.len() == 1
    {
        let one = items[0].clone();
        out.insert("phoneNumbers".into(), one);
    }
    if app.fault("externalid-lowercased")
        && let Some(Value::String(s)) = out.get_mut("externalId")
    {
        *s = s.to_lowercase();
    }
    if app.fault("address-country-alpha3") {
        each(out, "addresses", &|o| {
            if let Some(c) = o.get("country").and_then(Value::as_str) {
                let three = match c {
                    "SE" => "SWE".to_string(),
                    "US" => "USA".to_string(),
                    "DE" => "DEU".to_string(),
                    "GB" => "GBR".to_string(),
                    other => format!("{other}X"),
                };
                o.insert("country".into(), json!(three));
            }
        });
    }
    if app.fault("name-formatted-overwritten")
        && user
        && let Some(u) = out.get("userName").cloned()
        && let Some(n) = out.get_mut("name").and_then(Value::as_object_mut)
    {
        n.insert("formatted".into(), u);
    }
    if app.fault("members-type-lowercase") {
        each(out, "members", &|o| {
            if let Some(t) = o.get("type").and_then(Value::as_str) {
                o.insert("type".into(), json!(t.to_lowercase()));
            }
        });
    }
    if app.fault("loom-members-by-username") {
        each(out, "members", &|o| {
            let name = o
                .get("value")
                .and_then(Value::as_str)
                .and_then(|id| store.get(Kind::User, id))
                .and_then(|u| u.data.get("userName").cloned());
            if let Some(n) = name {
                o.insert("value".into(), n);
            }
        });
    }
    if app.fault("username-html-escaped")
        && let Some(Value::String(s)) = out.get_mut("userName")
    {
        *s = s
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;");
    }
    if app.fault("active-as-string")
        && let Some(Value::Bool(b)) = out.get("active")
    {
        let text = b.to_string();
        out.insert("active".into(), Value::String(text));
    }
    if app.fault("looop-optional-attributes-dropped") && user {
        for k in LOOOP_OPTIONAL {
            out.remove(*k);
        }
    }
    if app.fault("looop-email-primary-dropped") {
        each(out, "emails", &|o| {
            o.remove("primary");
        });
    }
    if app.fault("loom-photos-dropped") {
        out.remove("photos");
    }
    if app.fault("loom-externalid-dropped") && user {
        out.remove("externalId");
    }
    if app.fault("loom-username-email-duplicated")
        && user
        && let Some(u) = out
            .get("userName")
            .and_then(Value::as_str)
            .map(str::to_lowercase)
        && let Some(Value::Array(emails)) = out.get_mut("emails")
        && emails
            .iter()
            .any(|e| e["value"].as_str().map(str::to_lowercase).as_deref() == Some(u.as_str()))
    {
        // The service adds its own copy of the login email beside the one the client sent.
        emails.push(json!({"value": u, "type": "work"}));
    }
}

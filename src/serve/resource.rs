//! Turning request JSON into stored attributes (schema-driven normalization and validation),
//! and stored resources into response JSON (rendering and `attributes`/`excludedAttributes`).

use serde_json::{Map, Value, json};

use super::Flavour;
use super::app::App;
use super::error::{ScimError, ScimResult};
use super::filter::{PathOpts, PathRef, resolve_path};
use super::schema::{Attr, Home, Kind, LOOM_ROLES, Ty};
use super::store::{Store, username_key};
use crate::scim;

/// The extension URN used by the member-role-in-extension fault.
pub const LOOM_FAULT_EXTENSION: &str = "urn:ietf:params:scim:schemas:extension:loom:2.0:User";

/// Where a key of a request object goes.
#[derive(Clone, Copy, Debug)]
pub enum KeyTarget<'c> {
    Schemas,
    CoreSchema,
    Extension(&'static str),
    Attr {
        home: Home,
        attr: &'c Attr,
        sub: Option<&'c Attr>,
    },
    Unknown,
}

pub fn path_opts(app: &App) -> PathOpts {
    PathOpts {
        case_sensitive: app.fault("attr-names-case-sensitive"),
        no_urns: false,
    }
}

/// Routes a key of a request body (`userName`, `name.givenName`, `urn:...:User:department`,
/// an extension URN) to its attribute.
pub fn route_key<'c>(app: &'c App, kind: Kind, key: &str) -> KeyTarget<'c> {
    if key.eq_ignore_ascii_case("schemas") {
        return KeyTarget::Schemas;
    }
    match resolve_path(&app.catalog, kind, key, path_opts(app)) {
        Some(PathRef::CoreSchema) => KeyTarget::CoreSchema,
        Some(PathRef::Extension(urn)) => KeyTarget::Extension(urn),
        Some(PathRef::Attr { home, attr, sub }) => KeyTarget::Attr { home, attr, sub },
        None => KeyTarget::Unknown,
    }
}

fn parse_bool(app: &App, attr: &Attr, v: &Value) -> ScimResult<Value> {
    match v {
        Value::Bool(_) => Ok(v.clone()),
        Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
            if app.fault("string-booleans-rejected") {
                return Err(ScimError::invalid_value(format!(
                    "'{}' must be a JSON boolean, not the string \"{s}\"",
                    attr.name
                )));
            }
            if app.fault("string-booleans-stored-as-strings") {
                return Ok(v.clone());
            }
            Ok(Value::Bool(s.eq_ignore_ascii_case("true")))
        }
        _ => Err(ScimError::invalid_value(format!(
            "'{}' must be a boolean (true or false), got {v}",
            attr.name
        ))),
    }
}

/// Checks and canonicalizes a single (not multi-valued) simple value.
pub fn normalize_simple_pub(app: &App, attr: &Attr, v: &Value) -> ScimResult<Option<Value>> {
    normalize_simple(app, attr, v)
}

fn normalize_simple(app: &App, attr: &Attr, v: &Value) -> ScimResult<Option<Value>> {
    if v.is_null() {
        return Ok(None);
    }
    let wrong = |what: &str| {
        Err(ScimError::invalid_value(format!(
            "'{}' must be {what}, got {v}",
            attr.name
        )))
    };
    match attr.ty {
        Ty::Boolean => parse_bool(app, attr, v).map(Some),
        Ty::String | Ty::Reference | Ty::Binary => {
            let Some(s) = v.as_str() else {
                return wrong("a string");
            };
            if app.fault("utf8-mangled") && !s.is_ascii() {
                // The body's UTF-8 bytes read as Latin-1, one char per byte.
                return Ok(Some(Value::String(s.bytes().map(char::from).collect())));
            }
            if attr.name == "loomMemberRole" && app.flavour == Flavour::Loom {
                let lower = s.to_ascii_lowercase();
                if LOOM_ROLES.contains(&lower.as_str()) {
                    return Ok(Some(Value::String(lower)));
                }
                if !app.option("loom-accepts-any-role") {
                    return Err(super::defects::loom_validation(
                        app,
                        ScimError::invalid_value(format!(
                            "loomMemberRole must be one of default, creator, viewer, admin; got \"{s}\""
                        )),
                    ));
                }
            }
            Ok(Some(v.clone()))
        }
        Ty::Integer => match v.as_i64() {
            Some(_) => Ok(Some(v.clone())),
            None => wrong("an integer"),
        },
        Ty::Decimal => match v {
            Value::Number(_) => Ok(Some(v.clone())),
            _ => wrong("a number"),
        },
        Ty::DateTime => match v.as_str().map(|s| s.parse::<jiff::Timestamp>()) {
            Some(Ok(_)) => Ok(Some(v.clone())),
            _ => wrong("an xsd:dateTime string"),
        },
        Ty::Complex => normalize_complex(app, attr, v),
    }
}

/// A complex value: an object with known sub-attributes (case-insensitive keys, read-only
/// sub-attributes dropped).
fn normalize_complex(app: &App, attr: &Attr, v: &Value) -> ScimResult<Option<Value>> {
    let Some(obj) = v.as_object() else {
        // Entra sends manager as a bare id string.
        if attr.name == "manager"
            && let Some(s) = v.as_str()
        {
            return Ok(Some(json!({"value": s})));
        }
        // ...or as a one-element array [{$ref, value}] (PATCH Add path manager).
        if attr.name == "manager"
            && !app.fault("entra-manager-array-refused")
            && let Some([one]) = v.as_array().map(Vec::as_slice)
            && one.is_object()
        {
            return normalize_complex(app, attr, one);
        }
        return Err(ScimError::invalid_value(format!(
            "'{}' must be a JSON object, got {v}",
            attr.name
        )));
    };
    let mut out = Map::new();
    for (k, sv) in obj {
        let Some(sub) = attr.sub_attr(k) else {
            continue;
        };
        if app.fault("attr-names-case-sensitive") && sub.name != k {
            continue;
        }
        if sub.is_read_only()
            && !(sub.name == "displayName" && app.fault("manager-displayname-stored"))
        {
            continue;
        }
        if attr.name == "members"
            && matches!(sub.name, "$ref" | "type")
            && !(sub.name == "$ref" && app.fault("member-readd-with-ref-duplicates"))
        {
            // Computed from the referenced resource when rendered.
            continue;
        }
        if let Some(n) = normalize_simple(app, sub, sv)? {
            out.insert(sub.name.to_string(), n);
        }
    }
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

/// Checks and canonicalizes any value of `attr` (`None`: the attribute becomes unassigned).
pub fn normalize_value(app: &App, attr: &Attr, v: &Value) -> ScimResult<Option<Value>> {
    if v.is_null() {
        return Ok(None);
    }
    if !attr.multi {
        return normalize_simple(app, attr, v);
    }
    let Some(items) = v.as_array() else {
        if app.fault("wrong-type-ignored") {
            return Ok(None);
        }
        return Err(ScimError::invalid_value(format!(
            "'{}' is multi-valued and must be a JSON array, got {v}",
            attr.name
        )));
    };
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if let Some(mut n) = normalize_simple(app, attr, item)? {
            canonical_display(attr, &mut n);
            if let Some(existing) = out.iter_mut().find(|e| same_element(attr, e, &n)) {
                *existing = n;
            } else {
                out.push(n);
            }
        }
    }
    if attr.name == "emails" && app.fault("primary-defaulted-true") {
        // A storage column defaulting to true, and no exclusivity check.
        for o in out.iter_mut().filter_map(Value::as_object_mut) {
            o.entry("primary").or_insert(Value::Bool(true));
        }
        return Ok((!out.is_empty()).then_some(Value::Array(out)));
    }
    // At most one primary: the first one wins.
    let mut seen = false;
    for e in out.iter_mut() {
        if let Some(o) = e.as_object_mut()
            && o.get("primary") == Some(&Value::Bool(true))
        {
            if seen {
                o.insert("primary".into(), Value::Bool(false));
            }
            seen = true;
        }
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

/// RFC 7643 §4.1.2 asks for canonical email addresses (lower-case domain) and tel: URIs for phone
/// numbers. The value is kept as the client sent it; the canonical form goes into `display` when
/// it differs and the client sent no display.
pub fn canonical_display(attr: &Attr, element: &mut Value) {
    let Some(o) = element.as_object_mut() else {
        return;
    };
    if o.contains_key("display") {
        return;
    }
    let Some(value) = o.get("value").and_then(Value::as_str) else {
        return;
    };
    let canonical = match attr.name {
        "emails" => value
            .rsplit_once('@')
            .map(|(local, domain)| format!("{local}@{}", domain.to_ascii_lowercase())),
        "phoneNumbers" if !value.starts_with("tel:") => {
            let trimmed = value.trim();
            let plus = trimmed.starts_with('+');
            let body = if plus { &trimmed[1..] } else { trimmed };
            let groups: Vec<&str> = body
                .split([' ', '-', '.', '(', ')'])
                .filter(|g| !g.is_empty())
                .collect();
            (plus
                && !groups.is_empty()
                && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())))
            .then(|| format!("tel:+{}", groups.join("-")))
        }
        _ => None,
    };
    if let Some(c) = canonical.filter(|c| c != value) {
        o.insert("display".into(), Value::String(c));
    }
}

/// Do two elements of a multi-valued attribute denote the same value?
pub fn same_element(attr: &Attr, a: &Value, b: &Value) -> bool {
    if attr.name == "members" {
        return a.get("value").is_some() && a.get("value") == b.get("value");
    }
    match (a.as_object(), b.as_object()) {
        (Some(x), Some(y)) => {
            x.get("value").is_some()
                && x.get("value") == y.get("value")
                && x.get("type") == y.get("type")
        }
        _ => a == b,
    }
}

/// Sets (or with `None` removes) an attribute or sub-attribute in stored data.
pub fn set_attr(
    data: &mut Map<String, Value>,
    home: Home,
    attr: &Attr,
    sub: Option<&Attr>,
    value: Option<Value>,
) {
    let container: &mut Map<String, Value> = match home {
        Home::Core => data,
        Home::Extension(urn) => {
            let entry = data.entry(urn.to_string()).or_insert_with(|| json!({}));
            if !entry.is_object() {
                *entry = json!({});
            }
            match entry.as_object_mut() {
                Some(m) => m,
                None => return,
            }
        }
    };
    match sub {
        None => match value {
            Some(v) => {
                container.insert(attr.name.to_string(), v);
            }
            None => {
                container.remove(attr.name);
            }
        },
        Some(s) => {
            let entry = container
                .entry(attr.name.to_string())
                .or_insert_with(|| json!({}));
            if let Some(o) = entry.as_object_mut() {
                match value {
                    Some(v) => {
                        o.insert(s.name.to_string(), v);
                    }
                    None => {
                        o.remove(s.name);
                    }
                }
            }
            if entry.as_object().is_some_and(Map::is_empty) {
                container.remove(attr.name);
            }
        }
    }
    prune(data);
}

/// Removes empty extension objects.
pub fn prune(data: &mut Map<String, Value>) {
    data.retain(|k, v| !(k.starts_with("urn:") && v.as_object().is_some_and(Map::is_empty)));
}

/// Reads an attribute or sub-attribute from stored data.
pub fn get_attr<'d>(data: &'d Map<String, Value>, home: Home, attr: &Attr) -> Option<&'d Value> {
    match home {
        Home::Core => data.get(attr.name),
        Home::Extension(urn) => data.get(urn).and_then(|e| e.get(attr.name)),
    }
}

/// A request body (POST or PUT) turned into stored form.
#[derive(Debug, Default)]
pub struct Input {
    pub data: Map<String, Value>,
    pub password: Option<String>,
    pub schemas: Option<Vec<String>>,
    pub id: Option<String>,
    pub meta: Option<Map<String, Value>>,
    pub groups: Option<Value>,
}

/// Checks the `schemas` of a resource body: present, an array of strings listing the core schema.
pub fn check_resource_schemas(kind: Kind, body: &Map<String, Value>) -> ScimResult<Vec<String>> {
    let schemas = body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("schemas"))
        .map(|(_, v)| v);
    let Some(Value::Array(items)) = schemas else {
        return Err(ScimError::invalid_value(format!(
            "the request body must have a 'schemas' array listing {}",
            kind.core_schema()
        )));
    };
    let mut out = Vec::new();
    for i in items {
        match i.as_str() {
            Some(s) => out.push(s.to_string()),
            None => {
                return Err(ScimError::invalid_value("'schemas' must hold URI strings"));
            }
        }
    }
    if !out
        .iter()
        .any(|s| s.eq_ignore_ascii_case(kind.core_schema()))
    {
        return Err(ScimError::invalid_value(format!(
            "'schemas' must list {}",
            kind.core_schema()
        )));
    }
    Ok(out)
}

/// Normalizes a whole resource body (POST, PUT).
pub fn normalize_body(app: &App, kind: Kind, body: &Map<String, Value>) -> ScimResult<Input> {
    let mut input = Input::default();
    for (key, v) in body {
        apply_key(app, kind, &mut input, key, v)?;
    }
    prune(&mut input.data);
    Ok(input)
}

fn apply_key(app: &App, kind: Kind, input: &mut Input, key: &str, v: &Value) -> ScimResult<()> {
    match route_key(app, kind, key) {
        KeyTarget::Schemas => {
            if let Some(a) = v.as_array() {
                input.schemas = Some(
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect(),
                );
            }
        }
        KeyTarget::Unknown => {}
        KeyTarget::CoreSchema => {
            if let Some(o) = v.as_object() {
                for (k, iv) in o {
                    apply_key(app, kind, input, k, iv)?;
                }
            }
        }
        KeyTarget::Extension(urn) => match v {
            Value::Null => {
                input.data.remove(urn);
            }
            Value::Object(o) => {
                if app.fault("enterprise-dropped") && urn == scim::ENTERPRISE_USER_SCHEMA {
                    return Ok(());
                }
                let ext = app.catalog.extension(kind, urn);
                for (k, iv) in o {
                    let Some(attr) = ext.and_then(|e| e.attr(k)) else {
                        continue;
                    };
                    if app.fault("attr-names-case-sensitive") && attr.name != k {
                        continue;
                    }
                    if attr.is_read_only() {
                        continue;
                    }
                    let n = normalize_value(app, attr, iv)?;
                    set_attr(&mut input.data, Home::Extension(urn), attr, None, n);
                }
            }
            _ => {
                return Err(ScimError::invalid_value(format!(
                    "'{urn}' must be a JSON object holding the extension's attributes"
                )));
            }
        },
        KeyTarget::Attr { home, attr, sub } => {
            if app.fault("enterprise-dropped")
                && home == Home::Extension(scim::ENTERPRISE_USER_SCHEMA)
            {
                return Ok(());
            }
            if home == Home::Core && sub.is_none() {
                match attr.name {
                    "id" => {
                        input.id = v.as_str().map(String::from);
                        return Ok(());
                    }
                    "meta" => {
                        input.meta = v.as_object().cloned();
                        return Ok(());
                    }
                    "groups" => {
                        input.groups = Some(v.clone());
                        return Ok(());
                    }
                    "password" => {
                        match v {
                            Value::String(s) => input.password = Some(s.clone()),
                            Value::Null => input.password = None,
                            _ => {
                                return Err(ScimError::invalid_value(
                                    "'password' must be a string",
                                ));
                            }
                        }
                        return Ok(());
                    }
                    _ => {}
                }
            }
            if attr.is_read_only() || sub.is_some_and(Attr::is_read_only) {
                return Ok(());
            }
            match sub {
                None => {
                    let n = if v.is_null()
                        && !attr.multi
                        && attr.ty == Ty::String
                        && app.fault("null-stored-as-text")
                    {
                        Some(json!("null"))
                    } else {
                        normalize_value(app, attr, v)?
                    };
                    set_attr(&mut input.data, home, attr, None, n);
                }
                Some(s) if !attr.multi => {
                    let n = normalize_simple(app, s, v)?;
                    set_attr(&mut input.data, home, attr, Some(s), n);
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// Whole-resource rules checked after every write: required attributes, uniqueness, Loom's
/// email userNames, group members that exist.
pub fn validate(
    app: &App,
    store: &Store,
    kind: Kind,
    id: Option<&str>,
    data: &mut Map<String, Value>,
) -> ScimResult<()> {
    match kind {
        Kind::User => {
            if app.fault("familyname-required")
                && data
                    .get("name")
                    .and_then(|n| n.get("familyName"))
                    .and_then(Value::as_str)
                    .is_none_or(|f| f.trim().is_empty())
            {
                return Err(ScimError::invalid_value(
                    "name.familyName is required (see /Schemas)",
                ));
            }
            let name = data.get("userName").and_then(Value::as_str).unwrap_or("");
            if name.trim().is_empty() {
                if app.fault("missing-required-invalidsyntax") {
                    return Err(ScimError::invalid_syntax(
                        "userName is required and must not be empty",
                    ));
                }
                if !app.fault("required-username-not-enforced") {
                    return Err(ScimError::invalid_value(
                        "userName is required and must not be empty",
                    ));
                }
            } else {
                if app.flavour == Flavour::Loom
                    && !app.option("loom-accepts-any-username")
                    && !is_email(name)
                {
                    return Err(super::defects::loom_validation(
                        app,
                        ScimError::invalid_value(format!(
                            "userName must be the user's email address; \"{name}\" is not an email address"
                        )),
                    ));
                }
                if app.fault("deleted-username-reserved")
                    && store
                        .reserved_user_names
                        .iter()
                        .any(|n| username_key(n) == username_key(name))
                {
                    return Err(ScimError::uniqueness(format!(
                        "userName \"{name}\" is already taken"
                    )));
                }
                if !app.fault("duplicate-username-accepted") {
                    let cs = app.fault("username-uniqueness-case-sensitive");
                    if let Some(other) = store.username_taken(name, id, cs) {
                        return Err(ScimError::uniqueness(format!(
                            "userName \"{name}\" is already taken by the user {other}"
                        )));
                    }
                }
            }
        }
        Kind::Group => {
            let name = data
                .get("displayName")
                .and_then(Value::as_str)
                .unwrap_or("");
            if name.trim().is_empty() && !app.fault("group-displayname-not-required") {
                return Err(ScimError::invalid_value(
                    "displayName is required and must not be empty",
                ));
            }
            if let Some(Value::Array(members)) = data.get("members") {
                for m in members {
                    let value = m.get("value").and_then(Value::as_str).unwrap_or("");
                    if value.is_empty() {
                        return Err(ScimError::invalid_value(
                            "every member needs a 'value' (the member's id)",
                        ));
                    }
                    if Some(value) == id {
                        return Err(ScimError::invalid_value(
                            "a group cannot be a member of itself",
                        ));
                    }
                    if store.get_any(value).is_none() {
                        // django-scim2's member look-up raises on an unknown id.
                        if app.fault("unknown-member-500") {
                            return Err(ScimError::internal(
                                "Exception occurred while processing the SCIM request",
                            ));
                        }
                        return Err(ScimError::invalid_value(format!(
                            "member \"{value}\" is not the id of an existing User or Group"
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// The effective Loom role after `role` was sent (for a user whose current effective role is
/// `current`).
pub fn loom_effective_role(app: &App, role: Option<&str>, current: Option<&str>) -> String {
    use super::schema::LOOM_WORKSPACE_DEFAULT_ROLE as DEFAULT;
    match role {
        Some("default") | None => match current {
            Some(c) if !app.fault("member-role-default-resets") || role.is_none() => c.to_string(),
            _ => DEFAULT.to_string(),
        },
        Some(r) => r.to_string(),
    }
}

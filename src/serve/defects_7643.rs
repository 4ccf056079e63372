//! Where the RFC 7643 block of faults (after "familyname-required" in `faults::FAULTS`) takes
//! effect: schema declarations, the stored data of a write, and the rendered resource.

use serde_json::{Map, Value, json};

use super::app::App;
use super::patch::{OpKind, PatchOp};
use super::schema::Kind;
use crate::scim;

/// A vendor extension some servers list in every resource's schemas without declaring it.
const INTERNAL_EXTENSION: &str = "urn:example:params:scim:schemas:extension:internal:2.0:Audit";

/// The id a create assigns under a fault, if the fault decides it.
pub fn create_id(app: &App, kind: Kind, data: &Map<String, Value>) -> Option<String> {
    if !app.fault("id-from-externalid") || kind != Kind::User {
        return None;
    }
    // A JavaScript server keying users by `String(body.externalId)`.
    Some(
        data.get("externalId")
            .and_then(Value::as_str)
            .map_or_else(|| "undefined".to_string(), String::from),
    )
}

/// Defects of the data a create (`old` None) or a PUT (`old` the stored data) keeps.
pub fn on_write(
    app: &App,
    kind: Kind,
    schemas: Option<&[String]>,
    old: Option<&Map<String, Value>>,
    data: &mut Map<String, Value>,
) {
    let core = match kind {
        Kind::User => scim::USER_SCHEMA,
        Kind::Group => scim::GROUP_SCHEMA,
    };
    if app.fault("schemas-first-uri-only")
        && schemas
            .and_then(|s| s.first())
            .is_some_and(|first| !first.eq_ignore_ascii_case(core))
    {
        // The server reads schemas[0] as "the" schema and drops what belongs to any other.
        data.retain(|k, _| !k.starts_with("urn:"));
    }
    let Some(old) = old else {
        return;
    };
    let mut keep_old = |key: &str| match old.get(key) {
        Some(v) => {
            data.insert(key.into(), v.clone());
        }
        None => {
            data.remove(key);
        }
    };
    if app.fault("externalid-immutable") {
        keep_old("externalId");
    }
    if app.fault("put-displayname-ignored") && kind == Kind::User {
        keep_old("displayName");
    }
    if app.fault("put-active-as-string")
        && let Some(b) = data.get("active").and_then(Value::as_bool)
    {
        // A form-style binder that stores every scalar through its text.
        data.insert("active".into(), json!(if b { "True" } else { "False" }));
    }
}

/// The meta values of a create body the server keeps (client-meta-kept).
pub fn create_meta(app: &App, meta: Option<&Map<String, Value>>) -> Map<String, Value> {
    let mut out = Map::new();
    if !app.fault("client-meta-kept") {
        return out;
    }
    for (k, v) in meta.into_iter().flatten() {
        if ["resourceType", "created", "lastModified", "location"].contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// PATCH operations rewriting `members[value eq "x"].value`, applied directly under
/// member-value-patchable (the immutability of members.value is never checked).
pub fn patch_member_values(app: &App, ops: &mut Vec<PatchOp>, data: &mut Map<String, Value>) {
    if !app.fault("member-value-patchable") {
        return;
    }
    ops.retain(|o| {
        let Some(path) = o.path.as_deref() else {
            return true;
        };
        let Some(old) = path
            .strip_prefix("members[value eq \"")
            .and_then(|rest| rest.strip_suffix("\"].value"))
        else {
            return true;
        };
        let (OpKind::Replace, Some(Value::String(new))) = (&o.op, &o.value) else {
            return true;
        };
        if let Some(Value::Array(members)) = data.get_mut("members") {
            for m in members.iter_mut().filter_map(Value::as_object_mut) {
                if m.get("value").and_then(Value::as_str) == Some(old) {
                    m.insert("value".into(), json!(new));
                }
            }
        }
        false
    });
}

/// Whether a filter is run as a query built by pasting the text, so an injected
/// `or "1"="1` matches everything.
pub fn filter_injected(app: &App, filter: &str) -> bool {
    app.fault("filter-string-concatenated")
        && ["\"1\"=\"1", "'1'='1"]
            .iter()
            .any(|t| filter.replace("\\\"", "\"").contains(t))
}

/// Defects of a rendered resource.
pub fn on_render(app: &App, kind: Kind, base_url: &str, out: &mut Map<String, Value>) {
    if app.fault("schemas-internal-extension-listed")
        && let Some(Value::Array(s)) = out.get_mut("schemas")
    {
        s.push(json!(INTERNAL_EXTENSION));
    }
    let Some(meta) = out.get_mut("meta").and_then(Value::as_object_mut) else {
        return;
    };
    if app.fault("meta-resourcetype-schema-uri") {
        let urn = match kind {
            Kind::User => scim::USER_SCHEMA,
            Kind::Group => scim::GROUP_SCHEMA,
        };
        meta.insert("resourceType".into(), json!(urn));
    }
    if app.fault("meta-location-collection") {
        meta.insert(
            "location".into(),
            json!(format!("{base_url}{}", kind.endpoint())),
        );
    }
}

/// Defects of the schemas /Schemas serves.
pub fn schemas(app: &App, items: &mut [Value]) {
    for schema in items.iter_mut() {
        let user = schema.get("id").and_then(Value::as_str) == Some(scim::USER_SCHEMA);
        let Some(attrs) = schema.get_mut("attributes").and_then(Value::as_array_mut) else {
            continue;
        };
        for a in attrs.iter_mut() {
            if app.fault("schema-attribute-descriptions-missing") {
                strip_descriptions(a);
            }
            if !user {
                continue;
            }
            let name = a.get("name").and_then(Value::as_str).unwrap_or("");
            match name {
                "userName" if app.fault("schema-username-caseexact") => {
                    a["caseExact"] = json!(true);
                }
                "groups" if app.fault("schema-groups-readwrite") => {
                    a["mutability"] = json!("readWrite");
                }
                "password" if app.fault("schema-password-returned-default") => {
                    a["mutability"] = json!("readWrite");
                    a["returned"] = json!("default");
                }
                "photos" if app.fault("schema-photos-value-string") => {
                    let subs = a.get_mut("subAttributes").and_then(Value::as_array_mut);
                    for s in subs.into_iter().flatten() {
                        if s.get("name").and_then(Value::as_str) == Some("value")
                            && let Some(o) = s.as_object_mut()
                        {
                            o.insert("type".into(), json!("string"));
                            o.remove("referenceTypes");
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn strip_descriptions(a: &mut Value) {
    if let Some(o) = a.as_object_mut() {
        o.remove("description");
        if let Some(Value::Array(subs)) = o.get_mut("subAttributes") {
            subs.iter_mut().for_each(strip_descriptions);
        }
    }
}

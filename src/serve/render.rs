//! What a client sees of a stored resource: its full representation (meta, $ref, derived
//! attributes) and the projection `attributes`/`excludedAttributes` make of it.

use serde_json::{Map, Value, json};

use super::app::{App, Ctx};
use super::filter::{PathOpts, PathRef, resolve_path};
use super::resource::{LOOM_FAULT_EXTENSION, prune};
use super::schema::{Attr, Home, Kind, Returned};
use super::store::{Resource, Store};
use crate::scim;

fn format_time(app: &App, t: jiff::Timestamp) -> Value {
    if app.fault("meta-created-not-datetime") {
        json!(t.as_second())
    } else if app.fault("last-modified-never-changes") {
        // Python's isoformat() of an aware UTC datetime: microseconds and a +00:00 offset.
        json!(format!(
            "{}.{:06}+00:00",
            t.strftime("%Y-%m-%dT%H:%M:%S"),
            t.subsec_microsecond()
        ))
    } else {
        json!(t.to_string())
    }
}

/// The URL of a resource.
pub fn location(app: &App, ctx: &Ctx, kind: Kind, id: &str) -> String {
    let url = format!("{}{}/{}", ctx.base_url, kind.endpoint(), id);
    if app.fault("location-tenant-query") {
        // A multi-tenant server that carries the tenant in every URL it hands out.
        return format!("{url}?tenant=default");
    }
    url
}

/// The full representation of a stored resource (before attributes/excludedAttributes).
pub fn render(app: &App, store: &Store, r: &Resource, ctx: &Ctx) -> Map<String, Value> {
    let mut out = Map::new();
    let mut data = r.data.clone();
    if app.fault("filter-defaulted-attribute-unseen")
        && r.kind == Kind::User
        && !data.contains_key("active")
    {
        data.insert("active".into(), Value::Bool(true));
    }
    // Loom: member role inside an extension object (a fault).
    if app.fault("member-role-in-extension") {
        let mut ext = Map::new();
        for k in ["loomMemberRole", "loomEffectiveRole"] {
            if let Some(v) = data.remove(k) {
                ext.insert(k.to_string(), v);
            }
        }
        if !ext.is_empty() {
            data.insert(LOOM_FAULT_EXTENSION.to_string(), Value::Object(ext));
        }
    }
    if !app.fault("schemas-missing-in-response") {
        let schemas: Vec<Value> = match (&r.sent_schemas, app.fault("schemas-duplicates-kept")) {
            (Some(sent), true) => sent.iter().map(|s| json!(s)).collect(),
            // The schemas array stored as the create sent it, never updated by a PATCH.
            (Some(sent), false) if app.fault("patch-schemas-not-updated") => {
                let mut v: Vec<Value> = Vec::new();
                for s in sent {
                    if !v
                        .iter()
                        .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(s)))
                    {
                        v.push(json!(s));
                    }
                }
                v
            }
            _ => {
                let mut v = vec![json!(r.kind.core_schema())];
                for ext in app.catalog.extensions(r.kind) {
                    if data.contains_key(ext.id) {
                        v.push(json!(ext.id));
                    }
                }
                if data.contains_key(LOOM_FAULT_EXTENSION) {
                    v.push(json!(LOOM_FAULT_EXTENSION));
                }
                v
            }
        };
        out.insert("schemas".into(), Value::Array(schemas));
    }
    out.insert("id".into(), json!(r.id));
    for (k, v) in data {
        out.insert(k, v);
    }
    if r.kind == Kind::Group
        && let Some(Value::Array(members)) = out.get_mut("members")
    {
        for m in members.iter_mut() {
            let Some(o) = m.as_object_mut() else { continue };
            let value = o
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(target) = store.get_any(&value) {
                let endpoint =
                    if target.kind == Kind::User && app.fault("member-ref-wrong-endpoint") {
                        Kind::Group
                    } else {
                        target.kind
                    };
                o.insert("$ref".into(), json!(location(app, ctx, endpoint, &value)));
                o.insert("type".into(), json!(target.kind.name()));
                if !o.contains_key("display")
                    && let Some(d) = display_of(target)
                {
                    o.insert("display".into(), json!(d));
                }
            }
        }
    }
    if r.kind == Kind::User {
        if let Some(m) = out
            .get_mut(scim::ENTERPRISE_USER_SCHEMA)
            .and_then(|e| e.get_mut("manager"))
            .and_then(Value::as_object_mut)
            && let Some(value) = m.get("value").and_then(Value::as_str).map(String::from)
        {
            m.insert("$ref".into(), json!(location(app, ctx, Kind::User, &value)));
            if !app.fault("manager-displayname-stored") {
                m.remove("displayName");
                if let Some(d) = store.get(Kind::User, &value).and_then(display_of) {
                    m.insert("displayName".into(), json!(d));
                }
            }
        }
        {
            let by_name = app.fault("user-groups-value-is-display-name");
            let groups: Vec<Value> = store
                .groups_of(&r.id)
                .into_iter()
                .map(|g| {
                    let display = g.data.get("displayName").cloned().unwrap_or(Value::Null);
                    if by_name {
                        json!({ "value": display, "display": display, "type": "direct" })
                    } else {
                        json!({
                            "value": g.id,
                            "$ref": location(app, ctx, Kind::Group, &g.id),
                            "display": display,
                            "type": "direct",
                        })
                    }
                })
                .collect();
            if !groups.is_empty() {
                out.insert("groups".into(), Value::Array(groups));
            }
        }
        if app.fault("password-returned")
            && let Some(p) = &r.password
        {
            out.insert("password".into(), json!(p));
        }
    }
    if !app.fault("meta-missing") {
        let mut meta = Map::new();
        meta.insert("resourceType".into(), json!(r.kind.name()));
        meta.insert("created".into(), format_time(app, r.created));
        meta.insert("lastModified".into(), format_time(app, r.last_modified));
        let loc = if app.fault("location-mismatch-meta") {
            format!("{}{}/{}", ctx.origin, r.kind.endpoint(), r.id)
        } else {
            location(app, ctx, r.kind, &r.id)
        };
        meta.insert("location".into(), json!(loc));
        if app.fault("meta-version-mismatch") {
            meta.insert("version".into(), json!(r.version));
        } else {
            meta.insert("version".into(), json!(r.etag()));
        }
        for (k, v) in &r.meta_override {
            meta.insert(k.clone(), v.clone());
        }
        out.insert("meta".into(), Value::Object(meta));
    }
    super::defects::on_render(app, store, r, &mut out);
    let own = location(app, ctx, r.kind, &r.id);
    let collection = own.strip_suffix(&format!("/{}", r.id)).unwrap_or(&own);
    super::defects_7643::on_render(app, r.kind, collection, &mut out);
    out
}

fn display_of(r: &Resource) -> Option<String> {
    r.data
        .get("displayName")
        .or_else(|| r.data.get("userName"))
        .and_then(Value::as_str)
        .map(String::from)
}

/// One parsed entry of `attributes`/`excludedAttributes`.
enum Sel<'c> {
    Ext(&'static str),
    Attr(Home, &'c Attr, Option<&'c Attr>),
}

fn parse_sel<'c>(app: &'c App, kind: Kind, text: &str) -> Option<Sel<'c>> {
    let opts = PathOpts {
        case_sensitive: app.fault("attributes-param-case-sensitive"),
        no_urns: app.fault("urn-paths-unsupported"),
    };
    match resolve_path(&app.catalog, kind, text.trim(), opts)? {
        PathRef::Extension(urn) => Some(Sel::Ext(urn)),
        PathRef::CoreSchema => None,
        PathRef::Attr { home, attr, sub } => Some(Sel::Attr(home, attr, sub)),
    }
}

fn ext_key(home: Home, attr: &Attr) -> (Option<&'static str>, &'static str) {
    match home {
        Home::Core => (None, attr.name),
        Home::Extension(urn) => (Some(urn), attr.name),
    }
}

/// Applies `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) to a rendered resource.
pub fn project(app: &App, kind: Kind, full: Map<String, Value>, ctx: &Ctx) -> Map<String, Value> {
    let always = |name: &str| name == "id" || name == "schemas";
    let mut out;
    let attributes = ctx
        .attributes
        .as_ref()
        .filter(|a| !a.is_empty() && !app.fault("attributes-ignored"));
    if let Some(attrs) = attributes {
        out = Map::new();
        let kept: &[&str] = if app.fault("attributes-drop-schemas") {
            &["id"]
        } else {
            &["schemas", "id"]
        };
        for &k in kept {
            if let Some(v) = full.get(k) {
                out.insert(k.to_string(), v.clone());
            }
        }
        for text in attrs {
            let Some(sel) = parse_sel(app, kind, text) else {
                continue;
            };
            match sel {
                Sel::Ext(urn) => {
                    if let Some(v) = full.get(urn) {
                        out.insert(urn.to_string(), v.clone());
                    }
                }
                Sel::Attr(home, attr, sub) => {
                    if attr.returned == Returned::Never && !app.fault("password-returned") {
                        continue;
                    }
                    let (urn, name) = ext_key(home, attr);
                    let src = match urn {
                        None => full.get(name),
                        Some(u) => full.get(u).and_then(|e| e.get(name)),
                    };
                    let Some(src) = src else { continue };
                    let value = match sub {
                        Some(s) if !app.fault("attributes-subattribute-ignored") => {
                            pick_sub(src, s.name, out_existing(&out, urn, name))
                        }
                        _ => Some(src.clone()),
                    };
                    let Some(value) = value else { continue };
                    let target = match urn {
                        None => &mut out,
                        Some(u) => {
                            let e = out.entry(u.to_string()).or_insert_with(|| json!({}));
                            match e.as_object_mut() {
                                Some(m) => m,
                                None => continue,
                            }
                        }
                    };
                    target.insert(name.to_string(), value);
                }
            }
        }
    } else {
        out = full;
        // returned:request attributes appear only when asked for; none are defined here.
    }
    if !app.fault("excluded-attributes-ignored") {
        for text in &ctx.excluded {
            let Some(sel) = parse_sel(app, kind, text) else {
                continue;
            };
            match sel {
                Sel::Ext(urn) => {
                    out.remove(urn);
                }
                Sel::Attr(home, attr, sub) => {
                    if (attr.returned == Returned::Always || always(attr.name))
                        && !(attr.name == "id" && app.fault("returned-always-excludable"))
                    {
                        continue;
                    }
                    let (urn, name) = ext_key(home, attr);
                    let target = match urn {
                        None => Some(&mut out),
                        Some(u) => out.get_mut(u).and_then(Value::as_object_mut),
                    };
                    let Some(target) = target else { continue };
                    match sub {
                        None => {
                            target.remove(name);
                        }
                        Some(s) => match target.get_mut(name) {
                            Some(Value::Object(o)) => {
                                o.remove(s.name);
                            }
                            Some(Value::Array(items)) => {
                                for i in items.iter_mut() {
                                    if let Some(o) = i.as_object_mut() {
                                        o.remove(s.name);
                                    }
                                }
                            }
                            _ => {}
                        },
                    }
                }
            }
        }
        prune(&mut out);
    }
    out
}

fn out_existing<'a>(
    out: &'a Map<String, Value>,
    urn: Option<&str>,
    name: &str,
) -> Option<&'a Value> {
    match urn {
        None => out.get(name),
        Some(u) => out.get(u).and_then(|e| e.get(name)),
    }
}

/// Keeps only sub-attribute `sub` of a complex value (merged with what was already picked).
fn pick_sub(src: &Value, sub: &str, existing: Option<&Value>) -> Option<Value> {
    match src {
        Value::Object(o) => {
            let mut m = existing
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(v) = o.get(sub) {
                m.insert(sub.to_string(), v.clone());
            }
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Array(items) => {
            let prev = existing.and_then(Value::as_array);
            let v: Vec<Value> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mut m = prev
                        .and_then(|p| p.get(i))
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    if let Some(x) = item.get(sub) {
                        m.insert(sub.to_string(), x.clone());
                    }
                    Value::Object(m)
                })
                .collect();
            Some(Value::Array(v))
        }
        _ => None,
    }
}

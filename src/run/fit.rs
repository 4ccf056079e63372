//! Fixtures that fit the server: User and Group bodies get the attributes the server declares
//! required in `/Schemas` (a server may require more than RFC 7643 does), setup bodies use the
//! server's canonical values, and the suites' `/Users` and `/Groups` go to the endpoints
//! `/ResourceTypes` declares. Whether an RFC-minimal create is accepted stays the point of the
//! cases that send theirs with `fit: false`.

use crate::endpoint::Capabilities;
use crate::scim;
use crate::suite::vars::Vars;
use serde_json::{Map, Value, json};

/// An attribute definition, as far as fitting needs it.
#[derive(Clone, Debug)]
struct Attr {
    name: String,
    ty: String,
    multi: bool,
    required: bool,
    read_only: bool,
    canonical: Vec<String>,
    subs: Vec<Attr>,
}

impl Attr {
    fn parse(v: &Value) -> Option<Attr> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let name = text("name");
        if name.is_empty() {
            return None;
        }
        Some(Attr {
            ty: text("type").to_ascii_lowercase(),
            multi: v
                .get("multiValued")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            required: v.get("required").and_then(Value::as_bool).unwrap_or(false),
            read_only: text("mutability").eq_ignore_ascii_case("readOnly"),
            canonical: v
                .get("canonicalValues")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect(),
            subs: v
                .get("subAttributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Attr::parse)
                .collect(),
            name,
        })
    }

    /// Whether a client has to send it: required, writable, and not one RFC 7643 itself makes
    /// required (the suites always send those, and never `id`).
    fn to_fill(&self) -> bool {
        self.required
            && !self.read_only
            && !matches!(
                self.name.to_ascii_lowercase().as_str(),
                "id" | "schemas" | "meta" | "username" | "displayname"
            )
    }
}

/// One resource type's fitting rules.
#[derive(Clone, Debug)]
struct TypeFit {
    /// What the suites write: `/Users`.
    suite_endpoint: &'static str,
    /// What the server declares, relative to the base URL: `/Users`, `/users`, `/Accounts`.
    endpoint: String,
    attrs: Vec<Attr>,
    /// Extensions the resource type marks required, with their attributes.
    required_extensions: Vec<(String, Vec<Attr>)>,
}

#[derive(Clone, Debug, Default)]
pub struct Fitter {
    types: Vec<TypeFit>,
}

fn attrs_of(caps: &Capabilities, schema: &str) -> Vec<Attr> {
    caps.schema_defs
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(schema))
        .and_then(|(_, s)| s.get("attributes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Attr::parse)
        .collect()
}

/// `/Users` from a declared endpoint, relative (`/Users`, `Users`) or absolute.
fn relative_endpoint(declared: &str, base_path: &str) -> String {
    let path = match url::Url::parse(declared) {
        Ok(u) => u.path().to_owned(),
        Err(_) => declared.to_owned(),
    };
    let path = path
        .strip_prefix(base_path)
        .filter(|rest| rest.starts_with('/'))
        .unwrap_or(&path);
    format!("/{}", path.trim_matches('/'))
}

impl Fitter {
    pub fn new(caps: &Capabilities, base_path: &str) -> Fitter {
        let mut types = Vec::new();
        for (core, suite_endpoint) in [
            (scim::USER_SCHEMA, "/Users"),
            (scim::GROUP_SCHEMA, "/Groups"),
        ] {
            let def = caps
                .resource_type_defs
                .values()
                .find(|d| d.schema.eq_ignore_ascii_case(core));
            let endpoint = def
                .map(|d| d.endpoint.as_str())
                .filter(|e| !e.is_empty())
                .map(|e| relative_endpoint(e, base_path))
                .unwrap_or_else(|| suite_endpoint.to_owned());
            let required_extensions = def
                .map(|d| {
                    d.extensions
                        .iter()
                        .filter(|(_, required)| *required)
                        .map(|(urn, _)| (urn.clone(), attrs_of(caps, urn)))
                        .collect()
                })
                .unwrap_or_default();
            types.push(TypeFit {
                suite_endpoint,
                endpoint,
                attrs: attrs_of(caps, core),
                required_extensions,
            });
        }
        Fitter { types }
    }

    /// What fitting will do on this server, one line each, for the run header.
    pub fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.types {
            let kind = &t.suite_endpoint[1..t.suite_endpoint.len() - 1];
            let mut filled = Vec::new();
            for a in &t.attrs {
                if a.to_fill() {
                    filled.push(a.name.clone());
                }
                for s in a.subs.iter().filter(|s| s.to_fill()) {
                    filled.push(format!("{}.{}", a.name, s.name));
                }
            }
            for (urn, _) in &t.required_extensions {
                filled.push(format!("the required extension {urn}"));
            }
            if !filled.is_empty() {
                out.push(format!(
                    "{kind} bodies get {} (declared required in /Schemas and /ResourceTypes)",
                    filled.join(", ")
                ));
            }
            if !t.endpoint.eq_ignore_ascii_case(t.suite_endpoint) {
                out.push(format!(
                    "{kind} requests go to {} (the endpoint /ResourceTypes declares)",
                    t.endpoint
                ));
            }
        }
        out
    }

    fn type_of(&self, path: &str) -> Option<(&TypeFit, usize)> {
        self.types.iter().find_map(|t| {
            let n = t.suite_endpoint.len();
            let head = path.get(..n)?;
            let rest = &path[n..];
            (head.eq_ignore_ascii_case(t.suite_endpoint)
                && (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')))
            .then_some((t, n))
        })
    }

    /// The path with the suite's `/Users` or `/Groups` replaced by the declared endpoint.
    pub fn map_path(&self, path: &str) -> String {
        match self.type_of(path) {
            Some((t, n)) if !t.endpoint.eq_ignore_ascii_case(t.suite_endpoint) => {
                format!("{}{}", t.endpoint, &path[n..])
            }
            _ => path.to_owned(),
        }
    }

    /// Completes a POST or PUT body for the User or Group endpoint; `setup` also replaces
    /// values outside the declared canonical values.
    pub fn fit(&self, method: &str, path: &str, body: &mut Value, setup: bool, vars: &mut Vars) {
        if !matches!(method, "POST" | "PUT") {
            return;
        }
        if method == "POST" && path.trim_end_matches('/').eq_ignore_ascii_case("/Bulk") {
            // Each operation's data is a User or Group body of its own.
            let ops = body.get_mut("Operations").and_then(Value::as_array_mut);
            for op in ops.into_iter().flatten() {
                let m = op.get("method").and_then(Value::as_str).unwrap_or("");
                let m = m.to_ascii_uppercase();
                let p = op
                    .get("path")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                if let Some(data) = op.get_mut("data") {
                    self.fit(&m, &p, data, setup, vars);
                }
            }
            return;
        }
        let Some((t, n)) = self.type_of(path) else {
            return;
        };
        let rest = path[n..].trim_matches('/');
        if rest.starts_with('.') || (method == "POST") != rest.is_empty() {
            return;
        }
        let Some(obj) = body.as_object_mut() else {
            return;
        };
        fill(obj, &t.attrs, setup, vars);
        for (urn, attrs) in &t.required_extensions {
            if let Some(Value::Array(schemas)) = obj.get_mut("schemas")
                && !schemas.iter().any(|s| s.as_str() == Some(urn.as_str()))
            {
                schemas.push(json!(urn));
            }
            let ext = obj.entry(urn.clone()).or_insert_with(|| json!({}));
            if let Some(ext) = ext.as_object_mut() {
                fill(ext, attrs, setup, vars);
            }
        }
    }
}

fn key_of(obj: &Map<String, Value>, name: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// Adds what `attrs` require and `obj` lacks; in setup, moves values to canonical ones.
fn fill(obj: &mut Map<String, Value>, attrs: &[Attr], setup: bool, vars: &mut Vars) {
    for a in attrs {
        match key_of(obj, &a.name) {
            None if a.to_fill() => {
                if let Some(v) = generate(a, None, vars) {
                    obj.insert(a.name.clone(), v);
                }
            }
            None => {}
            Some(key) => {
                let Some(value) = obj.get_mut(&key) else {
                    continue;
                };
                match value {
                    Value::Object(inner) if !a.subs.is_empty() => fill(inner, &a.subs, setup, vars),
                    Value::Array(items) if !a.subs.is_empty() => {
                        for item in items.iter_mut() {
                            if let Some(inner) = item.as_object_mut() {
                                fill(inner, &a.subs, setup, vars);
                            }
                        }
                    }
                    Value::String(s) if setup && !a.canonical.is_empty() => {
                        if !a.canonical.iter().any(|c| c.eq_ignore_ascii_case(s))
                            && let Some(first) = a.canonical.first()
                        {
                            *s = first.clone();
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// A value for a missing required attribute, unique to the case where it is text.
fn generate(a: &Attr, parent: Option<&str>, vars: &mut Vars) -> Option<Value> {
    if a.multi {
        let mut one = a.clone();
        one.multi = false;
        return generate(&one, parent, vars).map(|v| json!([v]));
    }
    let lower = a.name.to_ascii_lowercase();
    let email_like = lower.contains("email") || parent.is_some_and(|p| p.contains("email"));
    let text = |vars: &mut Vars, what: &str| {
        vars.render(&format!("${{unique.fit-{what}}}"))
            .unwrap_or_else(|_| format!("scimspec-fit-{what}"))
    };
    Some(match a.ty.as_str() {
        "string" if !a.canonical.is_empty() => json!(a.canonical[0]),
        "string" if lower == "value" && email_like => {
            json!(
                vars.render("${email.fit}")
                    .unwrap_or_else(|_| "scimspec-fit@example.com".into())
            )
        }
        "string" => json!(text(vars, &lower)),
        "boolean" => json!(true),
        "integer" | "decimal" => json!(1),
        "datetime" => json!(
            jiff::Timestamp::now()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        ),
        "complex" => {
            let mut obj = Map::new();
            let mut subs: Vec<&Attr> = a.subs.iter().filter(|s| s.to_fill()).collect();
            if subs.is_empty() {
                // Required, but none of its parts is: give the parts a client would send.
                subs = a
                    .subs
                    .iter()
                    .filter(|s| {
                        matches!(
                            s.name.to_ascii_lowercase().as_str(),
                            "value" | "givenname" | "familyname" | "type" | "primary"
                        )
                    })
                    .collect();
            }
            for s in subs {
                if let Some(v) = generate(s, Some(&lower), vars) {
                    obj.insert(s.name.clone(), v);
                }
            }
            if obj.is_empty() {
                return None;
            }
            Value::Object(obj)
        }
        // A reference or binary value cannot be invented meaningfully: the create then
        // shows the server's answer, and the blocked cases name it.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> Capabilities {
        let mut c = Capabilities::default();
        c.read_resource_types(&json!({"Resources": [
            {"name": "User", "endpoint": "http://h/scim/v2/Accounts", "schema": scim::USER_SCHEMA,
             "schemaExtensions": [{"schema": "urn:x:ext", "required": true}]}
        ]}));
        c.read_schemas(&json!({"Resources": [
            {"id": scim::USER_SCHEMA, "attributes": [
                {"name": "userName", "type": "string", "required": true},
                {"name": "name", "type": "complex", "required": true, "subAttributes": [
                    {"name": "givenName", "type": "string"},
                    {"name": "familyName", "type": "string", "required": true}]},
                {"name": "emails", "type": "complex", "multiValued": true, "subAttributes": [
                    {"name": "value", "type": "string"},
                    {"name": "type", "type": "string", "canonicalValues": ["work", "home"]}]}]},
            {"id": "urn:x:ext", "attributes": [{"name": "costCenter", "type": "string", "required": true}]}
        ]}));
        c
    }

    #[test]
    fn fills_required_attributes_and_extensions_and_maps_the_endpoint() {
        let f = Fitter::new(&caps(), "/scim/v2");
        assert_eq!(f.map_path("/Users/abc"), "/Accounts/abc");
        assert_eq!(f.map_path("/Groups"), "/Groups");
        let mut vars = Vars::new("run1", 1, "http://h/scim/v2", "/scim/v2");
        let mut body = json!({"schemas": [scim::USER_SCHEMA], "userName": "u",
            "emails": [{"value": "a@b.c", "type": "office"}]});
        f.fit("POST", "/Users", &mut body, true, &mut vars);
        assert!(body["name"]["familyName"].as_str().is_some(), "{body}");
        assert_eq!(body["emails"][0]["type"], "work");
        assert!(body["urn:x:ext"]["costCenter"].as_str().is_some(), "{body}");
        assert!(body["schemas"].as_array().is_some_and(|s| s.len() == 2));
        // A point step keeps its values; a body for another endpoint is untouched.
        let mut point = json!({"userName": "u", "emails": [{"value": "a@b.c", "type": "office"}]});
        f.fit("PUT", "/Users/x", &mut point, false, &mut vars);
        assert_eq!(point["emails"][0]["type"], "office");
        let mut search = json!({"filter": "x"});
        f.fit("POST", "/Users/.search", &mut search, true, &mut vars);
        assert_eq!(search, json!({"filter": "x"}));
    }
}

//! What the server advertises: read once at preflight from `/ServiceProviderConfig`,
//! `/ResourceTypes` and `/Schemas`, then used to skip cases whose features are absent.

use crate::suite::Capability;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A resource type as /ResourceTypes declares it.
#[derive(Clone, Debug, Default)]
pub struct ResourceTypeDef {
    pub endpoint: String,
    pub schema: String,
    pub extensions: Vec<(String, bool)>,
}

#[derive(Clone, Debug, Default)]
pub struct Capabilities {
    pub service_provider_config: Option<Value>,
    /// Resource type names (`User`, `Group`, …).
    pub resource_types: BTreeSet<String>,
    /// Every schema and schema extension URN listed by a resource type or /Schemas.
    pub schemas: BTreeSet<String>,
    /// Top-level attribute names of the resource schemas, lowercased.
    pub attributes: BTreeSet<String>,
    pub has_credentials: bool,
    /// The Schema resources of /Schemas by id, as the server declares them: fixtures are fitted
    /// to them.
    pub schema_defs: BTreeMap<String, Value>,
    /// Per resource type name: its endpoint as declared (relative or absolute), its core schema,
    /// and its extensions with their `required` flag.
    pub resource_type_defs: BTreeMap<String, ResourceTypeDef>,
    /// Problems met while reading discovery, shown once before the run.
    pub warnings: Vec<String>,
}

const SPC_FLAGS: &[&str] = &["patch", "bulk", "filter", "sort", "etag", "changePassword"];

impl Capabilities {
    pub fn spc_flag(&self, name: &str) -> bool {
        self.service_provider_config
            .as_ref()
            .and_then(|s| s.get(name))
            .and_then(|f| f.get("supported"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn holds(&self, name: &str) -> (bool, String) {
        if SPC_FLAGS.contains(&name) {
            let on = self.spc_flag(name);
            return (
                on,
                format!("{name}.supported is {on} in /ServiceProviderConfig"),
            );
        }
        match name {
            "groups" => {
                let on = self.resource_types.contains("Group");
                (
                    on,
                    format!(
                        "a Group resource type is {}advertised",
                        if on { "" } else { "not " }
                    ),
                )
            }
            "enterprise" => {
                // A schema listed in /Schemas is not yet one a User may carry: the User resource
                // type's schemaExtensions say which extensions apply (RFC 7643 §6). Only without
                // /ResourceTypes does the /Schemas listing stand in.
                let user_type = self
                    .resource_type_defs
                    .values()
                    .find(|d| d.schema.eq_ignore_ascii_case(crate::scim::USER_SCHEMA));
                let on = match user_type {
                    Some(def) => def.extensions.iter().any(|(urn, _)| {
                        urn.eq_ignore_ascii_case(crate::scim::ENTERPRISE_USER_SCHEMA)
                    }),
                    None => self.schemas.contains(crate::scim::ENTERPRISE_USER_SCHEMA),
                };
                (
                    on,
                    format!(
                        "the enterprise User extension is {}declared for the User resource type",
                        if on { "" } else { "not " }
                    ),
                )
            }
            "auth" => (
                self.has_credentials,
                if self.has_credentials {
                    "the run has credentials".into()
                } else {
                    "the run has no credentials (--token, --basic or an Authorization --header)"
                        .into()
                },
            ),
            _ => {
                if let Some(urn) = name.strip_prefix("schema:") {
                    let on = self.schemas.iter().any(|s| s.eq_ignore_ascii_case(urn));
                    (
                        on,
                        format!("schema {urn} is {}advertised", if on { "" } else { "not " }),
                    )
                } else if let Some(attr) = name.strip_prefix("attribute:") {
                    let on = self.attributes.contains(&attr.to_ascii_lowercase());
                    (
                        on,
                        format!(
                            "attribute {attr} is {}advertised in /Schemas",
                            if on { "" } else { "not " }
                        ),
                    )
                } else {
                    (false, format!("unknown capability {name}"))
                }
            }
        }
    }

    /// `None` when every requirement holds, else the reason the case is skipped.
    pub fn unmet(&self, requires: &[Capability]) -> Option<String> {
        for cap in requires {
            let (on, reason) = self.holds(&cap.name);
            if on == cap.negated {
                return Some(if cap.negated {
                    format!("runs only when {} is absent: {reason}", cap.name)
                } else {
                    reason
                });
            }
        }
        None
    }

    pub fn read_resource_types(&mut self, body: &Value) {
        for rt in list_items(body) {
            if let Some(name) = rt.get("name").and_then(Value::as_str) {
                self.resource_types.insert(name.to_owned());
                let text = |k: &str| rt.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                let extensions = rt
                    .get("schemaExtensions")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| {
                        let urn = e.get("schema").and_then(Value::as_str)?;
                        let required = e.get("required").and_then(Value::as_bool).unwrap_or(false);
                        Some((urn.to_owned(), required))
                    })
                    .collect();
                self.resource_type_defs.insert(
                    name.to_owned(),
                    ResourceTypeDef {
                        endpoint: text("endpoint"),
                        schema: text("schema"),
                        extensions,
                    },
                );
            }
            if let Some(s) = rt.get("schema").and_then(Value::as_str) {
                self.schemas.insert(s.to_owned());
            }
            for ext in rt
                .get("schemaExtensions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(s) = ext.get("schema").and_then(Value::as_str) {
                    self.schemas.insert(s.to_owned());
                }
            }
        }
    }

    pub fn read_schemas(&mut self, body: &Value) {
        for schema in list_items(body) {
            if let Some(id) = schema.get("id").and_then(Value::as_str) {
                self.schemas.insert(id.to_owned());
                self.schema_defs.insert(id.to_owned(), schema.clone());
            }
            for attr in schema
                .get("attributes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(n) = attr.get("name").and_then(Value::as_str) {
                    self.attributes.insert(n.to_ascii_lowercase());
                }
            }
        }
    }
}

/// The resources of a ListResponse, or the items of a bare array (some servers answer that).
fn list_items(body: &Value) -> Vec<&Value> {
    match body {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => o
            .get("Resources")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

//! Attribute definitions (RFC 7643 §7) for the resource types the server offers, per flavour,
//! the lookups the other modules need, and the JSON of /Schemas and /ResourceTypes.

use serde_json::{Map, Value, json};

use super::Flavour;
pub use super::attr::{Attr, Mutability, Returned, Schema, Ty};
use super::definitions::{
    common_attrs, enterprise_schema, group_schema, looop_schema, user_schema,
};
use crate::scim;

pub use super::definitions::{LOOM_ROLES, LOOM_WORKSPACE_DEFAULT_ROLE};

/// The kinds of resources the server stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "/Users",
            Kind::Group => "/Groups",
        }
    }
    pub fn core_schema(self) -> &'static str {
        match self {
            Kind::User => scim::USER_SCHEMA,
            Kind::Group => scim::GROUP_SCHEMA,
        }
    }
}

/// Everything the server knows about its schemas, for one flavour.
#[derive(Debug)]
pub struct Catalog {
    pub user: Schema,
    pub group: Schema,
    pub enterprise: Schema,
    pub looop: Option<Schema>,
    /// Common attributes (RFC 7643 §3.1): id, externalId, meta; also `schemas`.
    pub common: Vec<Attr>,
}

/// Does `s` start with `prefix`, ignoring ASCII case? (Never panics on non-ASCII text.)
pub fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Where an attribute lives: in the resource's core schema (top level) or in an extension object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    Core,
    Extension(&'static str),
}

/// A resolved attribute: where it lives and its definition.
#[derive(Clone, Copy, Debug)]
pub struct Resolved<'a> {
    pub home: Home,
    pub attr: &'a Attr,
}

impl Catalog {
    pub fn new(flavour: Flavour) -> Self {
        Catalog {
            user: user_schema(flavour),
            group: group_schema(),
            enterprise: enterprise_schema(),
            looop: (flavour == Flavour::Looop).then(looop_schema),
            common: common_attrs(),
        }
    }

    pub fn core(&self, kind: Kind) -> &Schema {
        match kind {
            Kind::User => &self.user,
            Kind::Group => &self.group,
        }
    }

    /// The extension schemas a resource type can carry.
    pub fn extensions(&self, kind: Kind) -> Vec<&Schema> {
        match kind {
            Kind::User => {
                let mut v = vec![&self.enterprise];
                if let Some(l) = &self.looop {
                    v.push(l);
                }
                v
            }
            Kind::Group => Vec::new(),
        }
    }

    /// The extension schema of `kind` whose URN equals `urn` (case-insensitive).
    pub fn extension(&self, kind: Kind, urn: &str) -> Option<&Schema> {
        self.extensions(kind)
            .into_iter()
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    pub fn common_attr(&self, name: &str) -> Option<&Attr> {
        self.common
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Resolves an attribute name, optionally qualified by a schema URN, for a resource type.
    /// `urn` is `None` for a bare name (core schema, then common attributes, then, as RFC 7644
    /// §3.5.2 allows, the extensions).
    pub fn resolve(&self, kind: Kind, urn: Option<&str>, name: &str) -> Option<Resolved<'_>> {
        match urn {
            Some(u) if u.eq_ignore_ascii_case(kind.core_schema()) => self
                .core(kind)
                .attr(name)
                .or_else(|| self.common_attr(name))
                .map(|attr| Resolved {
                    home: Home::Core,
                    attr,
                }),
            Some(u) => {
                let ext = self.extension(kind, u)?;
                ext.attr(name).map(|attr| Resolved {
                    home: Home::Extension(ext.id),
                    attr,
                })
            }
            None => {
                if let Some(attr) = self
                    .core(kind)
                    .attr(name)
                    .or_else(|| self.common_attr(name))
                {
                    return Some(Resolved {
                        home: Home::Core,
                        attr,
                    });
                }
                self.extensions(kind).into_iter().find_map(|ext| {
                    ext.attr(name).map(|attr| Resolved {
                        home: Home::Extension(ext.id),
                        attr,
                    })
                })
            }
        }
    }

    /// Splits `urn:...:Schema:attr.sub` into the schema URN (one known for `kind`, or the longest
    /// known prefix) and the rest. Returns `None` when the text does not start with a known URN.
    pub fn split_urn<'t>(&self, kind: Kind, text: &'t str) -> Option<(&'static str, &'t str)> {
        let mut urns = vec![kind.core_schema()];
        urns.extend(self.extensions(kind).iter().map(|s| s.id));
        for urn in urns {
            if starts_with_ci(text, urn) {
                let rest = &text[urn.len()..];
                if rest.is_empty() {
                    return Some((urn, ""));
                }
                if let Some(r) = rest.strip_prefix(':') {
                    return Some((urn, r));
                }
            }
        }
        None
    }

    /// All schemas served at /Schemas, in order.
    pub fn all_schemas(&self, with_looop: bool) -> Vec<&Schema> {
        let mut v = vec![&self.user, &self.group, &self.enterprise];
        if with_looop && let Some(l) = &self.looop {
            v.push(l);
        }
        v
    }

    /// The JSON of one Schema resource.
    pub fn schema_json(&self, schema: &Schema, base_url: &str, complete: bool) -> Value {
        let attrs: Vec<Value> = schema
            .attributes
            .iter()
            .map(|a| a.to_json(complete))
            .collect();
        json!({
            "schemas": [scim::SCHEMA_SCHEMA],
            "id": schema.id,
            "name": schema.name,
            "description": schema.description,
            "attributes": attrs,
            "meta": {
                "resourceType": "Schema",
                "location": format!("{base_url}/Schemas/{}", schema.id),
            }
        })
    }

    /// The JSON of one ResourceType resource.
    pub fn resource_type_json(
        &self,
        kind: Kind,
        base_url: &str,
        with_looop: bool,
        with_endpoint: bool,
    ) -> Value {
        let mut m = Map::new();
        m.insert("schemas".into(), json!([scim::RESOURCE_TYPE_SCHEMA]));
        m.insert("id".into(), json!(kind.name()));
        m.insert("name".into(), json!(kind.name()));
        if with_endpoint {
            m.insert("endpoint".into(), json!(kind.endpoint()));
        }
        m.insert(
            "description".into(),
            json!(match kind {
                Kind::User => "User Account",
                Kind::Group => "Group",
            }),
        );
        m.insert("schema".into(), json!(kind.core_schema()));
        let exts: Vec<Value> = self
            .extensions(kind)
            .into_iter()
            .filter(|s| with_looop || s.id != scim::LOOOP_USER_SCHEMA)
            .map(|s| json!({"schema": s.id, "required": false}))
            .collect();
        if kind == Kind::User {
            m.insert("schemaExtensions".into(), Value::Array(exts));
        }
        m.insert(
            "meta".into(),
            json!({
                "resourceType": "ResourceType",
                "location": format!("{base_url}/ResourceTypes/{}", kind.name()),
            }),
        );
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_names_case_insensitively() {
        let c = Catalog::new(Flavour::Looop);
        let r = c.resolve(Kind::User, None, "USERNAME").unwrap();
        assert_eq!(r.attr.name, "userName");
        assert_eq!(r.home, Home::Core);
        let r = c
            .resolve(
                Kind::User,
                Some("urn:ietf:params:scim:schemas:extension:looop:2.0:user"),
                "AREA",
            )
            .unwrap();
        assert_eq!(r.home, Home::Extension(scim::LOOOP_USER_SCHEMA));
        let r = c.resolve(Kind::User, None, "employeeNumber").unwrap();
        assert_eq!(r.home, Home::Extension(scim::ENTERPRISE_USER_SCHEMA));
        assert!(c.resolve(Kind::Group, None, "userName").is_none());
        let (urn, rest) = c
            .split_urn(
                Kind::User,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            )
            .unwrap();
        assert_eq!(urn, scim::ENTERPRISE_USER_SCHEMA);
        assert_eq!(rest, "manager.value");
    }

    #[test]
    fn schema_json_has_characteristics() {
        let c = Catalog::new(Flavour::Core);
        let j = c.schema_json(&c.user, "http://x/scim/v2", true);
        let attrs = j["attributes"].as_array().unwrap();
        for a in attrs {
            for k in [
                "name",
                "type",
                "multiValued",
                "description",
                "required",
                "caseExact",
                "mutability",
                "returned",
                "uniqueness",
            ] {
                assert!(a.get(k).is_some(), "{a} lacks {k}");
            }
        }
        assert!(c.resolve(Kind::User, None, "loomMemberRole").is_none());
    }
}

//! Attribute definitions (RFC 7643 §7) for the resource types the server offers, per flavour,
//! the lookups the other modules need, and the JSON of /Schemas and /ResourceTypes.

use serde_json::{Map, Value, json};

use super::Flavour;
use crate::scim;

/// Attribute data types (RFC 7643 §2.3); not all are used by the built-in schemas.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Binary,
    Reference,
    Complex,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::String => "string",
            Ty::Boolean => "boolean",
            Ty::Decimal => "decimal",
            Ty::Integer => "integer",
            Ty::DateTime => "dateTime",
            Ty::Binary => "binary",
            Ty::Reference => "reference",
            Ty::Complex => "complex",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    pub fn name(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

impl Returned {
    pub fn name(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

impl Uniqueness {
    pub fn name(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// One attribute or sub-attribute definition.
#[derive(Clone, Debug)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub multi: bool,
    pub description: &'static str,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub sub: Vec<Attr>,
    pub canonical: Vec<&'static str>,
    pub reference_types: Vec<&'static str>,
}

impl Attr {
    fn new(name: &'static str, ty: Ty, description: &'static str) -> Self {
        Attr {
            name,
            ty,
            multi: false,
            description,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            sub: Vec::new(),
            canonical: Vec::new(),
            reference_types: Vec::new(),
        }
    }
    fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    fn mutability(mut self, m: Mutability) -> Self {
        self.mutability = m;
        self
    }
    fn returned(mut self, r: Returned) -> Self {
        self.returned = r;
        self
    }
    fn unique(mut self, u: Uniqueness) -> Self {
        self.uniqueness = u;
        self
    }
    fn sub(mut self, sub: Vec<Attr>) -> Self {
        self.sub = sub;
        self
    }
    fn canonical(mut self, c: &[&'static str]) -> Self {
        self.canonical = c.to_vec();
        self
    }
    fn refs(mut self, r: &[&'static str]) -> Self {
        self.reference_types = r.to_vec();
        self
    }

    /// The sub-attribute with this name (case-insensitive).
    pub fn sub_attr(&self, name: &str) -> Option<&Attr> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    pub fn is_read_only(&self) -> bool {
        self.mutability == Mutability::ReadOnly
    }

    /// The attribute definition as /Schemas shows it.
    pub fn to_json(&self, complete: bool) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("type".into(), json!(self.ty.name()));
        if complete {
            m.insert("multiValued".into(), json!(self.multi));
            m.insert("description".into(), json!(self.description));
            m.insert("required".into(), json!(self.required));
            m.insert("caseExact".into(), json!(self.case_exact));
            m.insert("mutability".into(), json!(self.mutability.name()));
            m.insert("returned".into(), json!(self.returned.name()));
            m.insert("uniqueness".into(), json!(self.uniqueness.name()));
            if !self.canonical.is_empty() {
                m.insert("canonicalValues".into(), json!(self.canonical));
            }
            if self.ty == Ty::Reference {
                m.insert("referenceTypes".into(), json!(self.reference_types));
            }
        }
        if self.ty == Ty::Complex {
            let subs: Vec<Value> = self.sub.iter().map(|a| a.to_json(complete)).collect();
            m.insert("subAttributes".into(), Value::Array(subs));
        }
        Value::Object(m)
    }
}

/// A schema: its URN, name, description and attributes.
#[derive(Clone, Debug)]
pub struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: Vec<Attr>,
}

impl Schema {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// The kinds of resources the server stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// The loomMemberRole values.
pub const LOOM_ROLES: &[&str] = &["default", "creator", "viewer", "admin"];

/// The role a new Loom user gets when sent "default" (the workspace's default role).
pub const LOOM_WORKSPACE_DEFAULT_ROLE: &str = "viewer";

fn multi_valued(
    name: &'static str,
    description: &'static str,
    value_desc: &'static str,
    types: &[&'static str],
) -> Attr {
    Attr::new(name, Ty::Complex, description).multi().sub(vec![
        Attr::new("value", Ty::String, value_desc),
        Attr::new("display", Ty::String, "A human-readable name, primarily used for display purposes."),
        Attr::new("type", Ty::String, "A label indicating the attribute's function.").canonical(types),
        Attr::new("primary", Ty::Boolean, "A Boolean value indicating the 'primary' or preferred attribute value for this attribute."),
    ])
}

fn user_schema(flavour: Flavour) -> Schema {
    use Mutability::*;
    let mut attributes = vec![
        Attr::new("userName", Ty::String, "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.")
            .required()
            .unique(Uniqueness::Server),
        Attr::new("name", Ty::Complex, "The components of the user's real name.").sub(vec![
            Attr::new("formatted", Ty::String, "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
            Attr::new("familyName", Ty::String, "The family name of the User, or last name in most Western languages."),
            Attr::new("givenName", Ty::String, "The given name of the User, or first name in most Western languages."),
            Attr::new("middleName", Ty::String, "The middle name(s) of the User."),
            Attr::new("honorificPrefix", Ty::String, "The honorific prefix(es) of the User, or title in most Western languages."),
            Attr::new("honorificSuffix", Ty::String, "The honorific suffix(es) of the User, or suffix in most Western languages."),
        ]),
        Attr::new("displayName", Ty::String, "The name of the User, suitable for display to end-users."),
        Attr::new("nickName", Ty::String, "The casual way to address the user in real life."),
        Attr::new("profileUrl", Ty::Reference, "A fully qualified URL pointing to a page representing the User's online profile.").refs(&["external"]),
        Attr::new("title", Ty::String, "The user's title, such as \"Vice President\"."),
        Attr::new("userType", Ty::String, "Used to identify the relationship between the organization and the user."),
        Attr::new("preferredLanguage", Ty::String, "Indicates the User's preferred written or spoken language."),
        Attr::new("locale", Ty::String, "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
        Attr::new("timezone", Ty::String, "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
        Attr::new("active", Ty::Boolean, "A Boolean value indicating the User's administrative status."),
        Attr::new("password", Ty::String, "The User's cleartext password, used to set or change it; never returned.")
            .mutability(WriteOnly)
            .returned(Returned::Never),
        multi_valued("emails", "Email addresses for the user.", "Email addresses for the user.", &["work", "home", "other"]),
        multi_valued("phoneNumbers", "Phone numbers for the User.", "Phone number of the User.", &["work", "home", "mobile", "fax", "pager", "other"]),
        multi_valued("ims", "Instant messaging addresses for the User.", "Instant messaging address for the User.", &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
        Attr::new("photos", Ty::Complex, "URLs of photos of the User.").multi().sub(vec![
            Attr::new("value", Ty::Reference, "URL of a photo of the User.").refs(&["external"]),
            Attr::new("display", Ty::String, "A human-readable name, primarily used for display purposes."),
            Attr::new("type", Ty::String, "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.").canonical(&["photo", "thumbnail"]),
            Attr::new("primary", Ty::Boolean, "A Boolean value indicating the 'primary' or preferred photo."),
        ]),
        Attr::new("addresses", Ty::Complex, "A physical mailing address for this User.").multi().sub(vec![
            Attr::new("formatted", Ty::String, "The full mailing address, formatted for display or use with a mailing label."),
            Attr::new("streetAddress", Ty::String, "The full street address component."),
            Attr::new("locality", Ty::String, "The city or locality component."),
            Attr::new("region", Ty::String, "The state or region component."),
            Attr::new("postalCode", Ty::String, "The zip code or postal code component."),
            Attr::new("country", Ty::String, "The country name component (ISO 3166-1 alpha-2)."),
            Attr::new("type", Ty::String, "A label indicating the attribute's function.").canonical(&["work", "home", "other"]),
            Attr::new("primary", Ty::Boolean, "A Boolean value indicating the 'primary' or preferred address."),
        ]),
        Attr::new("groups", Ty::Complex, "A list of groups to which the user belongs, either through direct membership or nested groups.")
            .multi()
            .mutability(ReadOnly)
            .sub(vec![
                Attr::new("value", Ty::String, "The identifier of the User's group.").mutability(ReadOnly),
                Attr::new("$ref", Ty::Reference, "The URI of the corresponding 'Group' resource.").refs(&["User", "Group"]).mutability(ReadOnly),
                Attr::new("display", Ty::String, "A human-readable name, primarily used for display purposes.").mutability(ReadOnly),
                Attr::new("type", Ty::String, "A label indicating the membership: 'direct' or 'indirect'.").canonical(&["direct", "indirect"]).mutability(ReadOnly),
            ]),
        multi_valued("entitlements", "A list of entitlements for the User that represent a thing the User has.", "The value of an entitlement.", &[]),
        multi_valued("roles", "A list of roles for the User that collectively represent who the User is.", "The value of a role.", &[]),
        Attr::new("x509Certificates", Ty::Complex, "A list of certificates issued to the User.").multi().sub(vec![
            Attr::new("value", Ty::Binary, "The value of an X.509 certificate."),
            Attr::new("display", Ty::String, "A human-readable name, primarily used for display purposes."),
            Attr::new("type", Ty::String, "A label indicating the attribute's function."),
            Attr::new("primary", Ty::Boolean, "A Boolean value indicating the 'primary' or preferred certificate."),
        ]),
    ];
    if flavour == Flavour::Loom {
        attributes.push(
            Attr::new("loomMemberRole", Ty::String, "The user's Loom workspace role; 'default' keeps an existing user's role and gives a new user the workspace default role.")
                .canonical(LOOM_ROLES),
        );
        attributes.push(
            Attr::new(
                "loomEffectiveRole",
                Ty::String,
                "The role the user actually has in the Loom workspace (read-only).",
            )
            .mutability(ReadOnly)
            .canonical(&["creator", "viewer", "admin"]),
        );
    }
    Schema {
        id: scim::USER_SCHEMA,
        name: "User",
        description: "User Account",
        attributes,
    }
}

fn group_schema() -> Schema {
    use Mutability::*;
    Schema {
        id: scim::GROUP_SCHEMA,
        name: "Group",
        description: "Group",
        attributes: vec![
            Attr::new(
                "displayName",
                Ty::String,
                "A human-readable name for the Group.",
            )
            .required(),
            Attr::new("members", Ty::Complex, "A list of members of the Group.")
                .multi()
                .sub(vec![
                    Attr::new(
                        "value",
                        Ty::String,
                        "Identifier of the member of this Group.",
                    )
                    .mutability(Immutable),
                    Attr::new(
                        "$ref",
                        Ty::Reference,
                        "The URI corresponding to a SCIM resource that is a member of this Group.",
                    )
                    .refs(&["User", "Group"])
                    .mutability(Immutable),
                    Attr::new(
                        "display",
                        Ty::String,
                        "A human-readable name for the member.",
                    )
                    .mutability(Immutable),
                    Attr::new(
                        "type",
                        Ty::String,
                        "A label indicating the type of resource, e.g., 'User' or 'Group'.",
                    )
                    .canonical(&["User", "Group"])
                    .mutability(Immutable),
                ]),
        ],
    }
}

fn enterprise_schema() -> Schema {
    Schema {
        id: scim::ENTERPRISE_USER_SCHEMA,
        name: "EnterpriseUser",
        description: "Enterprise User",
        attributes: vec![
            Attr::new(
                "employeeNumber",
                Ty::String,
                "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.",
            ),
            Attr::new(
                "costCenter",
                Ty::String,
                "Identifies the name of a cost center.",
            ),
            Attr::new(
                "organization",
                Ty::String,
                "Identifies the name of an organization.",
            ),
            Attr::new("division", Ty::String, "Identifies the name of a division."),
            Attr::new(
                "department",
                Ty::String,
                "Identifies the name of a department.",
            ),
            Attr::new("manager", Ty::Complex, "The User's manager.").sub(vec![
                Attr::new(
                    "value",
                    Ty::String,
                    "The id of the SCIM resource representing the User's manager.",
                ),
                Attr::new(
                    "$ref",
                    Ty::Reference,
                    "The URI of the SCIM resource representing the User's manager.",
                )
                .refs(&["User"]),
                Attr::new(
                    "displayName",
                    Ty::String,
                    "The displayName of the User's manager.",
                )
                .mutability(Mutability::ReadOnly),
            ]),
        ],
    }
}

fn looop_schema() -> Schema {
    Schema {
        id: scim::LOOOP_USER_SCHEMA,
        name: "LooopUser",
        description: "Looop User extension",
        attributes: vec![
            Attr::new("area", Ty::String, "The user's area."),
            Attr::new("department", Ty::String, "The user's department in Looop."),
            Attr::new("location", Ty::String, "The user's location."),
            Attr::new("position", Ty::String, "The user's position."),
            Attr::new("custom_1", Ty::String, "Custom attribute 1."),
            Attr::new("custom_2", Ty::String, "Custom attribute 2."),
            Attr::new("custom_3", Ty::String, "Custom attribute 3."),
        ],
    }
}

fn common_attrs() -> Vec<Attr> {
    use Mutability::*;
    vec![
        Attr::new("id", Ty::String, "A unique identifier for a SCIM resource as defined by the service provider.")
            .case_exact()
            .mutability(ReadOnly)
            .returned(Returned::Always)
            .unique(Uniqueness::Server),
        Attr::new("externalId", Ty::String, "A String that is an identifier for the resource as defined by the provisioning client.").case_exact(),
        Attr::new("schemas", Ty::Reference, "The schema URIs of the resource.")
            .multi()
            .mutability(ReadOnly)
            .returned(Returned::Always)
            .refs(&["uri"]),
        Attr::new("meta", Ty::Complex, "A complex attribute containing resource metadata.")
            .mutability(ReadOnly)
            .sub(vec![
                Attr::new("resourceType", Ty::String, "The name of the resource type of the resource.").case_exact().mutability(ReadOnly),
                Attr::new("created", Ty::DateTime, "The DateTime that the resource was added to the service provider.").mutability(ReadOnly),
                Attr::new("lastModified", Ty::DateTime, "The most recent DateTime that the details of this resource were updated at the service provider.").mutability(ReadOnly),
                Attr::new("location", Ty::Reference, "The URI of the resource being returned.").case_exact().mutability(ReadOnly).refs(&["uri"]),
                Attr::new("version", Ty::String, "The version of the resource being returned.").case_exact().mutability(ReadOnly),
            ]),
    ]
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

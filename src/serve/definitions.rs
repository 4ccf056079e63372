//! The built-in schemas' attribute definitions (RFC 7643 §4 and §7, the enterprise extension,
//! Loom's and Looop's additions), as data for the catalog in `schema.rs`.

use super::Flavour;
use super::attr::{Attr, Mutability, Returned, Schema, Ty, Uniqueness};
use crate::scim;

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

pub(super) fn user_schema(flavour: Flavour) -> Schema {
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

pub(super) fn group_schema() -> Schema {
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

pub(super) fn enterprise_schema() -> Schema {
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

pub(super) fn looop_schema() -> Schema {
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

pub(super) fn common_attrs() -> Vec<Attr> {
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

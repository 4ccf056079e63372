//! The catalog of named faults: each switches on one realistic defect of real SCIM servers,
//! breaking one rule, so that the suites can be shown to catch it.

use super::Flavour;

/// A defect the reference server can be told to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// Lowercase kebab-case name, as given to `--fault`.
    pub name: &'static str,
    /// Requirement ids (from the catalogs in shared/requirements, or `okta.*`/`entra.*` IdP ids)
    /// that the defect violates.
    pub requirements: &'static [&'static str],
    /// The flavours the fault applies to.
    pub flavours: &'static [Flavour],
    /// One line: what goes wrong.
    pub description: &'static str,
}

const ALL: &[Flavour] = &[Flavour::Core, Flavour::Loom, Flavour::Looop];
const LOOM: &[Flavour] = &[Flavour::Loom];
const LOOOP: &[Flavour] = &[Flavour::Looop];

/// Every fault the reference server knows, in listing order.
pub static FAULTS: &[Fault] = &[
    Fault {
        name: "create-returns-200",
        requirements: &["rfc7644.3.3.create-returns-201"],
        flavours: ALL,
        description: "POST /Users and /Groups answer 200 OK instead of 201 Created.",
    },
    Fault {
        name: "familyname-required",
        requirements: &["rfc7644.3.3.create-returns-201"],
        flavours: ALL,
        description: "/Schemas declares name and name.familyName required, and a User without a familyName is refused (400): legal for a server, but an RFC-minimal create fails.",
    },
    Fault {
        name: "put-displayname-ignored",
        requirements: &["rfc7643.7.readwrite-updatable"],
        flavours: ALL,
        description: "PUT /Users/{id} answers 200 but keeps the old displayName (the server treats displayName as set once, at create).",
    },
    Fault {
        name: "schemas-first-uri-only",
        requirements: &["rfc7643.3.schemas-order-irrelevant"],
        flavours: ALL,
        description: "A create or PUT whose schemas does not start with the core schema URI drops the extension attributes: the server reads schemas[0] as the resource's only schema.",
    },
    Fault {
        name: "schemas-internal-extension-listed",
        requirements: &["rfc7643.3.schemas-match-resource-type"],
        flavours: ALL,
        description: "Every User and Group lists an internal vendor extension URI in schemas that /ResourceTypes never declares.",
    },
    Fault {
        name: "externalid-immutable",
        requirements: &["rfc7643.3.1.externalid-readwrite"],
        flavours: ALL,
        description: "PUT keeps the externalId given at create: a changed externalId is dropped silently.",
    },
    Fault {
        name: "patch-recreates-resource",
        requirements: &["rfc7643.3.1.id-stable"],
        flavours: ALL,
        description: "PATCH is implemented as delete and re-create: the patched resource comes back under a fresh id.",
    },
    Fault {
        name: "id-from-externalid",
        requirements: &["rfc7643.3.1.id-unique"],
        flavours: ALL,
        description: "A User's id is String(externalId): every user created without an externalId gets the id \"undefined\" and overwrites the previous one.",
    },
    Fault {
        name: "client-meta-kept",
        requirements: &[
            "rfc7643.3.1.meta-client-values-ignored",
            "rfc7643.7.readonly-not-modified",
        ],
        flavours: ALL,
        description: "POST stores meta.created, meta.lastModified, meta.resourceType and meta.location from the request body and returns them.",
    },
    Fault {
        name: "meta-location-collection",
        requirements: &["rfc7643.3.1.meta-location-is-resource-uri"],
        flavours: ALL,
        description: "meta.location is the URL of the collection (…/Users), not of the resource itself.",
    },
    Fault {
        name: "meta-resourcetype-schema-uri",
        requirements: &["rfc7643.3.1.meta-resourcetype"],
        flavours: ALL,
        description: "meta.resourceType is the core schema URI (urn:ietf:params:scim:schemas:core:2.0:User) instead of the resource type name User.",
    },
    Fault {
        name: "put-active-as-string",
        requirements: &["rfc7643.4.1.active-boolean"],
        flavours: ALL,
        description: "PUT stores active through its text: it reads back as the string \"False\" or \"True\", not a JSON boolean.",
    },
    Fault {
        name: "schema-groups-readwrite",
        requirements: &["rfc7643.4.1.groups-readonly"],
        flavours: ALL,
        description: "/Schemas declares User.groups mutability readWrite instead of readOnly.",
    },
    Fault {
        name: "schema-password-returned-default",
        requirements: &["rfc7643.4.1.password-writeonly-returned-never"],
        flavours: ALL,
        description: "/Schemas declares User.password readWrite and returned default instead of writeOnly and never.",
    },
    Fault {
        name: "schema-photos-value-string",
        requirements: &["rfc7643.4.1.photos-are-urls"],
        flavours: ALL,
        description: "/Schemas declares photos.value a plain string, not a reference of referenceTypes external.",
    },
    Fault {
        name: "schema-username-caseexact",
        requirements: &["rfc7643.4.1.username-case-insensitive"],
        flavours: ALL,
        description: "/Schemas declares userName caseExact true.",
    },
    Fault {
        name: "member-value-patchable",
        requirements: &[
            "rfc7643.4.2.members-subattrs-immutable",
            "rfc7643.7.immutable-not-updated",
        ],
        flavours: ALL,
        description: "PATCH replace members[value eq \"x\"].value rewrites the member's value: the immutability of members.value is never checked.",
    },
    Fault {
        name: "schema-attribute-descriptions-missing",
        requirements: &["rfc7643.7.descriptions-present"],
        flavours: ALL,
        description: "/Schemas serves the attributes and sub-attributes without description.",
    },
    Fault {
        name: "filter-string-concatenated",
        requirements: &["rfc7643.9.2.input-validated"],
        flavours: ALL,
        description: "The filter value is pasted into the store's query text unescaped: a value carrying or \"1\"=\"1 matches every resource.",
    },
    Fault {
        name: "wrong-type-ignored",
        requirements: &["rfc7644.3.12.status-400-bad-request"],
        flavours: ALL,
        description: "A value of the wrong JSON type for a multi-valued attribute (emails as a string) is dropped silently and the request succeeds, instead of 400.",
    },
    Fault {
        name: "null-stored-as-text",
        requirements: &["rfc7644.3.3.create-null-clears"],
        flavours: ALL,
        description: "A single-valued attribute sent as null on create or PUT is stored as the text \"null\" (String(null)), so it is set, not left unassigned.",
    },
    Fault {
        name: "if-match-weak-rejected",
        requirements: &["rfc7644.3.14.if-match-success"],
        flavours: ALL,
        description: "If-Match is checked with strong comparison, so the weak ETags (W/\"…\") the server itself issues never match: a PUT, PATCH or DELETE with the current ETag answers 412.",
    },
    Fault {
        name: "groups-patch-405",
        requirements: &["rfc7644.3.2.groups-endpoint-methods"],
        flavours: ALL,
        description: "PATCH /Groups/{id} answers 405 Method Not Allowed although /ServiceProviderConfig says patch is supported (PATCH on /Users works).",
    },
    Fault {
        name: "get-unknown-500",
        requirements: &["rfc7644.3.4.1.get-unknown-resource-404"],
        flavours: ALL,
        description: "GET of an id that was never stored answers 500 (a null dereference); ids of deleted resources still answer 404.",
    },
    Fault {
        name: "total-results-zero-unfiltered",
        requirements: &["rfc7644.3.4.2.listresponse-totalresults"],
        flavours: ALL,
        description: "A list without a filter answers totalResults 0 (matches are only counted for filtered queries), whatever it returns.",
    },
    Fault {
        name: "total-results-first-or-term",
        requirements: &["rfc7644.3.4.2.listresponse-totalresults"],
        flavours: ALL,
        description: "With a filter that is an or of terms, totalResults counts the matches of the first term only (the count query is built from it); Resources are right.",
    },
    Fault {
        name: "unknown-query-parameter-400",
        requirements: &["rfc7644.3.4.2.ignore-unknown-query-params"],
        flavours: ALL,
        description: "A list request with a query parameter the server does not know is refused with 400 instead of ignoring the parameter.",
    },
    Fault {
        name: "root-filter-undefined-attribute-matches",
        requirements: &["rfc7644.3.4.2.1.multitype-undefined-attribute-no-value"],
        flavours: ALL,
        description: "In a root query, a filter term on an attribute a resource type does not define (userName on a Group) is dropped as if true, instead of having no value.",
    },
    Fault {
        name: "root-query-users-only",
        requirements: &["rfc7644.3.4.2.1.root-query-includes-all-types"],
        flavours: ALL,
        description: "A query at the root (GET / with a filter) searches only Users and never returns Groups.",
    },
    Fault {
        name: "root-search-500",
        requirements: &["rfc7644.3.4.3.post-search-root"],
        flavours: ALL,
        description: "POST /.search at the root answers 500 instead of a ListResponse or a clean refusal.",
    },
    Fault {
        name: "filter-and-first-term-only",
        requirements: &[
            "rfc7644.3.4.2.2.filter-logical-and",
            "rfc7644.3.4.2.2.filter-grouping-parentheses",
        ],
        flavours: ALL,
        description: "An and in a filter evaluates only its left operand: the right-hand term is dropped.",
    },
    Fault {
        name: "filter-or-unsupported",
        requirements: &["rfc7644.3.4.2.2.filter-logical-or"],
        flavours: ALL,
        description: "A filter containing or is refused with 400 invalidFilter (the server handles eq and and only).",
    },
    Fault {
        name: "filter-pr-complex-never-matches",
        requirements: &["rfc7644.3.4.2.2.filter-op-pr"],
        flavours: ALL,
        description: "pr on a single-valued complex attribute (name pr) never matches: only simple values count as present.",
    },
    Fault {
        name: "filter-defaulted-attribute-unseen",
        requirements: &["rfc7644.3.4.2.2.filter-defaulted-attribute-value"],
        flavours: ALL,
        description: "Users created without active are returned with active: true (a default applied when rendering), but filters evaluate the stored value, where active has none.",
    },
    Fault {
        name: "filter-username-eq-returns-all",
        requirements: &[
            "rfc7644.3.4.2.2.filter-returns-only-matches",
            "rfc7644.3.4.2.2.filter-op-eq",
            "rfc7644.4.serviceproviderconfig-matches-behaviour",
        ],
        flavours: ALL,
        description: "A filter that is exactly userName eq \"…\" (the IdPs' look-up) takes a fast path that returns every user, the match first; other filters work.",
    },
    Fault {
        name: "filter-groups-ignored",
        requirements: &["rfc7644.3.4.2.2.filter-returns-only-matches"],
        flavours: ALL,
        description: "Filters on /Groups are ignored: the list returns every group (only /Users filters are evaluated).",
    },
    Fault {
        name: "filter-gt-as-ge",
        requirements: &[
            "rfc7644.3.4.2.2.filter-op-gt",
            "rfc7644.3.4.2.2.filter-op-lt",
        ],
        flavours: ALL,
        description: "String gt and lt include the equal value (translated to >= and <=).",
    },
    Fault {
        name: "filter-value-path-500",
        requirements: &["rfc7644.3.4.2.2.filter-complex-value-path"],
        flavours: ALL,
        description: "A query filter with a value path (emails[type eq \"work\"]) answers 500 instead of being evaluated or refused with 400 invalidFilter.",
    },
    Fault {
        name: "patch-add-multivalued-replaces",
        requirements: &[
            "rfc7644.3.5.2.1.add-multivalued-appends",
            "rfc7644.3.5.2.1.add-no-path-merges-attributes",
        ],
        flavours: ALL,
        description: "PATCH add on a multi-valued attribute (members, emails) replaces the existing values instead of appending.",
    },
    Fault {
        name: "patch-add-keeps-existing-value",
        requirements: &["rfc7644.3.5.2.1.add-singlevalued-replaces"],
        flavours: ALL,
        description: "PATCH add on a single-valued attribute that already has a value keeps the old value (add only fills unassigned attributes).",
    },
    Fault {
        name: "patch-ops-reversed",
        requirements: &["rfc7644.3.5.2.patch-ops-sequential"],
        flavours: ALL,
        description: "The operations of a PATCH request are applied last to first.",
    },
    Fault {
        name: "patch-remove-all-ignored",
        requirements: &["rfc7644.3.5.2.2.remove-multivalued-all"],
        flavours: ALL,
        description: "PATCH remove of a whole multi-valued attribute (path members, no filter, no value) answers 200 and removes nothing.",
    },
    Fault {
        name: "patch-remove-sets-empty-string",
        requirements: &["rfc7644.3.5.2.2.remove-singlevalued"],
        flavours: ALL,
        description: "PATCH remove on a single-valued string attribute stores \"\" instead of unassigning it.",
    },
    Fault {
        name: "patch-replace-multivalued-appends",
        requirements: &["rfc7644.3.5.2.3.replace-multivalued-all"],
        flavours: ALL,
        description: "PATCH replace on a whole multi-valued attribute (members, no filter) appends the new values and keeps the old ones.",
    },
    Fault {
        name: "patch-displayname-ignored",
        requirements: &[
            "rfc7643.7.readwrite-updatable",
            "rfc7644.3.5.2.3.replace-singlevalued",
            "rfc7644.3.5.2.patchop-request-accepted",
        ],
        flavours: ALL,
        description: "PATCH replace with the path displayName on a User answers 200 and keeps the old value (the server derives displayName itself and drops PATCH writes to it).",
    },
    Fault {
        name: "patch-unknown-op-ignored",
        requirements: &["rfc7644.3.5.2.patch-unknown-op-rejected"],
        flavours: ALL,
        description: "A PATCH operation whose op is not add, remove or replace (copy) is skipped silently and the request answers 200.",
    },
    Fault {
        name: "patch-unqualified-extension-path-ignored",
        requirements: &["rfc7644.3.5.2.patch-unqualified-names-use-resource-schemas"],
        flavours: ALL,
        description: "A PATCH path naming an extension attribute without its URN (employeeNumber) answers 200 and changes nothing.",
    },
    Fault {
        name: "deleted-username-reserved",
        requirements: &["rfc7644.3.6.deleted-not-in-conflict-check"],
        flavours: ALL,
        description: "Deleted users are soft-deleted and keep their userName in the uniqueness check: creating a new user with it answers 409.",
    },
    Fault {
        name: "bulk-echoes-failonerrors",
        requirements: &["rfc7644.3.7.bulkresponse-no-failonerrors"],
        flavours: ALL,
        description: "The BulkResponse echoes the request's failOnErrors.",
    },
    Fault {
        name: "accept-json-406",
        requirements: &["rfc7644.3.8.accept-json"],
        flavours: ALL,
        description: "A request whose Accept lists only application/json is answered 406 Not Acceptable.",
    },
    Fault {
        name: "content-type-charset-required",
        requirements: &["rfc7644.3.8.request-content-type-scim-json"],
        flavours: ALL,
        description: "A request body is accepted only with Content-Type application/scim+json; charset=utf-8: without the charset (or as application/json) it is refused with 415.",
    },
    Fault {
        name: "utf8-mangled",
        requirements: &["rfc7644.3.8.json-utf8"],
        flavours: ALL,
        description: "Non-ASCII strings written by POST, PUT or PATCH are stored as if their UTF-8 bytes were Latin-1 (Zoë becomes ZoÃ«).",
    },
    Fault {
        name: "resource-type-by-id-no-extensions",
        requirements: &["rfc7644.4.resourcetypes-listresponse"],
        flavours: ALL,
        description: "GET /ResourceTypes/User leaves out schemaExtensions (the list at /ResourceTypes has them).",
    },
    Fault {
        name: "resource-type-group-schema-wrong",
        requirements: &["rfc7644.4.resourcetypes-listresponse"],
        flavours: ALL,
        description: "The Group resource type names the schema urn:ietf:params:scim:schemas:core:2.0:Groups (a typo), not the Group schema.",
    },
    Fault {
        name: "bulk-advertised-not-implemented",
        requirements: &["rfc7644.4.serviceproviderconfig-matches-behaviour"],
        flavours: ALL,
        description: "/ServiceProviderConfig says bulk is supported, but POST /Bulk answers 501 Not Implemented.",
    },
    Fault {
        name: "create-no-location",
        requirements: &["rfc7644.3.3.create-location-header"],
        flavours: ALL,
        description: "A successful create sends no Location header.",
    },
    Fault {
        name: "location-mismatch-meta",
        requirements: &[
            "rfc7643.3.1.meta-location-matches-content-location",
            "rfc7644.3.3.create-meta-location",
            "rfc7643.3.1.meta-location-is-resource-uri",
        ],
        flavours: ALL,
        description: "meta.location leaves out the base path (http://host/Users/{id}), so it differs from Location and does not resolve.",
    },
    Fault {
        name: "client-id-accepted",
        requirements: &[
            "rfc7643.3.1.id-not-client-assigned",
            "rfc7644.3.3.create-readonly-ignored",
        ],
        flavours: ALL,
        description: "An id sent on create is used as the resource id.",
    },
    Fault {
        name: "externalid-generated",
        requirements: &["rfc7643.3.1.externalid-not-server-set"],
        flavours: ALL,
        description: "When the client sends no externalId the server invents one (a copy of id).",
    },
    Fault {
        name: "meta-missing",
        requirements: &[
            "rfc7643.3.1.id-and-meta-assigned",
            "rfc7644.3.3.1.create-sets-meta-resourcetype",
        ],
        flavours: ALL,
        description: "Resources are returned without a meta object.",
    },
    Fault {
        name: "meta-created-not-datetime",
        requirements: &["rfc7643.2.3.5.datetime-xsd-format"],
        flavours: ALL,
        description: "meta.created and meta.lastModified are epoch seconds (JSON numbers), not xsd:dateTime strings.",
    },
    Fault {
        name: "last-modified-not-updated",
        requirements: &["rfc7643.3.1.meta-lastmodified-updated"],
        flavours: ALL,
        description: "meta.lastModified stays at the creation time after PUT and PATCH.",
    },
    Fault {
        name: "schemas-missing-in-response",
        requirements: &[
            "rfc7643.3.schemas-lists-extensions-in-use",
            "rfc7643.3.schemas-present",
            "rfc7643.3.3.base-schema-listed",
        ],
        flavours: ALL,
        description: "User and Group representations carry no schemas attribute.",
    },
    Fault {
        name: "schemas-duplicates-kept",
        requirements: &["rfc7643.3.schemas-no-duplicates"],
        flavours: ALL,
        description: "The schemas list sent on create is stored and echoed verbatim, repeated URIs included.",
    },
    Fault {
        name: "message-schemas-not-validated",
        requirements: &["rfc7644.3.12.scimtype-invalidsyntax"],
        flavours: ALL,
        description: "SearchRequest and BulkRequest bodies are not checked: wrong schemas, a non-string filter or a missing Operations list are accepted.",
    },
    Fault {
        name: "required-username-not-enforced",
        requirements: &["rfc7643.4.1.username-required", "loom.username-required"],
        flavours: ALL,
        description: "A User without userName (or with \"\") is created.",
    },
    Fault {
        name: "duplicate-username-accepted",
        requirements: &[
            "rfc7643.4.1.username-unique",
            "rfc7644.3.3.create-conflict-409-uniqueness",
            "loom.username-unique",
        ],
        flavours: ALL,
        description: "userName uniqueness is not enforced: a second user with the same userName is created.",
    },
    Fault {
        name: "username-uniqueness-case-sensitive",
        requirements: &["rfc7643.4.1.username-case-insensitive"],
        flavours: ALL,
        description: "The userName uniqueness check compares case-sensitively, so ALICE@x and alice@x both exist.",
    },
    Fault {
        name: "group-displayname-not-required",
        requirements: &["rfc7643.4.2.displayname-required"],
        flavours: ALL,
        description: "A Group without displayName is created.",
    },
    Fault {
        name: "attr-names-case-sensitive",
        requirements: &[
            "rfc7643.2.1.attr-names-case-insensitive",
            "rfc7644.3.10.attribute-names-case-insensitive",
        ],
        flavours: ALL,
        description: "Attribute names in request bodies must match the schema's case; \"USERNAME\" is treated as unknown.",
    },
    Fault {
        name: "password-returned",
        requirements: &[
            "rfc7643.4.1.password-never-returned",
            "rfc7643.7.returned-never",
            "rfc7644.3.9.never-attributes-not-returned",
            "rfc7644.3.4.default-returned-attributes",
        ],
        flavours: ALL,
        description: "The password is returned in clear in every User representation.",
    },
    Fault {
        name: "string-booleans-rejected",
        requirements: &["entra.string-booleans"],
        flavours: ALL,
        description: "Boolean attributes sent as the strings \"True\"/\"False\" (as Entra does) are refused with 400.",
    },
    Fault {
        name: "string-booleans-stored-as-strings",
        requirements: &["entra.string-booleans"],
        flavours: ALL,
        description: "Boolean attributes sent as strings are stored and returned as strings (\"False\"), not JSON booleans.",
    },
    Fault {
        name: "enterprise-dropped",
        requirements: &[
            "rfc7643.4.3.cost-center",
            "rfc7643.4.3.organization",
            "rfc7643.4.3.division",
            "rfc7643.4.3.employee-number",
            "rfc7643.4.3.department",
            "rfc7643.3.3.extension-attrs-namespaced",
            "loom.employee-number",
            "looop.enterprise-department",
            "looop.enterprise-employee-number",
            "looop.enterprise-manager",
        ],
        flavours: ALL,
        description: "Enterprise extension attributes are accepted but not stored.",
    },
    Fault {
        name: "manager-displayname-stored",
        requirements: &["rfc7643.4.3.manager-displayname-readonly"],
        flavours: ALL,
        description: "The read-only manager.displayName sent by the client is stored and returned.",
    },
    Fault {
        name: "get-deleted-returns-200",
        requirements: &["rfc7644.3.6.deleted-resource-404", "loom.delete-user"],
        flavours: ALL,
        description: "DELETE is a soft delete: the resource leaves the lists but GET /Users/{id} still answers 200.",
    },
    Fault {
        name: "delete-returns-200-with-body",
        requirements: &["rfc7644.3.6.delete-returns-204", "loom.delete-user"],
        flavours: ALL,
        description: "DELETE answers 200 with the deleted resource instead of 204 No Content.",
    },
    Fault {
        name: "delete-not-found-204",
        requirements: &["rfc7644.3.6.deleted-resource-404"],
        flavours: ALL,
        description: "DELETE of an unknown or already deleted id answers 204 instead of 404.",
    },
    Fault {
        name: "content-type-json",
        requirements: &[
            "rfc7644.3.8.default-content-type-scim-json",
            "rfc7644.3.8.accept-scim-json",
        ],
        flavours: ALL,
        description: "Responses are labelled application/json instead of application/scim+json.",
    },
    Fault {
        name: "put-creates",
        requirements: &["rfc7644.3.2.put-does-not-create"],
        flavours: ALL,
        description: "PUT to an unknown id creates the resource (an upsert) instead of answering 404.",
    },
    Fault {
        name: "put-partial-update",
        requirements: &[
            "rfc7644.3.5.1.put-readwrite-replaced",
            "rfc7644.3.5.1.put-null-clears",
            "rfc7643.2.5.null-or-empty-unassigns",
        ],
        flavours: ALL,
        description: "PUT merges the body into the stored resource instead of replacing it: omitted, null and [] attributes survive.",
    },
    Fault {
        name: "put-readonly-overwritten",
        requirements: &[
            "rfc7644.3.5.1.put-readonly-ignored",
            "rfc7643.7.readonly-not-modified",
        ],
        flavours: ALL,
        description: "PUT takes meta.created and meta.resourceType from the request body.",
    },
    Fault {
        name: "put-required-not-enforced",
        requirements: &["rfc7644.3.5.1.put-required-attribute-missing"],
        flavours: ALL,
        description: "PUT without userName is accepted (the old userName is kept) instead of 400.",
    },
    Fault {
        name: "id-changes-on-put",
        requirements: &["rfc7643.3.1.id-readonly", "rfc7643.3.1.id-stable"],
        flavours: ALL,
        description: "PUT re-creates the resource under a new id.",
    },
    Fault {
        name: "readonly-groups-writable",
        requirements: &["rfc7643.4.1.groups-readonly"],
        flavours: ALL,
        description: "User.groups is writable: PUT or PATCH of groups on a User changes group membership.",
    },
    Fault {
        name: "user-groups-value-is-display-name",
        requirements: &["rfc7643.4.1.groups-value-and-ref"],
        flavours: ALL,
        description: "User.groups lists each group with its displayName as value (not its id) and no $ref.",
    },
    Fault {
        name: "member-ref-wrong-endpoint",
        requirements: &[
            "rfc7643.2.3.7.reference-resolvable",
            "rfc7643.4.2.members-ref-is-uri",
        ],
        flavours: ALL,
        description: "members[].$ref of a User member points at /Groups/{id}, which does not resolve.",
    },
    Fault {
        name: "count-ignored",
        requirements: &[
            "rfc7644.3.4.2.4.count-upper-bound",
            "rfc7644.3.4.2.4.itemsperpage-matches-page",
        ],
        flavours: ALL,
        description: "The count query parameter is ignored: every match is returned.",
    },
    Fault {
        name: "count-zero-means-all",
        requirements: &[
            "rfc7644.3.4.2.4.count-zero-only-total",
            "rfc7644.3.4.2.4.count-negative-as-zero",
        ],
        flavours: ALL,
        description: "count=0 (or negative) is read as \"no limit\" and returns Resources.",
    },
    Fault {
        name: "start-index-zero-based",
        requirements: &[
            "rfc7644.3.4.2.4.startindex-offsets-results",
            "rfc7644.3.4.2.4.paging-traverses-all",
            "looop.import-users",
        ],
        flavours: ALL,
        description: "startIndex is used as a 0-based offset, so startIndex=1 skips the first result.",
    },
    Fault {
        name: "start-index-below-one-rejected",
        requirements: &["rfc7644.3.4.2.4.startindex-less-than-1-as-1"],
        flavours: ALL,
        description: "startIndex below 1 is refused with 400 instead of being read as 1.",
    },
    Fault {
        name: "total-results-wrong",
        requirements: &[
            "rfc7644.3.4.2.4.totalresults-all-matches",
            "looop.import-users",
        ],
        flavours: ALL,
        description: "totalResults is the size of the page, not the number of matches.",
    },
    Fault {
        name: "list-schemas-missing",
        requirements: &[
            "rfc7644.3.4.2.listresponse-schema",
            "loom.list-users-listresponse",
            "looop.test-api-credentials",
        ],
        flavours: ALL,
        description: "ListResponse bodies carry no schemas attribute.",
    },
    Fault {
        name: "list-paging-fields-missing",
        requirements: &[
            "rfc7644.3.4.2.listresponse-startindex-when-paged",
            "rfc7644.3.4.2.listresponse-itemsperpage-when-paged",
            "looop.test-api-credentials",
        ],
        flavours: ALL,
        description: "ListResponse bodies leave out startIndex and itemsPerPage.",
    },
    Fault {
        name: "attributes-ignored",
        requirements: &[
            "rfc7643.7.returned-default",
            "rfc7644.3.4.2.5.attributes-param-supported",
            "rfc7644.3.9.attributes-comma-list",
            "rfc7644.3.4.2.5.attributes-on-list",
        ],
        flavours: ALL,
        description: "The attributes query parameter is ignored: full representations are returned.",
    },
    Fault {
        name: "attributes-subattribute-ignored",
        requirements: &["rfc7644.3.9.attributes-subattribute"],
        flavours: ALL,
        description: "attributes=name.givenName returns the whole name object.",
    },
    Fault {
        name: "excluded-attributes-ignored",
        requirements: &["rfc7644.3.4.2.5.excludedattributes-param-supported"],
        flavours: ALL,
        description: "The excludedAttributes query parameter is ignored.",
    },
    Fault {
        name: "returned-always-excludable",
        requirements: &[
            "rfc7643.3.1.id-returned-always",
            "rfc7644.3.4.2.5.excluded-no-effect-on-always",
        ],
        flavours: ALL,
        description: "excludedAttributes=id removes id, although id is returned:always.",
    },
    Fault {
        name: "filter-username-case-sensitive",
        requirements: &[
            "rfc7644.3.4.2.2.filter-caseexact-false-insensitive",
            "rfc7643.7.caseexact-in-filters",
        ],
        flavours: ALL,
        description: "Filters compare userName case-sensitively although it is caseExact false.",
    },
    Fault {
        name: "externalid-filter-case-insensitive",
        requirements: &[
            "rfc7644.3.4.2.2.filter-caseexact-true-sensitive",
            "rfc7643.3.1.externalid-case-exact",
        ],
        flavours: ALL,
        description: "Filters compare externalId case-insensitively although it is caseExact true.",
    },
    Fault {
        name: "filter-attrname-case-sensitive",
        requirements: &["rfc7644.3.4.2.2.filter-attrname-case-insensitive"],
        flavours: ALL,
        description: "Attribute names in filters must match the schema's case; USERNAME matches nothing.",
    },
    Fault {
        name: "malformed-filter-500",
        requirements: &[
            "rfc7644.3.4.2.2.filter-invalid-syntax-invalidfilter",
            "rfc7644.3.4.2.2.filter-unknown-operator-invalidfilter",
        ],
        flavours: ALL,
        description: "An unparsable filter answers 500 instead of 400 invalidFilter.",
    },
    Fault {
        name: "unknown-filter-404",
        requirements: &[
            "rfc7644.3.4.2.empty-result-200-total-zero",
            "okta.filter-lookup-empty-list",
            "looop.create-precheck-by-username",
        ],
        flavours: ALL,
        description: "A filtered query that matches nothing answers 404 instead of an empty ListResponse.",
    },
    Fault {
        name: "filter-and-or-precedence-wrong",
        requirements: &["rfc7644.3.4.2.2.filter-precedence"],
        flavours: ALL,
        description: "and/or are evaluated left to right with equal precedence.",
    },
    Fault {
        name: "filter-ne-unsupported",
        requirements: &["rfc7644.3.4.2.2.filter-op-ne"],
        flavours: ALL,
        description: "The ne operator is refused with 400 invalidFilter.",
    },
    Fault {
        name: "filter-co-as-sw",
        requirements: &["rfc7644.3.4.2.2.filter-op-co"],
        flavours: ALL,
        description: "co behaves like sw (matches prefixes only).",
    },
    Fault {
        name: "filter-datetime-as-text",
        requirements: &["rfc7644.3.4.2.2.filter-compare-datetime-chronological"],
        flavours: ALL,
        description: "dateTime values are compared as text, so another UTC offset compares wrongly.",
    },
    Fault {
        name: "filter-value-path-cross-element",
        requirements: &["rfc7644.3.4.2.2.filter-value-path-same-value"],
        flavours: ALL,
        description: "In emails[a and b], a and b may be satisfied by different elements.",
    },
    Fault {
        name: "filter-gt-boolean-accepted",
        requirements: &["rfc7644.3.4.2.2.filter-gt-boolean-invalidfilter"],
        flavours: ALL,
        description: "gt/ge/lt/le on a boolean is accepted (matches nothing) instead of 400 invalidFilter.",
    },
    Fault {
        name: "urn-paths-unsupported",
        requirements: &[
            "rfc7644.3.10.urn-qualified-attribute-names",
            "rfc7644.3.4.2.2.filter-urn-qualified-attribute",
            "rfc7644.3.10.extension-attribute-urn",
        ],
        flavours: ALL,
        description: "URN-qualified attribute names are not understood in attributes, excludedAttributes and filter.",
    },
    Fault {
        name: "sort-ignored",
        requirements: &[
            "rfc7644.3.4.2.3.sortby-singular-attribute",
            "rfc7644.3.4.2.3.sortorder-default-ascending",
        ],
        flavours: ALL,
        description: "sortBy is ignored: results come in creation order.",
    },
    Fault {
        name: "sort-descending-ignored",
        requirements: &["rfc7644.3.4.2.3.sortorder-values"],
        flavours: ALL,
        description: "sortOrder=descending is ignored: results are always ascending.",
    },
    Fault {
        name: "sort-case-sensitive",
        requirements: &["rfc7644.3.4.2.3.sort-case-insensitive-when-caseexact-false"],
        flavours: ALL,
        description: "Sorting on userName is by code point, so upper case sorts first.",
    },
    Fault {
        name: "search-endpoint-missing",
        requirements: &[
            "rfc7644.3.4.3.post-search-is-query",
            "rfc7644.3.4.3.post-search-resource-endpoint",
        ],
        flavours: ALL,
        description: "POST /.search, /Users/.search and /Groups/.search answer 404.",
    },
    Fault {
        name: "patch-active-ignored",
        requirements: &[
            "rfc7643.4.1.active-boolean",
            "loom.deactivate-patch-active-false",
            "looop.deactivate-users",
        ],
        flavours: ALL,
        description: "PATCH operations on active answer 200 but do not change it.",
    },
    Fault {
        name: "patch-op-case-sensitive",
        requirements: &["entra.patch-op-capitalised"],
        flavours: ALL,
        description: "PATCH op names must be lower case; Entra's \"Replace\"/\"Add\" are refused with 400.",
    },
    Fault {
        name: "patch-path-required",
        requirements: &[
            "rfc7644.3.5.2.patch-path-optional-add-replace",
            "rfc7644.3.5.2.3.replace-no-path",
            "okta.patch-without-path",
        ],
        flavours: ALL,
        description: "PATCH add/replace without path (Okta's form) is refused with 400 invalidPath.",
    },
    Fault {
        name: "members-remove-value-list-removes-all",
        requirements: &["entra.members-remove-value-list"],
        flavours: ALL,
        description: "PATCH remove path members with a value list removes every member, not only the listed ones.",
    },
    Fault {
        name: "patch-remove-no-path-accepted",
        requirements: &["rfc7644.3.5.2.2.remove-no-path-notarget"],
        flavours: ALL,
        description: "PATCH remove without path answers 200 (no change) instead of 400 noTarget.",
    },
    Fault {
        name: "patch-primary-not-exclusive",
        requirements: &["rfc7644.3.5.2.patch-primary-exclusive"],
        flavours: ALL,
        description: "PATCH setting primary true on one value leaves the other primary values true.",
    },
    Fault {
        name: "patch-returns-500-on-filter-path",
        requirements: &[
            "rfc7644.3.5.2.2.remove-multivalued-filtered",
            "loom.groups-patch-membership",
            "looop.push-groups-membership",
        ],
        flavours: ALL,
        description: "PATCH with a value-filter path (members[value eq \"...\"]) answers 500.",
    },
    Fault {
        name: "mutability-readonly-accepted-on-patch",
        requirements: &["rfc7644.3.5.2.patch-mutability-error"],
        flavours: ALL,
        description: "PATCH on read-only attributes (id, meta) answers 200 and ignores the operation instead of 400 mutability.",
    },
    Fault {
        name: "patch-not-atomic",
        requirements: &["rfc7644.3.5.2.patch-atomic"],
        flavours: ALL,
        description: "A PATCH whose later operation fails keeps the changes made by the earlier operations.",
    },
    Fault {
        name: "patch-add-duplicates-members",
        requirements: &["rfc7644.3.5.2.1.add-existing-value-no-change"],
        flavours: ALL,
        description: "PATCH add of an existing member appends it a second time.",
    },
    Fault {
        name: "patch-replace-no-match-ignored",
        requirements: &["rfc7644.3.5.2.3.replace-valuepath-no-match-notarget"],
        flavours: ALL,
        description: "PATCH replace with a value filter matching nothing answers 200 instead of 400 noTarget.",
    },
    Fault {
        name: "patch-always-204",
        requirements: &[
            "rfc7644.3.5.2.patch-attributes-param-forces-200",
            "loom.deactivate-patch-active-false",
            "loom.member-role-patch-replace",
        ],
        flavours: ALL,
        description: "PATCH answers 204 No Content, even when attributes is requested.",
    },
    Fault {
        name: "patch-noop-bumps-last-modified",
        requirements: &["rfc7644.3.5.2.1.add-existing-value-keeps-lastmodified"],
        flavours: ALL,
        description: "A PATCH that changes nothing still bumps meta.lastModified and the version.",
    },
    Fault {
        name: "patch-invalid-path-ignored",
        requirements: &["rfc7644.3.5.2.patch-invalid-path-400"],
        flavours: ALL,
        description: "PATCH with a syntactically invalid path answers 200 and does nothing.",
    },
    // Breaches seen on real servers (issue 10, item 7; PATCH, DELETE).
    Fault {
        name: "patch-core-urn-value-path-unsupported",
        requirements: &["rfc7644.3.5.2.patch-path-syntax"],
        flavours: ALL,
        description: "PATCH valuePaths prefixed with the core schema URN (urn:...:core:2.0:User:emails[type eq \"work\"].value) are refused with 400 noTarget; unprefixed ones work.",
    },
    Fault {
        name: "delete-twice-204",
        requirements: &["rfc7644.3.6.deleted-resource-404"],
        flavours: ALL,
        description: "A second DELETE of an id that was deleted answers 204 again (ids that never existed still get 404).",
    },
    Fault {
        name: "member-readd-with-ref-duplicates",
        requirements: &["rfc7644.3.5.2.1.add-existing-value-no-change"],
        flavours: ALL,
        description: "Group members are stored as sent, $ref included, and PATCH add compares whole member objects, so re-adding by value a member stored with its $ref appends a duplicate.",
    },
    Fault {
        name: "patch-no-path-string-boolean-500",
        requirements: &["rfc7644.3.12.status-400-bad-request"],
        flavours: ALL,
        description: "add or replace without a path carrying a boolean written as a string (\"True\") answers 500.",
    },
    Fault {
        name: "etag-ignored-if-match",
        requirements: &["rfc7644.3.14.if-match-mismatch-412"],
        flavours: ALL,
        description: "If-Match is ignored: a stale version does not give 412.",
    },
    Fault {
        name: "etag-missing",
        requirements: &[
            "rfc7644.3.14.etag-header",
            "rfc7643.3.1.meta-version-matches-etag",
        ],
        flavours: ALL,
        description: "No ETag header is sent (meta.version is still present).",
    },
    Fault {
        name: "meta-version-mismatch",
        requirements: &[
            "rfc7644.3.14.etag-meta-version",
            "rfc7643.3.1.meta-version-matches-etag",
        ],
        flavours: ALL,
        description: "meta.version is a bare number while the ETag header is W/\"n\".",
    },
    Fault {
        name: "etag-unchanged-on-update",
        requirements: &["rfc7644.3.14.etag-changes-on-update"],
        flavours: ALL,
        description: "The version (ETag) never changes when the resource is modified.",
    },
    Fault {
        name: "if-none-match-ignored",
        requirements: &[
            "rfc7643.5.supported-flags-truthful",
            "rfc7644.3.14.if-none-match-304",
        ],
        flavours: ALL,
        description: "If-None-Match is ignored: GET answers 200 with the body instead of 304.",
    },
    Fault {
        name: "bulk-bulkid-unresolved",
        requirements: &["rfc7644.3.7.2.bulkid-reference-replaced"],
        flavours: ALL,
        description: "bulkId:xxx references in Bulk data are not replaced by the new resource ids.",
    },
    Fault {
        name: "bulk-fail-on-errors-ignored",
        requirements: &["rfc7644.3.7.bulk-failonerrors-stops"],
        flavours: ALL,
        description: "Bulk failOnErrors is ignored: every operation is run.",
    },
    Fault {
        name: "bulk-status-integer",
        requirements: &["rfc7644.3.7.3.bulk-status-code"],
        flavours: ALL,
        description: "BulkResponse operation status is a JSON number instead of a string.",
    },
    Fault {
        name: "bulk-max-operations-ignored",
        requirements: &["rfc7644.3.7.4.bulk-max-operations-413"],
        flavours: ALL,
        description: "A Bulk request with more than maxOperations operations is processed instead of 413.",
    },
    Fault {
        name: "error-not-scim-schema",
        requirements: &["rfc7644.3.12.error-json-body"],
        flavours: ALL,
        description: "Errors are answered as {\"error\": \"...\"} instead of a SCIM Error body.",
    },
    Fault {
        name: "error-status-integer",
        requirements: &["rfc7644.3.12.error-status-string"],
        flavours: ALL,
        description: "The status in SCIM Error bodies is a JSON number, not a string.",
    },
    Fault {
        name: "invalid-json-500",
        requirements: &[
            "rfc7644.3.12.status-400-bad-request",
            "rfc7644.3.12.scimtype-invalidsyntax",
        ],
        flavours: ALL,
        description: "A request body that is not valid JSON answers 500 instead of 400 invalidSyntax.",
    },
    Fault {
        name: "unknown-endpoint-html",
        requirements: &["rfc7644.3.12.status-404-unknown-endpoint"],
        flavours: ALL,
        description: "Unknown endpoints answer 404 with an HTML page instead of a SCIM Error.",
    },
    Fault {
        name: "missing-auth-on-groups",
        requirements: &["rfc7643.9.3.access-restricted"],
        flavours: ALL,
        description: "/Groups answers without checking the bearer token.",
    },
    Fault {
        name: "auth-wrong-token-accepted",
        requirements: &[
            "rfc7643.9.3.access-restricted",
            "rfc7644.3.12.status-401-unauthenticated",
            "loom.auth-required",
            "looop.auth-required",
        ],
        flavours: ALL,
        description: "Any bearer token is accepted; only a missing Authorization header gives 401.",
    },
    Fault {
        name: "www-authenticate-missing",
        requirements: &["rfc7644.2.www-authenticate-header"],
        flavours: ALL,
        description: "401 answers carry no WWW-Authenticate header.",
    },
    Fault {
        name: "service-provider-config-wrong",
        requirements: &["rfc7643.5.authentication-schemes"],
        flavours: ALL,
        description: "/ServiceProviderConfig has no authenticationSchemes.",
    },
    Fault {
        name: "schemas-endpoint-incomplete",
        requirements: &["rfc7643.7.attribute-definition-fields"],
        flavours: ALL,
        description: "/Schemas attribute definitions carry only name and type: multiValued and the other characteristics are missing.",
    },
    Fault {
        name: "resource-types-missing-endpoint",
        requirements: &["rfc7643.6.endpoint"],
        flavours: ALL,
        description: "/ResourceTypes entries have no endpoint.",
    },
    Fault {
        name: "message-schemas-exposed",
        requirements: &["rfc7644.3.1.message-schemas-not-in-schemas-endpoint"],
        flavours: ALL,
        description: "/Schemas also lists the ListResponse and PatchOp message schemas.",
    },
    Fault {
        name: "discovery-filter-accepted",
        requirements: &["rfc7644.4.discovery-filter-403"],
        flavours: ALL,
        description: "A filter on /Schemas or /ResourceTypes is silently ignored instead of 403.",
    },
    Fault {
        name: "me-returns-404",
        requirements: &["rfc7644.3.11.me-not-supported-501"],
        flavours: ALL,
        description: "/Me answers 404 instead of 501 Not Implemented.",
    },
    Fault {
        name: "me-redirect-302",
        requirements: &[
            "rfc7644.3.11.me-redirect-308",
            "rfc7644.3.11.me-location-header",
        ],
        flavours: ALL,
        description: "/Me redirects with 302 Found (not 308 Permanent Redirect) to the token owner's User.",
    },
    Fault {
        name: "spc-booleans-as-strings",
        requirements: &[
            "rfc7643.2.3.2.boolean-is-json-literal",
            "rfc7643.5.patch-config",
            "rfc7643.5.changepassword-config",
            "rfc7643.5.sort-config",
            "rfc7643.5.etag-config",
            "rfc7644.3.4.2.3.sort-optional",
            "rfc7644.3.14.etag-optional",
        ],
        flavours: ALL,
        description: "Every supported flag of /ServiceProviderConfig is the string \"true\", not a JSON boolean.",
    },
    Fault {
        name: "spc-limits-missing",
        requirements: &[
            "rfc7643.5.bulk-config",
            "rfc7643.5.filter-config",
            "rfc7644.3.7.4.bulk-limits-defined",
            "rfc7644.3.4.2.2.filter-optional",
        ],
        flavours: ALL,
        description: "/ServiceProviderConfig leaves out bulk.maxOperations, bulk.maxPayloadSize and filter.maxResults.",
    },
    Fault {
        name: "spc-etag-missing",
        requirements: &["rfc7643.5.etag-config", "rfc7644.3.14.etag-optional"],
        flavours: ALL,
        description: "/ServiceProviderConfig has no etag object at all.",
    },
    Fault {
        name: "discovery-requires-auth",
        requirements: &["rfc7643.5.authentication-schemes-public"],
        flavours: ALL,
        description: "The discovery endpoints demand credentials, so a client cannot learn the authentication schemes first.",
    },
    Fault {
        name: "discovery-schemas-attribute-missing",
        requirements: &[
            "rfc7643.3.schemas-present",
            "rfc7643.7.schema-resource-uri",
            "rfc7644.4.serviceproviderconfig-schema",
        ],
        flavours: ALL,
        description: "/ServiceProviderConfig, /ResourceTypes and /Schemas resources carry no schemas attribute.",
    },
    Fault {
        name: "discovery-any-method-200",
        requirements: &[
            "rfc7643.5.spc-readonly",
            "rfc7643.6.resourcetype-readonly",
            "rfc7643.7.schema-readonly",
        ],
        flavours: ALL,
        description: "The discovery endpoints answer every method (PUT, PATCH, DELETE, POST) like GET: 200 with the resource.",
    },
    Fault {
        name: "discovery-paging-honoured",
        requirements: &["rfc7644.4.discovery-ignores-query-params"],
        flavours: ALL,
        description: "/Schemas and /ResourceTypes apply startIndex and count, so a client gets a partial list.",
    },
    Fault {
        name: "schemas-endpoint-missing",
        requirements: &["rfc7644.3.2.discovery-endpoints-get"],
        flavours: ALL,
        description: "/Schemas is not implemented: GET /Schemas answers 404.",
    },
    Fault {
        name: "schema-by-id-404",
        requirements: &[
            "rfc7643.6.schema-resolves",
            "rfc7644.3.4.1.get-schema-by-id",
        ],
        flavours: ALL,
        description: "/Schemas lists the schemas but GET /Schemas/{URN} answers 404 (the colons in the URN are not routed).",
    },
    Fault {
        name: "schema-ids-not-urns",
        requirements: &["rfc7643.7.schema-id-is-uri"],
        flavours: ALL,
        description: "Schema resources have short ids (User, Group, EnterpriseUser) instead of their URNs.",
    },
    Fault {
        name: "schemas-endpoint-user-only",
        requirements: &[
            "rfc7643.7.schema-for-every-uri",
            "rfc7643.6.schema-resolves",
            "rfc7644.4.schemas-listresponse",
        ],
        flavours: ALL,
        description: "/Schemas serves only the core User schema: the Group and enterprise schemas are missing.",
    },
    Fault {
        name: "schema-keywords-enum-names",
        requirements: &[
            "rfc7643.7.attribute-type-valid",
            "rfc7643.7.characteristic-keywords-valid",
        ],
        flavours: ALL,
        description: "/Schemas writes type, mutability, returned and uniqueness as enum constant names (STRING, READ_WRITE, DEFAULT, NONE).",
    },
    Fault {
        name: "schema-subattributes-omitted",
        requirements: &["rfc7643.7.complex-has-subattributes"],
        flavours: ALL,
        description: "Complex attributes in /Schemas are listed without their subAttributes.",
    },
    Fault {
        name: "schema-multivalued-typed-string",
        requirements: &["rfc7643.1.2.simple-attr-no-subattributes"],
        flavours: ALL,
        description: "Multi-valued complex attributes (emails, phoneNumbers, ...) are declared type string while still listing subAttributes.",
    },
    Fault {
        name: "schema-nested-complex",
        requirements: &["rfc7643.2.3.8.complex-no-nested-complex"],
        flavours: ALL,
        description: "The User schema's addresses attribute has a complex sub-attribute geo (latitude, longitude).",
    },
    Fault {
        name: "schema-subattribute-names-dotted",
        requirements: &["rfc7643.2.1.attr-name-syntax"],
        flavours: ALL,
        description: "Sub-attributes in /Schemas are named by their full path (name.givenName), not by their own name.",
    },
    Fault {
        name: "extension-redefines-core",
        requirements: &["rfc7643.3.3.extension-no-redefinition"],
        flavours: ALL,
        description: "/Schemas also lists a custom User extension that re-declares core attributes (userName, title, emails).",
    },
    Fault {
        name: "resource-type-description-missing",
        requirements: &["rfc7643.6.description"],
        flavours: ALL,
        description: "/ResourceTypes entries have no description.",
    },
    Fault {
        name: "schema-extensions-as-strings",
        requirements: &["rfc7643.6.schema-extensions-shape"],
        flavours: ALL,
        description: "The User resource type lists schemaExtensions as bare URN strings, not {schema, required} objects.",
    },
    Fault {
        name: "enterprise-not-in-resource-type",
        requirements: &[
            "rfc7644.4.resourcetypes-listresponse",
            "rfc7643.6.schema-extensions-shape",
            "rfc7643.3.schemas-match-resource-type",
        ],
        flavours: ALL,
        description: "The enterprise extension is served at /Schemas and accepted on Users but missing from the User resource type's schemaExtensions.",
    },
    Fault {
        name: "bulk-unsupported-still-processed",
        requirements: &["rfc7644.3.12.status-501-unsupported-operation"],
        flavours: ALL,
        description: "bulk.supported is false, yet POST /Bulk is processed (200) instead of answered 501.",
    },
    Fault {
        name: "patch-unsupported-still-processed",
        requirements: &["rfc7644.3.12.status-501-unsupported-operation"],
        flavours: ALL,
        description: "patch.supported is false, yet PATCH is applied (200) instead of answered 501.",
    },
    Fault {
        name: "version-segment-ignored",
        requirements: &["rfc7644.3.13.requested-version-honoured-or-rejected"],
        flavours: ALL,
        description: "Any version segment in the base path is served as 2.0: /scim/v99/Users answers like /scim/v2/Users.",
    },
    Fault {
        name: "invalid-json-500-no-detail",
        requirements: &["rfc7644.3.12.status-500-descriptive"],
        flavours: ALL,
        description: "A malformed JSON body crashes the handler: 500 with an empty body.",
    },
    Fault {
        name: "deactivate-deletes",
        requirements: &["loom.deactivated-user-kept"],
        flavours: LOOM,
        description: "PATCH active false deletes the user (GET answers 404) although the workspace is in Deactivate mode.",
    },
    Fault {
        name: "deactivated-hidden-from-list",
        requirements: &["loom.deactivated-user-kept"],
        flavours: LOOM,
        description: "Deactivated users are left out of GET /Users.",
    },
    Fault {
        name: "member-role-default-resets",
        requirements: &["loom.member-role-default-keeps-role"],
        flavours: LOOM,
        description: "loomMemberRole \"default\" resets an existing user's effective role to the workspace default.",
    },
    Fault {
        name: "member-role-in-extension",
        requirements: &["loom.member-role-core-namespace"],
        flavours: LOOM,
        description: "loomMemberRole is stored and returned inside an extension object, not as a top-level core attribute.",
    },
    Fault {
        name: "looop-extension-dropped-on-put",
        requirements: &["looop.extensions-survive-put"],
        flavours: LOOOP,
        description: "PUT drops the Looop extension object: its attributes are gone afterwards.",
    },
    Fault {
        name: "looop-extension-not-advertised",
        requirements: &[
            "rfc7643.7.schema-for-every-uri",
            "rfc7643.3.schemas-match-resource-type",
            "looop.extension-schema",
        ],
        flavours: LOOOP,
        description: "The Looop extension is stored and listed in User schemas but missing from /Schemas and /ResourceTypes.",
    },
    Fault {
        name: "looop-extension-urn-patch-rejected",
        requirements: &["looop.extensions-patch"],
        flavours: LOOOP,
        description: "PATCH paths prefixed with the Looop extension URN are refused with 400 invalidPath.",
    },
    // Breaches measured on real servers (issue 10.7, core suites).
    Fault {
        name: "filter-pr-multivalued-never-matches",
        requirements: &["rfc7644.3.4.2.2.filter-op-pr"],
        flavours: ALL,
        description: "pr on a complex multi-valued attribute (emails pr) matches no resource, as in scimmy.",
    },
    Fault {
        name: "start-index-beyond-total-returns-all",
        requirements: &["rfc7644.3.4.2.4.startindex-offsets-results"],
        flavours: ALL,
        description: "A startIndex past the last result pages from result 1 again (the whole list), as in scimmy.",
    },
    Fault {
        name: "attributes-drop-schemas",
        requirements: &["rfc7643.3.schemas-present"],
        flavours: ALL,
        description: "Resources trimmed by attributes= lose their schemas attribute, as in scimmy.",
    },
    Fault {
        name: "filter-username-co-as-eq",
        requirements: &["rfc7644.3.4.2.2.filter-op-co"],
        flavours: ALL,
        description: "co on userName matches only the whole value, like eq.",
    },
    Fault {
        name: "last-modified-never-changes",
        requirements: &["rfc7643.3.1.meta-lastmodified-updated"],
        flavours: ALL,
        description: "meta.lastModified stays the creation time (as django-scim2's date_joined), and timestamps carry a +00:00 offset.",
    },
    Fault {
        name: "auth-missing-token-accepted",
        requirements: &[
            "rfc7643.9.3.access-restricted",
            "loom.auth-required",
            "looop.auth-required",
            "rfc7644.3.12.status-401-unauthenticated",
        ],
        flavours: ALL,
        description: "A request without an Authorization header is served (only a token that is sent is checked).",
    },
    Fault {
        name: "looop-optional-attributes-dropped",
        requirements: &["looop.core-user-attributes"],
        flavours: LOOOP,
        description: "Only Looop's minimum mapping is kept: displayName, nickName, profileUrl, title, userType, preferredLanguage, locale and timezone are dropped.",
    },
    Fault {
        name: "looop-email-primary-dropped",
        requirements: &["looop.minimum-mapping-roundtrip"],
        flavours: LOOOP,
        description: "emails are stored without their primary flag.",
    },
    Fault {
        name: "looop-patch-subattribute-ignored",
        requirements: &["looop.update-user-attributes-patch"],
        flavours: LOOOP,
        description: "PATCH operations on a name sub-attribute (path name.givenName) are answered with success and not applied.",
    },
    Fault {
        name: "loom-validation-errors-500",
        requirements: &["loom.member-role-enum", "loom.username-non-email"],
        flavours: LOOM,
        description: "A loomMemberRole outside the list or a userName that is not an email answers 500 (the validation error escapes unhandled) instead of 400.",
    },
    Fault {
        name: "loom-created-inactive",
        requirements: &["loom.create-active-user", "loom.get-user-by-id"],
        flavours: LOOM,
        description: "Users are created inactive whatever active the create sends.",
    },
    Fault {
        name: "loom-externalid-dropped",
        requirements: &["loom.externalid-kept"],
        flavours: LOOM,
        description: "externalId is accepted on create but never stored or returned.",
    },
    Fault {
        name: "loom-externalid-resolves-as-id",
        requirements: &["loom.get-by-id-not-externalid"],
        flavours: LOOM,
        description: "GET /Users/{x} also finds the user whose externalId is x.",
    },
    Fault {
        name: "loom-photos-dropped",
        requirements: &["loom.photos-url"],
        flavours: LOOM,
        description: "photos are accepted and not stored.",
    },
    Fault {
        name: "loom-role-groups-refused",
        requirements: &["loom.role-groups"],
        flavours: LOOM,
        description: "Only a Loom Creators group can be pushed: POST /Groups for Loom Viewers or Loom Admins answers 400.",
    },
    Fault {
        name: "loom-username-email-duplicated",
        requirements: &["loom.primary-email-consistent"],
        flavours: LOOM,
        description: "When the emails sent contain the userName, the service adds its own copy of it: the login email is listed twice.",
    },
    Fault {
        name: "loom-unpaged-list-truncated",
        requirements: &["loom.list-without-paging"],
        flavours: LOOM,
        description: "An unfiltered GET /Users without startIndex or count returns only the first two users while itemsPerPage claims the whole list.",
    },
    Fault {
        name: "loom-members-by-username",
        requirements: &["loom.group-members-by-user-id"],
        flavours: LOOM,
        description: "Group members are returned by their userName instead of the user's id.",
    },
    Fault {
        name: "primary-defaulted-true",
        requirements: &["rfc7643.2.4.primary-at-most-one"],
        flavours: ALL,
        description: "emails sent without primary are stored primary (a column default of true), and several primaries are kept.",
    },
    Fault {
        name: "primary-as-string",
        requirements: &["rfc7643.2.3.2.boolean-is-json-literal"],
        flavours: ALL,
        description: "The primary flag of multi-valued attributes is returned as the string \"True\"/\"False\".",
    },
    Fault {
        name: "numeric-strings-as-numbers",
        requirements: &["rfc7643.2.3.1.string-is-json-string"],
        flavours: ALL,
        description: "String attributes whose value is all digits (displayName \"12345\") are returned as JSON numbers.",
    },
    Fault {
        name: "binary-base64url",
        requirements: &["rfc7643.2.3.6.binary-base64"],
        flavours: ALL,
        description: "x509Certificates values are returned re-encoded as unpadded base64url.",
    },
    Fault {
        name: "schemas-after-username-refused",
        requirements: &["rfc7643.2.3.8.complex-order-insignificant"],
        flavours: ALL,
        description: "A create whose body carries userName before schemas is refused (400): a streaming reader resolves each member against the schemas it has seen so far.",
    },
    Fault {
        name: "attributes-param-case-sensitive",
        requirements: &["rfc7643.2.1.attr-names-case-insensitive"],
        flavours: ALL,
        description: "attributes= names are matched case-sensitively: attributes=USERNAME returns no userName.",
    },
    Fault {
        name: "phone-numbers-single-object",
        requirements: &["rfc7643.2.4.multivalued-is-array"],
        flavours: ALL,
        description: "A single phone number is returned as an object, not a one-element array.",
    },
    Fault {
        name: "phone-type-dropped",
        requirements: &["rfc7643.2.4.canonicalize-returned-values"],
        flavours: ALL,
        description: "phoneNumbers are returned without their type label.",
    },
    Fault {
        name: "externalid-lowercased",
        requirements: &["rfc7643.3.1.externalid-case-exact"],
        flavours: ALL,
        description: "externalId is returned lowercased.",
    },
    Fault {
        name: "ids-derived-from-username",
        requirements: &["rfc7643.3.1.id-stable"],
        flavours: ALL,
        description: "A user's id is a hash of its userName, so a new user with a deleted user's userName gets the deleted user's id.",
    },
    Fault {
        name: "patch-id-writable",
        requirements: &["rfc7643.3.1.id-readonly"],
        flavours: ALL,
        description: "PATCH replace of id moves the resource to the new id.",
    },
    Fault {
        name: "last-modified-after-created",
        requirements: &["rfc7643.3.1.meta-lastmodified-initial"],
        flavours: ALL,
        description: "A create stamps lastModified from a second clock read, a few milliseconds after created.",
    },
    Fault {
        name: "address-country-alpha3",
        requirements: &["rfc7643.4.1.address-country-alpha2"],
        flavours: ALL,
        description: "addresses.country is returned as a three-letter code (SE becomes SWE).",
    },
    Fault {
        name: "name-formatted-overwritten",
        requirements: &["rfc7643.4.1.name-variants-consistent"],
        flavours: ALL,
        description: "name.formatted is returned as the userName, whatever the name components are.",
    },
    Fault {
        name: "members-type-lowercase",
        requirements: &["rfc7643.4.2.members-type"],
        flavours: ALL,
        description: "members[].type is returned lowercase (\"user\").",
    },
    Fault {
        name: "spc-filter-maxresults-ignored",
        requirements: &["rfc7643.5.filter-maxresults-honoured"],
        flavours: ALL,
        description: "/ServiceProviderConfig advertises filter.maxResults 2, and lists return more.",
    },
    Fault {
        name: "sort-claimed-not-implemented",
        requirements: &["rfc7643.5.supported-flags-truthful"],
        flavours: ALL,
        description: "sort.supported is true, but any sortBy answers 501.",
    },
    Fault {
        name: "bulk-claimed-not-implemented",
        requirements: &["rfc7643.5.supported-flags-truthful"],
        flavours: ALL,
        description: "bulk.supported is true, but POST /Bulk answers 501.",
    },
    Fault {
        name: "patch-claimed-not-implemented",
        requirements: &["rfc7643.5.supported-flags-truthful"],
        flavours: ALL,
        description: "patch.supported is true, but PATCH answers 501.",
    },
    Fault {
        name: "filter-claimed-not-implemented",
        requirements: &["rfc7643.5.supported-flags-truthful"],
        flavours: ALL,
        description: "filter.supported is true, but a filter on /Users or /Groups answers 501.",
    },
    Fault {
        name: "resource-type-by-id-name-missing",
        requirements: &["rfc7643.6.name"],
        flavours: ALL,
        description: "GET /ResourceTypes/{name} returns the resource type without its name.",
    },
    Fault {
        name: "username-html-escaped",
        requirements: &["rfc7643.9.2.input-validated"],
        flavours: ALL,
        description: "userName is returned HTML-escaped (' becomes &#39;).",
    },
    Fault {
        name: "error-echoes-request-body",
        requirements: &["rfc7643.9.2.password-value-not-leaked"],
        flavours: ALL,
        description: "A refused create's error detail quotes the request body, password included.",
    },
    Fault {
        name: "accept-scim-json-only-406",
        requirements: &["okta.scim-json-charset"],
        flavours: ALL,
        description: "A request whose Accept is application/scim+json alone (as Okta sends it) answers 406: the server produces application/json only and negotiates strictly.",
    },
    Fault {
        name: "empty-filter-result-204",
        requirements: &["okta.filter-lookup-not-found"],
        flavours: ALL,
        description: "A filtered list that matches nothing answers 204 No Content.",
    },
    Fault {
        name: "patch-member-display-rejected",
        requirements: &["okta.group-members-add", "okta.group-members-replace"],
        flavours: ALL,
        description: "PATCH of group members refuses member values carrying display (400).",
    },
    Fault {
        name: "get-with-password-500",
        requirements: &["okta.get-user"],
        flavours: ALL,
        description: "GET of a user that has a password answers 500.",
    },
    Fault {
        name: "entra-value-path-sub-attribute-refused",
        requirements: &["entra.email-filter"],
        flavours: ALL,
        description: "Entra's match filter emails[type eq \"work\"].value eq \"x\" (a sub-attribute after a value path) is refused as invalidFilter.",
    },
    Fault {
        name: "entra-manager-array-refused",
        requirements: &["entra.manager-add-ref"],
        flavours: ALL,
        description: "Entra's PATCH Add path manager with a one-element array [{$ref, value}] is refused (400): only an object or a bare id is read.",
    },
];

/// Looks a fault up by name (conformance faults and hostile ones).
pub fn find(name: &str) -> Option<&'static Fault> {
    FAULTS.iter().chain(HOSTILE).find(|f| f.name == name)
}

/// The `--list-faults` listing: one line per fault, `NAME \t REQ,REQ \t DESCRIPTION`.
pub fn fault_listing() -> String {
    let mut out = String::new();
    for f in FAULTS.iter().chain(HOSTILE) {
        out.push_str(f.name);
        out.push('\t');
        out.push_str(&f.requirements.join(","));
        out.push('\t');
        out.push_str(f.description);
        out.push('\n');
    }
    out
}

// ---- hostile faults (issue 13: trust on production tenants) ----
//
// These break scimspec's own promises rather than (only) a SCIM rule: that the token stays with
// the base URL's origin and out of every output, that everything a run creates is found and
// deleted, and that a server's answers cannot steer requests or the terminal. The fault matrix
// (tests/faults.rs) proves conformance faults through the suites; these are proven by
// tests/trust.rs, which measures what reaches a foreign listener, the terminal and the tenant.

/// Faults that attack the runner, in listing order (after [`FAULTS`]).
pub static HOSTILE: &[Fault] = &[
    Fault {
        name: "location-foreign-origin",
        requirements: &[
            "rfc7644.3.3.create-location-header",
            "rfc7644.3.3.create-meta-location",
            "scimspec.credentials-base-origin-only",
        ],
        flavours: ALL,
        description: "Location, Content-Location and meta.location name another origin (host 127.0.0.2, same port): a client that follows them with its token hands the token over.",
    },
    Fault {
        name: "id-path-traversal",
        requirements: &["rfc7643.3.1.id-non-empty", "scimspec.ids-one-path-segment"],
        flavours: ALL,
        description: "New users get the id ../Groups/victim-N, and a group victim-N (not the run's) is made beside each: a client that pastes ids into paths deletes the victim.",
    },
    Fault {
        name: "id-fragment",
        requirements: &["rfc7643.3.1.id-non-empty", "scimspec.ids-one-path-segment"],
        flavours: ALL,
        description: "New users get the id victim-N#frag, and a user victim-N (not the run's) is made beside each: an unencoded id loses its fragment and names the victim.",
    },
    Fault {
        name: "numeric-ids",
        requirements: &["rfc7643.3.1.id-non-empty", "scimspec.ledger-any-id-type"],
        flavours: ALL,
        description: "Resource ids are JSON numbers (\"id\": 1001), not strings.",
    },
    Fault {
        name: "create-empty-answer",
        requirements: &[
            "rfc7644.3.3.create-returns-201",
            "scimspec.ledger-found-by-name",
        ],
        flavours: ALL,
        description: "A successful POST /Users or /Groups answers 201 with no body and no Location: only the name tells what was created.",
    },
    Fault {
        name: "put-upsert-201",
        requirements: &["scimspec.ledger-put-created"],
        flavours: ALL,
        description: "PUT to an unknown id creates the resource under that id and answers 201 Created.",
    },
    Fault {
        name: "bulk-no-location",
        requirements: &[
            "rfc7644.3.7.bulk-op-location",
            "scimspec.ledger-found-by-name",
        ],
        flavours: ALL,
        description: "Bulk operation results carry no location, so the ids of bulk-created resources are not given.",
    },
    Fault {
        name: "delete-500-twice",
        requirements: &["rfc7644.3.6.delete-returns-204", "scimspec.cleanup-retries"],
        flavours: ALL,
        description: "The first two DELETEs of each resource answer 500; the third deletes it (204).",
    },
    Fault {
        name: "delete-always-500",
        requirements: &[
            "rfc7644.3.6.delete-returns-204",
            "scimspec.cleanup-leftovers-fail-the-run",
        ],
        flavours: ALL,
        description: "Every DELETE answers 500 and deletes nothing.",
    },
    Fault {
        name: "echo-credentials",
        requirements: &["scimspec.secrets-never-printed"],
        flavours: ALL,
        description: "Any Authorization is accepted, and every answer echoes the credentials it got: headers X-Echo-* and a body member `echo` with the header values, the bare token, the Basic password (plain and percent-encoded) and every other request header.",
    },
    Fault {
        name: "terminal-escapes",
        requirements: &[
            "rfc7644.3.12.error-json-body",
            "scimspec.terminal-output-neutralised",
        ],
        flavours: ALL,
        description: "Error details, meta.resourceType and displayName carry terminal escape sequences (OSC 52 clipboard write, clear screen, window title), and error bodies end in raw ESC bytes.",
    },
    Fault {
        name: "endless-list",
        requirements: &[
            "rfc7644.3.4.2.listresponse-totalresults",
            "scimspec.bounded-loops",
        ],
        flavours: ALL,
        description: "Every list page of /Users and /Groups is full of new run-prefixed resources and totalResults stays ahead of startIndex: paging never ends.",
    },
];

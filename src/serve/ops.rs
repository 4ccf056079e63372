//! The resource operations (create, read, replace, patch, delete, query), independent of HTTP so
//! that /Bulk can run them too.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::Flavour;
use super::app::{App, Ctx};
use super::error::{ScimError, ScimResult};
use super::filter::{self, Eval};
use super::limits::MAX_RESULTS;
use super::patch::{self, Work};
use super::render;
use super::resource::{self, Input};
use super::schema::{Kind, LOOM_WORKSPACE_DEFAULT_ROLE};
use super::store::{Resource, Store};
use crate::scim;

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub location: Option<String>,
    pub etag: Option<String>,
}

impl Reply {
    pub fn json(status: StatusCode, body: Value) -> Self {
        Reply {
            status,
            body: Some(body),
            location: None,
            etag: None,
        }
    }
}

/// Does an If-Match / If-None-Match header value match the current entity tag? Weak comparison.
pub fn etag_matches(header: &str, current: &str) -> bool {
    let norm = |t: &str| {
        t.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    };
    let cur = norm(current);
    header.split(',').any(|t| t.trim() == "*" || norm(t) == cur)
}

fn check_if_match(app: &App, ctx: &Ctx, r: &Resource) -> ScimResult<()> {
    // Strong comparison (a fault): a weak tag never matches, so the server's own W/ ETags fail.
    let strong_miss =
        |h: &str| app.fault("if-match-weak-rejected") && h.trim() != "*" && h.contains("W/");
    if let Some(h) = &ctx.if_match
        && !app.fault("etag-ignored-if-match")
        && (!etag_matches(h, &r.etag()) || strong_miss(h))
    {
        return Err(ScimError::precondition_failed(format!(
            "If-Match {h} does not match the current version {}",
            r.etag()
        )));
    }
    Ok(())
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} {id} not found", kind.name()))
}

/// The reply carrying one resource, with attributes/excludedAttributes applied.
fn resource_reply(app: &App, store: &Store, r: &Resource, ctx: &Ctx, status: StatusCode) -> Reply {
    let full = render::render(app, store, r, ctx);
    let body = render::project(app, r.kind, full, ctx);
    Reply {
        status,
        body: Some(Value::Object(body)),
        location: Some(render::location(app, ctx, r.kind, &r.id)),
        etag: (!app.fault("etag-missing")).then(|| r.etag()),
    }
}

/// The answer of a write under the write-answers-id-only fault: a stub built from the request's
/// outcome, not the stored resource.
fn stub_answer(app: &App, mut reply: Reply) -> Reply {
    if app.fault("write-answers-id-only")
        && let Some(Value::Object(b)) = &mut reply.body
    {
        b.retain(|k, _| matches!(k.as_str(), "schemas" | "id" | "meta"));
    }
    reply
}

fn body_object(body: &Value) -> ScimResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the request body must be a JSON object"))
}

fn apply_loom_role(app: &App, data: &mut Map<String, Value>, old: Option<&Map<String, Value>>) {
    if app.flavour != Flavour::Loom {
        return;
    }
    let role = data
        .get("loomMemberRole")
        .and_then(Value::as_str)
        .map(String::from);
    let old_role = old
        .and_then(|o| o.get("loomMemberRole"))
        .and_then(Value::as_str);
    let current = old
        .and_then(|o| o.get("loomEffectiveRole"))
        .and_then(Value::as_str);
    let effective = match old {
        None => match role.as_deref() {
            None | Some("default") => LOOM_WORKSPACE_DEFAULT_ROLE.to_string(),
            Some(r) => r.to_string(),
        },
        Some(_) if role.as_deref() == old_role && current.is_some() => {
            current.unwrap_or_default().to_string()
        }
        Some(_) => resource::loom_effective_role(app, role.as_deref(), current),
    };
    data.insert("loomEffectiveRole".into(), json!(effective));
}

/// POST /Users, /Groups.
pub fn create(app: &App, kind: Kind, body: &Value, ctx: &Ctx) -> ScimResult<Reply> {
    let obj = body_object(body)?;
    let sent_schemas = resource::check_resource_schemas(kind, obj)?;
    let input: Input = resource::normalize_body(app, kind, obj)?;
    let mut data = input.data;
    // No source says Loom fills in loomMemberRole when the IdP leaves it out, so a create
    // without one stores none; the workspace default still decides the effective role.
    if app.flavour == Flavour::Loom && kind == Kind::User {
        apply_loom_role(app, &mut data, None);
    }
    super::defects::on_create(app, kind, &mut data);
    let mut store = app.store();
    let mut id = super::hostile::assign_id(app, &mut store, kind)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    if app.fault("client-id-accepted")
        && let Some(cid) = input.id.filter(|c| !c.is_empty() && !c.contains('/'))
        && !store.resources.contains_key(&cid)
    {
        id = cid;
    }
    if let Some(derived) = super::defects::create_id(app, kind, &data) {
        id = derived;
    }
    if let Some(derived) = super::defects_7643::create_id(app, kind, &data) {
        id = derived;
    }
    super::defects_7643::on_write(app, kind, input.schemas.as_deref(), None, &mut data);
    resource::validate(app, &store, kind, Some(&id), &mut data)
        .map_err(|e| super::defects::create_error(app, e, body))?;
    if app.fault("externalid-generated") && !data.contains_key("externalId") {
        data.insert("externalId".into(), json!(id));
    }
    let now = store.now();
    let r = Resource {
        kind,
        id: id.clone(),
        data,
        password: input.password,
        created: now,
        last_modified: super::defects::created_last_modified(app, now),
        version: store.next_version(),
        seq: store.next_seq(),
        deleted: false,
        sent_schemas: Some(sent_schemas),
        meta_override: super::defects_7643::create_meta(app, input.meta.as_ref()),
    };
    if kind == Kind::User
        && app.fault("readonly-groups-writable")
        && let Some(groups) = &input.groups
    {
        join_groups(&mut store, &id, groups);
    }
    store.resources.insert(id.clone(), r);
    store.reindex(&id);
    let Some(r) = store.resources.get(&id) else {
        return Err(ScimError::internal("the new resource vanished"));
    };
    let status = if app.fault("create-returns-200") {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut reply = resource_reply(app, &store, r, ctx, status);
    if app.fault("create-no-location") {
        reply.location = None;
    }
    if app.fault("create-echoes-request-meta")
        && let (Some(Value::Object(sent)), Some(Value::Object(out))) =
            (body.get("meta"), reply.body.as_mut())
        && let Some(Value::Object(meta)) = out.get_mut("meta")
    {
        // The answer is built from the request body with the server's fields filled in only
        // where the client left them out.
        for k in ["created", "lastModified"] {
            if let Some(v) = sent.get(k) {
                meta.insert(k.into(), v.clone());
            }
        }
    }
    Ok(stub_answer(app, reply))
}

fn join_groups(store: &mut Store, user_id: &str, groups: &Value) {
    let ids: Vec<String> = match groups {
        Value::Array(a) => a
            .iter()
            .filter_map(|g| g.get("value").and_then(Value::as_str).map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    for gid in ids {
        if let Some(g) = store
            .resources
            .get_mut(&gid)
            .filter(|g| g.kind == Kind::Group && !g.deleted)
        {
            let members = g.data.entry("members").or_insert_with(|| json!([]));
            if let Some(a) = members.as_array_mut()
                && !a
                    .iter()
                    .any(|m| m.get("value").and_then(Value::as_str) == Some(user_id))
            {
                a.push(json!({"value": user_id}));
            }
        }
    }
}

fn lookup<'s>(app: &App, store: &'s Store, kind: Kind, id: &str) -> Option<&'s Resource> {
    if app.fault("get-deleted-returns-200") {
        store.resources.get(id).filter(|r| r.kind == kind)
    } else {
        store.get(kind, id)
    }
}

/// GET /Users/{id}, /Groups/{id}.
pub fn get(app: &App, kind: Kind, id: &str, ctx: &Ctx) -> ScimResult<Reply> {
    let store = app.store();
    let Some(r) = lookup(app, &store, kind, id)
        .or_else(|| super::defects::get_fallback(app, &store, kind, id))
    else {
        if app.fault("get-unknown-500") && !store.deleted_ids.contains(id) {
            return Err(ScimError::internal(format!(
                "NullPointerException: no {} row for id {id}",
                kind.name()
            )));
        }
        return Err(not_found(kind, id));
    };
    if let Some(e) = super::defects::get_error(app, r) {
        return Err(e);
    }
    if let Some(h) = &ctx.if_none_match
        && !app.fault("if-none-match-ignored")
        && (etag_matches(h, &r.etag()) || app.fault("if-none-match-any-304"))
    {
        return Ok(Reply {
            status: StatusCode::NOT_MODIFIED,
            body: None,
            location: None,
            etag: (!app.fault("etag-missing")).then(|| r.etag()),
        });
    }
    let mut reply = resource_reply(app, &store, r, ctx, StatusCode::OK);
    if app.fault("get-by-id-list-response") {
        reply.body = reply.body.map(|b| {
            json!({"schemas": [scim::LIST_RESPONSE], "totalResults": 1, "itemsPerPage": 1,
                "startIndex": 1, "Resources": [b]})
        });
    }
    Ok(reply)
}

/// Stores a modified resource: new version and lastModified when something changed.
fn commit(
    app: &App,
    store: &mut Store,
    id: &str,
    data: Map<String, Value>,
    password: Option<Option<String>>,
    force_bump: bool,
) {
    let now = store.now();
    let version = store.next_version();
    let Some(r) = store.resources.get_mut(id) else {
        return;
    };
    let pw_changed = password.as_ref().is_some_and(|p| *p != r.password);
    let changed = r.data != data || pw_changed;
    r.data = data;
    if let Some(p) = password {
        r.password = p;
    }
    if changed || force_bump {
        if !app.fault("etag-unchanged-on-update") {
            r.version = version;
        }
        if !app.fault("last-modified-not-updated") && !app.fault("last-modified-never-changes") {
            r.last_modified = now;
        }
    }
    store.reindex(id);
}

/// PUT /Users/{id}, /Groups/{id}.
pub fn replace(app: &App, kind: Kind, id: &str, body: &Value, ctx: &Ctx) -> ScimResult<Reply> {
    let obj = body_object(body)?;
    {
        let store = app.store();
        if lookup(app, &store, kind, id).is_none() {
            drop(store);
            if (app.fault("put-creates") || app.fault("put-upsert-201")) && !id.is_empty() {
                return upsert(app, kind, id, body, ctx);
            }
            return Err(not_found(kind, id));
        }
    }
    resource::check_resource_schemas(kind, obj)?;
    let mut input = resource::normalize_body(app, kind, obj)?;
    let mut store = app.store();
    let old = lookup(app, &store, kind, id)
        .cloned()
        .ok_or_else(|| not_found(kind, id))?;
    check_if_match(app, ctx, &old)?;
    if app.fault("put-group-members-added")
        && kind == Kind::Group
        && let (Some(Value::Array(old_members)), Some(Value::Array(new_members))) =
            (old.data.get("members"), input.data.get_mut("members"))
    {
        // Members are written through an "add member" call only: the old ones stay.
        for m in old_members.iter().rev() {
            if !new_members.iter().any(|n| n.get("value") == m.get("value")) {
                new_members.insert(0, m.clone());
            }
        }
    }
    let mut data = if app.fault("put-partial-update") {
        let mut merged = old.data.clone();
        for (k, v) in input.data {
            merged.insert(k, v);
        }
        merged
    } else {
        input.data
    };
    if app.fault("put-required-not-enforced")
        && kind == Kind::User
        && !data.contains_key("userName")
        && let Some(u) = old.data.get("userName")
    {
        data.insert("userName".into(), u.clone());
    }
    if app.fault("looop-extension-dropped-on-put") {
        data.remove(scim::LOOOP_USER_SCHEMA);
    }
    if app.flavour == Flavour::Loom && kind == Kind::User {
        if let Some(e) = old.data.get("loomEffectiveRole") {
            data.insert("loomEffectiveRole".into(), e.clone());
        }
        let mut with_old = data.clone();
        apply_loom_role(app, &mut with_old, Some(&old.data));
        data = with_old;
    }
    resource::validate(app, &store, kind, Some(id), &mut data)?;
    super::defects_7643::on_write(
        app,
        kind,
        input.schemas.as_deref(),
        Some(&old.data),
        &mut data,
    );
    let password = input.password.map(Some);
    commit(app, &mut store, id, data, password, false);
    if kind == Kind::User
        && app.fault("readonly-groups-writable")
        && let Some(groups) = &input.groups
    {
        join_groups(&mut store, id, groups);
    }
    if app.fault("put-readonly-overwritten")
        && let Some(meta) = &input.meta
        && let Some(r) = store.resources.get_mut(id)
    {
        for k in ["created", "resourceType", "lastModified"] {
            if let Some(v) = meta
                .iter()
                .find(|(mk, _)| mk.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
            {
                r.meta_override.insert(k.to_string(), v.clone());
            }
        }
    }
    let mut final_id = id.to_string();
    if app.fault("id-changes-on-put") {
        final_id = move_resource(&mut store, id);
    }
    let r = store
        .resources
        .get(&final_id)
        .ok_or_else(|| not_found(kind, id))?;
    Ok(stub_answer(
        app,
        resource_reply(app, &store, r, ctx, StatusCode::OK),
    ))
}

/// Re-keys a resource under a fresh id (the id-changes-on-put fault).
fn move_resource(store: &mut Store, id: &str) -> String {
    let new_id = uuid::Uuid::new_v4().to_string();
    if let Some(mut r) = store.resources.remove(id) {
        r.id = new_id.clone();
        store.resources.insert(new_id.clone(), r);
        store.reindex(&new_id);
    }
    for g in store.resources.values_mut() {
        if let Some(Value::Array(ms)) = g.data.get_mut("members") {
            for m in ms.iter_mut() {
                if m.get("value").and_then(Value::as_str) == Some(id)
                    && let Some(o) = m.as_object_mut()
                {
                    o.insert("value".into(), json!(new_id));
                }
            }
        }
    }
    new_id
}

fn upsert(app: &App, kind: Kind, id: &str, body: &Value, ctx: &Ctx) -> ScimResult<Reply> {
    let obj = body_object(body)?;
    resource::check_resource_schemas(kind, obj)?;
    let input = resource::normalize_body(app, kind, obj)?;
    let mut data = input.data;
    let mut store = app.store();
    resource::validate(app, &store, kind, Some(id), &mut data)?;
    let now = store.now();
    let r = Resource {
        kind,
        id: id.to_string(),
        data,
        password: input.password,
        created: now,
        last_modified: now,
        version: store.next_version(),
        seq: store.next_seq(),
        deleted: false,
        sent_schemas: None,
        meta_override: Map::new(),
    };
    store.resources.insert(id.to_string(), r);
    store.reindex(id);
    let r = store.resources.get(id).ok_or_else(|| not_found(kind, id))?;
    let status = if app.fault("put-upsert-201") {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(stub_answer(
        app,
        resource_reply(app, &store, r, ctx, status),
    ))
}

/// PATCH /Users/{id}, /Groups/{id}.
pub fn patch(app: &App, kind: Kind, id: &str, body: &Value, ctx: &Ctx) -> ScimResult<Reply> {
    let mut ops = patch::parse_ops(app, body)?;
    ops.retain(|o| !super::defects::skipped_patch_path(app, o.path.as_deref()));
    let mut store = app.store();
    let old = lookup(app, &store, kind, id)
        .cloned()
        .ok_or_else(|| not_found(kind, id))?;
    if let Some(new_id) = ops
        .iter()
        .find_map(|o| super::defects::patched_id(app, o.path.as_deref(), o.value.as_ref()))
        .filter(|n| !store.resources.contains_key(n))
    {
        let mut moved = old;
        store.resources.remove(id);
        moved.id = new_id.clone();
        store.resources.insert(new_id.clone(), moved);
        let r = store
            .resources
            .get(&new_id)
            .ok_or_else(|| not_found(kind, &new_id))?;
        return Ok(resource_reply(app, &store, r, ctx, StatusCode::OK));
    }
    check_if_match(app, ctx, &old)?;
    let mut data = old.data.clone();
    super::defects_7643::patch_member_values(app, &mut ops, &mut data);
    let work = Work {
        data,
        password: None,
        join_groups: Vec::new(),
    };
    let (mut work, error) = match patch::apply(app, kind, work, &ops) {
        Ok(w) => (w, None),
        Err((partial, e)) => {
            if !app.fault("patch-not-atomic") {
                return Err(e);
            }
            (partial, Some(e))
        }
    };
    if app.flavour == Flavour::Loom && kind == Kind::User {
        apply_loom_role(app, &mut work.data, Some(&old.data));
    }
    resource::validate(app, &store, kind, Some(id), &mut work.data)?;
    let force = app.fault("patch-noop-bumps-last-modified");
    commit(app, &mut store, id, work.data, work.password, force);
    if !work.join_groups.is_empty() {
        join_groups(
            &mut store,
            id,
            &json!(
                work.join_groups
                    .iter()
                    .map(|g| json!({"value": g}))
                    .collect::<Vec<_>>()
            ),
        );
    }
    if let Some(e) = error {
        return Err(e);
    }
    let id = if app.fault("patch-recreates-resource") {
        move_resource(&mut store, id)
    } else {
        id.to_string()
    };
    let id = id.as_str();
    let r = store.resources.get(id).ok_or_else(|| not_found(kind, id))?;
    let mut reply = resource_reply(app, &store, r, ctx, StatusCode::OK);
    // Loom in Delete mode (a fault here): deactivation removes the user.
    if app.fault("deactivate-deletes")
        && kind == Kind::User
        && r.data.get("active") == Some(&Value::Bool(false))
    {
        store.resources.remove(id);
        store.remove_member_everywhere(id);
    }
    if app.fault("patch-always-204") {
        reply.status = StatusCode::NO_CONTENT;
        reply.body = None;
    }
    if app.fault("patch-200-empty-body") {
        reply.body = None;
    }
    let mut reply = stub_answer(app, reply);
    if app.option("loom-short-patch-answers") && kind == Kind::User {
        reply.body = reply.body.map(|b| short_patch_answer(&b, &ops));
    }
    Ok(reply)
}

/// The abbreviated PATCH answers of the Stitchflow Loom guide: `{id, userName}` for a role
/// change, `{id, active}` for a deactivation; both keys where one PATCH does both.
fn short_patch_answer(full: &Value, ops: &[patch::PatchOp]) -> Value {
    let mut out = Map::new();
    for key in ["id", "userName"] {
        if let Some(v) = full.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let sets_active = ops.iter().any(|o| match &o.path {
        Some(p) => p.eq_ignore_ascii_case("active"),
        None => o.value.as_ref().and_then(|v| v.get("active")).is_some(),
    });
    if sets_active && let Some(v) = full.get("active") {
        out.insert("active".into(), v.clone());
    }
    Value::Object(out)
}

/// DELETE /Users/{id}, /Groups/{id}.
pub fn delete(app: &App, kind: Kind, id: &str, ctx: &Ctx) -> ScimResult<Reply> {
    let mut store = app.store();
    let Some(r) = store.get(kind, id).cloned() else {
        if app.fault("delete-not-found-204")
            || (app.fault("delete-twice-204") && store.deleted_ids.contains(id))
        {
            return Ok(Reply {
                status: StatusCode::NO_CONTENT,
                body: None,
                location: None,
                etag: None,
            });
        }
        return Err(not_found(kind, id));
    };
    check_if_match(app, ctx, &r)?;
    let body = app.fault("delete-returns-200-with-body").then(|| {
        Value::Object(render::project(
            app,
            kind,
            render::render(app, &store, &r, ctx),
            ctx,
        ))
    });
    if app.fault("get-deleted-returns-200") || app.fault("deleted-still-listed") {
        if let Some(x) = store.resources.get_mut(id) {
            x.deleted = true;
        }
    } else {
        store.resources.remove(id);
    }
    if app.fault("delete-twice-204") || app.fault("get-unknown-500") {
        store.deleted_ids.insert(id.to_string());
    }
    if app.fault("deleted-username-reserved")
        && let Some(name) = r.user_name()
    {
        store.reserved_user_names.push(name.to_string());
    }
    store.remove_member_everywhere(id);
    Ok(match body {
        Some(b) => Reply::json(StatusCode::OK, b),
        None => Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: Some(render::location(app, ctx, kind, id)),
            etag: None,
        },
    })
}

/// A test that is false only when a filter cannot match a stored resource: a comparison of text
/// (eq, sw, ew, co) that no stored string of the attribute it names satisfies; attributes the
/// server makes up when rendering (id, meta, groups, phone number displays, members, a
/// manager's displayName), paths it cannot place, and anything else may match. Both lowercase
/// and prepared (NFKC) forms are tried, so that it holds whichever comparison the filter uses.
/// Built once per query and resource type, so a scan prepares each wanted value once and
/// passes over a resource without the attribute at the cost of one look-up.
enum Prefilter {
    And(Box<Prefilter>, Box<Prefilter>),
    Or(Box<Prefilter>, Box<Prefilter>),
    Text {
        op: filter::Op,
        lower: String,
        key: String,
        scope: Scope,
    },
    Any,
}

/// Where a text term's strings are stored: an extension's URN (`None` for the core schema) and
/// the attribute's name; `None` for anywhere in the resource.
type Scope = Option<(Option<&'static str>, &'static str)>;

impl Prefilter {
    fn new(app: &App, kind: Kind, f: &filter::Filter) -> Prefilter {
        Prefilter::scoped(app, kind, f, None)
    }

    /// `outer`: the scope of the value path `f` is inside (its paths name sub-attributes).
    fn scoped(app: &App, kind: Kind, f: &filter::Filter, outer: Scope) -> Prefilter {
        use filter::{Filter, Op};
        let rendered_only = |path: &str| {
            let lower = path.to_ascii_lowercase();
            let bare = lower.rsplit(':').next().unwrap_or(&lower);
            let first = bare.split(['.', '[']).next().unwrap_or(bare);
            matches!(
                first,
                "id" | "meta"
                    | "groups"
                    | "schemas"
                    | "phonenumbers"
                    | "members"
                    | "password"
                    | "manager"
            )
        };
        let scope = |path: &str| -> Scope {
            match filter::resolve_path(&app.catalog, kind, path, Default::default()) {
                Some(filter::PathRef::Attr { home, attr, .. }) => Some((
                    match home {
                        super::schema::Home::Core => None,
                        super::schema::Home::Extension(urn) => Some(urn),
                    },
                    attr.name,
                )),
                _ => None,
            }
        };
        match f {
            Filter::And(a, b) => match (
                Prefilter::scoped(app, kind, a, outer),
                Prefilter::scoped(app, kind, b, outer),
            ) {
                (Prefilter::Any, x) | (x, Prefilter::Any) => x,
                (x, y) => Prefilter::And(Box::new(x), Box::new(y)),
            },
            Filter::Or(a, b) => match (
                Prefilter::scoped(app, kind, a, outer),
                Prefilter::scoped(app, kind, b, outer),
            ) {
                (Prefilter::Any, _) | (_, Prefilter::Any) => Prefilter::Any,
                (x, y) => Prefilter::Or(Box::new(x), Box::new(y)),
            },
            Filter::ValuePath(path, _) if outer.is_some() || rendered_only(path) => Prefilter::Any,
            Filter::ValuePath(path, inner) => Prefilter::scoped(app, kind, inner, scope(path)),
            Filter::Compare(
                path,
                op @ (Op::Eq | Op::Sw | Op::Ew | Op::Co),
                Value::String(want),
            ) if outer.is_some() || !rendered_only(path) => Prefilter::Text {
                op: *op,
                lower: want.to_lowercase(),
                key: super::store::username_key(want),
                scope: outer.or_else(|| scope(path)),
            },
            _ => Prefilter::Any,
        }
    }

    fn may_match(&self, r: &super::store::Resource) -> bool {
        fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
            match v {
                Value::String(s) => out.push(s),
                Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
                Value::Object(o) => o.values().for_each(|x| strings(x, out)),
                _ => {}
            }
        }
        match self {
            Prefilter::And(a, b) => a.may_match(r) && b.may_match(r),
            Prefilter::Or(a, b) => a.may_match(r) || b.may_match(r),
            Prefilter::Any => true,
            Prefilter::Text {
                op,
                lower,
                key,
                scope,
            } => {
                let test = |h: &str, w: &str| match op {
                    filter::Op::Eq => h == w,
                    filter::Op::Sw => h.starts_with(w),
                    filter::Op::Ew => h.ends_with(w),
                    _ => h.contains(w),
                };
                let mut have = Vec::new();
                match scope {
                    None => r.data.values().for_each(|v| strings(v, &mut have)),
                    Some((ext, name)) => {
                        let container = match ext {
                            None => Some(&r.data),
                            Some(urn) => r.data.get(*urn).and_then(Value::as_object),
                        };
                        if let Some(v) = container.and_then(|c| c.get(*name)) {
                            strings(v, &mut have);
                        }
                    }
                }
                have.iter().any(|h| {
                    if h.is_ascii() {
                        // The prepared form of ASCII text is its lowercase: no NFKC pass.
                        let h = h.to_ascii_lowercase();
                        test(&h, lower) || test(&h, key)
                    } else {
                        test(&h.to_lowercase(), lower) || test(&super::store::username_key(h), key)
                    }
                })
            }
        }
    }
}

/// A comparison the index answers with a superset of its matches.
enum Term {
    /// `attr eq value` on an indexed attribute.
    Eq(&'static str, String),
    /// `attr sw prefix` on an indexed attribute that compares case-insensitively (prepared
    /// values: a caseExact one compares NFC forms, whose prefixes the prepared keys may not
    /// keep).
    Sw(&'static str, String),
}

/// The indexed terms of a filter that is such a term, an `or` of such, or an `and` with one
/// on either side: any resource of `kinds` it matches is among the index's candidates for one
/// of them. `None`: the filter needs a scan.
fn indexed_terms(app: &App, kinds: &[Kind], f: &filter::Filter) -> Option<Vec<Term>> {
    match f {
        filter::Filter::Compare(path, op @ (filter::Op::Eq | filter::Op::Sw), Value::String(v)) => {
            let lower = path.to_ascii_lowercase();
            let name = [
                "urn:ietf:params:scim:schemas:core:2.0:user:",
                "urn:ietf:params:scim:schemas:core:2.0:group:",
            ]
            .iter()
            .find_map(|p| lower.strip_prefix(p))
            .unwrap_or(&lower);
            let attr = super::store::INDEXED
                .iter()
                .find(|a| a.eq_ignore_ascii_case(name))?;
            let case_exact = |k: &Kind| {
                matches!(
                    filter::resolve_path(&app.catalog, *k, path, Default::default()),
                    Some(filter::PathRef::Attr { attr, sub: None, .. }) if attr.case_exact
                )
            };
            match op {
                filter::Op::Eq => Some(vec![Term::Eq(attr, v.clone())]),
                _ if !kinds.iter().any(case_exact) => Some(vec![Term::Sw(attr, v.clone())]),
                _ => None,
            }
        }
        filter::Filter::Or(a, b) => {
            let mut terms = indexed_terms(app, kinds, a)?;
            terms.extend(indexed_terms(app, kinds, b)?);
            Some(terms)
        }
        // Whatever both sides match, one side's candidates hold.
        filter::Filter::And(a, b) => {
            indexed_terms(app, kinds, a).or_else(|| indexed_terms(app, kinds, b))
        }
        _ => None,
    }
}

/// The indexed attribute `path` names on `kind`, when it is a single string compared
/// case-insensitively (its sort key is the prepared value the index is ordered by).
fn indexed_sort_attr(app: &App, kind: Kind, path: &str) -> Option<&'static str> {
    match filter::resolve_path(&app.catalog, kind, path, Default::default()) {
        Some(filter::PathRef::Attr {
            home: super::schema::Home::Core,
            attr,
            sub: None,
        }) if !attr.case_exact && !attr.multi && attr.ty == super::schema::Ty::String => {
            super::store::INDEXED
                .iter()
                .find(|a| **a == attr.name)
                .copied()
        }
        _ => None,
    }
}

/// The parameters of a query (GET with query string, or POST .search).
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
}

/// Whether `path` names a dateTime attribute (meta.created) of the queried resource type.
fn is_datetime_path(app: &App, kind: Option<Kind>, path: &str) -> bool {
    let k = kind.unwrap_or(Kind::User);
    matches!(
        filter::resolve_path(&app.catalog, k, path, Default::default()),
        Some(filter::PathRef::Attr { attr, sub, .. })
            if sub.map_or(attr.ty, |s| s.ty) == super::attr::Ty::DateTime
    )
}

/// The first operator or logical keyword of a filter written with a capital letter (EQ, And),
/// outside string literals: what a parser that knows only the lower-case forms refuses.
fn uppercase_operator(f: &str) -> Option<String> {
    const WORDS: &[&str] = &[
        "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not",
    ];
    let outside: String = filter::in_literals(f)
        .map(|(_, c, inside)| {
            if inside || matches!(c, '(' | ')' | '[' | ']') {
                ' '
            } else {
                c
            }
        })
        .collect();
    outside
        .split_whitespace()
        .find(|w| WORDS.iter().any(|k| k.eq_ignore_ascii_case(w)) && !WORDS.contains(w))
        .map(str::to_string)
}

/// GET /Users, /Groups, / and the .search endpoints.
pub fn query(app: &App, kind: Option<Kind>, q: &Query, ctx: &Ctx) -> ScimResult<Reply> {
    let flat = app.fault("filter-and-or-precedence-wrong");
    let parsed = match &q.filter {
        Some(f) if !f.trim().is_empty() => {
            if app.fault("filter-operators-case-sensitive")
                && let Some(op) = uppercase_operator(f)
            {
                return Err(ScimError::invalid_filter(format!(
                    "unknown operator \"{op}\" in filter"
                )));
            }
            let parsed = filter::parse(f, flat).map_err(|mut e| {
                if app.fault("malformed-filter-500") {
                    ScimError::internal("java.lang.IllegalStateException: filter parse failure")
                } else {
                    if app.fault("invalid-filter-empty-detail") {
                        e.detail = String::new();
                    }
                    e
                }
            })?;
            if app.fault("entra-value-path-sub-attribute-refused") && f.contains("].") {
                return Err(ScimError::invalid_filter(
                    "unexpected text after the end of the filter expression",
                ));
            }
            if app.fault("filter-ne-unsupported") && filter::uses_ne(&parsed) {
                return Err(ScimError::invalid_filter(
                    "the ne operator is not supported",
                ));
            }
            if app.fault("filter-or-unsupported") && filter::uses_or(&parsed) {
                return Err(ScimError::invalid_filter(
                    "the or operator is not supported",
                ));
            }
            if app.fault("filter-value-path-500") && filter::uses_value_path(&parsed) {
                return Err(ScimError::internal(
                    "ClassCastException: value path in FilterTranslator",
                ));
            }
            let ignored = (kind == Some(Kind::Group) && app.fault("filter-groups-ignored"))
                || super::defects_7643::filter_injected(app, f);
            Some(parsed).filter(|_| !ignored)
        }
        _ => None,
    };
    let store = app.store();
    let kinds: Vec<Kind> = match kind {
        Some(k) => vec![k],
        None if app.fault("root-query-users-only") => vec![Kind::User],
        None => vec![Kind::User, Kind::Group],
    };
    let eval_for = |k: Kind| {
        let mut ev = Eval::new(&app.catalog, k);
        ev.paths.case_sensitive = app.fault("filter-attrname-case-sensitive");
        ev.paths.no_urns = app.fault("urn-paths-unsupported");
        ev.username_case_sensitive = app.fault("filter-username-case-sensitive");
        ev.externalid_case_insensitive = app.fault("externalid-filter-case-insensitive");
        ev.co_as_sw = app.fault("filter-co-as-sw");
        ev.username_co_as_eq = app.fault("filter-username-co-as-eq");
        ev.pr_multivalued_never = app.fault("filter-pr-multivalued-never-matches");
        ev.datetime_as_text = app.fault("filter-datetime-as-text");
        ev.value_path_cross_element = app.fault("filter-value-path-cross-element");
        ev.and_first_only = app.fault("filter-and-first-term-only");
        ev.pr_complex_never = app.fault("filter-pr-complex-never-matches");
        ev.gt_as_ge = app.fault("filter-gt-as-ge");
        ev.undefined_matches = (kind.is_none()
            && app.fault("root-filter-undefined-attribute-matches"))
            || app.fault("filter-unknown-attribute-ignored");
        ev.sw_ew_as_co = app.fault("filter-sw-ew-as-co");
        ev.datetime_gt_as_ge = app.fault("filter-datetime-gt-as-ge");
        ev.sort_first_value = app.fault("sort-multivalued-first-value");
        ev.sort_case_folded = app.fault("sort-caseexact-ignored");
        ev.resource_type_ignored = kind.is_none() && app.fault("root-filter-resourcetype-ignored");
        ev
    };
    if let Some(f) = &parsed {
        for k in &kinds {
            filter::check(f, &eval_for(*k), app.fault("filter-gt-boolean-accepted"))?;
        }
    }
    // A filter with indexed terms (see `indexed_terms`) reads only their candidates; the
    // filter is still evaluated on each. Faults may change what matches: they scan.
    let planned = parsed
        .as_ref()
        .filter(|_| !app.any_fault())
        .and_then(|f| indexed_terms(app, &kinds, f));
    let listed: Vec<&super::store::Resource> = match planned {
        Some(terms) => {
            let mut v: Vec<&super::store::Resource> = Vec::new();
            for term in terms {
                for k in &kinds {
                    v.extend(match &term {
                        Term::Eq(attr, value) => store.candidates(*k, attr, value),
                        Term::Sw(attr, prefix) => store.candidates_prefix(*k, attr, prefix),
                    });
                }
            }
            v.sort_by_key(|r| r.seq);
            v.dedup_by(|a, b| a.id == b.id);
            v
        }
        _ if app.fault("deleted-still-listed") => {
            // A soft delete that the search query does not exclude.
            let mut v: Vec<&super::store::Resource> = store.resources.values().collect();
            v.sort_by_key(|r| r.seq);
            v
        }
        _ => store.list(kind),
    };
    let listed: Vec<&super::store::Resource> = listed
        .into_iter()
        .filter(|r| kinds.contains(&r.kind))
        .filter(|r| {
            !(app.fault("deactivated-hidden-from-list")
                && r.kind == Kind::User
                && r.data.get("active") == Some(&Value::Bool(false)))
        })
        .collect();
    // A scan renders only the resources whose stored names may match (a large tenant's other
    // users are passed over without rendering); the filter still decides on each one rendered.
    let listed: Vec<&super::store::Resource> = match &parsed {
        Some(f) if !app.any_fault() => {
            let pre: Vec<(Kind, Prefilter)> = kinds
                .iter()
                .map(|k| (*k, Prefilter::new(app, *k, f)))
                .collect();
            listed
                .into_iter()
                .filter(|r| {
                    pre.iter()
                        .find(|(k, _)| *k == r.kind)
                        .is_none_or(|(_, p)| p.may_match(r))
                })
                .collect()
        }
        _ => listed,
    };
    let sort_path = q
        .sort_by
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    // Unfiltered and sorted by an indexed attribute that compares prepared values: the index
    // gives the order, so only the page is rendered.
    let presorted = match (kind, sort_path) {
        (Some(k), Some(path)) if parsed.is_none() && !app.any_fault() => {
            let descending = q
                .sort_order
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case("descending"));
            indexed_sort_attr(app, k, path).and_then(|attr| store.sorted_by(k, attr, descending))
        }
        _ => None,
    };
    let sorting = sort_path.is_some() && presorted.is_none();
    let listed = presorted.unwrap_or(listed);
    // Without filter or sort only the page is rendered: a large tenant's list costs its page.
    let unrendered_total = (parsed.is_none() && !sorting).then_some(listed.len());
    let mut matches: Vec<(Kind, Map<String, Value>)> = Vec::new();
    let first_term = parsed.as_ref().and_then(filter::first_or_term);
    let mut first_count = 0;
    let username_fast = app.fault("filter-username-eq-returns-all")
        && kind == Some(Kind::User)
        && parsed.as_ref().is_some_and(filter::is_username_eq);
    let mut unmatched = Vec::new();
    for r in listed.iter().copied() {
        if unrendered_total.is_some() {
            break;
        }
        let full = render::render(app, &store, r, ctx);
        // The defaulted active is added when rendering; the faulty filter sees the stored data.
        let mut seen = full.clone();
        if app.fault("filter-defaulted-attribute-unseen") && !r.data.contains_key("active") {
            seen.remove("active");
        }
        if let Some(t) = first_term
            && filter::matches(t, &seen, &eval_for(r.kind))
        {
            first_count += 1;
        }
        if let Some(f) = &parsed
            && !filter::matches(f, &seen, &eval_for(r.kind))
        {
            if username_fast {
                unmatched.push((r.kind, full));
            }
            continue;
        }
        matches.push((r.kind, full));
    }
    matches.extend(unmatched);
    let first_or_term = first_term.map(|_| first_count);
    if let Some(sort_by) = q.sort_by.as_deref().filter(|s| !s.trim().is_empty())
        && !app.fault("sort-ignored")
        && !(app.fault("sort-sub-attribute-ignored")
            && sort_by.contains('.')
            && !sort_by.contains(':'))
        && !(app.fault("sort-datetime-ignored") && is_datetime_path(app, kind, sort_by.trim()))
    {
        let descending = q
            .sort_order
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("descending"))
            && !app.fault("sort-descending-ignored");
        let cs = app.fault("sort-case-sensitive");
        // NULLs first in an ascending sort (and so last in a descending one), as in MySQL.
        let nulls_first = app.fault("sort-missing-values-first");
        type Keyed = (Option<filter::SortKey>, (Kind, Map<String, Value>));
        let mut keyed: Vec<Keyed> = matches
            .into_iter()
            .map(|(k, m)| {
                (
                    filter::sort_key(&m, sort_by.trim(), &eval_for(k), cs),
                    (k, m),
                )
            })
            .collect();
        keyed.sort_by(|a, b| {
            use std::cmp::Ordering::*;
            let ord = match (&a.0, &b.0) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) if nulls_first => Greater,
                (None, Some(_)) if nulls_first => Less,
                (Some(_), None) => Less,
                (None, Some(_)) => Greater,
                (None, None) => Equal,
            };
            if descending { ord.reverse() } else { ord }
        });
        matches = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let total = unrendered_total.unwrap_or(matches.len());
    if app.fault("unknown-filter-404") && parsed.is_some() && total == 0 {
        return Err(ScimError::not_found("no resource matches the filter"));
    }
    if super::defects::empty_filter_no_content(app) && parsed.is_some() && total == 0 {
        return Ok(Reply {
            status: StatusCode::NO_CONTENT,
            body: None,
            location: None,
            etag: None,
        });
    }
    let start = match q.start_index {
        Some(s) if s < 1 && app.fault("start-index-below-one-rejected") => {
            return Err(ScimError::invalid_value("startIndex must be 1 or more"));
        }
        Some(s) => s.max(1),
        None => 1,
    };
    let mut offset = if app.fault("start-index-zero-based") && q.start_index.is_some() {
        start as usize
    } else {
        (start - 1) as usize
    };
    if offset >= total && app.fault("start-index-beyond-total-returns-all") {
        offset = 0;
    }
    let count = match q.count {
        _ if app.fault("count-ignored") => total,
        Some(c) if c <= 0 && app.fault("count-zero-means-all") => total,
        Some(c) => (c.max(0) as usize).min(MAX_RESULTS),
        None => MAX_RESULTS,
    };
    let paged = q.count.is_some() || q.start_index.is_some();
    let count = super::defects::unpaged_list_cut(app, kind, parsed.is_some(), paged)
        .map_or(count, |cut| cut.min(count));
    // A server whose order depends on the page size (another index per count): Okta's import
    // then skips and repeats users.
    let reversed = app.fault("page-order-depends-on-count") && q.count.is_some_and(|c| c % 2 == 0);
    if reversed {
        matches.reverse();
    }
    let page: Vec<Value> = if unrendered_total.is_some() {
        let in_order: Box<dyn Iterator<Item = &&super::store::Resource>> = if reversed {
            Box::new(listed.iter().rev())
        } else {
            Box::new(listed.iter())
        };
        in_order
            .skip(offset)
            .take(count)
            .map(|r| {
                let full = render::render(app, &store, r, ctx);
                Value::Object(render::project(app, r.kind, full, ctx))
            })
            .collect()
    } else {
        matches
            .into_iter()
            .skip(offset)
            .take(count)
            .map(|(k, m)| Value::Object(render::project(app, k, m, ctx)))
            .collect()
    };
    let mut body = Map::new();
    if !app.fault("list-schemas-missing") {
        let urn = if app.fault("messages-core-schema-urn") {
            "urn:ietf:params:scim:schemas:core:2.0:ListResponse"
        } else if app.fault("default-version-scim-1-1") {
            "urn:scim:schemas:core:1.0"
        } else {
            scim::LIST_RESPONSE
        };
        body.insert("schemas".into(), json!([urn]));
    }
    let total_shown = if app.fault("total-results-wrong") {
        page.len()
    } else if app.fault("total-results-zero-unfiltered") && parsed.is_none() {
        0
    } else if let Some(first) = first_or_term.filter(|_| app.fault("total-results-first-or-term")) {
        first
    } else {
        total
    };
    let total_shown = if app.fault("totalresults-string") {
        json!(total_shown.to_string())
    } else {
        json!(total_shown)
    };
    body.insert("totalResults".into(), total_shown);
    if !app.fault("list-paging-fields-missing") {
        let shown =
            if super::defects::unpaged_list_cut(app, kind, parsed.is_some(), paged).is_some() {
                total
            } else {
                page.len()
            };
        body.insert("itemsPerPage".into(), json!(shown));
        let shown_start = if q.start_index.is_none() && app.fault("start-index-omitted-zero") {
            0
        } else {
            start
        };
        body.insert("startIndex".into(), json!(shown_start));
    }
    let key = if app.fault("list-resources-lowercase") {
        "resources"
    } else {
        "Resources"
    };
    body.insert(key.into(), Value::Array(page));
    Ok(Reply::json(StatusCode::OK, Value::Object(body)))
}

//! PATCH (RFC 7644 §3.5.2): parsing PatchOp requests and applying add/replace/remove to a
//! resource's stored attributes, atomically.

use serde_json::{Map, Value, json};

use super::app::App;
use super::error::{ScimError, ScimResult};
use super::filter::{self, Eval, Filter, Op as FilterOp, PathRef, resolve_path, valid_attr_path};
use super::resource::{
    KeyTarget, get_attr, normalize_simple_pub, normalize_value, path_opts, prune, route_key,
    same_element, set_attr,
};
use super::schema::{Attr, Home, Kind, Mutability, Ty, starts_with_ci};
use crate::scim;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Replace,
    Remove,
}

#[derive(Clone, Debug)]
pub struct PatchOp {
    pub op: OpKind,
    pub path: Option<String>,
    pub value: Option<Value>,
}

/// The parts of a resource a PATCH can change.
#[derive(Clone, Debug, Default)]
pub struct Work {
    pub data: Map<String, Value>,
    /// `Some(new)` when the password was set (or removed with `Some(None)`).
    pub password: Option<Option<String>>,
    /// Group ids the user was added to through `groups` (readonly-groups-writable fault).
    pub join_groups: Vec<String>,
}

fn get_ci<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Parses a PatchOp request body.
pub fn parse_ops(app: &App, body: &Value) -> ScimResult<Vec<PatchOp>> {
    let Some(obj) = body.as_object() else {
        return Err(ScimError::invalid_syntax(
            "the PATCH body must be a JSON object",
        ));
    };
    let schemas_ok = get_ci(obj, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(scim::PATCH_OP))
            })
        });
    if !schemas_ok {
        return Err(ScimError::invalid_syntax(format!(
            "the PATCH body must have schemas [\"{}\"]",
            scim::PATCH_OP
        )));
    }
    let Some(ops) = get_ci(obj, "Operations").and_then(Value::as_array) else {
        return Err(ScimError::invalid_syntax(
            "the PATCH body needs an 'Operations' array",
        ));
    };
    if ops.is_empty() {
        return Err(ScimError::invalid_syntax("'Operations' must not be empty"));
    }
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let Some(o) = op.as_object() else {
            return Err(ScimError::invalid_syntax(format!(
                "operation {i} is not a JSON object"
            )));
        };
        let name = get_ci(o, "op").and_then(Value::as_str).unwrap_or("");
        let case_ok = |lower: &str| {
            if app.fault("patch-op-case-sensitive") {
                name == lower
            } else {
                name.eq_ignore_ascii_case(lower)
            }
        };
        let kind = if case_ok("add") {
            OpKind::Add
        } else if case_ok("replace") {
            OpKind::Replace
        } else if case_ok("remove") {
            OpKind::Remove
        } else if app.fault("patch-unknown-op-ignored") {
            continue;
        } else {
            return Err(ScimError::invalid_syntax(format!(
                "operation {i}: op \"{name}\" is not one of add, replace, remove"
            )));
        };
        let path = match get_ci(o, "path") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(other) => {
                return Err(ScimError::invalid_path(format!(
                    "operation {i}: path must be a string, got {other}"
                )));
            }
        };
        let value = get_ci(o, "value").cloned();
        out.push(PatchOp {
            op: kind,
            path,
            value,
        });
    }
    Ok(out)
}

/// Applies the operations one after the other. On failure, returns the error together with the
/// state reached before the failing operation (used only by the patch-not-atomic fault).
pub fn apply(
    app: &App,
    kind: Kind,
    work: Work,
    ops: &[PatchOp],
) -> Result<Work, (Work, ScimError)> {
    let mut work = work;
    let ordered: Vec<&PatchOp> = if app.fault("patch-ops-reversed") {
        ops.iter().rev().collect()
    } else {
        ops.iter().collect()
    };
    for op in ordered {
        let mut next = work.clone();
        match apply_op(app, kind, &mut next, op) {
            Ok(()) => {
                prune(&mut next.data);
                work = next;
            }
            Err(e) => return Err((work, e)),
        }
    }
    Ok(work)
}

/// A parsed PATCH path: `attrPath`, or `attrPath[filter]` optionally followed by `.subAttr`.
struct ParsedPath {
    attr: String,
    filter: Option<String>,
    sub_after: Option<String>,
}

fn split_path(path: &str) -> ScimResult<ParsedPath> {
    let bad = |why: &str| ScimError::invalid_path(format!("invalid path \"{path}\": {why}"));
    let Some(open) = path.find('[') else {
        if !(valid_attr_path(path) || path.len() > 4 && starts_with_ci(path, "urn:")) {
            return Err(bad("not an attribute path"));
        }
        return Ok(ParsedPath {
            attr: path.to_string(),
            filter: None,
            sub_after: None,
        });
    };
    let attr = &path[..open];
    // Find the matching ']' outside string literals.
    let mut close = None;
    for (i, c, inside) in filter::in_literals(&path[open + 1..]) {
        match c {
            _ if inside => {}
            ']' => {
                close = Some(open + 1 + i);
                break;
            }
            '[' => return Err(bad("nested '['")),
            _ => {}
        }
    }
    let Some(close) = close else {
        return Err(bad("missing ']'"));
    };
    let filter = &path[open + 1..close];
    let rest = &path[close + 1..];
    let sub_after = if rest.is_empty() {
        None
    } else if let Some(s) = rest.strip_prefix('.') {
        if !valid_attr_path(s) || s.contains('.') {
            return Err(bad("invalid sub-attribute after ']'"));
        }
        Some(s.to_string())
    } else {
        return Err(bad("unexpected text after ']'"));
    };
    if !valid_attr_path(attr) {
        return Err(bad("not an attribute path before '['"));
    }
    Ok(ParsedPath {
        attr: attr.to_string(),
        filter: Some(filter.to_string()),
        sub_after,
    })
}

fn apply_op(app: &App, kind: Kind, work: &mut Work, op: &PatchOp) -> ScimResult<()> {
    let Some(path) = &op.path else {
        return match op.op {
            OpKind::Remove => {
                if app.fault("patch-remove-no-path-accepted") {
                    Ok(())
                } else {
                    Err(ScimError::no_target(
                        "remove needs a path naming what to remove",
                    ))
                }
            }
            OpKind::Add | OpKind::Replace => {
                if app.fault("patch-path-required") {
                    return Err(ScimError::invalid_path(
                        "a path is required for every operation",
                    ));
                }
                match &op.value {
                    Some(Value::Object(o)) => apply_value_object(app, kind, work, op.op, o),
                    _ => Err(ScimError::invalid_value(
                        "add and replace without a path need a JSON object value",
                    )),
                }
            }
        };
    };
    match apply_path(app, kind, work, op, path) {
        Err(e) if e.scim_type == Some("invalidPath") && app.fault("patch-invalid-path-ignored") => {
            Ok(())
        }
        other => other,
    }
}

fn apply_value_object(
    app: &App,
    kind: Kind,
    work: &mut Work,
    op: OpKind,
    obj: &Map<String, Value>,
) -> ScimResult<()> {
    for (k, v) in obj {
        match route_key(app, kind, k) {
            KeyTarget::Schemas | KeyTarget::Unknown => {}
            KeyTarget::CoreSchema => {
                if let Some(o) = v.as_object() {
                    apply_value_object(app, kind, work, op, o)?;
                }
            }
            KeyTarget::Extension(urn) => {
                if app.fault("enterprise-dropped") && urn == scim::ENTERPRISE_USER_SCHEMA {
                    continue;
                }
                match v {
                    Value::Object(o) => {
                        let Some(ext) = app.catalog.extension(kind, urn) else {
                            continue;
                        };
                        for (ik, iv) in o {
                            let Some(attr) = ext.attr(ik) else { continue };
                            if attr.is_read_only()
                                || (app.fault("attr-names-case-sensitive") && attr.name != ik)
                            {
                                continue;
                            }
                            set_value(app, kind, work, op, Home::Extension(urn), attr, None, iv)?;
                        }
                    }
                    Value::Null => {
                        work.data.remove(urn);
                    }
                    _ => {
                        return Err(ScimError::invalid_value(format!(
                            "'{urn}' must be a JSON object"
                        )));
                    }
                }
            }
            KeyTarget::Attr { home, attr, sub } => {
                if app.fault("enterprise-dropped")
                    && home == Home::Extension(scim::ENTERPRISE_USER_SCHEMA)
                {
                    continue;
                }
                if attr.name == "groups"
                    && home == Home::Core
                    && app.fault("readonly-groups-writable")
                {
                    join_groups(work, v);
                    continue;
                }
                if attr.is_read_only() || sub.is_some_and(Attr::is_read_only) {
                    // Read-only values in a path-less value object (Okta sends "id") are ignored.
                    continue;
                }
                if attr.ty == Ty::Boolean
                    && sub.is_none()
                    && v.is_string()
                    && app.fault("patch-no-path-string-boolean-500")
                {
                    return Err(ScimError::internal(format!(
                        "cannot apply '{}': expected a boolean",
                        attr.name
                    )));
                }
                set_value(app, kind, work, op, home, attr, sub, v)?;
            }
        }
    }
    Ok(())
}

fn join_groups(work: &mut Work, v: &Value) {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for i in items {
        if let Some(id) = i.get("value").and_then(Value::as_str) {
            work.join_groups.push(id.to_string());
        }
    }
}

/// add or replace of a value at an attribute (no value filter).
#[allow(clippy::too_many_arguments)]
fn set_value(
    app: &App,
    kind: Kind,
    work: &mut Work,
    op: OpKind,
    home: Home,
    attr: &Attr,
    sub: Option<&Attr>,
    v: &Value,
) -> ScimResult<()> {
    let _ = kind;
    if attr.name == "active" && app.fault("patch-active-ignored") {
        return Ok(());
    }
    if home == Home::Core && attr.name == "password" {
        return match v {
            Value::String(s) => {
                work.password = Some(Some(s.clone()));
                Ok(())
            }
            Value::Null => {
                work.password = Some(None);
                Ok(())
            }
            _ => Err(ScimError::invalid_value("'password' must be a string")),
        };
    }
    if let Some(s) = sub {
        let n = normalize_simple_pub(app, s, v)?;
        if attr.multi {
            let Some(Value::Array(items)) = get_attr_mut(&mut work.data, home, attr) else {
                return Err(ScimError::no_target(format!(
                    "'{}' has no values to set '{}' on",
                    attr.name, s.name
                )));
            };
            for i in items.iter_mut() {
                if let Some(o) = i.as_object_mut() {
                    check_immutable(s, o.get(s.name), n.as_ref())?;
                    match &n {
                        Some(x) => {
                            o.insert(s.name.to_string(), x.clone());
                        }
                        None => {
                            o.remove(s.name);
                        }
                    }
                }
            }
            return Ok(());
        }
        let existing = get_attr(&work.data, home, attr).and_then(|o| o.get(s.name));
        check_immutable(s, existing, n.as_ref())?;
        set_attr(&mut work.data, home, attr, Some(s), n);
        return Ok(());
    }
    if attr.multi {
        let as_array = match v {
            Value::Array(_) | Value::Null => v.clone(),
            other => Value::Array(vec![other.clone()]),
        };
        let n = normalize_value(app, attr, &as_array)?;
        let op = match op {
            OpKind::Add if app.fault("patch-add-multivalued-replaces") => OpKind::Replace,
            OpKind::Replace if app.fault("patch-replace-multivalued-appends") => OpKind::Add,
            other => other,
        };
        match op {
            OpKind::Replace | OpKind::Remove => {
                set_attr(&mut work.data, home, attr, None, n);
            }
            OpKind::Add => {
                let Some(Value::Array(new_items)) = n else {
                    return Ok(());
                };
                let mut items = match get_attr(&work.data, home, attr) {
                    Some(Value::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                let mut touched = Vec::new();
                for ni in new_items {
                    let pos = if app.fault("patch-add-duplicates-members") {
                        None
                    } else if attr.name == "members"
                        && app.fault("member-readd-with-ref-duplicates")
                    {
                        items.iter().position(|e| *e == ni)
                    } else {
                        items.iter().position(|e| same_element(attr, e, &ni))
                    };
                    match pos {
                        Some(p) => {
                            if let (Some(old), Some(new)) =
                                (items[p].as_object_mut(), ni.as_object())
                            {
                                for (k, x) in new {
                                    old.insert(k.clone(), x.clone());
                                }
                            }
                            touched.push(p);
                        }
                        None => {
                            items.push(ni);
                            touched.push(items.len() - 1);
                        }
                    }
                }
                exclusive_primary(app, &mut items, &touched);
                set_attr(&mut work.data, home, attr, None, Some(Value::Array(items)));
            }
        }
        return Ok(());
    }
    if attr.ty == Ty::Complex {
        let n = normalize_value(app, attr, v)?;
        match n {
            None => {
                if op == OpKind::Replace {
                    set_attr(&mut work.data, home, attr, None, None);
                }
            }
            Some(Value::Object(new)) => {
                let mut merged = get_attr(&work.data, home, attr)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                for (k, x) in new {
                    merged.insert(k, x);
                }
                set_attr(
                    &mut work.data,
                    home,
                    attr,
                    None,
                    Some(Value::Object(merged)),
                );
            }
            Some(other) => set_attr(&mut work.data, home, attr, None, Some(other)),
        }
        return Ok(());
    }
    if op == OpKind::Add
        && app.fault("patch-add-keeps-existing-value")
        && get_attr(&work.data, home, attr).is_some()
    {
        return Ok(());
    }
    let n = normalize_value(app, attr, v)?;
    check_immutable(attr, get_attr(&work.data, home, attr), n.as_ref())?;
    set_attr(&mut work.data, home, attr, None, n);
    Ok(())
}

fn get_attr_mut<'d>(
    data: &'d mut Map<String, Value>,
    home: Home,
    attr: &Attr,
) -> Option<&'d mut Value> {
    match home {
        Home::Core => data.get_mut(attr.name),
        Home::Extension(urn) => data.get_mut(urn).and_then(|e| e.get_mut(attr.name)),
    }
}

fn check_immutable(attr: &Attr, existing: Option<&Value>, new: Option<&Value>) -> ScimResult<()> {
    if attr.mutability == Mutability::Immutable
        && let Some(old) = existing
        && Some(old) != new
    {
        return Err(ScimError::mutability(format!(
            "'{}' is immutable: it cannot be changed once set",
            attr.name
        )));
    }
    Ok(())
}

/// When one of `touched` became primary, no other element stays primary (RFC 7643 §2.4).
fn exclusive_primary(app: &App, items: &mut [Value], touched: &[usize]) {
    if app.fault("patch-primary-not-exclusive") {
        return;
    }
    let keep = touched
        .iter()
        .rev()
        .copied()
        .find(|&i| items.get(i).and_then(|e| e.get("primary")) == Some(&Value::Bool(true)));
    let Some(keep) = keep else { return };
    for (i, e) in items.iter_mut().enumerate() {
        if i != keep
            && let Some(o) = e.as_object_mut()
            && o.get("primary") == Some(&Value::Bool(true))
        {
            o.insert("primary".into(), Value::Bool(false));
        }
    }
}

fn apply_path(app: &App, kind: Kind, work: &mut Work, op: &PatchOp, path: &str) -> ScimResult<()> {
    let mut parsed = split_path(path)?;
    if app.fault("patch-value-path-sub-attribute-dropped") {
        // A path parser that stops at ']': the operation lands on the whole matched record.
        parsed.sub_after = None;
    }
    if app.fault("patch-core-urn-value-path-unsupported")
        && parsed.filter.is_some()
        && starts_with_ci(&parsed.attr, "urn:ietf:params:scim:schemas:core:")
    {
        return Err(ScimError::no_target(format!("no value matches \"{path}\"")));
    }
    if app.fault("looop-extension-urn-patch-rejected")
        && starts_with_ci(&parsed.attr, scim::LOOOP_USER_SCHEMA)
    {
        return Err(ScimError::invalid_path(format!(
            "unsupported path \"{path}\""
        )));
    }
    let target =
        resolve_path(&app.catalog, kind, &parsed.attr, path_opts(app)).ok_or_else(|| {
            ScimError::invalid_path(format!(
                "path \"{path}\" names no attribute of a {}",
                kind.name()
            ))
        })?;
    let needs_value = op.op != OpKind::Remove;
    if needs_value && op.value.is_none() {
        return Err(ScimError::invalid_value(
            format!("{:?} on \"{path}\" needs a value", op.op).to_lowercase(),
        ));
    }
    let value = op.value.clone().unwrap_or(Value::Null);
    let (home, attr, sub) = match target {
        PathRef::CoreSchema => {
            return Err(ScimError::invalid_path(format!(
                "path \"{path}\" names a whole schema"
            )));
        }
        PathRef::Extension(urn) => {
            if parsed.filter.is_some() {
                return Err(ScimError::invalid_path(format!("invalid path \"{path}\"")));
            }
            if app.fault("enterprise-dropped") && urn == scim::ENTERPRISE_USER_SCHEMA {
                return Ok(());
            }
            return match op.op {
                OpKind::Remove => {
                    work.data.remove(urn);
                    Ok(())
                }
                _ => {
                    let mut obj = Map::new();
                    obj.insert(urn.to_string(), value);
                    apply_value_object(app, kind, work, op.op, &obj)
                }
            };
        }
        PathRef::Attr { home, attr, sub } => (home, attr, sub),
    };
    if app.fault("patch-unqualified-extension-path-ignored")
        && matches!(home, Home::Extension(_))
        && !parsed.attr.contains(':')
    {
        return Ok(());
    }
    if app.fault("enterprise-dropped") && home == Home::Extension(scim::ENTERPRISE_USER_SCHEMA) {
        return Ok(());
    }
    if attr.name == "active" && app.fault("patch-active-ignored") {
        return Ok(());
    }
    // Read-only targets.
    if attr.is_read_only() || sub.is_some_and(Attr::is_read_only) {
        if attr.name == "groups" && home == Home::Core && app.fault("readonly-groups-writable") {
            if op.op == OpKind::Add {
                join_groups(work, &value);
            }
            return Ok(());
        }
        if app.fault("mutability-readonly-accepted-on-patch") {
            return Ok(());
        }
        return Err(ScimError::mutability(format!("\"{path}\" is read-only")));
    }
    if let Some(ftext) = &parsed.filter {
        if sub.is_some() || !attr.multi || attr.ty != Ty::Complex {
            return Err(ScimError::invalid_path(format!(
                "\"{path}\": a value filter needs a multi-valued complex attribute"
            )));
        }
        if app.fault("patch-returns-500-on-filter-path") {
            return Err(ScimError::internal(
                "NullPointerException in PatchHandler.applyFilter",
            ));
        }
        let f = filter::parse_value_filter(ftext).map_err(|e| {
            ScimError::invalid_path(format!("invalid filter in path \"{path}\": {}", e.detail))
        })?;
        let sub_after = match &parsed.sub_after {
            Some(s) => Some(attr.sub_attr(s).ok_or_else(|| {
                ScimError::invalid_path(format!("\"{s}\" is not a sub-attribute of {}", attr.name))
            })?),
            None => None,
        };
        if sub_after.is_some_and(Attr::is_read_only) {
            return Err(ScimError::mutability(format!("\"{path}\" is read-only")));
        }
        if app.fault("patch-replace-value-path-filter-ignored")
            && op.op == OpKind::Replace
            && sub_after.is_none()
        {
            set_attr(&mut work.data, home, attr, None, Some(json!([value])));
            return Ok(());
        }
        return apply_filtered(app, kind, work, op.op, home, attr, &f, sub_after, &value);
    }
    if app.fault("patch-string-boolean-500")
        && attr.ty == Ty::Boolean
        && sub.is_none()
        && value.is_string()
    {
        return Err(ScimError::internal(format!(
            "ClassCastException: cannot apply '{}': String cannot be cast to Boolean",
            attr.name
        )));
    }
    match op.op {
        OpKind::Replace
            if kind == Kind::User
                && home == Home::Core
                && attr.name == "displayName"
                && app.fault("patch-displayname-ignored") =>
        {
            Ok(())
        }
        OpKind::Add | OpKind::Replace => set_value(app, kind, work, op.op, home, attr, sub, &value),
        OpKind::Remove => {
            if attr.required && sub.is_none() {
                return Err(ScimError::mutability(format!(
                    "\"{path}\" is required and cannot be removed"
                )));
            }
            if home == Home::Core && attr.name == "password" {
                work.password = Some(None);
                return Ok(());
            }
            if let Some(s) = sub {
                if attr.multi {
                    if let Some(Value::Array(items)) = get_attr_mut(&mut work.data, home, attr) {
                        for i in items.iter_mut() {
                            if let Some(o) = i.as_object_mut() {
                                o.remove(s.name);
                            }
                        }
                    }
                } else {
                    set_attr(&mut work.data, home, attr, Some(s), None);
                }
                return Ok(());
            }
            // Entra: remove "members" with a value list removes only the listed members.
            if attr.multi
                && let Some(list) = op.value.as_ref().filter(|v| !v.is_null())
                && !app.fault("members-remove-value-list-removes-all")
            {
                if app.fault("patch-remove-value-list-ignored") {
                    return Ok(());
                }
                let listed: Vec<&Value> = match list {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                let values: Vec<&Value> = listed.iter().filter_map(|l| l.get("value")).collect();
                if let Some(Value::Array(items)) = get_attr_mut(&mut work.data, home, attr) {
                    items.retain(|e| !e.get("value").is_some_and(|v| values.contains(&v)));
                    if items.is_empty() {
                        set_attr(&mut work.data, home, attr, None, None);
                    }
                }
                return Ok(());
            }
            if attr.multi && app.fault("patch-remove-all-ignored") {
                return Ok(());
            }
            if !attr.multi && attr.ty == Ty::String && app.fault("patch-remove-sets-empty-string") {
                set_attr(&mut work.data, home, attr, None, Some(json!("")));
                return Ok(());
            }
            set_attr(&mut work.data, home, attr, None, None);
            Ok(())
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_filtered(
    app: &App,
    kind: Kind,
    work: &mut Work,
    op: OpKind,
    home: Home,
    attr: &Attr,
    f: &Filter,
    sub_after: Option<&Attr>,
    value: &Value,
) -> ScimResult<()> {
    let ev = Eval::new(&app.catalog, kind);
    let f = match f {
        Filter::And(first, _) if app.fault("patch-value-path-and-first-term") => first,
        _ => f,
    };
    let mut items = match get_attr(&work.data, home, attr) {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let matched: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.as_object()
                .is_some_and(|o| filter::matches_elements(f, &[o], attr, &ev))
        })
        .map(|(i, _)| i)
        .collect();
    if op == OpKind::Remove && matched.is_empty() && app.fault("patch-remove-no-match-400") {
        return Err(ScimError::no_target(format!(
            "no value of '{}' matches the filter of the path",
            attr.name
        )));
    }
    match op {
        OpKind::Remove => match sub_after {
            Some(s) => {
                for &i in &matched {
                    if let Some(o) = items[i].as_object_mut() {
                        o.remove(s.name);
                    }
                }
            }
            None => {
                let mut i = 0;
                items.retain(|_| {
                    let keep = !matched.contains(&i);
                    i += 1;
                    keep
                });
            }
        },
        OpKind::Add | OpKind::Replace => {
            if matched.is_empty() {
                // Entra adds emails[type eq "work"].value to a user without a work email.
                if op == OpKind::Add
                    && let (Some(s), Filter::Compare(fpath, FilterOp::Eq, lit @ Value::String(_))) =
                        (sub_after, f)
                    && let Some(fattr) = attr.sub_attr(fpath)
                {
                    let mut el = Map::new();
                    el.insert(fattr.name.to_string(), lit.clone());
                    if let Some(n) = normalize_simple_pub(app, s, value)? {
                        el.insert(s.name.to_string(), n);
                    }
                    items.push(Value::Object(el));
                    let last = items.len() - 1;
                    exclusive_primary(app, &mut items, &[last]);
                    set_attr(&mut work.data, home, attr, None, Some(Value::Array(items)));
                    return Ok(());
                }
                if app.fault("patch-replace-no-match-ignored") {
                    return Ok(());
                }
                return Err(ScimError::no_target(format!(
                    "no value of '{}' matches the filter of the path",
                    attr.name
                )));
            }
            match sub_after {
                Some(s) => {
                    let n = normalize_simple_pub(app, s, value)?;
                    for &i in &matched {
                        if let Some(o) = items[i].as_object_mut() {
                            check_immutable(s, o.get(s.name), n.as_ref())?;
                            match &n {
                                Some(x) => {
                                    o.insert(s.name.to_string(), x.clone());
                                }
                                None => {
                                    o.remove(s.name);
                                }
                            }
                        }
                    }
                }
                None => {
                    let Some(Value::Object(new)) = normalize_simple_pub(app, attr, value)? else {
                        return Err(ScimError::invalid_value(format!(
                            "the value for a filtered '{}' path must be a JSON object",
                            attr.name
                        )));
                    };
                    for &i in &matched {
                        let Some(old) = items[i].as_object_mut() else {
                            continue;
                        };
                        for s in attr
                            .sub
                            .iter()
                            .filter(|s| s.mutability == Mutability::Immutable)
                        {
                            if let Some(nv) = new.get(s.name) {
                                check_immutable(s, old.get(s.name), Some(nv))?;
                            }
                        }
                        if op == OpKind::Replace {
                            *old = new.clone();
                        } else {
                            for (k, x) in &new {
                                old.insert(k.clone(), x.clone());
                            }
                        }
                    }
                }
            }
            exclusive_primary(app, &mut items, &matched);
        }
    }
    let n = (!items.is_empty()).then(|| json!(items));
    set_attr(&mut work.data, home, attr, None, n);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::Flavour;
    use std::collections::HashSet;

    fn app(faults: &[&'static str]) -> App {
        App::new(
            Flavour::Looop,
            None,
            faults.iter().copied().collect::<HashSet<_>>(),
        )
    }

    fn run(app: &App, kind: Kind, data: Value, ops: Value) -> ScimResult<Work> {
        let body = json!({"schemas": [scim::PATCH_OP], "Operations": ops});
        let ops = parse_ops(app, &body)?;
        let work = Work {
            data: data.as_object().cloned().unwrap_or_default(),
            ..Work::default()
        };
        apply(app, kind, work, &ops).map_err(|(_, e)| e)
    }

    fn user() -> Value {
        json!({
            "userName": "bjensen",
            "active": true,
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [
                {"value": "a@example.com", "type": "work", "primary": true},
                {"value": "b@example.org", "type": "home"}
            ]
        })
    }

    #[test]
    fn replace_with_and_without_path() {
        let a = app(&[]);
        let w = run(&a, Kind::User, user(), json!([
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "replace", "value": {"displayName": "BJ", "name.familyName": "J2", "id": "ignored",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales"}},
            {"op": "add", "value": {"urn:ietf:params:scim:schemas:extension:Looop:2.0:User": {"area": "EMEA"}}}
        ])).unwrap();
        assert_eq!(w.data["active"], json!(false));
        assert_eq!(w.data["displayName"], json!("BJ"));
        assert_eq!(
            w.data["name"],
            json!({"givenName": "Barbara", "familyName": "J2"})
        );
        assert_eq!(
            w.data[scim::ENTERPRISE_USER_SCHEMA]["department"],
            json!("Sales")
        );
        assert_eq!(w.data[scim::LOOOP_USER_SCHEMA]["area"], json!("EMEA"));
        assert!(w.data.get("id").is_none());
    }

    #[test]
    fn value_paths() {
        let a = app(&[]);
        let w = run(
            &a,
            Kind::User,
            user(),
            json!([
                {"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}
            ]),
        )
        .unwrap();
        assert_eq!(w.data["emails"][0]["primary"], json!(false));
        assert_eq!(w.data["emails"][1]["primary"], json!(true));

        let w = run(
            &a,
            Kind::User,
            user(),
            json!([
                {"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}
            ]),
        )
        .unwrap();
        assert_eq!(w.data["emails"].as_array().unwrap().len(), 1);

        let e = run(
            &a,
            Kind::User,
            user(),
            json!([
                {"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@y.z"}
            ]),
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some("noTarget"));

        let w = run(
            &a,
            Kind::User,
            json!({"userName": "u"}),
            json!([
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "w@x.org"}
            ]),
        )
        .unwrap();
        assert_eq!(
            w.data["emails"],
            json!([{"type": "work", "value": "w@x.org"}])
        );

        let w = run(
            &a,
            Kind::User,
            user(),
            json!([
                {"op": "remove", "path": "emails[type eq \"nothing\"]"}
            ]),
        )
        .unwrap();
        assert_eq!(w.data["emails"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn errors() {
        let a = app(&[]);
        for (ops, ty) in [
            (json!([{"op": "remove"}]), "noTarget"),
            (
                json!([{"op": "replace", "path": "name..familyName", "value": "x"}]),
                "invalidPath",
            ),
            (
                json!([{"op": "replace", "path": "emails[type eq]", "value": "x"}]),
                "invalidPath",
            ),
            (
                json!([{"op": "replace", "path": "emails[0].value", "value": "x"}]),
                "invalidPath",
            ),
            (
                json!([{"op": "replace", "path": "id", "value": "x"}]),
                "mutability",
            ),
            (
                json!([{"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}]),
                "mutability",
            ),
            (json!([{"op": "remove", "path": "userName"}]), "mutability"),
            (json!([{"op": "copy", "path": "userName"}]), "invalidSyntax"),
            (json!([{"op": "add", "path": "nickName"}]), "invalidValue"),
            (
                json!([{"op": "replace", "path": "noSuchAttr", "value": 1}]),
                "invalidPath",
            ),
            (
                json!([{"op": "replace", "path": "active", "value": "maybe"}]),
                "invalidValue",
            ),
        ] {
            let e = run(&a, Kind::User, user(), ops.clone()).unwrap_err();
            assert_eq!(e.scim_type, Some(ty), "{ops}");
        }
    }

    #[test]
    fn members() {
        let a = app(&[]);
        let g = json!({"displayName": "G", "members": [{"value": "u1"}, {"value": "u2"}, {"value": "u3"}]});
        let w = run(
            &a,
            Kind::Group,
            g.clone(),
            json!([
                {"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u3"}]}
            ]),
        )
        .unwrap();
        assert_eq!(w.data["members"], json!([{"value": "u2"}]));
        let w = run(
            &a,
            Kind::Group,
            g.clone(),
            json!([
                {"op": "add", "path": "members", "value": [{"value": "u1"}, {"value": "u4"}]}
            ]),
        )
        .unwrap();
        assert_eq!(w.data["members"].as_array().unwrap().len(), 4);
        let w = run(
            &a,
            Kind::Group,
            g.clone(),
            json!([
                {"op": "remove", "path": "members"},
                {"op": "add", "path": "members", "value": [{"value": "u9"}]}
            ]),
        )
        .unwrap();
        assert_eq!(w.data["members"], json!([{"value": "u9"}]));
        let e = run(
            &a,
            Kind::Group,
            g.clone(),
            json!([
                {"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u7"}
            ]),
        )
        .unwrap_err();
        assert_eq!(e.scim_type, Some("mutability"));
        let w = run(
            &a,
            Kind::Group,
            g.clone(),
            json!([
                {"op": "remove", "path": "members[value eq \"u2\"]"}
            ]),
        )
        .unwrap();
        assert_eq!(w.data["members"], json!([{"value": "u1"}, {"value": "u3"}]));

        let faulty = app(&["members-remove-value-list-removes-all"]);
        let w = run(
            &faulty,
            Kind::Group,
            g,
            json!([
                {"op": "remove", "path": "members", "value": [{"value": "u1"}]}
            ]),
        )
        .unwrap();
        assert!(w.data.get("members").is_none());
    }

    #[test]
    fn atomic_reports_partial_state() {
        let a = app(&[]);
        let body = json!({"schemas": [scim::PATCH_OP], "Operations": [
            {"op": "replace", "path": "displayName", "value": "new"},
            {"op": "replace", "path": "id", "value": "x"}
        ]});
        let ops = parse_ops(&a, &body).unwrap();
        let work = Work {
            data: user().as_object().cloned().unwrap(),
            ..Work::default()
        };
        let (partial, e) = apply(&a, Kind::User, work, &ops).unwrap_err();
        assert_eq!(e.scim_type, Some("mutability"));
        assert_eq!(partial.data["displayName"], json!("new"));
    }

    #[test]
    fn op_case_fault_and_path_required_fault() {
        let a = app(&["patch-op-case-sensitive"]);
        assert!(
            run(
                &a,
                Kind::User,
                user(),
                json!([{"op": "Replace", "path": "active", "value": false}])
            )
            .is_err()
        );
        let a = app(&["patch-path-required"]);
        assert!(
            run(
                &a,
                Kind::User,
                user(),
                json!([{"op": "replace", "value": {"active": false}}])
            )
            .is_err()
        );
    }
}

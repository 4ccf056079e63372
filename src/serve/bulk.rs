//! POST /Bulk (RFC 7644 §3.7): runs the operations in order, resolving `bulkId:` references.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::app::{App, Ctx};
use super::error::{ScimError, ScimResult, error_body};
use super::limits::{MAX_OPERATIONS, MAX_PAYLOAD_SIZE};
use super::ops::{self, Reply};
use super::schema::Kind;
use crate::scim;

fn get_ci<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// The bulkIds referenced (`"bulkId:xyz"`) anywhere in a value.
/// Whether a member of the operation's data is searched for bulkId references: under the
/// bulk-bulkid-core-only fault, extension objects (URN keys) are not.
fn searched(core_only: bool, key: &str) -> bool {
    !(core_only && key.starts_with("urn:"))
}

fn references(core_only: bool, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix("bulkId:") {
                out.push(id.to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(core_only, x, out)),
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| searched(core_only, k))
            .for_each(|(_, x)| references(core_only, x, out)),
        _ => {}
    }
}

fn substitute(core_only: bool, v: &mut Value, ids: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix("bulkId:").and_then(|b| ids.get(b)) {
                *s = id.clone();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(core_only, x, ids)),
        Value::Object(o) => o
            .iter_mut()
            .filter(|(k, _)| searched(core_only, k))
            .for_each(|(_, x)| substitute(core_only, x, ids)),
        _ => {}
    }
}

struct BulkOp {
    method: String,
    bulk_id: Option<String>,
    version: Option<String>,
    path: String,
    data: Value,
}

fn parse_op(v: &Value, i: usize) -> ScimResult<BulkOp> {
    let Some(o) = v.as_object() else {
        return Err(ScimError::invalid_syntax(format!(
            "Operations[{i}] is not an object"
        )));
    };
    let method = get_ci(o, "method")
        .and_then(Value::as_str)
        .ok_or_else(|| ScimError::invalid_syntax(format!("Operations[{i}] has no method")))?
        .to_ascii_uppercase();
    let path = get_ci(o, "path")
        .and_then(Value::as_str)
        .ok_or_else(|| ScimError::invalid_syntax(format!("Operations[{i}] has no path")))?
        .to_string();
    Ok(BulkOp {
        method,
        bulk_id: get_ci(o, "bulkId")
            .and_then(Value::as_str)
            .map(String::from),
        version: get_ci(o, "version")
            .and_then(Value::as_str)
            .map(String::from),
        path,
        data: get_ci(o, "data").cloned().unwrap_or(Value::Null),
    })
}

fn status_value(app: &App, s: StatusCode) -> Value {
    if app.fault("bulk-status-integer") {
        json!(s.as_u16())
    } else {
        json!(s.as_u16().to_string())
    }
}

fn run_one(app: &App, op: &BulkOp, ctx: &Ctx) -> ScimResult<Reply> {
    let path = op.path.trim_start_matches('/');
    let mut segs = path.split('/');
    let kind = match segs.next() {
        Some("Users") => Kind::User,
        Some("Groups") => Kind::Group,
        _ => {
            return Err(ScimError::invalid_value(format!(
                "bulk path \"{}\" is not under /Users or /Groups",
                op.path
            )));
        }
    };
    let id = segs.next().filter(|s| !s.is_empty());
    if segs.next().is_some() {
        return Err(ScimError::invalid_value(format!(
            "bulk path \"{}\" is not a resource",
            op.path
        )));
    }
    let mut ctx = ctx.clone();
    ctx.if_match = op
        .version
        .clone()
        .filter(|_| !app.fault("bulk-version-ignored"));
    match (op.method.as_str(), id) {
        ("POST", None) => {
            if op.bulk_id.is_none() {
                return Err(ScimError::invalid_syntax("a bulk POST needs a bulkId"));
            }
            ops::create(app, kind, &op.data, &ctx)
        }
        ("PUT", Some(id)) => ops::replace(app, kind, id, &op.data, &ctx),
        ("PATCH", Some(id)) => ops::patch(app, kind, id, &op.data, &ctx),
        ("DELETE", Some(id)) if super::hostile::delete_fails(app, id) => Err(ScimError::internal(
            "the delete could not be completed; try again",
        )),
        ("DELETE", Some(id)) => ops::delete(app, kind, id, &ctx),
        (m, _) => Err(ScimError::invalid_value(format!(
            "method {m} is not allowed on bulk path \"{}\"",
            op.path
        ))),
    }
}

/// Handles POST /Bulk.
pub fn bulk(app: &App, body_len: usize, body: &Value, ctx: &Ctx) -> ScimResult<Reply> {
    if body_len > MAX_PAYLOAD_SIZE {
        return Err(ScimError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!(
                "the bulk request is {body_len} bytes, more than maxPayloadSize {MAX_PAYLOAD_SIZE}"
            ),
        ));
    }
    let lax = app.fault("message-schemas-not-validated");
    let Some(obj) = body.as_object() else {
        return Err(ScimError::invalid_syntax(
            "the bulk request must be a JSON object",
        ));
    };
    let schemas_ok = get_ci(obj, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(scim::BULK_REQUEST))
            })
        });
    if !schemas_ok && !lax {
        return Err(ScimError::invalid_syntax(format!(
            "the bulk request must have schemas [\"{}\"]",
            scim::BULK_REQUEST
        )));
    }
    let raw_ops: Vec<Value> = match get_ci(obj, "Operations") {
        Some(Value::Array(a)) => a.clone(),
        _ if lax => Vec::new(),
        _ => {
            return Err(ScimError::invalid_syntax(
                "the bulk request needs an 'Operations' array",
            ));
        }
    };
    if raw_ops.len() > MAX_OPERATIONS && !app.fault("bulk-max-operations-ignored") {
        return Err(ScimError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!(
                "the bulk request has {} operations, more than maxOperations {MAX_OPERATIONS}",
                raw_ops.len()
            ),
        ));
    }
    let fail_on_errors = match get_ci(obj, "failOnErrors") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => Some(n as usize),
            _ => {
                return Err(ScimError::invalid_syntax(
                    "failOnErrors must be an integer of 1 or more",
                ));
            }
        },
    };
    let mut ops_list = Vec::new();
    for (i, v) in raw_ops.iter().enumerate() {
        ops_list.push(parse_op(v, i)?);
    }
    if app.fault("bulk-operations-reversed") {
        // Operations pushed on a stack and popped: the last one runs first.
        ops_list.reverse();
    }
    let resolve = !app.fault("bulk-bulkid-unresolved");
    let core_only = app.fault("bulk-bulkid-core-only");
    let defined: Vec<String> = ops_list
        .iter()
        .filter(|o| o.method == "POST")
        .filter_map(|o| o.bulk_id.clone())
        .collect();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut done = vec![false; ops_list.len()];
    let mut results: Vec<Value> = Vec::new();
    let mut errors = 0usize;
    let stop_after = if app.fault("bulk-fail-on-errors-ignored") {
        None
    } else if app.fault("bulk-stops-at-first-error") {
        fail_on_errors.or(Some(1))
    } else {
        fail_on_errors
    };
    'outer: loop {
        let mut progress = false;
        for (i, op) in ops_list.iter().enumerate() {
            if done[i] {
                continue;
            }
            let mut refs = Vec::new();
            if resolve {
                references(core_only, &op.data, &mut refs);
                references(
                    core_only,
                    &Value::String(op.path.rsplit('/').next().unwrap_or("").to_string()),
                    &mut refs,
                );
            }
            let waiting = refs
                .iter()
                .any(|r| !ids.contains_key(r) && defined.contains(r));
            if waiting {
                continue;
            }
            done[i] = true;
            progress = true;
            let mut data = op.data.clone();
            let mut path = op.path.clone();
            if resolve {
                substitute(core_only, &mut data, &ids);
                if let Some((head, last)) = op.path.rsplit_once('/')
                    && let Some(id) = last.strip_prefix("bulkId:").and_then(|b| ids.get(b))
                {
                    path = format!("{head}/{id}");
                }
            }
            let unknown: Vec<&String> = refs.iter().filter(|r| !ids.contains_key(*r)).collect();
            let outcome = if let Some(u) = unknown.first() {
                Err(ScimError::new(
                    StatusCode::CONFLICT,
                    Some("invalidValue"),
                    format!("bulkId:{u} does not refer to a resource created in this request"),
                ))
            } else {
                let resolved = BulkOp {
                    method: op.method.clone(),
                    bulk_id: op.bulk_id.clone(),
                    version: op.version.clone(),
                    path,
                    data,
                };
                run_one(app, &resolved, ctx)
            };
            let mut entry = Map::new();
            entry.insert("method".into(), json!(op.method));
            if let Some(b) = op
                .bulk_id
                .as_ref()
                .filter(|_| !app.fault("bulk-bulkid-not-echoed"))
            {
                entry.insert("bulkId".into(), json!(b));
            }
            match outcome {
                Ok(reply) => {
                    if let (Some(b), Some(id)) = (
                        &op.bulk_id,
                        reply
                            .body
                            .as_ref()
                            .and_then(|b| b.get("id"))
                            .and_then(Value::as_str),
                    ) {
                        ids.insert(b.clone(), id.to_string());
                    }
                    if let Some(l) = &reply.location
                        && !app.fault("bulk-no-location")
                    {
                        entry.insert("location".into(), json!(l));
                    }
                    if let Some(e) = &reply.etag {
                        entry.insert("version".into(), json!(e));
                    }
                    entry.insert("status".into(), status_value(app, reply.status));
                }
                Err(e) => {
                    errors += 1;
                    entry.insert("status".into(), status_value(app, e.status));
                    if !app.fault("bulk-error-response-omitted") {
                        entry.insert("response".into(), error_body(app, &e));
                    }
                }
            }
            results.push(Value::Object(entry));
            if stop_after.is_some_and(|n| errors >= n) {
                break 'outer;
            }
        }
        if !progress {
            if app.fault("bulk-circular-references-500") {
                // The resolver recurses from reference to reference and overflows its stack.
                return Err(ScimError::internal("StackOverflowError in BulkIdResolver"));
            }
            // What is left waits on bulkIds that never resolve (circular references).
            for (i, op) in ops_list.iter().enumerate() {
                if done[i] {
                    continue;
                }
                done[i] = true;
                let e = ScimError::new(
                    StatusCode::CONFLICT,
                    Some("invalidValue"),
                    "circular bulkId references could not be resolved",
                );
                let mut entry = Map::new();
                entry.insert("method".into(), json!(op.method));
                if let Some(b) = &op.bulk_id {
                    entry.insert("bulkId".into(), json!(b));
                }
                entry.insert("status".into(), status_value(app, e.status));
                entry.insert("response".into(), error_body(app, &e));
                results.push(Value::Object(entry));
                errors += 1;
                if stop_after.is_some_and(|n| errors >= n) {
                    break;
                }
            }
            break;
        }
        if done.iter().all(|d| *d) {
            break;
        }
    }
    let mut answer = json!({"schemas": [scim::BULK_RESPONSE], "Operations": results});
    if app.fault("bulk-echoes-failonerrors")
        && let (Some(n), Some(o)) = (fail_on_errors, answer.as_object_mut())
    {
        o.insert("failOnErrors".into(), json!(n));
    }
    Ok(Reply::json(StatusCode::OK, answer))
}

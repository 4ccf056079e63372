//! Cleanup DELETEs sent as Bulk operations (RFC 7644 §3.7) when the server advertises Bulk:
//! one request deletes up to [`MAX_BATCH`] resources, so the cleanup of a run over the internet
//! costs a few round trips instead of one per resource. Only what the answer confirms, operation
//! by operation, counts as deleted; everything else is deleted one request at a time as before,
//! and a Bulk request that fails as a whole switches Bulk off for the rest of the run.

use super::cleanup::{delete_each, send};
use super::ledger::Created;
use super::{OutRequest, Target};
use crate::scim::{BULK_REQUEST, MEDIA_TYPE};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};

/// Operations per Bulk request at most, whatever the server allows: a request of this size is
/// far below any server's payload limit and a quick answer even from a slow server.
pub const MAX_BATCH: usize = 100;
/// Bytes per operation counted against `maxPayloadSize` (path, method and JSON punctuation).
const OP_OVERHEAD: usize = 48;

/// What /ServiceProviderConfig allows, and whether Bulk still works in this run.
#[derive(Debug)]
pub struct BulkDelete {
    max_ops: usize,
    max_payload: usize,
    broken: AtomicBool,
}

impl BulkDelete {
    /// Bulk cleanup when the server says `bulk.supported: true` with a `maxOperations` of at
    /// least 2 and a `maxPayloadSize` (both REQUIRED by RFC 7643 §5): a server that leaves
    /// either out is not trusted with the cleanup.
    pub fn from_config(spc: Option<&Value>) -> Option<BulkDelete> {
        let bulk = spc?.get("bulk")?;
        if bulk.get("supported").and_then(Value::as_bool) != Some(true) {
            return None;
        }
        let max_ops = bulk.get("maxOperations").and_then(Value::as_u64)?;
        let max_payload = bulk.get("maxPayloadSize").and_then(Value::as_u64)?;
        (max_ops >= 2 && max_payload >= 1024).then(|| BulkDelete {
            max_ops: usize::try_from(max_ops)
                .unwrap_or(usize::MAX)
                .min(MAX_BATCH),
            max_payload: usize::try_from(max_payload).unwrap_or(usize::MAX),
            broken: AtomicBool::new(false),
        })
    }

    pub fn usable(&self) -> bool {
        !self.broken.load(Ordering::SeqCst)
    }

    /// How many operations one request carries at most: what the server allows, capped at
    /// [`MAX_BATCH`] (the payload limit may cut a request shorter, see `chunks`).
    pub fn batch_size(&self) -> usize {
        self.max_ops
    }

    fn chunks(&self, entries: Vec<(Created, String)>) -> Vec<Vec<(Created, String)>> {
        let mut out: Vec<Vec<(Created, String)>> = Vec::new();
        let mut size = 0;
        for (c, path) in entries {
            let cost = path.len() + OP_OVERHEAD;
            let full = out.last().is_none_or(|last| {
                last.len() >= self.max_ops || size + cost > self.max_payload / 2
            });
            if full {
                out.push(Vec::new());
                size = 0;
            }
            size += cost;
            if let Some(last) = out.last_mut() {
                last.push((c, path));
            }
        }
        out
    }
}

/// Deletes `entries`: by Bulk when the server allows it, else (or for what Bulk did not
/// confirm) one DELETE each, `jobs` at a time. Groups go first in every request: some servers
/// refuse to delete a user a group still references.
pub async fn delete(
    target: &Target,
    mut entries: Vec<Created>,
    jobs: usize,
) -> Vec<(Created, Result<(), String>)> {
    entries.sort_by_key(|c| !c.is_group());
    let bulk = match target.bulk_delete.get() {
        Some(b) if b.usable() && entries.len() > 1 => b,
        _ => return one_by_one(target, entries, jobs).await,
    };
    let (sendable, unusable): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .map(|c| match c.path() {
            Ok(p) => Ok((c, p)),
            Err(why) => Err((c, why)),
        })
        .partition(Result::is_ok);
    let mut out: Vec<(Created, Result<(), String>)> = unusable
        .into_iter()
        .filter_map(Result::err)
        .map(|(c, why)| {
            (
                c,
                Err(format!("the server's id {why}: never used in a request")),
            )
        })
        .collect();
    let sendable: Vec<(Created, String)> = sendable.into_iter().filter_map(Result::ok).collect();
    let answers: Vec<_> = futures_util::stream::iter(bulk.chunks(sendable))
        .map(|chunk| async move {
            let answer = one_request(target, &chunk).await;
            (chunk, answer)
        })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await;
    let mut again = Vec::new();
    for (chunk, answer) in answers {
        match answer {
            Ok(statuses) => {
                for ((c, _), status) in chunk.into_iter().zip(statuses) {
                    match status {
                        Some(s) if (200..300).contains(&s) || s == 404 => out.push((c, Ok(()))),
                        _ => again.push(c),
                    }
                }
            }
            Err(_) => {
                bulk.broken.store(true, Ordering::SeqCst);
                again.extend(chunk.into_iter().map(|(c, _)| c));
            }
        }
    }
    out.extend(one_by_one(target, again, jobs).await);
    out
}

/// One DELETE each, `jobs` at a time, the groups before the users.
async fn one_by_one(
    target: &Target,
    entries: Vec<Created>,
    jobs: usize,
) -> Vec<(Created, Result<(), String>)> {
    let (groups, users): (Vec<Created>, Vec<Created>) =
        entries.into_iter().partition(Created::is_group);
    let mut out = delete_each(target, groups, jobs).await;
    out.extend(delete_each(target, users, jobs).await);
    out
}

/// One Bulk request of DELETEs: per operation, the status the answer gives it (`None`: the
/// answer says nothing about it). An error when the request as a whole did not work.
async fn one_request(
    target: &Target,
    chunk: &[(Created, String)],
) -> Result<Vec<Option<u16>>, String> {
    let operations: Vec<Value> = chunk
        .iter()
        .map(|(_, path)| json!({"method": "DELETE", "path": path}))
        .collect();
    let body = json!({"schemas": [BULK_REQUEST], "Operations": operations});
    let req = OutRequest {
        body: Some(body.to_string().into_bytes()),
        content_type: Some(MEDIA_TYPE.to_owned()),
        ..OutRequest::new("POST", "/Bulk")
    };
    let resp = send(target, &req).await.map_err(|e| e.to_string())?;
    if resp.status != 200 {
        return Err(format!("POST /Bulk answered {}", resp.status));
    }
    let answer: Value = serde_json::from_slice(&resp.body)
        .map_err(|_| "POST /Bulk answered a body that is not JSON".to_owned())?;
    let results = answer
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or("POST /Bulk answered no Operations")?;
    Ok(match_results(chunk, results))
}

/// Which result answers which operation: by its `location` (the resource's URL), else by
/// position when the answer has one result per operation, each a DELETE. A result that cannot
/// be placed confirms nothing.
fn match_results(chunk: &[(Created, String)], results: &[Value]) -> Vec<Option<u16>> {
    let status = |r: &Value| -> Option<u16> {
        match r.get("status")? {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::Object(o) => o.get("code").and_then(Value::as_str)?.trim().parse().ok(),
            _ => None,
        }
    };
    // A location ending in the operation's path names it, wherever the server says it lives
    // (scim2-server's carry a `/v2` its base URL lacks); it is only read, never requested.
    let located = |path: &str| {
        results.iter().find(|r| {
            r.get("location")
                .and_then(Value::as_str)
                .map(|l| {
                    url::Url::parse(l)
                        .map(|u| u.path().to_owned())
                        .unwrap_or_else(|_| l.split(['?', '#']).next().unwrap_or("").to_owned())
                })
                .is_some_and(|p| p.trim_end_matches('/').ends_with(path))
        })
    };
    let by_position = results.len() == chunk.len()
        && results.iter().all(|r| {
            r.get("method")
                .and_then(Value::as_str)
                .is_none_or(|m| m.eq_ignore_ascii_case("DELETE"))
        });
    chunk
        .iter()
        .enumerate()
        .map(|(i, (_, path))| match located(path) {
            Some(r) => status(r),
            None if by_position => results.get(i).and_then(|r| {
                // A result that names another resource is not this operation's.
                r.get("location").is_none().then(|| status(r)).flatten()
            }),
            None => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::match_results;
    use crate::endpoint::ledger::Created;
    use serde_json::json;

    fn ops(ids: &[&str]) -> Vec<(Created, String)> {
        ids.iter()
            .map(|id| {
                let c = Created {
                    collection: "/Users".into(),
                    id: Some((*id).into()),
                    name: None,
                };
                (c, format!("/Users/{id}"))
            })
            .collect()
    }

    /// Results are placed by location (even one under another prefix, in any order), by
    /// position only when the answer has one location-less DELETE result per operation; what
    /// cannot be placed confirms nothing.
    #[test]
    fn each_operation_is_confirmed_only_by_its_own_result() {
        let chunk = ops(&["a", "b"]);
        let reversed = [
            json!({"method": "DELETE", "location": "https://h/v2/Users/b", "status": "500"}),
            json!({"method": "DELETE", "location": "https://h/scim/Users/a", "status": 204}),
        ];
        assert_eq!(match_results(&chunk, &reversed), vec![Some(204), Some(500)]);
        let bare = [json!({"status": "204"}), json!({"status": {"code": "404"}})];
        assert_eq!(match_results(&chunk, &bare), vec![Some(204), Some(404)]);
        let short = [json!({"method": "DELETE", "status": "204"})];
        assert_eq!(match_results(&chunk, &short), vec![None, None]);
        let other = [
            json!({"location": "https://h/Users/zz", "status": "204"}),
            json!({"location": "https://h/Users/ab", "status": "204"}),
        ];
        assert_eq!(match_results(&chunk, &other), vec![None, None]);
    }
}

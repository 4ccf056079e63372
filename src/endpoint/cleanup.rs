//! Finding what runs left by name, and deleting it: `scimspec cleanup` (names containing the run
//! prefix) and the end-of-run sweep (the exact names the run sent). Nothing whose name does not
//! carry a run id is ever touched, whatever the server answers, and every loop over the server's
//! answers is bounded.

use super::{ConnOptions, OutRequest, Target, redact::neutralise};
use crate::process::{EXIT_FAILED, EXIT_OK, fatal};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::time::Duration;

/// Pages read per query at most (100 resources each): far more than a run makes.
pub const MAX_PAGES: u64 = 50;
const PAGE: u64 = 100;
/// Names per `or` filter of the end-of-run sweep.
const NAMES_PER_QUERY: usize = 10;
/// Attempts per DELETE (the first included), with doubling waits between them.
const DELETE_ATTEMPTS: u32 = 4;

pub struct Summary {
    pub prefix: String,
    pub found: Vec<String>,
    pub deleted: usize,
    pub left: Vec<String>,
    pub dry_run: bool,
    /// Why a listing stopped early, if one did.
    pub incomplete: Vec<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for r in &self.found {
            writeln!(f, "  {r}")?;
        }
        for i in &self.incomplete {
            writeln!(f, "warning: {i}")?;
        }
        if self.dry_run {
            write!(
                f,
                "{} resources named {}… found (--dry-run: nothing deleted)",
                self.found.len(),
                self.prefix
            )
        } else {
            write!(
                f,
                "{} resources named {}… found, {} deleted, {} left",
                self.found.len(),
                self.prefix,
                self.deleted,
                self.left.len()
            )?;
            for l in &self.left {
                write!(f, "\n  left: {l}")?;
            }
            Ok(())
        }
    }
}

fn request(method: &str, path: &str, query: Vec<(String, String)>) -> OutRequest {
    OutRequest {
        query,
        ..OutRequest::new(method, path)
    }
}

/// True for names a run made: they carry `scimspec-<8 hex run id>-` (or the given run's prefix)
/// anywhere — role groups such as `Loom Creators scimspec-…` included.
pub fn ours(name: &str, prefix: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if prefix != "scimspec-" {
        return lower.contains(prefix);
    }
    lower.match_indices(prefix).any(|(at, _)| {
        let rest = &lower[at + prefix.len()..];
        let id: String = rest.chars().take_while(|c| *c != '-').collect();
        id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()) && rest.len() > 9
    })
}

/// A SCIM filter string literal (JSON string syntax: quotes and backslashes escaped).
fn literal(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The id of a listed resource as text (servers that use numbers included).
pub fn id_of(item: &Value) -> Option<String> {
    match item.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One filtered, paged query: every listed (id, name) that `keep` accepts. Bounded by
/// [`MAX_PAGES`] and by progress (a page that brings no new id ends it); `progress` is told of
/// long listings.
async fn list(
    target: &Target,
    collection: &str,
    attr: &str,
    filter: Option<&str>,
    keep: &dyn Fn(&str) -> bool,
    progress: bool,
) -> Result<(Vec<(String, String)>, Option<String>), (u16, String)> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut start = 1u64;
    for page in 1..=MAX_PAGES {
        let mut query = vec![
            ("startIndex".to_owned(), start.to_string()),
            ("count".to_owned(), PAGE.to_string()),
        ];
        if let Some(f) = filter {
            query.push(("filter".to_owned(), f.to_owned()));
        }
        let resp = target
            .send(&request("GET", collection, query))
            .await
            .map_err(|e| (0, format!("GET {collection}: {e}")))?;
        if resp.status != 200 {
            return Err((
                resp.status,
                format!("GET {collection} answered {}", resp.status),
            ));
        }
        let body: Value = serde_json::from_slice(&resp.body).map_err(|_| {
            (
                resp.status,
                format!("GET {collection} answered a body that is not JSON"),
            )
        })?;
        let items = body
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut new = 0;
        for item in &items {
            let Some(id) = id_of(item) else { continue };
            if !seen.insert(id.clone()) {
                continue;
            }
            new += 1;
            let name = item.get(attr).and_then(Value::as_str).unwrap_or("");
            if keep(name) {
                out.push((id, name.to_owned()));
            }
        }
        let total = body
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        start += items.len() as u64;
        if items.is_empty() || start > total || new == 0 {
            return Ok((out, None));
        }
        if progress && page % 10 == 0 {
            let _ = writeln!(
                std::io::stderr(),
                "scimspec: still listing {collection}: page {page} of at most {MAX_PAGES}, {} found so far",
                out.len()
            );
        }
    }
    Ok((
        out,
        Some(format!(
            "GET {collection} was still answering new pages after {MAX_PAGES} pages of {PAGE}: stopped there, so more may be left"
        )),
    ))
}

/// Deletes what one case created, as soon as it ends (groups first, one request each, no
/// retry): a run then ends when its last case ends. What fails here stays in the ledger for the
/// end-of-run cleanup, which retries, confirms and sweeps.
pub async fn after_case(target: &Target, own: Vec<Created>) {
    let mut own: Vec<Created> = own
        .into_iter()
        .filter(|c| c.id.is_some() && target.ledger.is_pending(c))
        .collect();
    let mut seen: Vec<Created> = Vec::new();
    own.retain(|c| {
        let first = !seen.contains(c);
        seen.push(c.clone());
        first
    });
    // Groups first: a group refers to its members.
    own.sort_by_key(|c| !c.is_group());
    for c in own {
        let Ok(path) = c.path() else { continue };
        if let Ok(r) = target.send(&request("DELETE", &path, Vec::new())).await
            && ((200..300).contains(&r.status) || r.status == 404)
        {
            target.ledger.mark_entry_deleted(&c);
        }
    }
}

/// Whether the server says the resource does not exist: GET answers 404, or, for an id that
/// cannot be used in a path, a lookup by its name finds no resource with that id.
async fn gone(target: &Target, c: &Created) -> bool {
    match c.path() {
        Ok(path) => {
            matches!(target.send(&request("GET", &path, Vec::new())).await, Ok(r) if r.status == 404)
        }
        Err(_) => {
            let Some(name) = &c.name else {
                return false;
            };
            let attr = if c.is_group() {
                "displayName"
            } else {
                "userName"
            };
            let mut incomplete = Vec::new();
            let found = find_names(
                target,
                &c.collection,
                attr,
                std::slice::from_ref(name),
                &mut incomplete,
            )
            .await;
            incomplete.is_empty() && !found.iter().any(|(id, _)| Some(id) == c.id.as_ref())
        }
    }
}

/// Every resource of a collection whose `attr` carries the prefix: by `co` filter, else `sw`,
/// else (a server that does not filter) the bounded listing of everything.
async fn find(
    target: &Target,
    collection: &str,
    attr: &str,
    prefix: &str,
    incomplete: &mut Vec<String>,
) -> Result<Vec<(String, String)>, String> {
    let keep = |name: &str| ours(name, prefix);
    let filters = [
        Some(format!("{attr} co {}", literal(prefix))),
        Some(format!("{attr} sw {}", literal(prefix))),
        None,
    ];
    for f in &filters {
        match list(target, collection, attr, f.as_deref(), &keep, true).await {
            Ok((mut found, stopped)) => {
                incomplete.extend(stopped);
                found.sort();
                found.dedup();
                return Ok(found);
            }
            Err((404, _)) if collection == "/Groups" => return Ok(Vec::new()),
            Err((400 | 403 | 501, _)) if f.is_some() => continue,
            Err((_, e)) => return Err(e),
        }
    }
    Ok(Vec::new())
}

/// The resources named exactly as the run named them: `attr eq` filters joined by `or`, one
/// name at a time where the server refuses `or`. Names a server returns that were not asked for
/// are ignored (a server that ignores filters cannot make the sweep delete anything else).
pub async fn find_names(
    target: &Target,
    collection: &str,
    attr: &str,
    names: &[String],
    incomplete: &mut Vec<String>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let wanted: BTreeSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let keep = |name: &str| wanted.contains(&name.to_lowercase());
    let mut batch = NAMES_PER_QUERY;
    let mut i = 0;
    while i < names.len() {
        let chunk = &names[i..(i + batch).min(names.len())];
        let filter = chunk
            .iter()
            .map(|n| format!("{attr} eq {}", literal(n)))
            .collect::<Vec<_>>()
            .join(" or ");
        match list(target, collection, attr, Some(&filter), &keep, false).await {
            Ok((found, stopped)) => {
                out.extend(found);
                incomplete.extend(stopped);
                i += chunk.len();
            }
            Err((404, _)) if collection == "/Groups" => return out,
            Err((400 | 501, _)) if batch > 1 => batch = 1,
            Err((_, e)) => {
                incomplete.push(format!(
                    "the final sweep could not look up {} name(s) in {collection}: {e}",
                    names.len() - i
                ));
                return out;
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// DELETE with retries: once, then after 0.5 s, 1 s and 2 s while the answer is a 5xx, a 429 or
/// no answer. 2xx and 404 count as gone.
pub async fn delete(target: &Target, path: &str) -> Result<(), String> {
    let mut wait = Duration::from_millis(500);
    let mut last = String::new();
    for attempt in 1..=DELETE_ATTEMPTS {
        match target.send(&request("DELETE", path, Vec::new())).await {
            Ok(r) if (200..300).contains(&r.status) || r.status == 404 => return Ok(()),
            Ok(r) if r.status >= 500 || r.status == 429 => last = format!("answered {}", r.status),
            Ok(r) => return Err(format!("answered {}", r.status)),
            Err(e) => last = e.to_string(),
        }
        if attempt < DELETE_ATTEMPTS {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    Err(format!("{last}, {DELETE_ATTEMPTS} attempts"))
}

pub async fn sweep(target: &Target, prefix: &str, dry_run: bool) -> Result<Summary, String> {
    let mut summary = Summary {
        prefix: prefix.to_owned(),
        found: Vec::new(),
        deleted: 0,
        left: Vec::new(),
        dry_run,
        incomplete: Vec::new(),
    };
    for (collection, attr) in [("/Groups", "displayName"), ("/Users", "userName")] {
        for (id, name) in find(target, collection, attr, prefix, &mut summary.incomplete).await? {
            let shown_name = neutralise(&name).into_owned();
            let path = match super::segment(&id) {
                Ok(seg) => format!("{collection}/{seg}"),
                Err(why) => {
                    summary.found.push(format!("{collection}/? ({shown_name})"));
                    summary.left.push(format!(
                        "{collection} ({shown_name}): the server's id {why}; delete it by hand"
                    ));
                    continue;
                }
            };
            summary.found.push(format!("{path} ({shown_name})"));
            if dry_run {
                continue;
            }
            match delete(target, &path).await {
                Ok(()) => summary.deleted += 1,
                Err(e) => summary.left.push(format!("{path} ({shown_name}): {e}")),
            }
        }
    }
    Ok(summary)
}

/// A resource the run made that is still there (or may be).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Leftover {
    pub collection: String,
    pub id: Option<String>,
    pub name: Option<String>,
    /// Why it is still there.
    pub reason: String,
}

impl fmt::Display for Leftover {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let c = Created {
            collection: self.collection.clone(),
            id: self.id.clone(),
            name: self.name.clone(),
        };
        write!(f, "{}: {}", c.label(), neutralise(&self.reason))
    }
}

/// What the end-of-run cleanup did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CleanupReport {
    pub created: usize,
    pub deleted: usize,
    pub left: Vec<Leftover>,
    /// Lookups that could not be completed (the leftovers may then be incomplete).
    pub warnings: Vec<String>,
}

impl CleanupReport {
    /// One line: `N created, M deleted, K left`.
    pub fn line(&self) -> String {
        format!(
            "{} created, {} deleted, {} left",
            self.created,
            self.deleted,
            self.left.len()
        )
    }

    /// The command that removes what is left.
    pub fn command(base_url: &str, run_id: &str) -> String {
        format!("scimspec cleanup --base-url {base_url} --run-id {run_id}")
    }
}

use super::ledger::Created;
use futures_util::StreamExt;

/// Deletes everything the ledger holds (groups first, `jobs` at a time, failures retried one at
/// a time with backoff), then sweeps Users and Groups for the exact names the run sent and
/// deletes what the answers did not reveal.
pub async fn end_of_run(target: &Target, jobs: usize) -> CleanupReport {
    let ledger = &target.ledger;
    let mut report = CleanupReport::default();
    let jobs = jobs.clamp(1, 64);

    // Entries known only by name (no id in the answer, or no answer): look them up.
    let mut pending = Vec::new();
    for c in ledger.pending() {
        if c.id.is_some() {
            pending.push(c);
            continue;
        }
        let Some(name) = c.name.clone() else {
            continue;
        };
        let attr = if c.is_group() {
            "displayName"
        } else {
            "userName"
        };
        let found = find_names(
            target,
            &c.collection,
            attr,
            std::slice::from_ref(&name),
            &mut report.warnings,
        )
        .await;
        // Not found: it was never created (or is gone already).
        ledger.mark_entry_deleted(&c);
        for (id, n) in found {
            ledger.record_created(&c.collection, Some(&id), Some(&n));
            pending.push(Created {
                collection: c.collection.clone(),
                id: Some(id),
                name: Some(n),
            });
        }
    }

    let (groups, users): (Vec<Created>, Vec<Created>) =
        pending.into_iter().partition(Created::is_group);
    let mut failed = Vec::new();
    for batch in [groups, users] {
        let outcomes: Vec<(Created, Result<(), String>)> = futures_util::stream::iter(batch)
            .map(|c| async move {
                let result = match c.path() {
                    Err(why) => Err(format!("the server's id {why}: never used in a request")),
                    Ok(path) => match target.send(&request("DELETE", &path, Vec::new())).await {
                        Ok(r) if (200..300).contains(&r.status) || r.status == 404 => Ok(()),
                        Ok(r) => Err(format!("DELETE answered {}", r.status)),
                        Err(e) => Err(e.to_string()),
                    },
                };
                (c, result)
            })
            .buffer_unordered(jobs)
            .collect()
            .await;
        for (c, result) in outcomes {
            match result {
                Ok(()) => ledger.mark_entry_deleted(&c),
                Err(e) => failed.push((c, e)),
            }
        }
    }
    // Retries one at a time, in rounds after a growing pause: a server that fails under
    // parallel writes gets a quiet second chance without a wait per resource.
    // An id that cannot be one path segment is never retried (never sent at all).
    let (unusable, mut failed): (Vec<_>, Vec<_>) =
        failed.into_iter().partition(|(c, _)| c.path().is_err());
    let mut wait = Duration::from_millis(500);
    for round in 1..DELETE_ATTEMPTS {
        if failed.is_empty() {
            break;
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
        let mut still = Vec::new();
        for (c, first) in failed {
            let Ok(path) = c.path() else {
                still.push((c, first));
                continue;
            };
            match target.send(&request("DELETE", &path, Vec::new())).await {
                Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                    ledger.mark_entry_deleted(&c)
                }
                Ok(r) => still.push((
                    c,
                    format!("DELETE answered {}, {} attempts", r.status, round + 1),
                )),
                Err(e) => still.push((c, format!("{e}, {} attempts", round + 1))),
            }
        }
        failed = still;
    }
    for (c, why) in unusable.into_iter().chain(failed) {
        // A DELETE that keeps failing may name what is already gone (removed by a bulk
        // operation, or a server that answers every DELETE with 500): only a resource still
        // there is left.
        if gone(target, &c).await {
            ledger.mark_entry_deleted(&c);
        } else {
            report.left.push(leftover(&c, why));
        }
    }

    // The final sweep: every name the run sent, exactly (never a listing of the whole tenant).
    let names = ledger.names();
    if !names.is_empty() {
        for (collection, attr) in [("/Groups", "displayName"), ("/Users", "userName")] {
            let found = find_names(target, collection, attr, &names, &mut report.warnings).await;
            for (id, name) in found {
                // Listed means there, even if deleted before (a PUT may have made it again).
                if report
                    .left
                    .iter()
                    .any(|l| l.collection == collection && l.id.as_deref() == Some(&id))
                {
                    continue;
                }
                ledger.record_created(collection, Some(&id), Some(&name));
                let c = Created {
                    collection: collection.to_owned(),
                    id: Some(id),
                    name: Some(name),
                };
                match c.path() {
                    Err(why) => report.left.push(leftover(
                        &c,
                        format!("the server's id {why}: never used in a request"),
                    )),
                    Ok(path) => match delete(target, &path).await {
                        Ok(()) => ledger.mark_entry_deleted(&c),
                        Err(e) => report.left.push(leftover(&c, format!("DELETE {e}"))),
                    },
                }
            }
        }
    }
    report.created = ledger.created_count();
    report.deleted = report.created.saturating_sub(ledger.pending().len());
    report
        .left
        .sort_by(|a, b| (&a.collection, &a.id).cmp(&(&b.collection, &b.id)));
    report
}

fn leftover(c: &Created, reason: String) -> Leftover {
    Leftover {
        collection: c.collection.clone(),
        id: c.id.clone(),
        name: c.name.clone(),
        reason,
    }
}

/// `scimspec cleanup`: deletes what earlier runs left — one run's (`run_id`) or every run's.
pub fn command(conn: &ConnOptions, run_id: Option<&str>, dry_run: bool) -> i32 {
    let Some(base_url) = conn.base_url.clone() else {
        return fatal("cleanup needs --base-url URL");
    };
    let (creds, options) = match (conn.credentials(), conn.client_options()) {
        (Ok(c), Ok(o)) => (c, o),
        (Err(e), _) | (_, Err(e)) => return fatal(e),
    };
    let target = match Target::new(&base_url, creds, options) {
        Ok(t) => t,
        Err(e) => return fatal(e),
    };
    let prefix = match run_id {
        Some(id) if id.len() >= 4 && id.chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!("scimspec-{id}-")
        }
        Some(id) => {
            return fatal(format!(
                "`{id}` is not a run id (the 8 characters printed at the start of a run)"
            ));
        }
        None => "scimspec-".to_owned(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fatal(format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(sweep(&target, &prefix, dry_run)) {
        Ok(summary) => {
            println!("{}", target.redactor.redact(&summary.to_string()));
            if summary.left.is_empty() {
                EXIT_OK
            } else {
                EXIT_FAILED
            }
        }
        Err(e) => fatal(target.redactor.redact(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::ours;

    #[test]
    fn names_carry_the_run_id_anywhere() {
        assert!(ours("Loom Creators scimspec-0a1b2c3d-7-g", "scimspec-"));
        assert!(ours(
            "scimspec-0a1b2c3d-7-x@example.com",
            "scimspec-0a1b2c3d-"
        ));
        assert!(!ours("scimspec-admin@example.com", "scimspec-"));
        assert!(!ours("someone", "scimspec-"));
    }
}

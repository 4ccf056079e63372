//! Finding what runs left by name, and deleting it: `scimspec cleanup` (names containing the run
//! prefix) and the end-of-run sweep (the exact names the run sent). Nothing whose name does not
//! carry a run id is ever touched, whatever the server answers, and every loop over the server's
//! answers is bounded.

use super::ledger::Created;
use super::{ConnOptions, InResponse, OutRequest, Target, TransportError, redact::neutralise};
use crate::process::{EXIT_FAILED, EXIT_OK, fatal};
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Pages read per query at most (100 resources each): far more than a run makes.
pub const MAX_PAGES: u64 = 50;
const PAGE: u64 = 100;
/// Names per `or` filter of the end-of-run sweep at most, and the longest filter sent: about
/// 2.5 KB of URL, well inside the 8 KB request line common servers and proxies accept.
const NAMES_PER_QUERY: usize = 40;
const FILTER_CHARS: usize = 2000;
/// A long filter a server refuses is asked again in chunks of this many names (then one by one).
const NAMES_PER_SMALL_QUERY: usize = 10;
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

/// A request of the cleanup: counted apart, so the report can say what the cleanup cost.
pub async fn send(target: &Target, req: &OutRequest) -> Result<InResponse, TransportError> {
    let answer = target.send(req).await;
    let attempts = answer.as_ref().map_or(1, |r| 1 + r.retries.len());
    target.cleanup_sent.fetch_add(attempts, Ordering::Relaxed);
    answer
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
        let resp = send(target, &request("GET", collection, query))
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

/// Whether the server says the resource does not exist: GET answers 404, or, for an id that
/// cannot be used in a path, a lookup by its name finds no resource with that id.
async fn gone(target: &Target, c: &Created) -> bool {
    match c.path() {
        Ok(path) => {
            matches!(send(target, &request("GET", &path, Vec::new())).await, Ok(r) if r.status == 404)
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
                1,
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

/// The resources named exactly as the run named them: `attr eq` filters joined by `or`, up to
/// [`NAMES_PER_QUERY`] names a query, `jobs` queries at a time; a chunk the server refuses (the
/// URL may be too long for it) is asked again ten names a query, and a refused chunk of ten (it
/// may not know `or`) one name at a time. Names a server returns that were not asked for are ignored
/// (a server that ignores filters cannot make the sweep delete anything else).
pub async fn find_names(
    target: &Target,
    collection: &str,
    attr: &str,
    names: &[String],
    jobs: usize,
    incomplete: &mut Vec<String>,
) -> Vec<(String, String)> {
    let wanted: BTreeSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let keep = |name: &str| wanted.contains(&name.to_lowercase());
    let keep: &dyn Fn(&str) -> bool = &keep;
    let query = |chunk: &'_ [String]| {
        let filter = chunk
            .iter()
            .map(|n| format!("{attr} eq {}", literal(n)))
            .collect::<Vec<_>>()
            .join(" or ");
        async move { list(target, collection, attr, Some(&filter), keep, false).await }
    };
    let mut out = Vec::new();
    let mut singles: Vec<&[String]> = Vec::new();
    let mut missed = 0;
    let mut first_error = None;
    let mut todo: Vec<&[String]> = chunks(names, attr);
    // Three rounds at most: the long chunks, chunks of ten, then names one by one.
    while !todo.is_empty() {
        let answers: Vec<_> = futures_util::stream::iter(todo)
            .map(|chunk| async move { (chunk, query(chunk).await) })
            .buffer_unordered(jobs.max(1))
            .collect()
            .await;
        for (chunk, answer) in answers {
            match answer {
                Ok((found, stopped)) => {
                    out.extend(found);
                    incomplete.extend(stopped);
                }
                // No Groups endpoint: nothing of the run's can be there.
                Err((404, _)) if collection == "/Groups" => {}
                Err((0 | 400 | 413 | 414 | 431, _)) if chunk.len() > NAMES_PER_SMALL_QUERY => {
                    singles.extend(chunk.chunks(NAMES_PER_SMALL_QUERY));
                }
                Err((400 | 501, _)) if chunk.len() > 1 => {
                    singles.extend(chunk.chunks(1));
                }
                Err((_, e)) => {
                    missed += chunk.len();
                    first_error.get_or_insert(e);
                }
            }
        }
        todo = std::mem::take(&mut singles);
    }
    if let Some(e) = first_error {
        incomplete.push(format!(
            "the final sweep could not look up {missed} name(s) in {collection}: {e}"
        ));
    }
    out.sort();
    out.dedup();
    out
}

/// The sweep's chunks of names: consecutive, each within [`NAMES_PER_QUERY`] names and
/// [`FILTER_CHARS`] characters of filter.
fn chunks<'a>(names: &'a [String], attr: &str) -> Vec<&'a [String]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = 0;
    for (i, n) in names.iter().enumerate() {
        let cost = attr.len() + n.len() + 12;
        if i > start && (i - start >= NAMES_PER_QUERY || chars + cost > FILTER_CHARS) {
            out.push(&names[start..i]);
            start = i;
            chars = 0;
        }
        chars += cost;
    }
    if start < names.len() {
        out.push(&names[start..]);
    }
    out
}

/// DELETE with retries: once, then after 0.5 s, 1 s and 2 s while the answer is a 5xx, a 429 or
/// no answer. 2xx and 404 count as gone.
pub async fn delete(target: &Target, path: &str) -> Result<(), String> {
    let mut wait = Duration::from_millis(500);
    let mut last = String::new();
    for attempt in 1..=DELETE_ATTEMPTS {
        match send(target, &request("DELETE", path, Vec::new())).await {
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
    /// Requests the cleanup sent, as cases ended and at the end (Bulk requests count once).
    pub requests: usize,
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

/// One DELETE per entry, `jobs` at a time, no retry: what failed is returned with the reason.
/// An entry without a usable path is never sent.
pub async fn delete_each(
    target: &Target,
    entries: Vec<Created>,
    jobs: usize,
) -> Vec<(Created, Result<(), String>)> {
    futures_util::stream::iter(entries)
        .map(|c| async move {
            let result = match c.path() {
                Err(why) => Err(format!("the server's id {why}: never used in a request")),
                Ok(path) => match send(target, &request("DELETE", &path, Vec::new())).await {
                    Ok(r) if (200..300).contains(&r.status) || r.status == 404 => Ok(()),
                    Ok(r) => Err(format!("DELETE answered {}", r.status)),
                    Err(e) => Err(e.to_string()),
                },
            };
            (c, result)
        })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await
}

/// The ledger's entries known only by name (no id in the answer, or no answer), looked up in
/// one batched query per collection: each found resource becomes an entry with its id, and the
/// by-name entry is settled (not found: it was never created, or is gone already).
async fn settle_names(
    target: &Target,
    by_name: Vec<Created>,
    jobs: usize,
    warnings: &mut Vec<String>,
) -> Vec<Created> {
    let ledger = &target.ledger;
    let mut out: Vec<Created> = Vec::new();
    for groups in [true, false] {
        let entries: Vec<&Created> = by_name.iter().filter(|c| c.is_group() == groups).collect();
        let mut collections: Vec<&str> = entries.iter().map(|c| c.collection.as_str()).collect();
        collections.sort();
        collections.dedup();
        let attr = if groups { "displayName" } else { "userName" };
        for collection in collections {
            let mine: Vec<&&Created> = entries
                .iter()
                .filter(|c| c.collection == collection)
                .collect();
            let mut names: Vec<String> = mine.iter().filter_map(|c| c.name.clone()).collect();
            names.sort();
            names.dedup();
            let found = find_names(target, collection, attr, &names, jobs, warnings).await;
            for c in mine {
                let Some(name) = &c.name else { continue };
                ledger.mark_entry_deleted(c);
                for (id, n) in found.iter().filter(|(_, n)| n.eq_ignore_ascii_case(name)) {
                    ledger.record_created(collection, Some(id), Some(n));
                    let entry = Created {
                        collection: collection.to_owned(),
                        id: Some(id.clone()),
                        name: Some(n.clone()),
                    };
                    if !out.contains(&entry) {
                        out.push(entry);
                    }
                }
            }
        }
    }
    out
}

/// Deletes everything the ledger holds (groups first, `jobs` at a time, failures retried in
/// rounds with backoff), then sweeps Users and Groups for the exact names the run sent and
/// deletes what the answers did not reveal. Every phase sends its requests concurrently: the
/// cleanup takes a few round trips, not one per resource.
pub async fn end_of_run(target: &Target, jobs: usize) -> CleanupReport {
    let ledger = &target.ledger;
    let mut report = CleanupReport::default();
    let jobs = jobs.clamp(1, 64);

    let (mut pending, by_name): (Vec<Created>, Vec<Created>) =
        ledger.pending().into_iter().partition(|c| c.id.is_some());
    pending.extend(settle_names(target, by_name, jobs, &mut report.warnings).await);

    let mut failed = Vec::new();
    for (c, result) in super::bulk_delete::delete(target, pending, jobs).await {
        match result {
            Ok(()) => ledger.mark_entry_deleted(&c),
            Err(e) => failed.push((c, e)),
        }
    }
    // Retries in rounds after a growing pause, a few at a time: a server that fails under
    // parallel writes gets a quieter second chance without a wait per resource.
    // An id that cannot be one path segment is never retried (never sent at all).
    let (unusable, mut failed): (Vec<_>, Vec<_>) =
        failed.into_iter().partition(|(c, _)| c.path().is_err());
    let retry_jobs = (jobs / 4).clamp(1, 4);
    let mut wait = Duration::from_millis(500);
    for round in 1..DELETE_ATTEMPTS {
        if failed.is_empty() {
            break;
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
        let entries = failed.iter().map(|(c, _)| c.clone()).collect();
        failed = delete_each(target, entries, retry_jobs)
            .await
            .into_iter()
            .filter_map(|(c, result)| match result {
                Ok(()) => {
                    ledger.mark_entry_deleted(&c);
                    None
                }
                Err(e) => Some((c, format!("{e}, {} attempts", round + 1))),
            })
            .collect();
    }
    // A DELETE that keeps failing may name what is already gone (removed by a bulk operation,
    // or a server that answers every DELETE with 500): only a resource still there is left.
    let confirmed: Vec<(Created, String, bool)> =
        futures_util::stream::iter(unusable.into_iter().chain(failed))
            .map(|(c, why)| async move {
                let gone = gone(target, &c).await;
                (c, why, gone)
            })
            .buffer_unordered(jobs)
            .collect()
            .await;
    for (c, why, gone) in confirmed {
        if gone {
            ledger.mark_entry_deleted(&c);
        } else {
            report.left.push(leftover(&c, why));
        }
    }

    // The final sweep: every name the run sent, exactly (never a listing of the whole tenant),
    // in the collection its writes went to, both collections at once.
    let (group_names, user_names) = (ledger.names(true), ledger.names(false));
    if !group_names.is_empty() || !user_names.is_empty() {
        let (mut group_warnings, mut user_warnings) = (Vec::new(), Vec::new());
        let (groups, users) = futures_util::future::join(
            find_names(
                target,
                "/Groups",
                "displayName",
                &group_names,
                jobs,
                &mut group_warnings,
            ),
            find_names(
                target,
                "/Users",
                "userName",
                &user_names,
                jobs,
                &mut user_warnings,
            ),
        )
        .await;
        report.warnings.extend(group_warnings);
        report.warnings.extend(user_warnings);
        let mut found = Vec::new();
        for (collection, listed) in [("/Groups", groups), ("/Users", users)] {
            for (id, name) in listed {
                // Listed means there, even if deleted before (a PUT may have made it again).
                if report
                    .left
                    .iter()
                    .any(|l| l.collection == collection && l.id.as_deref() == Some(&id))
                {
                    continue;
                }
                ledger.record_created(collection, Some(&id), Some(&name));
                found.push(Created {
                    collection: collection.to_owned(),
                    id: Some(id),
                    name: Some(name),
                });
            }
        }
        // Groups first, as above; each DELETE with its own retries.
        let (groups, users): (Vec<Created>, Vec<Created>) =
            found.into_iter().partition(Created::is_group);
        for batch in [groups, users] {
            let outcomes: Vec<(Created, Result<(), String>)> = futures_util::stream::iter(batch)
                .map(|c| async move {
                    let result = match c.path() {
                        Err(why) => Err(format!("the server's id {why}: never used in a request")),
                        Ok(path) => delete(target, &path)
                            .await
                            .map_err(|e| format!("DELETE {e}")),
                    };
                    (c, result)
                })
                .buffer_unordered(jobs)
                .collect()
                .await;
            for (c, result) in outcomes {
                match result {
                    Ok(()) => ledger.mark_entry_deleted(&c),
                    Err(e) => report.left.push(leftover(&c, e)),
                }
            }
        }
    }
    report.created = ledger.created_count();
    report.requests = target.cleanup_sent.load(Ordering::Relaxed);
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
    use super::{FILTER_CHARS, NAMES_PER_QUERY, chunks, ours};

    /// The sweep's queries carry many names but stay short enough for any server's request line,
    /// and every name is asked for once.
    #[test]
    fn sweep_chunks_are_bounded_by_names_and_length() {
        let short: Vec<String> = (0..100)
            .map(|i| format!("scimspec-0a1b2c3d-{i}-a@x.io"))
            .collect();
        let parts = chunks(&short, "userName");
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|c| c.len() <= NAMES_PER_QUERY));
        let long: Vec<String> = (0..30)
            .map(|i| format!("{i}-{}", "x".repeat(300)))
            .collect();
        let parts = chunks(&long, "userName");
        assert!(
            parts
                .iter()
                .all(|c| c.len() == 1
                    || c.iter().map(|n| n.len() + 20).sum::<usize>() <= FILTER_CHARS)
        );
        assert_eq!(parts.iter().map(|c| c.len()).sum::<usize>(), 30);
        assert!(chunks(&[], "userName").is_empty());
    }

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

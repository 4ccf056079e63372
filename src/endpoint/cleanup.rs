//! Deleting what runs created: at the end of a run, everything in the ledger (groups first);
//! and `scimspec cleanup`, which finds what earlier runs left (names starting with the run
//! prefix) and deletes it. Nothing without the prefix is ever touched.

use super::{ConnOptions, OutRequest, Target};
use crate::process::{EXIT_FAILED, EXIT_OK, fatal};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

pub struct Summary {
    pub prefix: String,
    pub found: Vec<String>,
    pub deleted: usize,
    pub left: Vec<String>,
    pub dry_run: bool,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for r in &self.found {
            writeln!(f, "  {r}")?;
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

/// True for names a run made: `scimspec-<8 hex run id>-…` (or the given run's prefix).
fn ours(name: &str, prefix: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if !lower.starts_with(prefix) {
        return false;
    }
    if prefix == "scimspec-" {
        let rest = &lower[prefix.len()..];
        let id: String = rest.chars().take_while(|c| *c != '-').collect();
        return id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()) && rest.len() > 9;
    }
    true
}

/// Every resource of a collection whose `attr` is ours: by `sw` filter, or by paging through all
/// when the server does not filter.
async fn find(
    target: &Target,
    collection: &str,
    attr: &str,
    prefix: &str,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut start = 1u64;
    let mut use_filter = true;
    loop {
        let mut query = vec![
            ("startIndex".to_owned(), start.to_string()),
            ("count".to_owned(), "100".to_owned()),
        ];
        if use_filter {
            query.push(("filter".to_owned(), format!("{attr} sw \"{prefix}\"")));
        }
        let resp = target
            .send(&request("GET", collection, query))
            .await
            .map_err(|e| format!("GET {collection}: {e}"))?;
        if resp.status == 404 && collection == "/Groups" {
            return Ok(out);
        }
        if matches!(resp.status, 400 | 501) && use_filter {
            use_filter = false;
            start = 1;
            continue;
        }
        if resp.status != 200 {
            return Err(format!("GET {collection} answered {}", resp.status));
        }
        let body: Value = serde_json::from_slice(&resp.body)
            .map_err(|_| format!("GET {collection} answered a body that is not JSON"))?;
        let items = body
            .get("Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in &items {
            let name = item.get(attr).and_then(Value::as_str).unwrap_or("");
            if let Some(id) = item.get("id").and_then(Value::as_str)
                && ours(name, prefix)
            {
                out.push((id.to_owned(), name.to_owned()));
            }
        }
        let total = body
            .get("totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        start += items.len() as u64;
        if items.is_empty() || start > total || start > 100_000 {
            break;
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub async fn sweep(target: &Target, prefix: &str, dry_run: bool) -> Result<Summary, String> {
    let mut summary = Summary {
        prefix: prefix.to_owned(),
        found: Vec::new(),
        deleted: 0,
        left: Vec::new(),
        dry_run,
    };
    for (collection, attr) in [("/Groups", "displayName"), ("/Users", "userName")] {
        for (id, name) in find(target, collection, attr, prefix).await? {
            let path = format!("{collection}/{id}");
            summary.found.push(format!("{path} ({name})"));
            if dry_run {
                continue;
            }
            match target.send(&request("DELETE", &path, Vec::new())).await {
                Ok(r) if (200..300).contains(&r.status) || r.status == 404 => summary.deleted += 1,
                Ok(r) => summary.left.push(format!("{path} ({})", r.status)),
                Err(e) => summary.left.push(format!("{path} ({e})")),
            }
        }
    }
    Ok(summary)
}

/// Deletes what the run created, groups first. Returns the summary line.
pub async fn delete_created(target: &Arc<Target>) -> String {
    /// Deletes at once; a remote tenant answers slowly, and hundreds of resources add up.
    const AT_ONCE: usize = 16;
    let pending = target.ledger.pending();
    let created = target.ledger.created_count();
    let mut left = Vec::new();
    // Groups first (the ledger orders them so), then the rest: members must outlive their groups.
    let (groups, others): (Vec<_>, Vec<_>) = pending
        .into_iter()
        .partition(|c| c.collection.to_ascii_lowercase().ends_with("/groups"));
    for batch in [groups, others] {
        let mut tasks = tokio::task::JoinSet::new();
        for c in batch {
            while tasks.len() >= AT_ONCE {
                if let Some(Ok(Some(l))) = tasks.join_next().await {
                    left.push(l);
                }
            }
            let target = target.clone();
            tasks.spawn(async move {
                let req = OutRequest::new("DELETE", &c.path());
                match target.send(&req).await {
                    Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                        target.ledger.mark_deleted(&c.path());
                        None
                    }
                    Ok(r) => Some(format!("{} ({})", c.path(), r.status)),
                    Err(e) => Some(format!("{} ({e})", c.path())),
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            if let Ok(Some(l)) = done {
                left.push(l);
            }
        }
    }
    left.sort();
    let remaining = target.ledger.pending().len();
    let mut line = format!(
        "{created} created, {} deleted, {remaining} left",
        created - remaining
    );
    if !left.is_empty() {
        line.push_str(&format!(": {}", left.join(", ")));
    }
    line
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

//! `scimspec cleanup`: find what earlier runs left (names starting with the run prefix) and delete
//! it, groups first. Nothing without the prefix is ever touched.

use super::{OutRequest, Target};
use serde_json::Value;
use std::fmt;

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

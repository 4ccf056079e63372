//! Cleanup as each case ends: what a case created (and did not delete itself) is deleted in the
//! case's own slot, so the run ends when its last case ends and the end-of-run cleanup only
//! sweeps. Cases that page or count listings of the tenant (no filter on their own names) would
//! see those pages shift under them: while any of them runs, case-end deletes are held (and
//! flushed by the next case that ends with none of them running), and such a case starts only
//! when no case-end DELETE is in flight. Everything held stays in the ledger, so an interrupt or
//! an early end leaves it to the end-of-run cleanup.

use super::Target;
use super::bulk_delete;
use super::ledger::Created;
use crate::suite::{self, Case};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug, Default)]
struct State {
    /// Cases reading tenant pages, running now.
    listing: usize,
    /// Such cases waiting for the case-end DELETEs in flight to finish.
    listing_waiting: usize,
    /// Case-end DELETE batches in flight.
    deleting: usize,
    /// What ended cases created, held while listing cases run.
    held: Vec<Created>,
}

#[derive(Debug, Default)]
pub struct CaseEnd {
    enabled: AtomicBool,
    jobs: AtomicUsize,
    state: Mutex<State>,
    changed: tokio::sync::Notify,
}

fn lock(m: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CaseEnd {
    /// Switches case-end cleanup on (not with `--keep`), `jobs` DELETEs at a time.
    pub fn enable(&self, jobs: usize) {
        self.jobs.store(jobs.clamp(1, 64), Ordering::SeqCst);
        self.enabled.store(true, Ordering::SeqCst);
    }

    /// A case that reads tenant pages is about to start: waits until no case-end DELETE is in
    /// flight; from then on until [`CaseEnd::ended`] no DELETE starts.
    pub async fn listing_starts(&self) {
        let mut counted = false;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before the state is read: a change in between still wakes this task.
            notified.as_mut().enable();
            {
                let mut s = lock(&self.state);
                if s.deleting == 0 {
                    s.listing += 1;
                    if counted {
                        s.listing_waiting -= 1;
                    }
                    return;
                }
                if !counted {
                    s.listing_waiting += 1;
                    counted = true;
                }
            }
            notified.await;
        }
    }

    /// A case ended (`listing`: it had called [`CaseEnd::listing_starts`]); `made` is what it
    /// created. Deletes what is still there — with what earlier cases left held — unless cases
    /// reading tenant pages run or wait, in which case it is held for a later case to flush.
    /// DELETEs that fail are left in the ledger for the end-of-run cleanup (with its retries).
    pub async fn ended(&self, target: &Target, made: Vec<Created>, listing: bool) {
        let enabled = self.enabled.load(Ordering::SeqCst);
        // With Bulk, deletes wait until a request's worth is held: the end-of-run cleanup sends
        // the rest in one request, so the run still ends when its last case ends.
        let batch_size = target
            .bulk_delete
            .get()
            .filter(|b| b.usable())
            .map_or(1, bulk_delete::BulkDelete::batch_size);
        let made: Vec<Created> = made
            .into_iter()
            .filter(|c| {
                c.id.as_deref()
                    .is_some_and(|id| !target.ledger.is_deleted(&c.collection, id))
            })
            .collect();
        let batch = {
            let mut s = lock(&self.state);
            if listing {
                s.listing = s.listing.saturating_sub(1);
            }
            if enabled {
                s.held.extend(made);
            }
            if !enabled
                || s.listing > 0
                || s.listing_waiting > 0
                || s.held.is_empty()
                || s.held.len() < batch_size
            {
                None
            } else {
                s.deleting += 1;
                Some(std::mem::take(&mut s.held))
            }
        };
        if let Some(batch) = batch {
            self.delete(target, batch).await;
            lock(&self.state).deleting -= 1;
        }
        self.changed.notify_waiters();
    }

    async fn delete(&self, target: &Target, batch: Vec<Created>) {
        let ledger = &target.ledger;
        // Only what is still there: a case's own DELETE, or an earlier flush, settled the rest.
        let mut seen = std::collections::HashSet::new();
        let batch: Vec<Created> = batch
            .into_iter()
            .filter(|c| {
                c.id.as_deref().is_some_and(|id| {
                    seen.insert((c.collection.clone(), id.to_owned()))
                        && !ledger.is_deleted(&c.collection, id)
                })
            })
            .collect();
        let jobs = self.jobs.load(Ordering::SeqCst).max(1);
        for (c, result) in bulk_delete::delete(target, batch, jobs).await {
            // By path: the ledger's own entry for this id is the one settled.
            if let (Ok(()), Ok(path)) = (result, c.path()) {
                ledger.mark_deleted(&path);
            }
        }
    }
}

/// Whether a case reads listings of the tenant that other cases' deletes would change: a list
/// or search (of /Users, /Groups or the root) whose filter is absent or does not name the case's
/// own generated values (`${…}`), sent with the run's credentials and expected to succeed (a
/// request the server must refuse reads no page).
pub fn reads_tenant_pages(case: &Case) -> bool {
    case.steps.iter().any(|s| {
        s.wait_ms.is_none()
            && s.request.auth == suite::Auth::Default
            && may_succeed(&s.expect)
            && lists_beyond_own_names(&s.request)
    })
}

fn may_succeed(expect: &suite::Expect) -> bool {
    let ok = |c: &suite::Checks| {
        c.status
            .as_ref()
            .is_none_or(|(codes, _)| codes.iter().any(|&s| s == 2 || (200..300).contains(&s)))
    };
    ok(&expect.checks) && (expect.any_of.is_empty() || expect.any_of.iter().any(|a| ok(&a.checks)))
}

fn lists_beyond_own_names(req: &suite::Request) -> bool {
    let (path, inline_query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let trimmed = path.trim_end_matches('/');
    let method = req.method.to_ascii_uppercase();
    let own = |filter: &str| filter.contains("${");
    if method == "GET" && matches!(trimmed, "" | "/Users" | "/Groups") {
        let filter = req
            .query
            .iter()
            .find(|(k, _)| k == "filter")
            .map(|(_, v)| v.as_str())
            .or_else(|| {
                inline_query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("filter="))
            });
        return !filter.is_some_and(own);
    }
    if method == "POST" && (trimmed.ends_with("/.search") || trimmed == ".search") {
        return match &req.body {
            Some(suite::Body::Json(serde_json::Value::Object(o))) => !o
                .get("filter")
                .and_then(serde_json::Value::as_str)
                .is_some_and(own),
            // A malformed search the server must refuse reads nothing.
            _ => false,
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::reads_tenant_pages;
    use crate::catalog::Catalog;
    use crate::run::plan::load_suites;

    /// The paging cases that other cases' deletes made flaky are found from their requests
    /// alone; cases that list only their own names, or send a request the server must refuse,
    /// are not held up.
    #[test]
    fn cases_reading_tenant_pages_are_found_from_their_requests() {
        let suites = load_suites(&[], &Catalog::builtin()).unwrap_or_default();
        let reads = |suite: &str, case: &str| {
            let found = suites
                .iter()
                .filter(|s| s.id == suite)
                .flat_map(|s| &s.cases)
                .find(|c| c.id == case);
            match found {
                Some(c) => reads_tenant_pages(c),
                None => panic!("no case {suite}::{case}"),
            }
        };
        assert!(reads("idp.okta", "import-users-next-pages"));
        assert!(reads("looop.okta-users", "import-users-paged"));
        assert!(reads("rfc7644.3.4.2-query", "total-results-unfiltered"));
        assert!(!reads("rfc7644.3.3-create", "returns-201-with-resource"));
        assert!(!reads(
            "rfc7644.3.4.2.4-pagination",
            "pages-cover-all-results"
        ));
        assert!(!reads(
            "rfc7644.2-authentication",
            "www-authenticate-without-credentials"
        ));
    }
}

//! Every resource a run may have caused, recorded the moment the answer arrives (or the request
//! is sent, when no answer tells), so the run can delete it at the end whatever happened in
//! between: by id when the server gave one, by its run-prefixed name when it did not.

use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// The collection path it was created in, relative to the base URL (`/Users`).
    pub collection: String,
    /// The server's id as text (numbers included); `None` when the answer gave none.
    pub id: Option<String>,
    /// The userName or displayName it was created with, when known.
    pub name: Option<String>,
}

impl Created {
    /// The resource's path, the id percent-encoded as one segment; an error when the id cannot
    /// be one (it is then never used in a request).
    pub fn path(&self) -> Result<String, String> {
        let id = self
            .id
            .as_deref()
            .ok_or_else(|| "the server gave no id".to_owned())?;
        Ok(format!(
            "{}/{}",
            self.collection.trim_end_matches('/'),
            super::segment(id)?
        ))
    }

    /// How the console shows it: path and name.
    pub fn label(&self) -> String {
        let what = match (&self.id, &self.path()) {
            (_, Ok(p)) => p.clone(),
            (Some(id), Err(_)) => format!(
                "{}/{}",
                self.collection.trim_end_matches('/'),
                super::redact::neutralise(id)
            ),
            (None, _) => format!("{} (no id)", self.collection),
        };
        match &self.name {
            Some(n) => format!("{what} ({})", super::redact::neutralise(n)),
            None => what,
        }
    }

    /// Groups go first: deleting a user a group still references is refused by some servers.
    fn order(&self) -> u8 {
        u8::from(!self.is_group())
    }

    pub fn is_group(&self) -> bool {
        self.collection.to_ascii_lowercase().ends_with("/groups")
    }
}

/// Where a name the run sent may name a resource: a write to /Users names users, one to
/// /Groups names groups; a Bulk request (or any other write) may name either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Users,
    Groups,
    Anywhere,
}

impl Place {
    pub fn of(collection: &str) -> Place {
        match collection
            .trim_matches('/')
            .split('/')
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("users") => Place::Users,
            Some("groups") => Place::Groups,
            _ => Place::Anywhere,
        }
    }
}

/// A name the run sent: where it may name a resource, and how many of the writes that carried
/// it have an effect the ledger does not know (not answered 2xx, or not on a resource it holds).
#[derive(Debug)]
struct NameState {
    place: Place,
    unsettled: u32,
}

#[derive(Debug, Default)]
pub struct Ledger {
    created: Mutex<Vec<Created>>,
    deleted: Mutex<Vec<Created>>,
    /// Every userName/displayName the run sent in a write, with where it may have been used:
    /// what the final sweep looks for (and where).
    names: Mutex<BTreeMap<String, NameState>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Ledger {
    pub fn record(&self, collection: &str, id: &str) {
        self.record_created(collection, Some(id), None);
    }

    /// A create answered 2xx (or may have happened): by id when known, else by name.
    pub fn record_created(&self, collection: &str, id: Option<&str>, name: Option<&str>) {
        let c = Created {
            collection: collection.to_owned(),
            id: id.map(str::to_owned),
            name: name.map(str::to_owned),
        };
        if let Some(n) = name {
            self.note_name(n, Place::of(collection), false);
        }
        let mut all = lock(&self.created);
        let same = all
            .iter_mut()
            .find(|x| x.collection == c.collection && x.id.is_some() && x.id == c.id);
        match same {
            Some(x) => {
                // Created again after a delete (a PUT that upserts): pending once more.
                lock(&self.deleted).retain(|d| d != &*x);
                if x.name.is_none() {
                    x.name = c.name;
                }
            }
            None => {
                // A by-name entry made earlier (a timeout) is settled by the id now known.
                if c.id.is_some()
                    && let Some(x) = all.iter_mut().find(|x| {
                        x.collection == c.collection && x.id.is_none() && x.name == c.name
                    })
                {
                    x.id = c.id;
                    return;
                }
                if !all.contains(&c) {
                    all.push(c);
                }
            }
        }
    }

    /// A name the run sent (`sent`: in a write about to go out, whose effect is unknown until
    /// its answer settles it) or recorded with a resource.
    pub fn note_name(&self, name: &str, place: Place, sent: bool) {
        let mut names = lock(&self.names);
        let state = names.entry(name.to_owned()).or_insert(NameState {
            place,
            unsettled: 0,
        });
        if state.place != place {
            state.place = Place::Anywhere;
        }
        if sent {
            state.unsettled += 1;
        }
    }

    /// A write that carried `name` was answered 2xx and made or changed a resource the ledger
    /// holds by id: whatever it did to that name, the deletes by id undo.
    fn settle_name(&self, name: &str) {
        if let Some(state) = lock(&self.names).get_mut(name) {
            state.unsettled = state.unsettled.saturating_sub(1);
        }
    }

    /// The names the final sweep looks for in the Groups (`groups`) or the Users collection:
    /// those a write carried whose effect the ledger does not know (no answer, an error, a
    /// Bulk request, a write to a resource it does not hold). A name only ever sent in writes
    /// answered 2xx on resources the ledger holds names nothing the deletes by id missed.
    pub fn names(&self, groups: bool) -> Vec<String> {
        let wanted = if groups { Place::Groups } else { Place::Users };
        lock(&self.names)
            .iter()
            .filter(|(_, s)| s.unsettled > 0 && (s.place == wanted || s.place == Place::Anywhere))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Whether the ledger holds the resource with this id in this collection.
    fn holds(&self, collection: &str, id: &str) -> bool {
        lock(&self.created)
            .iter()
            .any(|c| c.collection == collection && c.id.as_deref() == Some(id))
    }

    /// A case (or the cleanup) deleted the resource at this path (its DELETE answered 2xx or 404).
    pub fn mark_deleted(&self, path: &str) {
        let path = path
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        let created = lock(&self.created);
        if let Some(c) = created
            .iter()
            .find(|c| c.path().is_ok_and(|p| path.ends_with(&p)))
        {
            let mut deleted = lock(&self.deleted);
            if !deleted.contains(c) {
                deleted.push(c.clone());
            }
        }
    }

    /// The cleanup deleted this entry (also entries found by name, which have no path before).
    pub fn mark_entry_deleted(&self, c: &Created) {
        let mut deleted = lock(&self.deleted);
        if !deleted.contains(c) {
            deleted.push(c.clone());
        }
    }

    /// Whether the resource with this id in this collection is already known to be gone.
    pub fn is_deleted(&self, collection: &str, id: &str) -> bool {
        lock(&self.deleted)
            .iter()
            .any(|c| c.collection == collection && c.id.as_deref() == Some(id))
    }

    pub fn created_count(&self) -> usize {
        lock(&self.created).len()
    }

    /// What is still to delete, groups first.
    pub fn pending(&self) -> Vec<Created> {
        let created = lock(&self.created);
        let deleted = lock(&self.deleted);
        let mut out: Vec<Created> = created
            .iter()
            .filter(|c| !deleted.contains(c))
            .cloned()
            .collect();
        out.sort_by_key(Created::order);
        out
    }
}

/// The collection and the id segments of a request path relative to the base URL:
/// `/Users/abc` → (`/Users`, [`abc`]). Absolute URLs count only inside the base URL.
fn split(target: &super::Target, path: &str) -> Option<(String, Vec<String>)> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let rel = if path.starts_with("http://") || path.starts_with("https://") {
        let url = target.checked_url(path).ok()?;
        url.path()
            .strip_prefix(target.base_path.as_str())
            .map(str::to_owned)?
    } else {
        path.to_owned()
    };
    let mut segs = rel.trim_matches('/').split('/').filter(|s| !s.is_empty());
    let first = segs.next()?;
    if !first.eq_ignore_ascii_case("users") && !first.eq_ignore_ascii_case("groups") {
        return None;
    }
    let rest = segs
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    Some((format!("/{first}"), rest))
}

/// The id a Location names (its last path segment, decoded), if it is inside the base URL.
fn id_from_location(target: &super::Target, location: &str) -> Option<String> {
    let (_, rest) = split(target, location)?;
    rest.last().cloned()
}

fn id_of(body: &Value) -> Option<String> {
    match body.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The name a create body gives the resource (userName, or displayName for groups).
fn name_in(body: &Value, collection: &str) -> Option<String> {
    let key = if collection.eq_ignore_ascii_case("/groups") {
        "displayName"
    } else {
        "userName"
    };
    body.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned)
}

/// The run's names in a write body (`run_id`: the run whose marker they carry).
fn run_names(body: &Value, run_id: &str) -> Vec<String> {
    let mut names = Vec::new();
    marked_names(
        body,
        &format!("scimspec-{run_id}").to_ascii_lowercase(),
        &mut names,
    );
    names
}

/// Every userName / displayName (or PATCH value) in a write body that carries the run's marker.
fn marked_names(body: &Value, marker: &str, out: &mut Vec<String>) {
    match body {
        Value::Object(o) => {
            for (k, v) in o {
                let named = ["userName", "displayName", "value"]
                    .iter()
                    .any(|n| k.eq_ignore_ascii_case(n));
                match v {
                    Value::String(s) if named && s.to_ascii_lowercase().contains(marker) => {
                        out.push(s.clone())
                    }
                    _ => marked_names(v, marker, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| marked_names(i, marker, out)),
        _ => {}
    }
}

/// Notes the run's names a write request carries, before it is sent: whatever happens to the
/// answer (a case timeout drops it), the final sweep looks for them.
pub fn before_send(target: &super::Target, run_id: &str, req: &super::OutRequest) {
    if matches!(
        req.method.to_ascii_uppercase().as_str(),
        "GET" | "HEAD" | "DELETE"
    ) {
        return;
    }
    let Some(b) = req
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
    else {
        return;
    };
    let place = split(target, &req.path).map_or(Place::Anywhere, |(c, _)| Place::of(&c));
    for n in run_names(&b, run_id) {
        target.ledger.note_name(&n, place, true);
    }
}

/// Records what an exchange may have created, and what it deleted. `answer` is `None` when no
/// answer came (a timeout may still have created the resource). `run_id` marks the run's names.
/// Returns what it created with a known id: the caller's to delete when its case ends (a shared
/// fixture's creations, which belong to the run, are never handed to a case's cleanup).
pub fn track(
    target: &super::Target,
    run_id: &str,
    req: &super::OutRequest,
    answer: Option<&super::InResponse>,
) -> Vec<Created> {
    let mut made = Vec::new();
    let mut record = |collection: &str, id: Option<&str>, name: Option<&str>| {
        target.ledger.record_created(collection, id, name);
        if let Some(id) = id {
            made.push(Created {
                collection: collection.to_owned(),
                id: Some(id.to_owned()),
                name: name.map(str::to_owned),
            });
        }
    };
    let ledger = &target.ledger;
    let Some((collection, rest)) = split(target, &req.path).or_else(|| {
        let p = req
            .path
            .split('?')
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        p.eq_ignore_ascii_case("/bulk")
            .then(|| ("/Bulk".to_owned(), Vec::new()))
    }) else {
        return made;
    };
    let sent: Option<Value> = req
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice(b).ok());
    let status = answer.map(|a| a.status);
    let ok = status.is_some_and(|s| (200..300).contains(&s));
    // No answer, or a 5xx: the server may have created it anyway.
    let maybe = status.is_none_or(|s| s >= 500);
    let got: Option<Value> = answer.and_then(|a| serde_json::from_slice(&a.body).ok());
    let method = req.method.to_ascii_uppercase();
    match (method.as_str(), rest.as_slice()) {
        ("POST", []) if collection == "/Bulk" => {
            let ops = sent
                .as_ref()
                .and_then(|b| b.get("Operations"))
                .and_then(Value::as_array);
            let results = got
                .as_ref()
                .and_then(|b| b.get("Operations"))
                .and_then(Value::as_array);
            for op in ops.into_iter().flatten() {
                let is_post = op
                    .get("method")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.eq_ignore_ascii_case("POST"));
                let Some(op_path) = op.get("path").and_then(Value::as_str) else {
                    continue;
                };
                let Some((coll, op_rest)) = split(target, op_path) else {
                    continue;
                };
                if !is_post || !op_rest.is_empty() {
                    continue;
                }
                let name = op.get("data").and_then(|d| name_in(d, &coll));
                let bulk_id = op.get("bulkId");
                let result = results.and_then(|rs| {
                    rs.iter()
                        .find(|r| bulk_id.is_some() && r.get("bulkId") == bulk_id)
                });
                let id = result
                    .and_then(|r| r.get("location"))
                    .and_then(Value::as_str)
                    .and_then(|l| id_from_location(target, l));
                if id.is_some() || name.is_some() {
                    record(&coll, id.as_deref(), name.as_deref());
                }
            }
        }
        ("POST", []) if ok || maybe => {
            let name = sent.as_ref().and_then(|b| name_in(b, &collection));
            let id = if ok {
                got.as_ref().and_then(id_of).or_else(|| {
                    answer
                        .and_then(|a| a.header("location"))
                        .and_then(|l| id_from_location(target, l))
                })
            } else {
                None
            };
            if id.is_some() || name.is_some() {
                record(&collection, id.as_deref(), name.as_deref());
            }
        }
        ("PUT", [id]) if status == Some(201) || maybe => {
            let name = sent.as_ref().and_then(|b| name_in(b, &collection));
            if status == Some(201) {
                record(&collection, Some(id), name.as_deref());
            } else if name.is_some() {
                record(&collection, None, name.as_deref());
            }
        }
        ("DELETE", [_]) if ok || status == Some(404) => ledger.mark_deleted(&req.path),
        _ => {}
    }
    // Names settle only where the answer tells the whole effect: a create that gave its id, or
    // a PUT/PATCH answered 2xx on a resource the ledger holds. Bulk requests never settle.
    let settled = ok
        && match (method.as_str(), rest.as_slice()) {
            ("POST", []) => collection != "/Bulk" && !made.is_empty(),
            ("PUT" | "PATCH", [id]) => ledger.holds(&collection, id),
            _ => false,
        };
    if settled && let Some(body) = &sent {
        for n in run_names(body, run_id) {
            ledger.settle_name(&n);
        }
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_ids_have_no_path() {
        let l = Ledger::default();
        l.record("/Users", "../Groups/victim");
        l.record("/Users", "a b");
        let p: Vec<Result<String, String>> = l.pending().iter().map(Created::path).collect();
        assert!(p[0].is_err());
        assert_eq!(p[1].as_deref(), Ok("/Users/a%20b"));
        l.mark_deleted("/Users/a%20b");
        assert_eq!(l.pending().len(), 1);
    }

    #[test]
    fn a_name_entry_is_settled_by_its_id() {
        let l = Ledger::default();
        l.record_created("/Users", None, Some("scimspec-1-x"));
        l.record_created("/Users", Some("7"), Some("scimspec-1-x"));
        assert_eq!(l.created_count(), 1);
        assert_eq!(l.pending()[0].path().as_deref(), Ok("/Users/7"));
    }
}

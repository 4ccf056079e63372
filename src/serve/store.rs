//! The in-memory resource store.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use super::schema::Kind;

/// One stored User or Group.
#[derive(Clone, Debug)]
pub struct Resource {
    pub kind: Kind,
    pub id: String,
    /// Attributes in their schema spelling: core attributes (and externalId) at the top level,
    /// extension attributes inside an object keyed by the extension URN.
    pub data: Map<String, Value>,
    /// The writeOnly password, never rendered.
    pub password: Option<String>,
    pub created: jiff::Timestamp,
    pub last_modified: jiff::Timestamp,
    pub version: u64,
    /// Insertion order, for stable listings.
    pub seq: u64,
    /// Soft-deleted (only with the get-deleted-returns-200 fault).
    pub deleted: bool,
    /// The schemas list the client sent (kept for the schemas-duplicates-kept fault).
    pub sent_schemas: Option<Vec<String>>,
    /// Overrides of meta values taken from a client (put-readonly-overwritten fault).
    pub meta_override: Map<String, Value>,
}

impl Resource {
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }

    pub fn user_name(&self) -> Option<&str> {
        self.data.get("userName").and_then(Value::as_str)
    }
}

/// The comparison key of a userName: PRECIS-like preparation (width mapping and NFKC, then
/// case folding), RFC 7644 §5 and §7.8.
pub fn username_key(s: &str) -> String {
    s.nfkc().collect::<String>().to_lowercase().nfc().collect()
}

/// The attributes an `eq` filter finds through the index instead of a scan (RFC 7643's
/// identifying attributes: what an IdP filters on).
pub const INDEXED: [&str; 3] = ["userName", "externalId", "displayName"];

/// Where to look up: kind, attribute (one of [`INDEXED`]), prepared value. Ordered, so that the
/// values starting with a prefix are one range.
type IndexKey = (Kind, &'static str, String);

/// The stored resources of each kind in insertion order, found by id through a map of their
/// places: a listing, or the groups of a user, reads only the resources of its kind, already in
/// order (a large tenant's users are not sorted, hashed nor passed over to find its few groups).
///
/// Whoever holds a `&mut Resource` (from [`Resources::get_mut`] or [`Resources::values_mut`])
/// must not change its `kind` or `seq`: re-[`insert`](Resources::insert) it instead. Every
/// resource has its own `seq` ([`Store::next_seq`]); a resource moved to another id keeps its.
#[derive(Debug, Default)]
pub struct Resources {
    in_order: BTreeMap<(Kind, u64), Resource>,
    place: HashMap<String, (Kind, u64)>,
}

impl Resources {
    /// Stores `r` under `id`, replacing (and returning) whatever was stored under it.
    pub fn insert(&mut self, id: String, r: Resource) -> Option<Resource> {
        let at = (r.kind, r.seq);
        let old = self
            .place
            .insert(id, at)
            .and_then(|was| self.in_order.remove(&was));
        if let Some(displaced) = self.in_order.insert(at, r) {
            // Never happens (seqs are unique); if it did, the one displaced is gone for good.
            if self.place.get(&displaced.id) == Some(&at) {
                self.place.remove(&displaced.id);
            }
        }
        old
    }

    pub fn remove(&mut self, id: &str) -> Option<Resource> {
        let at = self.place.remove(id)?;
        self.in_order.remove(&at)
    }

    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.in_order.get(self.place.get(id)?)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Resource> {
        self.in_order.get_mut(self.place.get(id)?)
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.place.contains_key(id)
    }

    /// Every stored resource (deleted ones too), users first, each kind in insertion order.
    pub fn values(&self) -> impl Iterator<Item = &Resource> {
        self.in_order.values()
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Resource> {
        self.in_order.values_mut()
    }

    /// The resources of `kind` (deleted ones too), in insertion order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Resource> {
        self.in_order
            .range((kind, 0)..=(kind, u64::MAX))
            .map(|(_, r)| r)
    }

    fn of_kind_mut(&mut self, kind: Kind) -> impl Iterator<Item = &mut Resource> {
        self.in_order
            .range_mut((kind, 0)..=(kind, u64::MAX))
            .map(|(_, r)| r)
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub resources: Resources,
    /// Ids by prepared value of each [`INDEXED`] attribute. A superset: whoever reads it checks
    /// the filter on each candidate, so an entry left by a delete or rename is harmless; every
    /// write of `data` calls [`Store::reindex`] so that no current value is missing.
    index: BTreeMap<IndexKey, HashSet<String>>,
    /// The keys each id is filed under, to unfile them on the next write.
    filed: HashMap<String, Vec<IndexKey>>,
    /// Ids deleted so far (kept only for the delete-twice-204 fault).
    pub deleted_ids: HashSet<String>,
    /// userNames of deleted users still held by the uniqueness check (the
    /// deleted-username-reserved fault).
    pub reserved_user_names: Vec<String>,
    next_seq: u64,
    next_version: u64,
    last_ts: Option<jiff::Timestamp>,
}

impl Store {
    /// A timestamp at microsecond precision, strictly later than any handed out before, so that
    /// created/lastModified order the resources and compare exactly with their text form.
    pub fn now(&mut self) -> jiff::Timestamp {
        let now = jiff::Timestamp::now();
        let micros = now.as_microsecond();
        let micros = match self.last_ts {
            Some(last) if last.as_microsecond() >= micros => last.as_microsecond() + 1,
            _ => micros,
        };
        let ts = jiff::Timestamp::from_microsecond(micros).unwrap_or(now);
        self.last_ts = Some(ts);
        ts
    }

    pub fn next_version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version
    }

    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Files `id` under the current values of its indexed attributes (after any write of its
    /// data, or a create).
    pub fn reindex(&mut self, id: &str) {
        if let Some(old) = self.filed.remove(id) {
            for k in old {
                if let Some(ids) = self.index.get_mut(&k) {
                    ids.remove(id);
                    if ids.is_empty() {
                        self.index.remove(&k);
                    }
                }
            }
        }
        let Some(r) = self.resources.get(id) else {
            return;
        };
        let keys: Vec<IndexKey> = INDEXED
            .iter()
            .filter_map(|a| {
                let v = r.data.get(*a)?.as_str()?;
                Some((r.kind, *a, username_key(v)))
            })
            .collect();
        for k in &keys {
            self.index
                .entry(k.clone())
                .or_default()
                .insert(id.to_owned());
        }
        self.filed.insert(id.to_owned(), keys);
    }

    /// Live resources of `kind` that may have `attr` equal to `value` (case-insensitively, after
    /// preparation): a superset of the exact matches, in insertion order.
    pub fn candidates(&self, kind: Kind, attr: &'static str, value: &str) -> Vec<&Resource> {
        let key = (kind, attr, username_key(value));
        self.live_in_order(kind, self.index.get(&key).into_iter().flatten())
    }

    /// Live resources of `kind` whose prepared `attr` starts with the prepared `prefix`: a
    /// superset of those a case-insensitive `sw` matches (it compares prepared values), in
    /// insertion order.
    pub fn candidates_prefix(
        &self,
        kind: Kind,
        attr: &'static str,
        prefix: &str,
    ) -> Vec<&Resource> {
        let prefix = username_key(prefix);
        let ids = self
            .index
            .range((kind, attr, prefix.clone())..)
            .take_while(|((k, a, v), _)| *k == kind && *a == attr && v.starts_with(&prefix))
            .flat_map(|(_, ids)| ids);
        self.live_in_order(kind, ids)
    }

    /// The live resources of `kind` ordered by the prepared value of `attr` (one of
    /// [`INDEXED`]), ties in insertion order, those without a value after the others (reversed
    /// for `descending`, ties still in insertion order, those without a value first): what a
    /// stable sort by the prepared value gives, without preparing or rendering anything.
    /// `None` when some resource holds a value that is not a string (it sorts by its text).
    pub fn sorted_by(
        &self,
        kind: Kind,
        attr: &'static str,
        descending: bool,
    ) -> Option<Vec<&Resource>> {
        let mut unvalued = Vec::new();
        let mut valued = 0;
        for r in self.list(Some(kind)) {
            match r.data.get(attr) {
                None => unvalued.push(r),
                Some(Value::String(_)) => valued += 1,
                Some(_) => return None,
            }
        }
        // Each value's resources, values in order (one allocation, not one per value).
        let mut flat: Vec<&Resource> = Vec::with_capacity(valued);
        let mut bounds: Vec<usize> = Vec::new();
        for (_, ids) in self
            .index
            .range((kind, attr, String::new())..)
            .take_while(|((k, a, _), _)| *k == kind && *a == attr)
        {
            let start = flat.len();
            flat.extend(ids.iter().filter_map(|id| self.get(kind, id)));
            if flat.len() > start {
                flat[start..].sort_by_key(|r| r.seq);
                bounds.push(start);
            }
        }
        // Every write reindexes: each valued resource is filed under its one current value.
        if flat.len() != valued {
            return None;
        }
        if !descending {
            flat.append(&mut unvalued);
            return Some(flat);
        }
        let mut v: Vec<&Resource> = Vec::with_capacity(flat.len() + unvalued.len());
        v.append(&mut unvalued);
        let mut end = flat.len();
        for start in bounds.into_iter().rev() {
            v.extend_from_slice(&flat[start..end]);
            end = start;
        }
        Some(v)
    }

    fn live_in_order<'a>(
        &'a self,
        kind: Kind,
        ids: impl Iterator<Item = &'a String>,
    ) -> Vec<&'a Resource> {
        let mut v: Vec<&Resource> = ids.filter_map(|id| self.get(kind, id)).collect();
        v.sort_by_key(|r| r.seq);
        v.dedup_by(|a, b| a.id == b.id);
        v
    }

    /// Adds `n` minimal users (`seed-N@example.com`, externalId `seed-N`) at once, for a large
    /// tenant in tests and benchmarks.
    pub fn seed_users(&mut self, n: usize) {
        let width = n.to_string().len().max(5);
        for i in 1..=n {
            let id = uuid::Uuid::new_v4().to_string();
            let mut data = Map::new();
            data.insert(
                "userName".into(),
                Value::String(format!("seed-{i:0width$}@example.com")),
            );
            data.insert(
                "externalId".into(),
                Value::String(format!("seed-{i:0width$}")),
            );
            data.insert("active".into(), Value::Bool(true));
            let now = self.now();
            let r = Resource {
                kind: Kind::User,
                id: id.clone(),
                data,
                password: None,
                created: now,
                last_modified: now,
                version: self.next_version(),
                seq: self.next_seq(),
                deleted: false,
                sent_schemas: None,
                meta_override: Map::new(),
            };
            self.resources.insert(id.clone(), r);
            self.reindex(&id);
        }
    }

    /// A live (not deleted) resource of the given kind.
    pub fn get(&self, kind: Kind, id: &str) -> Option<&Resource> {
        self.resources
            .get(id)
            .filter(|r| r.kind == kind && !r.deleted)
    }

    pub fn get_any(&self, id: &str) -> Option<&Resource> {
        self.resources.get(id).filter(|r| !r.deleted)
    }

    /// Live resources of a kind (all kinds for `None`), in insertion order.
    pub fn list(&self, kind: Option<Kind>) -> Vec<&Resource> {
        match kind {
            Some(k) => self.resources.of_kind(k).filter(|r| !r.deleted).collect(),
            None => {
                let mut v: Vec<&Resource> =
                    self.resources.values().filter(|r| !r.deleted).collect();
                v.sort_by_key(|r| r.seq);
                v
            }
        }
    }

    /// The id of a live user, other than `except`, whose userName clashes with `name`.
    pub fn username_taken(
        &self,
        name: &str,
        except: Option<&str>,
        case_sensitive: bool,
    ) -> Option<&str> {
        let key = if case_sensitive {
            name.to_string()
        } else {
            username_key(name)
        };
        // Exact equality implies equal prepared keys: the index's candidates are a superset.
        self.candidates(Kind::User, "userName", name)
            .into_iter()
            .filter(|r| Some(r.id.as_str()) != except)
            .find(|r| {
                r.user_name().is_some_and(|u| {
                    if case_sensitive {
                        u == key
                    } else {
                        username_key(u) == key
                    }
                })
            })
            .map(|r| r.id.as_str())
    }

    /// The groups that have `id` as a direct member, in insertion order.
    pub fn groups_of(&self, id: &str) -> Vec<&Resource> {
        self.resources
            .of_kind(Kind::Group)
            .filter(|g| !g.deleted && has_member(g, id))
            .collect()
    }

    /// Removes `id` from every group's members (when a user or group is deleted).
    pub fn remove_member_everywhere(&mut self, id: &str) {
        for g in self.resources.of_kind_mut(Kind::Group) {
            if let Some(Value::Array(ms)) = g.data.get_mut("members") {
                ms.retain(|m| m.get("value").and_then(Value::as_str) != Some(id));
                if ms.is_empty() {
                    g.data.remove("members");
                }
            }
        }
    }
}

fn has_member(g: &Resource, id: &str) -> bool {
    g.data
        .get("members")
        .and_then(Value::as_array)
        .is_some_and(|ms| {
            ms.iter()
                .any(|m| m.get("value").and_then(Value::as_str) == Some(id))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_keys_prepare_unicode() {
        assert_eq!(username_key("Café"), username_key("cafe\u{301}"));
        assert_eq!(username_key("ＡＢＣ"), username_key("abc"));
        assert_ne!(username_key("abc"), username_key("abd"));
    }

    #[test]
    fn timestamps_increase() {
        let mut s = Store::default();
        let a = s.now();
        let b = s.now();
        assert!(b > a);
    }
}

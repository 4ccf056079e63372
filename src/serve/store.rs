//! The in-memory resource store.

use std::collections::HashMap;

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

#[derive(Debug, Default)]
pub struct Store {
    pub resources: HashMap<String, Resource>,
    /// Ids deleted so far (kept only for the delete-twice-204 fault).
    pub deleted_ids: std::collections::HashSet<String>,
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
        let mut v: Vec<&Resource> = self
            .resources
            .values()
            .filter(|r| !r.deleted && kind.is_none_or(|k| r.kind == k))
            .collect();
        v.sort_by_key(|r| r.seq);
        v
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
        self.resources
            .values()
            .filter(|r| r.kind == Kind::User && !r.deleted && Some(r.id.as_str()) != except)
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
        self.list(Some(Kind::Group))
            .into_iter()
            .filter(|g| {
                g.data
                    .get("members")
                    .and_then(Value::as_array)
                    .is_some_and(|ms| {
                        ms.iter()
                            .any(|m| m.get("value").and_then(Value::as_str) == Some(id))
                    })
            })
            .collect()
    }

    /// Removes `id` from every group's members (when a user or group is deleted).
    pub fn remove_member_everywhere(&mut self, id: &str) {
        for g in self
            .resources
            .values_mut()
            .filter(|r| r.kind == Kind::Group)
        {
            if let Some(Value::Array(ms)) = g.data.get_mut("members") {
                ms.retain(|m| m.get("value").and_then(Value::as_str) != Some(id));
                if ms.is_empty() {
                    g.data.remove("members");
                }
            }
        }
    }
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

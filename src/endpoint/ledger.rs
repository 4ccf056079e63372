//! Every resource a run creates, recorded the moment the create answer arrives, so the run can
//! delete it at the end whatever happened in between.

use std::sync::Mutex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// The collection path it was created in, relative to the base URL (`/Users`).
    pub collection: String,
    pub id: String,
}

impl Created {
    pub fn path(&self) -> String {
        format!("{}/{}", self.collection.trim_end_matches('/'), self.id)
    }

    /// Groups go first: deleting a user a group still references is refused by some servers.
    fn order(&self) -> u8 {
        if self.collection.to_ascii_lowercase().ends_with("/groups") {
            0
        } else {
            1
        }
    }
}

#[derive(Debug, Default)]
pub struct Ledger {
    created: Mutex<Vec<Created>>,
    deleted: Mutex<Vec<Created>>,
}

impl Ledger {
    pub fn record(&self, collection: &str, id: &str) {
        let c = Created {
            collection: collection.to_owned(),
            id: id.to_owned(),
        };
        let mut all = self.created.lock().unwrap_or_else(|p| p.into_inner());
        if !all.contains(&c) {
            all.push(c);
        }
    }

    /// A case deleted the resource itself (its DELETE answered 2xx or 404).
    pub fn mark_deleted(&self, path: &str) {
        let created = self.created.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = created
            .iter()
            .find(|c| path.trim_end_matches('/').ends_with(&c.path()))
        {
            let mut deleted = self.deleted.lock().unwrap_or_else(|p| p.into_inner());
            if !deleted.contains(c) {
                deleted.push(c.clone());
            }
        }
    }

    pub fn created_count(&self) -> usize {
        self.created.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// What is still to delete, groups first.
    pub fn pending(&self) -> Vec<Created> {
        let created = self.created.lock().unwrap_or_else(|p| p.into_inner());
        let deleted = self.deleted.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<Created> = created
            .iter()
            .filter(|c| !deleted.contains(c))
            .cloned()
            .collect();
        out.sort_by_key(Created::order);
        out
    }
}

//! The shared state of one running server: flavour, schemas, token, faults and the store.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use super::Flavour;
use super::faults;
use super::schema::Catalog;
use super::store::Store;

pub struct App {
    pub flavour: Flavour,
    pub catalog: Catalog,
    pub token: Option<String>,
    faults: HashSet<&'static str>,
    /// Switched-on flavour options (`flavour::OPTIONS`): documented behaviours, not defects.
    options: HashSet<&'static str>,
    store: Mutex<Store>,
}

impl App {
    pub fn new(flavour: Flavour, token: Option<String>, faults: HashSet<&'static str>) -> Self {
        App {
            flavour,
            catalog: Catalog::new(flavour),
            token,
            faults,
            options: HashSet::new(),
            store: Mutex::new(Store::default()),
        }
    }

    /// The same server with flavour options switched on (names checked by the caller).
    pub fn with_options(mut self, options: HashSet<&'static str>) -> Self {
        self.options = options;
        self
    }

    /// Is the named flavour option switched on?
    pub fn option(&self, name: &str) -> bool {
        debug_assert!(
            super::flavour::find_option(name).is_some(),
            "unknown option name {name}"
        );
        self.options.contains(name)
    }

    /// Is the named fault switched on?
    pub fn fault(&self, name: &str) -> bool {
        debug_assert!(faults::find(name).is_some(), "unknown fault name {name}");
        self.faults.contains(name)
    }

    /// Whether any fault is switched on (a fault may change what a filter matches).
    pub fn any_fault(&self) -> bool {
        !self.faults.is_empty()
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while the lock was held cannot leave the store half-written in a way that
        // matters for a test server: keep serving.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Per-request context: where the server is reachable and what the client asked to see.
#[derive(Clone, Debug, Default)]
pub struct Ctx {
    /// Absolute base URL including the base path, without a trailing slash.
    pub base_url: String,
    /// The origin (scheme://host[:port]) alone.
    pub origin: String,
    pub attributes: Option<Vec<String>>,
    pub excluded: Vec<String>,
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
}

//! Discovery answers read once per run. RFC 7644 §4 makes /ServiceProviderConfig,
//! /ResourceTypes and /Schemas the service provider's configuration, so a GET of one of them
//! that is the very same request as one already answered in this run (method, URL with its
//! query, every header as sent, no body) is answered from that first answer instead of being
//! sent again. Preflight's reads seed it. Only a 2xx answer with a whole body is shared: an
//! error or a failed exchange is never reused (the next reader sends its own request), and a
//! case that repeats a read in its own steps gets a real second request.

use super::{InResponse, OutRequest, Target, TransportError};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// A request exactly as it goes on the wire. The header values are the real ones (credentials
/// included), so two auth modes never meet; the key is never printed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    url: String,
    headers: Vec<(String, String)>,
}

/// The first answer to a request, and who sent it (`preflight`, or `suite::case`).
pub struct Answer {
    pub answer: InResponse,
    pub by: String,
}

type Cell = tokio::sync::OnceCell<Arc<Answer>>;

/// The discovery reads of a run, one cell per distinct request: concurrent readers of the same
/// request wait for one send.
#[derive(Default)]
pub struct SharedReads {
    /// Off with `run --no-shared-discovery`: every read is sent.
    pub enabled: bool,
    cells: Mutex<HashMap<Key, Arc<Cell>>>,
}

/// The keys a case (or a fixture) has read in its own steps: a repeat is sent again.
pub type OwnReads = HashSet<Key>;

/// How a read was answered.
pub enum Read {
    /// Sent by this reader.
    Sent(Result<InResponse, TransportError>),
    /// Sent earlier by someone else (`Answer::by`), not sent again.
    Shared(Arc<Answer>),
}

/// Only an answer that says the same thing to every reader: a 2xx with a body read whole.
fn shareable(r: &InResponse) -> bool {
    (200..300).contains(&r.status) && !r.body.is_empty() && !r.truncated
}

impl SharedReads {
    fn cell(&self, key: Key) -> Arc<Cell> {
        // A poisoned lock only means another reader panicked: the map itself is whole.
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        cells.entry(key).or_default().clone()
    }

    /// Keeps an answer sent outside any case (preflight) for the reads that repeat it.
    pub fn seed(&self, target: &Target, req: &OutRequest, answer: &InResponse, by: &str) {
        if !shareable(answer) {
            return;
        }
        if let Some(key) = target.discovery_key(req) {
            let _ = self.cell(key).set(Arc::new(Answer {
                answer: answer.clone(),
                by: by.to_owned(),
            }));
        }
    }
}

impl Target {
    /// The key of a request whose answer may be shared: a body-less GET of a discovery
    /// resource under the base URL. `None` for everything else, or when sharing is off.
    pub fn discovery_key(&self, req: &OutRequest) -> Option<Key> {
        if !self.shared.enabled || req.method != "GET" || req.body.is_some() {
            return None;
        }
        // Most reads are not of discovery: known from a relative path without building its URL
        // (encoding adds and removes no `/`, so the full check below agrees).
        let rel = req.path.split('?').next().unwrap_or("");
        if !rel.starts_with("http://") && !rel.starts_with("https://") && !is_discovery(rel) {
            return None;
        }
        let url = self.wire_url(req).ok()?;
        let rest = url.path().strip_prefix(self.base_path.as_str())?;
        if !is_discovery(rest) {
            return None;
        }
        Some(Key {
            url: url.to_string(),
            headers: self
                .wire_headers(req)
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
        })
    }

    /// Sends `req`, or answers it from the first answer to the same discovery read in this
    /// run. `by` names the reader (`suite::case`); `own` holds the reads of its earlier steps.
    pub async fn read(&self, req: &OutRequest, by: &str, own: &mut OwnReads) -> Read {
        let Some(key) = self.discovery_key(req) else {
            return Read::Sent(self.send(req).await);
        };
        if !own.insert(key.clone()) {
            // A case that reads twice compares two reads: the second must reach the server.
            return Read::Sent(self.send(req).await);
        }
        let cell = self.shared.cell(key);
        let mut sent_here = false;
        let flag = &mut sent_here;
        // An Err leaves the cell empty: the next waiter sends its own request.
        let got = cell
            .get_or_try_init(|| async move {
                *flag = true;
                match self.send(req).await {
                    Ok(r) if shareable(&r) => Ok(Arc::new(Answer {
                        answer: r,
                        by: by.to_owned(),
                    })),
                    other => Err(other),
                }
            })
            .await;
        match got {
            Err(sent) => Read::Sent(sent),
            Ok(a) if sent_here => Read::Sent(Ok(a.answer.clone())),
            Ok(a) => Read::Shared(a.clone()),
        }
    }
}

/// `/ServiceProviderConfig`, `/ResourceTypes[/X]`, `/Schemas[/X]` (as sent, percent-encoded).
fn is_discovery(path: &str) -> bool {
    let one_segment = |r: &str| !r.is_empty() && !r.contains('/');
    path == "/ServiceProviderConfig"
        || path == "/ResourceTypes"
        || path == "/Schemas"
        || path
            .strip_prefix("/ResourceTypes/")
            .is_some_and(one_segment)
        || path.strip_prefix("/Schemas/").is_some_and(one_segment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{ClientOptions, Credentials};
    use crate::suite::Auth;

    fn target(enabled: bool) -> Target {
        let creds = Credentials {
            bearer: Some("tok-Shared-7".into()),
            ..Credentials::default()
        };
        let mut t = Target::new("https://h.example/scim/v2", creds, ClientOptions::default())
            .expect("a valid target");
        t.shared.enabled = enabled;
        t
    }

    #[test]
    fn only_body_less_discovery_gets_have_a_key() {
        let t = target(true);
        let key = |method: &str, path: &str| t.discovery_key(&OutRequest::new(method, path));
        for p in [
            "/ServiceProviderConfig",
            "/ResourceTypes",
            "/ResourceTypes/User",
            "/Schemas",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        ] {
            assert!(key("GET", p).is_some(), "{p}");
        }
        for p in [
            "/Users",
            "/serviceproviderconfig",
            "/Schemas/",
            "/Schemas/a/b",
            "/ServiceProviderConfigs",
            "/ResourceTypes/User/x",
        ] {
            assert!(key("GET", p).is_none(), "{p}");
        }
        assert!(key("PUT", "/ServiceProviderConfig").is_none());
        let mut with_body = OutRequest::new("GET", "/Schemas");
        with_body.body = Some(b"{}".to_vec());
        assert!(t.discovery_key(&with_body).is_none());
        assert!(
            target(false)
                .discovery_key(&OutRequest::new("GET", "/Schemas"))
                .is_none(),
            "--no-shared-discovery"
        );
    }

    #[test]
    fn the_key_is_the_whole_request_as_sent() {
        let t = target(true);
        let plain = OutRequest::new("GET", "/Schemas");
        assert!(t.discovery_key(&plain) == t.discovery_key(&plain.clone()));
        let mut query = plain.clone();
        query.query = vec![("count".into(), "1".into())];
        let mut accept = plain.clone();
        accept.headers = vec![("Accept".into(), "application/json".into())];
        let mut no_auth = plain.clone();
        no_auth.auth = Auth::None;
        let mut invalid = plain.clone();
        invalid.auth = Auth::Invalid;
        for other in [&query, &accept, &no_auth, &invalid] {
            assert!(t.discovery_key(&plain) != t.discovery_key(other));
        }
        assert!(
            t.discovery_key(&invalid) != t.discovery_key(&invalid),
            "a random invalid token is never the same request"
        );
    }
}

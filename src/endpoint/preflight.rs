//! Before any case: reach the base URL once, make sure the credentials are accepted, and read
//! what the server advertises. Anything fatal here is one clear line and exit code 2.

use super::{Capabilities, OutRequest, Target, TransportError};
use serde_json::Value;
use std::fmt;

#[derive(Debug)]
pub enum PreflightError {
    /// The server demands credentials and the run has none.
    NoCredentials {
        url: String,
        status: u16,
    },
    Unreachable {
        url: String,
        cause: TransportError,
    },
    Rejected {
        url: String,
        status: u16,
    },
    NotScim {
        url: String,
        detail: String,
    },
}

impl fmt::Display for PreflightError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            PreflightError::NoCredentials { url, status } => write!(
                f,
                "the server demands credentials (GET {url} answered {status}) and the run has none: give --token (or SCIM_TOKEN), --basic USER:PASS or --header 'Authorization: …'"
            ),
            PreflightError::Unreachable { url, cause } => write!(f, "cannot reach {url}: {cause}"),
            PreflightError::Rejected { url, status } => write!(
                f,
                "the server rejected the credentials: GET {url} answered {status}; check --token / SCIM_TOKEN, --basic or --header"
            ),
            PreflightError::NotScim { url, detail } => {
                write!(f, "no SCIM service at {url}: {detail}; check --base-url")
            }
        }
    }
}

impl std::error::Error for PreflightError {}

fn get(path: &str) -> OutRequest {
    OutRequest::new("GET", path)
}

impl Target {
    pub async fn preflight(&self) -> Result<Capabilities, PreflightError> {
        let mut caps = Capabilities {
            has_credentials: self.has_credentials(),
            ..Capabilities::default()
        };
        let spc_url = self.url_for("/ServiceProviderConfig");
        // Every read is a GET, independent of the others: all four go at once, and the answers
        // are judged in the order below (an answer that is not needed is not looked at).
        let mut probe = get("/Users");
        probe.query = vec![("count".into(), "1".into())];
        // Built as a case's plain GET is (`request: { path: /Schemas }`): the same request, so
        // a case that repeats it reads this answer (`shared`) instead of sending it again.
        let reads = [
            get("/ServiceProviderConfig"),
            get("/ResourceTypes"),
            get("/Schemas"),
        ];
        let (spc, probed, resource_types, schemas) = futures_util::future::join4(
            self.send(&reads[0]),
            self.send(&probe),
            self.send(&reads[1]),
            self.send(&reads[2]),
        )
        .await;
        for (req, answer) in reads.iter().zip([&spc, &resource_types, &schemas]) {
            if let Ok(a) = answer {
                self.shared.seed(self, req, a, "preflight");
            }
        }
        let spc = spc.map_err(|cause| PreflightError::Unreachable {
            url: spc_url.clone(),
            cause,
        })?;
        if matches!(spc.status, 401 | 403) {
            // Discovery may legitimately need credentials the run lacks; /Users certainly does.
            let users = self.send(&get("/Users")).await.ok();
            let users_status = users.map(|u| u.status).unwrap_or(spc.status);
            if matches!(users_status, 401 | 403) && !self.has_credentials() {
                return Err(PreflightError::NoCredentials {
                    url: self.url_for("/Users"),
                    status: users_status,
                });
            }
            if matches!(users_status, 401 | 403) || self.has_credentials() {
                return Err(PreflightError::Rejected {
                    url: spc_url,
                    status: spc.status,
                });
            }
        }
        let parsed: Option<Value> = serde_json::from_slice(&spc.body).ok();
        match (spc.status, parsed) {
            (200, Some(v)) if v.is_object() => caps.service_provider_config = Some(v),
            (status, _) => {
                // No usable ServiceProviderConfig: tell SCIM-less URLs apart from broken discovery.
                let users = self.send(&get("/Users")).await;
                match users {
                    Ok(u) if matches!(u.status, 401 | 403) && !self.has_credentials() => {
                        return Err(PreflightError::NoCredentials {
                            url: self.url_for("/Users"),
                            status: u.status,
                        });
                    }
                    Ok(u) if matches!(u.status, 401 | 403) => {
                        return Err(PreflightError::Rejected {
                            url: self.url_for("/Users"),
                            status: u.status,
                        });
                    }
                    Ok(u)
                        if u.status == 200 && serde_json::from_slice::<Value>(&u.body).is_ok() =>
                    {
                        caps.warnings.push(format!(
                            "GET /ServiceProviderConfig answered {status} without a usable body: optional features count as not advertised"
                        ));
                    }
                    Ok(u) => {
                        return Err(PreflightError::NotScim {
                            url: self.base_url.clone(),
                            detail: format!(
                                "GET /ServiceProviderConfig answered {status} and GET /Users answered {}",
                                u.status
                            ),
                        });
                    }
                    Err(cause) => {
                        return Err(PreflightError::Unreachable {
                            url: self.url_for("/Users"),
                            cause,
                        });
                    }
                }
            }
        }
        if caps.service_provider_config.is_some() {
            // Discovery may be public (RFC 7644 §4 allows it): only a protected endpoint tells
            // whether the credentials (or their absence) are accepted.
            if let Ok(r) = &probed
                && matches!(r.status, 401 | 403)
            {
                let url = self.url_for("/Users");
                return Err(if self.has_credentials() {
                    PreflightError::Rejected {
                        url,
                        status: r.status,
                    }
                } else {
                    PreflightError::NoCredentials {
                        url,
                        status: r.status,
                    }
                });
            }
        }
        for (path, read, answer) in [
            (
                "/ResourceTypes",
                Capabilities::read_resource_types as fn(&mut Capabilities, &Value),
                resource_types,
            ),
            ("/Schemas", Capabilities::read_schemas, schemas),
        ] {
            match answer {
                Ok(r) if r.status == 200 => match serde_json::from_slice::<Value>(&r.body) {
                    Ok(v) => read(&mut caps, &v),
                    Err(_) => caps
                        .warnings
                        .push(format!("GET {path} answered a body that is not JSON")),
                },
                Ok(r) => caps
                    .warnings
                    .push(format!("GET {path} answered {}", r.status)),
                Err(e) => caps.warnings.push(format!("GET {path} failed: {e}")),
            }
        }
        if caps.resource_types.is_empty() {
            // Without discovery, assume the two core resource types so the core cases still run.
            caps.resource_types.insert("User".into());
        }
        Ok(caps)
    }
}

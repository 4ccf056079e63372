//! How to reach and authenticate to an endpoint, as the user gave it: turned here into the
//! credentials and client settings a [`Target`](super::Target) is built from.

use super::{ClientOptions, Credentials};
use std::path::PathBuf;
use std::time::Duration;

/// The connection options shared by `run` and `cleanup`. No Debug: it holds the secrets.
#[derive(Clone, Default)]
pub struct ConnOptions {
    pub base_url: Option<String>,
    pub token: Option<String>,
    pub headers: Vec<String>,
    pub secret_headers: Vec<String>,
    pub basic: Option<String>,
    pub timeout: u64,
    pub cacert: Option<PathBuf>,
    pub insecure: bool,
    pub rate: Option<f64>,
}

impl ConnOptions {
    pub fn credentials(&self) -> Result<Credentials, String> {
        let mut creds = Credentials {
            bearer: self.token.clone().filter(|t| !t.is_empty()),
            ..Credentials::default()
        };
        if creds.bearer.as_ref().is_some_and(|t| t.len() < 4) {
            return Err("the token is shorter than 4 characters; such a token cannot be kept out of the output safely".into());
        }
        if let Some(b) = &self.basic {
            match b.split_once(':') {
                Some((u, p)) if p.len() >= 4 => creds.basic = Some((u.to_owned(), p.to_owned())),
                Some(_) => return Err("--basic: the password is shorter than 4 characters; it cannot be kept out of the output safely".into()),
                None => return Err("--basic takes USER:PASS".into()),
            }
        }
        for (raw, secret) in self
            .headers
            .iter()
            .map(|h| (h, false))
            .chain(self.secret_headers.iter().map(|h| (h, true)))
        {
            let (n, v) = parse_header(raw)?;
            creds.headers.push((n, v, secret));
        }
        Ok(creds)
    }

    pub fn client_options(&self) -> Result<ClientOptions, String> {
        if let Some(r) = self.rate
            && !(r > 0.0 && r.is_finite())
        {
            return Err("--rate takes a positive number of requests per second".into());
        }
        Ok(ClientOptions {
            timeout: Duration::from_secs(self.timeout.max(1)),
            insecure: self.insecure,
            cacert: self.cacert.clone(),
            rate: self.rate,
            ..ClientOptions::default()
        })
    }
}

fn parse_header(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw.split_once(':').ok_or_else(|| {
        format!(
            "--header `{}` must look like 'Name: value'",
            raw.split(':').next().unwrap_or("")
        )
    })?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "--header name `{name}` is not a valid HTTP header name"
        ));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

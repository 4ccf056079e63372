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
    /// Retries of a request answered 429 or 503 (0: none).
    pub retries: u32,
}

impl ConnOptions {
    pub fn credentials(&self) -> Result<Credentials, String> {
        let mut creds = Credentials {
            bearer: checked_token(self.token.as_deref())?,
            ..Credentials::default()
        };
        if let Some(b) = &self.basic {
            match b.split_once(':') {
                Some((u, p)) if p.len() >= 4 => creds.basic = Some((u.to_owned(), p.to_owned())),
                Some(_) => return Err("--basic: the password is shorter than 4 characters; it cannot be kept out of the output safely".into()),
                None => return Err("--basic takes USER:PASS".into()),
            }
        }
        for (flag, list, secret) in [
            ("--header", &self.headers, false),
            ("--secret-header", &self.secret_headers, true),
        ] {
            for (i, raw) in list.iter().enumerate() {
                let (n, v) = parse_header(flag, i + 1, raw, secret)?;
                creds.headers.push((n, v, secret));
            }
        }
        Ok(creds)
    }

    pub fn client_options(&self) -> Result<ClientOptions, String> {
        if let Some(r) = self.rate {
            check_rate(r)?;
        }
        if !(1..=MAX_TIMEOUT).contains(&self.timeout) {
            return Err(format!(
                "--timeout takes 1 to {MAX_TIMEOUT} seconds, not {}",
                self.timeout
            ));
        }
        if let Some(ca) = &self.cacert {
            let meta = std::fs::metadata(ca)
                .map_err(|e| format!("--cacert {}: cannot read it: {e}", ca.display()))?;
            if !meta.is_file() || meta.len() == 0 {
                return Err(format!(
                    "--cacert {}: {}; it must hold the PEM certificate(s) of your private CA",
                    ca.display(),
                    if meta.is_file() {
                        "the file is empty"
                    } else {
                        "not a file"
                    }
                ));
            }
        }
        Ok(ClientOptions {
            timeout: Duration::from_secs(self.timeout),
            insecure: self.insecure,
            cacert: self.cacert.clone(),
            rate: self.rate,
            max_retries: self.retries.min(MAX_RETRIES),
            ..ClientOptions::default()
        })
    }
}

/// The bearer token rule of `run`, `cleanup` and `serve`: empty means none; a token must be at
/// least 4 characters (a shorter one cannot be redacted from the output without mangling it) and
/// hold only visible ASCII (anything else cannot go into an Authorization header, and would fail
/// every request instead of being refused once).
pub fn checked_token(token: Option<&str>) -> Result<Option<String>, String> {
    let Some(t) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() < 4 {
        return Err("the token is shorter than 4 characters; such a token cannot be kept out of the output safely".into());
    }
    if let Some(c) = t.chars().find(|c| !c.is_ascii_graphic()) {
        let what = if c.is_whitespace() {
            "a space or line break"
        } else if c.is_control() {
            "a control character"
        } else {
            "a non-ASCII character"
        };
        return Err(format!(
            "the token holds {what}, which an Authorization header cannot carry (the token is not shown)"
        ));
    }
    Ok(Some(t.to_owned()))
}

/// Most retries `--retries` allows: each may wait up to 30 s.
pub const MAX_RETRIES: u32 = 10;

/// Per-request timeout bound, in seconds.
pub const MAX_TIMEOUT: u64 = 3600;
/// `--rate` bounds, requests per second: below the minimum a run would take days.
pub const MIN_RATE: f64 = 0.01;
pub const MAX_RATE: f64 = 10_000.0;

/// `--rate` as clap parses it, so a bad value is a usage error before anything else.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of requests per second"))?;
    check_rate(r)?;
    Ok(r)
}

fn check_rate(r: f64) -> Result<(), String> {
    if r.is_finite() && (MIN_RATE..=MAX_RATE).contains(&r) {
        Ok(())
    } else {
        Err(format!(
            "--rate takes {MIN_RATE} to {MAX_RATE} requests per second, not {r}"
        ))
    }
}

/// `Name: value`. Messages name the flag, its position and the header name, never the value:
/// it may be a secret, given with the wrong syntax.
fn parse_header(flag: &str, n: usize, raw: &str, secret: bool) -> Result<(String, String), String> {
    let (name, value) = raw.split_once(':').ok_or_else(|| {
        let shown = if secret || raw.contains('=') {
            String::new()
        } else {
            format!(" `{}`", raw.chars().take(40).collect::<String>())
        };
        format!("{flag} #{n}{shown} must look like 'Name: value' (the value is not shown)")
    })?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "{flag} #{n}: `{}` is not a valid HTTP header name",
            name.chars().take(40).collect::<String>().escape_debug()
        ));
    }
    let value = value.trim();
    if reqwest::header::HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "{flag} #{n} ({name}): the header value contains a line break or another character HTTP headers cannot carry"
        ));
    }
    Ok((name.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_errors_never_show_the_value() {
        let e = parse_header("--secret-header", 1, "X-Api-Key=Secret123", true).unwrap_err();
        assert!(!e.contains("Secret123"), "{e}");
        let e = parse_header("--header", 2, "Authorization=Bearer Secret123", false).unwrap_err();
        assert!(!e.contains("Secret123"), "{e}");
        let e = parse_header("--header", 1, "X-A: a\nb", false).unwrap_err();
        assert!(e.contains("header value"), "{e}");
    }

    #[test]
    fn rates_are_bounded() {
        assert!(parse_rate("1e-19").is_err());
        assert!(parse_rate("NaN").is_err());
        assert!(parse_rate("inf").is_err());
        assert_eq!(parse_rate("2.5"), Ok(2.5));
    }
}

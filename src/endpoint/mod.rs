//! The endpoint under test: the HTTP client, credentials, preflight discovery, the ledger of
//! what a run created and its cleanup.

pub mod bulk_delete;
pub mod capabilities;
pub mod case_end;
pub mod cleanup;
pub mod ledger;
pub mod options;
pub mod preflight;
pub mod redact;
pub mod shared;

pub use crate::text::{segment, unsafe_segment};
pub use capabilities::Capabilities;
pub use ledger::Ledger;
pub use options::ConnOptions;
pub use redact::Redactor;

use crate::suite::Auth;
use std::fmt;
use std::time::{Duration, Instant};

/// How requests prove who they are. Secret values never leave this struct unredacted.
#[derive(Clone, Default)]
pub struct Credentials {
    pub bearer: Option<String>,
    pub basic: Option<(String, String)>,
    /// Extra headers from `--header`; the flag says whether the value is secret.
    pub headers: Vec<(String, String, bool)>,
}

impl Credentials {
    pub fn any(&self) -> bool {
        self.bearer.is_some()
            || self.basic.is_some()
            || self
                .headers
                .iter()
                .any(|(n, _, _)| n.eq_ignore_ascii_case("authorization"))
    }

    /// Every value that must never be printed: whole credential header values, the bare
    /// credential after the scheme, a Basic password and the encoded pair (the redactor adds the
    /// escaped and percent-encoded forms of each).
    pub fn secrets(&self) -> Vec<String> {
        use base64_engine::encode;
        let mut out = Vec::new();
        if let Some(t) = &self.bearer {
            out.push(t.clone());
            out.push(format!("Bearer {t}"));
        }
        if let Some((user, pass)) = &self.basic {
            out.push(pass.clone());
            out.push(format!("{user}:{pass}"));
            out.push(encode(&format!("{user}:{pass}")));
        }
        for (name, value, secret) in &self.headers {
            if *secret || redact::is_credential_header(name) {
                out.push(value.clone());
                // `Bearer X`, `Basic B64`, `SSWS X`: the part after the scheme alone.
                if let Some((_, cred)) = value.trim().split_once(char::is_whitespace) {
                    let cred = cred.trim();
                    out.push(cred.to_owned());
                    if let Some(pair) = base64_engine::decode(cred) {
                        if let Some((_, pass)) = pair.split_once(':') {
                            out.push(pass.to_owned());
                        }
                        out.push(pair);
                    }
                }
            }
        }
        out
    }
}

/// A small base64 encoder: only used to know what a Basic header looks like, so it can be redacted.
mod base64_engine {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    pub fn encode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub fn decode(s: &str) -> Option<String> {
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.bytes().filter(|c| *c != b'=') {
            let v = ALPHABET.iter().position(|a| *a == c)? as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
                bits &= (1 << n) - 1;
            }
        }
        String::from_utf8(out).ok()
    }
}

/// What the client sends as `User-Agent`.
pub const USER_AGENT: &str = concat!("scimspec/", env!("CARGO_PKG_VERSION"));

/// One header of a request: the value sent and the value a transcript shows.
#[derive(Clone, Debug)]
pub struct WireHeader {
    pub name: String,
    pub value: String,
    pub shown: String,
    /// Marked sensitive, so the HTTP library never prints it.
    pub secret: bool,
}

/// A request ready to send, after interpolation.
#[derive(Clone, Debug)]
pub struct OutRequest {
    pub method: String,
    /// Path relative to the base URL (may be absolute http(s) URL for `Location` follow-ups).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub auth: Auth,
    pub body: Option<Vec<u8>>,
    pub content_type: Option<String>,
}

impl OutRequest {
    /// A body-less request with the run's credentials: what the runner itself sends
    /// (preflight, cleanup, sweeps).
    pub fn new(method: &str, path: &str) -> Self {
        OutRequest {
            method: method.into(),
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            auth: Auth::Default,
            body: None,
            content_type: None,
        }
    }
}

/// What came back.
#[derive(Clone, Debug)]
pub struct InResponse {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// True when the body was cut at the size cap.
    pub truncated: bool,
    pub elapsed: Duration,
    /// When the (last) request was sent.
    pub started_at: jiff::Timestamp,
    /// The HTTP version the answer came in (`HTTP/1.1`, `HTTP/2.0`).
    pub version: String,
    /// Retries made after 429/503 answers: the status, the `Retry-After` value, the wait.
    pub retries: Vec<Retry>,
}

impl InResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One retry of a request: what the server answered and how long scimspec waited.
#[derive(Clone, Debug)]
pub struct Retry {
    pub status: u16,
    pub retry_after: Option<String>,
    pub wait: Duration,
}

impl fmt::Display for Retry {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "answered {}", self.status)?;
        if let Some(v) = &self.retry_after {
            write!(f, " (Retry-After: {})", redact::neutralise(v))?;
        }
        write!(f, ", retried after {:.1}s", self.wait.as_secs_f64())
    }
}

/// The wait when a 429/503 answer names none (or one scimspec cannot read).
pub const DEFAULT_RETRY_WAIT: Duration = Duration::from_millis(500);
/// The longest wait a `Retry-After` can ask for: longer ones are cut to this.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

/// The wait a `Retry-After` value asks for: delay-seconds or an HTTP date (RFC 9110 §10.2.3,
/// all three date forms), at most [`MAX_RETRY_WAIT`]; a date already past means no wait.
pub fn retry_wait(value: Option<&str>, now: std::time::SystemTime) -> Duration {
    let asked = value.map(str::trim).and_then(|v| {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        httpdate::parse_http_date(v)
            .ok()
            .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
    });
    asked.unwrap_or(DEFAULT_RETRY_WAIT).min(MAX_RETRY_WAIT)
}

/// Why an exchange did not produce an HTTP answer.
#[derive(Clone, Debug)]
pub enum TransportError {
    /// The URL is outside the base URL's origin: never requested (credentials stay home).
    ForeignOrigin {
        url: String,
        origin: String,
    },
    Timeout(Duration),
    Connect(String),
    Tls(String),
    Other(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            TransportError::ForeignOrigin { url, origin } => write!(
                f,
                "the server named {url}, outside the base URL's origin ({origin} is not the endpoint under test): not requested, so no credentials went there"
            ),
            TransportError::Timeout(d) => {
                write!(f, "no answer within {:.1}s (timeout)", d.as_secs_f64())
            }
            TransportError::Connect(m) => write!(f, "connection failed: {m}"),
            TransportError::Tls(m) => write!(f, "TLS failed: {m}"),
            TransportError::Other(m) => write!(f, "the exchange failed: {m}"),
        }
    }
}

/// Settings of the HTTP side of a run.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub insecure: bool,
    pub cacert: Option<std::path::PathBuf>,
    pub body_cap: usize,
    pub max_retries: u32,
    /// At most this many requests per second (None: no limit).
    pub rate: Option<f64>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            insecure: false,
            cacert: None,
            body_cap: 4 * 1024 * 1024,
            max_retries: 2,
            rate: None,
        }
    }
}

pub struct Target {
    pub base_url: String,
    pub base_path: String,
    /// scheme://host:port of the base URL: the only origin that gets requests.
    pub origin: url::Origin,
    client: reqwest::Client,
    creds: Credentials,
    pub options: ClientOptions,
    pub redactor: Redactor,
    pub ledger: Ledger,
    /// What each case created is deleted as it ends (see `case_end`).
    pub case_end: case_end::CaseEnd,
    /// When the next request may start, for `--rate`.
    next_slot: tokio::sync::Mutex<Instant>,
    /// `--read-only`: any request but GET and HEAD is refused before it is sent.
    pub read_only: bool,
    /// Set after preflight when the cleanup may delete by Bulk (see `bulk_delete`).
    pub bulk_delete: std::sync::OnceLock<bulk_delete::BulkDelete>,
    /// Requests sent in this run (each attempt, retries included), and those of the cleanup.
    pub sent: std::sync::atomic::AtomicUsize,
    pub cleanup_sent: std::sync::atomic::AtomicUsize,
    /// Discovery answers read once per run (see `shared`).
    pub shared: shared::SharedReads,
}

impl Target {
    pub fn new(
        base_url: &str,
        creds: Credentials,
        options: ClientOptions,
    ) -> Result<Target, String> {
        let shown = without_userinfo(base_url);
        let parsed = url::Url::parse(base_url)
            .map_err(|e| format!("--base-url `{shown}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "--base-url `{shown}` must start with http:// or https://"
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            // Credentials in a URL end up in logs, reports and Location-relative URLs.
            return Err(format!(
                "--base-url `{shown}` carries a user name or password (…@): give them with --basic USER:PASS instead"
            ));
        }
        if parsed.fragment().is_some() {
            return Err(format!(
                "--base-url `{shown}` carries a #fragment, which is never sent to a server: remove it"
            ));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(format!("--base-url `{shown}` names no host"));
        }
        if parsed.query().is_some() {
            return Err(format!(
                "--base-url `{base_url}` must not carry a query string (RFC 7644 §1.3)"
            ));
        }
        let base_url = base_url.trim_end_matches('/').to_owned();
        let base_path = parsed.path().trim_end_matches('/').to_owned();
        let mut builder = reqwest::Client::builder()
            // A SCIM client such as Entra follows no redirects: a redirect is an answer to judge.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .timeout(options.timeout)
            .user_agent(USER_AGENT)
            .pool_max_idle_per_host(64);
        if options.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(path) = &options.cacert {
            let pem =
                std::fs::read(path).map_err(|e| format!("--cacert {}: {e}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                format!(
                    "--cacert {}: not a PEM certificate bundle: {e}",
                    path.display()
                )
            })?;
            if certs.is_empty() {
                return Err(format!(
                    "--cacert {}: the file holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    path.display()
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let redactor = Redactor::new(creds.secrets());
        Ok(Target {
            origin: parsed.origin(),
            base_url,
            base_path,
            client,
            creds,
            options,
            redactor,
            ledger: Ledger::default(),
            case_end: case_end::CaseEnd::default(),
            next_slot: tokio::sync::Mutex::new(Instant::now()),
            read_only: false,
            bulk_delete: std::sync::OnceLock::new(),
            sent: Default::default(),
            cleanup_sent: Default::default(),
            shared: shared::SharedReads::default(),
        })
    }

    pub fn has_credentials(&self) -> bool {
        self.creds.any()
    }

    /// Every header scimspec sets on a request, in the order they are sent: what goes on the
    /// wire, and what a transcript shows (credentials masked). The HTTP library adds only
    /// `Host` and `Content-Length`.
    pub fn wire_headers(&self, req: &OutRequest) -> Vec<WireHeader> {
        let mut out = Vec::new();
        let set_by_case = |name: &str| {
            req.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        let plain = |out: &mut Vec<WireHeader>, name: &str, value: String| {
            let shown = self.redactor.header_value(name, &value).into_owned();
            out.push(WireHeader {
                name: name.to_owned(),
                value,
                shown,
                secret: false,
            });
        };
        // The client's default, sent unless a case sets its own.
        if !set_by_case("user-agent") {
            plain(&mut out, "User-Agent", USER_AGENT.to_owned());
        }
        // A case's own Accept replaces the default; an empty one sends none at all.
        if !set_by_case("accept") {
            plain(
                &mut out,
                "Accept",
                "application/scim+json, application/json;q=0.9".to_owned(),
            );
        }
        let secret = |out: &mut Vec<WireHeader>, name: &str, value: String, shown: String| {
            out.push(WireHeader {
                name: name.to_owned(),
                value,
                shown,
                secret: true,
            });
        };
        match req.auth {
            Auth::Default => {
                if let Some(t) = &self.creds.bearer {
                    let shown = format!("Bearer {}", redact::MASK);
                    secret(&mut out, "Authorization", format!("Bearer {t}"), shown);
                }
                if let Some((u, p)) = &self.creds.basic {
                    let value = format!("Basic {}", base64_engine::encode(&format!("{u}:{p}")));
                    let shown = format!("Basic {}", redact::MASK);
                    secret(&mut out, "Authorization", value, shown);
                }
                for (n, v, is_secret) in &self.creds.headers {
                    if *is_secret {
                        secret(&mut out, n, v.clone(), redact::MASK.to_owned());
                    } else {
                        plain(&mut out, n, v.clone());
                    }
                }
            }
            Auth::None => {
                for (n, v, is_secret) in &self.creds.headers {
                    if n.eq_ignore_ascii_case("authorization") {
                        continue;
                    }
                    if *is_secret {
                        secret(&mut out, n, v.clone(), redact::MASK.to_owned());
                    } else {
                        plain(&mut out, n, v.clone());
                    }
                }
            }
            Auth::Invalid => {
                // Not a secret: a fresh random token the server cannot know.
                let value = format!("Bearer invalid-{}", uuid::Uuid::new_v4());
                secret(
                    &mut out,
                    "Authorization",
                    value,
                    "Bearer invalid-<random>".to_owned(),
                );
            }
        }
        for (n, v) in &req.headers {
            if !v.is_empty() {
                plain(&mut out, n, v.clone());
            }
        }
        if req.body.is_some() {
            let ct = req
                .content_type
                .as_deref()
                .unwrap_or("application/scim+json; charset=utf-8");
            plain(&mut out, "Content-Type", ct.to_owned());
        }
        out
    }

    /// The URL a request goes to, the query string encoded exactly as sent.
    pub fn wire_url(&self, req: &OutRequest) -> Result<url::Url, TransportError> {
        let mut url = self.checked_url(&req.path)?;
        if !req.query.is_empty() {
            url.query_pairs_mut().extend_pairs(req.query.iter());
        }
        Ok(url)
    }

    /// [`Target::wire_url`] as a transcript shows it, also for a URL that was refused.
    pub fn shown_url(&self, req: &OutRequest) -> String {
        let raw = match self.wire_url(req) {
            Ok(u) => u.to_string(),
            Err(_) => {
                let mut raw = without_userinfo(&self.url_for(&req.path));
                if !req.query.is_empty() {
                    let q = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(req.query.iter())
                        .finish();
                    raw = format!("{raw}?{q}");
                }
                raw
            }
        };
        self.redactor.redact(&raw).into_owned()
    }

    /// The absolute URL of a request path (an absolute URL is used as it is).
    pub fn url_for(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else if path.starts_with('/') {
            format!("{}{path}", self.base_url)
        } else {
            format!("{}/{path}", self.base_url)
        }
    }

    /// Sends one request, retrying 429/503 answers a bounded number of times.
    pub async fn send(&self, req: &OutRequest) -> Result<InResponse, TransportError> {
        if self.read_only && !matches!(req.method.as_str(), "GET" | "HEAD") {
            return Err(TransportError::Other(format!(
                "{} refused: the run is --read-only",
                req.method
            )));
        }
        let mut retries = Vec::new();
        loop {
            let mut resp = self.send_once(req).await?;
            let retryable = matches!(resp.status, 429 | 503);
            if retryable && (retries.len() as u32) < self.options.max_retries {
                let retry_after = resp.header("retry-after").map(str::to_owned);
                let wait = retry_wait(retry_after.as_deref(), std::time::SystemTime::now());
                retries.push(Retry {
                    status: resp.status,
                    retry_after,
                    wait,
                });
                tokio::time::sleep(wait).await;
                continue;
            }
            resp.retries = retries;
            return Ok(resp);
        }
    }

    /// Waits for this request's slot under `--rate`: slots are spaced 1/N seconds apart.
    async fn pace(&self) {
        let Some(rate) = self.options.rate.filter(|r| *r > 0.0) else {
            return;
        };
        let gap = Duration::from_secs_f64(1.0 / rate);
        let start = {
            let mut next = self.next_slot.lock().await;
            let now = Instant::now();
            let start = (*next).max(now);
            *next = start + gap;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }

    /// The request URL, refused when it leaves the base URL's origin.
    pub fn checked_url(&self, path: &str) -> Result<url::Url, TransportError> {
        let raw = self.url_for(path);
        let url = url::Url::parse(&raw).map_err(|e| {
            TransportError::Other(format!(
                "`{}` is not a URL: {e}",
                self.redactor.redact(&without_userinfo(&raw))
            ))
        })?;
        if url.origin() != self.origin || !url.username().is_empty() || url.password().is_some() {
            return Err(TransportError::ForeignOrigin {
                url: redact::neutralise(&without_userinfo(&raw)).into_owned(),
                origin: url.origin().ascii_serialization(),
            });
        }
        Ok(url)
    }

    async fn send_once(&self, req: &OutRequest) -> Result<InResponse, TransportError> {
        // Checked before pacing and before credentials are attached: a foreign URL costs nothing.
        let url = self.wire_url(req)?;
        self.pace().await;
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| {
            TransportError::Other(format!("`{}` is not an HTTP method", req.method))
        })?;
        let mut rb = self.client.request(method, url);
        for h in self.wire_headers(req) {
            let mut value = reqwest::header::HeaderValue::from_str(&h.value).map_err(|_| {
                TransportError::Other(format!(
                    "the value of header `{}` is not a valid HTTP header value",
                    h.name
                ))
            })?;
            value.set_sensitive(h.secret);
            rb = rb.header(h.name.as_str(), value);
        }
        if let Some(body) = &req.body {
            rb = rb.body(body.clone());
        }
        let started = Instant::now();
        let started_at = jiff::Timestamp::now();
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut resp = rb.send().await.map_err(|e| self.classify(e))?;
        let status = resp.status();
        let resp_version = resp.version();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = self.options.body_cap.saturating_sub(body.len());
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.classify(e)),
            }
        }
        Ok(InResponse {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_owned(),
            headers,
            body,
            truncated,
            elapsed: started.elapsed(),
            started_at,
            version: format!("{:?}", resp_version),
            retries: Vec::new(),
        })
    }

    fn classify(&self, e: reqwest::Error) -> TransportError {
        let chain = self.redactor.redact(&error_chain(&e)).into_owned();
        if e.is_timeout() {
            TransportError::Timeout(self.options.timeout)
        } else if chain.to_ascii_lowercase().contains("certificate")
            || chain.contains("tls")
            || chain.contains("TLS")
        {
            let hint = match (&self.options.cacert, self.options.insecure) {
                (_, true) => String::new(),
                (Some(ca), false) => format!(
                    " (the server's certificate chain does not lead to a CA in --cacert {}: check that the file holds the issuing CA, or that the host name matches the certificate)",
                    ca.display()
                ),
                (None, false) => {
                    " (use --cacert FILE for a private CA, or --insecure to skip verification)"
                        .to_owned()
                }
            };
            TransportError::Tls(format!("{chain}{hint}"))
        } else if e.is_connect() {
            TransportError::Connect(chain)
        } else {
            TransportError::Other(chain)
        }
    }
}

/// The URL with any `user:password@` masked, for messages.
pub fn without_userinfo(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_owned();
    };
    let rest = &raw[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!(
            "{}{}@{}",
            &raw[..scheme_end + 3],
            redact::MASK,
            &rest[at + 1..]
        ),
        None => raw.to_owned(),
    }
}

/// "error sending request: connection refused" rather than only the outermost message.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let m = s.to_string();
        if !parts.iter().any(|p| p.contains(&m)) {
            parts.push(m);
        }
        src = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    #[test]
    fn retry_after_as_seconds_or_http_date_capped() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
        let wait = |v: Option<&str>| retry_wait(v, now);
        assert_eq!(wait(Some("3")), Duration::from_secs(3));
        assert_eq!(wait(Some(" 0 ")), Duration::ZERO);
        assert_eq!(wait(Some("3600")), MAX_RETRY_WAIT);
        assert_eq!(
            wait(Some("Sun, 06 Nov 1994 08:49:42 GMT")),
            Duration::from_secs(5)
        );
        // The two obsolete date forms HTTP still requires recipients to read.
        assert_eq!(
            wait(Some("Sunday, 06-Nov-94 08:49:47 GMT")),
            Duration::from_secs(10)
        );
        assert_eq!(
            wait(Some("Sun Nov  6 08:49:39 1994")),
            Duration::from_secs(2)
        );
        assert_eq!(wait(Some("Sun, 06 Nov 1994 08:00:00 GMT")), Duration::ZERO);
        assert_eq!(wait(Some("Mon, 07 Nov 1994 08:49:37 GMT")), MAX_RETRY_WAIT);
        assert_eq!(wait(Some("soon")), DEFAULT_RETRY_WAIT);
        assert_eq!(wait(None), DEFAULT_RETRY_WAIT);
        assert_eq!(
            retry_wait(Some("-1"), SystemTime::now()),
            DEFAULT_RETRY_WAIT
        );
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    fn target() -> Target {
        let creds = Credentials {
            bearer: Some("tok-Wire-9".into()),
            headers: vec![("X-Tenant".into(), "t1".into(), false)],
            ..Credentials::default()
        };
        Target::new(
            "https://h.example/scim/v2/",
            creds,
            ClientOptions::default(),
        )
        .expect("a valid target")
    }

    #[test]
    fn transcripts_show_the_url_and_headers_as_sent() {
        let t = target();
        let mut req = OutRequest::new("POST", "/Users");
        req.query = vec![("filter".into(), r#"userName eq "a b&c""#.into())];
        req.headers = vec![("X-Case".into(), "1".into())];
        req.body = Some(b"{}".to_vec());
        assert_eq!(
            t.shown_url(&req),
            "https://h.example/scim/v2/Users?filter=userName+eq+%22a+b%26c%22"
        );
        assert_eq!(
            t.wire_url(&req).map(|u| u.to_string()).ok(),
            Some(t.shown_url(&req))
        );
        let hs = t.wire_headers(&req);
        let shown: Vec<String> = hs
            .iter()
            .map(|h| format!("{}: {}", h.name, h.shown))
            .collect();
        assert_eq!(
            shown,
            [
                format!("User-Agent: {USER_AGENT}"),
                "Accept: application/scim+json, application/json;q=0.9".to_owned(),
                "Authorization: Bearer [REDACTED]".to_owned(),
                "X-Tenant: t1".to_owned(),
                "X-Case: 1".to_owned(),
                "Content-Type: application/scim+json; charset=utf-8".to_owned(),
            ]
        );
        let auth = hs.iter().find(|h| h.name == "Authorization").expect("sent");
        assert_eq!(auth.value, "Bearer tok-Wire-9");
        assert!(auth.secret);
    }

    #[test]
    fn a_case_accept_replaces_the_default_and_an_empty_one_sends_none() {
        let t = target();
        let mut req = OutRequest::new("GET", "/Users");
        req.auth = Auth::None;
        req.headers = vec![("Accept".into(), "text/html".into())];
        let names = |req: &OutRequest| -> Vec<String> {
            t.wire_headers(req)
                .into_iter()
                .map(|h| format!("{}: {}", h.name, h.value))
                .collect()
        };
        assert_eq!(
            names(&req),
            [
                format!("User-Agent: {USER_AGENT}"),
                "X-Tenant: t1".to_owned(),
                "Accept: text/html".to_owned()
            ]
        );
        req.headers = vec![("Accept".into(), String::new())];
        assert_eq!(
            names(&req),
            [
                format!("User-Agent: {USER_AGENT}"),
                "X-Tenant: t1".to_owned()
            ]
        );
    }
}

//! The result of one case, as data: every reporter (console, JUnit, JSON) reads these records,
//! and nothing is printed while cases run.

use crate::check::Mismatch;
use crate::suite::Level;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Verdict {
    Pass,
    Fail,
    NonStrict,
    Informational,
    Unimplemented,
    Error,
    /// A precondition (a `setup:` step) could not be established: the case says nothing about
    /// its own requirement. Grouped under its root cause.
    Blocked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::NonStrict => "NON-STRICT",
            Verdict::Informational => "INFORMATIONAL",
            Verdict::Unimplemented => "UNIMPLEMENTED",
            Verdict::Error => "ERROR",
            Verdict::Blocked => "BLOCKED",
        }
    }

    /// Whether this verdict makes the run fail.
    pub fn fails_run(self, strict: bool) -> bool {
        match self {
            Verdict::Fail | Verdict::Error => true,
            Verdict::NonStrict => strict,
            _ => false,
        }
    }

    pub const ALL: [Verdict; 7] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::NonStrict,
        Verdict::Informational,
        Verdict::Unimplemented,
        Verdict::Error,
        Verdict::Blocked,
    ];
}

/// One HTTP exchange of a case, with secrets already redacted.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Exchange {
    pub step: String,
    /// The shared fixture (`uses:`) that sent it: run once for all its users, shown in each
    /// user's transcript, counted in none of their `requests`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixture: Option<String>,
    /// Who first sent this discovery read (`preflight`, or `suite::case`) when its answer was
    /// shared rather than sent again (`run --no-shared-discovery` sends every read): counted
    /// in no `requests`, left out of the HAR record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<String>,
    /// When the request was sent (RFC 3339).
    pub started: String,
    pub method: String,
    /// The URL as sent: the query string percent-encoded.
    pub url: String,
    /// The HTTP version of the answer (`HTTP/1.1`); empty when none came.
    pub http_version: String,
    /// Every header scimspec set, credentials masked.
    #[serde(serialize_with = "name_value")]
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// None when no answer came (see `error`).
    pub status: Option<u16>,
    pub reason: String,
    #[serde(serialize_with = "name_value")]
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    #[serde(rename = "duration_ms")]
    pub elapsed_ms: u64,
    pub retries: Vec<String>,
    pub error: Option<String>,
}

/// Why a case is BLOCKED: the setup step that failed, and the case whose own point that was.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Blocked {
    /// `step 1 "create user"`.
    pub step: String,
    /// The request as the suite writes it, ids as `{id}`: `POST /Users`.
    pub request: String,
    /// The status of the answer, when one came.
    pub status: Option<u16>,
    /// One line: the server's own words (an Error `detail`) or the expectation that did not hold.
    pub detail: String,
    /// The key blocked cases are grouped by: the same failure of the same request.
    pub cause: String,
    /// What did not hold first (`status`, `json /displayName`).
    pub subject: String,
    /// The case (`suite::case`) whose own point failed there, when one did.
    pub root_cause: Option<String>,
    /// `proven_by:` of the step, if the suite names the owning case.
    #[serde(skip)]
    pub proven_by: Option<String>,
}

/// The request and status of the step where a case failed, to find what it blocked.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FailedAt {
    pub request: String,
    pub status: Option<u16>,
    /// What did not hold first (`status`, `json /displayName`), when an answer came.
    pub subject: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct CaseRecord {
    pub suite: String,
    pub case: String,
    pub title: String,
    pub profile: String,
    pub file: String,
    /// The suite file is compiled into scimspec (so `file` is no path of the user's).
    pub builtin: bool,
    pub line: u32,
    pub level: Level,
    pub spec: Vec<String>,
    pub requirements: Vec<String>,
    /// Where the vendor or IdP rule is written down (empty for RFC cases).
    pub sources: Vec<crate::suite::CaseSource>,
    /// For okta cases: the app kind whose requests the case replays (`None` = both kinds).
    pub app: Option<crate::suite::OktaApp>,
    /// The capabilities the case needs (`requires:`), for saying what a skip left untested.
    pub requires: Vec<String>,
    /// The requests whose answer is the case's own point (`owns:`), to name it as the root cause
    /// of the cases a failure there blocks.
    #[serde(skip)]
    pub owns: Vec<String>,
    pub verdict: Verdict,
    /// One line: why the verdict is what it is (empty on PASS).
    pub message: String,
    /// For INFORMATIONAL: which of the allowed behaviours the server chose.
    pub chosen: Option<String>,
    /// The failing step's number (1-based) and name, if a step failed.
    pub failed_step: Option<String>,
    /// For FAIL, NON-STRICT and ERROR in the case's own steps: where.
    pub failed_at: Option<FailedAt>,
    /// For BLOCKED: the root cause.
    pub blocked: Option<Blocked>,
    pub mismatches: Vec<Mismatch>,
    pub transcript: Vec<Exchange>,
    pub snapshots: Vec<crate::check::snapshot::Outcome>,
    /// Requests of the case sent again after a 429 or 503 (each is in the transcript).
    pub retries: usize,
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// HTTP requests the case sent (counted before a PASS drops its transcript).
    pub requests: usize,
}

/// Headers as `{"name", "value"}` objects, as HAR writes them.
fn name_value<S: serde::Serializer>(hs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(hs.len()))?;
    for (name, value) in hs {
        seq.serialize_element(&serde_json::json!({"name": name, "value": value}))?;
    }
    seq.end()
}

/// A duration as a number of milliseconds (fractional), as the JSON report carries it.
fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1_000_000.0).round() / 1000.0)
}

impl CaseRecord {
    pub fn name(&self) -> String {
        format!("{}::{}", self.suite, self.case)
    }

    /// A record of a built-in MUST case with nothing recorded yet: the start of a case's record,
    /// and of the unit tests of what reads records (set the fields that matter on the result).
    pub fn sample(suite: &str, case: &str, profile: &str, verdict: Verdict) -> CaseRecord {
        CaseRecord {
            suite: suite.into(),
            case: case.into(),
            title: String::new(),
            profile: profile.into(),
            file: String::new(),
            builtin: true,
            line: 1,
            level: crate::suite::Level::Must,
            spec: Vec::new(),
            requirements: Vec::new(),
            sources: Vec::new(),
            app: None,
            requires: Vec::new(),
            owns: Vec::new(),
            verdict,
            message: String::new(),
            chosen: None,
            failed_step: None,
            failed_at: None,
            blocked: None,
            mismatches: Vec::new(),
            transcript: Vec::new(),
            snapshots: Vec::new(),
            retries: 0,
            duration: Duration::ZERO,
            requests: 0,
        }
    }
}

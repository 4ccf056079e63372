//! The JSON report: the same records as the console and JUnit, for dashboards and vendor
//! matrices. Its shape is published as `schemas/report.schema.json`; a change to it changes
//! [`FORMAT_VERSION`] and the schema together.

use super::counts;
use crate::endpoint::cleanup::CleanupReport;
use crate::run::record::{CaseRecord, Verdict};
use serde_json::{Value, json};
use std::time::Duration;

/// The version of the report's shape (`format_version`): bumped when a field is removed or
/// changes meaning; new optional fields keep it.
pub const FORMAT_VERSION: u32 = 1;

/// Which cases keep their HTTP transcript in the report (`--json-transcripts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Transcripts {
    /// Every case whose verdict is not PASS
    #[default]
    Failed,
    /// Every case
    All,
    /// No case
    None,
}

impl Transcripts {
    pub fn as_str(self) -> &'static str {
        match self {
            Transcripts::Failed => "failed",
            Transcripts::All => "all",
            Transcripts::None => "none",
        }
    }

    fn keeps(self, verdict: Verdict) -> bool {
        match self {
            Transcripts::Failed => verdict != Verdict::Pass,
            Transcripts::All => true,
            Transcripts::None => false,
        }
    }
}

/// The run as a whole, as the report's `run` object carries it.
pub struct RunSummary<'a> {
    pub run_id: &'a str,
    pub label: &'a str,
    /// Redacted.
    pub base_url: &'a str,
    pub profiles: &'a [String],
    pub started_at: jiff::Timestamp,
    pub elapsed: Duration,
    pub strict: bool,
    pub insecure: bool,
    pub read_only: bool,
    pub interrupted: bool,
    pub transcripts: Transcripts,
    pub cleanup: &'a CleanupReport,
    /// `--keep`: what is left was left on purpose.
    pub kept: bool,
    /// The command that removes what is left.
    pub cleanup_command: &'a str,
    /// Requests the shared fixtures sent (once per run, in no case's `requests`).
    pub fixture_requests: usize,
    /// Every HTTP request the run sent: preflight, cases, fixtures and cleanup, retries included.
    pub requests: usize,
}

/// The resource type a collection endpoint holds: `Users` → `User`.
fn resource_type(collection: &str) -> String {
    let name = collection.trim_matches('/');
    let name = name.rsplit('/').next().unwrap_or(name);
    match name {
        "Users" => "User".to_owned(),
        "Groups" => "Group".to_owned(),
        other => other.strip_suffix('s').unwrap_or(other).to_owned(),
    }
}

pub fn report(records: &[CaseRecord], run: &RunSummary) -> Value {
    let tally: serde_json::Map<String, Value> = counts(records)
        .into_iter()
        .map(|(v, n)| (v.as_str().to_owned(), n.into()))
        .collect();
    let leftovers: Vec<Value> = run
        .cleanup
        .left
        .iter()
        .map(|l| {
            json!({
                "resource_type": resource_type(&l.collection),
                "endpoint": l.collection,
                "id": l.id,
                "name": l.name,
                "reason": l.reason,
            })
        })
        .collect();
    let cases: Vec<Value> = records
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert("id".into(), r.name().into());
                if !run.transcripts.keeps(r.verdict) {
                    o.remove("transcript");
                }
            }
            v
        })
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "scimspec": env!("CARGO_PKG_VERSION"),
        "run": {
            "run_id": run.run_id,
            "label": run.label,
            "base_url": run.base_url,
            "profiles": run.profiles,
            "started_at": run.started_at.to_string(),
            "duration_ms": millis(run.elapsed),
            "strict": run.strict,
            "insecure": run.insecure,
            "read_only": run.read_only,
            "interrupted": run.interrupted,
            "json_transcripts": run.transcripts.as_str(),
            "fixture_requests": run.fixture_requests,
            "requests": run.requests,
            "cleanup": {
                "created": run.cleanup.created,
                "deleted": run.cleanup.deleted,
                "requests": run.cleanup.requests,
                "left": run.cleanup.left.len(),
                "kept": run.kept,
                "leftovers": leftovers,
                "warnings": run.cleanup.warnings,
                "command": (!run.cleanup.left.is_empty()).then_some(run.cleanup_command),
            },
        },
        "counts": tally,
        "cases": cases,
    })
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// How reports name a target when `--label` is not given: `builtin-core` for the built-in
/// server, else host, port and path of the base URL (`scim.example.com:8443/scim/v2`).
pub fn default_label(base_url: &str, builtin: Option<&str>) -> String {
    if let Some(flavour) = builtin {
        return format!("builtin-{flavour}");
    }
    match url::Url::parse(base_url) {
        Ok(u) => format!(
            "{}{}{}",
            u.host_str().unwrap_or(""),
            u.port().map(|p| format!(":{p}")).unwrap_or_default(),
            u.path().trim_end_matches('/')
        ),
        Err(_) => base_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_host_port_and_path() {
        assert_eq!(
            default_label("https://scim.example.com:8443/scim/v2/", None),
            "scim.example.com:8443/scim/v2"
        );
        assert_eq!(default_label("http://h/", None), "h");
        assert_eq!(
            default_label("http://127.0.0.1:1/x", Some("core")),
            "builtin-core"
        );
    }

    /// A record of every verdict and every optional part, as the runner fills them.
    fn records() -> Vec<CaseRecord> {
        use crate::check::Mismatch;
        use crate::check::snapshot::Outcome;
        use crate::run::record::{Blocked, Exchange, FailedAt};
        use crate::suite::{CaseSource, Level, OktaApp};
        let exchange = |status: Option<u16>, error: Option<&str>| Exchange {
            step: "step 1 \"create\"".into(),
            fixture: None,
            shared: None,
            started: "2026-11-30T06:00:00.5Z".into(),
            method: "POST".into(),
            url: "https://h.example/scim/v2/Users?filter=userName+eq+%22a%22".into(),
            http_version: if status.is_some() {
                "HTTP/1.1".into()
            } else {
                String::new()
            },
            request_headers: vec![("Authorization".into(), "Bearer [REDACTED]".into())],
            request_body: Some("{}".into()),
            status,
            reason: "Bad Request".into(),
            response_headers: vec![("content-type".into(), "application/scim+json".into())],
            response_body: "{}".into(),
            elapsed_ms: 12,
            retries: vec!["answered 429, retried after 0.5s".into()],
            error: error.map(str::to_owned),
        };
        Verdict::ALL
            .iter()
            .enumerate()
            .map(|(i, v)| CaseRecord {
                suite: "rfc7644.3.3-create".into(),
                case: format!("case-{i}"),
                title: "t".into(),
                profile: "core".into(),
                file: "suites/core/rfc7644/3.3-create.yaml".into(),
                builtin: i % 2 == 0,
                line: 7,
                level: [Level::Must, Level::Should, Level::May, Level::Info][i % 4],
                spec: vec!["RFC 7644 §3.3".into()],
                requirements: vec!["rfc7644.3.3.x".into()],
                sources: vec![CaseSource {
                    doc: "d".into(),
                    quote: "q".into(),
                }],
                app: [None, Some(OktaApp::Catalog), Some(OktaApp::Custom)][i % 3],
                requires: vec!["bulk".into()],
                owns: Vec::new(),
                verdict: *v,
                message: "why".into(),
                chosen: (*v == Verdict::Informational).then(|| "204".to_owned()),
                failed_step: Some("step 1".into()),
                failed_at: Some(FailedAt {
                    request: "POST /Users".into(),
                    status: (i % 2 == 0).then_some(400),
                    subject: None,
                }),
                blocked: (*v == Verdict::Blocked).then(|| Blocked {
                    step: "step 1".into(),
                    request: "POST /Users".into(),
                    status: None,
                    detail: "d".into(),
                    cause: "c".into(),
                    subject: "status".into(),
                    root_cause: Some("a::b".into()),
                    proven_by: None,
                }),
                mismatches: vec![Mismatch {
                    line: 3,
                    column: 5,
                    subject: "status".into(),
                    expected: "201".into(),
                    actual: "400".into(),
                }],
                transcript: vec![exchange(Some(400), None), exchange(None, Some("timed out"))],
                snapshots: vec![
                    Outcome::Changed {
                        name: "n".into(),
                        file: "f".into(),
                        diff: "-a\n+b".into(),
                    },
                    Outcome::Unwritable {
                        name: "n".into(),
                        file: "f".into(),
                        error: "e".into(),
                    },
                    Outcome::Matched {
                        name: "n".into(),
                        file: "f".into(),
                    },
                ],
                retries: i,
                duration: Duration::from_micros(1500),
                requests: 2,
            })
            .collect()
    }

    #[test]
    fn every_shape_of_record_validates_against_the_published_schema() {
        use crate::endpoint::cleanup::Leftover;
        let schema: Value = serde_json::from_str(include_str!("../../schemas/report.schema.json"))
            .expect("the schema is JSON");
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles");
        let cleanup = CleanupReport {
            created: 3,
            deleted: 1,
            requests: 4,
            left: vec![
                Leftover {
                    collection: "/Users".into(),
                    id: Some("u1".into()),
                    name: None,
                    reason: "DELETE answered 500".into(),
                },
                Leftover {
                    collection: "/Groups".into(),
                    id: None,
                    name: Some("g".into()),
                    reason: "no answer".into(),
                },
            ],
            warnings: vec!["w".into()],
        };
        for transcripts in [Transcripts::Failed, Transcripts::All, Transcripts::None] {
            let summary = RunSummary {
                run_id: "abcd1234",
                label: "h.example/scim/v2",
                base_url: "https://h.example/scim/v2",
                profiles: &["core".to_owned()],
                started_at: jiff::Timestamp::now(),
                elapsed: Duration::from_millis(2500),
                strict: true,
                insecure: false,
                read_only: false,
                interrupted: true,
                transcripts,
                cleanup: &cleanup,
                kept: false,
                cleanup_command: "scimspec cleanup --base-url https://h.example/scim/v2 --run-id abcd1234",
                fixture_requests: 2,
                requests: 40,
            };
            let doc = report(&records(), &summary);
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{}: {e}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{transcripts:?}: {errors:#?}");
            assert_eq!(doc["run"]["cleanup"]["left"], 2);
            assert_eq!(
                doc["run"]["cleanup"]["leftovers"][0]["resource_type"],
                "User"
            );
            assert_eq!(doc["cases"][0]["duration_ms"], 1.5);
            assert_eq!(doc["cases"][0]["id"], "rfc7644.3.3-create::case-0");
            let kept = doc["cases"].as_array().map_or(0, |cs| {
                cs.iter().filter(|c| c.get("transcript").is_some()).count()
            });
            let expected = match transcripts {
                Transcripts::Failed => Verdict::ALL.len() - 1,
                Transcripts::All => Verdict::ALL.len(),
                Transcripts::None => 0,
            };
            assert_eq!(kept, expected, "{transcripts:?}");
        }
    }

    #[test]
    fn collections_name_their_resource_type() {
        assert_eq!(resource_type("Users"), "User");
        assert_eq!(resource_type("/Groups"), "Group");
        assert_eq!(resource_type("Devices"), "Device");
    }
}

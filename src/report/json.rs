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
            "cleanup": {
                "created": run.cleanup.created,
                "deleted": run.cleanup.deleted,
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

    #[test]
    fn collections_name_their_resource_type() {
        assert_eq!(resource_type("Users"), "User");
        assert_eq!(resource_type("/Groups"), "Group");
        assert_eq!(resource_type("Devices"), "Device");
    }
}

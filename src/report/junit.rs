//! JUnit XML as GitLab, GitHub's reporters and Jenkins read it: one `<testsuite>` per suite file,
//! `classname` = suite id, `name` = case id, `file`/`line` attributes, a one-line `message`, the
//! full explanation as text, the transcript in `<system-out>` for failures.

use super::{explain, transcript};
use crate::catalog::Catalog;
use crate::run::record::{CaseRecord, Verdict};
use quick_junit::{
    NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite, XmlString,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Facts about the run as a whole that JUnit carries beside the cases.
#[derive(Clone, Debug, Default)]
pub struct RunFacts {
    /// `--insecure`: TLS certificates were not verified.
    pub insecure: bool,
    /// The run was interrupted (SIGINT, SIGTERM, SIGHUP).
    pub interrupted: bool,
    /// Resources the run made that are still there, one line each (id and name).
    pub leftovers: Vec<String>,
    /// The command that removes them.
    pub cleanup_command: Option<String>,
}

pub fn render(
    records: &[CaseRecord],
    catalog: &Catalog,
    strict: bool,
    elapsed: Duration,
) -> Result<String, String> {
    build(records, catalog, strict, elapsed, None)
}

/// [`render`] plus a `scimspec` suite: the run's properties, and a failing `cleanup` case that
/// lists what the run left behind (a CI job then fails on leftovers, and shows them).
pub fn render_run(
    records: &[CaseRecord],
    catalog: &Catalog,
    strict: bool,
    elapsed: Duration,
    facts: &RunFacts,
) -> Result<String, String> {
    build(records, catalog, strict, elapsed, Some(facts))
}

fn build(
    records: &[CaseRecord],
    catalog: &Catalog,
    strict: bool,
    elapsed: Duration,
    facts: Option<&RunFacts>,
) -> Result<String, String> {
    let mut report = Report::new("scimspec");
    report.set_time(elapsed);
    let mut by_suite: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for r in records {
        by_suite.entry(r.suite.as_str()).or_default().push(r);
    }
    for (suite_id, cases) in by_suite {
        let mut ts = TestSuite::new(suite_id);
        if let Some(f) = facts {
            ts.add_property(Property::new("insecure", f.insecure.to_string()));
            ts.add_property(Property::new("interrupted", f.interrupted.to_string()));
        }
        ts.set_time(cases.iter().map(|c| c.duration).sum());
        if let Some(first) = cases.first() {
            ts.extra
                .insert(XmlString::new("file"), XmlString::new(&first.file));
        }
        for r in cases {
            let status = match r.verdict {
                Verdict::Pass | Verdict::Informational => TestCaseStatus::success(),
                Verdict::NonStrict if !strict => TestCaseStatus::success(),
                Verdict::Fail | Verdict::NonStrict => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(one_line(&r.message));
                    s.set_type(r.verdict.as_str());
                    s.set_description(explain(r, catalog));
                    s
                }
                Verdict::Error => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(one_line(&r.message));
                    s.set_type("ERROR");
                    s.set_description(explain(r, catalog));
                    s
                }
                Verdict::Unimplemented => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(one_line(&r.message));
                    s
                }
                Verdict::Blocked => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(one_line(&super::blocked_reason(r)));
                    s.set_type("BLOCKED");
                    s
                }
            };
            let mut tc = TestCase::new(r.case.as_str(), status);
            tc.set_classname(r.suite.as_str());
            tc.set_time(r.duration);
            let line = r.mismatches.first().map(|m| m.line).unwrap_or(r.line);
            tc.extra
                .insert(XmlString::new("file"), XmlString::new(&r.file));
            tc.extra
                .insert(XmlString::new("line"), XmlString::new(line.to_string()));
            tc.add_property(Property::new("verdict", r.verdict.as_str()));
            tc.add_property(Property::new("level", r.level.as_str()));
            tc.add_property(Property::new("requirements", r.requirements.join(",")));
            if !r.spec.is_empty() {
                tc.add_property(Property::new("spec", r.spec.join(", ")));
            }
            for s in &r.sources {
                tc.add_property(Property::new("source", s.to_string()));
            }
            if let Some(app) = r.app {
                tc.add_property(Property::new("okta-app", app.as_str()));
            }
            match r.verdict {
                Verdict::Fail | Verdict::Error | Verdict::NonStrict => {
                    tc.set_system_out(format!("{}\n{}", explain(r, catalog), transcript(r)));
                }
                _ => {
                    let mut notes = Vec::new();
                    if r.verdict == Verdict::Informational {
                        notes.push(format!("INFORMATIONAL: {}", r.message));
                    }
                    for d in r.snapshots.iter().filter_map(|o| o.diff()) {
                        notes.push(format!("snapshot drift:\n{d}"));
                    }
                    if !notes.is_empty() {
                        tc.set_system_out(notes.join("\n"));
                    }
                }
            }
            ts.add_test_case(tc);
        }
        report.add_test_suite(ts);
    }
    // Leftovers are a failure of the run itself: only then does a `scimspec` suite appear.
    if let Some(facts) = facts.filter(|f| !f.leftovers.is_empty()) {
        report.add_test_suite(run_suite(facts));
    }
    report
        .to_string()
        .map_err(|e| format!("cannot write JUnit XML: {e}"))
}

fn run_suite(facts: &RunFacts) -> TestSuite {
    let mut ts = TestSuite::new("scimspec");
    ts.add_property(Property::new("insecure", facts.insecure.to_string()));
    ts.add_property(Property::new("interrupted", facts.interrupted.to_string()));
    let status = if facts.leftovers.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!(
            "{} resource(s) the run created are still there",
            facts.leftovers.len()
        ));
        s.set_type("LEFTOVERS");
        let mut text = facts.leftovers.join("\n");
        if let Some(c) = &facts.cleanup_command {
            text.push_str(&format!("\nremove them with: {c}"));
        }
        s.set_description(text);
        s
    };
    let mut tc = TestCase::new("cleanup", status);
    tc.set_classname("scimspec");
    ts.add_test_case(tc);
    ts
}

fn one_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line.to_owned()
    }
}

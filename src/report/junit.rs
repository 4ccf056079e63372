//! JUnit XML as GitLab, GitHub's reporters and Jenkins read it: one `<testsuite>` per suite,
//! named `LABEL::SUITE` so the runs of several targets can be merged; `classname` = the same,
//! `name` = case id; `file`/`line` only for the user's own suite files; a one-line `message`,
//! the explanation once as the failure text, the transcript in `<system-out>`.
//!
//! Verdicts beyond pass/fail, in standard elements only: NON-STRICT is a `<failure
//! type="NON-STRICT">` with `--strict`, else a passing case whose `<system-out>` starts with
//! `NON-STRICT: `; INFORMATIONAL passes with `INFORMATIONAL: ` in `<system-out>`; UNIMPLEMENTED
//! and BLOCKED are `<skipped>` whose message starts with the verdict.

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
    /// The target's name (`--label`, or host:port/path): the prefix of every suite name.
    pub label: String,
    /// When the run started.
    pub started_at: jiff::Timestamp,
}

pub fn render(
    records: &[CaseRecord],
    catalog: &Catalog,
    strict: bool,
    elapsed: Duration,
) -> Result<String, String> {
    build(records, catalog, strict, elapsed, None)
}

/// [`render`] plus the run's facts: the label in suite names, timestamps, the run's properties,
/// and a failing `cleanup` case that lists what the run left behind (a CI job then fails on
/// leftovers, and shows them).
pub fn render_run(
    records: &[CaseRecord],
    catalog: &Catalog,
    strict: bool,
    elapsed: Duration,
    facts: &RunFacts,
) -> Result<String, String> {
    build(records, catalog, strict, elapsed, Some(facts))
}

/// The host scimspec ran on, as JUnit's `hostname` carries it.
pub fn hostname() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is ours and its length is passed; the result is NUL-terminated
        // when it fits, and a failure leaves it unread.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if rc == 0 {
            let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
            let name = String::from_utf8_lossy(&buf[..end]).trim().to_owned();
            if !name.is_empty() {
                return name;
            }
        }
    }
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "localhost".to_owned())
}

fn timestamp(t: jiff::Timestamp) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::from_timestamp(t.as_second(), t.subsec_nanosecond().max(0) as u32)
        .map(|d| d.fixed_offset())
}

fn build(
    records: &[CaseRecord],
    catalog: &Catalog,
    strict: bool,
    elapsed: Duration,
    facts: Option<&RunFacts>,
) -> Result<String, String> {
    let label = facts.map(|f| f.label.as_str()).filter(|l| !l.is_empty());
    let host = facts.map(|_| hostname());
    let stamp = facts.and_then(|f| timestamp(f.started_at));
    let mut report = Report::new(match label {
        Some(l) => format!("scimspec {l}"),
        None => "scimspec".to_owned(),
    });
    report.set_time(elapsed);
    if let Some(t) = stamp {
        report.set_timestamp(t);
    }
    let suite_name = |suite: &str| match label {
        Some(l) => format!("{l}::{suite}"),
        None => suite.to_owned(),
    };
    let mut by_suite: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for r in records {
        by_suite.entry(r.suite.as_str()).or_default().push(r);
    }
    for (suite_id, cases) in by_suite {
        let name = suite_name(suite_id);
        let mut ts = TestSuite::new(name.as_str());
        if let Some(t) = stamp {
            ts.set_timestamp(t);
        }
        if let Some(h) = &host {
            ts.extra
                .insert(XmlString::new("hostname"), XmlString::new(h));
        }
        ts.add_property(Property::new("suite", suite_id));
        if let Some(l) = label {
            ts.add_property(Property::new("target", l));
        }
        if let Some(f) = facts {
            ts.add_property(Property::new("insecure", f.insecure.to_string()));
            ts.add_property(Property::new("interrupted", f.interrupted.to_string()));
        }
        ts.set_time(cases.iter().map(|c| c.duration).sum());
        // A built-in suite's path lies inside scimspec's own repository: no use to a CI's
        // annotations, so only the user's own files are named.
        if let Some(first) = cases.first().filter(|c| !c.builtin) {
            ts.extra
                .insert(XmlString::new("file"), XmlString::new(&first.file));
        }
        for r in cases {
            ts.add_test_case(test_case(r, catalog, strict, &name));
        }
        report.add_test_suite(ts);
    }
    // Leftovers are a failure of the run itself: only then does a `scimspec` suite appear.
    if let Some(facts) = facts.filter(|f| !f.leftovers.is_empty()) {
        let mut ts = run_suite(facts, &suite_name("scimspec"));
        if let Some(t) = stamp {
            ts.set_timestamp(t);
        }
        if let Some(h) = &host {
            ts.extra
                .insert(XmlString::new("hostname"), XmlString::new(h));
        }
        report.add_test_suite(ts);
    }
    // `hostname` only on <testsuite>: the JUnit XSD CI tools follow has none on <testsuites>.
    report
        .to_string()
        .map_err(|e| format!("cannot write JUnit XML: {e}"))
}

fn test_case(r: &CaseRecord, catalog: &Catalog, strict: bool, classname: &str) -> TestCase {
    let failure = |kind: NonSuccessKind, ty: &str| {
        let mut s = TestCaseStatus::non_success(kind);
        s.set_message(one_line(&r.message));
        s.set_type(ty);
        s.set_description(explain(r, catalog));
        s
    };
    let status = match r.verdict {
        Verdict::Pass | Verdict::Informational => TestCaseStatus::success(),
        Verdict::NonStrict if !strict => TestCaseStatus::success(),
        Verdict::Fail | Verdict::NonStrict => failure(NonSuccessKind::Failure, r.verdict.as_str()),
        Verdict::Error => failure(NonSuccessKind::Error, "ERROR"),
        Verdict::Unimplemented => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(one_line(&format!("UNIMPLEMENTED: {}", r.message)));
            s.set_type("UNIMPLEMENTED");
            s
        }
        Verdict::Blocked => {
            let mut s = TestCaseStatus::skipped();
            let reason = super::blocked_reason(r);
            let reason = reason.strip_prefix("blocked by: ").unwrap_or(&reason);
            s.set_message(one_line(&format!("BLOCKED: {reason}")));
            s.set_type("BLOCKED");
            s
        }
    };
    let mut tc = TestCase::new(r.case.as_str(), status);
    tc.set_classname(classname);
    tc.set_time(r.duration);
    if !r.builtin {
        let line = r.mismatches.first().map(|m| m.line).unwrap_or(r.line);
        tc.extra
            .insert(XmlString::new("file"), XmlString::new(&r.file));
        tc.extra
            .insert(XmlString::new("line"), XmlString::new(line.to_string()));
    }
    tc.add_property(Property::new("id", r.name()));
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
    let drift: Vec<String> = r
        .snapshots
        .iter()
        .filter_map(|o| o.diff())
        .map(|d| format!("snapshot drift:\n{d}"))
        .collect();
    let out = match r.verdict {
        // The explanation is the failure's text; <system-out> adds only the exchanges.
        Verdict::Fail | Verdict::Error => transcript(r),
        Verdict::NonStrict if strict => transcript(r),
        // A passing case in JUnit's terms: the verdict leads <system-out>, then the
        // explanation (once: there is no failure text), then the exchanges.
        Verdict::NonStrict => format!(
            "NON-STRICT: {}\n{}\n{}",
            one_line(&r.message),
            explain(r, catalog),
            transcript(r)
        ),
        Verdict::Informational => {
            let mut notes = vec![format!("INFORMATIONAL: {}", one_line(&r.message))];
            notes.extend(drift);
            notes.join("\n")
        }
        _ => drift.join("\n"),
    };
    let out = out.trim_end();
    if !out.is_empty() {
        tc.set_system_out(out);
    }
    tc
}

fn run_suite(facts: &RunFacts, name: &str) -> TestSuite {
    let mut ts = TestSuite::new(name);
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
    tc.set_classname(name);
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

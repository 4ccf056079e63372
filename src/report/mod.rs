//! Reporters: the console summary, JUnit XML and the JSON report. All read the same records,
//! sorted by name, after the run.

pub mod console;
pub mod har;
pub mod html;
pub mod json;
pub mod junit;
pub mod live;
pub mod stdout;
pub mod verdict;

use crate::catalog::Catalog;
use crate::run::record::{CaseRecord, Verdict};
use std::fmt::Write as _;

/// The full plain-text explanation of a record: what a person needs to act on it.
pub fn explain(r: &CaseRecord, catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} [{}] {} — {}",
        r.verdict.as_str(),
        r.level,
        r.name(),
        r.title
    );
    for id in &r.requirements {
        match catalog.get(id) {
            Some(req) => {
                let _ = writeln!(
                    out,
                    "  requirement: {id} ({}, {}): {}",
                    section(id, &req.section),
                    req.level,
                    req.summary
                );
            }
            None => {
                let _ = writeln!(out, "  requirement: {id}");
            }
        }
    }
    if !r.spec.is_empty() {
        let _ = writeln!(out, "  spec: {}", r.spec.join(", "));
    }
    for s in &r.sources {
        let _ = writeln!(out, "  source: {s}");
    }
    if let Some(app) = r.app {
        let _ = writeln!(out, "  okta app: {app} only");
    }
    let first_line = r
        .mismatches
        .first()
        .map(|m| (m.line, m.column))
        .unwrap_or((r.line, 1));
    let _ = writeln!(out, "  --> {}:{}:{}", r.file, first_line.0, first_line.1);
    if r.verdict == Verdict::Unimplemented {
        let _ = writeln!(out, "  skipped: {}", r.message);
        return out;
    }
    if let Some(step) = &r.failed_step {
        // The last exchange belongs to the failing step only if that step got to send.
        if let Some(x) = r.transcript.last().filter(|x| &x.step == step) {
            match x.status {
                Some(s) => {
                    let shared = x
                        .shared
                        .as_deref()
                        .map(|by| format!(" ({})", shared_note(by)))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "  {step}: {} {} -> {s} {}{shared}",
                        x.method, x.url, x.reason
                    );
                }
                None => {
                    let _ = writeln!(out, "  {step}: {} {} -> no answer", x.method, x.url);
                }
            }
        }
    }
    if r.mismatches.is_empty() {
        if !r.message.is_empty() {
            let _ = writeln!(out, "  {}", r.message);
        }
    } else {
        for m in &r.mismatches {
            let _ = writeln!(out, "  {} (line {}):", m.subject, m.line);
            let _ = writeln!(out, "    expected: {}", m.expected);
            let _ = writeln!(out, "    actual:   {}", m.actual);
        }
    }
    if let Some(x) = r.transcript.last().filter(|_| r.failed_step.is_some())
        && !x.response_body.is_empty()
    {
        let _ = writeln!(
            out,
            "  response body: {}",
            crate::check::preview(&x.response_body)
        );
    }
    for diff in r.snapshots.iter().filter_map(|o| o.diff()) {
        let _ = writeln!(out, "  snapshot drift:\n{}", indent(diff, "    "));
    }
    out
}

/// Where a requirement is written: `RFC 7644 §3.3` for RFC sections, the catalog's own words
/// (a vendor document's heading) otherwise.
pub fn section(id: &str, section: &str) -> String {
    if section.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let rfc = id
            .split('.')
            .next()
            .unwrap_or("")
            .to_uppercase()
            .replace("RFC", "RFC ");
        format!("{rfc} §{section}")
    } else {
        section.to_owned()
    }
}

/// One line on why a case is BLOCKED: the failed precondition and the case that judges it.
pub fn blocked_reason(r: &CaseRecord) -> String {
    let Some(b) = &r.blocked else {
        return r.message.clone();
    };
    match &b.root_cause {
        Some(root) => format!("blocked by: {} — the failing case is {root}", b.cause),
        None => format!(
            "blocked by: {} ({} of this case); no case's own point judged it",
            b.cause, b.step
        ),
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The request/response transcript of a record, for JUnit `<system-out>` and `--verbose`.
pub fn transcript(r: &CaseRecord) -> String {
    let mut out = String::new();
    for x in &r.transcript {
        match &x.shared {
            Some(by) => {
                let _ = writeln!(out, "## {} ({})", x.step, shared_note(by));
            }
            None => {
                let _ = writeln!(out, "## {}", x.step);
            }
        }
        let _ = writeln!(out, "> {} {}", x.method, x.url);
        for (n, v) in &x.request_headers {
            let _ = writeln!(out, "> {n}: {v}");
        }
        if let Some(b) = &x.request_body {
            let _ = writeln!(out, ">\n{b}");
        }
        for retry in &x.retries {
            let _ = writeln!(out, "! {retry}");
        }
        match (x.status, &x.error) {
            (_, Some(e)) => {
                let _ = writeln!(out, "! {e}");
            }
            (Some(s), None) => {
                let _ = writeln!(out, "< {s} {} ({} ms)", x.reason, x.elapsed_ms);
                for (n, v) in &x.response_headers {
                    let _ = writeln!(out, "< {n}: {v}");
                }
                if !x.response_body.is_empty() {
                    let _ = writeln!(out, "<\n{}", x.response_body);
                }
            }
            (None, None) => {}
        }
        out.push('\n');
    }
    out
}

/// How a transcript marks a discovery answer that was shared, not sent again.
pub fn shared_note(by: &str) -> String {
    format!("answer shared: first read by {by}, not sent again")
}

/// Counts per verdict, in the table's order.
pub fn counts(records: &[CaseRecord]) -> Vec<(Verdict, usize)> {
    Verdict::ALL
        .iter()
        .map(|v| (*v, records.iter().filter(|r| r.verdict == *v).count()))
        .collect()
}

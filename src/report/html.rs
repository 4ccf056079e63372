//! The HTML report (`--report-html DIR`): one self-contained `index.html` an IT admin can read,
//! filter, print to PDF and attach to a ticket. It reads the same records as the console, JUnit
//! and JSON reporters. The page is a compiled maud template, so every value from a record or a
//! server is escaped; the CSS and the small filter script are inline, and nothing is loaded
//! from the network.

use super::verdict::{ProfileVerdict, profile_verdicts};
use crate::catalog::Catalog;
use crate::endpoint::Redactor;
use crate::run::record::{CaseRecord, Exchange, Verdict};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A response or request body longer than this is cut in the page: a report with every failing
/// transcript must stay small enough to attach to a ticket (`--record-http` keeps everything).
const BODY_LIMIT: usize = 16 * 1024;
/// Problems named under a verdict line on the first screen; the rest are further down.
const FIRST_SCREEN_PROBLEMS: usize = 3;

/// What the report says about the run itself (the first screen's header).
pub struct RunInfo<'a> {
    /// Which server this was: `builtin-core`, `scim.example.com-scim-v2`.
    pub label: &'a str,
    /// Already redacted.
    pub base_url: &'a str,
    /// When the run started, e.g. `2026-11-30 04:20 UTC`.
    pub started: &'a str,
    pub elapsed: Duration,
    pub run_id: &'a str,
    pub profiles: &'a [String],
    /// The end-of-run cleanup summary, as the console prints it.
    pub cleanup: &'a str,
    pub strict: bool,
    /// Whether the run failed (exit code 1).
    pub failed: bool,
}

/// Creates `dir` if needed and proves a file can be written there, so a bad `--report-html` is
/// refused before the first request reaches the server rather than after the whole run.
pub fn check_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the report directory {}: {e}", dir.display()))?;
    let probe = dir.join(format!(".scimspec-probe-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&probe, b"").map_err(|e| {
        format!(
            "cannot write into the report directory {}: {e}",
            dir.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes `index.html` into `dir`; returns its path.
pub fn write(dir: &Path, page: &str) -> Result<PathBuf, String> {
    let path = dir.join("index.html");
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&path, page.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The whole page. Records are already redacted; every string is redacted again before it is
/// escaped (an escaped secret would slip past a redaction of the finished page), and the caller
/// also runs the finished page through the redactor, as for every other report.
pub fn render(
    records: &[CaseRecord],
    catalog: &Catalog,
    info: &RunInfo<'_>,
    redactor: &Redactor,
) -> String {
    let page = Page {
        records,
        catalog,
        redactor,
    };
    page.document(info).into_string()
}

struct Page<'a> {
    records: &'a [CaseRecord],
    catalog: &'a Catalog,
    redactor: &'a Redactor,
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "v-pass",
        Verdict::Fail => "v-fail",
        Verdict::NonStrict => "v-nonstrict",
        Verdict::Informational => "v-info",
        Verdict::Unimplemented => "v-unimpl",
        Verdict::Error => "v-error",
        Verdict::Blocked => "v-blocked",
    }
}

/// The order of the totals and the filter boxes: problems first.
const ORDER: [Verdict; 7] = [
    Verdict::Fail,
    Verdict::Error,
    Verdict::Blocked,
    Verdict::NonStrict,
    Verdict::Informational,
    Verdict::Unimplemented,
    Verdict::Pass,
];

/// A fragment id for a case: `case-rfc7644-3-3-create--returns-201`.
fn anchor(name: &str) -> String {
    let mut out = String::from("case-");
    for c in name.chars() {
        out.push(if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c.to_ascii_lowercase()
        } else {
            '-'
        });
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The documents a vendor or IdP case cites, with the verbatim quote it asserts.
fn sources(r: &CaseRecord) -> Vec<(String, String)> {
    r.sources
        .iter()
        .map(|s| (s.doc.clone(), s.quote.clone()))
        .collect()
}

/// Cuts `text` to `BODY_LIMIT` bytes on a character boundary, saying how much was left out.
fn cut(text: &str) -> String {
    if text.len() <= BODY_LIMIT {
        return text.to_owned();
    }
    let mut end = BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… {} more bytes not shown (--record-http keeps whole bodies)",
        &text[..end],
        text.len() - end
    )
}

/// A one-line JSON body laid out over lines, keys in the order the server sent them (a parsed
/// and re-serialised value would sort them and misquote what went over the wire).
fn layout_json(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.contains('\n')
        || !(trimmed.starts_with('{') || trimmed.starts_with('['))
        || serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_err()
    {
        return body.to_owned();
    }
    let mut out = String::with_capacity(trimmed.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = trimmed.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Empty objects and arrays stay on one line.
                if matches!(chars.peek(), Some('}') | Some(']')) {
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                if !(out.ends_with('{') || out.ends_with('[')) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

impl Page<'_> {
    fn t<'s>(&self, s: &'s str) -> std::borrow::Cow<'s, str> {
        self.redactor.redact(s)
    }

    fn document(&self, info: &RunInfo<'_>) -> Markup {
        let title = format!("scimspec report: {}", info.label);
        let profiles: BTreeSet<&str> = self.records.iter().map(|r| r.profile.as_str()).collect();
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="generator" content={ "scimspec " (env!("CARGO_PKG_VERSION")) };
                    title { (self.t(&title)) }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    (self.first_screen(info))
                    nav.controls aria-label="Filters" {
                        fieldset.verdicts {
                            legend { "Show" }
                            @for v in ORDER {
                                @let n = self.records.iter().filter(|r| r.verdict == v).count();
                                label class={ "chip " (verdict_class(v)) (if n == 0 { " empty" } else { "" }) } {
                                    input type="checkbox" name="verdict" value=(v.as_str()) checked;
                                    (v.as_str()) " " span.n { (n) }
                                }
                            }
                        }
                        label.profile {
                            "Profile "
                            select #f-profile {
                                option value="" { "all" }
                                @for p in &profiles {
                                    option value=(p) { (p) }
                                }
                            }
                        }
                        input #f-search type="search" placeholder="Search case ids and titles" aria-label="Search case ids and titles";
                        span #f-count aria-live="polite" {}
                    }
                    main {
                        (self.sections())
                        p #f-none.note hidden { "No case matches these filters." }
                    }
                    footer {
                        "scimspec " (env!("CARGO_PKG_VERSION")) " · run " (info.run_id)
                        " · credentials are redacted from this page · printing includes every case, expanded"
                    }
                    script { (PreEscaped(SCRIPT)) }
                }
            }
        }
    }

    fn first_screen(&self, info: &RunInfo<'_>) -> Markup {
        let verdicts = profile_verdicts(self.records, info.strict);
        let counts = super::counts(self.records);
        html! {
            header.first {
                div.title {
                    h1 { "SCIM conformance report" }
                    p class={ "outcome " (if info.failed { "bad" } else { "ok" }) } {
                        @if info.failed { "The run failed" } @else { "The run passed" }
                    }
                }
                dl.meta {
                    div { dt { "Target" } dd { (self.t(info.label)) } }
                    div { dt { "Base URL" } dd { code { (self.t(info.base_url)) } } }
                    div { dt { "When" } dd { (info.started) " · took " (format!("{:.1}", info.elapsed.as_secs_f64())) " s" } }
                    div { dt { "scimspec" } dd { (env!("CARGO_PKG_VERSION")) " · run " (info.run_id) @if info.strict { " · --strict" } } }
                    div { dt { "Profiles" } dd { (info.profiles.join(", ")) } }
                }
                ul.lines {
                    @for v in &verdicts {
                        (self.verdict_line(v))
                    }
                }
                div.totals {
                    span.total { (plural(self.records.len(), "case", "cases")) ": " }
                    @for v in ORDER {
                        @let n = counts.iter().find(|(c, _)| *c == v).map(|(_, n)| *n).unwrap_or(0);
                        @if n > 0 {
                            a class={ "chip " (verdict_class(v)) } href={ "#sec-" (verdict_class(v)) } {
                                (v.as_str()) " " span.n { (n) }
                            }
                        }
                    }
                }
                p.cleanup { strong { "Cleanup: " } (self.t(info.cleanup)) }
            }
        }
    }

    fn verdict_line(&self, v: &ProfileVerdict<'_>) -> Markup {
        let more = v.blocking.len().saturating_sub(FIRST_SCREEN_PROBLEMS);
        html! {
            li class={ "line " (if v.ok() { "ok" } else { "bad" }) } data-profile=(v.profile) {
                span.mark aria-hidden="true" { @if v.ok() { "✓" } @else { "✗" } }
                div {
                    p.sentence {
                        strong { (v.subject) ": " }
                        span.status { (v.status()) } " " span.scope { (v.scope()) }
                    }
                    @if !v.blocking.is_empty() {
                        ul.problems {
                            @for r in v.blocking.iter().take(FIRST_SCREEN_PROBLEMS) {
                                li {
                                    a href={ "#" (anchor(&r.name())) } { (self.t(&r.title)) }
                                    @if !r.message.is_empty() { span.why { " — " (self.t(&r.message)) } }
                                }
                            }
                            @if more > 0 {
                                li.more { "and " (more) " more below" }
                            }
                        }
                    }
                    @if !v.not_tested.is_empty() {
                        p.untested {
                            "Not tested: "
                            @for (i, (reason, n)) in v.not_tested.iter().enumerate() {
                                @if i > 0 { "; " }
                                (self.t(reason)) " (" (n) ")"
                            }
                        }
                    }
                }
            }
        }
    }

    fn sections(&self) -> Markup {
        let names: BTreeSet<String> = self
            .records
            .iter()
            .filter(|r| r.verdict != Verdict::Blocked)
            .map(CaseRecord::name)
            .collect();
        // Blocked cases go under the case whose failure blocked them; the rest under their cause.
        let mut under: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
        let mut orphans: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
        for r in self.records {
            let Some(b) = &r.blocked else { continue };
            match b.root_cause.as_deref().filter(|root| names.contains(*root)) {
                Some(root) => under.entry(root).or_default().push(r),
                None => orphans.entry(b.cause.as_str()).or_default().push(r),
            }
        }
        let dependents = |r: &CaseRecord| under.get(r.name().as_str()).map_or(0, Vec::len);
        let mut problems: Vec<&CaseRecord> = self
            .records
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
            .collect();
        problems.sort_by_key(|r| (std::cmp::Reverse(dependents(r)), r.name()));
        let of = |v: Verdict| -> Vec<&CaseRecord> {
            self.records.iter().filter(|r| r.verdict == v).collect()
        };
        let group = |r: &CaseRecord| -> Markup {
            let blocked = under.get(r.name().as_str());
            html! {
                div.group {
                    (self.case(r, true))
                    @if let Some(bs) = blocked {
                        details.blocked-group {
                            summary { (plural(bs.len(), "case", "cases")) " BLOCKED by this failure: a precondition they need did not hold, so they could not judge their own point" }
                            @for b in bs { (self.case(b, true)) }
                        }
                    }
                }
            }
        };
        let non_strict = of(Verdict::NonStrict);
        let info = of(Verdict::Informational);
        let unimpl = of(Verdict::Unimplemented);
        let pass = of(Verdict::Pass);
        html! {
            @if !problems.is_empty() || !orphans.is_empty() {
                section.verdict-section #sec-v-fail {
                    span #sec-v-error {}
                    span #sec-v-blocked {}
                    h2 { "Problems: FAIL and ERROR, with the cases they blocked" }
                    p.lead { "Each failure is shown with the exchange that proves it. Cases listed under a failure could not be judged because of it: fixing the failure will let them run." }
                    @for r in &problems { (group(r)) }
                    @for (cause, bs) in &orphans {
                        div.group {
                            div.orphan {
                                h3 { "Blocked with no failing case to blame: " (self.t(cause)) }
                                p { "No case's own point judged this precondition, so the run counts it as a failure. Open a case for the request and the answer." }
                            }
                            @for b in bs { (self.case(b, true)) }
                        }
                    }
                }
            }
            @if !non_strict.is_empty() {
                section.verdict-section #sec-v-nonstrict {
                    h2 { "NON-STRICT: a SHOULD (or MAY) the server does not follow" }
                    p.lead { "These do not fail the run unless it runs with --strict." }
                    @for r in &non_strict { (group(r)) }
                }
            }
            @if !info.is_empty() {
                section.verdict-section #sec-v-info {
                    h2 { "INFORMATIONAL: where the RFC leaves a choice, what this server chose" }
                    @for r in &info { (group(r)) }
                }
            }
            @if !unimpl.is_empty() {
                section.verdict-section #sec-v-unimpl {
                    h2 { "UNIMPLEMENTED: optional features the server does not advertise" }
                    @for r in &unimpl { (self.case(r, false)) }
                }
            }
            @if !pass.is_empty() {
                section.verdict-section #sec-v-pass {
                    details.pass-group {
                        summary { h2 { "PASS: " (plural(pass.len(), "case", "cases")) } }
                        p.lead { "Transcripts of passing cases are left out to keep the page small; --record-http writes every exchange." }
                        @for r in &pass { (group(r)) }
                    }
                }
            }
        }
    }

    /// One case. `transcript` is false where the exchanges would only repeat the verdict.
    fn case(&self, r: &CaseRecord, transcript: bool) -> Markup {
        let name = r.name();
        let search = format!("{name} {}", r.title).to_lowercase();
        let show_transcript = transcript && r.verdict != Verdict::Pass && !r.transcript.is_empty();
        let src = sources(r);
        html! {
            article class={ "case " (verdict_class(r.verdict)) } id=(anchor(&name))
                data-verdict=(r.verdict.as_str()) data-profile=(r.profile) data-search=(self.t(&search)) {
                header {
                    span class={ "badge " (verdict_class(r.verdict)) } { (r.verdict.as_str()) }
                    span.level { (r.level.to_string()) }
                    h3 { (self.t(&r.title)) }
                    code.id { (self.t(&name)) }
                }
                @if r.verdict == Verdict::Blocked {
                    (self.blocked(r))
                } @else if !r.message.is_empty() {
                    p.message { (self.t(&r.message)) }
                }
                @if let Some(chosen) = &r.chosen {
                    p.chosen { strong { "The server chose: " } (self.t(chosen)) }
                }
                @if !r.mismatches.is_empty() {
                    table.mismatches {
                        thead { tr { th { "Checked" } th { "Expected" } th { "Actual" } } }
                        tbody {
                            @for m in &r.mismatches {
                                tr {
                                    td { (self.t(&m.subject)) span.at { "line " (m.line) } }
                                    td { code { (self.t(&m.expected)) } }
                                    td { code { (self.t(&m.actual)) } }
                                }
                            }
                        }
                    }
                }
                @for diff in r.snapshots.iter().filter_map(|o| o.diff()) {
                    div.drift {
                        p { strong { "Snapshot drift" } }
                        pre.diff {
                            @for line in self.t(diff).lines() {
                                @let class = if line.starts_with('+') { "add" } else if line.starts_with('-') { "del" } else { "ctx" };
                                span class=(class) { (line) "\n" }
                            }
                        }
                    }
                }
                @if !r.requirements.is_empty() {
                    ul.reqs {
                        @for id in &r.requirements {
                            li {
                                code { (id) }
                                @if let Some(req) = self.catalog.get(id) {
                                    span.sec { " " (super::section(id, &req.section)) " · " (req.level) }
                                    span.text { (req.summary) }
                                }
                            }
                        }
                    }
                }
                @if !src.is_empty() {
                    ul.sources {
                        @for (doc, quote) in &src {
                            li { "Source: " cite { (doc) } @if !quote.is_empty() { " — " q { (quote) } } }
                        }
                    }
                }
                p.where { code { (r.file) ":" (r.mismatches.first().map_or(r.line, |m| m.line)) } }
                @if show_transcript {
                    details.transcript {
                        summary { "HTTP transcript (" (plural(r.transcript.len(), "exchange", "exchanges")) ")" }
                        @for x in &r.transcript {
                            (self.exchange(x, r.failed_step.as_deref() == Some(x.step.as_str())))
                        }
                    }
                }
            }
        }
    }

    fn blocked(&self, r: &CaseRecord) -> Markup {
        let Some(b) = &r.blocked else {
            return html! { p.message { (self.t(&r.message)) } };
        };
        html! {
            p.message {
                "Blocked at " (self.t(&b.step)) ": " code { (self.t(&b.request)) }
                @if let Some(s) = b.status { " answered " (s) }
                @if !b.detail.is_empty() { " — " (self.t(&b.detail)) }
            }
            p.root {
                @match &b.root_cause {
                    Some(root) => { "The failing case is " a href={ "#" (anchor(root)) } { code { (self.t(root)) } } "." }
                    None => { "No case's own point judged this precondition." }
                }
            }
        }
    }

    fn exchange(&self, x: &Exchange, failing: bool) -> Markup {
        html! {
            div.exchange.failing[failing] {
                p.step {
                    (self.t(&x.step))
                    @if let Some(by) = &x.shared { span.shared { " — " (self.t(&super::shared_note(by))) } }
                    @if failing { span.flag { " — the failing step" } }
                }
                pre.request {
                    b { (x.method) " " (self.t(&x.url)) } "\n"
                    @for (n, v) in &x.request_headers { (n) ": " (self.t(v)) "\n" }
                    @if let Some(body) = &x.request_body { "\n" (self.t(&cut(&layout_json(body)))) }
                }
                @for retry in &x.retries { p.retry { (self.t(retry)) } }
                @match (x.status, &x.error) {
                    (_, Some(e)) => { pre.response.error { "no answer: " (self.t(e)) } }
                    (Some(s), None) => {
                        pre.response {
                            b { (s) " " (self.t(&x.reason)) } span.ms { " (" (x.elapsed_ms) " ms)" } "\n"
                            @for (n, v) in &x.response_headers { (n) ": " (self.t(v)) "\n" }
                            @if !x.response_body.is_empty() { "\n" (self.t(&cut(&layout_json(&x.response_body)))) }
                        }
                    }
                    (None, None) => {}
                }
            }
        }
    }
}

const CSS: &str = include_str!("html/page.css");

const SCRIPT: &str = include_str!("html/page.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_layout_keeps_key_order_and_strings() {
        let body = r#"{"z":1,"a":{"s":"x, {y}: \"q\""},"e":[],"l":[1,2]}"#;
        let out = layout_json(body);
        assert_eq!(
            out,
            "{\n  \"z\": 1,\n  \"a\": {\n    \"s\": \"x, {y}: \\\"q\\\"\"\n  },\n  \"e\": [],\n  \"l\": [\n    1,\n    2\n  ]\n}"
        );
        assert_eq!(layout_json("not json {"), "not json {");
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let body = "é".repeat(BODY_LIMIT);
        let out = cut(&body);
        assert!(out.len() < body.len());
        assert!(out.contains("more bytes not shown"));
    }

    #[test]
    fn anchors_are_fragment_safe() {
        assert_eq!(
            anchor("rfc7644.3.3-create::returns 201"),
            "case-rfc7644-3-3-create--returns-201"
        );
    }
}

//! The console report printed after the trials: explanations of what broke, the behaviours the
//! server chose, a summary by suite, and the totals.

use super::{counts, explain};
use crate::catalog::Catalog;
use crate::run::record::{CaseRecord, Verdict};
use anstyle::{AnsiColor, Style};
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn style(v: Verdict) -> Style {
    let c = match v {
        Verdict::Pass => AnsiColor::Green,
        Verdict::Fail | Verdict::Error => AnsiColor::Red,
        Verdict::NonStrict => AnsiColor::Yellow,
        Verdict::Informational => AnsiColor::Cyan,
        Verdict::Unimplemented | Verdict::Blocked => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(c.into())).bold()
}

/// The report as text with ANSI styles; anstream strips them where colour is not wanted.
pub fn render(records: &[CaseRecord], catalog: &Catalog, strict: bool, verbose: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let problems: Vec<&CaseRecord> = records
        .iter()
        .filter(|r| {
            matches!(
                r.verdict,
                Verdict::Fail | Verdict::Error | Verdict::NonStrict
            )
        })
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(out, "\n{bold}What failed{bold:#}\n");
        for r in &problems {
            let text = explain(r, catalog);
            let text = if r.snapshots.iter().any(|o| o.diff().is_some()) {
                crate::check::snapshot::colour_diff(&text)
            } else {
                text
            };
            let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
            let s = style(r.verdict);
            let _ = writeln!(out, "{s}{head}{s:#}\n{rest}");
            if verbose {
                let _ = writeln!(out, "{}", super::transcript(r));
            }
        }
    }
    let drift: Vec<&CaseRecord> = records
        .iter()
        .filter(|r| r.verdict != Verdict::Fail && r.snapshots.iter().any(|o| o.diff().is_some()))
        .collect();
    if !drift.is_empty() {
        let _ = writeln!(
            out,
            "{bold}Snapshot drift (reported, not failed: --snapshot-drift warn){bold:#}"
        );
        for r in drift {
            for d in r.snapshots.iter().filter_map(|o| o.diff()) {
                let _ = writeln!(
                    out,
                    "  {}\n{}",
                    r.name(),
                    crate::check::snapshot::colour_diff(d)
                );
            }
        }
        out.push('\n');
    }
    let new: usize = records
        .iter()
        .flat_map(|r| r.snapshots.iter())
        .filter(|o| matches!(o, crate::check::snapshot::Outcome::New { .. }))
        .count();
    if new > 0 {
        let _ = writeln!(
            out,
            "{new} new snapshot{} recorded\n",
            if new == 1 { "" } else { "s" }
        );
    }
    let mut blocked: BTreeMap<(Option<&str>, &str), Vec<&CaseRecord>> = BTreeMap::new();
    for r in records {
        if let Some(b) = &r.blocked {
            blocked
                .entry((b.root_cause.as_deref(), b.cause.as_str()))
                .or_default()
                .push(r);
        }
    }
    if !blocked.is_empty() {
        let _ = writeln!(
            out,
            "{bold}Blocked: a precondition failed, so these cases could not judge their own point (BLOCKED){bold:#}"
        );
        for ((root, cause), rs) in &blocked {
            let n = rs.len();
            let owner = match root {
                Some(root) => format!("the failing case is {root}"),
                None => "no case's own point judged it: this fails the run".to_owned(),
            };
            let _ = writeln!(
                out,
                "  {n} case{} blocked by: {cause} — {owner}",
                if n == 1 { "" } else { "s" }
            );
            if verbose {
                for r in rs {
                    let _ = writeln!(out, "    {}", r.name());
                }
            }
        }
        out.push('\n');
    }
    let info: Vec<&CaseRecord> = records
        .iter()
        .filter(|r| r.verdict == Verdict::Informational)
        .collect();
    if !info.is_empty() {
        let _ = writeln!(
            out,
            "{bold}Behaviours the RFC leaves open (INFORMATIONAL){bold:#}"
        );
        for r in info {
            let _ = writeln!(out, "  {}: {}", r.name(), r.message);
        }
        out.push('\n');
    }
    let skipped: Vec<&CaseRecord> = records
        .iter()
        .filter(|r| r.verdict == Verdict::Unimplemented)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "{bold}Not advertised by the server (UNIMPLEMENTED){bold:#}"
        );
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for r in skipped {
            *reasons.entry(r.message.as_str()).or_default() += 1;
        }
        for (reason, n) in reasons {
            let _ = writeln!(out, "  {n} case{}: {reason}", if n == 1 { "" } else { "s" });
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{bold}Summary by suite{bold:#}");
    let mut by_suite: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for r in records {
        by_suite.entry(r.suite.as_str()).or_default().push(r);
    }
    let width = by_suite.keys().map(|k| k.len()).max().unwrap_or(10);
    for (suite, rs) in &by_suite {
        let mut parts = Vec::new();
        for v in Verdict::ALL {
            let n = rs.iter().filter(|r| r.verdict == v).count();
            if n > 0 {
                let s = style(v);
                parts.push(format!("{s}{n} {}{s:#}", v.as_str()));
            }
        }
        let _ = writeln!(out, "  {suite:<width$}  {}", parts.join(", "));
    }
    let total: Vec<String> = counts(records)
        .into_iter()
        .map(|(v, n)| {
            let s = if n > 0 { style(v) } else { Style::new() };
            format!("{s}{n} {}{s:#}", v.as_str())
        })
        .collect();
    let _ = writeln!(
        out,
        "\n{bold}Total{bold:#}: {} cases: {}",
        records.len(),
        total.join(", ")
    );
    if strict {
        let _ = writeln!(out, "(--strict: NON-STRICT verdicts fail the run)");
    }
    for v in super::verdict::profile_verdicts(records, strict)
        .iter()
        .filter(|v| v.kind == super::verdict::Kind::Idp)
    {
        let _ = writeln!(out, "{}", verdict_line(v));
    }
    out
}

/// An identity provider's verdict line, styled, with the problems that block it.
fn verdict_line(v: &super::verdict::ProfileVerdict<'_>) -> String {
    let bold = Style::new().bold();
    let s = if v.ok() {
        style(Verdict::Pass)
    } else {
        style(Verdict::Fail)
    };
    let mut line = format!(
        "{bold}{}:{bold:#} {s}{}{s:#} {}",
        v.subject,
        v.status(),
        v.scope()
    );
    for r in &v.blocking {
        let _ = write!(line, "\n  - {}: {}", r.title, r.message);
    }
    for (reason, n) in &v.not_tested {
        let _ = write!(line, "\n  not tested ({n}): {reason}");
    }
    line
}

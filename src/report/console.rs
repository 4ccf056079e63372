//! The console report printed after the trials: explanations of what broke, the behaviours the
//! server chose, a summary by suite, and the totals.

use super::{counts, explain};
use crate::catalog::Catalog;
use crate::run::record::{CaseRecord, Verdict};
use crate::suite::OktaApp;
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
            "{bold}Snapshot drift (reported; --snapshot-drift fail makes it fail the case){bold:#}"
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
    out.push_str(&crate::check::snapshot::recorded_note(
        records.iter().flat_map(|r| r.snapshots.iter()),
    ));
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
    for line in vendor_pointers(records) {
        let _ = writeln!(out, "{line}");
    }
    for line in idp_verdicts(records) {
        let _ = writeln!(out, "{line}");
    }
    // Server text (details, ids, bodies) is inside: nothing in it may drive the terminal.
    crate::endpoint::redact::neutralise_keeping_styles(&out).into_owned()
}

/// The plain answers an IT admin wants: will this identity provider's provisioning work? Okta
/// gets one line per kind of app integration, since catalog and custom apps send different
/// requests for the same change.
pub fn idp_verdicts(records: &[CaseRecord]) -> Vec<String> {
    let mut lines = Vec::new();
    let okta: Vec<&CaseRecord> = records.iter().filter(|r| r.profile == "okta").collect();
    let kinds: Vec<OktaApp> = OktaApp::ALL
        .into_iter()
        .filter(|k| okta.iter().any(|r| r.app == Some(*k)))
        .collect();
    if kinds.is_empty() {
        lines.extend(idp_verdict(&okta, "Okta"));
    }
    for kind in kinds {
        let cases: Vec<&CaseRecord> = okta
            .iter()
            .copied()
            .filter(|r| r.app.is_none_or(|a| a == kind))
            .collect();
        lines.extend(idp_verdict(&cases, &format!("Okta ({kind} app)")));
    }
    let entra: Vec<&CaseRecord> = records.iter().filter(|r| r.profile == "entra").collect();
    lines.extend(idp_verdict(&entra, "Microsoft Entra ID"));
    lines
}

fn idp_verdict(cases: &[&CaseRecord], idp: &str) -> Option<String> {
    if cases.is_empty() {
        return None;
    }
    let blocking: Vec<&&CaseRecord> = cases
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .collect();
    // Group push is the admin's choice, so a server without groups can still serve users; the
    // line says what went untested instead of calling the whole IdP compatible.
    let groups_untested = cases
        .iter()
        .find(|r| r.verdict == Verdict::Unimplemented && r.requires.iter().any(|c| c == "groups"))
        .map(|r| r.message.as_str());
    let bold = Style::new().bold();
    if blocking.is_empty() {
        let ok = style(Verdict::Pass);
        return Some(match groups_untested {
            Some(why) => format!(
                "{bold}{idp}:{bold:#} {ok}compatible for users{ok:#}; groups not tested: {why} ({} cases)",
                cases.len()
            ),
            None => format!(
                "{bold}{idp}:{bold:#} {ok}compatible{ok:#} ({} cases)",
                cases.len()
            ),
        });
    }
    let bad = style(Verdict::Fail);
    let mut line = format!(
        "{bold}{idp}:{bold:#} {bad}not compatible{bad:#} — {} blocking problem{}:",
        blocking.len(),
        if blocking.len() == 1 { "" } else { "s" }
    );
    for r in blocking {
        let _ = write!(line, "\n  - {}: {}", r.title, r.message);
    }
    if let Some(why) = groups_untested {
        let _ = write!(line, "\n  (groups not tested: {why})");
    }
    Some(line)
}

/// Which kind of Okta app each vendor's documents set up, so that the admin reads the right
/// Okta line: Loom documents both (the catalog app, and the app made for SSO with SCIM switched
/// on), Looop a custom app (the SAML app with the SCIM connector).
fn vendor_pointers(records: &[CaseRecord]) -> Vec<String> {
    let ran = |p: &str| records.iter().any(|r| r.profile == p);
    let with_okta = ran("okta");
    let mut out = Vec::new();
    if ran("loom") {
        out.push(format!(
            "Loom with Okta: Loom documents both kinds of Okta app, the catalog app (\"install the Loom app from the App Catalog\") and a custom app (\"the app you created for SSO\"): {}",
            if with_okta { "read the Okta line for yours" } else { "add --profile okta to judge both" }
        ));
    }
    if ran("looop") {
        out.push(format!(
            "Looop with Okta: Looop documents a custom app (\"the Looop application you set up for SAML authentication\"): {}",
            if with_okta { "read the Okta (custom app) line" } else { "add --profile okta --okta-app custom to judge it" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::Level;
    use std::time::Duration;

    fn rec(profile: &str, case: &str, app: Option<OktaApp>, verdict: Verdict) -> CaseRecord {
        CaseRecord {
            suite: format!("idp.{profile}"),
            case: case.into(),
            title: format!("the {case} case"),
            profile: profile.into(),
            file: "suites/idp/x.yaml".into(),
            line: 1,
            level: Level::Must,
            spec: Vec::new(),
            requirements: vec![format!("{profile}.x")],
            sources: Vec::new(),
            app,
            requires: Vec::new(),
            verdict,
            message: "why".into(),
            chosen: None,
            failed_step: None,
            failed_at: None,
            blocked: None,
            mismatches: Vec::new(),
            transcript: Vec::new(),
            snapshots: Vec::new(),
            retries: 0,
            duration: Duration::ZERO,
        }
    }

    fn plain(lines: Vec<String>) -> String {
        let text = lines.join("\n");
        let ansi = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
        ansi.replace_all(&text, "").into_owned()
    }

    #[test]
    fn okta_is_judged_per_app_kind() {
        let records = vec![
            rec("okta", "create", None, Verdict::Pass),
            rec(
                "okta",
                "deactivate-pathless",
                Some(OktaApp::Catalog),
                Verdict::Fail,
            ),
            rec(
                "okta",
                "deactivate-put",
                Some(OktaApp::Custom),
                Verdict::Pass,
            ),
        ];
        let text = plain(idp_verdicts(&records));
        assert!(
            text.contains("Okta (catalog app): not compatible — 1 blocking problem:\n  - the deactivate-pathless case: why"),
            "{text}"
        );
        assert!(
            text.contains("Okta (custom app): compatible (2 cases)"),
            "{text}"
        );
    }

    #[test]
    fn skipped_groups_are_named_not_counted_as_compatible() {
        let mut groups = rec("entra", "group-create", None, Verdict::Unimplemented);
        groups.requires = vec!["groups".into()];
        groups.message = "a Group resource type is not advertised".into();
        let records = vec![rec("entra", "create-user", None, Verdict::Pass), groups];
        let text = plain(idp_verdicts(&records));
        assert_eq!(
            text,
            "Microsoft Entra ID: compatible for users; groups not tested: a Group resource type is not advertised (2 cases)"
        );
    }
}

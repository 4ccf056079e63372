//! The console report printed after the cases (the live list is `live`): explanations of what
//! broke, the behaviours the server chose, a summary by suite, the totals and the verdict of each
//! profile.

use super::verdict::Kind;
use super::{counts, explain};
use crate::catalog::Catalog;
use crate::run::record::{CaseRecord, Verdict};
use anstyle::{AnsiColor, Style};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A verdict's colour, the same in the live list and the report.
pub fn style(v: Verdict) -> Style {
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
            "{bold}Not run: what the server advertises (or the run's credentials) rules these cases out (UNIMPLEMENTED){bold:#}"
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
    for line in profile_lines(records, strict) {
        let _ = writeln!(out, "{line}");
    }
    for line in vendor_pointers(records) {
        let _ = writeln!(out, "{line}");
    }
    // Server text (details, ids, bodies) is inside: nothing in it may drive the terminal.
    crate::endpoint::redact::neutralise_keeping_styles(&out).into_owned()
}

/// The plain answers an IT admin wants, one per profile (Okta one per kind of app integration),
/// as `verdict::profile_verdicts` computes them for the HTML report too. Vendors and identity
/// providers name their blocking cases (explained above, under "What failed") and what went
/// untested; core's own problems and skips are the sections above.
pub fn profile_lines(records: &[CaseRecord], strict: bool) -> Vec<String> {
    let bold = Style::new().bold();
    let mut lines = Vec::new();
    for v in super::verdict::profile_verdicts(records, strict) {
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
        if v.kind != Kind::Core {
            for r in &v.blocking {
                let _ = write!(
                    line,
                    "\n  - {}: {} ({})",
                    r.verdict.as_str(),
                    r.title,
                    r.name()
                );
            }
            for (reason, n) in &v.not_tested {
                let _ = write!(
                    line,
                    "\n  not tested ({n} case{}): {reason}",
                    if *n == 1 { "" } else { "s" }
                );
            }
        }
        lines.push(line);
    }
    lines
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
    use crate::suite::OktaApp;

    fn rec(profile: &str, case: &str, app: Option<OktaApp>, verdict: Verdict) -> CaseRecord {
        let mut r = CaseRecord::sample(&format!("idp.{profile}"), case, profile, verdict);
        r.title = format!("the {case} case");
        r.file = "suites/idp/x.yaml".into();
        r.requirements = vec![format!("{profile}.x")];
        r.app = app;
        r.message = "why".into();
        r
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
        let text = plain(profile_lines(&records, false));
        assert_eq!(
            text,
            "Okta (catalog app) provisioning: not compatible: 1 blocking problem (2 cases)\n  \
             - FAIL: the deactivate-pathless case (idp.okta::deactivate-pathless)\n\
             Okta (custom app) provisioning: compatible (2 cases)"
        );
    }

    #[test]
    fn skipped_groups_are_named_not_counted_as_compatible() {
        let mut groups = rec("entra", "group-create", None, Verdict::Unimplemented);
        groups.requires = vec!["groups".into()];
        groups.message = "a Group resource type is not advertised".into();
        let records = vec![rec("entra", "create-user", None, Verdict::Pass), groups];
        let text = plain(profile_lines(&records, false));
        assert_eq!(
            text,
            "Microsoft Entra ID provisioning: compatible (2 cases, 1 not tested)\n  \
             not tested (1 case): a Group resource type is not advertised"
        );
    }

    #[test]
    fn the_skip_heading_fits_reasons_either_way() {
        let mut absent = rec("core", "bulk-absent", None, Verdict::Unimplemented);
        absent.message =
            "runs only when bulk is absent: bulk.supported is true in /ServiceProviderConfig"
                .into();
        let mut missing = rec("core", "etag", None, Verdict::Unimplemented);
        missing.message = "etag.supported is false in /ServiceProviderConfig".into();
        let text = render(&[absent, missing], &Catalog::builtin(), false, false);
        assert!(!text.contains("Not advertised by the server"), "{text}");
        assert!(
            text.contains("what the server advertises (or the run's credentials) rules these cases out (UNIMPLEMENTED)"),
            "{text}"
        );
    }
}

//! The plain answer an IT admin wants from a run, one line per profile: will this identity
//! provider's provisioning work, does the server meet this vendor's requirements, how many core
//! problems are there. The console and the HTML report both print these lines from here.

use crate::run::record::{CaseRecord, Verdict};
use std::collections::BTreeMap;

/// What kind of promise a profile's line makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// RFC 7643/7644 conformance.
    Core,
    /// A vendor's documented SCIM requirements (Loom, Looop).
    Vendor,
    /// An identity provider's provisioning client (Okta, Microsoft Entra ID).
    Idp,
}

/// One profile's verdict, as data; `line()` and `status()` put it in words.
#[derive(Debug)]
pub struct ProfileVerdict<'a> {
    pub profile: String,
    pub kind: Kind,
    /// The subject of the sentence: `Okta provisioning`, `Loom's SCIM requirements`.
    pub subject: String,
    pub cases: usize,
    /// The cases that fail the run: FAIL and ERROR (and NON-STRICT under --strict).
    pub blocking: Vec<&'a CaseRecord>,
    /// What the run could not judge, and how many cases each reason covers: the server's
    /// unadvertised features (UNIMPLEMENTED) and failed preconditions (BLOCKED).
    pub not_tested: Vec<(String, usize)>,
}

impl ProfileVerdict<'_> {
    pub fn ok(&self) -> bool {
        self.blocking.is_empty()
    }

    /// `compatible` / `not compatible: 2 blocking problems` (core: `conforms` / `3 problems`).
    pub fn status(&self) -> String {
        let n = self.blocking.len();
        let s = if n == 1 { "" } else { "s" };
        match (self.kind, n) {
            (Kind::Core, 0) => "no problems".to_owned(),
            (Kind::Core, n) => format!("{n} problem{s}"),
            (_, 0) => "compatible".to_owned(),
            (_, n) => format!("not compatible: {n} blocking problem{s}"),
        }
    }

    /// `(40 cases)`, plus what was not tested: ` (38 cases; not tested: 2)`.
    pub fn scope(&self) -> String {
        let s = if self.cases == 1 { "" } else { "s" };
        let untested: usize = self.not_tested.iter().map(|(_, n)| n).sum();
        if untested == 0 {
            format!("({} case{s})", self.cases)
        } else {
            format!("({} case{s}, {untested} not tested)", self.cases)
        }
    }

    /// The whole sentence without styles: `Okta provisioning: compatible (40 cases)`.
    pub fn line(&self) -> String {
        format!("{}: {} {}", self.subject, self.status(), self.scope())
    }
}

/// The subject and kind for a profile id; unknown profiles (from `--suites`) speak for themselves.
fn describe(profile: &str) -> (Kind, String) {
    match profile {
        "core" => (Kind::Core, "SCIM core (RFC 7643, RFC 7644)".to_owned()),
        "loom" => (Kind::Vendor, "Loom's SCIM requirements".to_owned()),
        "looop" => (Kind::Vendor, "Looop's SCIM requirements".to_owned()),
        "okta" => (Kind::Idp, "Okta provisioning".to_owned()),
        "entra" => (Kind::Idp, "Microsoft Entra ID provisioning".to_owned()),
        other => (Kind::Vendor, format!("Profile {other}")),
    }
}

/// One verdict per profile that has cases: core first, then vendors, then identity providers,
/// each group in name order.
pub fn profile_verdicts(records: &[CaseRecord], strict: bool) -> Vec<ProfileVerdict<'_>> {
    let mut by_profile: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for r in records {
        by_profile.entry(r.profile.as_str()).or_default().push(r);
    }
    // Okta's catalog and custom apps send different requests for the same change: one verdict
    // per kind of app, each over the cases of that kind and those of both.
    let mut groups: Vec<(&str, String, Vec<&CaseRecord>)> = Vec::new();
    for (profile, cases) in by_profile {
        let kinds: Vec<crate::suite::OktaApp> = crate::suite::OktaApp::ALL
            .into_iter()
            .filter(|k| cases.iter().any(|r| r.app == Some(*k)))
            .collect();
        if profile != "okta" || kinds.is_empty() {
            groups.push((profile, describe(profile).1, cases));
            continue;
        }
        for k in kinds {
            let of_kind = cases
                .iter()
                .copied()
                .filter(|r| r.app.is_none_or(|a| a == k))
                .collect();
            groups.push((
                profile,
                format!("Okta ({} app) provisioning", k.as_str()),
                of_kind,
            ));
        }
    }
    let mut out: Vec<ProfileVerdict<'_>> = groups
        .into_iter()
        .map(|(profile, subject, cases)| {
            let (kind, _) = describe(profile);
            let blocking = cases
                .iter()
                .copied()
                .filter(|r| r.verdict.fails_run(strict))
                .collect();
            let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
            for r in &cases {
                let reason = match r.verdict {
                    Verdict::Unimplemented => r.message.clone(),
                    Verdict::Blocked => super::blocked_reason(r),
                    _ => continue,
                };
                *reasons.entry(reason).or_default() += 1;
            }
            ProfileVerdict {
                profile: profile.to_owned(),
                kind,
                subject,
                cases: cases.len(),
                blocking,
                not_tested: reasons.into_iter().collect(),
            }
        })
        .collect();
    out.sort_by_key(|v| {
        let rank = match v.kind {
            Kind::Core => 0,
            Kind::Vendor => 1,
            Kind::Idp => 2,
        };
        (rank, v.profile.clone(), v.subject.clone())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::record::CaseRecord;

    fn record(profile: &str, verdict: Verdict, message: &str) -> CaseRecord {
        let mut r = CaseRecord::sample(
            &format!("{profile}-suite"),
            &format!("case-{}", message.len()),
            profile,
            verdict,
        );
        r.message = message.into();
        r
    }

    #[test]
    fn lines_say_compatible_or_count_blocking_problems() {
        let records = vec![
            record("okta", Verdict::Pass, ""),
            record("okta", Verdict::Unimplemented, "no PATCH advertised"),
            record("entra", Verdict::Fail, "status 200"),
            record("entra", Verdict::NonStrict, "no Location"),
            record("core", Verdict::Error, "timeout"),
        ];
        let v = profile_verdicts(&records, false);
        let lines: Vec<String> = v.iter().map(ProfileVerdict::line).collect();
        assert_eq!(
            lines,
            [
                "SCIM core (RFC 7643, RFC 7644): 1 problem (1 case)",
                "Microsoft Entra ID provisioning: not compatible: 1 blocking problem (2 cases)",
                "Okta provisioning: compatible (2 cases, 1 not tested)",
            ]
        );
        assert_eq!(v[2].not_tested, [("no PATCH advertised".to_owned(), 1)]);
        let strict = profile_verdicts(&records, true);
        assert_eq!(strict[1].blocking.len(), 2);
    }
}

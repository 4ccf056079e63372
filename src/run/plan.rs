//! The plan of a run: which suites and cases run, in a fixed, numbered order, and the `list`
//! command that shows it.

use crate::catalog::Catalog;
use crate::process::{EXIT_OK, EXIT_USAGE, fatal};
use crate::serve;
use crate::suite::{self, Case, Suite};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// A case to run, with its suite and a number that makes its generated names unique.
#[derive(Clone)]
pub struct Planned {
    /// The case's suite, without its cases: they were moved into the plan, so that planning
    /// does not copy every case and its bodies.
    pub suite: Arc<Suite>,
    pub case: Case,
    pub number: usize,
}

impl Planned {
    pub fn name(&self) -> String {
        format!("{}::{}", self.suite.id, self.case.id)
    }
}

/// Every case of the suites, numbered in a fixed order.
pub fn plan(suites: Vec<Suite>) -> Vec<Planned> {
    let mut out = Vec::new();
    for mut s in suites {
        let cases = std::mem::take(&mut s.cases);
        let s = Arc::new(s);
        for case in cases {
            out.push(Planned {
                suite: s.clone(),
                case,
                number: out.len() + 1,
            });
        }
    }
    out
}

/// Built-in suites plus the user's, all checked; on any problem, every problem is printed.
pub fn load_suites(extra: &[PathBuf], catalog: &Catalog) -> Result<Vec<Suite>, i32> {
    load_suites_for(extra, catalog, None)
}

/// [`load_suites`], but of the built-in files only those of `profiles` (all for `None`) are
/// parsed: a run starts in the time of its own profiles. The user's files are all checked.
pub fn load_suites_for(
    extra: &[PathBuf],
    catalog: &Catalog,
    profiles: Option<&[String]>,
) -> Result<Vec<Suite>, i32> {
    load_checked(extra, catalog, profiles, suite::Check::Run)
}

fn load_checked(
    extra: &[PathBuf],
    catalog: &Catalog,
    profiles: Option<&[String]>,
    check: suite::Check,
) -> Result<Vec<Suite>, i32> {
    let mut sources = suite::builtin_sources();
    if let Some(wanted) = profiles {
        // A file without a readable `profile:` line is parsed, so the decoder reports it.
        sources.retain(|s| {
            suite::declared_profile(&s.text).is_none_or(|p| wanted.iter().any(|w| w == p))
        });
    }
    match suite::disk_sources(extra) {
        Ok(s) => sources.extend(s),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            return Err(EXIT_USAGE);
        }
    }
    suite::load(&sources, catalog, check).map_err(|e| {
        let _ = writeln!(std::io::stderr(), "{e}\nnothing was sent.");
        EXIT_USAGE
    })
}

pub fn all_profiles(suites: &[Suite]) -> Vec<String> {
    let mut p: Vec<String> = suites.iter().map(|s| s.profile.clone()).collect();
    p.sort();
    p.dedup();
    p
}

pub fn check_profiles(requested: &[String], suites: &[Suite]) -> Result<(), String> {
    let mut known = all_profiles(suites);
    known.extend(suite::builtin_profiles());
    known.sort();
    known.dedup();
    for p in requested {
        if !known.contains(p) {
            return Err(format!(
                "unknown profile `{p}`; known profiles: {}",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

pub fn default_profiles(builtin: Option<serve::Flavour>) -> Vec<String> {
    match builtin.map(|f| f.name()) {
        Some("loom") => vec!["core".into(), "loom".into()],
        Some("looop") => vec!["core".into(), "looop".into()],
        _ => vec!["core".into()],
    }
}

pub fn selected(name: &str, filter: &Option<String>, exact: bool, skip: &[String]) -> bool {
    let by_filter = match filter {
        None => true,
        Some(f) if exact => name == f,
        Some(f) => name.contains(f.as_str()),
    };
    by_filter
        && !skip.iter().any(|s| {
            if exact {
                name == s
            } else {
                name.contains(s.as_str())
            }
        })
}

/// `scimspec list`: one line per case (`suite::case`, level, profile, title), or with
/// `requirements` one `requirement_id<TAB>case_id` row per covered requirement.
pub fn list_command(profile: &[String], requirements: bool, suites: &[PathBuf]) -> i32 {
    let catalog = Catalog::builtin();
    let only = (!profile.is_empty()).then_some(profile);
    // A listing needs no built-in step: only ids, titles, levels and requirements are decoded.
    let suites = match load_checked(suites, &catalog, only, suite::Check::List) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let profiles = if profile.is_empty() {
        all_profiles(&suites)
    } else {
        profile.to_vec()
    };
    if let Err(e) = check_profiles(&profiles, &suites) {
        return fatal(e);
    }
    let planned = plan(suite::select_profiles(suites, &profiles));
    let mut out = std::io::stdout().lock();
    for p in &planned {
        let line = if requirements {
            p.case
                .requirements
                .iter()
                .map(|r| format!("{r}\t{}", p.name()))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            format!(
                "{}\t{}\t{}\t{}",
                p.name(),
                p.case.level,
                p.suite.profile,
                p.case.title
            )
        };
        // A closed pipe (`scimspec list | head`) ends the listing quietly.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    // The process ends now: freeing every case, step and body one by one would only delay it.
    std::mem::forget(planned);
    EXIT_OK
}

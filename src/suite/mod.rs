//! Suite files: loading (built-in and from disk), checking, and the in-memory model.

mod decode;
pub mod model;
pub mod vars;
pub mod yaml;

pub use decode::CAPABILITIES;
pub use model::*;

use crate::assets;
use crate::catalog::Catalog;
use crate::check::schema::SchemaSet;
use crate::text::did_you_mean;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use yaml::Pos;

/// A problem in a suite file, located at a line and column.
#[derive(Debug, Clone)]
pub struct SuiteError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    pub hint: Option<String>,
}

impl SuiteError {
    pub fn new(file: &str, pos: Pos, message: impl Into<String>) -> Self {
        SuiteError {
            file: file.to_owned(),
            pos,
            message: message.into(),
            hint: None,
        }
    }
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "error: {}\n  --> {}:{}:{}",
            self.message, self.file, self.pos.line, self.pos.column
        )?;
        if let Some(h) = &self.hint {
            write!(f, "\n  = help: {h}")?;
        }
        Ok(())
    }
}

/// All problems found while loading; nothing is sent when there is any.
#[derive(Debug)]
pub struct LoadErrors(pub Vec<SuiteError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        let files: std::collections::BTreeSet<&str> =
            self.0.iter().map(|e| e.file.as_str()).collect();
        write!(
            f,
            "{} problem{} in {} suite file{}",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for LoadErrors {}

/// How thoroughly to check suite files while loading them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Every file against the format's JSON Schema too.
    Full,
    /// The user's files fully; the built-in ones (checked when the project was tested) by the decoder.
    Run,
    /// As `Run`, but of the built-in files only what `scimspec list` prints is decoded.
    List,
}

/// A suite file's text and the name to report it by.
pub struct Source {
    pub file: String,
    pub text: Cow<'static, str>,
    pub builtin: bool,
    /// A built-in file as build.rs decoded it (JSON, positions): loaded without parsing YAML.
    pub prebuilt: Option<(&'static str, &'static [u8])>,
}

/// The built-in suite files (`suites/**/*.yaml`), with their decoded form.
pub fn builtin_sources() -> Vec<Source> {
    assets::files(&assets::SUITES, &[".yaml", ".yml"])
        .into_iter()
        .map(|(path, text)| Source {
            file: format!("suites/{path}"),
            text: Cow::Borrowed(text),
            builtin: true,
            prebuilt: assets::prebuilt_suite(&path),
        })
        .collect()
}

/// The profile a suite file declares on its top-level `profile:` line, read without parsing
/// the file (parsing every built-in file is most of start-up; a run needs only its profiles').
pub fn declared_profile(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("profile:"))
        .map(|p| p.trim().trim_matches(['"', '\'']))
}

/// The profiles of the built-in suite files.
pub fn builtin_profiles() -> Vec<String> {
    let mut p: Vec<String> = assets::files(&assets::SUITES, &[".yaml", ".yml"])
        .into_iter()
        .filter_map(|(_, text)| declared_profile(text).map(str::to_owned))
        .collect();
    p.sort();
    p.dedup();
    p
}

/// Suite files from the user's paths: files as given, directories searched recursively.
pub fn disk_sources(paths: &[PathBuf]) -> Result<Vec<Source>, LoadErrors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_dir() {
            collect_yaml(p, &mut files, &mut errors);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            errors.push(SuiteError::new(
                &p.display().to_string(),
                Pos::default(),
                "no such file or directory",
            ));
        }
    }
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for f in files {
        match std::fs::read_to_string(&f) {
            Ok(text) => out.push(Source {
                file: f.display().to_string(),
                text: Cow::Owned(text),
                builtin: false,
                prebuilt: None,
            }),
            Err(e) => errors.push(SuiteError::new(
                &f.display().to_string(),
                Pos::default(),
                format!("cannot read: {e}"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(LoadErrors(errors))
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<SuiteError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(SuiteError::new(
                &dir.display().to_string(),
                Pos::default(),
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml(&path, out, errors);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Parses and checks every source. Either all suites load, or every problem is returned.
///
/// `Check::Full` also validates built-in files against `schemas/suite.schema.json`, their
/// requirement ids, schema names, regexes and list bounds; a run skips that for them (the
/// project's tests and `scimspec lint` do it) and reads them as build.rs decoded them, which
/// keeps start-up fast.
pub fn load(sources: &[Source], catalog: &Catalog, check: Check) -> Result<Vec<Suite>, LoadErrors> {
    let schemas = SchemaSet::builtin();
    // Parsing is most of start-up: files are independent, so every core takes a share.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(sources.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut loaded: Vec<(usize, Loaded)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(src) = sources.get(i) else { break };
                        out.push((i, load_one(src, catalog, schemas, check)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    loaded.sort_by_key(|(i, _)| *i);

    let mut errors = Vec::new();
    let mut suites: Vec<Suite> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, (suite, file_errors, id_pos)) in loaded {
        errors.extend(file_errors);
        if let Some(suite) = suite {
            if let Some(other) = seen.insert(suite.id.clone(), sources[i].file.clone()) {
                errors.push(SuiteError::new(
                    &sources[i].file,
                    id_pos.unwrap_or_default(),
                    format!("suite id `{}` is already used by {other}", suite.id),
                ));
            }
            suites.push(suite);
        }
    }
    if errors.is_empty() {
        suites.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(suites)
    } else {
        Err(LoadErrors(errors))
    }
}

/// One loaded file: the suite (if it decoded), its problems, and where its id is written.
type Loaded = (Option<Suite>, Vec<SuiteError>, Option<Pos>);

/// One file: parse, decode, check.
fn load_one(src: &Source, catalog: &Catalog, schemas: &SchemaSet, check: Check) -> Loaded {
    let doc = match src.prebuilt {
        Some((json, positions)) => {
            yaml::Located::prebuilt(json, positions).map_err(|e| yaml::YamlError {
                pos: Pos::default(),
                message: format!("the decoded built-in file does not load: {e}"),
            })
        }
        None => yaml::parse(&src.text),
    };
    let doc = match doc {
        Ok(d) => d,
        Err(e) => {
            return (
                None,
                vec![SuiteError::new(
                    &src.file,
                    e.pos,
                    format!("invalid YAML: {}", e.message),
                )],
                None,
            );
        }
    };
    let mut decoder = decode::Decoder::new(&doc, &src.file);
    decoder.checked = src.builtin && matches!(check, Check::Run | Check::List);
    decoder.headers_only = src.builtin && check == Check::List;
    let mut suite = decoder.suite();
    if let Some(s) = &mut suite {
        s.builtin = src.builtin;
    }
    let mut file_errors = decoder.errors;
    if file_errors.is_empty() && (check == Check::Full || !src.builtin) {
        // The format's own schema is the specification: anything the decoder let through
        // that the schema forbids is still an error.
        match schemas.violations("suite", &doc.value, 10) {
            Ok(vs) => file_errors.extend(vs.into_iter().map(|v| {
                SuiteError::new(
                    &src.file,
                    doc.pos(&v.instance_path),
                    format!("{} (schemas/suite.schema.json)", v.message),
                )
            })),
            Err(e) => file_errors.push(SuiteError::new(&src.file, Pos::default(), e)),
        }
    }
    // A built-in file's references and lists were checked with it (lint, the tests), as its schema.
    if let Some(suite) = &suite
        && (check == Check::Full || !src.builtin)
    {
        check_references(suite, &doc, src, catalog, schemas, &mut file_errors);
        check_bounded_lists(suite, src, &mut file_errors);
    }
    (suite, file_errors, Some(doc.pos("/id")))
}

/// Requirement ids must exist in their catalog; schema names must exist.
fn check_references(
    suite: &Suite,
    doc: &yaml::Located,
    src: &Source,
    catalog: &Catalog,
    schemas: &SchemaSet,
    errors: &mut Vec<SuiteError>,
) {
    for (ci, case) in suite.cases.iter().enumerate() {
        for (ri, req) in case.requirements.iter().enumerate() {
            if catalog.knows_prefix(req) && catalog.get(req).is_none() {
                let hint = catalog.closest(req).map(|c| format!("did you mean `{c}`?"));
                let mut e = SuiteError::new(
                    &src.file,
                    doc.pos(&format!("/cases/{ci}/requirements/{ri}")),
                    format!("requirement id `{req}` is not in the catalog"),
                );
                e.hint = hint;
                errors.push(e);
            }
        }
        for step in &case.steps {
            let mut names: Vec<(&str, Pos)> = Vec::new();
            let all_checks = std::iter::once(&step.expect.checks)
                .chain(step.expect.any_of.iter().map(|a| &a.checks));
            for checks in all_checks {
                if let Some((s, pos)) = &checks.schema {
                    names.push((s, *pos));
                }
                collect_schema_ops(&checks.json, &mut names);
            }
            for (name, pos) in names {
                if !schemas.contains(name) {
                    let known = schemas.names();
                    let hint = did_you_mean(name, &known).map(|k| format!("did you mean `{k}`?"));
                    let mut e = SuiteError::new(
                        &src.file,
                        pos,
                        format!("no schema named `{name}` in schemas/"),
                    );
                    e.hint = hint;
                    errors.push(e);
                }
            }
        }
    }
}

/// A list or search without `filter` and `count` downloads the whole tenant on a production
/// server (tens of thousands of users, pages of half a megabyte): every list request must
/// narrow itself to the run's own names or read a small page.
fn check_bounded_lists(suite: &Suite, src: &Source, errors: &mut Vec<SuiteError>) {
    for case in &suite.cases {
        for step in &case.steps {
            if step.wait_ms.is_some() || step.request.unbounded {
                continue;
            }
            if let Some(what) = unbounded_list(&step.request) {
                let mut e = SuiteError::new(
                    &src.file,
                    step.pos,
                    format!("unbounded list request: {what} without `filter` or `count`"),
                );
                e.hint = Some(
                    "filter on the run's own names (`userName eq \"${email.x}\"`) or add a small \
                     `count`, so that no case downloads a production tenant"
                        .to_owned(),
                );
                errors.push(e);
            }
        }
    }
}

/// `Some("GET /Users")` when the request lists a collection (GET on /Users, /Groups or the root,
/// or POST on a `.search` endpoint) without a filter or a count.
fn unbounded_list(req: &Request) -> Option<String> {
    let (path, inline_query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let trimmed = path.trim_end_matches('/');
    let method = req.method.to_ascii_uppercase();
    let search = trimmed.ends_with("/.search") || trimmed == ".search";
    let listing = matches!(trimmed, "" | "/Users" | "/Groups");
    let bounded_by = |k: &str| k == "filter" || k == "count";
    if method == "GET" && listing {
        let in_query = req.query.iter().any(|(k, _)| bounded_by(k));
        let in_path = inline_query
            .split('&')
            .any(|kv| bounded_by(kv.split('=').next().unwrap_or("")));
        if !in_query && !in_path {
            return Some(format!(
                "GET {}",
                if trimmed.is_empty() { "/" } else { trimmed }
            ));
        }
    } else if method == "POST" && search {
        let in_body = match &req.body {
            Some(Body::Json(serde_json::Value::Object(o))) => o.keys().any(|k| bounded_by(k)),
            // A raw or non-object body is a malformed-request case: the server must refuse it.
            _ => true,
        };
        if !in_body {
            return Some(format!("POST {trimmed}"));
        }
    }
    None
}

fn collect_schema_ops<'a>(checks: &'a [JsonCheck], out: &mut Vec<(&'a str, Pos)>) {
    for c in checks {
        for op in &c.ops {
            match op {
                Op::Schema(s) => out.push((s, c.pos)),
                Op::Each(inner) => collect_schema_ops(inner, out),
                _ => {}
            }
        }
    }
}

/// The suites of the given profiles, in a fixed order.
pub fn select_profiles(suites: Vec<Suite>, profiles: &[String]) -> Vec<Suite> {
    suites
        .into_iter()
        .filter(|s| profiles.iter().any(|p| p == &s.profile))
        .collect()
}

/// `scimspec lint`: checks suite files (the built-in ones when `paths` is empty) without a server.
pub fn lint_command(paths: &[PathBuf]) -> i32 {
    let catalog = Catalog::builtin();
    let sources = if paths.is_empty() {
        // Lint reads the built-in files' YAML, as it reads a user's: what it checks is the text
        // in suites/ (a test holds build.rs's decoded form equal to it).
        let mut s = builtin_sources();
        for src in &mut s {
            src.prebuilt = None;
        }
        s
    } else {
        match disk_sources(paths) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "{e}");
                return crate::process::EXIT_USAGE;
            }
        }
    };
    match load(&sources, &catalog, Check::Full) {
        Ok(suites) => {
            let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
            println!("ok: {} suite files, {cases} cases", suites.len());
            crate::process::EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            crate::process::EXIT_FAILED
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run loads the built-in files as build.rs decoded them and lint reads their YAML: both
    /// must be the same document with the same positions, or lint would check another file.
    #[test]
    fn prebuilt_suites_match_their_yaml() {
        let sources = builtin_sources();
        assert_eq!(sources.len(), assets::PREBUILT_SUITES.len());
        for src in &sources {
            let (json, positions) = src.prebuilt.expect("every built-in file is prebuilt");
            let pre = yaml::Located::prebuilt(json, positions).expect("prebuilt loads");
            let parsed = yaml::parse(&src.text).expect("built-in YAML parses");
            assert!(pre.value == parsed.value, "{}: values differ", src.file);
            assert!(
                pre.positions() == parsed.positions(),
                "{}: positions differ",
                src.file
            );
            assert_eq!(pre.pos("/cases/0/steps/0"), parsed.pos("/cases/0/steps/0"));
            assert_eq!(pre.pos("/cases/0/no/such"), parsed.pos("/cases/0"));
        }
    }

    #[test]
    fn lint_reads_builtin_yaml_and_runs_read_prebuilt() {
        let catalog = Catalog::builtin();
        let sources = builtin_sources();
        let run = load(&sources, &catalog, Check::Full).expect("prebuilt built-ins check clean");
        let cases: usize = run.iter().map(|s| s.cases.len()).sum();
        let yaml_sources: Vec<Source> = builtin_sources()
            .into_iter()
            .map(|s| Source {
                prebuilt: None,
                ..s
            })
            .collect();
        let lint = load(&yaml_sources, &catalog, Check::Full).expect("built-ins lint clean");
        assert_eq!(lint.iter().map(|s| s.cases.len()).sum::<usize>(), cases);
        assert_eq!(run.len(), lint.len());
    }

    /// `scimspec list` decodes only the built-ins' headers: what it prints is what a run loads.
    #[test]
    fn a_listing_sees_what_a_run_loads() {
        let catalog = Catalog::builtin();
        let shown = |check: Check| -> Vec<String> {
            load(&builtin_sources(), &catalog, check)
                .expect("built-ins load")
                .iter()
                .flat_map(|s| {
                    s.cases.iter().map(move |c| {
                        format!(
                            "{}::{}\t{}\t{}\t{}\t{}\t{:?}",
                            s.id,
                            c.id,
                            c.level,
                            s.profile,
                            c.title,
                            c.requirements.join(","),
                            c.requires
                        )
                    })
                })
                .collect()
        };
        let listed = shown(Check::List);
        assert!(listed.len() > 500);
        assert_eq!(listed, shown(Check::Run));
    }
}

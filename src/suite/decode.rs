//! Turns the JSON form of one suite file into a checked [`Suite`], with a precise position for
//! every problem: unknown keys (with a "did you mean"), wrong types, bad regexes, undefined
//! variables, unknown capabilities.

use super::SuiteError;
use super::model::*;
use super::vars;
use super::yaml::{Located, Pos, escape_pointer};
use crate::text::did_you_mean;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt::Write as _;

mod expect;
mod request;

const SUITE_KEYS: &[&str] = &[
    "id", "title", "spec", "profile", "requires", "fixtures", "cases",
];
const FIXTURE_KEYS: &[&str] = &["steps", "proven_by"];
const CASE_KEYS: &[&str] = &[
    "id",
    "title",
    "requirements",
    "level",
    "requires",
    "source",
    "app",
    "uses",
    "owns",
    "setup",
    "steps",
];
const SOURCE_KEYS: &[&str] = &["doc", "quote"];
const STEP_KEYS: &[&str] = &[
    "name",
    "request",
    "expect",
    "capture",
    "snapshot",
    "fit",
    "proven_by",
    "wait_ms",
    "resolution_of",
];
/// The longest a `wait_ms` step may wait: a case is not a place to sleep long.
const MAX_WAIT_MS: u64 = 5000;
/// Capabilities read from the ServiceProviderConfig, discovery, and the run's own options.
pub const CAPABILITIES: &[&str] = &[
    "patch",
    "bulk",
    "filter",
    "sort",
    "etag",
    "changePassword",
    "groups",
    "enterprise",
    "auth",
];

pub struct Decoder<'a> {
    doc: &'a Located,
    file: &'a str,
    pub errors: Vec<SuiteError>,
    /// The file was checked in full already (a built-in one: by lint and the tests), so its
    /// regexes are compiled when first used rather than now.
    pub checked: bool,
    /// Only what `scimspec list` prints (ids, titles, levels, requirements, profile): a checked
    /// file's fixtures and steps are not decoded.
    pub headers_only: bool,
}

pub(super) type Obj = Map<String, Value>;

impl<'a> Decoder<'a> {
    pub fn new(doc: &'a Located, file: &'a str) -> Self {
        Decoder {
            doc,
            file,
            errors: Vec::new(),
            checked: false,
            headers_only: false,
        }
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors
            .push(SuiteError::new(self.file, self.doc.pos(pointer), message));
    }

    fn error_hint(&mut self, pointer: &str, message: impl Into<String>, hint: Option<String>) {
        let mut e = SuiteError::new(self.file, self.doc.pos(pointer), message);
        e.hint = hint;
        self.errors.push(e);
    }

    fn pos(&self, pointer: &str) -> Pos {
        self.doc.pos(pointer)
    }

    fn object<'v>(&mut self, v: &'v Value, at: &str, what: &str, keys: &[&str]) -> Option<&'v Obj> {
        let Some(obj) = v.as_object() else {
            self.error(
                at,
                format!("{what} must be a mapping, found {}", JsonType::of(v)),
            );
            return None;
        };
        for key in obj.keys() {
            if !keys.contains(&key.as_str()) {
                let hint = did_you_mean(key, keys)
                    .map(|k| format!("did you mean `{k}`?"))
                    .or_else(|| Some(format!("{what} takes: {}", keys.join(", "))));
                self.error_hint(
                    &child(at, key),
                    format!("unknown key `{key}` in {what}"),
                    hint,
                );
            }
        }
        Some(obj)
    }

    fn string(&mut self, obj: &Obj, at: &str, key: &str, required: bool) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.error(
                    &child(at, key),
                    format!("`{key}` must be a string, found {}", JsonType::of(other)),
                );
                None
            }
            None => {
                if required {
                    self.error(at, format!("missing required key `{key}`"));
                }
                None
            }
        }
    }

    fn strings(&mut self, obj: &Obj, at: &str, key: &str) -> Vec<String> {
        match obj.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) => out.push(s.to_owned()),
                        None => self.error(
                            &format!("{}/{i}", child(at, key)),
                            format!("items of `{key}` must be strings"),
                        ),
                    }
                }
                out
            }
            Some(other) => {
                self.error(
                    &child(at, key),
                    format!(
                        "`{key}` must be a string or a list of strings, found {}",
                        JsonType::of(other)
                    ),
                );
                Vec::new()
            }
        }
    }

    pub fn suite(&mut self) -> Option<Suite> {
        let doc: &'a Located = self.doc;
        let obj = self.object(&doc.value, "", "a suite", SUITE_KEYS)?;
        let id = self.string(obj, "", "id", true);
        if let Some(id) = &id
            && !valid_id(id)
        {
            self.error(
                "/id",
                format!("suite id `{id}` must be lowercase letters, digits, '.', '_' or '-'"),
            );
        }
        let title = self.string(obj, "", "title", true).unwrap_or_default();
        let spec = self.strings(obj, "", "spec");
        let profile = self.string(obj, "", "profile", true).unwrap_or_default();
        let suite_requires = self.capabilities(obj, "");
        self.idp_requires(&profile, &suite_requires, "");
        let (fixtures, exported) = if self.headers_only {
            (Vec::new(), Exported::default())
        } else {
            self.fixtures(obj)
        };
        let mut cases = Vec::new();
        match obj.get("cases") {
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut seen = BTreeSet::new();
                for (i, item) in items.iter().enumerate() {
                    let at = format!("/cases/{i}");
                    if let Some(case) = self.case(item, &at, &suite_requires, &profile, &exported) {
                        if !seen.insert(case.id.clone()) {
                            self.error(
                                &format!("{at}/id"),
                                format!("case id `{}` is used twice in this suite", case.id),
                            );
                        }
                        cases.push(case);
                    }
                }
            }
            Some(_) => self.error("/cases", "`cases` must be a non-empty list"),
            None => self.error("", "missing required key `cases`"),
        }
        for f in &fixtures {
            if !cases.iter().any(|c: &Case| c.uses.contains(&f.name)) {
                self.error(
                    &child("/fixtures", &f.name),
                    format!("fixture `{}` is used by no case of this file", f.name),
                );
            }
        }
        Some(Suite {
            id: id?,
            title,
            spec,
            profile,
            file: self.file.to_owned(),
            builtin: false,
            fixtures,
            cases,
        })
    }

    /// The file's shared fixtures, and for each the variables it gives its users: its captures
    /// and the generated values (`unique.x`, `email.x`) its steps made.
    fn fixtures(&mut self, obj: &Obj) -> (Vec<Fixture>, Exported) {
        let mut out = Vec::new();
        let mut exported = Exported::new();
        let Some(v) = obj.get("fixtures") else {
            return (out, exported);
        };
        let Some(map) = v.as_object() else {
            self.error(
                "/fixtures",
                "`fixtures` is a mapping of fixture name to { steps, proven_by }",
            );
            return (out, exported);
        };
        for (name, item) in map {
            let at = child("/fixtures", name);
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                self.error(
                    &at,
                    format!("fixture name `{name}` must be lowercase letters, digits or '_'"),
                );
                continue;
            }
            let Some(fo) = self.object(item, &at, "a fixture", FIXTURE_KEYS) else {
                continue;
            };
            let proven_by = self.string(fo, &at, "proven_by", false);
            if let Some(p) = &proven_by
                && !p.contains("::")
            {
                self.error(
                    &child(&at, "proven_by"),
                    format!("`proven_by: {p}` must name a case as suite::case"),
                );
            }
            let mut defined = BTreeSet::new();
            let mut steps = Vec::new();
            match fo.get("steps") {
                Some(Value::Array(items)) if !items.is_empty() => {
                    for (i, item) in items.iter().enumerate() {
                        let sat = format!("{at}/steps/{i}");
                        if let Some(mut step) = self.step(item, &sat, &mut defined) {
                            if step.snapshot.is_some() {
                                self.error(
                                    &child(&sat, "snapshot"),
                                    "a shared fixture takes no `snapshot`: it is no case's point",
                                );
                            }
                            step.setup = true;
                            if step.proven_by.is_none() {
                                step.proven_by = proven_by.clone();
                            }
                            steps.push(step);
                        }
                    }
                }
                _ => self.error(&at, "a fixture needs a non-empty list of `steps`"),
            }
            let mut generated = BTreeSet::new();
            collect_generators(item, &mut generated);
            defined.extend(generated.iter().cloned());
            exported.insert(name.clone(), defined);
            out.push(Fixture {
                name: name.clone(),
                steps,
                generated: generated.into_iter().collect(),
                pos: self.pos(&at),
            });
        }
        (out, exported)
    }

    /// A shared fixture is read by many cases at once: a case that changes or deletes what it
    /// made would change what the others read.
    fn check_read_only_uses(&mut self, case: &Value, at: &str, uses: &[String]) {
        let refers = |text: &str| {
            vars::references(text).into_iter().flatten().any(|r| {
                r.name
                    .split_once('.')
                    .is_some_and(|(f, _)| uses.iter().any(|u| u == f))
            })
        };
        for list in ["setup", "steps"] {
            let Some(Value::Array(items)) = case.get(list) else {
                continue;
            };
            for (i, step) in items.iter().enumerate() {
                let Some(req) = step.get("request") else {
                    continue;
                };
                let method = req
                    .get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_ascii_uppercase();
                let path = req.get("path").and_then(Value::as_str).unwrap_or("");
                let rat = format!("{at}/{list}/{i}/request");
                if matches!(method.as_str(), "PUT" | "PATCH" | "DELETE") && refers(path) {
                    self.error_hint(
                        &child(&rat, "path"),
                        format!("{method} {path}: a case may not change a shared fixture's resource"),
                        Some("shared fixtures are read-only: create the resource in this case's `setup:` instead".into()),
                    );
                }
                if let Some(body) = req.get("body") {
                    let mut writes = Vec::new();
                    bulk_writes(body, &mut writes);
                    for (m, p) in writes {
                        if refers(&p) {
                            self.error_hint(
                                &child(&rat, "body"),
                                format!("bulk {m} {p}: a case may not change a shared fixture's resource"),
                                Some("shared fixtures are read-only: create the resource in this case's `setup:` instead".into()),
                            );
                        }
                    }
                }
            }
        }
    }

    fn capabilities(&mut self, obj: &Obj, at: &str) -> Vec<Capability> {
        let names = self.strings(obj, at, "requires");
        let mut out = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let (negated, name) = match raw.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, raw.trim()),
            };
            let known = CAPABILITIES.contains(&name)
                || name.strip_prefix("schema:").is_some_and(|s| !s.is_empty())
                || name
                    .strip_prefix("attribute:")
                    .is_some_and(|s| !s.is_empty());
            if !known {
                let hint = did_you_mean(name, CAPABILITIES)
                    .map(|k| format!("did you mean `{k}`?"))
                    .or_else(|| {
                        Some(format!(
                            "known: {}, schema:URN, attribute:NAME",
                            CAPABILITIES.join(", ")
                        ))
                    });
                self.error_hint(
                    &format!("{}/{i}", child(at, "requires")),
                    format!("unknown capability `{name}`"),
                    hint,
                );
                continue;
            }
            out.push(Capability {
                name: name.to_owned(),
                negated,
            });
        }
        out
    }

    /// An IdP sends its requests whatever discovery says, so an IdP case skipped on an
    /// advertised capability would earn a "compatible" it never tested. Only `groups` may gate:
    /// pushing groups is the admin's choice, and the verdict line then says groups went untested.
    fn idp_requires(&mut self, profile: &str, requires: &[Capability], at: &str) {
        if !IDP_PROFILES.contains(&profile) {
            return;
        }
        for (i, c) in requires.iter().enumerate() {
            if c.name != "groups" || c.negated {
                self.error_hint(
                    &format!("{}/{i}", child(at, "requires")),
                    format!("an {profile} case may not require `{c}`: the IdP sends its requests whatever the server advertises"),
                    Some("only `groups` may gate an IdP case (group push is the admin's choice)".into()),
                );
            }
        }
    }

    fn sources(&mut self, obj: &Obj, at: &str, profile: &str) -> Vec<CaseSource> {
        let sat = child(at, "source");
        let items: Vec<(String, &Value)> = match obj.get("source") {
            None | Some(Value::Null) => {
                if SOURCED_PROFILES.contains(&profile) {
                    self.error_hint(
                        at,
                        format!("every {profile} case must cite its `source:` (doc + quote)"),
                        Some("source: { doc: \"sources/NNN_….txt\" or a public document's title, quote: \"short verbatim quote\" } (or a list of them); a rule no source states is not a vendor rule".into()),
                    );
                }
                return Vec::new();
            }
            Some(Value::Array(list)) if !list.is_empty() => list
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{sat}/{i}"), v))
                .collect(),
            Some(v @ Value::Object(_)) => vec![(sat.clone(), v)],
            Some(_) => {
                self.error(
                    &sat,
                    "`source` must be a mapping {doc, quote} or a non-empty list of them",
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (iat, v) in items {
            let Some(o) = self.object(v, &iat, "a source", SOURCE_KEYS) else {
                continue;
            };
            let doc = self.string(o, &iat, "doc", true);
            let quote = self.string(o, &iat, "quote", true);
            if let (Some(doc), Some(quote)) = (doc, quote) {
                if doc.trim().is_empty() || quote.trim().is_empty() {
                    self.error(&iat, "a source needs a non-empty `doc` and `quote`");
                    continue;
                }
                out.push(CaseSource { doc, quote });
            }
        }
        out
    }

    fn case(
        &mut self,
        v: &Value,
        at: &str,
        suite_requires: &[Capability],
        profile: &str,
        fixtures: &Exported,
    ) -> Option<Case> {
        let obj = self.object(v, at, "a case", CASE_KEYS)?;
        let id = self.string(obj, at, "id", true)?;
        if !valid_id(&id) {
            self.error(
                &child(at, "id"),
                format!("case id `{id}` must be lowercase letters, digits, '.', '_' or '-'"),
            );
        }
        let title = self.string(obj, at, "title", true).unwrap_or_default();
        let requirements = self.strings(obj, at, "requirements");
        if requirements.is_empty() {
            self.error(
                at,
                "a case must name at least one requirement id in `requirements`",
            );
        }
        let level = match obj.get("level") {
            Some(Value::String(s)) => match s.as_str() {
                "MUST" => Level::Must,
                "SHOULD" => Level::Should,
                "MAY" => Level::May,
                "INFO" => Level::Info,
                other => {
                    self.error(
                        &child(at, "level"),
                        format!("unknown level `{other}`: use MUST, SHOULD, MAY or INFO"),
                    );
                    Level::Must
                }
            },
            _ => {
                self.error(at, "missing `level` (MUST, SHOULD, MAY or INFO)");
                Level::Must
            }
        };
        let mut requires = suite_requires.to_vec();
        let own = self.capabilities(obj, at);
        self.idp_requires(profile, &own, at);
        requires.extend(own);
        let sources = self.sources(obj, at, profile);
        let app = match obj.get("app") {
            None => None,
            Some(Value::String(s)) if profile == "okta" => {
                let app = OktaApp::parse(s);
                if app.is_none() {
                    self.error(
                        &child(at, "app"),
                        format!("unknown Okta app kind `{s}`: use catalog (OIN) or custom (AIW)"),
                    );
                }
                app
            }
            Some(Value::String(_)) => {
                self.error(
                    &child(at, "app"),
                    "`app` (catalog | custom) belongs to okta cases only",
                );
                None
            }
            Some(other) => {
                self.error(
                    &child(at, "app"),
                    format!(
                        "`app` must be catalog or custom, found {}",
                        JsonType::of(other)
                    ),
                );
                None
            }
        };
        let (uses, steps, owns) = if self.headers_only {
            (Vec::new(), Vec::new(), Vec::new())
        } else {
            self.case_steps(v, obj, at, level, fixtures)
        };
        Some(Case {
            id,
            title,
            requirements,
            level,
            requires,
            sources,
            app,
            uses,
            owns,
            steps,
            pos: self.pos(at),
        })
    }

    /// A case's `uses`, `setup` and `steps`, and its `owns`: all a listing does not need.
    fn case_steps(
        &mut self,
        v: &Value,
        obj: &Obj,
        at: &str,
        level: Level,
        fixtures: &Exported,
    ) -> (Vec<String>, Vec<Step>, Vec<String>) {
        let mut steps = Vec::new();
        let mut defined: BTreeSet<String> = BTreeSet::new();
        let uses = self.strings(obj, at, "uses");
        for (i, u) in uses.iter().enumerate() {
            match fixtures.get(u) {
                Some(vars) => defined.extend(vars.iter().map(|v| format!("{u}.{v}"))),
                None => {
                    let names: Vec<&str> = fixtures.keys().map(String::as_str).collect();
                    let hint = did_you_mean(u, &names)
                        .map(|k| format!("did you mean `{k}`?"))
                        .or_else(|| {
                            Some(if names.is_empty() {
                                "this file defines no `fixtures:`".to_owned()
                            } else {
                                format!("this file's fixtures: {}", names.join(", "))
                            })
                        });
                    self.error_hint(
                        &format!("{}/{i}", child(at, "uses")),
                        format!("no fixture named `{u}` in this file"),
                        hint,
                    );
                }
            }
        }
        if !uses.is_empty() {
            self.check_read_only_uses(v, at, &uses);
        }
        match obj.get("setup") {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(mut step) =
                        self.step(item, &format!("{at}/setup/{i}"), &mut defined)
                    {
                        step.setup = true;
                        steps.push(step);
                    }
                }
            }
            Some(_) => self.error(
                &child(at, "setup"),
                "`setup` is a list of steps that establish the case's preconditions",
            ),
        }
        match obj.get("steps") {
            Some(Value::Array(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(step) = self.step(item, &format!("{at}/steps/{i}"), &mut defined) {
                        if step.proven_by.is_some() {
                            self.error(
                                &child(&format!("{at}/steps/{i}"), "proven_by"),
                                "`proven_by` names the case a setup step depends on; it belongs in `setup:`",
                            );
                        }
                        steps.push(step);
                    }
                }
            }
            _ => self.error(
                at,
                "a case needs a non-empty list of `steps` (its own point)",
            ),
        }
        let owns = self.owns(obj, at, &steps);
        let any_alternatives = steps.iter().any(|s| !s.expect.any_of.is_empty());
        if level == Level::Info && !any_alternatives {
            self.error(at, "an INFO case records which behaviour the server chose: give a step `expect: any_of: [...]`");
        }
        (uses, steps, owns)
    }

    /// `owns: [POST /Users]`: each entry is a request one of the case's own steps sends, written
    /// as the root-cause summary writes it (method, path, `{id}` for interpolated parts).
    fn owns(&mut self, obj: &Obj, at: &str, steps: &[Step]) -> Vec<String> {
        let owns = self.strings(obj, at, "owns");
        let sent: BTreeSet<String> = steps
            .iter()
            .filter(|s| !s.setup && s.wait_ms.is_none())
            .map(|s| crate::run::request_template(&s.request.method, &s.request.path))
            .collect();
        for (i, o) in owns.iter().enumerate() {
            if !sent.contains(o) {
                let listed = sent.iter().cloned().collect::<Vec<_>>().join(", ");
                self.error(
                    &format!("{}/{i}", child(at, "owns")),
                    format!(
                        "`owns: {o}` names a request none of the case's own steps sends (they send: {listed})"
                    ),
                );
            }
        }
        owns
    }

    fn step(&mut self, v: &Value, at: &str, defined: &mut BTreeSet<String>) -> Option<Step> {
        let obj = self.object(v, at, "a step", STEP_KEYS)?;
        let name = self.string(obj, at, "name", false);
        if let Some(w) = obj.get("wait_ms") {
            let ms = w.as_u64().filter(|ms| (1..=MAX_WAIT_MS).contains(ms));
            if ms.is_none() {
                self.error(
                    &child(at, "wait_ms"),
                    format!("`wait_ms` is a number of milliseconds from 1 to {MAX_WAIT_MS}"),
                );
            }
            let resolution_of = match obj.get("resolution_of") {
                Some(Value::String(t)) => {
                    self.check_vars(t, &child(at, "resolution_of"), defined);
                    Some(t.clone())
                }
                Some(_) => {
                    self.error(
                        &child(at, "resolution_of"),
                        "`resolution_of` is a timestamp, e.g. \"${before}\"",
                    );
                    None
                }
                None => None,
            };
            let allowed =
                1 + usize::from(name.is_some()) + usize::from(obj.contains_key("resolution_of"));
            if obj.len() > allowed {
                self.error(
                    at,
                    "a `wait_ms` step only waits: it takes a `name`, `resolution_of` and nothing else",
                );
            }
            return Some(Step {
                name,
                setup: false,
                fit: false,
                proven_by: None,
                wait_ms: Some(ms.unwrap_or(1)),
                resolution_of,
                request: Request {
                    method: "GET".into(),
                    path: String::new(),
                    query: Vec::new(),
                    headers: Vec::new(),
                    auth: Auth::Default,
                    body: None,
                    content_type: None,
                    unbounded: false,
                },
                expect: Expect::default(),
                capture: Vec::new(),
                snapshot: None,
                pos: self.pos(at),
            });
        }
        let request = match obj.get("request") {
            Some(r) => self.request(r, &child(at, "request"), defined)?,
            None => {
                self.error(at, "a step needs a `request`");
                return None;
            }
        };
        let expect = match obj.get("expect") {
            Some(e) => self.expect(e, &child(at, "expect"), defined),
            None => Expect::default(),
        };
        let mut capture = Vec::new();
        match obj.get("capture") {
            None => {}
            Some(Value::Object(map)) => {
                for (var, src) in map {
                    let cat = child(&child(at, "capture"), var);
                    let Some(src) = src.as_str() else {
                        self.error(
                            &cat,
                            "a capture source is a JSON pointer (`/id`) or `header:NAME`",
                        );
                        continue;
                    };
                    let source = if let Some(h) = src.strip_prefix("header:") {
                        CaptureSource::Header(h.trim().to_owned())
                    } else if src.is_empty() || src.starts_with('/') {
                        CaptureSource::Pointer(src.to_owned())
                    } else {
                        self.error_hint(
                            &cat,
                            format!(
                                "capture source `{src}` is neither a JSON pointer nor `header:NAME`"
                            ),
                            Some(format!("did you mean `/{src}`?")),
                        );
                        continue;
                    };
                    if vars::is_generator(var) {
                        self.error(
                            &cat,
                            format!("`{var}` is a generator name and cannot be captured into"),
                        );
                    }
                    defined.insert(var.clone());
                    capture.push((var.clone(), source));
                }
            }
            Some(_) => self.error(
                &child(at, "capture"),
                "`capture` must be a mapping of variable name to source",
            ),
        }
        let snapshot = self.string(obj, at, "snapshot", false);
        let fit = match obj.get("fit") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.error(&child(at, "fit"), "`fit` is true or false");
                true
            }
        };
        let proven_by = self.string(obj, at, "proven_by", false);
        if let Some(p) = &proven_by
            && !p.contains("::")
        {
            self.error(
                &child(at, "proven_by"),
                format!("`proven_by: {p}` must name a case as suite::case"),
            );
        }
        Some(Step {
            name,
            setup: false,
            fit,
            proven_by,
            wait_ms: None,
            resolution_of: None,
            request,
            expect,
            capture,
            snapshot,
            pos: self.pos(at),
        })
    }

    fn check_vars(&mut self, text: &str, at: &str, defined: &BTreeSet<String>) {
        for reference in vars::references(text) {
            match reference {
                Ok(r) if vars::is_generator(&r.name) || defined.contains(&r.name) => {
                    if let Some(f) = r
                        .filters
                        .iter()
                        .find(|f| !vars::FILTERS.contains(&vars::filter_name(f)))
                    {
                        self.error_hint(at, format!("unknown filter `|{f}` in `${{{}}}`", r.name), Some(format!("filters: {}", vars::FILTERS.join(", "))));
                    }
                }
                Ok(r) => self.error_hint(
                    at,
                    format!("variable `${{{}}}` is not defined at this point", r.name),
                    Some("capture it in an earlier step, or use a generator: ${unique.X}, ${email.X}, ${uuid.X}, ${digits.X}, ${run_id}, ${base_url}, ${base_path}".into()),
                ),
                Err(e) => self.error(at, e),
            }
        }
    }

    /// A body's `$repeat`s may not nest deeper than [`vars::MAX_REPEAT_DEPTH`] nor multiply to more
    /// than [`vars::MAX_REPEAT_ITEMS`] values: a file that passes lint cannot exhaust memory.
    /// `outer` is the product of the enclosing counts (computed counts count as 1 here; the
    /// runner bounds them when they are known).
    fn check_repeats(&mut self, v: &Value, at: &str, outer: u64) -> bool {
        self.check_repeats_at(v, &mut at.to_owned(), outer, 0)
    }

    fn check_repeats_at(&mut self, v: &Value, at: &mut String, outer: u64, depth: usize) -> bool {
        let len = at.len();
        match v {
            Value::Array(items) => items.iter().enumerate().all(|(i, item)| {
                let _ = write!(at, "/{i}");
                let ok = self.check_repeats_at(item, at, outer, depth);
                at.truncate(len);
                ok
            }),
            Value::Object(map) => {
                let Some(n) = map.get("$repeat") else {
                    return map.iter().all(|(k, item)| {
                        push_child(at, k);
                        let ok = self.check_repeats_at(item, at, outer, depth);
                        at.truncate(len);
                        ok
                    });
                };
                let here = child(at, "$repeat");
                if depth + 1 > super::vars::MAX_REPEAT_DEPTH {
                    self.error(
                        &here,
                        format!(
                            "`$repeat` nested {} deep: at most {} levels are allowed",
                            depth + 1,
                            super::vars::MAX_REPEAT_DEPTH
                        ),
                    );
                    return false;
                }
                let count = match n {
                    Value::Number(x) => x.as_u64(),
                    Value::String(s) => s.trim().parse::<u64>().ok(),
                    _ => None,
                }
                .unwrap_or(1);
                let total = outer.saturating_mul(count);
                let joined = map.contains_key("join");
                if !joined && total > super::vars::MAX_REPEAT_ITEMS {
                    self.error(
                        &here,
                        format!(
                            "`$repeat` makes {total} values in all (nesting included): at most {} are allowed",
                            super::vars::MAX_REPEAT_ITEMS
                        ),
                    );
                    return false;
                }
                // Joined text is bounded by its bytes: a literal item's length times the count
                // (nesting included) is known here; computed parts are bounded by the runner.
                let item_len = match map.get("each") {
                    Some(Value::String(s)) => s.len() as u64,
                    _ => 1,
                };
                let sep_len = match map.get("join") {
                    Some(Value::String(s)) => s.len() as u64,
                    _ => 0,
                };
                let bytes = total.saturating_mul(item_len + sep_len);
                if joined && bytes > super::vars::MAX_REPEAT_BYTES {
                    self.error(
                        &here,
                        format!(
                            "`$repeat` joins {bytes} bytes (nesting included): at most {} are allowed",
                            super::vars::MAX_REPEAT_BYTES
                        ),
                    );
                    return false;
                }
                match map.get("each") {
                    Some(each) => {
                        push_child(at, "each");
                        let ok = self.check_repeats_at(each, at, total, depth + 1);
                        at.truncate(len);
                        ok
                    }
                    None => true,
                }
            }
            _ => true,
        }
    }

    fn check_vars_in_value(&mut self, v: &Value, at: &str, defined: &BTreeSet<String>) {
        self.check_vars_below(v, &mut at.to_owned(), defined);
    }

    /// [`Self::check_vars_in_value`] with one pointer buffer for the whole walk: bodies are most
    /// of a suite's nodes, and a string per node was a large part of loading the built-ins.
    fn check_vars_below(&mut self, v: &Value, at: &mut String, defined: &BTreeSet<String>) {
        let len = at.len();
        match v {
            Value::String(s) => self.check_vars(s, at, defined),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let _ = write!(at, "/{i}");
                    self.check_vars_below(item, at, defined);
                    at.truncate(len);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    push_child(at, k);
                    self.check_vars(k, at, defined);
                    self.check_vars_below(item, at, defined);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }
}

/// Fixture name → the variables it gives the cases that use it.
type Exported = std::collections::BTreeMap<String, BTreeSet<String>>;

/// The generated values (`unique.x`, `email.x`, `uuid.x`, `digits.x`) a fixture's text refers to:
/// its users may read them as `${fixture.unique.x}`. `email.x` and `unique.x` go together (the
/// address is the unique name's), as in a case.
fn collect_generators(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            for r in vars::references(s).into_iter().flatten() {
                if let Some(base) = r
                    .name
                    .strip_prefix("unique.")
                    .or_else(|| r.name.strip_prefix("email."))
                {
                    out.insert(format!("unique.{base}"));
                    out.insert(format!("email.{base}"));
                } else if ["uuid.", "digits."].iter().any(|p| r.name.starts_with(p)) {
                    out.insert(r.name);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_generators(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_generators(i, out)),
        _ => {}
    }
}

/// The (method, path) of every write operation in a bulk body.
fn bulk_writes(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| bulk_writes(i, out)),
        Value::Object(map) => {
            if let (Some(m), Some(p)) = (
                map.get("method").and_then(Value::as_str),
                map.get("path").and_then(Value::as_str),
            ) {
                let m = m.to_ascii_uppercase();
                if matches!(m.as_str(), "PUT" | "PATCH" | "DELETE") {
                    out.push((m, p.to_owned()));
                }
            }
            map.values().for_each(|i| bulk_writes(i, out));
        }
        _ => {}
    }
}

/// Appends the reference token `key` to the JSON pointer `at`.
fn push_child(at: &mut String, key: &str) {
    at.push('/');
    if key.bytes().any(|b| b == b'~' || b == b'/') {
        at.push_str(&escape_pointer(key));
    } else {
        at.push_str(key);
    }
}

pub(super) fn child(at: &str, key: &str) -> String {
    let mut out = String::with_capacity(at.len() + 1 + key.len());
    out.push_str(at);
    push_child(&mut out, key);
    out
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

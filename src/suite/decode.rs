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

const SUITE_KEYS: &[&str] = &["id", "title", "spec", "profile", "requires", "cases"];
const CASE_KEYS: &[&str] = &[
    "id",
    "title",
    "requirements",
    "level",
    "requires",
    "source",
    "app",
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
];
/// The longest a `wait_ms` step may wait: a case is not a place to sleep long.
const MAX_WAIT_MS: u64 = 5000;
const REQUEST_KEYS: &[&str] = &[
    "method",
    "path",
    "query",
    "headers",
    "auth",
    "body",
    "raw",
    "content_type",
];
const EXPECT_KEYS: &[&str] = &["status", "headers", "json", "schema", "any_of"];
const ALTERNATIVE_KEYS: &[&str] = &["label", "status", "headers", "json", "schema"];
const JSON_OPS: &[&str] = &[
    "present",
    "absent",
    "equals",
    "not_equals",
    "equals_ci",
    "type",
    "matches",
    "contains",
    "not_contains",
    "length",
    "min_length",
    "max_length",
    "one_of",
    "gte",
    "lte",
    "gt",
    "lt",
    "each",
    "schema",
];
const HEADER_OPS: &[&str] = &[
    "present",
    "absent",
    "equals",
    "not_equals",
    "equals_ci",
    "matches",
    "contains",
];
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
}

type Obj = Map<String, Value>;

impl<'a> Decoder<'a> {
    pub fn new(doc: &'a Located, file: &'a str) -> Self {
        Decoder {
            doc,
            file,
            errors: Vec::new(),
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
        let root = self.doc.value.clone();
        let obj = self.object(&root, "", "a suite", SUITE_KEYS)?;
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
        let mut cases = Vec::new();
        match obj.get("cases") {
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut seen = BTreeSet::new();
                for (i, item) in items.iter().enumerate() {
                    let at = format!("/cases/{i}");
                    if let Some(case) = self.case(item, &at, &suite_requires, &profile) {
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
        Some(Suite {
            id: id?,
            title,
            spec,
            profile,
            file: self.file.to_owned(),
            cases,
        })
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
        let mut steps = Vec::new();
        let mut defined: BTreeSet<String> = BTreeSet::new();
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
        let any_alternatives = steps.iter().any(|s| !s.expect.any_of.is_empty());
        if level == Level::Info && !any_alternatives {
            self.error(at, "an INFO case records which behaviour the server chose: give a step `expect: any_of: [...]`");
        }
        Some(Case {
            id,
            title,
            requirements,
            level,
            requires,
            sources,
            app,
            steps,
            pos: self.pos(at),
        })
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
            if obj.len() > 1 + usize::from(name.is_some()) {
                self.error(
                    at,
                    "a `wait_ms` step only waits: it takes a `name` and nothing else",
                );
            }
            return Some(Step {
                name,
                setup: false,
                fit: false,
                proven_by: None,
                wait_ms: Some(ms.unwrap_or(1)),
                request: Request {
                    method: "GET".into(),
                    path: String::new(),
                    query: Vec::new(),
                    headers: Vec::new(),
                    auth: Auth::Default,
                    body: None,
                    content_type: None,
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
                    Some("capture it in an earlier step, or use a generator: ${unique.X}, ${email.X}, ${uuid.X}, ${run_id}, ${base_url}, ${base_path}".into()),
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
        self.check_repeats_at(v, at, outer, 0)
    }

    fn check_repeats_at(&mut self, v: &Value, at: &str, outer: u64, depth: usize) -> bool {
        match v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .all(|(i, item)| self.check_repeats_at(item, &format!("{at}/{i}"), outer, depth)),
            Value::Object(map) => {
                let Some(n) = map.get("$repeat") else {
                    return map
                        .iter()
                        .all(|(k, item)| self.check_repeats_at(item, &child(at, k), outer, depth));
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
                match map.get("each") {
                    Some(each) => self.check_repeats_at(each, &child(at, "each"), total, depth + 1),
                    None => true,
                }
            }
            _ => true,
        }
    }

    fn check_vars_in_value(&mut self, v: &Value, at: &str, defined: &BTreeSet<String>) {
        match v {
            Value::String(s) => self.check_vars(s, at, defined),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_vars_in_value(item, &format!("{at}/{i}"), defined);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    self.check_vars(k, &child(at, k), defined);
                    self.check_vars_in_value(item, &child(at, k), defined);
                }
            }
            _ => {}
        }
    }

    fn request(&mut self, v: &Value, at: &str, defined: &BTreeSet<String>) -> Option<Request> {
        let obj = self.object(v, at, "a request", REQUEST_KEYS)?;
        let method = self
            .string(obj, at, "method", false)
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.error(
                &child(at, "method"),
                format!("`{method}` is not an HTTP method"),
            );
        }
        let path = self.string(obj, at, "path", true)?;
        self.check_vars(&path, &child(at, "path"), defined);
        let query = self.scalar_map(obj, at, "query", defined);
        let headers = self.scalar_map(obj, at, "headers", defined);
        let auth = match obj.get("auth").and_then(Value::as_str) {
            None | Some("default") => Auth::Default,
            Some("none") => Auth::None,
            Some("invalid") => Auth::Invalid,
            Some(other) => {
                self.error(
                    &child(at, "auth"),
                    format!("unknown auth `{other}`: use default, none or invalid"),
                );
                Auth::Default
            }
        };
        let body = match (obj.get("body"), obj.get("raw")) {
            (Some(_), Some(_)) => {
                self.error(
                    &child(at, "raw"),
                    "a request has either `body` (JSON) or `raw` (text), not both",
                );
                None
            }
            (Some(b), None) => {
                self.check_vars_in_value(b, &child(at, "body"), defined);
                self.check_repeats(b, &child(at, "body"), 1);
                Some(Body::Json(b.clone()))
            }
            (None, Some(Value::String(r))) => {
                self.check_vars(r, &child(at, "raw"), defined);
                Some(Body::Raw(r.clone()))
            }
            (None, Some(_)) => {
                self.error(&child(at, "raw"), "`raw` must be a string");
                None
            }
            (None, None) => None,
        };
        let content_type = self.string(obj, at, "content_type", false);
        Some(Request {
            method,
            path,
            query,
            headers,
            auth,
            body,
            content_type,
        })
    }

    fn scalar_map(
        &mut self,
        obj: &Obj,
        at: &str,
        key: &str,
        defined: &BTreeSet<String>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    let vat = child(&child(at, key), k);
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => {
                            self.error(
                                &vat,
                                format!("values of `{key}` must be strings, numbers or booleans"),
                            );
                            continue;
                        }
                    };
                    self.check_vars(&text, &vat, defined);
                    out.push((k.clone(), text));
                }
            }
            Some(_) => self.error(&child(at, key), format!("`{key}` must be a mapping")),
        }
        out
    }

    fn expect(&mut self, v: &Value, at: &str, defined: &BTreeSet<String>) -> Expect {
        let Some(obj) = self.object(v, at, "an expect block", EXPECT_KEYS) else {
            return Expect::default();
        };
        let checks = self.checks(obj, at, defined);
        let mut any_of = Vec::new();
        match obj.get("any_of") {
            None => {}
            Some(Value::Array(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let aat = format!("{at}/any_of/{i}");
                    let Some(aobj) = self.object(item, &aat, "an alternative", ALTERNATIVE_KEYS)
                    else {
                        continue;
                    };
                    let label = self.string(aobj, &aat, "label", true).unwrap_or_default();
                    let checks = self.checks(aobj, &aat, defined);
                    if checks.is_empty() {
                        self.error(
                            &aat,
                            "an alternative needs at least one of status, headers, json, schema",
                        );
                    }
                    any_of.push(Alternative {
                        label,
                        checks,
                        pos: self.pos(&aat),
                    });
                }
            }
            Some(_) => self.error(
                &child(at, "any_of"),
                "`any_of` must be a non-empty list of alternatives",
            ),
        }
        Expect { checks, any_of }
    }

    fn checks(&mut self, obj: &Obj, at: &str, defined: &BTreeSet<String>) -> Checks {
        let mut checks = Checks::default();
        if let Some(status) = obj.get("status") {
            let sat = child(at, "status");
            let codes: Vec<Value> = match status {
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            let mut list = Vec::new();
            for c in &codes {
                let class = c.as_str().and_then(|s| {
                    let b = s.as_bytes();
                    (b.len() == 3
                        && (b'1'..=b'5').contains(&b[0])
                        && b[1..].eq_ignore_ascii_case(b"xx"))
                    .then(|| u16::from(b[0] - b'0'))
                });
                match (c.as_u64(), class) {
                    (Some(n), _) if (100..=599).contains(&n) => list.push(n as u16),
                    (_, Some(class)) => list.push(class),
                    _ => self.error(&sat, format!("status must be an HTTP status code (100-599), a class such as 4xx, or a list of them, found {c}")),
                }
            }
            if list.is_empty() {
                self.error(&sat, "status needs at least one code");
            }
            checks.status = Some((list, self.pos(&sat)));
        }
        if let Some(h) = obj.get("headers") {
            let hat = child(at, "headers");
            match h.as_object() {
                Some(map) => {
                    for (name, a) in map {
                        let nat = child(&hat, name);
                        let ops = self.ops(a, &nat, HEADER_OPS, "a header assertion", defined);
                        checks.headers.push(HeaderCheck {
                            name: name.clone(),
                            ops,
                            pos: self.pos(&nat),
                        });
                    }
                }
                None => self.error(
                    &hat,
                    "`headers` must be a mapping of header name to assertion",
                ),
            }
        }
        if let Some(j) = obj.get("json") {
            checks.json = self.json_checks(j, &child(at, "json"), defined);
        }
        if let Some(s) = obj.get("schema") {
            match s.as_str() {
                Some(name) => {
                    checks.schema = Some((name.to_owned(), self.pos(&child(at, "schema"))))
                }
                None => self.error(
                    &child(at, "schema"),
                    "`schema` must be a schema name such as core/User",
                ),
            }
        }
        checks
    }

    fn json_checks(&mut self, v: &Value, at: &str, defined: &BTreeSet<String>) -> Vec<JsonCheck> {
        let Some(map) = v.as_object() else {
            self.error(at, "`json` must be a mapping of JSON pointer to assertion");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (pointer, a) in map {
            let pat = child(at, pointer);
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                self.error_hint(
                    &pat,
                    format!("`{pointer}` is not a JSON pointer"),
                    Some(format!("did you mean `/{pointer}`?")),
                );
                continue;
            }
            self.check_vars(pointer, &pat, defined);
            let ops = self.ops(a, &pat, JSON_OPS, "an assertion", defined);
            out.push(JsonCheck {
                pointer: pointer.clone(),
                ops,
                pos: self.pos(&pat),
            });
        }
        out
    }

    fn ops(
        &mut self,
        v: &Value,
        at: &str,
        allowed: &[&str],
        what: &str,
        defined: &BTreeSet<String>,
    ) -> Vec<Op> {
        let Some(obj) = self.object(v, at, what, allowed) else {
            return Vec::new();
        };
        if obj.is_empty() {
            self.error(
                at,
                format!("{what} needs at least one of: {}", allowed.join(", ")),
            );
        }
        let mut ops = Vec::new();
        for (key, val) in obj {
            if !allowed.contains(&key.as_str()) {
                continue;
            }
            let kat = child(at, key);
            self.check_vars_in_value(val, &kat, defined);
            let op = match key.as_str() {
                "present" | "absent" => match val.as_bool() {
                    Some(b) if key == "present" => Op::Present(b),
                    Some(b) => Op::Absent(b),
                    None => {
                        self.error(&kat, format!("`{key}` takes true or false"));
                        continue;
                    }
                },
                "equals" => Op::Equals(val.clone()),
                "not_equals" => Op::NotEquals(val.clone()),
                "contains" => Op::Contains(val.clone()),
                "not_contains" => Op::NotContains(val.clone()),
                "equals_ci" => match val.as_str() {
                    Some(s) => Op::EqualsCi(s.to_owned()),
                    None => {
                        self.error(&kat, "`equals_ci` takes a string");
                        continue;
                    }
                },
                "type" => match val.as_str().and_then(JsonType::parse) {
                    Some(t) => Op::Type(t),
                    None => {
                        self.error(&kat, "`type` is one of string, number, integer, boolean, object, array, null");
                        continue;
                    }
                },
                "matches" => match val.as_str().map(Pattern::new) {
                    Some(Ok(re)) => Op::Matches(re),
                    Some(Err(e)) => {
                        self.error(
                            &kat,
                            format!(
                                "invalid regex: {}",
                                e.to_string().lines().last().unwrap_or("")
                            ),
                        );
                        continue;
                    }
                    None => {
                        self.error(&kat, "`matches` takes a regex string");
                        continue;
                    }
                },
                "length" | "min_length" | "max_length" => match val.as_u64() {
                    Some(n) => match key.as_str() {
                        "length" => Op::Length(n as usize),
                        "min_length" => Op::MinLength(n as usize),
                        _ => Op::MaxLength(n as usize),
                    },
                    None => {
                        self.error(&kat, format!("`{key}` takes a whole number"));
                        continue;
                    }
                },
                "gte" | "lte" | "gt" | "lt" => {
                    let usable = val.is_number() || val.as_str().is_some_and(|s| s.contains("${"));
                    if !usable {
                        self.error(
                            &kat,
                            format!("`{key}` takes a number, or a variable holding one"),
                        );
                        continue;
                    }
                    let n = val.clone();
                    match key.as_str() {
                        "gte" => Op::Gte(n),
                        "lte" => Op::Lte(n),
                        "gt" => Op::Gt(n),
                        _ => Op::Lt(n),
                    }
                }
                "one_of" => match val.as_array() {
                    Some(items) if !items.is_empty() => Op::OneOf(items.clone()),
                    _ => {
                        self.error(&kat, "`one_of` takes a non-empty list of values");
                        continue;
                    }
                },
                "each" => Op::Each(self.json_checks(val, &kat, defined)),
                "schema" => match val.as_str() {
                    Some(s) => Op::Schema(s.to_owned()),
                    None => {
                        self.error(&kat, "`schema` takes a schema name such as core/User");
                        continue;
                    }
                },
                _ => continue,
            };
            ops.push(op);
        }
        ops
    }
}

fn child(at: &str, key: &str) -> String {
    format!("{at}/{}", escape_pointer(key))
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

//! Snapshots of an endpoint's answers: normalised (run-dependent values replaced by stable
//! placeholders), stored in insta's `.snap` file format, and compared with a unified diff.
//! scimspec reads and writes the files itself (insta's macros are made for `cargo test`), so
//! `cargo insta review` works on them, and scimspec needs no Rust toolchain.
//!
//! Snapshots are taken only when `run --snapshots DIR` names where they live: an answer copied
//! into a file is a copy of the tenant's data, so nothing is written unasked.

use crate::endpoint::InResponse;
use serde_json::{Map, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Compare with the stored snapshots; a missing one is recorded (the first run records the baseline)
    Check,
    /// Overwrite the stored snapshots with what the server answers now
    Record,
    /// Take no snapshots, even with --snapshots
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Drift {
    /// A changed snapshot fails the case
    Fail,
    /// A changed snapshot is reported (diff and .snap.new file), and the verdict stands
    #[value(alias = "warn")]
    Report,
}

#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    Matched {
        name: String,
        file: String,
    },
    New {
        name: String,
        file: String,
    },
    Recorded {
        name: String,
        file: String,
    },
    Changed {
        name: String,
        file: String,
        diff: String,
    },
    Unwritable {
        name: String,
        file: String,
        error: String,
    },
}

impl Outcome {
    pub fn diff(&self) -> Option<&str> {
        match self {
            Outcome::Changed { diff, .. } => Some(diff),
            _ => None,
        }
    }
}

/// The ids a case saw in its answers (`id` of resources, the last segment of `Location` and
/// `meta.location`), in the order first seen, whatever their shape: UUIDs, hex strings, integers.
#[derive(Default, Debug)]
pub struct Ids {
    seen: Vec<String>,
}

impl Ids {
    pub fn observe(&mut self, resp: &InResponse, body: Option<&Value>) {
        if let Some(loc) = resp.header("location") {
            self.add_location(loc);
        }
        if let Some(v) = body {
            self.collect(v);
        }
    }

    fn add(&mut self, id: &str) {
        if !id.is_empty() && !self.seen.iter().any(|s| s == id) {
            self.seen.push(id.to_owned());
        }
    }

    fn add_location(&mut self, loc: &str) {
        let path = loc.split(['?', '#']).next().unwrap_or("");
        if let Some(last) = path.trim_end_matches('/').rsplit('/').next()
            && !last.contains(':')
            && path.contains('/')
        {
            self.add(last);
        }
    }

    fn collect(&mut self, v: &Value) {
        match v {
            Value::Object(map) => {
                if is_resource(map) {
                    match map.get("id") {
                        Some(Value::String(s)) if !s.contains(':') => self.add(s),
                        Some(Value::Number(n)) => self.add(&n.to_string()),
                        _ => {}
                    }
                    if let Some(loc) = map
                        .get("meta")
                        .and_then(|m| m.get("location"))
                        .and_then(Value::as_str)
                    {
                        self.add_location(loc);
                    }
                }
                // Sorted keys: the same answer gives the same order.
                for v in map.values() {
                    self.collect(v);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.collect(i)),
            _ => {}
        }
    }
}

/// A resource the server made (a User, a Group, …), not a schema or resource type definition,
/// whose ids are names that stay the same between runs.
fn is_resource(map: &Map<String, Value>) -> bool {
    const DEFINITIONS: [&str; 2] = [
        "urn:ietf:params:scim:schemas:core:2.0:Schema",
        "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
    ];
    let definition_schema = map
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .any(|u| DEFINITIONS.iter().any(|d| d.eq_ignore_ascii_case(u)))
        });
    let definition_type = map
        .get("meta")
        .and_then(|m| m.get("resourceType"))
        .and_then(Value::as_str)
        .is_some_and(|t| t == "Schema" || t == "ResourceType");
    map.contains_key("id") && !definition_schema && !definition_type
}

/// What is known about the run that makes an answer differ between runs.
pub struct Context<'a> {
    pub base_url: &'a str,
    /// `scimspec-<run id>-<case no>`: every name the case made starts with it.
    pub prefix: &'a str,
    /// Captured and generated variables, replaced by `[name]`.
    pub vars: Vec<(&'a str, &'a Value)>,
    /// The ids the case has seen so far.
    pub ids: &'a Ids,
    pub redact: &'a dyn Fn(&str) -> String,
}

/// Ids shorter than this are replaced only where a whole value or a path segment is the id:
/// `7` must not turn every 7 of an answer into a placeholder.
const SHORT_ID: usize = 8;

/// How one case's run-dependent values turn into placeholders.
struct Normaliser {
    /// Replaced wherever they occur, longest first.
    anywhere: Vec<(String, String)>,
    /// Short ids: replaced as a whole value or a whole path segment only.
    whole: Vec<(String, String)>,
    /// Host and port of the base URL, to recognise the server naming itself another way.
    host: Option<String>,
    port: Option<u16>,
}

impl Normaliser {
    fn new(ctx: &Context) -> Normaliser {
        let mut anywhere: Vec<(String, String)> = Vec::new();
        let mut named: Vec<(String, String)> = Vec::new();
        for (name, value) in &ctx.vars {
            if name.starts_with("base_") {
                continue;
            }
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if text.len() >= 3 {
                anywhere.push((text.clone(), format!("[{name}]")));
            }
            named.push((text, format!("[{name}]")));
        }
        let mut whole = Vec::new();
        let mut n = 0;
        for id in &ctx.ids.seen {
            // A captured id keeps the name the suite gave it.
            let placeholder = match named.iter().find(|(v, _)| v == id) {
                Some((_, p)) => p.clone(),
                None => {
                    n += 1;
                    format!("[id-{n}]")
                }
            };
            if id.len() >= SHORT_ID {
                anywhere.push((id.clone(), placeholder));
            } else {
                whole.push((id.clone(), placeholder));
            }
        }
        anywhere.push((
            ctx.base_url.trim_end_matches('/').to_owned(),
            "[base_url]".into(),
        ));
        anywhere.push((ctx.prefix.to_owned(), "[prefix]".into()));
        // Longest first, so a value is never half-replaced by a shorter one it contains.
        anywhere.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        let parsed = url::Url::parse(ctx.base_url).ok();
        Normaliser {
            anywhere,
            whole,
            host: parsed
                .as_ref()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase)),
            port: parsed.as_ref().and_then(url::Url::port_or_known_default),
        }
    }

    /// A string with every id, the base URL, other names of the host, UUIDs, long hex ids and
    /// timestamps replaced.
    fn text(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (from, to) in &self.anywhere {
            if !from.is_empty() && out.contains(from.as_str()) {
                out = out.replace(from.as_str(), to);
            }
        }
        out = self.hosts(&out);
        if !self.whole.is_empty() && out.contains('/') {
            out = self.segments(&out);
        }
        let out = uuid_re().replace_all(&out, "[uuid]");
        let out = hex_re().replace_all(&out, "[hex-id]");
        let out = timestamp_in_text_re().replace_all(&out, "[timestamp]");
        out.into_owned()
    }

    /// `http://localhost:8080` where the base URL says `127.0.0.1:8080`, or any loopback name:
    /// the same server under another name, which may change between runs.
    fn hosts(&self, s: &str) -> String {
        if !s.contains("://") {
            return s.to_owned();
        }
        authority_re()
            .replace_all(s, |c: &regex::Captures| {
                let whole = &c[0];
                let Ok(u) = url::Url::parse(whole) else {
                    return whole.to_owned();
                };
                let host = u.host_str().unwrap_or("").to_ascii_lowercase();
                let loopback = matches!(
                    host.as_str(),
                    "localhost" | "127.0.0.1" | "[::1]" | "::1" | "0.0.0.0"
                );
                let same = self.host.as_deref() == Some(host.as_str())
                    || (u.port().is_some() && u.port() == self.port);
                if loopback || same {
                    "[host]".to_owned()
                } else {
                    whole.to_owned()
                }
            })
            .into_owned()
    }

    /// The placeholder of a value that is, as a whole, an id or a variable's value.
    fn exact(&self, s: &str) -> Option<&str> {
        self.whole
            .iter()
            .chain(self.anywhere.iter())
            .find(|(id, _)| id == s)
            .map(|(_, p)| p.as_str())
    }

    /// Short ids as whole path segments: `[base_url]/Users/7` → `[base_url]/Users/[id-1]`.
    fn segments(&self, s: &str) -> String {
        s.split('/')
            .map(|seg| {
                let (core, rest) = match seg.find(['?', '#']) {
                    Some(i) => seg.split_at(i),
                    None => (seg, ""),
                };
                match self.whole.iter().find(|(id, _)| id == core) {
                    Some((_, p)) => format!("{p}{rest}"),
                    None => seg.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The canonical text of an answer: status, the headers that matter, and the normalised body.
pub fn normalise(resp: &InResponse, ctx: &Context) -> String {
    let norm = Normaliser::new(ctx);
    let mut headers = Map::new();
    if let Some(ct) = resp.header("content-type") {
        headers.insert(
            "content-type".into(),
            Value::String(ct.to_ascii_lowercase().replace(' ', "")),
        );
    }
    if let Some(loc) = resp.header("location") {
        headers.insert("location".into(), Value::String(norm.text(loc)));
    }
    if resp.header("etag").is_some() {
        headers.insert("etag".into(), Value::String("[present]".into()));
    }
    let body = match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) => normalise_value(v, None, &norm),
        Err(_) if resp.body.is_empty() => Value::Null,
        Err(_) => Value::String(format!("[not JSON: {} bytes]", resp.body.len())),
    };
    let doc = serde_json::json!({ "status": resp.status, "headers": headers, "body": body });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    (ctx.redact)(&text)
}

fn timestamp_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$",
        )
        .expect("valid regex")
    })
}

/// An ISO timestamp inside a longer text (an error `detail`, say).
fn timestamp_in_text_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
            .expect("valid regex")
    })
}

fn uuid_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .expect("valid regex")
    })
}

/// 24 or more hex digits (Mongo ObjectIds, UUIDs without dashes, hashes): made per run.
fn hex_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\b[0-9a-fA-F]{24,}\b").expect("valid regex"))
}

/// `scheme://host:port` at the start of a URL.
fn authority_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"(?i)\bhttps?://[^/\s?#]+").expect("valid regex"))
}

fn normalise_value(v: Value, key: Option<&str>, norm: &Normaliser) -> Value {
    match v {
        Value::String(s) => {
            if matches!(key, Some("id" | "value"))
                && let Some(p) = norm.exact(&s)
            {
                return Value::String(p.to_owned());
            }
            let replaced = norm.text(&s);
            match key {
                // A server-made id the case never saw, whatever it looks like.
                Some("id") => Value::String("[id]".into()),
                Some("version") => Value::String("[version]".into()),
                Some("created" | "lastModified") => Value::String("[timestamp]".into()),
                _ if timestamp_re().is_match(&replaced) => Value::String("[timestamp]".into()),
                _ => Value::String(replaced),
            }
        }
        // An integer id (`"id": 7`, `"value": 7`) is replaced like its string form.
        Value::Number(n) if matches!(key, Some("id" | "value")) => {
            let text = n.to_string();
            match norm.exact(&text) {
                Some(p) => Value::String(p.to_owned()),
                None if key == Some("id") => Value::String("[id]".into()),
                None => Value::Number(n),
            }
        }
        Value::Array(items) => {
            let mut items: Vec<Value> = items
                .into_iter()
                .map(|i| normalise_value(i, None, norm))
                .collect();
            // Multi-valued attributes carry no order (RFC 7643 §2.4); sorting keeps snapshots stable.
            if key != Some("Resources") {
                items.sort_by_key(|i| i.to_string());
            }
            Value::Array(items)
        }
        Value::Object(map) => {
            // A schema's or resource type's id is a name that stays (`User`, a URN).
            let definition = map.contains_key("id") && !is_resource(&map);
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let nv = match (k.as_str(), v) {
                            ("id", Value::String(s)) if definition => Value::String(norm.text(&s)),
                            (_, v) => normalise_value(v, Some(&k), norm),
                        };
                        (k, nv)
                    })
                    .collect(),
            )
        }
        other => other,
    }
}
/// A file name insta understands: `<module>__<name>.snap`.
pub fn file_name(suite: &str, case: &str, name: &str) -> String {
    let clean = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
    };
    format!("{}__{}-{}.snap", clean(suite), clean(case), clean(name))
}

/// The header of a `.snap` file, byte for byte as insta 1.x writes it (its YAML emitter quotes a
/// value only when YAML needs it), so `cargo insta accept` rewrites nothing scimspec wrote.
pub fn header(source: &str, description: &str, expression: &str) -> String {
    format!(
        "---\nsource: {}\ndescription: {}\nexpression: {}\n---\n",
        yaml_scalar(source),
        yaml_scalar(description),
        yaml_scalar(expression)
    )
}

/// A YAML string as insta's emitter writes it: bare, or double-quoted with JSON-like escapes.
fn yaml_scalar(s: &str) -> String {
    if !yaml_needs_quotes(s) {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// insta's `need_quotes` (its vendored yaml-rust emitter).
fn yaml_needs_quotes(s: &str) -> bool {
    const WORDS: [&str; 22] = [
        "yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "true", "False", "FALSE", "false",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    s.is_empty()
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with(['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@'])
        || s.contains(|c: char| {
            matches!(
                c,
                ':' | '{'
                    | '}'
                    | '['
                    | ']'
                    | ','
                    | '#'
                    | '`'
                    | '"'
                    | '\''
                    | '\\'
                    | '\0'..='\x06'
                    | '\t'
                    | '\n'
                    | '\r'
                    | '\x0e'..='\x1a'
                    | '\x1c'..='\x1f'
            )
        })
        || WORDS.contains(&s)
        || s.starts_with('.')
        || s.starts_with("0x")
        || s.parse::<i64>().is_ok()
        || s.parse::<f64>().is_ok()
}

/// The snapshot text of a `.snap` file (what follows the header).
pub fn read_contents(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(rest[end + 5..].trim_end_matches('\n').to_owned())
}

pub struct Store {
    pub dir: PathBuf,
    pub mode: Mode,
}

pub struct Meta<'a> {
    pub suite: &'a str,
    pub case: &'a str,
    pub name: &'a str,
    pub source: &'a str,
    pub description: &'a str,
    pub expression: &'a str,
}

impl Store {
    pub fn compare(&self, meta: &Meta, contents: &str) -> Option<Outcome> {
        if self.mode == Mode::Off {
            return None;
        }
        let path = self.dir.join(file_name(meta.suite, meta.case, meta.name));
        let file = path.display().to_string();
        let name = meta.name.to_owned();
        let text = format!(
            "{}{contents}\n",
            header(meta.source, meta.description, meta.expression)
        );
        let write = |p: &Path| -> Result<(), String> {
            std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
            std::fs::write(p, &text).map_err(|e| e.to_string())
        };
        let new_path = PathBuf::from(format!("{file}.new"));
        if self.mode == Mode::Record {
            let _ = std::fs::remove_file(&new_path);
            return Some(match write(&path) {
                Ok(()) => Outcome::Recorded { name, file },
                Err(error) => Outcome::Unwritable { name, file, error },
            });
        }
        match read_contents(&path) {
            None => Some(match write(&path) {
                Ok(()) => Outcome::New { name, file },
                Err(error) => Outcome::Unwritable { name, file, error },
            }),
            Some(old) if old == contents => {
                let _ = std::fs::remove_file(&new_path);
                Some(Outcome::Matched { name, file })
            }
            Some(old) => {
                let diff = unified_diff(&old, contents, &file);
                if let Err(error) = write(&new_path) {
                    return Some(Outcome::Unwritable { name, file, error });
                }
                Some(Outcome::Changed { name, file, diff })
            }
        }
    }
}

/// What the console says about snapshots written this run: a first run records a baseline and
/// judges nothing, and says so.
pub fn recorded_note<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> String {
    let (mut new, mut recorded) = (Vec::new(), 0usize);
    for o in outcomes {
        match o {
            Outcome::New { file, .. } => new.push(file.as_str()),
            Outcome::Recorded { .. } => recorded += 1,
            _ => {}
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let dir = |file: &str| {
        Path::new(file)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    };
    let mut out = String::new();
    if let Some(first) = new.first() {
        out.push_str(&format!(
            "Snapshots: baseline recorded, {} new snapshot{} in {} (nothing compared for them; the next run with the same --snapshots compares)\n\n",
            new.len(),
            plural(new.len()),
            dir(first)
        ));
    }
    if recorded > 0 {
        out.push_str(&format!(
            "Snapshots: {recorded} snapshot{} recorded (--snapshot-mode record)\n\n",
            plural(recorded)
        ));
    }
    out
}

pub fn unified_diff(old: &str, new: &str, file: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{file} (stored)"),
            &format!("{file}.new (this run)"),
        )
        .to_string()
}

/// Every pending `.snap.new` below `dir`, sorted.
pub fn pending(dir: &Path) -> Vec<PathBuf> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(d) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.to_string_lossy().ends_with(".snap.new") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// `x.snap.new` → `x.snap`.
pub fn accepted_path(new: &Path) -> PathBuf {
    PathBuf::from(new.to_string_lossy().trim_end_matches(".new"))
}

/// What `scimspec snapshots` does with the pending changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Action {
    /// Show each pending diff and ask whether to accept it
    Review,
    /// Accept every pending change
    Accept,
    /// Reject every pending change
    Reject,
}

/// `scimspec snapshots review|accept|reject`: settles the pending `.snap.new` files under `dir`.
pub fn command(action: Action, dir: &Path) -> i32 {
    // A mistyped directory is not "nothing to review".
    if !dir.is_dir() {
        return crate::process::fatal(format!(
            "--snapshots {}: no such directory (give the directory of `run --snapshots DIR`)",
            dir.display()
        ));
    }
    let pending = pending(dir);
    if pending.is_empty() {
        println!("no pending snapshot changes in {}", dir.display());
        return crate::process::EXIT_OK;
    }
    let mut accepted = 0;
    let mut rejected = 0;
    let mut skipped = 0;
    for new in &pending {
        let old = accepted_path(new);
        let choice = match action {
            Action::Accept => 'a',
            Action::Reject => 'r',
            Action::Review => {
                use std::io::IsTerminal;
                if !std::io::stdin().is_terminal() {
                    return crate::process::fatal(
                        "`snapshots review` asks on a terminal; in CI use `snapshots accept` or `snapshots reject`",
                    );
                }
                let before = read_contents(&old).unwrap_or_default();
                let after = read_contents(new).unwrap_or_default();
                let diff = unified_diff(&before, &after, &old.display().to_string());
                let mut out = anstream::stdout();
                let _ = writeln!(out, "{}", colour_diff(&diff));
                let _ = write!(out, "accept this change? [a]ccept, [r]eject, [s]kip: ");
                let _ = out.flush();
                let mut line = String::new();
                if std::io::stdin().read_line(&mut line).is_err() {
                    return crate::process::fatal("cannot read the answer");
                }
                line.trim()
                    .chars()
                    .next()
                    .unwrap_or('s')
                    .to_ascii_lowercase()
            }
        };
        match choice {
            'a' => match std::fs::rename(new, &old) {
                Ok(()) => accepted += 1,
                Err(e) => {
                    return crate::process::fatal(format!("cannot accept {}: {e}", new.display()));
                }
            },
            'r' => match std::fs::remove_file(new) {
                Ok(()) => rejected += 1,
                Err(e) => {
                    return crate::process::fatal(format!("cannot reject {}: {e}", new.display()));
                }
            },
            _ => skipped += 1,
        }
    }
    println!("{accepted} accepted, {rejected} rejected, {skipped} skipped");
    crate::process::EXIT_OK
}

/// Colours the lines of a unified diff: additions green, removals red.
pub fn colour_diff(diff: &str) -> String {
    let green = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Green.into()));
    let red = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into()));
    diff.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("+++") || t.starts_with("---") {
                l.to_owned()
            } else if t.starts_with('+') {
                format!("{green}{l}{green:#}")
            } else if t.starts_with('-') {
                format!("{red}{l}{red:#}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn answer(status: u16, location: Option<&str>, body: &Value) -> InResponse {
        let mut headers = vec![(
            "Content-Type".to_owned(),
            "application/scim+json".to_owned(),
        )];
        if let Some(l) = location {
            headers.push(("Location".to_owned(), l.to_owned()));
        }
        InResponse {
            status,
            reason: String::new(),
            headers,
            body: serde_json::to_vec(body).unwrap_or_default(),
            truncated: false,
            elapsed: Duration::ZERO,
            started_at: jiff::Timestamp::UNIX_EPOCH,
            version: "HTTP/1.1".into(),
            retries: Vec::new(),
        }
    }

    /// The normalised text of a case's answers, each seen in turn as the runner sees them.
    fn normalised(base: &str, answers: &[InResponse]) -> Vec<String> {
        let mut ids = Ids::default();
        let redact = |t: &str| t.to_owned();
        answers
            .iter()
            .map(|a| {
                let body: Option<Value> = serde_json::from_slice(&a.body).ok();
                ids.observe(a, body.as_ref());
                normalise(
                    a,
                    &Context {
                        base_url: base,
                        prefix: "scimspec-ab12cd34-7",
                        vars: Vec::new(),
                        ids: &ids,
                        redact: &redact,
                    },
                )
            })
            .collect()
    }

    fn user(base: &str, id: Value, version: &str, ts: &str) -> Value {
        let loc = format!(
            "{base}/Users/{}",
            id.as_str().map_or(id.to_string(), str::to_owned)
        );
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": id,
            "userName": "scimspec-ab12cd34-7-jane",
            "meta": {"resourceType": "User", "created": ts, "lastModified": ts,
                     "version": version, "location": loc},
        })
    }

    /// Two runs with different ids of every shape, hosts, ports, versions and timestamps give
    /// the same snapshots.
    #[test]
    fn every_id_shape_host_version_and_timestamp_is_normalised() {
        let run = |port: u16, uid: Value, gid: &str, ts: &str, version: &str| {
            let base = format!("http://127.0.0.1:{port}/scim/v2");
            let echoed = format!("http://localhost:{port}/scim/v2");
            let u = user(&echoed, uid.clone(), version, ts);
            let uid_text = uid.as_str().map_or(uid.to_string(), str::to_owned);
            let group = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id": gid,
                "displayName": "g",
                "members": [{"value": uid, "$ref": format!("{base}/Users/{uid_text}")}],
                "meta": {"resourceType": "Group", "location": format!("{base}/Groups/{gid}"),
                         "version": version},
            });
            let error = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "404",
                "detail": format!("Group not found at {ts}"),
            });
            let loc = format!("{base}/Users/{uid_text}");
            normalised(
                &base,
                &[
                    answer(201, Some(&loc), &u),
                    answer(200, None, &group),
                    answer(404, None, &error),
                ],
            )
        };
        let first = run(
            40001,
            json!("0f8fad5bd9cb469fa16570867728950e"),
            "7",
            "2026-11-30T06:00:00Z",
            "W/\"1\"",
        );
        let second = run(
            40777,
            json!(12),
            "3c9d1e0a2b7f4e6d8a5b1c0d9e8f7a6b",
            "2026-12-01T07:30:12.345+01:00",
            "W/\"e0b1\"",
        );
        assert_eq!(first, second);
        let all = first.join("\n");
        for raw in ["0f8fad5b", "127.0.0.1", "localhost", "40001", "2026-", "W/"] {
            assert!(!all.contains(raw), "{raw} left in:\n{all}");
        }
        assert!(all.contains("\"id\": \"[id-1]\""), "{all}");
        assert!(all.contains("[base_url]/Users/[id-1]"), "{all}");
        assert!(all.contains("[host]/scim/v2/Users/[id-1]"), "{all}");
        assert!(all.contains("\"value\": \"[id-1]\""), "{all}");
        assert!(all.contains("[base_url]/Groups/[id-2]"), "{all}");
        assert!(all.contains("Group not found at [timestamp]"), "{all}");
    }

    /// A short id is replaced only as a whole value or path segment, never inside other text.
    #[test]
    fn short_ids_do_not_touch_other_numbers() {
        let base = "http://127.0.0.1:9/v2";
        let u = user(base, json!("7"), "1", "2026-11-30T06:00:00Z");
        let list = json!({"totalResults": 7, "itemsPerPage": 17, "startIndex": 1,
                          "Resources": [u.clone()], "note": "7 of 17"});
        let out = normalised(base, &[answer(201, None, &u), answer(200, None, &list)]);
        assert!(out[1].contains("\"totalResults\": 7"), "{}", out[1]);
        assert!(out[1].contains("\"note\": \"7 of 17\""), "{}", out[1]);
        assert!(out[1].contains("[base_url]/Users/[id-1]"), "{}", out[1]);
    }

    /// Schema and resource type ids are names, not run values.
    #[test]
    fn definition_ids_stay() {
        let base = "http://127.0.0.1:9/v2";
        let rt = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                        "id": "User", "endpoint": "/Users",
                        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}});
        let out = normalised(base, &[answer(200, None, &rt)]);
        assert!(out[0].contains("\"id\": \"User\""), "{}", out[0]);
        assert!(
            out[0].contains("[base_url]/ResourceTypes/User"),
            "{}",
            out[0]
        );
    }

    /// insta's emitter quotes only when YAML needs it.
    #[test]
    fn header_is_quoted_as_insta_quotes() {
        assert_eq!(
            header(
                "suites/core/rfc7644/3.3-create.yaml",
                "rfc7644.3.3.create-returns-201, x — POST answers 201",
                "GET /Users/${uid}"
            ),
            "---\nsource: suites/core/rfc7644/3.3-create.yaml\ndescription: \"rfc7644.3.3.create-returns-201, x — POST answers 201\"\nexpression: \"GET /Users/${uid}\"\n---\n"
        );
        assert_eq!(yaml_scalar("POST /Users"), "POST /Users");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("12"), "\"12\"");
        assert_eq!(yaml_scalar("a \"b\"\tc"), "\"a \\\"b\\\"\\tc\"");
        assert_eq!(yaml_scalar("- x"), "\"- x\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }
}

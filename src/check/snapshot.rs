//! Snapshots of an endpoint's answers: normalised (run-dependent values replaced by stable
//! placeholders), stored in insta's `.snap` file format, and compared with a unified diff.
//! scimspec reads and writes the files itself (insta's macros are made for `cargo test`), so
//! `cargo insta review` works on them, and scimspec needs no Rust toolchain.

use crate::endpoint::InResponse;
use serde_json::{Map, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Compare with the stored snapshot; a missing one is recorded and reported as new.
    Check,
    /// Overwrite the stored snapshots with what the server answers now.
    Record,
    /// No snapshots.
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Drift {
    /// A changed snapshot fails the case.
    Fail,
    /// A changed snapshot is reported, but the verdict stands.
    Warn,
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

/// What is known about the run that makes an answer differ between runs.
pub struct Context<'a> {
    pub base_url: &'a str,
    /// `scimspec-<run id>-<case no>`: every name the case made starts with it.
    pub prefix: &'a str,
    /// Captured and generated variables, replaced by `[name]`.
    pub vars: Vec<(&'a str, &'a Value)>,
    pub redact: &'a dyn Fn(&str) -> String,
}

/// The canonical text of an answer: status, the headers that matter, and the normalised body.
pub fn normalise(resp: &InResponse, ctx: &Context) -> String {
    let mut replacements: Vec<(String, String)> = Vec::new();
    for (name, value) in &ctx.vars {
        if let Value::String(s) = value
            && s.len() >= 3
            && !name.starts_with("base_")
        {
            replacements.push((s.clone(), format!("[{name}]")));
        }
    }
    replacements.push((ctx.base_url.to_owned(), "[base_url]".into()));
    replacements.push((ctx.prefix.to_owned(), "[prefix]".into()));
    // Longest first, so a value is never half-replaced by a shorter one it contains.
    replacements.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));

    let mut headers = Map::new();
    if let Some(ct) = resp.header("content-type") {
        headers.insert(
            "content-type".into(),
            Value::String(ct.to_ascii_lowercase().replace(' ', "")),
        );
    }
    if let Some(loc) = resp.header("location") {
        headers.insert(
            "location".into(),
            Value::String(replace_all(loc, &replacements)),
        );
    }
    if resp.header("etag").is_some() {
        headers.insert("etag".into(), Value::String("[present]".into()));
    }
    let body = match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) => normalise_value(v, None, &replacements),
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

fn uuid_re() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .expect("valid regex")
    })
}

fn replace_all(s: &str, replacements: &[(String, String)]) -> String {
    let mut out = s.to_owned();
    for (from, to) in replacements {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    uuid_re().replace_all(&out, "[uuid]").into_owned()
}

fn normalise_value(v: Value, key: Option<&str>, replacements: &[(String, String)]) -> Value {
    match v {
        Value::String(s) => {
            let replaced = replace_all(&s, replacements);
            match key {
                // Server-made values that differ on every run, whatever they look like.
                Some("id") if !replacements.iter().any(|(from, _)| *from == s) => {
                    Value::String("[id]".into())
                }
                Some("version") => Value::String("[version]".into()),
                Some("created" | "lastModified") => Value::String("[timestamp]".into()),
                _ if timestamp_re().is_match(&replaced) => Value::String("[timestamp]".into()),
                _ => Value::String(replaced),
            }
        }
        Value::Array(items) => {
            let mut items: Vec<Value> = items
                .into_iter()
                .map(|i| normalise_value(i, None, replacements))
                .collect();
            // Multi-valued attributes carry no order (RFC 7643 §2.4); sorting keeps snapshots stable.
            if key != Some("Resources") {
                items.sort_by_key(|i| i.to_string());
            }
            Value::Array(items)
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let nv = normalise_value(v, Some(&k), replacements);
                    (k, nv)
                })
                .collect(),
        ),
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

/// The header of a `.snap` file: YAML with JSON-quoted values.
fn header(source: &str, description: &str, expression: &str) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    format!(
        "---\nsource: {}\ndescription: {}\nexpression: {}\n---\n",
        q(source),
        q(description),
        q(expression)
    )
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

//! Expectations against an answer: status, headers, JSON assertions, schema validation.
//! Each broken expectation becomes a [`Mismatch`] carrying expected beside actual.

pub mod schema;
pub mod snapshot;

use crate::endpoint::InResponse;
use crate::suite::vars::Vars;
use crate::suite::yaml::Pos;
use crate::suite::{Checks, JsonCheck, Op};
use schema::SchemaSet;
use serde_json::Value;

/// One expectation that did not hold.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Mismatch {
    /// Where the expectation is written in the suite file.
    pub line: u32,
    pub column: u32,
    /// What was checked: `status`, `header Location`, `json /id`, `schema core/User`.
    pub subject: String,
    pub expected: String,
    pub actual: String,
}

impl Mismatch {
    fn new(
        pos: Pos,
        subject: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Mismatch {
            line: pos.line,
            column: pos.column,
            subject: subject.into(),
            expected: expected.into(),
            actual: actual.into(),
        }
    }
}

/// The body of an answer, as far as it could be understood.
#[derive(Clone, Debug)]
pub enum Body {
    Empty,
    Json(Value),
    /// Not JSON: why, and what it looked like (e.g. an HTML error page).
    NotJson {
        reason: String,
        preview: String,
    },
}

impl Body {
    pub fn parse(resp: &InResponse) -> Body {
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Body::Empty;
        }
        if resp.truncated {
            return Body::NotJson {
                reason: format!(
                    "the body was cut at the size cap ({} bytes)",
                    resp.body.len()
                ),
                preview: preview(&resp.text()),
            };
        }
        match serde_json::from_slice::<Value>(&resp.body) {
            Ok(v) => Body::Json(v),
            Err(e) => {
                let ct = resp.header("content-type").unwrap_or("no Content-Type");
                Body::NotJson {
                    reason: format!("the body is not JSON ({ct}): {e}"),
                    preview: preview(&resp.text()),
                }
            }
        }
    }

    pub fn json(&self) -> Option<&Value> {
        match self {
            Body::Json(v) => Some(v),
            _ => None,
        }
    }
}

/// At most 200 characters, on one line.
pub fn preview(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 200 {
        format!("{}…", one_line.chars().take(200).collect::<String>())
    } else {
        one_line
    }
}

pub fn show(v: &Value) -> String {
    preview(&v.to_string())
}

pub struct Checker<'a> {
    pub schemas: &'a SchemaSet,
}

impl Checker<'_> {
    /// Every mismatch of `checks` against the answer. Interpolation problems are mismatches too.
    pub fn evaluate(
        &self,
        checks: &Checks,
        resp: &InResponse,
        body: &Body,
        vars: &mut Vars,
    ) -> Vec<Mismatch> {
        let mut out = Vec::new();
        if let Some((codes, pos)) = &checks.status
            && !codes
                .iter()
                .any(|c| crate::suite::status_matches(*c, resp.status))
        {
            let expected = codes
                .iter()
                .map(|c| crate::suite::status_label(*c))
                .collect::<Vec<_>>()
                .join(" or ");
            out.push(Mismatch::new(
                *pos,
                "status",
                expected,
                format!("{} {}", resp.status, resp.reason),
            ));
        }
        for h in &checks.headers {
            let actual = resp.header(&h.name);
            for op in &h.ops {
                if let Some(m) = header_op(op, actual, vars) {
                    out.push(Mismatch::new(h.pos, format!("header {}", h.name), m.0, m.1));
                }
            }
        }
        if !checks.json.is_empty() || checks.schema.is_some() {
            match body {
                Body::Json(root) => {
                    for c in &checks.json {
                        self.json_check(c, root, "", vars, &mut out);
                    }
                    if let Some((name, pos)) = &checks.schema {
                        self.schema_check(name, root, "", *pos, &mut out);
                    }
                }
                other => {
                    let actual = match other {
                        Body::Empty => "an empty body".to_owned(),
                        Body::NotJson { reason, preview } => {
                            format!("{reason}; it starts: {preview}")
                        }
                        Body::Json(_) => String::new(),
                    };
                    let pos = checks
                        .json
                        .first()
                        .map(|c| c.pos)
                        .or(checks.schema.as_ref().map(|s| s.1))
                        .unwrap_or_default();
                    // Only `absent` assertions can hold on a body that is not JSON.
                    let only_absent = checks.schema.is_none()
                        && checks.json.iter().all(|c| {
                            c.ops
                                .iter()
                                .all(|o| matches!(o, Op::Absent(true) | Op::Present(false)))
                        });
                    if !only_absent {
                        out.push(Mismatch::new(pos, "body", "a JSON body", actual));
                    }
                }
            }
        }
        out
    }

    fn schema_check(&self, name: &str, value: &Value, at: &str, pos: Pos, out: &mut Vec<Mismatch>) {
        match self.schemas.violations(name, value, 5) {
            Ok(vs) if vs.is_empty() => {}
            Ok(vs) => {
                let actual = vs
                    .iter()
                    .map(|v| {
                        format!(
                            "at {}{}: {}",
                            at,
                            if v.instance_path.is_empty() {
                                "/"
                            } else {
                                &v.instance_path
                            },
                            v.message
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                out.push(Mismatch::new(
                    pos,
                    format!("schema {name}"),
                    format!("valid against schemas/{name}.schema.json"),
                    actual,
                ));
            }
            Err(e) => out.push(Mismatch::new(
                pos,
                format!("schema {name}"),
                "a usable schema",
                e,
            )),
        }
    }

    fn json_check(
        &self,
        c: &JsonCheck,
        root: &Value,
        prefix: &str,
        vars: &mut Vars,
        out: &mut Vec<Mismatch>,
    ) {
        let pointer = match vars.render(&c.pointer) {
            Ok(p) => p,
            Err(e) => {
                out.push(Mismatch::new(
                    c.pos,
                    format!("json {}", c.pointer),
                    "a defined variable",
                    e,
                ));
                return;
            }
        };
        let shown = format!("{prefix}{pointer}");
        let value = root.pointer(&pointer).filter(|v| !v.is_null());
        for op in &c.ops {
            match op {
                Op::Each(inner) => match value {
                    Some(Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            let before = out.len();
                            for ic in inner {
                                self.json_check(ic, item, &format!("{shown}/{i}"), vars, out);
                            }
                            if out.len() > before {
                                break;
                            }
                        }
                    }
                    other => out.push(Mismatch::new(
                        c.pos,
                        format!("json {shown}"),
                        "an array (each)",
                        describe(other),
                    )),
                },
                Op::Schema(name) => match value {
                    Some(v) => self.schema_check(name, v, &shown, c.pos, out),
                    None => out.push(Mismatch::new(
                        c.pos,
                        format!("json {shown}"),
                        format!("a value valid against {name}"),
                        "absent",
                    )),
                },
                _ => {
                    if let Some((expected, actual)) =
                        json_op(op, value, root.pointer(&pointer), vars)
                    {
                        out.push(Mismatch::new(
                            c.pos,
                            format!("json {shown}"),
                            expected,
                            actual,
                        ));
                    }
                }
            }
        }
    }
}

fn describe(v: Option<&Value>) -> String {
    match v {
        None => "absent".into(),
        Some(v) => format!("{} {}", crate::suite::JsonType::of(v), show(v)),
    }
}

fn render(v: &Value, vars: &mut Vars) -> Result<Value, (String, String)> {
    vars.render_json(v)
        .map_err(|e| ("a defined variable".to_owned(), e))
}

/// `None` when the assertion holds, else (expected, actual).
fn json_op(
    op: &Op,
    value: Option<&Value>,
    raw: Option<&Value>,
    vars: &mut Vars,
) -> Option<(String, String)> {
    let actual = || describe(value);
    match op {
        Op::Present(true) => value.is_none().then(|| {
            (
                "present".to_owned(),
                if raw.is_some() {
                    "null".to_owned()
                } else {
                    "absent".to_owned()
                },
            )
        }),
        Op::Present(false) | Op::Absent(true) => value.map(|_| ("absent".to_owned(), actual())),
        Op::Absent(false) => value
            .is_none()
            .then(|| ("present".to_owned(), "absent".to_owned())),
        Op::Equals(expected) => {
            let expected = match render(expected, vars) {
                Ok(e) => e,
                Err(m) => return Some(m),
            };
            let holds = match (&expected, value) {
                (Value::Null, None) => true,
                (e, Some(v)) => numbers_equal(e, v) || e == v,
                _ => false,
            };
            (!holds).then(|| (format!("equal to {}", show(&expected)), actual()))
        }
        Op::NotEquals(expected) => {
            let expected = match render(expected, vars) {
                Ok(e) => e,
                Err(m) => return Some(m),
            };
            (value == Some(&expected))
                .then(|| (format!("not equal to {}", show(&expected)), actual()))
        }
        Op::EqualsCi(expected) => {
            let expected = match vars.render(expected) {
                Ok(e) => e,
                Err(e) => return Some(("a defined variable".into(), e)),
            };
            let holds = value
                .and_then(Value::as_str)
                .is_some_and(|s| s.to_lowercase() == expected.to_lowercase());
            (!holds).then(|| (format!("equal to \"{expected}\" ignoring case"), actual()))
        }
        Op::Type(t) => {
            let holds = match value {
                Some(v) => t.holds(v),
                None => raw.is_some_and(|r| t.holds(r)),
            };
            (!holds).then(|| (format!("of type {}", t.as_str()), actual()))
        }
        Op::Matches(p) => {
            let re = match pattern(p, vars) {
                Ok(re) => re,
                Err(m) => return Some(m),
            };
            let holds = value
                .and_then(Value::as_str)
                .is_some_and(|s| re.is_match(s));
            (!holds).then(|| (format!("a string matching /{}/", re.as_str()), actual()))
        }
        Op::Contains(needle) | Op::NotContains(needle) => {
            let needle = match render(needle, vars) {
                Ok(n) => n,
                Err(m) => return Some(m),
            };
            let found = match value {
                // A list needle: every element must be found (each by some element of the array).
                Some(Value::Array(items)) => match &needle {
                    Value::Array(ns) => ns.iter().all(|n| items.iter().any(|i| subset_match(i, n))),
                    n => items.iter().any(|i| subset_match(i, n)),
                },
                Some(Value::String(s)) => needle.as_str().is_some_and(|n| s.contains(n)),
                _ => false,
            };
            let want = matches!(op, Op::Contains(_));
            (found != want).then(|| {
                (
                    format!(
                        "{} {}",
                        if want { "containing" } else { "not containing" },
                        show(&needle)
                    ),
                    actual(),
                )
            })
        }
        Op::Length(n) | Op::MinLength(n) | Op::MaxLength(n) => {
            let len = match value {
                Some(Value::Array(a)) => Some(a.len()),
                Some(Value::String(s)) => Some(s.chars().count()),
                Some(Value::Object(o)) => Some(o.len()),
                None => Some(0).filter(|_| matches!(op, Op::MaxLength(_))),
                _ => None,
            };
            let (holds, what) = match op {
                Op::Length(_) => (len == Some(*n), format!("length {n}")),
                Op::MinLength(_) => (len.is_some_and(|l| l >= *n), format!("length at least {n}")),
                _ => (len.is_some_and(|l| l <= *n), format!("length at most {n}")),
            };
            (!holds).then(|| {
                (
                    what,
                    match len {
                        Some(l) => format!("length {l}: {}", actual()),
                        None => actual(),
                    },
                )
            })
        }
        Op::OneOf(options) => {
            let mut rendered = Vec::new();
            for o in options {
                match render(o, vars) {
                    // `one_of: ["${declared.User.schemas}"]`: a list variable gives its items.
                    Ok(Value::Array(items)) => rendered.extend(items),
                    Ok(r) => rendered.push(r),
                    Err(m) => return Some(m),
                }
            }
            let holds =
                value.is_some_and(|v| rendered.iter().any(|o| o == v || numbers_equal(o, v)));
            (!holds).then(|| {
                (
                    format!("one of {}", show(&Value::Array(rendered))),
                    actual(),
                )
            })
        }
        Op::Gte(bound) | Op::Lte(bound) | Op::Gt(bound) | Op::Lt(bound) => {
            let n = match render(bound, vars) {
                Ok(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
                Ok(Value::String(s)) => match s.trim().parse::<f64>() {
                    Ok(n) => n,
                    Err(_) => return Some(("a numeric bound".into(), format!("`{s}`"))),
                },
                Ok(other) => return Some(("a numeric bound".into(), show(&other))),
                Err(m) => return Some(m),
            };
            let n = &n;
            let v = value.and_then(Value::as_f64);
            let (holds, sign) = match op {
                Op::Gte(_) => (v.is_some_and(|v| v >= *n), ">="),
                Op::Lte(_) => (v.is_some_and(|v| v <= *n), "<="),
                Op::Gt(_) => (v.is_some_and(|v| v > *n), ">"),
                _ => (v.is_some_and(|v| v < *n), "<"),
            };
            (!holds).then(|| (format!("a number {sign} {n}"), actual()))
        }
        Op::Each(_) | Op::Schema(_) => None,
    }
}

/// The regex of a `matches`, with variables interpolated (and escaped) when it has any.
fn pattern(p: &crate::suite::Pattern, vars: &mut Vars) -> Result<regex::Regex, (String, String)> {
    if let Some(re) = p.fixed() {
        return re.map_err(|e| (format!("a valid regex from /{}/", p.source), e.to_string()));
    }
    let source = vars
        .render_regex(&p.source)
        .map_err(|e| ("a defined variable".to_owned(), e))?;
    regex::Regex::new(&source)
        .map_err(|e| (format!("a valid regex from /{}/", p.source), e.to_string()))
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => a.is_number() && b.is_number() && x == y,
        _ => false,
    }
}

/// `needle` matches `item` when every key of an object needle matches recursively, every element
/// of an array needle matches some element, and scalars are equal.
pub fn subset_match(item: &Value, needle: &Value) -> bool {
    match (item, needle) {
        (Value::Object(i), Value::Object(n)) => n.iter().all(|(k, nv)| match i.get(k) {
            Some(iv) => subset_match(iv, nv),
            None => nv.is_null(),
        }),
        (Value::Array(i), Value::Array(n)) => {
            n.iter().all(|nv| i.iter().any(|iv| subset_match(iv, nv)))
        }
        (i, n) => i == n || numbers_equal(i, n),
    }
}

fn header_op(op: &Op, actual: Option<&str>, vars: &mut Vars) -> Option<(String, String)> {
    let shown = || match actual {
        Some(a) => format!("\"{}\"", preview(a)),
        None => "absent".to_owned(),
    };
    let text = |v: &Value, vars: &mut Vars| -> Result<String, String> {
        match v {
            Value::String(s) => vars.render(s),
            other => Ok(other.to_string()),
        }
    };
    match op {
        Op::Present(true) | Op::Absent(false) => actual
            .is_none()
            .then(|| ("present".into(), "absent".into())),
        Op::Present(false) | Op::Absent(true) => actual.map(|_| ("absent".into(), shown())),
        Op::Equals(v) => match text(v, vars) {
            Ok(e) => (actual != Some(e.as_str())).then(|| (format!("\"{e}\""), shown())),
            Err(e) => Some(("a defined variable".into(), e)),
        },
        Op::EqualsCi(e) => match vars.render(e) {
            Ok(e) => (!actual.is_some_and(|a| a.eq_ignore_ascii_case(&e)))
                .then(|| (format!("\"{e}\" ignoring case"), shown())),
            Err(e) => Some(("a defined variable".into(), e)),
        },
        Op::Matches(p) => match pattern(p, vars) {
            Ok(re) => (!actual.is_some_and(|a| re.is_match(a)))
                .then(|| (format!("matching /{}/", re.as_str()), shown())),
            Err(m) => Some(m),
        },
        Op::NotEquals(v) => match text(v, vars) {
            Ok(e) => (actual == Some(e.as_str())).then(|| (format!("not \"{e}\""), shown())),
            Err(e) => Some(("a defined variable".into(), e)),
        },
        Op::Contains(v) => match text(v, vars) {
            Ok(e) => (!actual.is_some_and(|a| a.contains(&e)))
                .then(|| (format!("containing \"{e}\""), shown())),
            Err(e) => Some(("a defined variable".into(), e)),
        },
        _ => None,
    }
}

//! `${name}` references in suite files: parsing, generators, and rendering against a case's
//! variables.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Filters after `|`: `upper`, `lower`, `add:N` (integers), `shift:SECONDS` and `tz:+HH:MM`
/// (RFC 3339 timestamps).
pub const FILTERS: &[&str] = &["upper", "lower", "add", "shift", "tz"];

/// The filter's name, without its argument (`shift:-60` → `shift`).
pub fn filter_name(filter: &str) -> &str {
    filter.split(':').next().unwrap_or(filter)
}

#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub filters: Vec<String>,
}

/// True for the names the runner provides itself rather than a capture.
pub fn is_generator(name: &str) -> bool {
    matches!(name, "run_id" | "base_url" | "base_path" | "now" | "index")
        || ["unique.", "email.", "uuid.", "digits.", "declared."]
            .iter()
            .any(|p| name.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
}

/// Every `${...}` reference in `text`, or a message for a malformed one.
pub fn references(text: &str) -> Vec<Result<Reference, String>> {
    let mut out = Vec::new();
    // Most strings of a suite hold no variable: one byte scan (memchr) settles them, where a
    // substring search sets up a searcher per string.
    if !text.as_bytes().contains(&b'$') {
        return out;
    }
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push(parse_reference(&after[..end]));
                rest = &after[end + 1..];
            }
            None => {
                out.push(Err(format!("unclosed `${{` in `{text}`")));
                break;
            }
        }
    }
    out
}

fn parse_reference(inner: &str) -> Result<Reference, String> {
    let mut parts = inner.split('|').map(str::trim);
    let name = parts.next().unwrap_or_default().to_owned();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid {
        return Err(format!("`${{{inner}}}` is not a valid variable reference"));
    }
    Ok(Reference {
        name,
        filters: parts.map(str::to_owned).collect(),
    })
}

/// How deep `$repeat`s may nest.
pub const MAX_REPEAT_DEPTH: usize = 2;
/// Values all the `$repeat`s of one body may make together (joined text counts its bytes
/// against [`MAX_REPEAT_BYTES`] instead).
pub const MAX_REPEAT_ITEMS: u64 = 100_000;
/// Bytes the joined `$repeat`s of one body may make together.
pub const MAX_REPEAT_BYTES: u64 = 64 * 1024 * 1024;

/// A value that renders the same every time: no `${…}` and no nested `$repeat` inside.
fn is_constant(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.contains("${"),
        Value::Array(a) => a.iter().all(is_constant),
        Value::Object(o) => !o.contains_key("$repeat") && o.values().all(is_constant),
        _ => true,
    }
}

/// Why a request path could not be made.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// The suite's own mistake (an undefined variable, a bad filter).
    Render(String),
    /// A value from the server that cannot be one path segment: the case fails on it.
    Unsafe(String),
}

/// The variables of one running case: captures plus lazily made generator values.
pub struct Vars {
    prefix: String,
    run_id: String,
    base_url: String,
    base_path: String,
    values: HashMap<String, Value>,
    /// `$repeat` output of the body being rendered: values made, and bytes joined.
    repeated: (u64, u64),
    repeat_depth: usize,
    /// What discovery declared (`declared.User.schemas`, `declared.User.endpoint`, …).
    declared: Arc<HashMap<String, Value>>,
}

impl Vars {
    /// `prefix` is `scimspec-<run id>-<case no>`: every name a case creates starts with it.
    pub fn new(run_id: &str, case_no: usize, base_url: &str, base_path: &str) -> Self {
        Vars {
            prefix: format!("scimspec-{run_id}-{case_no}"),
            run_id: run_id.to_owned(),
            base_url: base_url.to_owned(),
            base_path: base_path.to_owned(),
            values: HashMap::new(),
            repeated: (0, 0),
            repeat_depth: 0,
            declared: Arc::default(),
        }
    }

    /// The discovery values `${declared.NAME}` refers to.
    pub fn with_declared(mut self, declared: Arc<HashMap<String, Value>>) -> Self {
        self.declared = declared;
        self
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn set(&mut self, name: &str, value: Value) {
        self.values.insert(name.to_owned(), value);
    }

    /// Captured values and generated ones made so far: what snapshots replace by their names.
    pub fn known(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.values.iter()
    }

    fn lookup(&mut self, name: &str) -> Option<Value> {
        if let Some(v) = self.values.get(name) {
            return Some(v.clone());
        }
        if name.starts_with("declared.") {
            return self.declared.get(name).cloned();
        }
        let generated = match name {
            "run_id" => self.run_id.clone(),
            "base_url" => self.base_url.clone(),
            "base_path" => self.base_path.clone(),
            // The first use in a case fixes it, so every step of the case sees the same instant.
            "now" => jiff::Timestamp::now()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            _ => {
                if let Some(n) = name.strip_prefix("unique.") {
                    format!("{}-{n}", self.prefix)
                } else if let Some(n) = name.strip_prefix("email.") {
                    format!("{}-{n}@example.com", self.prefix).to_ascii_lowercase()
                } else if name.starts_with("uuid.") {
                    uuid::Uuid::new_v4().to_string()
                } else if name.starts_with("digits.") {
                    // A string of digits only (a value a weakly typed server may turn into a
                    // number), unique like a uuid; the leading 1 keeps all 18 digits.
                    format!(
                        "1{:017}",
                        uuid::Uuid::new_v4().as_u128() % 100_000_000_000_000_000
                    )
                } else {
                    return None;
                }
            }
        };
        let v = Value::String(generated);
        self.values.insert(name.to_owned(), v.clone());
        Some(v)
    }

    /// Interpolates a string. An undefined variable is an error (the loader checks this too).
    pub fn render(&mut self, text: &str) -> Result<String, String> {
        self.render_with(text, |v| v)
    }

    /// Interpolates a request path. A reference at the start of the path (a whole captured
    /// Location, `${base_url}/…`, an advertised endpoint) goes in as it is: the client refuses
    /// any URL outside the base URL's origin. Every other value is one path segment,
    /// percent-encoded (form-encoded after a `?`); a value that cannot be one segment (`/`, `..`,
    /// `#`, control characters) is never put into a request: [`PathError::Unsafe`].
    pub fn render_path(&mut self, text: &str) -> Result<String, PathError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| PathError::Render(format!("unclosed `${{` in `{text}`")))?;
            let inner = &after[..end];
            let value = match self.resolve(inner).map_err(PathError::Render)? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            if out.is_empty() {
                out.push_str(&value);
            } else if out.contains('?') {
                out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
            } else {
                let name = parse_reference(inner)
                    .map(|r| r.name)
                    .unwrap_or_else(|_| inner.to_owned());
                let seg = crate::text::segment(&value).map_err(|why| {
                    PathError::Unsafe(format!("the value of `${{{name}}}`, {why}"))
                })?;
                out.push_str(&seg);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Interpolates a regex: substituted values are escaped, so they match literally.
    pub fn render_regex(&mut self, text: &str) -> Result<String, String> {
        self.render_with(text, |v| regex::escape(&v))
    }

    fn render_with(
        &mut self,
        text: &str,
        escape: impl Fn(String) -> String,
    ) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in `{text}`"))?;
            let value = match self.resolve(&after[..end])? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            out.push_str(&escape(value));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn resolve(&mut self, inner: &str) -> Result<Value, String> {
        let r = parse_reference(inner)?;
        let mut value = self.lookup(&r.name).ok_or_else(|| {
            format!(
                "variable `${{{}}}` has no value (was its capture step skipped?)",
                r.name
            )
        })?;
        for f in &r.filters {
            value = apply_filter(f, value)?;
        }
        Ok(value)
    }

    /// Expands `{"$repeat": N, "each": V}` into an array of N renderings of V, where `${index}`
    /// counts from 1 — for requests sized from a server's advertised limits.
    fn repeat(&mut self, map: &serde_json::Map<String, Value>) -> Result<Option<Value>, String> {
        let (Some(n), Some(each)) = (map.get("$repeat"), map.get("each")) else {
            return Ok(None);
        };
        let join = match map.get("join") {
            None => None,
            Some(Value::String(j)) => Some(j.clone()),
            Some(_) => return Err("`join` takes a string".into()),
        };
        if map
            .keys()
            .any(|k| !matches!(k.as_str(), "$repeat" | "each" | "join"))
        {
            return Err("`$repeat` takes the keys `$repeat`, `each` and `join`".into());
        }
        let n = match self.render_value(n)? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        }
        .ok_or("`$repeat` needs a whole number")?;
        // Joined text may be large (to pass a payload limit) and is bounded by its bytes; a list
        // of values stays small. Both budgets span every `$repeat` of the body, nested ones too.
        if self.repeat_depth >= MAX_REPEAT_DEPTH {
            return Err(format!(
                "`$repeat` nested more than {MAX_REPEAT_DEPTH} deep"
            ));
        }
        if join.is_none() && self.repeated.0.saturating_add(n) > MAX_REPEAT_ITEMS {
            return Err(format!(
                "`$repeat: {n}` would make more than the {MAX_REPEAT_ITEMS} values a request may hold"
            ));
        }
        if join.is_some() && n > MAX_REPEAT_BYTES {
            return Err(format!(
                "`$repeat: {n}` is more than the {MAX_REPEAT_BYTES} a joined text may repeat"
            ));
        }
        if join.is_none() {
            self.repeated.0 += n;
        }
        let saved = self.values.get("index").cloned();
        self.repeat_depth += 1;
        let made = self.repeat_items(n, each, join.as_deref());
        self.repeat_depth -= 1;
        match saved {
            Some(v) => self.values.insert("index".into(), v),
            None => self.values.remove("index"),
        };
        made.map(Some)
    }

    fn repeat_items(&mut self, n: u64, each: &Value, join: Option<&str>) -> Result<Value, String> {
        let Some(sep) = join else {
            let mut items = Vec::with_capacity(n.min(1024) as usize);
            for i in 1..=n {
                self.values.insert("index".into(), Value::from(i));
                items.push(self.render_value(each)?);
            }
            return Ok(Value::Array(items));
        };
        if is_constant(each) {
            // The same text every time (a padding character): render it once and repeat it,
            // instead of a million renderings of one character.
            let item = match self.render_value(each)? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let bytes = n.saturating_mul((item.len() + sep.len()) as u64);
            self.repeated.1 = self.repeated.1.saturating_add(bytes);
            if self.repeated.1 > MAX_REPEAT_BYTES {
                return Err(format!(
                    "`$repeat` would join more than {MAX_REPEAT_BYTES} bytes in one request"
                ));
            }
            if n == 0 {
                return Ok(Value::String(String::new()));
            }
            let text = if sep.is_empty() {
                item.repeat(n as usize)
            } else {
                let mut text = String::with_capacity(bytes as usize);
                text.push_str(&item);
                for _ in 1..n {
                    text.push_str(sep);
                    text.push_str(&item);
                }
                text
            };
            return Ok(Value::String(text));
        }
        let mut text = String::new();
        for i in 1..=n {
            self.values.insert("index".into(), Value::from(i));
            let item = match self.render_value(each)? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            if i > 1 {
                text.push_str(sep);
            }
            text.push_str(&item);
            self.repeated.1 += (item.len() + sep.len()) as u64;
            if self.repeated.1 > MAX_REPEAT_BYTES {
                return Err(format!(
                    "`$repeat` would join more than {MAX_REPEAT_BYTES} bytes in one request"
                ));
            }
        }
        Ok(Value::String(text))
    }

    /// Interpolates every string in a JSON value; a string that is exactly one reference to a
    /// non-string value becomes that value (so `"${count}"` can stand for the number).
    pub fn render_json(&mut self, v: &Value) -> Result<Value, String> {
        if self.repeat_depth == 0 {
            self.repeated = (0, 0);
        }
        self.render_value(v)
    }

    fn render_value(&mut self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => {
                let trimmed = s.trim();
                let whole = trimmed.starts_with("${")
                    && trimmed.ends_with('}')
                    && trimmed.matches("${").count() == 1;
                if whole {
                    self.resolve(&trimmed[2..trimmed.len() - 1])?
                } else {
                    Value::String(self.render(s)?)
                }
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.render_value(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) if map.contains_key("$repeat") => match self.repeat(map)? {
                Some(v) => v,
                None => return Err("`$repeat` needs `each`: the value to repeat".into()),
            },
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, item) in map {
                    out.insert(self.render(k)?, self.render_value(item)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

fn apply_filter(filter: &str, value: Value) -> Result<Value, String> {
    let (name, arg) = match filter.split_once(':') {
        Some((n, a)) => (n, Some(a.trim())),
        None => (filter, None),
    };
    let text = || match &value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(match (name, arg) {
        ("upper", None) => Value::String(text().to_uppercase()),
        ("lower", None) => Value::String(text().to_lowercase()),
        ("add", Some(a)) => {
            let n: i64 = a
                .parse()
                .map_err(|_| format!("`|add:{a}` needs a whole number"))?;
            let v: i64 = text()
                .trim()
                .parse()
                .map_err(|_| format!("`|add` needs a whole number, got `{}`", text()))?;
            Value::from(v.saturating_add(n))
        }
        ("shift", Some(a)) => {
            let secs: i64 = a
                .parse()
                .map_err(|_| format!("`|shift:{a}` needs whole seconds"))?;
            let ts: jiff::Timestamp = text().parse().map_err(|e| {
                format!(
                    "`|shift` needs an RFC 3339 timestamp, got `{}`: {e}",
                    text()
                )
            })?;
            let shifted = ts
                .checked_add(jiff::SignedDuration::from_secs(secs))
                .map_err(|e| e.to_string())?;
            Value::String(shifted.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_string())
        }
        ("tz", Some(a)) => {
            let ts: jiff::Timestamp = text()
                .parse()
                .map_err(|e| format!("`|tz` needs an RFC 3339 timestamp, got `{}`: {e}", text()))?;
            let offset = parse_offset(a)
                .ok_or_else(|| format!("`|tz:{a}` needs an offset such as +02:00"))?;
            let zoned = ts.to_zoned_datetime(jiff::tz::TimeZone::fixed(offset));
            Value::String(zoned.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_string())
        }
        (other, _) => return Err(format!("unknown or malformed filter `|{other}`")),
    })
}

/// `+02:00`, `-05:30`, `Z`.
fn parse_offset(s: &str) -> Option<jiff::tz::Offset> {
    if s.eq_ignore_ascii_case("z") {
        return jiff::tz::Offset::from_seconds(0).ok();
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':').unwrap_or((&s[1..], "0"));
    let secs = sign * (h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60);
    jiff::tz::Offset::from_seconds(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_values_are_one_segment() {
        let mut v = Vars::new("ab12", 7, "http://h/scim", "/scim");
        v.set("id", json!("a b%c"));
        v.set("n", json!(1001));
        v.set("loc", json!("http://h/scim/Users/x"));
        assert_eq!(
            v.render_path("/Users/${id}").as_deref(),
            Ok("/Users/a%20b%25c")
        );
        assert_eq!(v.render_path("/Users/${n}").as_deref(), Ok("/Users/1001"));
        assert_eq!(
            v.render_path("${loc}").as_deref(),
            Ok("http://h/scim/Users/x")
        );
        for bad in ["../Groups/victim1", "victim4#frag", "..", "a\u{1b}b"] {
            v.set("id", json!(bad));
            assert!(
                matches!(v.render_path("/Users/${id}"), Err(PathError::Unsafe(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            v.render_path("/Users/${nope}"),
            Err(PathError::Render(_))
        ));
    }

    #[test]
    fn generators_are_stable_within_a_case() {
        let mut v = Vars::new("ab12", 7, "http://h/scim", "/scim");
        let a = v.render("${email.Jane}").expect("renders");
        assert_eq!(a, "scimspec-ab12-7-jane@example.com");
        assert_eq!(
            v.render("${email.Jane|upper}").expect("renders"),
            a.to_uppercase()
        );
        let u1 = v.render("${uuid.x}").expect("renders");
        assert_eq!(v.render("${uuid.x}").expect("renders"), u1);
    }

    #[test]
    fn whole_reference_keeps_json_type() {
        let mut v = Vars::new("r", 1, "", "");
        v.set("n", json!(3));
        assert_eq!(
            v.render_json(&json!({"a": "${n}", "b": "x${n}"}))
                .expect("renders"),
            json!({"a": 3, "b": "x3"})
        );
    }

    #[test]
    fn time_and_number_filters() {
        let mut v = Vars::new("r", 1, "", "");
        v.set("t", json!("2026-11-25T09:30:00Z"));
        v.set("n", json!(1000));
        assert_eq!(
            v.render("${t|shift:-3600|tz:+02:00}").expect("renders"),
            "2026-11-25T10:30:00+02:00"
        );
        assert_eq!(
            v.render_json(&json!("${n|add:1}")).expect("renders"),
            json!(1001)
        );
        let now = v.render("${now}").expect("renders");
        assert_eq!(
            v.render("${now}").expect("renders"),
            now,
            "stable within a case"
        );
    }

    #[test]
    fn repeat_expands_with_index() {
        let mut v = Vars::new("r", 1, "", "");
        v.set("n", json!(2));
        let out = v
            .render_json(&json!({"ops": {"$repeat": "${n|add:1}", "each": {"id": "x${index}"}}}))
            .expect("renders");
        assert_eq!(
            out,
            json!({"ops": [{"id": "x1"}, {"id": "x2"}, {"id": "x3"}]})
        );
    }

    #[test]
    fn constant_join_is_repeated_whole() {
        let mut v = Vars::new("r", 1, "", "");
        v.set("max", json!(1_048_576));
        let out = v
            .render_json(&json!({"pad": {"$repeat": "${max|add:1}", "each": "x", "join": ""}}))
            .expect("renders");
        let pad = out["pad"].as_str().expect("a string");
        assert_eq!(pad.len(), 1_048_577);
        assert!(pad.bytes().all(|b| b == b'x'));
        let out = v
            .render_json(&json!({"pad": {"$repeat": 3, "each": "ab", "join": ","}}))
            .expect("renders");
        assert_eq!(out["pad"], json!("ab,ab,ab"));
        let out = v
            .render_json(&json!({"pad": {"$repeat": 3, "each": "${index}", "join": ","}}))
            .expect("renders");
        assert_eq!(out["pad"], json!("1,2,3"));
        // The byte budget holds before anything is made.
        let too_big = json!({"pad": {"$repeat": 1_000_000, "each": "x".repeat(100), "join": ""}});
        assert!(v.render_json(&too_big).is_err());
    }

    #[test]
    fn undefined_is_an_error() {
        let mut v = Vars::new("r", 1, "", "");
        assert!(v.render("${nope}").is_err());
    }
}

//! `${name}` references in suite files: parsing, generators, and rendering against a case's
//! variables.

use serde_json::Value;
use std::collections::HashMap;

pub const FILTERS: &[&str] = &["upper", "lower"];

#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub filters: Vec<String>,
}

/// True for the names the runner provides itself rather than a capture.
pub fn is_generator(name: &str) -> bool {
    matches!(name, "run_id" | "base_url" | "base_path")
        || ["unique.", "email.", "uuid."]
            .iter()
            .any(|p| name.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
}

/// Every `${...}` reference in `text`, or a message for a malformed one.
pub fn references(text: &str) -> Vec<Result<Reference, String>> {
    let mut out = Vec::new();
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

/// The variables of one running case: captures plus lazily made generator values.
pub struct Vars {
    prefix: String,
    run_id: String,
    base_url: String,
    base_path: String,
    values: HashMap<String, Value>,
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
        }
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
        let generated = match name {
            "run_id" => self.run_id.clone(),
            "base_url" => self.base_url.clone(),
            "base_path" => self.base_path.clone(),
            _ => {
                if let Some(n) = name.strip_prefix("unique.") {
                    format!("{}-{n}", self.prefix)
                } else if let Some(n) = name.strip_prefix("email.") {
                    format!("{}-{n}@example.com", self.prefix).to_ascii_lowercase()
                } else if name.starts_with("uuid.") {
                    uuid::Uuid::new_v4().to_string()
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
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in `{text}`"))?;
            let value = self.resolve(&after[..end])?;
            match value {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Interpolates a regex: substituted values are escaped, so they match literally.
    pub fn render_regex(&mut self, text: &str) -> Result<String, String> {
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
            out.push_str(&regex::escape(&value));
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
            if let Value::String(s) = &value {
                value = Value::String(match f.as_str() {
                    "upper" => s.to_uppercase(),
                    "lower" => s.to_lowercase(),
                    other => return Err(format!("unknown filter `|{other}`")),
                });
            }
        }
        Ok(value)
    }

    /// Interpolates every string in a JSON value; a string that is exactly one reference to a
    /// non-string value becomes that value (so `"${count}"` can stand for the number).
    pub fn render_json(&mut self, v: &Value) -> Result<Value, String> {
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
                    .map(|i| self.render_json(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, item) in map {
                    out.insert(self.render(k)?, self.render_json(item)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn undefined_is_an_error() {
        let mut v = Vars::new("r", 1, "", "");
        assert!(v.render("${nope}").is_err());
    }
}

//! The `expect` part of a step: status, header and JSON assertions, schema names and labelled
//! alternatives.

use super::super::model::*;
use super::{Decoder, Obj, child};
use serde_json::Value;
use std::collections::BTreeSet;

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

impl Decoder<'_> {
    pub(super) fn expect(&mut self, v: &Value, at: &str, defined: &BTreeSet<String>) -> Expect {
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
                "matches" => match val.as_str().map(|re| {
                    if self.checked {
                        Ok(Pattern::checked_later(re))
                    } else {
                        Pattern::new(re)
                    }
                }) {
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

//! JSON Schema validation against the built-in `schemas/` tree (draft 2020-12, formats checked).

use crate::assets;
use jsonschema::Validator;
use referencing::Registry;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Where the schema files live in URI space; `.invalid` never resolves, so nothing is fetched.
pub const BASE_URI: &str = "https://scimspec.invalid/schemas/";

pub struct SchemaSet {
    /// Prepared on the first validation: a run that validates nothing (`scimspec list`, a
    /// run of built-in suites before its first answer) does not pay for it.
    registry: OnceLock<Registry<'static>>,
    /// The schema names (`core/User`), sorted: known without parsing the files.
    names: Vec<String>,
    /// The parsed files, on first validation too.
    sources: OnceLock<HashMap<String, Value>>,
    compiled: Mutex<HashMap<String, Arc<Validator>>>,
}

/// One validation problem, located in the instance.
#[derive(Debug, Clone)]
pub struct SchemaViolation {
    pub instance_path: String,
    pub message: String,
}

impl SchemaSet {
    /// The process-wide set of built-in schemas: their names now, the files parsed once, on
    /// first validation.
    pub fn builtin() -> &'static SchemaSet {
        static SET: OnceLock<SchemaSet> = OnceLock::new();
        SET.get_or_init(|| {
            let mut names: Vec<String> = assets::files(&assets::SCHEMAS, &[".schema.json"])
                .into_iter()
                .map(|(path, _)| path.trim_end_matches(".schema.json").to_owned())
                .collect();
            names.sort();
            SchemaSet {
                registry: OnceLock::new(),
                names,
                sources: OnceLock::new(),
                compiled: Mutex::new(HashMap::new()),
            }
        })
    }

    fn sources(&self) -> &HashMap<String, Value> {
        self.sources.get_or_init(|| {
            let mut sources = HashMap::new();
            for (path, text) in assets::files(&assets::SCHEMAS, &[".schema.json"]) {
                // A built-in schema that does not parse is caught by the project's tests.
                if let Ok(v) = serde_json::from_str::<Value>(text) {
                    let name = path.trim_end_matches(".schema.json").to_owned();
                    sources.insert(name, v);
                }
            }
            sources
        })
    }

    fn registry(&self) -> &Registry<'static> {
        self.registry.get_or_init(|| {
            let resources: Vec<(String, Value)> = self
                .sources()
                .iter()
                .map(|(name, v)| (format!("{BASE_URI}{name}.schema.json"), v.clone()))
                .collect();
            Registry::new()
                .retrieve_known_draft_meta_schemas(false)
                .extend(resources)
                .and_then(|b| b.prepare())
                .unwrap_or_else(|_| {
                    Registry::new()
                        .prepare()
                        .expect("an empty schema registry always prepares")
                })
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }

    pub fn names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    /// The compiled validator for a schema name such as `core/User`.
    pub fn validator(&self, name: &str) -> Result<Arc<Validator>, String> {
        let mut compiled = self
            .compiled
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(v) = compiled.get(name) {
            return Ok(v.clone());
        }
        let source = self
            .sources()
            .get(name)
            .ok_or_else(|| format!("no schema named `{name}` (schemas/{name}.schema.json)"))?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(self.registry())
            .with_base_uri(format!("{BASE_URI}{name}.schema.json"))
            .build(source)
            .map_err(|e| format!("schema `{name}` does not compile: {e}"))?;
        let validator = Arc::new(validator);
        compiled.insert(name.to_owned(), validator.clone());
        Ok(validator)
    }

    /// Every violation of `name` by `instance`, at most `limit` of them.
    pub fn violations(
        &self,
        name: &str,
        instance: &Value,
        limit: usize,
    ) -> Result<Vec<SchemaViolation>, String> {
        let validator = self.validator(name)?;
        // RFC 7643 §2.5: an attribute whose value is null is unassigned, so it is judged as if
        // it were absent (a server may render an optional `documentationUri` as null).
        let instance = &without_nulls(instance);
        Ok(validator
            .iter_errors(instance)
            .take(limit)
            .map(|e| SchemaViolation {
                instance_path: e.instance_path().to_string(),
                message: e.masked().to_string(),
            })
            .collect())
    }
}

/// The value with every object member whose value is null left out, at any depth.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

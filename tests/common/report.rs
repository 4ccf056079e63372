//! Reading what a run wrote: the `--json` report and the JUnit file.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A `--json` report.
pub struct Report(pub Value);

impl Report {
    /// Reads a `--json` report and validates it against `schemas/report.schema.json`.
    pub fn read(path: &Path) -> Report {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("no report at {}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        validate_report_schema(&doc, path);
        Report(doc)
    }

    pub fn cases(&self) -> &[Value] {
        self.0["cases"]
            .as_array()
            .map(Vec::as_slice)
            .expect("the report has a `cases` array")
    }

    /// The case with this id (the first, if several suites share it).
    pub fn case(&self, id: &str) -> &Value {
        self.cases()
            .iter()
            .find(|c| c["case"] == id)
            .unwrap_or_else(|| panic!("no case `{id}` in the report"))
    }

    /// `suite::case` → verdict, for every case.
    pub fn verdicts(&self) -> BTreeMap<String, String> {
        self.cases()
            .iter()
            .map(|c| (Self::name(c), str_of(c, "verdict")))
            .collect()
    }

    /// A case's `suite::case` name.
    pub fn name(case: &Value) -> String {
        format!("{}::{}", str_of(case, "suite"), str_of(case, "case"))
    }
}

/// Panics unless `doc` validates against the published JSON report schema (formats checked).
pub fn validate_report_schema(doc: &Value, path: &Path) {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json");
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(&file).expect("schemas/report.schema.json is readable"),
        )
        .expect("schemas/report.schema.json is JSON");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .expect("schemas/report.schema.json compiles")
    });
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{} ({}): {e}", e.instance_path(), e.evaluation_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{} does not validate against schemas/report.schema.json:\n{}",
        path.display(),
        errors.join("\n")
    );
}

/// A string field of a report object, empty when absent.
pub fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_owned()
}

/// The `<testcase>` elements of a parsed JUnit document.
pub fn junit_testcases<'a, 'i>(doc: &'a roxmltree::Document<'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect()
}

/// Validates against the JUnit XSD that GitLab, GitHub reporters and Jenkins follow, when the
/// validator is installed (tests/run installs it and sets SCIMSPEC_REQUIRE_XSD so it cannot be
/// skipped).
pub fn validate_junit_xsd(path: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let xsd = root.join("tests/junit/junit.xsd");
    let script = root.join("tests/junit/validate.py");
    let python = std::env::var("SCIMSPEC_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(&xsd)
        .arg(path)
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o)
            if o.status.code() == Some(3) && std::env::var_os("SCIMSPEC_REQUIRE_XSD").is_none() =>
        {
            eprintln!("xmlschema is not installed: XSD validation skipped (CI runs it)");
        }
        Ok(o) => panic!(
            "JUnit does not validate against the XSD:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("cannot run {python}: {e}"),
    }
}

//! The real binary against a real HTTP server on 127.0.0.1 (the test mock): verdicts, variables,
//! schema failures, capability skips, exit codes, JUnit, and secrets.

mod common;

use common::*;
use std::time::{Duration, Instant};

fn run_fixture(
    base: &str,
    extra: &[&str],
    tag: &str,
) -> (std::process::Output, std::path::PathBuf) {
    let dir = tempdir(tag);
    let mut cmd = bin();
    cmd.args([
        "run",
        "--base-url",
        base,
        "--token",
        TOKEN,
        "--profile",
        "fixture",
        "--suites",
    ])
    .arg(fixtures("basic"))
    .arg("--json")
    .arg(dir.join("report.json"))
    .arg("--junit")
    .arg(dir.join("junit.xml"))
    .args(extra);
    (cmd.output().expect("runs"), dir)
}

#[test]
fn verdicts_follow_the_server_answers() {
    let base = start_mock();
    let (out, dir) = run_fixture(&base, &[], "verdicts");
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a FAIL makes exit 1\n{stdout}\n{stderr}"
    );
    let v = verdicts(&dir.join("report.json"));
    let expected = [
        ("fixture.runner::create-then-read", "PASS"),
        ("fixture.runner::missing-header-fails", "FAIL"),
        ("fixture.runner::schema-violation-fails", "FAIL"),
        ("fixture.runner::should-broken-is-non-strict", "NON-STRICT"),
        ("fixture.runner::info-records-choice", "INFORMATIONAL"),
        ("fixture.runner::bulk-needs-capability", "UNIMPLEMENTED"),
        ("fixture.runner::auth-none-is-refused", "PASS"),
    ];
    let expected: std::collections::BTreeMap<String, String> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(v, expected, "{stdout}");
    // Explanations a person can act on: file and line, requirement, expected beside actual.
    assert!(stdout.contains("header ETag"), "{stdout}");
    assert!(stdout.contains("expected: present"), "{stdout}");
    assert!(stdout.contains("--> "), "{stdout}");
    assert!(
        stdout.contains("rfc7644.3.3.create-returns-201"),
        "{stdout}"
    );
    assert!(stdout.contains("schema core/User"), "{stdout}");
    assert!(
        stdout.contains("/password"),
        "the schema failure names the offending attribute\n{stdout}"
    );
    assert!(
        stdout.contains("server chose: answers 204 No Content"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bulk.supported is false"),
        "the skip reason is shown\n{stdout}"
    );
    assert!(
        stdout.contains("Cleanup: 4 created, 4 deleted, 0 left"),
        "{stdout}"
    );
}

#[test]
fn strict_turns_non_strict_into_failure_and_passing_run_exits_zero() {
    let base = start_mock();
    let (out, _) = run_fixture(&base, &["should-broken"], "nonstrict");
    assert_eq!(
        out.status.code(),
        Some(0),
        "NON-STRICT alone passes: {:?}",
        text(&out)
    );
    let (out, _) = run_fixture(&base, &["should-broken", "--strict"], "strict");
    assert_eq!(
        out.status.code(),
        Some(1),
        "--strict fails on NON-STRICT: {:?}",
        text(&out)
    );
    let (out, _) = run_fixture(&base, &["create-then-read"], "pass");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

#[test]
fn junit_is_well_formed_and_carries_what_ci_reads() {
    let base = start_mock();
    let (_, dir) = run_fixture(&base, &[], "junit");
    let xml = std::fs::read_to_string(dir.join("junit.xml")).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 7);
    for c in &cases {
        assert_eq!(c.attribute("classname"), Some("fixture.runner"));
        assert!(
            c.attribute("file")
                .is_some_and(|f| f.ends_with("runner.yaml"))
        );
        assert!(
            c.attribute("line")
                .and_then(|l| l.parse::<u32>().ok())
                .is_some_and(|l| l > 0)
        );
    }
    let failing = cases
        .iter()
        .find(|c| c.attribute("name") == Some("missing-header-fails"))
        .expect("case present");
    let failure = failing
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("<failure>");
    assert!(
        failure
            .attribute("message")
            .is_some_and(|m| !m.contains('\n') && m.contains("ETag"))
    );
    assert!(
        failure
            .text()
            .is_some_and(|t| t.contains("expected: present"))
    );
    assert!(failing.children().any(|n| n.has_tag_name("system-out") && n.text().is_some_and(|t| t.contains("> POST"))));
    let skipped = cases
        .iter()
        .find(|c| c.attribute("name") == Some("bulk-needs-capability"))
        .expect("case present");
    assert!(
        skipped.children().any(|n| n.has_tag_name("skipped")
            && n.attribute("message").is_some_and(|m| m.contains("bulk")))
    );
    let props: Vec<_> = failing
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .collect();
    assert!(
        props
            .iter()
            .any(|p| p.attribute("name") == Some("requirements"))
    );
    validate_junit_xsd(&dir.join("junit.xml"));
}

/// Validates against the JUnit XSD that GitLab, GitHub reporters and Jenkins follow, when the
/// validator is installed (.ci/run installs it; CI sets SCIMSPEC_REQUIRE_XSD so it cannot be skipped).
fn validate_junit_xsd(path: &std::path::Path) {
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit/junit.xsd");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit/validate.py");
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

#[test]
fn unreachable_url_is_one_line_and_exit_2() {
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let started = Instant::now();
    let out = bin()
        .args([
            "run",
            "--base-url",
            &format!("http://127.0.0.1:{port}/scim"),
            "--token",
            TOKEN,
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert!(stdout.is_empty(), "no cases were run: {stdout}");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn rejected_token_is_one_line_and_exit_2() {
    let base = start_mock();
    let out = bin()
        .args(["run", "--base-url", &base, "--token", "wrong-token-value"])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("rejected the credentials"), "{stderr}");
    assert!(!stderr.contains("wrong-token-value"), "{stderr}");
}

#[test]
fn broken_suite_file_names_file_line_column_and_sends_nothing() {
    let base = start_mock();
    let out = bin()
        .args(["run", "--base-url", &base, "--token", TOKEN, "--suites"])
        .arg(fixtures("broken"))
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("broken.yaml:12:"),
        "file and line: {stderr}"
    );
    assert!(stderr.contains("unknown key `staus`"), "{stderr}");
    assert!(stderr.contains("did you mean `status`?"), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    let lint = bin()
        .arg("lint")
        .arg(fixtures("broken"))
        .output()
        .expect("runs");
    assert_eq!(lint.status.code(), Some(1));
    let lint_ok = bin().arg("lint").output().expect("runs");
    assert_eq!(
        lint_ok.status.code(),
        Some(0),
        "the built-in suites lint clean: {:?}",
        text(&lint_ok)
    );
}

#[test]
fn the_token_appears_in_no_output() {
    let base = start_mock();
    let (out, dir) = run_fixture(&base, &["--verbose"], "token");
    let (stdout, stderr) = text(&out);
    for (name, content) in [
        ("stdout", stdout),
        ("stderr", stderr),
        (
            "junit",
            std::fs::read_to_string(dir.join("junit.xml")).expect("junit"),
        ),
        (
            "json",
            std::fs::read_to_string(dir.join("report.json")).expect("json"),
        ),
    ] {
        assert!(!content.contains(TOKEN), "the token leaked into {name}");
        assert!(
            !content.contains("Zq8v1W9k"),
            "part of the token leaked into {name}"
        );
    }
}

#[test]
fn hostile_answers_fail_with_readable_reasons() {
    let base = start_mock();
    let dir = tempdir("hostile");
    let started = Instant::now();
    let out = bin()
        .args([
            "run",
            "--base-url",
            &base,
            "--token",
            TOKEN,
            "--profile",
            "hostile",
            "--timeout",
            "2",
            "--suites",
        ])
        .arg(fixtures("hostile"))
        .arg("--json")
        .arg(dir.join("r.json"))
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "bounded by the timeout"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).expect("report"))
            .expect("json");
    let by_case = |id: &str| {
        doc["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .find(|c| c["case"] == id)
            .cloned()
            .expect("case")
    };
    let expect = [
        ("html", "FAIL", "not JSON (text/html)"),
        ("garbage", "FAIL", "not JSON"),
        ("empty", "FAIL", "an empty body"),
        ("wrong-type", "FAIL", "text/plain"),
        ("not-scim", "FAIL", "schema core/User"),
        ("redirect", "FAIL", "302"),
        ("slow", "ERROR", "timeout"),
        ("huge", "FAIL", "size cap"),
        ("reset", "ERROR", "connection"),
    ];
    for (id, verdict, reason) in expect {
        let c = by_case(id);
        assert_eq!(c["verdict"], verdict, "{id}: {c}");
        assert!(
            c["message"].as_str().unwrap_or("").contains(reason),
            "{id}: message `{}` lacks `{reason}`",
            c["message"]
        );
    }
}

#[test]
fn rate_limit_spaces_requests() {
    let base = start_mock();
    let dir = tempdir("rate");
    let started = Instant::now();
    let out = bin()
        .args([
            "run",
            "--base-url",
            &base,
            "--token",
            TOKEN,
            "--profile",
            "fixture",
            "--rate",
            "4",
            "--suites",
        ])
        .arg(fixtures("basic"))
        .arg("--json")
        .arg(dir.join("r.json"))
        .arg("create-then-read")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // Preflight (4 requests), the case (2) and cleanup (1): 7 requests at 4 per second take at
    // least 6 gaps of 250 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "--rate 4 spaced 7 requests over {:?}",
        started.elapsed()
    );
}

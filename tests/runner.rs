//! The real binary against a real HTTP server on 127.0.0.1 (the test mock): verdicts, variables,
//! schema failures, capability skips, exit codes, JUnit, and secrets.

mod common;

use common::*;
use std::time::{Duration, Instant};

/// The fixture suite against the mock, with a JSON report and JUnit.
fn run_fixture(base: &str, extra: &[&str]) -> Ran {
    Run::against(base)
        .profile("fixture")
        .suites("basic")
        .json()
        .junit()
        .args(extra)
        .run()
}

#[test]
fn verdicts_follow_the_server_answers() {
    let mock = start_mock();
    let ran = run_fixture(&mock.url, &[]);
    let stdout = &ran.stdout;
    assert_eq!(ran.code, Some(1), "a FAIL makes exit 1\n{}", ran.output());
    let v = ran.report().verdicts();
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
    let mock = start_mock();
    let ran = run_fixture(&mock.url, &["should-broken"]);
    assert_eq!(
        ran.code,
        Some(0),
        "NON-STRICT alone passes: {}",
        ran.output()
    );
    let ran = run_fixture(&mock.url, &["should-broken", "--strict"]);
    assert_eq!(
        ran.code,
        Some(1),
        "--strict fails on NON-STRICT: {}",
        ran.output()
    );
    let ran = run_fixture(&mock.url, &["create-then-read"]);
    assert_eq!(ran.code, Some(0), "{}", ran.output());
}

#[test]
fn junit_is_well_formed_and_carries_what_ci_reads() {
    let mock = start_mock();
    let ran = run_fixture(&mock.url, &[]);
    let xml = ran.junit();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");
    let cases = junit_testcases(&doc);
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
    validate_junit_xsd(&ran.file("junit.xml"));
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
    let ran = Run::against(&format!("http://127.0.0.1:{port}/scim")).run();
    let (stdout, stderr) = (&ran.stdout, &ran.stderr);
    assert_eq!(ran.code, Some(2), "{}", ran.output());
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
    assert!(stdout.is_empty(), "no cases were run: {stdout}");
    assert!(started.elapsed() < Duration::from_secs(15));
    insta::assert_snapshot!(normalise(stderr));
}

#[test]
fn rejected_token_is_one_line_and_exit_2() {
    let mock = start_mock();
    let ran = Run::new([
        "run",
        "--base-url",
        &mock.url,
        "--token",
        "wrong-token-value",
    ])
    .run();
    let stderr = &ran.stderr;
    assert_eq!(ran.code, Some(2), "{}", ran.output());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("rejected the credentials"), "{stderr}");
    assert!(!stderr.contains("wrong-token-value"), "{stderr}");
    insta::assert_snapshot!(normalise(stderr));
}

#[test]
fn broken_suite_file_names_file_line_column_and_sends_nothing() {
    let mock = start_mock();
    let ran = Run::against(&mock.url).suites("broken").run();
    let stderr = &ran.stderr;
    assert_eq!(ran.code, Some(2), "{}", ran.output());
    assert!(
        stderr.contains("broken.yaml:12:"),
        "file and line: {stderr}"
    );
    assert!(stderr.contains("unknown key `staus`"), "{stderr}");
    assert!(stderr.contains("did you mean `status`?"), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    insta::assert_snapshot!(normalise(stderr));
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
    let mock = start_mock();
    let ran = run_fixture(&mock.url, &["--verbose"]);
    for (name, content) in [
        ("stdout", ran.stdout.clone()),
        ("stderr", ran.stderr.clone()),
        ("junit", ran.junit()),
        ("json", ran.read("report.json")),
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
    let mock = start_mock();
    let started = Instant::now();
    let ran = Run::against(&mock.url)
        .profile("hostile")
        .args(["--timeout", "2"])
        .suites("hostile")
        .json()
        .run();
    assert_eq!(ran.code, Some(1), "{}", ran.output());
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "bounded by the timeout"
    );
    let report = ran.report();
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
        let c = report.case(id);
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
    let mock = start_mock();
    let started = Instant::now();
    let ran = Run::against(&mock.url)
        .profile("fixture")
        .args(["--rate", "4"])
        .suites("basic")
        .json()
        .arg("create-then-read")
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    // Preflight (4 requests), the case (2) and cleanup (1): 7 requests at 4 per second take at
    // least 6 gaps of 250 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "--rate 4 spaced 7 requests over {:?}",
        started.elapsed()
    );
}

/// `--retries N`: a 429 with `Retry-After: 1` is sent again after a second, the retry is in the
/// transcript and counted in the JSON report; `--retries 0` judges the 429 itself; out of range
/// is a usage error.
#[test]
fn retries_follow_retry_after_and_are_counted() {
    let mock = start_mock();
    let started = Instant::now();
    let ran = Run::against(&mock.url)
        .profile("fixture-retries")
        .suites("retries")
        .args(["--retries", "1", "--verbose"])
        .json()
        .run();
    let stdout = &ran.stdout;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the Retry-After was honoured"
    );
    assert!(
        stdout.contains("! answered 429 (Retry-After: 1), retried after 1.0s"),
        "the retry is in the transcript:\n{stdout}"
    );
    let report = ran.report();
    let case = report.case("busy-then-judged");
    assert_eq!(case["retries"], 1, "{case}");
    assert_eq!(
        case["verdict"], "FAIL",
        "the 200 after the retry is judged: {case}"
    );
    assert!(
        case["message"].as_str().unwrap_or("").contains("200"),
        "{case}"
    );

    let fresh = start_mock();
    let ran = Run::against(&fresh.url)
        .profile("fixture-retries")
        .suites("retries")
        .args(["--retries", "0"])
        .json()
        .run();
    let case = ran.report().case("busy-then-judged").clone();
    assert_eq!(case["retries"], 0, "{case}");
    assert!(
        case["message"].as_str().unwrap_or("").contains("429"),
        "no retry: the 429 is judged: {case}"
    );

    let bad = Run::against(&fresh.url).args(["--retries", "11"]).run();
    assert_eq!(bad.code, Some(2), "{}", bad.output());
}

/// `serve --token` and `run --token` refuse the same tokens, with one line and exit 2, and
/// never echo the token.
#[test]
fn serve_and_run_refuse_the_same_tokens() {
    for bad in [
        "abc",
        "two words",
        "tab\there",
        "ctl\u{7}bell",
        "caf\u{e9}-token",
    ] {
        let serve = Run::new(["serve", "--listen", "127.0.0.1:0", "--token", bad]).run();
        let run = Run::new(["run", "--builtin", "core", "--token", bad]).run();
        let run_url =
            Run::new(["run", "--base-url", "http://127.0.0.1:9/v2", "--token", bad]).run();
        for (what, r) in [
            ("serve", &serve),
            ("run --builtin", &run),
            ("run", &run_url),
        ] {
            assert_eq!(r.code, Some(2), "{what} {bad:?}: {}", r.output());
            assert_eq!(r.stderr.trim().lines().count(), 1, "{what}: {}", r.stderr);
            assert!(!r.output().contains(bad), "{what} echoed the token");
        }
        assert_eq!(
            serve.stderr, run_url.stderr,
            "the same rule, the same words"
        );
    }
}

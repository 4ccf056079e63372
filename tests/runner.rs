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
    // The target label (host:port/path of the base URL by default) leads every suite name.
    let label = mock.url.trim_start_matches("http://").trim_end_matches('/');
    let classname = format!("{label}::fixture.runner");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    for el in doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuites") || n.has_tag_name("testsuite"))
    {
        // The XSD CI tools follow allows `hostname` on <testsuite> only.
        assert!(
            el.has_tag_name("testsuites")
                || el.attribute("hostname").is_some_and(|h| !h.is_empty()),
            "{xml}"
        );
        assert!(
            el.attribute("timestamp")
                .is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok()),
            "{xml}"
        );
    }
    for c in &cases {
        assert_eq!(c.attribute("classname"), Some(classname.as_str()));
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
    // The explanation once: in the failure text, not again in <system-out>, which holds the
    // exchanges with every header sent.
    let out = failing
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .expect("<system-out>");
    assert!(out.contains("> POST"), "{out}");
    assert!(!out.contains("expected: present"), "{out}");
    for header in [
        "> User-Agent: scimspec/",
        "> Accept: application/scim+json",
        "> Content-Type: application/scim+json",
        "> Authorization: Bearer [REDACTED]",
    ] {
        assert!(out.contains(header), "{header} missing:\n{out}");
    }
    // NON-STRICT and INFORMATIONAL in standard elements: passing cases whose <system-out>
    // starts with the verdict.
    for (name, prefix) in [
        ("should-broken-is-non-strict", "NON-STRICT: "),
        ("info-records-choice", "INFORMATIONAL: "),
    ] {
        let case = cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .expect("case present");
        assert!(
            case.children().all(|n| !n.has_tag_name("failure")),
            "{name}"
        );
        assert!(
            case.children()
                .any(|n| n.has_tag_name("system-out")
                    && n.text().is_some_and(|t| t.starts_with(prefix))),
            "{name}: {xml}"
        );
    }
    let skipped = cases
        .iter()
        .find(|c| c.attribute("name") == Some("bulk-needs-capability"))
        .expect("case present");
    assert!(skipped.children().any(|n| {
        n.has_tag_name("skipped")
            && n.attribute("message")
                .is_some_and(|m| m.starts_with("UNIMPLEMENTED: ") && m.contains("bulk"))
    }));
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

/// Runs a helper script; `None` when its tool is not installed (exit 3) and `require` (an
/// environment variable tests/run sets) is unset.
fn run_tool(cmd: &mut std::process::Command, require: &str) -> Option<String> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let (stdout, stderr) = text(&out);
    match out.status.code() {
        Some(0) => Some(stdout),
        Some(3) if std::env::var_os(require).is_none() => {
            eprintln!("skipped: {stderr} (tests/run installs it and sets {require})");
            None
        }
        _ => panic!("{cmd:?} failed:\n{stdout}{stderr}"),
    }
}

#[test]
fn junit_of_two_targets_merges_and_reads_in_junitparser_and_junit2html() {
    let mock = start_mock();
    let a = run_fixture(&mock.url, &["--label", "tenant-a"]);
    let b = run_fixture(&mock.url, &["--label", "tenant-b", "--strict"]);
    let dir = tempdir("junit-consumers");
    let python = std::env::var("SCIMSPEC_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit/consumers.py");
    let html = dir.path().join("merged.html");
    let Some(summary) = run_tool(
        std::process::Command::new(&python)
            .arg(&script)
            .arg(dir.path().join("merged.xml"))
            .arg(&html)
            .arg(a.file("junit.xml"))
            .arg(b.file("junit.xml")),
        "SCIMSPEC_REQUIRE_JUNIT_CONSUMERS",
    ) else {
        return;
    };
    let summary: serde_json::Value = serde_json::from_str(&summary).expect("JSON summary");
    let suites = summary["suites"].as_array().expect("suites");
    let names: Vec<&str> = suites.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(
        names,
        ["tenant-a::fixture.runner", "tenant-b::fixture.runner"],
        "the two targets' suites do not collide"
    );
    for s in suites {
        assert_eq!(s["tests"], 7, "{s}");
        assert!(s["hostname"].as_str().is_some_and(|h| !h.is_empty()), "{s}");
        assert!(
            s["timestamp"].as_str().is_some_and(|t| !t.is_empty()),
            "{s}"
        );
        assert_eq!(s["skipped"], 1, "{s}");
        assert_eq!(s["errors"], 0, "{s}");
    }
    // Without --strict a broken SHOULD passes; with it, it is a failure of type NON-STRICT.
    assert_eq!(suites[0]["failures"], 2);
    assert_eq!(suites[1]["failures"], 3);
    let cases = summary["cases"].as_array().expect("cases");
    let case = |class: &str, name: &str| {
        cases
            .iter()
            .find(|c| c["classname"] == class && c["name"] == name)
            .unwrap_or_else(|| panic!("no {class} {name}"))
    };
    let lax = case("tenant-a::fixture.runner", "should-broken-is-non-strict");
    assert_eq!(lax["result"], "passed");
    assert!(
        lax["system_out"]
            .as_str()
            .is_some_and(|t| t.starts_with("NON-STRICT: ")),
        "{lax}"
    );
    let strict = case("tenant-b::fixture.runner", "should-broken-is-non-strict");
    assert_eq!(strict["result"], "failure");
    assert_eq!(strict["type"], "NON-STRICT");
    let info = case("tenant-a::fixture.runner", "info-records-choice");
    assert_eq!(info["result"], "passed");
    assert!(
        info["system_out"]
            .as_str()
            .is_some_and(|t| t.starts_with("INFORMATIONAL: ")),
        "{info}"
    );
    let failed = case("tenant-a::fixture.runner", "missing-header-fails");
    assert_eq!(failed["result"], "failure");
    assert_eq!(failed["type"], "FAIL");
    let text = failed["text"].as_str().unwrap_or("");
    assert!(text.contains("expected: present"), "{failed}");
    assert_eq!(
        format!("{text}{}", failed["system_out"].as_str().unwrap_or(""))
            .matches("expected: present")
            .count(),
        1,
        "the explanation once: {failed}"
    );
    let page = std::fs::read_to_string(&html).expect("junit2html wrote HTML");
    assert!(
        page.contains("tenant-b::fixture.runner"),
        "junit2html shows the suites"
    );
}

#[test]
fn junit_names_built_in_suites_by_id_not_by_a_path_of_scimspec() {
    let ran = Run::builtin("core")
        .args(["--snapshot-mode", "off", "rfc7644.3.3-create::returns-201"])
        .junit()
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    let xml = ran.junit();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a testsuite");
    assert_eq!(
        suite.attribute("name"),
        Some("builtin-core::rfc7644.3.3-create")
    );
    assert!(
        doc.descendants().any(|n| n.has_tag_name("property")
            && n.attribute("name") == Some("suite")
            && n.attribute("value") == Some("rfc7644.3.3-create")),
        "{xml}"
    );
    assert!(!xml.contains(" file=") && !xml.contains(" line="), "{xml}");
    validate_junit_xsd(&ran.file("junit.xml"));
}

#[test]
fn record_http_is_har_that_har_validator_accepts() {
    let mock = start_mock();
    let mut run = Run::against(&mock.url).profile("fixture").suites("basic");
    let har_path = run.dir().join("run.har");
    let ran = run.arg("--record-http").arg(&har_path).run();
    assert_eq!(ran.code, Some(1), "{}", ran.output());
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har_path).expect("HAR written"))
            .expect("JSON");
    let entries = har["log"]["entries"].as_array().expect("entries");
    let post = entries
        .iter()
        .find(|e| e["request"]["method"] == "POST")
        .expect("a POST entry");
    let headers: Vec<String> = post["request"]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|h| {
            format!(
                "{}: {}",
                h["name"].as_str().unwrap_or(""),
                h["value"].as_str().unwrap_or("")
            )
        })
        .collect();
    for want in [
        "Accept: application/scim+json, application/json;q=0.9",
        "Authorization: Bearer [REDACTED]",
        "Content-Type: application/scim+json; charset=utf-8",
    ] {
        assert!(
            headers.iter().any(|h| h == want),
            "{want} not in {headers:?}"
        );
    }
    assert!(
        headers
            .iter()
            .any(|h| h.starts_with("User-Agent: scimspec/")),
        "{headers:?}"
    );
    assert!(
        post["request"]["postData"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("userName"))
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools");
    let Some(verdict) = run_tool(
        std::process::Command::new("node")
            .current_dir(&root)
            .arg(root.join("validate-har.js"))
            .arg(&har_path),
        "SCIMSPEC_REQUIRE_HAR_VALIDATOR",
    ) else {
        return;
    };
    assert!(verdict.starts_with("valid HAR 1.2"), "{verdict}");
}

#[test]
fn json_report_keeps_transcripts_of_non_pass_cases_unless_all() {
    let mock = start_mock();
    let ran = run_fixture(&mock.url, &[]);
    let report = ran.report();
    assert_eq!(report.0["format_version"], 1);
    assert_eq!(report.0["run"]["json_transcripts"], "failed");
    for c in report.cases() {
        let id = c["id"].as_str().unwrap_or("");
        assert_eq!(id, Report::name(c));
        assert!(c["duration_ms"].is_number(), "{c}");
        let kept = c.get("transcript").is_some();
        assert_eq!(kept, c["verdict"] != "PASS", "{id}");
    }
    let all = run_fixture(&mock.url, &["--json-transcripts", "all"]).report();
    assert!(all.cases().iter().all(|c| c["transcript"].is_array()));
    let failed = all.case("missing-header-fails");
    let x = &failed["transcript"][0];
    assert!(
        x["started"]
            .as_str()
            .is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok()),
        "{x}"
    );
    assert!(
        x["request_headers"]
            .as_array()
            .is_some_and(|h| h.iter().any(|h| h["name"] == "Accept")),
        "{x}"
    );
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
    // The header and the preflight line say what was tried; no case ran.
    assert!(
        stdout.trim_end().ends_with(
            "Preflight: reading /ServiceProviderConfig, /ResourceTypes and /Schemas … failed"
        ),
        "{stdout}"
    );
    assert!(live_lines(stdout).is_empty(), "no cases were run: {stdout}");
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

/// The live list of a run's console: `VERDICT [LEVEL] suite::case` lines, as (name, verdict,
/// level), in the order printed.
fn live_lines(stdout: &str) -> Vec<(String, String, String)> {
    let line = regex::Regex::new(
        r"^(PASS|FAIL|NON-STRICT|INFORMATIONAL|UNIMPLEMENTED|ERROR|BLOCKED) +\[([A-Z]+)\] (\S+::\S+)$",
    )
    .expect("regex");
    stdout
        .lines()
        .filter_map(|l| line.captures(l))
        .map(|c| (c[3].to_owned(), c[1].to_owned(), c[2].to_owned()))
        .collect()
}

/// What a person reads must not carry a second runner's output: libtest's `test X ... ok`
/// lines, its `failures:` block and its `N passed` tally.
fn assert_one_tally(stdout: &str) {
    let libtest = regex::Regex::new(
        r"(?m)^(test .* \.\.\. |running \d+ tests?$|failures:$|test result: )|\d+ passed;",
    )
    .expect("regex");
    assert!(
        !libtest.is_match(stdout),
        "libtest output: {:?}\n{stdout}",
        libtest.find(stdout).map(|m| m.as_str())
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("Total: ")).count(),
        1,
        "one tally\n{stdout}"
    );
}

/// Piped, every case gets one line with its own verdict, the same as the report's.
fn assert_live_list_matches_report(ran: &Ran) -> Vec<(String, String, String)> {
    let live = live_lines(&ran.stdout);
    let listed: std::collections::BTreeMap<String, String> = live
        .iter()
        .map(|(name, verdict, _)| (name.clone(), verdict.clone()))
        .collect();
    assert_eq!(
        listed.len(),
        live.len(),
        "a case listed twice\n{}",
        ran.stdout
    );
    assert_eq!(listed, ran.report().verdicts(), "{}", ran.stdout);
    live
}

#[test]
fn a_full_core_run_prints_each_verdict_once_and_one_tally() {
    let ran = Run::builtin("core")
        .profile("core")
        .args(["--snapshot-mode", "off"])
        .json()
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    assert_one_tally(&ran.stdout);
    let live = assert_live_list_matches_report(&ran);
    assert!(live.len() > 300, "{}", ran.stdout);
    assert!(
        live.iter().any(|(_, v, _)| v == "INFORMATIONAL"),
        "{}",
        ran.stdout
    );
    for l in ran.stdout.lines() {
        assert!(!l.trim_end().ends_with(" ok"), "a libtest verdict: {l}");
    }
    assert!(!ran.stdout.contains("What failed"), "{}", ran.stdout);
    assert!(
        ran.stdout
            .contains("SCIM core (RFC 7643, RFC 7644): no problems"),
        "the profile's verdict line\n{}",
        ran.stdout
    );
}

#[test]
fn a_faulty_run_lists_fail_and_blocked_live_and_explains_each_failure_once() {
    let ran = Run::builtin("core")
        .profile("core")
        .args(["--snapshot-mode", "off"])
        .faults(&["create-returns-200", "enterprise-dropped"])
        .json()
        .run();
    let stdout = &ran.stdout;
    assert_eq!(ran.code, Some(1), "{}", ran.output());
    assert_one_tally(stdout);
    let live = assert_live_list_matches_report(&ran);
    for verdict in ["FAIL", "BLOCKED"] {
        assert!(
            live.iter().any(|(_, v, _)| v == verdict),
            "no {verdict} listed\n{stdout}"
        );
    }
    assert!(
        live.iter()
            .any(|(n, v, _)| n == "rfc7644.3.3-create::returns-201-with-resource" && v == "FAIL"),
        "{stdout}"
    );
    // The explanations come once, after the whole list.
    let what_failed = stdout.find("\nWhat failed\n").expect("a What failed block");
    assert_eq!(stdout.matches("What failed").count(), 1, "{stdout}");
    let (list, explained) = stdout.split_at(what_failed);
    assert_eq!(live_lines(list).len(), live.len(), "{stdout}");
    for (name, verdict, level) in &live {
        if !["FAIL", "NON-STRICT", "ERROR"].contains(&verdict.as_str()) {
            continue;
        }
        let head = format!("{verdict} [{level}] {name} — ");
        assert_eq!(
            explained.matches(&head).count(),
            1,
            "{name} is explained once\n{stdout}"
        );
        let listed = list
            .lines()
            .filter(|l| l.ends_with(&format!("] {name}")))
            .count();
        assert_eq!(listed, 1, "{name}\n{stdout}");
    }
}

#[test]
fn colour_follows_the_color_flag() {
    let mock = start_mock();
    let coloured = "\x1b[1m\x1b[32mPASS";
    // Piped, `auto` means no colour; `always` colours the live list and the report.
    let auto = run_fixture(&mock.url, &["create-then-read"]);
    assert!(!auto.stdout.contains('\x1b'), "{}", auto.stdout);
    let always = run_fixture(&mock.url, &["create-then-read", "--color", "always"]);
    assert!(always.stdout.contains(coloured), "{:?}", always.stdout);
    assert!(
        always.stdout.contains("\x1b[1mWhat failed") || always.stdout.contains("\x1b[1mTotal"),
        "{:?}",
        always.stdout
    );
    let never = run_fixture(&mock.url, &["create-then-read", "--color=never"]);
    assert!(!never.stdout.contains('\x1b'), "{}", never.stdout);
}

/// `completions` and `man` come from the clap definitions: bash accepts the script, and the one
/// man page holds every command's options (no pointers to per-command pages that are not
/// installed); `man -l` renders it where man is installed.
#[test]
fn completions_and_man_page_cover_every_command() {
    let bash = Run::new(["completions", "bash"]).run();
    assert_eq!(bash.code, Some(0), "{}", bash.stderr);
    assert!(bash.stdout.contains("--snapshot-drift"), "{}", bash.stdout);
    let checked = std::process::Command::new("bash")
        .args(["-n", "-c", &bash.stdout])
        .status();
    if let Ok(status) = checked {
        assert!(status.success(), "bash -n rejects the completion script");
    }
    let man = Run::new(["man"]).run();
    assert_eq!(man.code, Some(0), "{}", man.stderr);
    for command in [
        "RUN",
        "SERVE",
        "SNAPSHOTS",
        "CLEANUP",
        "COVERAGE",
        "COMPLETIONS",
    ] {
        assert!(
            man.stdout.contains(&format!(".SH \"SCIMSPEC {command}\"")),
            "{command} missing from the man page"
        );
    }
    for option in ["retries", "read\\-only", "snapshot\\-drift", "listen"] {
        assert!(
            man.stdout.contains(option),
            "--{option} missing from the man page"
        );
    }
    assert!(!man.stdout.contains("scimspec\\-run(1)"), "{}", man.stdout);
    let dir = tempdir("man");
    let page = dir.join("scimspec.1");
    std::fs::write(&page, &man.stdout).expect("write the page");
    if let Ok(out) = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
    {
        assert!(
            out.status.success(),
            "man -l: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("SCIMSPEC RUN"));
    }
}

/// A shared fixture is created once for all the cases that use it, shown in each one's
/// transcript (marked), counted once in the report; a failing one BLOCKS its users with the
/// root cause its `proven_by` names; its resources are deleted at the end of the run.
#[test]
fn shared_fixtures_are_created_once_and_block_their_users_when_they_fail() {
    let mut run = Run::builtin("core")
        .profile("fixture")
        .suites("shared")
        .args(["--json-transcripts", "all", "--jobs", "4"])
        .json();
    let har = run.dir().join("run.har");
    let ran = run.arg("--record-http").arg(&har).run();
    let report = ran.report();
    let v = report.verdicts();
    let verdict = |c: &str| v[&format!("fixture.shared::{c}")].clone();
    for c in ["read-a", "read-b", "filter-both"] {
        assert_eq!(verdict(c), "PASS", "{}", ran.output());
        let case = report.case(c);
        assert_eq!(
            case["requests"], 1,
            "only the case's own request counts: {case}"
        );
        let shown: Vec<&str> = case["transcript"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["fixture"].as_str())
            .collect();
        assert_eq!(
            shown,
            ["pair", "pair"],
            "the fixture's exchanges are shown, marked: {case}"
        );
    }
    assert_eq!(verdict("reads-refused"), "BLOCKED");
    let blocked = &report.case("reads-refused")["blocked"];
    assert_eq!(
        blocked["root_cause"], "fixture.shared::username-is-required",
        "{blocked}"
    );
    assert!(
        blocked["step"]
            .as_str()
            .is_some_and(|s| s.starts_with("fixture refused:")),
        "{blocked}"
    );
    // Two creates of `pair` and one refused create, once each whatever the number of users.
    assert_eq!(report.0["run"]["fixture_requests"], 3, "{}", ran.output());
    assert_eq!(report.0["run"]["cleanup"]["created"], 2);
    assert_eq!(report.0["run"]["cleanup"]["left"], 0);
    // The HAR lists what was sent: each fixture exchange once, then the cases' own 4.
    let har: serde_json::Value =
        serde_json::from_str(&ran.read("run.har")).unwrap_or_else(|e| panic!("HAR: {e}"));
    let entries = har["log"]["entries"].as_array().map_or(0, Vec::len);
    assert_eq!(entries, 3 + 4, "{har}");
}

/// A shared fixture step whose request cannot be sent (the id its create gave is not one path
/// segment) BLOCKS the fixture's users, with the case whose own step failed on the same request
/// as root cause: it is their precondition, not their point.
#[test]
fn a_fixture_step_that_cannot_be_sent_blocks_its_users() {
    let ran = Run::builtin("core")
        .profile("fixture")
        .suites("shared-unsafe")
        .args(["--fault", "id-fragment"])
        .json()
        .run();
    let report = ran.report();
    let v = report.verdicts();
    assert_eq!(v["fixture.unsafe::read-by-id"], "FAIL", "{}", ran.output());
    assert_eq!(
        v["fixture.unsafe::filters-stored"],
        "BLOCKED",
        "{}",
        ran.output()
    );
    let blocked = &report.case("filters-stored")["blocked"];
    assert_eq!(
        blocked["root_cause"], "fixture.unsafe::read-by-id",
        "{blocked}"
    );
    assert_eq!(blocked["request"], "GET /Users/{id}", "{blocked}");
}

#[test]
fn lint_refuses_a_case_that_changes_a_shared_fixture() {
    let lint = bin()
        .arg("lint")
        .arg(fixtures("shared-writes"))
        .output()
        .expect("runs");
    let (_, stderr) = text(&lint);
    assert_eq!(lint.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("PATCH /Users/${user.id}: a case may not change a shared fixture's resource"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bulk DELETE /Users/${user.id}: a case may not change"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no fixture named `nope` in this file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("writes.yaml:17:"),
        "file and line: {stderr}"
    );
}

/// A server whose discovery answers count their requests (path and query): `/Schemas/urn:flaky`
/// answers 500 to its first request, then 200.
fn counting_discovery_server() -> (InProcess, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::http::{StatusCode, Uri, header};
    use axum::response::IntoResponse;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let log = log.clone();
        async move {
            let path = uri.path().trim_start_matches("/scim").to_owned();
            let shown = match uri.query() {
                Some(q) => format!("{path}?{q}"),
                None => path.clone(),
            };
            let earlier = {
                let mut log = log.lock().expect("log");
                log.push(shown);
                log.iter().filter(|p| p.starts_with(&path)).count() - 1
            };
            let list = |items: serde_json::Value| {
                serde_json::json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                    "totalResults": items.as_array().map_or(0, Vec::len),
                    "Resources": items,
                })
            };
            let (status, body) = match path.as_str() {
                "/ServiceProviderConfig" => (
                    StatusCode::OK,
                    serde_json::json!({
                        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                        "patch": {"supported": false}, "bulk": {"supported": false},
                        "filter": {"supported": false}, "changePassword": {"supported": false},
                        "sort": {"supported": false}, "etag": {"supported": false},
                        "authenticationSchemes": []
                    }),
                ),
                "/Users" | "/Schemas" | "/ResourceTypes" => {
                    (StatusCode::OK, list(serde_json::json!([])))
                }
                "/ResourceTypes/User" => (
                    StatusCode::OK,
                    serde_json::json!({"id": "User", "name": "User", "endpoint": "/Users",
                        "schema": "urn:ietf:params:scim:schemas:core:2.0:User"}),
                ),
                "/Schemas/urn:flaky" if earlier == 0 => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    serde_json::json!({"detail": "not yet"}),
                ),
                "/Schemas/urn:flaky" => (StatusCode::OK, serde_json::json!({"id": "urn:flaky"})),
                _ => (StatusCode::NOT_FOUND, serde_json::json!({"detail": "no"})),
            };
            (
                status,
                [(header::CONTENT_TYPE, "application/scim+json")],
                body.to_string(),
            )
                .into_response()
        }
    });
    (in_process(app, "/scim"), seen)
}

/// A discovery GET that repeats one already answered in the run is answered from that answer,
/// marked with who sent it and counted in no case's `requests`; a repeat within one case, another
/// auth mode or an error answer are sent; `--no-shared-discovery` sends every read.
#[test]
fn discovery_answers_are_read_once_per_run() {
    let (server, seen) = counting_discovery_server();
    let mut run = Run::against(&server.url)
        .profile("fixture")
        .suites("discovery")
        .args(["--json-transcripts", "all", "--jobs", "8"])
        .json();
    let har = run.dir().join("run.har");
    let ran = run.arg("--record-http").arg(&har).run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    let report = ran.report();
    let case = |c: &str| report.case(c).clone();
    let shared = |c: &str| -> Vec<Option<String>> {
        case(c)["transcript"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x["shared"].as_str().map(str::to_owned))
            .collect()
    };
    let count = |p: &str| seen.lock().expect("log").iter().filter(|s| *s == p).count();
    assert_eq!(shared("reads-schemas"), [Some("preflight".to_owned())]);
    assert_eq!(case("reads-schemas")["requests"], 0);
    assert_eq!(
        shared("reads-schemas-twice"),
        [Some("preflight".to_owned()), None],
        "a repeat within the case is sent"
    );
    assert_eq!(case("reads-schemas-twice")["requests"], 1);
    assert_eq!(shared("reads-schemas-without-auth"), [None]);
    // Preflight's read, the repeat within a case, the one without credentials.
    assert_eq!(count("/Schemas"), 3, "{:?}", seen.lock().expect("log"));
    // Two cases at once: one sends, the other waits for its answer.
    let mut by: Vec<Option<String>> = ["user-type-1", "user-type-2"]
        .iter()
        .flat_map(|c| shared(c))
        .collect();
    by.sort();
    assert_eq!(by.len(), 2);
    assert_eq!(by[0], None);
    assert!(
        by[1]
            .as_deref()
            .is_some_and(|b| b.starts_with("fixture.discovery::user-type-")),
        "{by:?}"
    );
    assert_eq!(count("/ResourceTypes/User"), 1);
    // The 500 is never shared: its reader's successor sends again, and the 200 is shared.
    assert_eq!(count("/Schemas/urn:flaky"), 2);
    let flaky: Vec<Option<String>> = ["flaky-1", "flaky-2", "flaky-3"]
        .iter()
        .flat_map(|c| shared(c))
        .collect();
    assert_eq!(flaky.iter().filter(|s| s.is_some()).count(), 1, "{flaky:?}");
    let total: u64 = report
        .cases()
        .iter()
        .map(|c| c["requests"].as_u64().unwrap_or(0))
        .sum();
    // Every request but preflight's (four, with the /Users probe) is some case's.
    assert_eq!(total as usize, seen.lock().expect("log").len() - 4);
    assert_eq!(
        report.0["run"]["requests"].as_u64(),
        Some(seen.lock().expect("log").len() as u64),
        "run.requests counts what was sent"
    );
    // The HAR holds what was sent, not the shared answers.
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har).expect("har")).expect("HAR JSON");
    assert_eq!(
        har["log"]["entries"].as_array().map(Vec::len),
        Some(total as usize)
    );
    assert!(!ran.output().contains(TOKEN));

    seen.lock().expect("log").clear();
    let ran = Run::against(&server.url)
        .profile("fixture")
        .suites("discovery")
        .args(["--json-transcripts", "all", "--no-shared-discovery"])
        .json()
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    let report = ran.report();
    assert!(
        report.cases().iter().all(|c| c["transcript"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|x| x.get("shared").is_none())),
        "nothing is shared"
    );
    assert_eq!(count("/Schemas"), 5);
    assert_eq!(count("/ResourceTypes/User"), 2);
    assert_eq!(count("/Schemas/urn:flaky"), 3);
}

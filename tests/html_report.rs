//! `--report-html`: the report of a faulty reference-server run, opened in headless Chromium.
//! The DOM Chromium builds (after the page's own script ran) must show the verdict lines, every
//! FAIL case and a failing case's transcript; the first screen is written as a PNG for a person to
//! look at (target/tmp/html-report-first-screen.png); the token appears nowhere in the file.

mod common;

use common::{TOKEN, bin, serve, tempdir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// POST answers 200 instead of 201: several FAIL cases, and the cases whose setup creates a
/// resource still run. `etag-unchanged-on-update` adds failures of another kind.
const FAULTS: [&str; 2] = ["create-returns-200", "etag-unchanged-on-update"];

/// The Chromium binary, or why the browser checks are skipped (only outside CI).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() {
        let required = std::env::var_os("CI").is_some()
            || std::env::var("SCIMSPEC_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "chromium is required here (CI or SCIMSPEC_REQUIRE_CHROMIUM=1) but not on PATH; tests/run installs it"
        );
        eprintln!(
            "SKIPPED the browser checks of the HTML report: chromium is not on PATH (tests/run installs it)"
        );
    }
    found
}

/// Headless Chromium with nothing that reaches the network, a fresh profile each time.
fn headless(chromium: &Path, profile: &Path) -> Command {
    let mut c = Command::new(chromium);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .stdin(Stdio::null());
    c
}

/// The `<article …>…</article>` elements of a DOM dump (cases are never nested).
fn articles(dom: &str) -> Vec<&str> {
    dom.split("<article ")
        .skip(1)
        .map(|a| a.split("</article>").next().unwrap_or(a))
        .collect()
}

#[test]
fn report_of_a_faulty_run_in_headless_chromium() {
    let server = serve(&["--fault", FAULTS[0], "--fault", FAULTS[1]]);
    let tmp = tempdir("html");
    let report = tmp.path().join("report");
    let json = tmp.path().join("report.json");
    let out = bin()
        .args([
            "run",
            "--base-url",
            &server.url,
            "--token",
            TOKEN,
            "--profile",
            "core",
            "--snapshot-mode",
            "off",
            "--report-html",
        ])
        .arg(&report)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the faulty run fails:\n{stdout}"
    );
    let index = report.join("index.html");
    assert!(
        stdout.contains(&format!("HTML report: {}", index.display())),
        "{stdout}"
    );
    let page = std::fs::read_to_string(&index).expect("index.html");
    assert!(!page.contains(TOKEN), "the token is in the HTML report");
    let size = page.len();
    eprintln!("index.html: {size} bytes");
    assert!(size < 2 * 1024 * 1024, "the page weighs {size} bytes");
    for outside in ["http://", "https://"] {
        for attr in ["src=\"", "href=\"", "url("] {
            assert!(
                !page.contains(&format!("{attr}{outside}")),
                "the page loads something from outside: {attr}{outside}"
            );
        }
    }

    let doc = common::Report::read(&json).0;
    let cases = doc["cases"].as_array().expect("cases");
    let count = |v: &str| cases.iter().filter(|c| c["verdict"] == v).count();
    let fails = count("FAIL");
    let problems = fails + count("ERROR");
    assert!(
        fails >= 2,
        "the faults make several cases FAIL, not {fails}"
    );
    let total = cases.len();

    let Some(chromium) = chromium() else { return };
    let profile = tempdir("html-chromium");
    let url = format!("file://{}", index.display());
    let dump = headless(&chromium, profile.path())
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dump.stdout);
    assert!(
        dump.status.success() && dom.contains("</html>"),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&dump.stderr)
    );

    // The first screen: the core verdict line counts the problems in plain words.
    let line = format!(
        "SCIM core (RFC 7643, RFC 7644): </strong><span class=\"status\">{problems} problem{}</span>",
        if problems == 1 { "" } else { "s" }
    );
    assert!(dom.contains(&line), "no verdict line `{line}` in the DOM");
    assert!(dom.contains("The run failed"));
    // The page's script ran in the browser: it counted the cases.
    assert!(
        dom.contains(&format!("{total} of {total} cases shown")),
        "the filter script did not run"
    );

    // Every FAIL case is there once, and the create case shows the exchange that proves it.
    let arts = articles(&dom);
    let failing: Vec<&&str> = arts
        .iter()
        .filter(|a| a.contains("data-verdict=\"FAIL\""))
        .collect();
    assert_eq!(failing.len(), fails, "FAIL cases in the DOM");
    assert_eq!(arts.len(), total, "every case is in the page");
    let with_transcript = failing
        .iter()
        .find(|a| a.contains("class=\"exchange failing\"") && a.contains("<b>200 "))
        .expect("a FAIL case with the failing 200 answer in its transcript");
    assert!(with_transcript.contains("<details class=\"transcript\">"));
    assert!(with_transcript.contains("<b>POST "));
    assert!(with_transcript.contains("Bearer [REDACTED]"));

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report-first-screen.png");
    let _ = std::fs::remove_file(&shot);
    let took = headless(&chromium, profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,900")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "no screenshot at {}: {}",
        shot.display(),
        String::from_utf8_lossy(&took.stderr)
    );
    eprintln!("first screen: {}", shot.display());
}

#[test]
fn an_unwritable_report_dir_is_refused_before_any_request() {
    let tmp = tempdir("html-refused");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").expect("write");
    // The base URL is a port nothing listens on: the run must stop before trying it.
    let out = bin()
        .args([
            "run",
            "--base-url",
            "http://127.0.0.1:9/scim",
            "--token",
            TOKEN,
            "--report-html",
        ])
        .arg(file.join("report"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot create the report directory"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("127.0.0.1:9"),
        "a request was tried: {stderr}"
    );
}

//! The core profile against an independent server: scim2-server (PyPI, pinned in
//! tests/requirements.txt). Every case that does not PASS must be listed, with its verdict, in
//! tests/expected/scim2-server.md — and every row listed there must still happen. A new failure
//! (a regression in a suite, or a false failure) and a vanished one (a fixed case the file still
//! lists) both fail this test.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXPECTED: &str = "tests/expected/scim2-server.md";
const VERDICTS: &[&str] = &[
    "FAIL",
    "NON-STRICT",
    "ERROR",
    "INFORMATIONAL",
    "UNIMPLEMENTED",
];

/// scim2-server as a child process; killed when dropped, also when the test panics.
struct Server {
    child: KillOnDrop,
    log: PathBuf,
    // The log's directory lives as long as the server writes to it.
    _dir: TempDir,
}

impl Server {
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// The scim2-server executable, or None when it is not installed.
fn executable() -> Option<PathBuf> {
    let path = match std::env::var_os("SCIM2_SERVER") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/scim2-server"),
    };
    path.is_file().then_some(path)
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// True once GET /v2/ServiceProviderConfig gets any HTTP answer.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "GET /v2/ServiceProviderConfig HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

fn start(exe: &Path, port: u16) -> Server {
    let dir = tempdir("scim2-server");
    let log = dir.join("scim2-server.log");
    let out = std::fs::File::create(&log).expect("log file");
    let err = out.try_clone().expect("log file");
    let child = Command::new(exe)
        .args(["--port", &port.to_string(), "--bearer-token", TOKEN])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", exe.display()));
    let mut server = Server {
        child: KillOnDrop(child),
        log,
        _dir: dir,
    };
    let started = Instant::now();
    while !answers(port) {
        if let Ok(Some(status)) = server.child.0.try_wait() {
            panic!(
                "scim2-server exited ({status}) before answering:\n{}",
                server.log_tail()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "scim2-server did not answer on port {port} within 20 s:\n{}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// One row of the expected table.
#[derive(Debug)]
struct Row {
    verdict: String,
    requirement: String,
    section: String,
    what: String,
    line: usize,
}

/// The rows of the table in tests/expected/scim2-server.md whose first cell is a case name
/// (`suite::case`, in backticks or plain), by case name.
fn expected_rows(text: &str) -> BTreeMap<String, Row> {
    let mut rows = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect();
        let case = cells[0].trim_matches('`').trim().to_owned();
        if !case.contains("::") {
            continue; // the header and the separator
        }
        let cell = |i: usize| {
            cells
                .get(i)
                .map(|c| c.trim_matches('`').trim().to_owned())
                .unwrap_or_default()
        };
        let row = Row {
            verdict: cell(1).to_ascii_uppercase(),
            requirement: cell(2),
            section: cell(3),
            what: cell(4),
            line: n + 1,
        };
        if let Some(prev) = rows.insert(case.clone(), row) {
            panic!(
                "{EXPECTED}:{}: {case} is listed twice (also line {})",
                n + 1,
                prev.line
            );
        }
    }
    rows
}

#[test]
fn core_profile_against_scim2_server() {
    let Some(exe) = executable() else {
        if std::env::var_os("SCIMSPEC_REQUIRE_SCIM2_SERVER").is_some() {
            panic!(
                "scim2-server is required (SCIMSPEC_REQUIRE_SCIM2_SERVER is set) but was not found: \
                 set SCIM2_SERVER or run tests/run, which installs it into .venv"
            );
        }
        eprintln!(
            "skipped: scim2-server is not installed (tests/run installs it into .venv; \
             or set SCIM2_SERVER to its path)"
        );
        return;
    };

    // The expected table, checked before anything runs.
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
    let expected_text = std::fs::read_to_string(&expected_path).expect("the expected file");
    let expected = expected_rows(&expected_text);
    assert!(!expected.is_empty(), "{EXPECTED} lists no case");
    for (case, row) in &expected {
        assert!(
            VERDICTS.contains(&row.verdict.as_str()),
            "{EXPECTED}:{}: {case}: verdict {:?} is not one of {VERDICTS:?}",
            row.line,
            row.verdict
        );
        if matches!(row.verdict.as_str(), "FAIL" | "NON-STRICT") {
            assert!(
                !row.requirement.is_empty() && !row.section.is_empty() && row.what.len() > 20,
                "{EXPECTED}:{}: {case}: a {} row needs the requirement id, the RFC section and \
                 what scim2-server does",
                row.line,
                row.verdict
            );
        }
    }

    let port = free_port();
    let server = start(&exe, port);
    let base_url = format!("http://127.0.0.1:{port}/v2");
    let dir = tempdir("scim2-server-run");
    let report = dir.join("report.json");
    let out = bin()
        .args([
            "run",
            "--base-url",
            &base_url,
            "--token",
            TOKEN,
            "--profile",
            "core",
            "--snapshot-mode",
            "off",
            "--jobs",
            "4",
        ])
        .arg("--json")
        .arg(&report)
        .output()
        .expect("scimspec runs");
    let (stdout, stderr) = text(&out);
    assert!(
        report.is_file(),
        "no JSON report (exit {:?}):\n{stdout}\n{stderr}\nscim2-server log:\n{}",
        out.status.code(),
        server.log_tail()
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&report).expect("report"))
        .expect("the report is JSON");
    let cases = doc["cases"].as_array().expect("cases in the report");
    assert!(!cases.is_empty(), "the run had no case:\n{stdout}");

    // Every case by name: (verdict, message, requirement ids).
    let mut actual: BTreeMap<String, (String, String, Vec<String>)> = BTreeMap::new();
    for c in cases {
        let name = format!(
            "{}::{}",
            c["suite"].as_str().unwrap_or(""),
            c["case"].as_str().unwrap_or("")
        );
        let mut message = c["message"].as_str().unwrap_or("").to_owned();
        if let Some(chosen) = c["chosen"].as_str()
            && message.is_empty()
        {
            message = format!("server chose: {chosen}");
        }
        let requirements = c["requirements"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        actual.insert(
            name,
            (
                c["verdict"].as_str().unwrap_or("").to_owned(),
                message,
                requirements,
            ),
        );
    }

    let got: BTreeSet<(String, String)> = actual
        .iter()
        .filter(|(_, (v, _, _))| v != "PASS")
        .map(|(n, (v, _, _))| (n.clone(), v.clone()))
        .collect();
    let want: BTreeSet<(String, String)> = expected
        .iter()
        .map(|(n, r)| (n.clone(), r.verdict.clone()))
        .collect();

    let mut problems = Vec::new();
    for (name, verdict) in got.difference(&want) {
        let message = &actual[name].1;
        problems.push(format!(
            "  unexpected: {name} is {verdict} (not listed so in {EXPECTED}): {message}"
        ));
    }
    for (name, verdict) in want.difference(&got) {
        let line = expected[name].line;
        match actual.get(name) {
            Some((v, message, _)) => problems.push(format!(
                "  missing:    {name} is listed as {verdict} (line {line}) but was {v}{}",
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                }
            )),
            None => problems.push(format!(
                "  missing:    {name} is listed as {verdict} (line {line}) but no such case ran"
            )),
        }
    }
    // A FAIL or NON-STRICT row cites one of the case's own requirement ids.
    for (name, row) in &expected {
        if let Some((_, _, requirements)) = actual.get(name)
            && matches!(row.verdict.as_str(), "FAIL" | "NON-STRICT")
            && !requirements.contains(&row.requirement)
        {
            problems.push(format!(
                "  wrong id:   {name} (line {}) cites {} but the case covers {requirements:?}",
                row.line, row.requirement
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the core profile against scim2-server differs from {EXPECTED}:\n{}\n\n\
         Judge each row: a true RFC deviation of scim2-server goes into the table; a case that \
         fails a behaviour the RFC allows is fixed in its suite file.\n\nsummary:\n{}",
        problems.join("\n"),
        stdout
            .lines()
            .filter(|l| l.starts_with("Total:") || l.starts_with("Cleanup:"))
            .collect::<Vec<_>>()
            .join("\n")
    );

    let expect_code = if want.iter().any(|(_, v)| v == "FAIL" || v == "ERROR") {
        1
    } else {
        0
    };
    assert_eq!(
        out.status.code(),
        Some(expect_code),
        "exit code:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(", 0 left"),
        "the run cleans up what it created on scim2-server:\n{stdout}"
    );
    drop(server);
}

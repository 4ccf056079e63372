//! The core profile against an independent SCIM server (scim2-server, SCIMMY, django-scim2), with
//! the verdicts compared to a hand-judged expected file `tests/expected/<server>.md`.
//!
//! The expected file's table lists every case that does not PASS, with its verdict and class:
//! - `breach`: a real deviation of the server from RFC 7643/7644 (FAIL or NON-STRICT, sometimes
//!   ERROR), with the requirement id the case covers and the PROBE.md row or the exchange;
//! - `blocked`: a BLOCKED case, with its root cause: the case whose own point failed in the
//!   refused setup step (`suite::case`, checked against the report), or `none` and why;
//! - `optional`: a NON-STRICT case at level MAY: an optional behaviour the server does not have;
//! - `choice`: an INFORMATIONAL case, recording which allowed behaviour the server chose;
//! - `gated`: an UNIMPLEMENTED case, gated on a feature the server does (not) have.
//!
//! There is no class for a false verdict: a case that fails what the RFC allows is fixed in its
//! suite file, never recorded. An optional section `## PROBE.md rows marked no` lists each row of
//! the server's measured ground truth that is not conformant, with `caught by` the case that
//! FAILs on it (checked here: that case must be a breach row of the table) or the reason no case
//! can catch it.
//!
//! The test fails when the verdicts drift from the file: a new non-PASS verdict, a listed one
//! that no longer happens, or a breach row citing an id the case does not cover.

use super::{KillOnDrop, TOKEN, TempDir, bin, tempdir, text};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to answer its first request (Django migrates a fresh database).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// True when the test must run: the server is installed, or its `require_var` is set (then a
/// missing server is a failure, so CI cannot skip it). Prints why when it skips.
pub fn installed_or_required(name: &str, installed: bool, require_var: &str, hint: &str) -> bool {
    if installed {
        return true;
    }
    assert!(
        std::env::var_os(require_var).is_none(),
        "{name} is required ({require_var} is set) but is not installed: {hint}"
    );
    eprintln!("skipped: {name} is not installed ({hint})");
    false
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// A server child process; killed when dropped, also when the test panics. Its stdout and stderr
/// go to a log file in its scratch directory (removed with it).
pub struct Server {
    name: String,
    child: KillOnDrop,
    log: PathBuf,
    pub port: u16,
    pub base_url: String,
    // Declared last: dropped after the child is killed, so nothing writes into it any more.
    _dir: TempDir,
}

impl Server {
    /// Starts `make(port, scratch_dir)` on a free loopback port and waits until
    /// `GET <base_path>/ServiceProviderConfig` gets any HTTP answer.
    pub fn start(name: &str, base_path: &str, make: impl FnOnce(u16, &Path) -> Command) -> Server {
        let dir = tempdir(name);
        let log = dir.path().join("server.log");
        let out = std::fs::File::create(&log).expect("server log file");
        let err = out.try_clone().expect("server log file");
        let port = free_port();
        let mut command = make(port, dir.path());
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start ({command:?}): {e}"));
        let server = Server {
            name: name.to_owned(),
            child: KillOnDrop(child),
            log,
            port,
            base_url: format!("http://127.0.0.1:{port}{base_path}"),
            _dir: dir,
        };
        server.wait_ready(base_path)
    }

    fn wait_ready(mut self, base_path: &str) -> Server {
        let started = Instant::now();
        while !answers(self.port, &format!("{base_path}/ServiceProviderConfig")) {
            if let Ok(Some(status)) = self.child.0.try_wait() {
                panic!(
                    "{} exited ({status}) before answering:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "{} did not answer on port {} within {START_TIMEOUT:?}:\n{}",
                self.name,
                self.port,
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        self
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// True once a GET of `path` gets any HTTP answer.
fn answers(port: u16, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
}

/// One case's outcome in a `--json` report.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub verdict: String,
    pub message: String,
    pub requirements: Vec<String>,
    /// For BLOCKED: the case whose own point failed in the refused setup step, when one did.
    pub root_cause: Option<String>,
}

/// One scimspec run of the core profile.
pub struct CoreRun {
    pub cases: BTreeMap<String, Outcome>,
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

/// Runs `scimspec run --profile core` against the server with `--jobs jobs` and reads the
/// verdicts from its `--json` report.
pub fn run_core(server: &Server, jobs: u32) -> CoreRun {
    let dir = tempdir(&format!("{}-run", server.name));
    let report = dir.path().join("report.json");
    let out = bin()
        .args(["run", "--base-url", &server.base_url, "--token", TOKEN])
        .args(["--profile", "core", "--snapshot-mode", "off"])
        .args(["--jobs", &jobs.to_string()])
        .arg("--json")
        .arg(&report)
        .output()
        .expect("scimspec runs");
    let (stdout, stderr) = text(&out);
    assert!(
        report.is_file(),
        "no JSON report (exit {:?}):\n{stdout}\n{stderr}\n{} log:\n{}",
        out.status.code(),
        server.name,
        server.log_tail()
    );
    let raw = std::fs::read_to_string(&report).expect("read the JSON report");
    let doc: Value = serde_json::from_str(&raw).expect("the report is JSON");
    super::report::validate_report_schema(&doc, &report);
    let list = doc["cases"].as_array().expect("cases in the report");
    assert!(!list.is_empty(), "the run had no case:\n{stdout}");
    let mut cases = BTreeMap::new();
    for c in list {
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
        let verdict = c["verdict"].as_str().unwrap_or("").to_owned();
        let blocked = &c["blocked"];
        if message.is_empty() && blocked.is_object() {
            message = format!(
                "{} {}: {}",
                blocked["step"].as_str().unwrap_or(""),
                blocked["request"].as_str().unwrap_or(""),
                blocked["detail"].as_str().unwrap_or("")
            );
        }
        let root_cause = blocked["root_cause"].as_str().map(str::to_owned);
        cases.insert(
            name,
            Outcome {
                verdict,
                message,
                requirements,
                root_cause,
            },
        );
    }
    CoreRun {
        cases,
        stdout,
        stderr,
        code: out.status.code(),
    }
}

/// Verdicts an expected row may name, and the class each may have.
const CLASSES: &[(&str, &[&str])] = &[
    ("breach", &["FAIL", "NON-STRICT", "ERROR"]),
    ("blocked", &["BLOCKED"]),
    ("optional", &["NON-STRICT"]),
    ("choice", &["INFORMATIONAL"]),
    ("gated", &["UNIMPLEMENTED"]),
];

/// One row of the expected table.
#[derive(Debug)]
pub struct Row {
    pub verdict: String,
    pub class: String,
    pub requirement: String,
    /// A breach: the PROBE.md row (`#12`) or `-`; blocked: the root-cause case or `none`.
    pub probe: String,
    pub what: String,
    pub line: usize,
}

/// One row of the `PROBE.md rows marked no` section.
#[derive(Debug)]
pub struct ProbeRow {
    pub row: String,
    pub caught_by: String,
    pub why_not: String,
    pub line: usize,
}

pub struct Expected {
    pub path: String,
    pub rows: BTreeMap<String, Row>,
    pub probe_rows: Vec<ProbeRow>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().trim_matches('`').trim().to_owned())
        .collect()
}

impl Expected {
    /// Reads and checks the expected file: `| case | verdict | class | requirement | PROBE row or
    /// root cause | what the server does |` rows (a case is `suite::case`), then, after a heading
    /// `## PROBE.md rows marked no`, `| row | behaviour | caught by | why not caught |` rows.
    pub fn load(rel: &str) -> Expected {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the expected file {rel}: {e}"));
        let mut rows = BTreeMap::new();
        let mut probe_rows = Vec::new();
        let mut in_probe = false;
        for (n, line) in text.lines().enumerate() {
            let n = n + 1;
            if line.starts_with("## ") {
                in_probe = line.to_ascii_lowercase().contains("rows marked no");
                continue;
            }
            if !line.trim_start().starts_with('|') {
                continue;
            }
            let c = cells(line);
            let cell = |i: usize| c.get(i).cloned().unwrap_or_default();
            if in_probe {
                let row = cell(0);
                if row.is_empty() || row.starts_with('-') || row.eq_ignore_ascii_case("row") {
                    continue;
                }
                let probe = ProbeRow {
                    row,
                    caught_by: cell(2),
                    why_not: cell(3),
                    line: n,
                };
                assert!(
                    probe.caught_by.contains("::") || probe.why_not.len() > 20,
                    "{rel}:{n}: PROBE.md row {} needs the case that catches it (suite::case) \
                     or the reason it cannot be caught",
                    probe.row
                );
                probe_rows.push(probe);
                continue;
            }
            let case = cell(0);
            if !case.contains("::") {
                continue; // the header and the separator
            }
            let row = Row {
                verdict: cell(1).to_ascii_uppercase(),
                class: cell(2).to_ascii_lowercase(),
                requirement: cell(3),
                probe: cell(4),
                what: cell(5),
                line: n,
            };
            let Some((_, verdicts)) = CLASSES.iter().find(|(class, _)| *class == row.class) else {
                panic!(
                    "{rel}:{n}: {case}: class {:?} is not one of breach, blocked, optional, choice, gated \
                     (a false verdict is fixed in its suite, not recorded)",
                    row.class
                );
            };
            assert!(
                verdicts.contains(&row.verdict.as_str()),
                "{rel}:{n}: {case}: verdict {} does not go with class {} ({verdicts:?})",
                row.verdict,
                row.class
            );
            match row.class.as_str() {
                "breach" => assert!(
                    !row.requirement.is_empty() && row.what.len() > 20,
                    "{rel}:{n}: {case}: a breach row needs the requirement id and what the \
                     server does (the PROBE.md row or the exchange)"
                ),
                _ => assert!(
                    row.what.len() > 10,
                    "{rel}:{n}: {case}: a {} row needs {}",
                    row.class,
                    if row.class == "blocked" {
                        "its root cause"
                    } else {
                        "what the server does"
                    }
                ),
            }
            if let Some(prev) = rows.insert(case.clone(), row) {
                panic!(
                    "{rel}:{n}: {case} is listed twice (also line {})",
                    prev.line
                );
            }
        }
        Expected {
            path: rel.to_owned(),
            rows,
            probe_rows,
        }
    }

    /// What differs between the run and the file, one line each.
    pub fn problems(&self, run: &CoreRun) -> Vec<String> {
        let rel = &self.path;
        let got: BTreeSet<(&str, &str)> = run
            .cases
            .iter()
            .filter(|(_, o)| o.verdict != "PASS")
            .map(|(n, o)| (n.as_str(), o.verdict.as_str()))
            .collect();
        let want: BTreeSet<(&str, &str)> = self
            .rows
            .iter()
            .map(|(n, r)| (n.as_str(), r.verdict.as_str()))
            .collect();
        let mut problems = Vec::new();
        for (name, verdict) in got.difference(&want) {
            let message = &run.cases[*name].message;
            problems.push(format!(
                "  unexpected: {name} is {verdict} (not listed so in {rel}): {message}"
            ));
        }
        for (name, verdict) in want.difference(&got) {
            let line = self.rows[*name].line;
            problems.push(match run.cases.get(*name) {
                Some(o) => format!(
                    "  missing:    {name} is listed as {verdict} (line {line}) but was {}{}",
                    o.verdict,
                    if o.message.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", o.message)
                    }
                ),
                None => format!(
                    "  missing:    {name} is listed as {verdict} (line {line}) but no such case ran"
                ),
            });
        }
        for (name, row) in &self.rows {
            let Some(o) = run.cases.get(name) else {
                continue;
            };
            if row.class == "breach" && !o.requirements.contains(&row.requirement) {
                problems.push(format!(
                    "  wrong id:   {name} (line {}) cites {} but the case covers {:?}",
                    row.line, row.requirement, o.requirements
                ));
            }
            if row.class == "blocked" && o.verdict == "BLOCKED" {
                let listed = row.probe.contains("::").then_some(row.probe.as_str());
                if listed != o.root_cause.as_deref() {
                    problems.push(format!(
                        "  root cause: {name} (line {}) is listed as blocked by {} but the run \
                         names {}",
                        row.line,
                        listed.unwrap_or("none"),
                        o.root_cause.as_deref().unwrap_or("none")
                    ));
                }
            }
        }
        for p in &self.probe_rows {
            for case in p.caught_by.split([',', ' ']).filter(|c| c.contains("::")) {
                let case = case.trim_matches('`');
                if self.rows.get(case).is_none_or(|r| r.class != "breach") {
                    problems.push(format!(
                        "  not caught: PROBE.md row {} (line {}) names {case}, which is not a \
                         breach row of the table",
                        p.row, p.line
                    ));
                }
            }
        }
        problems
    }

    /// The run's exit code when its verdicts are the file's: 1 with a FAIL or ERROR, or with a
    /// BLOCKED case that no failing case explains.
    pub fn exit_code(&self) -> i32 {
        let fails = self.rows.values().any(|r| {
            r.verdict == "FAIL"
                || r.verdict == "ERROR"
                || (r.verdict == "BLOCKED" && !r.probe.contains("::"))
        });
        i32::from(fails)
    }
}

/// The whole check: run the core profile against `server`, compare with the expected file, and
/// require the run to leave nothing behind.
pub fn check_core_profile(server: &Server, expected: &str, jobs: u32) {
    // The file is checked before anything runs, so a malformed row fails fast.
    let expected = Expected::load(expected);
    assert!(!expected.rows.is_empty(), "{} lists no case", expected.path);
    let run = run_core(server, jobs);
    let problems = expected.problems(&run);
    let summary: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("Total:") || l.starts_with("Cleanup:"))
        .collect();
    assert!(
        problems.is_empty(),
        "the core profile against {} differs from {}:\n{}\n\n\
         Judge each row: a true RFC deviation of the server goes into the table (class breach, \
         with the PROBE.md row or the exchange); a BLOCKED case with its root cause; a case that \
         fails a behaviour the RFC allows is fixed in its suite file.\n\nsummary:\n{}",
        server.name,
        expected.path,
        problems.join("\n"),
        summary.join("\n")
    );
    assert_eq!(
        run.code,
        Some(expected.exit_code()),
        "exit code:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains(", 0 left"),
        "the run cleans up what it created on {}:\n{}",
        server.name,
        run.stdout
    );
}

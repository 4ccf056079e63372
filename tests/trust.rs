//! Trust on production tenants (issue 13): credentials stay with the base URL's origin and out of
//! every output, everything a run creates is deleted on every exit path, hostile answers stay
//! harmless, preflight says no at once, and suite files cannot take the run down. Each test runs
//! the reference server (`scimspec serve`) with a hostile fault as its own process on loopback.

mod common;

use common::{
    Report, Served, Sniffer, TOKEN, bin, block_on, leftovers, run_made, serve, tempdir, text,
};
use std::io::{BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `scimspec serve` on an ephemeral loopback port with the test token, the given faults and an
/// added latency per answer.
fn serve_with(faults: &[&str], latency_ms: u64) -> Served {
    let latency = latency_ms.to_string();
    let mut extra = vec!["--latency-ms", latency.as_str()];
    for f in faults {
        extra.extend(["--fault", f]);
    }
    serve(&extra)
}

/// The port of a server's base URL.
fn port_of(url: &str) -> u16 {
    url.split(':')
        .nth(2)
        .and_then(|p| p.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("port in the address")
}

/// `scimspec run` against the server with the token, snapshots off.
fn run(server: &Served, extra: &[&str]) -> Command {
    let mut cmd = bin();
    cmd.args([
        "run",
        "--base-url",
        &server.url,
        "--token",
        TOKEN,
        "--snapshot-mode",
        "off",
    ]);
    cmd.args(extra);
    cmd
}

/// GET a list with the test token.
fn list(base_url: &str, path: &str) -> serde_json::Value {
    block_on(async {
        reqwest::Client::new()
            .get(format!("{base_url}{path}"))
            .query(&[("count", "10000")])
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("list answers")
            .json()
            .await
            .expect("json list")
    })
}

/// Every file below `dir`, as (path, text).
fn files_below(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_below(&p));
        } else {
            out.push((
                p.display().to_string(),
                String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned(),
            ));
        }
    }
    out
}

fn json_report(path: &Path) -> serde_json::Value {
    Report::read(path).0
}

fn case<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| {
            format!(
                "{}::{}",
                c["suite"].as_str().unwrap_or(""),
                c["case"].as_str().unwrap_or("")
            ) == name
        })
        .unwrap_or_else(|| panic!("case {name} in the report"))
}

// ---------------------------------------------------------------- credentials

/// A plain TCP listener on 127.0.0.2 at the server's port: counts connections and keeps what
/// arrived, answering each with a SCIM-looking 200.
struct Foreign {
    connections: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<String>>>,
}

fn foreign_listener(port: u16) -> Foreign {
    let listener = TcpListener::bind(("127.0.0.2", port)).expect("bind 127.0.0.2");
    let connections = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(Mutex::new(Vec::new()));
    let (c, r) = (connections.clone(), received.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            c.fetch_add(1, Ordering::SeqCst);
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = vec![0u8; 16 * 1024];
            let n = s.read(&mut buf).unwrap_or(0);
            r.lock()
                .expect("lock")
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let body = r#"{"id":"x","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}"#;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Foreign {
        connections,
        received,
    }
}

#[test]
fn a_foreign_location_is_never_requested() {
    let server = serve_with(&["location-foreign-origin"], 0);
    let foreign = foreign_listener(port_of(&server.url));
    let dir = tempdir("trust-foreign");
    let report = dir.join("r.json");
    let out = run(&server, &["3.3-create", "--json"])
        .arg(&report)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    let got = foreign.connections.load(Ordering::SeqCst);
    let heads = foreign.received.lock().expect("lock").clone();
    assert_eq!(got, 0, "requests reached 127.0.0.2: {heads:?}");
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let doc = json_report(&report);
    for name in [
        "rfc7644.3.3-create::location-header",
        "rfc7644.3.3-create::meta-location",
    ] {
        let c = case(&doc, name);
        assert_eq!(c["verdict"], "FAIL", "{name}: {c}");
        let msg = c["message"].as_str().unwrap_or("");
        assert!(msg.contains("127.0.0.2"), "{name} names the origin: {msg}");
    }
    assert!(leftovers(&server.url).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The forms a secret takes when a server echoes it: as sent, JSON-escaped, percent-encoded.
fn forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).expect("json");
    let pct: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    vec![secret.to_owned(), json[1..json.len() - 1].to_owned(), pct]
}

fn assert_no_secret(outputs: &[(String, String)], secrets: &[&str]) {
    for (name, content) in outputs {
        for secret in secrets {
            for form in forms(secret) {
                assert!(
                    !content.contains(&form),
                    "`{form}` (a form of a secret) leaked into {name}"
                );
            }
        }
    }
}

/// Every output of a run: console, JUnit, JSON, HAR and snapshots.
fn run_everything(server: &Served, creds: &[&str], tag: &str) -> (Output, Vec<(String, String)>) {
    let dir = tempdir(tag);
    let mut cmd = bin();
    cmd.args(["run", "--base-url", &server.url]);
    cmd.args(creds);
    cmd.args(["--verbose", "--snapshot-mode", "record", "3.3-create"])
        .arg("--junit")
        .arg(dir.join("junit.xml"))
        .arg("--json")
        .arg(dir.join("report.json"))
        .arg("--record-http")
        .arg(dir.join("http.har"))
        .arg("--snapshots")
        .arg(dir.join("snaps"));
    let out = cmd.output().expect("runs");
    let (stdout, stderr) = text(&out);
    if dir.join("report.json").is_file() {
        Report::read(&dir.join("report.json"));
    }
    let mut files = vec![("stdout".to_owned(), stdout), ("stderr".to_owned(), stderr)];
    files.extend(files_below(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    (out, files)
}

#[test]
fn echoed_credentials_appear_in_no_output() {
    let server = serve_with(&["echo-credentials"], 0);
    let basic_pass = r#"p@ss w/rd"\q-9Zx"#;
    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        (vec!["--token".into(), TOKEN.into()], vec![TOKEN]),
        (
            vec![
                "--header".into(),
                "Authorization: Bearer hdr-bearer-7Qw2".into(),
            ],
            vec!["hdr-bearer-7Qw2"],
        ),
        (
            vec![
                "--secret-header".into(),
                "Authorization: Bearer sec-bearer-3Kp8".into(),
            ],
            vec!["sec-bearer-3Kp8"],
        ),
        (
            vec![
                "--token".into(),
                TOKEN.into(),
                "--secret-header".into(),
                "X-Api-Key: key-Secret-55Tz".into(),
            ],
            vec![TOKEN, "key-Secret-55Tz"],
        ),
        (
            vec!["--basic".into(), format!("svc:{basic_pass}")],
            vec![basic_pass],
        ),
    ];
    for (i, (flags, secrets)) in cases.iter().enumerate() {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let (out, files) = run_everything(&server, &flags, &format!("trust-echo-{i}"));
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{flags:?}: exit {:?}\n{}",
            out.status.code(),
            files[1].1
        );
        assert!(
            files
                .iter()
                .any(|(n, c)| n.ends_with(".har") && c.contains("x-echo")),
            "{flags:?}: the server's echo is in the record"
        );
        assert_no_secret(&files, secrets);
    }
}

#[test]
fn credentials_in_flags_and_urls_are_not_echoed_in_errors() {
    let out = bin()
        .args([
            "run",
            "--base-url",
            "http://127.0.0.1:9/scim",
            "--secret-header",
            "X-Api-Key=Secret123",
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !stdout.contains("Secret123") && !stderr.contains("Secret123"),
        "{stderr}"
    );
    assert!(stderr.contains("--secret-header"), "{stderr}");

    let out = bin()
        .args([
            "run",
            "--base-url",
            "http://svc:pw-Hidden-77@127.0.0.1:9/scim",
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !stdout.contains("pw-Hidden-77") && !stderr.contains("pw-Hidden-77"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

// ---------------------------------------------------------------- hostile answers

/// Ids the server made to steer requests: no victim is touched, the leftovers are listed and
/// the run fails.
#[test]
fn unsafe_ids_never_reach_a_request() {
    for (fault, victims_path, victim_attr) in [
        ("id-path-traversal", "/Groups", "displayName"),
        ("id-fragment", "/Users", "userName"),
    ] {
        let server = serve_with(&[fault], 0);
        let out = run(&server, &["3.3-create::returns-201", "--jobs", "4"])
            .output()
            .expect("runs");
        let (stdout, stderr) = text(&out);
        let victims: Vec<String> = list(&server.url, victims_path)["Resources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r[victim_attr].as_str().map(str::to_owned))
            .filter(|n| n.starts_with("victim-"))
            .collect();
        let users: Vec<String> = list(&server.url, "/Users")["Resources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r["userName"].as_str().map(str::to_owned))
            .filter(|n| run_made(n))
            .collect();
        assert!(!users.is_empty(), "{fault}: the run created users");
        assert_eq!(
            victims.len(),
            users.len(),
            "{fault}: a victim was touched\n{stdout}"
        );
        assert_eq!(out.status.code(), Some(1), "{fault}: {stdout}{stderr}");
        assert!(
            stdout.contains("cannot be one path segment"),
            "{fault}: {stdout}"
        );
        assert!(stdout.contains("scimspec cleanup"), "{fault}: {stdout}");
    }
}

#[test]
fn terminal_escapes_never_reach_the_terminal() {
    let server = serve_with(&["terminal-escapes"], 0);
    let out = run(&server, &["--verbose", "3.3-create"])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.contains("\\u{1b}"),
        "the escapes are shown, made visible: {stdout}"
    );
    for (name, s) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !s.iter().any(|b| *b == 0x1b || *b == 0x07),
            "{name} carries a raw escape:\n{stdout}{stderr}"
        );
    }
}

#[test]
fn cleanup_of_an_endless_list_is_bounded() {
    let server = serve_with(&["endless-list"], 0);
    let started = Instant::now();
    let out = bin()
        .args([
            "cleanup",
            "--base-url",
            &server.url,
            "--token",
            TOKEN,
            "--all-runs",
            "--dry-run",
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        stderr.contains("still listing"),
        "progress is reported: {stderr}"
    );
    assert!(stdout.contains("stopped there"), "{stdout}");
}

// ---------------------------------------------------------------- the ledger

/// Full core runs against the reference server with each hostile fault: the final count of the
/// run's resources on the server is the count the summary and the JSON report give (0 where the
/// run could delete everything), and leftovers fail the run.
#[test]
fn after_full_runs_with_each_hostile_fault_the_summary_is_true() {
    let faults: Vec<&str> = scimspec::serve::HOSTILE
        .iter()
        .map(|f| f.name)
        .filter(|f| *f != "endless-list")
        .collect();
    let failures: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = faults
            .chunks(faults.len().div_ceil(3))
            .map(|chunk| {
                s.spawn(move || {
                    let mut bad = Vec::new();
                    for fault in chunk {
                        if let Err(e) = full_run_summary_is_true(fault) {
                            bad.push(e);
                        }
                    }
                    bad
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|r| {
                r.join()
                    .unwrap_or_else(|_| vec!["a run thread panicked".into()])
            })
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The cleanup deletes by Bulk where the server advertises it (a few requests for dozens of
/// resources), trusts only what each operation's result confirms, and deletes the rest one by
/// one: under each fault of the Bulk answers, nothing the run made is left on the server.
#[test]
fn bulk_cleanup_deletes_everything_whatever_the_bulk_answers() {
    for fault in [
        "",
        "bulk-advertised-not-implemented",
        "bulk-operations-reversed",
        "bulk-status-integer",
        "bulk-no-location",
        "bulk-error-response-omitted",
        "delete-500-twice",
    ] {
        let faults: Vec<&str> = [fault].into_iter().filter(|f| !f.is_empty()).collect();
        let server = serve_with(&faults, 0);
        let dir = tempdir("trust-bulk-cleanup");
        let report = dir.join("r.json");
        let out = run(&server, &["3.5.2-patch", "--jobs", "4", "--json"])
            .arg(&report)
            .output()
            .expect("runs");
        let (stdout, stderr) = text(&out);
        assert!(
            leftovers(&server.url).is_empty(),
            "{fault}: left on the server\n{stdout}{stderr}"
        );
        assert!(stdout.contains(", 0 left"), "{fault}: {stdout}");
        let doc = json_report(&report);
        let created = doc["run"]["cleanup"]["created"].as_u64().unwrap_or(0);
        let requests = doc["run"]["cleanup"]["requests"].as_u64().unwrap_or(0);
        assert!(created > 40, "{fault}: {created} created");
        if fault.is_empty() {
            assert!(
                requests * 4 < created,
                "{created} created, {requests} cleanup requests: Bulk was not used"
            );
        }
        if fault == "bulk-advertised-not-implemented" {
            assert!(
                requests >= created,
                "{created} created, {requests} cleanup requests: nothing can go by Bulk"
            );
        }
    }
}

fn full_run_summary_is_true(fault: &str) -> Result<(), String> {
    let server = serve_with(&[fault], 0);
    let dir = tempdir("trust-full");
    let report = dir.join("r.json");
    let out = run(
        &server,
        &["--profile", "core,okta,entra", "--jobs", "16", "--json"],
    )
    .arg(&report)
    .output()
    .map_err(|e| format!("{fault}: {e}"))?;
    let (stdout, _) = text(&out);
    let on_server = leftovers(&server.url).len();
    let doc = json_report(&report);
    let listed = doc["run"]["cleanup"]["leftovers"]
        .as_array()
        .map_or(0, Vec::len);
    let said = format!(", {on_server} left");
    if listed != on_server || !stdout.contains(&said) {
        return Err(format!(
            "{fault}: {on_server} of the run's resources on the server, the JSON lists {listed}, the summary says {}",
            stdout
                .lines()
                .find(|l| l.starts_with("Cleanup:"))
                .unwrap_or("nothing")
        ));
    }
    // Nothing is deleted here, so every resource on the server is the run's: each must carry
    // the run id, or `cleanup --all-runs` could not find it.
    if fault == "delete-always-500" {
        let all = common::names_where(&server.url, |_| true);
        if all.len() != on_server {
            return Err(format!(
                "{fault}: names without the run id: {:?}",
                all.iter().filter(|n| !run_made(n)).collect::<Vec<_>>()
            ));
        }
    }
    let expect_left = matches!(
        fault,
        "id-path-traversal" | "id-fragment" | "delete-always-500"
    );
    if expect_left != (on_server > 0) {
        return Err(format!("{fault}: {on_server} left"));
    }
    if on_server > 0 && out.status.code() != Some(1) {
        return Err(format!(
            "{fault}: leftovers but exit {:?}",
            out.status.code()
        ));
    }
    Ok(())
}

/// Creates the ledger cannot read an id from are still deleted: numeric ids, no body, PUT that
/// upserts, bulk without location, DELETEs that fail twice.
#[test]
fn every_kind_of_create_is_cleaned_up() {
    for (fault, filter) in [
        ("numeric-ids", "3.3-create"),
        ("create-empty-answer", "3.3-create"),
        ("put-upsert-201", "put-unknown-id-does-not-create"),
        ("bulk-no-location", "3.7-bulk"),
        ("delete-500-twice", "3.3-create"),
    ] {
        let server = serve_with(&[fault], 0);
        let dir = tempdir("trust-ledger");
        let report = dir.join("r.json");
        let out = run(&server, &[filter, "--json"])
            .arg(&report)
            .output()
            .expect("runs");
        let (stdout, stderr) = text(&out);
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{fault}: {stdout}{stderr}"
        );
        assert_eq!(
            leftovers(&server.url),
            Vec::<String>::new(),
            "{fault}: left behind\n{stdout}"
        );
        let doc = json_report(&report);
        assert_eq!(
            doc["run"]["cleanup"]["leftovers"],
            serde_json::json!([]),
            "{fault}: {}",
            doc["run"]["cleanup"]
        );
        assert!(stdout.contains(", 0 left"), "{fault}: {stdout}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn deletes_that_always_fail_fail_the_run_and_are_listed() {
    let server = serve_with(&["delete-always-500"], 0);
    let dir = tempdir("trust-undeletable");
    let out = run(&server, &["3.3-create::returns-201"])
        .arg("--junit")
        .arg(dir.join("j.xml"))
        .arg("--json")
        .arg(dir.join("r.json"))
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let left = leftovers(&server.url);
    assert!(!left.is_empty());
    let junit = std::fs::read_to_string(dir.join("j.xml")).expect("junit");
    let doc = json_report(&dir.join("r.json"));
    assert_eq!(
        doc["run"]["cleanup"]["left"],
        left.len(),
        "{}",
        doc["run"]["cleanup"]
    );
    let listed = doc["run"]["cleanup"]["leftovers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed.len(), left.len(), "{}", doc["run"]["cleanup"]);
    for name in &left {
        assert!(
            stdout.contains(name.as_str()),
            "console lists {name}: {stdout}"
        );
        assert!(junit.contains(name.as_str()), "JUnit lists {name}");
    }
    assert!(stdout.contains("scimspec cleanup --base-url"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- exit paths

/// The moments of a run at which its output is cut or it is interrupted, each recognised by the
/// requests a relay in front of the server has seen.
#[derive(Clone, Copy, Debug)]
enum Moment {
    /// The first preflight read: nothing created yet.
    Preflight,
    /// The first create.
    FirstCreate,
    /// Some 60 creates in.
    MidRun,
    /// Some 250 creates in (of about 400 in a core run).
    LateRun,
    /// The end-of-run sweep, after the last case.
    FinalSweep,
}

const MOMENTS: [Moment; 5] = [
    Moment::Preflight,
    Moment::FirstCreate,
    Moment::MidRun,
    Moment::LateRun,
    Moment::FinalSweep,
];

/// The sweep asks for the run's names ten at a time (`userName eq "…" or …`); no case sends
/// five `eq`s in one filter.
fn is_sweep(request: &str) -> bool {
    request.starts_with("GET ")
        && request.matches("eq+%22").count() + request.matches("eq%20%22").count() >= 5
}

fn reached(sniffer: &Sniffer, moment: Moment) -> bool {
    let seen = sniffer.requests();
    let posts = seen.iter().filter(|r| r.starts_with("POST ")).count();
    match moment {
        Moment::Preflight => !seen.is_empty(),
        Moment::FirstCreate => posts >= 1,
        Moment::MidRun => posts >= 60,
        Moment::LateRun => posts >= 250,
        Moment::FinalSweep => seen.iter().any(|r| is_sweep(r)),
    }
}

fn wait_until(sniffer: &Sniffer, moment: Moment, child: &mut std::process::Child) {
    let started = Instant::now();
    while !reached(sniffer, moment) {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the run ended before {moment:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{moment:?} not reached"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn wait_end(child: std::process::Child, what: &str) -> Output {
    let mut child = child;
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{what}: the run ends"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A core run through a relay, reports asked for; stdout and stderr piped.
fn spawn_core_run(sniffer: &Sniffer, dir: &Path) -> std::process::Child {
    let mut cmd = bin();
    cmd.args([
        "run",
        "--base-url",
        &sniffer.url,
        "--token",
        TOKEN,
        "--snapshot-mode",
        "off",
        "--profile",
        "core",
        "--jobs",
        "8",
    ]);
    cmd.arg("--junit")
        .arg(dir.join("j.xml"))
        .arg("--json")
        .arg(dir.join("r.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts")
}

/// `scimspec run … | head`: the reader goes away at each moment; the run neither panics nor
/// stops early, and leaves nothing behind.
#[test]
fn a_closed_pipe_does_not_stop_the_cleanup() {
    for moment in MOMENTS {
        let server = serve_with(&[], 5);
        let sniffer = common::sniff(&server.url);
        let dir = tempdir("trust-pipe");
        let mut child = spawn_core_run(&sniffer, &dir);
        let stdout = child.stdout.take().expect("stdout");
        set_nonblocking(&stdout);
        let mut reader = stdout;
        let mut buf = [0u8; 4096];
        // Keep reading (as `head` does until it has its lines) until the moment, then close.
        while !reached(&sniffer, moment) {
            assert!(
                child.try_wait().expect("wait").is_none(),
                "the run ended before {moment:?}"
            );
            match reader.read(&mut buf) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(2))
                }
                Err(e) => panic!("reading stdout: {e}"),
            }
        }
        drop(reader);
        let out = wait_end(child, "pipe");
        let (_, stderr) = text(&out);
        assert!(!stderr.contains("panicked"), "{moment:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{moment:?}: {:?} {stderr}",
            out.status
        );
        assert_eq!(
            leftovers(&server.url),
            Vec::<String>::new(),
            "{moment:?}: left behind"
        );
        assert!(dir.join("j.xml").is_file(), "{moment:?}: JUnit written");
        assert!(dir.join("r.json").is_file(), "{moment:?}: JSON written");
    }
}

#[cfg(unix)]
fn set_nonblocking(stdout: &std::process::ChildStdout) {
    use std::os::fd::AsRawFd;
    let fd = stdout.as_raw_fd();
    // SAFETY: fcntl on a descriptor this process owns; only the O_NONBLOCK flag is added.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

/// A signal at each moment: cleanup, reports written, exit 130, nothing left behind.
fn interrupted_at_every_moment(signal: &str) {
    for moment in MOMENTS {
        let server = serve_with(&[], 5);
        let sniffer = common::sniff(&server.url);
        let dir = tempdir("trust-signal");
        let mut child = spawn_core_run(&sniffer, &dir);
        // Drained on the side so a full pipe never holds the run up.
        let stdout = child.stdout.take().expect("stdout");
        let drained = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = BufReader::new(stdout).read_to_string(&mut s);
            s
        });
        wait_until(&sniffer, moment, &mut child);
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let out = wait_end(child, signal);
        let stdout = drained.join().unwrap_or_default();
        let (_, stderr) = text(&out);
        assert_eq!(
            out.status.code(),
            Some(130),
            "{signal} at {moment:?}: {stdout}\n{stderr}"
        );
        assert_eq!(
            leftovers(&server.url),
            Vec::<String>::new(),
            "{signal} at {moment:?}: left behind\n{stderr}"
        );
        assert!(
            dir.join("j.xml").is_file(),
            "{signal} at {moment:?}: JUnit written"
        );
        let doc = json_report(&dir.join("r.json"));
        assert_eq!(doc["run"]["interrupted"], true, "{signal} at {moment:?}");
    }
}

#[test]
fn sigint_cleans_up_and_exits_130() {
    interrupted_at_every_moment("INT");
}

#[test]
fn sigterm_cleans_up_and_exits_130() {
    interrupted_at_every_moment("TERM");
}

#[test]
fn sighup_cleans_up_and_exits_130() {
    interrupted_at_every_moment("HUP");
}

// ---------------------------------------------------------------- preflight and options

#[test]
fn missing_credentials_stop_at_preflight() {
    let server = serve_with(&[], 0);
    for creds in [vec![], vec!["--token", ""]] {
        let mut cmd = bin();
        cmd.args(["run", "--base-url", &server.url, "--snapshot-mode", "off"]);
        cmd.args(&creds);
        let out = cmd.output().expect("runs");
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{creds:?}: {stdout}{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("credentials"), "{stderr}");
    }
    assert!(
        list(&server.url, "/Users")["totalResults"] == 0,
        "nothing was written"
    );
}

#[test]
fn bad_options_are_refused_before_any_request() {
    let server = serve_with(&[], 0);
    let base = server.url.clone();
    let blocker = tempdir("trust-blocker");
    let file = blocker.join("a-file");
    std::fs::write(&file, "x").expect("write");
    let empty_ca = blocker.join("empty.pem");
    std::fs::write(&empty_ca, "").expect("write");
    let under_file = file.join("report.xml");
    let tries: Vec<(Vec<String>, &str)> = vec![
        (vec!["--rate".into(), "1e-19".into()], "--rate"),
        (
            vec!["--jobs".into(), "18446744073709551615".into()],
            "--jobs",
        ),
        (vec!["--jobs".into(), "0".into()], "--jobs"),
        (vec!["--timeout".into(), "0".into()], "--timeout"),
        (vec!["--header".into(), "X-A: a\nb".into()], "header"),
        (
            vec!["--cacert".into(), empty_ca.display().to_string()],
            "--cacert",
        ),
        (
            vec!["--junit".into(), under_file.display().to_string()],
            "report.xml",
        ),
        (
            vec!["--fault".into(), "create-returns-200".into()],
            "--fault",
        ),
    ];
    for (flags, expect) in tries {
        let started = Instant::now();
        let mut cmd = run(&server, &[]);
        cmd.args(&flags);
        let out = cmd.output().expect("runs");
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stdout}{stderr}");
        assert!(stderr.contains(expect), "{flags:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{flags:?}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{flags:?} took long"
        );
    }
    let out = bin()
        .args([
            "run",
            "--base-url",
            &format!("{base}#frag"),
            "--token",
            TOKEN,
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        list(&base, "/Users")["totalResults"] == 0,
        "nothing was written"
    );

    // A missing report directory is created before the run.
    let reports = blocker.join("new/sub");
    let out = run(
        &server,
        &["3.3-create::returns-201", "--insecure", "--junit"],
    )
    .arg(reports.join("j.xml"))
    .arg("--json")
    .arg(reports.join("r.json"))
    .output()
    .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.lines().next().unwrap_or("").contains("--insecure"),
        "{stdout}"
    );
    let doc = json_report(&reports.join("r.json"));
    assert_eq!(doc["run"]["insecure"], true);
    let junit = std::fs::read_to_string(reports.join("j.xml")).expect("junit");
    assert!(junit.contains("insecure"), "{junit}");
    let _ = std::fs::remove_dir_all(&blocker);
}

// ---------------------------------------------------------------- suite files

#[test]
fn nested_repeat_is_refused_by_lint_and_loader() {
    let dir = tempdir("trust-repeat");
    let file: PathBuf = dir.join("bomb.yaml");
    std::fs::write(
        &file,
        r#"id: local.bomb
title: A body that multiplies
spec: "RFC 7644 §3.3"
profile: local
cases:
  - id: bomb
    title: nested repeat
    requirements: [rfc7644.3.3.create-returns-201]
    level: MUST
    steps:
      - request:
          method: POST
          path: /Users
          body:
            items:
              $repeat: 100000
              each:
                $repeat: 100000
                each: "x${index}"
        expect: { status: 201 }
"#,
    )
    .expect("write");
    let out = bin().arg("lint").arg(&file).output().expect("lint runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("bomb.yaml:"), "file:line: {stderr}");
    assert!(stderr.contains("$repeat"), "{stderr}");
    let out = bin()
        .args(["run", "--builtin", "core", "--profile", "local", "--suites"])
        .arg(&dir)
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("$repeat"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

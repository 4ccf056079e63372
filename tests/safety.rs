//! Safe on real endpoints: cleanup after Ctrl-C, the cleanup command, --read-only, and no token in
//! any output — against the reference server run as its own process on 127.0.0.1.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `scimspec serve` with an added latency per request.
fn server(latency_ms: u64) -> Served {
    serve(&["--latency-ms", &latency_ms.to_string()])
}

/// `scimspec run` of the core profile against the server, snapshots off.
fn run_core(server: &Served) -> Run {
    Run::against(&server.url)
        .profile("core")
        .args(["--snapshot-mode", "off"])
}

/// Every userName / displayName on the server that starts like a run's names (decoys included:
/// the cleanup command must leave those alone).
fn leftovers(base_url: &str) -> Vec<String> {
    names_where(base_url, |n| n.starts_with("scimspec-"))
}

#[test]
fn ctrl_c_halfway_leaves_nothing_behind() {
    let server = server(40);
    let mut run = run_core(&server)
        .args(["--jobs", "4"])
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts");
    // Interrupt once the run has resources on the server.
    let started = Instant::now();
    while leftovers(&server.url).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run never created anything"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = Instant::now();
    let out = loop {
        if run.try_wait().expect("wait").is_some() {
            break run.wait_with_output().expect("output");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run ends soon after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    // The cleanup summary is part of the report on stdout, after the interrupt as after a run.
    assert!(stdout.contains(", 0 left"), "{stdout}");
    assert_eq!(
        leftovers(&server.url),
        Vec::<String>::new(),
        "nothing with the run prefix remains"
    );
}

#[test]
fn cleanup_command_deletes_only_what_runs_left() {
    let server = server(0);
    // Leave resources on purpose with --keep, and make one user that is not ours.
    let keep = run_core(&server).args(["--keep", "3.3-create"]).run();
    let stdout = &keep.stdout;
    assert!(stdout.contains("left (--keep)"), "{stdout}");
    let run_id = stdout
        .split(" — run ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("run id printed")
        .to_owned();
    let before = leftovers(&server.url);
    assert!(!before.is_empty());
    let status = block_on(async {
        reqwest::Client::new()
            .post(format!("{}/Users", server.url))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/scim+json")
            .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scimspec-admin@example.com"}"#)
            .send()
            .await
            .expect("create")
            .status()
    });
    assert_eq!(status.as_u16(), 201);

    let cleanup = |args: &[&str]| {
        Run::new(["cleanup", "--base-url", &server.url, "--token", TOKEN])
            .args(args)
            .run()
    };
    let dry = cleanup(&["--run-id", &run_id, "--dry-run"]);
    let stdout = &dry.stdout;
    assert_eq!(dry.code, Some(0), "{}", dry.output());
    assert!(
        stdout.contains(&format!(
            "{} resources named scimspec-{run_id}-",
            before.len()
        )),
        "{stdout}"
    );
    assert_eq!(
        leftovers(&server.url).len(),
        before.len() + 1,
        "--dry-run deletes nothing"
    );

    let all = cleanup(&["--all-runs"]);
    assert_eq!(all.code, Some(0), "{}", all.output());
    assert_eq!(
        leftovers(&server.url),
        vec!["scimspec-admin@example.com".to_owned()],
        "only names with a run id are deleted"
    );
}

#[test]
fn read_only_sends_no_write() {
    let server = server(0);
    let ran = run_core(&server).arg("--read-only").run();
    let stdout = &ran.stdout;
    assert!(matches!(ran.code, Some(0) | Some(1)), "{}", ran.output());
    assert!(
        stdout.contains("--read-only: left out"),
        "the plan says what it left out: {stdout}"
    );
    assert!(
        stdout.contains("Cleanup: 0 created, 0 deleted, 0 left"),
        "{stdout}"
    );
    assert!(leftovers(&server.url).is_empty());
}

#[test]
fn no_output_carries_the_token() {
    let server = server(0);
    let mut run = Run::against(&server.url)
        .profile("core,okta,entra")
        .args(["--verbose", "--snapshot-mode", "record"])
        .args(["--secret-header", "X-Api-Key: hdr-secret-Kq93mZ"])
        .junit()
        .json();
    let dir = run.dir();
    let ran = run
        .arg("--record-http")
        .arg(dir.join("http.har"))
        .arg("--snapshots")
        .arg(dir.join("snaps"))
        .run();
    let mut files = vec![
        ("stdout".to_owned(), ran.stdout.clone()),
        ("stderr".to_owned(), ran.stderr.clone()),
    ];
    fn walk(d: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap_or_default(),
                ));
            }
        }
    }
    walk(&dir, &mut files);
    ran.report();
    assert!(
        files.iter().any(|(n, _)| n.ends_with(".har")),
        "the HTTP record was written"
    );
    for (name, content) in &files {
        for secret in [TOKEN, "Zq8v1W9k", "hdr-secret-Kq93mZ"] {
            assert!(!content.contains(secret), "{secret} leaked into {name}");
        }
    }
    let har = files
        .iter()
        .find(|(n, _)| n.ends_with(".har"))
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    assert!(
        har.contains("[REDACTED]"),
        "the record shows where the secret was"
    );
}

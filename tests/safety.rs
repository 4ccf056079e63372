//! Safe on real endpoints: cleanup after Ctrl-C, the cleanup command, --read-only, and no token in
//! any output — against the reference server run as its own process on 127.0.0.1.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    base_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `scimspec serve` on an ephemeral port, with the test token and an added latency.
fn serve(latency_ms: u64) -> Server {
    let mut child = bin()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token",
            TOKEN,
            "--latency-ms",
            &latency_ms.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("serve prints its address");
    let base_url = line
        .split(" at ")
        .nth(1)
        .expect("address in first line")
        .trim()
        .to_owned();
    Server { child, base_url }
}

/// `scimspec run` of the core profile against the server, snapshots off.
fn run_core(server: &Server) -> Command {
    let mut cmd = bin();
    cmd.args([
        "run",
        "--base-url",
        &server.base_url,
        "--token",
        TOKEN,
        "--profile",
        "core",
        "--snapshot-mode",
        "off",
    ]);
    cmd
}

/// Every userName / displayName on the server that a scimspec run made.
fn leftovers(base_url: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let client = reqwest::Client::new();
        let mut out = Vec::new();
        for (path, attr) in [("/Users", "userName"), ("/Groups", "displayName")] {
            let body: serde_json::Value = client
                .get(format!("{base_url}{path}"))
                .query(&[("count", "10000")])
                .bearer_auth(TOKEN)
                .send()
                .await
                .expect("list answers")
                .json()
                .await
                .expect("json list");
            for r in body["Resources"].as_array().cloned().unwrap_or_default() {
                let name = r[attr].as_str().unwrap_or("").to_owned();
                if name.starts_with("scimspec-") {
                    out.push(name);
                }
            }
        }
        out
    })
}

#[test]
fn ctrl_c_halfway_leaves_nothing_behind() {
    let server = serve(40);
    let mut run = run_core(&server)
        .args(["--jobs", "4"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run starts");
    // Interrupt once the run has resources on the server.
    let started = Instant::now();
    while leftovers(&server.base_url).is_empty() {
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
        leftovers(&server.base_url),
        Vec::<String>::new(),
        "nothing with the run prefix remains"
    );
}

#[test]
fn cleanup_command_deletes_only_what_runs_left() {
    let server = serve(0);
    // Leave resources on purpose with --keep, and make one user that is not ours.
    let keep = run_core(&server)
        .args(["--keep", "3.3-create"])
        .output()
        .expect("runs");
    let (stdout, _) = text(&keep);
    assert!(stdout.contains("left (--keep)"), "{stdout}");
    let run_id = stdout
        .split(" — run ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect("run id printed")
        .to_owned();
    let before = leftovers(&server.base_url);
    assert!(!before.is_empty());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/Users", server.base_url))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/scim+json")
            .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scimspec-admin@example.com"}"#)
            .send()
            .await
            .expect("create")
            .status()
    });
    assert_eq!(status.as_u16(), 201);

    let dry = bin()
        .args([
            "cleanup",
            "--base-url",
            &server.base_url,
            "--token",
            TOKEN,
            "--run-id",
            &run_id,
            "--dry-run",
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&dry);
    assert_eq!(dry.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "{} resources named scimspec-{run_id}-",
            before.len()
        )),
        "{stdout}"
    );
    assert_eq!(
        leftovers(&server.base_url).len(),
        before.len() + 1,
        "--dry-run deletes nothing"
    );

    let out = bin()
        .args([
            "cleanup",
            "--base-url",
            &server.base_url,
            "--token",
            TOKEN,
            "--all-runs",
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(
        leftovers(&server.base_url),
        vec!["scimspec-admin@example.com".to_owned()],
        "only names with a run id are deleted"
    );
}

#[test]
fn read_only_sends_no_write() {
    let server = serve(0);
    let out = run_core(&server).arg("--read-only").output().expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{stdout}{stderr}"
    );
    assert!(
        stdout.contains("--read-only: left out"),
        "the plan says what it left out: {stdout}"
    );
    assert!(
        stdout.contains("Cleanup: 0 created, 0 deleted, 0 left"),
        "{stdout}"
    );
    assert!(leftovers(&server.base_url).is_empty());
}

#[test]
fn no_output_carries_the_token() {
    let server = serve(0);
    let dir = tempdir("secrets");
    let out = bin()
        .args([
            "run",
            "--base-url",
            &server.base_url,
            "--token",
            TOKEN,
            "--profile",
            "core,okta,entra",
            "--verbose",
            "--snapshot-mode",
            "record",
        ])
        .arg("--secret-header")
        .arg("X-Api-Key: hdr-secret-Kq93mZ")
        .arg("--junit")
        .arg(dir.join("junit.xml"))
        .arg("--json")
        .arg(dir.join("report.json"))
        .arg("--record-http")
        .arg(dir.join("http"))
        .arg("--snapshots")
        .arg(dir.join("snaps"))
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    let mut files = vec![("stdout".to_owned(), stdout), ("stderr".to_owned(), stderr)];
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

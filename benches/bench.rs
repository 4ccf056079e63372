//! scimspec's benchmark (`cargo bench --bench bench`): not a timed test, a report.
//!
//! 1. start-up + suite loading: `scimspec list` and `scimspec lint` as whole processes;
//! 2. the runner's own overhead per request: a `--jobs 1` run against the reference server on
//!    loopback, per request, beside a bare reqwest client doing the same number of round trips;
//! 3. scaling with `--jobs` against a server that adds 20 ms to every answer;
//! 4. the reference server's requests per second on loopback, and the full core suite's wall time.
//!
//! Every figure is a median of several runs, measured in this one process.

use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scimspec");

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_process(args: &[&str], runs: usize) -> Duration {
    let mut times = Vec::new();
    for i in 0..=runs {
        let t = Instant::now();
        let out = Command::new(BIN)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        let d = t.elapsed();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if i > 0 {
            times.push(d);
        }
    }
    median(times)
}

struct Served {
    child: std::process::Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(latency_ms: u64) -> Served {
    use std::io::BufRead;
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--token",
            "bench-token",
            "--latency-ms",
            &latency_ms.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    let base = line
        .split(" at ")
        .nth(1)
        .expect("address")
        .trim()
        .to_owned();
    Served { child, base }
}

/// Runs the core profile; returns (wall time, number of HTTP exchanges the cases made).
fn run_core(base: &str, jobs: usize, filter: Option<&str>) -> (Duration, usize) {
    let report = std::env::temp_dir().join(format!("scimspec-bench-{}.json", std::process::id()));
    let mut cmd = Command::new(BIN);
    cmd.args([
        "run",
        "--base-url",
        base,
        "--token",
        "bench-token",
        "--profile",
        "core",
        "--snapshot-mode",
        "off",
        "--jobs",
        &jobs.to_string(),
        "--json",
    ])
    .arg(&report)
    .env("NO_COLOR", "1");
    if let Some(f) = filter {
        cmd.arg(f);
    }
    let t = Instant::now();
    let out = cmd.output().expect("runs");
    let d = t.elapsed();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    let exchanges = doc["cases"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| c["transcript"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0);
    (d, exchanges)
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    println!("scimspec benchmark (medians; 2-core machine figures vary, compare ratios)\n");

    let list = time_process(&["list"], 10);
    let lint = time_process(&["lint"], 10);
    println!(
        "start-up + loading: `scimspec list` {:.1} ms, `scimspec lint` (all suites + schema checks) {:.1} ms (target ≤ 50 ms)",
        ms(list),
        ms(lint)
    );

    let server = serve(0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut per_req_run = Vec::new();
    let mut exchanges = 0;
    for _ in 0..5 {
        let (d, n) = run_core(&server.base, 1, None);
        exchanges = n;
        per_req_run.push(d / n.max(1) as u32);
    }
    // The same number of sequential round trips from a bare client: the floor the runner adds to.
    let client = reqwest::Client::new();
    let url = format!("{}/ServiceProviderConfig", server.base);
    let mut per_req_raw = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        rt.block_on(async {
            for _ in 0..exchanges {
                let r = client
                    .get(&url)
                    .bearer_auth("bench-token")
                    .send()
                    .await
                    .expect("answer");
                let _ = r.bytes().await;
            }
        });
        per_req_raw.push(t.elapsed() / exchanges.max(1) as u32);
    }
    let run_pr = median(per_req_run);
    let raw_pr = median(per_req_raw);
    println!(
        "per request, --jobs 1, {exchanges} exchanges: whole run (process start, preflight, checks, cleanup) {:.3} ms; bare client {:.3} ms",
        ms(run_pr),
        ms(raw_pr),
    );
    // The runner's own cost: CPU time of the scimspec process (the server runs in another one),
    // per exchange, read with the shell's `times` after the run.
    let mut cpu = Vec::new();
    for _ in 0..5 {
        let script = format!(
            "\"$0\" run --base-url '{}' --token bench-token --profile core --snapshot-mode off --jobs 16 >/dev/null; times",
            server.base
        );
        let out = Command::new("sh")
            .args(["-c", &script, BIN])
            .output()
            .expect("sh runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(children) = text.lines().nth(1) {
            let secs: f64 = children.split_whitespace().filter_map(parse_times).sum();
            cpu.push(Duration::from_secs_f64(secs / exchanges.max(1) as f64));
        }
    }
    if !cpu.is_empty() {
        println!(
            "runner CPU per exchange (user+sys of the scimspec process, --jobs 16): {:.3} ms (target ≤ 1 ms)",
            ms(median(cpu))
        );
    }

    let slow = serve(20);
    println!("\nwall time of the core profile against a server adding 20 ms per answer:");
    let mut base_time = None;
    for jobs in [1usize, 2, 4, 8, 16, 32] {
        let (d, _) = run_core(&slow.base, jobs, None);
        let b = *base_time.get_or_insert(d);
        println!(
            "  --jobs {jobs:>2}: {:>7.2} s  (speed-up {:.1}x)",
            d.as_secs_f64(),
            b.as_secs_f64() / d.as_secs_f64()
        );
    }

    // Server throughput: 32 concurrent clients reading one user for 3 seconds.
    let id = rt.block_on(async {
        let r: serde_json::Value = client
            .post(format!("{}/Users", server.base))
            .bearer_auth("bench-token")
            .header("Content-Type", "application/scim+json")
            .body(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bench@example.com"}"#)
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        r["id"].as_str().unwrap_or("").to_owned()
    });
    let url = format!("{}/Users/{id}", server.base);
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let window = Duration::from_secs(3);
    rt.block_on(async {
        let deadline = Instant::now() + window;
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let client = client.clone();
            let url = url.clone();
            let count = count.clone();
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    if let Ok(r) = client.get(&url).bearer_auth("bench-token").send().await {
                        let _ = r.bytes().await;
                        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    let n = count.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "\nreference server: {:.0} requests/s (GET /Users/{{id}}, 32 concurrent clients, loopback, client on the same 2 cores)",
        n as f64 / window.as_secs_f64()
    );
    let walls: Vec<Duration> = (0..5).map(|_| run_core(&server.base, 16, None).0).collect();
    println!(
        "full core profile against it, --jobs 16: {:.2} s wall (median of 5)",
        median(walls).as_secs_f64()
    );
}

/// `0m1.234s` → 1.234
fn parse_times(field: &str) -> Option<f64> {
    let (m, rest) = field.split_once('m')?;
    Some(m.parse::<f64>().ok()? * 60.0 + rest.trim_end_matches('s').parse::<f64>().ok()?)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

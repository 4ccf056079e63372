//! Servers on 127.0.0.1: any axum app in-process (the mock, the reference server's router), and
//! the reference server as its own process (`scimspec serve`).

use super::TOKEN;
use super::binary::bin;
use scimspec::serve::{Flavour, ServeOptions};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

/// An app served on its own thread and runtime; stops accepting connections when dropped.
pub struct InProcess {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Serves `app` on an ephemeral loopback port; `url` is its address followed by `base_path`.
pub fn in_process(app: axum::Router, base_path: &str) -> InProcess {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind 127.0.0.1:0");
            addr_tx
                .send(listener.local_addr().expect("local addr"))
                .expect("send addr");
            // Not awaited to the end by anyone: a handler that hangs on purpose must not hold up
            // the test that dropped the server.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
    });
    let addr = addr_rx.recv().expect("the server thread binds");
    InProcess {
        url: format!("http://{addr}{base_path}"),
        stop: Some(stop),
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// The reference server in this process, with the test token.
pub fn reference(flavour: Flavour, faults: &[&str]) -> InProcess {
    let app = scimspec::serve::router(ServeOptions {
        flavour,
        token: Some(TOKEN.into()),
        faults: faults.iter().map(|f| f.to_string()).collect(),
        options: Vec::new(),
    })
    .unwrap_or_else(|e| panic!("reference server: {e}"));
    in_process(app, flavour.base_path())
}

/// A child process killed (and reaped) when dropped, also when the test panics.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `scimspec serve` as its own process.
pub struct Served {
    pub url: String,
    _child: KillOnDrop,
}

/// `scimspec serve` on an ephemeral port with the test token, plus `extra` arguments
/// (`--latency-ms`, `--flavour`, `--fault`).
pub fn serve(extra: &[&str]) -> Served {
    let mut child = bin()
        .args(["serve", "--listen", "127.0.0.1:0", "--token", TOKEN])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("scimspec serve does not start: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let child = KillOnDrop(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("serve prints its address");
    let url = line
        .split(" at ")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in `{line}`"))
        .trim()
        .to_owned();
    Served { url, _child: child }
}

/// Runs a future to the end on a runtime of its own, for tests that talk HTTP themselves.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// True for names a scimspec run made (`scimspec-<8 hex>-` anywhere in the name, any case).
pub fn run_made(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.match_indices("scimspec-").any(|(at, _)| {
        let rest = &name[at + 9..];
        let id: String = rest.chars().take_while(|c| *c != '-').collect();
        id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()) && id != "0badc0de"
    })
}

/// Every userName / displayName on the server (read with the test token) that a run made.
pub fn leftovers(base_url: &str) -> Vec<String> {
    names_where(base_url, run_made)
}

/// Every userName / displayName on the server (read with the test token) that `keep` accepts,
/// page by page (a server caps a page at its maxResults).
pub fn names_where(base_url: &str, keep: fn(&str) -> bool) -> Vec<String> {
    block_on(async {
        let client = reqwest::Client::new();
        let mut out = Vec::new();
        for (path, attr) in [("/Users", "userName"), ("/Groups", "displayName")] {
            let mut start = 1u64;
            // Bounded: a hostile server's list may never end.
            for _ in 0..100 {
                let body: serde_json::Value = client
                    .get(format!("{base_url}{path}"))
                    .query(&[
                        ("count", "1000".to_owned()),
                        ("startIndex", start.to_string()),
                    ])
                    .bearer_auth(super::TOKEN)
                    .send()
                    .await
                    .expect("list answers")
                    .json()
                    .await
                    .expect("json list");
                let page = body["Resources"].as_array().cloned().unwrap_or_default();
                for r in &page {
                    let name = r[attr].as_str().unwrap_or("").to_owned();
                    if keep(&name) {
                        out.push(name);
                    }
                }
                start += page.len() as u64;
                let total = body["totalResults"].as_u64().unwrap_or(0);
                if page.is_empty() || start > total {
                    break;
                }
            }
        }
        out
    })
}

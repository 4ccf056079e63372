//! A TCP relay on 127.0.0.1 in front of a server that notes the request line of every HTTP/1.1
//! request passing through, so a test can act at a chosen moment of a run (the first preflight
//! read, the first create, the final sweep) without any hook in the runner.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The relay: `url` is the upstream base URL with the relay's address instead.
pub struct Sniffer {
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Sniffer {
    /// Every request line seen so far (`POST /scim/v2/Users`), in order of arrival.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until a request line satisfies `hit`; panics after `limit`.
    pub fn wait_for(&self, what: &str, limit: Duration, hit: impl Fn(&str) -> bool) {
        let started = Instant::now();
        loop {
            if self.requests().iter().any(|r| hit(r)) {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "no request {what} within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Relays 127.0.0.1:<ephemeral> to the host and port of `upstream` (an `http://` base URL).
pub fn sniff(upstream: &str) -> Sniffer {
    let rest = upstream
        .strip_prefix("http://")
        .expect("a plain http upstream");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let authority = authority.to_owned();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let url = format!(
        "http://{}{path}",
        listener.local_addr().expect("local address")
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    // Detached: it lives as long as the test process and only ever talks to loopback.
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&authority) else {
                continue;
            };
            relay(client, server, log.clone());
        }
    });
    Sniffer { url, seen }
}

fn relay(client: TcpStream, server: TcpStream, log: Arc<Mutex<Vec<String>>>) {
    let (Ok(mut client_r), Ok(mut server_w)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let (mut server_r, mut client_w) = (server, client);
    std::thread::spawn(move || {
        let line = regex::Regex::new(r"(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP/1\.1\r\n")
            .expect("a valid pattern");
        let mut buf = [0u8; 16 * 1024];
        // The tail of the previous read, so a request line split across reads is still seen.
        let mut carry = String::new();
        loop {
            let n = match client_r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let text = format!("{carry}{}", String::from_utf8_lossy(&buf[..n]));
            let mut last_end = 0;
            for c in line.captures_iter(&text) {
                let whole = c.get(0).map_or(0..0, |m| m.range());
                if whole.end > carry.len() {
                    log.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!("{} {}", &c[1], &c[2]));
                }
                last_end = whole.end;
            }
            let mut keep_from = text.len().saturating_sub(256).max(last_end);
            while !text.is_char_boundary(keep_from) {
                keep_from -= 1;
            }
            carry = text[keep_from..].to_owned();
            if server_w.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = server_w.shutdown(Shutdown::Write);
    });
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut server_r, &mut client_w);
        let _ = client_w.shutdown(Shutdown::Write);
    });
}

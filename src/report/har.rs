//! `--record-http FILE`: every exchange of the run as HAR 1.2 (credentials already redacted),
//! for a vendor's support team and for replaying a request with curl.

use crate::run::record::{CaseRecord, Exchange};
use serde_json::{Value, json};

fn headers(hs: &[(String, String)]) -> Vec<Value> {
    hs.iter()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect()
}

fn header<'a>(hs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    hs.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The query string's pairs, decoded, as HAR's `queryString` lists them.
fn query_string(url: &str) -> Vec<Value> {
    match url::Url::parse(url) {
        Ok(u) => u
            .query_pairs()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn entry(r: &CaseRecord, x: &Exchange) -> Value {
    // HAR has no place for "unknown": the request went out in the version the answer came in.
    let version = if x.http_version.is_empty() {
        "HTTP/1.1"
    } else {
        x.http_version.as_str()
    };
    let mut request = json!({
        "method": x.method,
        "url": x.url,
        "httpVersion": version,
        "cookies": [],
        "headers": headers(&x.request_headers),
        "queryString": query_string(&x.url),
        "headersSize": -1,
        "bodySize": x.request_body.as_ref().map_or(0, |b| b.len()),
    });
    if let Some(b) = &x.request_body {
        let mime = header(&x.request_headers, "content-type").unwrap_or("application/scim+json");
        request["postData"] = json!({"mimeType": mime, "params": [], "text": b});
    }
    let mut response = json!({
        "status": x.status.unwrap_or(0),
        "statusText": x.reason,
        "httpVersion": version,
        "cookies": [],
        "headers": headers(&x.response_headers),
        "content": {
            "size": x.response_body.len(),
            "mimeType": header(&x.response_headers, "content-type").unwrap_or(""),
            "text": x.response_body,
        },
        "redirectURL": header(&x.response_headers, "location")
            .filter(|_| x.status.is_some_and(|s| (300..400).contains(&s)))
            .unwrap_or(""),
        "headersSize": -1,
        "bodySize": if x.status.is_some() { x.response_body.len() as i64 } else { -1 },
    });
    if let Some(e) = &x.error {
        response["_error"] = json!(e);
    }
    let mut comment = format!("{} — {} ({})", r.name(), x.step, r.verdict.as_str());
    for retry in &x.retries {
        comment.push_str(&format!("; {retry}"));
    }
    json!({
        "startedDateTime": x.started,
        "time": x.elapsed_ms,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": x.elapsed_ms, "receive": 0},
        "comment": comment,
    })
}

/// The HAR document: one entry per exchange, cases in name order, steps in the order sent. A
/// shared fixture's exchange, shown in each using case's transcript, was sent once: it is one
/// entry, under the first of its cases. A shared discovery answer was not sent by the case that
/// shows it: it is no entry (preflight's reads are in no case).
pub fn har(records: &[CaseRecord], run_id: &str, label: &str) -> Value {
    let mut seen = std::collections::HashSet::new();
    let entries: Vec<Value> = records
        .iter()
        .flat_map(|r| r.transcript.iter().map(move |x| (r, x)))
        .filter(|(_, x)| x.shared.is_none())
        .filter(|(r, x)| match &x.fixture {
            Some(f) => seen.insert((&r.suite, f, &x.step, &x.started)),
            None => true,
        })
        .map(|(r, x)| entry(r, x))
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "scimspec", "version": env!("CARGO_PKG_VERSION")},
            "comment": format!("scimspec run {run_id} against {label}; credentials redacted as [REDACTED]"),
            "entries": entries,
        }
    })
}

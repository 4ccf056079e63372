//! Runs cases: one tokio task per case (at most `--jobs` at once), all on one runtime and one
//! HTTP client. Each step renders its request, sends it, checks the answer and captures values.

pub mod fit;
pub mod plan;
pub mod record;
pub mod schedule;
pub mod session;

pub use plan::{Planned, plan};

use crate::check::schema::SchemaSet;
use crate::check::{Body, Checker, Mismatch, snapshot};
use crate::endpoint::shared::{OwnReads, Read};
use crate::endpoint::{
    Capabilities, InResponse, OutRequest, Target, TransportError, case_end, ledger,
};
use crate::suite::vars::{PathError, Vars};
use crate::suite::{self, Body as ReqBody, CaptureSource, Level};
use record::{Blocked, CaseRecord, Exchange, FailedAt, Verdict};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How much of a body a transcript keeps.
const TRANSCRIPT_BODY_LIMIT: usize = 8 * 1024;

pub struct RunContext {
    pub target: Arc<Target>,
    pub caps: Capabilities,
    /// How fixtures are fitted to the server's declared schema.
    pub fitter: fit::Fitter,
    /// Discovery values suites can refer to as `${declared.…}`.
    pub declared: Arc<std::collections::HashMap<String, serde_json::Value>>,
    pub run_id: String,
    pub schemas: &'static SchemaSet,
    pub case_timeout: Duration,
    pub strict: bool,
    /// Set by the first interrupt (shared with the signal handler).
    pub cancelled: Arc<AtomicBool>,
    pub in_flight: AtomicUsize,
    pub snapshots: Option<snapshot::Store>,
    pub drift: snapshot::Drift,
    /// `--record-http`: transcripts keep whole bodies (up to the response size cap).
    pub whole_bodies: bool,
    /// Whether a report shows the exchanges of passing cases; when none does, a PASS record
    /// drops its transcript as the case ends, so memory does not grow with the suite.
    pub keep_passing_transcripts: bool,
    /// The shared fixtures of the planned suites, each set up at most once per run.
    pub fixtures: Fixtures,
}

/// The one outcome of a fixture, set by its first user.
type FixtureCell = tokio::sync::OnceCell<Arc<FixtureOutcome>>;

/// What the one run of a shared fixture left for its users.
pub struct FixtureOutcome {
    /// Its exchanges, each marked with the fixture's name.
    transcript: Vec<Exchange>,
    /// Its captures and generated names, as its users read them (`plain_user.id`).
    vars: Vec<(String, serde_json::Value)>,
    /// The record of the failed run (BLOCKED at a setup step, or an ERROR), when it failed.
    failed: Option<CaseRecord>,
}

/// The shared fixtures of a run, keyed by suite id and fixture name. Each is a `OnceCell`: the
/// first case that uses it runs its steps, concurrent users wait for that one run, later users
/// read its outcome. Its resources are the run's (the ledger's end-of-run cleanup deletes them),
/// never a case's: another case may still be reading them.
#[derive(Default)]
pub struct Fixtures {
    cells: std::collections::HashMap<(String, String), (usize, FixtureCell)>,
    /// Requests the fixtures sent, counted once (not once per user).
    pub requests: AtomicUsize,
}

impl Fixtures {
    /// One cell per fixture some planned case uses. A file's fixtures share one number, after
    /// the cases', and each adds its name: `${email.m-a}` of fixture `m_a` is
    /// `scimspec-<run id>-<no>-m-a-m-a@example.com`, so the names of one file's fixtures compare
    /// (`gt`, sorting) as their fixture names do, whatever the order they were created in.
    pub fn new(planned: &[Planned]) -> Fixtures {
        let mut cells = std::collections::HashMap::new();
        let mut numbers: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        let mut next = planned.iter().map(|p| p.number).max().unwrap_or(0) + 1;
        for p in planned {
            for u in &p.case.uses {
                let number = *numbers.entry(p.suite.id.clone()).or_insert_with(|| {
                    next += 1;
                    next - 1
                });
                cells
                    .entry((p.suite.id.clone(), u.clone()))
                    .or_insert_with(|| (number, FixtureCell::new()));
            }
        }
        Fixtures {
            cells,
            requests: AtomicUsize::new(0),
        }
    }

    async fn get(&self, ctx: &RunContext, p: &Planned, name: &str) -> Option<Arc<FixtureOutcome>> {
        let (number, cell) = self.cells.get(&(p.suite.id.clone(), name.to_owned()))?;
        let fixture = p.suite.fixture(name)?;
        // Runs inside the first user's `--case-timeout`: if that user times out meanwhile, the
        // next user starts the fixture again (its first creates are in the ledger already).
        let outcome = cell
            .get_or_init(|| async {
                let outcome = run_fixture(ctx, p, fixture, *number).await;
                let sent = outcome.transcript.iter().filter(|x| x.shared.is_none());
                self.requests.fetch_add(sent.count(), Ordering::SeqCst);
                Arc::new(outcome)
            })
            .await;
        Some(outcome.clone())
    }
}

async fn run_fixture(
    ctx: &RunContext,
    user: &Planned,
    fixture: &suite::Fixture,
    number: usize,
) -> FixtureOutcome {
    let planned = Planned {
        suite: user.suite.clone(),
        case: suite::Case {
            id: format!("fixture:{}", fixture.name),
            title: format!("shared fixture {}", fixture.name),
            requirements: Vec::new(),
            level: Level::Must,
            requires: Vec::new(),
            sources: Vec::new(),
            app: None,
            uses: Vec::new(),
            owns: Vec::new(),
            steps: fixture.steps.clone(),
            pos: fixture.pos,
        },
        number,
    };
    let mut record = blank_record(&planned, Verdict::Pass);
    let mut vars = case_vars(ctx, number).within(&fixture.name.replace('_', "-"));
    // A fixture's resources are the run's, not its first user's: they stay in the ledger for
    // the end-of-run cleanup and are never deleted when a case ends.
    run_step_list(ctx, &planned, &mut record, &mut vars, &mut Vec::new()).await;
    let label = format!("fixture {}: ", fixture.name);
    for x in &mut record.transcript {
        x.step = format!("{label}{}", x.step);
        x.fixture = Some(fixture.name.clone());
    }
    for g in &fixture.generated {
        // Made now if its steps did not: the users read every name the decoder let them.
        if let Ok(v) = vars.render(&format!("${{{g}}}")) {
            vars.set(g, serde_json::Value::String(v));
        }
    }
    let vars = vars
        .known()
        .map(|(k, v)| (format!("{}.{k}", fixture.name), v.clone()))
        .collect();
    let failed = (record.verdict != Verdict::Pass).then(|| {
        let mut failed = record.clone();
        failed.transcript = Vec::new();
        if let Some(step) = &mut failed.failed_step {
            *step = format!("{label}{step}");
        }
        if let Some(b) = &mut failed.blocked {
            b.step = format!("{label}{}", b.step);
        }
        failed.message = format!("shared fixture `{}`: {}", fixture.name, failed.message);
        failed
    });
    FixtureOutcome {
        transcript: record.transcript,
        vars,
        failed,
    }
}

/// What the runner tells its listener while cases run. Records are kept apart from printing:
/// the live console is one listener; the reports read the records once the run is over.
pub enum Event<'a> {
    /// A case finished with this record (cases not started before an interrupt send nothing).
    Finished(&'a CaseRecord),
}

/// Runs every planned case as a tokio task, at most `jobs` at once (cases are network-bound),
/// and returns their records in the order they finished. Each record is handed to `listen` as
/// it arrives. A case that panics is an ERROR of its own; the others go on.
pub async fn run_cases(
    ctx: &Arc<RunContext>,
    planned: &[Planned],
    jobs: usize,
    mut listen: impl FnMut(Event<'_>),
) -> Vec<CaseRecord> {
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let order: Vec<Planned> = schedule::start_order(planned)
        .into_iter()
        .map(|i| planned[i].clone())
        .collect();
    {
        let (ctx, tx) = (ctx.clone(), tx.clone());
        // One dispatcher takes the permits in `schedule::start_order`: tasks spawned at once
        // would race for them, and on a real server a verdict can depend on what ran before
        // (ids drawn from per-type counters, what is still stored).
        tokio::spawn(async move {
            for p in order {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    return;
                };
                if ctx.cancelled.load(Ordering::SeqCst) {
                    // Interrupted before this case began: it is not run, and not reported.
                    return;
                }
                let listing = case_end::reads_tenant_pages(&p.case);
                let (ctx, tx) = (ctx.clone(), tx.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    if listing {
                        ctx.target.case_end.listing_starts().await;
                    }
                    let started = Instant::now();
                    let task = {
                        let (ctx, p) = (ctx.clone(), p.clone());
                        tokio::spawn(async move { run_case(&ctx, &p).await })
                    };
                    let mut made = Vec::new();
                    let record = match task.await {
                        Ok((r, m)) => {
                            made = m;
                            r
                        }
                        Err(e) => {
                            let msg = match e.try_into_panic() {
                                Ok(panic) => panic
                                    .downcast_ref::<&str>()
                                    .map(|s| s.to_string())
                                    .or_else(|| panic.downcast_ref::<String>().cloned())
                                    .unwrap_or_else(|| "unknown panic".into()),
                                Err(e) => e.to_string(),
                            };
                            let mut r = blank_record(&p, Verdict::Error);
                            r.message =
                                format!("internal error in scimspec (please report it): {msg}");
                            r.duration = started.elapsed();
                            r
                        }
                    };
                    let _ = tx.send(record);
                    // In the case's own slot; after an interrupt the end-of-run cleanup does it.
                    if ctx.cancelled.load(Ordering::SeqCst) {
                        made.clear();
                    }
                    ctx.target.case_end.ended(&ctx.target, made, listing).await;
                });
            }
        });
    }
    drop(tx);
    let mut records = Vec::with_capacity(planned.len());
    while let Some(mut record) = rx.recv().await {
        // A shared fixture's exchanges are the run's, counted once in `Fixtures::requests`; a
        // shared discovery answer was not sent at all.
        record.requests = record
            .transcript
            .iter()
            .filter(|x| x.fixture.is_none() && x.shared.is_none())
            .count();
        listen(Event::Finished(&record));
        if record.verdict == Verdict::Pass && !ctx.keep_passing_transcripts {
            record.transcript = Vec::new();
        }
        records.push(record);
    }
    records
}

fn blank_record(p: &Planned, verdict: Verdict) -> CaseRecord {
    CaseRecord {
        title: p.case.title.clone(),
        file: p.suite.file.clone(),
        builtin: p.suite.builtin,
        line: p.case.pos.line,
        level: p.case.level,
        spec: p.suite.spec.clone(),
        requirements: p.case.requirements.clone(),
        sources: p.case.sources.clone(),
        app: p.case.app,
        requires: p.case.requires.iter().map(|c| c.to_string()).collect(),
        owns: p.case.owns.clone(),
        ..CaseRecord::sample(&p.suite.id, &p.case.id, &p.suite.profile, verdict)
    }
}

/// The verdict a broken expectation of a case's own steps earns at this level: a MAY is at
/// most NON-STRICT, and an INFO case only records what the server did.
fn broken(level: Level) -> Verdict {
    match level {
        Level::Must => Verdict::Fail,
        Level::Should | Level::May => Verdict::NonStrict,
        Level::Info => Verdict::Informational,
    }
}

/// How long to wait (ms) before a timestamp taken now would differ from `ts`, when `ts` is an
/// RFC 3339 time whose fraction shows a resolution finer than a second: the unit of its last
/// significant digit plus 100 ms (the server stamps before it answers, and its clock may tick
/// coarser than it prints). `None` (wait the step's full `wait_ms`) for a whole-second time, a
/// zero fraction or anything that is not a timestamp.
pub fn wait_for_change(ts: &str) -> Option<u64> {
    ts.parse::<jiff::Timestamp>().ok()?;
    let (_, time) = ts.split_once(['T', 't'])?;
    let (_, rest) = time.split_once('.')?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let significant = digits.trim_end_matches('0').len();
    if significant == 0 {
        return None;
    }
    // 10^-n s in ms, at least 1: a tenth of a second is 100 ms, anything finer 1 ms.
    let unit_ms = 10u64.pow(3u32.saturating_sub(significant as u32));
    Some(unit_ms + 100)
}

/// A request as the suite writes it, with every interpolated part shown as `{id}`:
/// `/Users/${id}` -> `/Users/{id}`.
pub fn request_template(method: &str, path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str("{id}");
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    format!("{method} {out}")
}

/// The server's own words for a refused request: the `detail` of a SCIM Error, shortened.
fn error_detail(body: &Body) -> Option<String> {
    let detail = body.json()?.get("detail")?.as_str()?;
    let line = crate::check::preview(detail);
    Some(if line.chars().count() > 120 {
        format!("{}…", line.chars().take(120).collect::<String>())
    } else {
        line
    })
}

/// Runs one case; also returns what it created (see `ledger::track`).
pub async fn run_case(ctx: &RunContext, p: &Planned) -> (CaseRecord, Vec<ledger::Created>) {
    let started = Instant::now();
    let mut record = blank_record(p, Verdict::Pass);
    let mut made = Vec::new();
    if let Some(reason) = ctx.caps.unmet(&p.case.requires) {
        record.verdict = Verdict::Unimplemented;
        record.message = reason;
        return (record, made);
    }
    match tokio::time::timeout(ctx.case_timeout, run_steps(ctx, p, &mut record, &mut made)).await {
        Ok(()) => {}
        Err(_) => {
            record.verdict = Verdict::Error;
            record.message = format!(
                "the case did not finish within {}s (--case-timeout)",
                ctx.case_timeout.as_secs()
            );
        }
    }
    let drifted: Vec<&str> = record
        .snapshots
        .iter()
        .filter_map(|o| match o {
            snapshot::Outcome::Changed { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    if !drifted.is_empty()
        && ctx.drift == snapshot::Drift::Fail
        && matches!(record.verdict, Verdict::Pass | Verdict::Informational)
    {
        record.verdict = Verdict::Fail;
        record.message = format!(
            "snapshot drift: the answer recorded as `{}` changed (see the diff)",
            drifted.join("`, `")
        );
    }
    record.retries = record.transcript.iter().map(|x| x.retries.len()).sum();
    record.duration = started.elapsed();
    (record, made)
}

fn case_vars(ctx: &RunContext, number: usize) -> Vars {
    Vars::new(
        &ctx.run_id,
        number,
        &ctx.target.base_url,
        &ctx.target.base_path,
    )
    .with_declared(ctx.declared.clone())
}

async fn run_steps(
    ctx: &RunContext,
    p: &Planned,
    record: &mut CaseRecord,
    made: &mut Vec<ledger::Created>,
) {
    let mut vars = case_vars(ctx, p.number);
    for name in &p.case.uses {
        let Some(outcome) = ctx.fixtures.get(ctx, p, name).await else {
            record.verdict = Verdict::Error;
            record.message = format!("shared fixture `{name}` is not defined in this file");
            return;
        };
        record.transcript.extend(outcome.transcript.iter().cloned());
        if let Some(failed) = &outcome.failed {
            record.message = failed.message.clone();
            record.blocked = failed.blocked.clone();
            record.failed_step = failed.failed_step.clone();
            record.mismatches = failed.mismatches.clone();
            record.verdict = match (failed.verdict, &failed.failed_at) {
                // A fixture step that fails outright (a request that cannot be sent: an id that
                // is not one path segment) is no user's own point: it BLOCKS them, and the case
                // whose own step failed on the same request is the root cause.
                (Verdict::Fail, Some(at)) => {
                    record.blocked = Some(Blocked {
                        step: failed.failed_step.clone().unwrap_or_default(),
                        request: at.request.clone(),
                        status: at.status,
                        detail: failed.message.clone(),
                        cause: failed.message.clone(),
                        subject: at.subject.clone().unwrap_or_default(),
                        root_cause: None,
                        // The failed step is not known here by index: the root cause is found
                        // by its request, not by the fixture's `proven_by` (that of its create).
                        proven_by: None,
                    });
                    Verdict::Blocked
                }
                (Verdict::Fail, None) => Verdict::Error,
                (v, _) => v,
            };
            return;
        }
        for (k, v) in &outcome.vars {
            vars.set(k, v.clone());
        }
    }
    run_step_list(ctx, p, record, &mut vars, made).await;
}

/// Runs a case's (or a fixture's) steps; what they create goes into `made` as well as the
/// run's ledger.
async fn run_step_list(
    ctx: &RunContext,
    p: &Planned,
    record: &mut CaseRecord,
    vars: &mut Vars,
    made: &mut Vec<ledger::Created>,
) {
    let checker = Checker {
        schemas: ctx.schemas,
    };
    let mut chosen: Vec<String> = Vec::new();
    let mut seen_ids = snapshot::Ids::default();
    let reader = p.name();
    let mut own_reads = OwnReads::default();
    for (i, step) in p.case.steps.iter().enumerate() {
        let step_label = match &step.name {
            Some(n) => format!("step {} \"{n}\"", i + 1),
            None => format!("step {}", i + 1),
        };
        if ctx.cancelled.load(Ordering::SeqCst) {
            record.verdict = Verdict::Error;
            record.message = "interrupted before this step".into();
            record.failed_step = Some(step_label);
            return;
        }
        if let Some(ms) = step.wait_ms {
            let ms = match &step.resolution_of {
                Some(t) => vars
                    .render(t)
                    .ok()
                    .and_then(|ts| wait_for_change(&ts))
                    .map_or(ms, |w| w.min(ms)),
                None => ms,
            };
            tokio::time::sleep(Duration::from_millis(ms)).await;
            continue;
        }
        let req = match render_request(step, &ctx.fitter, vars) {
            Ok(r) => r,
            Err(PathError::Unsafe(why)) => {
                // A value the server gave that would steer the request elsewhere: the server's
                // answer is at fault, and nothing is sent.
                record.verdict = Verdict::Fail;
                record.message = format!(
                    "{step_label} ({} {}): {why}: not requested",
                    step.request.method, step.request.path
                );
                record.failed_at = Some(FailedAt {
                    request: request_template(&step.request.method, &step.request.path),
                    status: None,
                    subject: None,
                });
                record.failed_step = Some(step_label);
                return;
            }
            Err(PathError::Render(e)) => {
                record.verdict = Verdict::Error;
                record.message = format!("cannot build the request: {e}");
                record.failed_step = Some(step_label);
                return;
            }
        };
        ledger::before_send(&ctx.target, &ctx.run_id, &req);
        ctx.in_flight.fetch_add(1, Ordering::SeqCst);
        let read = ctx.target.read(&req, &reader, &mut own_reads).await;
        ctx.in_flight.fetch_sub(1, Ordering::SeqCst);
        let (sent, shared_by) = match read {
            Read::Sent(sent) => (sent, None),
            Read::Shared(first) => {
                // The retries were the first reader's, not this case's.
                let mut answer = first.answer.clone();
                answer.retries.clear();
                (Ok(answer), Some(first.by.clone()))
            }
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                made.extend(ledger::track(&ctx.target, &ctx.run_id, &req, None));
                record
                    .transcript
                    .push(exchange(ctx, &step_label, &req, None, Some(e.to_string())));
                // A URL outside the base URL's origin is the server's doing (a Location, a
                // meta.location): the case fails on it; other transport failures are errors.
                record.verdict = if matches!(e, TransportError::ForeignOrigin { .. }) {
                    Verdict::Fail
                } else {
                    Verdict::Error
                };
                record.message =
                    format!("{step_label} ({} {}): {e}", req.method, step.request.path);
                record.failed_at = Some(FailedAt {
                    request: request_template(&req.method, &step.request.path),
                    status: None,
                    subject: None,
                });
                record.failed_step = Some(step_label);
                return;
            }
        };
        let body = Body::parse(&resp);
        made.extend(ledger::track(&ctx.target, &ctx.run_id, &req, Some(&resp)));
        let mut x = exchange(ctx, &step_label, &req, Some(&resp), None);
        x.shared = shared_by;
        record.transcript.push(x);

        if ctx.snapshots.is_some() {
            let json = match &body {
                Body::Json(v) => Some(v),
                _ => None,
            };
            seen_ids.observe(&resp, json);
        }
        if let (Some(name), Some(store)) = (&step.snapshot, &ctx.snapshots) {
            let prefix = vars.prefix().to_owned();
            let known: Vec<(&str, &serde_json::Value)> =
                vars.known().map(|(k, v)| (k.as_str(), v)).collect();
            let redact = |t: &str| ctx.target.redactor.redact(t).into_owned();
            let sctx = snapshot::Context {
                base_url: &ctx.target.base_url,
                prefix: &prefix,
                vars: known,
                ids: &seen_ids,
                redact: &redact,
            };
            let contents = snapshot::normalise(&resp, &sctx);
            let expression = format!("{} {}", req.method, step.request.path);
            let description = format!("{} — {}", p.case.requirements.join(", "), p.case.title);
            let meta = snapshot::Meta {
                suite: &p.suite.id,
                case: &p.case.id,
                name,
                source: &p.suite.file,
                description: &description,
                expression: &expression,
            };
            if let Some(outcome) = store.compare(&meta, &contents) {
                record.snapshots.push(outcome);
            }
        }
        let mut mismatches = checker.evaluate(&step.expect.checks, &resp, &body, vars);
        if !step.expect.any_of.is_empty() {
            let mut tried: Vec<(String, Vec<Mismatch>)> = Vec::new();
            let mut matched = None;
            for alt in &step.expect.any_of {
                let m = checker.evaluate(&alt.checks, &resp, &body, vars);
                if m.is_empty() {
                    matched = Some(alt.label.clone());
                    break;
                }
                tried.push((alt.label.clone(), m));
            }
            match matched {
                Some(label) => chosen.push(label),
                None => {
                    // The alternative whose status held says most about what went wrong: its
                    // mismatches come first (they make the case's one-line message).
                    tried.sort_by_key(|(_, ms)| ms.iter().any(|m| m.subject == "status"));
                    for (label, ms) in tried {
                        for mut m in ms {
                            m.subject = format!("[{label}] {}", m.subject);
                            mismatches.push(m);
                        }
                    }
                }
            }
        }
        // Captures are evaluated only once every expectation held, and a capture is never a
        // check: an own step whose answer lacks what a later step needs blocks the case, like a
        // setup step, and the case that owns that answer is its root cause.
        let capture_only = mismatches.is_empty();
        if capture_only {
            for (name, source) in &step.capture {
                let value = match source {
                    CaptureSource::Pointer(ptr) => body
                        .json()
                        .and_then(|j| j.pointer(ptr))
                        .filter(|v| !v.is_null())
                        .cloned(),
                    CaptureSource::Header(h) => resp
                        .header(h)
                        .map(|v| serde_json::Value::String(v.to_owned())),
                };
                match value {
                    Some(v) => vars.set(name, v),
                    None => {
                        let what = match source {
                            CaptureSource::Pointer(ptr) => format!("json {ptr}"),
                            CaptureSource::Header(h) => format!("header {h}"),
                        };
                        mismatches.push(Mismatch {
                            line: step.pos.line,
                            column: step.pos.column,
                            subject: format!("capture `{name}` from {what}"),
                            expected: "a value to capture".into(),
                            actual: "absent".into(),
                        });
                    }
                }
            }
        }
        if !mismatches.is_empty() {
            let request = request_template(&req.method, &step.request.path);
            let first = &mismatches[0];
            if step.setup || capture_only {
                let refused = !(200..300).contains(&resp.status) && first.subject == "status";
                // A capture's variable name is the suite's own word: the cause names what the
                // answer lacked, so cases capturing `uid` and `id` from the same create group.
                let detail = match (refused, error_detail(&body)) {
                    (true, Some(d)) => format!("'{d}'"),
                    (true, None) => String::new(),
                    (false, _) => match capture_source(&first.subject) {
                        Some(from) => format!("its answer has no value at {from} to capture"),
                        None => format!("{}: expected {}", first.subject, first.expected),
                    },
                };
                let cause = if refused {
                    format!("{request} refused {} {detail}", resp.status)
                        .trim_end()
                        .to_owned()
                } else {
                    format!("{request} answered {}, but {detail}", resp.status)
                };
                record.verdict = Verdict::Blocked;
                record.message = format!(
                    "blocked at {step_label} ({}): {}: expected {}, got {}",
                    if step.setup {
                        "setup"
                    } else {
                        "a value later steps need"
                    },
                    first.subject,
                    first.expected,
                    first.actual
                );
                record.blocked = Some(Blocked {
                    step: step_label.clone(),
                    request,
                    status: Some(resp.status),
                    detail,
                    cause,
                    subject: first.subject.clone(),
                    root_cause: None,
                    proven_by: step.proven_by.clone(),
                });
            } else {
                record.verdict = broken(p.case.level);
                record.message = if record.verdict == Verdict::Informational {
                    format!(
                        "the server did none of the behaviours the suite knows: {step_label} ({} {}): {}: got {}",
                        req.method, req.path, first.subject, first.actual
                    )
                } else {
                    format!(
                        "{step_label} ({} {}): {}: expected {}, got {}",
                        req.method, req.path, first.subject, first.expected, first.actual
                    )
                };
                record.failed_at = Some(FailedAt {
                    request,
                    status: Some(resp.status),
                    subject: Some(first.subject.clone()),
                });
            }
            record.failed_step = Some(step_label);
            record.mismatches = mismatches;
            return;
        }
    }
    if p.case.level == Level::Info {
        record.verdict = Verdict::Informational;
        record.message = format!("server chose: {}", chosen.join("; "));
        record.chosen = Some(chosen.join("; "));
    }
}

fn render_request(
    step: &suite::Step,
    fitter: &fit::Fitter,
    vars: &mut Vars,
) -> Result<OutRequest, PathError> {
    let r = &step.request;
    let rendered = vars.render_path(&r.path)?;
    let built = render_rest(step, fitter, vars, &rendered).map_err(PathError::Render)?;
    Ok(built)
}

fn render_rest(
    step: &suite::Step,
    fitter: &fit::Fitter,
    vars: &mut Vars,
    rendered: &str,
) -> Result<OutRequest, String> {
    let r = &step.request;
    let path = fitter.map_path(rendered);
    let query = r
        .query
        .iter()
        .map(|(k, v)| Ok((k.clone(), vars.render(v)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let headers = r
        .headers
        .iter()
        .map(|(k, v)| Ok((k.clone(), vars.render(v)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let body = match &r.body {
        None => None,
        Some(ReqBody::Json(v)) => {
            let mut body = vars.render_json(v)?;
            if step.fit {
                fitter.fit(&r.method, rendered, &mut body, step.setup, vars);
            }
            Some(serde_json::to_vec(&body).map_err(|e| e.to_string())?)
        }
        Some(ReqBody::Raw(s)) => Some(vars.render(s)?.into_bytes()),
    };
    Ok(OutRequest {
        method: r.method.clone(),
        path,
        query,
        headers,
        auth: r.auth,
        body,
        content_type: r.content_type.clone(),
    })
}

fn clip(text: &str, whole: bool) -> String {
    if whole || text.len() <= TRANSCRIPT_BODY_LIMIT {
        return text.to_owned();
    }
    let mut end = TRANSCRIPT_BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

fn exchange(
    ctx: &RunContext,
    step: &str,
    req: &OutRequest,
    resp: Option<&InResponse>,
    error: Option<String>,
) -> Exchange {
    let r = &ctx.target.redactor;
    Exchange {
        step: step.to_owned(),
        fixture: None,
        shared: None,
        started: resp
            .map(|x| x.started_at)
            .unwrap_or_else(jiff::Timestamp::now)
            .to_string(),
        method: req.method.clone(),
        url: ctx.target.shown_url(req),
        http_version: resp.map(|x| x.version.clone()).unwrap_or_default(),
        request_headers: ctx
            .target
            .wire_headers(req)
            .into_iter()
            .map(|h| (h.name, h.shown))
            .collect(),
        request_body: req
            .body
            .as_ref()
            .map(|b| clip(&r.redact(&String::from_utf8_lossy(b)), ctx.whole_bodies)),
        status: resp.map(|x| x.status),
        reason: resp.map(|x| x.reason.clone()).unwrap_or_default(),
        response_headers: resp
            .map(|x| {
                x.headers
                    .iter()
                    .map(|(n, v)| (n.clone(), r.header_value(n, v).into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        response_body: resp
            .map(|x| clip(&r.redact(&x.text()), ctx.whole_bodies))
            .unwrap_or_default(),
        elapsed_ms: resp.map(|x| x.elapsed.as_millis() as u64).unwrap_or(0),
        retries: resp
            .map(|x| {
                x.retries
                    .iter()
                    .map(|retry| r.redact(&retry.to_string()).into_owned())
                    .collect()
            })
            .unwrap_or_default(),
        error: error.map(|e| r.redact(&e).into_owned()),
    }
}

/// Names, for every BLOCKED case, the case whose own point failed on the same request: the
/// setup step's `proven_by`; or else a failing case that `owns:` the request and failed on it
/// with the same status; or else a failing case whose own step failed the same way on the same
/// request (same method and path shape, status and expectation), preferring MUST cases.
pub fn resolve_root_causes(records: &mut [CaseRecord]) {
    let failing: Vec<(String, Level, FailedAt, Vec<String>)> = records
        .iter()
        .filter(|r| {
            matches!(
                r.verdict,
                Verdict::Fail | Verdict::NonStrict | Verdict::Error
            )
        })
        .filter_map(|r| {
            r.failed_at
                .clone()
                .map(|f| (r.name(), r.level, f, r.owns.clone()))
        })
        .collect();
    let verdict_of: std::collections::HashMap<String, Verdict> =
        records.iter().map(|r| (r.name(), r.verdict)).collect();
    for r in records.iter_mut() {
        let Some(b) = r.blocked.as_mut() else {
            continue;
        };
        if let Some(owner) = &b.proven_by {
            if verdict_of
                .get(owner)
                .is_some_and(|v| matches!(v, Verdict::Fail | Verdict::NonStrict | Verdict::Error))
            {
                b.root_cause = Some(owner.clone());
            }
            continue;
        }
        // The case that owns the request and failed on it with the same answer: a create whose
        // answer carries no id blocks every case that captures one, whatever it captures.
        let same_request =
            |at: &FailedAt| at.request.eq_ignore_ascii_case(&b.request) && at.status == b.status;
        let owner = failing
            .iter()
            .filter(|(_, _, at, owns)| {
                same_request(at) && owns.iter().any(|o| o.eq_ignore_ascii_case(&b.request))
            })
            .min_by_key(|(name, level, _, _)| (*level != Level::Must, name.clone()));
        // The same failure of the same request: a refusal with the same status, or the same
        // expectation (`json /displayName`) not holding. A case that failed on the same request
        // for another reason is not this one's cause.
        // Without an answer (a request that could not be sent), neither has a subject.
        let same_failure = |at: &FailedAt| {
            same_request(at)
                && match at.subject.as_deref() {
                    Some(s) => same_subject(s, &b.subject),
                    None => b.subject.is_empty(),
                }
        };
        b.root_cause = owner
            .or_else(|| {
                failing
                    .iter()
                    .filter(|(_, _, at, _)| same_failure(at))
                    .min_by_key(|(name, level, _, _)| (*level != Level::Must, name.clone()))
            })
            .map(|(name, _, _, _)| name.clone());
    }
    // The case a `proven_by` names can itself be BLOCKED (a group create whose member create
    // was refused): its root cause is then this case's too. Bounded: a cycle stays unexplained.
    for _ in 0..records.len() {
        let resolved: std::collections::HashMap<String, String> = records
            .iter()
            .filter_map(|r| {
                let cause = r.blocked.as_ref()?.root_cause.clone()?;
                Some((r.name(), cause))
            })
            .collect();
        let mut changed = false;
        for r in records.iter_mut() {
            let Some(b) = r.blocked.as_mut() else {
                continue;
            };
            if b.root_cause.is_some() {
                continue;
            }
            if let Some(cause) = b.proven_by.as_ref().and_then(|o| resolved.get(o)) {
                b.root_cause = Some(cause.clone());
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Two failed expectations are the same when they check the same thing; a capture is the same
/// whatever variable it fills (`capture `uid` from json /id` is `capture `id` from json /id`).
fn same_subject(a: &str, b: &str) -> bool {
    a == b || capture_source(a).is_some_and(|from| capture_source(b) == Some(from))
}

/// `json /id` of the subject `capture `uid` from json /id`.
fn capture_source(subject: &str) -> Option<&str> {
    subject
        .strip_prefix("capture `")
        .and_then(|r| r.split_once("` from "))
        .map(|(_, from)| from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(case: &str, verdict: Verdict) -> CaseRecord {
        CaseRecord::sample("s", case, "loom", verdict)
    }

    fn blocked(case: &str, request: &str, proven_by: Option<&str>) -> CaseRecord {
        let mut r = record(case, Verdict::Blocked);
        r.blocked = Some(Blocked {
            step: "step 1 \"create\"".into(),
            request: request.into(),
            status: Some(201),
            detail: String::new(),
            cause: String::new(),
            subject: "json /id".into(),
            root_cause: None,
            proven_by: proven_by.map(str::to_owned),
        });
        r
    }

    /// A group case blocked by its member create names the user create case; a case whose
    /// setup group create is proven by that group case gets the same root cause.
    #[test]
    fn root_cause_follows_a_blocked_owner() {
        let mut user = record("create-user", Verdict::Fail);
        user.failed_at = Some(FailedAt {
            request: "POST /Users".into(),
            status: Some(201),
            subject: Some("json /id".into()),
        });
        let mut records = vec![
            blocked("list-groups", "POST /Groups", Some("s::create-group")),
            blocked("create-group", "POST /Users", Some("s::create-user")),
            user,
            blocked("loop-a", "PATCH /Users/{id}", Some("s::loop-b")),
            blocked("loop-b", "PATCH /Users/{id}", Some("s::loop-a")),
        ];
        resolve_root_causes(&mut records);
        assert_eq!(root_cause(&records, 1).as_deref(), Some("s::create-user"));
        assert_eq!(root_cause(&records, 0).as_deref(), Some("s::create-user"));
        assert_eq!(
            root_cause(&records, 3),
            None,
            "a cycle of owners explains nothing"
        );
        assert_eq!(root_cause(&records, 4), None);
    }

    #[test]
    fn a_fine_timestamp_shortens_the_wait_and_a_whole_second_one_does_not() {
        assert_eq!(wait_for_change("2026-11-30T11:12:28.125151Z"), Some(101));
        assert_eq!(wait_for_change("2026-11-30T11:12:28.120Z"), Some(110));
        assert_eq!(wait_for_change("2026-11-30T11:12:28.5+01:00"), Some(200));
        assert_eq!(wait_for_change("2026-11-30T11:12:28Z"), None);
        assert_eq!(wait_for_change("2026-11-30T11:12:28.000Z"), None);
        assert_eq!(wait_for_change("yesterday.5"), None);
        assert_eq!(wait_for_change(""), None);
    }

    fn root_cause(records: &[CaseRecord], i: usize) -> Option<String> {
        records[i]
            .blocked
            .as_ref()
            .and_then(|b| b.root_cause.clone())
    }

    /// A create answered with no body blocks every case that captures from it, whatever it
    /// captures: the case that owns the create is the root cause, before any other case that
    /// failed the same way on its own capture.
    #[test]
    fn root_cause_is_the_owner_of_the_request() {
        let failed = |case: &str, subject: &str, owns: &[&str]| {
            let mut r = record(case, Verdict::Fail);
            r.failed_at = Some(FailedAt {
                request: "POST /Users".into(),
                status: Some(201),
                subject: Some(subject.into()),
            });
            r.owns = owns.iter().map(|o| o.to_string()).collect();
            r
        };
        let mut sort = blocked("sort", "POST /Users", None);
        if let Some(b) = sort.blocked.as_mut() {
            b.subject = "capture `uid` from json /id".into();
        }
        let mut records = vec![
            sort,
            failed("a-capturing-case", "capture `id` from json /id", &[]),
            failed("create", "body", &["POST /Users"]),
            blocked("group", "POST /Groups", None),
        ];
        resolve_root_causes(&mut records);
        assert_eq!(root_cause(&records, 0).as_deref(), Some("s::create"));
        assert_eq!(
            root_cause(&records, 3),
            None,
            "nothing failed on POST /Groups"
        );
        // Without an owner, a capture from the same place is the same failure.
        records.remove(2);
        if let Some(b) = records[0].blocked.as_mut() {
            b.root_cause = None;
        }
        resolve_root_causes(&mut records);
        assert_eq!(
            records[0]
                .blocked
                .as_ref()
                .and_then(|b| b.root_cause.clone())
                .as_deref(),
            Some("s::a-capturing-case")
        );
    }
}

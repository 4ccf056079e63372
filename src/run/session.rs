//! The lifecycle of one run: load and plan, preflight, the cases, cleanup (also on Ctrl-C),
//! and the reports.

use super::RunContext;
use super::fit::Fitter;
use super::plan::{Planned, check_profiles, default_profiles, load_suites_for, plan, selected};
use super::record::CaseRecord;
use crate::catalog::Catalog;
use crate::check::schema::SchemaSet;
use crate::check::snapshot;
use crate::endpoint::cleanup::{CleanupReport, Leftover};
use crate::endpoint::{ConnOptions, Target, cleanup};
use crate::process::{EXIT_FAILED, EXIT_OK, fatal};
use crate::report;
use crate::serve;
use crate::suite;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The exit code of an interrupted run (128 + SIGINT, what shells report for Ctrl-C).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Everything `scimspec run` was asked to do (the command line, parsed).
pub struct RunOptions {
    pub conn: ConnOptions,
    pub builtin: Option<serve::Flavour>,
    pub faults: Vec<String>,
    /// Flavour options of the built-in server (`serve::OPTIONS`).
    pub options: Vec<String>,
    /// Judge only this kind of Okta app; `None` judges both.
    pub okta_app: Option<crate::suite::OktaApp>,
    pub profile: Vec<String>,
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub json_transcripts: report::json::Transcripts,
    /// `--label`: how the reports name the target.
    pub label: Option<String>,
    /// Write the HTML report (`index.html`) into this directory.
    pub report_html: Option<PathBuf>,
    pub case_timeout: u64,
    pub strict: bool,
    pub suites: Vec<PathBuf>,
    pub jobs: usize,
    pub filter: Option<String>,
    pub exact: bool,
    pub skip: Vec<String>,
    /// Only cases citing one of these requirement ids (none: no such restriction).
    pub requirement: Vec<String>,
    pub list: bool,
    pub verbose: bool,
    pub read_only: bool,
    pub record_http: Option<PathBuf>,
    pub keep: bool,
    /// The cleanup may delete by Bulk where the server advertises it.
    pub bulk_cleanup: bool,
    /// Discovery reads that repeat one already answered in the run get that answer (see
    /// `endpoint::shared`); off with `--no-shared-discovery`.
    pub shared_discovery: bool,
    pub snapshots: Option<PathBuf>,
    pub snapshot_mode: snapshot::Mode,
    pub snapshot_drift: snapshot::Drift,
}

/// `scimspec run`: load, plan, preflight, run every case, clean up, report. Returns the exit code.
pub fn run(a: RunOptions) -> i32 {
    if !a.faults.is_empty() && a.builtin.is_none() {
        return fatal(
            "--fault switches on a defect of the built-in reference server: it needs --builtin, and means nothing with --base-url",
        );
    }
    let catalog = Catalog::builtin();
    let profiles = if a.profile.is_empty() {
        default_profiles(a.builtin)
    } else {
        a.profile.clone()
    };
    let suites = match load_suites_for(&a.suites, &catalog, Some(&profiles)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(e) = check_profiles(&profiles, &suites) {
        return fatal(e);
    }
    for id in &a.requirement {
        let cited = suites
            .iter()
            .any(|s| s.cases.iter().any(|c| c.requirements.contains(id)));
        if !cited && catalog.get(id).is_none() {
            let hint = catalog
                .closest(id)
                .map(|c| format!(" (did you mean {c}?)"))
                .unwrap_or_default();
            return fatal(format!(
                "--requirement {id}: no such requirement id{hint}; `scimspec list --requirements` lists them"
            ));
        }
    }
    let planned: Vec<Planned> = plan(suite::select_profiles(suites, &profiles))
        .into_iter()
        .filter(|p| selected(&p.name(), &a.filter, a.exact, &a.skip))
        .filter(|p| {
            a.requirement.is_empty()
                || p.case
                    .requirements
                    .iter()
                    .any(|r| a.requirement.contains(r))
        })
        .filter(|p| match (a.okta_app, p.case.app) {
            (Some(only), Some(app)) => only == app,
            _ => true,
        })
        .collect();
    if a.list {
        let mut out = std::io::stdout().lock();
        for p in &planned {
            if writeln!(out, "{}: {}", p.name(), p.case.level).is_err() {
                return EXIT_OK;
            }
        }
        return EXIT_OK;
    }
    if planned.is_empty() {
        return fatal("0 cases selected: the filter matched nothing; try --list");
    }
    if let Some(dir) = &a.report_html
        && let Err(e) = report::html::check_dir(dir)
    {
        return fatal(e);
    }
    let mut creds = match a.conn.credentials() {
        Ok(c) => c,
        Err(e) => return fatal(e),
    };
    // Found now rather than after an hour of requests.
    for (flag, path) in [
        ("--junit", &a.junit),
        ("--json", &a.json),
        ("--record-http", &a.record_http),
    ] {
        if let Some(p) = path
            && let Err(e) = check_report_file(flag, p)
        {
            return fatal(e);
        }
    }
    if let Some(dir) = &a.snapshots
        && a.snapshot_mode != snapshot::Mode::Off
        && let Err(e) = check_snapshot_dir(dir)
    {
        return fatal(e);
    }
    let options = match a.conn.client_options() {
        Ok(o) => o,
        Err(e) => return fatal(e),
    };
    let mut planned = planned;
    if a.read_only {
        let (keep, writes): (Vec<Planned>, Vec<Planned>) = planned
            .into_iter()
            .partition(|p| p.suite.is_read_only(&p.case));
        if !writes.is_empty() {
            let names: Vec<String> = writes.iter().map(Planned::name).collect();
            println!(
                "--read-only: left out {} case{} that send write requests: {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            );
        }
        planned = keep;
        if planned.is_empty() {
            return fatal("--read-only left no case to run");
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
    {
        Ok(r) => r,
        Err(e) => return fatal(format!("cannot start the async runtime: {e}")),
    };
    let handle = runtime.handle().clone();
    // Caught from here on, before the server starts and preflight reads: an interrupt at any
    // moment ends the same way (cleanup, reports, exit 130), never by the default action.
    let cancelled = Arc::new(AtomicBool::new(false));
    let signals = install_interrupt_handler(&cancelled, &handle);

    let mut server = None;
    let base_url = match (&a.conn.base_url, a.builtin) {
        (_, Some(flavour)) => {
            let token = format!("scimspec-builtin-{}", uuid::Uuid::new_v4().simple());
            let opts = serve::ServeOptions {
                flavour,
                token: Some(token.clone()),
                faults: a.faults.clone(),
                options: a.options.clone(),
            };
            let listen: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
            match runtime.block_on(serve::start(listen, opts)) {
                Ok(s) => {
                    let url = s.base_url();
                    server = Some(s);
                    creds.bearer = Some(token);
                    url
                }
                Err(e) => return fatal(e),
            }
        }
        (Some(url), None) => url.clone(),
        (None, None) => return fatal("give --base-url URL, or --builtin core|loom|looop"),
    };
    let mut target = match Target::new(&base_url, creds, options) {
        Ok(t) => t,
        Err(e) => return fatal(e),
    };
    target.read_only = a.read_only;
    target.shared.enabled = a.shared_discovery;
    if !a.keep {
        target.case_end.enable(a.jobs);
    }
    if profiles.iter().any(|p| p == "looop") {
        let path = target.base_path.clone();
        if !path.ends_with("/scim/v2") {
            let _ = writeln!(
                std::io::stderr(),
                "scimspec: warning: Looop's base URL always ends with /scim/v2, and `{base_url}` does not (looop.base-url-ends-scim-v2)"
            );
        }
    }
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let suite_count = {
        let mut ids: Vec<&str> = planned.iter().map(|p| p.suite.id.as_str()).collect();
        ids.dedup();
        ids.len()
    };
    // Decided before the guard below points a non-terminal stdout at a pipe of its own.
    let terminal = {
        use std::io::IsTerminal;
        std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
    };
    // From here on the run may create resources: a closed stdout must not stop it.
    let out_guard = report::stdout::guard();
    let mut stdout = anstream::stdout();
    let _ = writeln!(
        stdout,
        "scimspec {}: {} cases from {} suites (profiles {}) against {} — run {run_id}{}",
        env!("CARGO_PKG_VERSION"),
        planned.len(),
        suite_count,
        profiles.join(","),
        target.redactor.redact(&base_url),
        if a.conn.insecure {
            " — --insecure: TLS certificates are NOT verified"
        } else {
            ""
        },
    );
    let _ = write!(
        stdout,
        "Preflight: reading /ServiceProviderConfig, /ResourceTypes and /Schemas … "
    );
    let _ = stdout.flush();
    let caps = match runtime.block_on(target.preflight()) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(stdout, "failed");
            let _ = stdout.flush();
            return fatal(target.redactor.redact(&e.to_string()));
        }
    };
    if a.bulk_cleanup
        && let Some(bulk) = crate::endpoint::bulk_delete::BulkDelete::from_config(
            caps.service_provider_config.as_ref(),
        )
    {
        let _ = target.bulk_delete.set(bulk);
    }
    let fitter = Fitter::new(&caps, &target.base_path);
    let found = preflight_lines(&caps, &fitter);
    let _ = writeln!(
        stdout,
        "{}\n",
        target
            .redactor
            .redact(&crate::endpoint::redact::neutralise(&found))
    );
    let declared = Arc::new(declared_values(&caps, &fitter));
    let _ = stdout.flush();
    let ctx = Arc::new(RunContext {
        target: Arc::new(target),
        caps,
        fitter,
        declared,
        run_id: run_id.clone(),
        schemas: SchemaSet::builtin(),
        case_timeout: Duration::from_secs(a.case_timeout.max(1)),
        strict: a.strict,
        cancelled: cancelled.clone(),
        in_flight: AtomicUsize::new(0),
        // Only where the user asked: an answer in a file is a copy of the tenant's data.
        snapshots: match (&a.snapshots, a.snapshot_mode) {
            (Some(dir), mode) if mode != snapshot::Mode::Off => Some(snapshot::Store {
                dir: dir.clone(),
                mode,
            }),
            _ => None,
        },
        drift: a.snapshot_drift,
        whole_bodies: a.record_http.is_some(),
        fixtures: super::Fixtures::new(&planned),
        keep_passing_transcripts: a.record_http.is_some()
            || a.report_html.is_some()
            || (a.json.is_some() && a.json_transcripts == report::json::Transcripts::All),
    });

    let started = Instant::now();
    let started_at = jiff::Timestamp::now();
    let mut live = report::live::Live::new(planned.len(), terminal, &ctx.target.redactor);
    let mut records: Vec<CaseRecord> = runtime.block_on(super::run_cases(
        &ctx,
        &planned,
        a.jobs,
        |event| match event {
            super::Event::Finished(r) => live.finished(r),
        },
    ));
    live.finish();
    let elapsed = started.elapsed();
    records.sort_by_key(|r| r.name());
    super::resolve_root_causes(&mut records);
    let interrupted = signals.interrupted.load(Ordering::SeqCst);
    let cleanup = if a.keep {
        kept(&ctx.target, "left in place (--keep)")
    } else {
        let target = ctx.target.clone();
        let abort = signals.abort.clone();
        let jobs = a.jobs;
        let waiting = report::live::spinner(
            terminal,
            format!(
                "Cleanup: deleting what this run created ({} resources) …",
                ctx.target.ledger.pending().len()
            ),
        );
        let report = runtime.block_on(async move {
            tokio::select! {
                r = cleanup::end_of_run(&target, jobs) => r,
                _ = abort.notified() => kept(&target, "the cleanup was aborted (a second interrupt)"),
            }
        });
        waiting.finish_and_clear();
        report
    };
    let interrupted = interrupted || signals.interrupted.load(Ordering::SeqCst);
    let shown_base = ctx.target.redactor.redact(&base_url).into_owned();
    let label = a.label.clone().unwrap_or_else(|| {
        report::json::default_label(&shown_base, a.builtin.map(serve::Flavour::name))
    });
    let cleanup_command = CleanupReport::command(&shown_base, &run_id);

    let text = report::console::render(&records, &catalog, a.strict, a.verbose);
    let mut stdout = anstream::stdout();
    let _ = write!(stdout, "{}", ctx.target.redactor.redact(&text));
    let mut line = format!(
        "Cleanup: {}{}",
        cleanup.line(),
        if a.keep { " (--keep)" } else { "" }
    );
    for l in &cleanup.left {
        line.push_str(&format!("\n  left: {l}"));
    }
    for w in &cleanup.warnings {
        line.push_str(&format!("\n  warning: {w}"));
    }
    if !cleanup.left.is_empty() {
        line.push_str(&format!("\n  remove what is left with: {cleanup_command}"));
    }
    let line = crate::endpoint::redact::neutralise(&line).into_owned();
    let _ = writeln!(stdout, "{}", ctx.target.redactor.redact(&line));
    if interrupted {
        let _ = writeln!(
            stdout,
            "Interrupted: cases not run are missing from the reports"
        );
    }
    let _ = writeln!(stdout, "Time: {:.2}s", elapsed.as_secs_f64());
    // A blocked case whose cause no case's own point judged would otherwise pass silently.
    let unexplained = records
        .iter()
        .any(|r| r.blocked.as_ref().is_some_and(|b| b.root_cause.is_none()));
    // Leftovers fail the run, unless the user asked to keep them.
    let mut code = if unexplained
        || (!cleanup.left.is_empty() && !a.keep)
        || records.iter().any(|r| r.verdict.fails_run(a.strict))
    {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    let facts = report::junit::RunFacts {
        insecure: a.conn.insecure,
        interrupted,
        leftovers: if a.keep {
            Vec::new()
        } else {
            cleanup.left.iter().map(Leftover::to_string).collect()
        },
        cleanup_command: (!cleanup.left.is_empty()).then(|| cleanup_command.clone()),
        label: label.clone(),
        started_at,
    };
    if let Some(path) = &a.junit {
        let written = report::junit::render_run(&records, &catalog, a.strict, elapsed, &facts)
            .and_then(|xml| {
                std::fs::write(path, ctx.target.redactor.redact(&xml).as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            });
        if let Err(e) = written {
            code = fatal(e);
        }
    }
    if let Some(path) = &a.json {
        let summary = report::json::RunSummary {
            run_id: &run_id,
            label: &label,
            base_url: &shown_base,
            profiles: &profiles,
            started_at,
            elapsed,
            strict: a.strict,
            insecure: a.conn.insecure,
            read_only: a.read_only,
            interrupted,
            transcripts: a.json_transcripts,
            cleanup: &cleanup,
            kept: a.keep,
            cleanup_command: &cleanup_command,
            fixture_requests: ctx.fixtures.requests.load(Ordering::SeqCst),
            requests: ctx.target.sent.load(Ordering::SeqCst),
        };
        let doc = report::json::report(&records, &summary);
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        if let Err(e) = std::fs::write(path, ctx.target.redactor.redact(&text).as_bytes()) {
            code = fatal(format!("cannot write {}: {e}", path.display()));
        }
    }
    if let Some(dir) = &a.report_html {
        let cleanup_line = cleanup.line();
        let label = match &a.label {
            Some(l) => l.clone(),
            None => display_label(&base_url, a.builtin, &a.faults),
        };
        let base = ctx.target.redactor.redact(&base_url);
        let info = report::html::RunInfo {
            label: &label,
            base_url: &base,
            started: &started_at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
            elapsed,
            run_id: &run_id,
            profiles: &profiles,
            cleanup: &cleanup_line,
            strict: a.strict,
            failed: code != EXIT_OK,
        };
        let page = report::html::render(&records, &catalog, &info, &ctx.target.redactor);
        match report::html::write(dir, &ctx.target.redactor.redact(&page)) {
            Ok(path) => println!("HTML report: {}", path.display()),
            Err(e) => code = fatal(e),
        }
    }
    if let Some(path) = &a.record_http {
        let har = report::har::har(&records, &run_id, &label);
        let text = serde_json::to_string_pretty(&har).unwrap_or_default();
        match std::fs::write(path, ctx.target.redactor.redact(&text).as_bytes()) {
            Ok(()) => println!("HTTP record (HAR): {}", path.display()),
            Err(e) => code = fatal(format!("cannot write {}: {e}", path.display())),
        }
    }
    if let Some(s) = server {
        s.shutdown();
    }
    if let Some(g) = out_guard {
        g.finish();
    }
    if interrupted {
        return EXIT_INTERRUPTED;
    }
    code
}

/// What the ledger still holds, reported as left for `why`.
fn kept(target: &Target, why: &str) -> CleanupReport {
    let pending = target.ledger.pending();
    CleanupReport {
        created: target.ledger.created_count(),
        deleted: target.ledger.created_count() - pending.len(),
        requests: target.cleanup_sent.load(Ordering::SeqCst),
        left: pending
            .into_iter()
            .map(|c| Leftover {
                collection: c.collection,
                id: c.id,
                name: c.name,
                reason: why.to_owned(),
            })
            .collect(),
        warnings: Vec::new(),
    }
}

/// A report file can be written: its directory is made, the file opened for writing (and
/// The snapshot directory can be made and written to: found now rather than at the first snapshot.
fn check_snapshot_dir(dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "--snapshots {}: cannot make the directory: {e}",
            dir.display()
        )
    })?;
    check_report_file("--snapshots", &dir.join(".scimspec-write-test"))
}

/// removed again when the check made it).
fn check_report_file(flag: &str, path: &std::path::Path) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("{flag} {}: cannot make its directory: {e}", path.display()))?;
    }
    if path.is_dir() {
        return Err(format!("{flag} {}: is a directory", path.display()));
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("{flag} {}: cannot write there: {e}", path.display()))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// What the signal handler tells the run.
struct Signals {
    /// A first SIGINT, SIGTERM or SIGHUP arrived: no new step starts, the run cleans up,
    /// writes its reports and exits 130.
    interrupted: Arc<AtomicBool>,
    /// A second one: the cleanup stops where it is and what is left is listed.
    abort: Arc<tokio::sync::Notify>,
}

/// SIGINT, SIGTERM and SIGHUP (an SSH session that drops) all take the same path: the first
/// stops new steps (requests in flight finish, so their creations are recorded), the second
/// aborts the cleanup. The handlers are registered before the server is contacted.
fn install_interrupt_handler(
    cancelled: &Arc<AtomicBool>,
    handle: &tokio::runtime::Handle,
) -> Signals {
    let signals = Signals {
        interrupted: Arc::new(AtomicBool::new(false)),
        abort: Arc::new(tokio::sync::Notify::new()),
    };
    let _entered = handle.enter();
    let streams = match signal_streams() {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "scimspec: warning: cannot catch interrupts ({e}): Ctrl-C would skip the cleanup"
            );
            return signals;
        }
    };
    let (cancelled, interrupted, abort) = (
        cancelled.clone(),
        signals.interrupted.clone(),
        signals.abort.clone(),
    );
    handle.spawn(async move {
        let mut streams = streams;
        let first = next_signal(&mut streams).await;
        cancelled.store(true, Ordering::SeqCst);
        interrupted.store(true, Ordering::SeqCst);
        let _ = writeln!(
            std::io::stderr(),
            "\nscimspec: interrupted ({first}); finishing the requests in flight, then cleaning up what this run created (interrupt again to abort the cleanup)"
        );
        let second = next_signal(&mut streams).await;
        let _ = writeln!(
            std::io::stderr(),
            "scimspec: {second} again: aborting the cleanup; what is left is listed"
        );
        abort.notify_one();
    });
    signals
}

#[cfg(unix)]
type Streams = Vec<(tokio::signal::unix::Signal, &'static str)>;
#[cfg(not(unix))]
type Streams = ();

#[cfg(unix)]
fn signal_streams() -> std::io::Result<Streams> {
    use tokio::signal::unix::{SignalKind, signal};
    Ok(vec![
        (signal(SignalKind::interrupt())?, "SIGINT"),
        (signal(SignalKind::terminate())?, "SIGTERM"),
        (signal(SignalKind::hangup())?, "SIGHUP"),
    ])
}

#[cfg(not(unix))]
fn signal_streams() -> std::io::Result<Streams> {
    Ok(())
}

/// The name of the next signal that arrives.
#[cfg(unix)]
async fn next_signal(streams: &mut Streams) -> &'static str {
    let [(a, an), (b, bn), (c, cn)] = streams.as_mut_slice() else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = a.recv() => an,
        _ = b.recv() => bn,
        _ = c.recv() => cn,
    }
}

#[cfg(not(unix))]
async fn next_signal(_: &mut Streams) -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}

/// How the HTML report names the server: the built-in one by flavour and faults, any other by
/// host, port and path (the base URL itself is shown beside it).
fn display_label(base_url: &str, builtin: Option<serve::Flavour>, faults: &[String]) -> String {
    if let Some(f) = builtin {
        let mut label = format!("built-in reference server ({})", f.name());
        if !faults.is_empty() {
            label.push_str(&format!(" with faults {}", faults.join(", ")));
        }
        return label;
    }
    report::json::default_label(base_url, None)
}

/// `${declared.User.schemas}` (the core schema and extensions /ResourceTypes lists for User),
/// `${declared.User.endpoint}`, and the same for Group: what a case compares an answer with
/// when the RFC defers to the server's own declarations.
fn declared_values(
    caps: &crate::endpoint::Capabilities,
    fitter: &Fitter,
) -> std::collections::HashMap<String, serde_json::Value> {
    let mut out = std::collections::HashMap::new();
    for (kind, core, endpoint) in [
        ("User", crate::scim::USER_SCHEMA, "/Users"),
        ("Group", crate::scim::GROUP_SCHEMA, "/Groups"),
    ] {
        let mut schemas = vec![serde_json::Value::String(core.to_owned())];
        if let Some(def) = caps
            .resource_type_defs
            .values()
            .find(|d| d.schema.eq_ignore_ascii_case(core))
        {
            schemas.extend(
                def.extensions
                    .iter()
                    .map(|(urn, _)| serde_json::Value::String(urn.clone())),
            );
        }
        out.insert(
            format!("declared.{kind}.schemas"),
            serde_json::Value::Array(schemas),
        );
        out.insert(
            format!("declared.{kind}.endpoint"),
            serde_json::Value::String(fitter.map_path(endpoint)),
        );
    }
    out
}

/// What preflight found, in a few lines: the answer to "Preflight: reading … " and the block
/// before the first case.
fn preflight_lines(caps: &crate::endpoint::Capabilities, fitter: &Fitter) -> String {
    const FEATURES: [&str; 6] = ["patch", "bulk", "filter", "sort", "etag", "changePassword"];
    let mut out = String::from("done");
    let list = |names: Vec<&str>| {
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    };
    if caps.service_provider_config.is_some() {
        let (on, off): (Vec<&str>, Vec<&str>) =
            FEATURES.into_iter().partition(|f| caps.spc_flag(f));
        out.push_str(&format!(
            "\n  features:        {} (not advertised: {})",
            list(on),
            list(off)
        ));
    } else {
        out.push_str(
            "\n  features:        no usable /ServiceProviderConfig: none counted as advertised",
        );
    }
    let types: Vec<String> = caps
        .resource_type_defs
        .iter()
        .map(|(name, def)| {
            let mut t = format!("{name} at {}", def.endpoint);
            for (urn, required) in &def.extensions {
                let ext = if urn.eq_ignore_ascii_case(crate::scim::ENTERPRISE_USER_SCHEMA) {
                    "the enterprise extension"
                } else {
                    urn.as_str()
                };
                t.push_str(&format!(
                    " + {ext}{}",
                    if *required { " (required)" } else { "" }
                ));
            }
            t
        })
        .collect();
    out.push_str(&format!(
        "\n  resource types:  {}",
        if types.is_empty() {
            "none declared in /ResourceTypes".to_owned()
        } else {
            types.join("; ")
        }
    ));
    out.push_str(&format!(
        "\n  schemas:         {} declared in /Schemas",
        caps.schema_defs.len()
    ));
    let notes = fitter.notes();
    if notes.is_empty() {
        out.push_str("\n  fitted fixtures: none needed (the suites' bodies fit as written)");
    }
    for note in notes {
        out.push_str(&format!("\n  fitted fixtures: {note}"));
    }
    for w in &caps.warnings {
        out.push_str(&format!("\n  warning: {w}"));
    }
    out
}

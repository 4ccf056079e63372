//! Command-line interface: parses options and drives the flow
//! load → preflight → run → report → cleanup.

use crate::catalog::Catalog;
use crate::check::schema::SchemaSet;
use crate::check::snapshot;
use crate::report;
use crate::run::record::{CaseRecord, Verdict};
use crate::run::{self, Planned, RunContext};
use crate::serve;
use crate::suite::{self, Suite};
use crate::target::{ClientOptions, Credentials, Target};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Exit codes: the contract scripts rely on.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(name = "scimspec", version, about = "SCIM 2.0 conformance and compatibility test suite", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run suites against a SCIM base URL (or the built-in reference server)
    Run(RunArgs),
    /// List cases, or with --requirements the requirement ids each case covers (TSV)
    List(ListArgs),
    /// Check suite files without a server
    Lint(LintArgs),
    /// Serve the built-in reference SCIM server
    Serve(ServeArgs),
    /// Show how much of the requirement catalogs the suites cover
    Coverage(CoverageArgs),
    /// Review, accept or reject pending snapshot changes (.snap.new files)
    Snapshots(SnapshotsArgs),
    /// Delete resources left by earlier runs (names starting with scimspec-<run id>-), and nothing else
    Cleanup(CleanupArgs),
}

#[derive(Args)]
struct CleanupArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// The run whose resources to delete (the id printed at the start of a run)
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "all_runs",
        conflicts_with = "all_runs"
    )]
    run_id: Option<String>,
    /// Delete what any scimspec run left
    #[arg(long)]
    all_runs: bool,
    /// Only list what would be deleted
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
struct SnapshotsArgs {
    #[arg(value_enum)]
    action: SnapshotAction,
    /// The snapshot directory (searched recursively)
    #[arg(long, default_value = "snapshots", value_name = "DIR")]
    snapshots: PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SnapshotAction {
    /// Show each pending diff and ask whether to accept it
    Review,
    /// Accept every pending change
    Accept,
    /// Reject every pending change
    Reject,
}

/// How to reach and authenticate to an endpoint; shared by `run` and `cleanup`.
#[derive(Args)]
struct ConnArgs {
    /// SCIM base URL, e.g. https://example.com/scim/v2
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Bearer token
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    token: Option<String>,
    /// Extra request header 'Name: value' (repeatable)
    #[arg(long = "header", value_name = "'K: V'")]
    headers: Vec<String>,
    /// Extra request header whose value is a secret and is redacted from all output (repeatable)
    #[arg(long = "secret-header", value_name = "'K: V'")]
    secret_headers: Vec<String>,
    /// HTTP Basic credentials
    #[arg(long, value_name = "USER:PASS")]
    basic: Option<String>,
    /// Per-request timeout in seconds
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    timeout: u64,
    /// Trust this PEM CA bundle in addition to the system roots
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Do not verify TLS certificates (never on production tenants)
    #[arg(long)]
    insecure: bool,
    /// At most N requests per second
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
}

impl ConnArgs {
    fn credentials(&self) -> Result<Credentials, String> {
        let mut creds = Credentials {
            bearer: self.token.clone().filter(|t| !t.is_empty()),
            ..Credentials::default()
        };
        if creds.bearer.as_ref().is_some_and(|t| t.len() < 4) {
            return Err("the token is shorter than 4 characters; such a token cannot be kept out of the output safely".into());
        }
        if let Some(b) = &self.basic {
            match b.split_once(':') {
                Some((u, p)) if p.len() >= 4 => creds.basic = Some((u.to_owned(), p.to_owned())),
                Some(_) => return Err("--basic: the password is shorter than 4 characters; it cannot be kept out of the output safely".into()),
                None => return Err("--basic takes USER:PASS".into()),
            }
        }
        for (raw, secret) in self
            .headers
            .iter()
            .map(|h| (h, false))
            .chain(self.secret_headers.iter().map(|h| (h, true)))
        {
            let (n, v) = parse_header(raw)?;
            creds.headers.push((n, v, secret));
        }
        Ok(creds)
    }

    fn client_options(&self) -> Result<ClientOptions, String> {
        if let Some(r) = self.rate
            && !(r > 0.0 && r.is_finite())
        {
            return Err("--rate takes a positive number of requests per second".into());
        }
        Ok(ClientOptions {
            timeout: Duration::from_secs(self.timeout.max(1)),
            insecure: self.insecure,
            cacert: self.cacert.clone(),
            rate: self.rate,
            ..ClientOptions::default()
        })
    }
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Start the built-in reference server (core, loom or looop) in-process and run against it
    #[arg(long, value_name = "FLAVOUR", conflicts_with = "base_url")]
    builtin: Option<serve::Flavour>,
    /// With --builtin: switch on a fault of the reference server (repeatable; see `serve --list-faults`)
    #[arg(long = "fault", value_name = "NAME", requires = "builtin")]
    faults: Vec<String>,
    /// Profiles to run, comma-separated: core, loom, looop, okta, entra
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    profile: Vec<String>,
    /// Write JUnit XML here
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write the JSON report here
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Per-case timeout in seconds
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    case_timeout: u64,
    /// NON-STRICT verdicts (broken SHOULDs) fail the run
    #[arg(long)]
    strict: bool,
    /// Add suite files from this directory (repeatable)
    #[arg(long = "suites", value_name = "DIR")]
    suites: Vec<PathBuf>,
    /// Cases run at once
    #[arg(long, default_value_t = 16, value_name = "N")]
    jobs: usize,
    /// Run only cases whose name contains this
    filter: Option<String>,
    /// Match FILTER exactly
    #[arg(long)]
    exact: bool,
    /// Skip cases whose name contains this (repeatable)
    #[arg(long)]
    skip: Vec<String>,
    /// List the selected cases and exit
    #[arg(long)]
    list: bool,
    /// Print the HTTP transcript of every failing case
    #[arg(long, short)]
    verbose: bool,
    /// Run only cases that send no write request (GET/HEAD only); safe on production tenants
    #[arg(long)]
    read_only: bool,
    /// Write a HAR-like record of every exchange (redacted) into this directory
    #[arg(long, value_name = "DIR")]
    record_http: Option<PathBuf>,
    /// Leave created resources in place (for debugging)
    #[arg(long)]
    keep: bool,
    /// Where snapshots live (default snapshots/<target label>/)
    #[arg(long, value_name = "DIR")]
    snapshots: Option<PathBuf>,
    /// check: compare (a missing snapshot is recorded as new); record: overwrite; off
    #[arg(long, value_enum, default_value = "check", value_name = "MODE")]
    snapshot_mode: snapshot::Mode,
    /// Whether a changed snapshot fails the case or is only reported
    #[arg(long, value_enum, default_value = "fail", value_name = "HOW")]
    snapshot_drift: snapshot::Drift,
}

#[derive(Args)]
struct ListArgs {
    /// Profiles, comma-separated (default: all)
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    profile: Vec<String>,
    /// Print `requirement_id<TAB>case_id` rows
    #[arg(long)]
    requirements: bool,
    /// Add suite files from this directory (repeatable)
    #[arg(long = "suites", value_name = "DIR")]
    suites: Vec<PathBuf>,
}

#[derive(Args)]
struct LintArgs {
    /// Suite files or directories (default: the built-in suites)
    paths: Vec<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[arg(long, default_value = "core", value_name = "FLAVOUR")]
    flavour: serve::Flavour,
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: std::net::SocketAddr,
    /// Require this bearer token
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Switch on a named fault (repeatable)
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,
    /// Print the fault catalog: NAME<TAB>REQUIREMENT_IDS<TAB>DESCRIPTION
    #[arg(long)]
    list_faults: bool,
    /// Delay every answer by this many milliseconds (to stand in for a remote server)
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
}

#[derive(Args)]
struct CoverageArgs {
    /// Directory of requirement catalogs (*.tsv); default ../shared/requirements when present,
    /// else the copy compiled in
    #[arg(long, value_name = "DIR")]
    catalog: Option<PathBuf>,
    /// Print the uncovered ids of every file and level
    #[arg(long)]
    uncovered: bool,
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Run(a) => cmd_run(a),
        Command::List(a) => cmd_list(a),
        Command::Lint(a) => cmd_lint(a),
        Command::Serve(a) => cmd_serve(a),
        Command::Coverage(a) => cmd_coverage(a),
        Command::Snapshots(a) => cmd_snapshots(a),
        Command::Cleanup(a) => cmd_cleanup(a),
    }
}

fn fatal(message: impl std::fmt::Display) -> i32 {
    let _ = writeln!(std::io::stderr(), "scimspec: {message}");
    EXIT_USAGE
}

/// Built-in suites plus the user's, all checked; on any problem, every problem is printed.
fn load_suites(extra: &[PathBuf], catalog: &Catalog) -> Result<Vec<Suite>, i32> {
    let mut sources = suite::builtin_sources();
    match suite::disk_sources(extra) {
        Ok(s) => sources.extend(s),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            return Err(EXIT_USAGE);
        }
    }
    suite::load(&sources, catalog, suite::Check::Run).map_err(|e| {
        let _ = writeln!(std::io::stderr(), "{e}\nnothing was sent.");
        EXIT_USAGE
    })
}

fn all_profiles(suites: &[Suite]) -> Vec<String> {
    let mut p: Vec<String> = suites.iter().map(|s| s.profile.clone()).collect();
    p.sort();
    p.dedup();
    p
}

fn check_profiles(requested: &[String], suites: &[Suite]) -> Result<(), String> {
    let known = all_profiles(suites);
    for p in requested {
        if !known.contains(p) {
            return Err(format!(
                "unknown profile `{p}`; known profiles: {}",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

fn default_profiles(builtin: Option<serve::Flavour>) -> Vec<String> {
    match builtin.map(|f| f.name()) {
        Some("loom") => vec!["core".into(), "loom".into()],
        Some("looop") => vec!["core".into(), "looop".into()],
        _ => vec!["core".into()],
    }
}

fn selected(name: &str, filter: &Option<String>, exact: bool, skip: &[String]) -> bool {
    let by_filter = match filter {
        None => true,
        Some(f) if exact => name == f,
        Some(f) => name.contains(f.as_str()),
    };
    by_filter
        && !skip.iter().any(|s| {
            if exact {
                name == s
            } else {
                name.contains(s.as_str())
            }
        })
}

fn parse_header(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw.split_once(':').ok_or_else(|| {
        format!(
            "--header `{}` must look like 'Name: value'",
            raw.split(':').next().unwrap_or("")
        )
    })?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "--header name `{name}` is not a valid HTTP header name"
        ));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

fn cmd_run(a: RunArgs) -> i32 {
    let catalog = Catalog::builtin();
    let suites = match load_suites(&a.suites, &catalog) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let profiles = if a.profile.is_empty() {
        default_profiles(a.builtin)
    } else {
        a.profile.clone()
    };
    if let Err(e) = check_profiles(&profiles, &suites) {
        return fatal(e);
    }
    let planned: Vec<Planned> = run::plan(suite::select_profiles(suites, &profiles))
        .into_iter()
        .filter(|p| selected(&p.name(), &a.filter, a.exact, &a.skip))
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
    let mut creds = match a.conn.credentials() {
        Ok(c) => c,
        Err(e) => return fatal(e),
    };
    let options = match a.conn.client_options() {
        Ok(o) => o,
        Err(e) => return fatal(e),
    };
    let mut planned = planned;
    if a.read_only {
        let (keep, writes): (Vec<Planned>, Vec<Planned>) =
            planned.into_iter().partition(|p| p.case.is_read_only());
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

    let mut server = None;
    let base_url = match (&a.conn.base_url, a.builtin) {
        (_, Some(flavour)) => {
            let token = format!("scimspec-builtin-{}", uuid::Uuid::new_v4().simple());
            let opts = serve::ServeOptions {
                flavour,
                token: Some(token.clone()),
                faults: a.faults.clone(),
                options: Vec::new(),
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
    if profiles.iter().any(|p| p == "looop") {
        let path = target.base_path.clone();
        if !path.ends_with("/scim/v2") {
            let _ = writeln!(
                std::io::stderr(),
                "scimspec: warning: Looop's base URL always ends with /scim/v2, and `{base_url}` does not (looop.base-url-ends-scim-v2)"
            );
        }
    }
    let caps = match runtime.block_on(target.preflight()) {
        Ok(c) => c,
        Err(e) => return fatal(target.redactor.redact(&e.to_string())),
    };
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let suite_count = {
        let mut ids: Vec<&str> = planned.iter().map(|p| p.suite.id.as_str()).collect();
        ids.dedup();
        ids.len()
    };
    let mut stdout = anstream::stdout();
    let _ = writeln!(
        stdout,
        "scimspec {}: {} cases from {} suites (profiles {}) against {} — run {run_id}",
        env!("CARGO_PKG_VERSION"),
        planned.len(),
        suite_count,
        profiles.join(","),
        target.redactor.redact(&base_url),
    );
    for w in &caps.warnings {
        let _ = writeln!(stdout, "warning: {w}");
    }
    let _ = stdout.flush();
    let ctx = Arc::new(RunContext {
        target,
        caps,
        run_id: run_id.clone(),
        schemas: SchemaSet::builtin(),
        case_timeout: Duration::from_secs(a.case_timeout.max(1)),
        strict: a.strict,
        cancelled: AtomicBool::new(false),
        in_flight: AtomicUsize::new(0),
        records: Mutex::new(Vec::new()),
        snapshots: match a.snapshot_mode {
            snapshot::Mode::Off => None,
            mode => Some(snapshot::Store {
                dir: a.snapshots.clone().unwrap_or_else(|| {
                    PathBuf::from("snapshots").join(target_label(&base_url, a.builtin))
                }),
                mode,
            }),
        },
        drift: a.snapshot_drift,
    });
    install_interrupt_handler(&ctx, &handle, a.keep);

    let started = Instant::now();
    let args = libtest_mimic::Arguments {
        test_threads: Some(a.jobs.max(1)),
        ..libtest_mimic::Arguments::default()
    };
    let trials = run::trials(&ctx, &planned, &handle);
    let _ = libtest_mimic::run(&args, trials);
    let elapsed = started.elapsed();

    let mut records: Vec<CaseRecord> =
        std::mem::take(&mut *ctx.records.lock().unwrap_or_else(|e| e.into_inner()));
    records.sort_by_key(|r| r.name());
    let cleanup = if a.keep {
        let left = ctx.target.ledger.pending().len();
        format!(
            "{} created, 0 deleted, {left} left (--keep)",
            ctx.target.ledger.created_count()
        )
    } else {
        runtime.block_on(cleanup(&ctx))
    };

    let text = report::console::render(&records, &catalog, a.strict, a.verbose);
    let mut stdout = anstream::stdout();
    let _ = write!(stdout, "{}", ctx.target.redactor.redact(&text));
    let _ = writeln!(stdout, "Cleanup: {cleanup}");
    let _ = writeln!(stdout, "Time: {:.2}s", elapsed.as_secs_f64());
    let mut code = if records.iter().any(|r| r.verdict.fails_run(a.strict)) {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    if let Some(path) = &a.junit {
        let written =
            report::junit::render(&records, &catalog, a.strict, elapsed).and_then(|xml| {
                std::fs::write(path, ctx.target.redactor.redact(&xml).as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            });
        if let Err(e) = written {
            code = fatal(e);
        }
    }
    if let Some(path) = &a.json {
        let meta = serde_json::json!({
            "run_id": run_id,
            "base_url": ctx.target.redactor.redact(&base_url),
            "profiles": profiles,
            "elapsed_ms": elapsed.as_millis() as u64,
            "cleanup": cleanup,
        });
        let doc = report::json_report(&records, &meta);
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        if let Err(e) = std::fs::write(path, ctx.target.redactor.redact(&text).as_bytes()) {
            code = fatal(format!("cannot write {}: {e}", path.display()));
        }
    }
    if let Some(dir) = &a.record_http {
        let har = report::har(&records, &run_id);
        let path = dir.join(format!("scimspec-{run_id}.har"));
        let text = serde_json::to_string_pretty(&har).unwrap_or_default();
        let written = std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(&path, ctx.target.redactor.redact(&text).as_bytes()));
        match written {
            Ok(()) => println!("HTTP record: {}", path.display()),
            Err(e) => code = fatal(format!("cannot write {}: {e}", path.display())),
        }
    }
    if let Some(s) = server {
        s.shutdown();
    }
    code
}

fn cmd_cleanup(a: CleanupArgs) -> i32 {
    let Some(base_url) = a.conn.base_url.clone() else {
        return fatal("cleanup needs --base-url URL");
    };
    let (creds, options) = match (a.conn.credentials(), a.conn.client_options()) {
        (Ok(c), Ok(o)) => (c, o),
        (Err(e), _) | (_, Err(e)) => return fatal(e),
    };
    let target = match Target::new(&base_url, creds, options) {
        Ok(t) => t,
        Err(e) => return fatal(e),
    };
    let prefix = match &a.run_id {
        Some(id) if id.len() >= 4 && id.chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!("scimspec-{id}-")
        }
        Some(id) => {
            return fatal(format!(
                "`{id}` is not a run id (the 8 characters printed at the start of a run)"
            ));
        }
        None => "scimspec-".to_owned(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fatal(format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(crate::target::sweep::sweep(&target, &prefix, a.dry_run)) {
        Ok(summary) => {
            println!("{}", target.redactor.redact(&summary.to_string()));
            if summary.left.is_empty() {
                EXIT_OK
            } else {
                EXIT_FAILED
            }
        }
        Err(e) => fatal(target.redactor.redact(&e)),
    }
}

/// Deletes what the run created, groups first. Returns the summary line.
async fn cleanup(ctx: &Arc<RunContext>) -> String {
    /// Deletes at once; a remote tenant answers slowly, and hundreds of resources add up.
    const AT_ONCE: usize = 16;
    let pending = ctx.target.ledger.pending();
    let created = ctx.target.ledger.created_count();
    let mut left = Vec::new();
    // Groups first (the ledger orders them so), then the rest: members must outlive their groups.
    let (groups, others): (Vec<_>, Vec<_>) = pending
        .into_iter()
        .partition(|c| c.collection.to_ascii_lowercase().ends_with("/groups"));
    for batch in [groups, others] {
        let mut tasks = tokio::task::JoinSet::new();
        for c in batch {
            while tasks.len() >= AT_ONCE {
                if let Some(Ok(Some(l))) = tasks.join_next().await {
                    left.push(l);
                }
            }
            let ctx = ctx.clone();
            tasks.spawn(async move {
                let req = crate::target::OutRequest::new("DELETE", &c.path());
                match ctx.target.send(&req).await {
                    Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                        ctx.target.ledger.mark_deleted(&c.path());
                        None
                    }
                    Ok(r) => Some(format!("{} ({})", c.path(), r.status)),
                    Err(e) => Some(format!("{} ({e})", c.path())),
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            if let Ok(Some(l)) = done {
                left.push(l);
            }
        }
    }
    left.sort();
    let remaining = ctx.target.ledger.pending().len();
    let mut line = format!(
        "{created} created, {} deleted, {remaining} left",
        created - remaining
    );
    if !left.is_empty() {
        line.push_str(&format!(": {}", left.join(", ")));
    }
    line
}

/// First Ctrl-C: stop starting steps, wait for requests in flight, clean up, exit 130.
/// A second Ctrl-C aborts the cleanup and says what is left.
fn install_interrupt_handler(ctx: &Arc<RunContext>, handle: &tokio::runtime::Handle, keep: bool) {
    let ctx = ctx.clone();
    handle.spawn(async move {
        if wait_for_signal().await.is_err() {
            return;
        }
        ctx.cancelled.store(true, Ordering::SeqCst);
        let _ = writeln!(std::io::stderr(), "\nscimspec: interrupted; cleaning up what this run created (Ctrl-C again to abort)");
        let deadline = Instant::now() + ctx.target.options.timeout;
        while ctx.in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let summary = if keep {
            "left in place (--keep)".to_owned()
        } else {
            tokio::select! {
                s = cleanup(&ctx) => s,
                _ = wait_for_signal() => {
                    let left: Vec<String> = ctx.target.ledger.pending().iter().map(|c| c.path()).collect();
                    format!("cleanup aborted; left: {}", left.join(", "))
                }
            }
        };
        let _ = writeln!(std::io::stderr(), "Cleanup: {summary}");
        std::process::exit(130);
    });
}

async fn wait_for_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// A directory name for a target's snapshots: `builtin-core`, or host, port and path.
fn target_label(base_url: &str, builtin: Option<serve::Flavour>) -> String {
    if let Some(f) = builtin {
        return format!("builtin-{}", f.name());
    }
    let parsed = url::Url::parse(base_url).ok();
    let raw = match &parsed {
        Some(u) => format!(
            "{}{}{}",
            u.host_str().unwrap_or("host"),
            u.port().map(|p| format!("-{p}")).unwrap_or_default(),
            u.path()
        ),
        None => base_url.to_owned(),
    };
    let label: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    label.trim_matches('-').to_owned()
}

fn cmd_snapshots(a: SnapshotsArgs) -> i32 {
    let pending = snapshot::pending(&a.snapshots);
    if pending.is_empty() {
        println!("no pending snapshot changes in {}", a.snapshots.display());
        return EXIT_OK;
    }
    let mut accepted = 0;
    let mut rejected = 0;
    let mut skipped = 0;
    for new in &pending {
        let old = snapshot::accepted_path(new);
        let choice = match a.action {
            SnapshotAction::Accept => 'a',
            SnapshotAction::Reject => 'r',
            SnapshotAction::Review => {
                use std::io::IsTerminal;
                if !std::io::stdin().is_terminal() {
                    return fatal(
                        "`snapshots review` asks on a terminal; in CI use `snapshots accept` or `snapshots reject`",
                    );
                }
                let before = snapshot::read_contents(&old).unwrap_or_default();
                let after = snapshot::read_contents(new).unwrap_or_default();
                let diff = snapshot::unified_diff(&before, &after, &old.display().to_string());
                let mut out = anstream::stdout();
                let _ = writeln!(out, "{}", report::console::colour_diff(&diff));
                let _ = write!(out, "accept this change? [a]ccept, [r]eject, [s]kip: ");
                let _ = out.flush();
                let mut line = String::new();
                if std::io::stdin().read_line(&mut line).is_err() {
                    return fatal("cannot read the answer");
                }
                line.trim()
                    .chars()
                    .next()
                    .unwrap_or('s')
                    .to_ascii_lowercase()
            }
        };
        match choice {
            'a' => match std::fs::rename(new, &old) {
                Ok(()) => accepted += 1,
                Err(e) => return fatal(format!("cannot accept {}: {e}", new.display())),
            },
            'r' => match std::fs::remove_file(new) {
                Ok(()) => rejected += 1,
                Err(e) => return fatal(format!("cannot reject {}: {e}", new.display())),
            },
            _ => skipped += 1,
        }
    }
    println!("{accepted} accepted, {rejected} rejected, {skipped} skipped");
    EXIT_OK
}

fn cmd_list(a: ListArgs) -> i32 {
    let catalog = Catalog::builtin();
    let suites = match load_suites(&a.suites, &catalog) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let profiles = if a.profile.is_empty() {
        all_profiles(&suites)
    } else {
        a.profile.clone()
    };
    if let Err(e) = check_profiles(&profiles, &suites) {
        return fatal(e);
    }
    let planned = run::plan(suite::select_profiles(suites, &profiles));
    let mut out = std::io::stdout().lock();
    for p in &planned {
        let line = if a.requirements {
            p.case
                .requirements
                .iter()
                .map(|r| format!("{r}\t{}", p.name()))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            format!(
                "{}\t{}\t{}\t{}",
                p.name(),
                p.case.level,
                p.suite.profile,
                p.case.title
            )
        };
        // A closed pipe (`scimspec list | head`) ends the listing quietly.
        if writeln!(out, "{line}").is_err() {
            return EXIT_OK;
        }
    }
    EXIT_OK
}

fn cmd_lint(a: LintArgs) -> i32 {
    let catalog = Catalog::builtin();
    let sources = if a.paths.is_empty() {
        suite::builtin_sources()
    } else {
        match suite::disk_sources(&a.paths) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "{e}");
                return EXIT_USAGE;
            }
        }
    };
    match suite::load(&sources, &catalog, suite::Check::Full) {
        Ok(suites) => {
            let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
            println!("ok: {} suite files, {cases} cases", suites.len());
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            EXIT_FAILED
        }
    }
}

fn cmd_serve(a: ServeArgs) -> i32 {
    if a.list_faults {
        print!("{}", serve::fault_listing());
        return EXIT_OK;
    }
    if !a.listen.ip().is_loopback() {
        let _ = writeln!(
            std::io::stderr(),
            "scimspec: warning: the reference server is listening beyond loopback on {}",
            a.listen
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fatal(format!("cannot start the async runtime: {e}")),
    };
    let flavour = a.flavour;
    let opts = serve::ServeOptions {
        flavour,
        token: a.token,
        faults: a.faults,
        options: Vec::new(),
    };
    let app = match serve::router(opts) {
        Ok(r) => r,
        Err(e) => return fatal(e),
    };
    // Added latency stands in for a real network and server, for benchmarks and interrupt tests.
    let latency = Duration::from_millis(a.latency_ms);
    let app = app.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| async move {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            next.run(req).await
        },
    ));
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(a.listen).await {
            Ok(l) => l,
            Err(e) => return fatal(format!("cannot listen on {}: {e}", a.listen)),
        };
        let addr = listener
            .local_addr()
            .map(|x| x.to_string())
            .unwrap_or_default();
        println!(
            "scimspec reference server ({}) at http://{addr}{}",
            flavour.name(),
            flavour.base_path()
        );
        let _ = std::io::stdout().flush();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = wait_for_signal().await;
            })
            .await;
        match served {
            Ok(()) => EXIT_OK,
            Err(e) => fatal(format!("the server stopped: {e}")),
        }
    })
}

fn cmd_coverage(a: CoverageArgs) -> i32 {
    let catalog = match &a.catalog {
        Some(dir) => match Catalog::from_dir(dir) {
            Ok(c) => c,
            Err(e) => return fatal(e),
        },
        None => {
            let shared = PathBuf::from("../shared/requirements");
            if shared.is_dir() {
                // The project's own idp.tsv is not among the shared catalogs: keep it.
                Catalog::from_dir(&shared)
                    .map(|c| c.with_missing_files_from(Catalog::builtin()))
                    .unwrap_or_else(|_| Catalog::builtin())
            } else {
                Catalog::builtin()
            }
        }
    };
    let suites = match load_suites(&[], &Catalog::builtin()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    print!(
        "{}",
        crate::coverage::render(&catalog, &suites, a.uncovered)
    );
    EXIT_OK
}

#[allow(dead_code)]
fn verdict_counts(records: &[CaseRecord]) -> Vec<(Verdict, usize)> {
    report::counts(records)
}

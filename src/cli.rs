//! The command line: what each command and option is, and which stage runs it. The work
//! itself lives with the stages (`run::session`, `endpoint::cleanup`, `check::snapshot`, …).

use crate::check::snapshot;
use crate::endpoint::ConnOptions;
use crate::process::{EXIT_OK, EXIT_USAGE};
use crate::run::session::RunOptions;
use crate::serve;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

/// `--version`: the release, and the commit, date and target it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SCIMSPEC_COMMIT"),
    " ",
    env!("SCIMSPEC_COMMIT_DATE"),
    ", ",
    env!("SCIMSPEC_TARGET"),
    ")"
);

const EXIT_CODES: &str = "Exit codes: 0 no FAIL or ERROR (with --strict: no NON-STRICT either); \
1 some case failed, or resources were left behind; 2 usage or configuration error, a broken \
suite file, an unreachable base URL, a TLS failure or credentials rejected at preflight; \
130 interrupted (after the cleanup).";

/// `run --help`: the safe first step on a production tenant, and the exit codes.
const RUN_AFTER_HELP: &str = "On a production tenant start with --read-only (GET and HEAD only), \
and a --rate the tenant allows.\n\n\
Exit codes: 0 no FAIL or ERROR (with --strict: no NON-STRICT either); 1 some case failed, \
snapshot drift with --snapshot-drift fail, or resources were left behind; 2 usage or \
configuration error, a broken suite file, an unreachable base URL, a TLS failure or credentials \
rejected at preflight; 130 interrupted (after the cleanup).";

#[derive(Parser)]
#[command(
    name = "scimspec",
    version = VERSION,
    about = "SCIM 2.0 conformance and compatibility test suite",
    long_about = None,
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour the output; auto: on a terminal, unless NO_COLOR is set
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    color: clap::ColorChoice,
}

// Parsed once at start-up: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run suites against a SCIM base URL (or the built-in reference server)
    #[command(after_help = RUN_AFTER_HELP)]
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
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout
    Completions {
        /// The shell to write the script for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout
    Man,
    /// Delete resources left by earlier runs (names starting with scimspec-<run id>-), and nothing else
    #[command(
        after_help = "Exit codes: 0 nothing left; 1 some resources could not be deleted; \
2 usage or configuration error."
    )]
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
    /// What to do with each pending change
    #[arg(value_enum)]
    action: snapshot::Action,
    /// The directory given to `run --snapshots` (searched recursively for .snap.new files)
    #[arg(long, value_name = "DIR")]
    snapshots: PathBuf,
}

/// How to reach and authenticate to an endpoint; shared by `run` and `cleanup`.
#[derive(Args)]
#[command(next_help_heading = "Connection")]
struct ConnArgs {
    /// SCIM base URL, e.g. https://example.com/scim/v2
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Bearer token (at least 4 characters, no spaces or control characters; never printed)
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
    /// Per-request timeout in seconds (1 to 3600)
    #[arg(long, default_value_t = 30, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Trust this PEM CA bundle in addition to the system roots
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Do not verify TLS certificates (never on production tenants)
    #[arg(long)]
    insecure: bool,
    /// At most N requests per second (0.01 to 10000)
    #[arg(long, value_name = "N", value_parser = crate::endpoint::options::parse_rate,
          help_heading = "Safety")]
    rate: Option<f64>,
    /// Retries of a request answered 429 or 503, after the Retry-After the server names (seconds
    /// or an HTTP date; at most 30 s) or 0.5 s (0 to 10; 0: no retry)
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u32).range(0..=10))]
    retries: u32,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    conn: ConnArgs,
    /// Start the built-in reference server (core, loom or looop) in-process and run against it
    #[arg(
        long,
        value_name = "FLAVOUR",
        conflicts_with = "base_url",
        help_heading = "Connection"
    )]
    builtin: Option<serve::Flavour>,
    /// With --builtin: switch on a fault of the reference server (repeatable; see `serve --list-faults`)
    #[arg(
        long = "fault",
        value_name = "NAME",
        requires = "builtin",
        help_heading = "Connection"
    )]
    faults: Vec<String>,
    /// With --builtin: switch on a flavour option, a documented behaviour that is not a defect
    /// (repeatable; see `serve --list-options`)
    #[arg(
        long = "option",
        value_name = "NAME",
        requires = "builtin",
        help_heading = "Connection"
    )]
    options: Vec<String>,

    /// Run only cases whose name contains this
    #[arg(help_heading = "Selection")]
    filter: Option<String>,
    /// Profiles to run, comma-separated: core, loom, looop, okta, entra
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LIST",
        help_heading = "Selection"
    )]
    profile: Vec<String>,
    /// Judge only this kind of Okta app: catalog (OIN) or custom (AIW); default both
    #[arg(long, value_enum, value_name = "KIND", help_heading = "Selection")]
    okta_app: Option<OktaAppArg>,
    /// Match FILTER exactly
    #[arg(long, help_heading = "Selection")]
    exact: bool,
    /// Skip cases whose name contains this (repeatable)
    #[arg(long, value_name = "TEXT", help_heading = "Selection")]
    skip: Vec<String>,
    /// Run only cases that check this requirement id (repeatable, or comma-separated)
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID",
        help_heading = "Selection"
    )]
    requirement: Vec<String>,
    /// Add suite files from this directory (repeatable)
    #[arg(long = "suites", value_name = "DIR", help_heading = "Selection")]
    suites: Vec<PathBuf>,
    /// List the selected cases and exit
    #[arg(long, help_heading = "Selection")]
    list: bool,

    /// Run only cases that send no write request (GET/HEAD only); safe on production tenants
    // First of its heading, before --rate (declared earlier, in the shared connection options).
    #[arg(long, help_heading = "Safety", display_order = 0)]
    read_only: bool,
    /// Cases run at once (1 to 1024); also the number of DELETEs at once in the cleanup
    #[arg(long, default_value_t = 16, value_name = "N", help_heading = "Safety",
          value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: u64,
    /// Per-case timeout in seconds (1 to 86400)
    #[arg(long, default_value_t = 120, value_name = "SECS", help_heading = "Safety",
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    case_timeout: u64,
    /// Leave created resources in place (for debugging; `scimspec cleanup` removes them later)
    #[arg(long, help_heading = "Safety")]
    keep: bool,
    /// Delete what the run created with one DELETE per resource, even where the server
    /// advertises Bulk (by default the cleanup sends Bulk DELETEs, up to 100 a request, and
    /// deletes one by one whatever Bulk did not confirm)
    #[arg(long, help_heading = "Safety")]
    no_bulk_cleanup: bool,
    /// Send every read of /ServiceProviderConfig, /ResourceTypes and /Schemas (by default a
    /// case's read that repeats one already answered in the run, byte for byte, gets that answer)
    #[arg(long, help_heading = "Safety")]
    no_shared_discovery: bool,

    /// Write JUnit XML here
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    junit: Option<PathBuf>,
    /// Write the JSON report here (its schema: schemas/report.schema.json)
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    json: Option<PathBuf>,
    /// Which cases keep their HTTP transcript in the JSON report
    #[arg(
        long,
        value_enum,
        default_value = "failed",
        value_name = "WHICH",
        help_heading = "Reports"
    )]
    json_transcripts: crate::report::json::Transcripts,
    /// Name the target in the reports (JUnit suite names, JSON, HTML); default: host:port/path
    /// of the base URL, or builtin-FLAVOUR
    #[arg(long, value_name = "TEXT", help_heading = "Reports")]
    label: Option<String>,
    /// Write a self-contained HTML report (index.html) into this directory
    #[arg(long, value_name = "DIR", help_heading = "Reports")]
    report_html: Option<PathBuf>,
    /// Write every HTTP exchange of the run (credentials redacted) to this file as HAR 1.2
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    record_http: Option<PathBuf>,
    /// Print the HTTP transcript of every failing case
    #[arg(long, short, help_heading = "Reports")]
    verbose: bool,
    /// NON-STRICT verdicts (broken SHOULDs) fail the run
    #[arg(long, help_heading = "Reports")]
    strict: bool,

    /// Take snapshots of the answers into DIR and compare later runs with them (off without it)
    #[arg(long, value_name = "DIR", help_heading = "Snapshots")]
    snapshots: Option<PathBuf>,
    /// check: compare, recording missing snapshots (a first run records the baseline); record:
    /// overwrite; off
    #[arg(
        long,
        value_enum,
        default_value = "check",
        value_name = "MODE",
        help_heading = "Snapshots"
    )]
    snapshot_mode: snapshot::Mode,
    /// report: show a changed snapshot's diff and keep the verdict; fail: the case fails
    #[arg(
        long,
        value_enum,
        default_value = "report",
        value_name = "HOW",
        help_heading = "Snapshots"
    )]
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
    /// Which server to be: core (RFC 7643/7644 only), loom or looop (core plus that product's rules)
    #[arg(long, default_value = "core", value_name = "FLAVOUR")]
    flavour: serve::Flavour,
    /// Address and port to listen on (beyond loopback only on purpose: it serves test data)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: std::net::SocketAddr,
    /// Require this bearer token (the same rule as `run --token`: at least 4 characters, no
    /// spaces or control characters); without it the server needs no authentication
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    token: Option<String>,
    /// Switch on a named fault (repeatable)
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,
    /// Switch on a flavour option: a documented behaviour, not a defect (repeatable)
    #[arg(long = "option", value_name = "NAME")]
    options: Vec<String>,
    /// Print the fault catalog: NAME<TAB>REQUIREMENT_IDS<TAB>DESCRIPTION
    #[arg(long)]
    list_faults: bool,
    /// Print the flavour options: NAME<TAB>FLAVOURS<TAB>DESCRIPTION
    #[arg(long)]
    list_options: bool,
    /// Delay every answer by this many milliseconds (to stand in for a remote server)
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Start with this many users already stored (seed-N@example.com), to stand in for a large
    /// production tenant
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10_000_000))]
    seed_users: u32,
}

#[derive(Args)]
struct CoverageArgs {
    /// Directory of requirement catalogs (*.tsv) to measure against; default: the catalogs
    /// compiled into scimspec
    #[arg(long, value_name = "DIR")]
    catalog: Option<PathBuf>,
    /// Print the uncovered ids of every file and level
    #[arg(long)]
    uncovered: bool,
}

pub fn main() -> i32 {
    let parsed = Cli::command()
        .color(color_given())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    // Every coloured output goes through anstream, which reads this choice; `auto` leaves it
    // to anstream (a terminal, NO_COLOR, CLICOLOR_FORCE, TERM=dumb).
    match cli.color {
        clap::ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        clap::ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
        clap::ColorChoice::Auto => {}
    }
    match cli.command {
        Command::Run(a) => crate::run::session::run(a.into()),
        Command::List(a) => crate::run::plan::list_command(&a.profile, a.requirements, &a.suites),
        Command::Lint(a) => crate::suite::lint_command(&a.paths),
        Command::Serve(a) => serve::command(serve::ServeCommand {
            flavour: a.flavour,
            listen: a.listen,
            token: match crate::endpoint::options::checked_token(a.token.as_deref()) {
                Ok(t) => t,
                Err(e) => return crate::process::fatal(e),
            },
            faults: a.faults,
            options: a.options,
            list_faults: a.list_faults,
            list_options: a.list_options,
            latency_ms: a.latency_ms,
            seed_users: a.seed_users as usize,
        }),
        Command::Coverage(a) => crate::coverage::command(a.catalog.as_deref(), a.uncovered),
        Command::Snapshots(a) => snapshot::command(a.action, &a.snapshots),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut out = std::io::stdout();
            clap_complete::generate(shell, &mut cmd, "scimspec", &mut out);
            EXIT_OK
        }
        Command::Man => {
            match man_page() {
                Ok(out) => {
                    use std::io::Write as _;
                    // A closed pipe (`scimspec man | head`) is not an error worth reporting.
                    let _ = std::io::stdout().write_all(&out);
                    EXIT_OK
                }
                Err(e) => crate::process::fatal(format!("cannot render the man page: {e}")),
            }
        }
        Command::Cleanup(a) => {
            crate::endpoint::cleanup::command(&a.conn.into(), a.run_id.as_deref(), a.dry_run)
        }
    }
}

/// `--color` as the command line gives it, read before parsing so that clap's own help and
/// errors follow it too (a value clap will refuse counts as `auto` here).
fn color_given() -> clap::ColorChoice {
    let mut choice = clap::ColorChoice::Auto;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--color") {
            Some("") => args.next().map(|v| v.to_string_lossy().into_owned()),
            Some(v) => v.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        choice = match value.as_deref() {
            Some("always") => clap::ColorChoice::Always,
            Some("never") => clap::ColorChoice::Never,
            Some("auto") => clap::ColorChoice::Auto,
            _ => choice,
        };
    }
    choice
}

/// One man page for every command. clap_mangen's own page lists the commands as
/// scimspec-run(1), … pages that nobody installs; here each command's synopsis, options (under
/// the headings of its --help) and notes follow as a section of the one page.
fn man_page() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let top = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    top.render_title(&mut out)?;
    top.render_name_section(&mut out)?;
    top.render_synopsis_section(&mut out)?;
    top.render_description_section(&mut out)?;
    for sub in cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
    {
        out.extend_from_slice(
            format!(".SH \"SCIMSPEC {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        if let Some(about) = sub.get_about() {
            out.extend_from_slice(roff_line(&about.to_string()).as_bytes());
        }
        let man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_options_section(&mut part)?;
        if sub.get_after_help().is_some() {
            man.render_extra_section(&mut part)?;
        }
        out.extend_from_slice(demote_sections(&String::from_utf8_lossy(&part)).as_bytes());
    }
    let mut tail = Vec::new();
    top.render_extra_section(&mut tail)?;
    top.render_version_section(&mut tail)?;
    let tail = String::from_utf8_lossy(&tail).replace(".SH EXTRA", ".SH \"EXIT STATUS\"");
    out.extend_from_slice(tail.as_bytes());
    Ok(out)
}

/// A command's own `.SH` sections become subsections (`.SS`) of its section of the page.
fn demote_sections(roff: &str) -> String {
    roff.lines()
        .map(|l| match l.strip_prefix(".SH ") {
            Some(title) => {
                let title = title.trim_matches('"');
                let title = if title == "EXTRA" { "NOTES" } else { title };
                let mut chars = title.chars();
                let shown: String = match chars.next() {
                    Some(c) => c
                        .to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect(),
                    None => String::new(),
                };
                format!(".SS \"{shown}\"\n")
            }
            None => format!("{l}\n"),
        })
        .collect()
}

/// Text as one roff paragraph line: backslashes escaped, a leading dot or quote kept as text.
fn roff_line(text: &str) -> String {
    let escaped = text.replace('\\', "\\e");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}\n")
    } else {
        format!("{escaped}\n")
    }
}

/// The kinds of Okta app integration, as `--okta-app` takes them.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum OktaAppArg {
    /// A catalog app from the Okta Integration Network (OIN)
    Catalog,
    /// A custom app made with the App Integration Wizard (AIW)
    Custom,
}

impl From<ConnArgs> for ConnOptions {
    fn from(a: ConnArgs) -> Self {
        ConnOptions {
            base_url: a.base_url,
            token: a.token,
            headers: a.headers,
            secret_headers: a.secret_headers,
            basic: a.basic,
            timeout: a.timeout,
            cacert: a.cacert,
            insecure: a.insecure,
            rate: a.rate,
            retries: a.retries,
        }
    }
}

impl From<RunArgs> for RunOptions {
    fn from(a: RunArgs) -> Self {
        RunOptions {
            conn: a.conn.into(),
            builtin: a.builtin,
            faults: a.faults,
            options: a.options,
            okta_app: a.okta_app.map(|k| match k {
                OktaAppArg::Catalog => crate::suite::OktaApp::Catalog,
                OktaAppArg::Custom => crate::suite::OktaApp::Custom,
            }),
            profile: a.profile,
            junit: a.junit,
            json: a.json,
            json_transcripts: a.json_transcripts,
            label: a.label,
            report_html: a.report_html,
            case_timeout: a.case_timeout,
            strict: a.strict,
            suites: a.suites,
            jobs: a.jobs as usize,
            filter: a.filter,
            exact: a.exact,
            skip: a.skip,
            requirement: a.requirement,
            list: a.list,
            verbose: a.verbose,
            read_only: a.read_only,
            record_http: a.record_http,
            keep: a.keep,
            bulk_cleanup: !a.no_bulk_cleanup,
            shared_discovery: !a.no_shared_discovery,
            snapshots: a.snapshots,
            snapshot_mode: a.snapshot_mode,
            snapshot_drift: a.snapshot_drift,
        }
    }
}

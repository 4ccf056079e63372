//! The built-in reference SCIM 2.0 server (`scimspec serve`): an in-memory service provider in
//! three flavours (core RFC 7643/7644, Loom, Looop) with a catalog of switchable faults, each
//! breaking one rule the way real servers do.

mod app;
mod attr;
mod bulk;
mod defects;
mod defects_7643;
mod definitions;
mod discovery;
mod error;
mod faults;
mod filter;
mod flavour;
mod handlers;
mod hostile;
mod idp;
mod limits;
mod ops;
mod patch;
mod render;
mod resource;
mod schema;
mod store;
mod vendor;

use std::collections::HashSet;
use std::fmt;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use faults::{FAULTS, Fault, HOSTILE, fault_listing};
pub use flavour::{Flavour, FlavourOption, OPTIONS, UnknownFlavour, option_listing};
pub use hostile::ESCAPES;

/// How to run the server.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub flavour: Flavour,
    /// The bearer token clients must send; `None` serves without authentication.
    pub token: Option<String>,
    /// Names of the faults to switch on.
    pub faults: Vec<String>,
    /// Names of the flavour options to switch on (`flavour::OPTIONS`).
    pub options: Vec<String>,
}

/// Why the server could not be started.
#[derive(Debug)]
pub enum ServeError {
    /// No fault has this name.
    UnknownFault(String),
    /// The fault exists but does not apply to the chosen flavour.
    FaultNotForFlavour(String, Flavour),
    /// The listen address could not be bound.
    Bind(std::io::Error),
    /// No flavour option has this name.
    UnknownOption(String),
    /// The option exists but does not apply to the chosen flavour.
    OptionNotForFlavour(String, Flavour),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::UnknownFault(name) => {
                write!(f, "unknown fault '{name}'")?;
                if let Some(s) = suggest(name) {
                    write!(f, " (did you mean '{s}'?)")?;
                }
                write!(
                    f,
                    "; run `scimspec serve --list-faults` to see the {} faults",
                    FAULTS.len() + HOSTILE.len()
                )
            }
            ServeError::FaultNotForFlavour(name, flavour) => {
                let applies: Vec<&str> = faults::find(name)
                    .map(|f| f.flavours.iter().map(|x| x.name()).collect())
                    .unwrap_or_default();
                write!(
                    f,
                    "fault '{name}' does not apply to the {flavour} flavour; use --flavour {}",
                    applies.join(" or --flavour ")
                )
            }
            ServeError::UnknownOption(name) => write!(
                f,
                "unknown option '{name}'; run `scimspec serve --list-options` to see the {} options",
                flavour::OPTIONS.len()
            ),
            ServeError::OptionNotForFlavour(name, flavour) => {
                let applies: Vec<&str> = flavour::find_option(name)
                    .map(|o| o.flavours.iter().map(|x| x.name()).collect())
                    .unwrap_or_default();
                write!(
                    f,
                    "option '{name}' does not apply to the {flavour} flavour; use --flavour {}",
                    applies.join(" or --flavour ")
                )
            }
            ServeError::Bind(e) => write!(
                f,
                "cannot listen on the given address: {e}; choose another port (127.0.0.1:0 picks a free one)"
            ),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Bind(e) => Some(e),
            _ => None,
        }
    }
}

/// The closest fault name, for "did you mean".
fn suggest(name: &str) -> Option<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    FAULTS
        .iter()
        .chain(HOSTILE)
        .map(|f| (distance(name, f.name), f.name))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn validate_faults(opts: &ServeOptions) -> Result<HashSet<&'static str>, ServeError> {
    let mut set = HashSet::new();
    for name in &opts.faults {
        let name = name.trim();
        let fault = faults::find(name).ok_or_else(|| ServeError::UnknownFault(name.to_string()))?;
        if !fault.flavours.contains(&opts.flavour) {
            return Err(ServeError::FaultNotForFlavour(
                name.to_string(),
                opts.flavour,
            ));
        }
        set.insert(fault.name);
    }
    Ok(set)
}

fn validate_options(opts: &ServeOptions) -> Result<HashSet<&'static str>, ServeError> {
    let mut set = HashSet::new();
    for name in &opts.options {
        let name = name.trim();
        let option = flavour::find_option(name)
            .ok_or_else(|| ServeError::UnknownOption(name.to_string()))?;
        if !option.flavours.contains(&opts.flavour) {
            return Err(ServeError::OptionNotForFlavour(
                name.to_string(),
                opts.flavour,
            ));
        }
        set.insert(option.name);
    }
    Ok(set)
}

/// The server as an axum Router (validates the fault and option names).
pub fn router(opts: ServeOptions) -> Result<axum::Router, ServeError> {
    router_seeded(opts, 0)
}

/// [`router`] over a store that already holds `seed_users` users (a large tenant).
pub fn router_seeded(opts: ServeOptions, seed_users: usize) -> Result<axum::Router, ServeError> {
    let faults = validate_faults(&opts)?;
    let options = validate_options(&opts)?;
    let state = Arc::new(app::App::new(opts.flavour, opts.token, faults).with_options(options));
    if seed_users > 0 {
        state.store().seed_users(seed_users);
    }
    Ok(axum::Router::new()
        .fallback(handlers::dispatch)
        .with_state(state))
}

/// A server started by [`start`].
pub struct RunningServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    flavour: Flavour,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// The SCIM base URL, e.g. `http://127.0.0.1:PORT/scim/v2`.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.flavour.base_path())
    }

    /// Stops accepting connections and lets in-flight requests finish.
    pub fn shutdown(mut self) {
        self.stop();
    }

    /// Waits until the server task ends (after [`RunningServer::shutdown`] from elsewhere, or an error).
    pub async fn wait(mut self) {
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds (127.0.0.1:0 = ephemeral port) and spawns the server on the current tokio runtime.
pub async fn start(listen: SocketAddr, opts: ServeOptions) -> Result<RunningServer, ServeError> {
    let flavour = opts.flavour;
    let app = router(opts)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(ServeError::Bind)?;
    let addr = listener.local_addr().map_err(ServeError::Bind)?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Ok(RunningServer {
        addr,
        flavour,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// What `scimspec serve` was asked to do (the command line, parsed).
pub struct ServeCommand {
    pub flavour: Flavour,
    pub listen: SocketAddr,
    pub token: Option<String>,
    pub faults: Vec<String>,
    pub options: Vec<String>,
    pub list_faults: bool,
    pub list_options: bool,
    pub latency_ms: u64,
    pub seed_users: usize,
}

/// `scimspec serve`: the reference server on `listen` until SIGINT/SIGTERM.
pub fn command(a: ServeCommand) -> i32 {
    if a.list_faults {
        print!("{}", fault_listing());
        return crate::process::EXIT_OK;
    }
    if a.list_options {
        print!("{}", option_listing());
        return crate::process::EXIT_OK;
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
        Err(e) => return crate::process::fatal(format!("cannot start the async runtime: {e}")),
    };
    let flavour = a.flavour;
    let opts = ServeOptions {
        flavour,
        token: a.token,
        faults: a.faults,
        options: a.options,
    };
    let app = match router_seeded(opts, a.seed_users) {
        Ok(r) => r,
        Err(e) => return crate::process::fatal(e),
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
            Err(e) => return crate::process::fatal(format!("cannot listen on {}: {e}", a.listen)),
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
                let _ = crate::process::wait_for_signal().await;
            })
            .await;
        match served {
            Ok(()) => crate::process::EXIT_OK,
            Err(e) => crate::process::fatal(format!("the server stopped: {e}")),
        }
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_options;

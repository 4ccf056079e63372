//! Process-level contracts every command shares: the exit codes scripts rely on, the one-line
//! fatal error, and the signals that end a run or a server.

use std::io::Write;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Prints `scimspec: MESSAGE` on stderr and gives the usage/configuration exit code.
pub fn fatal(message: impl std::fmt::Display) -> i32 {
    let _ = writeln!(std::io::stderr(), "scimspec: {message}");
    EXIT_USAGE
}

/// Resolves at the first SIGINT or SIGTERM.
pub async fn wait_for_signal() -> std::io::Result<()> {
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

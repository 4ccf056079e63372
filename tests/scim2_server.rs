//! The core profile against an independent server: scim2-server (PyPI, pinned in
//! tests/requirements.txt, started with its defaults). Every case that does not PASS must be
//! listed, with its verdict and class, in tests/expected/scim2-server.md — and every row listed
//! there must still happen (see tests/common/real_server.rs).

mod common;

use common::TOKEN;
use common::real_server::{Server, check_core_profile, installed_or_required};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The scim2-server executable, or None when it is not installed.
fn executable() -> Option<PathBuf> {
    let path = match std::env::var_os("SCIM2_SERVER") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/scim2-server"),
    };
    path.is_file().then_some(path)
}

#[test]
fn core_profile_against_scim2_server() {
    let exe = executable();
    if !installed_or_required(
        "scim2-server",
        exe.is_some(),
        "SCIMSPEC_REQUIRE_SCIM2_SERVER",
        "tests/run installs it into .venv; or set SCIM2_SERVER to its path",
    ) {
        return;
    }
    let Some(exe) = exe else { return };
    let server = Server::start("scim2-server", "/v2", |port, _| {
        let mut c = Command::new(&exe);
        c.args(["--port", &port.to_string(), "--bearer-token", TOKEN]);
        c
    });
    check_core_profile(&server, "tests/expected/scim2-server.md", 4);
}

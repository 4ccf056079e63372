//! The core profile against SCIMMY 1.3.5 + scimmy-routers 1.3.2 on Express, hosted by
//! tests/servers/scimmy/server.js (npm packages pinned by its package-lock.json; `tests/run`
//! runs `npm ci` there). Every case that does not PASS must be listed, with its verdict and
//! class, in tests/expected/scimmy.md, which also maps each non-conformant row of SCIMMY's
//! measured ground truth to the case that catches it (see tests/common/real_server.rs).

mod common;

use common::TOKEN;
use common::real_server::{Server, check_core_profile, installed_or_required};
use std::path::Path;
use std::process::Command;

fn node() -> String {
    std::env::var("SCIMSPEC_NODE").unwrap_or_else(|_| "node".to_owned())
}

/// Node answers and the pinned packages are installed.
fn installed(dir: &Path) -> bool {
    let node_runs = Command::new(node())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    node_runs
        && ["express", "scimmy", "scimmy-routers"].iter().all(|p| {
            dir.join("node_modules")
                .join(p)
                .join("package.json")
                .is_file()
        })
}

#[test]
fn core_profile_against_scimmy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/scimmy");
    if !installed_or_required(
        "scimmy",
        installed(&dir),
        "SCIMSPEC_REQUIRE_SCIMMY",
        "needs node >= 18 on PATH (or SCIMSPEC_NODE) and `npm ci` in tests/servers/scimmy; \
         tests/run does both",
    ) {
        return;
    }
    let server = Server::start("scimmy", "/scim/v2", |port, _| {
        let mut c = Command::new(node());
        c.current_dir(&dir)
            .arg("server.js")
            .args(["--port", &port.to_string()])
            .env("SCIM_TOKEN", TOKEN);
        c
    });
    check_core_profile(&server, "tests/expected/scimmy.md", 4);
}

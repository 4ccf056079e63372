//! The core profile against django-scim2 0.23.0 (Django 5.2.19, scim2-filter-parser 0.7.0, pinned
//! in tests/requirements.txt), hosted by the minimal Django project in tests/servers/django-scim2
//! with the library's default adapters, on a fresh sqlite file per start. Every case that does
//! not PASS must be listed, with its verdict and class, in tests/expected/django-scim2.md, which
//! also maps each non-conformant row of django-scim2's measured ground truth to the case that
//! catches it (see tests/common/real_server.rs).

mod common;

use common::TOKEN;
use common::real_server::{Server, check_core_profile, installed_or_required};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python with django-scim2 installed: SCIMSPEC_PYTHON (tests/run sets it) or .venv's.
fn python() -> PathBuf {
    match std::env::var_os("SCIMSPEC_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"),
    }
}

fn installed(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import django, django_scim, scim2_filter_parser"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn core_profile_against_django_scim2() {
    let python = python();
    if !installed_or_required(
        "django-scim2",
        installed(&python),
        "SCIMSPEC_REQUIRE_DJANGO_SCIM2",
        "tests/run installs it into .venv; or set SCIMSPEC_PYTHON to a Python that has it",
    ) {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/django-scim2");
    let server = Server::start("django-scim2", "/scim/v2", |port, scratch| {
        let mut c = Command::new(&python);
        c.current_dir(&dir)
            .arg("run.py")
            .args(["--port", &port.to_string()])
            .arg("--db")
            .arg(scratch.join("db.sqlite3"))
            .env("SCIM_TOKEN", TOKEN);
        c
    });
    // One case at a time: the server is single-threaded on sqlite.
    check_core_profile(&server, "tests/expected/django-scim2.md", 1);
}

//! Golden files (insta, in tests/snapshots/) for scimspec's own output: `--help`, `run --help` and
//! the console report of a faulty reference-server run. The one-line errors are pinned where
//! tests/runner.rs provokes them. A deliberate change is accepted with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test golden`) and the new file committed.

mod common;

use common::*;

#[test]
fn help() {
    let ran = Run::new(["--help"]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    insta::assert_snapshot!(ran.stdout);
}

#[test]
fn run_help() {
    let ran = Run::new(["run", "--help"]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    insta::assert_snapshot!(ran.stdout);
}

/// The console from "What failed" to the end (totals and cleanup) of a core-profile run against
/// the reference server with `faults` switched on. The lines before it list the cases in the
/// order they finish, which `--jobs` makes vary.
fn faulty_run_console(faults: &[&str]) -> String {
    let ran = Run::builtin("core")
        .profile("core")
        .args(["--snapshot-mode", "off"])
        .faults(faults)
        .run();
    assert_eq!(ran.code, Some(1), "a fault fails the run\n{}", ran.output());
    let from = ran
        .stdout
        .find("What failed")
        .unwrap_or_else(|| panic!("no `What failed` block:\n{}", ran.stdout));
    normalise(&ran.stdout[from..])
}

#[test]
fn console_of_a_faulty_run() {
    insta::assert_snapshot!(faulty_run_console(&["schemas-duplicates-kept"]));
}

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

/// The console of a core-profile run against the reference server with `faults` switched on:
/// its head (the run line, what preflight found, and the live lines of the cases that are not
/// PASS, sorted: cases finish in an order `--jobs` makes vary), and everything from "What
/// failed" to the end (totals and cleanup).
fn faulty_run_console(faults: &[&str]) -> (String, String) {
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
    let (list, tail) = ran.stdout.split_at(from);
    let (preflight, list) = list
        .split_once("\n\n")
        .unwrap_or_else(|| panic!("no blank line after preflight:\n{}", ran.stdout));
    let mut live: Vec<&str> = list
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("PASS "))
        .collect();
    live.sort_by_key(|l| l.rsplit(' ').next().unwrap_or(l).to_owned());
    let head = format!("{preflight}\n\n{}\n", live.join("\n"));
    (normalise(&head), normalise(tail))
}

#[test]
fn console_of_a_faulty_run() {
    let (head, tail) = faulty_run_console(&["schemas-duplicates-kept"]);
    insta::assert_snapshot!("console_of_a_faulty_run_head", head);
    insta::assert_snapshot!(tail);
}

//! Snapshot diffs: the repository's baseline of the reference server holds; a first run records
//! a baseline and says so; a second run is clean (also against scim2-server, whose ids have no
//! dashes); a fault that changes an answer gives a diff naming the field, a `.snap.new` file and a
//! JUnit entry, and fails the case only with `--snapshot-drift fail`; `snapshots accept` makes the
//! next run clean; no diff holds a raw id, timestamp or token; without `--snapshots` nothing is
//! written; the files are byte for byte what insta writes.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// The snapshot fixture suite against the built-in core flavour, snapshots in `snapdir`.
fn snapshot_run(snapdir: &Path, faults: &[&str]) -> Run {
    Run::builtin("core")
        .profile("fixture-snapshots")
        .suites("snapshots")
        .arg("--snapshots")
        .arg(snapdir)
        .faults(faults)
}

fn run(snapdir: &Path, faults: &[&str]) -> (i32, String) {
    let ran = snapshot_run(snapdir, faults).run();
    (
        ran.code.unwrap_or(-1),
        format!("{}{}", ran.stdout, ran.stderr),
    )
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn assert_no_run_values(text: &str, what: &str) {
    let uuid =
        regex::Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .expect("regex");
    let ts = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}").expect("regex");
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").expect("regex");
    let hex = regex::Regex::new(r"\b[0-9a-f]{24,}\b").expect("regex");
    assert!(!uuid.is_match(text), "a raw id in {what}:\n{text}");
    // The test's own temporary directories (named in a diff's header lines) carry hex names.
    let own_paths = regex::Regex::new(r"scimspec-test-[\w-]+").expect("regex");
    assert!(
        !hex.is_match(&own_paths.replace_all(text, "")),
        "a raw hex id in {what}:\n{text}"
    );
    assert!(!ts.is_match(text), "a raw timestamp in {what}:\n{text}");
    assert!(!port.is_match(text), "a raw host in {what}:\n{text}");
    assert!(!text.contains("scimspec-builtin-"), "the token in {what}");
}

#[test]
fn drift_is_shown_kept_and_accepted() {
    let dir = tempdir("snap");
    let (code, out) = run(&dir, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Snapshots: baseline recorded, 2 new snapshots in"),
        "{out}"
    );
    let snaps = files(&dir, ".snap");
    assert_eq!(snaps.len(), 2);
    for s in &snaps {
        let text = std::fs::read_to_string(s).expect("snap");
        assert!(text.starts_with("---\nsource: "), "insta's header: {text}");
        assert!(text.contains("\n---\n{"), "{text}");
        assert_no_run_values(&text, "a snapshot");
    }

    let (code, out) = run(&dir, &[]);
    assert_eq!(code, 0, "a second clean run shows no drift: {out}");
    assert!(!out.contains("drift"), "{out}");
    assert!(files(&dir, ".snap.new").is_empty());

    // By default drift is reported and the verdict stands.
    let reported = snapshot_run(&dir, &["externalid-generated"]).run();
    assert_eq!(reported.code, Some(0), "{}", reported.output());
    assert!(
        reported
            .stdout
            .contains("Snapshot drift (reported; --snapshot-drift fail makes it fail the case)"),
        "{}",
        reported.stdout
    );

    let drifted = snapshot_run(&dir, &["externalid-generated"])
        .args(["--snapshot-drift", "fail"])
        .junit()
        .run();
    let (code, out) = (drifted.code.unwrap_or(-1), drifted.output());
    assert_eq!(code, 1, "drift fails with --snapshot-drift fail: {out}");
    assert!(
        out.contains("+    \"externalId\""),
        "the diff names the changed field: {out}"
    );
    let diff = out
        .split("snapshot drift:\n")
        .nth(1)
        .and_then(|d| d.split("Summary by suite").next())
        .expect("a diff on the console");
    assert_no_run_values(diff, "the console diff");
    for f in files(&dir, ".snap.new") {
        assert_no_run_values(
            &std::fs::read_to_string(f).expect("snap.new"),
            "a .snap.new",
        );
    }
    assert_eq!(
        files(&dir, ".snap.new").len(),
        2,
        ".snap.new beside the old ones"
    );
    let xml = drifted.junit();
    assert!(
        xml.contains("snapshot drift") && xml.contains("externalId"),
        "the diff is in JUnit"
    );

    let review = |verb: &str| Run::new(["snapshots", verb, "--snapshots"]).arg(&dir).run();
    assert_eq!(
        review("accept").stdout.trim(),
        "2 accepted, 0 rejected, 0 skipped"
    );
    let (code, out) = run(&dir, &["externalid-generated"]);
    assert_eq!(
        code, 0,
        "after accept the faulty answers are the baseline: {out}"
    );

    // `warn` (the old name of `report`) reports drift without failing; reject drops pending changes.
    let warn = snapshot_run(&dir, &[])
        .args(["--snapshot-drift", "warn"])
        .run();
    let stdout = &warn.stdout;
    assert_eq!(warn.code, Some(0), "{stdout}");
    assert!(stdout.contains("Snapshot drift (reported;"), "{stdout}");
    assert_eq!(
        review("reject").stdout.trim(),
        "0 accepted, 2 rejected, 0 skipped"
    );
    assert!(files(&dir, ".snap.new").is_empty());
}

/// The repository's baseline (snapshots/builtin-*) matches what each clean flavour answers.
#[test]
fn repository_baseline_holds_for_every_flavour() {
    for (flavour, profiles) in [
        ("core", "core,okta,entra"),
        ("loom", "core,loom,okta,entra"),
        ("looop", "core,looop,okta,entra"),
    ] {
        let baseline = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("snapshots")
            .join(format!("builtin-{flavour}"));
        let dir = tempdir(&format!("baseline-{flavour}"));
        let stored = files(&baseline, ".snap");
        assert!(!stored.is_empty(), "no baseline in {}", baseline.display());
        for f in &stored {
            std::fs::copy(f, dir.join(f.file_name().expect("name"))).expect("copy");
        }
        let ran = Run::builtin(flavour)
            .profile(profiles)
            .arg("--snapshots")
            .arg(&dir)
            .json()
            .run();
        let stdout = &ran.stdout;
        let outcomes: Vec<(String, String)> = ran
            .report()
            .cases()
            .iter()
            .flat_map(|c| c["snapshots"].as_array().cloned().unwrap_or_default())
            .map(|s| {
                (
                    s["name"].as_str().unwrap_or("").to_owned(),
                    s["status"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert_eq!(
            outcomes.len(),
            stored.len(),
            "{flavour}: every stored snapshot was compared: {outcomes:?}"
        );
        let off: Vec<&(String, String)> = outcomes.iter().filter(|(_, s)| s != "matched").collect();
        assert!(
            off.is_empty(),
            "{flavour}: snapshots differ from the baseline: {off:?}\n{stdout}"
        );
    }
}

/// Without `--snapshots` a run writes nothing into the directory it runs in (an IT admin's
/// home directory must not collect copies of the tenant's answers).
#[test]
fn without_snapshots_nothing_is_written() {
    let cwd = tempdir("no-snapshots-cwd");
    let mut run = Run::builtin("core")
        .profile("fixture-snapshots")
        .suites("snapshots");
    run.command().current_dir(&cwd);
    let ran = run.run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    assert!(!ran.stdout.contains("Snapshots:"), "{}", ran.stdout);
    let written: Vec<PathBuf> = std::fs::read_dir(&cwd)
        .expect("cwd")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        written.is_empty(),
        "files written without --snapshots: {written:?}"
    );
}

/// `snapshots review` on a directory that does not exist is a mistake to report, not an empty review.
#[test]
fn review_of_a_missing_directory_is_an_error() {
    let missing = tempdir("snap-missing").join("typo");
    for verb in ["review", "accept", "reject"] {
        let ran = Run::new(["snapshots", verb, "--snapshots"])
            .arg(&missing)
            .run();
        assert_eq!(ran.code, Some(2), "{verb}: {}", ran.output());
        assert_eq!(ran.stderr.trim().lines().count(), 1, "{}", ran.stderr);
        assert!(ran.stderr.contains("no such directory"), "{}", ran.stderr);
        assert!(!ran.stdout.contains("no pending"), "{}", ran.stdout);
    }
}

/// What `cargo insta accept` does to a file (load it, save it) changes no byte scimspec wrote,
/// for the repository's baselines, a new snapshot and a pending `.snap.new`.
#[test]
fn insta_rewrites_nothing_scimspec_wrote() {
    let dir = tempdir("snap-insta");
    let (code, out) = run(&dir, &[]);
    assert_eq!(code, 0, "{out}");
    let ran = snapshot_run(&dir, &["externalid-generated"]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.output());
    let mut written = files(&dir, ".snap");
    written.extend(files(&dir, ".snap.new"));
    for flavour in ["core", "loom", "looop"] {
        written.extend(files(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("snapshots")
                .join(format!("builtin-{flavour}")),
            ".snap",
        ));
    }
    assert!(written.len() > 4, "{written:?}");
    let out_dir = tempdir("snap-insta-saved");
    for (i, f) in written.iter().enumerate() {
        let ours = std::fs::read_to_string(f).expect("snap");
        let snap = insta::Snapshot::from_file(f).expect("insta reads the file");
        let saved = out_dir.join(format!("{i}.snap"));
        snap.save(&saved).expect("insta saves it");
        let theirs = std::fs::read_to_string(&saved).expect("saved");
        assert_eq!(ours, theirs, "insta would rewrite {}", f.display());
    }
}

/// Two runs of the core profile against scim2-server (ids of 32 hex digits without dashes) with
/// the same `--snapshots DIR`: the first records, the second matches every snapshot.
#[test]
fn second_run_against_scim2_server_has_no_drift() {
    use common::real_server::{Server, installed_or_required};
    let exe = match std::env::var_os("SCIM2_SERVER") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/scim2-server"),
    };
    if !installed_or_required(
        "scim2-server",
        exe.is_file(),
        "SCIMSPEC_REQUIRE_SCIM2_SERVER",
        "tests/run installs it into .venv; or set SCIM2_SERVER to its path",
    ) {
        return;
    }
    let server = Server::start("scim2-server", "/v2", |port, _| {
        let mut c = std::process::Command::new(&exe);
        c.args(["--port", &port.to_string(), "--bearer-token", TOKEN]);
        c
    });
    let snaps = tempdir("snap-scim2");
    let cwd = tempdir("snap-scim2-cwd");
    let once = || {
        let mut run = Run::against(&server.base_url)
            .profile("core")
            .args(["--jobs", "4", "--snapshots"])
            .arg(&snaps)
            .json();
        run.command().current_dir(&cwd);
        let ran = run.run();
        let statuses: Vec<String> = ran
            .report()
            .cases()
            .iter()
            .flat_map(|c| c["snapshots"].as_array().cloned().unwrap_or_default())
            .map(|s| s["status"].as_str().unwrap_or("").to_owned())
            .collect();
        (ran.stdout, statuses)
    };
    let (first, statuses) = once();
    assert!(!statuses.is_empty(), "{first}");
    assert!(statuses.iter().all(|s| s == "new"), "{statuses:?}");
    assert!(first.contains("Snapshots: baseline recorded"), "{first}");
    for f in files(&snaps, ".snap") {
        assert_no_run_values(&std::fs::read_to_string(f).expect("snap"), "a snapshot");
    }
    let (second, statuses) = once();
    assert!(
        statuses.iter().all(|s| s == "matched"),
        "{statuses:?}\n{second}"
    );
    assert!(!second.contains("drift"), "{second}");
    assert!(files(&snaps, ".snap.new").is_empty());
    assert_eq!(
        std::fs::read_dir(&cwd).expect("cwd").count(),
        0,
        "nothing in the cwd"
    );
}

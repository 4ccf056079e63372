//! Snapshot diffs: the repository's baseline of the reference server holds; a second run is
//! clean; a fault that changes an answer gives a diff naming the field, a `.snap.new` file and a
//! JUnit entry; `snapshots accept` makes the next run clean; no diff holds a raw id, timestamp or token.

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
    assert!(!uuid.is_match(text), "a raw id in {what}:\n{text}");
    assert!(!ts.is_match(text), "a raw timestamp in {what}:\n{text}");
    assert!(!port.is_match(text), "a raw host in {what}:\n{text}");
    assert!(!text.contains("scimspec-builtin-"), "the token in {what}");
}

#[test]
fn drift_is_shown_kept_and_accepted() {
    let dir = tempdir("snap");
    let (code, out) = run(&dir, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 new snapshots recorded"), "{out}");
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

    let drifted = snapshot_run(&dir, &["externalid-generated"]).junit().run();
    let (code, out) = (drifted.code.unwrap_or(-1), drifted.output());
    assert_eq!(code, 1, "drift fails by default: {out}");
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

    let (code, out) = run(&dir, &["externalid-generated"]);
    assert_eq!(code, 1, "{out}");
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

    // Warn mode reports drift without failing; reject drops pending changes.
    let warn = snapshot_run(&dir, &[])
        .args(["--snapshot-drift", "warn"])
        .run();
    let stdout = &warn.stdout;
    assert_eq!(warn.code, Some(0), "{stdout}");
    assert!(
        stdout.contains("Snapshot drift (reported, not failed"),
        "{stdout}"
    );
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

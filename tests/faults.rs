//! The fault matrix: every built-in suite passes against each clean flavour of the reference
//! server, and every named fault is caught by at least one case that names one of the fault's
//! requirement ids. The matrix (fault → cases that caught it) and the cases no fault catches are
//! written to `fault-matrix.md` in cargo's target tmp dir and printed. A case no fault catches is
//! still shown able to fail when a real server breaches it: the `breach` rows of
//! tests/expected/<server>.md are listed as "proven by <server>". A case nothing makes fail
//! fails the test.

mod common;

use common::real_server::Expected;
use common::*;
use scimspec::serve::{FAULTS, Flavour};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

fn profiles(f: Flavour) -> &'static str {
    match f {
        Flavour::Core => "core,okta,entra",
        Flavour::Loom => "core,loom,okta,entra",
        Flavour::Looop => "core,looop,okta,entra",
    }
}

struct CaseResult {
    verdict: String,
    message: String,
    /// For INFORMATIONAL: the behaviour the server chose.
    chosen: String,
}

fn run_builtin(flavour: Flavour, faults: &[&str]) -> BTreeMap<String, CaseResult> {
    run_profiles(flavour, profiles(flavour), faults, &[])
}

/// A run of the given profiles; with `requirements`, only the cases citing one of them.
fn run_profiles(
    flavour: Flavour,
    profiles: &str,
    faults: &[&str],
    requirements: &[&str],
) -> BTreeMap<String, CaseResult> {
    let mut run = Run::builtin(flavour.name())
        .profile(profiles)
        .args(["--jobs", "16", "--snapshot-mode", "off"])
        .faults(faults)
        .json();
    if !requirements.is_empty() {
        run = run.args(["--requirement", &requirements.join(",")]);
    }
    let ran = run.run();
    if ran.code == Some(2) && ran.output().contains("0 cases selected") {
        return BTreeMap::new();
    }
    assert!(
        matches!(ran.code, Some(0) | Some(1)),
        "{} {faults:?}: exit {:?}\n{}",
        flavour.name(),
        ran.code,
        ran.output()
    );
    ran.report()
        .cases()
        .iter()
        .map(|c| {
            (
                Report::name(c),
                CaseResult {
                    verdict: c["verdict"].as_str().unwrap_or("").to_owned(),
                    message: c["message"].as_str().unwrap_or("").to_owned(),
                    chosen: c["chosen"].as_str().unwrap_or("").to_owned(),
                },
            )
        })
        .collect()
}

/// `f` over every item on as many threads as the machine has cores, results in item order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers.min(items.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().expect("lock")[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("lock")
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

/// A progress line on the real stderr: the test harness captures `eprintln!`, and the matrix
/// runs for minutes.
fn progress(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The cases a real server breaches (the `breach` rows of tests/expected/<server>.md, whose runs
/// are checked by the real-server tests): case → the servers that make it fail.
fn proven_by_real_servers() -> BTreeMap<String, Vec<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut proven: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in files {
        let Some(server) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let expected = Expected::load(&format!("tests/expected/{server}.md"));
        for (case, row) in &expected.rows {
            if row.class == "breach" {
                proven
                    .entry(case.clone())
                    .or_default()
                    .push(server.to_owned());
            }
        }
    }
    proven
}

#[test]
fn real_server_breaches_are_read_from_the_expected_files() {
    let proven = proven_by_real_servers();
    let servers: BTreeSet<&String> = proven.values().flatten().collect();
    for s in ["django-scim2", "scim2-server", "scimmy"] {
        assert!(
            servers.iter().any(|x| *x == s),
            "no breach row read for {s}"
        );
    }
    // Only breach rows count: a BLOCKED, optional, choice or gated row proves nothing.
    for server in ["django-scim2", "scim2-server", "scimmy"] {
        let expected = Expected::load(&format!("tests/expected/{server}.md"));
        for (case, row) in &expected.rows {
            let listed = proven
                .get(case)
                .is_some_and(|s| s.iter().any(|x| x == server));
            assert_eq!(
                listed,
                row.class == "breach",
                "{server}: {case} ({})",
                row.class
            );
        }
    }
}

fn broken(v: &str) -> bool {
    matches!(v, "FAIL" | "NON-STRICT" | "ERROR")
}

/// Whether a fault changed this case's outcome against the clean run: it broke a case that was
/// fine, or an INFO case records another behaviour than the clean server chose (INFO never
/// fails). BLOCKED is neither: a setup step failed, not the case's own point.
fn caught(clean: Option<&CaseResult>, faulty: &CaseResult) -> bool {
    let Some(clean) = clean else { return false };
    if broken(&faulty.verdict) {
        return !broken(&clean.verdict);
    }
    faulty.verdict == "INFORMATIONAL"
        && clean.verdict == "INFORMATIONAL"
        && faulty.chosen != clean.chosen
}

#[test]
fn fault_matrix() {
    let flavours = [Flavour::Core, Flavour::Loom, Flavour::Looop];
    let mut clean: BTreeMap<&str, BTreeMap<String, CaseResult>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut non_strict = Vec::new();
    let clean_runs = parallel(&flavours, |f| {
        let results = run_builtin(*f, &[]);
        progress(&format!(
            "clean {} flavour: {} cases",
            f.name(),
            results.len()
        ));
        results
    });
    for (f, results) in flavours.into_iter().zip(clean_runs) {
        for (name, r) in &results {
            // A clean flavour has zero failures. A NON-STRICT (a broken SHOULD) can be what a
            // flavour copies from its vendor (Looop's extension redefines `department`): listed.
            match r.verdict.as_str() {
                "FAIL" | "ERROR" => problems.push(format!(
                    "clean {} flavour: {name} is {}: {}",
                    f.name(),
                    r.verdict,
                    r.message
                )),
                "NON-STRICT" => {
                    non_strict.push(format!("{} flavour: {name}: {}", f.name(), r.message))
                }
                _ => {}
            }
        }
        clean.insert(f.name(), results);
    }

    type Row = (String, Vec<String>);
    let done = AtomicUsize::new(0);
    let rows: Vec<Row> = parallel(FAULTS, |fault| {
        // Between them the loom and looop flavours run every profile (their base paths differ,
        // and a case may depend on one); a fault of a single flavour runs there.
        let on: Vec<(Flavour, &str)> = fault
            .flavours
            .iter()
            .copied()
            .filter(|f| fault.flavours.len() == 1 || *f != Flavour::Core)
            .map(|f| (f, profiles(f)))
            .collect();
        let mut naming = BTreeSet::new();
        for (flavour, profiles) in &on {
            // Only the cases citing the fault's requirements can show it caught: the rest of the
            // profile is not run (it would make the matrix ten times slower).
            let results = run_profiles(*flavour, profiles, &[fault.name], fault.requirements);
            let base = &clean[flavour.name()];
            for (name, r) in &results {
                if caught(base.get(name), r) {
                    naming.insert(name.clone());
                }
            }
        }
        progress(&format!(
            "[{}/{}] {}: caught by {} cases naming its requirements",
            done.fetch_add(1, Ordering::SeqCst) + 1,
            FAULTS.len(),
            fault.name,
            naming.len(),
        ));
        let shown = on
            .iter()
            .map(|(f, _)| f.name())
            .collect::<Vec<_>>()
            .join("+");
        (shown, naming.into_iter().collect())
    });
    let matrix: BTreeMap<&str, Row> = FAULTS.iter().map(|f| f.name).zip(rows).collect();

    let all_cases: BTreeSet<&String> = clean.values().flat_map(|m| m.keys()).collect();
    // A case is shown to fail by a matching defect: a fault naming one of the case's
    // requirement ids. Failing only under unrelated faults proves nothing about its own point.
    let caught: BTreeSet<&String> = matrix.values().flat_map(|(_, n)| n.iter()).collect();
    let mut doc = String::new();
    let _ = writeln!(
        doc,
        "# Fault matrix\n\n{} faults, {} cases.\n",
        FAULTS.len(),
        all_cases.len()
    );
    let _ = writeln!(
        doc,
        "| fault | flavours | cases naming its requirements that failed |\n| --- | --- | --- |"
    );
    for (name, (shown, naming)) in &matrix {
        let _ = writeln!(doc, "| {name} | {shown} | {} |", naming.join(", "));
        if naming.is_empty() {
            problems.push(format!(
                "fault `{name}` is caught by no case naming one of its requirement ids"
            ));
        }
    }
    if !non_strict.is_empty() {
        let _ = writeln!(doc, "\n## NON-STRICT verdicts of the clean flavours\n");
        for n in &non_strict {
            let _ = writeln!(doc, "- {n}");
        }
    }
    let uncaught: Vec<&&String> = all_cases.iter().filter(|c| !caught.contains(**c)).collect();
    let proven = proven_by_real_servers();
    let (by_server, never): (Vec<&&String>, Vec<&&String>) =
        uncaught.into_iter().partition(|c| proven.contains_key(**c));
    let _ = writeln!(
        doc,
        "\n## Cases no fault naming their requirements makes fail ({})\n",
        never.len()
    );
    // Every case must be able to fail on its own point: one that neither a fault naming its
    // requirements nor a real server's breach makes fail could pass vacuously.
    for c in &never {
        let _ = writeln!(doc, "- {c}");
        problems.push(format!(
            "case `{c}` is shown to fail by no fault naming one of its requirement ids and by no real server's breach row"
        ));
    }
    progress(&format!(
        "{} cases are not shown to fail by a fault naming their requirements nor by a real server",
        never.len()
    ));
    let _ = writeln!(
        doc,
        "\n## Cases no fault makes fail, proven by a real server ({})\n",
        by_server.len()
    );
    for c in &by_server {
        let servers = proven.get(**c).map(|s| s.join(", ")).unwrap_or_default();
        let _ = writeln!(doc, "- {c}: proven by {servers}");
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-matrix.md");
    std::fs::write(&path, &doc).expect("write matrix");
    println!("{doc}\n(written to {})", path.display());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

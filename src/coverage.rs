//! `scimspec coverage`: per catalog file and level, how many requirement ids some case checks.

use crate::catalog::Catalog;
use crate::suite::Suite;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

pub fn covered_ids(suites: &[Suite]) -> BTreeSet<String> {
    suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .flat_map(|c| c.requirements.iter().cloned())
        .collect()
}

pub fn render(catalog: &Catalog, suites: &[Suite], list_uncovered: bool) -> String {
    let covered = covered_ids(suites);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:<11} {:>7} {:>6} {:>6}",
        "catalog", "level", "covered", "total", "%"
    );
    let mut uncovered_lines = Vec::new();
    for (file, ids) in &catalog.files {
        let mut by_level: BTreeMap<&str, (usize, usize, Vec<&str>)> = BTreeMap::new();
        for id in ids {
            let Some(r) = catalog.get(id) else { continue };
            let e = by_level.entry(r.level.as_str()).or_default();
            e.1 += 1;
            if covered.contains(id) {
                e.0 += 1;
            } else {
                e.2.push(id);
            }
        }
        let (mut c_all, mut t_all) = (0, 0);
        for (level, (c, t, missing)) in &by_level {
            c_all += c;
            t_all += t;
            let _ = writeln!(
                out,
                "{:<12} {:<11} {:>7} {:>6} {:>5.1}%",
                file,
                level,
                c,
                t,
                pct(*c, *t)
            );
            if !missing.is_empty() {
                uncovered_lines.push(format!("{file} {level}: {}", missing.join(" ")));
            }
        }
        let _ = writeln!(
            out,
            "{:<12} {:<11} {:>7} {:>6} {:>5.1}%",
            file,
            "all",
            c_all,
            t_all,
            pct(c_all, t_all)
        );
    }
    if !uncovered_lines.is_empty() {
        let _ = writeln!(out, "\nuncovered:");
        for l in uncovered_lines {
            if list_uncovered {
                let _ = writeln!(out, "  {l}");
            } else {
                let n = l
                    .split(": ")
                    .nth(1)
                    .map(|s| s.split(' ').count())
                    .unwrap_or(0);
                let _ = writeln!(
                    out,
                    "  {}: {n} ids (--uncovered lists them)",
                    l.split(": ").next().unwrap_or("")
                );
            }
        }
    }
    out
}

fn pct(c: usize, t: usize) -> f64 {
    if t == 0 {
        100.0
    } else {
        100.0 * c as f64 / t as f64
    }
}

/// `scimspec coverage`: the catalogs in `catalog_dir` (default: the copy compiled in) against
/// the built-in suites.
pub fn command(catalog_dir: Option<&Path>, uncovered: bool) -> i32 {
    let catalog = match catalog_dir {
        // The project's own idp.tsv may not be among a given directory's catalogs: keep it.
        Some(dir) => match Catalog::from_dir(dir) {
            Ok(c) => c.with_missing_files_from(Catalog::builtin()),
            Err(e) => return crate::process::fatal(e),
        },
        None => Catalog::builtin(),
    };
    let suites = match crate::run::plan::load_suites(&[], &Catalog::builtin()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    print!("{}", render(&catalog, &suites, uncovered));
    crate::process::EXIT_OK
}

//! The built-in suites, schemas and requirement catalogs, compiled into the binary so that an
//! installed `scimspec` works from any directory.

use include_dir::{Dir, include_dir};

pub static SUITES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites");
pub static SCHEMAS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/schemas");

/// The built-in suite files as build.rs decoded them: (path below `suites/`, the document as
/// JSON, its node positions for `suite::yaml::Located::prebuilt`), sorted by path.
pub static PREBUILT_SUITES: &[(&str, &str, &[u8])] =
    include!(concat!(env!("OUT_DIR"), "/builtin_suites.rs"));

/// The decoded form of the built-in suite file `path` (relative to `suites/`).
pub fn prebuilt_suite(path: &str) -> Option<(&'static str, &'static [u8])> {
    PREBUILT_SUITES
        .binary_search_by(|(p, _, _)| (*p).cmp(path))
        .ok()
        .map(|i| (PREBUILT_SUITES[i].1, PREBUILT_SUITES[i].2))
}

/// Every built-in file below `dir` whose name ends in one of `extensions`, with its path
/// relative to `dir`, sorted by path.
pub fn files(dir: &'static Dir<'static>, extensions: &[&str]) -> Vec<(String, &'static str)> {
    fn walk(d: &'static Dir<'static>, exts: &[&str], out: &mut Vec<(String, &'static str)>) {
        for f in d.files() {
            let path = f.path().to_string_lossy().replace('\\', "/");
            if exts.iter().any(|e| path.ends_with(e))
                && let Some(text) = f.contents_utf8()
            {
                out.push((path, text));
            }
        }
        for sub in d.dirs() {
            walk(sub, exts, out);
        }
    }
    let mut out = Vec::new();
    walk(dir, extensions, &mut out);
    out.sort();
    out
}

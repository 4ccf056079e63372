//! The built-in suites, schemas and requirement catalogs, compiled into the binary so that an
//! installed `scimspec` works from any directory.

use include_dir::{Dir, include_dir};

pub static SUITES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites");
pub static SCHEMAS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/schemas");

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

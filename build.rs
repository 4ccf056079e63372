// include_dir! cannot tell cargo which files it read: rebuild when the built-in data changes.
// Decodes the built-in suite files once, here, so that start-up does not parse YAML (it was
// most of `scimspec list`). Also stamps `--version` with the commit, the build date and the target.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

// The same YAML reader as a run's, so a built-in file means the same whichever path read it.
#[allow(dead_code)]
#[path = "src/suite/yaml.rs"]
mod yaml;

/// What `git ARGS` prints, trimmed, or `fallback` outside a git checkout (a crate package).
fn git(args: &[&str], fallback: &str) -> String {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback.to_owned())
}

/// Every `*.yaml`/`*.yml` below `dir`, as paths relative to `root` with `/` separators.
fn suite_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            suite_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && let Ok(rel) = path.strip_prefix(root)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Writes `$OUT_DIR/builtin_suites.rs`: a sorted slice of (path below suites/, the document as
/// JSON, its encoded positions), read by `assets::PREBUILT_SUITES`. A built-in file that is not
/// valid YAML fails the build with its file:line:col; the decoder and the format's schema check
/// the decoded documents at run time and in `scimspec lint`, as they check any suite file.
fn prebuild_suites() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let root = Path::new("suites");
    let mut files = Vec::new();
    suite_files(root, root, &mut files);
    files.sort();
    let mut code = String::from("&[\n");
    let mut failed = false;
    for (i, rel) in files.iter().enumerate() {
        let text = std::fs::read_to_string(root.join(rel))
            .unwrap_or_else(|e| panic!("cannot read suites/{rel}: {e}"));
        let doc = match yaml::parse(&text) {
            Ok(d) => d,
            Err(e) => {
                eprintln!(
                    "error: invalid YAML: {}\n  --> suites/{rel}:{}:{}",
                    e.message, e.pos.line, e.pos.column
                );
                failed = true;
                continue;
            }
        };
        let json = serde_json::to_string(&doc.value).expect("a JSON value serialises");
        std::fs::write(out.join(format!("suite-{i}.json")), json).expect("OUT_DIR is writable");
        std::fs::write(out.join(format!("suite-{i}.pos")), doc.encode_positions())
            .expect("OUT_DIR is writable");
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/suite-{i}.json\")), \
             include_bytes!(concat!(env!(\"OUT_DIR\"), \"/suite-{i}.pos\"))),"
        );
    }
    if failed {
        std::process::exit(1);
    }
    code.push(']');
    std::fs::write(out.join("builtin_suites.rs"), code).expect("OUT_DIR is writable");
}

fn main() {
    prebuild_suites();
    println!("cargo:rerun-if-changed=suites");
    println!("cargo:rerun-if-changed=schemas");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let commit = git(&["rev-parse", "--short=10", "HEAD"], "unknown commit");
    let date = git(&["log", "-1", "--format=%cs"], "unknown date");
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=SCIMSPEC_COMMIT={commit}");
    println!("cargo:rustc-env=SCIMSPEC_COMMIT_DATE={date}");
    println!("cargo:rustc-env=SCIMSPEC_TARGET={target}");
}

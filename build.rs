// include_dir! cannot tell cargo which files it read: rebuild when the built-in data changes.
// Also stamps `--version` with the commit, the build date and the target.
use std::process::Command;

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

fn main() {
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

// include_dir! cannot tell cargo which files it read: rebuild when the built-in data changes.
// Also stamps `--version` with the commit, the build date and the target.
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=suites");
    println!("cargo:rerun-if-changed=schemas");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let commit = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown commit".to_owned());
    let date = Command::new("git")
        .args(["log", "-1", "--format=%cs"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown date".to_owned());
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=SCIMSPEC_COMMIT={commit}");
    println!("cargo:rustc-env=SCIMSPEC_COMMIT_DATE={date}");
    println!("cargo:rustc-env=SCIMSPEC_TARGET={target}");
}

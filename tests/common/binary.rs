//! Running the scimspec binary: a `scimspec run` builder whose report files live in a temporary
//! directory that goes when the result does.

use super::TOKEN;
use super::report::Report;
use super::tmp::{TempDir, tempdir};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary, without a token from the environment and without colour.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scimspec"));
    // COLUMNS fixes the width clap wraps help at when no terminal is attached.
    c.env_remove("SCIM_TOKEN")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    c
}

pub fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A scimspec command line being built (mostly `scimspec run`).
pub struct Run {
    cmd: Command,
    dir: Option<TempDir>,
}

impl Run {
    /// `scimspec ARGS…`.
    pub fn new<I, S>(args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = bin();
        cmd.args(args);
        Run { cmd, dir: None }
    }

    /// `scimspec run --base-url URL --token TOKEN`.
    pub fn against(base_url: &str) -> Run {
        Run::new(["run", "--base-url", base_url, "--token", TOKEN])
    }

    /// `scimspec run --builtin FLAVOUR` (the reference server inside the run's own process).
    pub fn builtin(flavour: &str) -> Run {
        Run::new(["run", "--builtin", flavour])
    }

    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Run {
        self.cmd.arg(a);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn profile(self, profiles: &str) -> Run {
        self.args(["--profile", profiles])
    }

    /// `--suites tests/fixtures/NAME`.
    pub fn suites(self, fixture: &str) -> Run {
        self.arg("--suites").arg(fixtures(fixture))
    }

    pub fn faults(mut self, faults: &[&str]) -> Run {
        for f in faults {
            self.cmd.args(["--fault", f]);
        }
        self
    }

    /// The run's own temporary directory (made on first use), for files it writes.
    pub fn dir(&mut self) -> PathBuf {
        let tag = std::thread::current()
            .name()
            .map(|n| n.rsplit("::").next().unwrap_or(n).replace(['/', ' '], "-"))
            .unwrap_or_else(|| "run".to_owned());
        self.dir
            .get_or_insert_with(|| tempdir(&tag))
            .path()
            .to_owned()
    }

    /// `--json DIR/report.json`, read back by [`Ran::report`].
    pub fn json(mut self) -> Run {
        let p = self.dir().join("report.json");
        self.arg("--json").arg(p)
    }

    /// `--junit DIR/junit.xml`, read back by [`Ran::junit`].
    pub fn junit(mut self) -> Run {
        let p = self.dir().join("junit.xml");
        self.arg("--junit").arg(p)
    }

    /// The command as built, for tests that spawn it themselves.
    pub fn command(&mut self) -> &mut Command {
        &mut self.cmd
    }

    /// Runs to the end.
    pub fn run(mut self) -> Ran {
        let out = self
            .cmd
            .output()
            .unwrap_or_else(|e| panic!("scimspec does not start: {e}"));
        let (stdout, stderr) = text(&out);
        Ran {
            code: out.status.code(),
            stdout,
            stderr,
            dir: self.dir,
        }
    }
}

/// A finished run: exit code, output and the files it wrote.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    dir: Option<TempDir>,
}

impl Ran {
    /// Both streams, for failure messages.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// A file the run wrote into its directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir
            .as_ref()
            .expect("the run was given a directory")
            .join(name)
    }

    pub fn read(&self, name: &str) -> String {
        let p = self.file(name);
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("{} not written: {e}\n{}", p.display(), self.output()))
    }

    pub fn report(&self) -> Report {
        Report::read(&self.file("report.json"))
    }

    pub fn junit(&self) -> String {
        self.read("junit.xml")
    }
}

/// Output with what changes from run to run replaced, for golden files: loopback ports, the
/// repository's path, run ids, server-made ids and timestamps, durations, and response bodies
/// (cut at a length that moves with the ids and timestamps in them).
pub fn normalise(text: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut t = text.replace(root, "[REPO]");
    for (pattern, by) in [
        (r"(?m)^(\s*response body: ).*$", "${1}[BODY]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[UUID]",
        ),
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
            "[TIMESTAMP]",
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"\brun [0-9a-z]{8}\b", "run [RUN-ID]"),
        (r"scimspec-[0-9a-z]{8}-", "scimspec-[RUN-ID]-"),
        (r"\b\d+(\.\d+)?\s?(ms|s|µs)\b", "[TIME]"),
    ] {
        let re = regex::Regex::new(pattern).expect("a valid pattern");
        t = re.replace_all(&t, by).into_owned();
    }
    t
}

//! The live list printed while cases run: each case's own verdict as it finishes, never a
//! second tally (the totals come once, in the console report after the run).
//!
//! Piped or in CI (stdout or stderr not a terminal) every case gets one line, so a log shows
//! what ran. On a terminal only the cases that are not PASS get a line, and a progress bar on
//! stderr counts the rest; the bar is hidden whenever stderr is not a terminal.

use crate::endpoint::redact::{Redactor, neutralise_keeping_styles};
use crate::run::record::{CaseRecord, Verdict};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;

/// The widest verdict name (`INFORMATIONAL`, `UNIMPLEMENTED`): the names line up after it.
const VERDICT_WIDTH: usize = 13;

pub struct Live<'a> {
    /// Every case gets a line (pipes, CI); otherwise only the ones that are not PASS.
    every_case: bool,
    bar: ProgressBar,
    redactor: &'a Redactor,
    /// How many cases finished with each verdict, in `Verdict::ALL` order (for the bar).
    seen: [usize; Verdict::ALL.len()],
}

impl<'a> Live<'a> {
    /// `terminal`: both stdout and stderr are terminals, so the bar can stand in for the PASS
    /// lines. Decided by the caller before stdout is redirected through the pipe guard.
    pub fn new(total: usize, terminal: bool, redactor: &'a Redactor) -> Live<'a> {
        let bar = if terminal {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(250));
            bar
        } else {
            ProgressBar::hidden()
        };
        Live {
            every_case: !terminal,
            bar,
            redactor,
            seen: [0; Verdict::ALL.len()],
        }
    }

    /// One finished case: its line (if it gets one) and the bar moved on.
    pub fn finished(&mut self, r: &CaseRecord) {
        if let Some(i) = Verdict::ALL.iter().position(|v| *v == r.verdict) {
            self.seen[i] += 1;
        }
        if self.every_case || r.verdict != Verdict::Pass {
            let line = line(r);
            let line = self.redactor.redact(&line).into_owned();
            self.bar.suspend(|| {
                let mut out = anstream::stdout();
                // A closed stdout only stops the printing (the pipe guard keeps the run going).
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            });
        }
        self.bar.set_message(self.tally());
        self.bar.inc(1);
    }

    /// The bar goes away before the report is printed.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }

    /// `2 FAIL, 1 BLOCKED` beside the bar: the verdicts that need reading.
    fn tally(&self) -> String {
        Verdict::ALL
            .iter()
            .zip(self.seen)
            .filter(|(v, n)| **v != Verdict::Pass && *n > 0)
            .map(|(v, n)| format!("{n} {}", v.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A spinner with `message` on stderr while the run waits for something with no lines of its
/// own (the cleanup); hidden unless `terminal`.
pub fn spinner(terminal: bool, message: String) -> ProgressBar {
    if !terminal {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// `FAIL          [MUST] rfc7644.3.3-create::create-returns-201`: the verdict first, in its colour.
pub fn line(r: &CaseRecord) -> String {
    let s = super::console::style(r.verdict);
    let text = format!(
        "{s}{:<VERDICT_WIDTH$}{s:#} [{}] {}",
        r.verdict.as_str(),
        r.level,
        r.name()
    );
    // Names come from suite files, which may be the user's own: nothing in them may drive the
    // terminal.
    neutralise_keeping_styles(&text).into_owned()
}

//! Shared set-up for the integration tests: servers on 127.0.0.1 (the mock, the reference server
//! as `scimspec serve` or in-process), the scimspec binary and its reports, and temporary
//! directories that are removed when a test ends. Each test file compiles its own copy of this
//! module and uses a part of it.
#![allow(dead_code, unused_imports)]

mod binary;
mod mock;
pub mod real_server;
mod report;
mod servers;
mod sniffer;
mod tmp;

pub use binary::{Ran, Run, bin, fixtures, normalise, text};
pub use mock::start_mock;
pub use report::{Report, junit_testcases, validate_junit_xsd, validate_report_schema};
pub use servers::{
    InProcess, KillOnDrop, Served, block_on, in_process, leftovers, names_where, reference,
    run_made, serve,
};
pub use sniffer::{Sniffer, sniff};
pub use tmp::{TempDir, tempdir};

/// The bearer token every test server expects; no output of a run may contain it.
pub const TOKEN: &str = "tok-Zq8v1W9kXplicit-SECRET-42";

//! scimspec: a SCIM 2.0 conformance and compatibility test suite.
//!
//! The flow of a run, one module per stage: [`cli`] (the command line) → [`suite`] (load,
//! check) → [`endpoint`] (client, auth, discovery, ledger and cleanup) → [`run`] (plan, session,
//! the runner's tasks, steps) → [`check`] (status, json, schema, snapshot) → [`report`] (console, JUnit,
//! JSON). [`process`] holds the exit codes and signals, [`text`] small text helpers. The
//! reference server lives apart in [`serve`] and shares only [`scim`] (and [`process`]) with
//! the rest.

pub mod assets;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod coverage;
pub mod endpoint;
pub mod process;
pub mod report;
pub mod run;
pub mod scim;
pub mod serve;
pub mod suite;
pub mod text;

//! scimspec: a SCIM 2.0 conformance and compatibility test suite.
//!
//! The flow of a run, one module per stage: [`cli`] → [`suite`] (load, check) → [`target`]
//! (client, auth, discovery, cleanup) → [`run`] (trials, steps) → [`check`] (status, json,
//! schema) → [`report`] (console, JUnit, JSON). The reference server lives apart in [`serve`]
//! and shares only [`scim`] with the rest.

pub mod assets;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod coverage;
pub mod report;
pub mod run;
pub mod scim;
pub mod serve;
pub mod suite;
pub mod target;

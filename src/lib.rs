//! scimspec: a SCIM 2.0 conformance and compatibility test suite.
pub mod cli;
pub mod scim;
pub mod serve;

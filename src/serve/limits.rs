//! The reference server's advertised limits, in one place: the handlers enforce them and
//! `/ServiceProviderConfig` advertises them.

/// The largest request body the server reads at all.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// bulk.maxOperations.
pub const MAX_OPERATIONS: usize = 1000;
/// bulk.maxPayloadSize, in bytes.
pub const MAX_PAYLOAD_SIZE: usize = 1_048_576;
/// filter.maxResults: the most resources one list answer carries.
pub const MAX_RESULTS: usize = 200;

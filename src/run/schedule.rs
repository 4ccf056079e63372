//! The order in which cases start (not the order of the reports, which stays the plan's): the
//! longest first, so the run is not left waiting on a long case that started last.

use super::Planned;
use crate::endpoint::case_end;
use std::cmp::Reverse;

/// Indexes into `planned` in start order: cases that wait (`wait_ms`) first, longest wait first;
/// then cases that read tenant pages (they hold case-end deletes while they run, so they had
/// best run early and together); then by number of requests, most first. Ties keep plan order.
pub fn start_order(planned: &[Planned]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&i| {
        let case = &planned[i].case;
        let waited: u64 = case.steps.iter().filter_map(|s| s.wait_ms).sum();
        let requests = case.steps.iter().filter(|s| s.wait_ms.is_none()).count();
        (
            Reverse(waited),
            !case_end::reads_tenant_pages(case),
            Reverse(requests),
        )
    });
    order
}

//! The statutory rules as configured.

use crate::domain::clock::ClockRules;

/// The default rules with the configured fee pause.
pub fn rules(fee_notice_pauses: bool) -> ClockRules {
    ClockRules { fee_notice_pauses, ..ClockRules::default() }
}

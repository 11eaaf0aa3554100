//! The seal of annual reports: once a year's report is sealed, a change that alters its figures
//! needs a supervisor and a reason, recorded with the change. One guard for every dated step.

use chrono::{Datelike, NaiveDate};

use super::event::SealedOverride;
use super::lifecycle::Refusal;
use super::types::Role;

/// The sealed years that concern one agency (its own seals and its ancestors' subtree seals),
/// among the years up to last year (the current year is never sealed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seals {
    years: Vec<i32>,
}

impl Seals {
    /// No year sealed.
    pub fn none() -> Self {
        Self::default()
    }

    /// These years sealed.
    pub fn of(mut years: Vec<i32>) -> Self {
        years.sort_unstable();
        years.dedup();
        Self { years }
    }

    /// These seals and `other`'s.
    pub fn union(&self, other: &Seals) -> Seals {
        Seals::of(self.years.iter().chain(&other.years).copied().collect())
    }

    /// The sealed years from `from`'s year on: a change effective on `from` alters the figures of
    /// that year and of every later year (carried-forward cases).
    pub fn touched_since(&self, from: NaiveDate) -> Vec<i32> {
        self.years.iter().copied().filter(|&y| y >= from.year()).collect()
    }
}

/// Allow a change effective on `from` when no sealed year is touched, or when a supervisor gives
/// a reason; returns the override to record with the change.
///
/// # Errors
/// 409 `year_sealed` otherwise.
pub fn guard(
    seals: &Seals,
    from: NaiveDate,
    role: Role,
    reason: Option<&str>,
) -> Result<Option<SealedOverride>, Refusal> {
    let years = seals.touched_since(from);
    if years.is_empty() {
        return Ok(None);
    }
    match reason {
        Some(reason) if role.can_supervise() => Ok(Some(SealedOverride { years, reason: reason.to_owned() })),
        _ => {
            let list = years.iter().map(|y| format!("{y}年")).collect::<Vec<_>>().join("、");
            Err(Refusal::conflict(
                "year_sealed",
                format!(
                    "{list}的年度报告已封存：此项变更会改变已封存的统计数字，须由负责人（supervisor）填写变更理由（amendment_reason）后办理"
                ),
            ))
        }
    }
}

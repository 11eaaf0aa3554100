//! The remedies open to an applicant against a reply (行政复议 and 行政诉讼), as a function of the
//! outcome and the date. One source for the decision letters (which state the remedies) and for
//! the appeals (which are checked against them).
//!
//! 《中华人民共和国行政复议法》 (revised 2023-09-01, in force 2024-01-01) Art. 23 ¶1 (4): an
//! applicant who objects to an agency's *not disclosing* government information must apply for
//! reconsideration before going to court. Which replies "do not disclose" is unsettled: it clearly
//! covers refusals (不予公开) and the withheld part of a partial disclosure; courts differ on replies
//! that provide nothing for other reasons (not held, not processed, lapsed). **[product rule]** We
//! take the safe reading: every reply that provides no information goes to reconsideration first
//! from 2024-01-01, so that no letter invites a direct suit that could be dismissed after the 60
//! days for reconsideration have run out.
//!
//! Which date decides: a lawsuit is judged by the procedural law in force on the day it is filed,
//! so the appeal check uses the filing date ([`direct_suit_allowed`]); a letter states the remedies
//! as they will apply when the applicant uses them, so a reply dated before the cut-over whose
//! periods reach past it says what applies on each side of the date ([`for_letter`]).

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::types::Outcome;

/// The day from which a reply that provides no information must go to reconsideration first
/// (行政复议法 2023 revision, in force 2024-01-01).
pub const RECONSIDERATION_FIRST_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2024, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// Reconsideration: 60 days from knowing of the reply (行政复议法 Art. 20 ¶1).
pub const RECONSIDERATION_DAYS: u64 = 60;
/// A direct lawsuit: 6 months from knowing of the reply (行政诉讼法 Art. 46 ¶1).
pub const DIRECT_SUIT_MONTHS: u32 = 6;
/// A lawsuit after reconsideration: 15 days from receiving the reconsideration decision, or from
/// the end of its time limit when none came (行政诉讼法 Art. 45).
pub const SUIT_AFTER_RECONSIDERATION_DAYS: u32 = 15;

/// How an applicant may challenge a reply on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Reconsideration or a lawsuit, as the applicant chooses.
    Either,
    /// Reconsideration first; a lawsuit only after its decision (or its lapse).
    ReconsiderationFirst,
    /// Either for what was disclosed; reconsideration first for what was withheld.
    PartlyReconsiderationFirst,
    /// Nothing to challenge: the applicant withdrew.
    NotApplicable,
}

/// The route against a reply with `outcome`, for a challenge made on `on`.
pub fn route(outcome: Outcome, on: NaiveDate) -> Route {
    match outcome {
        Outcome::OtherMisc => Route::NotApplicable,
        Outcome::Disclosed => Route::Either,
        _ if on < RECONSIDERATION_FIRST_FROM => Route::Either,
        Outcome::PartiallyDisclosed => Route::PartlyReconsiderationFirst,
        _ => Route::ReconsiderationFirst,
    }
}

/// The strictest of several routes (for a multi-item reply).
pub fn strictest(routes: impl IntoIterator<Item = Route>) -> Route {
    let rank = |r: Route| match r {
        Route::NotApplicable => 0,
        Route::Either => 1,
        Route::PartlyReconsiderationFirst => 2,
        Route::ReconsiderationFirst => 3,
    };
    routes.into_iter().max_by_key(|&r| rank(r)).unwrap_or(Route::NotApplicable)
}

/// Whether a lawsuit filed on `filed_on` directly (without reconsideration) against a reply with
/// `outcome` is admissible.
pub fn direct_suit_allowed(outcome: Outcome, filed_on: NaiveDate) -> bool {
    matches!(route(outcome, filed_on), Route::Either | Route::NotApplicable)
}

/// What a letter dated `decided_on` states about the remedies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LetterRemedies {
    /// The route that applies now, or from the cut-over when `until` is set.
    pub route: Route,
    /// Set when the letter predates the cut-over and its direct-suit period reaches past it: the
    /// route that applies until the day before the cut-over, and that day.
    pub before_cutover: Option<(Route, NaiveDate)>,
}

/// The remedies a reply with `outcome` dated `decided_on` must state.
pub fn for_letter(outcome: Outcome, decided_on: NaiveDate) -> LetterRemedies {
    let now = route(outcome, decided_on);
    let suit_ends = decided_on.checked_add_months(chrono::Months::new(DIRECT_SUIT_MONTHS)).unwrap_or(NaiveDate::MAX);
    let later = route(outcome, RECONSIDERATION_FIRST_FROM.max(decided_on));
    if decided_on < RECONSIDERATION_FIRST_FROM && suit_ends >= RECONSIDERATION_FIRST_FROM && later != now {
        let last_day = RECONSIDERATION_FIRST_FROM.checked_sub_days(Days::new(1)).unwrap_or(decided_on);
        LetterRemedies { route: later, before_cutover: Some((now, last_day)) }
    } else {
        LetterRemedies { route: now, before_cutover: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_refusal_goes_to_reconsideration_first_from_2024() {
        assert_eq!(route(Outcome::WithheldStateSecret, d("2023-12-31")), Route::Either);
        assert_eq!(route(Outcome::WithheldStateSecret, d("2024-01-01")), Route::ReconsiderationFirst);
        assert_eq!(route(Outcome::UnavailableNotHeld, d("2024-01-02")), Route::ReconsiderationFirst);
        assert_eq!(route(Outcome::PartiallyDisclosed, d("2024-01-02")), Route::PartlyReconsiderationFirst);
        assert_eq!(route(Outcome::Disclosed, d("2024-01-02")), Route::Either);
        assert_eq!(route(Outcome::OtherMisc, d("2024-01-02")), Route::NotApplicable);
    }

    #[test]
    fn a_letter_of_late_2023_states_both_sides_of_the_cutover() {
        let letter = for_letter(Outcome::WithheldInternalAffairs, d("2023-12-29"));
        assert_eq!(letter.route, Route::ReconsiderationFirst);
        assert_eq!(letter.before_cutover, Some((Route::Either, d("2023-12-31"))));
        // A reply whose suit period ended before the cut-over states one route.
        assert_eq!(for_letter(Outcome::WithheldInternalAffairs, d("2023-05-01")).before_cutover, None);
        assert_eq!(for_letter(Outcome::WithheldInternalAffairs, d("2024-01-02")).before_cutover, None);
        assert_eq!(for_letter(Outcome::Disclosed, d("2023-12-29")).before_cutover, None);
    }

    fn outcome() -> impl Strategy<Value = Outcome> {
        prop::sample::select(Outcome::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn the_letter_never_invites_a_direct_suit_the_appeal_check_refuses(
            o in outcome(), decided in 0u64..2000, after in 0u64..180,
        ) {
            let decided_on = d("2021-01-01") + Days::new(decided);
            let filed_on = decided_on + Days::new(after);
            let letter = for_letter(o, decided_on);
            // Within the six months of a direct suit: the route the letter states for the filing day.
            let stated = match letter.before_cutover {
                Some((before, last_day)) if filed_on <= last_day => before,
                _ => letter.route,
            };
            let letter_allows = matches!(stated, Route::Either | Route::NotApplicable);
            prop_assert_eq!(letter_allows, direct_suit_allowed(o, filed_on));
        }
    }
}

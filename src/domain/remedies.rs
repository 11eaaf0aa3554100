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

use super::cn_date;
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
}

/// The route against a reply with `outcome`, for a challenge made on `on`. Every reply that
/// provides no information — `other_misc` included: a withdrawal is confirmed by a letter that
/// states no remedies, and an explicit `other_misc` decision provides nothing — goes to
/// reconsideration first from the cut-over (see the module documentation).
pub fn route(outcome: Outcome, on: NaiveDate) -> Route {
    match outcome {
        Outcome::Disclosed => Route::Either,
        _ if on < RECONSIDERATION_FIRST_FROM => Route::Either,
        Outcome::PartiallyDisclosed => Route::PartlyReconsiderationFirst,
        _ => Route::ReconsiderationFirst,
    }
}

/// The strictest of several routes (for a reply by items); `Either` for none.
pub fn strictest(routes: impl IntoIterator<Item = Route>) -> Route {
    let rank = |r: Route| match r {
        Route::Either => 0,
        Route::PartlyReconsiderationFirst => 1,
        Route::ReconsiderationFirst => 2,
    };
    routes.into_iter().max_by_key(|&r| rank(r)).unwrap_or(Route::Either)
}

/// Whether a lawsuit filed on `filed_on` directly (without reconsideration) against a reply with
/// `outcome` is admissible.
pub fn direct_suit_allowed(outcome: Outcome, filed_on: NaiveDate) -> bool {
    route(outcome, filed_on) == Route::Either
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

/// The remedies of a reply by items: for each item its own, and the strictest of them on each
/// side of the cut-over (an item that provides nothing makes the whole reply go to
/// reconsideration first).
pub fn for_letter_items(outcomes: &[Outcome], decided_on: NaiveDate) -> LetterRemedies {
    let each: Vec<LetterRemedies> = outcomes.iter().map(|&o| for_letter(o, decided_on)).collect();
    let route = strictest(each.iter().map(|r| r.route));
    let last_day = each.iter().find_map(|r| r.before_cutover.map(|(_, day)| day));
    let before_cutover = last_day
        .map(|day| (strictest(each.iter().map(|r| r.before_cutover.map_or(r.route, |(before, _)| before))), day))
        .filter(|(before, _)| *before != route);
    LetterRemedies { route, before_cutover }
}

const REVIEW_LAW: &str = "《中华人民共和国行政复议法》";
const SUIT_LAW: &str = "《中华人民共和国行政诉讼法》";

/// Who hears a challenge, as an agency's settings name them (行政复议法 Art. 20 ¶2: a letter that
/// does not name them lets the period run from when the applicant learns of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forums<'a> {
    /// The reconsideration body (行政复议机关).
    pub reconsideration_body: &'a str,
    /// The court (人民法院).
    pub court: &'a str,
}

/// The paragraphs stating the remedies against `act` (`本答复`, `本决定`) for the addressee `you`.
pub fn paragraphs(remedies: LetterRemedies, act: &str, you: &str, forums: Forums<'_>) -> Vec<String> {
    let Forums { reconsideration_body: body, court } = forums;
    let reconsider = format!(
        "{you}如对{act}不服，可以依照{REVIEW_LAW}第二十条第一款的规定，自知道或者应当知道{act}之日起六十日内向{body}申请行政复议"
    );
    let direct =
        format!("依照{SUIT_LAW}第四十六条第一款的规定，自知道或者应当知道{act}之日起六个月内向{court}提起行政诉讼");
    let after = format!(
        "对行政复议决定不服的，可以依照{SUIT_LAW}第四十五条的规定，自收到行政复议决定书之日起十五日内向{court}提起行政诉讼；行政复议机关逾期不作决定的，可以自行政复议期满之日起十五日内提起行政诉讼"
    );
    let first =
        |scope: &str| format!("{scope}根据{REVIEW_LAW}第二十三条第一款第（四）项的规定，应当先申请行政复议；{after}。");
    let nothing = format!("{act}未向{you}提供所申请公开的政府信息，{you}对{act}不服的，");
    let part = format!("对{act}未提供的部分不服的，");
    let for_route = |route: Route| match route {
        Route::Either => format!("也可以{direct}。"),
        Route::ReconsiderationFirst => first(&nothing),
        Route::PartlyReconsiderationFirst => first(&part),
    };
    match (remedies.route, remedies.before_cutover) {
        (Route::Either, _) => vec![format!("{reconsider}；也可以{direct}。")],
        (route, None) => match route {
            Route::PartlyReconsiderationFirst => {
                vec![format!("{reconsider}；也可以{direct}。"), format!("其中，{}", first(&part))]
            }
            _ => vec![format!("{reconsider}。{}", for_route(route))],
        },
        (route, Some((before, last_day))) => {
            let keep_direct = if route == Route::PartlyReconsiderationFirst {
                format!("对{act}已提供的部分不服的，仍可以直接提起行政诉讼。")
            } else {
                String::new()
            };
            vec![
                format!("{reconsider}。"),
                format!("{}以前，{you}{}", cn_date(last_day), for_route(before)),
                format!(
                    "自{}起，修订后的{REVIEW_LAW}施行，{}{keep_direct}",
                    cn_date(RECONSIDERATION_FIRST_FROM),
                    for_route(route)
                ),
            ]
        }
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
        assert_eq!(route(Outcome::OtherMisc, d("2024-01-02")), Route::ReconsiderationFirst);
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
            let letter_allows = stated == Route::Either;
            prop_assert_eq!(letter_allows, direct_suit_allowed(o, filed_on));
        }

        /// A reply by items states the strictest remedy any item needs: what the appeal check,
        /// which judges the case's rolled-up outcome, admits.
        #[test]
        fn a_reply_by_items_never_invites_a_direct_suit_the_appeal_check_refuses(
            outcomes in prop::collection::vec(outcome(), 1..4), decided in 0u64..2000, after in 0u64..180,
        ) {
            let decided_on = d("2021-01-01") + Days::new(decided);
            let filed_on = decided_on + Days::new(after);
            // Items that do not decide the case's outcome leave it to the officer: one of theirs.
            let case_outcome = crate::domain::intake::roll_up(&outcomes, None).unwrap_or(outcomes[0]);
            let letter = for_letter_items(&outcomes, decided_on);
            let stated = match letter.before_cutover {
                Some((before, last_day)) if filed_on <= last_day => before,
                _ => letter.route,
            };
            prop_assert_eq!(stated == Route::Either, direct_suit_allowed(case_outcome, filed_on));
        }
    }
}

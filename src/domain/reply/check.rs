//! A decision is refused when its letter would state something the case does not show: a refusal
//! without its reason, `unavailable_still_unclear` without a correction, `not_processed_excessive`
//! without a request for reasons, a repeated request without the earlier reply, a publication
//! without the route; and a fact named for an outcome it does not belong to.

use chrono::NaiveDate;

use super::{BasisRule, CaseFacts, DecisionFacts, Situation};
use crate::domain::cn_date;
use crate::domain::error::Violation;
use crate::domain::ids::{AgencyId, ApplicantId, CaseId};
use crate::domain::types::{Outcome, OutcomeGroup};

/// One item's answer as given in the decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemInput<'a> {
    /// Its index in the request's `items`.
    pub index: usize,
    /// Its position in the application (1, 2, …).
    pub position: i32,
    pub outcome: Outcome,
    pub basis: Option<&'a str>,
}

/// The earlier case a repeated request refers to, as found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EarlierCase {
    pub id: CaseId,
    pub case_number: String,
    pub applicant_id: ApplicantId,
    /// It was made by the same applicant as this case: the same applicant record, or the same
    /// name and contact where an identity document is missing
    /// ([`crate::domain::similarity::same_applicant`], decided by whoever finds the case).
    pub same_applicant: bool,
    pub agency_id: AgencyId,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    /// Its decision letter's document number, when one is on record.
    pub document_number: Option<String>,
}

/// A decision as the lifecycle checks it.
#[derive(Clone, Debug)]
pub struct DecisionInput<'a> {
    /// The case's outcome (rolled up from the items).
    pub outcome: Outcome,
    pub basis: Option<&'a str>,
    /// The items' answers, when given one by one.
    pub items: Vec<ItemInput<'a>>,
    pub decided_on: NaiveDate,
    pub facts: &'a DecisionFacts,
    /// `repeats_case_id` as given, and the case it names when visible.
    pub repeats_case_id: Option<CaseId>,
    pub earlier: Option<&'a EarlierCase>,
    /// The earlier reply is the one the decision in force already cites (an amendment).
    pub repeats_on_record: bool,
    /// This case.
    pub case_id: CaseId,
    pub applicant_id: ApplicantId,
    pub agency_id: AgencyId,
}

fn not_applicable(field: &str, message: &str) -> Violation {
    Violation::field("fact_not_applicable", field, message)
}

/// Check that the decision's letter can say what its situations require.
///
/// # Errors
/// 422: `basis_required`, `correction_missing`, `reasons_not_requested`, `reasons_pending`,
/// `earlier_case_required`, `earlier_case_invalid`, `objection_reason_required`,
/// `fact_not_applicable`.
pub fn check_decision(input: &DecisionInput<'_>, case: &CaseFacts) -> Result<(), Violation> {
    let facts = input.facts;
    let sections: Vec<(String, Outcome, Option<&str>, Option<i32>)> = if input.items.is_empty() {
        vec![(String::new(), input.outcome, input.basis, None)]
    } else {
        input.items.iter().map(|i| (format!("items[{}].", i.index), i.outcome, i.basis, Some(i.position))).collect()
    };
    for (prefix, outcome, basis, position) in &sections {
        let situation = Situation::of(*outcome, facts, case);
        if let BasisRule::Required { why, .. } = situation.row().basis {
            if basis.is_none_or(|b| b.trim().is_empty()) {
                let which = position.map(|p| format!("第{p}项申请内容：")).unwrap_or_default();
                return Err(Violation::field("basis_required", &format!("{prefix}basis"), format!("{which}{why}")));
            }
        }
    }
    let has = |o: Outcome| sections.iter().any(|(_, outcome, _, _)| *outcome == o);
    if has(Outcome::UnavailableStillUnclear) && case.correction.is_none_or(|c| c.received_on.is_none()) {
        return Err(Violation::field(
            "correction_missing",
            "outcome",
            "只有发出补正告知并收到补正后的申请，才能答复“补正后申请内容仍不明确”（条例第三十条）；本案没有这样的记录",
        ));
    }
    if has(Outcome::NotProcessedExcessive) {
        match case.reasons {
            None => {
                return Err(Violation::field(
                    "reasons_not_requested",
                    "outcome",
                    "按“无正当理由大量反复申请”不予处理前，应当先要求申请人说明理由（条例第三十五条）：请先登记“要求说明理由”",
                ))
            }
            Some(r) if r.given_on.is_none() && input.decided_on <= r.respond_by => {
                return Err(Violation::field(
                    "reasons_pending",
                    "decided_on",
                    format!("申请人可以在{}前说明理由，此前不能以理由不合理为由不予处理", cn_date(r.respond_by)),
                ))
            }
            Some(_) => {}
        }
    }
    check_repeats(input, has(Outcome::NotProcessedRepeated))?;
    if facts.already_public && !has(Outcome::Disclosed) {
        return Err(not_applicable("already_public", "只有“予以公开”的答复才能说明该信息已主动公开"));
    }
    if facts.responsible_agency.is_some() && !has(Outcome::UnavailableNotHeld) {
        return Err(not_applicable(
            "responsible_agency",
            "只有“本机关不掌握相关政府信息”的答复才写明负责公开的行政机关（条例第三十六条第（五）项）",
        ));
    }
    let provides = sections.iter().any(|(_, o, _, _)| o.provides_information());
    match &facts.over_objection_reason {
        Some(_) if !case.third_party_objected || !provides => {
            return Err(not_applicable(
                "over_objection_reason",
                "只有第三方书面表示不同意公开、本机关仍决定公开时，才写明公开的理由（条例第三十二条）",
            ));
        }
        None if case.third_party_objected && input.outcome == Outcome::Disclosed => {
            return Err(Violation::field(
                "objection_reason_required",
                "over_objection_reason",
                "第三方不同意公开，本机关决定予以公开的，应当写明理由并书面告知第三方（条例第三十二条）",
            ));
        }
        _ => {}
    }
    Ok(())
}

fn check_repeats(input: &DecisionInput<'_>, repeated: bool) -> Result<(), Violation> {
    const FIELD: &str = "repeats_case_id";
    let invalid = |message: String| Err(Violation::field("earlier_case_invalid", FIELD, message));
    if input.repeats_on_record {
        return Ok(());
    }
    match (input.repeats_case_id, input.earlier) {
        (None, _) if repeated => Err(Violation::field(
            "earlier_case_required",
            FIELD,
            "答复“重复申请”应当写明本机关此前已作出答复的案件（条例第三十六条第（六）项）",
        )),
        (None, _) => Ok(()),
        (Some(_), _) if !repeated => {
            Err(not_applicable(FIELD, "只有“重复申请”的答复才引用此前的案件（条例第三十六条第（六）项）"))
        }
        (Some(id), None) => invalid(format!("没有编号为{id}的案件（或无权查看）")),
        (Some(_), Some(earlier)) => {
            if earlier.id == input.case_id {
                return invalid("此前的案件不能是本案".to_owned());
            }
            if !earlier.same_applicant {
                return invalid("此前的申请不是同一申请人提出的，不构成重复申请".to_owned());
            }
            if earlier.agency_id != input.agency_id {
                return invalid("此前的申请不是由本机关答复的".to_owned());
            }
            match (earlier.outcome, earlier.concluded_on) {
                (Some(outcome), Some(on)) if on <= input.decided_on => {
                    if outcome.group() == OutcomeGroup::Other {
                        invalid(format!(
                            "此前的申请以“{}”办结，本机关没有就其内容作出答复，本次申请不构成重复申请",
                            outcome.label()
                        ))
                    } else {
                        Ok(())
                    }
                }
                _ => invalid("此前的申请在本答复之日尚未答复".to_owned()),
            }
        }
    }
}

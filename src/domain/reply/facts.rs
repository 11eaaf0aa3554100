//! The facts a reply states besides its outcome: those the decision names (the responsible agency,
//! the earlier reply, …) and those of the case's history (the correction, the request for reasons,
//! the fee notice, a third party's objection).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{CaseId, ConsultationId};
use crate::domain::lifecycle::effective;
use crate::domain::types::{ApplicantCategory, Opinion, PartyKind};

/// How a letter addresses its recipient: 您 (a person) or 贵单位 (an organisation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    Person,
    Organisation,
}

impl Addressee {
    pub fn of(category: ApplicantCategory) -> Self {
        if category.is_organisation() {
            Self::Organisation
        } else {
            Self::Person
        }
    }

    /// `您` or `贵单位`.
    pub fn you(self) -> &'static str {
        match self {
            Self::Person => "您",
            Self::Organisation => "贵单位",
        }
    }
}

/// The agency responsible for disclosing the information (Art. 36 (5)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsibleAgency {
    pub name: String,
    /// Its address, telephone or other contact.
    pub contact: String,
}

/// The earlier reply a repeated request is answered by (Art. 36 (6)), as the letter cites it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierReply {
    pub case_id: CaseId,
    pub case_number: String,
    pub decided_on: NaiveDate,
    /// Its decision letter's document number, when one is on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
}

/// What the decision states besides its outcome and its officer's text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecisionFacts {
    /// Art. 36 (1): the information disclosed is already public.
    pub already_public: bool,
    /// Art. 36 (5): the information is another agency's to disclose.
    pub responsible_agency: Option<ResponsibleAgency>,
    /// Art. 36 (6): the earlier reply to the same request.
    pub repeats: Option<EarlierReply>,
    /// Art. 32: why the information is disclosed although a third party objected.
    pub over_objection_reason: Option<String>,
}

/// The correction notice and the corrected application (Art. 30).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorrectionFacts {
    pub issued_on: NaiveDate,
    pub respond_by: NaiveDate,
    /// The corrected application arrived.
    pub received_on: Option<NaiveDate>,
}

/// The request for reasons and the applicant's answer (Art. 35).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReasonsFacts {
    pub requested_on: NaiveDate,
    pub respond_by: NaiveDate,
    pub given_on: Option<NaiveDate>,
}

/// The fee notice (国办函〔2020〕109号).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeFacts {
    pub issued_on: NaiveDate,
    /// The last day to pay, counted from the notice's delivery when recorded.
    pub pay_by: NaiveDate,
}

/// The facts of a case's history a reply may state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFacts {
    pub correction: Option<CorrectionFacts>,
    pub reasons: Option<ReasonsFacts>,
    pub fee: Option<FeeFacts>,
    /// The third parties consulted (Art. 32) that objected.
    pub objecting_third_parties: Vec<ConsultationId>,
    /// Some consulted third party objected.
    pub third_party_objected: bool,
}

impl CaseFacts {
    /// From the events that count; `fee_pay_by` is the clock's (which counts from the fee
    /// notice's delivery when recorded).
    pub fn of(events: &[RecordedEvent], fee_pay_by: Option<NaiveDate>) -> Self {
        let mut facts = Self::default();
        let mut third_parties: Vec<ConsultationId> = Vec::new();
        for e in effective(events) {
            let on = e.effective_on;
            match &e.event {
                CaseEvent::CorrectionRequested { respond_by, .. } => {
                    facts.correction =
                        Some(CorrectionFacts { issued_on: on, respond_by: *respond_by, received_on: None });
                }
                CaseEvent::CorrectionReceived { .. } => {
                    if let Some(c) = facts.correction.as_mut() {
                        c.received_on = Some(on);
                    }
                }
                CaseEvent::ReasonsRequested { respond_by, .. } => {
                    facts.reasons = Some(ReasonsFacts { requested_on: on, respond_by: *respond_by, given_on: None });
                }
                CaseEvent::ReasonsGiven { .. } => {
                    if let Some(r) = facts.reasons.as_mut() {
                        r.given_on = Some(on);
                    }
                }
                CaseEvent::FeeNoticeIssued { pay_by, .. } => {
                    facts.fee = Some(FeeFacts { issued_on: on, pay_by: fee_pay_by.unwrap_or(*pay_by) });
                }
                CaseEvent::ConsultationStarted { consultation_id, party_kind: PartyKind::ThirdParty, .. } => {
                    third_parties.push(*consultation_id);
                }
                CaseEvent::ConsultationReplied { consultation_id, opinion: Opinion::Objection, .. }
                    if third_parties.contains(consultation_id) =>
                {
                    facts.objecting_third_parties.push(*consultation_id);
                }
                _ => {}
            }
        }
        facts.third_party_objected = !facts.objecting_third_parties.is_empty();
        facts
    }
}

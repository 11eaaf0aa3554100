//! The events of a case: every fact about it, dated and kept for ever (append-only). Stored as a
//! kind and a JSON payload; read back into [`CaseEvent`] inside storage, so that an unknown kind or
//! a malformed payload is an error there and never reaches a rule.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::documents::DocumentKind;
use super::fees::FeeBasis;
use super::ids::{AgencyId, AppealId, ApplicantId, ConsultationId, FeeNoticeId, ItemId, UserId};
use super::ledger::LedgerFacts;
use super::lifecycle::StepKind;
use super::reply::{EarlierReply, ResponsibleAgency};
use super::types::{AppealKind, AppealResult, ApplicantCategory, Channel, LetterKind, Opinion, Outcome, PartyKind};

/// A change recorded although it alters the figures of sealed annual reports: which years, and
/// the supervisor's reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedOverride {
    pub years: Vec<i32>,
    pub reason: String,
}

/// The outcome of one item of a decision, with the officer's text on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOutcome {
    pub id: ItemId,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// A request counted for a per-request fee (the applicant's requests to the agency received in
/// the same calendar month, up to and including the one charged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedRequest {
    pub case_number: String,
    pub received_on: NaiveDate,
}

/// A conclusion as it stood before an amendment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousConclusion {
    pub outcome: Outcome,
    pub concluded_on: NaiveDate,
}

/// Who concluded a case when no person did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemActor {
    /// The daily sweep that concludes lapsed corrections and fees.
    Sweep,
}

/// One fact of a case. The effective date is kept beside it ([`RecordedEvent::effective_on`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// Serialised with the kind under `event`, which [`CaseEvent::payload`] drops (the kind is stored in
/// a column of its own, and appeals have a field `kind` of their own).
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CaseEvent {
    /// The application was received (Art. 31) and registered.
    Received {
        channel: Channel,
        submitted_on: Option<NaiveDate>,
        received_on: NaiveDate,
        applicant_id: ApplicantId,
        applicant_category: ApplicantCategory,
        case_number: String,
        description: String,
        #[serde(default)]
        items: Vec<String>,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The correction notice (补正告知, Art. 30).
    CorrectionRequested {
        respond_by: NaiveDate,
        matters: String,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The corrected application arrived (a fresh reply period starts).
    CorrectionReceived {
        received_on: NaiveDate,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A consultation was sent (Art. 32, 34).
    ConsultationStarted {
        consultation_id: ConsultationId,
        party_kind: PartyKind,
        party: String,
        reply_due: NaiveDate,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A consulted party answered (or `none`: no answer came).
    ConsultationReplied {
        consultation_id: ConsultationId,
        opinion: Opinion,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The applicant was asked to explain the reasons for requests whose number or frequency is
    /// clearly beyond a reasonable range (Art. 35).
    ReasonsRequested {
        /// The last day to explain.
        respond_by: NaiveDate,
        /// What makes the requests clearly excessive.
        grounds: String,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The applicant's explanation arrived (Art. 35).
    ReasonsGiven {
        /// The reasons given, as the officer summarises them.
        reasons: String,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The one extension of the reply period (Art. 33 ¶2).
    Extended {
        approved_on: NaiveDate,
        notified_on: NaiveDate,
        working_days: u32,
        reason: String,
        /// The due date before the extension.
        previous_due_on: NaiveDate,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A fee notice (国办函〔2020〕109号).
    FeeNoticeIssued {
        /// Absent in events written before revocable steps.
        #[serde(default)]
        fee_notice_id: Option<FeeNoticeId>,
        basis: FeeBasis,
        pages: Option<u32>,
        nth_request: Option<u32>,
        amount_fen: i64,
        explanation: String,
        /// The last day to pay when counted from the notice's date; the clock counts from its
        /// delivery when that is recorded.
        pay_by: NaiveDate,
        /// For `per_request`: the requests counted (absent in events written before it was kept).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        counted: Vec<CountedRequest>,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The fee was paid.
    FeePaid {
        /// Absent in events written by seeders before typed events.
        #[serde(default)]
        fee_notice_id: Option<FeeNoticeId>,
        amount_fen: i64,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The decision (答复) that concludes the case.
    Decided {
        outcome: Outcome,
        #[serde(default)]
        basis: Option<String>,
        #[serde(default)]
        items: Vec<ItemOutcome>,
        /// Art. 36 (1): the information disclosed was already public.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        already_public: bool,
        /// Art. 36 (5): the agency responsible for disclosing it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        responsible_agency: Option<ResponsibleAgency>,
        /// Art. 36 (6): the earlier reply to the same request.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        repeats: Option<EarlierReply>,
        /// Art. 32: why the information is disclosed although a third party objected.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        over_objection_reason: Option<String>,
        /// Set when the system concluded the case (a lapse found by the sweep).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        system: Option<SystemActor>,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The applicant withdrew (concludes as `other_misc`, a product rule).
    Withdrawn {
        outcome: Outcome,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A supervisor corrected a concluded case's outcome or conclusion date.
    Amended {
        previous: PreviousConclusion,
        outcome: Outcome,
        concluded_on: NaiveDate,
        reason: String,
        /// The officer's text of the amended reply, when it replaces the decision's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        basis: Option<String>,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A reconsideration or lawsuit was filed.
    AppealFiled {
        /// Absent in events written by seeders before typed events.
        #[serde(default)]
        appeal_id: Option<AppealId>,
        kind: AppealKind,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A reconsideration or lawsuit was decided.
    AppealDecided {
        #[serde(default)]
        appeal_id: Option<AppealId>,
        kind: AppealKind,
        result: AppealResult,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The registration was a mistake (a test entry, a double registration): the case counts
    /// nowhere, and keeps its history and letters.
    Voided {
        reason: String,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The facts of the intake were corrected: as they were and as they are now.
    IntakeCorrected {
        before: Box<IntakeFacts>,
        after: Box<IntakeFacts>,
        reason: String,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A letter sent by post was received (送达) on the event's date.
    LetterServed {
        letter_id: i64,
        letter_kind: LetterKind,
        #[serde(default)]
        consultation_id: Option<ConsultationId>,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The case was brought in from the agency's ledger (台账): which import, which row of its
    /// file, and what the ledger says without a date (kept as recorded, not turned into steps).
    Imported {
        import_id: i64,
        row: u32,
        #[serde(default)]
        facts: LedgerFacts,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// A step recorded by mistake stops counting (its event `seq` stays in the history).
    StepRevoked {
        seq: i32,
        reason: String,
        #[serde(default)]
        sealed_override: Option<SealedOverride>,
    },
    /// The case was assigned to a handling unit and handler, or changed hands (with a reason).
    Assigned {
        unit_id: AgencyId,
        handler_id: Option<UserId>,
        previous_unit_id: AgencyId,
        previous_handler_id: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The case was routed to a unit (转办), pending its signature.
    Routed {
        unit_id: AgencyId,
        from_unit_id: AgencyId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The unit signed for the routed case (签收) and handles it now.
    RoutingAccepted { unit_id: AgencyId, from_unit_id: AgencyId },
    /// The unit returned the routed case with its reason (退回).
    RoutingReturned { unit_id: AgencyId, to_unit_id: AgencyId, reason: String },
    /// A supervisor chased the case (督办): what is to be done, by when, and the step that settles it.
    ChaseRecorded {
        chase_id: i64,
        matter: String,
        due_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<StepKind>,
    },
    /// A chase was closed explicitly, with a note on what was done.
    ChaseClosed { chase_id: i64, note: String },
    /// A document was attached to the case (a fact of the file, never of the report).
    DocumentAdded {
        document_id: i64,
        kind: DocumentKind,
        filename: String,
        sha256: String,
        size: i64,
        media_type: String,
    },
    /// A document was withdrawn (it stays stored and listed, marked).
    DocumentWithdrawn { document_id: i64, reason: String },
}

/// The facts of an intake that can be corrected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeFacts {
    pub received_on: NaiveDate,
    pub submitted_on: Option<NaiveDate>,
    pub channel: Channel,
    pub agency_id: AgencyId,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub description: String,
    /// `None`: the items were not changed.
    #[serde(default)]
    pub items: Option<Vec<String>>,
}

/// The key of the kind in the serialised enum.
const TAG: &str = "event";

/// Why a stored event could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("event payload is not a JSON object")]
    NotAnObject,
    #[error("event of kind `{kind}`: {source}")]
    Malformed {
        kind: String,
        #[source]
        source: serde_json::Error,
    },
}

impl CaseEvent {
    /// A conclusion with no facts beyond its outcome: by the sweep (`system`) when a correction
    /// or fee period lapsed, or a bare decision (the seeder's). The letter states the situation
    /// and its article; there is no officer's text.
    pub fn bare_decision(outcome: Outcome, system: Option<SystemActor>) -> Self {
        Self::Decided {
            outcome,
            basis: None,
            items: Vec::new(),
            already_public: false,
            responsible_agency: None,
            repeats: None,
            over_objection_reason: None,
            system,
            sealed_override: None,
        }
    }

    /// The stored kind, e.g. `correction_requested`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Received { .. } => "received",
            Self::CorrectionRequested { .. } => "correction_requested",
            Self::CorrectionReceived { .. } => "correction_received",
            Self::ConsultationStarted { .. } => "consultation_started",
            Self::ConsultationReplied { .. } => "consultation_replied",
            Self::ReasonsRequested { .. } => "reasons_requested",
            Self::ReasonsGiven { .. } => "reasons_given",
            Self::Extended { .. } => "extended",
            Self::FeeNoticeIssued { .. } => "fee_notice_issued",
            Self::FeePaid { .. } => "fee_paid",
            Self::Decided { .. } => "decided",
            Self::Withdrawn { .. } => "withdrawn",
            Self::Amended { .. } => "amended",
            Self::AppealFiled { .. } => "appeal_filed",
            Self::AppealDecided { .. } => "appeal_decided",
            Self::Voided { .. } => "voided",
            Self::IntakeCorrected { .. } => "intake_corrected",
            Self::StepRevoked { .. } => "step_revoked",
            Self::LetterServed { .. } => "letter_served",
            Self::Imported { .. } => "imported",
            Self::Assigned { .. } => "assigned",
            Self::Routed { .. } => "routed",
            Self::RoutingAccepted { .. } => "routing_accepted",
            Self::RoutingReturned { .. } => "routing_returned",
            Self::ChaseRecorded { .. } => "chase_recorded",
            Self::ChaseClosed { .. } => "chase_closed",
            Self::DocumentAdded { .. } => "document_added",
            Self::DocumentWithdrawn { .. } => "document_withdrawn",
        }
    }

    /// The payload as stored: the event's fields as a JSON object, without the kind.
    pub fn payload(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.remove(TAG);
        }
        value
    }

    /// Read a stored event back.
    ///
    /// # Errors
    /// An unknown kind, a payload that is not an object, or a field missing or of the wrong type.
    pub fn from_stored(kind: &str, payload: &str) -> Result<Self, EventError> {
        let malformed = |source| EventError::Malformed { kind: kind.to_owned(), source };
        let mut value: serde_json::Value = serde_json::from_str(payload).map_err(malformed)?;
        let map = value.as_object_mut().ok_or(EventError::NotAnObject)?;
        map.insert(TAG.to_owned(), serde_json::Value::String(kind.to_owned()));
        serde_json::from_value(value).map_err(malformed)
    }

    /// The seal override recorded with the event, if any.
    pub fn sealed_override(&self) -> Option<&SealedOverride> {
        match self {
            Self::Received { sealed_override, .. }
            | Self::CorrectionRequested { sealed_override, .. }
            | Self::CorrectionReceived { sealed_override, .. }
            | Self::ConsultationStarted { sealed_override, .. }
            | Self::ConsultationReplied { sealed_override, .. }
            | Self::ReasonsRequested { sealed_override, .. }
            | Self::ReasonsGiven { sealed_override, .. }
            | Self::Extended { sealed_override, .. }
            | Self::FeeNoticeIssued { sealed_override, .. }
            | Self::FeePaid { sealed_override, .. }
            | Self::Decided { sealed_override, .. }
            | Self::Withdrawn { sealed_override, .. }
            | Self::Amended { sealed_override, .. }
            | Self::AppealFiled { sealed_override, .. }
            | Self::AppealDecided { sealed_override, .. }
            | Self::Voided { sealed_override, .. }
            | Self::IntakeCorrected { sealed_override, .. }
            | Self::StepRevoked { sealed_override, .. }
            | Self::LetterServed { sealed_override, .. }
            | Self::Imported { sealed_override, .. } => sealed_override.as_ref(),
            // The workflow never touches the report.
            Self::Assigned { .. }
            | Self::Routed { .. }
            | Self::RoutingAccepted { .. }
            | Self::RoutingReturned { .. }
            | Self::ChaseRecorded { .. }
            | Self::ChaseClosed { .. } => None,
            // Nor do documents.
            Self::DocumentAdded { .. } | Self::DocumentWithdrawn { .. } => None,
        }
    }

    /// Record the seal override the step needed.
    pub fn set_sealed_override(&mut self, value: Option<SealedOverride>) {
        match self {
            Self::Received { sealed_override, .. }
            | Self::CorrectionRequested { sealed_override, .. }
            | Self::CorrectionReceived { sealed_override, .. }
            | Self::ConsultationStarted { sealed_override, .. }
            | Self::ConsultationReplied { sealed_override, .. }
            | Self::ReasonsRequested { sealed_override, .. }
            | Self::ReasonsGiven { sealed_override, .. }
            | Self::Extended { sealed_override, .. }
            | Self::FeeNoticeIssued { sealed_override, .. }
            | Self::FeePaid { sealed_override, .. }
            | Self::Decided { sealed_override, .. }
            | Self::Withdrawn { sealed_override, .. }
            | Self::Amended { sealed_override, .. }
            | Self::AppealFiled { sealed_override, .. }
            | Self::AppealDecided { sealed_override, .. }
            | Self::Voided { sealed_override, .. }
            | Self::IntakeCorrected { sealed_override, .. }
            | Self::StepRevoked { sealed_override, .. }
            | Self::LetterServed { sealed_override, .. }
            | Self::Imported { sealed_override, .. } => *sealed_override = value,
            Self::Assigned { .. }
            | Self::Routed { .. }
            | Self::RoutingAccepted { .. }
            | Self::RoutingReturned { .. }
            | Self::ChaseRecorded { .. }
            | Self::ChaseClosed { .. } => {}
            Self::DocumentAdded { .. } | Self::DocumentWithdrawn { .. } => {}
        }
    }

    /// Whether the event concludes the case (decision or withdrawal).
    pub fn concludes(&self) -> bool {
        matches!(self, Self::Decided { .. } | Self::Withdrawn { .. })
    }

    /// Whether the event is a dated step of the request's handling (a later step may not be dated
    /// before it). Replies (recorded in any order), amendments, appeals, service of letters and
    /// the corrections of the record are not.
    pub fn is_dated_step(&self) -> bool {
        matches!(
            self,
            Self::CorrectionRequested { .. }
                | Self::CorrectionReceived { .. }
                | Self::ConsultationStarted { .. }
                | Self::ConsultationReplied { .. }
                | Self::ReasonsRequested { .. }
                | Self::ReasonsGiven { .. }
                | Self::Extended { .. }
                | Self::FeeNoticeIssued { .. }
                | Self::FeePaid { .. }
                | Self::Decided { .. }
                | Self::Withdrawn { .. }
        )
    }

    /// Whether the event is about an appeal (recorded on a concluded case).
    pub fn is_appeal(&self) -> bool {
        matches!(self, Self::AppealFiled { .. } | Self::AppealDecided { .. })
    }
}

/// An event as recorded: its place in the case's history, its legal date, when and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedEvent {
    /// 1, 2, 3, … in the order recorded (the case's version after it).
    pub seq: i32,
    /// The legal date of the step.
    pub effective_on: NaiveDate,
    /// When it was recorded (UTC).
    pub recorded_at: NaiveDateTime,
    /// Who recorded it (`None` for the system).
    pub actor_id: Option<UserId>,
    pub event: CaseEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_event_reads_back_as_itself() {
        let event = CaseEvent::Extended {
            approved_on: NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            notified_on: NaiveDate::from_ymd_opt(2024, 4, 2).unwrap(),
            working_days: 20,
            reason: "需要调取档案".into(),
            previous_due_on: NaiveDate::from_ymd_opt(2024, 4, 24).unwrap(),
            sealed_override: None,
        };
        let payload = event.payload().to_string();
        assert!(!payload.contains("\"event\""));
        assert_eq!(CaseEvent::from_stored("extended", &payload).unwrap(), event);
    }

    #[test]
    fn unknown_kinds_and_malformed_payloads_are_errors() {
        assert!(CaseEvent::from_stored("teleported", "{}").is_err());
        assert!(CaseEvent::from_stored("extended", r#"{"approved_on": "2024-04-01"}"#).is_err());
        assert!(CaseEvent::from_stored("fee_paid", "[1]").is_err());
        assert!(CaseEvent::from_stored("correction_received", "not json").is_err());
    }

    #[test]
    fn payloads_written_before_typed_events_still_read() {
        // The seeder wrote appeals and payments without their ids, and the sweep's decisions
        // without items or a seal override.
        let filed = CaseEvent::from_stored("appeal_filed", r#"{"kind": "reconsideration"}"#).unwrap();
        assert_eq!(
            filed,
            CaseEvent::AppealFiled { appeal_id: None, kind: AppealKind::Reconsideration, sealed_override: None }
        );
        let swept =
            CaseEvent::from_stored("decided", r#"{"outcome": "other_fee_unpaid", "system": "sweep", "basis": "x"}"#)
                .unwrap();
        assert!(matches!(swept, CaseEvent::Decided { system: Some(SystemActor::Sweep), .. }));
    }
}

//! The case aggregate as the domain sees it: the case's projection, its applicant, items,
//! consultations, fee notices and appeals, each with typed ids and closed sets (no stored strings).
//! Storage converts its rows into these once, at its edge.

use chrono::{NaiveDate, NaiveDateTime};

use super::fees::FeeBasis;
use super::ids::{AgencyId, AppealId, ApplicantId, CaseId, ConsultationId, FeeNoticeId, ItemId, UserId};
use super::intake::ApplicantIdentity;
use super::types::{AppealKind, AppealResult, ApplicantCategory, CaseStatus, Channel, Opinion, Outcome, PartyKind};
use super::workflow::Handling;

/// The applicant's particulars as given on one application (Art. 29): what its letters are
/// addressed to, whatever a later application under the same identity document says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Particulars {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// A case: the facts of its intake and the projection of its events (status, outcome, due date).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub agency_id: AgencyId,
    /// Unique per agency and year, e.g. `NS-2019-00042`.
    pub case_number: String,
    /// The year of the receipt date (the number's year).
    pub year: i32,
    pub channel: Channel,
    pub submitted_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    pub applicant_id: ApplicantId,
    pub applicant_category: ApplicantCategory,
    /// The applicant as given on this application.
    pub applicant: Particulars,
    pub description: String,
    pub status: CaseStatus,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    /// The officer's reasons stated in the decision.
    pub decision_basis: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    /// Increases with every event; optimistic concurrency.
    pub version: i64,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// While a correction or fee is outstanding: the first day the request may be concluded as lapsed.
    pub lapses_on: Option<NaiveDate>,
    /// Who handles it, and where.
    pub handling: Handling,
}

/// The columns of a case that a list shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: CaseId,
    pub agency_id: AgencyId,
    pub case_number: String,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub applicant_category: ApplicantCategory,
    /// The applicant as given on this application.
    pub applicant: Particulars,
    pub description: String,
    pub status: CaseStatus,
    pub outcome: Option<Outcome>,
    pub concluded_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub paused: bool,
    pub extended: bool,
    pub version: i64,
    /// Who handles it, and where.
    pub handling: Handling,
}

/// An applicant's record: links the requests made with the same identity document, and holds
/// the particulars of the latest one (each case keeps its own, see [`Particulars`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applicant {
    pub id: ApplicantId,
    pub category: ApplicantCategory,
    pub name: String,
    pub identity: Option<ApplicantIdentity>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// One piece of information asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: ItemId,
    /// 1, 2, 3, … in the order of the application.
    pub position: i32,
    pub description: String,
    pub outcome: Option<Outcome>,
}

/// A consultation of a third party (Art. 32) or a co-producing agency (Art. 34).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consultation {
    pub id: ConsultationId,
    pub case_id: CaseId,
    pub party_kind: PartyKind,
    pub party: String,
    pub sent_on: NaiveDate,
    /// The last day of the party's reply period.
    pub reply_due: NaiveDate,
    pub replied_on: Option<NaiveDate>,
    pub opinion: Option<Opinion>,
}

/// A fee notice (收费通知) and its payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeNoticeRecord {
    pub id: FeeNoticeId,
    pub case_id: CaseId,
    pub issued_on: NaiveDate,
    pub basis: FeeBasis,
    pub pages: Option<u32>,
    /// For `per_request`: the request's number among the applicant's requests that month.
    pub nth_request: Option<u32>,
    pub amount_fen: i64,
    pub pay_by: NaiveDate,
    pub paid_on: Option<NaiveDate>,
}

/// A reconsideration or lawsuit against a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appeal {
    pub id: AppealId,
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub kind: AppealKind,
    pub filed_on: NaiveDate,
    pub result: Option<AppealResult>,
    pub decided_on: Option<NaiveDate>,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
}

/// An agency (行政机关) in the tree of agencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    pub id: AgencyId,
    pub name: String,
    /// Short code, unique, e.g. `NS`: the prefix of its case numbers.
    pub code: String,
    pub parent_id: Option<AgencyId>,
    /// Materialised path of ids, e.g. `/1/4/9/`: the subtree of A is every path starting with A's.
    pub path: String,
    pub created_at: NaiveDateTime,
    /// Whether an administrator opened the agency for online applications (`/apply`).
    pub accepts_online_applications: bool,
}

impl Agency {
    /// The ids of the agency's ancestors, root first (not the agency itself).
    pub fn ancestors(&self) -> Vec<AgencyId> {
        self.path.split('/').filter_map(|p| p.parse().ok()).map(AgencyId::new).filter(|&id| id != self.id).collect()
    }
}

//! What a letter prints: the case's particulars and, per kind, its own section. The legal
//! wording of a reply and of the remedies comes ready from the domain ([`crate::domain::reply`],
//! [`crate::domain::remedies`]); the templates arrange it.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::reply::Section;
use crate::domain::types::{Channel, LetterKind, Outcome, PartyKind};

impl LetterKind {
    /// Whether letters of the kind go to a consulted or notified party rather than the applicant.
    pub fn to_party(self) -> bool {
        matches!(self, Self::ConsultationLetter | Self::DisclosureNoticeToThirdParty)
    }

    /// The kind-specific section of [`LetterData`] this kind needs, if any.
    pub fn required_section(self) -> Option<&'static str> {
        match self {
            Self::Acknowledgement => None,
            Self::CorrectionNotice => Some("correction"),
            Self::ExtensionNotice => Some("extension"),
            Self::ConsultationLetter => Some("consultation"),
            Self::FeeNotice => Some("fee"),
            Self::Decision => Some("decision"),
            Self::Rectification => Some("rectification"),
            Self::ReasonsRequest => Some("reasons_request"),
            Self::WithdrawalConfirmation => Some("withdrawal"),
            Self::DisclosureNoticeToThirdParty => Some("third_party_notice"),
        }
    }
}

/// The earlier letter a letter replaces (an amended decision) or withdraws (a rectification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EarlierLetter {
    /// Its title, e.g. `政府信息公开申请答复书`.
    pub title: String,
    pub document_number: String,
    pub issued_on: NaiveDate,
}

/// A rectification: the earlier letter was sent for a step recorded by mistake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RectificationData {
    pub withdrawn: EarlierLetter,
    /// Why the step was revoked.
    pub reason: String,
    /// The withdrawn letter went to a consulted or notified party (the rectification goes there).
    pub to_party: bool,
}

/// What a correction notice asks for (Art. 30).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CorrectionData {
    /// The matters to correct, with guidance; one line per matter.
    pub matters: String,
    /// The last day to hand in the corrected application.
    pub respond_by: NaiveDate,
}

/// The one extension of the reply period (Art. 33 ¶2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtensionData {
    pub working_days: u32,
    /// Why the agency cannot answer in time; printed after “因”.
    pub reason: String,
    /// The due date before the extension.
    pub previous_due_on: NaiveDate,
    pub new_due_on: NaiveDate,
}

/// A consultation of a third party (Art. 32) or of a co-producing agency (Art. 34).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsultationData {
    /// The addressee: the party's name.
    pub party: String,
    pub party_kind: PartyKind,
    /// The working days the party has from receiving the letter (15).
    pub reply_limit: u32,
    /// The last day to answer, printed only when the day the letter is received is known.
    pub reply_due: Option<NaiveDate>,
}

/// A request counted for a per-request fee, as printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountedRow {
    pub case_number: String,
    pub received_on: NaiveDate,
}

/// The count behind a per-request fee (按件计收).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PerRequestData {
    /// The calendar month counted, e.g. `2024年5月`: the month this request was received in.
    pub month: String,
    /// This request's number in the month.
    pub nth: u32,
    /// The requests counted, this one last (empty for a notice issued before they were kept).
    pub counted: Vec<CountedRow>,
    /// The band of the scale this request falls in, e.g. `第31—40件，每件200元`.
    pub band: String,
}

/// An information-processing fee (国办函〔2020〕109号).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeeData {
    /// How the fee is charged: `按件计收` or `按量计收`.
    pub basis_label: String,
    /// The scale of that basis, as 109号 states it.
    pub scale: String,
    /// The amount in fen (分).
    pub amount_fen: i64,
    /// How the amount was computed, for the applicant.
    pub explanation: String,
    pub per_request: Option<PerRequestData>,
    /// The working days to pay, from the day after receiving the notice (20).
    pub pay_limit: u32,
    /// The last day to pay, printed only when the day the notice is received is known.
    pub pay_by: Option<NaiveDate>,
    /// How to pay (缴纳方式), from the agency's settings.
    pub payment: String,
}

/// The decision on a case: its sections (one per item, or one), the officer's remarks and the
/// remedies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DecisionData {
    pub outcome: Outcome,
    pub decided_on: NaiveDate,
    pub sections: Vec<Section>,
    /// The officer's text on the request as a whole, for a reply by items.
    pub remarks: Vec<String>,
    /// The remedies, naming the reconsideration body and the court.
    pub remedies: Vec<String>,
}

/// A request for reasons (Art. 35).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonsRequestData {
    /// What makes the requests clearly excessive, line by line.
    pub grounds: Vec<String>,
    pub respond_by: NaiveDate,
}

/// The applicant's withdrawal of the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WithdrawalData {
    pub withdrawn_on: NaiveDate,
}

/// The notice to a third party of a decision to disclose over its objection (Art. 32).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThirdPartyNoticeData {
    /// The addressee: the third party's name.
    pub party: String,
    /// When the consultation was sent and the objection came.
    pub consulted_on: NaiveDate,
    pub objected_on: Option<NaiveDate>,
    pub decided_on: NaiveDate,
    /// What is disclosed: the items disclosed, or the request's description.
    pub content: Vec<String>,
    /// Why the agency discloses (Art. 32: not disclosing would seriously affect the public interest).
    pub reason: Vec<String>,
    /// The third party's remedies against the decision to disclose.
    pub remedies: Vec<String>,
}

/// Everything a letter may print. Fields of other kinds are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LetterData {
    pub kind: LetterKind,
    pub agency_name: String,
    /// The letter's own document number (e.g. `南政信公答〔2026〕12号`); empty for a letter rendered
    /// from a case entered before letters were kept.
    pub document_number: String,
    pub case_number: String,
    pub applicant_name: String,
    /// How the letter addresses the applicant: `您` or `贵单位`.
    pub you: String,
    /// Printed as the service address when present (not on letters to a consulted party).
    pub applicant_address: Option<String>,
    /// The disclosure office's contact line, from the agency's settings.
    pub contact: Option<String>,
    /// How the application arrived (printed on the acknowledgement).
    pub channel: Channel,
    /// The legal receipt date (Art. 31).
    pub received_on: NaiveDate,
    /// The date printed in the signature block.
    pub issued_on: NaiveDate,
    /// What the applicant asked for.
    pub description: String,
    /// The current statutory due date, when known.
    pub due_on: Option<NaiveDate>,
    pub correction: Option<CorrectionData>,
    pub extension: Option<ExtensionData>,
    pub consultation: Option<ConsultationData>,
    pub fee: Option<FeeData>,
    pub decision: Option<DecisionData>,
    /// The letter this one replaces (an amended decision or withdrawal confirmation).
    pub replaces: Option<EarlierLetter>,
    pub rectification: Option<RectificationData>,
    pub reasons_request: Option<ReasonsRequestData>,
    pub withdrawal: Option<WithdrawalData>,
    pub third_party_notice: Option<ThirdPartyNoticeData>,
}

impl LetterData {
    /// The data of a letter of `kind` with every kind-specific section empty.
    pub fn new(kind: LetterKind, agency_name: String, case_number: String, received_on: NaiveDate) -> Self {
        Self {
            kind,
            agency_name,
            document_number: String::new(),
            case_number,
            applicant_name: String::new(),
            you: "您".to_owned(),
            applicant_address: None,
            contact: None,
            channel: Channel::Other,
            received_on,
            issued_on: received_on,
            description: String::new(),
            due_on: None,
            correction: None,
            extension: None,
            consultation: None,
            fee: None,
            decision: None,
            replaces: None,
            rectification: None,
            reasons_request: None,
            withdrawal: None,
            third_party_notice: None,
        }
    }

    /// The section the kind needs, when it is missing.
    pub(super) fn missing_section(&self) -> Option<&'static str> {
        let present = match self.kind {
            LetterKind::Acknowledgement => true,
            LetterKind::CorrectionNotice => self.correction.is_some(),
            LetterKind::ExtensionNotice => self.extension.is_some(),
            LetterKind::ConsultationLetter => self.consultation.is_some(),
            LetterKind::FeeNotice => self.fee.is_some(),
            LetterKind::Decision => self.decision.is_some(),
            LetterKind::Rectification => self.rectification.is_some(),
            LetterKind::ReasonsRequest => self.reasons_request.is_some(),
            LetterKind::WithdrawalConfirmation => self.withdrawal.is_some(),
            LetterKind::DisclosureNoticeToThirdParty => self.third_party_notice.is_some(),
        };
        if present {
            None
        } else {
            self.kind.required_section()
        }
    }

    /// The title printed on the letter: a consultation letter's depends on whom it consults.
    pub fn title(&self) -> &'static str {
        match (&self.consultation, self.kind) {
            (Some(c), LetterKind::ConsultationLetter) => LetterKind::consultation_title(c.party_kind),
            _ => self.kind.title(),
        }
    }

    /// To whom the letter is addressed: the consulted or notified party, else the applicant.
    pub fn recipient(&self) -> &str {
        match (self.kind, &self.consultation, &self.third_party_notice) {
            (LetterKind::ConsultationLetter, Some(c), _) => &c.party,
            (LetterKind::DisclosureNoticeToThirdParty, _, Some(n)) => &n.party,
            _ => &self.applicant_name,
        }
    }
}

//! The written parts of the annual report (every version kept, a sealed year's changed only by a
//! supervisor with a reason), the figures they can take from the cases, and the whole document:
//! built live, or — for a sealed year — rendered again from what the seal stored.

use chrono::{NaiveDate, NaiveDateTime};

use super::report::{compute, parse_seal, scope, ReportRequest, SealRow};
use super::{agencies as agency_service, Actor, ServiceError, ServiceResult};
use crate::domain::fees::FeeFigures;
use crate::domain::ids::AgencyId;
use crate::domain::report_text::{AdditionalSection, ReportText};
use crate::domain::seal::{self, Seals};
use crate::domain::{china_date, limits, Outcome, Violation};
use crate::report::document::figures::TextFigures;
use crate::report::document::AnnualDocument;
use crate::report::{AnnualReport, Template};
use crate::storage::report as report_store;
use crate::storage::report_text::{self as store, NewTextRow, SealDocumentRow, TextRow};
use crate::storage::DbConnection;

/// One saved version of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextVersion {
    pub agency_id: AgencyId,
    pub year: i32,
    pub version: i32,
    pub text: ReportText,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    /// Why a sealed year's text was changed.
    pub amendment_reason: Option<String>,
}

impl TryFrom<TextRow> for TextVersion {
    type Error = ServiceError;

    fn try_from(row: TextRow) -> ServiceResult<Self> {
        let additional: Vec<AdditionalSection> = serde_json::from_str(&row.additional_sections)
            .map_err(|e| ServiceError::corrupt(format!("report text {}: {e}", row.id)))?;
        Ok(Self {
            agency_id: AgencyId::new(row.agency_id),
            year: row.year,
            version: row.version,
            text: ReportText {
                overview: row.overview,
                problems_and_improvements: row.problems_and_improvements,
                other_matters: row.other_matters,
                additional_sections: additional,
            },
            updated_at: row.updated_at,
            updated_by: row.updated_by,
            amendment_reason: row.amendment_reason,
        })
    }
}

fn not_found() -> ServiceError {
    ServiceError::NotFound { what: "report text", code: "report_text_not_found" }
}

/// The latest version of the agency's text on a year, if any.
fn latest(conn: &mut DbConnection, agency_id: AgencyId, year: i32) -> ServiceResult<Option<TextVersion>> {
    store::latest(conn, agency_id.get(), year)?.map(TextVersion::try_from).transpose()
}

/// One version (the latest when `version` is `None`) of an agency's text on a year.
///
/// # Errors
/// 404 for an invisible agency, or when no such version was saved.
pub fn get_text(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: AgencyId,
    year: i32,
    version: Option<i32>,
) -> ServiceResult<TextVersion> {
    agency_service::get_visible(conn, actor, agency_id)?;
    let row = match version {
        Some(version) => store::version(conn, agency_id.get(), year, version)?,
        None => store::latest(conn, agency_id.get(), year)?,
    };
    row.ok_or_else(not_found)?.try_into()
}

/// Every version of an agency's text on a year, newest first (empty when none was saved).
///
/// # Errors
/// 404 for an invisible agency.
pub fn list_versions(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: AgencyId,
    year: i32,
) -> ServiceResult<Vec<TextVersion>> {
    agency_service::get_visible(conn, actor, agency_id)?;
    store::list(conn, agency_id.get(), year)?.into_iter().map(TextVersion::try_from).collect()
}

/// The names of the authors of `versions`, by user id.
///
/// # Errors
/// A database error.
pub fn author_names(
    conn: &mut DbConnection,
    versions: &[TextVersion],
) -> ServiceResult<std::collections::BTreeMap<i64, String>> {
    let mut ids: Vec<i64> = versions.iter().map(|v| v.updated_by).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(store::user_names(conn, &ids)?.into_iter().collect())
}

/// Whether the agency's report on the year is sealed (alone or compiled): its text then changes
/// only with a supervisor's reason.
///
/// # Errors
/// 404 for an invisible agency.
pub fn text_sealed(conn: &mut DbConnection, actor: &Actor, agency_id: AgencyId, year: i32) -> ServiceResult<bool> {
    agency_service::get_visible(conn, actor, agency_id)?;
    Ok(store::year_sealed(conn, agency_id.get(), year)?)
}

/// A text to save: the parts as typed, the version they were edited from (0 for the first; `None`
/// to save whatever was saved in between), and the reason when the year is sealed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewText {
    pub text: ReportText,
    pub expected_version: Option<i32>,
    pub amendment_reason: Option<String>,
}

/// Save a new version of an agency's text on a year (officers and above). When the agency's
/// report on the year is sealed, only a supervisor with a reason may, and the reason is kept with
/// the version. A stale `expected_version` refuses a save over another author's.
///
/// # Errors
/// 403 for clerks and auditors; 404 invisible agency; 409 `year_sealed` or `version_conflict`;
/// 422 a text that breaks a rule.
pub fn put_text(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: AgencyId,
    year: i32,
    new: NewText,
    at: NaiveDateTime,
) -> ServiceResult<TextVersion> {
    agency_service::get_visible(conn, actor, agency_id)?;
    actor.require(actor.role.can_handle(), "编写年度报告的文字部分")?;
    let NewText { text: raw, expected_version, amendment_reason } = new;
    let mut errors = crate::domain::error::Errors::default();
    let amendment_reason = errors.optional_text("amendment_reason", amendment_reason.as_deref(), limits::REASON);
    errors.finish()?;
    let text = ReportText::parse(raw, Template::for_year(year) == Template::Y2019)?;
    let sealed = if store::year_sealed(conn, agency_id.get(), year)? { vec![year] } else { Vec::new() };
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let approved = seal::guard(&Seals::of(sealed), from, actor.role, amendment_reason.as_deref())?;
    // Saves of one agency's texts follow one another: each numbers its version after the last.
    store::lock_agency(conn, agency_id.get())?;
    let current = store::latest(conn, agency_id.get(), year)?.map_or(0, |row| row.version);
    if let Some(expected) = expected_version.filter(|&e| e != current) {
        return Err(ServiceError::conflict(
            "version_conflict",
            format!(
                "文字部分的最新版本是第{current}版，不是第{expected}版：已有他人保存了新的版本，请重新载入后再修改"
            ),
        ));
    }
    let additional =
        serde_json::to_string(&text.additional_sections).map_err(|e| ServiceError::corrupt(e.to_string()))?;
    let reason = approved.as_ref().map(|o| o.reason.as_str());
    let row = NewTextRow {
        agency_id: agency_id.get(),
        year,
        version: current + 1,
        overview: &text.overview,
        problems_and_improvements: &text.problems_and_improvements,
        other_matters: &text.other_matters,
        additional_sections: &additional,
        updated_at: at,
        updated_by: actor.user_id.get(),
        amendment_reason: reason,
    };
    store::insert(conn, &row).map_err(|e| {
        if crate::storage::is_unique_violation(&e) {
            ServiceError::conflict("version_conflict", "另一位用户刚刚保存了文字部分的新版本，请重新载入后再修改")
        } else {
            e.into()
        }
    })?;
    Ok(TextVersion {
        agency_id,
        year,
        version: current + 1,
        amendment_reason: reason.map(str::to_owned),
        text,
        updated_at: at,
        updated_by: actor.user_id.get(),
    })
}

/// The figures the text can use: the year's requests (as the report shows them: sealed or live)
/// against last year's, and the year's information-processing fees from the fee events.
///
/// # Errors
/// 404 for an invisible agency.
pub fn text_figures(conn: &mut DbConnection, actor: &Actor, request: &ReportRequest) -> ServiceResult<TextFigures> {
    let report = super::report::view(conn, actor, request)?.report;
    let previous = if limits::YEARS.contains(&(request.year - 1)) {
        let last_year = ReportRequest { year: request.year - 1, template: None, ..*request };
        Some(super::report::view(conn, actor, &last_year)?.report)
    } else {
        None
    };
    let (_, ids) = scope(conn, actor, request)?;
    let fees = fee_figures(conn, &ids, request.year)?;
    Ok(TextFigures::new(&report, previous.as_ref(), fees))
}

/// The fee figures of the agencies `ids` in `year`.
fn fee_figures(conn: &mut DbConnection, ids: &[i64], year: i32) -> ServiceResult<FeeFigures> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1);
    let end = NaiveDate::from_ymd_opt(year, 12, 31);
    let (start, end) = start.zip(end).ok_or_else(|| Violation::field("validation_failed", "year", "不是有效的年份"))?;
    let mut figures = FeeFigures::default();
    for events in store::fee_events(conn, ids, start, end)? {
        figures.add_case(&events, start, end);
    }
    for (outcome, _, n) in report_store::concluded_between(conn, ids, start, end)? {
        if outcome.as_deref() == Some(Outcome::OtherFeeUnpaid.as_str()) {
            figures.lapsed_unpaid = figures.lapsed_unpaid.saturating_add(n);
        }
    }
    Ok(figures)
}

/// The whole document and the seal it was rendered from (`None`: built from today's figures and
/// the latest text).
#[derive(Clone, Debug)]
pub struct DocumentView {
    pub document: AnnualDocument,
    pub seal: Option<SealRow>,
}

/// The document of a report: for a sealed year (same template and scope) the document the seal
/// stored, exactly; otherwise — or with `live` — built from today's figures and the latest text,
/// unsigned. A compiled report prints the compiling agency's own text.
///
/// # Errors
/// 404 for an invisible agency.
pub fn document(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &ReportRequest,
    live: bool,
) -> ServiceResult<DocumentView> {
    let (agency, ids) = scope(conn, actor, request)?;
    if !live {
        let seal = report_store::latest_seal(conn, agency.id.get(), request.year, request.include_descendants)?
            .filter(|seal| seal.template == request.template().as_str());
        if let Some(seal) = seal {
            let document = sealed_document(conn, &seal)?;
            return Ok(DocumentView { document, seal: Some(seal) });
        }
    }
    let report = compute(conn, &agency, &ids, request)?;
    let text = latest(conn, agency.id, request.year)?;
    let document = AnnualDocument::build(report, text.as_ref().map(|t| (t.version, &t.text)), None);
    Ok(DocumentView { document, seal: None })
}

/// The document a seal stored, checked against its hash. A seal made before documents were
/// stored gets one built from its figures and the text as it is now, dated the day of the seal.
fn sealed_document(conn: &mut DbConnection, seal: &SealRow) -> ServiceResult<AnnualDocument> {
    match store::seal_document(conn, seal.id)? {
        Some(row) => {
            if crate::report::hash_text(&row.document) != row.document_hash {
                return Err(ServiceError::corrupt(format!("the document of seal {} does not match its hash", seal.id)));
            }
            AnnualDocument::from_json(&row.document)
                .map_err(|e| ServiceError::corrupt(format!("the document of seal {}: {e}", seal.id)))
        }
        None => {
            let report = parse_seal(seal)?;
            let text = latest(conn, AgencyId::new(seal.agency_id), seal.year)?;
            let signed = china_date(seal.sealed_at);
            Ok(AnnualDocument::build(report, text.as_ref().map(|t| (t.version, &t.text)), Some(signed)))
        }
    }
}

/// Store the whole document with a new seal (in the seal's transaction): the sealed report, the
/// agency's latest text, signed on `today`.
///
/// # Errors
/// A database error.
pub(super) fn seal_document(
    conn: &mut DbConnection,
    seal_id: i64,
    agency_id: AgencyId,
    report: AnnualReport,
    today: NaiveDate,
) -> ServiceResult<SealDocumentRow> {
    let text = latest(conn, agency_id, report.year)?;
    let document = AnnualDocument::build(report, text.as_ref().map(|t| (t.version, &t.text)), Some(today));
    let canonical = document.canonical_json().map_err(|e| ServiceError::corrupt(e.to_string()))?;
    let row = SealDocumentRow {
        seal_id,
        text_version: document.text_version,
        document_hash: crate::report::hash_text(&canonical),
        document: canonical,
    };
    store::insert_seal_document(conn, &row)?;
    Ok(row)
}

/// What a seal stored of the document: the text version and the document's hash (`None` for a
/// seal made before documents were stored).
///
/// # Errors
/// A database error.
pub fn seal_document_info(conn: &mut DbConnection, seal_id: i64) -> ServiceResult<Option<(Option<i32>, String)>> {
    Ok(store::seal_document(conn, seal_id)?.map(|row| (row.text_version, row.document_hash)))
}

/// Whether the text differs from the one a seal printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextDrift {
    /// The version the seal printed (`None`: no text, or a seal from before documents were stored).
    pub sealed_version: Option<i32>,
    /// The latest version now.
    pub current_version: Option<i32>,
    /// Whether the parts differ (the same words saved again are no change).
    pub text_changed: bool,
}

/// Compare the text a seal printed with the latest text.
///
/// # Errors
/// A database error.
pub(super) fn text_drift(conn: &mut DbConnection, seal: &SealRow) -> ServiceResult<TextDrift> {
    let agency_id = AgencyId::new(seal.agency_id);
    let sealed_version = store::seal_document(conn, seal.id)?.and_then(|row| row.text_version);
    let sealed = match sealed_version {
        Some(version) => {
            store::version(conn, seal.agency_id, seal.year, version)?.map(TextVersion::try_from).transpose()?
        }
        None => None,
    };
    let current = latest(conn, agency_id, seal.year)?;
    let text_changed = sealed.as_ref().map(|t| &t.text) != current.as_ref().map(|t| &t.text);
    Ok(TextDrift { sealed_version, current_version: current.map(|t| t.version), text_changed })
}

//! The annual report: aggregated from the cases, checked, sealed, compared with its seal, and
//! opened cell by cell.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};

use super::{agencies as agency_service, Actor, ServiceError, ServiceResult};
use crate::domain::case::{Agency, Applicant, CaseSummary};
use crate::domain::event::{CaseEvent, RecordedEvent};
use crate::domain::ids::{AgencyId, CaseId};
use crate::domain::seal::{self, Seals};
use crate::domain::{ApplicantCategory, Outcome, Violation};
use crate::report::model::{
    AppealCounts, AppealKind, AppealTally, CategoryCounts, Column, Counts, ReportInput, RowKey,
};
use crate::report::{self, AgencyRef, AnnualReport, ReportScope, SectionTwo, Template};
use crate::storage::report::{self as store, CellFilter, NewSealRow, Scope};
pub use crate::storage::report::{SealRow, SectionTwoRow};
use crate::storage::DbConnection;

/// Which report: year, agency, template and scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportRequest {
    pub year: i32,
    pub agency_id: AgencyId,
    /// `None`: the year's own template (2019 up to 2020, 2021 after).
    pub template: Option<Template>,
    pub include_descendants: bool,
}

impl ReportRequest {
    /// The template in use.
    pub fn template(&self) -> Template {
        self.template.unwrap_or_else(|| Template::for_year(self.year))
    }

    fn bounds(&self) -> ServiceResult<(NaiveDate, NaiveDate)> {
        let start = NaiveDate::from_ymd_opt(self.year, 1, 1);
        let end = NaiveDate::from_ymd_opt(self.year, 12, 31);
        start.zip(end).ok_or_else(|| Violation::field("validation_failed", "year", "不是有效的年份").into())
    }
}

/// A report as shown: the sealed figures when the year is sealed (then `live_differs` says whether
/// today's data gives other figures), the live figures otherwise.
#[derive(Clone, Debug)]
pub struct ReportView {
    pub report: AnnualReport,
    pub seal: Option<SealRow>,
    pub live_differs: Option<bool>,
}

/// One cell whose sealed and live values differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellDiff {
    /// `section_two`, `section_three` or `section_four`.
    pub section: &'static str,
    pub row: String,
    pub column: String,
    pub sealed: i64,
    pub live: i64,
}

/// The drift of a sealed report: the differing cells and the events recorded since the seal.
#[derive(Clone, Debug)]
pub struct Drift {
    pub seal: SealRow,
    pub live_hash: String,
    /// Whether today's figures differ from the sealed ones ([`AnnualReport::same_figures`]).
    pub live_differs: bool,
    pub cells: Vec<CellDiff>,
    /// Events recorded after the seal on cases that count in that year: case id, case number, event.
    pub events: Vec<(CaseId, String, RecordedEvent)>,
    /// Whether the written parts differ from those the seal printed.
    pub text: super::report_text::TextDrift,
}

pub(super) fn scope(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &ReportRequest,
) -> ServiceResult<(Agency, Vec<i64>)> {
    let agency = agency_service::get_visible(conn, actor, request.agency_id)?;
    let scope = Scope { agency_id: agency.id.get(), subtree: request.include_descendants.then(|| agency.path.clone()) };
    let ids = scope.ids(conn)?;
    Ok((agency, ids))
}

fn category(key: &str) -> ServiceResult<ApplicantCategory> {
    ApplicantCategory::parse(key).ok_or_else(|| ServiceError::corrupt(format!("unknown applicant category `{key}`")))
}

fn by_category(rows: store::ByCategory) -> ServiceResult<CategoryCounts> {
    let mut counts = CategoryCounts::new();
    for (key, n) in rows {
        *counts.entry(category(&key)?).or_insert(0) += n;
    }
    Ok(counts)
}

/// The tally of an appeal kind's stored key.
fn tally<'a>(appeals: &'a mut AppealCounts, kind: &str) -> ServiceResult<&'a mut AppealTally> {
    let kind = AppealKind::parse(kind).ok_or_else(|| ServiceError::corrupt(format!("unknown appeal kind `{kind}`")))?;
    Ok(match kind {
        AppealKind::Reconsideration => &mut appeals.reconsideration,
        AppealKind::LitigationDirect => &mut appeals.litigation_direct,
        AppealKind::LitigationAfterReconsideration => &mut appeals.litigation_after_reconsideration,
    })
}

/// The carried_forward row of a stored (sealed) report, per category.
fn carried_forward_of(report: &AnnualReport) -> CategoryCounts {
    ApplicantCategory::ALL.iter().map(|&c| (c, report.cell(RowKey::CarriedForward, Column::of(c)))).collect()
}

/// Compute the report from the cases (never from stored figures, except Y−1's seal for check 4).
pub(super) fn compute(
    conn: &mut DbConnection,
    agency: &Agency,
    ids: &[i64],
    request: &ReportRequest,
) -> ServiceResult<AnnualReport> {
    let (start, end) = request.bounds()?;
    let mut concluded = BTreeMap::new();
    for (outcome, key, n) in store::concluded_between(conn, ids, start, end)? {
        let outcome = outcome
            .as_deref()
            .and_then(Outcome::parse)
            .ok_or_else(|| ServiceError::corrupt(format!("a concluded case has the outcome {outcome:?}")))?;
        *concluded.entry((outcome, category(&key)?)).or_insert(0) += n;
    }
    let previous_end = start.pred_opt().unwrap_or(start);
    let previous_carried_forward =
        match store::latest_seal(conn, request.agency_id.get(), request.year - 1, request.include_descendants)? {
            Some(seal) => carried_forward_of(&parse_seal(&seal)?),
            None => by_category(store::open_at_end_of(conn, ids, previous_end)?)?,
        };
    let counts = Counts {
        new_received: by_category(store::received_between(conn, ids, start, end)?)?,
        carried_over: by_category(store::open_at_start_of(conn, ids, start)?)?,
        carried_forward: by_category(store::open_at_end_of(conn, ids, end)?)?,
        concluded,
        previous_carried_forward: Some(previous_carried_forward),
    };
    let mut appeals = AppealCounts::default();
    for (kind, result, n) in store::appeals_decided_between(conn, ids, start, end)? {
        let tally = tally(&mut appeals, &kind)?;
        match result.as_deref() {
            Some("upheld") => tally.upheld += n,
            Some("corrected") => tally.corrected += n,
            Some("other") => tally.other += n,
            other => return Err(ServiceError::corrupt(format!("a decided appeal has the result {other:?}"))),
        }
    }
    for (kind, n) in store::appeals_pending_at_end_of(conn, ids, end)? {
        tally(&mut appeals, &kind)?.pending += n;
    }
    let template = request.template();
    let (section_two, section_two_missing) = section_two_of(conn, ids, request.year, template)?;
    let input = ReportInput {
        year: request.year,
        agency_id: agency.id.get(),
        agency_name: agency.name.clone(),
        template,
        scope: ReportScope::of(request.include_descendants),
        counts,
        appeals,
        section_two,
        section_two_missing,
    };
    AnnualReport::build(input).map_err(|e| ServiceError::corrupt(e.to_string()))
}

/// Section two of a report on `ids` (the agency, or its subtree): the figures entered in `template`
/// — for a subtree their sum — and the agencies that have not entered theirs, in tree order.
fn section_two_of(
    conn: &mut DbConnection,
    ids: &[i64],
    year: i32,
    template: Template,
) -> ServiceResult<(Option<SectionTwo>, Vec<AgencyRef>)> {
    let mut entered = Vec::new();
    let mut have = BTreeSet::new();
    for row in store::section_two_of(conn, ids, year)? {
        let figures = parse_section_two(&row)?;
        // Figures in the other template's format do not fit this report's table: not entered for it.
        if figures.template() == template {
            have.insert(row.agency_id);
            entered.push(figures);
        }
    }
    let missing: Vec<i64> = ids.iter().copied().filter(|id| !have.contains(id)).collect();
    let missing = if missing.is_empty() { Vec::new() } else { store::agency_names(conn, &missing)? };
    let missing = missing.into_iter().map(|(id, name)| AgencyRef { id, name }).collect();
    Ok((SectionTwo::sum(template, &entered), missing))
}

pub(super) fn parse_seal(seal: &SealRow) -> ServiceResult<AnnualReport> {
    AnnualReport::from_sealed_json(&seal.figures, seal.include_descendants)
        .map_err(|e| ServiceError::corrupt(format!("sealed report {}: {e}", seal.id)))
}

fn parse_section_two(row: &SectionTwoRow) -> ServiceResult<SectionTwo> {
    serde_json::from_str(&row.data).map_err(|e| ServiceError::corrupt(format!("section two: {e}")))
}

/// The live report, computed from the cases now.
///
/// # Errors
/// 404 for an invisible agency.
pub fn live(conn: &mut DbConnection, actor: &Actor, request: &ReportRequest) -> ServiceResult<AnnualReport> {
    let (agency, ids) = scope(conn, actor, request)?;
    compute(conn, &agency, &ids, request)
}

/// The report as published: the seal in force (same template) with whether the live figures
/// differ, or the live report when the year is not sealed.
///
/// # Errors
/// 404 for an invisible agency.
pub fn view(conn: &mut DbConnection, actor: &Actor, request: &ReportRequest) -> ServiceResult<ReportView> {
    let (agency, ids) = scope(conn, actor, request)?;
    let live = compute(conn, &agency, &ids, request)?;
    match store::latest_seal(conn, agency.id.get(), request.year, request.include_descendants)? {
        Some(seal) if seal.template == request.template().as_str() => {
            let sealed = parse_seal(&seal)?;
            let differs = !live.same_figures(&sealed);
            Ok(ReportView { report: sealed, seal: Some(seal), live_differs: Some(differs) })
        }
        _ => Ok(ReportView { report: live, seal: None, live_differs: None }),
    }
}

/// Seal the report: store its figures, checks, template and the SHA-256 of its canonical JSON,
/// and the whole document (the agency's latest text, signed today) with its SHA-256.
/// Sealing again (after approved corrections) replaces the seal in force and keeps the old one.
///
/// # Errors
/// 403 below supervisor; 404 invisible agency; 422 when a check fails or the year is not over.
pub fn seal(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &ReportRequest,
    reason: Option<&str>,
    today: NaiveDate,
    at: NaiveDateTime,
) -> ServiceResult<SealRow> {
    let (agency, ids) = scope(conn, actor, request)?;
    actor.require(actor.role.can_supervise(), "封存年度报告")?;
    let (_, end) = request.bounds()?;
    if end >= today {
        return Err(Violation::field("year_not_over", "year", format!("{}年尚未结束，不能封存", request.year)).into());
    }
    let previous = store::latest_seal(conn, agency.id.get(), request.year, request.include_descendants)?;
    if previous.is_some() && reason.is_none() {
        return Err(ServiceError::conflict("already_sealed", "该年度报告已封存；再次封存须说明理由（reason）"));
    }
    let report = compute(conn, &agency, &ids, request)?;
    if let Some(failed) = report.checks.iter().find(|c| !c.passed) {
        return Err(Violation::field(
            "checks_failed",
            "checks",
            format!("校验“{}”未通过：{}。校验未通过的报告不能封存。", failed.label, failed.detail),
        )
        .into());
    }
    let figures = report::canonical_json(&report).map_err(|e| ServiceError::corrupt(e.to_string()))?;
    let hash = report::hash_text(&figures);
    let last_event_id = store::latest_event_id(conn)?;
    // A seal names the one it replaces, and a unique index allows one successor per seal (one
    // first seal per year and scope): of two supervisors sealing at once, the second is refused
    // here, after the first commits (PostgreSQL waits for it; SQLite runs writes one at a time).
    let id = store::insert_seal(
        conn,
        &NewSealRow {
            agency_id: agency.id.get(),
            year: request.year,
            include_descendants: request.include_descendants,
            template: request.template().as_str(),
            figures: &figures,
            content_hash: &hash,
            sealed_at: at,
            sealed_by: actor.user_id.get(),
            reason,
            last_event_id,
            supersedes: previous.as_ref().map(|p| p.id),
        },
    )
    .map_err(|e| {
        if crate::storage::is_unique_violation(&e) {
            ServiceError::conflict("already_sealed", "同一年度的另一份封存刚刚保存，请重新载入报表")
        } else {
            e.into()
        }
    })?;
    super::report_text::seal_document(conn, id, agency.id, report, today)?;
    store::latest_seal(conn, agency.id.get(), request.year, request.include_descendants)?
        .filter(|s| s.id == id)
        .ok_or_else(|| ServiceError::corrupt("the new seal is missing"))
}

/// Compare the seal in force with the live figures.
///
/// # Errors
/// 404 for an invisible agency or a year without a seal.
pub fn drift(conn: &mut DbConnection, actor: &Actor, request: &ReportRequest) -> ServiceResult<Drift> {
    let (agency, ids) = scope(conn, actor, request)?;
    let seal = store::latest_seal(conn, agency.id.get(), request.year, request.include_descendants)?
        .ok_or(ServiceError::NotFound { what: "sealed report", code: "report_not_sealed" })?;
    let sealed = parse_seal(&seal)?;
    let request = ReportRequest { template: Template::parse(&seal.template), ..*request };
    let live = compute(conn, &agency, &ids, &request)?;
    let mut cells = Vec::new();
    let (sealed_two, live_two) = (section_two_cells(&sealed)?, section_two_cells(&live)?);
    for key in sealed_two.keys().chain(live_two.keys()).collect::<BTreeSet<_>>() {
        let (s, l) = (sealed_two.get(key).copied().unwrap_or(0), live_two.get(key).copied().unwrap_or(0));
        if s != l {
            cells.push(CellDiff {
                section: "section_two",
                row: key.0.clone(),
                column: key.1.clone(),
                sealed: s,
                live: l,
            });
        }
    }
    for (sealed_row, live_row) in sealed.section_three.rows.iter().zip(&live.section_three.rows) {
        for ((column, s), l) in Column::ALL.iter().zip(&sealed_row.values).zip(&live_row.values) {
            if s != l {
                cells.push(CellDiff {
                    section: "section_three",
                    row: sealed_row.key.as_str().to_string(),
                    column: column.as_str().to_string(),
                    sealed: *s,
                    live: *l,
                });
            }
        }
    }
    for &kind in AppealKind::ALL {
        let (s, l) = (sealed.section_four.figures(kind).values(), live.section_four.figures(kind).values());
        for ((column, s), l) in crate::report::model::APPEAL_COLUMN_KEYS.iter().zip(s).zip(l) {
            if s != l {
                cells.push(CellDiff {
                    section: "section_four",
                    row: kind.as_str().to_string(),
                    column: (*column).to_string(),
                    sealed: s,
                    live: l,
                });
            }
        }
    }
    let (_, end) = request.bounds()?;
    let events = store::events_since(conn, &ids, seal.last_event_id, end, 1000)?
        .into_iter()
        .filter(|(_, _, event)| amendment_touches(event, end))
        .take(500)
        .collect();
    let live_hash = report::content_hash(&live).map_err(|e| ServiceError::corrupt(e.to_string()))?;
    let live_differs = !live.same_figures(&sealed);
    let text = super::report_text::text_drift(conn, &seal)?;
    Ok(Drift { seal, live_hash, live_differs, cells, events, text })
}

/// Section two's figures by (item, field), e.g. (`licensing`, `decisions`); none when not entered.
fn section_two_cells(report: &AnnualReport) -> ServiceResult<BTreeMap<(String, String), i64>> {
    let mut cells = BTreeMap::new();
    let Some(section_two) = &report.section_two else {
        return Ok(cells);
    };
    let value = serde_json::to_value(section_two).map_err(|e| ServiceError::corrupt(e.to_string()))?;
    for (item, fields) in value.as_object().into_iter().flatten() {
        for (field, figure) in fields.as_object().into_iter().flatten() {
            if let Some(n) = figure.as_i64() {
                cells.insert((item.clone(), field.clone()), n);
            }
        }
    }
    Ok(cells)
}

/// Whether an event can have altered a report on a period ending `end`: an amendment only when it
/// changed a conclusion date on or before `end`; every other event (already dated on or before it).
fn amendment_touches(event: &RecordedEvent, end: NaiveDate) -> bool {
    match &event.event {
        CaseEvent::Amended { concluded_on, previous, .. } => *concluded_on <= end || previous.concluded_on <= end,
        _ => true,
    }
}

/// The cases behind one cell of section three (the live figures), newest first by the date that
/// puts them in the cell ([`cell_position`]), then by id; `before` is the position of the last
/// case of the previous page.
///
/// # Errors
/// 404 invisible agency; 422 for a row the template does not have.
pub fn cell_cases(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &ReportRequest,
    row: RowKey,
    column: Column,
    before: Option<(NaiveDate, CaseId)>,
    limit: i64,
) -> ServiceResult<Vec<(CaseSummary, Applicant)>> {
    if !row.in_template(request.template()) {
        return Err(Violation::field(
            "validation_failed",
            "row",
            format!("{}年表格式没有“{}”行", request.template().as_str(), row.as_str()),
        )
        .into());
    }
    let (_, ids) = scope(conn, actor, request)?;
    let (start, end) = request.bounds()?;
    let outcomes = |row: RowKey| row.outcomes().iter().map(|o| o.as_str().to_string()).collect::<Vec<_>>();
    let filter = match row {
        RowKey::NewReceived => CellFilter::ReceivedBetween(start, end),
        RowKey::CarriedOver => CellFilter::OpenAtStartOf(start),
        RowKey::CarriedForward => CellFilter::OpenAtEndOf(end),
        RowKey::ConcludedTotal => CellFilter::ConcludedBetween(start, end, Vec::new()),
        other => CellFilter::ConcludedBetween(start, end, outcomes(other)),
    };
    let category = column.category().map(ApplicantCategory::as_str);
    let before = before.map(|(day, id)| (day, id.get()));
    Ok(store::cell_cases(conn, &ids, &filter, category, before, limit)?)
}

/// Where a case stands in the list of a cell of `row`: the date that puts it there (its
/// conclusion for the rows of outcomes, else its receipt) and its id. The next page starts after it.
pub fn cell_position(row: RowKey, case: &CaseSummary) -> (NaiveDate, CaseId) {
    let by_conclusion = !matches!(row, RowKey::NewReceived | RowKey::CarriedOver | RowKey::CarriedForward);
    let day = if by_conclusion { case.concluded_on.unwrap_or(case.received_on) } else { case.received_on };
    (day, case.id)
}

/// The section two figures of an agency and year.
///
/// # Errors
/// 404 for an invisible agency or figures not entered.
pub fn get_section_two(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: AgencyId,
    year: i32,
) -> ServiceResult<(SectionTwoRow, SectionTwo)> {
    agency_service::get_visible(conn, actor, agency_id)?;
    let row = store::find_section_two(conn, agency_id.get(), year)?
        .ok_or(ServiceError::NotFound { what: "section two figures", code: "section_two_not_found" })?;
    let data = parse_section_two(&row)?;
    Ok((row, data))
}

/// Enter or replace the section two figures of an agency and year (officers and above).
///
/// # Errors
/// 403 for clerks and auditors; 404 invisible agency; 422 invalid figures.
pub fn put_section_two(
    conn: &mut DbConnection,
    actor: &Actor,
    agency_id: AgencyId,
    year: i32,
    data: &SectionTwo,
    amendment_reason: Option<&str>,
    at: NaiveDateTime,
) -> ServiceResult<SectionTwoRow> {
    agency_service::get_visible(conn, actor, agency_id)?;
    actor.require(actor.role.can_handle(), "填报年度报告数据")?;
    data.validate().map_err(|e| match e {
        report::ReportError::InvalidSectionTwo { field, .. } => {
            Violation::field("validation_failed", field, "不得为负数")
        }
        other => Violation::field("validation_failed", "template", other.to_string()),
    })?;
    // Section two is part of the sealed report: changing a sealed year needs a supervisor and a reason.
    let agency = crate::storage::agencies::get(conn, agency_id)?;
    let seals = Seals::of(sealed_years(conn, &agency, year, year)?);
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    seal::guard(&seals, from, actor.role, amendment_reason)?;
    let row = SectionTwoRow {
        agency_id: agency_id.get(),
        year,
        template: data.template().as_str().to_string(),
        data: serde_json::to_string(data).map_err(|e| ServiceError::corrupt(e.to_string()))?,
        updated_at: at,
        updated_by: actor.user_id.get(),
    };
    store::put_section_two(conn, &row)?;
    Ok(row)
}

/// The years among `from..=to` sealed for `agency` (directly, or through an ancestor's subtree seal).
///
/// # Errors
/// A database error.
pub fn sealed_years(conn: &mut DbConnection, agency: &Agency, from: i32, to: i32) -> ServiceResult<Vec<i32>> {
    let ancestors: Vec<i64> = agency.ancestors().into_iter().map(AgencyId::get).collect();
    let mut years = Vec::new();
    for year in from..=to {
        if !store::seals_covering(conn, agency.id.get(), &ancestors, year)?.is_empty() {
            years.push(year);
        }
    }
    Ok(years)
}

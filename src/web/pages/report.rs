//! 年度报告: choose agency, year, template and subtree; sections three and four in the official
//! layout (the XLSX's merged header block and row-group labels) with the five checks, the cells of
//! a failing check marked; every non-zero cell opens the cases behind it. Downloads in every
//! format, the seal (supervisors) and the drift view of a sealed year.

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::domain::ids::{AgencyId, CaseId};
use crate::report::highlight::failing_cells;
use crate::report::model::{
    section_four_header, section_three_header, section_three_labels, AppealKind, Column, LayoutCell, RowKey,
    SECTION_FOUR_HEADER_ROWS, SECTION_FOUR_TITLE, SECTION_THREE_HEADER_ROWS, SECTION_THREE_TITLE,
};
use crate::report::{self, AnnualReport, Template};
use crate::service::report::{self as service, ReportRequest, ReportView};
use crate::web::context::{see_other, FormData, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::pages::dashboard::{agencies_and_choice, agency_options};
use crate::web::view::CaseLine;

/// Which report, as a query (`descendants=1` compiles the subtree).
#[derive(Debug, Default, Deserialize)]
pub struct ReportParams {
    agency_id: Option<i64>,
    year: Option<i32>,
    template: Option<String>,
    descendants: Option<String>,
    live: Option<String>,
    format: Option<String>,
    row: Option<String>,
    column: Option<String>,
    /// Where the previous page ended: `YYYY-MM-DD.id` (the date that orders the cell, and the id).
    cursor: Option<String>,
}

fn bad(code: &'static str, detail: &str) -> PageError {
    PageError::Rejected { status: StatusCode::UNPROCESSABLE_ENTITY, code, detail: detail.to_string() }
}

impl ReportParams {
    fn from_form(form: &FormData) -> Self {
        Self {
            agency_id: form.get("agency_id").parse().ok(),
            year: form.get("year").parse().ok(),
            template: form.optional("template"),
            descendants: form.optional("descendants"),
            ..Self::default()
        }
    }

    fn descendants(&self) -> bool {
        self.descendants.as_deref().is_some_and(|d| !d.is_empty() && d != "0")
    }

    fn template(&self) -> Result<Option<Template>, PageError> {
        match self.template.as_deref().filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => Template::parse(t).map(Some).ok_or_else(|| bad("validation_failed", "没有这种报表格式。")),
        }
    }

    fn request(&self, agency_id: AgencyId, year: i32) -> Result<ReportRequest, PageError> {
        Ok(ReportRequest { year, agency_id, template: self.template()?, include_descendants: self.descendants() })
    }

    /// The query naming the same report.
    fn query(&self, request: &ReportRequest) -> String {
        let mut query = format!("agency_id={}&year={}", request.agency_id, request.year);
        if let Some(template) = request.template {
            query.push_str(&format!("&template={}", template.as_str()));
        }
        if request.include_descendants {
            query.push_str("&descendants=1");
        }
        query
    }
}

/// The default year: last year (the one being reported on in January).
fn default_year(ctx: &PageContext) -> i32 {
    use chrono::Datelike as _;
    ctx.state.today().year() - 1
}

fn cell_json(cell: &LayoutCell, text: &str) -> Value {
    json!({ "text": text, "row_span": cell.row_span, "col_span": cell.col_span })
}

/// The header rows of a layout, as rows of cells.
fn header_rows(cells: &[LayoutCell], rows: u32) -> Vec<Vec<Value>> {
    (0..rows).map(|r| cells.iter().filter(|c| c.row == r).map(|c| cell_json(c, c.text)).collect()).collect()
}

/// Section three as rows of label cells and value cells (with their drill-down and marks).
fn section_three(report: &AnnualReport, query: &str) -> Value {
    let marked = failing_cells(report);
    let labels = section_three_labels(report.template);
    let layout = RowKey::rows(report.template);
    let rows: Vec<Value> = report
        .section_three
        .rows
        .iter()
        .map(|row| {
            let label_cells: Vec<Value> = match layout.iter().position(|&k| k == row.key) {
                Some(j) => labels
                    .iter()
                    .filter(|c| usize::try_from(c.row).is_ok_and(|r| r == j))
                    .map(|c| cell_json(c, if c.text == row.key.label() { &row.label } else { c.text }))
                    .collect(),
                None => vec![json!({ "text": row.label, "row_span": 1, "col_span": 3 })],
            };
            let values: Vec<Value> = Column::ALL
                .iter()
                .zip(&row.values)
                .map(|(&column, &value)| {
                    json!({
                        "value": value,
                        "failed": marked.has(row.key, column),
                        "href": (value != 0).then(|| format!(
                            "/reports/cell?{query}&row={}&column={}", row.key.as_str(), column.as_str())),
                        "label": format!("{}：{}", row.label, column.label()),
                    })
                })
                .collect();
            json!({ "key": row.key.as_str(), "labels": label_cells, "values": values })
        })
        .collect();
    json!({
        "title": SECTION_THREE_TITLE,
        "header": header_rows(&section_three_header(), SECTION_THREE_HEADER_ROWS),
        "rows": rows,
    })
}

fn section_four(report: &AnnualReport) -> Value {
    let marked = failing_cells(report);
    let values: Vec<Value> = AppealKind::ALL
        .iter()
        .flat_map(|&kind| {
            let failed = marked.section_four.contains(&kind);
            report.section_four.figures(kind).values().into_iter().map(move |v| json!({ "value": v, "failed": failed }))
        })
        .collect();
    json!({
        "title": SECTION_FOUR_TITLE,
        "header": header_rows(&section_four_header(), SECTION_FOUR_HEADER_ROWS),
        "values": values,
    })
}

fn check_title(name: &str) -> &'static str {
    match name {
        report::checks::IDENTITY => "本年新收＋上年结转＝本年办理结果总计＋结转下年度继续办理（各列）",
        report::checks::OUTCOMES_SUM => "各办理结果之和＝办理结果总计（各列）",
        report::checks::TOTAL_COLUMN => "总计列＝各类申请人之和（各行）",
        report::checks::CARRIED_OVER_MATCHES_PREVIOUS_YEAR => "上年结转＝上一年度的结转下年度继续办理",
        report::checks::SECTION_FOUR_TOTALS => "行政复议、行政诉讼：总计＝维持＋纠正＋其他＋尚未审结",
        _ => "其他校验",
    }
}

async fn view_of(ctx: &PageContext, request: ReportRequest, live: bool) -> Result<ReportView, PageError> {
    ctx.read(move |conn, actor| {
        if live {
            service::live(conn, actor, &request).map(|report| ReportView { report, seal: None, live_differs: None })
        } else {
            service::view(conn, actor, &request)
        }
    })
    .await
}

/// 年度报告.
#[get("/reports")]
pub async fn report_page(ctx: PageContext, params: web::Query<ReportParams>) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let (agencies, chosen) = agencies_and_choice(&ctx, params.agency_id).await?;
    let year = params.year.unwrap_or_else(|| default_year(&ctx));
    let options = agency_options(&agencies);
    let Some(agency_id) = chosen else {
        return ctx.render("report.html", json!({ "options": options, "report": null, "year": year }));
    };
    let request = params.request(agency_id, year)?;
    let query = params.query(&request);
    let live = params.live.is_some();
    let view = view_of(&ctx, request, live).await?;
    let report = &view.report;
    let checks: Vec<Value> = report
        .checks
        .iter()
        .map(|c| json!({ "name": c.name, "title": check_title(&c.name), "passed": c.passed, "detail": c.detail }))
        .collect();
    ctx.render(
        "report.html",
        json!({
            "options": options,
            "agency_id": agency_id,
            "year": year,
            "template": request.template.map(Template::as_str),
            "template_in_use": report.template.as_str(),
            "descendants": request.include_descendants,
            "query": query,
            "live": live,
            "report": { "title": report.title(), "agency_name": report.agency_name },
            "section_three": section_three(report, &query),
            "section_four": section_four(report),
            "checks": checks,
            "all_passed": report.checks.iter().all(|c| c.passed),
            "seal": view.seal.as_ref().map(|s| json!({
                "sealed_at": (s.sealed_at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
                "content_hash": s.content_hash, "reason": s.reason,
            })),
            "live_differs": view.live_differs,
            "may_seal": ctx.actor().role.can_supervise() && year < default_year(&ctx) + 1,
            "section_two_sentence": report.section_two_status.sentence(),
            "section_two_entered": report.section_two.is_some(),
            // Each agency enters its own figures; a compiled report sums them.
            "may_enter_section_two": ctx.actor().role.can_handle() && !request.include_descendants,
        }),
    )
}

/// The report as a file: CSV, XLSX, printable HTML or JSON (the API's renderers).
#[get("/reports/export")]
pub async fn report_export(ctx: PageContext, params: web::Query<ReportParams>) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let agency_id = params.agency_id.map(AgencyId::new).ok_or_else(|| bad("validation_failed", "请选择机关。"))?;
    let year = params.year.ok_or_else(|| bad("validation_failed", "请选择年度。"))?;
    let request = params.request(agency_id, year)?;
    let view = view_of(&ctx, request, params.live.is_some()).await?;
    let report = &view.report;
    let name = format!("gongkai-report-{}-{}", report.year, report.agency_id);
    let attach = |ext: &str| (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.{ext}\""));
    Ok(match params.format.as_deref().unwrap_or("html") {
        "csv" => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attach("csv"))
            .body(report::csv::render_csv(report)),
        "xlsx" => HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header(attach("xlsx"))
            .body(report::xlsx::render_xlsx(report).map_err(PageError::internal)?),
        "json" => HttpResponse::Ok().insert_header(attach("json")).json(report),
        "html" => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(report::html::render_html(report)),
        _ => return Err(bad("validation_failed", "没有这种下载格式。")),
    })
}

/// The cases behind one cell (live figures), newest first, 50 a page.
#[get("/reports/cell")]
pub async fn cell_page(ctx: PageContext, params: web::Query<ReportParams>) -> Result<HttpResponse, PageError> {
    const PAGE: i64 = 50;
    let params = params.into_inner();
    let agency_id = params.agency_id.map(AgencyId::new).ok_or_else(|| bad("validation_failed", "请选择机关。"))?;
    let year = params.year.ok_or_else(|| bad("validation_failed", "请选择年度。"))?;
    let request = params.request(agency_id, year)?;
    let row = params.row.as_deref().and_then(RowKey::parse).ok_or_else(|| bad("validation_failed", "没有这一行。"))?;
    let column =
        params.column.as_deref().and_then(Column::parse).ok_or_else(|| bad("validation_failed", "没有这一列。"))?;
    let query = params.query(&request);
    let before = match params.cursor.as_deref() {
        None => None,
        Some(cursor) => {
            Some(parse_cursor(cursor).ok_or_else(|| bad("invalid_cursor", "翻页位置无效，请从第一页重新打开。"))?)
        }
    };
    let mut rows =
        ctx.read(move |conn, actor| service::cell_cases(conn, actor, &request, row, column, before, PAGE + 1)).await?;
    let more = rows.len() > usize::try_from(PAGE).unwrap_or(50);
    rows.truncate(usize::try_from(PAGE).unwrap_or(50));
    let next = if more {
        rows.last().map(|(c, _)| {
            let (day, id) = service::cell_position(row, c);
            format!("{day}.{id}")
        })
    } else {
        None
    };
    let cases: Vec<CaseLine> = rows.into_iter().map(|(c, a)| CaseLine::new(c, a)).collect();
    ctx.render(
        "cell.html",
        json!({
            "year": year, "query": query, "row_label": row.label(), "column_label": column.label(),
            "cases": cases,
            "next": next.map(|id| format!("/reports/cell?{query}&row={}&column={}&cursor={id}", row.as_str(), column.as_str())),
        }),
    )
}

/// The `YYYY-MM-DD.id` of a drill-down's next page.
fn parse_cursor(cursor: &str) -> Option<(chrono::NaiveDate, CaseId)> {
    let (day, id) = cursor.split_once('.')?;
    Some((chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?, CaseId::new(id.parse().ok()?)))
}

/// Seal the year (supervisors).
#[post("/reports/seal")]
pub async fn seal_report(page: PostPage) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let params = ReportParams::from_form(&form);
    let agency_id = params.agency_id.map(AgencyId::new).ok_or_else(|| bad("validation_failed", "请选择机关。"))?;
    let year = params.year.ok_or_else(|| bad("validation_failed", "请选择年度。"))?;
    let request = params.request(agency_id, year)?;
    let query = params.query(&request);
    let reason = form.optional("reason");
    let (today, at) = (ctx.state.today(), ctx.state.now());
    ctx.write(move |conn, actor| service::seal(conn, actor, &request, reason.as_deref(), today, at)).await?;
    Ok(see_other(&format!("/reports?{query}")))
}

/// The drift of a sealed year: the cells whose live figures differ, and the events since the seal.
#[get("/reports/drift")]
pub async fn drift_page(ctx: PageContext, params: web::Query<ReportParams>) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let agency_id = params.agency_id.map(AgencyId::new).ok_or_else(|| bad("validation_failed", "请选择机关。"))?;
    let year = params.year.ok_or_else(|| bad("validation_failed", "请选择年度。"))?;
    let request = params.request(agency_id, year)?;
    let query = params.query(&request);
    let drift = ctx.read(move |conn, actor| service::drift(conn, actor, &request)).await?;
    let label = |section: &str, row: &str| -> String {
        if section == "section_three" {
            RowKey::parse(row).map_or_else(|| row.to_string(), |k| k.label().to_string())
        } else {
            AppealKind::parse(row).map_or_else(|| row.to_string(), |k| k.label().to_string())
        }
    };
    let cells: Vec<Value> = drift
        .cells
        .iter()
        .map(|c| {
            json!({
                "row": label(c.section, &c.row),
                "column": Column::parse(&c.column).map_or_else(|| c.column.clone(), |k| k.label().to_string()),
                "sealed": c.sealed, "live": c.live,
            })
        })
        .collect();
    let events: Vec<Value> = drift
        .events
        .iter()
        .map(|(case_id, number, e)| {
            json!({ "case_id": case_id, "case_number": number, "kind": e.event.kind(), "effective_on": e.effective_on.to_string() })
        })
        .collect();
    ctx.render(
        "drift.html",
        json!({
            "year": year, "query": query, "cells": cells, "events": events,
            "sealed_at": (drift.seal.sealed_at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
            "reason": drift.seal.reason,
            "text_changed": drift.text.text_changed,
            "sealed_text_version": drift.text.sealed_version,
            "text_version": drift.text.current_version,
            "back": format!("/reports?{query}"),
        }),
    )
}

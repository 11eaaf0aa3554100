//! 第二部分（主动公开政府信息情况）: the form of an agency's section-two figures for a year, laid
//! out as the printed blocks of its template ([`SectionTwo::blocks`], whose field names are the
//! JSON's), read into the API's own body and stored by the same use case
//! ([`service::put_section_two`]). Amounts are typed in 万元, as printed; they are kept in fen.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::ids::AgencyId;
use crate::domain::Violation;
use crate::http::reports::parse_section_two;
use crate::report::model::Template;
use crate::report::section_two::{wan_yuan, Figure, SectionTwo, SectionTwo2019, SectionTwo2021};
use crate::service::report as service;
use crate::service::ServiceError;
use crate::web::context::{see_other, FormData, PageContext, PostPage};
use crate::web::error::PageError;
use crate::web::view::field_errors;

/// 万元 to fen: 1 万元 = 10,000 元 = 1,000,000 fen, so up to six decimals are exact.
const FEN_PER_WAN: i64 = 1_000_000;

/// An amount typed in 万元 (`12.5`, `0.000001`, `-3`) in fen; `None` when it is not one.
pub fn wan_to_fen(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !ok(whole) || !ok(fraction) || fraction.len() > 6 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if fraction.is_empty() { 0 } else { format!("{fraction:0<6}").parse().ok()? };
    let fen = whole.checked_mul(FEN_PER_WAN)?.checked_add(fraction)?;
    Some(if negative { -fen } else { fen })
}

/// The figures as the form shows them: `row.field` → text (amounts in 万元).
fn values_of(figures: &SectionTwo) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for block in figures.blocks() {
        for row in &block.rows {
            for (field, figure) in block.fields.iter().zip(&row.figures) {
                let text = match figure {
                    Figure::Count(n) => n.to_string(),
                    Figure::Fen(fen) => wan_yuan(*fen),
                };
                values.insert(format!("{}.{field}", row.key), text);
            }
        }
    }
    values
}

fn empty(template: Template) -> SectionTwo {
    match template {
        Template::Y2019 => SectionTwo::Y2019(SectionTwo2019::default()),
        Template::Y2021 => SectionTwo::Y2021(SectionTwo2021::default()),
    }
}

/// The form's blocks: heading, column labels, and per row its label and inputs (name, money).
fn blocks(template: Template) -> Vec<Value> {
    empty(template)
        .blocks()
        .iter()
        .map(|block| {
            let money: Vec<bool> =
                block.rows.first().map(|r| r.figures.iter().map(|f| matches!(f, Figure::Fen(_))).collect()).unwrap_or_default();
            json!({
                "heading": block.heading,
                "columns": block.columns.iter().enumerate().map(|(i, c)| {
                    if i > 0 && money.get(i - 1) == Some(&true) && !c.contains("万元") { format!("{c}（万元）") } else { (*c).to_string() }
                }).collect::<Vec<_>>(),
                "rows": block.rows.iter().map(|row| json!({
                    "label": row.label,
                    "inputs": block.fields.iter().map(|f| format!("{}.{f}", row.key)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct SectionTwoParams {
    agency_id: Option<i64>,
    year: Option<i32>,
    template: Option<String>,
}

fn required<T>(value: Option<T>, what: &str) -> Result<T, PageError> {
    value.ok_or_else(|| PageError::Rejected {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "validation_failed",
        detail: format!("请选择{what}。"),
    })
}

fn template_of(text: Option<&str>, year: i32) -> Template {
    text.and_then(Template::parse).unwrap_or_else(|| Template::for_year(year))
}

struct Shown {
    agency_id: AgencyId,
    year: i32,
    template: Template,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    updated_at: Option<String>,
}

fn show(ctx: &PageContext, status: StatusCode, shown: Shown) -> Result<HttpResponse, PageError> {
    let may_write = ctx.actor().role.can_handle();
    ctx.render_status(
        status,
        "section_two.html",
        json!({
            "agency_id": shown.agency_id, "year": shown.year, "template": shown.template.as_str(),
            "templates": Template::ALL.iter().map(|t| (t.as_str(), format!("{}年格式（{}）", t.as_str(), t.notice()))).collect::<Vec<_>>(),
            "blocks": blocks(shown.template), "values": shown.values, "errors": shown.errors,
            "updated_at": shown.updated_at, "may_write": may_write,
            "may_amend_sealed": ctx.actor().role.can_supervise(),
            "back": format!("/reports?agency_id={}&year={}", shown.agency_id, shown.year),
        }),
    )
}

/// 填报第二部分: the figures entered so far (or zeros), in the chosen template's blocks.
#[get("/reports/section-two")]
pub async fn section_two_page(
    ctx: PageContext,
    params: web::Query<SectionTwoParams>,
) -> Result<HttpResponse, PageError> {
    let agency_id = AgencyId::new(required(params.agency_id, "机关")?);
    let year = required(params.year, "年度")?;
    let found = ctx.read_checked(move |conn, actor| service::get_section_two(conn, actor, agency_id, year)).await;
    let (figures, updated_at) = match found {
        Ok((row, figures)) => {
            (Some(figures), Some((row.updated_at + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string()))
        }
        Err(ServiceError::NotFound { code: "section_two_not_found", .. }) => (None, None),
        Err(e) => return Err(e.into()),
    };
    let stored_template = figures.as_ref().map(SectionTwo::template);
    let template = params
        .template
        .as_deref()
        .and_then(Template::parse)
        .or(stored_template)
        .unwrap_or_else(|| Template::for_year(year));
    let values = match figures.filter(|f| f.template() == template) {
        Some(figures) => values_of(&figures),
        None => values_of(&empty(template)),
    };
    show(&ctx, StatusCode::OK, Shown { agency_id, year, template, values, errors: BTreeMap::new(), updated_at })
}

/// The form as the API's body: counts as numbers (as typed when they are not), amounts in fen.
fn body_of(template: Template, form: &FormData) -> (Value, Vec<crate::domain::FieldError>) {
    let mut body = Map::new();
    let mut problems = Vec::new();
    body.insert("template".into(), json!(template.as_str()));
    for block in empty(template).blocks() {
        for row in &block.rows {
            let mut object = Map::new();
            for (field, figure) in block.fields.iter().zip(&row.figures) {
                let name = format!("{}.{field}", row.key);
                let text = form.optional(&name).unwrap_or_else(|| "0".to_string());
                let value = match figure {
                    Figure::Count(_) => text.parse::<i64>().map_or(Value::String(text), Value::from),
                    Figure::Fen(_) => match wan_to_fen(&text) {
                        Some(fen) => Value::from(fen),
                        None => {
                            problems.push(crate::domain::FieldError::new(name, "不是有效的金额（万元，最多六位小数）"));
                            Value::from(0)
                        }
                    },
                };
                object.insert((*field).to_string(), value);
            }
            body.insert(row.key.to_string(), Value::Object(object));
        }
    }
    (Value::Object(body), problems)
}

/// 保存: store the figures, or show the form again with each field's message.
#[post("/reports/section-two")]
pub async fn section_two_submit(page: PostPage) -> Result<HttpResponse, PageError> {
    let PostPage { ctx, form } = page;
    let agency_id = AgencyId::new(required(form.optional("agency_id").and_then(|a| a.parse().ok()), "机关")?);
    let year: i32 = required(form.optional("year").and_then(|y| y.parse().ok()), "年度")?;
    let template = template_of(form.optional("template").as_deref(), year);
    let names: Vec<String> = form.values().keys().cloned().collect();
    let fields: Vec<&str> = names.iter().map(String::as_str).chain(["amendment_reason"]).collect();
    let again = |violation: Violation, status| {
        let errors = field_errors(&violation, &fields);
        let values = form.values();
        show(&ctx, status, Shown { agency_id, year, template, values, errors, updated_at: None })
    };
    let (body, problems) = body_of(template, &form);
    if let Err(violation) = Violation::check(problems) {
        return again(violation, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let figures = match parse_section_two(body) {
        Ok(figures) => figures,
        Err(crate::http::error::ApiError::Invalid(v)) => return again(v, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(PageError::internal(e)),
    };
    let reason = form.optional("amendment_reason");
    let at = ctx.state.now();
    let saved = ctx
        .write(move |conn, actor| {
            service::put_section_two(conn, actor, agency_id, year, &figures, reason.as_deref(), at)
        })
        .await;
    match saved {
        Ok(_) => Ok(see_other(&format!("/reports?agency_id={agency_id}&year={year}&template={}", template.as_str()))),
        Err(ServiceError::Invalid(v)) => again(v, StatusCode::UNPROCESSABLE_ENTITY),
        Err(ServiceError::Conflict { code, detail }) => {
            let v = Violation::field(code, "amendment_reason", crate::web::messages::sentence(code, &detail));
            again(v, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_in_wan_yuan_become_exact_fen() {
        assert_eq!(wan_to_fen("12.5"), Some(12_500_000));
        assert_eq!(wan_to_fen("0.000001"), Some(1));
        assert_eq!(wan_to_fen("-3"), Some(-3_000_000));
        assert_eq!(wan_to_fen(" 7 "), Some(7_000_000));
        for bad in ["", ".5", "1.0000001", "1,5", "一万", "1e3", "--1", "99999999999999999"] {
            assert_eq!(wan_to_fen(bad), None, "{bad}");
        }
    }

    proptest! {
        /// What the form shows of an amount reads back as the same amount.
        #[test]
        fn an_amount_printed_in_wan_yuan_reads_back_exactly(fen in -9_000_000_000_000i64..9_000_000_000_000) {
            prop_assert_eq!(wan_to_fen(&wan_yuan(fen)), Some(fen));
        }
    }
}

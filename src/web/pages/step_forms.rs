//! What the case page's step forms show: one form per step the domain offers the user now
//! ([`crate::domain::lifecycle::offered_steps`]), with its dates' bounds, sensible defaults, the
//! choices it needs and a hint that states the rule with its article — read from the domain's
//! limits and the case's clock, never typed again here.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};
use serde_json::{json, Value};

use super::steps::OpenForm;
use crate::domain::cn_date;
use crate::domain::event::RecordedEvent;
use crate::domain::fees::{self, FeeBasis};
use crate::domain::lifecycle::{OfferedStep, StepKind};
use crate::domain::limits;
use crate::domain::types::{AppealResult, OutcomeGroup, PartyKind};
use crate::domain::{AppealKind, Channel, Outcome};
use crate::service::cases::{CaseDetails, StepsOffered};
use crate::service::Actor;
use crate::storage::letters::AgencySettings;

/// Everything the forms are built from.
pub struct FormsInput<'a> {
    pub details: &'a CaseDetails,
    pub offered: &'a StepsOffered,
    pub events: &'a [RecordedEvent],
    /// The form that was submitted and comes back (with its input and messages).
    pub open: Option<&'a OpenForm>,
    pub actor: &'a Actor,
    /// The agencies the user sees (for moving a case in an intake correction).
    pub agencies: &'a [(i64, String)],
    /// The applicant's other requests the user sees (a repeated request names one): id, text.
    pub earlier: &'a [(i64, String)],
    /// The agency's letter settings, when a step whose letter needs them is offered.
    pub settings: Option<&'a AgencySettings>,
    pub today: NaiveDate,
}

/// The steps whose forms go under each heading of the case page, in this order.
pub const SECTIONS: &[(&str, &[StepKind])] = &[
    (
        "办理",
        &[
            StepKind::CorrectionRequest,
            StepKind::Correction,
            StepKind::Consultation,
            StepKind::ConsultationReply,
            StepKind::Extension,
            StepKind::FeeNotice,
            StepKind::FeePayment,
            StepKind::ReasonsRequest,
            StepKind::ReasonsReply,
            StepKind::Decision,
            StepKind::Withdrawal,
        ],
    ),
    ("办结后", &[StepKind::Amendment, StepKind::Appeal, StepKind::AppealResult]),
    ("更正错误", &[StepKind::Void, StepKind::IntakeCorrection, StepKind::Revocation]),
];

/// Whether the step sends a letter (its form then offers to send one that is entered late).
fn sends_letter(kind: StepKind) -> bool {
    matches!(
        kind,
        StepKind::CorrectionRequest
            | StepKind::Consultation
            | StepKind::Extension
            | StepKind::FeeNotice
            | StepKind::ReasonsRequest
            | StepKind::Decision
            | StepKind::Withdrawal
    )
}

fn pairs<T: Copy>(all: &[T], key: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|&v| (key(v).to_string(), label(v).to_string())).collect()
}

/// The outcomes grouped as the rows of the report's section three, each with its legal basis.
fn outcome_groups() -> Vec<(String, Vec<(String, String)>)> {
    let mut groups: Vec<(OutcomeGroup, Vec<(String, String)>)> = Vec::new();
    for &outcome in Outcome::ALL {
        let basis = outcome
            .legal_basis()
            .replace("《中华人民共和国政府信息公开条例》", "条例")
            .replace("《政府信息公开条例》", "条例");
        let text =
            if basis.is_empty() { outcome.label().to_string() } else { format!("{}（{basis}）", outcome.label()) };
        let option = (outcome.as_str().to_string(), text);
        match groups.iter_mut().find(|(g, _)| *g == outcome.group()) {
            Some((_, options)) => options.push(option),
            None => groups.push((outcome.group(), vec![option])),
        }
    }
    groups.into_iter().map(|(g, options)| (g.label().to_string(), options)).collect()
}

/// The date a date field starts with: the latest the step may carry (today, or a statutory limit).
fn date(on: NaiveDate) -> String {
    on.to_string()
}

/// The defaults of a step's form.
fn defaults(kind: StepKind, offer: &OfferedStep, input: &FormsInput<'_>) -> BTreeMap<String, String> {
    let details = input.details;
    let case = details.case();
    let latest = date(offer.latest);
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        values.insert(k.to_string(), v);
    };
    set("version", case.version.to_string());
    match kind {
        StepKind::CorrectionRequest => {
            set("issued_on", latest);
            set("respond_by", date(offer.latest + TimeDelta::days(15)));
        }
        StepKind::Correction => set("received_on", latest),
        StepKind::Consultation => {
            set("sent_on", latest);
            set("party_kind", PartyKind::ThirdParty.as_str().to_string());
        }
        StepKind::ConsultationReply => {
            set("replied_on", latest);
            if let Some(c) = details.state.consultations.iter().find(|c| c.replied_on.is_none()) {
                set("consultation_id", c.id.to_string());
            }
        }
        StepKind::Extension => {
            set("approved_on", latest.clone());
            set("notified_on", latest);
            set("working_days", limits::MAX_EXTENSION.to_string());
        }
        StepKind::FeeNotice => {
            set("issued_on", latest);
            set("basis", FeeBasis::PerRequest.as_str().to_string());
        }
        StepKind::FeePayment => set("paid_on", latest),
        StepKind::ReasonsRequest => {
            set("requested_on", latest);
            set("respond_by", date(offer.latest + TimeDelta::days(15)));
        }
        StepKind::ReasonsReply => set("received_on", latest),
        StepKind::Decision => set("decided_on", latest),
        StepKind::Withdrawal => set("withdrawn_on", latest),
        StepKind::Appeal => {
            set("filed_on", latest);
            set("kind", AppealKind::Reconsideration.as_str().to_string());
        }
        StepKind::AppealResult => {
            set("decided_on", latest);
            if let Some(a) = details.state.appeals.iter().find(|a| a.result.is_none()) {
                set("appeal_id", a.id.to_string());
            }
        }
        StepKind::IntakeCorrection => {
            let applicant = &details.applicant;
            set("received_on", case.received_on.to_string());
            set("submitted_on", case.submitted_on.map(date).unwrap_or_default());
            set("channel", case.channel.as_str().to_string());
            set("agency_id", case.agency_id.get().to_string());
            set("applicant.name", applicant.name.clone());
            set("applicant.phone", applicant.phone.clone().unwrap_or_default());
            set("applicant.email", applicant.email.clone().unwrap_or_default());
            set("applicant.address", applicant.address.clone().unwrap_or_default());
            set("description", case.description.clone());
            let items: Vec<&str> = details.state.items.iter().map(|i| i.description.as_str()).collect();
            set("items", items.join("\n"));
        }
        StepKind::Revocation => {
            if let Some(seq) = input.offered.revocable.first() {
                set("seq", seq.to_string());
            }
        }
        StepKind::Amendment | StepKind::Void => {}
    }
    values
}

/// The rule a step's form states, with its article.
fn hint(kind: StepKind, input: &FormsInput<'_>) -> String {
    let clock = &input.details.clock;
    let on = |d: Option<NaiveDate>| d.map(cn_date).unwrap_or_else(|| "（尚未确定）".to_string());
    match kind {
        StepKind::CorrectionRequest => format!(
            "申请内容不明确的，应自收到申请之日起{}个工作日内一次性告知申请人补正，说明需要补正的事项和合理的补正期限（条例第三十条）。本案最迟应于{}发出。",
            limits::CORRECTION_NOTICE_LIMIT,
            cn_date(clock.correction_notice_deadline)
        ),
        StepKind::Correction => format!(
            "补正期限：{}。答复期限自收到补正后的申请之日起重新计算{}个工作日（条例第三十条、第三十三条）。",
            on(clock.correction_respond_by),
            limits::REPLY_PERIOD
        ),
        StepKind::Consultation => format!(
            "第三方或其他机关应自收到征求意见书之日起{}个工作日内提出意见；征求意见所需时间不计入答复期限（条例第三十二条、第三十四条、第三十三条第三款）。逾期未答复的，暂停期限届满时自动恢复计算。",
            limits::CONSULTATION_REPLY_LIMIT
        ),
        StepKind::ConsultationReply => "登记被征求意见方的答复；未在期限内答复的，选择“未答复”。".to_string(),
        StepKind::Extension => format!(
            "需要延长答复期限的，应经政府信息公开工作机构负责人同意并告知申请人，延长期限最长不超过{}个工作日，且只能延长一次（条例第三十三条第二款）。当前答复期限：{}。",
            limits::MAX_EXTENSION,
            on(clock.due_on)
        ),
        StepKind::FeeNotice => {
            "信息处理费按件计收或按量计收，二者不同时适用；申请人应自收到通知之日起20个工作日内缴纳（国办函〔2020〕109号）。".to_string()
        }
        StepKind::FeePayment => format!("缴费期限：{}。", on(clock.fee_pay_by)),
        StepKind::ReasonsRequest => {
            "申请人申请公开政府信息的数量、频次明显超过合理范围的，可以要求其说明理由（条例第三十五条）；理由不合理的，告知不予处理。".to_string()
        }
        StepKind::ReasonsReply => "登记申请人在期限内说明的理由（条例第三十五条）。".to_string(),
        StepKind::Decision => format!(
            "答复期限：{}。办理结果决定本案在年度报告第三部分计入的行。",
            on(clock.due_on)
        ),
        StepKind::Withdrawal => "申请人撤回申请的，本案办结，在年度报告中计入“其他处理”。".to_string(),
        StepKind::Amendment => {
            "更正已办结案件的办理结果或办结日期，须说明理由；已封存年度的报告会显示与封存时的差异。".to_string()
        }
        StepKind::Appeal => "申请人对答复申请行政复议或提起行政诉讼的，在此登记（计入年度报告第四部分）。".to_string(),
        StepKind::AppealResult => "登记行政复议决定或法院裁判的结果。".to_string(),
        StepKind::Void => {
            "登记有误（测试、重复登记等）的，作废后不再计入统计、列表和提醒，办理记录和文书保留。".to_string()
        }
        StepKind::IntakeCorrection => {
            "只修改需要更正的栏目；答复期限按更正后的收到日期重新计算，年度报告随之更新。".to_string()
        }
        StepKind::Revocation => {
            "撤销误录的步骤：该步骤不再计入期限和统计，仍保留在办理记录中；已送出的文书会另发更正告知书。".to_string()
        }
    }
}

/// The fee a notice would state: per request from the applicant's count this month, per page
/// from the pages typed (the 试算 button).
fn fee_quotes(input: &FormsInput<'_>, values: &BTreeMap<String, String>) -> Value {
    let per_request = input.offered.nth_request_in_month.map(|n| fees::per_request(n).explanation);
    let per_page = values
        .get("pages")
        .and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|p| (1..=limits::MAX_PAGES).contains(p))
        .map(|p| fees::per_page(p).explanation);
    json!({"per_request": per_request, "per_page": per_page})
}

/// The choices and lists a form needs besides its fields.
fn extras(kind: StepKind, input: &FormsInput<'_>, values: &BTreeMap<String, String>) -> Value {
    let state = &input.details.state;
    match kind {
        StepKind::Consultation => json!({"party_kinds": pairs(PartyKind::ALL, PartyKind::as_str, PartyKind::label)}),
        StepKind::ConsultationReply => json!({
            "consultations": state.consultations.iter().filter(|c| c.replied_on.is_none()).map(|c| {
                (c.id.to_string(), format!("{}（{}，{}发出，答复期限{}）", c.party, c.party_kind.label(), cn_date(c.sent_on), cn_date(c.reply_due)))
            }).collect::<Vec<_>>(),
            "opinions": pairs(crate::domain::types::Opinion::ALL, crate::domain::types::Opinion::as_str, crate::domain::types::Opinion::label),
        }),
        StepKind::FeeNotice => json!({
            "bases": pairs(FeeBasis::ALL, FeeBasis::as_str, FeeBasis::label),
            "quotes": fee_quotes(input, values),
        }),
        StepKind::Decision => json!({
            "outcomes": outcome_groups(),
            "items": state.items.iter().map(|i| json!({"id": i.id.get(), "position": i.position, "description": i.description})).collect::<Vec<_>>(),
            "earlier": input.earlier.iter().map(|(id, text)| (id.to_string(), text.clone())).collect::<Vec<_>>(),
        }),
        StepKind::Amendment => json!({"outcomes": outcome_groups()}),
        StepKind::Appeal => json!({"kinds": pairs(AppealKind::ALL, AppealKind::as_str, AppealKind::label)}),
        StepKind::AppealResult => json!({
            "appeals": state.appeals.iter().filter(|a| a.result.is_none()).map(|a| {
                (a.id.to_string(), format!("{}（{}提起）", a.kind.label(), cn_date(a.filed_on)))
            }).collect::<Vec<_>>(),
            "results": pairs(AppealResult::ALL, AppealResult::as_str, AppealResult::label),
        }),
        StepKind::IntakeCorrection => json!({
            "channels": pairs(Channel::ALL, Channel::as_str, Channel::label),
            "agencies": input.agencies,
        }),
        StepKind::Revocation => json!({
            "events": input.offered.revocable.iter().filter_map(|seq| {
                let e = input.events.iter().find(|e| e.seq == *seq)?;
                let label = crate::domain::types::event_label(e.event.kind()).unwrap_or(e.event.kind());
                Some((seq.to_string(), format!("{} {}", cn_date(e.effective_on), label)))
            }).collect::<Vec<_>>(),
        }),
        _ => json!({}),
    }
}

/// The forms of the steps offered now, under their headings: `[{"title", "forms": [...]}]`.
pub fn forms(input: &FormsInput<'_>) -> Vec<Value> {
    let case = input.details.case();
    // A step dated in an earlier year may touch a sealed report: a supervisor then gives a reason.
    let may_touch_sealed = input.actor.role.can_supervise() && case.received_on.year() < input.today.year();
    SECTIONS
        .iter()
        .filter_map(|(title, kinds)| {
            let forms: Vec<Value> = kinds
                .iter()
                .filter_map(|&kind| {
                    let offer = input.offered.steps.iter().find(|s| s.kind == kind)?;
                    let open = input.open.filter(|o| o.kind == kind.as_str());
                    let mut values = defaults(kind, offer, input);
                    if let Some(open) = open {
                        let current_version = values.remove("version");
                        values = open.values.clone();
                        // A stale form keeps what was typed and takes the current version.
                        if !values.contains_key("version") {
                            if let Some(v) = current_version {
                                values.insert("version".into(), v);
                            }
                        }
                    }
                    let extra = extras(kind, input, &values);
                    // What the step's letter cannot do without (its step is refused until then).
                    let settings_missing = input.settings.is_some_and(|s| match kind {
                        StepKind::Decision => s.reconsideration_body.is_none() || s.court.is_none(),
                        StepKind::FeeNotice => s.fee_payment.is_none(),
                        _ => false,
                    });
                    Some(json!({
                        "kind": kind.as_str(),
                        "label": kind.label(),
                        "earliest": date(offer.earliest),
                        "latest": date(offer.latest),
                        "hint": hint(kind, input),
                        "values": values,
                        "errors": open.map(|o| o.errors.clone()).unwrap_or_default(),
                        "open": open.is_some(),
                        "preview": open.is_some_and(|o| o.preview),
                        "sealed_reason": may_touch_sealed,
                        "notify": sends_letter(kind),
                        "settings_missing": settings_missing,
                        "agency_id": case.agency_id,
                        "extra": extra,
                    }))
                })
                .collect();
            (!forms.is_empty()).then(|| json!({"title": title, "forms": forms}))
        })
        .collect()
}

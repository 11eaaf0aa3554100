//! The data of a case's letters, drawn from the case, its events, its clock and its agency's
//! settings. The legal wording of a reply and of the remedies comes from the domain.

use chrono::{Datelike, NaiveDate};

use crate::domain::event::CaseEvent;
use crate::domain::fees::{self, FeeBasis};
use crate::domain::ids::ConsultationId;
use crate::domain::lifecycle::{self, effective, CaseState};
use crate::domain::limits;
use crate::domain::remedies::{self, Forums};
use crate::domain::reply::{self, Addressee, CaseFacts, ItemAnswer};
use crate::domain::types::{LetterKind, Outcome, PartyKind};
use crate::notify::letters::{
    ConsultationData, CorrectionData, CountedRow, DecisionData, EarlierLetter, ExtensionData, FeeData, LetterData,
    PerRequestData, ReasonsRequestData, RectificationData, ThirdPartyNoticeData, WithdrawalData,
};
use crate::service::cases::CaseDetails;
use crate::service::{Now, ServiceError, ServiceResult};
use crate::storage::letters::{AgencySettings, Delivery, IssuedLetter};

fn not_applicable(what: &str) -> ServiceError {
    ServiceError::conflict("letter_not_applicable", format!("本案尚无{what}，此文书尚不存在"))
}

/// A setting the letter cannot do without is missing.
fn setting_missing(what: &str, why: &str) -> ServiceError {
    ServiceError::conflict(
        "agency_settings_missing",
        format!("本机关的文书设置（机关设置）尚未填写{what}：{why}。请负责人填写后再办理"),
    )
}

/// Who hears a challenge, from the settings.
fn forums(settings: &AgencySettings) -> ServiceResult<Forums<'_>> {
    match (&settings.reconsideration_body, &settings.court) {
        (Some(body), Some(court)) => Ok(Forums { reconsideration_body: body, court }),
        _ => Err(setting_missing(
            "“行政复议机关”和“管辖法院”",
            "答复书应当写明申请人可以向哪个机关申请行政复议、向哪个法院提起行政诉讼（《中华人民共和国行政复议法》第二十条第二款）",
        )),
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// What a letter is drawn from besides the case.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Source<'a> {
    pub agency_name: &'a str,
    pub settings: &'a AgencySettings,
    pub kind: LetterKind,
    /// For a consultation letter or a notice to a third party: which consultation (default: the
    /// latest).
    pub consultation_id: Option<ConsultationId>,
    /// The earlier letter replaced (an amendment) or withdrawn (a rectification), and the reason.
    pub earlier: Option<(&'a IssuedLetter, &'a str)>,
    /// How the letter goes out; `None` when it is rendered on request (then: by e-mail when the
    /// applicant has an address).
    pub delivery: Option<Delivery>,
}

/// The data of one letter of a case.
///
/// # Errors
/// 409 `letter_not_applicable` when the step the letter belongs to has not happened,
/// `agency_settings_missing` when a setting the letter must print is missing; 404 unknown
/// consultation.
pub(crate) fn of_details(details: &CaseDetails, source: Source<'_>, now: Now<'_>) -> ServiceResult<LetterData> {
    let CaseDetails { state, clock, .. } = details;
    let case = &state.case;
    let kind = source.kind;
    let mut data = LetterData::new(kind, source.agency_name.to_owned(), case.case_number.clone(), case.received_on);
    // The particulars given on this application (a later one's never reach its letters).
    data.applicant_name.clone_from(&case.applicant.name);
    data.applicant_address.clone_from(&case.applicant.address);
    let addressee = Addressee::of(case.applicant_category);
    data.you = addressee.you().to_owned();
    data.contact.clone_from(&source.settings.contact);
    data.channel = case.channel;
    data.description.clone_from(&case.description);
    data.due_on = clock.due_on;
    let counting = effective(&state.events);
    let latest = |pick: fn(&CaseEvent) -> bool| counting.iter().rev().find(|e| pick(&e.event)).copied();
    let delivery =
        source.delivery.unwrap_or(if case.applicant.email.is_some() { Delivery::Email } else { Delivery::Print });
    // Whom a consultation consulted (its events are kept even when the step was revoked).
    let party_kind = |id: Option<ConsultationId>| {
        state.events.iter().find_map(|e| match &e.event {
            CaseEvent::ConsultationStarted { consultation_id, party_kind, .. } if Some(*consultation_id) == id => {
                Some(*party_kind)
            }
            _ => None,
        })
    };
    let earlier_letter = |letter: &IssuedLetter| EarlierLetter {
        title: match (letter.kind, party_kind(letter.consultation_id)) {
            (LetterKind::ConsultationLetter, Some(party)) => LetterKind::consultation_title(party),
            (kind, _) => kind.title(),
        }
        .to_owned(),
        document_number: letter.document_number.clone(),
        issued_on: letter.issued_on,
    };
    match kind {
        LetterKind::Acknowledgement => {
            // The due date as the acknowledgement stated it: 20 working days from receipt.
            data.due_on = Some(now.calendar.add_working_days(case.received_on, now.rules.allowance));
        }
        LetterKind::CorrectionNotice => {
            let Some((on, CaseEvent::CorrectionRequested { respond_by, matters, .. })) =
                latest(|e| matches!(e, CaseEvent::CorrectionRequested { .. })).map(|e| (e.effective_on, &e.event))
            else {
                return Err(not_applicable("补正告知"));
            };
            data.issued_on = on;
            data.correction = Some(CorrectionData { matters: matters.clone(), respond_by: *respond_by });
        }
        LetterKind::ExtensionNotice => {
            let Some((on, CaseEvent::Extended { notified_on, working_days, reason, previous_due_on, .. })) =
                latest(|e| matches!(e, CaseEvent::Extended { .. })).map(|e| (e.effective_on, &e.event))
            else {
                return Err(not_applicable("延期"));
            };
            data.issued_on = (*notified_on).max(on);
            let new_due_on = now.calendar.add_working_days(*previous_due_on, *working_days);
            data.extension = Some(ExtensionData {
                working_days: *working_days,
                reason: reason.clone(),
                previous_due_on: *previous_due_on,
                new_due_on,
            });
        }
        LetterKind::ConsultationLetter => {
            let consultation = consultation(state, source.consultation_id)?;
            data.issued_on = consultation.sent_on;
            // The date is printed only when the day the party received the letter is known.
            let served = clock.consultations.iter().find(|c| c.consultation_id == consultation.id.get());
            data.consultation = Some(ConsultationData {
                party: consultation.party.clone(),
                party_kind: consultation.party_kind,
                reply_limit: limits::CONSULTATION_REPLY_LIMIT,
                reply_due: served.filter(|c| c.served_on.is_some()).map(|c| c.reply_due),
            });
        }
        LetterKind::FeeNotice => {
            let fee = state.fee_notices.last().ok_or_else(|| not_applicable("收费通知"))?;
            let event = latest(|e| matches!(e, CaseEvent::FeeNoticeIssued { .. })).map(|e| &e.event);
            let (explanation, counted, nth) = match event {
                Some(CaseEvent::FeeNoticeIssued { explanation, counted, nth_request, .. }) => {
                    (explanation.clone(), counted.clone(), *nth_request)
                }
                _ => (String::new(), Vec::new(), fee.nth_request),
            };
            let payment = source.settings.fee_payment.clone().ok_or_else(|| {
                setting_missing("“缴纳方式”", "收费通知书应当写明信息处理费的缴纳方式（国办函〔2020〕109号）")
            })?;
            let served = counting
                .iter()
                .any(|e| matches!(e.event, CaseEvent::LetterServed { letter_kind: LetterKind::FeeNotice, .. }));
            let month_of = |d: NaiveDate| format!("{}年{}月", d.year(), d.month());
            data.issued_on = fee.issued_on;
            data.fee = Some(FeeData {
                basis_label: fee.basis.method().to_owned(),
                scale: fee.basis.scale().to_owned(),
                amount_fen: fee.amount_fen,
                explanation,
                per_request: match (fee.basis, nth) {
                    (FeeBasis::PerRequest, Some(nth)) => Some(PerRequestData {
                        month: month_of(case.received_on),
                        nth,
                        counted: counted
                            .into_iter()
                            .map(|c| CountedRow { case_number: c.case_number, received_on: c.received_on })
                            .collect(),
                        band: fees::per_request(nth).band().unwrap_or_default(),
                    }),
                    _ => None,
                },
                pay_limit: limits::FEE_PAYMENT_LIMIT,
                // By e-mail the notice arrives the day it is sent; by post only a recorded
                // delivery tells the day.
                pay_by: (served || delivery == Delivery::Email).then_some(clock.fee_pay_by).flatten(),
                payment,
            });
        }
        LetterKind::ReasonsRequest => {
            let Some((on, CaseEvent::ReasonsRequested { respond_by, grounds, .. })) =
                latest(|e| matches!(e, CaseEvent::ReasonsRequested { .. })).map(|e| (e.effective_on, &e.event))
            else {
                return Err(not_applicable("要求说明理由"));
            };
            data.issued_on = on;
            data.reasons_request = Some(ReasonsRequestData { grounds: lines(grounds), respond_by: *respond_by });
        }
        LetterKind::Decision => {
            let on = case.concluded_on.ok_or_else(|| not_applicable("答复"))?;
            if lifecycle::withdrawn(&state.events) && case.outcome == Some(Outcome::OtherMisc) {
                return Err(ServiceError::conflict(
                    "letter_not_applicable",
                    "本案已撤回，没有答复书：见撤回申请确认书（withdrawal_confirmation）",
                ));
            }
            data.decision = Some(decision(state, clock.fee_pay_by, on, addressee, source.settings)?);
            data.issued_on = on;
            replaces(&mut data, source.earlier.map(|(l, _)| earlier_letter(l)), now);
        }
        LetterKind::WithdrawalConfirmation => {
            let on = case.concluded_on.filter(|_| lifecycle::withdrawn(&state.events));
            let on = on.ok_or_else(|| not_applicable("撤回申请"))?;
            data.withdrawal = Some(WithdrawalData { withdrawn_on: on });
            data.issued_on = on;
            replaces(&mut data, source.earlier.map(|(l, _)| earlier_letter(l)), now);
        }
        LetterKind::DisclosureNoticeToThirdParty => {
            data.third_party_notice = Some(third_party_notice(state, source.consultation_id, source.settings)?);
            data.issued_on = case.concluded_on.unwrap_or(now.today);
        }
        LetterKind::Rectification => {
            let (letter, reason) = source.earlier.ok_or_else(|| not_applicable("需要更正的文书"))?;
            data.issued_on = now.today;
            // A letter to a consulted or notified party is withdrawn by a letter to that party.
            let to_party = letter.kind.to_party();
            if to_party {
                let agency = party_kind(letter.consultation_id) == Some(PartyKind::Agency);
                data.applicant_name.clone_from(&letter.recipient);
                data.applicant_address = None;
                data.you = if agency { "贵单位" } else { "贵方" }.to_owned();
            }
            data.rectification =
                Some(RectificationData { withdrawn: earlier_letter(letter), reason: reason.to_owned(), to_party });
        }
    }
    Ok(data)
}

/// An amended reply is a new letter of today that replaces the earlier one.
fn replaces(data: &mut LetterData, earlier: Option<EarlierLetter>, now: Now<'_>) {
    if let Some(earlier) = earlier {
        data.issued_on = now.today;
        data.replaces = Some(earlier);
    }
}

fn consultation(state: &CaseState, id: Option<ConsultationId>) -> ServiceResult<&crate::domain::case::Consultation> {
    match id {
        Some(cid) => state
            .consultations
            .iter()
            .find(|c| c.id == cid)
            .ok_or(ServiceError::NotFound { what: "consultation", code: "consultation_not_found" }),
        None => state.consultations.last().ok_or_else(|| not_applicable("征求意见")),
    }
}

/// The reply in force: the decision's sections (by items when it was decided so and its outcome
/// stands), the officer's text, and the remedies naming the agency's forums.
fn decision(
    state: &CaseState,
    fee_pay_by: Option<NaiveDate>,
    decided_on: NaiveDate,
    addressee: Addressee,
    settings: &AgencySettings,
) -> ServiceResult<DecisionData> {
    let case = &state.case;
    let outcome = case.outcome.ok_or_else(|| not_applicable("答复"))?;
    let decided = effective(&state.events).into_iter().rev().find_map(|e| match &e.event {
        CaseEvent::Decided { outcome, items, .. } => Some((*outcome, items.clone())),
        _ => None,
    });
    // By items only while the decision's own outcome stands (an amended outcome applies to all).
    let items = match decided {
        Some((decided_outcome, items)) if decided_outcome == outcome => items,
        _ => Vec::new(),
    };
    let answers: Vec<ItemAnswer<'_>> = items
        .iter()
        .filter_map(|i| {
            let item = state.items.iter().find(|x| x.id == i.id)?;
            Some(ItemAnswer {
                position: item.position,
                description: &item.description,
                outcome: i.outcome,
                basis: i.basis.as_deref(),
            })
        })
        .collect();
    let facts = lifecycle::decision_facts(&state.events);
    let case_facts = CaseFacts::of(&state.events, fee_pay_by);
    let reply = reply::reply(outcome, case.decision_basis.as_deref(), &answers, addressee, &facts, &case_facts);
    let outcomes: Vec<Outcome> =
        if answers.is_empty() { vec![outcome] } else { answers.iter().map(|a| a.outcome).collect() };
    let letter_remedies = remedies::for_letter_items(&outcomes, decided_on);
    Ok(DecisionData {
        outcome,
        decided_on,
        sections: reply.sections,
        remarks: reply.remarks,
        remedies: remedies::paragraphs(letter_remedies, "本答复", addressee.you(), forums(settings)?),
    })
}

/// The notice to an objecting third party of the decision to disclose (Art. 32).
fn third_party_notice(
    state: &CaseState,
    consultation_id: Option<ConsultationId>,
    settings: &AgencySettings,
) -> ServiceResult<ThirdPartyNoticeData> {
    let case = &state.case;
    let consultation = consultation(state, consultation_id)?;
    let objected = consultation.party_kind == PartyKind::ThirdParty
        && consultation.opinion == Some(crate::domain::types::Opinion::Objection);
    let reason = lifecycle::decision_facts(&state.events).over_objection_reason;
    let (Some(decided_on), Some(reason), true) = (case.concluded_on, reason, objected) else {
        return Err(not_applicable("不顾第三方反对决定公开的答复"));
    };
    let decided_items = effective(&state.events).into_iter().rev().find_map(|e| match &e.event {
        CaseEvent::Decided { items, .. } => Some(items.clone()),
        _ => None,
    });
    let disclosed: Vec<String> = decided_items
        .unwrap_or_default()
        .iter()
        .filter(|i| i.outcome.provides_information())
        .filter_map(|i| state.items.iter().find(|x| x.id == i.id))
        .map(|item| format!("第{}项：{}", item.position, item.description))
        .collect();
    let content = if disclosed.is_empty() { vec![case.description.clone()] } else { disclosed };
    let act = remedies::for_letter(Outcome::Disclosed, decided_on);
    Ok(ThirdPartyNoticeData {
        party: consultation.party.clone(),
        consulted_on: consultation.sent_on,
        objected_on: consultation.replied_on,
        decided_on,
        content,
        reason: lines(&reason),
        remedies: remedies::paragraphs(act, "本决定", "贵方", forums(settings)?),
    })
}

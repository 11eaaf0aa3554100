//! `gongkai seed`: a realistic, reproducible population of agencies, applicants, cases with their
//! events (as the service writes them), corrections, consultations, extensions, fees and appeals,
//! bulk-loaded in large transactions for benchmarks and demos.

use std::collections::BTreeMap;

use crate::domain::calendar::Calendar;
use crate::domain::clock::ClockRules;
use crate::domain::event::{CaseEvent, RecordedEvent, SystemActor};
use crate::domain::fees::{self, FeeBasis};
use crate::domain::identity::{credit_code_with_check, resident_id_with_check, CREDIT_CODE_CHARS};
use crate::domain::ids::{ApplicantId, ConsultationId, UserId};
use crate::domain::lifecycle::project;
use crate::domain::types::{AppealKind, AppealResult, Opinion, PartyKind};
use crate::domain::{ApplicantCategory, Channel, Outcome, Role};
use crate::service::{agencies as agency_service, users, Actor, ServiceError};
use crate::storage::bulk::{self, BulkAppeal, BulkApplicant, BulkCase, BulkConsultation, BulkEvent, BulkFee};
use crate::storage::{Db, DbConnection};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What to seed.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub agencies: u32,
    pub cases: u64,
    pub from_year: i32,
    pub to_year: i32,
    pub seed: u64,
    /// Cases received by the first department in `focus_year` (on top of the spread ones).
    pub focus_cases: u64,
    pub focus_year: Option<i32>,
    /// Cases generated and written per transaction.
    pub batch: usize,
}

/// What was seeded.
#[derive(Clone, Debug, Default)]
pub struct SeedReport {
    pub agency_ids: Vec<i64>,
    pub applicants: usize,
    pub cases: usize,
    pub events: usize,
    pub appeals: usize,
}

/// A draw from weighted choices.
fn pick<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for &(value, weight) in choices {
        if roll < weight {
            return value;
        }
        roll -= weight;
    }
    choices[0].0
}

const CATEGORIES: &[(ApplicantCategory, u32)] = &[
    (ApplicantCategory::NaturalPerson, 850),
    (ApplicantCategory::CommercialEnterprise, 80),
    (ApplicantCategory::ResearchInstitution, 10),
    (ApplicantCategory::PublicWelfareOrg, 10),
    (ApplicantCategory::LegalServiceOrg, 30),
    (ApplicantCategory::OtherOrg, 20),
];

const CHANNELS: &[(Channel, u32)] = &[
    (Channel::Online, 500),
    (Channel::Post, 250),
    (Channel::InPerson, 150),
    (Channel::Letter, 50),
    (Channel::Email, 30),
    (Channel::Fax, 10),
    (Channel::Other, 10),
];

/// Decision outcomes (lapse outcomes and withdrawals are drawn from the case's history instead).
const OUTCOMES: &[(Outcome, u32)] = &[
    (Outcome::Disclosed, 420),
    (Outcome::PartiallyDisclosed, 100),
    (Outcome::WithheldStateSecret, 5),
    (Outcome::WithheldProhibitedByLaw, 5),
    (Outcome::WithheldEndangersSecurityStability, 5),
    (Outcome::WithheldThirdPartyRights, 15),
    (Outcome::WithheldInternalAffairs, 15),
    (Outcome::WithheldProcessInformation, 25),
    (Outcome::WithheldEnforcementCaseFiles, 10),
    (Outcome::WithheldAdministrativeInquiry, 10),
    (Outcome::UnavailableNotHeld, 200),
    (Outcome::UnavailableNeedsCreation, 30),
    (Outcome::UnavailableStillUnclear, 20),
    (Outcome::NotProcessedPetitionComplaint, 30),
    (Outcome::NotProcessedRepeated, 40),
    (Outcome::NotProcessedPublication, 5),
    (Outcome::NotProcessedExcessive, 10),
    (Outcome::NotProcessedConfirmOrReissue, 15),
];

/// Province-level codes that open the seeded identity numbers.
const PROVINCES: &[u32] = &[11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51];

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"];
const SUBJECTS: &[&str] = &[
    "棚户区改造补偿标准文件",
    "建设项目环境影响评价批复",
    "征收土地补偿安置方案",
    "行政处罚决定书",
    "财政预算执行情况",
    "规划许可证及附图",
    "会议纪要",
    "政府采购合同",
];

/// The applicant pool: a draw of categories with identity documents.
fn applicant(rng: &mut StdRng, id: i64, at: NaiveDateTime) -> BulkApplicant {
    let category = pick(rng, CATEGORIES);
    let (name, id_type, id_number) = if category == ApplicantCategory::NaturalPerson {
        let name = format!(
            "{}{}{}",
            SURNAMES[rng.gen_range(0..SURNAMES.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())]
        );
        let birth = NaiveDate::from_ymd_opt(rng.gen_range(1940..2005), rng.gen_range(1..=12), rng.gen_range(1..=28));
        let body = birth.map(|b| {
            let province = PROVINCES[rng.gen_range(0..PROVINCES.len())];
            format!("{province}{:04}{}{:03}", rng.gen_range(101..9999), b.format("%Y%m%d"), rng.gen_range(0..1000))
        });
        (name, "resident_id_card", body.and_then(|b| resident_id_with_check(&b)))
    } else {
        let body: String = std::iter::once('9')
            .chain(std::iter::once('1'))
            .chain((0..15).map(|_| char::from(CREDIT_CODE_CHARS[rng.gen_range(0..CREDIT_CODE_CHARS.len())])))
            .collect();
        (
            format!("某某{}有限公司{id}", SURNAMES[rng.gen_range(0..SURNAMES.len())]),
            "unified_social_credit_code",
            credit_code_with_check(&body),
        )
    };
    BulkApplicant {
        id,
        category: category.as_str(),
        name,
        id_type: id_number.as_ref().map(|_| id_type),
        id_number,
        phone: Some(format!("13{:09}", rng.gen_range(0..1_000_000_000u64))),
        email: rng.gen_bool(0.4).then(|| format!("applicant{id}@example.com")),
        address: None,
        created_at: at,
        updated_at: at,
    }
}

/// Rows per INSERT statement of the load.
const ROWS_PER_STATEMENT: usize = 50;

/// The rows of one batch of cases.
#[derive(Default)]
struct Batch {
    cases: Vec<BulkCase>,
    events: Vec<BulkEvent>,
    consultations: Vec<BulkConsultation>,
    fees: Vec<BulkFee>,
    appeals: Vec<BulkAppeal>,
}

impl Batch {
    fn with_capacity(n: usize) -> Self {
        Self { cases: Vec::with_capacity(n), events: Vec::with_capacity(n * 3), ..Self::default() }
    }
}

/// Everything written for one case.
struct Generated {
    case: BulkCase,
    events: Vec<BulkEvent>,
    consultation: Option<BulkConsultation>,
    fee: Option<BulkFee>,
    appeals: Vec<BulkAppeal>,
}

struct Context<'a> {
    calendar: &'a Calendar,
    rules: ClockRules,
    today: NaiveDate,
    at: NaiveDateTime,
    user_id: i64,
}

fn day_in(rng: &mut StdRng, year: i32, today: NaiveDate) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let days = if year == today.year() { today.ordinal0() } else { 364 };
    start + chrono::Days::new(u64::from(rng.gen_range(0..=days)))
}

#[allow(clippy::too_many_arguments)]
fn generate(
    rng: &mut StdRng,
    ctx: &Context<'_>,
    case_id: i64,
    consultation_id: i64,
    agency_id: i64,
    case_number: String,
    received: NaiveDate,
    applicant: &BulkApplicant,
) -> Generated {
    let cal = ctx.calendar;
    let mut events: Vec<RecordedEvent> = Vec::with_capacity(4);
    let channel = pick(rng, CHANNELS);
    let description = format!("申请公开{}", SUBJECTS[rng.gen_range(0..SUBJECTS.len())]);
    let actor = Some(UserId::new(ctx.user_id));
    let category = ApplicantCategory::parse(applicant.category).unwrap_or(ApplicantCategory::NaturalPerson);
    let at = ctx.at;
    let push = |events: &mut Vec<RecordedEvent>, on: NaiveDate, event: CaseEvent, actor: Option<UserId>| {
        let seq = i32::try_from(events.len() + 1).unwrap_or(i32::MAX);
        events.push(RecordedEvent { seq, effective_on: on, recorded_at: at, actor_id: actor, event });
    };
    push(
        &mut events,
        received,
        CaseEvent::Received {
            channel,
            submitted_on: None,
            received_on: received,
            applicant_id: ApplicantId::new(applicant.id),
            applicant_category: category,
            case_number: case_number.clone(),
            description: description.clone(),
            items: Vec::new(),
            sealed_override: None,
        },
        actor,
    );
    let mut consultation = None;
    let mut fee = None;
    let mut lapse: Option<(Outcome, NaiveDate)> = None;
    let mut last = received;
    // A decision takes 3 to 30 working days after the last step; a few are late.
    let roll: u32 = rng.gen_range(0..1000);
    if roll < 80 {
        // Correction: requested within 7 working days; 70 % corrected, the rest lapse.
        let on = cal.add_working_days(received, rng.gen_range(1..=7));
        let respond_by = cal.add_working_days(on, 10);
        let matters = "请明确所需信息的名称、文号".to_owned();
        push(&mut events, on, CaseEvent::CorrectionRequested { respond_by, matters, sealed_override: None }, actor);
        last = on;
        if rng.gen_bool(0.7) {
            let back = cal.add_working_days(on, rng.gen_range(1..=10));
            push(&mut events, back, CaseEvent::CorrectionReceived { received_on: back, sealed_override: None }, actor);
            last = back;
        } else {
            lapse = Some((Outcome::OtherCorrectionOverdue, respond_by.succ_opt().unwrap_or(respond_by)));
        }
    } else if roll < 130 {
        let sent = cal.add_working_days(received, rng.gen_range(2..=8));
        let reply_due = cal.add_working_days(sent, ctx.rules.consultation_reply_limit);
        let replied = cal.add_working_days(sent, rng.gen_range(3..=15));
        let id = ConsultationId::new(consultation_id);
        let party = "相关企业";
        push(
            &mut events,
            sent,
            CaseEvent::ConsultationStarted {
                consultation_id: id,
                party_kind: PartyKind::ThirdParty,
                party: party.to_owned(),
                reply_due,
                sealed_override: None,
            },
            actor,
        );
        let opinion = pick(rng, &[(Opinion::Consent, 5), (Opinion::Objection, 4), (Opinion::None, 1)]);
        push(
            &mut events,
            replied,
            CaseEvent::ConsultationReplied { consultation_id: id, opinion, sealed_override: None },
            actor,
        );
        consultation = Some(BulkConsultation {
            id: consultation_id,
            case_id,
            party_kind: PartyKind::ThirdParty.as_str(),
            party,
            sent_on: sent,
            reply_due,
            replied_on: Some(replied),
            opinion: Some(opinion.as_str()),
        });
        last = replied;
    } else if roll < 140 {
        let issued = cal.add_working_days(received, rng.gen_range(3..=10));
        let pages: u32 = rng.gen_range(40..400);
        let quote = fees::per_page(pages);
        let pay_by = cal.add_working_days(issued, ctx.rules.fee_payment_limit);
        push(
            &mut events,
            issued,
            CaseEvent::FeeNoticeIssued {
                fee_notice_id: None,
                basis: FeeBasis::PerPage,
                pages: Some(pages),
                nth_request: None,
                amount_fen: quote.amount_fen,
                explanation: quote.explanation,
                pay_by,
                counted: Vec::new(),
                sealed_override: None,
            },
            actor,
        );
        let paid = rng.gen_bool(0.6).then(|| cal.add_working_days(issued, rng.gen_range(1..=20)));
        if let Some(paid) = paid {
            let paid_event =
                CaseEvent::FeePaid { fee_notice_id: None, amount_fen: quote.amount_fen, sealed_override: None };
            push(&mut events, paid, paid_event, actor);
            last = paid;
        } else {
            lapse = Some((Outcome::OtherFeeUnpaid, pay_by.succ_opt().unwrap_or(pay_by)));
            last = issued;
        }
        fee = Some(BulkFee {
            case_id,
            issued_on: issued,
            basis: "per_page",
            pages: i32::try_from(pages).ok(),
            nth_request: None,
            amount_fen: quote.amount_fen,
            pay_by,
            paid_on: paid,
        });
    }
    if lapse.is_none() && rng.gen_range(0..100) < 3 {
        let before = project(&events, cal, &ctx.rules, ctx.today);
        if let Some(due) = before.due_on.filter(|d| *d > last) {
            let approved = cal.add_working_days(last, 1).min(due);
            let extended = CaseEvent::Extended {
                approved_on: approved,
                notified_on: approved,
                working_days: 20,
                reason: "需要调取档案".to_owned(),
                previous_due_on: due,
                sealed_override: None,
            };
            push(&mut events, approved, extended, actor);
            last = approved;
        }
    }
    // The conclusion: a lapse, a withdrawal, or a decision; unless still open today.
    let conclusion = match lapse {
        Some((outcome, on)) => Some((outcome, on, None)),
        None => {
            let on = cal.add_working_days(last, rng.gen_range(3..=24));
            let outcome = if rng.gen_range(0..1000) < 35 { Outcome::OtherMisc } else { pick(rng, OUTCOMES) };
            Some((outcome, on, actor))
        }
    }
    .filter(|(_, on, _)| *on <= ctx.today);
    let mut appeals = Vec::new();
    if let Some((outcome, on, by)) = conclusion {
        let event = match by {
            None => CaseEvent::bare_decision(outcome, Some(SystemActor::Sweep)),
            Some(_) if outcome == Outcome::OtherMisc => CaseEvent::Withdrawn { outcome, sealed_override: None },
            Some(_) => CaseEvent::bare_decision(outcome, None),
        };
        push(&mut events, on, event, by);
        if !outcome.provides_information() && outcome != Outcome::OtherMisc && rng.gen_range(0..100) < 6 {
            let filed = cal.add_working_days(on, rng.gen_range(5..40));
            if filed <= ctx.today {
                let kind = pick(rng, &[(AppealKind::Reconsideration, 8), (AppealKind::LitigationDirect, 2)]);
                let decided = cal.add_working_days(filed, rng.gen_range(20..90));
                let (result, decided_on) = if decided <= ctx.today {
                    let result =
                        pick(rng, &[(AppealResult::Upheld, 7), (AppealResult::Corrected, 2), (AppealResult::Other, 1)]);
                    (Some(result), Some(decided))
                } else {
                    (None, None)
                };
                push(
                    &mut events,
                    filed,
                    CaseEvent::AppealFiled { appeal_id: None, kind, sealed_override: None },
                    actor,
                );
                if let (Some(result), Some(d)) = (result, decided_on) {
                    let decided_event =
                        CaseEvent::AppealDecided { appeal_id: None, kind, result, sealed_override: None };
                    push(&mut events, d, decided_event, actor);
                }
                appeals.push(BulkAppeal {
                    id: None,
                    case_id,
                    agency_id,
                    kind: kind.as_str(),
                    filed_on: filed,
                    result: result.map(AppealResult::as_str),
                    decided_on,
                    created_by: ctx.user_id,
                    created_at: ctx.at,
                });
            }
        }
    }
    let projection = project(&events, cal, &ctx.rules, ctx.today);
    let case = BulkCase {
        id: case_id,
        agency_id,
        year: received.year(),
        case_number,
        channel: channel.as_str(),
        submitted_on: None,
        received_on: received,
        applicant_id: applicant.id,
        applicant_category: applicant.category,
        description,
        status: projection.status.as_str(),
        outcome: projection.outcome.map(Outcome::as_str),
        concluded_on: projection.concluded_on,
        // Seeded decisions carry no officer's text (their letters state the outcome's wording).
        decision_basis: None,
        due_on: projection.due_on,
        paused: projection.paused,
        extended: projection.extended,
        version: i64::try_from(events.len()).unwrap_or(i64::MAX),
        created_by: ctx.user_id,
        created_at: ctx.at,
        updated_at: ctx.at,
        lapses_on: projection.lapses_on,
        applicant_name: applicant.name.clone(),
        applicant_phone: applicant.phone.clone(),
        applicant_email: applicant.email.clone(),
        applicant_address: applicant.address.clone(),
    };
    let events = events
        .into_iter()
        .map(|e| BulkEvent {
            case_id,
            seq: e.seq,
            kind: e.event.kind(),
            effective_on: e.effective_on,
            recorded_at: e.recorded_at,
            actor_id: e.actor_id.map(UserId::get),
            payload: e.event.payload().to_string(),
        })
        .collect();
    Generated { case, events, consultation, fee, appeals }
}

/// Seed the database. Deterministic for the same options and database start state.
///
/// # Errors
/// A database error; batches written before it stay.
pub fn run(
    db: &Db,
    calendar: &Calendar,
    rules: ClockRules,
    options: &SeedOptions,
    today: NaiveDate,
    at: NaiveDateTime,
) -> Result<SeedReport, ServiceError> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let run_tag = rng.gen_range(0..100_000u32);
    // Agencies: a government and its departments, and a user the seeded events are recorded by.
    let (agency_ids, user_id) = db.write_blocking(|conn| -> Result<(Vec<i64>, i64), ServiceError> {
        let system = Actor::system();
        let root_code = format!("SEED{run_tag:05}");
        let root = agency_service::create(
            conn,
            &system,
            &agency_service::NewAgency::parse("种子区人民政府", &root_code, None)?,
            at,
        )?;
        let mut ids = vec![root.id.get()];
        for i in 1..options.agencies.max(1) {
            let new = agency_service::NewAgency::parse(
                &format!("种子区第{i}部门"),
                &format!("{root_code}-{i}"),
                Some(root.id),
            )?;
            ids.push(agency_service::create(conn, &system, &new, at)?.id.get());
        }
        let user = users::create_unchecked(conn, "seed", Role::Admin, None, at)?;
        Ok((ids, user.user.id))
    })?;
    let (mut next_applicant, mut next_case, mut next_consultation) =
        db.write_blocking(|conn: &mut DbConnection| -> Result<_, ServiceError> {
            Ok((
                bulk::max_id(conn, "applicants")? + 1,
                bulk::max_id(conn, "cases")? + 1,
                bulk::max_id(conn, "consultations")? + 1,
            ))
        })?;
    let ctx = Context { calendar, rules, today, at, user_id };
    // A large page cache for the loading connection (index pages stay in memory instead of being
    // re-read from the OS for every batch) and, on SQLite, a rollback journal for the load.
    let journal_switched =
        db.maintenance_blocking(|conn| -> Result<bool, ServiceError> { Ok(bulk::prepare(conn)?) })?;
    // The applicant pool: a third as many applicants as cases (repeat applicants are common).
    let pool_size = (options.cases + options.focus_cases).div_ceil(3).max(1);
    let mut pool: Vec<BulkApplicant> = Vec::with_capacity(usize::try_from(pool_size).unwrap_or(0));
    for _ in 0..pool_size {
        pool.push(applicant(&mut rng, next_applicant, at));
        next_applicant += 1;
    }
    tracing::info!(applicants = pool.len(), "writing applicants");
    let script = bulk::insert_script(&pool, ROWS_PER_STATEMENT);
    db.write_blocking(|conn| -> Result<_, ServiceError> { Ok(bulk::run_script(conn, &script)?) })?;
    let departments: Vec<i64> = if agency_ids.len() > 1 { agency_ids[1..].to_vec() } else { agency_ids.clone() };
    let codes: BTreeMap<i64, String> = agency_ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, if i == 0 { format!("SEED{run_tag:05}") } else { format!("SEED{run_tag:05}-{i}") }))
        .collect();
    let mut report = SeedReport { agency_ids: agency_ids.clone(), applicants: pool.len(), ..SeedReport::default() };
    let total = options.cases + options.focus_cases;
    // One thread generates batches while this one writes them, all in one transaction: the
    // secondary indexes of the big tables are dropped first and rebuilt at the end (a sorted
    // build is far cheaper than a million random insertions), and a failure or a crash rolls
    // back everything, the dropped indexes included.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<(String, [usize; 3])>(2);
    let counter_rows = std::thread::scope(|scope| -> Result<Vec<(i64, i32, i32)>, ServiceError> {
        let generator = scope.spawn(move || {
            let mut counters: BTreeMap<(i64, i32), i32> = BTreeMap::new();
            let mut written = 0u64;
            while written < total {
                let n = (total - written).min(u64::try_from(options.batch.max(1)).unwrap_or(u64::MAX));
                let mut batch = Batch::with_capacity(usize::try_from(n).unwrap_or(usize::MAX));
                for i in 0..n {
                    let index = written + i;
                    let (agency, year) = match options.focus_year {
                        Some(y) if index < options.focus_cases => (departments[0], y),
                        _ => (
                            departments[rng.gen_range(0..departments.len())],
                            rng.gen_range(options.from_year..=options.to_year),
                        ),
                    };
                    let received = day_in(&mut rng, year, today).min(today);
                    let counter = counters.entry((agency, received.year())).or_insert(0);
                    *counter += 1;
                    let code = codes.get(&agency).map_or("SEED", String::as_str);
                    let number = format!("{code}-{}-{:05}", received.year(), counter);
                    let who = &pool[rng.gen_range(0..pool.len())];
                    let g = generate(&mut rng, &ctx, next_case, next_consultation, agency, number, received, who);
                    next_case += 1;
                    if let Some(c) = g.consultation {
                        batch.consultations.push(c);
                        next_consultation += 1;
                    }
                    batch.fees.extend(g.fee);
                    batch.appeals.extend(g.appeals);
                    batch.events.extend(g.events);
                    batch.cases.push(g.case);
                }
                written += n;
                let counts = [batch.cases.len(), batch.events.len(), batch.appeals.len()];
                let mut script = bulk::insert_script(&batch.cases, ROWS_PER_STATEMENT);
                script.push_str(&bulk::insert_script(&batch.events, ROWS_PER_STATEMENT));
                script.push_str(&bulk::insert_script(&batch.consultations, ROWS_PER_STATEMENT));
                script.push_str(&bulk::insert_script(&batch.fees, ROWS_PER_STATEMENT));
                script.push_str(&bulk::insert_script(&batch.appeals, ROWS_PER_STATEMENT));
                if sender.send((script, counts)).is_err() {
                    break; // the writer failed; its error is reported
                }
            }
            counters.into_iter().map(|((a, y), n)| (a, y, n)).collect::<Vec<_>>()
        });
        let written = db.write_blocking(|conn| -> Result<(), ServiceError> {
            let indexes = bulk::drop_secondary_indexes(conn)?;
            for (script, [cases, events, appeals]) in receiver.iter() {
                bulk::run_script(conn, &script)?;
                report.cases += cases;
                report.events += events;
                report.appeals += appeals;
            }
            tracing::info!(cases = report.cases, "rows written; rebuilding indexes");
            bulk::create_indexes(conn, &indexes)?;
            tracing::info!("indexes rebuilt; committing");
            Ok(())
        });
        // Without a receiver the generator's next send fails and it stops; were the receiver
        // kept until the scope ends, a failed write would leave the generator blocked on a full
        // channel and the scope waiting for it for ever.
        drop(receiver);
        written?;
        generator.join().map_err(|_| ServiceError::corrupt("the seed generator panicked"))
    })?;
    db.write_blocking(|conn| -> Result<(), ServiceError> {
        bulk::counters(conn, &counter_rows)?;
        Ok(())
    })?;
    tracing::info!("analysing");
    db.maintenance_blocking(|conn| -> Result<(), ServiceError> { Ok(bulk::finish(conn, journal_switched)?) })?;
    tracing::info!("done");
    Ok(report)
}

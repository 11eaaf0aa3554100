//! The clock's arithmetic: holidays, make-up days, pauses, extensions, lapses.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::*;

fn cal() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| Calendar::shipped().unwrap())
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn ds(list: &[&str]) -> Vec<NaiveDate> {
    list.iter().map(|s| d(s)).collect()
}

fn received(on: &str) -> ClockEvent {
    ClockEvent::Received { on: d(on) }
}

fn clock(events: &[ClockEvent], today: &str) -> Clock {
    compute(cal(), &ClockRules::default(), events, d(today))
}

/// The identity every determined clock satisfies.
fn assert_counts_add_up(c: &Clock) {
    let due = c.due_on.unwrap();
    assert_eq!(c.counted_days, c.allowance);
    let paused: u32 = c.pauses.iter().map(|p| p.working_days).sum();
    assert_eq!(i64::from(c.counted_days + paused), cal().working_days_between(c.start, due));
}

#[test]
fn receipt_on_a_friday_counts_from_monday_and_skips_qingming() {
    // Fri 2019-03-08. Counted: 11–15 Mar (5), 18–22 (10), 25–29 (15), 1–4 Apr (19);
    // Fri 5 Apr is Qingming (rest day); Mon 8 Apr is the 20th.
    let c = clock(&[received("2019-03-08")], "2019-03-08");
    assert_eq!(c.status, ClockStatus::Received);
    assert_eq!(c.due_on, Some(d("2019-04-08")));
    assert_eq!(c.holidays, ds(&["2019-04-05"]));
    assert!(c.make_up_days.is_empty());
    assert_eq!(c.working_days_left, Some(20));
    assert_eq!(c.calendar_years, vec![2019]);
    assert!(!c.provisional);
    assert_counts_add_up(&c);
}

#[test]
fn receipt_the_day_before_national_day_counts_from_8_october() {
    // Mon 2019-09-30. 1–7 Oct rest; counted: 8–11 Oct (4), Sat 12 Oct make-up (5),
    // 14–18 (10), 21–25 (15), 28–31 (19), Fri 1 Nov (20).
    let c = clock(&[received("2019-09-30")], "2019-09-30");
    assert_eq!(c.due_on, Some(d("2019-11-01")));
    // Weekday rest days only: 5–6 Oct are an ordinary weekend.
    assert_eq!(c.holidays, ds(&["2019-10-01", "2019-10-02", "2019-10-03", "2019-10-04", "2019-10-07"]));
    assert_eq!(c.make_up_days, ds(&["2019-10-12"]));
    assert_counts_add_up(&c);
}

#[test]
fn receipt_inside_national_day_gives_the_same_due_date() {
    // Thu 2019-10-03 is a rest day; the first counted day is still Tue 8 Oct, so the due
    // date is Fri 1 Nov as above. Holidays strictly after the start: 4 and 7 Oct.
    let c = clock(&[received("2019-10-03")], "2019-10-03");
    assert_eq!(c.due_on, Some(d("2019-11-01")));
    assert_eq!(c.holidays, ds(&["2019-10-04", "2019-10-07"]));
    assert_eq!(c.make_up_days, ds(&["2019-10-12"]));
    assert_counts_add_up(&c);
}

#[test]
fn receipt_on_a_make_up_saturday_counts_from_monday() {
    // Sat 2019-10-12 is a working day; counted: 14–18 Oct (5), 21–25 (10), 28 Oct–1 Nov (15),
    // 4–8 Nov (20). The start itself is not in the window.
    let c = clock(&[received("2019-10-12")], "2019-10-12");
    assert_eq!(c.due_on, Some(d("2019-11-08")));
    assert!(c.holidays.is_empty());
    assert!(c.make_up_days.is_empty());
    assert_counts_add_up(&c);
}

#[test]
fn receipt_on_the_spring_festival_make_up_saturday_counts_the_sunday() {
    // Sat 2019-02-02 and Sun 2019-02-03 are make-up days, 4–10 Feb rest.
    // Counted: Sun 3 Feb (1), 11–15 Feb (6), 18–22 (11), 25 Feb–1 Mar (16), 4–7 Mar (20).
    let c = clock(&[received("2019-02-02")], "2019-02-02");
    assert_eq!(c.due_on, Some(d("2019-03-07")));
    assert_eq!(c.holidays, ds(&["2019-02-04", "2019-02-05", "2019-02-06", "2019-02-07", "2019-02-08"]));
    assert_eq!(c.make_up_days, ds(&["2019-02-03"]));
    assert_counts_add_up(&c);
}

#[test]
fn the_extended_2020_spring_festival_is_skipped() {
    // Mon 2020-01-20. Counted: 21–23 Jan (3); 24 Jan–2 Feb rest (extended by notice
    // 〔2020〕1号, the 1 Feb make-up day cancelled); 3–7 Feb (8), 10–14 (13), 17–21 (18),
    // 24–25 Feb (20).
    let c = clock(&[received("2020-01-20")], "2020-01-20");
    assert_eq!(c.due_on, Some(d("2020-02-25")));
    assert_eq!(c.holidays, ds(&["2020-01-24", "2020-01-27", "2020-01-28", "2020-01-29", "2020-01-30", "2020-01-31"]));
    assert!(c.make_up_days.is_empty());
    assert_counts_add_up(&c);
}

#[test]
fn the_2020_spring_festival_make_up_sunday_is_counted() {
    // Fri 2020-01-17. Counted: Sun 19 Jan make-up (1), 20–23 Jan (5), 3–7 Feb (10),
    // 10–14 (15), 17–21 Feb (20).
    let c = clock(&[received("2020-01-17")], "2020-01-17");
    assert_eq!(c.due_on, Some(d("2020-02-21")));
    assert_eq!(c.make_up_days, ds(&["2020-01-19"]));
    assert_counts_add_up(&c);
}

#[test]
fn a_period_crossing_new_year_may_end_on_a_make_up_sunday() {
    // Fri 2019-12-20. Counted: 23–27 Dec (5), 30–31 Dec (7); 1 Jan 2020 rest; 2–3 Jan (9),
    // 6–10 (14), 13–17 (19), Sun 19 Jan 2020 make-up (20).
    let c = clock(&[received("2019-12-20")], "2019-12-20");
    assert_eq!(c.due_on, Some(d("2020-01-19")));
    assert_eq!(c.holidays, ds(&["2020-01-01"]));
    assert_eq!(c.make_up_days, ds(&["2020-01-19"]));
    assert_eq!(c.calendar_years, vec![2019, 2020]);
    assert!(!c.provisional);
    assert_counts_add_up(&c);
}

#[test]
fn a_pause_starting_and_ending_on_holidays_removes_only_working_days_inside_it() {
    // Mon 2019-09-02; consultation sent Fri 13 Sep (Mid-Autumn rest day), answered Thu 3 Oct
    // (National Day). Removed (13 Sep, 3 Oct]: 16–20 Sep (5), 23–27 (10), Sun 29 Sep
    // make-up (11), Mon 30 Sep (12). Counted: 3–6 Sep (4), 9–12 (8), then 8–11 Oct (12),
    // Sat 12 Oct (13), 14–18 (18), 21–22 Oct (20).
    let c = clock(
        &[
            received("2019-09-02"),
            ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2019-09-13") },
            ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2019-10-03") },
        ],
        "2019-10-08",
    );
    assert_eq!(c.status, ClockStatus::Received);
    assert_eq!(c.due_on, Some(d("2019-10-22")));
    assert_eq!(
        c.pauses,
        vec![PauseExplanation {
            kind: PauseKind::Consultation,
            from: d("2019-09-13"),
            to: Some(d("2019-10-03")),
            ends_on: Some(d("2019-10-03")),
            ended_by_limit: false,
            working_days: 12,
        }]
    );
    assert_eq!(c.holidays, ds(&["2019-09-13", "2019-10-01", "2019-10-02", "2019-10-03", "2019-10-04", "2019-10-07"]));
    assert_eq!(c.make_up_days, ds(&["2019-09-29", "2019-10-12"]));
    // 13 Sep + 15 working days: 16–20, 23–27 (10), 29, 30 Sep (12), 8–10 Oct (15).
    assert_eq!(c.consultations[0].reply_due, d("2019-10-10"));
    assert_counts_add_up(&c);
}

#[test]
fn a_corrected_application_starts_a_fresh_period() {
    // Fri 2019-03-01; correction notice deadline: 4–8 Mar (5), 11–12 Mar (7) → 12 Mar.
    let requested =
        [received("2019-03-01"), ClockEvent::CorrectionRequested { on: d("2019-03-05"), respond_by: d("2019-03-20") }];
    let waiting = clock(&requested, "2019-03-10");
    assert_eq!(waiting.status, ClockStatus::AwaitingCorrection);
    assert_eq!(waiting.correction_notice_deadline, d("2019-03-12"));
    assert_eq!(waiting.due_on, None);
    assert_eq!(waiting.working_days_left, None);
    assert!(waiting.paused);
    assert_eq!(waiting.correction_lapses_on, Some(d("2019-03-21")));
    assert!(!waiting.correction_lapsed);
    assert!(!clock(&requested, "2019-03-20").correction_lapsed);
    assert!(clock(&requested, "2019-03-21").correction_lapsed);

    // Corrected Fri 15 Mar: 18–22 (5), 25–29 (10), 1–4 Apr (14), 5 Apr Qingming,
    // 8–12 Apr (19), 15 Apr (20).
    let mut events = requested.to_vec();
    events.push(ClockEvent::CorrectionReceived { on: d("2019-03-15") });
    let c = clock(&events, "2019-03-15");
    assert_eq!(c.status, ClockStatus::Received);
    assert_eq!(c.received_on, d("2019-03-01"));
    assert_eq!(c.start, d("2019-03-15"));
    assert_eq!(c.due_on, Some(d("2019-04-15")));
    assert_eq!(c.correction_lapses_on, None);
    assert!(!c.correction_lapsed);
    assert!(!c.paused);
    assert_counts_add_up(&c);
}

#[test]
fn an_extension_after_a_pause_adds_to_the_allowance() {
    // Tue 2019-03-05, plain due date Tue 2 Apr. Consultation 11→15 Mar removes 12–15 Mar (4):
    // 3, 4 Apr (2), 5 Apr Qingming, 8, 9 Apr (4) → 9 Apr. Extension of 20: 10–12 Apr (3),
    // 15–19 (8), 22–26 (13), Sun 28 Apr make-up (14), 29–30 Apr (16), 1–4 May rest,
    // Sun 5 May make-up (17), 6–8 May (20) → Wed 8 May.
    let c = clock(
        &[
            received("2019-03-05"),
            ClockEvent::ConsultationStarted { consultation_id: 7, on: d("2019-03-11") },
            ClockEvent::ConsultationReplied { consultation_id: 7, on: d("2019-03-15") },
            ClockEvent::Extended { approved_on: d("2019-04-01"), notified_on: d("2019-04-02"), working_days: 20 },
        ],
        "2019-04-03",
    );
    assert!(c.extended);
    assert_eq!(c.allowance, 40);
    assert_eq!(c.due_on, Some(d("2019-05-08")));
    assert_eq!(c.pauses[0].working_days, 4);
    assert_eq!(c.make_up_days, ds(&["2019-04-28", "2019-05-05"]));
    assert_counts_add_up(&c);
}

#[test]
fn a_paid_fee_notice_pauses_the_clock() {
    // Tue 2019-03-05; notice Fri 8 Mar, paid Mon 18 Mar: removes 11–15 Mar and 18 Mar (6).
    // 2 Apr + 6: 3, 4 (2), 5 Qingming, 8–11 Apr (6) → Thu 11 Apr.
    // Pay-by: 8 Mar + 20: 11–15 (5), 18–22 (10), 25–29 (15), 1–4 Apr (19), 8 Apr (20).
    let events = [
        received("2019-03-05"),
        ClockEvent::FeeNoticeIssued { on: d("2019-03-08") },
        ClockEvent::FeePaid { on: d("2019-03-18") },
    ];
    let c = clock(&events, "2019-03-20");
    assert_eq!(c.due_on, Some(d("2019-04-11")));
    assert_eq!(c.pauses[0].kind, PauseKind::Fee);
    assert_eq!(c.pauses[0].working_days, 6);
    assert_eq!(c.fee_pay_by, Some(d("2019-04-08")));
    assert_eq!(c.fee_lapses_on, None);
    assert!(!c.fee_lapsed);
    assert_counts_add_up(&c);

    let rules = ClockRules { fee_notice_pauses: false, ..ClockRules::default() };
    let unpaused = compute(cal(), &rules, &events, d("2019-03-20"));
    assert_eq!(unpaused.due_on, Some(d("2019-04-02")));
    assert!(unpaused.pauses.is_empty());
}

#[test]
fn an_unpaid_fee_freezes_the_clock_and_lapses_after_the_pay_by_date() {
    let events = [received("2019-03-05"), ClockEvent::FeeNoticeIssued { on: d("2019-03-08") }];
    let c = clock(&events, "2019-04-09");
    assert_eq!(c.status, ClockStatus::AwaitingFee);
    assert!(c.paused);
    assert_eq!(c.due_on, None);
    // Counted before the notice: 6, 7, 8 Mar (the notice day itself still counts).
    assert_eq!(c.counted_days, 3);
    assert_eq!(c.working_days_left, Some(17));
    assert_eq!(c.fee_lapses_on, Some(d("2019-04-09")));
    assert!(c.fee_lapsed);
    assert!(!clock(&events, "2019-04-08").fee_lapsed);
    // The pause removed every working day after the notice up to today: 11 Mar–9 Apr is
    // 22 working days minus Qingming = 21.
    assert_eq!(c.pauses[0].working_days, 21);

    // Concluded as unpaid on 15 Apr: the open pause ends there, the due date is after it.
    let mut concluded = events.to_vec();
    concluded.push(ClockEvent::Concluded { on: d("2019-04-15") });
    let c = clock(&concluded, "2019-05-01");
    assert_eq!(c.status, ClockStatus::Concluded);
    assert!(c.fee_lapsed);
    assert_eq!(c.late, Some(false));
    assert_eq!(c.working_days_left, None);
    assert_counts_add_up(&c);
}

#[test]
fn overlapping_consultations_pause_the_union_of_their_days() {
    // Tue 2019-03-05. A: 11→20 Mar, B: 14→27 Mar; union (11, 27 Mar]: 12–15 (4), 18–22 (9),
    // 25–27 (12). A gets 12–20 Mar (7), B the rest (5). 2 Apr + 12: 3, 4 (2), 8–12 (7),
    // 15–19 Apr (12) → Fri 19 Apr.
    let mut events = vec![
        received("2019-03-05"),
        ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2019-03-11") },
        ClockEvent::ConsultationStarted { consultation_id: 2, on: d("2019-03-14") },
        ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2019-03-20") },
    ];
    let open = clock(&events, "2019-03-25");
    assert_eq!(open.status, ClockStatus::InConsultation);
    // B unanswered pauses at most to the end of its reply period, 14 Mar + 15 working days = Thu
    // 4 Apr (5 Apr is Qingming); the 16 days left then run 8–12, 15–19, 22–26 Apr and the
    // make-up Sunday 28 Apr: the due date if B does not answer.
    assert_eq!(open.due_on, Some(d("2019-04-28")));
    assert!(open.paused);
    // Counted before the pauses: 6, 7, 8, 11 Mar.
    assert_eq!(open.working_days_left, Some(16));
    // A: 11 Mar + 15: 12–15 (4), 18–22 (9), 25–29 (14), 1 Apr (15).
    assert_eq!(open.consultations[0].reply_due, d("2019-04-01"));
    assert_eq!(open.consultations[1].replied_on, None);

    events.push(ClockEvent::ConsultationReplied { consultation_id: 2, on: d("2019-03-27") });
    let c = clock(&events, "2019-03-27");
    assert_eq!(c.status, ClockStatus::Received);
    assert_eq!(c.due_on, Some(d("2019-04-19")));
    assert_eq!(c.pauses.iter().map(|p| p.working_days).collect::<Vec<_>>(), vec![7, 5]);
    assert_counts_add_up(&c);
}

#[test]
fn an_overdue_case_has_negative_working_days_left() {
    // Due Tue 2 Apr 2019; by Tue 9 Apr four working days passed: 3, 4, 8, 9 Apr.
    let c = clock(&[received("2019-03-05")], "2019-04-09");
    assert!(c.overdue);
    assert_eq!(c.working_days_left, Some(-4));
    assert_eq!(c.late, None);
    assert!(c.explain_zh().contains(&"已超过答复期限4个工作日。".to_string()));
}

#[test]
fn concluding_after_the_due_date_is_late() {
    let late = clock(&[received("2019-03-05"), ClockEvent::Concluded { on: d("2019-04-03") }], "2019-05-01");
    assert_eq!(late.status, ClockStatus::Concluded);
    assert_eq!(late.late, Some(true));
    assert!(!late.overdue);
    assert_eq!(late.working_days_left, None);
    let on_time = clock(&[received("2019-03-05"), ClockEvent::Concluded { on: d("2019-04-02") }], "2019-05-01");
    assert_eq!(on_time.late, Some(false));
}

#[test]
fn a_window_reaching_a_year_without_data_is_provisional() {
    // Tue 2026-12-15 runs into 2027, which the shipped calendar does not cover.
    let c = clock(&[received("2026-12-15")], "2026-12-15");
    assert_eq!(c.calendar_years, vec![2026, 2027]);
    assert!(c.provisional);
    assert!(c.explain_zh().last().unwrap().starts_with("注："));
}

#[test]
fn the_explanation_reads_as_plain_chinese() {
    let c = clock(
        &[
            received("2019-03-05"),
            ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2019-03-11") },
            ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2019-03-15") },
        ],
        "2019-03-20",
    );
    assert_eq!(
        c.explain_zh(),
        vec![
            "2019年3月5日收到申请，答复期限为20个工作日，自次日起计算。",
            "2019年3月11日起征求意见，2019年3月15日收到答复，期间4个工作日不计入答复期限。",
            "期间遇节假日2019年4月5日，共1个工作日放假，不计入工作日。",
            "答复期限届满日为2019年4月9日。",
            // (20 Mar, 9 Apr]: 21–22 Mar (2), 25–29 (7), 1–4 Apr (11), 8–9 Apr (13).
            "距答复期限届满还有13个工作日。",
        ]
    );
    let national_day = clock(&[received("2019-09-30")], "2019-09-30").explain_zh();
    assert!(national_day
        .contains(&"期间遇节假日2019年10月1日至10月4日、2019年10月7日，共5个工作日放假，不计入工作日。".to_string()));
    assert!(national_day.contains(&"2019年10月12日为调休上班日，计为工作日。".to_string()));
}

#[test]
fn status_serialises_in_snake_case() {
    let c = clock(&[received("2019-03-05")], "2019-03-05");
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["status"], "received");
    assert_eq!(json["due_on"], "2019-04-02");
    assert_eq!(serde_json::to_value(ClockStatus::AwaitingCorrection).unwrap(), "awaiting_correction");
}

// Property tests over random receipts in 2018–2026 and random closed pauses.

fn base() -> NaiveDate {
    d("2018-01-01")
}

fn date_at(offset: u32) -> NaiveDate {
    base() + chrono::Days::new(u64::from(offset))
}

/// (start offset from receipt, length in calendar days) of closed consultations.
fn pause_events(receipt: NaiveDate, pauses: &[(u32, u32)]) -> Vec<ClockEvent> {
    let mut events = vec![ClockEvent::Received { on: receipt }];
    for (i, &(from, len)) in pauses.iter().enumerate() {
        let id = i64::try_from(i).unwrap();
        let s = receipt + chrono::Days::new(u64::from(from));
        events.push(ClockEvent::ConsultationStarted { consultation_id: id, on: s });
        events.push(ClockEvent::ConsultationReplied { consultation_id: id, on: s + chrono::Days::new(u64::from(len)) });
    }
    events
}

/// Whether a consultation pauses `date`: after its sending, up to its reply or the end of its
/// reply period, whichever is first.
fn covered(events: &[ClockEvent], date: NaiveDate) -> bool {
    let facts = Facts::collect(events);
    let limit = ClockRules::default().consultation_reply_limit;
    facts.consultations.iter().any(|&(_, s, e, _)| {
        let end = cal().add_working_days(s, limit);
        s < date && date <= e.map_or(end, |e| e.min(end))
    })
}

const RECEIPTS: std::ops::Range<u32> = 0..3287; // 2018-01-01 ..= 2026-12-31

proptest! {
    #[test]
    fn due_date_is_a_working_day_and_counts_add_up(
        receipt in RECEIPTS,
        pauses in prop::collection::vec((0u32..60, 0u32..30), 0..4),
        extension in prop::option::of(1u32..=20),
    ) {
        let receipt = date_at(receipt);
        let mut events = pause_events(receipt, &pauses);
        if let Some(n) = extension {
            events.push(ClockEvent::Extended {
                approved_on: receipt, notified_on: receipt, working_days: n,
            });
        }
        let c = compute(cal(), &ClockRules::default(), &events, receipt);
        let due = c.due_on.unwrap();
        prop_assert!(cal().is_working_day(due));
        prop_assert_eq!(c.counted_days, c.allowance);
        let paused: u32 = c.pauses.iter().map(|p| p.working_days).sum();
        prop_assert_eq!(
            i64::from(c.counted_days + paused),
            cal().working_days_between(c.start, due)
        );
    }

    #[test]
    fn adding_a_pause_never_moves_the_due_date_earlier(
        receipt in RECEIPTS,
        pauses in prop::collection::vec((0u32..60, 0u32..30), 0..3),
        extra in (0u32..80, 0u32..40),
    ) {
        let receipt = date_at(receipt);
        let before = compute(cal(), &ClockRules::default(), &pause_events(receipt, &pauses), receipt);
        let mut more = pauses.clone();
        more.push(extra);
        let after = compute(cal(), &ClockRules::default(), &pause_events(receipt, &more), receipt);
        prop_assert!(after.due_on.unwrap() >= before.due_on.unwrap());
    }

    #[test]
    fn a_pause_before_the_due_date_moves_it_by_its_new_working_days(
        receipt in RECEIPTS,
        pauses in prop::collection::vec((0u32..60, 0u32..30), 0..3),
        extra in (0u32..40, 0u32..20),
    ) {
        let receipt = date_at(receipt);
        let base_events = pause_events(receipt, &pauses);
        let old_due = compute(cal(), &ClockRules::default(), &base_events, receipt)
            .due_on.unwrap();
        let s = receipt + chrono::Days::new(u64::from(extra.0));
        let e = s + chrono::Days::new(u64::from(extra.1));
        prop_assume!(e < old_due);
        // k: the working days the new pause removes that no pause removed before — up to its
        // reply or the end of its 15-working-day reply period, whichever is first (a pause of 19
        // calendar days from 2024-05-05 holds 16 working days, the make-up Saturday 11 May
        // among them, and the clock runs again after the 15th).
        let limit_end = cal().add_working_days(s, ClockRules::default().consultation_reply_limit);
        let mut k = 0;
        let mut day = s;
        while day < e.min(limit_end) {
            day = next_day(day);
            if day > receipt && cal().is_working_day(day) && !covered(&base_events, day) {
                k += 1;
            }
        }
        // The expected due date: k more working days after the old one, skipping the old pauses.
        let mut expected = old_due;
        let mut left = k;
        while left > 0 {
            expected = next_day(expected);
            if cal().is_working_day(expected) && !covered(&base_events, expected) {
                left -= 1;
            }
        }
        let mut more = pauses.clone();
        more.push(extra);
        let new_due = compute(cal(), &ClockRules::default(), &pause_events(receipt, &more), receipt)
            .due_on.unwrap();
        prop_assert_eq!(new_due, expected);
    }
}

#[test]
fn an_unanswered_consultation_resumes_the_clock_after_fifteen_working_days() {
    // Mon 2024-03-04; consulted Wed 6 Mar; 15 working days later is Wed 27 Mar. Without the
    // consultation the due date is 1 Apr (20 working days); with it, moved by exactly the 15
    // paused working days: 2–3, the make-up Sunday 7 (Qingming 4–6 Apr), 8–12, 15–19, 22–23 Apr
    // → Tue 23 Apr.
    let events = [received("2024-03-04"), ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2024-03-06") }];
    let plain = clock(&events[..1], "2024-03-06");
    assert_eq!(plain.due_on, Some(d("2024-04-01")));
    let waiting = clock(&events, "2024-03-20");
    assert_eq!(waiting.status, ClockStatus::InConsultation);
    assert!(waiting.paused);
    let resumed = clock(&events, "2024-03-28");
    assert_eq!(resumed.status, ClockStatus::Received, "the clock runs again by itself");
    assert!(!resumed.paused);
    assert_eq!(resumed.consultations[0].reply_due, d("2024-03-27"));
    assert_eq!(resumed.pauses[0].ends_on, Some(d("2024-03-27")));
    assert!(resumed.pauses[0].ended_by_limit);
    assert_eq!(resumed.pauses[0].working_days, 15);
    let paused_days = resumed.pauses[0].working_days;
    assert_eq!(cal().working_days_between(d("2024-04-01"), resumed.due_on.unwrap()), i64::from(paused_days));
    assert_eq!(resumed.due_on, Some(d("2024-04-23")));
    // A reply that comes after the limit changes nothing.
    let mut late = events.to_vec();
    late.push(ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2024-04-03") });
    assert_eq!(clock(&late, "2024-04-03").due_on, resumed.due_on);
    // A reply within the limit ends the pause on the reply.
    let mut early = events.to_vec();
    early.push(ClockEvent::ConsultationReplied { consultation_id: 1, on: d("2024-03-13") });
    let replied = clock(&early, "2024-03-14");
    assert!(!replied.pauses[0].ended_by_limit);
    assert!(replied.due_on < resumed.due_on);
}

#[test]
fn a_served_date_moves_the_reply_and_payment_periods() {
    let consulted = [
        received("2024-03-04"),
        ClockEvent::ConsultationStarted { consultation_id: 1, on: d("2024-03-06") },
        ClockEvent::ConsultationServed { consultation_id: 1, on: d("2024-03-11") },
    ];
    let c = clock(&consulted, "2024-03-12");
    // 11 Mar + 15 working days: 12–15, 18–22, 25–29, 1 Apr → Mon 1 Apr.
    assert_eq!(c.consultations[0].reply_due, d("2024-04-01"));
    let fee = [
        received("2024-03-04"),
        ClockEvent::FeeNoticeIssued { on: d("2024-03-06") },
        ClockEvent::FeeNoticeServed { on: d("2024-03-11") },
    ];
    let c = clock(&fee, "2024-03-12");
    // 20 working days from the day after service: 12–15 (4), 18–22, 25–29 (14), 1–3, 7, 8, 9 Apr
    // (the make-up Sunday 7 Apr counts; 4–6 Apr are Qingming) → Tue 9 Apr.
    assert_eq!(c.fee_pay_by, Some(d("2024-04-09")));
}

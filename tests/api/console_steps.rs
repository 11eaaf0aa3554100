//! The case page's step forms: every step a person records through the console, with the same
//! rules, roles and visibility as the API, refused forms that keep their input, and stale forms.

use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::console::{world, World, PASSWORD};
use crate::helpers::{china_today, expect, Console, Page};

/// The steps a case page offers: the kinds its step forms post to, in page order.
fn offered(page: &Page) -> Vec<String> {
    let re = regex::Regex::new(r#"action="/cases/\d+/steps/([a-z_]+)""#).unwrap();
    re.captures_iter(&page.body).map(|c| c[1].to_string()).collect()
}

async fn case(w: &World, id: i64) -> Value {
    expect(w.app.get(&format!("/api/v1/cases/{id}"), &w.app.admin).await, StatusCode::OK).await
}

/// Post a step's form from the case page (read first, for its token) and expect it saved.
async fn take(console: &mut Console, id: i64, kind: &str, fields: &[(&str, &str)]) -> Page {
    let page = console.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(offered(&page).iter().any(|k| k == kind), "{kind} is not offered: {:?}", offered(&page));
    let saved = console.post(&format!("/cases/{id}/steps/{kind}"), fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{kind}: {}", saved.body);
    assert_eq!(saved.location.as_deref(), Some(format!("/cases/{id}?done={kind}#steps").as_str()));
    saved
}

#[tokio::test]
async fn an_officer_takes_a_case_from_correction_to_appeal_through_the_forms() {
    let w = world().await;
    let id = w.case_a;
    let today = china_today();
    let (on, later) = (today.to_string(), (today + TimeDelta::days(15)).to_string());
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    let page = officer.get(&format!("/cases/{id}")).await;
    let steps = offered(&page);
    for kind in ["correction_request", "consultation", "fee_notice", "decision", "withdrawal"] {
        assert!(steps.iter().any(|k| k == kind), "{kind} offered to an officer: {steps:?}");
    }
    for kind in ["extension", "amendment", "revocation", "correction", "fee_payment", "appeal"] {
        assert!(!steps.iter().any(|k| k == kind), "{kind} not offered to an officer now: {steps:?}");
    }
    // The rule is stated with its article beside the form.
    assert!(page.body.contains("条例第三十条"));

    let fields = [("issued_on", on.as_str()), ("respond_by", later.as_str()), ("matters", "请写明文件名称或文号")];
    take(&mut officer, id, "correction_request", &fields).await;
    assert_eq!(case(&w, id).await["status"], "awaiting_correction");
    let page = officer.get(&format!("/cases/{id}?done=correction_request")).await;
    assert!(page.body.contains("已办理：补正告知"));
    assert!(!offered(&page).iter().any(|k| k == "correction_request"), "a correction notice only once");

    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    take(&mut clerk, id, "correction", &[("received_on", on.as_str())]).await;
    assert_eq!(case(&w, id).await["status"], "received");

    let fields = [("party_kind", "third_party"), ("party", "某某公司"), ("sent_on", on.as_str())];
    take(&mut officer, id, "consultation", &fields).await;
    let consultation = case(&w, id).await;
    assert_eq!(consultation["status"], "in_consultation");
    let consultations =
        expect(w.app.get(&format!("/api/v1/cases/{id}/consultations"), &w.app.admin).await, StatusCode::OK).await;
    let cid = consultations[0]["id"].as_i64().unwrap().to_string();
    let fields = [("consultation_id", cid.as_str()), ("replied_on", on.as_str()), ("opinion", "consent")];
    take(&mut officer, id, "consultation_reply", &fields).await;
    assert_eq!(case(&w, id).await["status"], "received");

    // 试算: the amount is shown and nothing is written.
    officer.get(&format!("/cases/{id}")).await;
    let before = case(&w, id).await["version"].clone();
    let fields = [("issued_on", on.as_str()), ("basis", "per_page"), ("pages", "120"), ("preview", "1")];
    let preview = officer.post(&format!("/cases/{id}/steps/fee_notice"), &fields).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("合计1100元"), "{}", preview.body);
    assert!(preview.body.contains(r#"name="pages" value="120""#), "the pages typed stay");
    assert_eq!(case(&w, id).await["version"], before, "a preview writes nothing");
    take(&mut officer, id, "fee_notice", &[("issued_on", on.as_str()), ("basis", "per_page"), ("pages", "120")]).await;
    let awaiting = case(&w, id).await;
    assert_eq!(awaiting["status"], "awaiting_fee");
    take(&mut clerk, id, "fee_payment", &[("paid_on", on.as_str())]).await;

    let fields =
        [("decided_on", on.as_str()), ("outcome", "disclosed"), ("basis", "依照条例第三十六条第（二）项予以提供")];
    take(&mut officer, id, "decision", &fields).await;
    let decided = case(&w, id).await;
    assert_eq!((decided["status"].as_str(), decided["outcome"].as_str()), (Some("concluded"), Some("disclosed")));

    // The letters the steps issued are listed on the page, each with its print view.
    let page = officer.get(&format!("/cases/{id}")).await;
    for title in ["补正告知书", "收费通知书", "答复书"] {
        assert!(page.body.contains(title), "{title} listed");
    }
    assert!(offered(&page).iter().any(|k| k == "appeal"));
    take(&mut officer, id, "appeal", &[("kind", "reconsideration"), ("filed_on", on.as_str())]).await;
    let appeals = expect(w.app.get(&format!("/api/v1/cases/{id}/appeals"), &w.app.admin).await, StatusCode::OK).await;
    let appeal = appeals[0]["id"].as_i64().unwrap().to_string();
    let fields = [("appeal_id", appeal.as_str()), ("result", "upheld"), ("decided_on", on.as_str())];
    take(&mut officer, id, "appeal_result", &fields).await;
    let appeals = expect(w.app.get(&format!("/api/v1/cases/{id}/appeals"), &w.app.admin).await, StatusCode::OK).await;
    assert_eq!(appeals[0]["result"], "upheld");

    // Every step is in the timeline, recorded by the officer or the clerk.
    let events = expect(w.app.get(&format!("/api/v1/cases/{id}/events"), &w.app.admin).await, StatusCode::OK).await;
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "received",
            "correction_requested",
            "correction_received",
            "consultation_started",
            "consultation_replied",
            "fee_notice_issued",
            "fee_paid",
            "decided",
            "appeal_filed",
            "appeal_decided"
        ]
    );
}

#[tokio::test]
async fn a_refused_step_form_keeps_what_was_typed_and_names_each_field() {
    let w = world().await;
    let id = w.case_a;
    let on = china_today().to_string();
    let mut supervisor = Console::sign_in(&w.app.address, "supervisor", PASSWORD).await;
    supervisor.get(&format!("/cases/{id}")).await;
    let typed = "补充调查需要时间 <b>（测试）</b>";
    let fields =
        [("approved_on", on.as_str()), ("working_days", "25"), ("reason", typed), ("notified_on", on.as_str())];
    let page = supervisor.post(&format!("/cases/{id}/steps/extension"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"id="f-extension-working_days-error""#), "the message is at its field");
    assert!(page.body.contains("补充调查需要时间 &lt;b&gt;（测试）&lt;&#x2f;b&gt;"), "what was typed stays, as text");
    assert!(page.body.contains(r#"<details class="step" id="step-extension" open>"#), "the form is open");
    assert_eq!(case(&w, id).await["extended"], false, "nothing written");

    // An empty required field is named as one, a date that is not one quotes it.
    let fields = [("issued_on", "2026/13/40"), ("respond_by", on.as_str()), ("matters", "")];
    let page = supervisor.post(&format!("/cases/{id}/steps/correction_request"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("“2026&#x2f;13&#x2f;40”不是有效的日期"), "{}", page.body);
    // Fields are read in order: the bad date is named first, then the empty text once it is fixed.
    let fields = [("issued_on", on.as_str()), ("respond_by", on.as_str()), ("matters", "")];
    let page = supervisor.post(&format!("/cases/{id}/steps/correction_request"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = page.body.split(r#"id="f-correction_request-matters-error">"#).nth(1).unwrap();
    assert!(error.starts_with("必须填写"), "{}", &error[..60.min(error.len())]);

    // A decision without an outcome on a case of one item.
    let page = supervisor.post(&format!("/cases/{id}/steps/decision"), &[("decided_on", on.as_str())]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"id="step-decision" open"#));
    assert_eq!(case(&w, id).await["status"], "received");
}

#[tokio::test]
async fn a_stale_step_form_says_so_keeps_the_input_and_can_be_sent_again() {
    let w = world().await;
    let id = w.case_a;
    let on = china_today().to_string();
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    let page = officer.get(&format!("/cases/{id}")).await;
    let version =
        regex::Regex::new(r#"name="version" value="(\d+)""#).unwrap().captures(&page.body).unwrap()[1].to_string();
    // Meanwhile a colleague consults a third party and records the answer through the API.
    let token = &w.tokens["supervisor"];
    let started = w
        .app
        .post(
            &format!("/api/v1/cases/{id}/consultations"),
            token,
            &json!({"party_kind": "agency", "party": "区财政局", "sent_on": on}),
        )
        .await;
    let cid = expect(started, StatusCode::CREATED).await["id"].as_i64().unwrap();
    let replied = w
        .app
        .post(
            &format!("/api/v1/cases/{id}/consultations/{cid}/reply"),
            token,
            &json!({"replied_on": on, "opinion": "consent"}),
        )
        .await;
    expect(replied, StatusCode::OK).await;
    let basis = "依照条例第三十六条第（二）项，提供所申请的文件";
    let fields =
        [("version", version.as_str()), ("decided_on", on.as_str()), ("outcome", "disclosed"), ("basis", basis)];
    let stale = officer.post(&format!("/cases/{id}/steps/decision"), &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("已被他人修改"), "{}", stale.body);
    assert!(stale.body.contains(basis), "what was typed stays");
    assert!(stale.body.contains("区财政局"), "the page shows the case as it is now");
    assert_eq!(case(&w, id).await["status"], "received", "nothing written");
    // The form now carries the current version: sent again as it is, it is taken.
    let current = case(&w, id).await["version"].to_string();
    assert!(stale.body.contains(&format!(r#"name="version" value="{current}""#)));
    let again = officer
        .post(
            &format!("/cases/{id}/steps/decision"),
            &[("version", current.as_str()), ("decided_on", on.as_str()), ("outcome", "disclosed"), ("basis", basis)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(case(&w, id).await["outcome"], "disclosed");

    // A form for a step the case no longer allows says why and shows what was typed.
    officer.get(&format!("/cases/{id}")).await;
    let late = officer.post(&format!("/cases/{id}/steps/withdrawal"), &[("withdrawn_on", on.as_str())]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body.contains("未能办理“撤回申请”"), "{}", late.body);
}

#[tokio::test]
async fn step_forms_keep_roles_visibility_and_csrf_and_write_nothing_when_refused() {
    let w = world().await;
    let on = china_today().to_string();
    let decision = [("decided_on", on.as_str()), ("outcome", "disclosed"), ("basis", "依据")];
    // A clerk may register and record receipts, not decide: nothing offered, the post refused.
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let page = clerk.get(&format!("/cases/{}", w.case_a)).await;
    assert!(!offered(&page).iter().any(|k| k == "decision"));
    let refused = clerk.post(&format!("/cases/{}/steps/decision", w.case_a), &decision).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // An auditor only reads.
    let mut auditor = Console::sign_in(&w.app.address, "auditor", PASSWORD).await;
    let page = auditor.get(&format!("/cases/{}", w.case_a)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(offered(&page).is_empty(), "{:?}", offered(&page));
    // A case of another agency is not there at all, for reading or for writing.
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    assert_eq!(officer.get(&format!("/cases/{}", w.case_b)).await.status, StatusCode::NOT_FOUND);
    officer.get(&format!("/cases/{}", w.case_a)).await;
    let hidden = officer.post(&format!("/cases/{}/steps/decision", w.case_b), &decision).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(case(&w, w.case_b).await["status"], "received");
    // Without this session's token nothing is written.
    let forged = officer.post_raw(&format!("/cases/{}/steps/decision", w.case_a), &decision).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let wrong = [("_csrf", "not-the-token"), decision[0], decision[1], decision[2]];
    assert_eq!(
        officer.post_raw(&format!("/cases/{}/steps/decision", w.case_a), &wrong).await.status,
        StatusCode::FORBIDDEN
    );
    // An unknown step is not a page.
    let unknown = officer.post(&format!("/cases/{}/steps/launch", w.case_a), &decision).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(case(&w, w.case_a).await["status"], "received");
    // Signed out, the form leads to the sign-in page.
    let mut anonymous = Console::new(&w.app.address);
    anonymous.csrf = officer.csrf.clone();
    anonymous.post(&format!("/cases/{}/steps/decision", w.case_a), &decision).await.assert_sign_in();
}

#[tokio::test]
async fn a_multi_item_decision_takes_each_items_outcome_from_its_own_select() {
    let w = world().await;
    let on = china_today().to_string();
    let mut body = crate::helpers::intake_body(w.a, &on);
    body["items"] = json!([{"description": "补偿标准"}, {"description": "评估报告"}]);
    let created = expect(w.app.post("/api/v1/cases", &w.app.admin, &body).await, StatusCode::CREATED).await;
    let id = created["id"].as_i64().unwrap();
    let items: Vec<String> = created["items"].as_array().unwrap().iter().map(|i| i["id"].to_string()).collect();
    let mut officer = Console::sign_in(&w.app.address, "officer", PASSWORD).await;
    let page = officer.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains("第1项：补偿标准") && page.body.contains("第2项：评估报告"));
    let (first, second) = (format!("item.{}", items[0]), format!("item.{}", items[1]));
    let second_basis = format!("item_basis.{}", items[1]);
    let mut fields = vec![
        ("decided_on", on.as_str()),
        ("outcome", ""),
        (first.as_str(), "disclosed"),
        (second.as_str(), "withheld_state_secret"),
    ];
    // A withheld item needs its reason (Art. 36 (3)): refused at the items without it.
    officer.get(&format!("/cases/{id}")).await;
    let refused = officer.post(&format!("/cases/{id}/steps/decision"), &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(r#"id="f-decision-items-error""#), "{}", refused.body);
    fields.push((second_basis.as_str(), "该评估报告经定密属于国家秘密"));
    take(&mut officer, id, "decision", &fields).await;
    let decided = case(&w, id).await;
    assert_eq!(decided["outcome"], "partially_disclosed", "derived from the items");
    let outcomes: Vec<&str> =
        decided["items"].as_array().unwrap().iter().map(|i| i["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["disclosed", "withheld_state_secret"]);
}

#[tokio::test]
async fn a_supervisor_voids_a_registration_and_revokes_a_step_through_the_forms() {
    let w = world().await;
    let on = china_today().to_string();
    let mut supervisor = Console::sign_in(&w.app.address, "supervisor", PASSWORD).await;
    // A step recorded by mistake: the consultation is revoked and stops pausing the clock.
    let started = w
        .app
        .post(
            &format!("/api/v1/cases/{}/consultations", w.case_a),
            &w.tokens["officer"],
            &json!({"party_kind": "third_party", "party": "误录", "sent_on": on}),
        )
        .await;
    expect(started, StatusCode::CREATED).await;
    assert_eq!(case(&w, w.case_a).await["status"], "in_consultation");
    let page = supervisor.get(&format!("/cases/{}", w.case_a)).await;
    let seq = regex::Regex::new(r#"<option value="(\d+)"[^>]*>[^<]*征求意见"#)
        .unwrap()
        .captures(&page.body)
        .map(|c| c[1].to_string());
    let seq = seq.unwrap_or_else(|| panic!("the consultation is offered for revocation: {}", page.body));
    take(&mut supervisor, w.case_a, "revocation", &[("seq", seq.as_str()), ("reason", "误录：未发出征求意见书")]).await;
    assert_eq!(case(&w, w.case_a).await["status"], "received");
    // A registration made by mistake is voided and leaves the lists.
    take(&mut supervisor, w.case_a, "void", &[("reason", "重复登记")]).await;
    assert_eq!(case(&w, w.case_a).await["status"], "voided");
    let page = supervisor.get(&format!("/cases/{}", w.case_a)).await;
    assert_eq!(offered(&page), ["revocation"], "only the void itself may be revoked now");
}

#[tokio::test]
async fn an_intake_correction_sends_only_what_changed() {
    let w = world().await;
    let mut supervisor = Console::sign_in(&w.app.address, "supervisor", PASSWORD).await;
    let page = supervisor.get(&format!("/cases/{}", w.case_a)).await;
    assert!(page.body.contains(r#"name="applicant.name" value="张三""#), "the form starts from the case as registered");
    let before = case(&w, w.case_a).await;
    let received = before["received_on"].as_str().unwrap().to_string();
    let fields = [
        ("reason", "电话号码登记错误"),
        ("received_on", received.as_str()),
        ("channel", "in_person"),
        ("agency_id", &w.a.to_string()),
        ("applicant.name", "张三"),
        ("applicant.phone", "13900000000"),
        ("applicant.email", "zhang@example.com"),
        ("applicant.address", ""),
        ("description", before["description"].as_str().unwrap()),
        ("items", ""),
    ];
    take(&mut supervisor, w.case_a, "intake_correction", &fields).await;
    let after = case(&w, w.case_a).await;
    assert_eq!(after["applicant"]["phone"], "13900000000");
    assert_eq!((&after["received_on"], &after["due_on"]), (&before["received_on"], &before["due_on"]));
    let events =
        expect(w.app.get(&format!("/api/v1/cases/{}/events", w.case_a), &w.app.admin).await, StatusCode::OK).await;
    let correction = events.as_array().unwrap().last().unwrap();
    assert_eq!(correction["kind"], "intake_corrected");
    // Only the phone number differs between what was registered and what is now.
    let (was, now) =
        (correction["payload"]["before"].as_object().unwrap(), correction["payload"]["after"].as_object().unwrap());
    let changed: Vec<&String> = was.keys().filter(|k| was[*k] != now[*k]).collect();
    assert_eq!(changed, ["applicant_phone"]);
}

#[tokio::test]
async fn the_intake_desk_sees_an_applicant_on_file_with_the_requests_of_its_own_agencies_only() {
    let w = world().await;
    let mut clerk = Console::sign_in(&w.app.address, "clerk", PASSWORD).await;
    let a = case(&w, w.case_a).await;
    let b = case(&w, w.case_b).await;
    let look_up = |number: &str| format!("/intake/applicant?id_type=resident_id_card&id_number={number}");
    // The world's two cases share one applicant: the clerk of A is shown A's case, not B's.
    let found = clerk.get(&look_up("11010519491231002x")).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("该申请人已有申请记录"), "{}", found.body);
    assert!(found.body.contains(a["case_number"].as_str().unwrap()));
    assert!(!found.body.contains(b["case_number"].as_str().unwrap()), "another agency's case is not shown");
    assert!(found.body.contains(r#"data-phone="13800000000""#));
    // An unknown or invalid number finds nothing, and says nothing.
    for number in ["110105194912310021", "11010519491231002"] {
        let none = clerk.get(&look_up(number)).await;
        assert_eq!(none.status, StatusCode::OK);
        assert!(!none.body.contains("该申请人"), "{number}");
    }
    // Only the intake desk's roles look applicants up, and each look-up is in the audit trail.
    let mut auditor = Console::sign_in(&w.app.address, "auditor", PASSWORD).await;
    assert_eq!(auditor.get(&look_up("11010519491231002X")).await.status, StatusCode::FORBIDDEN);
    for _ in 0..50 {
        let trail = expect(w.app.get("/api/v1/audit?limit=200", &w.app.admin).await, StatusCode::OK).await;
        let entries = trail["items"].as_array().unwrap().clone();
        if entries.iter().any(|e| e["action"] == "look_up_applicant" && e["path"] == "/intake/applicant") {
            assert!(!trail.to_string().contains("11010519491231002"), "the number is not in the trail");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the look-up is not in the audit trail");
}

#[tokio::test]
async fn a_new_agency_enters_its_letter_settings_before_its_first_decision() {
    let app = crate::helpers::spawn_app().await;
    let agency = app.bare_agency("NEW", None).await;
    app.console_user("新办理", "officer", PASSWORD, gongkai::domain::Role::Officer, Some(agency)).await;
    app.console_user("新负责人", "supervisor", PASSWORD, gongkai::domain::Role::Supervisor, Some(agency)).await;
    let on = china_today().to_string();
    let id = app.intake(&app.admin, agency, &on).await["id"].as_i64().unwrap();
    let mut officer = Console::sign_in(&app.address, "officer", PASSWORD).await;
    let page = officer.get(&format!("/cases/{id}")).await;
    assert!(page.body.contains(&format!(r#"<a href="/agencies/{agency}/settings">文书设置</a>尚未填写行政复议机关"#)));
    let fields = [("decided_on", on.as_str()), ("outcome", "disclosed"), ("basis", "提供复印件一份")];
    let refused = officer.post(&format!("/cases/{id}/steps/decision"), &fields).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("行政复议机关") && refused.body.contains("依据"), "{}", refused.body);
    assert!(refused.body.contains("提供复印件一份"), "what was typed stays");
    // An officer reads the settings and may not change them; the supervisor enters them.
    let settings = officer.get(&format!("/agencies/{agency}/settings")).await;
    assert_eq!(settings.status, StatusCode::OK);
    assert!(settings.body.contains("只有负责人和管理员可以修改"));
    let forbidden = officer.post(&format!("/agencies/{agency}/settings"), &[("court", "某法院")]).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let mut supervisor = Console::sign_in(&app.address, "supervisor", PASSWORD).await;
    supervisor.get(&format!("/agencies/{agency}/settings")).await;
    let long = "长".repeat(300);
    let too_long = supervisor.post(&format!("/agencies/{agency}/settings"), &[("court", long.as_str())]).await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains(r#"id="f-court-error""#), "{}", too_long.body);
    let saved = supervisor
        .post(
            &format!("/agencies/{agency}/settings"),
            &[
                ("reconsideration_body", " 某市人民政府 "),
                ("court", "某市中级人民法院"),
                ("contact", "电话 0468-5123456"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let api = expect(app.get(&format!("/api/v1/agencies/{agency}/settings"), &app.admin).await, StatusCode::OK).await;
    assert_eq!(api["reconsideration_body"], "某市人民政府", "trimmed as the API trims");
    take(&mut officer, id, "decision", &fields).await;
    assert_eq!(
        expect(app.get(&format!("/api/v1/cases/{id}"), &app.admin).await, StatusCode::OK).await["status"],
        "concluded"
    );
}

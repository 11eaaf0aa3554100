//! The letters the law requires, as issued, for every outcome and situation (issue 15): snapshots
//! reviewed line by line against the articles they cite; decisions refused when the facts their
//! letters state are missing; a recorded delivery moving the reply and payment periods.

use gongkai::domain::reply::Situation;
use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{china_today, expect, expect_problem, fields, intake_body, spawn_app, TestApp};

/// A district government with the settings its letters print, and its staff.
struct Desk {
    app: TestApp,
    agency: i64,
    clerk: String,
    officer: String,
    supervisor: String,
}

async fn desk() -> Desk {
    let app = spawn_app().await;
    let body = json!({"name": "鹤岗市南山区人民政府", "code": "NS", "parent_id": null});
    let agency = expect(app.post("/api/v1/agencies", &app.admin, &body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    let settings = json!({
        "document_prefix": "南政信公",
        "contact": "南山区人民政府政务公开办公室（南山区红军路1号），电话0468-5123456，工作日8:30—17:00",
        "reconsideration_body": "鹤岗市人民政府",
        "court": "鹤岗市中级人民法院",
        "fee_payment": "收款单位：鹤岗市南山区财政局\n开户银行：某某银行鹤岗南山支行\n账号：0000 1111 2222 3333\n请在附言中注明申请编号",
    });
    let response =
        app.client.put(app.url(&format!("/api/v1/agencies/{agency}/settings"))).bearer_auth(&app.admin).json(&settings);
    expect(response.send().await.unwrap(), StatusCode::OK).await;
    let clerk = app.user("clerk", Role::Clerk, Some(agency)).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let supervisor = app.user("supervisor", Role::Supervisor, Some(agency)).await;
    Desk { app, agency, clerk, officer, supervisor }
}

/// A person who gave a postal address and no e-mail: the letters are printed and posted.
fn by_post(agency: i64, received_on: &str, description: &str) -> Value {
    let mut body = intake_body(agency, received_on);
    body["applicant"]["email"] = Value::Null;
    body["applicant"]["address"] = json!("黑龙江省鹤岗市南山区富力街道2号");
    body["description"] = json!(description);
    body
}

impl Desk {
    async fn register(&self, body: &Value) -> i64 {
        expect(self.app.post("/api/v1/cases", &self.clerk, body).await, StatusCode::CREATED).await["id"]
            .as_i64()
            .unwrap()
    }

    async fn case(&self, received_on: &str, description: &str) -> i64 {
        self.register(&by_post(self.agency, received_on, description)).await
    }

    async fn post(&self, id: i64, step: &str, body: Value) -> reqwest::Response {
        let token = if step == "extension" || step == "amendment" { &self.supervisor } else { &self.officer };
        self.app.post(&format!("/api/v1/cases/{id}/{step}"), token, &body).await
    }

    async fn ok(&self, id: i64, step: &str, body: Value) -> Value {
        let status = if step == "consultations" { StatusCode::CREATED } else { StatusCode::OK };
        expect(self.post(id, step, body).await, status).await
    }

    async fn refused(&self, id: i64, step: &str, body: Value, code: &str) -> Value {
        expect_problem(self.post(id, step, body).await, StatusCode::UNPROCESSABLE_ENTITY, code).await
    }

    async fn letter(&self, id: i64, kind: &str, format: &str) -> String {
        let response = self.app.get(&format!("/api/v1/cases/{id}/letters/{kind}?format={format}"), &self.officer).await;
        assert_eq!(response.status(), StatusCode::OK, "{kind} of case {id}");
        assert_eq!(response.headers()["x-letter-source"], "stored", "letters are issued with their step");
        response.text().await.unwrap()
    }

    async fn letters(&self, id: i64) -> Vec<Value> {
        let list = expect(self.app.get(&format!("/api/v1/cases/{id}/letters"), &self.officer).await, StatusCode::OK);
        list.await.as_array().unwrap().clone()
    }

    /// Record the delivery (送达) of a posted letter.
    async fn served(&self, letter: i64, on: &str) -> Value {
        let path = format!("/api/v1/letters/{letter}/served");
        expect(self.app.post(&path, &self.clerk, &json!({"served_on": on})).await, StatusCode::OK).await
    }

    async fn case_json(&self, id: i64) -> Value {
        expect(self.app.get(&format!("/api/v1/cases/{id}"), &self.officer).await, StatusCode::OK).await
    }
}

/// Assert the letters' snapshots (tests/api/snapshots/letter_*.snap); when
/// `GONGKAI_LETTERS_DIR` is set, also write each as a file there (for printing and screenshots).
fn snapshots(letters: Vec<(String, String)>) {
    if let Ok(dir) = std::env::var("GONGKAI_LETTERS_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &letters {
            let ext = if text.starts_with("<!DOCTYPE html>") { "html" } else { "txt" };
            std::fs::write(format!("{dir}/{name}.{ext}"), text).unwrap();
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        for (name, text) in letters {
            insta::assert_snapshot!(format!("letter_{name}"), text);
        }
    });
}

const REASON: &str = "经审查，所申请的《南山区2023年征收补偿安置方案（讨论稿）》系区政府常务会议讨论过程中形成的文稿。";

/// The decision of every outcome code, one case each, and each outcome's other situation.
#[tokio::test]
async fn every_outcome_and_situation_is_answered_by_its_own_wording_and_article() {
    let d = desk().await;
    let mut out = Vec::new();
    let mut decided = Vec::new();
    // (name, outcome, extra fields of the decision)
    let simple: [(&str, &str, Value); 14] = [
        ("disclosed", "disclosed", json!({"basis": "该信息已通过邮寄方式随本答复书提供纸质复印件一份，共12页。"})),
        (
            "disclosed_already_public",
            "disclosed",
            json!({"already_public": true, "basis": "该信息已于2024年1月15日在南山区人民政府门户网站“政府信息公开—法定主动公开内容—征收补偿”栏目公开，您可登录该网站查阅、下载。"}),
        ),
        (
            "partially_disclosed",
            "partially_disclosed",
            json!({"basis": "补偿明细表中被征收人的身份证号码、银行账号属于个人隐私，公开会对第三方合法权益造成损害（条例第十五条），已作遮盖处理；其余内容随本答复书提供。"}),
        ),
        (
            "withheld_state_secret",
            "withheld_state_secret",
            json!({"basis": "该文件已依法定程序确定为秘密级国家秘密。"}),
        ),
        (
            "withheld_prohibited_by_law",
            "withheld_prohibited_by_law",
            json!({"basis": "该信息属于《中华人民共和国统计法》第二十五条规定的统计调查中获得的能够识别统计调查对象的资料。"}),
        ),
        (
            "withheld_endangers_security_stability",
            "withheld_endangers_security_stability",
            json!({"basis": "该信息系重点防护目标的安保部署方案，公开后可能危及公共安全。"}),
        ),
        (
            "withheld_third_party_rights",
            "withheld_third_party_rights",
            json!({"basis": "该信息为企业报送的成本构成明细，属于其商业秘密。"}),
        ),
        (
            "withheld_internal_affairs",
            "withheld_internal_affairs",
            json!({"basis": "该信息系本机关内部考勤管理记录。"}),
        ),
        ("withheld_process_information", "withheld_process_information", json!({"basis": REASON})),
        (
            "withheld_enforcement_case_files",
            "withheld_enforcement_case_files",
            json!({"basis": "该信息系行政处罚案件的调查询问笔录，属于行政执法案卷。"}),
        ),
        (
            "withheld_administrative_inquiry",
            "withheld_administrative_inquiry",
            json!({"basis": "所申请的不动产登记资料，请依照《不动产登记资料查询暂行办法》向鹤岗市不动产登记中心申请查询。"}),
        ),
        (
            "unavailable_not_held",
            "unavailable_not_held",
            json!({"basis": "本机关在文书档案室、政务服务系统和OA系统中以“富力小区”“拆迁补偿”为关键词检索2019年至今的收文和发文，未找到所申请的信息。"}),
        ),
        (
            "unavailable_not_held_not_this_agency",
            "unavailable_not_held",
            json!({"basis": "不动产登记信息由不动产登记机构制作和保存，不属于本机关负责公开。",
                "responsible_agency": {"name": "鹤岗市自然资源局", "contact": "鹤岗市向阳区红旗路1号，电话0468-3456789"}}),
        ),
        (
            "unavailable_needs_creation",
            "unavailable_needs_creation",
            json!({"basis": "本机关没有按街道和年度统计的补偿金额汇总表，提供该信息需要对原始档案逐件汇总分析。"}),
        ),
    ];
    for (n, (name, outcome, extra)) in simple.into_iter().enumerate() {
        let day = 4 + u32::try_from(n % 3).unwrap();
        let id = d.case(&format!("2024-03-{day:02}"), "南山区富力小区棚户区改造项目的征收补偿安置方案").await;
        let mut body = json!({"decided_on": "2024-03-29", "outcome": outcome});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        d.ok(id, "decision", body).await;
        out.push((name.to_owned(), d.letter(id, "decision", "text").await));
        decided.push(outcome);
    }
    let more = [
        ("not_processed_petition_complaint", "要求查处南山区某工地夜间违规施工的问题", json!({})),
        (
            "not_processed_publication",
            "《鹤岗市南山区年鉴（2023）》全文",
            json!({"basis": "《鹤岗市南山区年鉴（2023）》已由黑龙江人民出版社出版，可在鹤岗市图书馆、南山区档案馆查阅或者通过新华书店购买。"}),
        ),
        (
            "not_processed_confirm_or_reissue",
            "请确认我手中的南山区政府2019年批复复印件是否真实有效",
            json!({"basis": "您已于2023年10月取得该批复文件的复印件。"}),
        ),
        (
            "other_misc",
            "南山区1985年的土地征用档案",
            json!({"basis": "该档案已于2010年移交鹤岗市南山区档案馆，请依照《中华人民共和国档案法》的规定向该馆申请利用。"}),
        ),
    ];
    for (outcome, description, extra) in more {
        let id = d.case("2024-03-05", description).await;
        let mut body = json!({"decided_on": "2024-03-29", "outcome": outcome});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        d.ok(id, "decision", body).await;
        out.push((outcome.to_owned(), d.letter(id, "decision", "text").await));
        decided.push(outcome);
    }

    // Art. 30: the correction notice and the corrected application, still unclear.
    let id = d.case("2024-03-04", "有关文件").await;
    d.ok(
        id,
        "correction-request",
        json!({"issued_on": "2024-03-06", "respond_by": "2024-03-20",
        "matters": "请写明所需文件的名称、文号或者便于查询的其他特征性描述。"}),
    )
    .await;
    out.push(("correction_notice".to_owned(), d.letter(id, "correction_notice", "text").await));
    d.ok(id, "correction", json!({"received_on": "2024-03-15"})).await;
    d.ok(id, "decision", json!({"decided_on": "2024-04-08", "outcome": "unavailable_still_unclear"})).await;
    out.push(("unavailable_still_unclear".to_owned(), d.letter(id, "decision", "text").await));
    decided.push("unavailable_still_unclear");

    // Art. 30: the correction lapsed.
    let id = d.case("2024-03-04", "有关文件").await;
    d.ok(
        id,
        "correction-request",
        json!({"issued_on": "2024-03-06", "respond_by": "2024-03-20", "matters": "请写明文件名称。"}),
    )
    .await;
    d.ok(id, "decision", json!({"decided_on": "2024-03-21", "outcome": "other_correction_overdue"})).await;
    out.push(("other_correction_overdue".to_owned(), d.letter(id, "decision", "text").await));
    decided.push("other_correction_overdue");

    // 109号: the fee not paid (the notice went by post; its delivery was recorded).
    let id = d.case("2024-03-04", "南山区2020年至2023年全部征收项目的补偿协议").await;
    d.ok(id, "fee-notice", json!({"issued_on": "2024-03-06", "basis": "per_page", "pages": 260})).await;
    out.push(("fee_notice_per_page_by_post".to_owned(), d.letter(id, "fee_notice", "text").await));
    let letter = d.letters(id).await.into_iter().find(|l| l["kind"] == "fee_notice").unwrap();
    d.served(letter["id"].as_i64().unwrap(), "2024-03-11").await;
    d.ok(id, "decision", json!({"decided_on": "2024-04-10", "outcome": "other_fee_unpaid"})).await;
    out.push(("other_fee_unpaid".to_owned(), d.letter(id, "decision", "text").await));
    decided.push("other_fee_unpaid");

    // Art. 35: reasons asked for, given, found unreasonable.
    let id = d.case("2024-03-04", "南山区各部门2010年以来的全部收文登记簿").await;
    d.ok(id, "reasons-request", json!({"requested_on": "2024-03-06", "respond_by": "2024-03-15",
        "grounds": "自2024年2月1日至3月4日，您向本机关提出政府信息公开申请47件，其中39件为要求提供不同部门同一类登记簿。"}))
    .await;
    out.push(("reasons_request".to_owned(), d.letter(id, "reasons_request", "text").await));
    d.ok(id, "reasons", json!({"received_on": "2024-03-13", "reasons": "用于个人研究"})).await;
    let basis = json!("所称研究用途与所申请信息的数量、范围明显不相称。");
    d.ok(id, "decision", json!({"decided_on": "2024-03-22", "outcome": "not_processed_excessive", "basis": basis}))
        .await;
    out.push(("not_processed_excessive".to_owned(), d.letter(id, "decision", "text").await));
    decided.push("not_processed_excessive");

    // Art. 36 (6): the same request again, after a reply.
    let first = d.case("2024-01-08", "南山区富力小区棚户区改造项目的征收决定").await;
    let body = json!({"decided_on": "2024-01-22", "outcome": "disclosed", "basis": "随本答复书提供。"});
    d.ok(first, "decision", body).await;
    let again = d.case("2024-03-04", "南山区富力小区棚户区改造项目的征收决定").await;
    d.ok(
        again,
        "decision",
        json!({"decided_on": "2024-03-11", "outcome": "not_processed_repeated", "repeats_case_id": first}),
    )
    .await;
    out.push(("not_processed_repeated".to_owned(), d.letter(again, "decision", "text").await));
    decided.push("not_processed_repeated");

    let mut all: Vec<&str> = decided.clone();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 21, "every outcome code is answered: {all:?}");
    // The article each letter prints is the domain table's: the citation of exactly one of its
    // outcome's situations.
    for (name, text) in &out {
        let outcome = name.trim_end_matches("_already_public").trim_end_matches("_not_this_agency");
        if let Ok(outcome) = serde_json::from_value::<gongkai::domain::Outcome>(json!(outcome)) {
            let cited: Vec<Situation> = Situation::of_outcome(outcome)
                .filter(|s| !s.citation().is_empty() && text.contains(&s.citation()))
                .collect();
            assert_eq!(cited.len(), usize::from(outcome != gongkai::domain::Outcome::OtherMisc), "{name}: {cited:?}");
            assert_eq!(text.matches("特此").count(), 1, "{name}: one closing");
        }
    }
    snapshots(out);
}

/// A request of three items answered one by one; an organisation; refusals either side of the
/// revised Administrative Reconsideration Law.
#[tokio::test]
async fn a_reply_by_items_an_organisation_and_the_2024_cut_over() {
    let d = desk().await;
    let mut out = Vec::new();
    let mut body = by_post(d.agency, "2024-03-04", "南山区富力小区棚户区改造项目的相关文件");
    body["items"] = json!([{"description": "征收范围红线图"}, {"description": "区政府常务会议关于补偿标准的讨论纪要"}, {"description": "2015年的入户调查原始记录"}]);
    let case = expect(d.app.post("/api/v1/cases", &d.clerk, &body).await, StatusCode::CREATED).await;
    let id = case["id"].as_i64().unwrap();
    let item = |i: usize| case["items"][i]["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2024-03-29", "basis": "如需纸质件，可到本机关政务公开办公室领取。", "items": [
        {"id": item(0), "outcome": "disclosed", "basis": "红线图随本答复书提供。"},
        {"id": item(1), "outcome": "withheld_process_information", "basis": REASON},
        {"id": item(2), "outcome": "unavailable_not_held", "basis": "经检索本机关2015年档案，未发现入户调查原始记录。"},
    ]});
    let decided = d.ok(id, "decision", decision).await;
    assert_eq!(decided["outcome"], "partially_disclosed");
    let text = d.letter(id, "decision", "text").await;
    assert!(!text.contains("第三十七条"), "items answered one by one are not 区分处理 of one piece of information");
    assert!(text.contains("应当先申请行政复议"), "the strictest remedy any item needs: {text}");
    out.push(("by_items".to_owned(), text));
    out.push(("by_items_html".to_owned(), d.letter(id, "decision", "html").await));

    // An organisation is addressed as 贵单位.
    let mut body = intake_body(d.agency, "2024-03-04");
    body["applicant"] = json!({"category": "commercial_enterprise", "name": "鹤岗市某某建筑工程有限公司",
        "id_number": "91350100M000100Y43", "address": "鹤岗市工农区建设路8号"});
    body["description"] = json!("2023年南山区政府投资项目招标控制价");
    let org = d.register(&body).await;
    let basis = json!("经检索，本机关未制作、获取该信息。");
    d.ok(org, "decision", json!({"decided_on": "2024-03-20", "outcome": "unavailable_not_held", "basis": basis})).await;
    let text = d.letter(org, "decision", "text").await;
    let body_text = text.split_once("有限公司：").unwrap().1;
    assert!(!body_text.contains('您'), "{text}");
    out.push(("organisation".to_owned(), text));

    // 2023-12-29: a direct suit until the day before the cut-over, reconsideration first after;
    // 2024-01-02: reconsideration first.
    for (name, received, decided) in
        [("refusal_2023_12_29", "2023-12-04", "2023-12-29"), ("refusal_2024_01_02", "2023-12-11", "2024-01-02")]
    {
        let id = d.case(received, "南山区2023年第12次常务会议纪要").await;
        let body = json!({"decided_on": decided, "outcome": "withheld_process_information", "basis": REASON});
        d.ok(id, "decision", body).await;
        out.push((name.to_owned(), d.letter(id, "decision", "text").await));
    }
    snapshots(out);
}

/// Consultations: a third party (Art. 32) and a co-producing agency (Art. 34); a disclosure over
/// the third party's objection; a withdrawal; the acknowledgement, extension and rectification.
#[tokio::test]
async fn consultations_disclosure_over_an_objection_and_the_other_notices() {
    let d = desk().await;
    let mut out = Vec::new();
    let id = d.case("2024-03-04", "南山区2023年老旧小区改造工程的施工合同").await;
    out.push(("acknowledgement".to_owned(), d.letter(id, "acknowledgement", "text").await));
    let third = d
        .ok(
            id,
            "consultations",
            json!({"party_kind": "third_party", "party": "鹤岗市某某建筑工程有限公司", "sent_on": "2024-03-06"}),
        )
        .await;
    let agency = d
        .ok(
            id,
            "consultations",
            json!({"party_kind": "agency", "party": "鹤岗市南山区住房和城乡建设局", "sent_on": "2024-03-06"}),
        )
        .await;
    let (third, agency) = (third["id"].as_i64().unwrap(), agency["id"].as_i64().unwrap());
    let letter = |cid: i64| format!("/api/v1/cases/{id}/letters/consultation_letter?format=text&consultation_id={cid}");
    let third_letter = d.app.get(&letter(third), &d.officer).await.text().await.unwrap();
    let agency_letter = d.app.get(&letter(agency), &d.officer).await.text().await.unwrap();
    assert!(agency_letter.contains("征求意见函") && agency_letter.contains("视为同意公开"), "{agency_letter}");
    assert!(!agency_letter.contains("第三十二条") && !third_letter.contains("第三十四条"));
    out.push(("consultation_third_party".to_owned(), third_letter));
    out.push(("consultation_agency".to_owned(), agency_letter));
    // The agency agrees; the third party objects, and the agency discloses nonetheless.
    d.ok(id, &format!("consultations/{agency}/reply"), json!({"replied_on": "2024-03-12", "opinion": "consent"})).await;
    d.ok(id, &format!("consultations/{third}/reply"), json!({"replied_on": "2024-03-15", "opinion": "objection"}))
        .await;
    let disclose = json!({"decided_on": "2024-04-03", "outcome": "disclosed", "basis": "施工合同随本答复书提供。"});
    let problem = d.refused(id, "decision", disclose.clone(), "objection_reason_required").await;
    assert_eq!(fields(&problem), ["over_objection_reason"]);
    let mut over = disclose;
    over["over_objection_reason"] = json!(
        "该合同系使用财政资金的政府投资项目合同，其价款和履约情况涉及公共利益，不公开可能对公共利益造成重大影响。"
    );
    d.ok(id, "decision", over).await;
    let letters = d.letters(id).await;
    let notice = letters.iter().find(|l| l["kind"] == "disclosure_notice_to_third_party").unwrap();
    assert_eq!((notice["consultation_id"].as_i64(), notice["delivery"].as_str()), (Some(third), Some("print")));
    assert_eq!(notice["recipient"], "鹤岗市某某建筑工程有限公司");
    assert_eq!(
        letters.iter().filter(|l| l["kind"] == "disclosure_notice_to_third_party").count(),
        1,
        "only to who objected"
    );
    out.push(("disclosed_over_objection".to_owned(), d.letter(id, "decision", "text").await));
    out.push((
        "disclosure_notice_to_third_party".to_owned(),
        d.letter(id, "disclosure_notice_to_third_party", "text").await,
    ));
    out.push((
        "disclosure_notice_to_third_party_html".to_owned(),
        d.letter(id, "disclosure_notice_to_third_party", "html").await,
    ));
    // A refusal after the objection says the third party was consulted (Art. 15, 32, 36 (3)).
    let id = d.case("2024-03-04", "鹤岗市某某建筑工程有限公司的投标报价明细").await;
    let third = d
        .ok(
            id,
            "consultations",
            json!({"party_kind": "third_party", "party": "鹤岗市某某建筑工程有限公司", "sent_on": "2024-03-06"}),
        )
        .await;
    let third = third["id"].as_i64().unwrap();
    d.ok(id, &format!("consultations/{third}/reply"), json!({"replied_on": "2024-03-15", "opinion": "objection"}))
        .await;
    let basis = json!("投标报价明细系该公司的商业秘密，其不同意公开的理由成立。");
    d.ok(id, "decision", json!({"decided_on": "2024-04-03", "outcome": "withheld_third_party_rights", "basis": basis}))
        .await;
    let text = d.letter(id, "decision", "text").await;
    assert!(text.contains("第十五条、第三十二条、第三十六条第（三）项") && text.contains("第三方不同意公开"), "{text}");
    out.push(("withheld_third_party_rights_after_objection".to_owned(), text));

    // The extension notice names the due date before the extension, then the new one.
    let id = d.case("2024-03-04", "南山区2023年度财政预算执行情况").await;
    let extension = json!({"approved_on": "2024-03-28", "notified_on": "2024-03-28", "working_days": 15,
        "reason": "所申请信息涉及多个部门，需要调取、汇总的档案数量较多"});
    d.ok(id, "extension", extension).await;
    let text = d.letter(id, "extension_notice", "text").await;
    assert!(text.contains("原应于2024年4月1日前答复") && text.contains("将于2024年4月23日前作出答复"), "{text}");
    out.push(("extension_notice".to_owned(), text));

    // A withdrawal is confirmed, without a reply on the substance or remedies.
    let id = d.case("2024-03-04", "南山区2023年度财政预算执行情况").await;
    d.ok(id, "withdrawal", json!({"withdrawn_on": "2024-03-08"})).await;
    let text = d.letter(id, "withdrawal_confirmation", "text").await;
    assert!(!text.contains("行政复议") && !text.contains("行政诉讼") && !text.contains("答复如下"), "{text}");
    out.push(("withdrawal_confirmation".to_owned(), text));
    let response = d.app.get(&format!("/api/v1/cases/{id}/letters/decision"), &d.officer).await;
    expect_problem(response, StatusCode::CONFLICT, "letter_not_applicable").await;

    // A letter sent for a step recorded by mistake is withdrawn by a rectification of today.
    let id = d.case("2024-03-04", "有关文件").await;
    let request = json!({"issued_on": "2024-03-06", "respond_by": "2024-03-20", "matters": "请写明文件名称。"});
    d.ok(id, "correction-request", request).await;
    let revoke = json!({"reason": "补正告知误录入本案"});
    expect(d.app.post(&format!("/api/v1/cases/{id}/steps/2/revoke"), &d.supervisor, &revoke).await, StatusCode::OK)
        .await;
    let text = d.letter(id, "rectification", "text").await;
    // A consultation letter sent by mistake is withdrawn by a letter to the party consulted.
    let consulted = d.case("2024-03-04", "有关文件").await;
    let body = json!({"party_kind": "third_party", "party": "鹤岗市某某物业服务有限公司", "sent_on": "2024-03-06"});
    d.ok(consulted, "consultations", body).await;
    let revoke = json!({"reason": "征求意见对象选择错误"});
    let path = format!("/api/v1/cases/{consulted}/steps/2/revoke");
    expect(d.app.post(&path, &d.supervisor, &revoke).await, StatusCode::OK).await;
    let letters = d.letters(consulted).await;
    let rectification = letters.iter().find(|l| l["kind"] == "rectification").unwrap();
    assert_eq!(
        (rectification["recipient"].as_str(), rectification["delivery"].as_str()),
        (Some("鹤岗市某某物业服务有限公司"), Some("print"))
    );
    let to_party = d.letter(consulted, "rectification", "text").await;
    assert!(
        to_party.contains("鹤岗市某某物业服务有限公司：")
            && !to_party.contains("张三")
            && !to_party.contains("送达地址"),
        "{to_party}"
    );
    // Dated and numbered in the year it is issued: today.
    let today = china_today();
    let (year, day) = (today.format("〔%Y〕").to_string(), today.format("%Y年%-m月%-d日").to_string());
    out.push(("rectification".to_owned(), text.replace(&day, "【今天】").replace(&year, "〔今年〕")));
    out.push((
        "rectification_to_third_party".to_owned(),
        to_party.replace(&day, "【今天】").replace(&year, "〔今年〕"),
    ));
    snapshots(out);
}

/// Fee notices: per page, and per request for a request of May whose notice is issued in June.
#[tokio::test]
async fn fee_notices_name_the_scale_the_month_and_the_requests_counted() {
    let d = desk().await;
    let mut out = Vec::new();
    // Twelve requests of one applicant received in May; the twelfth is charged in June.
    let mut last = 0;
    for day in 6..18 {
        last = d.case(&format!("2024-05-{day:02}"), &format!("南山区2023年第{day}号会议纪要")).await;
    }
    d.ok(last, "fee-notice", json!({"issued_on": "2024-06-03", "basis": "per_request"})).await;
    let text = d.letter(last, "fee_notice", "text").await;
    assert!(text.contains("2024年5月向本机关提出的第12件") && !text.contains("本月"), "{text}");
    assert!(text.contains("第11—30件，每件100元") && text.contains("NS-2024-00012"), "{text}");
    assert!(text.contains("自收到本通知书之日的次日起20个工作日内缴纳") && !text.contains("即于"), "by post: {text}");
    out.push(("fee_notice_per_request_across_a_month".to_owned(), text));
    out.push(("fee_notice_per_request_across_a_month_html".to_owned(), d.letter(last, "fee_notice", "html").await));

    // By e-mail the notice arrives the day it is sent: the last day is known and printed.
    let id = d.register(&intake_body(d.agency, "2024-03-04")).await;
    d.ok(id, "fee-notice", json!({"issued_on": "2024-03-06", "basis": "per_page", "pages": 120})).await;
    let text = d.letter(id, "fee_notice", "text").await;
    assert!(text.contains("即于2024年4月3日前缴纳"), "{text}");
    out.push(("fee_notice_per_page_by_email".to_owned(), text));
    snapshots(out);
}

/// Every decision whose letter would state a fact the case does not show is refused (422, with a
/// stable code and the field), and nothing is recorded.
#[tokio::test]
async fn decisions_are_refused_when_the_facts_their_letters_state_are_missing() {
    let d = desk().await;
    let id = d.case("2024-03-04", "南山区2023年第12次常务会议纪要").await;
    let decide = |outcome: &str, extra: Value| {
        let mut body = json!({"decided_on": "2024-03-29", "outcome": outcome});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    // A refusal, a partial disclosure, a publication, information already public, another
    // agency's information, any other handling: each without the text its article requires.
    for (outcome, extra) in [
        ("withheld_process_information", json!({})),
        ("withheld_administrative_inquiry", json!({})),
        ("partially_disclosed", json!({})),
        ("not_processed_publication", json!({})),
        ("disclosed", json!({"already_public": true})),
        (
            "unavailable_not_held",
            json!({"responsible_agency": {"name": "鹤岗市自然资源局", "contact": "0468-3456789"}}),
        ),
        ("other_misc", json!({})),
    ] {
        let problem = d.refused(id, "decision", decide(outcome, extra), "basis_required").await;
        assert_eq!(fields(&problem), ["basis"], "{outcome}");
        assert!(problem["detail"].as_str().unwrap().contains("条例") || outcome == "other_misc", "{problem}");
    }
    // A fact named for an outcome it does not belong to.
    let problem = d
        .refused(id, "decision", decide("unavailable_not_held", json!({"already_public": true})), "fact_not_applicable")
        .await;
    assert_eq!(fields(&problem), ["already_public"]);
    // Still unclear without any correction.
    d.refused(id, "decision", decide("unavailable_still_unclear", json!({})), "correction_missing").await;
    // Excessive without a request for reasons; then while the applicant may still answer.
    d.refused(id, "decision", decide("not_processed_excessive", json!({})), "reasons_not_requested").await;
    let reasons = d.post(id, "reasons", json!({"received_on": "2024-03-06", "reasons": "研究"})).await;
    expect_problem(reasons, StatusCode::CONFLICT, "reasons_not_requested").await;
    let request = json!({"requested_on": "2024-03-06", "respond_by": "2024-04-01", "grounds": "一个月内申请四十件"});
    d.ok(id, "reasons-request", request.clone()).await;
    d.refused(id, "reasons-request", request, "reasons_already_requested").await;
    let problem = d.refused(id, "decision", decide("not_processed_excessive", json!({})), "reasons_pending").await;
    assert_eq!(fields(&problem), ["decided_on"]);
    // A repeated request without the earlier case, with one that does not exist, with another
    // applicant's, with one this agency has not answered yet.
    d.refused(id, "decision", decide("not_processed_repeated", json!({})), "earlier_case_required").await;
    let problem = d
        .refused(
            id,
            "decision",
            decide("not_processed_repeated", json!({"repeats_case_id": 99999})),
            "earlier_case_invalid",
        )
        .await;
    assert_eq!(fields(&problem), ["repeats_case_id"]);
    let mut other = by_post(d.agency, "2024-01-08", "南山区2023年第12次常务会议纪要");
    other["applicant"] = json!({"category": "natural_person", "name": "李四", "id_number": "110105198001010016"});
    let other = d.register(&other).await;
    d.ok(other, "decision", json!({"decided_on": "2024-01-22", "outcome": "disclosed"})).await;
    let body = decide("not_processed_repeated", json!({"repeats_case_id": other}));
    let problem = d.refused(id, "decision", body, "earlier_case_invalid").await;
    assert!(problem["detail"].as_str().unwrap().contains("同一申请人"), "{problem}");
    let open = d.case("2024-03-01", "南山区2023年第12次常务会议纪要").await;
    d.refused(
        id,
        "decision",
        decide("not_processed_repeated", json!({"repeats_case_id": open})),
        "earlier_case_invalid",
    )
    .await;
    // Another agency's case is not seen: as if it did not exist.
    let elsewhere = d.app.agency("BQ", None).await;
    let clerk = d.app.user("bq clerk", Role::Clerk, Some(elsewhere)).await;
    let foreign =
        expect(d.app.post("/api/v1/cases", &clerk, &intake_body(elsewhere, "2024-01-08")).await, StatusCode::CREATED)
            .await;
    let body = decide("not_processed_repeated", json!({"repeats_case_id": foreign["id"]}));
    d.refused(id, "decision", body, "earlier_case_invalid").await;
    // Nothing was recorded by any of these.
    let case = d.case_json(id).await;
    assert_eq!((case["status"].as_str(), case["version"].as_i64()), (Some("received"), Some(2)), "{case}");

    // An amendment to a refusal needs the refusal's reason.
    let done = d.case("2024-03-04", "南山区2023年第12次常务会议纪要").await;
    d.ok(done, "decision", json!({"decided_on": "2024-03-20", "outcome": "disclosed"})).await;
    let amendment = json!({"outcome": "withheld_process_information", "reason": "结果录错"});
    d.refused(done, "amendment", amendment, "basis_required").await;
    let amendment = json!({"outcome": "withheld_process_information", "reason": "结果录错", "basis": REASON});
    d.ok(done, "amendment", amendment).await;
    assert!(d.letter(done, "decision", "text").await.contains(REASON));
}

/// A decision or a fee notice of an agency whose settings lack what the letter must name is
/// refused (409, `agency_settings_missing`), and its step is not recorded.
#[tokio::test]
async fn a_letter_that_cannot_name_the_forums_or_the_way_to_pay_is_not_issued() {
    let app = spawn_app().await;
    let agency = app.bare_agency("NS", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let id = app.intake(&officer, agency, "2024-03-04").await["id"].as_i64().unwrap();
    let decision = json!({"decided_on": "2024-03-20", "outcome": "disclosed"});
    let path = format!("/api/v1/cases/{id}/decision");
    let problem =
        expect_problem(app.post(&path, &officer, &decision).await, StatusCode::CONFLICT, "agency_settings_missing")
            .await;
    assert!(problem["detail"].as_str().unwrap().contains("行政复议机关"), "{problem}");
    let fee = json!({"issued_on": "2024-03-06", "basis": "per_page", "pages": 120});
    let fee_path = format!("/api/v1/cases/{id}/fee-notice");
    let problem =
        expect_problem(app.post(&fee_path, &officer, &fee).await, StatusCode::CONFLICT, "agency_settings_missing")
            .await;
    assert!(problem["detail"].as_str().unwrap().contains("缴纳方式"), "{problem}");
    let case = expect(app.get(&format!("/api/v1/cases/{id}"), &officer).await, StatusCode::OK).await;
    assert_eq!((case["status"].as_str(), case["version"].as_i64()), (Some("received"), Some(1)), "nothing recorded");
    let events = expect(app.get(&format!("/api/v1/cases/{id}/events"), &officer).await, StatusCode::OK).await;
    assert_eq!(events.as_array().unwrap().len(), 1);
    // Once entered, the same steps go through.
    let settings =
        json!({"reconsideration_body": "鹤岗市人民政府", "court": "鹤岗市中级人民法院", "fee_payment": "现场缴纳"});
    let put =
        app.client.put(app.url(&format!("/api/v1/agencies/{agency}/settings"))).bearer_auth(&app.admin).json(&settings);
    expect(put.send().await.unwrap(), StatusCode::OK).await;
    expect(app.post(&fee_path, &officer, &fee).await, StatusCode::OK).await;
}

/// The recorded delivery (送达) of a posted consultation letter or fee notice moves the reply and
/// payment periods; the letters, issued before it was known, state the rule and no date.
#[tokio::test]
async fn a_recorded_delivery_moves_the_consultation_and_fee_periods() {
    let d = desk().await;
    let letter_id =
        |letters: Vec<Value>, kind: &str| letters.iter().find(|l| l["kind"] == kind).unwrap()["id"].as_i64().unwrap();

    // Consultation: sent on Wednesday 6 March 2024, received on Monday 11 March.
    let id = d.case("2024-03-04", "南山区2023年老旧小区改造工程的施工合同").await;
    let body = json!({"party_kind": "third_party", "party": "鹤岗市某某建筑工程有限公司", "sent_on": "2024-03-06"});
    d.ok(id, "consultations", body).await;
    let before = d.case_json(id).await;
    assert_eq!(before["consultations"][0]["reply_due"], "2024-03-27", "from the sending day while unknown");
    let text = d.letter(id, "consultation_letter", "text").await;
    assert!(
        text.contains("自收到本征求意见书之日起15个工作日内，向本机关") && !text.contains("2024年3月27日"),
        "{text}"
    );
    d.served(letter_id(d.letters(id).await, "consultation_letter"), "2024-03-11").await;
    let after = d.case_json(id).await;
    assert_eq!(after["consultations"][0]["reply_due"], "2024-04-01", "15 working days from the day received");
    // The pause lasts three working days longer (28 and 29 March, 1 April): so does the period.
    assert_eq!((before["due_on"].as_str(), after["due_on"].as_str()), (Some("2024-04-23"), Some("2024-04-26")));

    // Fee: sent on 6 March, received on 11 March.
    let id = d.case("2024-03-04", "南山区2020年至2023年全部征收项目的补偿协议").await;
    let lapsing = d.case("2024-03-04", "南山区2020年至2023年全部征收项目的补偿协议").await;
    let mut days = Vec::new();
    for case in [id, lapsing] {
        let before =
            d.ok(case, "fee-notice", json!({"issued_on": "2024-03-06", "basis": "per_page", "pages": 120})).await;
        d.served(letter_id(d.letters(case).await, "fee_notice"), "2024-03-11").await;
        let after = d.case_json(case).await;
        days.push((
            before["fee"]["pay_by"].as_str().unwrap().to_owned(),
            after["fee"]["pay_by"].as_str().unwrap().to_owned(),
        ));
    }
    let (sent_by, received_by) = days[0].clone();
    assert_eq!((sent_by.as_str(), received_by.as_str()), ("2024-04-03", "2024-04-09"), "from the day after receipt");
    let text = d.letter(id, "fee_notice", "text").await;
    assert!(text.contains("自收到本通知书之日的次日起20个工作日内缴纳") && !text.contains("即于"), "{text}");
    // A payment after the period counted from the sending day is within the law's.
    let paid = d.ok(id, "fee-payment", json!({"paid_on": "2024-04-08"})).await;
    assert_eq!(paid["status"], "received");
    // And the request lapses only after the period counted from receipt.
    let early = json!({"decided_on": "2024-04-05", "outcome": "other_fee_unpaid"});
    d.refused(lapsing, "decision", early, "fee_not_lapsed").await;
    let lapsed = d.ok(lapsing, "decision", json!({"decided_on": "2024-04-10", "outcome": "other_fee_unpaid"})).await;
    assert_eq!(lapsed["outcome"], "other_fee_unpaid");
    assert!(d.letter(lapsing, "decision", "text").await.contains("缴费期限至2024年4月9日"));
}

//! Precision and recall of the repeat look-up over a population of a few hundred requests with
//! planted repeats (the same applicant, the request reworded: clauses reordered, synonyms and
//! abbreviations, dates and politeness added) and planted near misses (another applicant with the
//! same text; a namesake without identity document and with other contacts; the same applicant on
//! other subjects, one of them the same budget of another year). Every planted repeat must be
//! found, no near miss may rank above it, and the precision and recall at the threshold are printed.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt};
use gongkai::domain::identity::resident_id_with_check;
use gongkai::domain::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect, spawn_app, TestApp};

/// Subjects, each as three wordings a person might use for the same request.
const SUBJECTS: &[[&str; 3]] = &[
    [
        "申请公开南山区富力小区棚户区改造项目的补偿安置方案及补偿标准",
        "您好，本人再次申请：富力小区棚户区改造项目补偿标准和补偿安置方案，请依法公开。2025年3月",
        "请提供南山区富力小区棚改项目的补偿安置方案、补偿标准文件，谢谢！",
    ],
    [
        "申请公开滨海大道拓宽工程建设项目环境影响评价报告书及其审批意见",
        "关于滨海大道拓宽工程的环境影响评价报告书和审批意见，请予公开",
        "本人要求获取：滨海大道拓宽工程环境影响报告书、环评审批意见（2024年）",
    ],
    [
        "申请公开2022年沙河街道集体土地征收的征地批复文件及征地补偿安置方案公告",
        "请公开沙河街道2022年征收集体土地的批复文件和补偿安置方案公告",
        "本人依法申请获取：沙河街道集体土地征收（2022年度）征地批复、补偿安置方案公告，谢谢",
    ],
    [
        "申请公开区市场监督管理局对华强食品有限公司作出的行政处罚决定书",
        "请提供市场监督管理局给华强食品有限公司的行政处罚决定书全文",
        "华强食品有限公司被区市场监管局行政处罚的决定书，申请公开，谢谢。",
    ],
    [
        "申请公开区教育局2023年度部门预算及“三公”经费预算表",
        "请公开2023年区教育局部门预算、三公经费预算表",
        "您好！申请获取区教育局（2023年度）的部门预算和三公经费预算",
    ],
    [
        "申请公开翠竹花园三期项目的建设工程规划许可证及附图",
        "请提供翠竹花园三期建设工程规划许可证和附图",
        "本人想了解翠竹花园三期的建设工程规划许可证（含附图），申请公开",
    ],
    [
        "申请公开区政府2024年第12次常务会议关于老旧小区加装电梯的会议纪要",
        "请公开区政府常务会议（2024年第12次）有关老旧小区加装电梯的纪要",
        "关于老旧小区加装电梯，区政府2024年第十二次常务会议的会议纪要，申请公开",
    ],
    [
        "申请公开区卫生健康局2024年救护车采购项目的政府采购合同及中标通知书",
        "请提供区卫健局2024年救护车采购的采购合同和中标通知书",
        "本人申请公开：救护车采购项目（区卫生健康局，2024年）政府采购合同、中标通知书",
    ],
    [
        "申请公开梧桐山隧道工程的立项批复及可行性研究报告批复",
        "请公开梧桐山隧道工程立项批复文件和可研报告批复",
        "梧桐山隧道工程的可行性研究报告批复及立项批复，请依法提供",
    ],
    [
        "申请公开城中村改造项目（水围村）的房屋征收决定及征收公告",
        "请提供水围村城中村改造项目房屋征收决定和征收公告",
        "本人再次申请水围村城中村改造的房屋征收决定、征收公告，请予公开，谢谢",
    ],
    [
        "申请公开2025年度区义务教育阶段公办学校招生划片范围及确定依据",
        "请公开区公办学校义务教育阶段2025年招生划片范围和划片依据",
        "2025年公办小学、初中招生的学区划片范围和确定依据，申请公开",
    ],
    [
        "申请公开东部生活垃圾焚烧发电厂的污染物排放在线监测数据（2024年1月至6月）",
        "请提供东部垃圾焚烧发电厂2024年上半年的污染物排放在线监测数据",
        "本人要求公开：东部生活垃圾焚烧发电厂污染物在线监测排放数据，时间为2024年1-6月",
    ],
    [
        "申请公开2023年本街道困难群众临时救助资金的发放名单及金额",
        "请公开本街道2023年度临时救助资金发放名单和发放金额",
        "关于困难群众临时救助，申请获取2023年街道救助资金发放名单、金额",
    ],
    [
        "申请公开深南大道与科技路交叉口交通信号灯配时方案的制定依据",
        "请提供深南大道科技路路口信号灯配时方案及其制定依据",
        "深南大道和科技路交叉口的交通信号配时方案依据，申请依法公开",
    ],
    [
        "申请公开区城市管理和综合执法局对本小区违法建设的查处记录及处理决定",
        "请公开城管执法局查处本小区违法建设的记录和处理决定",
        "本小区违法建设被区城市管理综合执法局查处的记录、处理决定，请予提供",
    ],
    [
        "申请公开绿景佳园项目的商品房预售许可证及预售方案",
        "请提供绿景佳园商品房预售许可证和预售方案，谢谢",
        "绿景佳园的预售许可证以及商品房预售方案，本人申请公开",
    ],
    // Another subject though it reads much like subject 4: the budget of another year.
    [
        "申请公开区教育局2024年度部门预算及“三公”经费预算表",
        "请公开2024年区教育局部门预算、三公经费预算表",
        "您好！申请获取区教育局（2024年度）的部门预算和三公经费预算",
    ],
];

const APPLICANTS: usize = 80;
/// Applicants from this index on give no identity document (name and phone only).
const WITHOUT_DOCUMENT: usize = 60;
/// Applicants below this index make a planted repeat.
const REPEATERS: usize = 48;

/// One request of the population: who (by index), which subject, registered as which case.
#[derive(Clone, Debug)]
struct Request {
    applicant: usize,
    subject: usize,
    received_on: String,
    text: &'static str,
    planted_repeat: bool,
}

fn identity(i: usize) -> Option<String> {
    (i < WITHOUT_DOCUMENT).then(|| resident_id_with_check(&format!("11010519{:02}0101{:03}", 50 + i % 40, i)).unwrap())
}

fn applicant(i: usize, phone_of: usize) -> Value {
    let surnames = ["王", "李", "张", "刘", "陈"];
    json!({
        "category": "natural_person",
        "name": format!("{}{}", surnames[i % surnames.len()], ["伟", "芳", "静", "强"][i % 4]),
        "id_number": identity(i),
        "phone": format!("139{:08}", phone_of),
    })
}

/// The population: each applicant asks about three subjects (the first wording), on days of
/// January to June 2025; the repeaters then ask the first of them again reworded, in August to
/// November. For each repeat, another applicant sends the very same text the same day; the
/// repeaters asking about a budget asked about the budget of the other year too; and each
/// repeater without a document has a namesake with another phone who sent the very text of the
/// original request before the repeat.
fn population() -> Vec<(Request, Value)> {
    let mut out = Vec::new();
    let day = |n: usize| {
        let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 2).unwrap();
        (start + chrono::Days::new(u64::try_from(n).unwrap())).to_string()
    };
    let request = |applicant, subject, on: usize, text, planted_repeat| Request {
        applicant,
        subject,
        received_on: day(on),
        text,
        planted_repeat,
    };
    for i in 0..APPLICANTS {
        for k in 0..3 {
            let subject = (i * 5 + k * 7) % SUBJECTS.len();
            out.push((request(i, subject, (i * 3 + k * 50) % 180, SUBJECTS[subject][0], false), applicant(i, i)));
        }
    }
    let repeaters = (0..REPEATERS).chain(WITHOUT_DOCUMENT..WITHOUT_DOCUMENT + 8);
    for (n, i) in repeaters.enumerate() {
        let subject = (i * 5) % SUBJECTS.len();
        let text = SUBJECTS[subject][1 + n % 2];
        out.push((request(i, subject, 210 + n, text, true), applicant(i, i)));
        // Another applicant (with a document of their own), the very same text.
        let other = (i + 17) % WITHOUT_DOCUMENT;
        out.push((request(other, subject, 210 + n, text, false), applicant(other, other)));
        // The same applicant, the same budget of the other year.
        let sibling = match subject {
            4 => Some(16),
            16 => Some(4),
            _ => None,
        };
        if let Some(sibling) = sibling {
            out.push((request(i, sibling, 200, SUBJECTS[sibling][0], false), applicant(i, i)));
        }
        if i >= WITHOUT_DOCUMENT {
            // A namesake (same name, another phone) sent the original's very text.
            out.push((request(1000 + i, subject, 190, SUBJECTS[subject][0], false), applicant(i, 5000 + i)));
        }
    }
    out
}

async fn register(app: &TestApp, agency: i64, request: &Request, who: &Value) -> i64 {
    let body = json!({"agency_id": agency, "channel": "post", "received_on": request.received_on, "applicant": who, "description": request.text});
    expect(app.post("/api/v1/cases", &app.admin, &body).await, StatusCode::CREATED).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn planted_repeats_are_found_and_no_near_miss_ranks_above_them() {
    let app = spawn_app().await;
    let agency = app.agency("A", None).await;
    let officer = app.user("officer", Role::Officer, Some(agency)).await;
    let requests = population();
    // Registered in order of receipt, as an intake desk would (the repeats last).
    let mut ordered: Vec<&(Request, Value)> = requests.iter().collect();
    ordered.sort_by(|a, b| a.0.received_on.cmp(&b.0.received_on));
    let mut cases: BTreeMap<i64, Request> = BTreeMap::new();
    for (request, who) in ordered {
        cases.insert(register(&app, agency, request, who).await, request.clone());
    }

    let lookups: Vec<(i64, Vec<Value>)> = stream::iter(cases.keys().copied())
        .map(|id| {
            let (app, officer) = (&app, &officer);
            async move {
                let body = expect(app.get(&format!("/api/v1/cases/{id}/similar"), officer).await, StatusCode::OK).await;
                (id, body["items"].as_array().unwrap().clone())
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;

    // The truth: a listed case repeats a case when the same applicant asked about the same subject.
    let truly = |case: &Request, listed: &Request| {
        case.applicant == listed.applicant && case.subject == listed.subject && case.subject != usize::MAX
    };
    let (mut listed, mut true_listed, mut planted, mut found) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for (id, items) in &lookups {
        let case = &cases[id];
        let listed_requests: Vec<(i64, &Request, f64)> = items
            .iter()
            .map(|i| {
                let listed_id = i["case_id"].as_i64().unwrap();
                (listed_id, &cases[&listed_id], i["score"].as_f64().unwrap())
            })
            .collect();
        listed += listed_requests.len();
        true_listed += listed_requests.iter().filter(|(_, r, _)| truly(case, r)).count();
        for (_, r, score) in listed_requests.iter().filter(|(_, r, _)| !truly(case, r)) {
            println!("listed, not a repeat ({score}): {} / {}", case.text, r.text);
        }
        if case.planted_repeat {
            let earlier: BTreeSet<i64> =
                cases.iter().filter(|(_, r)| truly(case, r) && !r.planted_repeat).map(|(id, _)| *id).collect();
            planted += 1;
            let position = listed_requests.iter().position(|(listed_id, _, _)| earlier.contains(listed_id));
            match position {
                Some(p) => {
                    found += 1;
                    // Nothing above the planted original but true repeats.
                    for (_, above, score) in &listed_requests[..p] {
                        assert!(truly(case, above), "near miss {above:?} ({score}) above the repeat of {case:?}");
                    }
                }
                None => {
                    misses.push((case.text, listed_requests.iter().map(|(_, r, s)| (r.text, *s)).collect::<Vec<_>>()))
                }
            }
        }
    }
    let precision = true_listed as f64 / listed.max(1) as f64;
    let recall = found as f64 / planted.max(1) as f64;
    println!(
        "repeat look-up over {} requests: {planted} planted repeats, {found} found; {listed} listed, {true_listed} true: precision {precision:.3}, recall {recall:.3}",
        cases.len()
    );
    assert!(misses.is_empty(), "planted repeats not found: {misses:#?}");
    assert!(precision >= 0.9, "precision {precision:.3}");
}

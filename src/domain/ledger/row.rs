//! One row of a ledger turned into a validated case, with the same rules as the API's intake and
//! decision (identity check characters, dates in order, no conclusion before receipt, texts within
//! their limits), every problem named by row, column, code and a Chinese message.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::appeals::{parse_appeals, LedgerAppeal};
use super::cells::{parse_date, Cell};
use super::labels::{self, StatusReading};
use super::{HeaderMap, LedgerColumn};
use crate::domain::error::Errors;
use crate::domain::ids::AgencyId;
use crate::domain::intake::{check_intake_dates, check_step_date, parse_applicant, ApplicantInput, NewCase};
use crate::domain::{limits, Outcome};

/// One problem of an import: the row (as the sheet numbers it), the column (as the file names it),
/// a stable code and a Chinese message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// The row of the sheet, 1-based as Excel shows it (0: the file as a whole).
    pub row: u32,
    /// The column's header in the file (empty: the row as a whole).
    pub column: String,
    /// Stable, e.g. `invalid_date`, `invalid_identity_number`, `duplicate_case_number`.
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// How the case concluded, as the ledger says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerConclusion {
    pub on: NaiveDate,
    pub outcome: Outcome,
    /// Recorded as a withdrawal (the outcome is then `other_misc`).
    pub withdrawn: bool,
    pub basis: Option<String>,
}

/// What the ledger says of a case without a date: kept with the import's event and written back
/// on export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LedgerFacts {
    #[serde(default)]
    pub corrected: bool,
    #[serde(default)]
    pub consulted: bool,
    #[serde(default)]
    pub extended: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_fen: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

/// A valid row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerCase {
    pub row: u32,
    /// The ledger's 申请编号, when it has one (else the case gets the agency's next number).
    pub case_number: Option<String>,
    pub intake: NewCase,
    pub conclusion: Option<LedgerConclusion>,
    pub facts: LedgerFacts,
    pub appeals: Vec<LedgerAppeal>,
}

impl LedgerCase {
    /// The earliest date the row records (its receipt date): the first year its import touches.
    pub fn earliest(&self) -> NaiveDate {
        self.intake.received_on
    }
}

/// A row as read: its sheet row number and its cells by column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawRow {
    pub number: u32,
    pub cells: BTreeMap<LedgerColumn, Cell>,
}

impl RawRow {
    fn text(&self, column: LedgerColumn) -> String {
        self.cells.get(&column).map(Cell::text).unwrap_or_default()
    }

    fn cell(&self, column: LedgerColumn) -> &Cell {
        self.cells.get(&column).unwrap_or(&Cell::Empty)
    }

    /// Whether every cell is empty (a blank line between or after the data).
    pub fn is_blank(&self) -> bool {
        self.cells.values().all(Cell::is_empty)
    }
}

/// The problems of one row, collected while it is read.
struct RowProblems<'a> {
    row: u32,
    header: &'a HeaderMap,
    problems: Vec<Problem>,
}

impl RowProblems<'_> {
    fn add(&mut self, column: Option<LedgerColumn>, code: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            row: self.row,
            column: column.map(|c| self.header.name(c)).unwrap_or_default(),
            code: code.to_owned(),
            message: message.into(),
        });
    }
}

/// The ledger column of a field the intake's rules name, and the code of its problem.
fn column_of_field(field: &str) -> (LedgerColumn, &'static str) {
    match field {
        "applicant.name" => (LedgerColumn::ApplicantName, "invalid_name"),
        "applicant.id_number" => (LedgerColumn::IdNumber, "invalid_identity_number"),
        "applicant.category" => (LedgerColumn::ApplicantCategory, "invalid_applicant_type"),
        "applicant.phone" | "applicant.email" | "applicant.address" => (LedgerColumn::Contact, "invalid_contact"),
        "description" => (LedgerColumn::Description, "invalid_description"),
        "received_on" => (LedgerColumn::ReceivedOn, "invalid_date"),
        _ => (LedgerColumn::Remarks, "invalid_value"),
    }
}

/// Split a contact cell into phone, e-mail and address: parts separated by `；`, `;`, `,` or `，`;
/// one with `@` is the e-mail address, one of digits (and `-+() `) the phone, anything else the
/// address.
fn split_contact(text: &str) -> (Option<String>, Option<String>, Option<String>) {
    let (mut phone, mut email, mut address) = (Vec::new(), None, Vec::new());
    for part in text.split(['；', ';', '，', ',', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        if part.contains('@') && email.is_none() {
            email = Some(part.to_owned());
        } else if part.chars().all(|c| c.is_ascii_digit() || "-+() 转".contains(c)) {
            phone.push(part);
        } else {
            address.push(part);
        }
    }
    let join = |parts: Vec<&str>| (!parts.is_empty()).then(|| parts.join("，"));
    (join(phone), email, join(address))
}

/// Validate one row on `today` for `agency_id`.
///
/// # Errors
/// Every problem of the row (none is left out because another was found first).
pub fn validate_row(
    raw: &RawRow,
    header: &HeaderMap,
    agency_id: AgencyId,
    today: NaiveDate,
) -> Result<LedgerCase, Vec<Problem>> {
    let mut p = RowProblems { row: raw.number, header, problems: Vec::new() };
    for (column, cell) in &raw.cells {
        match cell {
            Cell::Formula(formula) => p.add(
                Some(*column),
                "formula_cell",
                format!("单元格是公式（={formula}），不导入公式：请将其复制后“粘贴为数值”"),
            ),
            Cell::Error(value) => p.add(Some(*column), "error_cell", format!("单元格是错误值 {value}")),
            _ => {}
        }
    }
    if !p.problems.is_empty() {
        return Err(p.problems);
    }
    let mut errors = Errors::default();
    let case_number =
        errors.optional_text("case_number", Some(&raw.text(LedgerColumn::CaseNumber)), limits::CASE_NUMBER);
    let date = |column: LedgerColumn, p: &mut RowProblems<'_>| match parse_date(raw.cell(column)) {
        Ok(date) => date,
        Err(message) => {
            p.add(Some(column), "invalid_date", message);
            None
        }
    };
    let received_on = date(LedgerColumn::ReceivedOn, &mut p);
    let concluded_on = date(LedgerColumn::ConcludedOn, &mut p);
    // The due date is the service's to compute: a date written there is read only to be checked.
    date(LedgerColumn::DueOn, &mut p);
    let received_date_given = !raw.cell(LedgerColumn::ReceivedOn).is_empty();
    if received_on.is_none() && !received_date_given {
        p.add(Some(LedgerColumn::ReceivedOn), "missing_value", "必须填写收到申请日期");
    }
    let mut parsed = |column: LedgerColumn, code: &str, parse: &dyn Fn(&str) -> Result<(), String>| {
        let text = raw.text(column);
        if text.is_empty() {
            return;
        }
        if let Err(message) = parse(&text) {
            p.add(Some(column), code, message);
        }
    };
    let channel = std::cell::Cell::new(None);
    let category = std::cell::Cell::new(None);
    let outcome = std::cell::Cell::new(None);
    let status = std::cell::Cell::new(None);
    let flags = std::cell::Cell::new([false; 3]);
    let fee = std::cell::Cell::new(None);
    let appeals = std::cell::RefCell::new(Vec::new());
    parsed(LedgerColumn::Channel, "unknown_channel", &|t| labels::parse_channel(t).map(|c| channel.set(Some(c))));
    parsed(LedgerColumn::ApplicantCategory, "unknown_applicant_type", &|t| {
        labels::parse_category(t).map(|c| category.set(Some(c)))
    });
    parsed(LedgerColumn::Outcome, "unknown_outcome", &|t| labels::parse_outcome(t).map(|o| outcome.set(Some(o))));
    parsed(LedgerColumn::Status, "unknown_status", &|t| labels::parse_status(t).map(|s| status.set(s)));
    for (i, column) in
        [LedgerColumn::Corrected, LedgerColumn::Consulted, LedgerColumn::Extended].into_iter().enumerate()
    {
        parsed(column, "invalid_yes_no", &|t| {
            labels::parse_yes_no(t).map(|yes| {
                let mut all = flags.get();
                all[i] = yes;
                flags.set(all);
            })
        });
    }
    parsed(LedgerColumn::Fee, "invalid_amount", &|t| labels::parse_fen(t).map(|f| fee.set(f)));
    parsed(LedgerColumn::Appeals, "unrecognised_appeal", &|t| parse_appeals(t).map(|a| *appeals.borrow_mut() = a));
    if raw.text(LedgerColumn::Channel).is_empty() {
        p.add(Some(LedgerColumn::Channel), "missing_value", "必须填写申请方式");
    }
    let id_number = raw.text(LedgerColumn::IdNumber);
    if id_number.contains(['*', '＊']) {
        p.add(
            Some(LedgerColumn::IdNumber),
            "masked_identity_number",
            "证件号码已脱敏（含“*”），无法核对校验位：请使用完整号码，或将此格留空",
        );
    }
    let contact = raw.text(LedgerColumn::Contact);
    let (phone, email, address) = split_contact(&contact);
    let (name, description) = (raw.text(LedgerColumn::ApplicantName), raw.text(LedgerColumn::Description));
    let input = ApplicantInput {
        category: category.get(),
        name: &name,
        id_type: None,
        id_number: Some(id_number.as_str()).filter(|n| !n.contains(['*', '＊'])),
        phone: phone.as_deref(),
        email: email.as_deref(),
        address: address.as_deref(),
    };
    let applicant = parse_applicant(&mut errors, "applicant", &input, today);
    let description = errors.text("description", &description, limits::DESCRIPTION);
    let basis = errors.optional_text("basis", Some(&raw.text(LedgerColumn::Basis)), limits::BASIS);
    let remarks = errors.optional_text("remarks", Some(&raw.text(LedgerColumn::Remarks)), limits::REASON);
    if let Some(received) = received_on {
        check_intake_dates(&mut errors, None, received, today);
    }
    if let Err(violation) = errors.finish() {
        for error in violation.errors {
            let (column, code) = match error.field.as_str() {
                "case_number" => (LedgerColumn::CaseNumber, "invalid_case_number"),
                "basis" => (LedgerColumn::Basis, "invalid_basis"),
                "remarks" => (LedgerColumn::Remarks, "invalid_remarks"),
                "applicant.category" if raw.text(LedgerColumn::ApplicantCategory).is_empty() => {
                    (LedgerColumn::ApplicantCategory, "missing_value")
                }
                "applicant.category" => continue, // the type's own message was given above
                field => column_of_field(field),
            };
            let code = if error.message == "不能为空" { "missing_value" } else { code };
            p.add(Some(column), code, error.message);
        }
    }
    let conclusion = match (concluded_on, outcome.get(), received_on) {
        (Some(on), Some(reading), Some(received)) => {
            match check_step_date("decided_on", on, received, today) {
                Ok(()) => {}
                Err(violation) => p.add(Some(LedgerColumn::ConcludedOn), violation.code, violation.detail),
            }
            Some(LedgerConclusion { on, outcome: reading.outcome, withdrawn: reading.withdrawn, basis })
        }
        (Some(_), None, _) if raw.text(LedgerColumn::Outcome).is_empty() => {
            p.add(Some(LedgerColumn::Outcome), "outcome_required", "写了答复日期的申请必须填写办理结果");
            None
        }
        (None, Some(_), _) if !raw.cell(LedgerColumn::ConcludedOn).is_empty() => None, // the date's own problem
        (None, Some(_), _) => {
            p.add(Some(LedgerColumn::ConcludedOn), "date_required", "写了办理结果的申请必须填写答复日期");
            None
        }
        _ => None,
    };
    // A withdrawal the ledger notes beside `其他` (in the remarks, or as the basis).
    let withdrawn_by_remark = conclusion.as_ref().is_some_and(|c| {
        c.outcome == Outcome::OtherMisc && [&remarks, &c.basis].into_iter().flatten().any(|text| text.contains("撤回"))
    });
    match (status.get(), &conclusion) {
        (Some(StatusReading::Voided), _) => {
            p.add(Some(LedgerColumn::Status), "voided_row", "已作废的登记不予导入：请删去此行");
        }
        (Some(StatusReading::Concluded), None) if concluded_on.is_none() && outcome.get().is_none() => {
            p.add(Some(LedgerColumn::Status), "status_contradicts_dates", "办理状态为已办结，但没有答复日期和办理结果")
        }
        (Some(StatusReading::Open), Some(_)) => p.add(
            Some(LedgerColumn::Status),
            "status_contradicts_dates",
            "办理状态为办理中，但已填写答复日期和办理结果",
        ),
        _ => {}
    }
    let appeals = appeals.into_inner();
    for appeal in &appeals {
        let on_time = match (&conclusion, appeal.decided) {
            (None, _) => Err("未办结的申请不能有行政复议或行政诉讼".to_owned()),
            (Some(c), _) if appeal.filed_on < c.on => Err(format!(
                "提起日期{}早于答复日期{}",
                crate::domain::cn_date(appeal.filed_on),
                crate::domain::cn_date(c.on)
            )),
            (_, Some((_, decided))) if decided < appeal.filed_on => Err("审结日期早于提起日期".to_owned()),
            (_, Some((_, decided))) if decided > today => Err("审结日期晚于今天".to_owned()),
            _ if appeal.filed_on > today => Err("提起日期晚于今天".to_owned()),
            _ => Ok(()),
        };
        if let Err(message) = on_time {
            p.add(Some(LedgerColumn::Appeals), "appeal_dates", message);
        }
    }
    if !p.problems.is_empty() {
        return Err(p.problems);
    }
    let (Some(received_on), Some(channel), Some(applicant)) = (received_on, channel.get(), applicant) else {
        p.add(None, "invalid_row", "此行无法读取");
        return Err(p.problems);
    };
    let [corrected, consulted, extended] = flags.get();
    let conclusion = conclusion.map(|c| LedgerConclusion { withdrawn: c.withdrawn || withdrawn_by_remark, ..c });
    Ok(LedgerCase {
        row: raw.number,
        case_number,
        intake: NewCase {
            agency_id,
            channel,
            submitted_on: None,
            received_on,
            applicant,
            description,
            items: Vec::new(),
        },
        conclusion,
        facts: LedgerFacts { corrected, consulted, extended, fee_fen: fee.get(), remarks },
        appeals,
    })
}

/// The rows of a file checked: the valid cases and every problem, a case number used twice in the
/// file being a problem of each of its rows after the first.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Data rows read (blank lines not counted).
    pub rows: u32,
    pub valid: Vec<LedgerCase>,
    pub problems: Vec<Problem>,
}

impl Checked {
    /// The number of rows with at least one problem.
    pub fn invalid_rows(&self) -> u32 {
        let mut rows: Vec<u32> = self.problems.iter().map(|p| p.row).collect();
        rows.sort_unstable();
        rows.dedup();
        u32::try_from(rows.len()).unwrap_or(u32::MAX)
    }

    /// Add a row's check.
    pub fn push(&mut self, result: Result<LedgerCase, Vec<Problem>>) {
        self.rows += 1;
        match result {
            Ok(case) => self.valid.push(case),
            Err(problems) => self.problems.extend(problems),
        }
    }

    /// Refuse the rows whose case number an earlier row of the file has (case-insensitively for
    /// ASCII letters and ignoring surrounding white space).
    pub fn refuse_duplicate_numbers(&mut self, header: &HeaderMap) {
        let mut seen: HashMap<String, u32> = HashMap::new();
        let mut kept = Vec::with_capacity(self.valid.len());
        for case in std::mem::take(&mut self.valid) {
            let Some(number) = case.case_number.as_deref().map(str::to_ascii_uppercase) else {
                kept.push(case);
                continue;
            };
            match seen.get(&number) {
                Some(&first) if first != case.row => self.problems.push(Problem {
                    row: case.row,
                    column: header.name(LedgerColumn::CaseNumber),
                    code: "duplicate_case_number".to_owned(),
                    message: format!("申请编号“{}”在本文件第{first}行已出现", number),
                }),
                _ => {
                    seen.insert(number, case.row);
                    kept.push(case);
                }
            }
        }
        self.valid = kept;
        self.problems.sort_by_key(|p| p.row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> HeaderMap {
        let mut header = HeaderMap { row: 1, ..HeaderMap::default() };
        for (i, column) in LedgerColumn::ALL.into_iter().enumerate() {
            header.columns.insert(column, (i, column.header().to_owned()));
        }
        header
    }

    fn row(number: u32, cells: &[(LedgerColumn, Cell)]) -> RawRow {
        let mut raw = RawRow { number, cells: BTreeMap::new() };
        for (column, text) in [
            (LedgerColumn::CaseNumber, "NS-2019-00001"),
            (LedgerColumn::ReceivedOn, "2019-03-05"),
            (LedgerColumn::Channel, "当面"),
            (LedgerColumn::ApplicantCategory, "自然人"),
            (LedgerColumn::ApplicantName, "张三"),
            (LedgerColumn::IdNumber, "11010519491231002X"),
            (LedgerColumn::Contact, "13800000000；zhang@example.com"),
            (LedgerColumn::Description, "棚户区改造补偿标准"),
            (LedgerColumn::ConcludedOn, "2019年3月20日"),
            (LedgerColumn::Outcome, "不予公开：属于国家秘密"),
        ] {
            raw.cells.insert(column, Cell::Text(text.into()));
        }
        for (column, cell) in cells {
            raw.cells.insert(*column, cell.clone());
        }
        raw
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    fn check(raw: &RawRow) -> Result<LedgerCase, Vec<Problem>> {
        validate_row(raw, &header(), AgencyId::new(1), today())
    }

    #[test]
    fn a_complete_row_becomes_a_concluded_case() {
        let case = check(&row(2, &[])).unwrap();
        assert_eq!(case.case_number.as_deref(), Some("NS-2019-00001"));
        assert_eq!(case.intake.applicant.phone.as_deref(), Some("13800000000"));
        assert_eq!(case.intake.applicant.email.as_deref(), Some("zhang@example.com"));
        let conclusion = case.conclusion.unwrap();
        assert_eq!(conclusion.outcome, Outcome::WithheldStateSecret);
        assert_eq!(conclusion.on, NaiveDate::from_ymd_opt(2019, 3, 20).unwrap());
    }

    #[test]
    fn every_problem_of_a_row_is_named_by_its_column() {
        let raw = row(
            7,
            &[
                (LedgerColumn::IdNumber, Cell::Text("110105194912310021".into())),
                (LedgerColumn::ConcludedOn, Cell::Text("2019-03-01".into())),
                (LedgerColumn::Channel, Cell::Text("飞鸽".into())),
            ],
        );
        let problems = check(&raw).unwrap_err();
        let codes: Vec<(&str, &str)> = problems.iter().map(|p| (p.column.as_str(), p.code.as_str())).collect();
        assert!(codes.contains(&("证件号码", "invalid_identity_number")), "{codes:?}");
        assert!(codes.contains(&("答复日期", "date_before_receipt")), "{codes:?}");
        assert!(codes.contains(&("申请方式", "unknown_channel")), "{codes:?}");
        assert!(problems.iter().all(|p| p.row == 7 && p.message.chars().any(crate::domain::error::is_cjk)));
    }

    #[test]
    fn a_text_in_a_date_column_and_a_formula_are_refused() {
        let problems = check(&row(3, &[(LedgerColumn::ReceivedOn, Cell::Text("三月初".into()))])).unwrap_err();
        assert_eq!(problems[0].code, "invalid_date");
        assert!(problems[0].message.contains("三月初"));
        let problems = check(&row(3, &[(LedgerColumn::ConcludedOn, Cell::Formula("TODAY()".into()))])).unwrap_err();
        assert_eq!(problems[0].code, "formula_cell");
    }

    #[test]
    fn an_open_case_has_neither_date_nor_outcome() {
        let open = check(&row(
            4,
            &[(LedgerColumn::ConcludedOn, Cell::Empty), (LedgerColumn::Outcome, Cell::Text(String::new()))],
        ))
        .unwrap();
        assert_eq!(open.conclusion, None);
        let half = check(&row(4, &[(LedgerColumn::ConcludedOn, Cell::Empty)])).unwrap_err();
        assert_eq!(half[0].code, "date_required");
    }

    #[test]
    fn a_withdrawal_noted_in_the_remarks_is_one() {
        let case = check(&row(
            5,
            &[
                (LedgerColumn::Outcome, Cell::Text("其他处理".into())),
                (LedgerColumn::Remarks, Cell::Text("申请人主动撤回".into())),
            ],
        ))
        .unwrap();
        assert!(case.conclusion.unwrap().withdrawn);
    }

    #[test]
    fn a_case_number_twice_in_the_file_is_a_problem_of_the_later_row() {
        let mut checked = Checked::default();
        checked.push(check(&row(2, &[])));
        checked.push(check(&row(3, &[(LedgerColumn::CaseNumber, Cell::Text("ns-2019-00001".into()))])));
        checked.refuse_duplicate_numbers(&header());
        assert_eq!(checked.valid.len(), 1);
        assert_eq!(checked.problems[0].row, 3);
        assert_eq!(checked.problems[0].code, "duplicate_case_number");
        assert!(checked.problems[0].message.contains("第2行"));
        assert_eq!(checked.invalid_rows(), 1);
    }
}

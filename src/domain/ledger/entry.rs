//! One case as a line of the exported ledger: its eighteen cells in the export's order.

use chrono::NaiveDate;

use super::appeals::{format_appeals, LedgerAppeal};
use super::labels::yuan;
use crate::domain::{ApplicantCategory, CaseStatus, Channel, Outcome};

/// A cell of the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Empty,
    Text(String),
    /// Written as a date in XLSX, `2019-03-05` in CSV.
    Date(NaiveDate),
    /// An amount in fen, written in yuan with two decimals.
    Money(i64),
}

impl Value {
    fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            Self::Empty
        } else {
            Self::Text(text)
        }
    }

    fn date(date: Option<NaiveDate>) -> Self {
        date.map_or(Self::Empty, Self::Date)
    }

    /// The value as CSV text.
    pub fn csv(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(text) => text.clone(),
            Self::Date(date) => super::cells::iso(*date),
            Self::Money(fen) => yuan(*fen),
        }
    }
}

/// What the ledger shows of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub case_number: String,
    pub received_on: NaiveDate,
    pub channel: Channel,
    pub category: ApplicantCategory,
    pub name: String,
    /// As the caller may see it (masked or whole).
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub description: String,
    pub status: CaseStatus,
    pub due_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub withdrawn: bool,
    pub basis: Option<String>,
    pub corrected: bool,
    pub consulted: bool,
    pub extended: bool,
    pub fee_fen: Option<i64>,
    pub appeals: Vec<LedgerAppeal>,
}

/// What the basis column says of a withdrawal without a stated basis (read back as a withdrawal).
pub const WITHDRAWN_BASIS: &str = "申请人撤回申请";

fn yes_no(value: bool) -> Value {
    Value::text(if value { "是" } else { "否" })
}

impl LedgerEntry {
    /// The eighteen cells, in the order of [`super::LedgerColumn::EXPORTED`].
    pub fn values(&self) -> [Value; 18] {
        let contact = [&self.phone, &self.email, &self.address]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("；");
        let basis = match (&self.basis, self.withdrawn) {
            (Some(basis), _) => basis.clone(),
            (None, true) => WITHDRAWN_BASIS.to_owned(),
            (None, false) => String::new(),
        };
        [
            Value::text(self.case_number.clone()),
            Value::Date(self.received_on),
            Value::text(self.channel.label()),
            Value::text(self.category.label()),
            Value::text(self.name.clone()),
            Value::text(self.id_number.clone().unwrap_or_default()),
            Value::text(contact),
            Value::text(self.description.clone()),
            Value::text(self.status.label()),
            Value::date(self.due_on),
            Value::date(self.concluded_on),
            Value::text(self.outcome.map(Outcome::label).unwrap_or_default()),
            Value::text(basis),
            yes_no(self.corrected),
            yes_no(self.consulted),
            yes_no(self.extended),
            self.fee_fen.map_or(Value::Empty, Value::Money),
            Value::text(format_appeals(&self.appeals)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::super::cells::Cell;
    use super::super::row::{validate_row, RawRow};
    use super::super::{HeaderMap, LedgerColumn};
    use super::*;
    use crate::domain::types::{AppealKind, AppealResult};
    use crate::domain::AgencyId;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn an_exported_line_reads_back_as_the_same_case() {
        let entry = LedgerEntry {
            case_number: "NS-2019-00007".into(),
            received_on: d(2019, 3, 5),
            channel: Channel::Letter,
            category: ApplicantCategory::OtherOrg,
            name: "某协会".into(),
            id_number: None,
            phone: Some("0468-1234567".into()),
            email: Some("a@example.com".into()),
            address: Some("南山区某路1号".into()),
            description: "2018年预算".into(),
            status: CaseStatus::Concluded,
            due_on: Some(d(2019, 4, 2)),
            concluded_on: Some(d(2019, 3, 29)),
            outcome: Some(Outcome::OtherMisc),
            withdrawn: true,
            basis: None,
            corrected: true,
            consulted: false,
            extended: true,
            fee_fen: Some(12_050),
            appeals: vec![LedgerAppeal {
                kind: AppealKind::Reconsideration,
                filed_on: d(2019, 4, 10),
                decided: Some((AppealResult::Corrected, d(2019, 6, 1))),
            }],
        };
        let values = entry.values();
        let mut header = HeaderMap { row: 1, ..HeaderMap::default() };
        let mut raw = RawRow { number: 2, ..RawRow::default() };
        for (i, (column, value)) in LedgerColumn::EXPORTED.into_iter().zip(values.iter()).enumerate() {
            header.columns.insert(column, (i, column.header().to_owned()));
            raw.cells.insert(column, Cell::Text(value.csv()));
        }
        let case = validate_row(&raw, &header, AgencyId::new(1), d(2026, 12, 5)).unwrap();
        assert_eq!(case.case_number.as_deref(), Some("NS-2019-00007"));
        assert_eq!(case.intake.channel, Channel::Letter);
        assert_eq!(case.intake.applicant.category, ApplicantCategory::OtherOrg);
        assert_eq!(case.intake.applicant.address.as_deref(), Some("南山区某路1号"));
        let conclusion = case.conclusion.unwrap();
        assert_eq!(
            (conclusion.outcome, conclusion.withdrawn, conclusion.on),
            (Outcome::OtherMisc, true, d(2019, 3, 29))
        );
        assert!(case.facts.corrected && case.facts.extended && !case.facts.consulted);
        assert_eq!(case.facts.fee_fen, Some(12_050));
        assert_eq!(case.appeals, entry.appeals);
    }
}

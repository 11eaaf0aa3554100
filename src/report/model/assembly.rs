//! The whole statistical part: the report assembled from its input, with its checks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

/// The result of one consistency check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Check {
    /// `identity`, `outcomes_sum`, `total_column`, `carried_over_matches_previous_year` or
    /// `section_four_totals`.
    pub name: String,
    /// What the check verifies, in Chinese (校验项).
    #[serde(default)]
    pub label: String,
    /// Whether the check held.
    pub passed: bool,
    /// What was compared, in Chinese: on failure the columns or rows that differ, with their numbers.
    pub detail: String,
    /// The parts of the table each failure concerns, for marking them on a page. Not part of the
    /// JSON (a report read back from a seal has none; see [`crate::report::highlight`]).
    #[serde(skip)]
    #[schema(ignore)]
    pub failing: Vec<FailingPart>,
}

/// The part of a table that a failing check names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailingPart {
    /// A column of section three.
    Column(Column),
    /// A row of section three.
    Row(RowKey),
    /// A row (appeal kind) of section four.
    Appeal(AppealKind),
    /// The check as a whole (a malformed table).
    Whole,
}

/// The statistical part of an annual report (sections two to four) with its checks. Serialises to the
/// JSON shape of api.md, plus `agency_name`, `scope`, `section_two_status` and, when entered,
/// `section_two`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AnnualReport {
    /// The reported year Y.
    pub year: i32,
    /// The agency reported on.
    pub agency_id: i64,
    /// The agency's name, for titles.
    pub agency_name: String,
    /// The format of the tables.
    pub template: Template,
    /// 本级 (`own`: the agency alone) or 汇总 (`compiled`: its subtree).
    pub scope: ReportScope,
    /// Section two (proactive disclosure) when figures were entered: the agency's own, or in a
    /// compiled report the sum of those the subtree's agencies entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_two: Option<SectionTwo>,
    /// Whether section two was entered (未填报 when not), and by which agencies not.
    pub section_two_status: SectionTwoStatus,
    /// Section three.
    pub section_three: SectionThree,
    /// Section four.
    pub section_four: SectionFour,
    /// The five checks, in the order of report.md.
    pub checks: Vec<Check>,
}

/// Everything a report is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportInput {
    /// The reported year Y.
    pub year: i32,
    /// The agency reported on.
    pub agency_id: i64,
    /// The agency's name.
    pub agency_name: String,
    /// The format; usually `Template::for_year(year)`.
    pub template: Template,
    /// The agency alone or its subtree.
    pub scope: ReportScope,
    /// Section three's aggregated counts.
    pub counts: Counts,
    /// Section four's aggregated counts.
    pub appeals: AppealCounts,
    /// Section two's entered figures, if any (for a compiled report, their sum: [`SectionTwo::sum`]).
    pub section_two: Option<SectionTwo>,
    /// The agencies of the report without section-two figures in the template.
    pub section_two_missing: Vec<AgencyRef>,
}

impl AnnualReport {
    /// Builds the tables and runs the checks.
    ///
    /// # Errors
    ///
    /// `ReportError::SectionTwoTemplate` when section two was entered in the other template's format,
    /// `ReportError::InvalidSectionTwo` when one of its counts is negative.
    pub fn build(input: ReportInput) -> Result<Self, crate::report::ReportError> {
        if let Some(section_two) = &input.section_two {
            if section_two.template() != input.template {
                return Err(crate::report::ReportError::SectionTwoTemplate {
                    report: input.template,
                    section_two: section_two.template(),
                });
            }
            section_two.validate()?;
        }
        let section_three = SectionThree::from_counts(input.template, &input.counts);
        let section_four = SectionFour::from_counts(&input.appeals);
        let previous = input.counts.previous_carried_forward.as_ref().map(|map| {
            let mut values: Vec<i64> =
                ApplicantCategory::ALL.iter().map(|c| map.get(c).copied().unwrap_or(0)).collect();
            values.push(values.iter().fold(0i64, |sum, &v| sum.saturating_add(v)));
            values
        });
        let checks = crate::report::checks::run_all(input.year, &section_three, &section_four, previous.as_deref());
        let section_two_status = SectionTwoStatus::new(input.section_two.is_some(), input.section_two_missing);
        Ok(Self {
            year: input.year,
            agency_id: input.agency_id,
            agency_name: input.agency_name,
            template: input.template,
            scope: input.scope,
            section_two: input.section_two,
            section_two_status,
            section_three,
            section_four,
            checks,
        })
    }

    /// The number at (`row`, `column`) of section three; 0 for a row the template does not have.
    pub fn cell(&self, row: RowKey, column: Column) -> i64 {
        self.section_three.get(row, column).unwrap_or(0)
    }

    /// Whether every check passed.
    pub fn all_checks_passed(&self) -> bool {
        self.checks.iter().all(|check| check.passed)
    }

    /// The report's title, naming the agency, the year and the scope:
    /// "<agency_name><year>年政府信息公开工作年度报告（统计部分·本级|汇总）".
    pub fn title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告（统计部分·{}）", self.agency_name, self.year, self.scope.label())
    }

    /// Whether two reports say the same: the template, scope, every figure of sections two to four,
    /// section two's status and each check's verdict. Wording (labels, titles, the checks' sentences)
    /// is left out, so a report sealed before a label was reworded does not differ from today's.
    pub fn same_figures(&self, other: &Self) -> bool {
        let rows = |r: &Self| r.section_three.rows.iter().map(|row| (row.key, row.values.clone())).collect::<Vec<_>>();
        let verdicts = |r: &Self| r.checks.iter().map(|c| (c.name.clone(), c.passed)).collect::<Vec<_>>();
        let status = |r: &Self| {
            let s = &r.section_two_status;
            (s.state, s.missing_agencies.iter().map(|a| a.id).collect::<Vec<_>>())
        };
        // A status reconstructed for an old seal says less than today's; only the figures count.
        let inferred = self.section_two_status.inferred || other.section_two_status.inferred;
        self.year == other.year
            && self.agency_id == other.agency_id
            && self.template == other.template
            && self.scope == other.scope
            && self.section_two == other.section_two
            && (inferred || status(self) == status(other))
            && rows(self) == rows(other)
            && self.section_four == other.section_four
            && verdicts(self) == verdicts(other)
    }

    /// A sealed report read back from its stored JSON. Reports sealed before a field existed are
    /// completed from what they do say, without touching their figures: `scope` from the seal's own
    /// scope, `section_two_status` from whether section two is present (marked `inferred`, so that
    /// [`AnnualReport::same_figures`] compares only the figures), each check's `label` from
    /// its name, and a check's sentence when it was stored in English (sealed reports have only
    /// passed checks) by a Chinese one.
    ///
    /// # Errors
    ///
    /// The text is not a report.
    pub fn from_sealed_json(text: &str, include_descendants: bool) -> Result<Self, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        let inferred = !value.get("section_two_status").is_some_and(|s| s.is_object());
        let mut report: Self = serde_json::from_value(upgrade(value, include_descendants))?;
        report.section_two_status.inferred = inferred;
        for check in &mut report.checks {
            if check.label.is_empty() {
                check.label = crate::report::checks::label(&check.name).to_owned();
            }
            if !check.detail.chars().any(crate::domain::error::is_cjk) {
                check.detail = if check.passed { "封存时已通过" } else { "封存时未通过" }.to_owned();
            }
        }
        Ok(report)
    }
}

/// A sealed report's JSON completed with the fields it was sealed without (see
/// [`AnnualReport::from_sealed_json`]).
fn upgrade(mut value: serde_json::Value, include_descendants: bool) -> serde_json::Value {
    if let Some(object) = value.as_object_mut() {
        object.entry("scope").or_insert_with(|| serde_json::json!(ReportScope::of(include_descendants).as_str()));
        if !object.contains_key("section_two_status") {
            let entered = object.get("section_two").is_some_and(|s| !s.is_null());
            let missing = match (entered, object.get("agency_id"), object.get("agency_name")) {
                (false, Some(id), Some(name)) => vec![serde_json::json!({"id": id, "name": name})],
                _ => Vec::new(),
            };
            let state = if entered { SectionTwoState::Entered } else { SectionTwoState::Missing };
            object.insert(
                "section_two_status".to_owned(),
                serde_json::json!({"state": state, "label": state.label(), "missing_agencies": missing}),
            );
        }
    }
    value
}

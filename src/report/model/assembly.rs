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
    /// Whether the check held.
    pub passed: bool,
    /// What was compared: on failure the columns or rows that differ, with their numbers.
    pub detail: String,
}

/// The statistical part of an annual report (sections two to four) with its checks. Serialises to the
/// JSON shape of api.md, plus `agency_name` and, when entered, `section_two`.
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
    /// Section two (proactive disclosure), when its figures were entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_two: Option<SectionTwo>,
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
    /// Section three's aggregated counts.
    pub counts: Counts,
    /// Section four's aggregated counts.
    pub appeals: AppealCounts,
    /// Section two's entered figures, if any.
    pub section_two: Option<SectionTwo>,
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
        Ok(Self {
            year: input.year,
            agency_id: input.agency_id,
            agency_name: input.agency_name,
            template: input.template,
            section_two: input.section_two,
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

    /// The report's title: "<agency_name><year>年政府信息公开工作年度报告（统计部分）".
    pub fn title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告（统计部分）", self.agency_name, self.year)
    }
}

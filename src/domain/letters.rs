//! What makes a letter a document: its number, and whether it goes out at all.

use chrono::NaiveDate;

use super::types::LetterKind;

/// How letters are numbered and when they are sent (configuration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterPolicy {
    /// E.g. `{prefix}{kind}〔{year}〕{n}号`.
    pub number_pattern: String,
    /// A step recorded more than this many days after its own date keeps its letter unsent.
    pub backdated_days: u32,
}

impl Default for LetterPolicy {
    fn default() -> Self {
        Self { number_pattern: "{prefix}{kind}〔{year}〕{n}号".to_owned(), backdated_days: 3 }
    }
}

impl LetterPolicy {
    /// The document number of the `n`-th letter of `kind` of an agency in `year`.
    pub fn document_number(&self, prefix: &str, kind: LetterKind, year: i32, n: i32) -> String {
        self.number_pattern
            .replace("{prefix}", prefix)
            .replace("{kind}", kind.mark())
            .replace("{year}", &year.to_string())
            .replace("{n}", &n.to_string())
    }

    /// The counter a letter of `kind` draws its number from: its kind's, or one shared by every
    /// kind when the pattern does not name the kind (so that no two letters share a number).
    pub fn counter(&self, kind: LetterKind) -> &'static str {
        if self.number_pattern.contains("{kind}") {
            kind.as_str()
        } else {
            "*"
        }
    }

    /// Whether a step dated `effective_on` and recorded on `today` was entered after the fact.
    pub fn is_backdated(&self, effective_on: NaiveDate, today: NaiveDate) -> bool {
        (today - effective_on).num_days() > i64::from(self.backdated_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_number_follows_the_pattern() {
        let policy = LetterPolicy::default();
        assert_eq!(policy.document_number("南政信公", LetterKind::Decision, 2026, 12), "南政信公答〔2026〕12号");
        let custom = LetterPolicy { number_pattern: "{prefix}〔{year}〕第{n}号".into(), ..LetterPolicy::default() };
        assert_eq!(custom.document_number("NS", LetterKind::FeeNotice, 2026, 3), "NS〔2026〕第3号");
        // Without the kind in the pattern every kind counts on one counter.
        assert_eq!(custom.counter(LetterKind::FeeNotice), custom.counter(LetterKind::Decision));
        assert_ne!(policy.counter(LetterKind::FeeNotice), policy.counter(LetterKind::Decision));
    }

    #[test]
    fn a_step_entered_more_than_three_days_late_is_backdated() {
        let policy = LetterPolicy::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!policy.is_backdated(d("2026-03-02"), d("2026-03-05")));
        assert!(policy.is_backdated(d("2026-03-02"), d("2026-03-06")));
    }
}

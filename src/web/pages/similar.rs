//! 该申请人此前的相似申请: the section of the case page (and of the intake desk's 登记完成 page)
//! that lists the same applicant's similar earlier requests ([`crate::service::similar`]), each
//! with a link that opens the decision form as a repeat of it (`?repeats=<id>#step-decision`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::steps::OpenForm;
use crate::domain::{cn_date, CaseId, Outcome};
use crate::service::similar::SimilarCase;

/// The section's data: `{"case_id", "items": [...]}`. `decision_latest` is the latest date the
/// decision may bear when the caller may decide the case now (`None`: no link to decide).
pub fn section(case_id: CaseId, similar: &[SimilarCase], decision_latest: Option<NaiveDate>) -> Value {
    let items: Vec<Value> = similar
        .iter()
        .map(|s| {
            let c = &s.case;
            json!({
                "case_id": c.id,
                "case_number": c.case_number,
                "percent": format!("{:.0}%", s.score * 100.0),
                "received_on": cn_date(c.received_on),
                "status": c.status,
                "outcome": c.outcome,
                "concluded_on": c.concluded_on.map(cn_date),
                "decision_letter": s.decision_letter,
                "description": c.description,
                // Only an answered request can be repeated (the decision's check says why not otherwise).
                "may_repeat": decision_latest.is_some() && c.concluded_on.is_some(),
            })
        })
        .collect();
    json!({"case_id": case_id, "items": items})
}

/// The decision form opened as a repeat of `earlier` (dated `latest`, the latest date it may
/// bear), as the link of [`section`] asks.
pub fn repeat_form(earlier: i64, latest: NaiveDate) -> OpenForm {
    let values = BTreeMap::from([
        ("decided_on".to_owned(), latest.to_string()),
        ("outcome".to_owned(), Outcome::NotProcessedRepeated.as_str().to_owned()),
        ("repeats_case_id".to_owned(), earlier.to_string()),
    ]);
    OpenForm { kind: "decision".to_owned(), values, errors: BTreeMap::new(), preview: false }
}

/// The decision form's choices of the case a repeat refers to: `earlier` (the applicant record's
/// other requests) and the similar requests not among them (the same applicant by name and
/// contact has records of its own).
pub fn with_similar(mut earlier: Vec<(i64, String)>, similar: &[SimilarCase]) -> Vec<(i64, String)> {
    for s in similar {
        let c = &s.case;
        if !earlier.iter().any(|(id, _)| *id == c.id.get()) {
            let outcome = c.outcome.map_or("未办结", |o| o.label());
            earlier.push((c.id.get(), format!("{}（{}收到，{}）", c.case_number, cn_date(c.received_on), outcome)));
        }
    }
    earlier
}

//! The intake (Art. 29, 31): the validated application, the applicant's particulars and identity
//! document, the dates of a step, and the outcome roll-up rule for multi-item applications.

use chrono::NaiveDate;

use super::cn_date;
use super::error::{Errors, Violation};
use super::identity::{CreditCode, ResidentIdNumber};
use super::ids::AgencyId;
use super::limits;
use super::types::{ApplicantCategory, Channel, IdType, Outcome};

/// An applicant's identity document, checked where a checksum exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicantIdentity {
    pub id_type: IdType,
    pub number: String,
}

/// A validated applicant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApplicant {
    pub category: ApplicantCategory,
    pub name: String,
    pub identity: Option<ApplicantIdentity>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// A validated intake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCase {
    pub agency_id: AgencyId,
    pub channel: Channel,
    pub submitted_on: Option<NaiveDate>,
    pub received_on: NaiveDate,
    pub applicant: NewApplicant,
    pub description: String,
    pub items: Vec<String>,
}

/// The raw applicant fields of an intake, before validation.
#[derive(Clone, Debug, Default)]
pub struct ApplicantInput<'a> {
    pub category: Option<ApplicantCategory>,
    pub name: &'a str,
    pub id_type: Option<IdType>,
    pub id_number: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub address: Option<&'a str>,
}

/// Check an identity document of `id_type` on `today`.
///
/// # Errors
/// A Chinese message naming the document type and what is wrong; when an organisation's credit
/// code is in fact a valid resident identity number (or the reverse), the message says so.
pub fn check_identity(id_type: IdType, number: &str, today: NaiveDate) -> Result<String, String> {
    let resident = || ResidentIdNumber::parse(number, today).map(|n| n.as_str().to_owned());
    let credit = || CreditCode::parse(number).map(|c| c.as_str().to_owned());
    match id_type {
        IdType::ResidentIdCard => resident().map_err(|e| match credit() {
            Ok(_) => "这是统一社会信用代码，不是居民身份证号码：单位申请人请选择相应的申请人类型".to_owned(),
            Err(_) => format!("居民身份证号码{e}"),
        }),
        IdType::UnifiedSocialCreditCode => credit().map_err(|e| match resident() {
            Ok(_) => "这是居民身份证号码，不是统一社会信用代码：法人或其他组织应填写统一社会信用代码，自然人请选择申请人类型“自然人”".to_owned(),
            Err(_) => format!("统一社会信用代码{e}"),
        }),
        IdType::Other => Ok(number.to_owned()),
    }
}

/// The document type assumed when none is given: a resident identity card for natural persons,
/// the unified social credit code for organisations.
pub fn default_id_type(category: ApplicantCategory) -> IdType {
    if category.is_organisation() {
        IdType::UnifiedSocialCreditCode
    } else {
        IdType::ResidentIdCard
    }
}

/// Validate an applicant on `today`; field paths are prefixed with `prefix` (e.g. `applicant`).
pub fn parse_applicant(
    errors: &mut Errors,
    prefix: &str,
    input: &ApplicantInput<'_>,
    today: NaiveDate,
) -> Option<NewApplicant> {
    let field = |name: &str| format!("{prefix}.{name}");
    let name = errors.text(&field("name"), input.name, limits::NAME);
    let category = input.category;
    if category.is_none() {
        errors.add(field("category"), "必须填写申请人类型");
    }
    let phone = errors.optional_text(&field("phone"), input.phone, limits::PHONE);
    let email = errors.optional_text(&field("email"), input.email, limits::EMAIL);
    if let Some(email) = &email {
        if !is_plausible_email(email) {
            errors.add(field("email"), "不是有效的电子邮件地址");
        }
    }
    let address = errors.optional_text(&field("address"), input.address, limits::ADDRESS);
    let number = errors.optional_text(&field("id_number"), input.id_number, limits::ID_NUMBER);
    let identity = match (number, category) {
        (None, _) => {
            if input.id_type.is_some() {
                errors.add(field("id_number"), "填写了证件类型时必须填写证件号码");
            }
            None
        }
        (Some(number), Some(category)) => {
            let id_type = input.id_type.unwrap_or(default_id_type(category));
            match check_identity(id_type, &number, today) {
                Ok(number) => Some(ApplicantIdentity { id_type, number }),
                Err(message) => {
                    errors.add(field("id_number"), message);
                    None
                }
            }
        }
        (Some(_), None) => None,
    };
    Some(NewApplicant { category: category?, name, identity, phone, email, address })
}

fn is_plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Check the dates of an intake: the receipt date is not in the future, and the date of submission
/// (when given) is not after the receipt date.
pub fn check_intake_dates(
    errors: &mut Errors,
    submitted_on: Option<NaiveDate>,
    received_on: NaiveDate,
    today: NaiveDate,
) {
    if received_on > today {
        errors.add("received_on", format!("不得晚于今天（{}）", cn_date(today)));
    }
    if received_on < limits::EARLIEST_DATE {
        errors.add("received_on", format!("不得早于{}", cn_date(limits::EARLIEST_DATE)));
    }
    if let Some(submitted) = submitted_on {
        if submitted > received_on {
            errors.add("submitted_on", "提交日期不得晚于收到申请日期");
        }
        if submitted < limits::EARLIEST_DATE {
            errors.add("submitted_on", format!("不得早于{}", cn_date(limits::EARLIEST_DATE)));
        }
    }
}

/// Check the date of a step on a case: not before the receipt date, not in the future.
///
/// # Errors
/// `date_before_receipt` or `date_in_future`, naming `field`.
pub fn check_step_date(
    field: &str,
    date: NaiveDate,
    received_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), Violation> {
    if date < received_on {
        return Err(Violation::field(
            "date_before_receipt",
            field,
            format!("不得早于收到申请日期{}", cn_date(received_on)),
        ));
    }
    if date > today {
        return Err(Violation::field("date_in_future", field, format!("不得晚于今天（{}）", cn_date(today))));
    }
    Ok(())
}

/// Derive the case outcome from its items' outcomes (domain.md, multi-item applications):
/// all items share one code → that code; at least one item provides information and at least one
/// does not → `partially_disclosed`; otherwise the explicit outcome is required and must be one of
/// the items' codes. An explicit outcome that contradicts the derived one is refused.
///
/// # Errors
/// `outcome_required` or `outcome_contradicts_items`.
pub fn roll_up(items: &[Outcome], explicit: Option<Outcome>) -> Result<Outcome, Violation> {
    let Some(&first) = items.first() else {
        return explicit.ok_or_else(|| {
            Violation::field(
                "outcome_required",
                "outcome",
                format!("必须填写办理结果，可选：{}", Outcome::codes_with_labels()),
            )
        });
    };
    let derived = if items.iter().all(|&o| o == first) {
        Some(first)
    } else if items.iter().any(|o| o.provides_information()) {
        // Mixed disclosed/partially disclosed with anything else, or disclosed with partial.
        Some(Outcome::PartiallyDisclosed)
    } else {
        None
    };
    match (derived, explicit) {
        (Some(d), None) => Ok(d),
        (Some(d), Some(e)) if d == e => Ok(d),
        (Some(d), Some(e)) => Err(Violation::field(
            "outcome_contradicts_items",
            "outcome",
            format!("按各申请事项的结果，本案办理结果应为“{}”（{d}），不是“{}”（{e}）", d.label(), e.label()),
        )),
        (None, None) => Err(Violation::field(
            "outcome_required",
            "outcome",
            "各申请事项的结果不同且均未提供信息：请指定本案的办理结果",
        )),
        (None, Some(e)) if items.contains(&e) => Ok(e),
        (None, Some(e)) => Err(Violation::field(
            "outcome_contradicts_items",
            "outcome",
            format!("“{}”（{e}）不是任何一项申请事项的结果", e.label()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Outcome::*;

    #[test]
    fn items_sharing_one_code_give_that_code() {
        assert_eq!(roll_up(&[UnavailableNotHeld, UnavailableNotHeld], None), Ok(UnavailableNotHeld));
    }

    #[test]
    fn disclosed_with_a_refusal_gives_partially_disclosed() {
        assert_eq!(roll_up(&[Disclosed, WithheldStateSecret], None), Ok(PartiallyDisclosed));
        assert_eq!(roll_up(&[Disclosed, PartiallyDisclosed], None), Ok(PartiallyDisclosed));
    }

    #[test]
    fn an_explicit_outcome_contradicting_the_items_is_refused() {
        let err = roll_up(&[Disclosed, WithheldStateSecret], Some(Disclosed)).unwrap_err();
        assert_eq!(err.code, "outcome_contradicts_items");
        assert_eq!(err.errors[0].field, "outcome");
    }

    #[test]
    fn mixed_refusals_need_an_explicit_outcome_among_the_items() {
        assert_eq!(roll_up(&[UnavailableNotHeld, NotProcessedRepeated], None).unwrap_err().code, "outcome_required");
        assert_eq!(
            roll_up(&[UnavailableNotHeld, NotProcessedRepeated], Some(NotProcessedRepeated)),
            Ok(NotProcessedRepeated)
        );
        assert_eq!(
            roll_up(&[UnavailableNotHeld, NotProcessedRepeated], Some(Disclosed)).unwrap_err().code,
            "outcome_contradicts_items"
        );
    }

    #[test]
    fn no_items_need_an_explicit_outcome() {
        assert_eq!(roll_up(&[], Some(OtherMisc)), Ok(OtherMisc));
        assert_eq!(roll_up(&[], None).unwrap_err().code, "outcome_required");
    }

    fn outcome() -> impl Strategy<Value = Outcome> {
        prop::sample::select(Outcome::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn the_derived_outcome_is_always_accepted_when_named(items in prop::collection::vec(outcome(), 1..6), pick in 0usize..6) {
            match roll_up(&items, None) {
                Ok(derived) => prop_assert_eq!(roll_up(&items, Some(derived)), Ok(derived)),
                Err(_) => {
                    let named = items[pick % items.len()];
                    prop_assert_eq!(roll_up(&items, Some(named)), Ok(named));
                    prop_assert!(!items.iter().any(|o| o.provides_information()));
                }
            }
        }

        #[test]
        fn a_case_with_any_disclosure_is_never_rolled_up_to_a_pure_refusal(items in prop::collection::vec(outcome(), 1..6)) {
            if let Ok(derived) = roll_up(&items, None) {
                if items.iter().any(|o| o.provides_information()) {
                    prop_assert!(derived.provides_information());
                }
            }
        }
    }
}

//! Sentences for a page that has no field to show a rule's finding at. The rules' own messages
//! are Chinese (the domain words them, for both doors); a few refusals still carry an English
//! detail for programs, and the page shows the sentence of their stable code instead.

use crate::domain::Violation;

/// The sentence of a refusal with `code` and `detail`.
pub fn sentence(code: &str, detail: &str) -> String {
    if !detail.is_ascii() {
        return detail.to_string();
    }
    let known = match code {
        "validation_failed" => "请检查标出的栏目。",
        "year_sealed" => "该年度的年度报告已封存：这项更改需要负责人说明原因。",
        "already_sealed" | "seal_reason_required" => "该年度已封存：再次封存需要填写原因。",
        "year_not_over" => "年度结束后才能封存年度报告。",
        "user_inactive" => "该用户已停用。",
        "letter_not_applicable" => "这份文书尚未产生：对应的办理步骤还没有发生。",
        "invalid_cursor" => "翻页链接已失效，请回到第一页。",
        "report_not_sealed" => "该年度报告尚未封存。",
        _ => return format!("无法办理（{code}）。"),
    };
    known.to_string()
}

/// What a form says at a field instead of the API's message, where the API's is written for a
/// program (the message of a missing outcome lists every code, the form has a list to choose from).
pub fn at_form_field(code: &str) -> Option<&'static str> {
    match code {
        "outcome_required" => Some("请选择办理结果（申请含多项内容时，也可以只选各项的结果）"),
        _ => None,
    }
}

/// The sentence of a violation: its fields' messages, or its code's sentence.
pub fn violation(violation: &Violation) -> String {
    if violation.errors.is_empty() {
        return sentence(violation.code, &violation.detail);
    }
    violation.errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_details_are_shown_and_english_ones_by_their_code() {
        assert_eq!(
            sentence("version_conflict", "案件已被他人同时修改，请刷新后重试"),
            "案件已被他人同时修改，请刷新后重试"
        );
        assert_eq!(sentence("year_not_over", "2026 is not over yet"), "年度结束后才能封存年度报告。");
        assert_eq!(sentence("something_new", "in English"), "无法办理（something_new）。");
        let v = Violation::field("validation_failed", "name", "不能为空");
        assert_eq!(violation(&v), "不能为空");
    }
}

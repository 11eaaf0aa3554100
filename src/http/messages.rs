//! Chinese sentences for what the parsers say in English: serde's data errors (missing and unknown
//! fields, wrong types, unknown enum values), serde_json's syntax errors, chrono's date errors, the
//! integer and boolean errors of query strings and actix's path errors. Everything a person reads
//! in a problem is Chinese; the stable `code` stays English.
//!
//! The parsers' messages are matched by their fixed English wording (serde's `de::Error` defaults,
//! chrono's `ParseError`, `core::num`'s errors, actix-router's); a message this module does not know
//! becomes a generic Chinese sentence, never the English one.

use crate::domain::types::labels_of_keys;
use crate::domain::Outcome;

/// The format dates are written in, with an example, for every message about a date.
pub const DATE_FORMAT: &str = "YYYY-MM-DD，例如 2019-03-05";
/// The format instants are written in (RFC 3339), with an example.
pub const INSTANT_FORMAT: &str = "RFC 3339，例如 2026-11-26T08:30:00Z";

/// Whether `text` has a CJK ideograph in it (then it is taken to be Chinese already).
fn is_chinese(text: &str) -> bool {
    text.chars().any(crate::domain::error::is_cjk)
}

/// The names between backticks in `text`, in order: "`a`, `b`" → ["a", "b"].
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The valid values of a closed set, with their Chinese labels when the set is one of the domain's:
/// `disclosed（予以公开）、partially_disclosed（部分公开）…`.
fn valid_values(keys: &[&str]) -> String {
    match labels_of_keys(keys) {
        // The outcome codes exactly as every other message lists them.
        Some(_) if keys.len() == Outcome::ALL.len() && keys.iter().all(|k| Outcome::parse(k).is_some()) => {
            Outcome::codes_with_labels()
        }
        Some(labels) => keys.iter().zip(labels).map(|(k, l)| format!("{k}（{l}）")).collect::<Vec<_>>().join("、"),
        None => keys.join("、"),
    }
}

/// What serde's "expected …" names, in Chinese.
fn expected(text: &str) -> String {
    let text = text.trim();
    match text {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "整数".to_owned(),
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "非负整数".to_owned(),
        "f32" | "f64" => "数字".to_owned(),
        "a boolean" => "布尔值（true 或 false）".to_owned(),
        "a string" | "a borrowed string" | "a character" => "字符串".to_owned(),
        "a sequence" => "数组".to_owned(),
        "a map" => "对象".to_owned(),
        "unit" => "null".to_owned(),
        "a formatted date string" => format!("日期字符串（{DATE_FORMAT}）"),
        "variant identifier" | "field identifier" => "字符串形式的取值".to_owned(),
        t if t.contains("date and time") => format!("时刻字符串（{INSTANT_FORMAT}）"),
        t if t.starts_with("struct ") || t.contains("tagged enum") => "对象".to_owned(),
        t if t.starts_with("enum ") => "字符串形式的取值".to_owned(),
        t if t.starts_with("a tuple") || t.starts_with("tuple") => "数组".to_owned(),
        t if t.starts_with("option") => "值或 null".to_owned(),
        t if is_chinese(t) => t.to_owned(),
        _ => "其他类型的值".to_owned(),
    }
}

/// What serde's "invalid type/value: …" names (`serde::de::Unexpected`), in Chinese.
fn unexpected(text: &str) -> String {
    let text = text.trim();
    let quoted = backticked(text).first().copied().unwrap_or_default();
    if let Some(rest) = text.strip_prefix("string ") {
        return format!("字符串“{}”", rest.trim_matches('"'));
    }
    match text.split(' ').next().unwrap_or_default() {
        "integer" => format!("整数 {quoted}"),
        "floating" => format!("数字 {quoted}"),
        "boolean" => format!("布尔值 {quoted}"),
        "character" => format!("字符“{quoted}”"),
        "null" | "unit" => "null".to_owned(),
        "sequence" => "数组".to_owned(),
        "map" => "对象".to_owned(),
        _ => "其他类型的值".to_owned(),
    }
}

/// A date or instant that does not parse (chrono's messages), naming the format and, when known,
/// the value given.
fn bad_date(kind: &str, value: Option<&str>) -> String {
    let instant = kind == "input is not enough for unique date and time"
        || value.is_some_and(|v| v.contains('T') || v.contains(':'));
    let (what, format) = if instant { ("时刻", INSTANT_FORMAT) } else { ("日期", DATE_FORMAT) };
    let problem = match kind {
        "input is out of range" | "no possible date and time matching input" => "不是存在的",
        _ => "不是有效的",
    };
    match value {
        Some(v) => format!("“{v}”{problem}{what}，格式应为 {format}"),
        None => format!("{problem}{what}，格式应为 {format}"),
    }
}

/// The message of a required field that was not sent.
pub const MISSING_FIELD: &str = "缺少必填字段";

/// A Chinese sentence for a parser's message about one value (serde's data errors and the errors
/// of the types it parses into). `value` is the value as given, when the caller knows it.
pub fn value_error(message: &str, value: Option<&str>) -> String {
    let message = message.trim();
    if message.starts_with("missing field `") {
        return MISSING_FIELD.to_owned();
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let names = backticked(message);
        let field = rest.split('`').next().unwrap_or_default();
        return match names.get(1..).filter(|n| !n.is_empty()) {
            Some(valid) => format!("不认识的字段“{field}”；可用的字段：{}", valid.join("、")),
            None => format!("不认识的字段“{field}”；此处不接受任何字段"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let given = rest.split('`').next().unwrap_or_default();
        let keys = backticked(message);
        return match keys.get(1..).filter(|k| !k.is_empty()) {
            Some(valid) => format!("“{given}”不是有效的取值，应为以下之一：{}", valid_values(valid)),
            None => format!("“{given}”不是有效的取值"),
        };
    }
    if let Some(field) = message.strip_prefix("duplicate field `") {
        return format!("字段“{}”重复出现", field.trim_end_matches('`'));
    }
    for (prefix, invalid_type) in [("invalid type: ", true), ("invalid value: ", false)] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (got, wanted) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
            return if invalid_type {
                format!("类型不对：应为{}，实际为{}", expected(wanted), unexpected(got))
            } else {
                format!("取值无效：{}，应为{}", unexpected(got), expected(wanted))
            };
        }
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let (length, wanted) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("长度不对：有{length}项，应为{}", expected(wanted));
    }
    match message {
        "input contains invalid characters"
        | "premature end of input"
        | "trailing input"
        | "input is out of range"
        | "no possible date and time matching input"
        | "input is not enough for unique date and time"
        | "bad or unsupported format string" => bad_date(message, value),
        "invalid digit found in string" | "cannot parse integer from empty string" => match value {
            Some(v) => format!("“{v}”不是整数"),
            None => "应为整数".to_owned(),
        },
        "number too large to fit in target type" | "number too small to fit in target type" => {
            "数值超出允许的范围".to_owned()
        }
        "invalid float literal" | "cannot parse float from empty string" => "应为数字".to_owned(),
        "provided string was not `true` or `false`" => "应为 true 或 false".to_owned(),
        m if m.starts_with("data did not match any variant") => "取值的形式不对".to_owned(),
        // A message of the domain's own types, written in Chinese already.
        m if is_chinese(m) => m.to_owned(),
        _ => "取值无效".to_owned(),
    }
}

/// serde_json's description of a syntax error (its message without the position), in Chinese.
fn syntax(message: &str) -> String {
    let message = message.trim();
    if let Some(what) = message.strip_prefix("EOF while parsing ") {
        let what = match what {
            "a list" => "数组",
            "an object" => "对象",
            "a string" => "字符串",
            _ => "值",
        };
        return format!("内容不完整，{what}没有结束");
    }
    if let Some(what) = message.strip_prefix("expected ") {
        let what = match what {
            "value" => "一个值".to_owned(),
            "ident" => "true、false 或 null".to_owned(),
            other => backticked(other).iter().map(|t| format!("“{t}”")).collect::<Vec<_>>().join("或"),
        };
        return format!("此处应为{what}");
    }
    match message {
        "key must be a string" => "对象的键必须是带双引号的字符串".to_owned(),
        "trailing comma" => "多余的逗号".to_owned(),
        "trailing characters" => "JSON 值之后还有多余的字符".to_owned(),
        "invalid escape" => "无效的转义序列".to_owned(),
        "invalid number" => "无效的数字".to_owned(),
        "number out of range" => "数字超出范围".to_owned(),
        "recursion limit exceeded" => "嵌套层数过多".to_owned(),
        m if m.starts_with("control character") => "字符串中含有控制字符".to_owned(),
        m if m.contains("unicode") || m.contains("surrogate") || m.contains("UTF-8") => {
            "无效的 Unicode 字符".to_owned()
        }
        _ => "语法错误".to_owned(),
    }
}

/// The detail of a request body that is not JSON: where and what, in Chinese.
pub fn json_syntax_error(error: &serde_json::Error, body: &[u8]) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "请求正文为空，应为一个 JSON 对象".to_owned();
    }
    let text = error.to_string();
    let message = text.rfind(" at line ").map_or(text.as_str(), |i| &text[..i]);
    format!("请求正文不是有效的 JSON：第{}行第{}列，{}", error.line(), error.column(), syntax(message))
}

/// The detail of a path parameter that does not parse (actix-router's messages:
/// `can not parse "abc" to a i64`, serde's unknown variants), naming the parameter when `names`
/// (the route's parameters and their values) tells which one it was.
pub fn path_error(message: &str, names: &[(String, String)]) -> String {
    let message = message.strip_prefix("Path deserialize error: ").unwrap_or(message);
    if let Some(rest) = message.strip_prefix("can not parse ") {
        let (value, target) = rest.rsplit_once(" to a ").unwrap_or((rest, ""));
        let value = value.trim_matches('"');
        let name = names.iter().find(|(_, v)| v == value).map(|(n, _)| n.as_str());
        let wanted = expected(target);
        return match name {
            Some(name) => format!("路径参数 {name} 的值“{value}”无效，应为{wanted}"),
            None => format!("路径参数“{value}”无效，应为{wanted}"),
        };
    }
    if message.starts_with("wrong number of parameters") {
        return "路径参数的个数不对".to_owned();
    }
    let given = message.strip_prefix("unknown variant `").and_then(|r| r.split('`').next());
    let name = given.and_then(|g| names.iter().find(|(_, v)| v == g)).map(|(n, _)| n.as_str());
    match name {
        Some(name) => format!("路径参数 {name}：{}", value_error(message, None)),
        None => format!("路径参数无效：{}", value_error(message, None)),
    }
}

/// The detail of a query string that does not parse, when the parameter is not known.
pub fn query_error(message: &str) -> String {
    let message = message.strip_prefix("Query deserialize error: ").unwrap_or(message);
    match message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
        Some(name) => format!("缺少查询参数 {name}"),
        None => format!("查询参数无效：{}", value_error(message, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serdes_data_errors_become_chinese() {
        assert_eq!(value_error("missing field `outcome`", None), "缺少必填字段");
        assert_eq!(
            value_error("unknown field `colour`, expected one of `name`, `code`", None),
            "不认识的字段“colour”；可用的字段：name、code"
        );
        assert_eq!(value_error("unknown field `x`, there are no fields", None), "不认识的字段“x”；此处不接受任何字段");
        assert_eq!(
            value_error("invalid type: string \"5\", expected i64", None),
            "类型不对：应为整数，实际为字符串“5”"
        );
        assert_eq!(
            value_error("invalid type: integer `5`, expected a string", None),
            "类型不对：应为字符串，实际为整数 5"
        );
        assert_eq!(value_error("invalid type: null, expected u32", None), "类型不对：应为非负整数，实际为null");
        assert_eq!(value_error("invalid value: integer `-1`, expected u32", None), "取值无效：整数 -1，应为非负整数");
        assert_eq!(
            value_error("invalid type: integer `20190305`, expected a formatted date string", None),
            "类型不对：应为日期字符串（YYYY-MM-DD，例如 2019-03-05），实际为整数 20190305"
        );
        assert_eq!(value_error("invalid type: map, expected struct Applicant", None), "类型不对：应为对象，实际为对象");
        assert_eq!(value_error("duplicate field `name`", None), "字段“name”重复出现");
        assert_eq!(value_error("something nobody wrote down", None), "取值无效");
        assert_eq!(value_error("不得为负数", None), "不得为负数");
        // A Chinese value in an English message is still translated.
        assert_eq!(
            value_error("invalid type: string \"一\", expected i64", None),
            "类型不对：应为整数，实际为字符串“一”"
        );
    }

    #[test]
    fn an_unknown_value_of_a_closed_set_lists_the_valid_ones_with_their_labels() {
        let keys: Vec<String> = Outcome::ALL.iter().map(|o| format!("`{}`", o.as_str())).collect();
        let message = format!("unknown variant `granted`, expected one of {}", keys.join(", "));
        let text = value_error(&message, None);
        assert_eq!(text, format!("“granted”不是有效的取值，应为以下之一：{}", Outcome::codes_with_labels()));
        assert!(text.contains("disclosed（予以公开）") && text.contains("other_misc（其他）"), "{text}");
        let channel = "unknown variant `pigeon`, expected one of `in_person`, `post`, `letter`, `online`, `fax`, `email`, `other`";
        assert!(value_error(channel, None).ends_with("in_person（当面提交）、post（邮寄）、letter（平常信函）、online（互联网）、fax（传真）、email（电子邮件）、other（其他方式）"));
        // A set the domain has no labels for is listed by its keys.
        assert_eq!(
            value_error("unknown variant `pdf`, expected one of `json`, `csv`, `xlsx`, `html`", None),
            "“pdf”不是有效的取值，应为以下之一：json、csv、xlsx、html"
        );
    }

    #[test]
    fn a_date_that_does_not_parse_names_the_format() {
        assert_eq!(
            value_error("input contains invalid characters", Some("2026/10/09")),
            "“2026/10/09”不是有效的日期，格式应为 YYYY-MM-DD，例如 2019-03-05"
        );
        assert_eq!(
            value_error("input is out of range", Some("2019-02-30")),
            "“2019-02-30”不是存在的日期，格式应为 YYYY-MM-DD，例如 2019-03-05"
        );
        assert_eq!(value_error("premature end of input", None), "不是有效的日期，格式应为 YYYY-MM-DD，例如 2019-03-05");
        assert!(value_error("input is not enough for unique date and time", Some("2026-11-26")).contains("RFC 3339"));
        assert!(value_error("input contains invalid characters", Some("2026-11-26 08:00")).contains("时刻"));
    }

    #[test]
    fn syntax_errors_say_where_in_chinese() {
        let bytes = b"{\"a\": }";
        let error = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_err();
        assert_eq!(json_syntax_error(&error, bytes), "请求正文不是有效的 JSON：第1行第7列，此处应为一个值");
        let bytes = b"{\"a\": 1";
        let error = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_err();
        assert_eq!(json_syntax_error(&error, bytes), "请求正文不是有效的 JSON：第1行第7列，内容不完整，对象没有结束");
        let bytes = b"{\"a\": 1,}";
        let error = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_err();
        assert!(json_syntax_error(&error, bytes).ends_with("多余的逗号"));
        let error = serde_json::from_slice::<serde_json::Value>(b" ").unwrap_err();
        assert_eq!(json_syntax_error(&error, b" "), "请求正文为空，应为一个 JSON 对象");
    }

    #[test]
    fn path_and_query_errors_become_chinese() {
        let names = vec![("id".to_owned(), "abc".to_owned())];
        assert_eq!(
            path_error("Path deserialize error: can not parse \"abc\" to a i64", &names),
            "路径参数 id 的值“abc”无效，应为整数"
        );
        let names = vec![("id".to_owned(), "1".to_owned()), ("kind".to_owned(), "memo".to_owned())];
        assert!(path_error("unknown variant `memo`, expected one of `acknowledgement`, `decision`", &names)
            .starts_with("路径参数 kind：“memo”不是有效的取值"));
        assert_eq!(query_error("Query deserialize error: missing field `agency_id`"), "缺少查询参数 agency_id");
        assert_eq!(query_error("invalid digit found in string"), "查询参数无效：应为整数");
        assert_eq!(query_error("provided string was not `true` or `false`"), "查询参数无效：应为 true 或 false");
    }
}

//! E-mail addresses as the mailer reads them: an address accepted at input is one lettre can
//! send to, so a letter never fails for ever on an address that was taken in.

/// Whether lettre parses `text` as a bare address (`name@example.com`, no display name), and
/// it is no longer than a mailbox can be.
pub fn is_sendable(text: &str) -> bool {
    text.chars().count() <= 254 && text.parse::<lettre::Address>().is_ok()
}

/// The field error of an address the mailer could not use, if any (for `errors.add`).
pub fn check(text: &str) -> Option<&'static str> {
    (!is_sendable(text)).then_some("不是可以投递的电子邮件地址")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_the_mailer_cannot_parse_are_refused_at_input() {
        assert!(is_sendable("zhang@example.com"));
        assert!(is_sendable("li.si+gk@mail.example.gov.cn"));
        for bad in [
            "zhang@",
            "@example.com",
            "zhang example@example.com",
            "张三 <zhang@example.com>",
            "a@b@c",
            "zhang@exa mple.com",
        ] {
            assert!(!is_sendable(bad), "{bad}");
        }
    }
}

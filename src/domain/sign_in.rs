//! Sign-in names and passwords of the staff console: what a valid one is. Hashing and sessions
//! live in the service layer.

use std::fmt;

use super::error::Violation;

/// Shortest and longest accepted sign-in names, in characters.
pub const LOGIN_LENGTH: (usize, usize) = (2, 64);
/// Shortest and longest accepted passwords, in characters.
pub const PASSWORD_LENGTH: (usize, usize) = (8, 128);

/// A user's unique sign-in name: 2–64 ASCII letters, digits or `. _ - @`, compared and stored in
/// lowercase (so `ZhangSan` and `zhangsan` are the same name).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Login(String);

impl Login {
    /// Parse a sign-in name typed by a person (surrounding spaces are ignored).
    ///
    /// # Errors
    /// `validation_failed` on the field `login` for a name that is too short, too long or has other characters.
    pub fn parse(raw: &str) -> Result<Self, Violation> {
        let value = raw.trim().to_ascii_lowercase();
        let (min, max) = LOGIN_LENGTH;
        let length = value.chars().count();
        if length < min || length > max {
            return Err(Violation::field("validation_failed", "login", format!("应为{min}至{max}个字符")));
        }
        if !value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@')) {
            return Err(Violation::field("validation_failed", "login", "只能包含英文字母、数字和 . _ - @"));
        }
        Ok(Self(value))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the rules: 8–128 characters, not only spaces. Never printed: `Debug`
/// hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Check a new password; `field` names the form field in the error.
    ///
    /// # Errors
    /// `validation_failed` on `field` for a password that is too short, too long or blank.
    pub fn parse(raw: &str, field: &str) -> Result<Self, Violation> {
        let (min, max) = PASSWORD_LENGTH;
        let length = raw.chars().count();
        if raw.trim().is_empty() || length < min {
            return Err(Violation::field("validation_failed", field, format!("至少{min}个字符")));
        }
        if length > max {
            return Err(Violation::field("validation_failed", field, format!("不得超过{max}个字符")));
        }
        Ok(Self(raw.to_string()))
    }

    /// The password itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_names_are_lowercased_and_checked() {
        assert_eq!(Login::parse("  ZhangSan.01 ").unwrap().as_str(), "zhangsan.01");
        assert_eq!(Login::parse("li@ns").unwrap().as_str(), "li@ns");
        for bad in ["a", "", "张三", "has space", "semi;colon", &"x".repeat(65)] {
            let error = Login::parse(bad).unwrap_err();
            assert_eq!(error.errors[0].field, "login", "{bad}");
        }
    }

    #[test]
    fn passwords_need_eight_characters_and_never_show() {
        assert!(Password::parse("1234567", "password").is_err());
        assert!(Password::parse("        ", "password").is_err());
        assert!(Password::parse(&"x".repeat(129), "password").is_err());
        let password = Password::parse("密码很长很长很长", "password").unwrap();
        assert_eq!(format!("{password:?}"), "Password(…)");
        assert_eq!(Password::parse("short", "new_password").unwrap_err().errors[0].field, "new_password");
    }
}

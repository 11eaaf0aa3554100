//! Identity documents: the resident identity number (GB 11643, ISO 7064 MOD 11-2) and the unified
//! social credit code of organisations (GB 32100, MOD 31). Parsing checks the check character; the
//! values are personal data, so `Debug` masks them.

use std::fmt;

use chrono::NaiveDate;

/// Why an identity number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("应为18位")]
    Length,
    #[error("含有不允许的字符")]
    Character,
    #[error("第1至2位不是有效的省级行政区划代码")]
    Region,
    #[error("第7至14位的出生日期不是1900年以后、今天以前的有效日期")]
    BirthDate,
    #[error("校验码（最后一位）不正确")]
    CheckCharacter,
}

/// The province-level codes that open a resident identity number (GB/T 2260; 71 Taiwan, 81 Hong
/// Kong, 82 Macao, 83 residence permits of Taiwan residents).
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82, 83,
];

/// The earliest birth date a resident identity number may carry.
const EARLIEST_BIRTH: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// An 18-character resident identity number whose check character (ISO 7064 MOD 11-2) is correct.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentIdNumber(String);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [u8; 11] = *b"10X98765432";

/// The check character of a weighted sum (ISO 7064 MOD 11-2).
fn id_check(sum: u32) -> u8 {
    usize::try_from(sum % 11).ok().and_then(|i| ID_CHECK.get(i).copied()).unwrap_or(b'?')
}

impl ResidentIdNumber {
    /// Parse an identity number on `today`; a lowercase `x` check character is accepted and stored
    /// uppercase.
    ///
    /// # Errors
    /// Wrong length, a non-digit in the first 17 positions, an unknown province code, a birth date
    /// that is not a real date from 1900 to `today`, or a wrong check character.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, IdentityError> {
        if !raw.is_ascii() {
            return Err(IdentityError::Character);
        }
        let value = raw.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 {
            return Err(IdentityError::Length);
        }
        let mut sum = 0;
        for (byte, weight) in bytes[..17].iter().zip(ID_WEIGHTS) {
            if !byte.is_ascii_digit() {
                return Err(IdentityError::Character);
            }
            sum += u32::from(byte - b'0') * weight;
        }
        if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(IdentityError::Character);
        }
        let province = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(IdentityError::Region);
        }
        match NaiveDate::parse_from_str(&value[6..14], "%Y%m%d") {
            Ok(birth) if (EARLIEST_BIRTH..=today).contains(&birth) => {}
            _ => return Err(IdentityError::BirthDate),
        }
        if id_check(sum) != bytes[17] {
            return Err(IdentityError::CheckCharacter);
        }
        Ok(Self(value))
    }

    /// The full number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResidentIdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentIdNumber({})", mask(&self.0))
    }
}

/// An 18-character unified social credit code (统一社会信用代码) with a correct MOD 31 check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

/// The 31 characters of GB 32100 (no I, O, Z, S, V), in value order.
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn uscc_value(byte: u8) -> Option<u32> {
    USCC_CHARS.iter().position(|&c| c == byte).and_then(|p| u32::try_from(p).ok())
}

impl CreditCode {
    /// Parse a unified social credit code (uppercase is applied first).
    ///
    /// # Errors
    /// Wrong length, a character outside the GB 32100 set, or a wrong check character.
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        if !raw.is_ascii() {
            return Err(IdentityError::Character);
        }
        let value = raw.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 {
            return Err(IdentityError::Length);
        }
        let mut sum = 0;
        for (&byte, weight) in bytes[..17].iter().zip(USCC_WEIGHTS) {
            sum += uscc_value(byte).ok_or(IdentityError::Character)? * weight;
        }
        let check = uscc_value(bytes[17]).ok_or(IdentityError::Character)?;
        if (31 - sum % 31) % 31 != check {
            return Err(IdentityError::CheckCharacter);
        }
        Ok(Self(value))
    }

    /// The full code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreditCode({})", mask(&self.0))
    }
}

/// Complete 17 digits to a resident identity number with its check character (for test data).
/// Returns `None` unless `body` is 17 ASCII digits.
pub fn resident_id_with_check(body: &str) -> Option<String> {
    if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(format!("{body}{}", char::from(id_check(sum))))
}

/// Complete 17 characters of the GB 32100 set to a unified social credit code with its check
/// character (for test data). Returns `None` for other input.
pub fn credit_code_with_check(body: &str) -> Option<String> {
    if body.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (byte, weight) in body.bytes().zip(USCC_WEIGHTS) {
        sum += uscc_value(byte)? * weight;
    }
    let check = USCC_CHARS.get(usize::try_from((31 - sum % 31) % 31).ok()?)?;
    Some(format!("{body}{}", char::from(*check)))
}

/// The characters of unified social credit codes (GB 32100), in value order.
pub const CREDIT_CODE_CHARS: &[u8; 31] = USCC_CHARS;

/// Mask an identity number for lists and logs: the first six and the last four characters stay,
/// the rest become `*` (`110105********002X`). Short values are masked whole.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..6].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 10));
    out.extend(&chars[chars.len() - 4..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn the_specs_example_identity_number_is_valid() {
        assert!(ResidentIdNumber::parse("11010519491231002X", today()).is_ok());
        assert!(ResidentIdNumber::parse("11010519491231002x", today()).is_ok());
    }

    #[test]
    fn a_wrong_check_character_is_rejected() {
        assert_eq!(ResidentIdNumber::parse("110105194912310021", today()), Err(IdentityError::CheckCharacter));
    }

    #[test]
    fn non_ascii_and_bad_lengths_are_rejected_without_panicking() {
        assert_eq!(ResidentIdNumber::parse("１１０１０５", today()), Err(IdentityError::Character));
        assert_eq!(ResidentIdNumber::parse("1101051949", today()), Err(IdentityError::Length));
        assert_eq!(ResidentIdNumber::parse("110105194913310029", today()), Err(IdentityError::BirthDate));
    }

    #[test]
    fn birth_dates_in_the_future_or_before_1900_and_unknown_provinces_are_rejected() {
        let future = resident_id_with_check("11010520300101002").unwrap();
        assert_eq!(ResidentIdNumber::parse(&future, today()), Err(IdentityError::BirthDate));
        let old = resident_id_with_check("11010518991231002").unwrap();
        assert_eq!(ResidentIdNumber::parse(&old, today()), Err(IdentityError::BirthDate));
        let nowhere = resident_id_with_check("99010519491231002").unwrap();
        assert_eq!(ResidentIdNumber::parse(&nowhere, today()), Err(IdentityError::Region));
        let hong_kong = resident_id_with_check("81000019800101002").unwrap();
        assert!(ResidentIdNumber::parse(&hong_kong, today()).is_ok());
    }

    #[test]
    fn known_credit_codes_are_valid() {
        // Published codes of real organisations.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("91110000802100433B").is_ok());
        assert_eq!(CreditCode::parse("91350100M000100Y44"), Err(IdentityError::CheckCharacter));
        assert_eq!(CreditCode::parse("91350100M000100YI3"), Err(IdentityError::Character));
    }

    #[test]
    fn generated_numbers_pass_their_own_checks() {
        let id = resident_id_with_check("11010519491231002").unwrap();
        assert_eq!(id, "11010519491231002X");
        let code = credit_code_with_check("91350100M000100Y4").unwrap();
        assert_eq!(code, "91350100M000100Y43");
        assert!(credit_code_with_check("91350100M000100YI").is_none());
    }

    #[test]
    fn masking_keeps_six_and_four() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
        assert_eq!(
            format!("{:?}", ResidentIdNumber::parse("11010519491231002X", today()).unwrap()),
            "ResidentIdNumber(110105********002X)"
        );
    }

    fn with_id_check(body: &str) -> String {
        let sum: u32 = body.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        format!("{body}{}", char::from(id_check(sum)))
    }

    proptest! {
        #[test]
        fn every_number_with_its_computed_check_character_parses(
            province in prop::sample::select(PROVINCES.to_vec()), rest in 0u32..9999, y in 1900i32..2020,
            doy in 0u32..365, seq in 0u32..999
        ) {
            let birth = NaiveDate::from_yo_opt(y, doy + 1).unwrap();
            let body = format!("{province:02}{rest:04}{}{seq:03}", birth.format("%Y%m%d"));
            let id = with_id_check(&body);
            prop_assert!(ResidentIdNumber::parse(&id, today()).is_ok());
            // Any other check character fails.
            for c in ID_CHECK.iter().filter(|&&c| c != id.as_bytes()[17]) {
                let wrong = format!("{body}{}", char::from(*c));
                prop_assert_eq!(ResidentIdNumber::parse(&wrong, today()), Err(IdentityError::CheckCharacter));
            }
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,30}") {
            let _ = ResidentIdNumber::parse(&s, today());
            let _ = CreditCode::parse(&s);
            let _ = mask(&s);
        }
    }
}

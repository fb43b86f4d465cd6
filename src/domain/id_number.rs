//! Resident identity numbers (公民身份号码, GB 11643-1999) and masking of document numbers.
//!
//! Policy:
//! - Input is trimmed and a lower-case `x` check character is accepted; the stored form is the
//!   18-character upper-case number.
//! - A 15-digit number (issued before 1999, always a 19xx birth year) is upgraded to 18 digits
//!   and then validated like any other number.
//! - A number is accepted only when it matches
//!   `^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$`, its birth date
//!   exists and is not after the caller's `today`, and its check character is right. Out-of-range
//!   month or day digits are reported as a bad birth date rather than a bad format, because that is
//!   what the person typing has to fix.
//! - Birth date and gender are derived from the number and never stored separately here; a typed
//!   birth date or gender must agree with them ([`ResidentId::disagreements`]).
//! - Numbers are personal data: `Debug` prints the masked form, and [`mask_id_number`] is the one
//!   masking rule for every document type.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::client_rules;
use super::enums::Gender;

/// Weights of the 17 body digits in the ISO 7064 MOD 11-2 check (GB 11643-1999 §7).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for each remainder `Σ d[i]·w[i] mod 11`.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Why an identity number was rejected, or disagrees with the typed birth date or gender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdNumberError {
    /// Not 18 characters (nor a 15-digit legacy number) after trimming.
    InvalidLength,
    /// Right length but wrong characters or structure (region code, century, sequence).
    InvalidFormat,
    /// The encoded birth date does not exist (e.g. 1990-02-30, month 13).
    InvalidBirthDate,
    /// The encoded birth date is after today.
    FutureBirthDate,
    /// The 18th character is not the check character of the first 17.
    InvalidCheckDigit,
    /// The typed birth date differs from the one in the number.
    BirthDateMismatch,
    /// The typed gender differs from the one in the number.
    GenderMismatch,
}

impl IdNumberError {
    /// Stable snake_case code for API clients.
    pub fn code(self) -> &'static str {
        match self {
            IdNumberError::InvalidLength => "invalid_length",
            IdNumberError::InvalidFormat => "invalid_format",
            IdNumberError::InvalidBirthDate => "invalid_birth_date",
            IdNumberError::FutureBirthDate => "future_birth_date",
            IdNumberError::InvalidCheckDigit => "invalid_check_digit",
            IdNumberError::BirthDateMismatch => "birth_date_mismatch",
            IdNumberError::GenderMismatch => "gender_mismatch",
        }
    }

    /// The request field to highlight: the number itself, or the typed field that disagrees.
    pub fn field(self) -> &'static str {
        match self {
            IdNumberError::BirthDateMismatch => "birth_date",
            IdNumberError::GenderMismatch => "gender",
            _ => "id_number",
        }
    }

    /// zh-CN message.
    pub fn message_zh(self) -> String {
        match self {
            IdNumberError::InvalidLength => "身份证号码应为 18 位（或 15 位旧号码）",
            IdNumberError::InvalidFormat => "身份证号码格式不正确",
            IdNumberError::InvalidBirthDate => "身份证号码中的出生日期不存在",
            IdNumberError::FutureBirthDate => "身份证号码中的出生日期晚于今天",
            IdNumberError::InvalidCheckDigit => "身份证号码校验码不正确",
            IdNumberError::BirthDateMismatch => "出生日期与身份证号码不一致",
            IdNumberError::GenderMismatch => "性别与身份证号码不一致",
        }
        .to_owned()
    }

    /// English message.
    pub fn message_en(self) -> String {
        match self {
            IdNumberError::InvalidLength => "A resident ID number has 18 characters (or 15 digits for an old number)",
            IdNumberError::InvalidFormat => "The resident ID number is not well formed",
            IdNumberError::InvalidBirthDate => "The birth date in the resident ID number does not exist",
            IdNumberError::FutureBirthDate => "The birth date in the resident ID number is in the future",
            IdNumberError::InvalidCheckDigit => "The check character of the resident ID number is wrong",
            IdNumberError::BirthDateMismatch => "The birth date does not match the resident ID number",
            IdNumberError::GenderMismatch => "The gender does not match the resident ID number",
        }
        .to_owned()
    }
}

impl fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for IdNumberError {}

/// A validated 18-character resident identity number with the facts it encodes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    number: String,
    birth_date: NaiveDate,
    gender: Gender,
}

impl ResidentId {
    /// Parses, normalises (trim, upper-case `X`, 15 → 18 digits) and validates a number.
    pub fn parse(input: &str, today: NaiveDate) -> Result<ResidentId, IdNumberError> {
        let s = input.trim();
        if !s.is_ascii() {
            // Counting bytes would be wrong for non-ASCII input, and no valid number has any.
            return Err(match s.chars().count() {
                15 | 18 => IdNumberError::InvalidFormat,
                _ => IdNumberError::InvalidLength,
            });
        }
        let number = match s.len() {
            18 => s.to_ascii_uppercase(),
            15 => upgrade_legacy(s)?,
            _ => return Err(IdNumberError::InvalidLength),
        };
        let b = number.as_bytes();

        let body_ok = b[..17].iter().all(u8::is_ascii_digit);
        let check_ok = b[17].is_ascii_digit() || b[17] == b'X';
        let century_ok = matches!(&b[6..8], b"18" | b"19" | b"20");
        if !body_ok || !check_ok || b[0] == b'0' || !century_ok {
            return Err(IdNumberError::InvalidFormat);
        }

        let year = i32::try_from(digits(&b[6..10])).map_err(|_| IdNumberError::InvalidFormat)?;
        let birth_date =
            NaiveDate::from_ymd_opt(year, digits(&b[10..12]), digits(&b[12..14])).ok_or(IdNumberError::InvalidBirthDate)?;
        if birth_date > today {
            return Err(IdNumberError::FutureBirthDate);
        }

        if check_char(&b[..17]) != Some(b[17]) {
            return Err(IdNumberError::InvalidCheckDigit);
        }

        let gender = if digits(&b[16..17]) % 2 == 1 { Gender::Male } else { Gender::Female };
        Ok(ResidentId { number, birth_date, gender })
    }

    /// The normalised 18-character number.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The birth date encoded in digits 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The gender encoded in the 17th digit (odd: male, even: female).
    pub fn gender(&self) -> Gender {
        self.gender
    }

    /// The number with the birth date and sequence hidden, e.g. `110105********002X`.
    pub fn masked(&self) -> String {
        mask_id_number(&self.number)
    }

    /// Age in completed years on `date` (see [`client_rules::age_on`]).
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        client_rules::age_on(self.birth_date, date)
    }

    /// Disagreements between this number and a typed birth date and gender (`None`: not typed).
    pub fn disagreements(&self, birth_date: Option<NaiveDate>, gender: Option<Gender>) -> Vec<IdNumberError> {
        let mut out = Vec::new();
        if birth_date.is_some_and(|d| d != self.birth_date) {
            out.push(IdNumberError::BirthDateMismatch);
        }
        if gender.is_some_and(|g| g != self.gender) {
            out.push(IdNumberError::GenderMismatch);
        }
        out
    }
}

impl fmt::Debug for ResidentId {
    // Debug output ends up in logs and panics, so it never shows the full number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResidentId")
            .field("number", &self.masked())
            .field("birth_year", &self.birth_date.year())
            .field("gender", &self.gender)
            .finish()
    }
}

/// Upgrades a 15-digit number: `19` goes after the region code, the check character at the end.
fn upgrade_legacy(s: &str) -> Result<String, IdNumberError> {
    if !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(IdNumberError::InvalidFormat);
    }
    let mut body = String::with_capacity(18);
    body.push_str(&s[..6]);
    body.push_str("19");
    body.push_str(&s[6..]);
    let check = check_char(body.as_bytes()).ok_or(IdNumberError::InvalidFormat)?;
    body.push(char::from(check));
    Ok(body)
}

/// The check character for 17 ASCII digits, or `None` when the input is not 17 digits.
fn check_char(body: &[u8]) -> Option<u8> {
    if body.len() != WEIGHTS.len() || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Decimal value of ASCII digits already known to be digits.
fn digits(b: &[u8]) -> u32 {
    b.iter().fold(0, |acc, d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// Masks any document number for display.
///
/// More than 10 characters: the first 6 and last 4 stay (region code and tail of a resident ID,
/// e.g. `110105********002X`). Otherwise only the last 2 stay, and a number of 2 characters or
/// fewer is hidden entirely, so that masking never reveals a whole number. Surrounding whitespace
/// is ignored.
pub fn mask_id_number(s: &str) -> String {
    let s = s.trim();
    let n = s.chars().count();
    let (head, tail) = if n > 10 {
        (6, 4)
    } else if n > 2 {
        (0, 2)
    } else {
        (0, 0)
    };
    // Built in place: a list masks one number per row.
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        out.push(if i < head || i >= n - tail { c } else { '*' });
    }
    out
}

/// The check character for the first 17 digits of a resident ID (for generating valid numbers,
/// e.g. demo data); `None` when the input is not 17 ASCII digits.
pub fn check_char_for(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    check_char(bytes).map(char::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn today() -> NaiveDate {
        d(2026, 5, 1)
    }

    fn parse(s: &str) -> Result<ResidentId, IdNumberError> {
        ResidentId::parse(s, today())
    }

    #[test]
    fn the_standard_example_is_valid() {
        let id = parse("11010519491231002X").expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.age_on(d(2026, 5, 1)), 76);
        assert_eq!(id.age_on(d(2026, 12, 31)), 77);
    }

    #[test]
    fn lower_case_x_and_whitespace_are_normalised() {
        let id = parse("  11010519491231002x\t").expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn wrong_check_character_is_rejected() {
        // Body 34052419800101001: Σ = 189, 189 mod 11 = 2, so the check character must be X.
        assert_eq!(parse("340524198001010013"), Err(IdNumberError::InvalidCheckDigit));
        assert!(parse("34052419800101001X").is_ok());
        assert_eq!(parse("110105194912310021"), Err(IdNumberError::InvalidCheckDigit));
    }

    #[test]
    fn male_from_odd_17th_digit() {
        // Body 64050220100315002 has an even 17th digit; 64050219660301003 an odd one.
        // Σ = 187 → r = 0 → '1';  Σ = 214 → r = 5 → '7'.
        let f = parse("640502201003150021").expect("valid");
        assert_eq!(f.gender(), Gender::Female);
        let m = parse("640502196603010037").expect("valid");
        assert_eq!(m.gender(), Gender::Male);
        assert_eq!(m.birth_date(), d(1966, 3, 1));
    }

    #[test]
    fn legacy_15_digit_numbers_are_upgraded() {
        // 110105491231002 is the 15-digit form of the standard example.
        let id = parse("110105491231002").expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.gender(), Gender::Female);
        // 130503670401001 → body 13050319670401001:
        // 1·7+3·9+0·10+5·5+0·8+3·4+1·2+9·1+6·6+7·3+0·7+4·9+0·10+1·5+0·8+0·4+1·2 = 182,
        // 182 mod 11 = 6, "10X98765432"[6] = '6'.
        let id = parse("130503670401001").expect("valid");
        assert_eq!(id.as_str(), "130503196704010016");
        assert_eq!(id.birth_date(), d(1967, 4, 1));
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(parse("13050367040100X"), Err(IdNumberError::InvalidFormat));
        assert_eq!(parse("130503671301001"), Err(IdNumberError::InvalidBirthDate));
        assert_eq!(parse("030503670401001"), Err(IdNumberError::InvalidFormat));
    }

    #[test]
    fn february_29_only_in_leap_years() {
        // 64050220000229002: Σ = 202 → r = 4 → '8'. 2000 is a leap year.
        let id = parse("640502200002290028").expect("valid");
        assert_eq!(id.birth_date(), d(2000, 2, 29));
        // Same body in 1999 (Σ = 290 → r = 4 → '8'): the check is right but the date is not.
        assert_eq!(parse("640502199902290028"), Err(IdNumberError::InvalidBirthDate));
        assert_eq!(parse("640502199002300028"), Err(IdNumberError::InvalidBirthDate));
    }

    #[test]
    fn future_birth_date_is_rejected() {
        // 64050220260602001 (Σ = 211 → 'X') is born a month after "today".
        assert_eq!(parse("64050220260602001X"), Err(IdNumberError::FutureBirthDate));
        // Born today is fine (Σ = 206 → r = 8 → '4' for 2026-06-01, checked on that day).
        assert!(ResidentId::parse("640502202606010014", d(2026, 6, 1)).is_ok());
        assert_eq!(ResidentId::parse("640502202606010014", d(2026, 5, 31)), Err(IdNumberError::FutureBirthDate));
    }

    #[test]
    fn bad_month_and_day_are_bad_birth_dates() {
        assert_eq!(parse("110105194913310021"), Err(IdNumberError::InvalidBirthDate));
        assert_eq!(parse("110105194900310021"), Err(IdNumberError::InvalidBirthDate));
        assert_eq!(parse("110105194912320021"), Err(IdNumberError::InvalidBirthDate));
        assert_eq!(parse("110105194912000021"), Err(IdNumberError::InvalidBirthDate));
        assert_eq!(parse("110105194904310021"), Err(IdNumberError::InvalidBirthDate));
    }

    #[test]
    fn structural_errors() {
        assert_eq!(parse("01010519491231002X"), Err(IdNumberError::InvalidFormat), "leading 0");
        assert_eq!(parse("11010517491231002X"), Err(IdNumberError::InvalidFormat), "century 17");
        assert_eq!(parse("11010521491231002X"), Err(IdNumberError::InvalidFormat), "century 21");
        assert_eq!(parse("1101051949123100XX"), Err(IdNumberError::InvalidFormat));
        assert_eq!(parse("11010519491231002Y"), Err(IdNumberError::InvalidFormat));
        assert_eq!(parse("110105 19491231002"), Err(IdNumberError::InvalidFormat));
        assert_eq!(parse("11010519491231００2X"), Err(IdNumberError::InvalidFormat), "full-width digits");
        assert_eq!(parse(""), Err(IdNumberError::InvalidLength));
        assert_eq!(parse("11010519491231002"), Err(IdNumberError::InvalidLength));
        assert_eq!(parse("11010519491231002XX"), Err(IdNumberError::InvalidLength));
        assert_eq!(parse("身份证"), Err(IdNumberError::InvalidLength));
    }

    #[test]
    fn years_1800s_are_accepted_by_the_pattern() {
        // The pattern allows 18xx; the date rules still apply. 11010518991231002: Σ = 196,
        // 196 mod 11 = 9 → '3'.
        assert_eq!(parse("110105189912310023").map(|i| i.birth_date()), Ok(d(1899, 12, 31)));
    }

    #[test]
    fn disagreements_with_typed_fields() {
        let id = parse("11010519491231002X").expect("valid");
        assert!(id.disagreements(None, None).is_empty());
        assert!(id.disagreements(Some(d(1949, 12, 31)), Some(Gender::Female)).is_empty());
        let v = id.disagreements(Some(d(1949, 12, 30)), Some(Gender::Male));
        assert_eq!(v, vec![IdNumberError::BirthDateMismatch, IdNumberError::GenderMismatch]);
        assert_eq!(v[0].field(), "birth_date");
        assert_eq!(v[1].field(), "gender");
    }

    #[test]
    fn errors_have_codes_and_messages() {
        let all = [
            IdNumberError::InvalidLength,
            IdNumberError::InvalidFormat,
            IdNumberError::InvalidBirthDate,
            IdNumberError::FutureBirthDate,
            IdNumberError::InvalidCheckDigit,
            IdNumberError::BirthDateMismatch,
            IdNumberError::GenderMismatch,
        ];
        let mut codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|e| !e.message_zh().is_empty() && !e.message_en().is_empty()));
        assert_eq!(IdNumberError::InvalidCheckDigit.code(), "invalid_check_digit");
        assert_eq!(IdNumberError::InvalidCheckDigit.field(), "id_number");
    }

    #[test]
    fn debug_does_not_leak_the_number() {
        let id = parse("11010519491231002X").expect("valid");
        let dbg = format!("{id:?}");
        assert!(!dbg.contains("11010519491231002X"));
        assert!(dbg.contains("110105********002X"));
    }

    #[test]
    fn masking_any_document() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id_number("E12345678"), "*******78");
        assert_eq!(mask_id_number("H1234567890"), "H12345*7890");
        assert_eq!(mask_id_number("1234567890"), "********90");
        assert_eq!(mask_id_number("123"), "*23");
        assert_eq!(mask_id_number("12"), "**");
        assert_eq!(mask_id_number(""), "");
        assert_eq!(mask_id_number(" E12345678 "), "*******78");
    }

    #[test]
    fn check_char_helper() {
        assert_eq!(check_char(b"11010519491231002"), Some(b'X'));
        assert_eq!(check_char(b"1101051949123100"), None);
        assert_eq!(check_char(b"1101051949123100A"), None);
    }
}

/// Properties over arbitrary and generated numbers.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).expect("valid test date")
    }

    /// The first 17 digits of a well-formed number: region code, a birth date on or before
    /// `today`, and a sequence.
    fn body() -> impl Strategy<Value = (String, NaiveDate)> {
        (1u32..=9, 0u32..100_000, 1800i32..=2026, 1u32..=12, 1u32..=31, 0u32..1000).prop_filter_map(
            "a real date not after today",
            |(first, region, y, m, d, seq)| {
                let date = NaiveDate::from_ymd_opt(y, m, d).filter(|&date| date <= today())?;
                Some((format!("{first}{region:05}{}{seq:03}", date.format("%Y%m%d")), date))
            },
        )
    }

    fn valid() -> impl Strategy<Value = (String, NaiveDate)> {
        body().prop_map(|(body, date)| {
            let check = check_char_for(&body).expect("17 digits");
            (format!("{body}{check}"), date)
        })
    }

    /// `^[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$`, written out.
    fn well_formed(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 18
            && (b'1'..=b'9').contains(&b[0])
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X')
            && matches!(&b[6..8], b"18" | b"19" | b"20")
            && (1..=12).contains(&digits(&b[10..12]))
            && (1..=31).contains(&digits(&b[12..14]))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_text_never_panics_and_only_well_formed_numbers_pass(input in any::<String>()) {
            if let Ok(id) = ResidentId::parse(&input, today()) {
                prop_assert!(well_formed(id.as_str()), "{input:?}");
                prop_assert!(id.birth_date() <= today());
                prop_assert_eq!(check_char_for(&id.as_str()[..17]), id.as_str().chars().nth(17));
                prop_assert_eq!(ResidentId::parse(id.as_str(), today()), Ok(id.clone()));
            }
            let _ = mask_id_number(&input);
        }

        #[test]
        fn digit_strings_of_any_length_never_panic(input in "[0-9Xx ]{0,24}") {
            if let Ok(id) = ResidentId::parse(&input, today()) {
                prop_assert!(well_formed(id.as_str()));
            }
        }

        #[test]
        fn every_well_formed_number_parses_with_its_facts((number, date) in valid(), pad in "[ \t]{0,2}") {
            let typed = format!("{pad}{}{pad}", number.to_lowercase());
            let id = ResidentId::parse(&typed, today()).map_err(|e| TestCaseError::fail(format!("{number}: {e:?}")))?;
            prop_assert_eq!(id.as_str(), number.as_str());
            prop_assert_eq!(id.birth_date(), date);
            let odd = (number.as_bytes()[16] - b'0') % 2 == 1;
            prop_assert_eq!(id.gender(), if odd { Gender::Male } else { Gender::Female });
            prop_assert!(id.disagreements(Some(date), Some(id.gender())).is_empty());
            let masked = id.masked();
            prop_assert_eq!(masked.chars().count(), 18);
            prop_assert_eq!(&masked[..6], &number[..6]);
            prop_assert_eq!(&masked[6..14], "********");
        }

        #[test]
        fn one_wrong_character_is_always_caught((number, _) in valid(), at in 0usize..18, with in "[0-9X]") {
            let mut chars: Vec<char> = number.chars().collect();
            let replacement = with.chars().next().expect("one character");
            // `X` is only a check character; anywhere else it is a format error, also a refusal.
            prop_assume!(chars[at] != replacement);
            chars[at] = replacement;
            let typo: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse(&typo, today()).is_err(), "{typo} accepted");
        }

        #[test]
        fn swapping_two_neighbouring_digits_is_always_caught((number, _) in valid(), at in 0usize..16) {
            let mut b = number.into_bytes();
            prop_assume!(b[at] != b[at + 1]);
            b.swap(at, at + 1);
            let swapped = String::from_utf8(b).expect("ascii");
            prop_assert!(ResidentId::parse(&swapped, today()).is_err(), "{swapped} accepted");
        }

        #[test]
        fn a_legacy_number_is_its_upgraded_number((number, _) in valid()) {
            prop_assume!(&number[6..8] == "19");
            let legacy = format!("{}{}", &number[..6], &number[8..17]);
            let id = ResidentId::parse(&legacy, today()).map_err(|e| TestCaseError::fail(format!("{legacy}: {e:?}")))?;
            prop_assert_eq!(id.as_str(), number.as_str());
        }
    }
}

//! Mainland China phone numbers: normalisation, validation and masking (DOMAIN.md §8).
//!
//! Policy:
//! - Mobile numbers are stored as their 11 bare digits: spaces, dashes and a leading `+86` or
//!   `0086` are stripped first, then `^1[3-9]\d{9}$` must match.
//! - Landlines keep the dash form the user typed (`0951-1234567` or `09511234567`), with spaces
//!   stripped; then `^0\d{2,3}-?\d{7,8}$` must match.
//! - A field that takes either kind tries mobile first, so a mobile typed with dashes is never
//!   mistaken for a landline.
//! - Full-width dashes (`－`, common with Chinese input methods) count as dashes.
//! - Masking shows enough to recognise a number without disclosing it: `138****5678` for a mobile,
//!   the area code and the last 2 digits for a landline.

use std::fmt;

/// Why a phone number was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneError {
    /// Not an 11-digit mainland mobile number.
    InvalidMobile,
    /// Not a landline number with area code.
    InvalidLandline,
    /// Neither a mobile nor a landline number.
    InvalidPhone,
}

impl PhoneError {
    /// Stable snake_case code for API clients.
    pub fn code(self) -> &'static str {
        match self {
            PhoneError::InvalidMobile => "invalid_mobile",
            PhoneError::InvalidLandline => "invalid_landline",
            PhoneError::InvalidPhone => "invalid_phone",
        }
    }

    /// zh-CN message.
    pub fn message_zh(self) -> String {
        match self {
            PhoneError::InvalidMobile => "手机号码应为 11 位，以 13–19 开头",
            PhoneError::InvalidLandline => "固定电话应含区号，如 0951-1234567",
            PhoneError::InvalidPhone => "请填写 11 位手机号码或带区号的固定电话",
        }
        .to_owned()
    }

    /// English message.
    pub fn message_en(self) -> String {
        match self {
            PhoneError::InvalidMobile => "A mobile number has 11 digits starting with 13 to 19",
            PhoneError::InvalidLandline => "A landline number needs its area code, e.g. 0951-1234567",
            PhoneError::InvalidPhone => "Enter an 11-digit mobile number or a landline number with area code",
        }
        .to_owned()
    }
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for PhoneError {}

fn is_dash(c: char) -> bool {
    c == '-' || c == '－'
}

/// Eleven digits, `1` then `3`–`9`: a normalised mobile number.
fn is_mobile_digits(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Normalises a mobile number to its 11 digits, e.g. `+86 138-0013-8000` → `13800138000`.
pub fn normalize_mobile(input: &str) -> Result<String, PhoneError> {
    let compact: String = input.chars().filter(|&c| !c.is_whitespace() && !is_dash(c)).collect();
    let digits = compact.strip_prefix("+86").or_else(|| compact.strip_prefix("0086")).unwrap_or(&compact);
    if is_mobile_digits(digits) {
        Ok(digits.to_owned())
    } else {
        Err(PhoneError::InvalidMobile)
    }
}

/// Normalises a landline number: spaces removed, the dash (if any) kept, e.g. `0951 - 1234567`
/// → `0951-1234567`.
pub fn normalize_landline(input: &str) -> Result<String, PhoneError> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).map(|c| if is_dash(c) { '-' } else { c }).collect();
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    let ok = match s.split_once('-') {
        Some((area, local)) => {
            area.starts_with('0')
                && (3..=4).contains(&area.len())
                && (7..=8).contains(&local.len())
                && all_digits(area)
                && all_digits(local)
        }
        // Without a dash the split between area code and local number is ambiguous, but a 3–4
        // digit area code and a 7–8 digit local number are exactly 10–12 digits starting with 0.
        None => s.starts_with('0') && (10..=12).contains(&s.len()) && all_digits(&s),
    };
    if ok {
        Ok(s)
    } else {
        Err(PhoneError::InvalidLandline)
    }
}

/// Normalises a number that may be a mobile or a landline (mobile is tried first).
pub fn normalize_phone(input: &str) -> Result<String, PhoneError> {
    normalize_mobile(input).or_else(|_| normalize_landline(input)).map_err(|_| PhoneError::InvalidPhone)
}

/// Length of the area code of a dashless landline number.
///
/// 010 (Beijing) and 020–029 are the only 3-digit area codes; every other one has 4 digits.
fn area_code_len(number: &str) -> usize {
    match number.as_bytes().get(1) {
        Some(b'1' | b'2') => 3,
        _ => 4,
    }
}

/// Masks a phone number for display: `138****5678` for a mobile, `0951-*****67` for a landline.
///
/// Anything that is neither keeps only its last 2 characters, so masking never reveals a number
/// it fails to recognise.
pub fn mask_phone(input: &str) -> String {
    // Stored numbers are already normalised; a list masks one per row.
    if is_mobile_digits(input) {
        return format!("{}****{}", &input[..3], &input[7..]);
    }
    if let Ok(m) = normalize_mobile(input) {
        return format!("{}****{}", &m[..3], &m[7..]);
    }
    if let Ok(l) = normalize_landline(input) {
        let (area, sep, local) = match l.split_once('-') {
            Some((a, rest)) => (a, "-", rest),
            None => {
                let n = area_code_len(&l);
                (&l[..n], "", &l[n..])
            }
        };
        let keep = local.len() - 2;
        return format!("{area}{sep}{}{}", "*".repeat(keep), &local[keep..]);
    }
    let chars: Vec<char> = input.trim().chars().collect();
    let n = chars.len();
    let tail = if n > 2 { 2 } else { 0 };
    chars.iter().enumerate().map(|(i, &c)| if i >= n - tail { c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_accepts_common_forms() {
        for s in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+8613800138000",
            "+86 138 0013 8000",
            "008613800138000",
            "0086-138-0013-8000",
            "  13800138000 ",
            "138－0013－8000",
        ] {
            assert_eq!(normalize_mobile(s).as_deref(), Ok("13800138000"), "{s}");
        }
        for second in 3..=9 {
            assert!(normalize_mobile(&format!("1{second}800138000")).is_ok());
        }
    }

    #[test]
    fn mobile_rejects_bad_numbers() {
        for s in [
            "",
            "12800138000",    // second digit 2
            "10800138000",    // second digit 0
            "23800138000",    // first digit not 1
            "1380013800",     // 10 digits
            "138001380000",   // 12 digits
            "1380013800a",    // letter
            "86 13800138000", // 86 without + is not a prefix we strip
            "+8513800138000", // another country
            "+86+8613800138000",
            "１３８００１３８０００", // full-width digits
            "0951-1234567",           // a landline
        ] {
            assert_eq!(normalize_mobile(s), Err(PhoneError::InvalidMobile), "{s}");
        }
    }

    #[test]
    fn landline_keeps_dash_form() {
        assert_eq!(normalize_landline("0951-1234567").as_deref(), Ok("0951-1234567"));
        assert_eq!(normalize_landline("0951 1234567").as_deref(), Ok("09511234567"));
        assert_eq!(normalize_landline(" 0951 - 123 4567 ").as_deref(), Ok("0951-1234567"));
        assert_eq!(normalize_landline("010-12345678").as_deref(), Ok("010-12345678"));
        assert_eq!(normalize_landline("01012345678").as_deref(), Ok("01012345678"));
        assert_eq!(normalize_landline("0101234567").as_deref(), Ok("0101234567"));
        assert_eq!(normalize_landline("095112345678").as_deref(), Ok("095112345678"));
        assert_eq!(normalize_landline("0951－1234567").as_deref(), Ok("0951-1234567"));
    }

    #[test]
    fn landline_rejects_bad_numbers() {
        for s in [
            "",
            "9511234567",     // no leading 0
            "0951-123456",    // local part too short
            "0951-123456789", // local part too long
            "09-12345678",    // area code too short
            "09511-1234567",  // area code too long
            "0951-1234-567",  // two dashes
            "-09511234567",
            "010123456",     // 9 digits
            "0951123456789", // 13 digits
            "0951-12345a7",
            "13800138000", // a mobile
        ] {
            assert_eq!(normalize_landline(s), Err(PhoneError::InvalidLandline), "{s}");
        }
    }

    #[test]
    fn either_kind_mobile_first() {
        assert_eq!(normalize_phone("138-0013-8000").as_deref(), Ok("13800138000"));
        assert_eq!(normalize_phone("+86 13800138000").as_deref(), Ok("13800138000"));
        assert_eq!(normalize_phone("0951-1234567").as_deref(), Ok("0951-1234567"));
        assert_eq!(normalize_phone("12345"), Err(PhoneError::InvalidPhone));
        assert_eq!(normalize_phone(""), Err(PhoneError::InvalidPhone));
    }

    #[test]
    fn masking() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+86 138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("0951-1234567"), "0951-*****67");
        assert_eq!(mask_phone("09511234567"), "0951*****67");
        assert_eq!(mask_phone("010-12345678"), "010-******78");
        assert_eq!(mask_phone("01012345678"), "010******78");
        assert_eq!(mask_phone("02912345678"), "029******78");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone("12"), "**");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn error_codes_are_distinct() {
        let all = [PhoneError::InvalidMobile, PhoneError::InvalidLandline, PhoneError::InvalidPhone];
        let mut codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 3);
        assert!(all.iter().all(|e| !e.message_zh().is_empty() && !e.message_en().is_empty()));
    }
}

/// Properties over arbitrary and generated numbers.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn is_landline_form(s: &str) -> bool {
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        match s.split_once('-') {
            Some((area, local)) => {
                area.starts_with('0')
                    && (3..=4).contains(&area.len())
                    && (7..=8).contains(&local.len())
                    && digits(area)
                    && digits(local)
            }
            None => s.starts_with('0') && (10..=12).contains(&s.len()) && digits(s),
        }
    }

    /// A mobile number as people type it: an optional country code, then the digits with
    /// spaces and (half- or full-width) dashes here and there.
    fn typed_mobile() -> impl Strategy<Value = (String, String)> {
        ("1[3-9][0-9]{9}", prop::sample::select(vec!["", "+86", "0086", "+86 ", "0086-"]), prop::collection::vec(0usize..4, 11))
            .prop_map(|(digits, prefix, seps)| {
                let mut typed = prefix.to_owned();
                for (c, sep) in digits.chars().zip(seps) {
                    typed.push(c);
                    typed.push_str(["", " ", "-", "－"][sep]);
                }
                (typed, digits)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_text_never_panics_and_results_are_normal(input in any::<String>()) {
            if let Ok(m) = normalize_mobile(&input) {
                prop_assert!(is_mobile_digits(&m));
                prop_assert_eq!(normalize_mobile(&m), Ok(m.clone()));
            }
            if let Ok(l) = normalize_landline(&input) {
                prop_assert!(is_landline_form(&l), "{l:?}");
                prop_assert_eq!(normalize_landline(&l), Ok(l.clone()));
            }
            if let Ok(p) = normalize_phone(&input) {
                prop_assert!(is_mobile_digits(&p) || is_landline_form(&p));
                prop_assert_eq!(normalize_phone(&p), Ok(p.clone()));
            }
            let _ = mask_phone(&input);
        }

        #[test]
        fn phone_like_text_never_panics(input in "[+0-9 \\-－]{0,20}") {
            if let Ok(p) = normalize_phone(&input) {
                prop_assert!(is_mobile_digits(&p) || is_landline_form(&p));
            }
            let masked = mask_phone(&input);
            // Whatever it is, masking hides something of any number longer than 2 characters.
            if input.trim().chars().count() > 2 {
                prop_assert!(masked.contains('*'), "{input:?} → {masked:?}");
            }
        }

        #[test]
        fn typed_mobiles_normalise_to_their_digits((typed, digits) in typed_mobile()) {
            prop_assert_eq!(normalize_mobile(&typed), Ok(digits.clone()));
            prop_assert_eq!(normalize_phone(&typed), Ok(digits.clone()));
            let masked = mask_phone(&digits);
            prop_assert_eq!(masked, format!("{}****{}", &digits[..3], &digits[7..]));
        }

        #[test]
        fn landlines_keep_their_dash_and_mask_all_but_two_local_digits(
            // 010 and 020–029 are the only 3-digit area codes (see `area_code_len`).
            area in "010|02[0-9]|0[3-9][0-9]{2}",
            local in "[1-9][0-9]{6,7}",
            dash in any::<bool>(),
        ) {
            let typed = if dash { format!("{area} - {local}") } else { format!("{area}{local}") };
            let expected = if dash { format!("{area}-{local}") } else { format!("{area}{local}") };
            prop_assert_eq!(normalize_landline(&typed), Ok(expected.clone()));
            let masked = mask_phone(&expected);
            prop_assert!(masked.ends_with(&local[local.len() - 2..]));
            prop_assert_eq!(masked.matches('*').count(), local.len() - 2);
        }
    }
}

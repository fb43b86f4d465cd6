//! Statistical division codes (统计用区划代码) and their level in the hierarchy.
//!
//! Policy:
//! - A code is stored as 12 digits: 2 province, 2 city, 2 county, 3 township, 3 village. A 6-digit
//!   code (the GB/T 2260 county code people know) is padded with six zeros; surrounding whitespace
//!   is ignored; anything else is rejected.
//! - The level is read from the trailing zeros, as the statistics bureau assigns them: a code
//!   whose lower parts are all zero stands for the higher unit.
//! - An org unit's code, when given, must be at the level of its tier: a guidance centre sits at
//!   a province or a city, and the other tiers at their own level.

use std::fmt;

use serde::Serialize;

use super::enums::Tier;

/// Why a division code was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DivisionCodeError {
    /// Contains something other than ASCII digits.
    NotDigits,
    /// Not 6 or 12 digits.
    InvalidLength,
}

impl DivisionCodeError {
    /// Stable snake_case code for API clients.
    pub fn code(self) -> &'static str {
        match self {
            DivisionCodeError::NotDigits => "division_code_not_digits",
            DivisionCodeError::InvalidLength => "division_code_invalid_length",
        }
    }

    /// zh-CN message.
    pub fn message_zh(self) -> String {
        match self {
            DivisionCodeError::NotDigits => "区划代码只能包含数字",
            DivisionCodeError::InvalidLength => "区划代码应为 12 位（或 6 位县级代码）",
        }
        .to_owned()
    }

    /// English message.
    pub fn message_en(self) -> String {
        match self {
            DivisionCodeError::NotDigits => "A division code contains digits only",
            DivisionCodeError::InvalidLength => "A division code has 12 digits (or a 6-digit county code)",
        }
        .to_owned()
    }
}

impl fmt::Display for DivisionCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for DivisionCodeError {}

/// Level of an administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// 省级 (province, autonomous region, municipality).
    Province,
    /// 地级 (prefecture-level city, league, autonomous prefecture).
    City,
    /// 县级 (county, district, county-level city, banner).
    County,
    /// 乡级 (township, town, sub-district).
    Township,
    /// 村级 (village committee, residents' committee).
    Village,
}

impl DivisionLevel {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            DivisionLevel::Province => "province",
            DivisionLevel::City => "city",
            DivisionLevel::County => "county",
            DivisionLevel::Township => "township",
            DivisionLevel::Village => "village",
        }
    }

    /// zh-CN label.
    pub fn zh(self) -> &'static str {
        match self {
            DivisionLevel::Province => "省级",
            DivisionLevel::City => "地级",
            DivisionLevel::County => "县级",
            DivisionLevel::Township => "乡级",
            DivisionLevel::Village => "村级",
        }
    }

    /// Number of leading digits that identify a division at this level.
    pub fn significant_digits(self) -> usize {
        match self {
            DivisionLevel::Province => 2,
            DivisionLevel::City => 4,
            DivisionLevel::County => 6,
            DivisionLevel::Township => 9,
            DivisionLevel::Village => 12,
        }
    }
}

/// A validated 12-digit statistical division code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DivisionCode(String);

impl DivisionCode {
    /// Parses a 12-digit code, or a 6-digit county code padded to 12.
    pub fn parse(input: &str) -> Result<DivisionCode, DivisionCodeError> {
        let s = input.trim();
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(DivisionCodeError::NotDigits);
        }
        match s.len() {
            12 => Ok(DivisionCode(s.to_owned())),
            6 => Ok(DivisionCode(format!("{s}000000"))),
            _ => Err(DivisionCodeError::InvalidLength),
        }
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level this code stands for, read from its trailing zero parts.
    pub fn level(&self) -> DivisionLevel {
        let zero_from = |i: usize| self.0.as_bytes()[i..].iter().all(|&b| b == b'0');
        if zero_from(2) {
            DivisionLevel::Province
        } else if zero_from(4) {
            DivisionLevel::City
        } else if zero_from(6) {
            DivisionLevel::County
        } else if zero_from(9) {
            DivisionLevel::Township
        } else {
            DivisionLevel::Village
        }
    }

    /// The digits that identify this division (e.g. `640502` for a county).
    pub fn significant_prefix(&self) -> &str {
        &self.0[..self.level().significant_digits()]
    }

    /// Whether `other` is this division or lies inside it.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(self.significant_prefix())
    }

    /// Whether this code's level suits an org unit of `tier`: a centre at a province or city,
    /// every other tier at its own level.
    pub fn matches_tier(&self, tier: Tier) -> bool {
        matches!(
            (tier, self.level()),
            (Tier::Center, DivisionLevel::Province | DivisionLevel::City)
                | (Tier::County, DivisionLevel::County)
                | (Tier::Township, DivisionLevel::Township)
                | (Tier::Village, DivisionLevel::Village)
        )
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).expect("valid test code")
    }

    #[test]
    fn ningxia_levels() {
        assert_eq!(code("640000000000").level(), DivisionLevel::Province); // 宁夏回族自治区
        assert_eq!(code("640500000000").level(), DivisionLevel::City); // 中卫市
        assert_eq!(code("640502000000").level(), DivisionLevel::County); // 沙坡头区
        assert_eq!(code("640502100000").level(), DivisionLevel::Township); // a town of 沙坡头区
        assert_eq!(code("640502100201").level(), DivisionLevel::Village);
        assert_eq!(code("640521000000").level(), DivisionLevel::County); // 中宁县
    }

    #[test]
    fn six_digits_are_padded() {
        let c = code("640502");
        assert_eq!(c.as_str(), "640502000000");
        assert_eq!(c.level(), DivisionLevel::County);
        assert_eq!(code("640000").level(), DivisionLevel::Province);
        assert_eq!(code(" 640502100201 ").as_str(), "640502100201");
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(DivisionCode::parse(""), Err(DivisionCodeError::InvalidLength));
        assert_eq!(DivisionCode::parse("6405"), Err(DivisionCodeError::InvalidLength));
        assert_eq!(DivisionCode::parse("640502100"), Err(DivisionCodeError::InvalidLength));
        assert_eq!(DivisionCode::parse("6405021002011"), Err(DivisionCodeError::InvalidLength));
        assert_eq!(DivisionCode::parse("64050210020A"), Err(DivisionCodeError::NotDigits));
        assert_eq!(DivisionCode::parse("640502-100201"), Err(DivisionCodeError::NotDigits));
        assert_eq!(DivisionCode::parse("６４０５０２"), Err(DivisionCodeError::NotDigits));
        assert_ne!(DivisionCodeError::NotDigits.code(), DivisionCodeError::InvalidLength.code());
    }

    #[test]
    fn tier_matching() {
        let province = code("640000000000");
        let city = code("640500000000");
        let county = code("640502000000");
        let township = code("640502100000");
        let village = code("640502100201");
        assert!(province.matches_tier(Tier::Center));
        assert!(city.matches_tier(Tier::Center));
        assert!(!county.matches_tier(Tier::Center));
        assert!(county.matches_tier(Tier::County));
        assert!(!city.matches_tier(Tier::County));
        assert!(!township.matches_tier(Tier::County));
        assert!(township.matches_tier(Tier::Township));
        assert!(!village.matches_tier(Tier::Township));
        assert!(village.matches_tier(Tier::Village));
        assert!(!township.matches_tier(Tier::Village));
    }

    #[test]
    fn containment() {
        let city = code("640500000000");
        let county = code("640502000000");
        let village = code("640502100201");
        assert_eq!(county.significant_prefix(), "640502");
        assert!(city.contains(&county));
        assert!(city.contains(&village));
        assert!(county.contains(&county));
        assert!(!county.contains(&city));
        assert!(!code("640521000000").contains(&village));
    }
}

//! Cross-field rules for a client record (DOMAIN.md §3).
//!
//! Policy:
//! - Every violation is reported at once, so a form can be fixed in one round trip; each carries
//!   the field to highlight, a stable code and zh-CN/English messages (the HTTP layer answers 422).
//! - Age is in completed years on the caller's `today` (the clock is never read here). When the
//!   client has a resident ID, the caller passes the ID's birth date (the ID wins over a typed date).
//! - A category that implies an age (children's and elders' categories) cannot be checked without
//!   a birth date, so it then requires one rather than passing silently.
//! - Someone born on 29 February completes a year on 1 March in common years: no 29 February
//!   exists then, and this rule never ages anyone before a full year has passed.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::enums::ClientCategory;
use super::labels::Coded;

/// At most this many categories per client (DOMAIN.md §8: lists ≤ 100 items).
pub const MAX_CATEGORIES: usize = 100;

/// Age below which a client must have a guardian on file (legal adulthood).
pub const ADULT_AGE: u32 = 18;

/// Age below which a child counts as a rural left-behind child (农村留守儿童: under 16).
pub const LEFT_BEHIND_CHILD_MAX_AGE_EXCLUSIVE: u32 = 16;

/// Age from which a person counts as an elder (老年人权益保障法: 60 and over).
pub const ELDER_MIN_AGE: u32 = 60;

/// The facts of a client that the cross-field rules look at.
#[derive(Debug, Clone, Copy)]
pub struct ClientFacts<'a> {
    /// Birth date, from the resident ID when there is one; `None` when unknown.
    pub birth_date: Option<NaiveDate>,
    /// The client's categories as submitted (duplicates included, so they can be reported).
    pub categories: &'a [ClientCategory],
    /// Whether a guardian (at least a name) is on file.
    pub has_guardian: bool,
    /// The date the rules are evaluated on (the request's date in the deployment's time zone).
    pub today: NaiveDate,
}

/// One broken rule: the field to highlight, a stable code and the messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleViolation {
    /// Request field the violation is about (e.g. `categories`, `guardian`, `birth_date`).
    pub field: String,
    /// Stable snake_case code of the rule (e.g. `guardian_required`).
    pub code: &'static str,
    /// zh-CN message.
    pub zh: String,
    /// English message.
    pub en: String,
}

impl RuleViolation {
    pub(crate) fn new(field: &str, code: &'static str, zh: String, en: String) -> Self {
        RuleViolation { field: field.to_owned(), code, zh, en }
    }
}

/// The age bound a category implies, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AgeBound {
    /// Age must be below this many years.
    Under(u32),
    /// Age must be at least this many years.
    AtLeast(u32),
}

fn age_bound(category: ClientCategory) -> Option<AgeBound> {
    use ClientCategory as C;
    match category {
        C::LeftBehindChild => Some(AgeBound::Under(LEFT_BEHIND_CHILD_MAX_AGE_EXCLUSIVE)),
        C::Orphan | C::DeFactoUncaredChild | C::DistressedChild => Some(AgeBound::Under(ADULT_AGE)),
        C::LeftBehindElder | C::EmptyNestElder | C::LivingAloneElder | C::DisabledElder => Some(AgeBound::AtLeast(ELDER_MIN_AGE)),
        _ => None,
    }
}

/// Years completed between `birth` and `on` (0 when `on` is before `birth`).
///
/// A birthday counts on the day itself; a 29 February birthday counts on 1 March in common
/// years (see the module policy).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on <= birth {
        return 0;
    }
    let years = on.year() - birth.year();
    // Comparing (month, day) avoids building the anniversary date, which does not exist for
    // 29 February in common years.
    let before_anniversary = (on.month(), on.day()) < (birth.month(), birth.day());
    let completed = if before_anniversary { years - 1 } else { years };
    u32::try_from(completed).unwrap_or(0)
}

/// Checks every cross-field rule and returns all violations (empty when the client is valid).
///
/// Order is stable: list-shape problems, then the birth date, then the categories' age bounds in
/// the order submitted, then the guardian.
pub fn check_client(facts: &ClientFacts<'_>) -> Vec<RuleViolation> {
    let mut out = Vec::new();

    if facts.categories.len() > MAX_CATEGORIES {
        out.push(RuleViolation::new(
            "categories",
            "too_many_categories",
            format!("服务对象类别最多 {MAX_CATEGORIES} 项"),
            format!("At most {MAX_CATEGORIES} categories are allowed"),
        ));
    }

    // Distinct categories in submission order; each duplicate is reported once however often
    // it repeats.
    let mut distinct: Vec<ClientCategory> = Vec::new();
    let mut duplicated: Vec<ClientCategory> = Vec::new();
    for &c in facts.categories {
        if !distinct.contains(&c) {
            distinct.push(c);
        } else if !duplicated.contains(&c) {
            duplicated.push(c);
        }
    }
    for c in &duplicated {
        out.push(RuleViolation::new(
            "categories",
            "duplicate_category",
            format!("服务对象类别「{}」重复", c.zh()),
            format!("Category `{}` is listed more than once", c.code()),
        ));
    }

    let bound: Vec<(ClientCategory, AgeBound)> = distinct.iter().filter_map(|&c| age_bound(c).map(|b| (c, b))).collect();
    // A child category claims the client is a minor even when the birth date is unknown.
    let claims_minor = bound.iter().any(|(_, b)| matches!(b, AgeBound::Under(n) if *n <= ADULT_AGE));

    let age = match facts.birth_date {
        Some(birth) if birth > facts.today => {
            out.push(RuleViolation::new(
                "birth_date",
                "future_birth_date",
                "出生日期不能晚于今天".to_owned(),
                "Birth date cannot be in the future".to_owned(),
            ));
            // An impossible age would only add noise to the category rules.
            None
        }
        Some(birth) => Some(age_on(birth, facts.today)),
        None => {
            if !bound.is_empty() {
                let zh: Vec<&str> = bound.iter().map(|(c, _)| c.zh()).collect();
                let en: Vec<&str> = bound.iter().map(|(c, _)| c.code()).collect();
                out.push(RuleViolation::new(
                    "birth_date",
                    "birth_date_required",
                    format!("服务对象类别「{}」有年龄要求，须填写出生日期", zh.join("、")),
                    format!("A birth date is required to check the age limit of categories {}", en.join(", ")),
                ));
            }
            None
        }
    };

    if let Some(age) = age {
        for (c, b) in &bound {
            match *b {
                AgeBound::Under(limit) if age >= limit => out.push(RuleViolation::new(
                    "categories",
                    if limit == LEFT_BEHIND_CHILD_MAX_AGE_EXCLUSIVE { "age_must_be_under_16" } else { "age_must_be_under_18" },
                    format!("服务对象类别「{}」须未满 {limit} 周岁（现 {age} 周岁）", c.zh()),
                    format!("Category `{}` requires an age under {limit} (age is {age})", c.code()),
                )),
                AgeBound::AtLeast(limit) if age < limit => out.push(RuleViolation::new(
                    "categories",
                    "age_must_be_60_or_over",
                    format!("服务对象类别「{}」须年满 {limit} 周岁（现 {age} 周岁）", c.zh()),
                    format!("Category `{}` requires an age of {limit} or over (age is {age})", c.code()),
                )),
                _ => {}
            }
        }
    }

    let minor = match age {
        Some(age) => age < ADULT_AGE,
        None => facts.birth_date.is_none() && claims_minor,
    };
    if minor && !facts.has_guardian {
        out.push(RuleViolation::new(
            "guardian",
            "guardian_required",
            "未满 18 周岁的服务对象须登记监护人".to_owned(),
            "A guardian is required for a client under 18".to_owned(),
        ));
    }

    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClientCategory as C;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn check(birth: Option<NaiveDate>, cats: &[ClientCategory], guardian: bool, today: NaiveDate) -> Vec<RuleViolation> {
        check_client(&ClientFacts { birth_date: birth, categories: cats, has_guardian: guardian, today })
    }

    fn codes(v: &[RuleViolation]) -> Vec<&'static str> {
        v.iter().map(|x| x.code).collect()
    }

    #[test]
    fn age_counts_completed_years() {
        let birth = d(2010, 6, 15);
        assert_eq!(age_on(birth, d(2026, 6, 14)), 15);
        assert_eq!(age_on(birth, d(2026, 6, 15)), 16);
        assert_eq!(age_on(birth, d(2026, 6, 16)), 16);
        assert_eq!(age_on(birth, birth), 0);
        assert_eq!(age_on(birth, d(2000, 1, 1)), 0, "before birth");
        assert_eq!(age_on(d(2000, 12, 31), d(2001, 1, 1)), 0);
        assert_eq!(age_on(d(2000, 1, 1), d(2000, 12, 31)), 0);
        assert_eq!(age_on(d(2000, 1, 1), d(2001, 1, 1)), 1);
    }

    #[test]
    fn age_for_29_february_birthdays() {
        let leapling = d(2008, 2, 29);
        assert_eq!(age_on(leapling, d(2009, 2, 28)), 0);
        assert_eq!(age_on(leapling, d(2009, 3, 1)), 1);
        assert_eq!(age_on(leapling, d(2012, 2, 28)), 3);
        assert_eq!(age_on(leapling, d(2012, 2, 29)), 4);
        assert_eq!(age_on(leapling, d(2026, 2, 28)), 17);
        assert_eq!(age_on(leapling, d(2026, 3, 1)), 18);
        // Someone born on 28 February is not affected by the leap day.
        assert_eq!(age_on(d(2008, 2, 28), d(2009, 2, 28)), 1);
    }

    #[test]
    fn valid_clients_have_no_violations() {
        let today = d(2026, 5, 1);
        assert!(check(Some(d(1950, 1, 1)), &[C::EmptyNestElder, C::Dibao], false, today).is_empty());
        assert!(check(Some(d(2015, 1, 1)), &[C::LeftBehindChild, C::Orphan], true, today).is_empty());
        assert!(check(None, &[C::Dibao, C::Disabled], false, today).is_empty());
        assert!(check(None, &[], false, today).is_empty());
        assert!(check(Some(d(1990, 1, 1)), &[C::LeftBehindWoman], false, today).is_empty());
    }

    #[test]
    fn left_behind_child_boundary_at_16th_birthday() {
        let birth = d(2010, 6, 15);
        let cats = [C::LeftBehindChild];
        assert!(check(Some(birth), &cats, true, d(2026, 6, 14)).is_empty(), "day before 16th birthday");
        let v = check(Some(birth), &cats, true, d(2026, 6, 15));
        assert_eq!(codes(&v), vec!["age_must_be_under_16"]);
        assert_eq!(v[0].field, "categories");
        assert!(v[0].zh.contains("农村留守儿童"));
        assert!(v[0].en.contains("left_behind_child"));
    }

    #[test]
    fn child_categories_boundary_at_18th_birthday() {
        let birth = d(2008, 6, 15);
        for cat in [C::Orphan, C::DeFactoUncaredChild, C::DistressedChild] {
            assert!(check(Some(birth), &[cat], true, d(2026, 6, 14)).is_empty(), "{cat:?} day before");
            let v = check(Some(birth), &[cat], true, d(2026, 6, 15));
            assert_eq!(codes(&v), vec!["age_must_be_under_18"], "{cat:?} on birthday");
            assert_eq!(v[0].field, "categories");
        }
    }

    #[test]
    fn elder_categories_boundary_at_60th_birthday() {
        let birth = d(1966, 6, 15);
        for cat in [C::LeftBehindElder, C::EmptyNestElder, C::LivingAloneElder, C::DisabledElder] {
            let v = check(Some(birth), &[cat], false, d(2026, 6, 14));
            assert_eq!(codes(&v), vec!["age_must_be_60_or_over"], "{cat:?} day before");
            assert_eq!(v[0].field, "categories");
            assert!(check(Some(birth), &[cat], false, d(2026, 6, 15)).is_empty(), "{cat:?} on birthday");
        }
    }

    #[test]
    fn boundaries_for_29_february_birthdays() {
        // 60 and 16 are multiples of 4, so those anniversaries fall in leap years (until 2100).
        let cats = [C::LivingAloneElder];
        let birth = d(1964, 2, 29);
        assert_eq!(codes(&check(Some(birth), &cats, false, d(2024, 2, 28))), vec!["age_must_be_60_or_over"]);
        assert!(check(Some(birth), &cats, false, d(2024, 2, 29)).is_empty());
        // The 18th anniversary of a 2008 leapling falls in 2026, a common year: 1 March.
        let birth = d(2008, 2, 29);
        assert!(check(Some(birth), &[C::Orphan], true, d(2026, 2, 28)).is_empty());
        assert_eq!(codes(&check(Some(birth), &[C::Orphan], true, d(2026, 3, 1))), vec!["age_must_be_under_18"]);
        assert_eq!(codes(&check(Some(birth), &[], false, d(2026, 2, 28))), vec!["guardian_required"]);
        assert!(check(Some(birth), &[], false, d(2026, 3, 1)).is_empty());
    }

    #[test]
    fn guardian_required_under_18() {
        let birth = d(2008, 6, 15);
        let v = check(Some(birth), &[], false, d(2026, 6, 14));
        assert_eq!(codes(&v), vec!["guardian_required"]);
        assert_eq!(v[0].field, "guardian");
        assert!(check(Some(birth), &[], true, d(2026, 6, 14)).is_empty());
        assert!(check(Some(birth), &[], false, d(2026, 6, 15)).is_empty(), "18 today: adult");
    }

    #[test]
    fn age_bound_categories_need_a_birth_date() {
        let today = d(2026, 5, 1);
        let v = check(None, &[C::Dibao, C::EmptyNestElder, C::Disabled], false, today);
        assert_eq!(codes(&v), vec!["birth_date_required"]);
        assert_eq!(v[0].field, "birth_date");
        assert!(v[0].zh.contains("空巢老年人"));
        assert!(v[0].en.contains("empty_nest_elder"));
        // A child category claims a minor, so the guardian rule applies too.
        let v = check(None, &[C::Orphan], false, today);
        assert_eq!(codes(&v), vec!["birth_date_required", "guardian_required"]);
        let v = check(None, &[C::Orphan], true, today);
        assert_eq!(codes(&v), vec!["birth_date_required"]);
    }

    #[test]
    fn duplicates_are_reported_once_each() {
        let today = d(2026, 5, 1);
        let v = check(None, &[C::Dibao, C::Tekun, C::Dibao, C::Dibao, C::Tekun], false, today);
        assert_eq!(codes(&v), vec!["duplicate_category", "duplicate_category"]);
        assert!(v[0].en.contains("dibao"));
        assert!(v[1].zh.contains("特困人员"));
        assert!(v.iter().all(|x| x.field == "categories"));
    }

    #[test]
    fn too_many_categories() {
        let today = d(2026, 5, 1);
        let cats = vec![C::Dibao; MAX_CATEGORIES + 1];
        let v = check(None, &cats, false, today);
        assert_eq!(codes(&v), vec!["too_many_categories", "duplicate_category"]);
        // Exactly the limit is allowed (duplicates aside).
        let cats = vec![C::Dibao; MAX_CATEGORIES];
        assert_eq!(codes(&check(None, &cats, false, today)), vec!["duplicate_category"]);
    }

    #[test]
    fn future_birth_date_is_reported_without_age_noise() {
        let v = check(Some(d(2030, 1, 1)), &[C::EmptyNestElder], false, d(2026, 5, 1));
        assert_eq!(codes(&v), vec!["future_birth_date"]);
        assert_eq!(v[0].field, "birth_date");
    }

    #[test]
    fn all_violations_are_returned_together() {
        let today = d(2026, 5, 1);
        // A 10-year-old filed as an elder and an orphan, with a duplicate, and no guardian.
        let v = check(Some(d(2016, 1, 1)), &[C::EmptyNestElder, C::Orphan, C::Orphan], false, today);
        assert_eq!(codes(&v), vec!["duplicate_category", "age_must_be_60_or_over", "guardian_required"]);
        // A 70-year-old filed as a left-behind child and an orphan.
        let v = check(Some(d(1956, 1, 1)), &[C::LeftBehindChild, C::Orphan], false, today);
        assert_eq!(codes(&v), vec!["age_must_be_under_16", "age_must_be_under_18"]);
    }
}

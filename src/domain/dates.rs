//! Plausible ranges for the dates and times a client sends, per kind of field.
//!
//! JSON dates parse from year -262143 to 262143, so without a range `0000-01-01` becomes a birth
//! date and a session can happen in year 9999. The exact "not in the future" rules stay with the
//! services (they answer their own codes); these bounds only refuse what no record can mean.
//! "Today" is China's (UTC+8), where every station is; a day of slack covers clocks and zones.

use chrono::{DateTime, FixedOffset, Months, NaiveDate, Utc};

/// The kinds of date fields, each with its own range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// A birth date: from 1900-01-01 to today.
    Birth,
    /// When something happened (a session, an assessment, a consent, a follow-up done): from
    /// 2000-01-01 to today.
    Event,
    /// A date planned ahead (a due date, a plan's end, the next follow-up): from 2000-01-01 to
    /// five years after today.
    Planned,
}

/// Years a planned date may lie ahead.
pub const PLANNED_YEARS_AHEAD: u32 = 5;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The first and last accepted day of `kind`, for a server whose day (China's) is `today`.
pub fn range(kind: DateKind, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let tomorrow = today.succ_opt().unwrap_or(today);
    match kind {
        DateKind::Birth => (ymd(1900, 1, 1), tomorrow),
        DateKind::Event => (ymd(2000, 1, 1), tomorrow),
        DateKind::Planned => {
            (ymd(2000, 1, 1), tomorrow.checked_add_months(Months::new(12 * PLANNED_YEARS_AHEAD)).unwrap_or(tomorrow))
        }
    }
}

/// Whether `date` lies in the range of `kind`.
pub fn in_range(kind: DateKind, date: NaiveDate, today: NaiveDate) -> bool {
    let (first, last) = range(kind, today);
    first <= date && date <= last
}

/// Whether the instant `at` lies in the range of `kind` (compared by its day in China).
pub fn instant_in_range(kind: DateKind, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    in_range(kind, china_day(at), china_day(now))
}

fn china_day(at: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(8 * 3600) {
        Some(offset) => at.with_timezone(&offset).date_naive(),
        None => at.date_naive(),
    }
}

/// Today in China.
pub fn china_today() -> NaiveDate {
    china_day(Utc::now())
}

fn out_of_range(kind: DateKind) -> validator::ValidationError {
    let (first, last) = range(kind, china_today());
    let mut e = validator::ValidationError::new("out_of_range");
    // `extract::json` splits "zh|en" into the two languages.
    e.message = Some(format!("日期须在 {first} 到 {last} 之间。|The date must be between {first} and {last}.").into());
    e
}

fn check(kind: DateKind, ok: bool) -> Result<(), validator::ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(out_of_range(kind))
    }
}

/// Validator rule for a birth date.
pub fn validate_birth_date(date: &NaiveDate) -> Result<(), validator::ValidationError> {
    check(DateKind::Birth, in_range(DateKind::Birth, *date, china_today()))
}

/// Validator rule for the day something happened.
pub fn validate_event_date(date: &NaiveDate) -> Result<(), validator::ValidationError> {
    check(DateKind::Event, in_range(DateKind::Event, *date, china_today()))
}

/// Validator rule for the time something happened.
pub fn validate_event_time(at: &DateTime<Utc>) -> Result<(), validator::ValidationError> {
    check(DateKind::Event, instant_in_range(DateKind::Event, *at, Utc::now()))
}

/// Validator rule for a date planned ahead.
pub fn validate_planned_date(date: &NaiveDate) -> Result<(), validator::ValidationError> {
    check(DateKind::Planned, in_range(DateKind::Planned, *date, china_today()))
}

/// Validator rule for a time planned ahead.
pub fn validate_planned_time(at: &DateTime<Utc>) -> Result<(), validator::ValidationError> {
    check(DateKind::Planned, instant_in_range(DateKind::Planned, *at, Utc::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn birth_dates_run_from_1900_to_today() {
        let today = d("2026-12-02");
        assert!(in_range(DateKind::Birth, d("1900-01-01"), today));
        assert!(in_range(DateKind::Birth, d("2026-12-02"), today));
        assert!(!in_range(DateKind::Birth, d("1899-12-31"), today));
        assert!(!in_range(DateKind::Birth, d("0000-01-01"), today));
        assert!(!in_range(DateKind::Birth, NaiveDate::from_ymd_opt(-1, 1, 1).expect("date"), today));
        assert!(!in_range(DateKind::Birth, d("2026-12-04"), today));
    }

    #[test]
    fn events_run_from_2000_and_plans_five_years_ahead() {
        let today = d("2026-12-02");
        assert!(!in_range(DateKind::Event, d("1999-12-31"), today));
        assert!(in_range(DateKind::Event, d("2000-01-01"), today));
        assert!(!in_range(DateKind::Event, d("9999-01-01"), today));
        assert!(in_range(DateKind::Planned, d("2031-12-03"), today));
        assert!(!in_range(DateKind::Planned, d("2031-12-04"), today));
        assert!(!in_range(DateKind::Planned, d("0000-06-01"), today));
    }

    #[test]
    fn instants_count_by_the_day_in_china() {
        let now: DateTime<Utc> = "2026-12-02T20:00:00Z".parse().expect("time");
        // 20:00 UTC is already the 3rd in China, so the 4th (China) is still "tomorrow".
        assert!(instant_in_range(DateKind::Event, "2026-12-03T17:00:00Z".parse().expect("time"), now));
        assert!(!instant_in_range(DateKind::Event, "0000-01-01T00:00:00Z".parse().expect("time"), now));
        assert!(!instant_in_range(DateKind::Event, "1999-12-31T00:00:00Z".parse().expect("time"), now));
        assert!(instant_in_range(DateKind::Planned, now + chrono::Duration::days(365), now));
    }
}

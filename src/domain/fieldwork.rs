//! Field-work rules (FIELDWORK.md §1–2): visit intervals, when a roster entry is due, what a
//! visit's level observation does, and how visits count.
//!
//! When the next visit is due is applied in SQL (the stored `roster_entries.next_visit_due`,
//! which the due lists' indexes need); [`next_visit_due`] states it in Rust and
//! `tests/api/rules.rs` holds the two equal.

use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use uuid::Uuid;

use super::enums::RiskLevel;

/// Days between visits per level, as a unit sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intervals {
    /// Red.
    pub red: i32,
    /// Yellow.
    pub yellow: i32,
    /// Blue.
    pub blue: i32,
    /// Green.
    pub green: i32,
}

impl Intervals {
    /// DOMAIN.md §3: 7, 14, 30 and 90 days.
    pub fn defaults() -> Self {
        let d = |l: RiskLevel| l.visit_interval_days() as i32;
        Intervals { red: d(RiskLevel::Red), yellow: d(RiskLevel::Yellow), blue: d(RiskLevel::Blue), green: d(RiskLevel::Green) }
    }

    /// The interval of a level.
    pub fn for_level(&self, level: RiskLevel) -> i32 {
        match level {
            RiskLevel::Red => self.red,
            RiskLevel::Yellow => self.yellow,
            RiskLevel::Blue => self.blue,
            RiskLevel::Green => self.green,
        }
    }

    /// A higher risk is never visited less often than a lower one: the first level (by name)
    /// whose interval is longer than the next lower risk's, if any.
    pub fn out_of_order(&self) -> Option<&'static str> {
        [("red", self.red, self.yellow), ("yellow", self.yellow, self.blue), ("blue", self.blue, self.green)]
            .into_iter()
            .find(|(_, higher, lower)| higher > lower)
            .map(|(name, ..)| name)
    }
}

/// The longest interval a unit or an entry may set, in days (a year and a day).
pub const MAX_INTERVAL_DAYS: i32 = 366;

/// The day an active entry's next visit is due: its interval after the last visit's day (China
/// time), or after enrolment when it has had none.
pub fn next_visit_due(last_visit_day: Option<NaiveDate>, enrolled_on: NaiveDate, interval_days: i32) -> NaiveDate {
    let from = last_visit_day.unwrap_or(enrolled_on);
    from.checked_add_days(Days::new(interval_days.max(0) as u64)).unwrap_or(NaiveDate::MAX)
}

/// An entry is overdue once its due day has passed.
pub fn is_overdue(next_visit_due: Option<NaiveDate>, today: NaiveDate) -> bool {
    next_visit_due.is_some_and(|due| due < today)
}

/// What a level observed on a visit does to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation {
    /// The entry's level already: nothing to change.
    Same,
    /// Red: confirmed at once, and the supervisors are alerted.
    ConfirmedRed,
    /// Any other change: proposed, for the responsible worker or a supervisor to confirm.
    Proposed,
}

/// Classifies a level observed against the entry's current level.
pub fn observe(current: RiskLevel, observed: RiskLevel) -> Observation {
    if current == observed {
        Observation::Same
    } else if observed == RiskLevel::Red {
        Observation::ConfirmedRed
    } else {
        Observation::Proposed
    }
}

/// A rating to red must say why (a reason of at least one visible character).
pub fn reason_missing(level: RiskLevel, reason: Option<&str>) -> bool {
    level == RiskLevel::Red && reason.is_none_or(|r| r.trim().is_empty())
}

/// Households a visit reached (its 走访户次): the distinct households of the clients seen, a
/// client without a household counting as their own, and the visited household when none of
/// the clients belongs to it.
pub fn households_reached(clients: &[(Uuid, Option<Uuid>)], visited_household: Option<Uuid>) -> i32 {
    let mut units: HashSet<Uuid> = clients.iter().map(|(client, household)| household.unwrap_or(*client)).collect();
    if let Some(h) = visited_household {
        units.insert(h);
    }
    units.len() as i32
}

/// Whether an entry counts as covered at the end of a period: visited within its interval
/// before the period's end (`end_day` is the first day after the period; for a period that runs
/// to today, tomorrow, so that today's visits count).
pub fn covered(last_visit_day_before_end: Option<NaiveDate>, interval_days: i32, end_day: NaiveDate) -> bool {
    last_visit_day_before_end.is_some_and(|day| day < end_day && next_visit_due(Some(day), day, interval_days) >= end_day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn defaults_follow_the_risk_levels() {
        let d = Intervals::defaults();
        assert_eq!((d.red, d.yellow, d.blue, d.green), (7, 14, 30, 90));
        assert_eq!(d.for_level(RiskLevel::Blue), 30);
        assert_eq!(d.out_of_order(), None);
        assert_eq!(Intervals { red: 20, yellow: 14, blue: 30, green: 90 }.out_of_order(), Some("red"));
        assert_eq!(Intervals { red: 7, yellow: 14, blue: 100, green: 90 }.out_of_order(), Some("blue"));
    }

    #[test]
    fn due_counts_from_the_last_visit_or_enrolment() {
        assert_eq!(next_visit_due(None, day("2026-11-01"), 7), day("2026-11-08"));
        assert_eq!(next_visit_due(Some(day("2026-11-20")), day("2026-11-01"), 30), day("2026-12-20"));
        assert!(is_overdue(Some(day("2026-12-01")), day("2026-12-02")));
        assert!(!is_overdue(Some(day("2026-12-02")), day("2026-12-02")));
        assert!(!is_overdue(None, day("2026-12-02")));
    }

    #[test]
    fn red_is_confirmed_at_once_and_needs_a_reason() {
        assert_eq!(observe(RiskLevel::Green, RiskLevel::Green), Observation::Same);
        assert_eq!(observe(RiskLevel::Green, RiskLevel::Red), Observation::ConfirmedRed);
        assert_eq!(observe(RiskLevel::Red, RiskLevel::Yellow), Observation::Proposed);
        assert!(reason_missing(RiskLevel::Red, None));
        assert!(reason_missing(RiskLevel::Red, Some("  ")));
        assert!(!reason_missing(RiskLevel::Red, Some("独居老人跌倒")));
        assert!(!reason_missing(RiskLevel::Blue, None));
    }

    #[test]
    fn households_count_once_and_clients_without_one_count_alone() {
        let (a, b, c, h, g) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(households_reached(&[(a, Some(h)), (b, Some(h))], Some(h)), 1);
        assert_eq!(households_reached(&[(a, Some(h)), (c, None)], None), 2);
        assert_eq!(households_reached(&[(c, None)], Some(g)), 2);
        assert_eq!(households_reached(&[(a, Some(h))], None), 1);
    }

    #[test]
    fn covered_means_visited_within_the_interval_before_the_end() {
        let end = day("2026-12-01");
        assert!(covered(Some(day("2026-11-25")), 7, end));
        assert!(!covered(Some(day("2026-11-23")), 7, end));
        assert!(covered(Some(day("2026-09-02")), 90, end));
        assert!(!covered(None, 90, end));
        assert!(!covered(Some(end), 7, end));
    }
}

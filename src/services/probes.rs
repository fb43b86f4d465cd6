//! Out-of-scope duplicate-document hits: each tells a worker that a person is on file somewhere
//! in the province, so each is audited and a user gets only so many a day.
//!
//! The day is the stations' calendar day (UTC+8, as `services::today`). Hits are counted from the
//! audit log itself (`client.duplicate_probe`), so the count and the record of it never disagree
//! and every process on the database shares it. How many a day is `Config::duplicate_probes_per_day`.

use chrono::{DateTime, Duration, Utc};

/// The action an out-of-scope hit is audited under (and counted by).
pub use crate::db::repo::audit::PROBE_ACTION;
/// The action of a check refused because the day's hits are used up.
pub const LIMITED_ACTION: &str = "client.duplicate_probe_limited";

/// When the stations' current day began, and how many seconds remain until the next one.
pub fn day_window(now: DateTime<Utc>) -> (DateTime<Utc>, u64) {
    let offset = Duration::hours(8);
    let local_midnight = (now + offset).date_naive().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    let start = local_midnight - offset;
    let left = (start + Duration::days(1) - now).num_seconds().max(1);
    (start, left as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_day_is_beijing_time() {
        // 15:59:30 UTC is 23:59:30 in Beijing: the day began at 16:00 UTC the day before.
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 15, 59, 30).single().expect("valid");
        let (start, left) = day_window(now);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).single().expect("valid"));
        assert_eq!(left, 30);
        // One minute later a new day has begun.
        let (start, left) = day_window(now + Duration::minutes(1));
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 12, 3, 16, 0, 0).single().expect("valid"));
        assert_eq!(left, 86_400 - 30);
    }
}

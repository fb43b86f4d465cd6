//! How moments and dates are written in a response, exactly as chrono writes them: a moment in
//! RFC 3339 and UTC, `2026-12-02T04:29:02.123456Z`, with the fraction of a second only as long as
//! it needs to be (none, 3, 6 or 9 digits); a date as `2026-12-02`.
//!
//! chrono's own `Serialize` goes through `collect_str`, which hands serde_json the text piece by
//! piece, each escaped on its own; a list page writes a hundred moments or more. Here the text is
//! made in one small buffer and handed over once. Use these on every `DateTime<Utc>` and
//! `NaiveDate` of a response: `#[serde(serialize_with = "crate::dto::time::rfc3339")]`
//! (`rfc3339_opt`, `date`, `date_opt`).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::Serializer;

/// `YYYY-MM-DDTHH:MM:SS` + `.fraction` (up to 9 digits) + `Z`, with room for a wide year.
const MAX_LEN: usize = 40;

fn two(out: &mut [u8], at: usize, n: u32) {
    out[at] = b'0' + (n / 10 % 10) as u8;
    out[at + 1] = b'0' + (n % 10) as u8;
}

/// `YYYY-MM-DD` into the start of `buf`, or `None` for a year outside four digits (chrono writes
/// those with a sign; no record has one, so chrono is left to do it).
fn write_date(d: &impl Datelike, buf: &mut [u8; MAX_LEN]) -> Option<usize> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    two(buf, 0, year / 100);
    two(buf, 2, year % 100);
    buf[4] = b'-';
    two(buf, 5, d.month());
    buf[7] = b'-';
    two(buf, 8, d.day());
    Some(10)
}

/// Copies chrono's own text into `buf`.
fn copy(text: &str, buf: &mut [u8; MAX_LEN]) -> usize {
    let n = text.len().min(MAX_LEN);
    buf[..n].copy_from_slice(&text.as_bytes()[..n]);
    n
}

/// The text of `t`, as chrono's `to_rfc3339_opts(SecondsFormat::AutoSi, true)` writes it.
fn write(t: &DateTime<Utc>, buf: &mut [u8; MAX_LEN]) -> usize {
    if write_date(t, buf).is_none() {
        return copy(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), buf);
    }
    buf[10] = b'T';
    two(buf, 11, t.hour());
    buf[13] = b':';
    two(buf, 14, t.minute());
    buf[16] = b':';
    // A leap second is carried in the nanoseconds (1_000_000_000 and up) and written as second 60.
    let nanos = t.nanosecond();
    let (second, nanos) = if nanos >= 1_000_000_000 { (t.second() + 1, nanos - 1_000_000_000) } else { (t.second(), nanos) };
    two(buf, 17, second);
    let mut len = 19;
    let (value, digits) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if digits > 0 {
        buf[len] = b'.';
        let mut v = value;
        for i in (0..digits).rev() {
            buf[len + 1 + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        len += 1 + digits;
    }
    buf[len] = b'Z';
    len + 1
}

fn serialize_buf<S: Serializer>(buf: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    // Only ASCII digits and punctuation were written.
    serializer.serialize_str(std::str::from_utf8(buf).unwrap_or_default())
}

/// Serializes a moment (see the module).
pub fn rfc3339<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; MAX_LEN];
    let len = write(t, &mut buf);
    serialize_buf(&buf[..len], serializer)
}

/// Serializes an optional moment (see the module).
pub fn rfc3339_opt<S: Serializer>(t: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, serializer),
        None => serializer.serialize_none(),
    }
}

/// Serializes a date (see the module).
pub fn date<S: Serializer>(d: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; MAX_LEN];
    let len = write_date(d, &mut buf).unwrap_or_else(|| copy(&d.to_string(), &mut buf));
    serialize_buf(&buf[..len], serializer)
}

/// Serializes an optional date (see the module).
pub fn date_opt<S: Serializer>(d: &Option<NaiveDate>, serializer: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => date(d, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, SecondsFormat, TimeZone};

    fn ours(t: &DateTime<Utc>) -> String {
        let mut buf = [0u8; MAX_LEN];
        let len = write(t, &mut buf);
        String::from_utf8(buf[..len].to_vec()).unwrap_or_default()
    }

    #[test]
    fn writes_what_chrono_writes() {
        let base = Utc.with_ymd_and_hms(2026, 12, 2, 4, 29, 2).single().unwrap_or_default();
        let nanos = [0, 1, 9, 10, 999, 1_000, 120_000, 123_456_000, 123_000_000, 500_000_000, 999_999_999, 123_456_789];
        for n in nanos {
            let t = base + chrono::Duration::nanoseconds(i64::from(n));
            assert_eq!(ours(&t), t.to_rfc3339_opts(SecondsFormat::AutoSi, true), "{n} ns");
        }
        for (y, m, d, h, mi, s) in [
            (1, 1, 1, 0, 0, 0),
            (999, 12, 31, 23, 59, 59),
            (1970, 1, 1, 0, 0, 0),
            (2024, 2, 29, 12, 0, 1),
            (9999, 12, 31, 23, 59, 59),
        ] {
            let t = Utc.with_ymd_and_hms(y, m, d, h, mi, s).single().unwrap_or_default();
            assert_eq!(ours(&t), t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            assert_eq!(serde_json::to_string(&t).unwrap_or_default(), format!("\"{}\"", ours(&t)), "chrono's own serde");
        }
    }

    #[test]
    fn leap_seconds_and_wide_years_too() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .map(|n| n.and_utc());
        let wide = NaiveDate::from_ymd_opt(12345, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|n| n.and_utc());
        for t in [leap, wide].into_iter().flatten() {
            assert_eq!(ours(&t), t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        }
    }

    #[test]
    fn dates_as_chrono_writes_them() {
        for (y, m, d) in [(2026, 12, 2), (1949, 10, 1), (1, 1, 1), (9999, 12, 31), (12345, 6, 7), (-44, 3, 15)] {
            let Some(date_value) = NaiveDate::from_ymd_opt(y, m, d) else { continue };
            let mut buf = [0u8; MAX_LEN];
            let len = write_date(&date_value, &mut buf).unwrap_or_else(|| copy(&date_value.to_string(), &mut buf));
            let json = serde_json::to_string(&date_value).unwrap_or_default();
            assert_eq!(format!("\"{}\"", std::str::from_utf8(&buf[..len]).unwrap_or_default()), json, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn serializes_through_serde() {
        #[derive(serde::Serialize)]
        struct Row {
            #[serde(serialize_with = "rfc3339")]
            at: DateTime<Utc>,
            #[serde(serialize_with = "rfc3339_opt")]
            due: Option<DateTime<Utc>>,
            #[serde(serialize_with = "rfc3339_opt")]
            never: Option<DateTime<Utc>>,
        }
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).single().unwrap_or_default() + chrono::Duration::microseconds(250);
        let json = serde_json::to_string(&Row { at, due: Some(at), never: None }).unwrap_or_default();
        assert_eq!(json, r#"{"at":"2026-01-02T03:04:05.000250Z","due":"2026-01-02T03:04:05.000250Z","never":null}"#);
    }
}

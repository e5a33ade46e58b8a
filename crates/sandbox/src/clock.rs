//! Wall-clock time as Unix milliseconds, ISO-8601 timestamps, and the
//! `MM/DD/YYYY` dates of SSL.com's list search. Dates are UTC throughout
//! (SSL.com's portal answers in US Central time; see README).

use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Midnight UTC of a date, in Unix milliseconds; `None` if it is no date.
pub fn date_ms(year: i64, month: u32, day: u32) -> Option<i64> {
    ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
        .then(|| days_from_civil(year, month, day) * MS_PER_DAY)
}

/// `2024-03-01T10:00:00.000Z`, as Rails renders a timestamp (in UTC here).
pub fn iso(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (h, m, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

fn number(s: &str, min_len: usize, max_len: usize) -> Option<i64> {
    let digits = (min_len..=max_len).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| s.parse().ok()).flatten()
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.mmm]Z` (the admin endpoint's back-dating).
pub fn parse_iso(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let (year, month, day) = (
        number(d.next()?, 4, 4)?,
        number(d.next()?, 2, 2)?,
        number(d.next()?, 2, 2)?,
    );
    let (hms, milli) = match time.split_once('.') {
        Some((hms, ms)) => (hms, number(ms, 1, 3)?),
        None => (time, 0),
    };
    let mut t = hms.split(':');
    let (h, m, sec) = (
        number(t.next()?, 2, 2)?,
        number(t.next()?, 2, 2)?,
        number(t.next()?, 2, 2)?,
    );
    if d.next().is_some() || t.next().is_some() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let midnight = date_ms(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    Some(midnight + ((h * 60 + m) * 60 + sec) * 1000 + milli)
}

/// Reads `MM/DD/YYYY` (one- or two-digit month and day, as Ruby's
/// `Date.strptime(s, '%m/%d/%Y')`) as midnight UTC.
pub fn parse_us_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().split('/');
    let month = number(parts.next()?, 1, 2)?;
    let day = number(parts.next()?, 1, 2)?;
    let year = number(parts.next()?, 4, 4)?;
    if parts.next().is_some() {
        return None;
    }
    date_ms(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// One day in milliseconds.
pub const DAY_MS: i64 = MS_PER_DAY;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_iso() {
        for ms in [0, 951_782_400_000, 1_709_287_200_123, 4_102_444_799_999] {
            assert_eq!(parse_iso(&iso(ms)), Some(ms), "{}", iso(ms));
        }
        assert_eq!(iso(1_709_287_200_123), "2024-03-01T10:00:00.123Z");
        assert_eq!(parse_iso("2024-02-29T00:00:00Z"), date_ms(2024, 2, 29));
        assert_eq!(parse_iso("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_iso("2024-03-01 10:00:00Z"), None);
    }

    #[test]
    fn us_dates_are_read_like_ruby_strptime() {
        assert_eq!(parse_us_date("03/01/2024"), date_ms(2024, 3, 1));
        assert_eq!(parse_us_date("3/1/2024"), date_ms(2024, 3, 1));
        assert_eq!(parse_us_date("13/01/2024"), None);
        assert_eq!(parse_us_date("2024-03-01"), None);
        assert_eq!(parse_us_date("03/01/24"), None);
    }
}

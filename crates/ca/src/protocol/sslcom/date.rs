//! Calendar dates as SSL.com's list search writes them (`MM/DD/YYYY`), from
//! Unix time, without a date crate.

/// Seconds in a day.
pub const DAY_SECS: u64 = 86_400;

/// The UTC date of `unix_secs` as `MM/DD/YYYY`.
///
/// ```
/// use smime_bulk_ca::protocol::sslcom::date::us_date;
/// assert_eq!(us_date(0), "01/01/1970");
/// assert_eq!(us_date(951_782_400), "02/29/2000");
/// assert_eq!(us_date(1_796_083_200), "12/01/2026");
/// ```
pub fn us_date(unix_secs: u64) -> String {
    let (y, m, d) = civil_from_days(unix_secs / DAY_SECS);
    format!("{m:02}/{d:02}/{y:04}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`, for days ≥ 0).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_four_centuries_follows_the_one_before() {
        let mut prev = civil_from_days(0);
        for day in 1..146_097 * 2 {
            let (y, m, d) = civil_from_days(day);
            let (py, pm, pd) = prev;
            let next_day = (y, m, d) == (py, pm, pd + 1);
            let next_month = (y, m, d) == (py, pm + 1, 1);
            let next_year = (y, m, d) == (py + 1, 1, 1) && (pm, pd) == (12, 31);
            assert!(next_day || next_month || next_year, "{prev:?} → {:?}", (y, m, d));
            prev = (y, m, d);
        }
    }
}

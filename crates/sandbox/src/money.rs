//! Prices in cents: read from the accounts file (`"90.00"`), written the way
//! SSL.com's `Money#format` writes them (`"$1,234.50"`).

/// Reads a non-negative decimal with at most two decimals (`"90"`, `"90.5"`,
/// `"90.00"`) as cents.
pub fn parse_cents(s: &str) -> Option<i64> {
    let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || frac.len() > 2 || !digits(whole) || !digits(frac) {
        return None;
    }
    let cents = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse::<i64>().ok()?,
    };
    Some(whole.parse::<i64>().ok()? * 100 + cents)
}

/// `$1,234.50`: dollar sign, thousands separated by commas, two decimals.
pub fn format_dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_and_write_like_money_format() {
        assert_eq!(parse_cents("90.00"), Some(9000));
        assert_eq!(parse_cents("90.5"), Some(9050));
        assert_eq!(parse_cents("7"), Some(700));
        assert_eq!(parse_cents("1.234"), None);
        assert_eq!(parse_cents("-1"), None);
        assert_eq!(parse_cents(""), None);
        assert_eq!(format_dollars(9000), "$90.00");
        assert_eq!(format_dollars(5), "$0.05");
        assert_eq!(format_dollars(123_456_789), "$1,234,567.89");
        assert_eq!(format_dollars(100_000), "$1,000.00");
    }
}

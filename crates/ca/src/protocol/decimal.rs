//! Decimal numbers as the CA writes them (`"39.00"` for a price, `"1.5"` in a
//! `Retry-After`), read exactly in thousandths: no floating point, so prices
//! total to the cent and the app need not carry float parsing and printing.

/// `text` (digits, an optional `.` and up to three decimals; more decimals
/// are cut) times 1000, or `None` if it is not such a number or is too large.
///
/// ```
/// use smime_bulk_ca::protocol::decimal::thousandths;
/// assert_eq!(thousandths("39.00"), Some(39_000));
/// assert_eq!(thousandths(" 1.5 "), Some(1_500));
/// assert_eq!(thousandths("2"), Some(2_000));
/// assert_eq!(thousandths("-1"), None);
/// ```
pub fn thousandths(text: &str) -> Option<u64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: u64 = 0;
    for b in whole.bytes() {
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    let mut scale = 100;
    let mut milli = 0;
    for b in fraction.bytes().take(3) {
        milli += u64::from(b - b'0') * scale;
        scale /= 10;
    }
    value.checked_mul(1000)?.checked_add(milli)
}

/// `count` items at `price` (a CA price string), as `"1234.50"`: exact to the
/// cent (a thousandth of a unit is rounded half up).
///
/// ```
/// use smime_bulk_ca::protocol::decimal::total;
/// assert_eq!(total("39.00", 3).as_deref(), Some("117.00"));
/// assert_eq!(total("0.335", 2).as_deref(), Some("0.67"));
/// assert_eq!(total("free", 2), None);
/// ```
pub fn total(price: &str, count: u64) -> Option<String> {
    let milli = thousandths(price)?.checked_mul(count)?;
    let cents = milli.checked_add(5)? / 10;
    Some(format!("{}.{:02}", cents / 100, cents % 100))
}

/// The sum of amounts as a CA writes them on its orders (`"39.00"`, or
/// SSL.com's `"$1,234.50"`), in the first one's currency sign, to the cent;
/// `None` if there is none or one cannot be read (then no total is shown
/// rather than a wrong one).
///
/// ```
/// use smime_bulk_ca::protocol::decimal::sum_amounts;
/// assert_eq!(sum_amounts(["$90.00", "$1,120.50"]), Some("$1210.50".into()));
/// assert_eq!(sum_amounts(["39.00", "39.00"]), Some("78.00".into()));
/// assert_eq!(sum_amounts(["$1.00", "€1.00"]), None, "two currencies");
/// assert_eq!(sum_amounts(Vec::<&str>::new()), None);
/// ```
pub fn sum_amounts<'a>(amounts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut sign: Option<&str> = None;
    let mut milli: u64 = 0;
    for amount in amounts {
        let amount = amount.trim();
        let digits_at = amount.find(|c: char| c.is_ascii_digit())?;
        let (prefix, number) = amount.split_at(digits_at);
        if *sign.get_or_insert(prefix) != prefix {
            return None;
        }
        milli = milli.checked_add(thousandths(&number.replace(',', ""))?)?;
    }
    let cents = milli.checked_add(5)? / 10;
    sign.map(|s| format!("{s}{}.{:02}", cents / 100, cents % 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_plain_decimal_is_refused() {
        for bad in [
            "",
            ".",
            "1.2.3",
            "1e3",
            "0x10",
            "+1",
            "NaN",
            "inf",
            "1,5",
            "99999999999999999999",
        ] {
            assert_eq!(thousandths(bad), None, "{bad}");
        }
        assert_eq!(thousandths(".5"), Some(500));
        assert_eq!(thousandths("3."), Some(3000));
        assert_eq!(thousandths("0.12345"), Some(123));
    }

    #[test]
    fn a_large_batch_totals_to_the_cent() {
        assert_eq!(total("69.00", 100_000).as_deref(), Some("6900000.00"));
        assert_eq!(total("0.10", 3).as_deref(), Some("0.30"));
    }
}

//! A cell's value as text, as the sheet shows it: integers without a
//! fraction or exponent (`45000`, never `4.5e4`), dates as ISO 8601 dates
//! (`2024-03-01`, never the serial number `45352`), a formula's cached value.

use calamine::{CellErrorType, Data, DataRef, ExcelDateTime};

/// The text of a streamed `.xlsx` cell.
pub(super) fn text_of_ref(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => boolean(*b),
        DataRef::DateTime(d) => date_time(d),
        DataRef::Error(e) => error(e),
        DataRef::Empty => String::new(),
    }
}

/// The text of a cell of an `.ods` or `.xls` sheet.
pub(super) fn text_of(value: &Data) -> String {
    match value {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => boolean(*b),
        Data::DateTime(d) => date_time(d),
        Data::Error(e) => error(e),
        Data::Empty => String::new(),
    }
}

/// A number as a spreadsheet's General format writes it: whole numbers
/// without `.0`, others in the shortest decimal that reads back the same
/// (Rust's `Display` for `f64` never uses an exponent).
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn boolean(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_owned()
}

fn error(e: &CellErrorType) -> String {
    e.to_string()
}

/// A date as `YYYY-MM-DD`, with ` HH:MM:SS` when it has a time of day; a
/// time alone as `HH:MM:SS`; a duration as hours, minutes and seconds.
fn date_time(d: &ExcelDateTime) -> String {
    let serial = d.as_f64();
    if d.is_duration() || !serial.is_finite() || serial < 0.0 {
        let seconds = (serial * 86_400.0).round() as i64;
        return format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            (seconds / 60 % 60).abs(),
            (seconds % 60).abs()
        );
    }
    let (year, month, day, hour, minute, second, _) = d.to_ymd_hms_milli();
    let time = (hour, minute, second) != (0, 0, 0);
    if serial < 1.0 {
        format!("{hour:02}:{minute:02}:{second:02}")
    } else if time {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn whole_numbers_have_no_fraction_nor_exponent() {
        assert_eq!(number(45000.0), "45000");
        assert_eq!(number(4.5e4), "45000");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number(1e20), "100000000000000000000");
    }

    #[test]
    fn dates_are_iso_dates_never_serial_numbers() {
        let date = |v| date_time(&ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(date(45352.0), "2024-03-01");
        assert_eq!(date(45352.5), "2024-03-01 12:00:00");
        assert_eq!(date(0.75), "18:00:00");
    }
}

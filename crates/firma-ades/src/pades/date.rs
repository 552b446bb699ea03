//! Dates in PDF (ISO 32000-1 clause 7.9.4) and in the visible appearance.

use time::{OffsetDateTime, UtcOffset};

/// `D:YYYYMMDDHHmmSS+00'00'` in UTC, for the signature dictionary's /M (clause 12.8.1, Table 252).
pub(crate) fn pdf_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `dd/mm/yyyy HH:MM:SS UTC`, the Italian day-month order, for the visible appearance.
pub(crate) fn display_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02} UTC",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_in_utc() {
        let t = datetime!(2026-03-04 10:05:06 +02:00);
        assert_eq!(pdf_date(t), "D:20260304080506+00'00'");
        assert_eq!(display_date(t), "04/03/2026 08:05:06 UTC");
    }
}

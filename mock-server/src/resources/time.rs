//! Timestamps as ilert writes them: ISO-8601 / RFC 3339 in UTC.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::clock::UnixSeconds;

/// Unix seconds as ISO-8601 (`2026-11-28T12:00:00Z`).
pub fn iso8601(at: UnixSeconds) -> String {
    OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// The date of `at` (Unix seconds, already moved into the wanted time zone) as `YYYY-MM-DD`.
pub fn day(at: UnixSeconds) -> String {
    let date = OffsetDateTime::from_unix_timestamp(at)
        .map(OffsetDateTime::date)
        .unwrap_or(time::Date::MIN);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// An ISO-8601 date-time (with offset) as Unix seconds.
pub fn parse(text: &str) -> Option<UnixSeconds> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_utc() {
        assert_eq!(iso8601(1_643_726_723), "2022-02-01T14:45:23Z");
        assert_eq!(parse("2022-02-01T14:45:23Z"), Some(1_643_726_723));
        assert_eq!(parse("2021-05-25T21:24:56.771Z"), Some(1_621_977_896));
        assert_eq!(parse("yesterday"), None);
        assert_eq!(day(1_643_726_723), "2022-02-01");
    }
}

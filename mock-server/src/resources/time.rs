//! Timestamps as ilert writes them: ISO-8601 / RFC 3339 in UTC; and date-times without offset,
//! as Terraform's schedules send them, read in a time zone.

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

/// A date-time without offset (`2022-08-30T00:00`, `2022-08-30T00:00:00`), as a civil time.
pub fn civil(text: &str) -> Option<jiff::civil::DateTime> {
    if text.len() < 16 || text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    text.parse::<jiff::civil::DateTime>().ok()
}

/// Whether `text` is an RFC 3339 date-time or one without offset ([`civil`]).
pub fn is_local_date_time(text: &str) -> bool {
    parse(text).is_some() || civil(text).is_some()
}

/// An RFC 3339 date-time as Unix seconds, or one without offset read in `tz` (a time a DST
/// change skips moves forward, a repeated one takes its first occurrence).
pub fn parse_in(text: &str, tz: &jiff::tz::TimeZone) -> Option<UnixSeconds> {
    parse(text).or_else(|| {
        let at = civil(text)?;
        tz.to_timestamp(at).ok().map(jiff::Timestamp::as_second)
    })
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

    #[test]
    fn date_times_without_offset_are_read_in_a_time_zone() {
        let berlin = jiff::tz::db().get("Europe/Berlin").expect("zone");
        // 2022-08-30 00:00 in Berlin is 22:00 UTC the day before (summer time).
        assert_eq!(
            parse_in("2022-08-30T00:00", &berlin),
            parse("2022-08-29T22:00:00Z")
        );
        assert_eq!(
            parse_in("2022-08-30T00:00:00", &berlin),
            parse("2022-08-29T22:00:00Z")
        );
        assert_eq!(
            parse_in("2022-08-30T00:00:00Z", &berlin),
            parse("2022-08-30T00:00:00Z")
        );
        assert!(is_local_date_time("2022-08-30T00:00"));
        assert!(!is_local_date_time("2022-08-30"));
        assert!(!is_local_date_time("30.08.2022 00:00"));
        assert_eq!(parse_in("tomorrow", &berlin), None);
    }
}

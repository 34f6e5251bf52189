//! Civil time in a resource's own time zone, for the groups whose answers depend on the wall
//! clock of a place: schedule rotations (`P7D` from a layer's start, across DST changes), times of
//! week (`MONDAY 08:00`), support days and exception dates, on-call times rendered in a zone.
//!
//! Instants are Unix seconds ([`UnixSeconds`]), as the mock clock keeps them; civil values are
//! jiff's. The time zone database is bundled with the binary, so the answers are the same on
//! every machine.

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ZonedDateTime};

use crate::clock::UnixSeconds;

/// The shortest rotation a schedule layer may have; shorter ones would make a year of shifts
/// unreasonably long (the mock's limit, ilert's interface offers hours and days).
pub const MIN_ROTATION_SECS: i64 = 3600;

/// The IANA time zone `name` (`Europe/Berlin`).
pub fn zone(name: &str) -> Result<TimeZone, String> {
    jiff::tz::db()
        .get(name)
        .map_err(|_| format!("'{name}' is not a known IANA time zone"))
}

/// The instant as a jiff timestamp (clamped to jiff's range).
fn timestamp(at: UnixSeconds) -> Timestamp {
    let at = at.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(at).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The wall-clock time at `at` in `tz`.
pub fn local(at: UnixSeconds, tz: &TimeZone) -> DateTime {
    tz.to_datetime(timestamp(at))
}

/// The instant a wall-clock time names in `tz` (a time skipped by a DST change moves forward,
/// a repeated one takes its first occurrence).
pub fn instant(at: DateTime, tz: &TimeZone) -> Option<UnixSeconds> {
    tz.to_timestamp(at).ok().map(Timestamp::as_second)
}

/// `at` as RFC 3339 with the offset `tz` has then (`2026-11-28T10:00:00+01:00`).
pub fn iso8601_in(at: UnixSeconds, tz: &TimeZone) -> String {
    let ts = timestamp(at);
    ts.display_with_offset(tz.to_offset(ts)).to_string()
}

/// An ISO-8601 duration (`P7D`, `PT12H`, `P1W`, `P1DT12H`) as a positive span.
pub fn duration(text: &str) -> Option<Span> {
    if !text.starts_with(['P', 'p']) {
        return None;
    }
    text.parse::<Span>().ok().filter(|s| s.signum() > 0)
}

/// A rotation: an ISO-8601 duration of at least [`MIN_ROTATION_SECS`], measured from `start`
/// in `tz`.
pub fn rotation(text: &str, start: UnixSeconds, tz: &TimeZone) -> Result<Span, String> {
    let span = duration(text)
        .ok_or_else(|| format!("must be an ISO-8601 duration such as P7D or PT12H (got \"{text}\")"))?;
    let from = zoned(start, tz);
    let length = from
        .checked_add(span)
        .map(|end| end.timestamp().as_second() - start)
        .map_err(|_| format!("is too long (got \"{text}\")"))?;
    if length < MIN_ROTATION_SECS {
        return Err(format!("must be at least one hour (got \"{text}\")"));
    }
    Ok(span)
}

/// `at` in `tz`, for calendar arithmetic.
pub fn zoned(at: UnixSeconds, tz: &TimeZone) -> ZonedDateTime {
    timestamp(at).to_zoned_datetime(tz.clone())
}

/// The instant `n` rotations after `start` (wall-clock arithmetic: a `P1D` rotation keeps its
/// hand-over hour across DST changes).
pub fn after(start: &ZonedDateTime, rotation: Span, n: i64) -> Option<UnixSeconds> {
    let span = rotation.checked_mul(n).ok()?;
    start.checked_add(span).ok().map(|z| z.timestamp().as_second())
}

/// A time of day, `HH:MM` or `HH:MM:SS`.
pub fn time_of_day(text: &str) -> Option<Time> {
    let mut parts = text.split(':');
    let hour: i8 = parts.next()?.parse().ok()?;
    let minute: i8 = parts.next()?.parse().ok()?;
    let second: i8 = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || text.split(':').any(|p| p.len() != 2) {
        return None;
    }
    Time::new(hour, minute, second, 0).ok()
}

/// The document's day names (`MONDAY` … `SUNDAY`), in week order.
pub const DAYS: [&str; 7] = [
    "MONDAY",
    "TUESDAY",
    "WEDNESDAY",
    "THURSDAY",
    "FRIDAY",
    "SATURDAY",
    "SUNDAY",
];

/// The day name of a weekday.
pub fn day_name(day: Weekday) -> &'static str {
    DAYS[usize::try_from(day.to_monday_zero_offset()).unwrap_or(0)]
}

/// A date, `YYYY-MM-DD`.
pub fn date(text: &str) -> Option<Date> {
    text.parse::<Date>().ok().filter(|_| text.len() == 10)
}

/// A day of week by name and a time of day: an offset into the week in seconds from Monday
/// 00:00 (wall clock).
pub fn time_of_week(day: &str, time: &str) -> Option<i64> {
    let index = DAYS.iter().position(|d| *d == day)?;
    let t = time_of_day(time)?;
    let day_secs = i64::try_from(index).ok()? * 86_400;
    Some(day_secs + i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second()))
}

/// The wall-clock windows of the week, given as `(from, to)` offsets from Monday 00:00 (a window
/// whose end is not after its start runs into the next week), as instants within `[from, until)`:
/// sorted, overlapping ones merged.
pub fn week_windows(
    windows: &[(i64, i64)],
    tz: &TimeZone,
    from: UnixSeconds,
    until: UnixSeconds,
) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    let first = local(from, tz).date();
    let Ok(back) =
        first.checked_sub(Span::new().days(i64::from(first.weekday().to_monday_zero_offset()) + 7))
    else {
        return out;
    };
    let mut monday = back;
    while let Some(week_start) = instant(monday.to_datetime(Time::midnight()), tz) {
        if week_start >= until {
            break;
        }
        for (start, end) in windows {
            let end = if end <= start { end + 7 * 86_400 } else { *end };
            if let (Some(s), Some(e)) = (in_week(monday, *start, tz), in_week(monday, end, tz)) {
                let (s, e) = (s.max(from), e.min(until));
                if s < e {
                    out.push((s, e));
                }
            }
        }
        match monday.checked_add(Span::new().days(7)) {
            Ok(next) => monday = next,
            Err(_) => break,
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(out.len());
    for (s, e) in out {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// The instant `offset` seconds of wall-clock time after `monday` 00:00 in `tz`.
fn in_week(monday: Date, offset: i64, tz: &TimeZone) -> Option<UnixSeconds> {
    let day = monday
        .checked_add(Span::new().days(offset.div_euclid(86_400)))
        .ok()?;
    let secs = offset.rem_euclid(86_400);
    let time = Time::new(
        i8::try_from(secs / 3600).ok()?,
        i8::try_from(secs % 3600 / 60).ok()?,
        i8::try_from(secs % 60).ok()?,
        0,
    )
    .ok()?;
    instant(day.to_datetime(time), tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::time::parse;

    fn at(text: &str) -> UnixSeconds {
        parse(text).expect("a date-time")
    }

    #[test]
    fn zones_and_offsets() {
        let berlin = zone("Europe/Berlin").expect("zone");
        assert!(zone("Mars/Olympus").is_err());
        assert_eq!(
            iso8601_in(at("2026-11-28T09:00:00Z"), &berlin),
            "2026-11-28T10:00:00+01:00"
        );
        assert_eq!(
            iso8601_in(at("2026-07-01T09:00:00Z"), &berlin),
            "2026-07-01T11:00:00+02:00"
        );
        let local = local(at("2026-11-28T23:30:00Z"), &berlin);
        assert_eq!(local.date().to_string(), "2026-11-29");
        assert_eq!(instant(local, &berlin), Some(at("2026-11-28T23:30:00Z")));
    }

    #[test]
    fn rotations_keep_the_hand_over_hour_across_dst() {
        let berlin = zone("Europe/Berlin").expect("zone");
        let start = at("2026-03-28T08:00:00+01:00");
        let day = rotation("P1D", start, &berlin).expect("P1D");
        let z = zoned(start, &berlin);
        // The night to Sunday 29 March 2026 has 23 hours in Berlin.
        assert_eq!(after(&z, day, 1), Some(at("2026-03-29T08:00:00+02:00")));
        assert_eq!(after(&z, day, 1).map(|t| t - start), Some(23 * 3600));
        assert!(rotation("PT30M", start, &berlin).is_err());
        assert!(rotation("7 days", start, &berlin).is_err());
        assert!(rotation("-P1D", start, &berlin).is_err());
        assert!(rotation("P1W", start, &berlin).is_ok());
    }

    #[test]
    fn times_dates_and_weeks() {
        assert_eq!(
            time_of_day("08:30").map(|t| (t.hour(), t.minute())),
            Some((8, 30))
        );
        assert!(time_of_day("8:30").is_none());
        assert!(time_of_day("24:00").is_none());
        assert!(time_of_day("08:30:00:00").is_none());
        assert!(date("2026-12-24").is_some());
        assert!(date("2026-13-01").is_none());
        assert_eq!(time_of_week("TUESDAY", "01:00"), Some(86_400 + 3600));
        assert_eq!(time_of_week("FUNDAY", "01:00"), None);
        assert_eq!(day_name(Weekday::Sunday), "SUNDAY");
    }

    #[test]
    fn week_windows_cover_each_week_in_local_time() {
        // Weekends, Friday 18:00 to Monday 08:00 (UTC).
        let weekends = |from: &str, until: &str| {
            let friday = time_of_week("FRIDAY", "18:00").expect("from");
            let monday = time_of_week("MONDAY", "08:00").expect("to");
            let utc = zone("UTC").expect("utc");
            week_windows(&[(friday, monday)], &utc, at(from), at(until))
        };
        // Two weeks from Wednesday 2026-11-25.
        let windows = weekends("2026-11-25T00:00:00Z", "2026-12-09T00:00:00Z");
        assert_eq!(
            windows,
            vec![
                (at("2026-11-27T18:00:00Z"), at("2026-11-30T08:00:00Z")),
                (at("2026-12-04T18:00:00Z"), at("2026-12-07T08:00:00Z")),
            ]
        );
        // A window open at the start is cut there.
        let inside = weekends("2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z");
        assert_eq!(
            inside,
            vec![(at("2026-11-28T00:00:00Z"), at("2026-11-29T00:00:00Z"))]
        );
    }
}

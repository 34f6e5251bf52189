//! Who is on call when: a schedule's shifts computed from its layers (or its static shifts) and
//! its overrides, as plain functions over instants, so the rules are tested without HTTP.
//!
//! - A layer rotates its users from `startsOn`: rotation `k` runs from `startsOn + k × rotation`
//!   to `startsOn + (k + 1) × rotation` (wall-clock arithmetic in the schedule's time zone, so a
//!   `P1D` hand-over stays at 08:00 across DST changes) and belongs to user `k mod n`. It ends at
//!   `endsOn`. Restrictions (times of week) keep only the parts of each shift inside them.
//! - Later layers take precedence over earlier ones where they have a shift (the convention of
//!   layered on-call tools); where no layer has one, nobody is on call (a gap).
//! - A static schedule's shifts are as given; a later one wins where two overlap.
//! - Overrides take precedence over everything, a later override over an earlier one.
//! - Adjacent pieces of the same user join into one shift.

use jiff::Span;
use jiff::tz::TimeZone;

use crate::clock::UnixSeconds;
use crate::resources::support::calendar;

/// The most shifts one computation makes (a year of hourly rotations is 8,760).
const MAX_SHIFTS: usize = 100_000;

/// How far around an instant the shift containing it is looked for.
const AROUND_SECS: i64 = 92 * 86_400;

/// How far ahead the next shift is looked for.
const AHEAD_SECS: i64 = 366 * 86_400;

/// One user on call from `start` to `end` (Unix seconds, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    /// The user's id.
    pub user: i64,
    /// When the shift starts.
    pub start: UnixSeconds,
    /// When it ends.
    pub end: UnixSeconds,
}

/// A recurring schedule's layer.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The users in rotation order (a user may appear more than once).
    pub users: Vec<i64>,
    /// When the first rotation starts.
    pub starts: UnixSeconds,
    /// When the layer stops, if ever.
    pub ends: Option<UnixSeconds>,
    /// How long each user's turn is.
    pub rotation: Span,
    /// The times of week the layer covers, as offsets from Monday 00:00; empty for always.
    pub restrictions: Vec<(i64, i64)>,
}

/// What a schedule's shifts come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `RECURRING`: layers, later ones on top.
    Layers(Vec<Layer>),
    /// `STATIC`: the shifts as given.
    Fixed(Vec<Shift>),
}

/// A schedule, ready to answer who is on call.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The schedule's time zone (rotations and restrictions are wall-clock times there).
    pub tz: TimeZone,
    /// Its layers or static shifts.
    pub source: Source,
    /// Its overrides, oldest first.
    pub overrides: Vec<Shift>,
}

impl Plan {
    /// The shifts within `[from, until)`, cut at both ends, in time order.
    pub fn shifts(&self, from: UnixSeconds, until: UnixSeconds, with_overrides: bool) -> Vec<Shift> {
        if from >= until {
            return Vec::new();
        }
        let mut out: Vec<Shift> = Vec::new();
        match &self.source {
            Source::Layers(layers) => {
                for layer in layers {
                    let top = layer_shifts(layer, &self.tz, from, until);
                    out = overlay(out, &top);
                }
            }
            Source::Fixed(shifts) => {
                for shift in shifts {
                    out = overlay(out, &clip(&[*shift], from, until));
                }
            }
        }
        if with_overrides {
            for o in &self.overrides {
                out = overlay(out, &clip(&[*o], from, until));
            }
        }
        join(out)
    }

    /// The shift that contains `at` (its bounds looked for up to [`AROUND_SECS`] away).
    pub fn at(&self, at: UnixSeconds) -> Option<Shift> {
        self.shifts(
            at.saturating_sub(AROUND_SECS),
            at.saturating_add(AROUND_SECS),
            true,
        )
        .into_iter()
        .find(|s| s.start <= at && at < s.end)
    }

    /// The shift after the one containing `at` (or the first to start after `at` when nobody is
    /// on call then), within a year.
    pub fn next(&self, at: UnixSeconds) -> Option<Shift> {
        let after = self.at(at).map_or(at, |current| current.end);
        self.shifts(after, after.saturating_add(AHEAD_SECS), true)
            .into_iter()
            .find(|s| s.start >= after)
    }
}

/// The shifts of one layer within `[from, until)`.
pub fn layer_shifts(layer: &Layer, tz: &TimeZone, from: UnixSeconds, until: UnixSeconds) -> Vec<Shift> {
    let from = from.max(layer.starts);
    let until = layer.ends.map_or(until, |end| until.min(end));
    let mut out = Vec::new();
    if from >= until || layer.users.is_empty() {
        return out;
    }
    let start = calendar::zoned(layer.starts, tz);
    let boundary = |k: i64| calendar::after(&start, layer.rotation, k);
    let Some(first) = boundary(1) else {
        return out;
    };
    let approx = (first - layer.starts).max(1);
    let mut k = ((from - layer.starts) / approx).max(0);
    while k > 0 && boundary(k).is_none_or(|b| b > from) {
        k -= 1;
    }
    while boundary(k + 1).is_some_and(|b| b <= from) {
        k += 1;
    }
    let windows = (!layer.restrictions.is_empty())
        .then(|| calendar::week_windows(&layer.restrictions, tz, from, until));
    let n = i64::try_from(layer.users.len()).unwrap_or(1);
    while out.len() < MAX_SHIFTS {
        let (Some(s), Some(e)) = (boundary(k), boundary(k + 1)) else {
            break;
        };
        if s >= until {
            break;
        }
        let user = layer.users[usize::try_from(k.rem_euclid(n)).unwrap_or(0)];
        let (s, e) = (s.max(from), e.min(until));
        match &windows {
            None => out.push(Shift {
                user,
                start: s,
                end: e,
            }),
            Some(windows) => {
                let first = windows.partition_point(|w| w.1 <= s);
                for (ws, we) in windows[first..].iter().take_while(|w| w.0 < e) {
                    out.push(Shift {
                        user,
                        start: s.max(*ws),
                        end: e.min(*we),
                    });
                }
            }
        }
        k += 1;
    }
    out
}

/// `shifts` cut to `[from, until)`; shifts outside it are dropped.
pub fn clip(shifts: &[Shift], from: UnixSeconds, until: UnixSeconds) -> Vec<Shift> {
    shifts
        .iter()
        .map(|s| Shift {
            user: s.user,
            start: s.start.max(from),
            end: s.end.min(until),
        })
        .filter(|s| s.start < s.end)
        .collect()
}

/// `base` with `top` laid over it: where a shift of `top` runs, `base` gives way. `top` holds
/// shifts that do not overlap each other, in time order.
pub fn overlay(base: Vec<Shift>, top: &[Shift]) -> Vec<Shift> {
    if top.is_empty() {
        return base;
    }
    let mut out: Vec<Shift> = Vec::with_capacity(base.len() + top.len());
    for b in base {
        let mut rest = Some(b);
        let first = top.partition_point(|t| t.end <= b.start);
        for t in top[first..].iter().take_while(|t| t.start < b.end) {
            let Some(piece) = rest else {
                break;
            };
            if t.start > piece.start {
                out.push(Shift {
                    end: t.start.min(piece.end),
                    ..piece
                });
            }
            rest = (t.end < piece.end).then_some(Shift {
                start: t.end.max(piece.start),
                ..piece
            });
        }
        out.extend(rest);
    }
    out.extend_from_slice(top);
    out.sort_by_key(|s| (s.start, s.end));
    out
}

/// Joins adjacent shifts of the same user (in time order).
pub fn join(shifts: Vec<Shift>) -> Vec<Shift> {
    let mut out: Vec<Shift> = Vec::with_capacity(shifts.len());
    for s in shifts {
        match out.last_mut() {
            Some(last) if last.user == s.user && last.end == s.start => last.end = s.end,
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::time::parse;

    fn at(text: &str) -> UnixSeconds {
        parse(text).expect("a date-time")
    }

    fn shift(user: i64, start: &str, end: &str) -> Shift {
        Shift {
            user,
            start: at(start),
            end: at(end),
        }
    }

    fn utc() -> TimeZone {
        calendar::zone("UTC").expect("utc")
    }

    /// The layer's shifts from `from` until `until` (UTC).
    fn within(layer: &Layer, from: &str, until: &str) -> Vec<Shift> {
        layer_shifts(layer, &utc(), at(from), at(until))
    }

    fn weekly(users: Vec<i64>, starts: &str) -> Layer {
        Layer {
            users,
            starts: at(starts),
            ends: None,
            rotation: calendar::duration("P7D").expect("P7D"),
            restrictions: Vec::new(),
        }
    }

    #[test]
    fn a_layer_rotates_its_users() {
        let layer = weekly(vec![1, 2], "2026-11-02T08:00:00Z");
        let shifts = within(&layer, "2026-11-20T00:00:00Z", "2026-12-01T00:00:00Z");
        assert_eq!(
            shifts,
            vec![
                shift(1, "2026-11-20T00:00:00Z", "2026-11-23T08:00:00Z"),
                shift(2, "2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z"),
                shift(1, "2026-11-30T08:00:00Z", "2026-12-01T00:00:00Z"),
            ]
        );
        // Nothing before the layer starts, nothing after it ends.
        let mut ending = weekly(vec![1, 2], "2026-11-02T08:00:00Z");
        ending.ends = Some(at("2026-11-05T00:00:00Z"));
        assert_eq!(
            within(&ending, "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z"),
            vec![shift(1, "2026-11-02T08:00:00Z", "2026-11-05T00:00:00Z")]
        );
    }

    #[test]
    fn rotations_far_from_the_start_and_restrictions() {
        // 2020-01-01 to 2026-11-28 is 2522 days, 7566 rotations of 8 h: 08:00 starts rotation
        // 7567, the second user's turn (7567 mod 3 = 1), 16:00 the third's.
        let hourly = Layer {
            rotation: calendar::duration("PT8H").expect("PT8H"),
            ..weekly(vec![1, 2, 3], "2020-01-01T00:00:00Z")
        };
        // Weekends only: each user's week keeps its Saturday and Sunday.
        let mut weekends = weekly(vec![1, 2], "2026-11-02T00:00:00Z");
        let from = calendar::time_of_week("SATURDAY", "00:00").expect("from");
        let to = calendar::time_of_week("MONDAY", "00:00").expect("to");
        weekends.restrictions = vec![(from, to)];
        for (layer, range, want) in [
            (
                &hourly,
                ("2026-11-28T09:00:00Z", "2026-11-28T17:00:00Z"),
                [
                    (2, "2026-11-28T09:00:00Z", "2026-11-28T16:00:00Z"),
                    (3, "2026-11-28T16:00:00Z", "2026-11-28T17:00:00Z"),
                ],
            ),
            (
                &weekends,
                ("2026-11-02T00:00:00Z", "2026-11-16T00:00:00Z"),
                [
                    (1, "2026-11-07T00:00:00Z", "2026-11-09T00:00:00Z"),
                    (2, "2026-11-14T00:00:00Z", "2026-11-16T00:00:00Z"),
                ],
            ),
        ] {
            let want: Vec<Shift> = want.iter().map(|(u, s, e)| shift(*u, s, e)).collect();
            assert_eq!(within(layer, range.0, range.1), want);
        }
    }

    #[test]
    fn later_layers_and_overrides_take_precedence() {
        let base = weekly(vec![1], "2026-11-02T00:00:00Z");
        let mut weekend = weekly(vec![2], "2026-11-02T00:00:00Z");
        weekend.restrictions = vec![(
            calendar::time_of_week("SATURDAY", "00:00").expect("from"),
            calendar::time_of_week("MONDAY", "00:00").expect("to"),
        )];
        let plan = Plan {
            tz: utc(),
            source: Source::Layers(vec![base, weekend]),
            overrides: vec![
                shift(3, "2026-11-04T12:00:00Z", "2026-11-05T12:00:00Z"),
                shift(4, "2026-11-05T00:00:00Z", "2026-11-05T06:00:00Z"),
            ],
        };
        let from = at("2026-11-04T00:00:00Z");
        let until = at("2026-11-10T00:00:00Z");
        assert_eq!(
            plan.shifts(from, until, true),
            vec![
                shift(1, "2026-11-04T00:00:00Z", "2026-11-04T12:00:00Z"),
                shift(3, "2026-11-04T12:00:00Z", "2026-11-05T00:00:00Z"),
                shift(4, "2026-11-05T00:00:00Z", "2026-11-05T06:00:00Z"),
                shift(3, "2026-11-05T06:00:00Z", "2026-11-05T12:00:00Z"),
                shift(1, "2026-11-05T12:00:00Z", "2026-11-07T00:00:00Z"),
                shift(2, "2026-11-07T00:00:00Z", "2026-11-09T00:00:00Z"),
                shift(1, "2026-11-09T00:00:00Z", "2026-11-10T00:00:00Z"),
            ]
        );
        assert_eq!(plan.shifts(from, until, false).len(), 3);
        assert_eq!(plan.at(at("2026-11-05T01:00:00Z")).map(|s| s.user), Some(4));
        let next = plan.next(at("2026-11-05T01:00:00Z")).expect("next");
        assert_eq!(next, shift(3, "2026-11-05T06:00:00Z", "2026-11-05T12:00:00Z"));
    }

    #[test]
    fn static_shifts_leave_gaps() {
        let plan = Plan {
            tz: utc(),
            source: Source::Fixed(vec![
                shift(1, "2026-11-28T08:00:00Z", "2026-11-28T16:00:00Z"),
                shift(2, "2026-11-28T18:00:00Z", "2026-11-29T08:00:00Z"),
            ]),
            overrides: Vec::new(),
        };
        assert_eq!(plan.at(at("2026-11-28T17:00:00Z")), None);
        assert_eq!(
            plan.next(at("2026-11-28T17:00:00Z")),
            Some(shift(2, "2026-11-28T18:00:00Z", "2026-11-29T08:00:00Z"))
        );
        assert_eq!(plan.next(at("2026-11-29T09:00:00Z")), None);
    }

    #[test]
    fn overlay_and_join_edges() {
        let base = vec![shift(1, "2026-11-01T00:00:00Z", "2026-11-03T00:00:00Z")];
        let top = vec![
            shift(2, "2026-10-31T00:00:00Z", "2026-11-01T12:00:00Z"),
            shift(1, "2026-11-02T00:00:00Z", "2026-11-02T06:00:00Z"),
        ];
        let out = join(overlay(base, &top));
        assert_eq!(
            out,
            vec![
                shift(2, "2026-10-31T00:00:00Z", "2026-11-01T12:00:00Z"),
                shift(1, "2026-11-01T12:00:00Z", "2026-11-03T00:00:00Z"),
            ]
        );
    }
}

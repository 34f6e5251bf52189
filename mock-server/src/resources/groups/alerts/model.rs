//! What an alert is: its collections' names, its documented list filters, and how it renders
//! (source and policy embedded, responders as `UserRel`).

use serde_json::Value;

use crate::clock::UnixSeconds;
use crate::resources::group::{Filter, Model, View};
use crate::resources::groups::{alert_sources, escalation_policies};
use crate::resources::relations;

use crate::resources::store::{Entity, Entry, compact_each, compact_field, compact_items};
use crate::resources::support::names;
use crate::resources::time::parse;

/// The store name of alerts.
pub const NAME: &str = names::ALERTS;
/// The store name of alert log entries.
pub const LOG_ENTRIES: &str = "alert-log-entries";
/// The store name of alert notifications.
pub const NOTIFICATIONS: &str = "alert-notifications";

/// The documented filters of `GET /alerts` (and `alerts/count`).
pub const FILTERS: &[Filter] = &[
    Filter {
        param: "states",
        test: |_, a, v| {
            v.iter()
                .any(|s| a.get("status").is_some_and(|st| st == s.as_str()))
        },
    },
    Filter {
        param: "sources",
        test: |_, a, v| v.iter().any(|s| ref_is(a, "alertSource", s)),
    },
    Filter {
        param: "policies",
        test: |_, a, v| v.iter().any(|s| ref_is(a, "escalationPolicy", s)),
    },
    Filter {
        param: "responders",
        test: has_responder,
    },
    Filter {
        param: "from",
        test: |_, a, v| reported(a) >= v.iter().filter_map(|t| parse(t)).max().unwrap_or(i64::MIN),
    },
    Filter {
        param: "until",
        test: |_, a, v| reported(a) <= v.iter().filter_map(|t| parse(t)).min().unwrap_or(i64::MAX),
    },
];

/// Whether the reference at `field` names the id written in `id`.
fn ref_is(alert: &Entity, field: &str, id: &str) -> bool {
    id.parse::<i64>()
        .is_ok_and(|id| alert.get(field).is_some_and(|r| r["id"] == id))
}

/// The alert's report time (0 when it has none that parses): what `from` and `until` compare
/// and the `reported` index files.
pub fn reported(alert: &Entity) -> UnixSeconds {
    alert
        .get("reportTime")
        .and_then(Value::as_str)
        .and_then(parse)
        .unwrap_or_default()
}

fn has_responder(view: &View<'_>, alert: &Entity, values: &[String]) -> bool {
    let ids = crate::resources::field_path::ids_in(alert, "responders[].user");
    values.iter().any(|v| {
        ids.iter()
            .any(|id| id.to_string() == *v || view.state.user(*id).is_some_and(|u| u.username == *v))
    })
}

/// The alert model: sources and policies embedded, responders as `UserRel`. Its own impl
/// (not a [`crate::resources::kinds::Written`]) because it writes list pages itself: a page of
/// alerts shares each embedded source and policy as text instead of copying it into every alert.
#[derive(Debug)]
pub struct Alerts;

/// The model of alerts.
pub const ALERT_MODEL: Alerts = Alerts;

impl Model for Alerts {
    fn render(&self, view: &View<'_>, entity: &Entity, _: bool) -> Value {
        let mut out = Value::Object(entity.clone());
        relations::expand(&mut out, "alertSource", &|id| {
            Some(alert_sources::rendered(view, id))
        });
        relations::expand(&mut out, "escalationPolicy", &|id| {
            Some(escalation_policies::rendered(view, id))
        });
        relations::expand(&mut out, "responders[].user", &|id| relations::user_rel(view, id));
        out
    }

    /// As [`Alerts::render`] writes it, with the source and policy written from the page's memo
    /// of rendered text: a page of alerts from one source shares them instead of copying them
    /// into every alert.
    fn write_listed(&self, view: &View<'_>, entry: Entry<'_>, out: &mut Vec<u8>) -> serde_json::Result<()> {
        // Every field but the three expanded ones is copied from the stored text as it is (the
        // store holds packed text compact, as `serde_json` writes it).
        let text = entry.text();
        let embedded = |name: &str, reference: &str| -> serde_json::Result<_> {
            referenced_id(reference)?
                .map(|id| view.rendered_text(name, id))
                .transpose()
        };
        let written = write_object(out, &text, |key, value, out| {
            let shared = match key {
                r#""alertSource""# => embedded(alert_sources::NAME, value)?,
                r#""escalationPolicy""# => embedded(escalation_policies::NAME, value)?,
                r#""responders""# => return write_responders(view, value, out).map(|()| true),
                _ => None,
            };
            Ok(shared.is_some_and(|text| {
                out.extend_from_slice(text.get().as_bytes());
                true
            }))
        });
        match written {
            Some(result) => result,
            None => serde_json::to_writer(out, &self.render(view, &entry.stored().body, true)),
        }
    }
}

/// Writes the compact object `text` as it is written, field by field as the scan finds them
/// (nothing collected), except the values `replace` writes itself (it answers `true` for
/// those). `None`, with `out` as it was, for text that is not a compact object.
fn write_object(
    out: &mut Vec<u8>,
    text: &str,
    mut replace: impl FnMut(&str, &str, &mut Vec<u8>) -> serde_json::Result<bool>,
) -> Option<serde_json::Result<()>> {
    let start = out.len();
    let (mut first, mut failed) = (true, None);
    out.push(b'{');
    let scanned = compact_each(text, |key, value| {
        if failed.is_some() {
            return;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(key.as_bytes());
        out.push(b':');
        match replace(key, value, out) {
            Ok(true) => {}
            Ok(false) => out.extend_from_slice(value.as_bytes()),
            Err(error) => failed = Some(error),
        }
    });
    if scanned.is_none() {
        out.truncate(start);
        return None;
    }
    out.push(b'}');
    Some(failed.map_or(Ok(()), Err))
}

/// The id a reference's text names, read as [`crate::resources::field_path::ids`] reads it:
/// an integer `id` straight from the text (the last one, as a parse keeps it), anything else
/// through the values.
fn referenced_id(reference: &str) -> serde_json::Result<Option<i64>> {
    let direct = compact_field(reference, r#""id""#).and_then(|id| id.parse::<i64>().ok());
    if direct.is_some() {
        return Ok(direct);
    }
    let value: Value = serde_json::from_str(reference)?;
    Ok(crate::resources::field_path::ids(&value, "").first().copied())
}

/// An alert's compact `responders` text as a list shows it: each item's `user` reference as a
/// `UserRel` (`relations::expand` at `responders[].user`: kept as it is where the tenant has no
/// such user), everything else copied; what is not an array, or an item that is not an object,
/// is copied as it is, as `expand` leaves it.
fn write_responders(view: &View<'_>, raw: &str, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let Some(items) = compact_items(raw) else {
        out.extend_from_slice(raw.as_bytes());
        return Ok(());
    };
    out.push(b'[');
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let written = write_object(out, item, |key, value, out| {
            if key != r#""user""# {
                return Ok(false);
            }
            let user = referenced_id(value)?
                .map(|id| view.user_text(id, |id| relations::user_rel(view, id)))
                .transpose()?
                .flatten();
            Ok(user.is_some_and(|text| {
                out.extend_from_slice(text.get().as_bytes());
                true
            }))
        });
        match written {
            Some(result) => result?,
            None => out.extend_from_slice(item.as_bytes()),
        }
    }
    out.push(b']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact object is copied field by field with the replaced values written in place; text
    /// found not compact partway (after fields were seen) leaves the output as it was.
    #[test]
    fn write_object_copies_compact_text_and_leaves_other_text_unwritten() {
        let replace = |key: &str, _: &str, out: &mut Vec<u8>| {
            Ok(key == r#""b""# && {
                out.extend_from_slice(b"[7]");
                true
            })
        };
        let mut out = b"head:".to_vec();
        let written = write_object(&mut out, r#"{"a":1,"b":{"id":2},"c":"x,}"}"#, replace);
        assert!(matches!(written, Some(Ok(()))));
        assert_eq!(String::from_utf8_lossy(&out), r#"head:{"a":1,"b":[7],"c":"x,}"}"#);
        for not in [r#"{"a":1, "b":2}"#, r#"{"a":1,"b":2"#, "[1]", r#"{"a":1,"b":}"#] {
            let mut out = b"head:".to_vec();
            assert!(write_object(&mut out, not, replace).is_none(), "{not}");
            assert_eq!(out, b"head:", "{not}");
        }
        let mut out = Vec::new();
        assert!(matches!(write_object(&mut out, "{}", replace), Some(Ok(()))));
        assert_eq!(out, b"{}");
    }

    #[test]
    fn referenced_id_reads_the_last_integer_id_and_falls_back_to_the_values() {
        assert_eq!(referenced_id(r#"{"id":3001}"#).ok(), Some(Some(3001)));
        assert_eq!(referenced_id(r#"{"id":1,"name":"a","id":2}"#).ok(), Some(Some(2)));
        assert_eq!(referenced_id(r#"{ "id": 4 }"#).ok(), Some(Some(4)));
        assert_eq!(referenced_id(r#"{"name":"a"}"#).ok(), Some(None));
    }
}

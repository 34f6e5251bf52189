//! Rendered entities embedded in list pages, kept across answers while nothing a render may
//! read has changed: see [`SharedTexts`].

use crate::clock::UnixSeconds;

/// What a rendered entity depends on: the store, the directory (users, teams' members), the
/// clock and the base URL. Text rendered at one stamp is valid while the stamp is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) store: (u64, u64),
    pub(super) directory: u64,
    pub(super) now: UnixSeconds,
    pub(super) base: String,
}

/// Entities embedded in list pages (an alert's source and policy), as JSON text, kept across
/// answers until anything they may depend on changes ([`Stamp`]): a page of alerts then copies
/// its source and policy instead of rendering them for every request. Holds only what was
/// rendered since the last change.
#[derive(Debug, Default)]
pub struct SharedTexts {
    held: parking_lot::Mutex<(Option<Stamp>, std::collections::HashMap<SharedKey, SharedText>)>,
}

pub(super) type SharedText = std::sync::Arc<serde_json::value::RawValue>;

/// (tenant, collection, id).
pub(super) type SharedKey = (String, &'static str, i64);

impl SharedTexts {
    pub(super) fn get(&self, stamp: &Stamp, key: &SharedKey) -> Option<SharedText> {
        let held = self.held.lock();
        if held.0.as_ref() != Some(stamp) {
            return None;
        }
        held.1.get(key).cloned()
    }

    pub(super) fn put(&self, stamp: Stamp, key: SharedKey, text: SharedText) {
        let mut held = self.held.lock();
        if held.0.as_ref() != Some(&stamp) {
            held.1.clear();
            held.0 = Some(stamp);
        }
        held.1.insert(key, text);
    }
}

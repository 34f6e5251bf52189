//! JWT verification never panics and never accepts a token the mock did not sign: arbitrary
//! input, and valid tokens with fuzzed bytes spliced in.
#![no_main]

use std::sync::OnceLock;

use ilert_mock::Fixtures;
use ilert_mock::internals::Keys;
use ilert_mock::{AccessClaims, RefreshClaims};
use libfuzzer_sys::fuzz_target;

struct Material {
    keys: Keys,
    access: String,
    refresh: String,
}

fn material() -> &'static Material {
    static MATERIAL: OnceLock<Material> = OnceLock::new();
    MATERIAL.get_or_init(|| {
        let f = Fixtures::embedded().expect("default fixtures");
        let keys = Keys::new(&f.keys.access_private_key_pem, &f.keys.refresh_secret, &f.keys.key_id).expect("keys");
        let access = keys.mint_access(&AccessClaims::new("5cf", 250, "profile", "someUser", 1_000)).expect("sign");
        let refresh = keys.mint_refresh(&RefreshClaims::new(&"a".repeat(32), 2_000)).expect("sign");
        Material { keys, access, refresh }
    })
}

fuzz_target!(|input: (String, u16, u8)| {
    let m = material();
    let (text, position, byte) = input;
    let _ = m.keys.verify_access(&text, 1_500);
    let _ = m.keys.verify_refresh(&text, 1_500);
    for (token, is_access) in [(&m.access, true), (&m.refresh, false)] {
        let mut bytes = token.clone().into_bytes();
        let at = usize::from(position) % bytes.len();
        if bytes[at] == byte || !byte.is_ascii() {
            continue;
        }
        bytes[at] = byte;
        let Ok(mutated) = String::from_utf8(bytes) else { continue };
        let accepted = if is_access {
            m.keys.verify_access(&mutated, 1_500).is_ok()
        } else {
            m.keys.verify_refresh(&mutated, 1_500).is_ok()
        };
        // base64url's last character may carry unused bits: a change there can decode to the
        // same bytes. Anything else accepted is a forgery.
        if accepted {
            let original: Vec<&str> = token.split('.').collect();
            let changed: Vec<&str> = mutated.split('.').collect();
            assert_eq!(original.len(), changed.len());
            let same_bytes = original.iter().zip(&changed).all(|(a, b)| decode(a) == decode(b));
            assert!(same_bytes, "forged token accepted: {mutated}");
        }
    }
});

fn decode(part: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok()
}

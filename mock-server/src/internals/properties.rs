//! The properties the fuzz targets check, in one place: `mock-server/fuzz` drives them with
//! libFuzzer (long, coverage-guided runs, `mock-server/docs/fuzzing.md`), and the test suite
//! replays the committed corpus and seeded mutations of it through the same functions, so the
//! properties run on every `cargo test`. Each function panics when its property breaks.

use std::sync::OnceLock;

use crate::fixtures::Fixtures;
use crate::protocol::params::Params;
use crate::protocol::redirect;
use crate::protocol::scope::ScopeSet;
use crate::token::{AccessClaims, Keys, RefreshClaims};

/// Form, query and JSON parameter parsing never panics, and what it accepts is valid UTF-8
/// whose repeats are reported, never silently merged.
pub fn params(data: &[u8]) {
    for params in [Params::from_urlencoded(data), Params::from_json(data)]
        .into_iter()
        .flatten()
    {
        for (name, _) in params.pairs() {
            let count = params
                .pairs()
                .iter()
                .filter(|(n, v)| n == name && !v.is_empty())
                .count();
            assert_eq!(params.get(name).is_err(), count > 1);
        }
    }
}

/// The redirect-URI matcher accepts exactly the registered string and nothing else, and
/// building a redirect never panics or lets a CR/LF through.
pub fn redirect_uri(registered: &str, requested: &str, state: &str) {
    let list = vec![registered.to_owned()];
    let found = redirect::find_exact(&list, requested);
    assert_eq!(found.is_some(), registered == requested);
    if redirect::validate_registered(registered).is_ok() {
        let location = redirect::with_params(registered, &[("code", "abc"), ("state", state)]);
        assert!(location.starts_with(registered));
        assert!(!location[registered.len()..].contains(['\r', '\n', ' ', '#']));
    }
}

/// Scope parsing never panics, and an accepted scope prints back to a string that parses to
/// the same set.
pub fn scope(input: &str) {
    if let Ok(set) = ScopeSet::parse(input) {
        let printed = set.to_string();
        let again = ScopeSet::parse(&printed).expect("a printed scope parses");
        assert_eq!(again, set);
        assert!(set.is_subset_of(&again));
    }
}

struct Material {
    keys: Keys,
    access: String,
    refresh: String,
}

fn material() -> &'static Material {
    static MATERIAL: OnceLock<Material> = OnceLock::new();
    MATERIAL.get_or_init(|| {
        let f = Fixtures::embedded().expect("default fixtures");
        let keys = Keys::new(
            &f.keys.access_private_key_pem,
            &f.keys.refresh_secret,
            &f.keys.key_id,
        )
        .expect("keys");
        let access = keys
            .mint_access(&AccessClaims::new("5cf", 250, "profile", "someUser", 1_000))
            .expect("sign");
        let refresh = keys
            .mint_refresh(&RefreshClaims::new(&"a".repeat(32), 2_000))
            .expect("sign");
        Material {
            keys,
            access,
            refresh,
        }
    })
}

/// JWT verification never panics and never accepts a token the mock did not sign: `text` as
/// it is, and the mock's own two tokens with `byte` written at `position`.
pub fn jwt_verify(text: &str, position: u16, byte: u8) {
    let m = material();
    let _ = m.keys.verify_access(text, 1_500);
    let _ = m.keys.verify_refresh(text, 1_500);
    for (token, is_access) in [(&m.access, true), (&m.refresh, false)] {
        let mut bytes = token.clone().into_bytes();
        let at = usize::from(position) % bytes.len();
        if bytes[at] == byte || !byte.is_ascii() {
            continue;
        }
        bytes[at] = byte;
        let Ok(mutated) = String::from_utf8(bytes) else {
            continue;
        };
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
}

fn decode(part: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).ok()
}

//! The redirect-URI matcher accepts exactly the registered string and nothing else, and building
//! a redirect never panics or lets a CR/LF through.
#![no_main]

use ilert_mock::internals::redirect;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (String, String, String)| {
    let (registered, requested, state) = input;
    let list = vec![registered.clone()];
    let found = redirect::find_exact(&list, &requested);
    assert_eq!(found.is_some(), registered == requested);
    if redirect::validate_registered(&registered).is_ok() {
        let location = redirect::with_params(&registered, &[("code", "abc"), ("state", &state)]);
        assert!(location.starts_with(&registered));
        assert!(!location[registered.len()..].contains(['\r', '\n', ' ', '#']));
    }
});

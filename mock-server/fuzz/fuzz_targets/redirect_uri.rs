//! The redirect-URI matcher accepts exactly the registered string and nothing else, and building
//! a redirect never panics or lets a CR/LF through (`properties::redirect_uri`).
#![no_main]

use ilert_mock::internals::properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (String, String, String)| {
    properties::redirect_uri(&input.0, &input.1, &input.2);
});

//! JWT verification never panics and never accepts a token the mock did not sign: arbitrary
//! input, and valid tokens with fuzzed bytes spliced in (`properties::jwt_verify`).
#![no_main]

use ilert_mock::internals::properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (String, u16, u8)| {
    properties::jwt_verify(&input.0, input.1, input.2);
});

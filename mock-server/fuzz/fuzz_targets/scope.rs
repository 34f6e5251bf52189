//! Scope parsing never panics, and an accepted scope prints back to a string that parses to the
//! same set (`properties::scope`).
#![no_main]

use ilert_mock::internals::properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    properties::scope(input);
});

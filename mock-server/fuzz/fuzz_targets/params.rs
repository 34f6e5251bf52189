//! Form, query and JSON parameter parsing never panics, and what it accepts is valid UTF-8
//! whose repeats are reported, never silently merged (`ilert_mock::internals::properties::params`).
#![no_main]

use ilert_mock::internals::properties;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    properties::params(input);
});

//! Form, query and JSON parameter parsing never panics, and what it accepts is valid UTF-8
//! whose repeats are reported, never silently merged.
#![no_main]

use ilert_mock::internals::params::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for parsed in [Params::from_urlencoded(data), Params::from_json(data)] {
        if let Ok(params) = parsed {
            for (name, _) in params.pairs() {
                let count = params.pairs().iter().filter(|(n, v)| n == name && !v.is_empty()).count();
                assert_eq!(params.get(name).is_err(), count > 1);
            }
        }
    }
});

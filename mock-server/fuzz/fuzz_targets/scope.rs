//! Scope parsing never panics, and an accepted scope prints back to a string that parses to the
//! same set.
#![no_main]

use ilert_mock::internals::scope::ScopeSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Ok(set) = ScopeSet::parse(input) {
        let printed = set.to_string();
        let again = ScopeSet::parse(&printed).expect("a printed scope parses");
        assert_eq!(again, set);
        assert!(set.is_subset_of(&again));
    }
});
